-- What a vector index scan returns (pgvector's test/sql/hnsw_vector.sql and ivfflat_vector.sql,
-- and more): with enable_seqscan = off the index answers ORDER BY distance with or without
-- LIMIT, and never returns a NULL vector, nor for a cosine class a zero one. Without LIMIT
-- an HNSW scan yields hnsw.ef_search rows (all with hnsw.iterative_scan), the filter after.
SET enable_seqscan = off;
-- L2
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING hnsw (val vector_l2_ops);
INSERT INTO vis (val) VALUES ('[1,2,4]');
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
SELECT * FROM vis ORDER BY val <-> '[3,3,3]' LIMIT 10;
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <-> (SELECT NULL::vector)) t2;
SELECT COUNT(*) FROM vis;
EXPLAIN (COSTS OFF) SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
TRUNCATE vis;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
DROP TABLE vis;
-- inner product
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING hnsw (val vector_ip_ops);
INSERT INTO vis (val) VALUES ('[1,2,4]');
SELECT * FROM vis ORDER BY val <#> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <#> (SELECT NULL::vector)) t2;
DROP TABLE vis;
-- cosine: the zero vector is not in the index either
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING hnsw (val vector_cosine_ops);
INSERT INTO vis (val) VALUES ('[1,2,4]');
SELECT * FROM vis ORDER BY val <=> '[3,3,3]';
SELECT * FROM vis ORDER BY val <=> '[3,3,3]' LIMIT 10;
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <=> '[0,0,0]') t2;
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <=> (SELECT NULL::vector)) t2;
SELECT * FROM vis CROSS JOIN LATERAL (SELECT * FROM vis t2 ORDER BY val <=> vis.val LIMIT 1) t2 WHERE vis.val != '[0,0,0]' ORDER BY vis.val;
DROP TABLE vis;
-- halfvec cosine
CREATE TABLE vis (val halfvec(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL), ('[1,2,4]');
CREATE INDEX ON vis USING hnsw (val halfvec_cosine_ops);
SELECT * FROM vis ORDER BY val <=> '[3,3,3]';
SELECT * FROM vis ORDER BY val <=> '[3,3,3]' LIMIT 10;
DROP TABLE vis;
-- L1
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING hnsw (val vector_l1_ops);
INSERT INTO vis (val) VALUES ('[1,2,4]');
SELECT * FROM vis ORDER BY val <+> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <+> (SELECT NULL::vector)) t2;
DROP TABLE vis;
-- iterative
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING hnsw (val vector_l2_ops);
SET hnsw.iterative_scan = strict_order;
SET hnsw.ef_search = 1;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
SET hnsw.iterative_scan = relaxed_order;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
RESET hnsw.iterative_scan;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
RESET hnsw.ef_search;
DROP TABLE vis;
-- hnsw.ef_search bounds a scan without LIMIT; the filter and OFFSET apply to what it yields
CREATE TABLE vis (id int, v vector(2));
INSERT INTO vis SELECT i, ARRAY[i % 17, i / 17]::vector FROM generate_series(1, 100) i;
INSERT INTO vis VALUES (101, NULL), (102, '[0,0]');
CREATE INDEX ON vis USING hnsw (v vector_l2_ops);
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT * FROM vis ORDER BY v <-> '[3,3]') s;
SELECT count(*) FROM (SELECT * FROM vis WHERE id % 2 = 0 ORDER BY v <-> '[3,3]') s;
SELECT count(*) FROM (SELECT * FROM vis ORDER BY v <-> '[3,3]' OFFSET 4) s;
SELECT count(*) FROM (SELECT * FROM vis WHERE id % 2 = 0 ORDER BY v <-> '[3,3]' OFFSET 2) s;
SELECT id, v <-> '[3,3]' AS d FROM vis ORDER BY v <-> '[3,3]', id LIMIT 3;
EXPLAIN (COSTS OFF) SELECT * FROM vis ORDER BY v <-> '[3,3]' OFFSET 4;
EXPLAIN (COSTS OFF) SELECT id FROM vis WHERE id % 2 = 0 ORDER BY v <-> '[3,3]';
SET hnsw.iterative_scan = strict_order;
SELECT count(*) FROM (SELECT * FROM vis ORDER BY v <-> '[3,3]') s;
SELECT count(*) FROM (SELECT * FROM vis WHERE id % 2 = 0 ORDER BY v <-> '[3,3]') s;
SELECT count(*) FROM (SELECT * FROM vis ORDER BY v <-> '[3,3]' OFFSET 4) s;
RESET hnsw.iterative_scan;
RESET hnsw.ef_search;
-- partitioned: each partition's index yields hnsw.ef_search rows, merged
CREATE TABLE visp (id int, v vector(2)) PARTITION BY RANGE (id);
CREATE TABLE visp1 PARTITION OF visp FOR VALUES FROM (0) TO (50);
CREATE TABLE visp2 PARTITION OF visp FOR VALUES FROM (50) TO (200);
INSERT INTO visp SELECT id, v FROM vis;
CREATE INDEX ON visp USING hnsw (v vector_l2_ops);
SET hnsw.ef_search = 10;
SELECT count(*) FROM (SELECT * FROM visp ORDER BY v <-> '[3,3]') s;
SELECT count(*) FROM (SELECT * FROM visp ORDER BY v <-> '[3,3]' LIMIT 15) s;
SELECT id, v <-> '[3,3]' AS d FROM visp ORDER BY v <-> '[3,3]', id LIMIT 3;
EXPLAIN (COSTS OFF) SELECT * FROM visp ORDER BY v <-> '[3,3]';
EXPLAIN (COSTS OFF) SELECT * FROM visp WHERE id > 60 ORDER BY v <-> '[3,3]';
RESET hnsw.ef_search;
DROP TABLE visp;
-- a sequential scan returns the NULL vector last
RESET enable_seqscan;
SELECT count(*) FROM (SELECT * FROM vis ORDER BY v <-> '[3,3]') s;
SELECT id FROM vis ORDER BY v <-> '[3,3]' OFFSET 101;
SET enable_seqscan = off;
DROP TABLE vis;
-- IVFFlat: the probed lists
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING ivfflat (val vector_l2_ops) WITH (lists = 1);
INSERT INTO vis (val) VALUES ('[1,2,4]');
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <-> (SELECT NULL::vector)) t2;
-- TRUNCATE builds the index anew, on no rows
TRUNCATE vis;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
DROP TABLE vis;
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING ivfflat (val vector_cosine_ops) WITH (lists = 1);
INSERT INTO vis (val) VALUES ('[1,2,4]');
SELECT * FROM vis ORDER BY val <=> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM vis ORDER BY val <=> '[0,0,0]') t2;
DROP TABLE vis;
CREATE TABLE vis (val vector(3));
INSERT INTO vis (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON vis USING ivfflat (val vector_l2_ops) WITH (lists = 3);
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
SET ivfflat.probes = 2;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
RESET ivfflat.probes;
SET ivfflat.iterative_scan = relaxed_order;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
SET ivfflat.max_probes = 1;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
SET ivfflat.max_probes = 2;
SELECT * FROM vis ORDER BY val <-> '[3,3,3]';
RESET ivfflat.iterative_scan;
RESET ivfflat.max_probes;
DROP TABLE vis;
-- an expression index: its key's NULL and zero values are left out too
CREATE TABLE vise (id int, v vector(3));
INSERT INTO vise VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL), (5, '[1,2,4]');
CREATE INDEX vise_h ON vise USING hnsw ((v::halfvec(3)) halfvec_cosine_ops);
SELECT id FROM vise ORDER BY v::halfvec(3) <=> '[3,3,3]';
SELECT id FROM vise ORDER BY v::halfvec(3) <=> '[3,3,3]' LIMIT 10;
REINDEX INDEX CONCURRENTLY vise_h;
SELECT id FROM vise ORDER BY v::halfvec(3) <=> '[3,3,3]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM vise ORDER BY v::halfvec(3) <=> '[3,3,3]';
DROP TABLE vise;
RESET enable_seqscan;
-- each leaf's IVFFlat indexes, once per TRUNCATE of it
CREATE TABLE visp (id int, v vector(2)) PARTITION BY RANGE (id);
CREATE TABLE visp1 PARTITION OF visp FOR VALUES FROM (0) TO (10);
CREATE TABLE visp2 PARTITION OF visp FOR VALUES FROM (10) TO (20);
INSERT INTO visp VALUES (1, '[1,1]'), (11, '[2,2]');
CREATE INDEX ON visp USING ivfflat (v vector_l2_ops) WITH (lists = 1);
CREATE INDEX ON visp USING hnsw (v vector_l2_ops);
TRUNCATE visp;
TRUNCATE visp1;
DROP TABLE visp;
