-- HNSW and IVFFlat indexes on a partitioned table reach partitions created after them
-- (each gets its own copy, as PostgreSQL's DefineIndex makes), with pgvector's NOTICE for
-- an IVFFlat index built on too little data; queries through them find the new rows
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE vparts (id int, v vector(3)) PARTITION BY RANGE (id);
CREATE TABLE vparts_1 PARTITION OF vparts FOR VALUES FROM (0) TO (100);
INSERT INTO vparts SELECT i, ARRAY[i, i % 7, 1]::vector(3) FROM generate_series(0, 99) i;
CREATE INDEX ON vparts USING hnsw (v vector_l2_ops);
CREATE INDEX ON vparts USING ivfflat (v vector_l2_ops) WITH (lists = 2);
CREATE TABLE vparts_2 PARTITION OF vparts FOR VALUES FROM (100) TO (200);
CREATE TABLE vparts_3 (id int, v vector(3));
ALTER TABLE vparts ATTACH PARTITION vparts_3 FOR VALUES FROM (200) TO (300);
\d vparts_2
\d vparts_3
SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'vparts%' ORDER BY indexname;
SELECT inhrelid::regclass, inhparent::regclass FROM pg_inherits WHERE inhparent IN ('vparts_v_idx'::regclass, 'vparts_v_idx1'::regclass) ORDER BY 1;
INSERT INTO vparts SELECT i, ARRAY[i, i % 7, 1]::vector(3) FROM generate_series(100, 299) i;
-- dropping the parent's index drops the partitions' copies
DROP INDEX vparts_v_idx1;
SELECT indexname FROM pg_indexes WHERE tablename LIKE 'vparts%' ORDER BY indexname;
SET enable_seqscan = off;
SELECT id, round((v <-> '[150.2, 3.3, 1]')::numeric, 3) AS d FROM vparts ORDER BY v <-> '[150.2, 3.3, 1]' LIMIT 3;
SELECT id, round((v <-> '[250.4, 5.2, 1]')::numeric, 3) AS d FROM vparts WHERE id >= 200 ORDER BY v <-> '[250.4, 5.2, 1]' LIMIT 3;
DROP TABLE vparts;
