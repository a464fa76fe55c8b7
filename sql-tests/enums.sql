-- CREATE TYPE … AS ENUM: columns, order by declaration, casts, functions, ALTER TYPE, DROP TYPE, catalog
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE mood AS ENUM ('x');
CREATE TYPE longlabel AS ENUM ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
CREATE TABLE enum_people (id int PRIMARY KEY, name text, m mood NOT NULL DEFAULT 'ok', history mood[]);
INSERT INTO enum_people VALUES (1, 'ann', 'happy', '{sad,ok}'), (2, 'bob', 'sad', NULL), (3, 'cy', DEFAULT, '{happy,happy}');
INSERT INTO enum_people VALUES (4, 'dee', 'angry');
INSERT INTO enum_people VALUES (5, 'eve', NULL);
SELECT * FROM enum_people ORDER BY m, id;
SELECT * FROM enum_people ORDER BY m DESC, id;
SELECT name FROM enum_people WHERE m > 'sad' ORDER BY id;
SELECT name FROM enum_people WHERE m = 'ok';
SELECT name FROM enum_people WHERE m IN ('sad', 'happy') ORDER BY id;
SELECT name FROM enum_people WHERE m BETWEEN 'sad' AND 'ok' ORDER BY id;
SELECT 'ok'::mood < 'happy'::mood AS lt, 'ok'::mood = 'ok' AS eq, 'happy'::mood <> 'sad' AS ne, 'sad'::mood >= 'ok' AS ge;
SELECT 'happy' > 'ok' AS text_order, 'happy'::mood > 'ok' AS enum_order;
SELECT 'x'::mood;
SELECT m::text, m::text || '!' AS shout, pg_typeof(m), pg_typeof(history) FROM enum_people ORDER BY id;
SELECT 'happy'::text::mood, CAST('sad' AS mood), 'ok'::varchar::mood;
SELECT m FROM enum_people WHERE m::text LIKE 'h%';
SELECT enum_first(NULL::mood), enum_last(NULL::mood), enum_range(NULL::mood);
SELECT enum_range('ok'::mood, NULL), enum_range(NULL, 'ok'::mood), enum_range('sad'::mood, 'ok'::mood), enum_range('happy'::mood, 'sad'::mood);
SELECT min(m), max(m), count(DISTINCT m) FROM enum_people;
SELECT m, count(*) FROM enum_people GROUP BY m ORDER BY m;
SELECT history, history[1] FROM enum_people ORDER BY id;
SELECT '{ok,happy}'::mood[], ARRAY['sad', 'ok']::mood[];
SELECT '{ok,nope}'::mood[];
UPDATE enum_people SET m = 'happy' WHERE id = 2;
SELECT id, m FROM enum_people ORDER BY id;
-- text is not compared with an enum without a cast, as in PostgreSQL
SELECT name FROM enum_people WHERE m = name;
SELECT name FROM enum_people WHERE m::text = name;
-- unique and primary key indexes over an enum
CREATE TABLE enum_keys (m mood PRIMARY KEY, n int);
INSERT INTO enum_keys VALUES ('ok', 1), ('sad', 2);
INSERT INTO enum_keys VALUES ('ok', 3);
CREATE INDEX enum_people_m ON enum_people (m);
SELECT name FROM enum_people WHERE m = 'happy' ORDER BY id;
-- ALTER TYPE … ADD VALUE at the end, BEFORE, AFTER; the order of the other labels stays
ALTER TYPE mood ADD VALUE 'ecstatic';
ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
ALTER TYPE mood ADD VALUE 'fine' AFTER 'ok';
ALTER TYPE mood ADD VALUE 'ok';
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';
ALTER TYPE mood ADD VALUE 'x' BEFORE 'nope';
SELECT enum_range(NULL::mood);
SELECT enumlabel, enumsortorder FROM pg_enum WHERE enumtypid = 'mood'::regtype ORDER BY enumsortorder;
INSERT INTO enum_people VALUES (7, 'fay', 'meh'), (8, 'gus', 'fine'), (9, 'hal', 'ecstatic');
SELECT name, m FROM enum_people ORDER BY m, id;
-- RENAME VALUE keeps the rows' values
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
ALTER TYPE mood RENAME VALUE 'nope' TO 'x';
ALTER TYPE mood RENAME VALUE 'ok' TO 'happy';
SELECT name, m FROM enum_people ORDER BY id;
SELECT 'sad'::mood;
-- catalog
SELECT typname, typtype, typcategory, typlen, typbyval, typinput, typoutput, typreceive, typsend, typarray::regtype FROM pg_type WHERE typname = 'mood';
SELECT typname, typtype, typcategory, typelem::regtype, typinput, typoutput FROM pg_type WHERE typname = '_mood';
SELECT format_type('mood'::regtype, -1), format_type('mood[]'::regtype, -1), 'mood'::regtype, 'public.mood'::regtype;
SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_name = 'enum_people' ORDER BY ordinal_position;
\d enum_people
\dT mood
\dT+ mood
SELECT 1::mood;
SELECT 'ok'::mood + 1;
ALTER TYPE int4 ADD VALUE 'x';
ALTER TYPE nosuch ADD VALUE 'x';
-- RENAME TO, SET SCHEMA
ALTER TYPE mood RENAME TO feeling;
SELECT pg_typeof(m) FROM enum_people WHERE id = 1;
CREATE SCHEMA enum_s;
ALTER TYPE feeling SET SCHEMA enum_s;
SELECT pg_typeof(m) FROM enum_people WHERE id = 1;
SELECT 'happy'::enum_s.feeling;
-- DROP TYPE: refused while a column uses it
DROP TYPE enum_s.feeling;
DROP TYPE nosuch;
DROP TYPE IF EXISTS nosuch;
DROP TABLE enum_people, enum_keys;
DROP TYPE enum_s.feeling;
DROP SCHEMA enum_s;
-- in a transaction block, undone by ROLLBACK (other enums stay as they are)
CREATE TYPE txn_kept AS ENUM ('k');
BEGIN;
CREATE TYPE txn_enum AS ENUM ('a', 'b');
ALTER TYPE txn_kept ADD VALUE 'l';
SELECT enum_range(NULL::txn_enum);
ROLLBACK;
SELECT enum_range(NULL::txn_enum);
SELECT enum_range(NULL::txn_kept);
BEGIN;
CREATE TABLE txn_t (x int);
ROLLBACK;
SELECT enum_range(NULL::txn_kept);
BEGIN;
DROP TYPE txn_kept;
ROLLBACK;
SELECT enum_range(NULL::txn_kept);
DROP TYPE txn_kept;
-- a schema's enums go with it (DROP SCHEMA … CASCADE), and follow its new name
CREATE SCHEMA enum_s2;
CREATE TYPE enum_s2.level AS ENUM ('lo', 'hi');
CREATE TABLE enum_s2.levels (l enum_s2.level);
INSERT INTO enum_s2.levels VALUES ('hi');
ALTER SCHEMA enum_s2 RENAME TO enum_s3;
SELECT l, pg_typeof(l) FROM enum_s3.levels;
DROP SCHEMA enum_s3;
DROP SCHEMA enum_s3 CASCADE;
SELECT 'lo'::enum_s3.level;
-- DROP TYPE … CASCADE: views and functions that use it go, its columns are dropped from their tables
CREATE TYPE enum_c AS ENUM ('x', 'y');
CREATE TABLE enum_cascade (id int, a enum_c, b enum_c[], c text);
INSERT INTO enum_cascade VALUES (1, 'y', '{x}', 'kept');
CREATE VIEW enum_cascade_v AS SELECT id, a FROM enum_cascade;
CREATE FUNCTION enum_cascade_f(v enum_c) RETURNS text LANGUAGE sql AS 'SELECT v::text';
DROP TYPE enum_c;
DROP TYPE enum_c CASCADE;
SELECT * FROM enum_cascade;
DROP TABLE enum_cascade;
-- OWNER TO, GRANT USAGE ON TYPE
CREATE TYPE enum_o AS ENUM ('a');
CREATE ROLE enum_owner;
ALTER TYPE enum_o OWNER TO enum_owner;
SELECT typname, typowner::regrole FROM pg_type WHERE typname = 'enum_o';
GRANT USAGE ON TYPE enum_o TO PUBLIC;
REVOKE USAGE ON TYPE enum_o FROM PUBLIC;
SELECT typacl FROM pg_type WHERE typname = 'enum_o';
ALTER TYPE enum_o OWNER TO postgres;
SELECT typname, typowner::regrole FROM pg_type WHERE typname = 'enum_o';
DROP ROLE enum_owner;
DROP TYPE enum_o;
-- as Prisma writes and reads them: a quoted enum, a quoted table with a serial key
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "User" (id serial PRIMARY KEY, role "Role" NOT NULL DEFAULT 'USER');
INSERT INTO "User" (role) VALUES ('ADMIN'), (DEFAULT) RETURNING *;
SELECT t.typname AS name, e.enumlabel AS value, n.nspname AS namespace FROM pg_type t JOIN pg_enum e ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' ORDER BY t.typname, e.enumsortorder;
SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), t.typtype FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attrelid = d.adrelid AND a.attnum = d.adnum JOIN pg_type t ON a.atttypid = t.oid WHERE a.attrelid = '"User"'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT column_name, data_type, udt_schema, udt_name, column_default FROM information_schema.columns WHERE table_name = 'User' ORDER BY ordinal_position;
DROP TABLE "User";
DROP TYPE "Role";
-- partitioned by an enum: list and range bounds read and print as labels
CREATE TYPE pmood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE enum_pm (id int, m pmood) PARTITION BY LIST (m);
CREATE TABLE enum_pm_low PARTITION OF enum_pm FOR VALUES IN ('sad', 'ok');
CREATE TABLE enum_pm_high PARTITION OF enum_pm FOR VALUES IN ('happy');
INSERT INTO enum_pm VALUES (1, 'sad'), (2, 'happy'), (3, 'ok');
SELECT tableoid::regclass, * FROM enum_pm ORDER BY m;
EXPLAIN (COSTS OFF) SELECT * FROM enum_pm WHERE m = 'happy';
\d+ enum_pm
CREATE TABLE enum_pr (id int, m pmood) PARTITION BY RANGE (m);
CREATE TABLE enum_pr_1 PARTITION OF enum_pr FOR VALUES FROM ('sad') TO ('happy');
INSERT INTO enum_pr VALUES (1, 'ok');
INSERT INTO enum_pr VALUES (1, 'happy');
SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = 'enum_pr_1';
DROP TABLE enum_pm, enum_pr;
DROP TYPE pmood;
