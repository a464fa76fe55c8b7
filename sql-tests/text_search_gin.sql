-- GIN indexes over tsvector: a column, and to_tsvector('english', body)
CREATE TABLE gin_docs (id int PRIMARY KEY, body text,
  tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED);
INSERT INTO gin_docs (id, body) VALUES
  (1, 'The quick brown fox jumps over the lazy dog'),
  (2, 'A fat cat sat on the mat'),
  (3, 'Cats and dogs living together'),
  (4, NULL),
  (5, 'The catalogue of rare dogs'),
  (6, 'Foxes are quick; dogs are lazy'),
  (7, 'quick quick quick');
CREATE INDEX gin_docs_tsv_idx ON gin_docs USING gin (tsv);
CREATE INDEX gin_docs_body_idx ON gin_docs USING gin (to_tsvector('english', body));
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'gin_docs' ORDER BY indexname;
SET enable_seqscan = off;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'dog') ORDER BY id;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'dog & !cat') ORDER BY id;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'cat:* | fox') ORDER BY id;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'quick <-> brown') ORDER BY id;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'dog:B') ORDER BY id;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'dog:A') ORDER BY id;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', '!dog') ORDER BY id;
SELECT id FROM gin_docs WHERE to_tsvector('english', body) @@ plainto_tsquery('english', 'lazy dogs') ORDER BY id;
SELECT id FROM gin_docs WHERE to_tsvector('english', body) @@ websearch_to_tsquery('english', '"lazy dog" or cat') AND id > 1 ORDER BY id;
SELECT count(*) FROM gin_docs WHERE to_tsquery('english', 'quick') @@ tsv;
DELETE FROM gin_docs WHERE id = 6;
SELECT id FROM gin_docs WHERE tsv @@ to_tsquery('english', 'quick') ORDER BY id;
RESET enable_seqscan;
-- only tsvector_ops exists
CREATE INDEX ON gin_docs USING gin (id);
CREATE INDEX ON gin_docs USING gin (body);
CREATE INDEX ON gin_docs USING gin (tsv int4_ops);
DROP INDEX gin_docs_body_idx;
SELECT indexname FROM pg_indexes WHERE tablename = 'gin_docs' ORDER BY indexname;
DROP TABLE gin_docs;
