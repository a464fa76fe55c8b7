-- ORDER BY without LIMIT: the table read through a B-tree index in that order when that is
-- cheaper than sorting (a well-correlated key), else a Sort (a key in random order, no index).
CREATE TABLE obi_t (id int PRIMARY KEY, r int, g int);
INSERT INTO obi_t SELECT i, (i * 7919) % 1000, i % 10 FROM generate_series(1, 1000) i;
CREATE INDEX obi_r ON obi_t (r);
ANALYZE obi_t;
EXPLAIN SELECT * FROM obi_t ORDER BY id;
EXPLAIN SELECT * FROM obi_t ORDER BY id DESC;
EXPLAIN SELECT * FROM obi_t ORDER BY g;
EXPLAIN SELECT * FROM obi_t ORDER BY r;
EXPLAIN SELECT id FROM obi_t WHERE id > 900 ORDER BY id;
EXPLAIN SELECT * FROM obi_t WHERE g = 3 ORDER BY id;
SET enable_indexscan = off;
EXPLAIN SELECT * FROM obi_t ORDER BY id;
RESET enable_indexscan;
SELECT id FROM obi_t WHERE id > 995 ORDER BY id DESC;
SELECT sum(id) FROM (SELECT id FROM obi_t ORDER BY id) s;
DROP TABLE obi_t;
