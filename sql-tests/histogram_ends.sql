-- A range constant in the first or last histogram bin of a column a B-tree leads with: the
-- histogram's end is replaced by the column's true smallest / largest value before the bin
-- is interpolated (PostgreSQL 15's get_actual_variable_range in ineq_histogram_selectivity),
-- and the estimate is then only clamped to 0 .. 1. Index and bitmap scans are off so each
-- plan is a Seq Scan whose rows are the estimate (Quiver prices B-tree ranges its own way)
SET enable_indexscan = off; SET enable_bitmapscan = off;
CREATE TABLE he(id int PRIMARY KEY, f int, big bigint, x float8, d date);
INSERT INTO he SELECT g, g % 1000, g::bigint * 1000000007, g / 7.0, date '2020-01-01' + g % 3000 FROM generate_series(1, 20000) g;
CREATE INDEX he_f ON he(f); CREATE INDEX he_big ON he(big); CREATE INDEX he_x ON he(x); CREATE INDEX he_d ON he(d);
ANALYZE he;
EXPLAIN SELECT * FROM he WHERE f < 100;
EXPLAIN SELECT * FROM he WHERE f < 50;
EXPLAIN SELECT * FROM he WHERE f <= 9;
EXPLAIN SELECT * FROM he WHERE f >= 7;
EXPLAIN SELECT * FROM he WHERE f > 990;
EXPLAIN SELECT * FROM he WHERE f >= 999;
EXPLAIN SELECT * FROM he WHERE f BETWEEN 7 AND 9;
EXPLAIN SELECT * FROM he WHERE id < 50;
EXPLAIN SELECT * FROM he WHERE id > 19990;
EXPLAIN SELECT * FROM he WHERE id > 30000;
EXPLAIN SELECT * FROM he WHERE id < -5;
EXPLAIN SELECT * FROM he WHERE big < 50000000000;
EXPLAIN SELECT * FROM he WHERE big > 19990000000000;
EXPLAIN SELECT * FROM he WHERE x < 3;
EXPLAIN SELECT * FROM he WHERE x >= 2855.5;
EXPLAIN SELECT * FROM he WHERE d < date '2020-01-20';
-- without a B-tree on the column the histogram's own ends stand
EXPLAIN SELECT * FROM he WHERE f + 0 < 100;
-- a histogram of two entries: both ends replaced at once, the MCVs' values included
CREATE TABLE he2(a int); INSERT INTO he2 SELECT 1 + g % 3 FROM generate_series(1, 3000) g; INSERT INTO he2 VALUES (100), (200), (-50);
CREATE INDEX ON he2(a); ANALYZE he2;
EXPLAIN SELECT * FROM he2 WHERE a < 150;
EXPLAIN SELECT * FROM he2 WHERE a > 150;
EXPLAIN SELECT * FROM he2 WHERE a < 0;
SELECT histogram_bounds FROM pg_stats WHERE tablename = 'he2';
DROP TABLE he; DROP TABLE he2;
