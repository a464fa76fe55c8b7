-- An index on a partitioned table makes one index per partition; dropping a partition's
-- index alone is refused, dropping the parent's index drops the partitions' too.
CREATE TABLE pix (id int, tenant int, embedding vector(3)) PARTITION BY LIST (tenant);
CREATE TABLE pix_1 PARTITION OF pix FOR VALUES IN (1);
CREATE TABLE pix_2 PARTITION OF pix FOR VALUES IN (2);
INSERT INTO pix SELECT i, 1 + i % 2, ARRAY[i, i % 7, 1]::vector FROM generate_series(1, 200) i;
CREATE INDEX pix_embedding_idx ON pix USING hnsw (embedding vector_l2_ops);
SELECT tablename, indexname FROM pg_indexes WHERE tablename LIKE 'pix%' ORDER BY tablename, indexname;
DROP INDEX pix_1_embedding_idx;
DROP INDEX pix_embedding_idx;
SELECT tablename, indexname FROM pg_indexes WHERE tablename LIKE 'pix%' ORDER BY tablename, indexname;
SELECT id FROM pix WHERE tenant = 2 ORDER BY embedding <-> '[10.4,3.3,1]' LIMIT 3;
DROP TABLE pix;
