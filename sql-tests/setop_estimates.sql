-- Estimates above set operations as PostgreSQL 15 makes them: no statistics reach above a
-- UNION, INTERSECT or EXCEPT (examine_simple_variable punts on a subquery's set operations
-- and on a UNION ALL appendrel's parent), so a condition or a grouping over one takes the
-- defaults.
CREATE TABLE se_a (id int, g int, s text) WITH (autovacuum_enabled = off);
CREATE TABLE se_b (id int, g int, s text) WITH (autovacuum_enabled = off);
INSERT INTO se_a SELECT i, i % 50, 'a' || (i % 300) FROM generate_series(1, 3000) i;
INSERT INTO se_b SELECT i, i % 70, 'b' || (i % 100) FROM generate_series(1, 2000) i;
ANALYZE se_a;
ANALYZE se_b;
EXPLAIN SELECT * FROM (SELECT g FROM se_a UNION SELECT g FROM se_b) u;
EXPLAIN SELECT * FROM (SELECT g FROM se_a UNION ALL SELECT g FROM se_b) u WHERE g = 3;
EXPLAIN SELECT * FROM (SELECT g FROM se_a EXCEPT SELECT g FROM se_b) u WHERE g < 10;
EXPLAIN SELECT * FROM (SELECT g FROM se_a INTERSECT SELECT g FROM se_b) u WHERE g = 10;
EXPLAIN SELECT * FROM (SELECT g, s FROM se_a UNION SELECT g, s FROM se_b) u WHERE g > 5 AND s LIKE 'a1%';
EXPLAIN SELECT * FROM (SELECT g FROM se_a UNION SELECT g FROM se_b) u WHERE g < 10;
EXPLAIN SELECT * FROM (SELECT g FROM se_a UNION ALL SELECT g FROM se_b) u WHERE g < 10 LIMIT 5;
EXPLAIN SELECT * FROM (SELECT g, s FROM se_a EXCEPT SELECT g, s FROM se_b) u WHERE s = 'a7' AND g = 7;
EXPLAIN SELECT * FROM (SELECT id FROM se_a INTERSECT SELECT id FROM se_b) u WHERE id BETWEEN 10 AND 20;
EXPLAIN SELECT g FROM se_a INTERSECT ALL SELECT g FROM se_b;
EXPLAIN SELECT s FROM se_a EXCEPT ALL SELECT s FROM se_b;
EXPLAIN SELECT * FROM (SELECT g, s FROM se_a UNION SELECT g, s FROM se_b) u WHERE s = 'a5';
EXPLAIN SELECT count(DISTINCT g) FROM (SELECT g FROM se_a UNION ALL SELECT id FROM se_b) u;
DROP TABLE se_a;
DROP TABLE se_b;
