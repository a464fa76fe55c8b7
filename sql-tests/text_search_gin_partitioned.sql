-- GIN indexes on a partitioned table: each partition gets its own index (also one created
-- later), queries read every partition through its lists, pruning leaves one
CREATE TABLE gin_parts (id int, cat int, body text, tsv tsvector) PARTITION BY LIST (cat);
CREATE TABLE gin_parts_1 PARTITION OF gin_parts FOR VALUES IN (1);
CREATE TABLE gin_parts_2 PARTITION OF gin_parts FOR VALUES IN (2);
INSERT INTO gin_parts SELECT i, 1 + i % 2, 'document ' || i || CASE WHEN i % 7 = 0 THEN ' with rare cats' ELSE ' about dogs' END
  FROM generate_series(1, 400) i;
UPDATE gin_parts SET tsv = to_tsvector('english', body);
CREATE INDEX gin_parts_tsv_idx ON gin_parts USING gin (tsv);
CREATE INDEX ON gin_parts USING gin (to_tsvector('english', body));
CREATE TABLE gin_parts_3 PARTITION OF gin_parts FOR VALUES IN (3);
INSERT INTO gin_parts VALUES (1000, 3, 'a cat in partition three', to_tsvector('english', 'a cat in partition three'));
SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'gin_parts%' ORDER BY indexname;
SELECT c.relname, c.relkind, c.relispartition FROM pg_class c WHERE c.relname LIKE 'gin_parts%idx' ORDER BY 1;
SELECT inhrelid::regclass, inhparent::regclass FROM pg_inherits WHERE inhparent = 'gin_parts_tsv_idx'::regclass ORDER BY 1;
\di gin_parts*
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE tsv @@ 'cat'::tsquery;
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND tsv @@ 'cat'::tsquery;
-- a tsquery built from constants with a regconfig is folded to its value, as PostgreSQL's planner does
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND tsv @@ to_tsquery('english', 'cat & !dog');
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND tsv @@ plainto_tsquery('english', 'The rare cats');
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND tsv @@ phraseto_tsquery('english', 'rare cats');
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND tsv @@ websearch_to_tsquery('english', '"rare cat" or -dog');
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND to_tsvector('english', body) @@ (to_tsquery('english', 'cat:*') || to_tsquery('simple', 'Dogs'));
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts, plainto_tsquery('english', 'cats') q WHERE cat = 3 AND tsv @@ q;
-- without a regconfig it reads default_text_search_config: not folded
EXPLAIN (COSTS OFF) SELECT id FROM gin_parts WHERE cat = 3 AND tsv @@ to_tsquery('cat');
SELECT id FROM gin_parts WHERE tsv @@ 'cat'::tsquery ORDER BY id LIMIT 5;
SELECT count(*) FROM gin_parts WHERE tsv @@ 'cat'::tsquery;
SELECT count(*) FROM gin_parts WHERE tsv @@ 'cat & !rare'::tsquery;
SELECT id FROM gin_parts WHERE cat = 3 AND to_tsvector('english', body) @@ to_tsquery('english', 'cats') ORDER BY id;
SELECT id, cat FROM gin_parts WHERE tsv @@ 'cat'::tsquery AND cat = 2 ORDER BY id LIMIT 3;
DELETE FROM gin_parts WHERE id IN (14, 1000);
UPDATE gin_parts SET body = 'now a dog', tsv = to_tsvector('english', 'now a dog') WHERE id = 7;
SELECT id FROM gin_parts WHERE tsv @@ 'cat'::tsquery ORDER BY id LIMIT 5;
SELECT count(*) FROM gin_parts WHERE tsv @@ 'cat'::tsquery;
RESET enable_seqscan;
SELECT count(*) FROM gin_parts WHERE tsv @@ 'cat'::tsquery;
DROP INDEX gin_parts_tsv_idx;
SELECT indexname FROM pg_indexes WHERE tablename LIKE 'gin_parts%' ORDER BY indexname;
DROP TABLE gin_parts;
