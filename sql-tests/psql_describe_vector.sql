-- psql \d of a table with a vector column, an HNSW index and CHECK constraints
CREATE TABLE ditems (id bigserial PRIMARY KEY, content text NOT NULL, category text DEFAULT 'x', embedding vector(3), CHECK (length(content) > 0));
CREATE INDEX ON ditems USING hnsw (embedding vector_cosine_ops) WITH (m = 8);
CREATE INDEX ditems_cat ON ditems (category);
\d ditems
DROP TABLE ditems;
