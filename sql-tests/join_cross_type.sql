-- A join on columns of one hash family but different types (int4 = int8, float4 = float8,
-- int4 = int2) is a hash join, as PostgreSQL's cross-type hash operators allow (it used to
-- be a nested loop over every pair: 20,000 × 20,000 rows took 76 s)
CREATE TABLE jxt1 (a int, b text, f real);
CREATE TABLE jxt2 (a bigint, c text, f float8, s smallint);
INSERT INTO jxt1 SELECT g, 'x', g / 4.0 FROM generate_series(1, 20000) g;
INSERT INTO jxt2 SELECT g, 'y', g / 4.0, g % 100 FROM generate_series(1, 20000) g;
INSERT INTO jxt1 VALUES (NULL, 'n', NULL);
INSERT INTO jxt2 VALUES (NULL, 'n', NULL, NULL), (5, 'dup', 0.1, 5);
ANALYZE jxt1; ANALYZE jxt2;
EXPLAIN (COSTS OFF) SELECT count(*) FROM jxt1 JOIN jxt2 ON jxt1.a = jxt2.a;
SELECT count(*) FROM jxt1 JOIN jxt2 ON jxt1.a = jxt2.a;
SELECT count(*) FROM jxt1 LEFT JOIN jxt2 ON jxt1.a = jxt2.a;
SELECT count(*) FROM jxt1 FULL JOIN jxt2 ON jxt1.a = jxt2.a;
SELECT count(*) FROM jxt1 JOIN jxt2 ON jxt1.f = jxt2.f;
SELECT count(*) FROM jxt1 JOIN jxt2 ON jxt1.a = jxt2.s;
SELECT count(*) FROM jxt1 WHERE a IN (SELECT a FROM jxt2);
SELECT count(*) FROM jxt1 WHERE NOT EXISTS (SELECT 1 FROM jxt2 WHERE jxt2.a = jxt1.a);
SELECT jxt1.a, jxt2.c FROM jxt1 JOIN jxt2 ON jxt1.a = jxt2.a WHERE jxt1.a < 7 ORDER BY 1, 2;
DROP TABLE jxt1; DROP TABLE jxt2;
