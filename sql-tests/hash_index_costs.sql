-- Hash indexes priced as PostgreSQL 15's hashcostestimate (genericcostestimate alone: no
-- descent, no correlation), over the pages the hash AM lays out — the buckets _hash_init
-- sized for the rows estimated at CREATE INDEX (307 tuples a bucket), split as rows come,
-- whole split points allocated, overflow pages where a bucket holds more than a page — as
-- pg_class.relpages shows them; `=` on a hash index as a Bitmap Heap Scan where that is cheaper.
CREATE TABLE hi (id int, v int, s text) WITH (autovacuum_enabled = off);
INSERT INTO hi SELECT g, g % 1000, 'x' || (g % 777) FROM generate_series(1, 20000) g;
CREATE INDEX hi_id ON hi USING hash (id);
CREATE INDEX hi_s ON hi USING hash (s);
ANALYZE hi;
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'hi%' ORDER BY 1;
EXPLAIN SELECT * FROM hi WHERE id = 5;
EXPLAIN SELECT * FROM hi WHERE s = 'x5';
EXPLAIN SELECT * FROM hi WHERE id = 5 AND v = 5;
EXPLAIN SELECT * FROM hi WHERE s = 'x5' OR s = 'x7';
EXPLAIN SELECT * FROM hi a JOIN hi b ON a.id = b.v WHERE b.s = 'x3';
CREATE INDEX hi_v ON hi USING hash (v);
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'hi%' ORDER BY 1;
EXPLAIN SELECT * FROM hi WHERE v = 5;
EXPLAIN SELECT count(*) FROM hi WHERE v = 5 AND s = 'x5';
INSERT INTO hi SELECT g, g % 1000, 'x' || (g % 777) FROM generate_series(20001, 60000) g;
ANALYZE hi;
EXPLAIN SELECT * FROM hi WHERE id = 5;
EXPLAIN SELECT * FROM hi WHERE v = 5;
-- few distinct keys: each key's rows chain overflow pages behind its bucket
CREATE TABLE hd (id int, k int) WITH (autovacuum_enabled = off);
INSERT INTO hd SELECT g, g % 10 FROM generate_series(1, 5000) g;
CREATE INDEX hd_id ON hd (id);
CREATE INDEX hd_k ON hd USING hash (k);
ANALYZE hd;
EXPLAIN SELECT * FROM hd WHERE k = 3;
TRUNCATE hd;
SELECT relname, relpages, reltuples FROM pg_class WHERE relname LIKE 'hd%' ORDER BY 1;
EXPLAIN SELECT * FROM hd WHERE k = 3;
DROP TABLE hi;
DROP TABLE hd;
