-- TRUNCATE gives a table and its indexes new, empty files: pg_class relpages 0 and reltuples
-- -1 as PostgreSQL 15 records them (ANALYZE's pg_statistic stays), and the planner estimates
-- the table as one never analyzed — 10 pages' worth of rows at its columns' analyzed widths
-- while it fills fewer, then its pages at that density — until VACUUM or ANALYZE.
CREATE TABLE te (id int PRIMARY KEY, v int, s text) WITH (autovacuum_enabled = off);
INSERT INTO te SELECT g, g % 10, 'x' || g FROM generate_series(1, 5000) g;
CREATE INDEX te_v ON te (v, id);
ANALYZE te;
-- (te_v, filled by inserts after TRUNCATE, has more pages on PostgreSQL than its bulk build: not modelled)
SELECT relname, relpages, reltuples FROM pg_class WHERE relname IN ('te', 'te_pkey') ORDER BY 1;
EXPLAIN SELECT * FROM te WHERE v = 3;
BEGIN;
TRUNCATE te;
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'te%' ORDER BY 1;
ROLLBACK;
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'te%' ORDER BY 1;
TRUNCATE te;
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'te%' ORDER BY 1;
EXPLAIN SELECT * FROM te;
EXPLAIN SELECT * FROM te WHERE v = 3;
EXPLAIN SELECT * FROM te WHERE id = 3;
INSERT INTO te SELECT g, g % 10, 'x' || g FROM generate_series(1, 100) g;
EXPLAIN SELECT * FROM te;
INSERT INTO te SELECT g, g % 10, 'x' || g FROM generate_series(101, 3000) g;
EXPLAIN SELECT * FROM te WHERE v = 3;
EXPLAIN SELECT count(*) FROM te;
VACUUM te;
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'te%' ORDER BY 1;
EXPLAIN SELECT * FROM te WHERE v = 3;
ANALYZE te;
-- (te_v, filled by inserts after TRUNCATE, has more pages on PostgreSQL than its bulk build: not modelled)
SELECT relname, relpages, reltuples FROM pg_class WHERE relname IN ('te', 'te_pkey') ORDER BY 1;
EXPLAIN SELECT * FROM te WHERE v = 3;
DROP TABLE te;
