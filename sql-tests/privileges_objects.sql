-- Privileges on functions (EXECUTE, PUBLIC's by default), databases (CONNECT / CREATE /
-- TEMPORARY) and ALTER DEFAULT PRIVILEGES for objects created afterwards.
-- Roles are cluster-wide: every role here is named regress_privo_* and dropped at the end.
CREATE ROLE regress_privo_a;
CREATE ROLE regress_privo_b;
CREATE FUNCTION privo_add(x int, y int) RETURNS int LANGUAGE sql AS 'SELECT x + y';
CREATE FUNCTION privo_rows() RETURNS TABLE (n int) LANGUAGE sql AS 'SELECT 1 UNION ALL SELECT 2';
-- functions: PUBLIC may execute until revoked
SELECT proname, proacl FROM pg_proc WHERE proname LIKE 'privo_%' ORDER BY 1;
SET ROLE regress_privo_a;
SELECT privo_add(1, 2);
RESET ROLE;
REVOKE EXECUTE ON FUNCTION privo_add(int, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION privo_rows FROM PUBLIC;
GRANT EXECUTE ON FUNCTION privo_add(integer, integer) TO regress_privo_b WITH GRANT OPTION;
GRANT SELECT ON FUNCTION privo_add(int, int) TO regress_privo_a;
GRANT EXECUTE ON FUNCTION privo_nosuch(int) TO regress_privo_a;
SELECT proname, proacl FROM pg_proc WHERE proname LIKE 'privo_%' ORDER BY 1;
SET ROLE regress_privo_a;
SELECT privo_add(1, 2);
SELECT * FROM privo_rows();
SELECT n FROM (SELECT privo_add(n, 1) AS n FROM generate_series(1, 2) n) s;
SELECT has_function_privilege('privo_add(int, int)', 'EXECUTE') AS mine,
       has_function_privilege('regress_privo_b', 'privo_add(integer,integer)', 'execute') AS b,
       has_function_privilege('regress_privo_b', 'privo_add(int, int)', 'EXECUTE WITH GRANT OPTION') AS b_grant,
       has_function_privilege('now()', 'EXECUTE') AS builtin;
RESET ROLE;
SET ROLE regress_privo_b;
SELECT privo_add(1, 2);
GRANT EXECUTE ON FUNCTION privo_add(int, int) TO regress_privo_a;
RESET ROLE;
SELECT proacl FROM pg_proc WHERE proname = 'privo_add';
SET ROLE regress_privo_a;
SELECT privo_add(1, 2);
-- only the owner replaces or drops a function
CREATE OR REPLACE FUNCTION privo_add(x int, y int) RETURNS int LANGUAGE sql AS 'SELECT x - y';
DROP FUNCTION privo_add(int, int);
RESET ROLE;
CREATE OR REPLACE FUNCTION privo_add(x int, y int) RETURNS int LANGUAGE sql AS 'SELECT x + y + 0';
SELECT proacl FROM pg_proc WHERE proname = 'privo_add';
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM regress_privo_b;
REVOKE GRANT OPTION FOR EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM regress_privo_b CASCADE;
SELECT proacl FROM pg_proc WHERE proname = 'privo_add';
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM regress_privo_a, regress_privo_b;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO PUBLIC;
SELECT proname, proacl FROM pg_proc WHERE proname LIKE 'privo_%' ORDER BY 1;
SELECT has_function_privilege('regress_privo_a', 'privo_nosuch(int)', 'EXECUTE');
SELECT has_function_privilege('regress_privo_a', 'privo_add(int, int)', 'USAGE');
-- databases: PUBLIC may connect and create temporary tables by default
CREATE DATABASE regress_privo_db;
SELECT datname, datacl FROM pg_database WHERE datname = 'regress_privo_db';
SELECT has_database_privilege('regress_privo_a', 'regress_privo_db', 'CONNECT') AS c,
       has_database_privilege('regress_privo_a', 'regress_privo_db', 'CREATE') AS cr,
       has_database_privilege('regress_privo_a', 'regress_privo_db', 'TEMP') AS t;
REVOKE CONNECT, TEMPORARY ON DATABASE regress_privo_db FROM PUBLIC;
GRANT CONNECT ON DATABASE regress_privo_db TO regress_privo_a;
GRANT CREATE ON DATABASE regress_privo_db TO regress_privo_b WITH GRANT OPTION;
GRANT SELECT ON DATABASE regress_privo_db TO regress_privo_a;
GRANT CONNECT ON DATABASE regress_privo_nosuch TO regress_privo_a;
SELECT datname, datacl FROM pg_database WHERE datname = 'regress_privo_db';
SELECT datname, pg_get_userbyid(datdba) AS owner, array_to_string(datacl, E'\n') AS "Access privileges" FROM pg_database WHERE datname = 'regress_privo_db';
SELECT has_database_privilege('regress_privo_a', 'regress_privo_db', 'CONNECT') AS a_c,
       has_database_privilege('regress_privo_b', 'regress_privo_db', 'CONNECT') AS b_c,
       has_database_privilege('regress_privo_b', 'regress_privo_db', 'CREATE WITH GRANT OPTION') AS b_cr,
       has_database_privilege('regress_privo_a', 'regress_privo_db', 'temporary') AS a_t;
SELECT has_database_privilege('regress_privo_a', 'regress_privo_nosuch', 'CONNECT');
SELECT has_database_privilege('regress_privo_a', 'regress_privo_db', 'USAGE');
SET ROLE regress_privo_a;
GRANT CONNECT ON DATABASE regress_privo_db TO regress_privo_b;
RESET ROLE;
-- CREATE TEMP TABLE needs TEMPORARY on the current database
REVOKE TEMPORARY ON DATABASE regress_privileges_objects FROM PUBLIC;
SET ROLE regress_privo_a;
CREATE TEMP TABLE privo_tmp (a int);
RESET ROLE;
GRANT TEMPORARY ON DATABASE regress_privileges_objects TO PUBLIC;
DROP ROLE regress_privo_a;
REVOKE ALL ON DATABASE regress_privo_db FROM regress_privo_a, regress_privo_b;
DROP DATABASE regress_privo_db;
-- ALTER DEFAULT PRIVILEGES: applied to what is created afterwards
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO regress_privo_a;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT ON TABLES TO regress_privo_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON SEQUENCES TO regress_privo_b WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE regress_privo_a GRANT USAGE ON SCHEMAS TO regress_privo_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SCHEMAS TO regress_privo_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA privo_nosuch GRANT SELECT ON TABLES TO regress_privo_b;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON TABLES TO regress_privo_b;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON FUNCTIONS TO regress_privo_b;
SELECT pg_get_userbyid(defaclrole) AS role, (SELECT nspname FROM pg_namespace WHERE oid = defaclnamespace) AS schema, defaclobjtype, defaclacl
  FROM pg_default_acl ORDER BY 1, 2, 3;
\ddp
CREATE TABLE privo_t (id int, note text);
CREATE VIEW privo_v AS SELECT 1 AS one;
CREATE SEQUENCE privo_s;
CREATE FUNCTION privo_f() RETURNS int LANGUAGE sql AS 'SELECT 1';
\dp privo_*
SELECT proacl FROM pg_proc WHERE proname = 'privo_f';
SET ROLE regress_privo_a;
SELECT count(*) FROM privo_t;
SELECT privo_f();
ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO regress_privo_a;
RESET ROLE;
SET ROLE regress_privo_b;
INSERT INTO privo_t (id, note) VALUES (1, 'b');
SELECT count(*) FROM privo_t;
RESET ROLE;
DROP ROLE regress_privo_b;
-- back to the defaults: the entries go
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM regress_privo_a;
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM regress_privo_b;
\ddp
CREATE TABLE privo_t2 (a int);
\dp privo_t2
DROP TABLE privo_t, privo_t2;
DROP VIEW privo_v;
DROP SEQUENCE privo_s;
DROP FUNCTION privo_f(), privo_add(int, int), privo_rows();
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM regress_privo_b;
DROP OWNED BY regress_privo_a;
\ddp
DROP ROLE regress_privo_a, regress_privo_b;
-- ALTER FUNCTION / DATABASE … OWNER TO: the ACL follows the owner
CREATE ROLE regress_privo_o1; CREATE ROLE regress_privo_o2 CREATEDB;
CREATE FUNCTION privo_own() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER FUNCTION privo_own() OWNER TO regress_privo_o1;
SELECT proname, pg_get_userbyid(proowner), proacl FROM pg_proc WHERE proname = 'privo_own';
REVOKE EXECUTE ON FUNCTION privo_own() FROM PUBLIC;
SELECT proacl FROM pg_proc WHERE proname = 'privo_own';
SET ROLE regress_privo_o2;
ALTER FUNCTION privo_own() OWNER TO regress_privo_o2;
RESET ROLE;
CREATE DATABASE regress_privo_odb;
ALTER DATABASE regress_privo_odb OWNER TO regress_privo_o2;
SELECT pg_get_userbyid(datdba), datacl FROM pg_database WHERE datname = 'regress_privo_odb';
ALTER DATABASE regress_privo_odb OWNER TO regress_privo_nosuch;
ALTER FUNCTION privo_nosuch() OWNER TO regress_privo_o1;
SET ROLE regress_privo_o1;
ALTER DATABASE regress_privo_odb OWNER TO regress_privo_o1;
RESET ROLE;
DROP DATABASE regress_privo_odb; DROP FUNCTION privo_own(); DROP ROLE regress_privo_o1, regress_privo_o2;
