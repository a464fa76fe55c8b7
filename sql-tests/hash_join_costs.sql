-- Hash joins costed as PostgreSQL's final_cost_hashjoin (bucket sizes from the statistics,
-- the early stop of a unique inner side and of semi / anti joins), page counts as its heap
-- would hold the rows, and widths of the columns each node hands on.
CREATE TABLE hjc_a (id int PRIMARY KEY, x int, b_id int);
CREATE TABLE hjc_b (id int PRIMARY KEY, y int);
CREATE TABLE hjc_c (id int, z int);
CREATE TABLE hjc_d (k int, v text);
INSERT INTO hjc_a SELECT g, g % 100, g % 200 + 1 FROM generate_series(1, 1000) g;
INSERT INTO hjc_b SELECT g, g % 50 FROM generate_series(1, 200) g;
INSERT INTO hjc_c SELECT g, g % 7 FROM generate_series(1, 5000) g;
INSERT INTO hjc_d SELECT g % 300, 'v' || g FROM generate_series(1, 3000) g;
ANALYZE hjc_a;
ANALYZE hjc_b;
ANALYZE hjc_c;
ANALYZE hjc_d;
EXPLAIN SELECT * FROM hjc_a a JOIN hjc_b b ON a.b_id = b.id;
EXPLAIN SELECT * FROM hjc_a a JOIN hjc_b b ON a.b_id = b.id WHERE b.y < 10;
EXPLAIN SELECT * FROM hjc_a a JOIN hjc_c c ON a.x = c.z;
EXPLAIN SELECT * FROM hjc_c c JOIN hjc_d d ON c.id = d.k;
EXPLAIN SELECT * FROM hjc_c c JOIN hjc_d d ON c.z = d.k;
EXPLAIN SELECT * FROM hjc_a a LEFT JOIN hjc_b b ON a.b_id = b.id;
EXPLAIN SELECT * FROM hjc_a a JOIN hjc_b b ON a.b_id = b.id AND a.x < b.y;
EXPLAIN SELECT * FROM hjc_c c WHERE NOT EXISTS (SELECT 1 FROM hjc_d d WHERE d.k = c.id);
EXPLAIN SELECT * FROM hjc_a a WHERE NOT EXISTS (SELECT 1 FROM hjc_b b WHERE b.id = a.b_id);
EXPLAIN SELECT count(*) FROM hjc_a a JOIN hjc_b b ON a.b_id = b.id JOIN hjc_c c ON c.z = a.x;
EXPLAIN SELECT a.x, b.y FROM hjc_a a JOIN hjc_b b ON a.b_id = b.id;
SELECT count(*), sum(a.x), sum(b.y) FROM hjc_a a JOIN hjc_b b ON a.b_id = b.id;
SELECT count(*) FROM hjc_c c WHERE NOT EXISTS (SELECT 1 FROM hjc_d d WHERE d.k = c.id);
DROP TABLE hjc_a, hjc_b, hjc_c, hjc_d;
