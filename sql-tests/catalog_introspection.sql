-- What ORMs and drivers read to introspect a table: information_schema, pg_catalog and the
-- system information functions
CREATE TABLE cat_docs (id bigserial PRIMARY KEY, title varchar(200) NOT NULL, body text DEFAULT 'none',
  score numeric(10,2), n int UNIQUE, created timestamptz, embedding vector(3));
CREATE INDEX cat_docs_embedding_idx ON cat_docs USING hnsw (embedding vector_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX cat_docs_title_idx ON cat_docs (title);
COMMENT ON TABLE cat_docs IS 'documents';
SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_name = 'cat_docs';
SELECT column_name, ordinal_position, column_default, is_nullable, data_type, character_maximum_length,
       numeric_precision, numeric_scale, udt_schema, udt_name, is_identity
  FROM information_schema.columns WHERE table_name = 'cat_docs' ORDER BY ordinal_position;
SELECT constraint_name, constraint_type FROM information_schema.table_constraints
  WHERE table_name = 'cat_docs' AND constraint_type <> 'CHECK' ORDER BY 1;
SELECT constraint_name, column_name, ordinal_position FROM information_schema.key_column_usage
  WHERE table_name = 'cat_docs' ORDER BY 1, 3;
SELECT constraint_name, column_name FROM information_schema.constraint_column_usage
  WHERE table_name = 'cat_docs' ORDER BY 1, 2;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'cat_docs' ORDER BY 1;
SELECT tablename, hasindexes FROM pg_tables WHERE tablename = 'cat_docs';
SELECT c.relname, c.relkind, am.amname, c.reloptions FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam
  WHERE c.relname LIKE 'cat_docs%' ORDER BY 1;
SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef, a.attidentity
  FROM pg_attribute a WHERE a.attrelid = 'cat_docs'::regclass AND a.attnum > 0 ORDER BY a.attnum;
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  WHERE d.adrelid = 'cat_docs'::regclass ORDER BY d.adnum;
SELECT conname, contype, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true), conkey FROM pg_constraint
  WHERE conrelid = 'cat_docs'::regclass ORDER BY conname;
SELECT c.relname, i.indisunique, i.indisprimary, i.indkey, pg_get_indexdef(i.indexrelid), pg_get_indexdef(i.indexrelid, 1, true)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'cat_docs'::regclass ORDER BY 1;
SELECT obj_description('cat_docs'::regclass, 'pg_class'), obj_description('cat_docs'::regclass), col_description('cat_docs'::regclass, 1);
SELECT pg_get_serial_sequence('cat_docs', 'id'), pg_get_serial_sequence('public.cat_docs', 'title');
SELECT sequencename, data_type, start_value, increment_by, max_value FROM pg_sequences WHERE sequencename LIKE 'cat_docs%';
SELECT relname, indexrelname FROM pg_stat_user_indexes WHERE relname = 'cat_docs' ORDER BY 2;
SELECT format_type('int4'::regtype, NULL), format_type('varchar'::regtype, 24), format_type('bpchar'::regtype, NULL),
       format_type('bpchar'::regtype, -1), format_type('numeric'::regtype, 655366), format_type('vector'::regtype, 3),
       format_type('_int8'::regtype, NULL), format_type(0, NULL), format_type(NULL, NULL);
SELECT nspname FROM pg_namespace WHERE nspname IN ('public', 'pg_catalog', 'information_schema') ORDER BY 1;
SELECT typname, typtype, typcategory, typlen FROM pg_type WHERE typname IN ('vector', 'int8', 'text', '_vector') ORDER BY 1;
SELECT extname, extversion FROM pg_extension ORDER BY 1;
SELECT pg_size_pretty(0::bigint), pg_size_pretty(10240::bigint), pg_size_pretty(20971520::bigint), pg_size_pretty(-10240::bigint),
       pg_size_pretty(1234567890123::bigint), pg_size_pretty(12345678.9::numeric);
SELECT pg_get_userbyid(10) IS NOT NULL AS owner_known, pg_get_userbyid(6171);
SELECT pg_table_is_visible('cat_docs'::regclass), has_schema_privilege('public', 'USAGE'), has_table_privilege('cat_docs', 'SELECT');
SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('public', 'pg_catalog', 'information_schema') ORDER BY 1;
DROP TABLE cat_docs;
SELECT count(*) FROM pg_class WHERE relname LIKE 'cat_docs%';
-- pg_type's physical properties (typlen, typbyval, typalign, typstorage) of built-in and pgvector types
SELECT typname, typlen, typbyval, typalign, typstorage, typtype, typcategory FROM pg_type
 WHERE typname IN ('cstring', 'unknown', 'anyarray', 'anycompatiblearray', 'anyelement', 'record', '_record', 'interval', '_interval',
   'int2vector', 'oidvector', 'tsquery', 'tsvector', 'vector', '_vector', 'halfvec', 'sparsevec', 'bit', 'varbit', 'numeric', 'name',
   'uuid', 'int8', 'float8', 'float4', 'int2', 'text', 'bool', 'char', 'tid', 'jsonb', 'json', 'void', 'date', 'timestamptz', 'time',
   'bytea', 'oid', 'regclass', 'regprocedure', '_text', '_int8', '_float8', '_name', 'internal', 'trigger')
 ORDER BY typname;
-- recovery conflicts: none on a primary, one row per database
SELECT datname, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin, confl_deadlock
  FROM pg_stat_database_conflicts WHERE datname = current_database();
SELECT count(*) > 0 AS has_templates FROM pg_stat_database_conflicts WHERE datname IN ('template0', 'template1');
