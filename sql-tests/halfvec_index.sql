-- HNSW indexes on halfvec columns (pgvector's halfvec_*_ops) and exact/indexed KNN on halfvec
CREATE TABLE hvi (id int PRIMARY KEY, category int, embedding halfvec(3));
INSERT INTO hvi SELECT g, g % 3, ARRAY[sin(g), cos(g), sin(g * 0.5)]::halfvec(3) FROM generate_series(1, 200) g;
SELECT id, embedding <-> '[0.5,0.5,0.5]' AS d FROM hvi ORDER BY embedding <-> '[0.5,0.5,0.5]', id LIMIT 5;
CREATE INDEX hvi_l2 ON hvi USING hnsw (embedding halfvec_l2_ops);
CREATE INDEX hvi_cos ON hvi USING hnsw (embedding halfvec_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX ON hvi USING hnsw (embedding vector_l2_ops);
CREATE INDEX ON hvi USING hnsw (embedding);
CREATE INDEX ON hvi USING ivfflat (embedding halfvec_l1_ops);
SELECT id FROM hvi ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 5;
SELECT id FROM hvi ORDER BY embedding <=> '[0.5,0.5,0.5]' LIMIT 5;
SELECT id FROM hvi WHERE category = 1 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 3;
SELECT count(*) FROM (SELECT id FROM hvi WHERE id <= 7 ORDER BY embedding <-> '[0.5,0.5,0.5]' LIMIT 10) s;
DROP TABLE hvi;
