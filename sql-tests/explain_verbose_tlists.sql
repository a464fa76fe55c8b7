-- EXPLAIN VERBOSE's Output on every node as PostgreSQL's createplan.c builds the target
-- lists: a scan under a join's outer side or an aggregate hands on all its columns (the
-- physical tlist); under a Hash, Sort or Materialize only the columns needed above; the
-- top node computes the select list plus the sort keys it needs; Limit, Sort and Hash
-- show their input's columns.
CREATE TABLE vt_a (id int PRIMARY KEY, b_id int, x text, y int);
CREATE TABLE vt_b (id int PRIMARY KEY, name text, z int);
INSERT INTO vt_a SELECT g, g % 50, 'x' || g, g % 7 FROM generate_series(1, 2000) g;
INSERT INTO vt_b SELECT g, 'n' || g, g % 3 FROM generate_series(1, 50) g;
ANALYZE vt_a, vt_b;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.x, b.name FROM vt_a a JOIN vt_b b ON a.b_id = b.id WHERE a.y = 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.x FROM vt_a a WHERE a.y = 3 ORDER BY a.id LIMIT 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT b_id, count(*) FROM vt_a GROUP BY b_id HAVING count(*) > 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM (SELECT x, y FROM vt_a WHERE y > 2) s ORDER BY x LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT x FROM vt_a ORDER BY y, x LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT b_id, sum(y) FROM vt_a GROUP BY b_id ORDER BY 2 DESC;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.x FROM vt_a a WHERE EXISTS (SELECT 1 FROM vt_b b WHERE b.id = a.b_id AND b.z = 1);
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id, b.id FROM vt_a a JOIN vt_b b ON a.y < b.z WHERE a.id < 10;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM vt_a a JOIN vt_b b ON a.b_id = b.id;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.y, b.name FROM vt_a a LEFT JOIN vt_b b ON a.b_id = b.id ORDER BY b.name;
EXPLAIN (VERBOSE, COSTS OFF) SELECT DISTINCT b_id FROM vt_a;
EXPLAIN (VERBOSE, COSTS OFF) SELECT x, y FROM vt_a WHERE id = 5;
EXPLAIN (VERBOSE, COSTS OFF) SELECT y + 1, x FROM vt_a WHERE y = 3 ORDER BY id DESC LIMIT 2;
CREATE TABLE vt_c (id int PRIMARY KEY, a_id int, w int);
INSERT INTO vt_c SELECT g, g % 2000 + 1, g % 11 FROM generate_series(1, 4000) g;
ANALYZE vt_c;
EXPLAIN (VERBOSE, COSTS OFF) SELECT c.w, a.x, b.name FROM vt_c c JOIN vt_a a ON c.a_id = a.id JOIN vt_b b ON a.b_id = b.id WHERE c.w = 4;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id, (SELECT b.name FROM vt_b b WHERE b.id = a.b_id) FROM vt_a a WHERE a.id < 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*), max(id) FROM vt_a WHERE id < 100;
EXPLAIN (VERBOSE, COSTS OFF) SELECT b_id, avg(y) FROM vt_a WHERE x LIKE 'x1%' GROUP BY b_id ORDER BY b_id;
DROP TABLE vt_a, vt_b, vt_c;
