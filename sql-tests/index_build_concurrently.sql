-- CREATE INDEX CONCURRENTLY and REINDEX … CONCURRENTLY: built outside a transaction block,
-- refused inside one, on a partitioned table and on the system catalogs;
-- pg_stat_progress_create_index's columns (it has no row once the builds are done)
CREATE TABLE cic (id int PRIMARY KEY, v vector(3));
INSERT INTO cic SELECT g, ARRAY[g, g % 7, g % 11]::vector FROM generate_series(1, 200) g;
CREATE INDEX CONCURRENTLY cic_v ON cic USING hnsw (v vector_l2_ops);
CREATE INDEX CONCURRENTLY IF NOT EXISTS cic_v ON cic USING hnsw (v vector_l2_ops);
CREATE INDEX CONCURRENTLY cic_v_ivf ON cic USING ivfflat (v vector_cosine_ops) WITH (lists = 2);
CREATE INDEX CONCURRENTLY cic_v ON cic USING hnsw (v vector_cosine_ops);
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cic' ORDER BY 1;
SELECT c.relname, i.indisvalid, i.indisready FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  WHERE i.indrelid = 'cic'::regclass ORDER BY 1;
SET enable_seqscan = off;
SELECT id FROM cic ORDER BY v <-> '[5.1,5,5]' LIMIT 3;
REINDEX INDEX CONCURRENTLY cic_v;
REINDEX TABLE CONCURRENTLY cic;
SELECT id FROM cic ORDER BY v <-> '[5.1,5,5]' LIMIT 3;
RESET enable_seqscan;
BEGIN;
CREATE INDEX CONCURRENTLY ON cic USING hnsw (v vector_cosine_ops);
ROLLBACK;
BEGIN;
REINDEX INDEX CONCURRENTLY cic_v;
ROLLBACK;
REINDEX SYSTEM CONCURRENTLY regress_index_build_concurrently;
CREATE INDEX CONCURRENTLY ON cic_nope USING hnsw (v vector_l2_ops);
CREATE TABLE cicp (id int, v vector(3)) PARTITION BY RANGE (id);
CREATE TABLE cicp1 PARTITION OF cicp FOR VALUES FROM (0) TO (100);
CREATE INDEX CONCURRENTLY ON cicp USING hnsw (v vector_l2_ops);
CREATE INDEX CONCURRENTLY ON ONLY cicp USING hnsw (v vector_l2_ops);
CREATE INDEX CONCURRENTLY ON cicp1 USING hnsw (v vector_l2_ops);
SELECT indexname FROM pg_indexes WHERE tablename IN ('cic', 'cicp', 'cicp1') ORDER BY 1;
SELECT * FROM pg_stat_progress_create_index \gdesc
SELECT * FROM pg_stat_progress_create_index WHERE datname = current_database();
DROP TABLE cic, cicp;
