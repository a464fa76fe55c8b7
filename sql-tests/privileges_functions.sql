-- Privileges on built-in functions (EXECUTE, PUBLIC's by default) and types (USAGE, PUBLIC's
-- by default): GRANT / REVOKE, the checks where a function is called and where a type is
-- used, the catalogs, has_function_privilege / has_type_privilege, DROP ROLE.
-- Roles are cluster-wide: every role here is named regress_fpriv_* and dropped at the end.
-- Quiver runs all files in one database: every ACL changed here goes back to PUBLIC at the end.
CREATE ROLE regress_fpriv_a;
CREATE ROLE regress_fpriv_b;
CREATE TABLE fpriv_t (id int, v vector(2));
INSERT INTO fpriv_t VALUES (1, '[1,2]'), (2, '[3,4]');
GRANT SELECT ON fpriv_t TO PUBLIC;
-- by default PUBLIC may execute every function
SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure;
SELECT has_function_privilege('regress_fpriv_b', 'abs(integer)', 'EXECUTE');
REVOKE EXECUTE ON FUNCTION abs(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION abs(int) TO regress_fpriv_a WITH GRANT OPTION;
SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure;
SET ROLE regress_fpriv_b;
SELECT abs(-1);
SELECT abs(-1.5);
SELECT id FROM fpriv_t WHERE abs(id) = 1;
SELECT has_function_privilege('abs(integer)', 'EXECUTE') AS mine,
       has_function_privilege('regress_fpriv_a', 'abs(integer)', 'EXECUTE WITH GRANT OPTION') AS a_grant,
       has_function_privilege('regress_fpriv_a', 'abs(integer)'::regprocedure, 'EXECUTE') AS a_by_oid,
       has_function_privilege('abs(numeric)', 'EXECUTE') AS numeric;
RESET ROLE;
SET ROLE regress_fpriv_a;
SELECT abs(-1);
GRANT EXECUTE ON FUNCTION abs(integer) TO regress_fpriv_b;
RESET ROLE;
SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure;
\df+ abs
SELECT a.grantor::regrole, a.grantee::regrole, a.privilege_type, a.is_grantable
  FROM pg_proc p, aclexplode(p.proacl) a WHERE p.oid = 'abs(integer)'::regprocedure ORDER BY a.grantee;
SELECT grantor, grantee, specific_schema, specific_name, routine_name, privilege_type, is_grantable
  FROM information_schema.routine_privileges WHERE routine_name = 'abs' ORDER BY specific_name, grantee;
SET ROLE regress_fpriv_b;
SELECT grantor, grantee, specific_name, is_grantable
  FROM information_schema.routine_privileges WHERE routine_name = 'abs' ORDER BY specific_name, grantee;
RESET ROLE;
SET ROLE regress_fpriv_b;
SELECT abs(-1);
GRANT EXECUTE ON FUNCTION abs(integer) TO regress_fpriv_a;
REVOKE EXECUTE ON FUNCTION abs(integer) FROM regress_fpriv_a;
RESET ROLE;
SELECT abs(-2);
-- operators need their function's EXECUTE; aggregates, window and set-returning functions theirs
REVOKE EXECUTE ON FUNCTION int4pl(integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION sum(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION row_number() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION generate_series(integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION int4(numeric) FROM PUBLIC;
CREATE VIEW fpriv_v AS SELECT id, abs(id) AS a FROM fpriv_t;
GRANT SELECT ON fpriv_v TO PUBLIC;
SET ROLE regress_fpriv_b;
SELECT 1.5::numeric::int4;
SELECT 1.5::numeric::int8;
SELECT 1 + 1;
SELECT 1::bigint + 1;
SELECT sum(id) FROM fpriv_t;
SELECT count(*) FROM fpriv_t;
SELECT row_number() OVER () FROM fpriv_t;
SELECT * FROM generate_series(1, 2);
SELECT generate_series(1, 2);
SELECT generate_series(1::bigint, 2);
SELECT has_function_privilege('int4pl(integer, integer)', 'EXECUTE') AS int4pl,
       has_function_privilege('regress_fpriv_a', 'sum(integer)', 'EXECUTE') AS sum;
RESET ROLE;
-- pgvector's functions, and the operators they implement
REVOKE EXECUTE ON FUNCTION l2_distance(vector, vector) FROM PUBLIC;
SET ROLE regress_fpriv_b;
SELECT id FROM fpriv_t ORDER BY v <-> '[1,1]' LIMIT 1;
SELECT l2_distance(v, '[1,1]') FROM fpriv_t;
SELECT id FROM fpriv_t ORDER BY v <=> '[1,1]' LIMIT 1;
RESET ROLE;
-- a prepared statement is checked at each execution
PREPARE fpriv_p AS SELECT abs(id) FROM fpriv_t ORDER BY 1;
SET ROLE regress_fpriv_a;
EXECUTE fpriv_p;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION abs(integer) FROM regress_fpriv_a;
REVOKE EXECUTE ON FUNCTION abs(integer) FROM regress_fpriv_a CASCADE;
SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure;
SET ROLE regress_fpriv_a;
EXECUTE fpriv_p;
-- a view's functions need EXECUTE of whoever queries it; EXPLAIN checks too
SELECT * FROM fpriv_v;
EXPLAIN (COSTS OFF) SELECT abs(id) FROM fpriv_t;
RESET ROLE;
DEALLOCATE fpriv_p;
-- in a transaction block, ROLLBACK undoes a GRANT and ALTER DEFAULT PRIVILEGES
BEGIN;
GRANT EXECUTE ON FUNCTION abs(integer) TO regress_fpriv_a;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO regress_fpriv_a;
SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure;
SELECT count(*) FROM pg_default_acl;
ROLLBACK;
SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure;
SELECT count(*) FROM pg_default_acl;
-- errors
GRANT EXECUTE ON FUNCTION abs TO regress_fpriv_a;
GRANT EXECUTE ON FUNCTION abs(text) TO regress_fpriv_a;
GRANT SELECT ON FUNCTION abs(integer) TO regress_fpriv_a;
GRANT EXECUTE ON PROCEDURE abs(integer) TO regress_fpriv_a;
GRANT EXECUTE ON PROCEDURE abs TO regress_fpriv_a;
GRANT EXECUTE ON PROCEDURE fpriv_nosuch(integer) TO regress_fpriv_a;
GRANT EXECUTE ON ROUTINE fpriv_nosuch(integer) TO regress_fpriv_a;
SELECT has_function_privilege('abs(integer)', 'USAGE');
SELECT has_function_privilege('fpriv_nosuch(integer)', 'EXECUTE');
GRANT EXECUTE ON ROUTINE abs(bigint) TO regress_fpriv_b;
SELECT proname, proacl FROM pg_proc
 WHERE proacl IS NOT NULL AND proname IN ('abs', 'sum', 'row_number', 'generate_series', 'l2_distance') ORDER BY 1, proacl::text;
-- types: USAGE is needed to use one in a column or a function's signature, not for values
GRANT USAGE ON TYPE int8 TO regress_fpriv_a;
REVOKE USAGE ON TYPE int8 FROM PUBLIC;
GRANT ALL ON TYPE vector TO regress_fpriv_a WITH GRANT OPTION;
REVOKE USAGE ON TYPE vector FROM PUBLIC;
SELECT typname, typacl FROM pg_type WHERE typname IN ('int8', '_int8', 'vector') ORDER BY oid;
GRANT USAGE ON TYPE _int8 TO regress_fpriv_a;
GRANT USAGE ON DOMAIN int8 TO regress_fpriv_a;
GRANT SELECT ON TYPE int8 TO regress_fpriv_a;
GRANT USAGE ON TYPE fpriv_nosuch TO regress_fpriv_a;
GRANT CREATE ON SCHEMA public TO regress_fpriv_a, regress_fpriv_b;
SET ROLE regress_fpriv_b;
CREATE TABLE fpriv_t2 (a bigint);
CREATE TABLE fpriv_t2 (a int8[]);
CREATE TABLE fpriv_t2 (a int, b vector(3));
CREATE FUNCTION fpriv_f(x bigint) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION fpriv_f(x int) RETURNS bigint LANGUAGE sql AS 'SELECT 1';
SELECT 1::bigint AS b, '[1,2]'::vector AS v;
SELECT has_type_privilege('bigint', 'USAGE') AS int8,
       has_type_privilege('int8[]', 'USAGE') AS int8_array,
       has_type_privilege('regress_fpriv_a', 'vector', 'USAGE WITH GRANT OPTION') AS a_vector,
       has_type_privilege('integer'::regtype, 'usage') AS int4;
SELECT has_type_privilege('fpriv_nosuch', 'USAGE');
SELECT has_type_privilege('int8', 'SELECT');
SELECT has_type_privilege(999999::oid, 'USAGE');
RESET ROLE;
SET ROLE regress_fpriv_a;
CREATE TABLE fpriv_t2 (a bigint, b vector(3));
DROP TABLE fpriv_t2;
GRANT USAGE ON TYPE vector TO regress_fpriv_b;
RESET ROLE;
SELECT typname, typacl FROM pg_type WHERE typacl IS NOT NULL AND typname IN ('int8', 'vector') ORDER BY oid;
\dT+ vector
-- ALTER DEFAULT PRIVILEGES on types and routines
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fpriv_a REVOKE USAGE ON TYPES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_fpriv_a GRANT EXECUTE ON ROUTINES TO regress_fpriv_b;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TYPES TO regress_fpriv_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON TYPES TO regress_fpriv_b;
SELECT pg_get_userbyid(defaclrole), defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 2;
-- what a role granted with its grant option goes with it at DROP OWNED
CREATE ROLE regress_fpriv_c;
GRANT EXECUTE ON FUNCTION abs(smallint) TO regress_fpriv_a WITH GRANT OPTION;
SET ROLE regress_fpriv_a;
GRANT EXECUTE ON FUNCTION abs(smallint) TO regress_fpriv_c;
RESET ROLE;
GRANT EXECUTE ON FUNCTION abs(smallint) TO regress_fpriv_c;
SELECT proacl FROM pg_proc WHERE oid = 'abs(smallint)'::regprocedure;
-- DROP ROLE refuses while a role holds privileges on functions or types
DROP ROLE regress_fpriv_a;
DROP ROLE regress_fpriv_b;
REVOKE ALL ON TYPE vector FROM regress_fpriv_a CASCADE;
SELECT typname, typacl FROM pg_type WHERE typacl IS NOT NULL AND typname IN ('int8', 'vector') ORDER BY oid;
DROP OWNED BY regress_fpriv_a;
DROP OWNED BY regress_fpriv_b;
SELECT proacl FROM pg_proc WHERE oid = 'abs(smallint)'::regprocedure;
SELECT typname, typacl FROM pg_type WHERE typacl IS NOT NULL AND typname IN ('int8', 'vector') ORDER BY oid;
SELECT count(*) FROM pg_default_acl;
DROP ROLE regress_fpriv_a, regress_fpriv_b;
DROP OWNED BY regress_fpriv_c;
DROP ROLE regress_fpriv_c;
-- give everything back to PUBLIC
GRANT USAGE ON TYPE int8, vector TO PUBLIC;
GRANT EXECUTE ON FUNCTION abs(integer), int4pl(integer, integer), sum(integer), row_number(),
  generate_series(integer, integer), l2_distance(vector, vector), int4(numeric) TO PUBLIC;
DROP VIEW fpriv_v;
DROP TABLE fpriv_t;
