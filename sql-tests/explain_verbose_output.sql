-- EXPLAIN VERBOSE's Output: column names qualified only when PostgreSQL's range table has
-- more than one entry (a second table, a subquery in FROM, a view, a subquery anywhere),
-- with the name the query reads the table by (its alias); scan conditions always qualified.
CREATE TABLE evo_a (id int, g int, t text);
CREATE TABLE evo_b (id int, h int);
INSERT INTO evo_a SELECT x, x % 5, 'x' FROM generate_series(1, 50) x;
INSERT INTO evo_b SELECT x, x % 7 FROM generate_series(1, 70) x;
ANALYZE evo_a, evo_b;
CREATE VIEW evo_v AS SELECT id, g FROM evo_a WHERE g > 0;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM evo_a;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, g + 1 FROM evo_a a WHERE g = 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, g + 1 FROM evo_a WHERE g = 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM evo_a UNION ALL SELECT id FROM evo_b;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM (SELECT id, g * 2 AS g2 FROM evo_a) s WHERE g2 > 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id, (SELECT max(h) FROM evo_b b WHERE b.id = a.id) FROM evo_a a;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, (SELECT 1) FROM evo_a WHERE g = 2;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM evo_v;
EXPLAIN (VERBOSE, COSTS OFF) SELECT (SELECT 1);
EXPLAIN (VERBOSE, COSTS OFF) WITH w AS MATERIALIZED (SELECT id FROM evo_a) SELECT * FROM w;
-- a table read again in a subquery or another branch: named evo_a_1, evo_a_2 (unique in the statement)
EXPLAIN (COSTS OFF) SELECT id FROM evo_a UNION ALL SELECT id FROM evo_a;
EXPLAIN (COSTS OFF) SELECT id FROM evo_a WHERE g > (SELECT avg(g) FROM evo_a) AND id < (SELECT max(id) - 5 FROM evo_a);
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM evo_a WHERE g > (SELECT avg(g) FROM evo_a WHERE t <> 'y');
EXPLAIN (VERBOSE, COSTS OFF) SELECT (SELECT max(h) FROM evo_b), (SELECT min(h) FROM evo_b);
DROP VIEW evo_v;
DROP TABLE evo_a, evo_b;
