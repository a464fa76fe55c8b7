-- CREATE DOMAIN, columns of domains, NOT NULL / CHECK enforcement, ALTER / DROP DOMAIN (PostgreSQL 15)
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN nntext text NOT NULL DEFAULT 'none';
CREATE DOMAIN code AS varchar(5) CONSTRAINT code_upper CHECK (VALUE = upper(VALUE));
ALTER DOMAIN code ADD CHECK (length(VALUE) > 1);
CREATE DOMAIN smallpos AS posint CHECK (VALUE + 0 < 100);
CREATE DOMAIN posint AS integer;
CREATE DOMAIN bad AS integer NOT NULL NULL;
CREATE DOMAIN bad AS integer DEFAULT 1 DEFAULT 2;
CREATE DOMAIN bad AS integer UNIQUE;
CREATE DOMAIN bad AS integer CHECK (VALUE + 1);
CREATE TABLE dom_t (id int, p posint, n nntext, c code, s smallpos, arr posint[]);
INSERT INTO dom_t VALUES (1, 5, 'a', 'AB', 7, '{1,2}');
INSERT INTO dom_t VALUES (2, 0, 'a', 'AB', 7, NULL);
INSERT INTO dom_t VALUES (3, 5, NULL, 'AB', 7, NULL);
INSERT INTO dom_t VALUES (4, 5, 'a', 'ab', 7, NULL);
INSERT INTO dom_t VALUES (5, 5, 'a', 'A', 7, NULL);
INSERT INTO dom_t VALUES (6, 5, 'a', 'ABCDEF', 7, NULL);
INSERT INTO dom_t VALUES (7, 5, 'a', 'AB', 100, NULL);
INSERT INTO dom_t VALUES (8, 5, 'a', 'AB', -1, NULL);
INSERT INTO dom_t VALUES (9, 5, 'a', 'AB', 7, '{1,-2}');
INSERT INTO dom_t (id, p) VALUES (10, 6);
INSERT INTO dom_t (id, n) VALUES (11, DEFAULT);
SELECT * FROM dom_t ORDER BY id;
UPDATE dom_t SET p = -p WHERE id = 1;
UPDATE dom_t SET n = NULL WHERE id = 1;
UPDATE dom_t SET p = p + 1 RETURNING id, p, pg_typeof(p), pg_typeof(p + 1);
SELECT 3::posint, '4'::posint, CAST(5 AS posint), pg_typeof(3::posint), pg_typeof(3::posint::int), pg_typeof('{1}'::posint[]);
SELECT 0::posint;
SELECT '-3'::posint;
SELECT NULL::nntext;
SELECT CAST(NULL AS posint) IS NULL;
SELECT '{1,0}'::posint[];
SELECT 'x'::smallpos;
SELECT 200::smallpos;
SELECT p + 1, p * 2, p > 3, p = 6 FROM dom_t WHERE p IS NOT NULL ORDER BY id;
SELECT max(p), sum(p) FROM dom_t;
SELECT c || 'x', lower(c) FROM dom_t WHERE c IS NOT NULL ORDER BY id;
\d dom_t
\dD (posint|nntext|code)
SELECT typname, typtype, typbasetype::regtype, typtypmod, typnotnull, typdefault FROM pg_type WHERE typname IN ('posint', 'nntext', 'code', 'smallpos', '_posint') ORDER BY typname;
SELECT conname, contypid::regtype, convalidated, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint WHERE contypid <> 0 AND connamespace = 'public'::regnamespace AND conname <> 'smallpos_check' ORDER BY conname;
SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'dom_t'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT format_type('posint'::regtype, NULL), 'smallpos'::regtype, 'posint[]'::regtype;
-- ALTER DOMAIN (refused while an array of the domain is stored)
ALTER DOMAIN posint SET NOT NULL;
ALTER TABLE dom_t DROP COLUMN arr;
ALTER DOMAIN posint ADD CONSTRAINT lt10 CHECK (VALUE < 7);
ALTER DOMAIN posint ADD CONSTRAINT lt10 CHECK (VALUE < 10) NOT VALID;
SELECT conname, convalidated, pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = 'posint'::regtype ORDER BY conname;
INSERT INTO dom_t (id, p) VALUES (12, 11);
ALTER DOMAIN posint VALIDATE CONSTRAINT lt10;
ALTER DOMAIN posint DROP CONSTRAINT lt10;
ALTER DOMAIN posint DROP CONSTRAINT lt10;
ALTER DOMAIN posint DROP CONSTRAINT IF EXISTS lt10;
ALTER DOMAIN posint ADD CHECK (VALUE < 1000);
ALTER DOMAIN posint RENAME CONSTRAINT posint_check1 TO under_1000;
ALTER DOMAIN posint RENAME CONSTRAINT nope TO under_1000;
SELECT conname FROM pg_constraint WHERE contypid = 'posint'::regtype ORDER BY conname;
ALTER DOMAIN posint SET NOT NULL;
DELETE FROM dom_t WHERE p IS NULL;
ALTER DOMAIN posint SET NOT NULL;
INSERT INTO dom_t (id, n) VALUES (13, 'z');
ALTER DOMAIN posint DROP NOT NULL;
ALTER DOMAIN posint SET DEFAULT 42;
INSERT INTO dom_t (id, n) VALUES (14, 'z');
ALTER DOMAIN posint DROP DEFAULT;
SELECT id, p FROM dom_t ORDER BY id;
ALTER DOMAIN nosuch SET NOT NULL;
ALTER DOMAIN int4 SET NOT NULL;
CREATE SCHEMA dom_s;
ALTER DOMAIN code SET SCHEMA dom_s;
\d dom_t
ALTER DOMAIN dom_s.code SET SCHEMA public;
ALTER DOMAIN code RENAME TO code2;
ALTER DOMAIN code2 RENAME TO code;
COMMENT ON DOMAIN nntext IS 'text, never null';
SELECT obj_description('nntext'::regtype, 'pg_type');
\dD+ nntext
-- DROP DOMAIN
CREATE TABLE dom_arr (a posint[]);
DROP DOMAIN posint;
DROP TABLE dom_arr;
DROP DOMAIN posint;
DROP DOMAIN nosuch;
DROP DOMAIN IF EXISTS nosuch;
DROP DOMAIN smallpos CASCADE;
\d dom_t
DROP TABLE dom_t;
DROP DOMAIN posint, nntext, code;
DROP SCHEMA dom_s;
-- COPY checks each value as domain_in does; GRANT; information_schema
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN nn AS text NOT NULL;
CREATE TABLE ct (a posint, b nn);
COPY ct FROM STDIN;
1	x
\.
COPY ct FROM STDIN;
-1	x
\.
COPY ct FROM STDIN;
2	\N
\.
SELECT * FROM ct;
SELECT typacl IS NOT NULL AS granted FROM pg_type WHERE typname = 'posint';
GRANT USAGE ON DOMAIN posint TO PUBLIC;
SELECT domain_schema, domain_name, data_type, character_maximum_length, domain_default FROM information_schema.domains WHERE domain_schema = 'public';
SELECT constraint_name, domain_name, is_deferrable FROM information_schema.domain_constraints WHERE domain_schema = 'public';
SELECT column_name, data_type, domain_schema, domain_name, udt_name FROM information_schema.columns WHERE table_name = 'ct';
DROP TABLE ct;
DROP DOMAIN posint, nn;
-- a domain over an enum, in a view, in CREATE TABLE AS, as a function's argument
CREATE TYPE dom_mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN good_mood AS dom_mood CHECK (VALUE > 'sad');
CREATE TABLE dm (m good_mood);
INSERT INTO dm VALUES ('ok'), ('happy');
INSERT INTO dm VALUES ('sad');
CREATE VIEW dm_v AS SELECT m, m::text AS t FROM dm;
SELECT * FROM dm_v ORDER BY m;
CREATE TABLE dm2 AS SELECT m FROM dm;
\d dm2
SELECT m::dom_mood = 'ok', m::dom_mood < 'happy' FROM dm ORDER BY m;
DROP TYPE dom_mood;
DROP DOMAIN good_mood CASCADE;
DROP TABLE dm, dm2;
DROP TYPE dom_mood;
-- domains in schemas: ALTER SCHEMA RENAME carries them, DROP SCHEMA CASCADE drops them
CREATE SCHEMA dom_sc;
CREATE DOMAIN dom_sc.d1 AS int CHECK (VALUE > 0);
CREATE TABLE dom_sc.t1 (a dom_sc.d1);
ALTER SCHEMA dom_sc RENAME TO dom_sc2;
INSERT INTO dom_sc2.t1 VALUES (0);
SELECT 'dom_sc2.d1'::regtype, format_type('dom_sc2.d1'::regtype, NULL);
DROP SCHEMA dom_sc2 CASCADE;
SELECT count(*) FROM pg_type WHERE typname = 'd1';
-- ALTER TABLE with domains: ADD COLUMN fills existing rows with the domain's DEFAULT (or a NULL it must allow), ALTER COLUMN TYPE checks them; array casts check each element
CREATE DOMAIN e_pos AS integer CHECK (VALUE > 0);
CREATE DOMAIN e_nn AS integer NOT NULL;
CREATE DOMAIN e_def AS integer DEFAULT 42;
CREATE TABLE e_t (id int);
INSERT INTO e_t VALUES (1), (2);
ALTER TABLE e_t ADD COLUMN a e_def;
SELECT * FROM e_t ORDER BY id;
ALTER TABLE e_t ADD COLUMN b e_nn;
ALTER TABLE e_t ADD COLUMN c e_pos DEFAULT 0;
ALTER TABLE e_t ADD COLUMN c e_pos DEFAULT 5;
ALTER TABLE e_t ALTER COLUMN id TYPE e_pos;
UPDATE e_t SET id = id - 1;
ALTER TABLE e_t ALTER COLUMN id TYPE e_pos USING id - 1;
INSERT INTO e_t (id) SELECT g FROM generate_series(-1, 0) g;
CREATE TABLE e_t2 AS SELECT * FROM e_t;
\d e_t2
SELECT ARRAY[1, 2]::e_pos[], ARRAY[1, -2]::e_pos[];
SELECT CASE WHEN true THEN 1::e_pos END, COALESCE(NULL, 2::e_pos), pg_typeof(COALESCE(NULL, 2::e_pos));
DROP TABLE e_t, e_t2;
DROP DOMAIN e_pos, e_nn, e_def;
-- a domain over a domain inherits its DEFAULT
CREATE DOMAIN inh_a AS int DEFAULT 3;
CREATE DOMAIN inh_b AS inh_a;
SELECT typname, typdefault FROM pg_type WHERE typname LIKE 'inh_%' AND typtype = 'd' ORDER BY 1;
DROP DOMAIN inh_b; DROP DOMAIN inh_a;
