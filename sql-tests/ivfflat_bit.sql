-- IVFFlat over bit strings (bit_hamming_ops), after pgvector's test/sql/ivfflat_bit.sql:
-- a real index (lists by Hamming distance), rows inserted after it found, NULLs as pgvector
CREATE EXTENSION IF NOT EXISTS vector;
SET enable_seqscan = off;
CREATE TABLE ivfbit (val bit(3));
INSERT INTO ivfbit (val) VALUES (B'000'), (B'100'), (B'111'), (NULL);
CREATE INDEX ON ivfbit USING ivfflat (val bit_hamming_ops) WITH (lists = 1);
INSERT INTO ivfbit (val) VALUES (B'110');
SELECT * FROM ivfbit ORDER BY val <~> B'111' LIMIT 10;
SELECT * FROM ivfbit ORDER BY val <~> B'000' LIMIT 10;
\d ivfbit
-- Jaccard has no IVFFlat operator class, in pgvector as here
CREATE INDEX ON ivfbit USING ivfflat (val bit_jaccard_ops) WITH (lists = 1);
DROP TABLE ivfbit;
CREATE TABLE ivfbit2 (id int, val bit(16));
INSERT INTO ivfbit2 SELECT i, (i * 2654435761 % 65536)::int4::bit(16) FROM generate_series(1, 2000) i;
CREATE INDEX ivfbit2_idx ON ivfbit2 USING ivfflat (val bit_hamming_ops) WITH (lists = 4);
SET ivfflat.probes = 4;
SELECT id, val <~> B'1010101010101010' AS d FROM ivfbit2 ORDER BY val <~> B'1010101010101010', id LIMIT 5;
DROP TABLE ivfbit2;
-- through a forced index (enable_seqscan = off) NULL and, for cosine, zero vectors are not
-- returned, as pgvector's index scan; with the planner's free choice they come last
CREATE TABLE ivfnull (id int, v vector(2));
INSERT INTO ivfnull VALUES (1, '[1,1]'), (2, '[0,0]'), (3, NULL), (4, '[2,1]');
CREATE INDEX ON ivfnull USING hnsw (v vector_cosine_ops);
CREATE INDEX ON ivfnull USING hnsw (v vector_l2_ops);
SELECT id FROM ivfnull ORDER BY v <=> '[1,1]' LIMIT 10;
SELECT id FROM ivfnull ORDER BY v <-> '[1,1]' LIMIT 10;
RESET enable_seqscan;
SELECT id FROM ivfnull ORDER BY v <-> '[1,1]' LIMIT 10;
DROP TABLE ivfnull;
