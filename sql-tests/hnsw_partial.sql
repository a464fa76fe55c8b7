-- Partial HNSW indexes: the index holds only the rows of its WHERE and answers queries
-- whose WHERE has that condition; other queries are answered without it
CREATE TABLE hp (id int PRIMARY KEY, category_id int, e vector(3));
INSERT INTO hp SELECT i, i % 4, ARRAY[sin(i), cos(i * 1.7), sin(i * 0.3)]::vector(3) FROM generate_series(1, 400) i;
CREATE INDEX hp_cat2 ON hp USING hnsw (e vector_l2_ops) WHERE category_id = 2;
CREATE INDEX hp_cos_cat1 ON hp USING hnsw (e vector_cosine_ops) WHERE category_id = 1 AND id > 50;
SET enable_seqscan = off;
SELECT id, category_id FROM hp WHERE category_id = 2 ORDER BY e <-> '[0.1,0.5,-0.2]' LIMIT 5;
SELECT id FROM hp WHERE category_id = 2 AND id < 200 ORDER BY e <-> '[0.1,0.5,-0.2]' LIMIT 5;
SELECT id FROM hp WHERE category_id = 3 ORDER BY e <-> '[0.1,0.5,-0.2]' LIMIT 5;
SELECT id FROM hp ORDER BY e <-> '[0.1,0.5,-0.2]' LIMIT 5;
SELECT id FROM hp WHERE id > 50 AND category_id = 1 ORDER BY e <=> '[0.1,0.5,-0.2]' LIMIT 5;
SELECT id FROM hp WHERE category_id = 1 ORDER BY e <=> '[0.1,0.5,-0.2]' LIMIT 5;
DELETE FROM hp WHERE id % 8 = 2;
INSERT INTO hp VALUES (1000, 2, '[0.1,0.5,-0.2]'), (1001, 3, '[0.1,0.5,-0.2]');
SELECT id, e <-> '[0.1,0.5,-0.2]' AS d FROM hp WHERE category_id = 2 ORDER BY e <-> '[0.1,0.5,-0.2]' LIMIT 4;
RESET enable_seqscan;
DROP TABLE hp;
