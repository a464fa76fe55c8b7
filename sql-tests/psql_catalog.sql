-- psql backslash commands (their catalog queries) on a pgvector table
CREATE TABLE psql_items (id bigserial PRIMARY KEY, content text NOT NULL, category text, embedding vector(3));
CREATE INDEX psql_items_embedding_idx ON psql_items USING hnsw (embedding vector_l2_ops);
CREATE INDEX psql_items_category_idx ON psql_items (category);
COMMENT ON TABLE psql_items IS 'demo items with embeddings';
\dt
\dt psql_*
\di
\ds
\d
\dv
\dx
\dn
\du
\db
\dp psql_items
\d psql_items_pkey
\d psql_items_category_idx
\d psql_items_id_seq
\dt nosuch
\d nosuch
DROP TABLE psql_items;
\dt
