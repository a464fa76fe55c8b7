-- Nested loops: the inner side under a Materialize when that is cheaper (cost_material,
-- cost_rescan), PostgreSQL's nested-loop costs (final_cost_nestloop, with the early stop
-- of semi and anti joins), both orders of two relations tried, neqjoinsel, enable_material,
-- work_mem, and a function scan's alias.
CREATE TABLE nlm_a (id int PRIMARY KEY, x int);
CREATE TABLE nlm_b (id int PRIMARY KEY, y int);
CREATE TABLE nlm_c (id int, z int);
INSERT INTO nlm_a SELECT g, g % 100 FROM generate_series(1, 1000) g;
INSERT INTO nlm_b SELECT g, g % 50 FROM generate_series(1, 200) g;
INSERT INTO nlm_c SELECT g, g FROM generate_series(1, 20) g;
ANALYZE nlm_a;
ANALYZE nlm_b;
ANALYZE nlm_c;
EXPLAIN SELECT * FROM nlm_a, nlm_b WHERE nlm_a.x < nlm_b.y;
-- written the other way round: the smaller side is still the one held
EXPLAIN SELECT * FROM nlm_b, nlm_a WHERE nlm_a.x < nlm_b.y;
EXPLAIN SELECT * FROM nlm_a, nlm_c WHERE nlm_a.x < nlm_c.z;
EXPLAIN SELECT * FROM nlm_a a JOIN nlm_b b ON a.x <> b.y;
EXPLAIN SELECT * FROM nlm_a a LEFT JOIN nlm_c c ON a.x < c.z;
EXPLAIN SELECT * FROM nlm_a a, generate_series(1, 10) g WHERE a.x < g;
EXPLAIN (COSTS OFF) SELECT * FROM nlm_a a JOIN nlm_b b ON a.id = b.id JOIN nlm_c c ON c.z > b.y;
EXPLAIN (COSTS OFF) SELECT * FROM nlm_a a WHERE EXISTS (SELECT 1 FROM nlm_c c WHERE a.x < c.z);
EXPLAIN (COSTS OFF) SELECT * FROM nlm_a a WHERE NOT EXISTS (SELECT 1 FROM nlm_c c WHERE a.x < c.z);
EXPLAIN (COSTS OFF) SELECT * FROM nlm_a a WHERE EXISTS (SELECT 1 FROM nlm_c c WHERE a.x <> c.z);
-- one outer row: nothing to rescan, nothing held
EXPLAIN (COSTS OFF) SELECT * FROM nlm_c WHERE id = 1 AND EXISTS (SELECT 1 FROM nlm_b WHERE y < nlm_c.z);
SET enable_material = off;
EXPLAIN SELECT * FROM nlm_a, nlm_c WHERE nlm_a.x < nlm_c.z;
RESET enable_material;
-- past work_mem the held rows' pages are charged
SET work_mem = '64kB';
EXPLAIN SELECT * FROM nlm_c, nlm_a WHERE nlm_a.x < nlm_c.z;
RESET work_mem;
SELECT count(*) FROM nlm_a, nlm_b WHERE nlm_a.x < nlm_b.y;
SELECT count(*) FROM nlm_a a WHERE NOT EXISTS (SELECT 1 FROM nlm_c c WHERE a.x < c.z);
SELECT count(*) FROM nlm_a a LEFT JOIN nlm_c c ON a.x < c.z;
-- a subquery's (or an inlined WITH query's) Sort as the inner side: PostgreSQL reads it
-- through a SubqueryScan (cpu_tuple_cost a row, the node dropped from the plan but its cost
-- kept above), which holds nothing, so a Materialize goes over it when cheaper
EXPLAIN SELECT * FROM nlm_a a, (SELECT y, count(*) FROM nlm_b GROUP BY y ORDER BY y) s;
EXPLAIN SELECT * FROM nlm_a a, (SELECT * FROM nlm_b ORDER BY y) s;
EXPLAIN WITH w AS (SELECT y, count(*) FROM nlm_b GROUP BY y ORDER BY y) SELECT * FROM nlm_a a CROSS JOIN w;
EXPLAIN SELECT * FROM nlm_a a, (SELECT * FROM nlm_b ORDER BY y LIMIT 50) s;
SET enable_material = off;
EXPLAIN SELECT * FROM nlm_a a, (SELECT y, count(*) FROM nlm_b GROUP BY y ORDER BY y) s;
RESET enable_material;
SELECT count(*), sum(s.count) FROM nlm_a a, (SELECT y, count(*) FROM nlm_b GROUP BY y ORDER BY y) s WHERE a.x < s.y;
DROP TABLE nlm_a, nlm_b, nlm_c;
