-- Incremental Sort: ORDER BY … LIMIT whose leading key a B-tree index gives in order.
-- Groups of 75 rows (a: past the 64 rows of a full-sort batch), groups of 3 (a2: several
-- groups in one batch), NULLs in a (last forward, first backward) and in b.
CREATE TABLE incsort_t (id int PRIMARY KEY, a int, a2 int, b int, t text);
CREATE INDEX incsort_t_a ON incsort_t (a);
CREATE INDEX incsort_t_a2 ON incsort_t (a2);
INSERT INTO incsort_t
  SELECT g, CASE WHEN g % 997 = 0 THEN NULL ELSE g % 40 END, g / 3,
         CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 7) % 13 END, 't' || g
  FROM generate_series(1, 3000) g;
ANALYZE incsort_t;
EXPLAIN (COSTS OFF) SELECT a, b, id FROM incsort_t ORDER BY a, b, id LIMIT 12;
SELECT a, b, id FROM incsort_t ORDER BY a, b, id LIMIT 12;
SELECT a, b, id FROM incsort_t ORDER BY a, b DESC NULLS LAST, id LIMIT 10 OFFSET 70;
EXPLAIN (COSTS OFF) SELECT a, b, id FROM incsort_t ORDER BY a DESC, b, id LIMIT 8;
SELECT a, b, id FROM incsort_t ORDER BY a DESC, b, id LIMIT 8;
EXPLAIN (COSTS OFF) SELECT a2, b, id FROM incsort_t ORDER BY a2, b DESC, id LIMIT 40;
SELECT a2, b, id FROM incsort_t ORDER BY a2, b DESC, id LIMIT 40;
SELECT a, id FROM incsort_t WHERE b = 3 ORDER BY a, id LIMIT 5;
SELECT count(*), sum(id), min(a), max(a) FROM (SELECT a, id FROM incsort_t ORDER BY a, id DESC LIMIT 200) s;
SELECT a, id FROM (SELECT a, id FROM incsort_t ORDER BY a, id DESC LIMIT 200) s ORDER BY a, id DESC OFFSET 145 LIMIT 10;
SELECT a, b, id FROM incsort_t ORDER BY a, b, id LIMIT 0;
SET enable_incremental_sort = off;
EXPLAIN (COSTS OFF) SELECT a, b, id FROM incsort_t ORDER BY a, b, id LIMIT 12;
SELECT a, b, id FROM incsort_t ORDER BY a, b, id LIMIT 12;
RESET enable_incremental_sort;
DROP TABLE incsort_t;
