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
