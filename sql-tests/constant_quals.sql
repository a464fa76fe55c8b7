-- Conditions decided before any row is read (planner/constant-quals.ts): constant-false
-- WHERE clauses make the relation empty (Result, One-Time Filter: false, no scan), an
-- equivalence class equated to two constants is a one-time false over the scan, and
-- conditions on parameters or stable functions only are tested once by a gating Result.
CREATE TABLE cq_t (a int, b int, c text);
INSERT INTO cq_t SELECT g, g % 10, 'x' || (g % 7) FROM generate_series(1, 1000) g;
CREATE INDEX cq_t_a ON cq_t (a);
CREATE TABLE cq_u (a int, d int);
INSERT INTO cq_u SELECT g, g % 3 FROM generate_series(1, 200) g;
ANALYZE cq_t; ANALYZE cq_u;
-- constant false, NULL, folded comparisons
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE false;
EXPLAIN SELECT * FROM cq_t WHERE false;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE 1 = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE NULL;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE NULL::boolean AND b = 1;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE NOT true;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a = 1 AND false;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE b = 1 OR false;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a = 1 OR 1 = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE true AND b = 1;
EXPLAIN SELECT a, c FROM cq_t WHERE 1 = 2;
EXPLAIN SELECT a + 1 FROM cq_t WHERE false;
EXPLAIN SELECT 1 WHERE false;
EXPLAIN SELECT count(*) FROM cq_t WHERE false;
EXPLAIN (COSTS OFF) SELECT b FROM cq_t WHERE false ORDER BY b LIMIT 3;
SELECT * FROM cq_t WHERE false;
SELECT count(*) FROM cq_t WHERE 1 = 2;
SELECT 1 WHERE false;
-- joins over an empty relation
EXPLAIN (COSTS OFF) SELECT * FROM cq_t t1 JOIN cq_u t2 ON t1.a = t2.a WHERE false;
EXPLAIN SELECT * FROM cq_t t1 JOIN cq_u t2 ON false;
EXPLAIN SELECT t2.* FROM cq_t t1 JOIN cq_u t2 ON t1.a = t2.a WHERE 1 = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t t1 JOIN cq_u t2 ON t1.a = t2.a AND t1.a = 1 AND t2.a = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t t1 JOIN cq_u t2 ON t1.a = t2.a WHERE t1.a = 1 AND t1.a = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t t1 LEFT JOIN cq_u t2 ON t1.a = t2.a AND false;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t t1 WHERE EXISTS (SELECT 1 FROM cq_u t2 WHERE t2.a = t1.b AND false);
SELECT count(*), count(t2.a) FROM cq_t t1 LEFT JOIN cq_u t2 ON t1.a = t2.a AND false;
EXPLAIN (COSTS OFF) SELECT count(*) FROM cq_t t1 WHERE NOT EXISTS (SELECT 1 FROM cq_u t2 WHERE t2.a = t1.a AND false);
SELECT count(*) FROM cq_t t1 WHERE NOT EXISTS (SELECT 1 FROM cq_u t2 WHERE t2.a = t1.a AND false);
SELECT sum((SELECT count(*) FROM cq_u t2 WHERE t2.d = t1.b AND t1.b > 1)) FROM cq_t t1;
-- a column equated to two constants
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a = 1 AND a = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE b = 1 AND b = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE b = 2 AND b = 1;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE c = 'x' AND c = 'y';
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a = 1 AND a = 2 AND b = 3;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a = 1 AND a = 1;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a = 1 AND b = a AND b = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE b = 1 AND a = 1 AND a = 2 AND b = 2;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE a > 5 AND a < 3;
SELECT * FROM cq_t WHERE a = 1 AND a = 2;
SELECT * FROM cq_t WHERE a = 1 AND a = 1;
SELECT count(*) FROM cq_t WHERE b = 2 AND b = 1;
-- conditions on no column of the row: a gating Result, tested once
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE b = 1 AND now() > '2000-01-01' AND a = 3;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE current_user = 'postgres';
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE (SELECT 1) = 1;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE random() > 0.5;
SELECT count(*) FROM cq_t WHERE now() > '2000-01-01' AND b = 3;
EXPLAIN (COSTS OFF) SELECT * FROM cq_t WHERE now() > '2000-01-01' ORDER BY a LIMIT 3;
SELECT * FROM cq_t WHERE now() > '2000-01-01' ORDER BY a LIMIT 3;
SELECT * FROM cq_t WHERE now() < '2000-01-01' ORDER BY a LIMIT 3;
SELECT count(*) FROM cq_t WHERE now() < '2000-01-01' AND b = 3;
SET plan_cache_mode = force_generic_plan;
PREPARE cq_p1(int) AS SELECT count(*) FROM cq_t WHERE $1 > 0;
EXPLAIN (COSTS OFF) EXECUTE cq_p1(1);
EXECUTE cq_p1(1);
EXECUTE cq_p1(-1);
PREPARE cq_p2(int) AS SELECT * FROM cq_t WHERE $1 > 0 AND b = 3;
EXPLAIN (COSTS OFF) EXECUTE cq_p2(1);
PREPARE cq_p3(int) AS SELECT count(*) FROM cq_t t1 JOIN cq_t t2 ON t1.a = t2.b WHERE $1 > 0 AND t1.b = 3;
EXPLAIN (COSTS OFF) EXECUTE cq_p3(1);
EXECUTE cq_p3(1);
EXECUTE cq_p3(0);
PREPARE cq_p4(int) AS SELECT * FROM cq_t WHERE a = $1 AND a = 2;
EXPLAIN (COSTS OFF) EXECUTE cq_p4(1);
EXECUTE cq_p4(1);
EXECUTE cq_p4(2);
DEALLOCATE ALL;
RESET plan_cache_mode;
DROP TABLE cq_t, cq_u;
