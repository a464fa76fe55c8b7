-- Privileges on schemas: USAGE and CREATE (GRANT / REVOKE ON SCHEMA, enforced with SET ROLE),
-- has_schema_privilege, schema owners, and ALTER DEFAULT PRIVILEGES … IN SCHEMA.
-- Roles are cluster-wide: every role here is named regress_schpriv_* and dropped at the end.
CREATE ROLE regress_schpriv_a;
CREATE ROLE regress_schpriv_b;
CREATE SCHEMA regress_schpriv_s;
CREATE TABLE regress_schpriv_s.t (id int PRIMARY KEY, label text);
INSERT INTO regress_schpriv_s.t VALUES (1, 'one');
CREATE FUNCTION regress_schpriv_s.f() RETURNS int LANGUAGE sql AS 'SELECT 7';
GRANT SELECT ON regress_schpriv_s.t TO regress_schpriv_a;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'regress_schpriv_s';
SELECT has_schema_privilege('regress_schpriv_a', 'regress_schpriv_s', 'USAGE') AS a_usage,
       has_schema_privilege('regress_schpriv_a', 'regress_schpriv_s', 'CREATE') AS a_create,
       has_schema_privilege('regress_schpriv_s', 'USAGE') AS me_usage;
-- without USAGE: qualified names fail, the search path skips the schema
SET ROLE regress_schpriv_a;
SELECT * FROM regress_schpriv_s.t;
INSERT INTO regress_schpriv_s.t VALUES (2, 'two');
SELECT regress_schpriv_s.f();
SET search_path = regress_schpriv_s, public;
SELECT current_schemas(false);
SELECT * FROM t;
CREATE TABLE regress_schpriv_s.mine (a int);
DROP TABLE regress_schpriv_s.t;
ALTER TABLE regress_schpriv_s.t ADD COLUMN b int;
CREATE INDEX ON regress_schpriv_s.t (label);
TRUNCATE regress_schpriv_s.t;
COMMENT ON TABLE regress_schpriv_s.t IS 'x';
RESET search_path;
RESET ROLE;
GRANT USAGE ON SCHEMA regress_schpriv_s TO regress_schpriv_a;
SELECT nspacl FROM pg_namespace WHERE nspname = 'regress_schpriv_s';
SELECT has_schema_privilege('regress_schpriv_a', 'regress_schpriv_s', 'USAGE') AS a_usage,
       has_schema_privilege('regress_schpriv_a', 'regress_schpriv_s', 'CREATE') AS a_create;
SET ROLE regress_schpriv_a;
SELECT * FROM regress_schpriv_s.t;
SELECT regress_schpriv_s.f();
SET search_path = regress_schpriv_s, public;
SELECT current_schemas(false);
SELECT * FROM t;
CREATE TABLE regress_schpriv_s.mine (a int);
CREATE TABLE mine (a int);
RESET search_path;
RESET ROLE;
GRANT CREATE ON SCHEMA regress_schpriv_s TO regress_schpriv_a;
SET ROLE regress_schpriv_a;
CREATE TABLE regress_schpriv_s.mine (a int);
SET search_path = regress_schpriv_s;
CREATE TABLE mine2 (a int);
RESET search_path;
SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'regress_schpriv_s' ORDER BY 1;
-- only the owner drops, renames or gives away the schema
DROP SCHEMA regress_schpriv_s CASCADE;
ALTER SCHEMA regress_schpriv_s RENAME TO regress_schpriv_x;
ALTER SCHEMA regress_schpriv_s OWNER TO regress_schpriv_a;
CREATE SCHEMA regress_schpriv_own;
RESET ROLE;
GRANT CREATE ON DATABASE regress_schema_privileges TO regress_schpriv_a;
SET ROLE regress_schpriv_a;
CREATE SCHEMA regress_schpriv_own;
CREATE SCHEMA regress_schpriv_for_b AUTHORIZATION regress_schpriv_b;
SELECT nspname, nspowner::regrole, nspacl FROM pg_namespace WHERE nspname = 'regress_schpriv_own';
SELECT schema_name, schema_owner FROM information_schema.schemata WHERE schema_name LIKE 'regress_schpriv%' ORDER BY 1;
RESET ROLE;
-- REVOKE
REVOKE CREATE ON SCHEMA regress_schpriv_s FROM regress_schpriv_a;
GRANT USAGE ON SCHEMA regress_schpriv_s TO regress_schpriv_b WITH GRANT OPTION;
SELECT nspacl FROM pg_namespace WHERE nspname = 'regress_schpriv_s';
SET ROLE regress_schpriv_a;
CREATE TABLE regress_schpriv_s.again (a int);
GRANT USAGE ON SCHEMA regress_schpriv_s TO regress_schpriv_b;
RESET ROLE;
REVOKE ALL ON SCHEMA regress_schpriv_s FROM regress_schpriv_a, regress_schpriv_b;
GRANT ALL ON SCHEMA regress_schpriv_s TO regress_schpriv_b;
SELECT nspacl FROM pg_namespace WHERE nspname = 'regress_schpriv_s';
GRANT SELECT ON SCHEMA regress_schpriv_s TO regress_schpriv_a;
GRANT USAGE ON SCHEMA regress_schpriv_nope TO regress_schpriv_a;
SELECT has_schema_privilege('regress_schpriv_a', 'regress_schpriv_nope', 'USAGE');
-- ALTER DEFAULT PRIVILEGES IN SCHEMA
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_schpriv_s GRANT SELECT ON TABLES TO regress_schpriv_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_schpriv_s GRANT USAGE ON SEQUENCES TO regress_schpriv_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_schpriv_nope GRANT SELECT ON TABLES TO regress_schpriv_b;
SELECT defaclnamespace::regnamespace, defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 1, 2;
\ddp
CREATE TABLE regress_schpriv_s.later (a int);
CREATE TABLE regress_schpriv_elsewhere (a int);
SELECT relname, relacl FROM pg_class WHERE relname IN ('later', 'regress_schpriv_elsewhere') ORDER BY 1;
SET ROLE regress_schpriv_b;
SELECT * FROM regress_schpriv_s.later;
RESET ROLE;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_schpriv_s REVOKE SELECT ON TABLES FROM regress_schpriv_b;
ALTER DEFAULT PRIVILEGES IN SCHEMA regress_schpriv_s REVOKE USAGE ON SEQUENCES FROM regress_schpriv_b;
SELECT count(*) FROM pg_default_acl;
-- ALTER DEFAULT PRIVILEGES … ON SCHEMAS applies to new schemas
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO regress_schpriv_a;
CREATE SCHEMA regress_schpriv_new;
SELECT nspname, nspacl FROM pg_namespace WHERE nspname = 'regress_schpriv_new';
ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SCHEMAS FROM regress_schpriv_a;
\dn+ regress_schpriv*
-- a schema's elements belong to its owner
CREATE SCHEMA regress_schpriv_el AUTHORIZATION regress_schpriv_b CREATE TABLE t (a int) CREATE VIEW v AS SELECT a FROM t;
SELECT relname, relowner::regrole FROM pg_class WHERE relnamespace = 'regress_schpriv_el'::regnamespace ORDER BY 1;
DROP SCHEMA regress_schpriv_el CASCADE;
DROP ROLE regress_schpriv_b;
DROP SCHEMA regress_schpriv_s, regress_schpriv_own, regress_schpriv_new CASCADE;
DROP TABLE regress_schpriv_elsewhere;
REVOKE CREATE ON DATABASE regress_schema_privileges FROM regress_schpriv_a;
DROP ROLE regress_schpriv_a, regress_schpriv_b;
-- DROP OWNED drops the role's schemas; without CASCADE not one that holds another role's objects
create role regress_schpriv_do;
create schema regress_schpriv_dos authorization regress_schpriv_do;
create table regress_schpriv_dos.t (a int);
drop owned by regress_schpriv_do;
select nspname from pg_namespace where nspname = 'regress_schpriv_dos';
drop table regress_schpriv_dos.t;
drop owned by regress_schpriv_do;
select nspname from pg_namespace where nspname = 'regress_schpriv_dos';
drop role regress_schpriv_do;
