-- Partition pruning with an operator over an array (partprune.c's ScalarArrayOpExpr: = ANY
-- and IN the union of each element's partitions, <> ALL / NOT IN on list partitioning the
-- partitions holding only excluded values removed), the Append over the partitions left
-- (cost_append's cpu cost a row, the partitions' widths averaged), and EXPLAIN of UPDATE /
-- DELETE on partitioned tables: each partition written as a target line (Update on pt1 pt_1,
-- "Target Tables" in the structured formats), the partitions numbered under the ModifyTable
-- even when one is left, their scans handing on the new values, tableoid and ctid
CREATE TABLE pdx (i int, j int) PARTITION BY RANGE (i);
CREATE TABLE pdx1 PARTITION OF pdx FOR VALUES FROM (0) TO (500);
CREATE TABLE pdx2 PARTITION OF pdx FOR VALUES FROM (500) TO (1001);
INSERT INTO pdx SELECT g, g % 10 FROM generate_series(1, 1000) g;
ANALYZE pdx;
EXPLAIN SELECT * FROM pdx WHERE i = ANY (ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
EXPLAIN SELECT * FROM pdx WHERE i IN (1, 2, 700);
EXPLAIN SELECT * FROM pdx WHERE i IN (600, 601);
EXPLAIN SELECT * FROM pdx WHERE i = ANY ('{3, 800}'::int[]);
EXPLAIN SELECT * FROM pdx WHERE i = ANY (ARRAY[2000, 3000]);
EXPLAIN SELECT * FROM pdx WHERE i < ANY (ARRAY[1, 2, 300]);
EXPLAIN SELECT * FROM pdx WHERE i > ALL (ARRAY[1, 2, 600]);
EXPLAIN SELECT * FROM pdx WHERE i = ANY (ARRAY[1, NULL]);
EXPLAIN (COSTS OFF) SELECT * FROM pdx WHERE i NOT IN (1, 2);
EXPLAIN (COSTS OFF) SELECT * FROM pdx WHERE i = ANY (ARRAY[3, 800]) AND i < 400;
EXPLAIN VERBOSE SELECT * FROM pdx WHERE j = 3;
SELECT count(*) FROM pdx WHERE i = ANY (ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
SELECT i FROM pdx WHERE i IN (1, 499, 500, 1000, 5000) ORDER BY i;
EXPLAIN UPDATE pdx SET j = 1 WHERE i < 10;
EXPLAIN DELETE FROM pdx WHERE j = 3;
EXPLAIN (COSTS OFF) UPDATE pdx SET j = 1 WHERE i > 100;
EXPLAIN UPDATE pdx SET j = j + 1 WHERE i = ANY (ARRAY[1, 600]);
EXPLAIN DELETE FROM pdx WHERE i = 600;
EXPLAIN UPDATE pdx x SET j = 2 WHERE x.i IN (3, 4);
EXPLAIN (COSTS OFF) DELETE FROM pdx WHERE i = 5000;
EXPLAIN UPDATE pdx SET j = 1 WHERE i = 5000;
EXPLAIN VERBOSE UPDATE pdx SET j = 1 WHERE i = 5000;
EXPLAIN VERBOSE DELETE FROM pdx WHERE i = 5000;
EXPLAIN VERBOSE UPDATE pdx SET j = j + 1 WHERE i < 10 RETURNING *;
EXPLAIN VERBOSE DELETE FROM pdx WHERE j = 3 RETURNING i;
EXPLAIN (FORMAT JSON) UPDATE pdx SET j = 1 WHERE i < 10;
EXPLAIN (FORMAT YAML, COSTS OFF) DELETE FROM pdx WHERE j = 3;
EXPLAIN (FORMAT XML, COSTS OFF, VERBOSE) DELETE FROM pdx WHERE i = 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) UPDATE pdx SET j = 100 WHERE i IN (5, 6, 700);
SELECT i, j FROM pdx WHERE j = 100 ORDER BY i;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) DELETE FROM pdx WHERE i = ANY (ARRAY[7, 8]);
SELECT count(*) FROM pdx;
-- INSERT … ON CONFLICT into a partitioned table: its action, arbiter index and filter
CREATE UNIQUE INDEX pdx_i ON pdx (i);
EXPLAIN INSERT INTO pdx VALUES (1, 2) ON CONFLICT (i) DO UPDATE SET j = excluded.j;
EXPLAIN INSERT INTO pdx VALUES (1, 2) ON CONFLICT DO NOTHING;
EXPLAIN (VERBOSE, COSTS OFF) INSERT INTO pdx VALUES (1, 2) ON CONFLICT (i) DO UPDATE SET j = excluded.j WHERE pdx.j > 0 RETURNING *;
EXPLAIN (FORMAT JSON, COSTS OFF) INSERT INTO pdx VALUES (1, 2) ON CONFLICT (i) DO NOTHING;
INSERT INTO pdx VALUES (1, 2), (700, 3) ON CONFLICT (i) DO UPDATE SET j = excluded.j + 100 RETURNING i, j;
DROP INDEX pdx_i;
-- UPDATE … FROM and DELETE … USING with a partitioned target
CREATE TABLE pdx_other (i int, name text);
INSERT INTO pdx_other SELECT g, 'n' || g FROM generate_series(1, 20) g;
ANALYZE pdx_other;
ANALYZE pdx;
EXPLAIN (COSTS OFF) UPDATE pdx SET j = o.i FROM pdx_other o WHERE pdx.i = o.i;
EXPLAIN (COSTS OFF) DELETE FROM pdx USING pdx_other o WHERE pdx.i = o.i AND o.name = 'n3';
EXPLAIN (COSTS OFF) UPDATE pdx SET j = o.i FROM pdx_other o WHERE pdx.i = o.i AND pdx.i IN (1, 2);
EXPLAIN UPDATE pdx SET j = o.i FROM pdx_other o WHERE pdx.i = o.i;
EXPLAIN DELETE FROM pdx USING pdx_other o WHERE pdx.i = o.i AND o.name = 'n3';
EXPLAIN UPDATE pdx SET j = o.i FROM pdx_other o WHERE pdx.i = o.i AND pdx.i IN (1, 2);
EXPLAIN VERBOSE UPDATE pdx SET j = pdx.j + o.i FROM pdx_other o WHERE pdx.i = o.i AND pdx.i < 5;
EXPLAIN VERBOSE DELETE FROM pdx USING pdx_other o WHERE pdx.i = o.i;
EXPLAIN VERBOSE UPDATE pdx_other SET name = o.name || 'x' FROM pdx_other o WHERE pdx_other.i = o.i + 1;
UPDATE pdx SET j = -o.i FROM pdx_other o WHERE pdx.i = o.i AND o.i IN (1, 2);
DELETE FROM pdx USING pdx_other o WHERE pdx.i = o.i AND o.name = 'n3';
SELECT i, j FROM pdx WHERE i <= 4 ORDER BY i;
-- list partitioning on text
CREATE TABLE pdl (k text, v int) PARTITION BY LIST (k);
CREATE TABLE pdl_ab PARTITION OF pdl FOR VALUES IN ('a', 'b');
CREATE TABLE pdl_c PARTITION OF pdl FOR VALUES IN ('c');
CREATE TABLE pdl_d PARTITION OF pdl FOR VALUES IN ('d', NULL);
CREATE TABLE pdl_def PARTITION OF pdl DEFAULT;
INSERT INTO pdl SELECT (ARRAY['a', 'b', 'c', 'd', 'e'])[1 + g % 5], g FROM generate_series(1, 500) g;
ANALYZE pdl;
EXPLAIN SELECT * FROM pdl WHERE k IN ('a', 'c');
EXPLAIN SELECT * FROM pdl WHERE k = ANY (ARRAY['b', 'zz']);
EXPLAIN SELECT * FROM pdl WHERE k IN ('a', 'b');
EXPLAIN SELECT * FROM pdl WHERE k NOT IN ('a', 'b', 'c');
EXPLAIN SELECT * FROM pdl WHERE k <> ALL (ARRAY['a', 'b', 'd']);
EXPLAIN (COSTS OFF) SELECT * FROM pdl WHERE k <> ALL (ARRAY['a', NULL]);
SELECT k, count(*) FROM pdl WHERE k NOT IN ('a', 'b', 'c') GROUP BY k ORDER BY k;
SELECT k, count(*) FROM pdl WHERE k IN ('b', 'e', 'zz') GROUP BY k ORDER BY k;
EXPLAIN UPDATE pdl SET v = v + 1 WHERE k IN ('a', 'c');
EXPLAIN DELETE FROM pdl WHERE k NOT IN ('a', 'b');
EXPLAIN VERBOSE UPDATE pdl SET k = 'b' WHERE k = 'a' RETURNING v;
EXPLAIN VERBOSE UPDATE pdl SET v = o.i FROM pdx_other o WHERE pdl.v = o.i;
-- inherited statistics: ANALYZE of a partitioned table describes all of its rows
SELECT tablename, attname, inherited, null_frac, avg_width, n_distinct FROM pg_stats WHERE tablename IN ('pdx', 'pdl') ORDER BY 1, 2;
-- hash partitioning
CREATE TABLE pdh (id int, t text) PARTITION BY HASH (id);
CREATE TABLE pdh0 PARTITION OF pdh FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE pdh1 PARTITION OF pdh FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE pdh2 PARTITION OF pdh FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO pdh SELECT g, 'x' || g FROM generate_series(1, 900) g;
ANALYZE pdh;
EXPLAIN SELECT * FROM pdh WHERE id IN (1, 2);
EXPLAIN SELECT * FROM pdh WHERE id = ANY (ARRAY[5, 6, 7, 8]);
EXPLAIN (COSTS OFF) SELECT * FROM pdh WHERE id IN (3);
EXPLAIN UPDATE pdh SET t = 'y' WHERE id = ANY (ARRAY[1, 2, 3]);
EXPLAIN DELETE FROM pdh WHERE id = 3;
SELECT id, t FROM pdh WHERE id = ANY (ARRAY[1, 2, 3, 4]) ORDER BY id;
-- a parameter array prunes when the statement runs
PREPARE pdh_any(int[]) AS SELECT id FROM pdh WHERE id = ANY ($1) ORDER BY id;
EXECUTE pdh_any(ARRAY[4, 5, 6]);
EXECUTE pdh_any('{}');
EXPLAIN EXECUTE pdh_any(ARRAY[1, 2]);
PREPARE pdh_count(int[]) AS SELECT count(*) FROM pdh WHERE id = ANY ($1);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE pdh_count(ARRAY[3]);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) EXECUTE pdh_count(ARRAY[3, 4]);
DEALLOCATE pdh_count;
DEALLOCATE pdh_any;
PREPARE pdl_in(text[]) AS SELECT k, count(*) FROM pdl WHERE k = ANY ($1) GROUP BY k ORDER BY k;
EXECUTE pdl_in(ARRAY['c', 'e']);
DEALLOCATE pdl_in;
-- ON CONFLICT under EXPLAIN ANALYZE: the rows inserted, those that conflicted, those the WHERE left
CREATE TABLE pdu (i int PRIMARY KEY, j int) PARTITION BY RANGE (i);
CREATE TABLE pdu1 PARTITION OF pdu FOR VALUES FROM (0) TO (500);
CREATE TABLE pdu2 PARTITION OF pdu FOR VALUES FROM (500) TO (1000);
INSERT INTO pdu VALUES (1, 1), (600, 1);
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO pdu VALUES (1, 2), (2, 2), (600, 3) ON CONFLICT (i) DO UPDATE SET j = excluded.j WHERE pdu.j < 0;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) INSERT INTO pdu VALUES (1, 2), (3, 2) ON CONFLICT DO NOTHING;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) INSERT INTO pdu VALUES (4, 2), (3, 2) ON CONFLICT (i) DO UPDATE SET j = 9;
EXPLAIN VERBOSE INSERT INTO pdu VALUES (5, 2) ON CONFLICT (i) DO UPDATE SET j = excluded.j + pdu.j;
SELECT * FROM pdu ORDER BY i;
DROP TABLE pdx, pdx_other, pdl, pdh, pdu;
