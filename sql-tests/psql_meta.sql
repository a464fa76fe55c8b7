-- psql backslash commands: they run catalog queries (pg_class, pg_attribute, pg_index, ...)
CREATE TABLE meta_items (id bigserial PRIMARY KEY, label text NOT NULL DEFAULT 'x', price numeric(8,2), embedding vector(3), UNIQUE (label));
CREATE INDEX meta_items_emb ON meta_items USING hnsw (embedding vector_cosine_ops);
CREATE INDEX meta_items_price ON meta_items (price);
CREATE TABLE meta_other (a int, b varchar(10), c timestamp with time zone);
\dt
\d meta_items
\d meta_other
\d+ meta_other
\di
\ds
\dn
\dx
\dT vector
\d no_such_relation
\dt no_such*
DROP TABLE meta_items;
DROP TABLE meta_other;
\dt
