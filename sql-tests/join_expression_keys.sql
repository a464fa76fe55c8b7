-- A join equality with an expression on a side (a.id = b.id + 1, lower(a.s) = lower(b.s),
-- a.id::text = b.code) is a hash join on the expressions, as PostgreSQL's
-- check_hashjoinable allows: each side reads one input's columns, nothing volatile (it
-- used to be a nested loop over every pair)
CREATE TABLE ejk_a (id int, s text, x int);
CREATE TABLE ejk_b (id int, s text, code text, y bigint);
INSERT INTO ejk_a SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'K' || (g % 50) END, CASE WHEN g % 11 = 0 THEN NULL ELSE g % 100 END FROM generate_series(1, 1000) g;
INSERT INTO ejk_b SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'k' || (g % 40) END, (g * 3)::text, CASE WHEN g % 13 = 0 THEN NULL ELSE g % 300 END FROM generate_series(1, 1200) g;
INSERT INTO ejk_a VALUES (NULL, NULL, NULL);
INSERT INTO ejk_b VALUES (NULL, NULL, NULL, NULL);
ANALYZE ejk_a; ANALYZE ejk_b;
-- the hashed side is the one keyed on a column (b.id + 1 has no statistics: a tenth of the rows a bucket)
EXPLAIN SELECT * FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id, b.s FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1;
SELECT count(*), sum(a.id), sum(b.id) FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1;
SELECT a.id, b.id FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1 WHERE a.id < 5 ORDER BY 1;
-- outer joins: a LEFT JOIN hashing its left input is a Hash Right Join
EXPLAIN SELECT * FROM ejk_a a LEFT JOIN ejk_b b ON a.id = b.id + 1;
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a RIGHT JOIN ejk_b b ON a.id = b.id + 1;
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a FULL JOIN ejk_b b ON a.id = b.id + 1;
SELECT count(*), count(a.id), count(b.id), sum(a.id), sum(b.id) FROM ejk_a a LEFT JOIN ejk_b b ON a.id = b.id + 1;
SELECT count(*), count(a.id), count(b.id), sum(a.id), sum(b.id) FROM ejk_a a RIGHT JOIN ejk_b b ON a.id = b.id + 1;
SELECT count(*), count(a.id), count(b.id), sum(a.id), sum(b.id) FROM ejk_a a FULL JOIN ejk_b b ON a.id = b.id + 1;
SELECT a.id, b.id FROM ejk_a a FULL JOIN ejk_b b ON a.id = b.id + 1 WHERE a.id IS NULL OR b.id IS NULL ORDER BY 1, 2;
-- cross-type within one hash family: int4 expression = int8 column
EXPLAIN SELECT * FROM ejk_a a JOIN ejk_b b ON a.x * 2 = b.y;
SELECT count(*), sum(a.x), sum(b.y) FROM ejk_a a JOIN ejk_b b ON a.x * 2 = b.y;
-- a cast to text (through int4out and textin: two calls a row)
EXPLAIN SELECT * FROM ejk_a a JOIN ejk_b b ON a.id::text = b.code;
SELECT count(*), min(a.id), max(a.id) FROM ejk_a a JOIN ejk_b b ON a.id::text = b.code;
-- text functions on both sides: no statistics on either, so a tenth of the rows a hash
-- bucket; both inputs sorted on the expressions and merged is cheaper
EXPLAIN SELECT * FROM ejk_a a JOIN ejk_b b ON lower(a.s) = lower(b.s);
SELECT count(*), count(DISTINCT lower(a.s)) FROM ejk_a a JOIN ejk_b b ON lower(a.s) = lower(b.s);
SELECT count(*), count(a.id), count(b.id) FROM ejk_a a LEFT JOIN ejk_b b ON lower(a.s) = lower(b.s);
SELECT count(*), count(a.id), count(b.id) FROM ejk_a a FULL JOIN ejk_b b ON lower(a.s) = lower(b.s);
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a JOIN ejk_b b ON lower(a.s) = lower(b.s);
RESET enable_mergejoin;
-- several keys, one an expression
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1 AND upper(a.s) = upper(b.s);
SELECT a.id, a.s, b.id, b.s FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1 AND upper(a.s) = upper(b.s) ORDER BY 1 LIMIT 5;
SELECT count(*) FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1 AND upper(a.s) = upper(b.s);
-- semi and anti joins; a semi join may group its right side on the key expression and join
-- the groups (HashAggregate, Group Key: ((b.id % 50) + 1)), the join computing it again
EXPLAIN SELECT * FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id % 50 + 1);
EXPLAIN SELECT * FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.id = b.id + 1);
EXPLAIN SELECT * FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.y + 1);
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE lower(a.s) = lower(b.s));
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id % 50 + 1);
SELECT count(*), sum(a.x) FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id % 50 + 1);
SELECT count(*), sum(a.id) FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE lower(a.s) = lower(b.s));
SELECT a.id, a.x FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id % 50 + 1) ORDER BY a.id LIMIT 5;
EXPLAIN SELECT * FROM ejk_a a WHERE NOT EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.y + 1);
SELECT count(*) FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.y + 1);
SELECT count(*) FROM ejk_a a WHERE NOT EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.y + 1);
SELECT count(*) FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.id = b.id + 1);
SELECT count(*) FROM ejk_a a WHERE NOT EXISTS (SELECT 1 FROM ejk_b b WHERE a.id = b.id + 1);
-- IN (SELECT expression …): the subquery pulled up, its expression a join key
EXPLAIN SELECT * FROM ejk_a a WHERE a.x IN (SELECT b.id % 50 + 1 FROM ejk_b b);
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a WHERE a.x IN (SELECT b.id % 50 + 1 FROM ejk_b b WHERE b.y < 100);
SELECT count(*), sum(a.id) FROM ejk_a a WHERE a.x IN (SELECT b.id % 50 + 1 FROM ejk_b b);
SELECT count(*), sum(a.id) FROM ejk_a a WHERE a.x IN (SELECT b.id % 50 + 1 FROM ejk_b b WHERE b.y < 100);
SELECT count(*), sum(a.id) FROM ejk_a a WHERE lower(a.s) IN (SELECT lower(b.s) FROM ejk_b b);
-- merge joins on expression keys: each input sorted on its side's expression (Sort Key: ((b.id + 1)))
SET enable_hashjoin = off;
EXPLAIN SELECT * FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id, b.s FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1;
EXPLAIN (VERBOSE, COSTS OFF) SELECT a.id, b.id FROM ejk_a a JOIN ejk_b b ON lower(a.s) = lower(b.s);
EXPLAIN SELECT * FROM ejk_a a LEFT JOIN ejk_b b ON lower(a.s) = lower(b.s);
EXPLAIN SELECT * FROM ejk_a a FULL JOIN ejk_b b ON a.id = b.id + 1;
EXPLAIN SELECT * FROM ejk_a a WHERE NOT EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id + 1);
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1 AND lower(a.s) = lower(b.s);
SELECT count(*), sum(a.id), sum(b.id) FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1;
SELECT count(*), count(a.id), count(b.id), sum(a.id), sum(b.id) FROM ejk_a a FULL JOIN ejk_b b ON a.id = b.id + 1;
SELECT a.id, b.id FROM ejk_a a FULL JOIN ejk_b b ON a.id = b.id + 1 WHERE a.id IS NULL OR b.id IS NULL ORDER BY 1, 2;
SELECT count(*), count(a.id), count(b.id) FROM ejk_a a LEFT JOIN ejk_b b ON lower(a.s) = lower(b.s);
SELECT count(*), count(a.id), count(b.id) FROM ejk_a a RIGHT JOIN ejk_b b ON lower(a.s) = lower(b.s);
SELECT count(*) FROM ejk_a a WHERE EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id + 1);
SELECT count(*) FROM ejk_a a WHERE NOT EXISTS (SELECT 1 FROM ejk_b b WHERE a.x = b.id + 1);
SELECT a.id, a.s, b.id, b.s FROM ejk_a a JOIN ejk_b b ON a.id = b.id + 1 AND lower(a.s) = lower(b.s) ORDER BY 1 LIMIT 5;
-- a FULL JOIN with a condition no merge can take: hashed even so (PostgreSQL has no nested loop for it)
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a FULL JOIN ejk_b b ON lower(a.s) = lower(b.s) AND a.x < b.id;
SELECT count(*), count(a.id), count(b.id) FROM ejk_a a FULL JOIN ejk_b b ON lower(a.s) = lower(b.s) AND a.x < b.id;
RESET enable_hashjoin;
-- an index on the other side's key column: probed with the expression per outer row
CREATE INDEX ejk_b_id ON ejk_b (id);
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a JOIN ejk_b b ON a.id + 1 = b.id WHERE a.id < 3;
SELECT a.id, b.id FROM ejk_a a JOIN ejk_b b ON a.id + 1 = b.id WHERE a.id < 3 ORDER BY 1;
DROP INDEX ejk_b_id;
-- a volatile side is no key: a nested loop
EXPLAIN (COSTS OFF) SELECT * FROM ejk_a a JOIN ejk_b b ON a.id = b.id + (random() * 0)::int;
-- a side reading both inputs is no key either
SELECT count(*) FROM ejk_a a JOIN ejk_b b ON a.id = b.id + a.x;
DROP TABLE ejk_a; DROP TABLE ejk_b;
