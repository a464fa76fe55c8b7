-- DISTINCT ON, including keys that are not in the select list
CREATE TABLE don_t (id int, g int, x int, s text);
INSERT INTO don_t VALUES (1, 1, 10, 'a'), (2, 1, 30, 'b'), (3, 2, 20, 'c'), (4, 2, 5, NULL), (5, NULL, 7, 'e'), (6, 3, 1, 'f');
SELECT DISTINCT ON (x % 2) x, y FROM (VALUES (1,'a'),(3,'b'),(2,'c')) t(x,y) ORDER BY x % 2, x DESC;
SELECT DISTINCT ON (g) id, x FROM don_t ORDER BY g, x DESC;
SELECT DISTINCT ON (g) id FROM don_t ORDER BY g NULLS FIRST, id DESC;
SELECT DISTINCT ON (g, s IS NULL) id, s FROM don_t ORDER BY g, s IS NULL, id;
SELECT DISTINCT ON (g) g, x FROM don_t ORDER BY g, x;
SELECT DISTINCT ON (1) g, x FROM don_t ORDER BY 1, 2 DESC;
SELECT DISTINCT ON (g) count(*) AS n, max(x) FROM don_t GROUP BY g, s ORDER BY g, max(x) DESC;
SELECT DISTINCT ON (g) id, x FROM don_t ORDER BY g, x LIMIT 2 OFFSET 1;
SELECT DISTINCT ON (g) id FROM don_t ORDER BY id;
SELECT DISTINCT ON (g, x) id FROM don_t ORDER BY x, id;
SELECT DISTINCT ON (nosuch) id FROM don_t ORDER BY id;
DROP TABLE don_t;
