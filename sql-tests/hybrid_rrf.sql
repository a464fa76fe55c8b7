-- The hybrid search query of pgvector's example (examples/hybrid_search/rrf.py): a vector
-- ranking and a keyword ranking fused by reciprocal rank (k = 60) with a FULL OUTER JOIN.
CREATE TABLE rrf_docs (id bigserial PRIMARY KEY, content text, embedding vector(3));
INSERT INTO rrf_docs (content, embedding) VALUES ('the cat sat on the mat', '[1,0,0]'), ('dogs chase cats', '[0.9,0.1,0]'), ('a bird in the hand', '[0,1,0]'), ('cats and dogs living together', '[0.5,0.5,0]'), ('nothing to see', '[0,0,1]'), ('a cat, a dog and a bird', '[0.2,0.2,0.6]');
CREATE INDEX ON rrf_docs USING hnsw (embedding vector_cosine_ops);
CREATE INDEX ON rrf_docs USING gin (to_tsvector('english', content));
WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> '[1,0.1,0]') AS rank
    FROM rrf_docs
    ORDER BY embedding <=> '[1,0.1,0]'
    LIMIT 20
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC)
    FROM rrf_docs, plainto_tsquery('english', 'cats dogs') query
    WHERE to_tsvector('english', content) @@ query
    ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC
    LIMIT 20
)
SELECT
    COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) +
    COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search
FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id
LIMIT 5;
DROP TABLE rrf_docs;
-- a partitioned table: each side through every partition's index, or one partition's
CREATE TABLE rrf_parts (id int, tenant int, content text, embedding vector(3)) PARTITION BY LIST (tenant);
CREATE TABLE rrf_parts_1 PARTITION OF rrf_parts FOR VALUES IN (1);
CREATE TABLE rrf_parts_2 PARTITION OF rrf_parts FOR VALUES IN (2);
INSERT INTO rrf_parts VALUES (1, 1, 'the cat sat on the mat', '[1,0,0]'), (2, 2, 'dogs chase cats', '[0.9,0.1,0]'),
  (3, 1, 'a bird in the hand', '[0,1,0]'), (4, 2, 'cats and dogs living together', '[0.5,0.5,0]'),
  (5, 1, 'nothing to see', '[0,0,1]'), (6, 2, 'a cat, a dog and a bird', '[0.2,0.2,0.6]'),
  (7, 1, 'raining cats and dogs', '[0.7,0.2,0.1]'), (8, 2, 'the dog days of summer', '[0.1,0.8,0.3]'),
  (9, 1, 'a cat nap', '[0.95,0.05,0.2]'), (10, 2, 'hot dogs', '[0.3,0.3,0.3]');
CREATE INDEX ON rrf_parts USING hnsw (embedding vector_cosine_ops);
CREATE INDEX ON rrf_parts USING gin (to_tsvector('english', content));
WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> '[1,0.1,0]') AS rank
    FROM rrf_parts
    ORDER BY embedding <=> '[1,0.1,0]'
    LIMIT 20
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC)
    FROM rrf_parts, plainto_tsquery('english', 'cats dogs') query
    WHERE to_tsvector('english', content) @@ query
    ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC
    LIMIT 20
)
SELECT
    COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) +
    COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search
FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id
LIMIT 5;
WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> '[1,0.1,0]') AS rank
    FROM rrf_parts
    WHERE tenant = 1
    ORDER BY embedding <=> '[1,0.1,0]'
    LIMIT 3
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC)
    FROM rrf_parts, plainto_tsquery('english', 'cat') query
    WHERE tenant = 1 AND to_tsvector('english', content) @@ query
    ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC
    LIMIT 3
)
SELECT
    COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) +
    COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search
FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id;
DROP TABLE rrf_parts;
