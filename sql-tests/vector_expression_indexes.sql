-- Expression vector indexes, pgvector's README patterns: half-precision indexing,
-- binary quantization (with re-ranking) and subvector indexing, through HNSW and IVFFlat.
-- Tables are small enough that each index answers exactly; enable_seqscan = off forces the
-- index as in pgvector's tests (NULL keys, and zero keys for cosine, are then left out).
-- Three bits have ties: those queries take every row through the index and order the
-- result by distance and id.
CREATE TABLE ex_items (id int, embedding vector(3));
INSERT INTO ex_items VALUES (1, '[1,-2,3]'), (2, '[2,-2,-3]'), (3, '[1,2,-3]'), (4, '[-1,2,-3]'), (5, NULL), (6, '[0,0,0]');
CREATE INDEX ON ex_items USING hnsw ((embedding::halfvec(3)) halfvec_l2_ops);
CREATE INDEX ON ex_items USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops);
CREATE INDEX ON ex_items USING hnsw ((subvector(embedding, 1, 2)::vector(2)) vector_cosine_ops);
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ex_items' ORDER BY indexname;
SELECT pg_get_indexdef('ex_items_binary_quantize_idx'::regclass, 1, false), pg_get_indexdef('ex_items_binary_quantize_idx'::regclass, 1, true);
\d ex_items
\d ex_items_binary_quantize_idx
SELECT indkey, indexprs IS NOT NULL AS has_expression FROM pg_index WHERE indexrelid = 'ex_items_embedding_idx'::regclass;
SET enable_seqscan = off;
SELECT id FROM ex_items ORDER BY embedding::halfvec(3) <-> '[1,2,3]' LIMIT 5;
SELECT id, embedding::halfvec(3) <-> '[1,2,3]' AS d FROM ex_items ORDER BY embedding::halfvec(3) <-> '[1,2,3]' LIMIT 3;
SELECT id FROM ex_items WHERE id % 2 = 0 ORDER BY embedding::halfvec(3) <-> '[1,2,3]' LIMIT 2;
PREPARE ex_q(vector) AS SELECT id FROM ex_items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize($1) LIMIT 1;
EXECUTE ex_q('[1,-2,3]');
DEALLOCATE ex_q;
SELECT * FROM (SELECT id, binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) AS d FROM ex_items
  ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 10) r ORDER BY d, id;
-- re-ranking: the binary-quantized index picks candidates, the exact distance orders them
SELECT id FROM (SELECT * FROM ex_items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 2) c
  ORDER BY embedding <=> '[1,-2,3]' LIMIT 2;
SELECT id FROM ex_items ORDER BY subvector(embedding, 1, 2)::vector(2) <=> subvector('[1,2,3,4,5]'::vector, 1, 2) LIMIT 5;
RESET enable_seqscan;
-- without the index forced, NULL keys come last as in an exact scan
SELECT * FROM (SELECT id, binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) AS d FROM ex_items
  ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 10) r ORDER BY d NULLS LAST, id;
-- rows inserted after the index are found too
INSERT INTO ex_items VALUES (7, '[1,-2,2]');
SET enable_seqscan = off;
SELECT id FROM ex_items ORDER BY embedding::halfvec(3) <-> '[1,-2,2]' LIMIT 2;
RESET enable_seqscan;
-- a renamed column is renamed in the index's expression
ALTER TABLE ex_items RENAME COLUMN embedding TO emb;
SELECT indexdef FROM pg_indexes WHERE indexname = 'ex_items_embedding_idx';
SET enable_seqscan = off;
SELECT id FROM ex_items ORDER BY emb::halfvec(3) <-> '[1,-2,2]' LIMIT 2;
RESET enable_seqscan;
REINDEX TABLE ex_items;
DROP INDEX ex_items_embedding_idx, ex_items_binary_quantize_idx, ex_items_subvector_idx;
-- IVFFlat
CREATE INDEX ex_items_half_ivf ON ex_items USING ivfflat ((emb::halfvec(3)) halfvec_l2_ops) WITH (lists = 1);
CREATE INDEX ex_items_bq_ivf ON ex_items USING ivfflat ((binary_quantize(emb)::bit(3)) bit_hamming_ops) WITH (lists = 1);
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ex_items' ORDER BY indexname;
SET enable_seqscan = off;
SELECT id FROM ex_items ORDER BY emb::halfvec(3) <-> '[1,2,3]' LIMIT 3;
SELECT * FROM (SELECT id, binary_quantize(emb)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) AS d FROM ex_items
  ORDER BY binary_quantize(emb)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 10) r ORDER BY d, id;
RESET enable_seqscan;
-- what pgvector refuses: no dimensions, dimensions that differ, a type no class accepts
CREATE INDEX ON ex_items USING hnsw ((binary_quantize(emb)) bit_hamming_ops);
CREATE INDEX ON ex_items USING hnsw ((emb::halfvec) halfvec_l2_ops);
CREATE INDEX ON ex_items USING hnsw ((emb::halfvec(4)) halfvec_l2_ops);
CREATE INDEX ON ex_items USING hnsw ((emb::halfvec(3)) vector_l2_ops);
CREATE INDEX ON ex_items USING hnsw ((id::text) halfvec_l2_ops);
DROP TABLE ex_items;
-- a partitioned table's index: each partition gets a copy, also one created later
CREATE TABLE ex_parts (id int, tenant int, embedding vector(3)) PARTITION BY LIST (tenant);
CREATE TABLE ex_parts_1 PARTITION OF ex_parts FOR VALUES IN (1);
CREATE INDEX ON ex_parts USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops);
CREATE TABLE ex_parts_2 PARTITION OF ex_parts FOR VALUES IN (2);
INSERT INTO ex_parts VALUES (1, 1, '[1,2,3]'), (2, 2, '[-1,2,-3]'), (3, 1, '[1,-2,3]'), (4, 2, '[1,-2,-3]');
SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'ex_parts%' ORDER BY tablename, indexname;
SET enable_seqscan = off;
SELECT * FROM (SELECT id, binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) AS d FROM ex_parts
  ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 10) r ORDER BY d, id;
RESET enable_seqscan;
DROP TABLE ex_parts;
