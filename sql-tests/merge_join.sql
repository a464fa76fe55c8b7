-- Merge joins as PostgreSQL plans and costs them (initial/final_cost_mergejoin, the early
-- stop from the histogram ends, an ordered Index Scan or a Sort below), and their results:
-- duplicates on both sides, NULL keys, outer, semi and anti joins.
CREATE TABLE mj_a (id int PRIMARY KEY, x int);
CREATE TABLE mj_b (id int PRIMARY KEY, y int);
CREATE TABLE mj_d (k int, v int);
CREATE TABLE mj_e (k int, w int);
INSERT INTO mj_a SELECT g, g % 10 FROM generate_series(1, 1000) g;
INSERT INTO mj_b SELECT g, g % 10 FROM generate_series(1, 200) g;
INSERT INTO mj_d SELECT CASE WHEN g % 13 = 0 THEN NULL ELSE g % 40 END, g FROM generate_series(1, 400) g;
INSERT INTO mj_e SELECT CASE WHEN g % 11 = 0 THEN NULL ELSE g % 50 END, g FROM generate_series(1, 300) g;
ANALYZE mj_a;
ANALYZE mj_b;
ANALYZE mj_d;
ANALYZE mj_e;
-- an ORDER BY on the merge keys: the merge join's order, no Sort above it
EXPLAIN SELECT * FROM mj_a a JOIN mj_b b ON a.id = b.id ORDER BY a.id;
EXPLAIN SELECT * FROM mj_a a JOIN mj_b b ON a.id = b.id ORDER BY b.id;
EXPLAIN SELECT * FROM mj_a a LEFT JOIN mj_b b ON a.id = b.id ORDER BY a.id;
EXPLAIN SELECT * FROM mj_a a LEFT JOIN mj_b b ON a.id = b.id ORDER BY b.id;
SELECT a.id, b.y FROM mj_a a JOIN mj_b b ON a.id = b.id ORDER BY a.id LIMIT 5;
SET enable_hashjoin = off;
EXPLAIN SELECT * FROM mj_a a JOIN mj_b b ON a.id = b.id;
EXPLAIN SELECT * FROM mj_a a LEFT JOIN mj_b b ON a.id = b.id;
EXPLAIN SELECT * FROM mj_a a WHERE NOT EXISTS (SELECT 1 FROM mj_b b WHERE b.id = a.id);
SET enable_nestloop = off;
EXPLAIN SELECT * FROM mj_a a FULL JOIN mj_b b ON a.x = b.y;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM mj_a a FULL JOIN mj_b b ON a.x = b.y;
-- a full join with a condition that is no merge key cannot merge
EXPLAIN (COSTS OFF) SELECT * FROM mj_a a FULL JOIN mj_b b ON a.x = b.y AND a.id < b.id;
EXPLAIN (COSTS OFF) SELECT * FROM mj_d d JOIN mj_e e ON d.k = e.k;
EXPLAIN (COSTS OFF) SELECT * FROM mj_d d FULL JOIN mj_e e ON d.k = e.k;
SELECT count(*), sum(a.x), sum(b.y) FROM mj_a a JOIN mj_b b ON a.id = b.id;
SELECT count(*), count(b.id), sum(a.x) FROM mj_a a LEFT JOIN mj_b b ON a.id = b.id;
SELECT count(*), count(a.id), count(b.id), sum(a.x), sum(b.y) FROM mj_a a FULL JOIN mj_b b ON a.x = b.y;
SELECT count(*), sum(d.v), sum(e.w) FROM mj_d d JOIN mj_e e ON d.k = e.k;
SELECT count(*), count(d.v), count(e.w), sum(d.v), sum(e.w) FROM mj_d d FULL JOIN mj_e e ON d.k = e.k;
SELECT count(*), count(e.w) FROM mj_d d LEFT JOIN mj_e e ON d.k = e.k;
SELECT count(*), count(d.v) FROM mj_d d RIGHT JOIN mj_e e ON d.k = e.k;
SELECT count(*), sum(d.v) FROM mj_d d WHERE EXISTS (SELECT 1 FROM mj_e e WHERE e.k = d.k);
SELECT count(*), sum(d.v) FROM mj_d d WHERE NOT EXISTS (SELECT 1 FROM mj_e e WHERE e.k = d.k);
SELECT count(*) FROM mj_d d JOIN mj_e e ON d.k = e.k AND d.v < e.w;
SELECT d.k, d.v, e.w FROM mj_d d JOIN mj_e e ON d.k = e.k ORDER BY d.v, e.w LIMIT 5;
RESET enable_nestloop;
RESET enable_hashjoin;
-- ORDER BY … LIMIT on the merge keys: a Limit over the merge join, which stops early
CREATE TABLE mj_la (id int PRIMARY KEY, x int);
CREATE TABLE mj_lb (id int PRIMARY KEY, y int);
INSERT INTO mj_la SELECT g, g % 100 FROM generate_series(1, 20000) g;
INSERT INTO mj_lb SELECT g, g % 100 FROM generate_series(1, 20000) g;
ANALYZE mj_la;
ANALYZE mj_lb;
EXPLAIN SELECT * FROM mj_la a JOIN mj_lb b ON a.id = b.id ORDER BY a.id LIMIT 10;
EXPLAIN SELECT * FROM mj_la a JOIN mj_lb b ON a.x = b.id ORDER BY a.x LIMIT 10;
EXPLAIN SELECT * FROM mj_la a LEFT JOIN mj_lb b ON a.id = b.id ORDER BY a.id LIMIT 10 OFFSET 5;
SELECT a.id, b.y FROM mj_la a JOIN mj_lb b ON a.id = b.id ORDER BY a.id LIMIT 3 OFFSET 2;
DROP TABLE mj_la, mj_lb;
-- merging on some of the ON's equalities, in an index's order (match_unsorted_outer): an index
-- on (a, b) orders a merge on a, or on a and b however the ON lists them; an index on (a)
-- alone a merge on a, the other equality then a Join Filter. Costs left out where an index
-- has duplicate keys: PostgreSQL's B-tree deduplication makes it a few pages smaller than
-- Quiver's cost model counts it.
CREATE TABLE mj_p (a int, b int, v int);
CREATE TABLE mj_q (a int, b int, w int);
CREATE TABLE mj_r (id int PRIMARY KEY, y int);
INSERT INTO mj_p SELECT g % 500, g % 7, g FROM generate_series(1, 5000) g;
INSERT INTO mj_q SELECT g % 600, g % 5, g FROM generate_series(1, 3000) g;
INSERT INTO mj_r SELECT g, g % 10 FROM generate_series(1, 2000) g;
CREATE INDEX mj_p_ab ON mj_p (a, b);
CREATE INDEX mj_q_a ON mj_q (a);
ANALYZE mj_p;
ANALYZE mj_q;
ANALYZE mj_r;
SET enable_hashjoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT * FROM mj_p p JOIN mj_q q ON p.a = q.a;
EXPLAIN (COSTS OFF) SELECT * FROM mj_p p JOIN mj_q q ON p.b = q.b AND p.a = q.a;
EXPLAIN (COSTS OFF) SELECT * FROM mj_q q JOIN mj_r r ON r.id = q.a AND r.y = q.b;
EXPLAIN (COSTS OFF) SELECT * FROM mj_q q LEFT JOIN mj_r r ON r.id = q.a AND r.y = q.b;
EXPLAIN (COSTS OFF) SELECT * FROM mj_p p JOIN mj_r r ON r.id = p.a AND r.y = p.b;
SELECT count(*), sum(p.v), sum(q.w) FROM mj_p p JOIN mj_q q ON p.b = q.b AND p.a = q.a;
SELECT count(*), sum(q.w), sum(r.y) FROM mj_q q JOIN mj_r r ON r.id = q.a AND r.y = q.b;
SELECT count(*), count(r.id), sum(q.w) FROM mj_q q LEFT JOIN mj_r r ON r.id = q.a AND r.y = q.b;
-- ORDER BY … DESC on the merge keys: both inputs read backward or sorted DESC (NULLs first),
-- the nullable side of an outer join sorted
EXPLAIN (COSTS OFF) SELECT * FROM mj_p p JOIN mj_q q ON p.a = q.a AND p.b = q.b ORDER BY p.a DESC, p.b DESC;
EXPLAIN SELECT * FROM mj_r r1 LEFT JOIN mj_r r2 ON r1.id = r2.id ORDER BY r1.id DESC;
EXPLAIN (COSTS OFF) SELECT * FROM mj_r r1 JOIN mj_q q ON r1.id = q.a ORDER BY r1.id DESC;
EXPLAIN (COSTS OFF) SELECT * FROM mj_r r1 JOIN mj_q q ON r1.id = q.w ORDER BY r1.id DESC;
EXPLAIN (COSTS OFF) SELECT d.k FROM mj_d d LEFT JOIN mj_e e ON d.k = e.k ORDER BY d.k DESC;
SELECT d.k FROM mj_d d LEFT JOIN mj_e e ON d.k = e.k ORDER BY d.k DESC LIMIT 40;
SELECT r1.id, q.a FROM mj_r r1 JOIN mj_q q ON r1.id = q.w ORDER BY r1.id DESC LIMIT 5;
RESET enable_nestloop;
RESET enable_hashjoin;
EXPLAIN SELECT * FROM mj_r r1 JOIN mj_r r2 ON r1.id = r2.id ORDER BY r1.id DESC;
EXPLAIN SELECT * FROM mj_r r1 JOIN mj_r r2 ON r1.id = r2.id ORDER BY r1.id DESC LIMIT 10;
SELECT r1.id, r2.y FROM mj_r r1 JOIN mj_r r2 ON r1.id = r2.id ORDER BY r1.id DESC LIMIT 5;
DROP TABLE mj_p, mj_q, mj_r;
DROP TABLE mj_a, mj_b, mj_d, mj_e;
