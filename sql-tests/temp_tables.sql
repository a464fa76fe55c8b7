-- Temporary tables: the session's own pg_temp_N schema (never printed: it differs per
-- backend), relpersistence 't', search order, ON COMMIT, CREATE TEMP … AS, SELECT INTO,
-- DISCARD TEMP, temporary views and sequences, k-NN through an HNSW index on a temp table.
-- What needs two sessions or a restart is in test/temp-tables.test.ts.
\set QUIET off
SELECT pg_my_temp_schema() = 0 AS no_temp_schema_yet;
CREATE TEMP TABLE tmp_items (id serial PRIMARY KEY, label text);
SELECT pg_my_temp_schema() <> 0 AS has_temp_schema,
       pg_my_temp_schema()::regnamespace::text ~ '^pg_temp_[0-9]+$' AS named_pg_temp_n,
       pg_is_other_temp_schema(pg_my_temp_schema()) AS other, pg_is_other_temp_schema('public'::regnamespace) AS public_other;
-- its TOAST companion is listed too
SELECT count(*) FROM pg_namespace WHERE nspname = replace(pg_my_temp_schema()::regnamespace::text, 'pg_temp_', 'pg_toast_temp_');
-- the table, its sequence and its index are all in the temporary schema
SELECT relname, relkind, relpersistence FROM pg_class WHERE relnamespace = pg_my_temp_schema() ORDER BY relname;
CREATE TABLE tmp_permanent (a int);
SELECT relname, relpersistence FROM pg_class WHERE relname = 'tmp_permanent';
DROP TABLE tmp_permanent;
-- searched first; current_schema stays the first schema of the path
SELECT (current_schemas(true))[1] = pg_my_temp_schema()::regnamespace::name AS temp_first, (current_schemas(true))[2:], current_schemas(false), current_schema();
INSERT INTO tmp_items (label) VALUES ('a'), ('b');
SELECT * FROM tmp_items ORDER BY id;
SELECT count(*) FROM pg_temp.tmp_items;
SELECT 'tmp_items'::regclass = 'pg_temp.tmp_items'::regclass AS same, pg_table_is_visible('tmp_items'::regclass) AS visible;
SELECT column_default FROM information_schema.columns WHERE table_name = 'tmp_items' AND column_name = 'id';
SELECT table_type FROM information_schema.tables WHERE table_name = 'tmp_items';
CREATE INDEX ON tmp_items (label);
SELECT relname, relpersistence FROM pg_class WHERE relname = 'tmp_items_label_idx';
-- a name qualified with pg_temp makes a temporary table
CREATE TABLE pg_temp.tmp_qualified (a int);
SELECT relpersistence FROM pg_class WHERE relname = 'tmp_qualified';
-- a temporary table hides a permanent one of the same name
CREATE TABLE tmp_shadow (a int);
INSERT INTO tmp_shadow VALUES (1), (2);
CREATE TEMP TABLE tmp_shadow (a int);
SELECT count(*) FROM tmp_shadow;
SELECT count(*) FROM public.tmp_shadow;
DROP TABLE tmp_shadow;
SELECT count(*) FROM tmp_shadow;
-- unless the search path names pg_temp later
SET search_path = public, pg_temp;
CREATE TEMP TABLE tmp_shadow (a int);
SELECT count(*) FROM tmp_shadow;
SELECT count(*) FROM pg_temp.tmp_shadow;
RESET search_path;
SELECT count(*) FROM tmp_shadow;
DROP TABLE tmp_shadow;
DROP TABLE public.tmp_shadow;
-- errors
CREATE TEMP TABLE public.tmp_bad (a int);
CREATE TABLE tmp_bad (a int) ON COMMIT DROP;
CREATE TABLE tmp_bad (a int) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE tmp_items (x int);
CREATE TEMP TABLE IF NOT EXISTS tmp_items (x int);
-- ON COMMIT DELETE ROWS: rows last until the transaction commits
CREATE TEMP TABLE tmp_delete (a int) ON COMMIT DELETE ROWS;
INSERT INTO tmp_delete VALUES (1);
SELECT count(*) FROM tmp_delete;
BEGIN;
INSERT INTO tmp_delete VALUES (1), (2);
SELECT count(*) FROM tmp_delete;
COMMIT;
SELECT count(*) FROM tmp_delete;
BEGIN;
INSERT INTO tmp_delete VALUES (3);
ROLLBACK;
SELECT count(*) FROM tmp_delete;
-- ON COMMIT PRESERVE ROWS is the default
CREATE TEMP TABLE tmp_keep (a int) ON COMMIT PRESERVE ROWS;
INSERT INTO tmp_keep VALUES (1);
SELECT count(*) FROM tmp_keep;
-- ON COMMIT DROP: gone at the end of its transaction (at once outside a block)
CREATE TEMP TABLE tmp_drop (a int) ON COMMIT DROP;
SELECT count(*) FROM pg_class WHERE relname = 'tmp_drop';
BEGIN;
CREATE TEMP TABLE tmp_drop (a int) ON COMMIT DROP;
INSERT INTO tmp_drop VALUES (1), (2), (3);
SELECT count(*) FROM tmp_drop;
COMMIT;
SELECT count(*) FROM pg_class WHERE relname = 'tmp_drop';
-- CREATE TEMP TABLE … AS and SELECT … INTO TEMP
CREATE TEMP TABLE tmp_ctas AS SELECT g AS n, 'x' || g AS s FROM generate_series(1, 3) g;
SELECT * FROM tmp_ctas ORDER BY n;
CREATE TEMP TABLE tmp_ctas_drop ON COMMIT DROP AS SELECT 1 AS one;
SELECT count(*) FROM pg_class WHERE relname = 'tmp_ctas_drop';
SELECT n * 10 AS m INTO TEMP tmp_into FROM tmp_ctas WHERE n > 1;
SELECT * FROM tmp_into ORDER BY m;
SELECT 1 AS one INTO TEMPORARY TABLE tmp_into2;
-- without TEMP, SELECT INTO makes a permanent table
SELECT 'p' AS kind INTO tmp_into_permanent;
SELECT relpersistence, relnamespace = 'public'::regnamespace AS in_public FROM pg_class WHERE relname = 'tmp_into_permanent';
DROP TABLE tmp_into_permanent;
SELECT relname, relpersistence FROM pg_class WHERE relname IN ('tmp_ctas', 'tmp_into', 'tmp_into2') ORDER BY relname;
-- temporary sequences and views; a view over a temporary table is temporary itself
CREATE TEMP SEQUENCE tmp_seq;
SELECT nextval('tmp_seq'), nextval('tmp_seq');
CREATE TEMP VIEW tmp_view AS SELECT count(*) AS n FROM tmp_items;
SELECT * FROM tmp_view;
CREATE VIEW tmp_view_auto AS SELECT label FROM tmp_items;
SELECT relname, relkind, relpersistence, relnamespace = pg_my_temp_schema() AS in_temp FROM pg_class WHERE relname IN ('tmp_seq', 'tmp_view', 'tmp_view_auto') ORDER BY relname;
-- k-NN through an HNSW index on a temporary table
CREATE TEMP TABLE tmp_vec (id int PRIMARY KEY, embedding vector(3));
INSERT INTO tmp_vec SELECT g, ARRAY[g, g % 7, 1]::vector FROM generate_series(1, 200) g;
CREATE INDEX tmp_vec_hnsw ON tmp_vec USING hnsw (embedding vector_l2_ops);
SET enable_seqscan = off;
SELECT id, embedding <-> '[10, 3, 1]' AS d FROM tmp_vec ORDER BY embedding <-> '[10, 3, 1]', id LIMIT 3;
RESET enable_seqscan;
SELECT relname, relpersistence FROM pg_class WHERE relname = 'tmp_vec_hnsw';
-- permanent and temporary objects do not mix
CREATE TABLE tmp_perm_parent (id int PRIMARY KEY);
CREATE TABLE tmp_perm_child (id int REFERENCES tmp_items (id));
CREATE TEMP TABLE tmp_temp_child (id int REFERENCES tmp_perm_parent (id));
CREATE TEMP TABLE tmp_temp_child (id int REFERENCES tmp_items (id));
CREATE VIEW public.tmp_view_public AS SELECT * FROM tmp_items;
ALTER TABLE tmp_items SET SCHEMA public;
ALTER TABLE tmp_perm_parent SET SCHEMA pg_temp;
CREATE TEMP TABLE tmp_parted (a int) PARTITION BY LIST (a);
CREATE TABLE tmp_parted_1 PARTITION OF tmp_parted FOR VALUES IN (1);
CREATE TEMP TABLE tmp_parted_2 PARTITION OF tmp_parted FOR VALUES IN (2);
INSERT INTO tmp_parted VALUES (2);
SELECT count(*) FROM tmp_parted;
DROP TABLE tmp_perm_parent;
-- functions in pg_temp: reached only by a qualified name
CREATE FUNCTION pg_temp.tmp_twice(x int) RETURNS int LANGUAGE sql AS 'SELECT 2 * x';
SELECT pg_temp.tmp_twice(21);
SELECT tmp_twice(21);
-- DISCARD TEMP in a block: undone by ROLLBACK, done by COMMIT
BEGIN;
DISCARD TEMP;
SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema();
ROLLBACK;
SELECT count(*) > 0 AS still_there FROM pg_class WHERE relnamespace = pg_my_temp_schema();
DISCARD TEMP;
SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema();
SELECT count(*) FROM pg_class WHERE relname = 'tmp_view_auto';
SELECT * FROM tmp_items;
-- the schema itself stays (a new temporary table goes there again)
SELECT pg_my_temp_schema() <> 0 AS kept;
CREATE TEMP TABLE tmp_after (a int);
DISCARD ALL;
SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema();
