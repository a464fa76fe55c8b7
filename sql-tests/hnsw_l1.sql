-- HNSW L1 graphs (vector_l1_ops, halfvec_l1_ops): searched through the index, with and
-- without a filter, with ef_search below and above k, after deletes and inserts
CREATE TABLE hl1 (id int PRIMARY KEY, cat int, v vector(4), h halfvec(4));
INSERT INTO hl1 SELECT i, i % 5,
  ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) * 2, cos(i * 0.31)]::vector(4),
  ARRAY[sin(i), cos(i * 1.3), sin(i * 0.7) * 2, cos(i * 0.31)]::halfvec(4)
FROM generate_series(1, 400) i;
CREATE INDEX hl1_v ON hl1 USING hnsw (v vector_l1_ops);
CREATE INDEX hl1_h ON hl1 USING hnsw (h halfvec_l1_ops) WITH (m = 8, ef_construction = 32);
SET enable_seqscan = off;
SELECT id, round((v <+> '[0.5,-0.2,1,0.3]')::numeric, 5) AS d FROM hl1 ORDER BY v <+> '[0.5,-0.2,1,0.3]' LIMIT 5;
SELECT id, round((h <+> '[0.5,-0.2,1,0.3]')::numeric, 3) AS d FROM hl1 ORDER BY h <+> '[0.5,-0.2,1,0.3]' LIMIT 5;
SELECT id, cat FROM hl1 WHERE cat = 2 ORDER BY v <+> '[-1,1,0,0]' LIMIT 4;
SELECT id FROM hl1 WHERE id > 300 ORDER BY h <+> '[-1,1,0,0]' LIMIT 4;
SET hnsw.ef_search = 100;
SELECT id FROM hl1 ORDER BY v <+> '[0,0,0,0]' LIMIT 6;
DELETE FROM hl1 WHERE id % 2 = 0;
INSERT INTO hl1 VALUES (1000, 0, '[0.5,-0.2,1,0.3]', '[0.5,-0.2,1,0.3]');
SELECT id, v <+> '[0.5,-0.2,1,0.3]' AS d FROM hl1 ORDER BY v <+> '[0.5,-0.2,1,0.3]' LIMIT 3;
SELECT id FROM hl1 ORDER BY h <+> '[0.5,-0.2,1,0.3]' LIMIT 3;
RESET hnsw.ef_search;
RESET enable_seqscan;
DROP TABLE hl1;
