-- catalog answers real clients rely on (SQLAlchemy get_foreign_keys, psycopg server-side cursors)
CREATE TABLE cc_parent (id int PRIMARY KEY, k int UNIQUE);
CREATE TABLE cc_child (id int, a int REFERENCES cc_parent ON DELETE CASCADE,
  b int REFERENCES cc_parent(k) ON UPDATE SET NULL ON DELETE RESTRICT, c int,
  CONSTRAINT cc_child_full FOREIGN KEY (c) REFERENCES cc_parent (id) MATCH FULL ON DELETE SET DEFAULT);
SELECT conname, confupdtype, confdeltype, confmatchtype, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid = 'cc_child'::regclass ORDER BY conname;
SELECT pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conname = 'cc_child_a_fkey';
SELECT constraint_name, match_option, update_rule, delete_rule
  FROM information_schema.referential_constraints WHERE constraint_name LIKE 'cc_child%' ORDER BY 1;
ALTER TABLE cc_child ADD CONSTRAINT cc_child_id_fkey FOREIGN KEY (id) REFERENCES cc_parent (id) ON UPDATE CASCADE;
SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'cc_child_id_fkey';
DROP TABLE cc_child, cc_parent;
-- pg_cursors: the session's open cursors
SELECT count(*) FROM pg_cursors;
BEGIN;
DECLARE cc_c1 CURSOR FOR SELECT 1 AS x;
DECLARE cc_c2 BINARY NO SCROLL CURSOR WITH HOLD FOR SELECT 2 AS y;
DECLARE cc_c3 CURSOR FOR SELECT relname FROM pg_class ORDER BY relname;
DECLARE cc_c4 SCROLL CURSOR FOR SELECT 3;
-- (statement is the query string the client sent; Quiver keeps one statement of a multi-statement string, without its ';')
SELECT name, rtrim(statement, ';') AS statement, is_holdable, is_binary, is_scrollable, creation_time IS NOT NULL AS has_time
  FROM pg_cursors ORDER BY name;
SELECT 1 FROM pg_catalog.pg_cursors WHERE name = 'cc_c1';
COMMIT;
SELECT name FROM pg_cursors ORDER BY name;
CLOSE cc_c2;
SELECT count(*) FROM pg_cursors;
-- regclass output is the relation's name (drizzle-kit: pg_get_serial_sequence(...)::regclass AS seq_name)
CREATE TABLE "CcMixed" (id serial PRIMARY KEY, v int);
SELECT 'pg_class'::regclass, '"CcMixed"'::regclass, pg_get_serial_sequence('"CcMixed"', 'id')::regclass AS seq_name,
  'pg_class'::regclass::oid = 1259 AS oid_kept;
SELECT c.oid::regclass AS rel FROM pg_class c WHERE c.relname LIKE 'CcMixed%' ORDER BY c.relname;
SELECT indexrelid::regclass, indrelid::regclass FROM pg_index WHERE indrelid = '"CcMixed"'::regclass;
DROP TABLE "CcMixed";
-- information_schema.columns lists system catalogs' columns too (TypeORM checks for pg_class.relispartition)
SELECT TRUE FROM information_schema.columns WHERE table_name = 'pg_class' and column_name = 'relispartition';
SELECT table_schema, table_name, column_name, ordinal_position, is_nullable, data_type, udt_name
  FROM information_schema.columns
  WHERE table_name IN ('pg_namespace', 'pg_class') AND column_name IN ('oid', 'nspname', 'relname', 'reloptions', 'relispartition')
  ORDER BY 1, 2, 4;
SELECT column_name, is_nullable, data_type FROM information_schema.columns WHERE table_name = 'pg_cursors' ORDER BY ordinal_position;
