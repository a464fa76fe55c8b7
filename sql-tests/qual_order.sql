-- A scan's conditions in PostgreSQL's order (planner/constant-quals.ts): the equalities it
-- makes equivalence classes of come after the other conditions, then all are sorted by cost,
-- stably (order_qual_clauses).
CREATE TABLE qo_t (a int, b int, c text, d bigint, v varchar(10));
INSERT INTO qo_t SELECT g, g % 10, 'x' || g, g, 'v' || (g % 4) FROM generate_series(1, 100) g;
ANALYZE qo_t;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = 1 AND c > 'a';
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = 1 AND c > 'a' AND a = 5;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE c = 'x' AND b > 1;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = 1 AND d = 5;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE d = 5 AND b > 1;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = a AND c > 'a';
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = 1 AND (c > 'a' OR a = 5);
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE (c > 'a' OR a = 5) AND b = 1;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = 1 AND a + 1 = 5;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE a + 1 = 5 AND b = 1;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b = 1 AND c LIKE 'x%';
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE b IN (1, 2) AND a = 3 AND c LIKE 'x%';
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE v = 'v1' AND b < 5;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE a IS NOT NULL AND b = 2 AND c <> 'x3';
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE a BETWEEN 10 AND 20.5;
EXPLAIN (COSTS OFF) SELECT * FROM qo_t WHERE c > 'x5'::varchar AND b < 3;
SELECT count(*) FROM qo_t WHERE b = 1 AND (c > 'a' OR a = 5);
SELECT a FROM qo_t WHERE v = 'v1' AND b < 5 ORDER BY a LIMIT 3;
DROP TABLE qo_t;
