-- pg_get_viewdef / pg_views / information_schema.views / \d+ print a view's query as
-- PostgreSQL 15's ruleutils.c does, for every common query shape, in both modes
CREATE TABLE vd_t (id int, x text, y int);
CREATE TABLE vd_u (id int, z text, w numeric);
CREATE VIEW vd1 AS SELECT id, x FROM vd_t WHERE y > 1;
CREATE VIEW vd2 AS SELECT vd_t.id, vd_u.z FROM vd_t JOIN vd_u ON vd_t.id = vd_u.id;
CREATE VIEW vd3 AS SELECT * FROM vd_t LEFT JOIN vd_u USING (id) WHERE vd_u.w > 10 ORDER BY vd_t.x DESC LIMIT 5;
CREATE VIEW vd4 AS SELECT a.x, count(*) AS n, sum(b.w) FILTER (WHERE b.w > 0) FROM vd_t a, vd_u b WHERE a.id = b.id GROUP BY a.x HAVING count(*) > 1;
CREATE VIEW vd5 AS SELECT DISTINCT ON (x) x, y FROM vd_t ORDER BY x, y DESC NULLS LAST;
CREATE VIEW vd6 AS SELECT id FROM vd_t UNION SELECT id FROM vd_u EXCEPT SELECT 3 ORDER BY 1;
CREATE VIEW vd7 AS WITH c AS (SELECT id, y FROM vd_t WHERE y > 0)
  SELECT c.id, (SELECT max(z) FROM vd_u WHERE vd_u.id = c.id) AS mz FROM c
  WHERE EXISTS (SELECT 1 FROM vd_u WHERE vd_u.id = c.id) AND c.id NOT IN (SELECT id FROM vd_u);
CREATE VIEW vd8 AS SELECT x, row_number() OVER (PARTITION BY y ORDER BY id) AS rn, sum(y) OVER w
  FROM vd_t WINDOW w AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW);
CREATE VIEW vd9 AS SELECT g, o FROM generate_series(1, 3) WITH ORDINALITY AS s(g, o);
CREATE VIEW vd10 AS SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(a, b);
CREATE VIEW vd11 AS SELECT CASE WHEN y > 1 THEN 'big' ELSE 'small' END AS sz, coalesce(x, 'none') c,
  nullif(y, 0) n, greatest(y, 1) g, y::bigint b, 'x'::text lit FROM vd_t;
CREATE VIEW vd12 AS SELECT x, y FROM vd_t GROUP BY ROLLUP (x, y);
CREATE VIEW vd13 AS SELECT id FROM vd_t NATURAL JOIN vd_u CROSS JOIN (SELECT 1 AS k) s;
CREATE VIEW vd14 AS SELECT vd_t.id FROM vd_t FULL JOIN vd_u ON vd_t.id = vd_u.id RIGHT JOIN vd_t t2 ON t2.id = vd_t.id;
CREATE VIEW vd15 AS SELECT string_agg(DISTINCT x, ',' ORDER BY x) FROM vd_t;
CREATE VIEW vd16 AS SELECT vd_t.id, vd_u.z FROM vd_t JOIN vd_u ON vd_t.id = vd_u.id
  WHERE vd_t.x LIKE 'a%' AND vd_t.y IN (1, 2, 3) AND vd_t.y BETWEEN 1 AND 5;
CREATE VIEW vd17 AS SELECT id FROM vd_t WHERE y = ANY (ARRAY[1, 2]) AND id > ALL (SELECT id FROM vd_u) AND x IS NOT NULL;
CREATE VIEW vd18 AS SELECT x, y FROM vd_t GROUP BY GROUPING SETS ((x), (x, y), ());
CREATE VIEW vd19 AS SELECT x, y FROM vd_t GROUP BY CUBE (x, y);
CREATE VIEW vd20 AS SELECT x, percentile_cont(0.5) WITHIN GROUP (ORDER BY y) FROM vd_t GROUP BY x;
CREATE VIEW vd21 AS SELECT y + 1 AS y1, (y * 2) - 1 AS y2, -y AS ny, x || 'a' AS xa FROM vd_t ORDER BY y + 1;
CREATE VIEW vd22 AS SELECT a.id, b.k FROM vd_t a, LATERAL (SELECT a.y + 1 AS k) b;
CREATE VIEW vd23 AS SELECT id FROM vd_t UNION ALL SELECT id FROM vd_u UNION ALL SELECT 1;
CREATE VIEW vd24 AS SELECT id FROM vd_t INTERSECT (SELECT id FROM vd_u UNION SELECT 2);
CREATE VIEW vd25 AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r;
CREATE VIEW vd26 AS SELECT * FROM vd_t x(a, b);
CREATE VIEW vd27 AS SELECT count(*) AS c, array_agg(y ORDER BY y DESC) FROM vd_t;
CREATE VIEW vd28 AS SELECT x, lag(y, 1) OVER (ORDER BY id),
  rank() OVER (PARTITION BY x ORDER BY y RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM vd_t;
CREATE VIEW vd29 AS SELECT DISTINCT x FROM vd_t;
CREATE VIEW vd30 AS SELECT x FROM vd_t LIMIT ALL OFFSET 2;
CREATE VIEW vd31 AS SELECT * FROM vd_t WHERE EXISTS (SELECT * FROM vd_u WHERE vd_u.id = vd_t.id);
CREATE VIEW vd32 AS SELECT vd_t.* FROM vd_t;
CREATE VIEW vd33 AS SELECT y, count(*) FROM vd_t GROUP BY 1 ORDER BY 2 DESC;
CREATE VIEW vd34 AS SELECT id, x FROM vd_t WHERE x = 'a' OR (y > 3 AND NOT (x = 'b'));
CREATE VIEW vd35 AS VALUES (1, 'a'), (2, 'b');
CREATE VIEW vd36 AS SELECT ARRAY(SELECT id FROM vd_u) AS ids, (SELECT 1)::int AS one;
CREATE VIEW vd37 AS SELECT * FROM vd_t WHERE EXISTS (SELECT 1 FROM vd_t i WHERE i.id > vd_t.id) AND id IN (SELECT id FROM vd_t);
CREATE VIEW vd38 (a, b) AS SELECT x, y FROM vd_t t WHERE t.y IS DISTINCT FROM 3 ORDER BY 2 NULLS FIRST OFFSET 1;
\pset format unaligned
SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relkind = 'v' AND c.relname ~ '^vd[0-9]+$' ORDER BY c.oid;
SELECT c.relname, pg_get_viewdef(c.oid, true) FROM pg_class c WHERE c.relkind = 'v' AND c.relname ~ '^vd[0-9]+$' ORDER BY c.oid;
SELECT pg_get_viewdef('vd2'), pg_get_viewdef('vd2', true), pg_get_viewdef('vd4'::regclass, 0);
-- a wrap column: items share a line until it would run past it
SELECT c.relname, pg_get_viewdef(c.oid, 80), pg_get_viewdef(c.oid, 30) FROM pg_class c
  WHERE c.relname IN ('vd4', 'vd7', 'vd11', 'vd13', 'vd37') ORDER BY c.oid;
SELECT viewname, definition FROM pg_views WHERE viewname IN ('vd13', 'vd25') ORDER BY 1;
SELECT table_name, view_definition FROM information_schema.views WHERE table_name IN ('vd22', 'vd24') ORDER BY 1;
\pset format aligned
\d+ vd14
-- the reader's search path decides where a relation is named with its schema
CREATE SCHEMA vd_s;
CREATE TABLE vd_s.st (k int);
CREATE VIEW vd_s.sv AS SELECT st.k, t.x FROM vd_s.st JOIN vd_t t ON t.id = st.k;
SELECT pg_get_viewdef('vd_s.sv'::regclass, true);
SET search_path = vd_s, public;
SELECT pg_get_viewdef('vd_s.sv'::regclass, true);
RESET search_path;
-- a materialized view's query likewise
CREATE MATERIALIZED VIEW vd_mv AS SELECT x, count(*) FROM vd_t GROUP BY x WITH NO DATA;
SELECT definition FROM pg_matviews WHERE matviewname = 'vd_mv';
DROP MATERIALIZED VIEW vd_mv;
DROP SCHEMA vd_s CASCADE;
DROP VIEW vd1, vd2, vd3, vd4, vd5, vd6, vd7, vd8, vd9, vd10, vd11, vd12, vd13, vd14, vd15, vd16, vd17, vd18, vd19, vd20,
  vd21, vd22, vd23, vd24, vd25, vd26, vd27, vd28, vd29, vd30, vd31, vd32, vd33, vd34, vd35, vd36, vd37, vd38;
DROP TABLE vd_t, vd_u;
