-- B-tree INCLUDE columns: kept in the catalog (pg_index.indnatts / indnkeyatts, pg_get_indexdef, \d),
-- read by Index Only Scans, uniqueness on the key columns only; PRIMARY KEY / UNIQUE … INCLUDE.
CREATE TABLE inc_t (a int, b int, c text);
CREATE UNIQUE INDEX inc_t_a ON inc_t (a) INCLUDE (b, c);
CREATE INDEX inc_t_b ON inc_t (b) INCLUDE (a);
INSERT INTO inc_t SELECT g, g % 10, 'x' || g FROM generate_series(1, 1000) g;
INSERT INTO inc_t VALUES (1, 5, 'dup');
INSERT INTO inc_t VALUES (1001, 5, 'x1');
\d inc_t
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'inc_t' ORDER BY 1;
SELECT indexrelid::regclass, indnatts, indnkeyatts, indkey FROM pg_index WHERE indrelid = 'inc_t'::regclass ORDER BY 1;
SELECT pg_get_indexdef('inc_t_a'::regclass, 2, true), pg_get_indexdef('inc_t_a'::regclass, 3, true);
VACUUM ANALYZE inc_t;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT a, b, c FROM inc_t WHERE a = 5;
SELECT a, b, c FROM inc_t WHERE a = 5;
EXPLAIN (COSTS OFF) SELECT a, b FROM inc_t WHERE a < 5;
SELECT a, b FROM inc_t WHERE a < 5 ORDER BY a;
RESET enable_seqscan;
RESET enable_bitmapscan;
CREATE TABLE inc_t2 (a int, b int, PRIMARY KEY (a) INCLUDE (b), UNIQUE (b) INCLUDE (a));
\d inc_t2
INSERT INTO inc_t2 VALUES (1, 1), (2, 2);
INSERT INTO inc_t2 VALUES (3, 1);
INSERT INTO inc_t2 VALUES (1, 3) ON CONFLICT (a) DO UPDATE SET b = 10;
SELECT * FROM inc_t2 ORDER BY a;
INSERT INTO inc_t2 VALUES (4, 10) ON CONFLICT (a, b) DO NOTHING;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'inc_t2'::regclass ORDER BY conname;
ALTER TABLE inc_t ADD CONSTRAINT inc_t_c_key UNIQUE (a, b) INCLUDE (c);
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'inc_t_c_key';
CREATE INDEX ON inc_t (a) INCLUDE (b);
CREATE INDEX ON inc_t (a) INCLUDE (nope);
CREATE INDEX ON inc_t (a) INCLUDE ((b + 1));
CREATE INDEX ON inc_t USING hash (a) INCLUDE (b);
SELECT indexname FROM pg_indexes WHERE tablename = 'inc_t' ORDER BY 1;
ALTER TABLE inc_t DROP COLUMN c;
SELECT indexname FROM pg_indexes WHERE tablename = 'inc_t' ORDER BY 1;
DROP TABLE inc_t, inc_t2;
