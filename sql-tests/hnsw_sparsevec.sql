-- HNSW on sparse vectors (sparsevec_l2_ops, _ip_ops, _cosine_ops, _l1_ops): searched
-- through the index, with a filter, after deletes and inserts; pgvector's 1,000-element limit
CREATE TABLE hsv (id int PRIMARY KEY, cat int, s sparsevec(50));
INSERT INTO hsv SELECT i, i % 4,
  ('{' || (i % 17 + 1) || ':' || round((1.5 + sin(i))::numeric, 4) || ',' || (20 + i % 13) || ':' || round((1.5 + cos(i * 0.7))::numeric, 4)
   || ',' || (40 + i % 7) || ':' || round((0.2 + abs(sin(i * 1.9)))::numeric, 4) || '}/50')::sparsevec
FROM generate_series(1, 300) i;
INSERT INTO hsv VALUES (301, 1, NULL), (302, 2, '{}/50');
CREATE INDEX hsv_l2 ON hsv USING hnsw (s sparsevec_l2_ops);
CREATE INDEX hsv_ip ON hsv USING hnsw (s sparsevec_ip_ops);
CREATE INDEX hsv_cos ON hsv USING hnsw (s sparsevec_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX hsv_l1 ON hsv USING hnsw (s sparsevec_l1_ops);
SET enable_seqscan = off;
SELECT id, round((s <-> '{3:2,25:1.5,44:0.7}/50')::numeric, 4) AS d FROM hsv ORDER BY s <-> '{3:2,25:1.5,44:0.7}/50' LIMIT 5;
SELECT id, round((s <#> '{3:2,25:1.5,44:0.7}/50')::numeric, 4) AS d FROM hsv ORDER BY s <#> '{3:2,25:1.5,44:0.7}/50' LIMIT 5;
SELECT id, round((s <=> '{3:2,25:1.5,44:0.7}/50')::numeric, 4) AS d FROM hsv ORDER BY s <=> '{3:2,25:1.5,44:0.7}/50' LIMIT 5;
SELECT id, round((s <+> '{3:2,25:1.5,44:0.7}/50')::numeric, 4) AS d FROM hsv ORDER BY s <+> '{3:2,25:1.5,44:0.7}/50' LIMIT 5;
SELECT id, cat FROM hsv WHERE cat = 3 ORDER BY s <-> '{1:1,20:1,40:1}/50' LIMIT 4;
SELECT id FROM hsv WHERE id > 250 ORDER BY s <+> '{17:2,32:2,46:1}/50' LIMIT 4;
-- a query with more elements than any row
SELECT id FROM hsv ORDER BY s <-> '{1:1,2:1,3:1,4:1,5:1,6:1,7:1,8:1}/50' LIMIT 3;
DELETE FROM hsv WHERE id % 3 = 0;
INSERT INTO hsv VALUES (1000, 0, '{3:2,25:1.5,44:0.7}/50');
SELECT id, s <-> '{3:2,25:1.5,44:0.7}/50' AS d FROM hsv ORDER BY s <-> '{3:2,25:1.5,44:0.7}/50' LIMIT 3;
SELECT id FROM hsv ORDER BY s <=> '{3:2,25:1.5,44:0.7}/50' LIMIT 3;
SELECT id FROM hsv ORDER BY s <-> '{3:2}/49' LIMIT 1;
RESET enable_seqscan;
DROP TABLE hsv;
-- at most 1,000 non-zero elements in an HNSW index (pgvector's limit)
CREATE TABLE hsv_big (id int, s sparsevec(2000));
INSERT INTO hsv_big SELECT 1, ('{' || string_agg(i || ':1', ',') || '}/2000')::sparsevec FROM generate_series(1, 1001) i;
CREATE INDEX ON hsv_big USING hnsw (s sparsevec_l2_ops);
CREATE INDEX ON hsv_big USING ivfflat (s sparsevec_l2_ops);
DELETE FROM hsv_big;
CREATE INDEX hsv_big_l1 ON hsv_big USING hnsw (s sparsevec_l1_ops);
INSERT INTO hsv_big SELECT 2, ('{' || string_agg(i || ':1', ',') || '}/2000')::sparsevec FROM generate_series(1, 1000) i;
INSERT INTO hsv_big SELECT 3, ('{' || string_agg(i || ':1', ',') || '}/2000')::sparsevec FROM generate_series(1, 1001) i;
UPDATE hsv_big SET s = ('{' || (SELECT string_agg(i || ':2', ',') FROM generate_series(1, 1500) i) || '}/2000')::sparsevec;
SELECT id, s <+> '{1:1}/2000' AS d FROM hsv_big ORDER BY s <+> '{1:1}/2000' LIMIT 1;
DROP INDEX hsv_big_l1;
INSERT INTO hsv_big SELECT 3, ('{' || string_agg(i || ':1', ',') || '}/2000')::sparsevec FROM generate_series(1, 1001) i;
SELECT count(*) FROM hsv_big;
DROP TABLE hsv_big;
