-- Bitmap Heap Scans over B-tree indexes: BitmapOr, BitmapAnd, one index's range on an
-- uncorrelated column; the Index Scan on a correlated column; enable_bitmapscan.
CREATE TABLE btbm_t (id int PRIMARY KEY, a int, b int, c int, t text);
CREATE INDEX btbm_t_a ON btbm_t (a);
CREATE INDEX btbm_t_b ON btbm_t (b);
CREATE INDEX btbm_t_c ON btbm_t (c);
INSERT INTO btbm_t SELECT g, g % 100, (g * 7919) % 1000, g, 't' || g FROM generate_series(1, 20000) g;
UPDATE btbm_t SET a = NULL WHERE id % 997 = 0;
ANALYZE btbm_t;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE a = 1 OR a = 5 OR b = 7;
SELECT count(*), sum(id), min(id), max(id) FROM btbm_t WHERE a = 1 OR a = 5 OR b = 7;
SELECT id, a, b FROM btbm_t WHERE a = 1 OR a = 5 OR b = 7 ORDER BY id LIMIT 8;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE b BETWEEN 100 AND 130;
SELECT count(*), sum(id), sum(b) FROM btbm_t WHERE b BETWEEN 100 AND 130;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE c BETWEEN 1000 AND 3000;
SELECT count(*), sum(id) FROM btbm_t WHERE c BETWEEN 1000 AND 3000;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE a = 1 AND b < 100;
SELECT id, a, b FROM btbm_t WHERE a = 1 AND b < 100 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE (a = 1 OR a = 2) AND b < 100;
SELECT id, a, b FROM btbm_t WHERE (a = 1 OR a = 2) AND b < 100 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE (a = 1 OR b = 7) AND t LIKE 't1%';
SELECT id, a, b, t FROM btbm_t WHERE (a = 1 OR b = 7) AND t LIKE 't1%' ORDER BY id;
SELECT count(*) FROM btbm_t WHERE a = 1 OR a IS NULL OR b = 3;
SELECT count(*) FROM btbm_t WHERE a = 1 AND a = 2;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM btbm_t WHERE a = 1 OR a = 5 OR b = 7;
SELECT count(*), sum(id), min(id), max(id) FROM btbm_t WHERE a = 1 OR a = 5 OR b = 7;
RESET enable_bitmapscan;
DROP TABLE btbm_t;
