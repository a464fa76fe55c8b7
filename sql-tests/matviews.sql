-- Materialized views: CREATE … [WITH [NO] DATA], REFRESH [CONCURRENTLY], DROP, ALTER … RENAME,
-- indexes on them, the catalog (pg_class relkind 'm', relispopulated, pg_matviews, \dm, \d),
-- and PostgreSQL's errors.
CREATE TABLE mv_base (id int PRIMARY KEY, cat int, label text, emb vector(3));
INSERT INTO mv_base SELECT g, g % 3, 'item ' || g, ARRAY[g, g % 7, g % 5]::vector FROM generate_series(1, 60) g;

CREATE MATERIALIZED VIEW mv_cat AS SELECT cat, count(*) AS n, min(id) AS first_id FROM mv_base GROUP BY cat;
SELECT * FROM mv_cat ORDER BY cat;
CREATE MATERIALIZED VIEW mv_one (key, name, emb) AS SELECT id, label, emb FROM mv_base WHERE cat = 1;
SELECT count(*), min(key), max(key) FROM mv_one;
CREATE MATERIALIZED VIEW mv_empty AS SELECT id FROM mv_base WITH NO DATA;
CREATE MATERIALIZED VIEW IF NOT EXISTS mv_cat AS SELECT 1;
CREATE MATERIALIZED VIEW mv_cat AS SELECT 1;
CREATE UNLOGGED MATERIALIZED VIEW mv_unlogged AS SELECT 1;

-- not populated until a REFRESH
SELECT count(*) FROM mv_empty;
SELECT relname, relkind, relispopulated FROM pg_class WHERE relname LIKE 'mv\_%' AND relkind = 'm' ORDER BY relname;
SELECT schemaname, matviewname, hasindexes, ispopulated FROM pg_matviews WHERE matviewname LIKE 'mv\_%' ORDER BY matviewname;
EXPLAIN (COSTS OFF) SELECT * FROM mv_empty;
CREATE INDEX mv_empty_id ON mv_empty (id);
SELECT id FROM mv_empty WHERE id = 5;
SELECT id FROM mv_empty ORDER BY id LIMIT 1;
REFRESH MATERIALIZED VIEW mv_empty;
SELECT count(*) FROM mv_empty;
SELECT id FROM mv_empty WHERE id = 5;
REFRESH MATERIALIZED VIEW mv_empty WITH NO DATA;
SELECT count(*) FROM mv_empty;
SELECT relispopulated FROM pg_class WHERE relname = 'mv_empty';

-- the contents change only at REFRESH
INSERT INTO mv_base VALUES (61, 1, 'item 61', '[61,5,1]'), (62, 2, 'item 62', '[62,6,2]');
UPDATE mv_base SET cat = 1 WHERE id = 3;
SELECT * FROM mv_cat ORDER BY cat;
REFRESH MATERIALIZED VIEW mv_cat;
SELECT * FROM mv_cat ORDER BY cat;

-- CONCURRENTLY needs a populated view and a unique index (on plain columns, no WHERE)
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_one;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_empty;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_one WITH NO DATA;
CREATE INDEX mv_one_name ON mv_one (name);
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_one;
CREATE UNIQUE INDEX mv_one_key ON mv_one (key);
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_one;
SELECT count(*), min(key), max(key) FROM mv_one;
SELECT key, name FROM mv_one WHERE key = 61;

-- new rows a unique index refuses: the view keeps its old rows
CREATE TABLE mv_u (a int, b int);
INSERT INTO mv_u VALUES (1, 1), (2, 2);
CREATE MATERIALIZED VIEW mv_ua AS SELECT a FROM mv_u;
CREATE UNIQUE INDEX mv_ua_a ON mv_ua (a);
INSERT INTO mv_u VALUES (1, 3);
REFRESH MATERIALIZED VIEW mv_ua;
REFRESH MATERIALIZED VIEW CONCURRENTLY mv_ua;
BEGIN;
REFRESH MATERIALIZED VIEW mv_ua;
ROLLBACK;
SELECT * FROM mv_ua ORDER BY a;
DROP TABLE mv_u CASCADE;

-- indexes and statistics as on a table
CREATE INDEX mv_one_emb ON mv_one USING hnsw (emb vector_l2_ops);
SELECT key FROM mv_one ORDER BY emb <-> '[10,3,0]' LIMIT 3;
ANALYZE mv_one;
SELECT attname, null_frac, n_distinct FROM pg_stats WHERE tablename = 'mv_one' AND attname = 'key';
SELECT relname, reltuples FROM pg_class WHERE relname = 'mv_one';
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mv_one' ORDER BY indexname;

-- a materialized view is no table or view: psql and the catalog views say so
\dm mv_*
\d mv_one
SELECT tablename FROM pg_tables WHERE tablename LIKE 'mv\_%' ORDER BY 1;
SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'mv\_%' ORDER BY 1;
SELECT viewname FROM pg_views WHERE viewname LIKE 'mv\_%';

-- a vector search of one not populated is refused as well
CREATE MATERIALIZED VIEW mv_vec AS SELECT id, emb FROM mv_base WITH NO DATA;
CREATE INDEX mv_vec_emb ON mv_vec USING hnsw (emb vector_l2_ops);
SELECT id FROM mv_vec ORDER BY emb <-> '[1,1,1]' LIMIT 2;
REFRESH MATERIALIZED VIEW mv_vec;
SELECT id FROM mv_vec ORDER BY emb <-> '[1,1,1]' LIMIT 2;
DROP MATERIALIZED VIEW mv_vec;

-- it outlives the session: no temporary relation in its query
CREATE TEMP TABLE mv_tmp (a int);
CREATE MATERIALIZED VIEW mv_t AS SELECT * FROM mv_tmp;
CREATE MATERIALIZED VIEW mv_t AS SELECT * FROM pg_temp.mv_tmp;
DROP TABLE mv_tmp;

-- it cannot be written
INSERT INTO mv_cat VALUES (9, 9, 9);
UPDATE mv_cat SET n = 0;
DELETE FROM mv_cat;
TRUNCATE mv_cat;
REFRESH MATERIALIZED VIEW mv_base;
REFRESH MATERIALIZED VIEW mv_nosuch;

-- dependencies: its table cannot go while it reads it
DROP TABLE mv_base;
DROP VIEW mv_cat;
DROP TABLE mv_cat;
DROP MATERIALIZED VIEW mv_base;
DROP MATERIALIZED VIEW mv_nosuch;
DROP MATERIALIZED VIEW IF EXISTS mv_nosuch;

-- its columns are its query's: ALTER takes only what does not change them
ALTER TABLE mv_one ADD COLUMN x int;
ALTER MATERIALIZED VIEW mv_one ALTER COLUMN key TYPE bigint;
ALTER TABLE mv_one DROP COLUMN name;
ALTER MATERIALIZED VIEW mv_one ALTER COLUMN key SET STATISTICS 50;
ALTER TABLE mv_one ENABLE ROW LEVEL SECURITY;
CREATE POLICY mv_p ON mv_one USING (true);
ALTER MATERIALIZED VIEW mv_base OWNER TO CURRENT_USER;
ALTER MATERIALIZED VIEW mv_base SET (fillfactor = 50);

-- through views: a view over a materialized view, a materialized view over that view
CREATE TABLE mv_d (a int);
CREATE MATERIALIZED VIEW mv_d1 AS SELECT * FROM mv_d;
CREATE VIEW mv_dv AS SELECT * FROM mv_d1;
CREATE MATERIALIZED VIEW mv_d2 AS SELECT * FROM mv_dv;
DROP MATERIALIZED VIEW mv_d1;
DROP TABLE mv_d;
DROP VIEW mv_dv;
DROP TABLE mv_d CASCADE;
SELECT relname FROM pg_class WHERE relname LIKE 'mv\_d%';

-- renames
ALTER MATERIALIZED VIEW mv_cat RENAME TO mv_cats;
ALTER MATERIALIZED VIEW mv_cats RENAME COLUMN n TO how_many;
SELECT cat, how_many FROM mv_cats ORDER BY cat;
ALTER MATERIALIZED VIEW IF EXISTS mv_nosuch RENAME TO mv_other;
ALTER VIEW mv_cats RENAME TO mv_other;
ALTER MATERIALIZED VIEW mv_base RENAME TO mv_other;
ALTER TABLE mv_cats RENAME TO mv_cats2;
ALTER TABLE mv_cats2 RENAME TO mv_cats;
COMMENT ON MATERIALIZED VIEW mv_cats IS 'per category';
SELECT obj_description('mv_cats'::regclass, 'pg_class');
COMMENT ON MATERIALIZED VIEW mv_base IS 'no';
ALTER MATERIALIZED VIEW mv_cats OWNER TO CURRENT_USER;
CREATE SCHEMA mv_s;
ALTER MATERIALIZED VIEW mv_cats SET SCHEMA mv_s;
SELECT cat, how_many FROM mv_s.mv_cats ORDER BY cat;
REFRESH MATERIALIZED VIEW mv_s.mv_cats;
ALTER MATERIALIZED VIEW mv_s.mv_cats SET SCHEMA public;
ALTER VIEW mv_cats SET SCHEMA mv_s;
-- a schema dropped with CASCADE takes the materialized views reading its tables along
CREATE TABLE mv_s.src (a int);
CREATE MATERIALIZED VIEW mv_from_s AS SELECT a FROM mv_s.src;
DROP SCHEMA mv_s CASCADE;
SELECT count(*) FROM pg_class WHERE relname = 'mv_from_s';

-- in a transaction block: a REFRESH rolls back with it
BEGIN;
DELETE FROM mv_base WHERE cat = 0;
REFRESH MATERIALIZED VIEW mv_cats;
SELECT * FROM mv_cats ORDER BY cat;
ROLLBACK;
SELECT * FROM mv_cats ORDER BY cat;

DROP MATERIALIZED VIEW mv_empty;
DROP TABLE mv_base CASCADE;
SELECT count(*) FROM pg_class WHERE relname LIKE 'mv\_%';
