-- EXPLAIN ANALYZE's run-time details as PostgreSQL 15 prints them: an Append's partition
-- scans with their own actual rows; a Hash's "Buckets: n  Batches: n  Memory Usage: n kB"
-- (buckets planned from the inner estimate, doubled at run time past one tuple a bucket);
-- a HashAggregate's "Batches: 1  Memory Usage: n kB"; a Sort's "Sort Method: quicksort" or
-- "top-N heapsort" with its Memory; the same as fields of their own in JSON. PostgreSQL's
-- default work_mem, as the sizes of hash tables are planned from it
SET work_mem = '4MB';
CREATE TABLE ean_pt (i int, j int) PARTITION BY RANGE (i);
CREATE TABLE ean_pt1 PARTITION OF ean_pt FOR VALUES FROM (0) TO (500);
CREATE TABLE ean_pt2 PARTITION OF ean_pt FOR VALUES FROM (500) TO (1001);
INSERT INTO ean_pt SELECT g, g % 10 FROM generate_series(1, 1000) g;
ANALYZE ean_pt;
CREATE TABLE ean_a (i int, j int);
CREATE TABLE ean_b (i int, k text);
CREATE TABLE ean_s (i int, k text);
CREATE TABLE ean_m (i int, k text);
CREATE TABLE ean_w (i int, a text, b text, c float8, d bigint);
CREATE TABLE ean_v (a int, b text, c numeric, d timestamp, e bool, f float4, g int2, h int8, i text, j int);
INSERT INTO ean_a SELECT g, g % 10 FROM generate_series(1, 1000) g;
INSERT INTO ean_b SELECT g, 'x' || g FROM generate_series(1, 500) g;
INSERT INTO ean_s SELECT g, 'y' || g FROM generate_series(1, 10) g;
INSERT INTO ean_m SELECT g, 'z' || g FROM generate_series(1, 5000) g;
INSERT INTO ean_w SELECT g, repeat('a', g % 50), md5(g::text), g / 3.0, g * 1000 FROM generate_series(1, 3000) g;
INSERT INTO ean_v SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE repeat('q', g % 200) END, g * 1.25, '2024-01-01'::timestamp + g * interval '1 hour', g % 2 = 0, g / 7.0, g % 100, g * 3, CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END, g % 17 FROM generate_series(1, 2000) g;
ANALYZE ean_a;
ANALYZE ean_v;
ANALYZE ean_b;
ANALYZE ean_s;
ANALYZE ean_m;
ANALYZE ean_w;
-- Append members
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT j, count(*) FROM ean_pt GROUP BY j;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_pt WHERE j = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_pt ORDER BY j LIMIT 5;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_pt ORDER BY j;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_pt WHERE i < 600 ORDER BY i;
-- hash joins: 10, 500, 1000 and 5000 inner rows, int and text keys, buckets growing past the estimate
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_a JOIN ean_b ON ean_a.i = ean_b.i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT ean_a.j, ean_b.k FROM ean_a JOIN ean_b ON ean_a.i = ean_b.i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_m JOIN ean_s ON ean_m.i = ean_s.i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_s JOIN ean_m ON ean_m.k = ean_s.k;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM ean_m a JOIN ean_m b ON a.k = b.k;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_a JOIN (SELECT * FROM ean_m WHERE i % 2 = 0) s ON ean_a.i = s.i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT * FROM ean_a JOIN (SELECT * FROM ean_m WHERE i % 2 = 0) s ON ean_a.i = s.i;
-- a Hash counts the rows it put in its table: a NULL key only when its side is preserved
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_a JOIN ean_v ON ean_a.i = ean_v.g;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM ean_v x JOIN ean_v y ON x.i = y.i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(*) FROM ean_v x FULL JOIN ean_v y ON x.i = y.i;
-- NULLs (a null bitmap), numeric, timestamp, bool, float4, int2, texts past 126 bytes
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_a JOIN ean_v ON ean_a.i = ean_v.a;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT ean_v.*, ean_a.j FROM ean_v JOIN ean_a ON ean_a.i = ean_v.a WHERE ean_v.j < 5;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_v ORDER BY j, a;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT a, b FROM ean_v ORDER BY b;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT a, c FROM ean_v ORDER BY c DESC;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT d, e, f, g FROM ean_v ORDER BY d;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_v ORDER BY j LIMIT 50;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT b, count(*) FROM ean_v GROUP BY b;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT c, count(*) FROM ean_v GROUP BY c;
-- hashed aggregates: few and many groups, text keys, by-reference transition states
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT j, count(*) FROM ean_a GROUP BY j;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i % 300, count(*) FROM ean_m GROUP BY 1;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, count(*) FROM ean_m GROUP BY i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT g, count(*) FROM generate_series(1, 20000) g GROUP BY g;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT k, max(i) FROM ean_m GROUP BY k;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT j, avg(i), sum(i) FROM ean_a GROUP BY j HAVING sum(i) > 0;
-- DISTINCT, UNION and a semi join's unique-ified side hash their rows as HashAggregates
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT DISTINCT j FROM ean_a;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT DISTINCT i, j FROM ean_a;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT DISTINCT k FROM ean_b;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i FROM ean_a UNION SELECT i FROM ean_b;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_b WHERE i IN (SELECT j FROM ean_a);
-- sorts: quicksort of narrow and wide rows, a single column, top-N with several limits
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_w ORDER BY a, i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, b FROM ean_w ORDER BY b;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT b FROM ean_w ORDER BY b;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i FROM ean_m ORDER BY i DESC;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_s ORDER BY k;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, d FROM ean_w ORDER BY i LIMIT 10;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, d FROM ean_w ORDER BY i LIMIT 100;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, b FROM ean_w ORDER BY i LIMIT 100;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM ean_w ORDER BY i LIMIT 2000;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, d FROM ean_w ORDER BY i LIMIT 5 OFFSET 5;
-- rows that keep replacing the heap's top (make_bounded_heap does not free the ones it replaces)
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, d FROM ean_w ORDER BY i DESC LIMIT 100;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, b FROM ean_w ORDER BY b LIMIT 1000;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT i, a FROM ean_w ORDER BY a DESC, i LIMIT 100;
-- structured formats
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT ean_a.j, ean_b.k FROM ean_a JOIN ean_b ON ean_a.i = ean_b.i;
EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) SELECT j, count(*) FROM ean_a GROUP BY j;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT YAML) SELECT * FROM ean_pt ORDER BY j LIMIT 5;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT XML) SELECT * FROM ean_pt ORDER BY j;
DROP TABLE ean_pt, ean_a, ean_b, ean_s, ean_m, ean_w, ean_v;
RESET work_mem;
