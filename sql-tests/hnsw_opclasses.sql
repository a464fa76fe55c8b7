-- HNSW on every pgvector operator class: bit strings (Hamming, Jaccard), sparse vectors,
-- L1; and the operator-class, type and dimension checks pgvector makes
CREATE TABLE hbits (id int PRIMARY KEY, b bit(12), tag int);
INSERT INTO hbits SELECT i, (repeat('1', i) || repeat('0', 12 - i))::bit(12), i % 2 FROM generate_series(1, 11) i;
INSERT INTO hbits VALUES (12, NULL, 0);
CREATE INDEX hbits_ham ON hbits USING hnsw (b bit_hamming_ops);
CREATE INDEX hbits_jac ON hbits USING hnsw (b bit_jaccard_ops) WITH (m = 8, ef_construction = 32);
SET enable_seqscan = off;
SELECT id, b <~> '111111111111' AS d FROM hbits ORDER BY b <~> '111111111111' LIMIT 4;
SELECT id, b <%> '111111111100' AS d FROM hbits ORDER BY b <%> '111111111100' LIMIT 4;
SELECT id, b <~> '000000000000' AS d FROM hbits WHERE tag = 1 ORDER BY b <~> '000000000000' LIMIT 3;
INSERT INTO hbits VALUES (13, '111111111110', 1);
DELETE FROM hbits WHERE id = 11;
SELECT id, b <~> '111111111111' AS d FROM hbits ORDER BY b <~> '111111111111' LIMIT 3;
SELECT id, hamming_distance(b, '111111111111') AS d FROM hbits ORDER BY d, id LIMIT 3;
RESET enable_seqscan;
DROP TABLE hbits;
-- sparse vectors and L1
CREATE TABLE hsparse (id int PRIMARY KEY, s sparsevec(5), v vector(3));
INSERT INTO hsparse VALUES (1, '{1:1,3:2}/5', '[1,0,2]'), (2, '{2:4}/5', '[0,4,0]'), (3, '{1:3,5:1}/5', '[3,0,1.5]'), (4, '{4:0.5}/5', '[0,0.5,0]');
CREATE INDEX ON hsparse USING hnsw (s sparsevec_l2_ops);
CREATE INDEX ON hsparse USING hnsw (s sparsevec_ip_ops);
CREATE INDEX ON hsparse USING hnsw (s sparsevec_cosine_ops);
CREATE INDEX ON hsparse USING hnsw (s sparsevec_l1_ops);
CREATE INDEX ON hsparse USING hnsw (v vector_l1_ops);
SET enable_seqscan = off;
SELECT id, s <-> '{1:1}/5' AS d FROM hsparse ORDER BY s <-> '{1:1}/5' LIMIT 3;
SELECT id, s <+> '{1:1}/5' AS d FROM hsparse ORDER BY s <+> '{1:1}/5' LIMIT 3;
SELECT id, v <+> '[1,1,1]' AS d FROM hsparse ORDER BY v <+> '[1,1,1]' LIMIT 3;
RESET enable_seqscan;
DROP TABLE hsparse;
-- what pgvector refuses
CREATE TABLE hbad (b bit(8), vb varbit(8), wide bit(64001), v vector(3), s sparsevec(5));
CREATE INDEX ON hbad USING hnsw (vb bit_hamming_ops);
CREATE INDEX ON hbad USING hnsw (wide bit_hamming_ops);
CREATE INDEX ON hbad USING hnsw (b);
CREATE INDEX ON hbad USING hnsw (b bit_l2_ops);
CREATE INDEX ON hbad USING ivfflat (b bit_jaccard_ops);
CREATE INDEX ON hbad USING ivfflat (s sparsevec_l2_ops);
CREATE INDEX ON hbad USING hnsw (b vector_l2_ops);
CREATE INDEX ON hbad USING hnsw (v bit_hamming_ops);
CREATE INDEX ON hbad USING hnsw (s vector_l2_ops);
CREATE INDEX ON hbad USING hnsw (v sparsevec_l2_ops);
DROP TABLE hbad;
