-- GROUP BY GROUPING SETS / ROLLUP / CUBE and GROUPING(): a column outside the current set is
-- NULL, aggregates are computed per set; a real NULL group and a rolled-up one differ in grouping()
CREATE TABLE gs_t (a int, b text, d date, n numeric, v int);
INSERT INTO gs_t VALUES
  (1, 'x', '2024-01-01', 1.5, 10), (1, 'y', '2024-01-02', 2.5, 20), (2, 'x', '2024-01-01', NULL, 30),
  (NULL, 'y', NULL, 4, 40), (2, NULL, '2024-01-03', 5, NULL), (1, 'x', '2024-01-02', 0.25, 5);
SELECT a, b, sum(v), count(*) FROM gs_t GROUP BY ROLLUP (a, b) ORDER BY a, b, 3;
SELECT a, b, sum(v), grouping(a, b) FROM gs_t GROUP BY CUBE (a, b) ORDER BY 4, a, b;
SELECT a, b, count(*), grouping(a), grouping(b) FROM gs_t GROUP BY GROUPING SETS ((a, b), (a), ()) ORDER BY a, b, 4, 5;
-- a real NULL group (grouping 0) against the rolled-up row (grouping 1)
SELECT a, grouping(a) AS g, count(*) FROM gs_t GROUP BY ROLLUP (a) ORDER BY g, a;
SELECT CASE WHEN grouping(a) = 1 THEN 'all' ELSE coalesce(a::text, 'null a') END AS label, sum(v) FROM gs_t GROUP BY ROLLUP (a) ORDER BY 1;
-- the cross product of a plain item and a ROLLUP; nested and empty sets
SELECT a, b, d, count(*) FROM gs_t GROUP BY a, ROLLUP (b, d) ORDER BY a, b, d, 4;
SELECT a, b, count(*) FROM gs_t GROUP BY GROUPING SETS (a, ROLLUP (b)) ORDER BY a, b, 3;
SELECT a, b, count(*) FROM gs_t GROUP BY ROLLUP (a), CUBE (b) ORDER BY a, b, 3;
SELECT a, b, d, count(*) FROM gs_t GROUP BY ROLLUP (a, (b, d)) ORDER BY a, b, d, 4;
SELECT count(*), sum(v) FROM gs_t GROUP BY GROUPING SETS ((), ());
SELECT a, count(*) FROM gs_t GROUP BY GROUPING SETS (a, a, ()) ORDER BY a, 2;
SELECT a, count(*) FROM gs_t GROUP BY DISTINCT GROUPING SETS (a, a, ()) ORDER BY a, 2;
SELECT a, b, count(*) FROM gs_t GROUP BY DISTINCT ROLLUP (a, b), ROLLUP (a) ORDER BY a, b, 3;
SELECT a, b, count(*) FROM gs_t GROUP BY ROLLUP (a, b), ROLLUP (a) ORDER BY a, b, 3;
SELECT a, count(*) FROM gs_t GROUP BY a, () ORDER BY a;
-- types: date, numeric, text
SELECT d, sum(n), max(b), grouping(d) FROM gs_t GROUP BY ROLLUP (d) ORDER BY d, 4;
SELECT b, avg(n), min(d) FROM gs_t GROUP BY CUBE (b) ORDER BY b;
-- HAVING, ORDER BY grouping(), expressions of grouped columns
SELECT a, b, sum(v) FROM gs_t GROUP BY ROLLUP (a, b) HAVING sum(v) > 25 ORDER BY a, b;
SELECT a, b, sum(v) FROM gs_t GROUP BY ROLLUP (a, b) HAVING grouping(b) = 1 ORDER BY a;
SELECT a, b, sum(v) FROM gs_t GROUP BY ROLLUP (a, b) HAVING a IS NULL ORDER BY b, 3;
SELECT a, b, count(*) FROM gs_t GROUP BY CUBE (a, b) ORDER BY grouping(a, b) DESC, a, b;
SELECT a + 1 AS a1, upper(b), count(*) FROM gs_t GROUP BY ROLLUP (a, b) ORDER BY 1, 2, 3;
SELECT a % 2 AS parity, count(*) FROM gs_t GROUP BY ROLLUP (a % 2) ORDER BY 1;
-- DISTINCT, window functions over the result, a subquery and a CTE over it
SELECT DISTINCT count(*) FROM gs_t GROUP BY CUBE (a, b) ORDER BY 1;
SELECT a, b, sum(v), rank() OVER (PARTITION BY grouping(a, b) ORDER BY sum(v) DESC NULLS LAST) FROM gs_t GROUP BY ROLLUP (a, b) ORDER BY grouping(a, b), 4, a, b;
SELECT count(*), sum(total) FROM (SELECT a, b, sum(v) AS total FROM gs_t GROUP BY CUBE (a, b)) s WHERE a IS NULL;
WITH r AS (SELECT a, b, count(*) AS c, grouping(a, b) AS g FROM gs_t GROUP BY ROLLUP (a, b))
SELECT g, sum(c) FROM r GROUP BY g ORDER BY g;
-- aggregates with FILTER / DISTINCT / ORDER BY per set, a column number, an output name
SELECT a, count(DISTINCT b), string_agg(b, ',' ORDER BY b), count(*) FILTER (WHERE v > 15) FROM gs_t GROUP BY ROLLUP (a) ORDER BY grouping(a), a;
SELECT a AS k, count(*) FROM gs_t GROUP BY ROLLUP (1) ORDER BY 1;
SELECT a AS k, count(*) FROM gs_t GROUP BY CUBE (k) ORDER BY 1;
-- no rows: only the empty sets give a row
SELECT a, count(*), sum(v) FROM gs_t WHERE v > 1000 GROUP BY ROLLUP (a);
SELECT a, b, count(*) FROM gs_t WHERE v > 1000 GROUP BY GROUPING SETS ((a), (b));
-- grouping() with a plain GROUP BY is 0
SELECT a, grouping(a) FROM gs_t GROUP BY a ORDER BY a;
-- GROUP BY () alone, a top-level (a, b) is one row-valued key
SELECT count(*) FROM gs_t GROUP BY ();
SELECT (a, b) AS r, count(*) FROM gs_t WHERE a IS NOT NULL AND b IS NOT NULL GROUP BY (a, b) ORDER BY 1;
-- past work_mem the hashed sets spill as the plain HashAggregate does
SET work_mem = '64kB';
SELECT x, count(*), sum(c) FROM (SELECT grouping(g % 3000, g % 7) AS x, count(*) AS c FROM generate_series(1, 30000) g GROUP BY ROLLUP (g % 3000, g % 7)) s GROUP BY 1 ORDER BY 1;
SELECT count(*), sum(c), min(k), max(k) FROM (SELECT g % 3000 AS k, g % 7 AS j, count(*) AS c FROM generate_series(1, 30000) g GROUP BY CUBE (g % 3000, g % 7)) s;
RESET work_mem;
-- EXPLAIN: every set hashed, a Hash Key per set, the empty sets as Group Key: ()
CREATE TABLE gs_e (a int, b text, v int);
EXPLAIN SELECT a, b, sum(v) FROM gs_e GROUP BY ROLLUP (a, b);
EXPLAIN SELECT a, b, sum(v) FROM gs_e GROUP BY CUBE (a, b);
EXPLAIN SELECT a, b, sum(v) FROM gs_e GROUP BY GROUPING SETS ((a), (b));
EXPLAIN SELECT count(*) FROM gs_e GROUP BY GROUPING SETS ((), ());
EXPLAIN (COSTS OFF) SELECT a, b, sum(v) FROM gs_e GROUP BY GROUPING SETS ((a), (b)) HAVING sum(v) > 1 ORDER BY 1;
EXPLAIN (COSTS OFF, VERBOSE) SELECT a, b, sum(v), grouping(a, b) FROM gs_e GROUP BY ROLLUP (a, b) HAVING a > 1;
-- the structured formats group the keys per set (Grouping Sets: Hash Keys / Group Keys)
EXPLAIN (FORMAT JSON) SELECT a, b, sum(v) FROM gs_e GROUP BY GROUPING SETS ((a), (b));
EXPLAIN (COSTS OFF, FORMAT JSON) SELECT a, b, sum(v) FROM gs_e GROUP BY ROLLUP (a, b);
EXPLAIN (FORMAT YAML) SELECT a, b, sum(v) FROM gs_e GROUP BY ROLLUP (a, b);
EXPLAIN (COSTS OFF, FORMAT XML) SELECT a, b, sum(v) FROM gs_e GROUP BY ROLLUP (a, b);
EXPLAIN (COSTS OFF, FORMAT JSON) SELECT count(*) FROM gs_e GROUP BY GROUPING SETS ((), ());
SET enable_hashagg = off;
EXPLAIN (COSTS OFF, FORMAT JSON) SELECT a, b, sum(v) FROM gs_e GROUP BY ROLLUP (a, b);
EXPLAIN (COSTS OFF, FORMAT XML) SELECT a, b, sum(v) FROM gs_e GROUP BY ROLLUP (a, b);
RESET enable_hashagg;
DROP TABLE gs_e;
-- one rollup whose hash tables would not fit hash_mem (or enable_hashagg off) is sorted:
-- GroupAggregate over a Sort, its groups in that order (no Sort for an ORDER BY on its keys)
CREATE TABLE gs_big AS SELECT g AS id, g % 100 AS a, (g % 7)::text AS b, g AS v FROM generate_series(1, 20000) g;
INSERT INTO gs_big VALUES (20001, NULL, NULL, 5), (20002, NULL, 'x', 6), (20003, 5, NULL, 7);
ANALYZE gs_big;
SET work_mem = '64kB';
EXPLAIN (COSTS OFF) SELECT id, sum(v) FROM gs_big GROUP BY ROLLUP (id);
EXPLAIN (COSTS OFF) SELECT a, id, sum(v) FROM gs_big GROUP BY ROLLUP (a, id) ORDER BY a, id;
SELECT sum(s), count(*), count(id) FROM (SELECT id, sum(v) AS s FROM gs_big GROUP BY ROLLUP (id)) x;
RESET work_mem;
SET enable_hashagg = off;
EXPLAIN SELECT a, b, sum(v), grouping(a, b) FROM gs_big GROUP BY ROLLUP (a, b);
EXPLAIN SELECT a, b, sum(v) FROM gs_big GROUP BY ROLLUP (a, b) ORDER BY a, b;
SELECT a, b, sum(v), count(*), grouping(a, b), string_agg(DISTINCT b, ',') FROM gs_big WHERE a < 2 OR a IS NULL OR a = 5 GROUP BY ROLLUP (a, b) ORDER BY a, b;
SELECT id % 3 AS k, count(*), avg(v) FROM gs_big GROUP BY ROLLUP (id % 3) ORDER BY 1;
SELECT a, count(*) FROM gs_big WHERE v < 0 GROUP BY ROLLUP (a);
SELECT a, count(*) FROM gs_big WHERE v < 0 GROUP BY GROUPING SETS ((a), (), ());
SELECT a, b, count(*) FROM gs_big WHERE a < 2 GROUP BY CUBE (a, b) ORDER BY a, b, 3;
RESET enable_hashagg;
DROP TABLE gs_big;
-- errors
SELECT a, grouping(b) FROM gs_t GROUP BY ROLLUP (a);
SELECT grouping(a) FROM gs_t;
SELECT a FROM gs_t WHERE grouping(a) = 0 GROUP BY a;
SELECT sum(grouping(a)) FROM gs_t GROUP BY ROLLUP (a);
SELECT a, b FROM gs_t GROUP BY ROLLUP (a);
SELECT a, count(*) FROM gs_t GROUP BY ROLLUP (3);
SELECT count(*) FROM gs_t GROUP BY grouping(a);
SELECT a, count(*) FROM gs_t GROUP BY ROLLUP (a) HAVING grouping(v) = 0;
DROP TABLE gs_t;
