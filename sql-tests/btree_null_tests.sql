-- `col IS NULL` / `col IS NOT NULL` as a btree's Index Cond (PostgreSQL's NullTest index
-- quals): IS NULL reads the index's NULL rows, IS NOT NULL makes ORDER BY … LIMIT an index
-- scan in either direction.
CREATE TABLE btn_t (a int, b int, c text);
INSERT INTO btn_t SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE g END, g % 10, CASE WHEN g % 97 = 0 THEN NULL ELSE 'x' || g END FROM generate_series(1, 2000) g;
CREATE INDEX btn_t_a ON btn_t (a);
CREATE INDEX btn_t_c ON btn_t (c);
ANALYZE btn_t;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NULL;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NOT NULL;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NOT NULL ORDER BY a LIMIT 5;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NOT NULL ORDER BY a DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NULL AND b = 3;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NOT NULL AND a < 100;
EXPLAIN (COSTS OFF) SELECT * FROM btn_t WHERE a IS NULL ORDER BY a LIMIT 3;
SELECT * FROM btn_t WHERE a IS NOT NULL ORDER BY a LIMIT 5;
SELECT * FROM btn_t WHERE a IS NOT NULL ORDER BY a DESC LIMIT 5;
SELECT count(*), count(b), sum(b) FROM btn_t WHERE a IS NULL;
SELECT count(*) FROM btn_t WHERE a IS NULL AND b = 3;
SELECT count(*) FROM btn_t WHERE a IS NULL AND b = 0;
SELECT count(*) FROM btn_t WHERE a IS NOT NULL AND a < 100;
SELECT count(*) FROM btn_t WHERE c IS NULL;
SELECT b, c FROM btn_t WHERE a IS NULL ORDER BY a, b, c LIMIT 3;
DROP TABLE btn_t;
