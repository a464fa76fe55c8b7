-- Multi-column B-tree indexes: ranges bounded by the leading columns' equalities and a
-- range on the next column, ORDER BY the key columns (those fixed by = skipped) with
-- LIMIT, forward and backward, NULLs in key columns. Results only (plans are Quiver's
-- golden plans, test/plans/btree-ranges.txt).
CREATE TABLE bm (id int PRIMARY KEY, a int, b text, c float8, d numeric);
CREATE INDEX bm_ab ON bm (a, b);
CREATE INDEX bm_acd ON bm (a, c, d);
-- one commit large enough to be sealed, then rows in the growing segment, deletes, updates
INSERT INTO bm SELECT g, CASE WHEN g % 211 = 0 THEN NULL ELSE g % 37 END,
    CASE WHEN g % 53 = 0 THEN NULL ELSE 'b' || ((g * 7919) % 997) END,
    CASE WHEN g % 101 = 0 THEN 'NaN' WHEN g % 103 = 0 THEN NULL ELSE ((g * 13) % 400) / 4.0 - 50 END,
    round(((g * 31) % 900) / 7.0, g % 3)
  FROM generate_series(1, 12000) g;
INSERT INTO bm SELECT g, g % 37, 'b' || (g % 997), (g % 400) / 4.0 - 50, (g % 900) / 7.0 FROM generate_series(12001, 12500) g;
INSERT INTO bm VALUES (12501, 5, NULL, NULL, NULL), (12502, NULL, 'b1', 1, 1), (12503, 5, 'b1', 'NaN', 'NaN');
DELETE FROM bm WHERE id % 17 = 0;
UPDATE bm SET b = b || 'u', c = c + 1 WHERE id % 19 = 0;
-- ranges (twice: the first may start a sealed segment's sorted index build)
SELECT id, a, b FROM bm WHERE a = 5 AND b > 'b98' ORDER BY id;
SELECT id, a, b FROM bm WHERE a = 5 AND b > 'b98' ORDER BY id;
SELECT id, b FROM bm WHERE a = 5 AND b >= 'b1' AND b < 'b11' ORDER BY id;
SELECT id, b FROM bm WHERE a = 5 AND b = 'b1' ORDER BY id;
SELECT id, b FROM bm WHERE a = 5 AND b LIKE 'b9%' ORDER BY id;
SELECT count(*) FROM bm WHERE a = 5;
SELECT count(*) FROM bm WHERE a BETWEEN 3 AND 4 AND b < 'b2';
SELECT count(*) FROM bm WHERE a = 5 AND b = 'b1' AND b > 'b2';
SELECT id, c FROM bm WHERE a = 7 AND c > 45 ORDER BY id;
SELECT id, c, d FROM bm WHERE a = 7 AND c = -7 AND d < 100 ORDER BY id;
SELECT id, c FROM bm WHERE a = 8 AND c >= 'NaN' ORDER BY id;
SELECT count(*) FROM bm WHERE a = 8 AND c < 0 AND d > 100;
-- in index order
SELECT a, b FROM bm ORDER BY a, b LIMIT 12;
SELECT a, b FROM bm ORDER BY a, b LIMIT 12;
SELECT a, b FROM bm ORDER BY a DESC, b DESC LIMIT 12;
SELECT a, b FROM bm WHERE a = 5 ORDER BY b LIMIT 10;
SELECT a, b FROM bm WHERE a = 5 ORDER BY b DESC LIMIT 10;
SELECT b FROM bm WHERE a = 5 ORDER BY b LIMIT 5 OFFSET 300;
SELECT a, b FROM bm WHERE a = 36 ORDER BY a, b LIMIT 8;
SELECT b FROM bm WHERE a = 5 AND b > 'b99' ORDER BY b LIMIT 8;
SELECT a, b FROM bm WHERE a >= 35 AND b < 'b11' ORDER BY a, b LIMIT 15;
SELECT a, c, d FROM bm WHERE a = 9 ORDER BY c DESC, d DESC LIMIT 10;
SELECT c, d FROM bm WHERE a = 9 AND c = 10 ORDER BY d LIMIT 10;
SELECT a, b FROM bm WHERE a IS NULL ORDER BY a, b LIMIT 5;
SELECT a, b FROM bm ORDER BY a DESC, b DESC LIMIT 3;
-- keyset pagination over (a, b)
SELECT a, b FROM bm WHERE a = 5 AND b > 'b500' ORDER BY b LIMIT 5;
SELECT a, b FROM bm WHERE (a = 5 AND b > 'b996') OR a > 5 ORDER BY a, b LIMIT 5;
DROP TABLE bm;
