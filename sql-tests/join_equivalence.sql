-- Equalities implied through join keys (planner/equivalence.ts) and AS NOT MATERIALIZED
-- CTEs inlined at each reference (planner/inline-ctes.ts): results must be PostgreSQL's.
CREATE TABLE eq_a (id int PRIMARY KEY, tag int, name text);
CREATE TABLE eq_b (id int PRIMARY KEY, a_id int, code text, big bigint);
INSERT INTO eq_a SELECT g, g % 7, 'n' || (g % 13) FROM generate_series(1, 500) g;
INSERT INTO eq_b SELECT g, g % 520, 'n' || (g % 11), g % 520 FROM generate_series(1, 3000) g;
INSERT INTO eq_b VALUES (3001, NULL, NULL, NULL);
ANALYZE eq_a; ANALYZE eq_b;
SELECT a.id, b.id FROM eq_a a JOIN eq_b b ON b.a_id = a.id WHERE a.id = 7 ORDER BY b.id;
SELECT count(*) FROM eq_a a JOIN eq_b b ON b.a_id = a.id WHERE b.a_id = 510;
SELECT count(*) FROM eq_a a, eq_b b, eq_a c WHERE a.id = b.a_id AND b.a_id = c.tag AND c.tag = 3;
SELECT a.id, b.id FROM eq_a a JOIN eq_b b ON b.a_id = a.id WHERE a.id = 7 AND b.a_id = 8;
SELECT count(*) FROM eq_a a JOIN eq_b b ON b.a_id = a.id WHERE a.id = NULL;
-- text keys; a bigint against an int (cross-type: nothing derived, same answers)
SELECT a.id, b.id FROM eq_a a JOIN eq_b b ON b.code = a.name WHERE a.name = 'n3' AND a.id < 30 ORDER BY 1, 2 LIMIT 8;
SELECT a.id, b.id FROM eq_a a JOIN eq_b b ON b.big = a.id WHERE a.id = 12 ORDER BY b.id;
-- outer joins keep their semantics
SELECT a.id, b.id FROM eq_a a LEFT JOIN eq_b b ON b.a_id = a.id AND b.id > 2990 WHERE a.id = 9 ORDER BY b.id;
SELECT a.id, b.id FROM eq_b b LEFT JOIN eq_a a ON b.a_id = a.id WHERE b.a_id = 505 ORDER BY b.id;
SELECT a.id, b.id FROM eq_b b RIGHT JOIN eq_a a ON b.a_id = a.id WHERE a.id = 13 ORDER BY b.id;
SELECT a.id, b.id FROM eq_a a LEFT JOIN eq_b b ON b.a_id = a.id WHERE a.id = 7 AND a.tag = 0 ORDER BY b.id;
SELECT a.id, count(b.id) FROM eq_a a LEFT JOIN eq_b b ON b.a_id = a.id WHERE a.id IN (3, 4) GROUP BY a.id ORDER BY 1;
SELECT count(*) FROM eq_a a FULL JOIN eq_b b ON b.a_id = a.id WHERE a.id = 7;
-- a subquery in FROM as a join input
SELECT x.name, b.id FROM (SELECT id, name FROM eq_a) x JOIN eq_b b ON b.a_id = x.id WHERE x.id = 20 ORDER BY b.id;
PREPARE eq_p(int) AS SELECT a.id, b.id FROM eq_a a JOIN eq_b b ON b.a_id = a.id WHERE a.id = $1 ORDER BY b.id;
EXECUTE eq_p(11);
EXECUTE eq_p(600);
-- NOT MATERIALIZED read twice, MATERIALIZED, and volatile
WITH x AS NOT MATERIALIZED (SELECT id, tag FROM eq_a WHERE tag = 1) SELECT count(*), sum(a.id) FROM x a JOIN x b ON a.id = b.id;
WITH x AS NOT MATERIALIZED (SELECT id, tag FROM eq_a) SELECT a.tag, b.id FROM x a JOIN x b ON a.id = b.id WHERE a.id = 5;
WITH x AS MATERIALIZED (SELECT id, tag FROM eq_a) SELECT a.tag, b.id FROM x a JOIN x b ON a.id = b.id WHERE a.id = 5;
WITH x AS NOT MATERIALIZED (SELECT id, tag FROM eq_a), y AS NOT MATERIALIZED (SELECT x.id FROM x JOIN eq_b ON eq_b.a_id = x.id) SELECT count(*) FROM y y1 JOIN y y2 ON y1.id = y2.id WHERE y1.id < 50;
WITH x AS NOT MATERIALIZED (SELECT id, random() < 2 AS r FROM eq_a) SELECT count(*) FROM x a JOIN x b ON a.id = b.id WHERE a.r;
-- a NOT MATERIALIZED body sees the WITH queries before it, not a later one of the same name as a table
WITH eq_c AS NOT MATERIALIZED (SELECT count(*) AS n FROM eq_a), eq_a AS (SELECT 1 AS id) SELECT c1.n, c2.n FROM eq_c c1, eq_c c2;
DROP TABLE eq_a, eq_b;
