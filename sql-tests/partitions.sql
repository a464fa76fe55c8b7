-- declarative partitioning: LIST, RANGE, HASH, DEFAULT, routing, pruning-visible results, row movement
\set QUIET off
CREATE TABLE pitems (id bigint, tenant int, label text, embedding vector(2), PRIMARY KEY (id, tenant)) PARTITION BY LIST (tenant);
CREATE TABLE pitems_1 PARTITION OF pitems FOR VALUES IN (1);
CREATE TABLE pitems_2 PARTITION OF pitems FOR VALUES IN (2, 3);
CREATE TABLE pitems_x PARTITION OF pitems FOR VALUES IN (2);
INSERT INTO pitems VALUES (1, 1, 'a', '[1,1]'), (2, 2, 'b', '[2,2]'), (3, 3, 'c', '[3,3]');
INSERT INTO pitems VALUES (4, 9, 'd', '[4,4]');
CREATE TABLE pitems_def PARTITION OF pitems DEFAULT;
CREATE TABLE pitems_def2 PARTITION OF pitems DEFAULT;
INSERT INTO pitems VALUES (4, 9, 'd', '[4,4]');
SELECT * FROM pitems ORDER BY id;
SELECT * FROM pitems_2 ORDER BY id;
SELECT * FROM pitems_def;
SELECT id FROM pitems WHERE tenant = 2 ORDER BY embedding <-> '[0,0]' LIMIT 2;
SELECT id FROM pitems WHERE tenant IN (1, 3) ORDER BY embedding <-> '[0,0]' LIMIT 5;
SELECT tenant, count(*) FROM pitems GROUP BY tenant ORDER BY tenant;
-- a row written into the wrong partition
INSERT INTO pitems_1 VALUES (5, 2, 'e', '[5,5]');
-- changing the key moves the row
UPDATE pitems SET tenant = 1 WHERE id = 3;
SELECT * FROM pitems_1 ORDER BY id;
SELECT * FROM pitems_2 ORDER BY id;
DELETE FROM pitems WHERE tenant = 1 AND id = 1;
SELECT count(*) FROM pitems;
-- keys are unique per partition, ON CONFLICT works through the parent
INSERT INTO pitems VALUES (2, 2, 'dup', '[0,0]');
INSERT INTO pitems VALUES (2, 2, 'dup', '[0,0]') ON CONFLICT (id, tenant) DO UPDATE SET label = excluded.label;
INSERT INTO pitems VALUES (2, 2, 'again', '[0,0]') ON CONFLICT DO NOTHING;
SELECT * FROM pitems WHERE id = 2;
-- RANGE
CREATE TABLE prange (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE prange1 PARTITION OF prange FOR VALUES FROM (MINVALUE) TO (10);
CREATE TABLE prange2 PARTITION OF prange FOR VALUES FROM (10) TO (20);
CREATE TABLE prange3 PARTITION OF prange FOR VALUES FROM (15) TO (30);
CREATE TABLE prange4 PARTITION OF prange FOR VALUES IN (1);
INSERT INTO prange VALUES (5, 'a'), (10, 'b'), (19, 'c'), (-100, 'd');
INSERT INTO prange VALUES (25, 'x');
INSERT INTO prange VALUES (NULL, 'n');
SELECT * FROM prange2 ORDER BY k;
SELECT * FROM prange WHERE k >= 10 ORDER BY k;
SELECT * FROM prange WHERE k < 10 ORDER BY k;
-- multi-column range
CREATE TABLE pmulti (a int, b int) PARTITION BY RANGE (a, b);
CREATE TABLE pmulti1 PARTITION OF pmulti FOR VALUES FROM (0, 0) TO (10, 5);
CREATE TABLE pmulti2 PARTITION OF pmulti FOR VALUES FROM (10, 5) TO (20, 0);
INSERT INTO pmulti VALUES (10, 4), (10, 5), (0, 100);
SELECT * FROM pmulti1 ORDER BY a, b;
SELECT * FROM pmulti2 ORDER BY a, b;
-- HASH: every row lands in exactly one partition
CREATE TABLE phash (id int, v text) PARTITION BY HASH (id);
CREATE TABLE phash0 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE phash1 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE phash2 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 2);
CREATE TABLE phash3 PARTITION OF phash FOR VALUES WITH (MODULUS 3, REMAINDER 3);
INSERT INTO phash SELECT g, 'v' || g FROM generate_series(1, 30) g;
SELECT count(*) FROM phash;
SELECT (SELECT count(*) FROM phash0) + (SELECT count(*) FROM phash1) + (SELECT count(*) FROM phash2) AS total;
SELECT * FROM phash WHERE id = 7;
-- errors
CREATE TABLE pbad (a int, b int, PRIMARY KEY (a)) PARTITION BY LIST (b);
CREATE TABLE pbad2 (a int, b int) PARTITION BY LIST (a, b);
CREATE TABLE pnotpart (a int);
CREATE TABLE pchild PARTITION OF pnotpart FOR VALUES IN (1);
-- DETACH / ATTACH
ALTER TABLE prange DETACH PARTITION prange2;
SELECT * FROM prange ORDER BY k;
SELECT * FROM prange2 ORDER BY k;
ALTER TABLE prange ATTACH PARTITION prange2 FOR VALUES FROM (10) TO (15);
SELECT * FROM prange ORDER BY k;
-- DROP of the parent drops its partitions
DROP TABLE pitems;
SELECT * FROM pitems_1;
DROP TABLE prange, pmulti, phash, pnotpart;
DROP TABLE IF EXISTS prange2;
