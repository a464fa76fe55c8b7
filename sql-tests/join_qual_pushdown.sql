-- A join's ON conditions on one input alone filter that input first (the nullable side of an
-- outer join too; the preserved side's own stay in the ON), and constant NULL arms of an OR
-- in a WHERE or ON are dropped as PostgreSQL's canonicalize_qual drops them.
CREATE TABLE jqp_o (id int PRIMARY KEY, customer int, amount int);
CREATE TABLE jqp_c (id int PRIMARY KEY, region text);
INSERT INTO jqp_c SELECT g, 'r' || (g % 5) FROM generate_series(1, 500) g;
INSERT INTO jqp_o SELECT g, g % 500 + 1, g % 97 FROM generate_series(1, 3000) g;
EXPLAIN (COSTS OFF) SELECT * FROM jqp_o o LEFT JOIN jqp_c c ON o.customer = c.id AND c.region <> 'r2';
EXPLAIN (COSTS OFF) SELECT * FROM jqp_o o LEFT JOIN jqp_c c ON o.customer = c.id AND o.amount > 5;
EXPLAIN (COSTS OFF) SELECT * FROM jqp_o o JOIN jqp_c c ON o.customer = c.id AND c.region <> 'r2' AND o.amount > 5;
EXPLAIN (COSTS OFF) SELECT * FROM jqp_o o WHERE EXISTS (SELECT 1 FROM jqp_c c WHERE c.id = o.customer AND c.region = 'r1');
EXPLAIN (COSTS OFF) SELECT * FROM jqp_o o WHERE NOT EXISTS (SELECT 1 FROM jqp_c c WHERE c.id = o.customer AND c.region = 'r1');
SELECT count(*), count(c.id) FROM jqp_o o LEFT JOIN jqp_c c ON o.customer = c.id AND c.region <> 'r2';
SELECT count(*), count(c.id) FROM jqp_o o LEFT JOIN jqp_c c ON o.customer = c.id AND o.amount > 5;
SELECT count(*) FROM jqp_o o WHERE NOT EXISTS (SELECT 1 FROM jqp_c c WHERE c.id = o.customer AND c.region = 'r1');
CREATE TABLE jqp_n (a int, b int);
INSERT INTO jqp_n VALUES (1, 1), (2, NULL);
EXPLAIN (COSTS OFF) SELECT * FROM jqp_n WHERE b = NULL OR a = 1;
EXPLAIN (COSTS OFF) SELECT * FROM jqp_n WHERE (b = NULL OR a = 1) AND a > 0;
EXPLAIN (COSTS OFF) SELECT * FROM jqp_n WHERE b = NULL OR NULL;
EXPLAIN (COSTS OFF) SELECT * FROM jqp_n WHERE a = 1 OR (b = NULL AND a = 2);
EXPLAIN (COSTS OFF) SELECT * FROM jqp_n x LEFT JOIN jqp_n y ON x.a = y.a AND (x.b = NULL OR y.a = 2);
SELECT * FROM jqp_n WHERE b = NULL OR a = 1;
SELECT (b = NULL OR a = 1) AS v FROM jqp_n ORDER BY a;
SELECT a, count(*) FROM jqp_n GROUP BY a HAVING count(*) = NULL OR a = 2;
DROP TABLE jqp_o, jqp_c, jqp_n;
