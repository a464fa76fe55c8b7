-- Window functions planned as PostgreSQL 15 plans them: one WindowAgg per window clause,
-- stacked so that clauses needing the same order are adjacent, a Sort (or Incremental
-- Sort) below each WindowAgg whose input is not already in its order, an index's order
-- used when cheaper, costs as cost_windowagg, and VERBOSE target lists.
CREATE TABLE wplan_a (id int PRIMARY KEY, b_id int, x text, y int);
CREATE INDEX wplan_a_b_y ON wplan_a (b_id, y);
INSERT INTO wplan_a SELECT g, g % 50, 'x' || (g % 37), g % 13 FROM generate_series(1, 2000) g;
CREATE TABLE wplan_b (id int PRIMARY KEY, name text);
INSERT INTO wplan_b SELECT g, 'b' || g FROM generate_series(0, 49) g;
ANALYZE wplan_a;
ANALYZE wplan_b;
-- one clause: a Sort on its PARTITION BY and ORDER BY keys below the WindowAgg
EXPLAIN SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY id) FROM wplan_a;
EXPLAIN SELECT id, rank() OVER (ORDER BY x DESC) FROM wplan_a;
EXPLAIN SELECT id, sum(y) OVER (PARTITION BY x) FROM wplan_a;
-- two clauses: the one with keys first, the empty one on top without a Sort
EXPLAIN (COSTS OFF) SELECT id, rank() OVER (PARTITION BY y ORDER BY x), count(*) OVER () FROM wplan_a;
-- functions of one window share one WindowAgg; a named window and an equal inline one too
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, sum(y) OVER w, avg(y) OVER w FROM wplan_a WINDOW w AS (PARTITION BY b_id);
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, sum(y) OVER w, count(*) OVER (PARTITION BY b_id) FROM wplan_a WINDOW w AS (PARTITION BY b_id);
-- the widest sort first: the clauses whose keys are a prefix of it need no Sort of their own
EXPLAIN VERBOSE SELECT id, sum(y) OVER (PARTITION BY x), row_number() OVER (PARTITION BY x ORDER BY y), rank() OVER (ORDER BY x DESC) FROM wplan_a;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, sum(y) OVER (PARTITION BY b_id), row_number() OVER (PARTITION BY b_id ORDER BY y), rank() OVER (ORDER BY x) FROM wplan_a;
EXPLAIN (COSTS OFF) SELECT id, count(*) OVER (PARTITION BY x), count(*) OVER (PARTITION BY x, y), count(*) OVER (PARTITION BY y) FROM wplan_a;
-- PostgreSQL 15 keeps two WINDOW definitions alike as two clauses; OVER (w ORDER BY …) is not OVER (PARTITION BY … ORDER BY …)
EXPLAIN (COSTS OFF) SELECT sum(y) OVER w1, avg(y) OVER w2 FROM wplan_a WINDOW w1 AS (PARTITION BY b_id), w2 AS (PARTITION BY b_id);
EXPLAIN (COSTS OFF) SELECT sum(y) OVER w1, avg(y) OVER (PARTITION BY b_id) FROM wplan_a WINDOW w1 AS (PARTITION BY b_id);
EXPLAIN (COSTS OFF) SELECT sum(y) OVER (PARTITION BY b_id), avg(y) OVER w1 FROM wplan_a WINDOW w1 AS (PARTITION BY b_id);
EXPLAIN (COSTS OFF) SELECT sum(y) OVER (w1 ORDER BY id), avg(y) OVER (PARTITION BY b_id ORDER BY id) FROM wplan_a WINDOW w1 AS (PARTITION BY b_id);
EXPLAIN (COSTS OFF) SELECT sum(y) OVER (w1 ORDER BY id), avg(y) OVER (w1 ORDER BY id) FROM wplan_a WINDOW w1 AS (PARTITION BY b_id);
EXPLAIN (COSTS OFF, VERBOSE) SELECT rank() OVER (ORDER BY y), sum(y) OVER w1, count(*) OVER (PARTITION BY y) FROM wplan_a WINDOW w1 AS (PARTITION BY y ORDER BY b_id);
SELECT id, sum(y) OVER w1, avg(y) OVER w2, count(*) OVER (w1 ORDER BY id) FROM wplan_a WINDOW w1 AS (PARTITION BY b_id), w2 AS (PARTITION BY b_id) ORDER BY id LIMIT 3;
-- equal keys, different frames: two WindowAggs, one Sort
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, sum(y) OVER (PARTITION BY b_id ORDER BY y ROWS 1 PRECEDING), row_number() OVER (PARTITION BY b_id ORDER BY y) FROM wplan_a;
-- a PARTITION BY key the ORDER BY names too takes its direction
EXPLAIN (COSTS OFF) SELECT id, rank() OVER (PARTITION BY y ORDER BY y DESC, id) FROM wplan_a;
-- over an aggregate
EXPLAIN VERBOSE SELECT b_id, sum(y), rank() OVER (ORDER BY sum(y)) FROM wplan_a GROUP BY b_id;
SELECT b_id, sum(y), rank() OVER (ORDER BY sum(y) DESC, b_id) FROM wplan_a GROUP BY b_id ORDER BY 3 LIMIT 5;
-- a key fixed by = orders nothing; the leading keys' order: an Incremental Sort
EXPLAIN VERBOSE SELECT id, lag(x) OVER (ORDER BY y, id), lead(x, 2) OVER (PARTITION BY b_id ORDER BY y, id) FROM wplan_a WHERE b_id = 3;
SELECT id, lag(x) OVER (ORDER BY y, id), lead(x, 2) OVER (PARTITION BY b_id ORDER BY y, id) FROM wplan_a WHERE b_id = 3 ORDER BY id LIMIT 6;
-- an index in the window's order replaces the Sort
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (ORDER BY id) FROM wplan_a;
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY y) FROM wplan_a WHERE b_id < 5;
-- a range read through an index is read in its order; where the index's heap reads cost more, a Bitmap Heap Scan and a Sort
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (ORDER BY id) FROM wplan_a WHERE id > 1990;
SELECT id, row_number() OVER (ORDER BY id DESC) FROM wplan_a WHERE id > 1990 ORDER BY id LIMIT 3;
EXPLAIN (COSTS OFF) SELECT id, rank() OVER (PARTITION BY b_id ORDER BY y) FROM wplan_a WHERE b_id = 4;
SELECT id, rank() OVER (PARTITION BY b_id ORDER BY y, id) FROM wplan_a WHERE b_id = 4 ORDER BY id LIMIT 3;
-- the query's ORDER BY: no Sort when the last WindowAgg's order gives it, else one on top
EXPLAIN SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY id) FROM wplan_a ORDER BY b_id;
EXPLAIN SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY id) FROM wplan_a ORDER BY id;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY id) AS rn FROM wplan_a ORDER BY rn, id LIMIT 3;
-- ranking functions number rows as they come: a Limit above stops the input early
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (ORDER BY id), rank() OVER (ORDER BY id) FROM wplan_a ORDER BY id LIMIT 5;
SELECT id, row_number() OVER (ORDER BY id), rank() OVER (ORDER BY id) FROM wplan_a ORDER BY id LIMIT 5;
SELECT y, rank() OVER (ORDER BY y), dense_rank() OVER (ORDER BY y) FROM wplan_a WHERE id % 100 = 0 ORDER BY y LIMIT 8;
SELECT b_id, rank() OVER (PARTITION BY b_id ORDER BY y), dense_rank() OVER (PARTITION BY b_id ORDER BY y), row_number() OVER (PARTITION BY b_id) > 0 AS numbered FROM wplan_a WHERE id % 97 = 0 ORDER BY b_id, y, id;
SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY id) AS rn FROM wplan_a ORDER BY rn, id LIMIT 3;
-- ranking functions number rows as they come: a Limit above stops the input early
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (ORDER BY id), rank() OVER (ORDER BY id) FROM wplan_a ORDER BY id LIMIT 5;
SELECT id, row_number() OVER (ORDER BY id), rank() OVER (ORDER BY id) FROM wplan_a ORDER BY id LIMIT 5;
SELECT y, rank() OVER (ORDER BY y), dense_rank() OVER (ORDER BY y) FROM wplan_a WHERE id % 100 = 0 ORDER BY y LIMIT 8;
SELECT b_id, rank() OVER (PARTITION BY b_id ORDER BY y), dense_rank() OVER (PARTITION BY b_id ORDER BY y), row_number() OVER (PARTITION BY b_id) > 0 AS numbered FROM wplan_a WHERE id % 97 = 0 ORDER BY b_id, y, id;
-- over a join
EXPLAIN (COSTS OFF) SELECT a.id, b.name, rank() OVER (PARTITION BY b.name ORDER BY a.y, a.id) FROM wplan_a a JOIN wplan_b b ON a.b_id = b.id;
SELECT a.id, b.name, rank() OVER (PARTITION BY b.name ORDER BY a.y, a.id) FROM wplan_a a JOIN wplan_b b ON a.b_id = b.id ORDER BY 3, 1 LIMIT 4;
-- enable_sort off: the Sort still runs, priced out (disable_cost); an index's order wins where there is one
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (PARTITION BY b_id ORDER BY y) FROM wplan_a;
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (PARTITION BY x) FROM wplan_a;
RESET enable_sort;
SET enable_incremental_sort = off;
EXPLAIN (COSTS OFF) SELECT id, lag(x) OVER (ORDER BY y, id), lead(x, 2) OVER (PARTITION BY b_id ORDER BY y) FROM wplan_a WHERE b_id = 3;
RESET enable_incremental_sort;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (ORDER BY id) FROM wplan_a;
RESET enable_indexscan;
-- the rows: every function over its own window, whatever the stack's order
SELECT id, b_id, y,
       row_number() OVER (PARTITION BY b_id ORDER BY id) AS rn,
       sum(y) OVER (PARTITION BY b_id) AS part_sum,
       rank() OVER (ORDER BY y DESC) AS y_rank,
       count(*) OVER () AS n,
       sum(id) OVER (PARTITION BY b_id ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS slide
FROM wplan_a WHERE id <= 120 ORDER BY id LIMIT 12;
SELECT x, count(*) OVER (PARTITION BY x) AS c, dense_rank() OVER (ORDER BY x) AS d FROM wplan_a WHERE id % 100 = 0 ORDER BY x, id;
-- an expression key is sorted on as computed below (PostgreSQL: a reference to the scan's column)
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (PARTITION BY x || 'a' ORDER BY id) FROM wplan_a;
SELECT id, row_number() OVER (PARTITION BY x || 'a' ORDER BY id) FROM wplan_a ORDER BY id LIMIT 4;
-- NULL keys, -0 and 0 in one partition, equal keys written in another order
CREATE TABLE wplan_c (id int PRIMARY KEY, x text, y int, f float8);
INSERT INTO wplan_c SELECT g, CASE WHEN g % 11 = 0 THEN NULL ELSE 'x' || (g % 5) END, CASE WHEN g % 13 = 0 THEN NULL ELSE g % 4 END, (g % 3) - 1.0 FROM generate_series(1, 60) g;
INSERT INTO wplan_c VALUES (100, 'z', NULL, -0.0), (101, NULL, 1, 0.0);
ANALYZE wplan_c;
SELECT f, count(*) OVER (PARTITION BY f) FROM wplan_c WHERE id >= 99 OR id < 4 ORDER BY id;
SELECT id, sum(y) OVER (PARTITION BY x ORDER BY y NULLS FIRST, id), rank() OVER (PARTITION BY x ORDER BY y DESC) FROM wplan_c ORDER BY id LIMIT 10;
SELECT x, y, row_number() OVER (PARTITION BY x, y ORDER BY id), count(*) OVER (PARTITION BY y, x) FROM wplan_c ORDER BY id LIMIT 6;
EXPLAIN (COSTS OFF) SELECT x, y, row_number() OVER (PARTITION BY x, y ORDER BY id), count(*) OVER (PARTITION BY y, x) FROM wplan_c;
SELECT DISTINCT x, count(*) OVER (PARTITION BY x) FROM wplan_c ORDER BY 1;
EXPLAIN (COSTS OFF) SELECT id, row_number() OVER (ORDER BY id DESC) FROM wplan_c;
DROP TABLE wplan_c;
DROP TABLE wplan_a;
DROP TABLE wplan_b;
