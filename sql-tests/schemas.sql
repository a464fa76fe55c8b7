-- User schemas: CREATE / ALTER / DROP SCHEMA, objects in schemas, qualified names,
-- search_path ("$user", missing schemas), current_schema(s), the catalogs and psql's \dn, \dt, \d.
CREATE SCHEMA regress_sch_a;
CREATE SCHEMA IF NOT EXISTS regress_sch_a;
CREATE SCHEMA regress_sch_a;
CREATE SCHEMA pg_regress_sch;
CREATE SCHEMA regress_sch_b;
-- the same table name in two schemas
CREATE TABLE regress_sch_a.items (id serial PRIMARY KEY, label text, embedding vector(2));
CREATE TABLE regress_sch_b.items (id int PRIMARY KEY, note text);
INSERT INTO regress_sch_a.items (label, embedding) VALUES ('a1', '[1,1]'), ('a2', '[2,2]');
INSERT INTO regress_sch_b.items VALUES (10, 'b10');
SELECT * FROM regress_sch_a.items ORDER BY id;
SELECT * FROM regress_sch_b.items ORDER BY id;
SELECT a.label, b.note FROM regress_sch_a.items a CROSS JOIN regress_sch_b.items b ORDER BY 1;
SELECT * FROM items;
SELECT * FROM regress_sch_c.items;
CREATE TABLE regress_sch_c.t (a int);
CREATE INDEX regress_sch_a_items_emb ON regress_sch_a.items USING hnsw (embedding vector_l2_ops);
SELECT label FROM regress_sch_a.items ORDER BY embedding <-> '[2,2]' LIMIT 1;
CREATE VIEW regress_sch_a.labels AS SELECT id, label FROM regress_sch_a.items;
CREATE SEQUENCE regress_sch_b.counter START 5;
SELECT nextval('regress_sch_b.counter');
CREATE FUNCTION regress_sch_b.twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * x';
SELECT regress_sch_b.twice(21);
UPDATE regress_sch_b.items SET note = 'changed' WHERE id = 10;
DELETE FROM regress_sch_a.items WHERE id = 2;
SELECT * FROM regress_sch_a.labels ORDER BY id;
-- search_path
SHOW search_path;
SELECT current_schema(), current_schemas(false), current_schemas(true);
SET search_path = regress_sch_b, public;
SELECT current_schema(), current_schemas(false), current_schemas(true);
SELECT * FROM items ORDER BY id;
SELECT twice(2);
SELECT nextval('counter');
CREATE TABLE made_here (a int);
SELECT schemaname, tablename FROM pg_tables WHERE tablename = 'made_here';
SET search_path = regress_sch_missing, regress_sch_a;
SELECT current_schema(), current_schemas(false);
SELECT label FROM items ORDER BY id;
SET search_path = regress_sch_missing;
SELECT current_schema();
CREATE TABLE nowhere (a int);
SET search_path = "$user", regress_sch_a, public;
SELECT current_schemas(false);
RESET search_path;
SELECT 'regress_sch_a.items'::regclass, 'regress_sch_a'::regnamespace;
SET search_path = regress_sch_a, public;
SELECT 'regress_sch_a.items'::regclass, 'items'::regclass;
RESET search_path;
-- catalogs
SELECT nspname, nspowner::regrole, nspacl FROM pg_namespace WHERE nspname LIKE 'regress_sch%' ORDER BY 1;
SELECT c.relname, c.relkind, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname LIKE 'regress_sch%' ORDER BY 3, 1;
SELECT p.proname, p.pronamespace::regnamespace FROM pg_proc p WHERE p.proname = 'twice';
SELECT t.typname, t.typnamespace::regnamespace FROM pg_type t WHERE t.typname = 'labels';
SELECT schema_name, schema_owner FROM information_schema.schemata WHERE schema_name LIKE 'regress_sch%' ORDER BY 1;
SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema LIKE 'regress_sch%' ORDER BY 1, 2;
SELECT schemaname, tablename FROM pg_tables WHERE schemaname LIKE 'regress_sch%' ORDER BY 1, 2;
SELECT schemaname, indexname FROM pg_indexes WHERE schemaname LIKE 'regress_sch%' ORDER BY 1, 2;
\dn regress_sch*
\dt regress_sch_a.*
\dt regress_sch_*.items
\d regress_sch_a.items
\d regress_sch_b.items
\dv regress_sch_a.*
\ds regress_sch_b.*
\df regress_sch_b.*
COMMENT ON SCHEMA regress_sch_a IS 'first schema';
COMMENT ON SCHEMA regress_sch_nope IS 'none';
\dn+ regress_sch*
SELECT obj_description('regress_sch_a'::regnamespace, 'pg_namespace');
CREATE EXTENSION IF NOT EXISTS vector SCHEMA regress_sch_a;
-- a view keeps reading what its names meant at CREATE VIEW
SET search_path = regress_sch_b, public;
CREATE VIEW public.regress_sch_notes AS SELECT note, twice(id) AS d FROM items;
CREATE TABLE regress_sch_b.ser (id serial, v text);
RESET search_path;
SELECT * FROM regress_sch_notes;
-- ALTER SCHEMA
ALTER SCHEMA regress_sch_b RENAME TO regress_sch_b2;
SELECT * FROM regress_sch_notes;
INSERT INTO regress_sch_b2.ser (v) VALUES ('x') RETURNING id;
\d regress_sch_b2.ser
ALTER SCHEMA regress_sch_nope RENAME TO regress_sch_x;
ALTER SCHEMA regress_sch_a RENAME TO regress_sch_b2;
SELECT * FROM regress_sch_b2.items ORDER BY id;
SELECT regress_sch_b2.twice(4);
SELECT * FROM regress_sch_b.items;
CREATE ROLE regress_sch_owner;
ALTER SCHEMA regress_sch_b2 OWNER TO regress_sch_owner;
\dn regress_sch*
ALTER SCHEMA regress_sch_b2 OWNER TO postgres;
-- a prepared statement follows the search path it runs with
SET search_path = regress_sch_a;
PREPARE regress_sch_p AS SELECT id FROM items ORDER BY id;
EXECUTE regress_sch_p;
SET search_path = regress_sch_b2;
EXECUTE regress_sch_p;
DEALLOCATE regress_sch_p;
RESET search_path;
-- same function name in two schemas: the search path picks; unqualified DDL names too
CREATE FUNCTION regress_sch_a.which() RETURNS text LANGUAGE sql AS 'SELECT ''a''';
CREATE FUNCTION regress_sch_b2.which() RETURNS text LANGUAGE sql AS 'SELECT ''b''';
SELECT regress_sch_a.which(), regress_sch_b2.which();
SELECT which();
SET search_path = regress_sch_b2, regress_sch_a;
SELECT which(), current_schema();
\dt items
\df which
SELECT pg_get_serial_sequence('items', 'id');
SET search_path = regress_sch_a, regress_sch_b2;
SELECT which(), current_schema();
CREATE INDEX items_label ON items (label);
SELECT schemaname, tablename, indexname FROM pg_indexes WHERE indexname = 'items_label';
DROP INDEX items_label;
CREATE SEQUENCE regress_sch_seq2;
SELECT sequence_schema, sequence_name FROM information_schema.sequences WHERE sequence_name = 'regress_sch_seq2';
DROP SEQUENCE regress_sch_seq2;
RESET search_path;
-- CREATE SCHEMA with elements, AUTHORIZATION
CREATE SCHEMA regress_sch_e
  CREATE TABLE parts (id int PRIMARY KEY, name text)
  CREATE VIEW part_names AS SELECT name FROM parts
  CREATE SEQUENCE part_ids;
\dt regress_sch_e.*
CREATE SCHEMA regress_sch_f CREATE TABLE regress_sch_a.wrong (a int);
CREATE SCHEMA AUTHORIZATION regress_sch_owner;
CREATE SCHEMA regress_sch_g AUTHORIZATION regress_sch_owner;
SELECT nspname, nspowner::regrole FROM pg_namespace WHERE nspname LIKE 'regress_sch_%' ORDER BY 1;
-- DROP SCHEMA
DROP SCHEMA regress_sch_nope;
DROP SCHEMA IF EXISTS regress_sch_nope, regress_sch_nope2;
CREATE VIEW regress_sch_outside AS SELECT id FROM regress_sch_a.items;
CREATE TABLE regress_sch_fk (id int REFERENCES regress_sch_a.items (id));
DROP SCHEMA regress_sch_a;
DROP SCHEMA regress_sch_a RESTRICT;
SET search_path = regress_sch_a, public;
DROP SCHEMA regress_sch_a;
RESET search_path;
BEGIN;
DROP SCHEMA regress_sch_a CASCADE;
SELECT * FROM regress_sch_a.items;
ROLLBACK;
SELECT count(*) FROM regress_sch_a.items;
DROP SCHEMA regress_sch_a, regress_sch_b2, regress_sch_e CASCADE;
\d regress_sch_fk
SELECT * FROM regress_sch_outside;
DROP TABLE regress_sch_fk;
DROP SCHEMA regress_sch_g, regress_sch_owner;
DROP ROLE regress_sch_owner;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'regress_sch%';
-- ALTER TABLE | VIEW | SEQUENCE | FUNCTION … SET SCHEMA
create schema regress_sch_ss_a;
create schema regress_sch_ss_b;
create table regress_sch_ss_a.t (id serial primary key, v text);
create view regress_sch_ss_a.v as select * from regress_sch_ss_a.t;
create sequence regress_sch_ss_a.q;
create function regress_sch_ss_a.f() returns int language sql as 'select 1';
alter table regress_sch_ss_a.t set schema regress_sch_ss_b;
alter table regress_sch_ss_b.t set schema regress_sch_ss_b;
alter table regress_sch_ss_b.t set schema nope;
alter table nope_t set schema regress_sch_ss_b;
alter table if exists nope_t set schema regress_sch_ss_b;
alter view regress_sch_ss_a.v set schema regress_sch_ss_b;
alter sequence regress_sch_ss_a.q set schema regress_sch_ss_b;
alter function regress_sch_ss_a.f() set schema regress_sch_ss_b;
alter table regress_sch_ss_a.v set schema public;
create table regress_sch_ss_a.t (a int);
alter table regress_sch_ss_a.t set schema regress_sch_ss_b;
alter table regress_sch_ss_b.v set schema regress_sch_ss_a;
select * from regress_sch_ss_a.v;
\d regress_sch_ss_b.t
select regress_sch_ss_b.f();
insert into regress_sch_ss_b.t (v) values ('x') returning id;
select sequence_schema, sequence_name from information_schema.sequences where sequence_schema like 'regress_sch_ss%' order by 1, 2;
drop schema regress_sch_ss_a, regress_sch_ss_b cascade;
-- more statements on objects in a schema: OWNED BY, foreign keys across schemas, partitions, CREATE TABLE AS, COPY, TRUNCATE, identity, ALL TABLES IN SCHEMA
create schema regress_sch_m;
create table regress_sch_m.t (id int primary key, v text);
create sequence regress_sch_m.q owned by regress_sch_m.t.id;
create table public.regress_sch_m_ref (id int references regress_sch_m.t (id));
\d regress_sch_m_ref
create table regress_sch_m.p (k int, v text) partition by list (k);
create table regress_sch_m.p1 partition of regress_sch_m.p for values in (1);
insert into regress_sch_m.p values (1, 'a');
select tableoid::regclass, * from regress_sch_m.p;
create table regress_sch_m.ctas as select * from regress_sch_m.p;
select * from regress_sch_m.ctas;
copy regress_sch_m.t from stdin;
1	x
\.
copy regress_sch_m.t to stdout;
truncate regress_sch_m.t, regress_sch_m_ref;
create table regress_sch_m.idt (id int generated always as identity, a int);
insert into regress_sch_m.idt (a) values (5) returning *;
\d regress_sch_m.idt
grant select on all tables in schema regress_sch_m to public;
select relname, relacl from pg_class where relnamespace = 'regress_sch_m'::regnamespace and relkind in ('r','p') order by 1;
alter table regress_sch_m.t rename to t2;
select * from regress_sch_m.t2;
drop table regress_sch_m_ref;
drop schema regress_sch_m cascade;
-- public changes owner (pg_dump writes ALTER SCHEMA public OWNER TO …)
create role regress_sch_po;
alter schema public owner to regress_sch_po;
\dn public
select has_schema_privilege('regress_sch_po', 'public', 'CREATE');
alter schema public owner to pg_database_owner;
\dn public
drop role regress_sch_po;
