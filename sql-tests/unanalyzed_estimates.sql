-- A table never analyzed nor vacuumed is planned as PostgreSQL plans it: at least 10 pages
-- of rows at its columns' type widths (table_block_relation_estimate_size), and a column
-- without statistics as wide as get_typavgwidth says (a vector 32 bytes, a varchar(n) by
-- its UTF-8 maximum, numeric(p, s) by its digits). ANALYZE then gives the true counts.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE ue_empty (id int, v vector(128));
EXPLAIN SELECT * FROM ue_empty;
CREATE TABLE ue_small (id int PRIMARY KEY, name text);
INSERT INTO ue_small SELECT g, 'n' || g FROM generate_series(1, 5) g;
EXPLAIN SELECT * FROM ue_small;
EXPLAIN SELECT * FROM ue_small WHERE id = 3;
EXPLAIN (COSTS OFF) SELECT * FROM ue_small a JOIN ue_small b ON a.name = b.name;
SELECT a.id FROM ue_small a JOIN ue_small b ON a.name = b.name ORDER BY 1;
CREATE TABLE ue_widths (a varchar(5), b varchar(10), c char(10), d varchar(2000), e numeric(10,2), f bit(10), g bit varying(100), h halfvec(10), i sparsevec(5), j text, k numeric);
EXPLAIN SELECT a FROM ue_widths;
EXPLAIN SELECT b FROM ue_widths;
EXPLAIN SELECT c FROM ue_widths;
EXPLAIN SELECT d FROM ue_widths;
EXPLAIN SELECT e FROM ue_widths;
EXPLAIN SELECT f FROM ue_widths;
EXPLAIN SELECT g FROM ue_widths;
EXPLAIN SELECT h, i FROM ue_widths;
EXPLAIN SELECT j, k FROM ue_widths;
EXPLAIN SELECT * FROM ue_widths;
ANALYZE ue_small;
EXPLAIN SELECT * FROM ue_small;
ANALYZE ue_empty;
EXPLAIN SELECT * FROM ue_empty;
DROP TABLE ue_empty; DROP TABLE ue_small; DROP TABLE ue_widths;
