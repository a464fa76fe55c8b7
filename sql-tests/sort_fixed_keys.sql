-- ORDER BY keys the WHERE fixes to a constant or parameter are not sorted on (PostgreSQL's
-- redundant pathkeys): the sort keeps the other keys, or goes.
CREATE TABLE sfk_t (a int, b int, c text);
INSERT INTO sfk_t SELECT g, g % 10, 'x' FROM generate_series(1,1000) g;
ANALYZE sfk_t;
EXPLAIN (COSTS OFF) SELECT * FROM sfk_t WHERE b = 3 ORDER BY b, a;
EXPLAIN (COSTS OFF) SELECT * FROM sfk_t WHERE b = 3 ORDER BY b LIMIT 5;
EXPLAIN (COSTS OFF) SELECT a, b AS bb FROM sfk_t WHERE b = 3 ORDER BY bb DESC, a DESC LIMIT 5;
EXPLAIN (COSTS OFF) SELECT * FROM sfk_t WHERE b = 3 AND a > 5 ORDER BY a, b;
EXPLAIN SELECT * FROM sfk_t WHERE b = 3 ORDER BY b, a;
SELECT a, b FROM sfk_t WHERE b = 3 ORDER BY b, a DESC LIMIT 3;
SELECT a FROM sfk_t WHERE b = 3 ORDER BY b LIMIT 2 OFFSET 1;
PREPARE p(int) AS SELECT * FROM sfk_t WHERE b = $1 ORDER BY b, a LIMIT 2;
EXECUTE p(4);
DROP TABLE sfk_t;
