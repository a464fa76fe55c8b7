-- Parameterized nested loops: the inner side an Index Scan whose Index Cond reads the outer
-- row (`Index Cond: (id = a.b_id)`), chosen by cost against Hash Join and Nested Loop +
-- Materialize (cost_index with loop_count, index_pages_fetched, has_indexed_join_quals).
-- Quiver has no Merge Join or Memoize here: those are off where PostgreSQL
-- would take them.
CREATE TABLE pnl_a (id int PRIMARY KEY, b_id int, x int);
CREATE TABLE pnl_b (id int PRIMARY KEY, n int);
CREATE TABLE pnl_big (id int PRIMARY KEY, v int);
CREATE TABLE pnl_pair (k1 int, k2 int, w int, PRIMARY KEY (k1, k2));
INSERT INTO pnl_a SELECT g, (g * 7) % 1000 + 1, g % 100 FROM generate_series(1, 1000) g;
INSERT INTO pnl_b SELECT g, g % 7 FROM generate_series(1, 1000) g;
INSERT INTO pnl_big SELECT g, g % 10 FROM generate_series(1, 200000) g;
INSERT INTO pnl_pair SELECT g / 10, g % 10, g FROM generate_series(0, 9999) g;
ANALYZE pnl_a;
ANALYZE pnl_b;
ANALYZE pnl_big;
ANALYZE pnl_pair;
SET enable_mergejoin = off;
SET enable_memoize = off;
-- few outer rows, a big inner table with a key: probed per outer row
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id WHERE a.x = 5;
-- written the other way round
EXPLAIN SELECT * FROM pnl_big b JOIN pnl_a a ON a.b_id = b.id WHERE a.x = 5;
-- 500 outer rows: the repeated scans share their pages (Mackert-Lohman)
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id WHERE a.x < 50;
-- every outer row: hashing the smaller side is cheaper
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id;
-- a small inner table: hashed
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_b b ON a.b_id = b.id WHERE a.x = 5;
EXPLAIN SELECT * FROM pnl_a a LEFT JOIN pnl_big b ON a.b_id = b.id WHERE a.x = 5;
-- another join condition: tested by the inner scan
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id AND b.v < a.x WHERE a.x = 5;
EXPLAIN SELECT * FROM pnl_a a LEFT JOIN pnl_big b ON a.b_id = b.id AND b.v <> 3 WHERE a.x = 7;
-- a two-column key, both columns from the outer row (costs: a last-digit rounding apart)
EXPLAIN (COSTS OFF) SELECT * FROM pnl_a a JOIN pnl_pair p ON p.k1 = a.x AND p.k2 = a.id WHERE a.b_id = 8;
-- no equality: a range of the inner B-tree per outer row (`Index Cond: (id < a.b_id)`)
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON b.id < a.b_id WHERE a.x = 5;
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON b.id > a.b_id * 100 AND b.id <= a.b_id * 100 + 5 WHERE a.x = 5;
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_big b ON b.id BETWEEN a.b_id AND a.id + 3 WHERE a.x = 5;
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_b b ON a.b_id < b.id;
EXPLAIN SELECT * FROM pnl_a a LEFT JOIN pnl_big b ON b.id > a.b_id * 200 AND b.id < a.b_id * 200 + 3 WHERE a.x = 5;
-- forced: a hash join is off, so every outer row probes the key
SET enable_hashjoin = off;
EXPLAIN SELECT * FROM pnl_a a JOIN pnl_b b ON a.b_id = b.id;
SET enable_indexscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT a.id, b.n FROM pnl_a a JOIN pnl_b b ON a.b_id = b.id;
RESET enable_indexscan;
RESET enable_bitmapscan;
RESET enable_hashjoin;
-- a semi join on a unique key is an inner join (costs: semi join estimates differ)
EXPLAIN (COSTS OFF) SELECT * FROM pnl_a a WHERE EXISTS (SELECT 1 FROM pnl_big b WHERE b.id = a.b_id AND b.v = 6) AND a.x = 5;
EXPLAIN (COSTS OFF) SELECT * FROM pnl_a a WHERE NOT EXISTS (SELECT 1 FROM pnl_big b WHERE b.id = a.b_id AND b.v = 3) AND a.x = 5;
-- results
SELECT a.id, b.id, b.v FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id WHERE a.x = 5 ORDER BY a.id;
SELECT a.id, b.id, b.v FROM pnl_a a LEFT JOIN pnl_big b ON a.b_id = b.id AND b.v <> 6 WHERE a.x = 5 ORDER BY a.id;
SELECT a.id, p.w FROM pnl_a a JOIN pnl_pair p ON p.k1 = a.x AND p.k2 = a.id WHERE a.b_id = 8 ORDER BY a.id;
SELECT count(*) FROM pnl_a a WHERE NOT EXISTS (SELECT 1 FROM pnl_big b WHERE b.id = a.b_id AND b.v = 3) AND a.x = 5;
SELECT count(*) FROM pnl_a a WHERE EXISTS (SELECT 1 FROM pnl_big b WHERE b.id = a.b_id * 100) AND a.x < 10;
SELECT count(*), sum(b.v) FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id AND b.v < (SELECT max(n) FROM pnl_b) WHERE a.x < 30;
SELECT count(*), sum(b.v) FROM pnl_a a JOIN pnl_big b ON b.id < a.b_id WHERE a.x = 5;
SELECT count(*), sum(b.id) FROM pnl_a a JOIN pnl_big b ON b.id BETWEEN a.b_id AND a.id + 3 WHERE a.x = 5;
SELECT a.id, b.id FROM pnl_a a LEFT JOIN pnl_big b ON b.id > a.b_id * 200 AND b.id < a.b_id * 200 + 3 WHERE a.x = 5 ORDER BY a.id, b.id;
SELECT count(*) FROM pnl_a a JOIN pnl_b b ON a.b_id < b.id;
SELECT a.id FROM pnl_a a WHERE EXISTS (SELECT 1 FROM pnl_big b WHERE b.id = a.b_id AND b.v = 6) AND a.x = 5 ORDER BY a.id;
-- inside a correlated subquery: the ON's reference to the enclosing row moves into the inner scan too
CREATE TABLE pnl_o (k int);
INSERT INTO pnl_o VALUES (1), (2), (3), (6);
ANALYZE pnl_o;
EXPLAIN (COSTS OFF) SELECT o.k, (SELECT count(*) FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id AND b.v = o.k WHERE a.x = 5) FROM pnl_o o ORDER BY o.k;
SELECT o.k, (SELECT count(*) FROM pnl_a a JOIN pnl_big b ON a.b_id = b.id AND b.v = o.k WHERE a.x = 5) FROM pnl_o o ORDER BY o.k;
SELECT o.k, (SELECT count(*) FROM pnl_a a JOIN pnl_big b ON b.id < a.b_id AND b.v = o.k WHERE a.x = 5) FROM pnl_o o ORDER BY o.k;
DROP TABLE pnl_o;
SET enable_hashjoin = off;
SELECT count(*), sum(b.id) FROM pnl_a a JOIN pnl_b b ON a.b_id = b.id;
RESET enable_hashjoin;
RESET enable_mergejoin;
RESET enable_memoize;
DROP TABLE pnl_a, pnl_b, pnl_big, pnl_pair;
