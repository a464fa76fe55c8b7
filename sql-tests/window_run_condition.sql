-- A WindowAgg's Run Condition (PostgreSQL 15): a WHERE over a subquery's monotonic window
-- function stops the WindowAgg at the first row failing it
CREATE TABLE wrc_t (id int PRIMARY KEY, g int, v int);
INSERT INTO wrc_t SELECT i, i % 3, i % 5 FROM generate_series(1, 20) i;
ANALYZE wrc_t;
-- no PARTITION BY: the Run Condition replaces the WHERE
EXPLAIN SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE rn <= 3;
SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE rn <= 3;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE 3 >= rn;
SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE 3 >= rn;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v, rank() OVER (ORDER BY v) r FROM wrc_t) s WHERE r < 5;
SELECT * FROM (SELECT id, v, rank() OVER (ORDER BY v) r FROM wrc_t) s WHERE r < 5 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v, dense_rank() OVER (ORDER BY v) r FROM wrc_t) s WHERE r <= 2;
SELECT * FROM (SELECT id, v, dense_rank() OVER (ORDER BY v) r FROM wrc_t) s WHERE r <= 2 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v, count(*) OVER (ORDER BY v) c FROM wrc_t) s WHERE c <= 8;
SELECT * FROM (SELECT id, v, count(*) OVER (ORDER BY v) c FROM wrc_t) s WHERE c <= 8 ORDER BY id;
-- count(*) over the whole partition is one value: both directions, = and > too
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, count(*) OVER () c FROM wrc_t) s WHERE c = 20;
SELECT count(*) FROM (SELECT id, count(*) OVER () c FROM wrc_t) s WHERE c = 20;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, count(*) OVER () c FROM wrc_t) s WHERE c > 25;
SELECT * FROM (SELECT id, count(*) OVER () c FROM wrc_t) s WHERE c > 25;
-- a frame ending at the partition's end: count decreases as the rows go on
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) c FROM wrc_t) s WHERE c >= 18;
SELECT * FROM (SELECT id, count(*) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) c FROM wrc_t) s WHERE c >= 18 ORDER BY id;
-- with a parameter
PREPARE wrc_p(int) AS SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id DESC) rn FROM wrc_t) s WHERE rn <= $1;
EXECUTE wrc_p(2);
DEALLOCATE wrc_p;
-- an uncorrelated subquery is a constant too (an InitPlan)
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE rn <= (SELECT 2);
SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE rn <= (SELECT 2);
SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE rn = (SELECT 2);
-- with PARTITION BY: the rows of a partition after the first failing one are skipped
SELECT * FROM (SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM wrc_t) s WHERE rn <= 2 ORDER BY g, rn;
SELECT * FROM (SELECT id, g, v, rank() OVER (PARTITION BY g ORDER BY v) r FROM wrc_t) s WHERE r < 3 ORDER BY g, r, id;
SELECT * FROM (SELECT id, g, v, dense_rank() OVER (PARTITION BY g ORDER BY v DESC) r FROM wrc_t) s WHERE r <= 2 ORDER BY g, r, id;
SELECT * FROM (SELECT id, g, v, count(*) OVER (PARTITION BY g ORDER BY v) c FROM wrc_t) s WHERE c <= 3 ORDER BY g, c, id;
-- = keeps the WHERE (the Run Condition is <=)
SELECT * FROM (SELECT id, g, v, count(*) OVER (PARTITION BY g ORDER BY v) c FROM wrc_t) s WHERE c = 3 ORDER BY id;
SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM wrc_t) s WHERE rn = 4;
-- > on an increasing function: no Run Condition, rows filtered
SELECT * FROM (SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY id) rn FROM wrc_t) s WHERE rn > 5 ORDER BY id;
-- not monotonic: sum, ntile, lag get no Run Condition
SELECT * FROM (SELECT id, v, sum(v) OVER (ORDER BY id) sv FROM wrc_t) s WHERE sv < 10 ORDER BY id;
SELECT * FROM (SELECT id, ntile(4) OVER (ORDER BY id) t FROM wrc_t) s WHERE t <= 1 ORDER BY id;
-- a WHERE on another column and a Run Condition together
SELECT * FROM (SELECT id, g, rank() OVER (PARTITION BY g ORDER BY v) r FROM wrc_t) s WHERE r < 3 AND id > 10 ORDER BY id;
-- the Run Condition in a join's input
SELECT s.id, s.rn, t2.v FROM (SELECT id, row_number() OVER (ORDER BY id DESC) rn FROM wrc_t) s JOIN wrc_t t2 ON t2.id = s.id WHERE s.rn <= 3 ORDER BY s.id;
-- count(x) has no support function in PostgreSQL 15: no Run Condition
SELECT * FROM (SELECT id, count(id) OVER (ORDER BY id) c FROM wrc_t) s WHERE c < 5 ORDER BY id;
-- two window clauses: the lower WindowAgg takes the Run Condition and hands the failing rows
-- on (NULL), the top one filters them
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, count(*) OVER (ORDER BY v) c FROM wrc_t) s WHERE rn <= 3;
SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, count(*) OVER (ORDER BY v) c FROM wrc_t) s WHERE rn <= 3 ORDER BY id;
EXPLAIN (COSTS OFF) SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, count(*) OVER (ORDER BY v) c FROM wrc_t) s WHERE c <= 8;
SELECT * FROM (SELECT id, v, row_number() OVER (ORDER BY id) rn, count(*) OVER (ORDER BY v) c FROM wrc_t) s WHERE c <= 8 ORDER BY id;
SELECT * FROM (SELECT id, g, v, rank() OVER (PARTITION BY g ORDER BY v) r, sum(v) OVER (ORDER BY id) sv FROM wrc_t) s WHERE r < 3 ORDER BY id;
SELECT * FROM (SELECT id, g, v, row_number() OVER (PARTITION BY g ORDER BY id) rn, count(*) OVER (PARTITION BY v ORDER BY id) c FROM wrc_t) s WHERE rn <= 3 AND c <= 2 ORDER BY id;
DROP TABLE wrc_t;
