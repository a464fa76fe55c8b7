-- Queries PostgreSQL refuses are refused, with PostgreSQL's messages
-- duplicate WITH names
WITH a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a;
WITH RECURSIVE a AS (SELECT 1), a AS (SELECT 2) SELECT * FROM a;
SELECT * FROM (WITH b AS (SELECT 1), b AS (SELECT 2) SELECT * FROM b) s;
WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b;
-- ORDER BY / LIMIT / OFFSET / FOR UPDATE on a recursive query
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3 ORDER BY 1) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3 LIMIT 2) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3 OFFSET 1) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM r WHERE n < 3 ORDER BY n)) SELECT * FROM r;
-- recursive references
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT r1.n + 1 FROM r r1, r r2 WHERE r1.n < 3) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < (SELECT max(n) FROM r)) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n IN (SELECT n FROM r)) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT count(*) FROM r) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT y FROM (VALUES (1)) v(y) LEFT JOIN r ON true WHERE y < 3) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r LEFT JOIN (VALUES (1)) v(y) ON true WHERE n < 3) SELECT * FROM r;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT DISTINCT n + 1 FROM r WHERE n < 3) SELECT * FROM r;
-- DISTINCT aggregates order only by their arguments
SELECT string_agg(DISTINCT y, ',' ORDER BY x) FROM (VALUES (1, 'a')) t(x, y);
SELECT array_agg(DISTINCT x ORDER BY x + 1) FROM (VALUES (1)) t(x);
SELECT count(DISTINCT x ORDER BY y) FROM (VALUES (1, 2)) t(x, y);
SELECT array_agg(DISTINCT x ORDER BY x DESC) FROM (VALUES (1), (2)) t(x);
SELECT string_agg(DISTINCT y, ',' ORDER BY y) FROM (VALUES (1, 'a'), (2, 'b')) t(x, y);
-- window functions where they cannot be
SELECT sum(row_number() OVER ()) FROM (VALUES (1)) t(x);
SELECT sum(rank() OVER (ORDER BY x)) FROM (VALUES (1)) t(x);
SELECT sum(x) OVER (ORDER BY count(*) OVER ()) FROM (VALUES (1)) t(x);
SELECT row_number() OVER (PARTITION BY row_number() OVER ()) FROM (VALUES (1)) t(x);
SELECT count(*) FILTER (WHERE row_number() OVER () > 1) FROM (VALUES (1)) t(x);
SELECT x FROM (VALUES (1)) t(x) WHERE row_number() OVER () > 0;
SELECT x FROM (VALUES (1)) t(x) GROUP BY row_number() OVER ();
SELECT max(x) FILTER (WHERE sum(x) > 0) FROM (VALUES (1)) t(x);
-- window functions without OVER, hypothetical-set aggregates without WITHIN GROUP
SELECT row_number() FROM (VALUES (1)) t(x);
SELECT lag(x, 1) FROM (VALUES (1)) t(x);
SELECT cume_dist() FROM (VALUES (1)) t(x);
SELECT rank(x) FROM (VALUES (1)) t(x);
SELECT rank(x) OVER () FROM (VALUES (1)) t(x);
SELECT ntile(2) FILTER (WHERE true) OVER () FROM (VALUES (1)) t(x);
SELECT sum(row_number() OVER ()) OVER () FROM (VALUES (1)) t(x);
SELECT mode() FROM (VALUES (1)) t(x);
