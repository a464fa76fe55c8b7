-- ANN indexes (pgvector syntax): creation, options, errors, and KNN results with an index
CREATE TABLE vi (id bigserial PRIMARY KEY, category int, embedding vector(3));
INSERT INTO vi (category, embedding) VALUES
  (1, '[1,2,3]'), (2, '[4,5,6]'), (1, '[1,1,1]'), (2, '[2,2,2]'), (1, '[3,1,2]'),
  (2, '[0,0,1]'), (1, '[-1,-2,-3]'), (2, '[10,0,0]'), (1, '[0,10,0]'), (2, '[0,0,10]'),
  (1, '[2,3,1]'), (2, '[0.5,0.25,0.125]');
CREATE INDEX vi_l2 ON vi USING hnsw (embedding vector_l2_ops);
CREATE INDEX vi_ip ON vi USING hnsw (embedding vector_ip_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX vi_cos ON vi USING hnsw (embedding vector_cosine_ops);
CREATE INDEX vi_l1 ON vi USING hnsw (embedding vector_l1_ops);
CREATE INDEX vi_ivf ON vi USING ivfflat (embedding vector_l2_ops) WITH (lists = 1);
CREATE INDEX ON vi (category);
CREATE INDEX IF NOT EXISTS vi_l2 ON vi USING hnsw (embedding vector_l2_ops);
CREATE INDEX vi_l2 ON vi USING hnsw (embedding vector_l2_ops);
-- index options and operator classes are checked
CREATE INDEX ON vi USING hnsw (embedding vector_l2_ops) WITH (m = 1);
CREATE INDEX ON vi USING hnsw (embedding vector_l2_ops) WITH (ef_construction = 2);
CREATE INDEX ON vi USING hnsw (embedding vector_l2_ops) WITH (nosuch = 1);
CREATE INDEX ON vi USING hnsw (embedding no_such_ops);
CREATE INDEX ON vi USING ivfflat (embedding vector_l2_ops) WITH (lists = 0);
CREATE INDEX ON vi USING nosuch_am (embedding);
CREATE INDEX ON vi USING hnsw (nosuch vector_l2_ops);
CREATE INDEX ON no_such_table USING hnsw (embedding vector_l2_ops);
CREATE TABLE vi_nodim (v vector);
CREATE INDEX ON vi_nodim USING hnsw (v vector_l2_ops);
DROP TABLE vi_nodim;
-- query-time settings
SET hnsw.ef_search = 100;
SHOW hnsw.ef_search;
SET ivfflat.probes = 1;
SHOW ivfflat.probes;
-- KNN with indexes present: the same answers as an exact scan on this small table
SELECT id, embedding <-> '[3,1,2]' AS d FROM vi ORDER BY embedding <-> '[3,1,2]', id LIMIT 5;
SELECT id FROM vi ORDER BY embedding <-> '[3,1,2]' LIMIT 3;
SELECT id, embedding <#> '[1,1,1]' AS d FROM vi ORDER BY embedding <#> '[1,1,1]', id LIMIT 3;
SELECT id, embedding <=> '[1,0,0]' AS d FROM vi ORDER BY embedding <=> '[1,0,0]' LIMIT 3;
SELECT id, embedding <+> '[0,0,0]' AS d FROM vi ORDER BY embedding <+> '[0,0,0]', id LIMIT 4;
SELECT id FROM vi WHERE category = 2 ORDER BY embedding <-> '[3,1,2]' LIMIT 3;
-- rows inserted, updated and deleted after the index was built
INSERT INTO vi (category, embedding) VALUES (3, '[3,1,2.1]');
UPDATE vi SET embedding = '[100,100,100]' WHERE id = 5;
DELETE FROM vi WHERE id = 4;
SELECT id, embedding <-> '[3,1,2]' AS d FROM vi ORDER BY embedding <-> '[3,1,2]' LIMIT 3;
-- DROP INDEX
DROP INDEX vi_ip;
DROP INDEX vi_ip;
DROP INDEX IF EXISTS vi_ip;
DROP INDEX vi_l2, vi_cos;
SELECT id FROM vi ORDER BY embedding <-> '[3,1,2]' LIMIT 2;
RESET hnsw.ef_search;
RESET ivfflat.probes;
DROP TABLE vi;
