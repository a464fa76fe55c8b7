-- Privileges beyond tables: sequences (USAGE / SELECT / UPDATE), the public schema
-- (USAGE / CREATE, PostgreSQL 15's defaults), GRANT and role changes undone by ROLLBACK,
-- prepared statements checked at each execution, and the inquiry functions.
-- Roles are cluster-wide: every role here is named regress_privm_* and dropped at the end.
CREATE ROLE regress_privm_a;
CREATE ROLE regress_privm_b;
CREATE TABLE privm_t (id serial PRIMARY KEY, note text);
CREATE TABLE privm_ident (id int GENERATED ALWAYS AS IDENTITY, note text);
CREATE SEQUENCE privm_seq;
GRANT SELECT, INSERT ON privm_t, privm_ident TO regress_privm_a;
\dp privm_*
-- a serial column's default needs USAGE on its sequence; an identity column's does not
SET ROLE regress_privm_a;
INSERT INTO privm_t (note) VALUES ('x');
INSERT INTO privm_ident (note) VALUES ('x');
SELECT nextval('privm_seq');
RESET ROLE;
GRANT USAGE ON SEQUENCE privm_t_id_seq TO regress_privm_a;
GRANT SELECT ON SEQUENCE privm_seq TO regress_privm_a;
GRANT UPDATE ON privm_seq TO regress_privm_b;
GRANT INSERT ON SEQUENCE privm_seq TO regress_privm_a;
GRANT USAGE ON privm_t TO regress_privm_a;
SET ROLE regress_privm_a;
INSERT INTO privm_t (note) VALUES ('y');
SELECT id, note FROM privm_t ORDER BY id;
SELECT id, note FROM privm_ident ORDER BY id;
SELECT nextval('privm_seq');
SELECT setval('privm_seq', 10);
RESET ROLE;
SET ROLE regress_privm_b;
SELECT nextval('privm_seq');
SELECT setval('privm_seq', 10);
RESET ROLE;
SELECT has_sequence_privilege('regress_privm_a', 'privm_seq', 'SELECT') AS a_sel,
       has_sequence_privilege('regress_privm_a', 'privm_seq', 'USAGE') AS a_use,
       has_sequence_privilege('regress_privm_b', 'privm_seq', 'UPDATE') AS b_upd,
       has_sequence_privilege('regress_privm_a', 'privm_t_id_seq', 'usage') AS a_serial;
SELECT has_sequence_privilege('regress_privm_a', 'privm_t', 'SELECT');
\dp privm_seq
-- the public schema: everyone may use it, only its owner (and superusers) create in it
SET ROLE regress_privm_a;
CREATE TABLE privm_mine (a int);
CREATE VIEW privm_v AS SELECT 1 AS one;
CREATE SEQUENCE privm_myseq;
RESET ROLE;
SELECT has_schema_privilege('regress_privm_a', 'public', 'USAGE') AS a_usage,
       has_schema_privilege('regress_privm_a', 'public', 'CREATE') AS a_create,
       has_schema_privilege('public', 'CREATE') AS me_create,
       has_schema_privilege('regress_privm_a', 'pg_catalog', 'USAGE') AS a_catalog;
SELECT has_schema_privilege('regress_privm_a', 'privm_none', 'USAGE');
GRANT CREATE ON SCHEMA public TO regress_privm_a;
SET ROLE regress_privm_a;
CREATE TABLE privm_mine (a int);
SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'privm_mine';
INSERT INTO privm_mine VALUES (1);
DROP TABLE privm_mine;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM regress_privm_a;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'public';
-- GRANT and role changes in a transaction block are undone by ROLLBACK
BEGIN;
GRANT SELECT ON privm_seq TO regress_privm_b;
CREATE ROLE regress_privm_gone;
GRANT regress_privm_a TO regress_privm_b;
ROLLBACK;
SELECT has_sequence_privilege('regress_privm_b', 'privm_seq', 'SELECT') AS b_sel;
SELECT count(*) FROM pg_roles WHERE rolname = 'regress_privm_gone';
SELECT pg_has_role('regress_privm_b', 'regress_privm_a', 'MEMBER');
BEGIN;
GRANT SELECT ON privm_t TO regress_privm_b;
COMMIT;
SELECT has_table_privilege('regress_privm_b', 'privm_t', 'SELECT');
-- a failing GRANT grants nothing
GRANT SELECT ON privm_t, privm_nothing TO regress_privm_a, regress_privm_b;
-- a prepared statement is checked at each execution
PREPARE privm_q AS SELECT count(*) FROM privm_t;
SET ROLE regress_privm_b;
EXECUTE privm_q;
RESET ROLE;
REVOKE SELECT ON privm_t FROM regress_privm_b;
SET ROLE regress_privm_b;
EXECUTE privm_q;
RESET ROLE;
DEALLOCATE privm_q;
-- REASSIGN OWNED and DROP OWNED (the current database)
CREATE ROLE regress_privm_c;
CREATE TABLE privm_c1 (a int);
CREATE VIEW privm_cv AS SELECT * FROM privm_c1;
CREATE SEQUENCE privm_cs;
ALTER TABLE privm_c1 OWNER TO regress_privm_c;
ALTER VIEW privm_cv OWNER TO regress_privm_c;
ALTER SEQUENCE privm_cs OWNER TO regress_privm_c;
CREATE TABLE privm_c2 (a int);
GRANT SELECT ON privm_c2 TO regress_privm_c;
REASSIGN OWNED BY regress_privm_c TO regress_privm_a;
SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname LIKE 'privm_c%' ORDER BY 1;
REASSIGN OWNED BY regress_privm_a TO regress_privm_c;
SET ROLE regress_privm_b;
DROP OWNED BY regress_privm_c;
REASSIGN OWNED BY regress_privm_c TO regress_privm_b;
RESET ROLE;
DROP ROLE regress_privm_c;
DROP OWNED BY regress_privm_c;
SELECT relname FROM pg_class WHERE relname LIKE 'privm_c%' ORDER BY 1;
\dp privm_c2
DROP ROLE regress_privm_c;
DROP TABLE privm_c2;
DROP TABLE privm_t, privm_ident;
DROP SEQUENCE privm_seq;
DROP ROLE regress_privm_a, regress_privm_b;
