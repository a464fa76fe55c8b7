-- A B-tree filled by INSERTs after its build in no ascending key order has more pages than
-- CREATE INDEX's bulk build lays out (page splits leave leaves on average ln 2 full, the bulk
-- build 90 %): pg_class.relpages and the index pages a scan reads grow with it; keys inserted
-- in ascending order fill their leaves as the bulk build does.
SELECT setseed(0.5);
CREATE TABLE big (id int, r float8, t text) WITH (autovacuum_enabled = off);
CREATE INDEX big_id ON big (id);
CREATE INDEX big_r ON big (r);
CREATE INDEX big_t ON big (t);
INSERT INTO big SELECT g, random(), md5(g::text) FROM generate_series(1, 30000) g;
ANALYZE big;
-- grown from empty by INSERTs: id ascending (as bulk-built), r and t random
SELECT relname, relpages, reltuples FROM pg_class WHERE relname = 'big_id';
-- (their exact counts swing with the random keys' page splits: PostgreSQL 119 and 290, Quiver
-- 109 and 283; bulk-built 84)
SELECT relname, relpages BETWEEN 105 AND 125 AS grown, reltuples FROM pg_class WHERE relname = 'big_r';
SELECT relname, relpages BETWEEN 270 AND 300 AS grown, reltuples FROM pg_class WHERE relname = 'big_t';
EXPLAIN SELECT * FROM big WHERE id < 2000;
-- the same keys bulk-built
CREATE INDEX big_r2 ON big (r);
SELECT relname, relpages, reltuples FROM pg_class WHERE relname = 'big_r2';
DROP INDEX big_r;
EXPLAIN SELECT * FROM big WHERE r < 0.02;
DROP TABLE big;
