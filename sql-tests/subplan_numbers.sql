-- SubPlan / InitPlan numbers and the parameters InitPlans return ($0, $1, …) as PostgreSQL 15
-- numbers them (planner/subplan-numbers.ts): a subquery after the subqueries inside it; the
-- select list before the WHERE, WHERE before HAVING; WITH queries first; correlated SubPlans
-- take a parameter per outer column; every InitPlan of a query under the query's top node.
CREATE TABLE sn_a (id int, g int);
CREATE TABLE sn_b (id int, g int);
CREATE TABLE sn_c (id int, g int);
INSERT INTO sn_a SELECT x, x % 5 FROM generate_series(1, 50) x;
INSERT INTO sn_b SELECT x, x % 7 FROM generate_series(1, 70) x;
INSERT INTO sn_c SELECT x, x % 3 FROM generate_series(1, 30) x;
ANALYZE sn_a, sn_b, sn_c;
EXPLAIN (COSTS OFF) SELECT (SELECT max(id) FROM sn_b), (SELECT min(g) FROM sn_c);
EXPLAIN (COSTS OFF) SELECT * FROM sn_a WHERE id = (SELECT max(id) FROM sn_b) OR g = (SELECT min(g) FROM sn_c);
EXPLAIN (COSTS OFF) SELECT * FROM sn_a a WHERE id > (SELECT avg(id) FROM sn_b) AND g < (SELECT avg(g) FROM sn_c c WHERE c.id = a.id);
EXPLAIN (COSTS OFF) SELECT (SELECT count(*) FROM sn_b b WHERE b.g = a.g), (SELECT max(g) FROM sn_c), id FROM sn_a a WHERE id < 3;
EXPLAIN (COSTS OFF) SELECT * FROM sn_a WHERE id = (SELECT max(id) FROM sn_b WHERE g = (SELECT min(g) FROM sn_c));
EXPLAIN (COSTS OFF) SELECT (SELECT max(id) FROM sn_b) + (SELECT max(g) FROM sn_c) AS x, (SELECT sum(id) FROM sn_a);
EXPLAIN (COSTS OFF) SELECT id, (SELECT max(g) FROM sn_b b WHERE b.id = a.id), (SELECT min(g) FROM sn_c c WHERE c.id > a.id) FROM sn_a a WHERE id = (SELECT 5);
EXPLAIN (COSTS OFF) SELECT a.g, count(*) FROM sn_a a WHERE a.id > (SELECT 2) GROUP BY a.g HAVING count(*) > (SELECT 3);
EXPLAIN (COSTS OFF) SELECT * FROM sn_a WHERE g = (SELECT 1) UNION ALL SELECT * FROM sn_b WHERE g = (SELECT 2);
EXPLAIN (COSTS OFF) WITH c AS MATERIALIZED (SELECT * FROM sn_c WHERE g = (SELECT 1)) SELECT * FROM c WHERE id = (SELECT 7);
-- a condition on an InitPlan filters the scan below the join, as one on a constant
EXPLAIN (COSTS OFF) SELECT * FROM sn_a a JOIN sn_b b ON a.id = b.g WHERE a.g > (SELECT 1) AND b.id < (SELECT 60);
SELECT count(*) FROM sn_a a JOIN sn_b b ON a.id = b.g WHERE a.g > (SELECT 1) AND b.id < (SELECT 60);
EXPLAIN (COSTS OFF) SELECT * FROM sn_a a, sn_c c WHERE a.id = c.g AND a.g = (SELECT max(g) FROM sn_b);
EXPLAIN (COSTS OFF) UPDATE sn_a SET g = 0 WHERE g = (SELECT 3);
EXPLAIN (COSTS OFF) DELETE FROM sn_a WHERE g = (SELECT 3) OR id > (SELECT 5);
EXPLAIN (VERBOSE, COSTS OFF) SELECT (SELECT max(id) FROM sn_b), (SELECT min(g) FROM sn_c);
SELECT (SELECT max(id) FROM sn_b), (SELECT min(g) FROM sn_c);
SELECT count(*) FROM sn_a WHERE id = (SELECT max(id) FROM sn_b WHERE g = (SELECT min(g) FROM sn_c)) OR g = (SELECT 4);
DROP TABLE sn_a, sn_b, sn_c;
