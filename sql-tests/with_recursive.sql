-- WITH RECURSIVE: counting, trees, UNION vs UNION ALL, column aliases, errors
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n), count(*) FROM t;
WITH RECURSIVE fib(a, b) AS (SELECT 0::bigint, 1::bigint UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib ORDER BY a;
CREATE TABLE tree (id int PRIMARY KEY, parent int, name text);
INSERT INTO tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 2, 'a2'), (6, 4, 'a1x'), (7, 3, 'b1');
WITH RECURSIVE sub AS (
  SELECT id, name, 0 AS depth, name AS path FROM tree WHERE id = 2
  UNION ALL
  SELECT t.id, t.name, s.depth + 1, s.path || '/' || t.name FROM tree t JOIN sub s ON t.parent = s.id
) SELECT * FROM sub ORDER BY path;
WITH RECURSIVE up AS (SELECT id, parent FROM tree WHERE id = 6 UNION SELECT t.id, t.parent FROM tree t, up WHERE t.id = up.parent) SELECT id FROM up ORDER BY id;
-- UNION (not ALL) stops on cycles
WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT (x % 3) + 1 FROM c) SELECT x FROM c ORDER BY x;
-- non-recursive CTEs in a WITH RECURSIVE list still work
WITH RECURSIVE plain AS (SELECT 42 AS v), r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT v, n FROM plain, r ORDER BY n;
-- errors
WITH RECURSIVE bad(n) AS (SELECT n FROM bad) SELECT * FROM bad;
DROP TABLE tree;
