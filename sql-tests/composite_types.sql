-- Arrays of records (1-D arrays whose elements are records) and CREATE TYPE … AS (…) composite types
SELECT array[row(1)];
SELECT array_ndims(array[row(1,'a b')]), array_length(array[row(1,'a b'), row(2,'c')], 1), cardinality(array[row(1,'a b'), row(2,'c')]), array_dims(array[row(1,'a b'), row(2,'c')]);
SELECT array[row(1,'a b')];
SELECT (array[row(1,'a b')])[1];
SELECT array_agg(row(i, 'x' || i)) FROM generate_series(1, 3) i;
SELECT (array_agg(row(i, 'x' || i)))[2] FROM generate_series(1, 3) i;
SELECT unnest(array[row(1,'x'::text), row(2, null)]);
SELECT row(1,'x'::text) = ANY (array[row(1,'x'::text), row(2, null)]) AS hit, row(3,'x'::text) = ANY (array[row(1,'x'::text)]) AS miss;
SELECT array[row(1,'x'), null, row(null,null)];
SELECT array[row(1, array[1,2]), row(2, array[3])];
SELECT array[row(row(1,'a'), 'b')];
SELECT pg_typeof(array[row(1)]);
-- composite types
CREATE TYPE ctp AS (a int, b text);
CREATE TYPE ctp AS (x int);
CREATE TYPE ctp_dup AS (a int, a text);
SELECT '(1,x)'::ctp, '(1,"a b")'::ctp, '(,)'::ctp, '( 1 ,x)'::ctp, '(1,"say ""hi""")'::ctp;
SELECT ('(1,x)'::ctp).b, ('(2,)'::ctp).b IS NULL AS b_null;
SELECT row(1,'x')::ctp, (row(1,'x')::ctp).a, CAST(ROW(5, 'five') AS ctp);
SELECT row(1)::ctp;
SELECT row(1, 'x', 3)::ctp;
SELECT '(1,x'::ctp;
SELECT 'x'::ctp;
SELECT '(1,x,3)'::ctp;
SELECT '(1)'::ctp;
SELECT '(1,x) j'::ctp;
SELECT '(a,x)'::ctp;
CREATE TABLE cti (id int PRIMARY KEY, c ctp, cs ctp[]);
INSERT INTO cti VALUES (1, '(1,x)', '{"(1,x)","(2,\"y z\")"}'), (2, row(2,'y'), array[row(3,'q')::ctp]), (3, null, null), (4, '(,)', '{}'), (5, '(1,w)', '{NULL}');
SELECT * FROM cti ORDER BY id;
SELECT id, (c).a, (c).b, cs[1], (cs[2]).b, array_length(cs, 1) FROM cti ORDER BY id;
SELECT (c).* FROM cti ORDER BY id;
SELECT id, (cs[1]).* FROM cti ORDER BY id;
SELECT c FROM cti ORDER BY c;
SELECT c FROM cti ORDER BY c DESC;
SELECT id FROM cti WHERE c = row(1,'x')::ctp;
SELECT id FROM cti WHERE c < row(1,'x')::ctp ORDER BY id;
SELECT id FROM cti WHERE c <> row(1,'x')::ctp ORDER BY id;
SELECT id FROM cti WHERE c > '(1,z)';
SELECT id, c FROM cti WHERE c = ANY (cs) ORDER BY id;
SELECT DISTINCT c FROM cti ORDER BY c;
SELECT c, count(*) FROM cti GROUP BY c ORDER BY c;
SELECT pg_typeof(c), pg_typeof(cs), pg_typeof((c).a) FROM cti LIMIT 1;
SELECT array_agg(c ORDER BY id) FROM cti;
SELECT u.a, u.b FROM cti, unnest(cs) WITH ORDINALITY AS u(a, b, n) WHERE id = 1 ORDER BY n;
UPDATE cti SET c = row((c).a + 10, (c).b || '!')::ctp WHERE id = 1;
SELECT c FROM cti WHERE id = 1;
SELECT format_type('ctp'::regtype, -1), format_type('ctp[]'::regtype, -1), 'ctp'::regtype, 'ctp[]'::regtype;
SELECT typname, typtype, typcategory, typlen, typalign, typinput, typoutput, typreceive, typsend, typarray <> 0 AS has_array, typrelid <> 0 AS has_rel FROM pg_type WHERE typname IN ('ctp', '_ctp') ORDER BY 1;
SELECT relname, relkind, relnatts, reltype = 'ctp'::regtype AS reltype_ok FROM pg_class WHERE oid = (SELECT typrelid FROM pg_type WHERE typname = 'ctp');
SELECT attname, atttypid::regtype, attnum FROM pg_attribute WHERE attrelid = (SELECT typrelid FROM pg_type WHERE typname = 'ctp') AND attnum > 0 ORDER BY attnum;
CREATE SCHEMA ct_s;
CREATE TYPE ct_s.inner_t AS (n numeric, d date);
CREATE TYPE ct_s.outer_t AS (i ct_s.inner_t, tags text[], flag boolean);
SELECT row(row(1.50, '2024-01-02')::ct_s.inner_t, array['a','b c'], true)::ct_s.outer_t;
SELECT ((row(row(1.50, '2024-01-02')::ct_s.inner_t, array['a'], true)::ct_s.outer_t).i).n;
SELECT '("(2.5,2020-02-02)","{x,y}",f)'::ct_s.outer_t;
SELECT format_type('ct_s.outer_t'::regtype, -1);
DROP TYPE ctp;
DROP TYPE ct_s.inner_t;
-- ALTER TYPE … ADD / DROP / RENAME ATTRIBUTE, RENAME TO, \dT, \d
CREATE TYPE ctq AS (a int, b text);
ALTER TYPE ctq ADD ATTRIBUTE c int;
ALTER TYPE ctq ADD ATTRIBUTE c int;
ALTER TYPE ctq DROP ATTRIBUTE b;
ALTER TYPE ctq DROP ATTRIBUTE b;
ALTER TYPE ctq DROP ATTRIBUTE IF EXISTS b;
ALTER TYPE ctq RENAME ATTRIBUTE a TO aa;
ALTER TYPE ctq RENAME ATTRIBUTE zz TO aa;
ALTER TYPE ctq RENAME ATTRIBUTE aa TO c;
ALTER TYPE ctq RENAME TO ctq2;
SELECT '(1,2)'::ctq2, ('(1,2)'::ctq2).aa;
\dT ctq2
\d ctq2
CREATE TYPE ctq_e AS ENUM ('a');
ALTER TYPE ctq_e ADD ATTRIBUTE c int;
ALTER TYPE nope_t ADD ATTRIBUTE c int;
CREATE TABLE ctq_t (x ctq2);
INSERT INTO ctq_t VALUES ('(1,2)');
SELECT data_type, udt_name FROM information_schema.columns WHERE table_name = 'ctq_t';
ALTER TYPE ctq2 RENAME ATTRIBUTE aa TO a1;
SELECT (x).a1, x FROM ctq_t;
DROP TABLE ctq_t;
DROP TYPE ctq2, ctq_e;
DROP TABLE cti;
DROP TYPE ctp;
DROP TYPE IF EXISTS ctp;
DROP TYPE ct_s.inner_t CASCADE;
DROP SCHEMA ct_s CASCADE;
-- COPY, ANALYZE, an index, PREPARE, JSON, IS NULL, a view over a composite column
CREATE TYPE cpx AS (a int, b text);
CREATE TABLE cpt (id int PRIMARY KEY, c cpx, cs cpx[]);
INSERT INTO cpt VALUES (1, '(1,x)', '{"(1,x)"}'), (2, '(2,"y z")', NULL), (3, NULL, '{}');
COPY cpt TO STDOUT;
COPY cpt TO STDOUT (FORMAT csv);
ANALYZE cpt;
SELECT attname, null_frac FROM pg_stats WHERE tablename = 'cpt' ORDER BY attname;
CREATE INDEX cpt_c ON cpt (c);
SELECT id FROM cpt WHERE c = '(2,"y z")'::cpx;
PREPARE pc(cpx) AS SELECT id FROM cpt WHERE c = $1;
EXECUTE pc('(1,x)');
SELECT row_to_json(c), to_jsonb(c), to_json(cs) FROM cpt WHERE id = 1;
SELECT json_agg(c ORDER BY id), jsonb_agg(c ORDER BY id) FROM cpt;
SELECT json_agg(r) FROM (SELECT array[row(1,'x'::text)] AS r) s;
SELECT c IS NULL, c IS NOT NULL FROM cpt ORDER BY id;
CREATE VIEW cpv AS SELECT id, (c).b FROM cpt;
SELECT * FROM cpv ORDER BY id;
DROP VIEW cpv;
DROP TABLE cpt;
DROP TYPE cpx;
CREATE TYPE ctq_rn AS (a int, b text);
SELECT ROW(NULL, 'q')::ctq_rn, ROW('1', NULL)::ctq_rn;
DROP TYPE ctq_rn;
-- arrays of records through the array functions and operators
select array[row(1,'a'::text)] || array[row(2,'b'::text)];
select array[row(1,'a'::text)] || row(2,'b'::text);
select row(0,'z'::text) || array[row(1,'a'::text)];
select array_append(array[row(1,'a'::text)], row(2,'b'::text)), array_prepend(row(2,'b'::text), array[row(1,'a'::text)]), array_cat(array[row(1,'a'::text)], array[row(3,'c'::text)]);
select array_remove(array[row(1,'a'::text), row(2,'b'::text)], row(1,'a'::text));
select array_position(array[row(1,'a'::text), row(2,'b'::text)], row(2,'b'::text));
select array_to_string(array[row(1,'a'::text), row(2,'b'::text)], ';');
select (array[row(1,'a'::text), row(2,'b'::text), row(3,'c'::text)])[2:3];
select array_upper(array[row(1), row(2)], 1), array_lower(array[row(1)], 1), array_length(array[row(1)], 2);
-- a composite type's relation name is taken (42P07), a table's row type name too (42710)
CREATE TYPE rn_t AS (a int);
CREATE TABLE rn_t (x int);
CREATE SEQUENCE rn_t;
CREATE VIEW rn_t AS SELECT 1 AS x;
CREATE TABLE rn_t2 (x int);
CREATE TYPE rn_t2 AS (a int);
DROP TABLE rn_t2;
DROP TYPE rn_t;
-- WITH RECURSIVE … SEARCH DEPTH / BREADTH FIRST and CYCLE (rewritten over arrays of records)
CREATE TABLE sc_tree (id int PRIMARY KEY, parent int, label text);
INSERT INTO sc_tree VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 2, 'a2'), (6, 3, 'b1');
WITH RECURSIVE t(id, label) AS (
  SELECT id, label FROM sc_tree WHERE parent IS NULL
  UNION ALL
  SELECT c.id, c.label FROM sc_tree c JOIN t ON c.parent = t.id
) SEARCH DEPTH FIRST BY id SET ord
SELECT * FROM t ORDER BY ord;
WITH RECURSIVE t(id, label) AS (
  SELECT id, label FROM sc_tree WHERE parent IS NULL
  UNION ALL
  SELECT c.id, c.label FROM sc_tree c, t WHERE c.parent = t.id
) SEARCH BREADTH FIRST BY id SET ord
SELECT * FROM t ORDER BY ord;
WITH RECURSIVE t AS (
  SELECT id, label FROM sc_tree WHERE parent IS NULL
  UNION ALL
  SELECT c.id, c.label FROM sc_tree c JOIN t ON c.parent = t.id
) SEARCH DEPTH FIRST BY label, id SET ord
SELECT id, label FROM t ORDER BY ord;
CREATE TABLE sc_graph (f int, t int);
INSERT INTO sc_graph VALUES (1, 2), (2, 3), (3, 1), (3, 4);
WITH RECURSIVE g(f, t) AS (
  SELECT f, t FROM sc_graph WHERE f = 1
  UNION ALL
  SELECT e.f, e.t FROM sc_graph e, g WHERE e.f = g.t
) CYCLE f SET is_cycle USING path
SELECT * FROM g;
WITH RECURSIVE g(f, t) AS (
  SELECT f, t FROM sc_graph WHERE f = 1
  UNION ALL
  SELECT e.f, e.t FROM sc_graph e, g WHERE e.f = g.t
) CYCLE f, t SET c TO 'Y' DEFAULT 'N' USING p
SELECT f, t, c, p FROM g;
WITH RECURSIVE g(f, t) AS (
  SELECT f, t FROM sc_graph WHERE f = 1
  UNION ALL
  SELECT e.f, e.t FROM sc_graph e, g WHERE e.f = g.t
) SEARCH DEPTH FIRST BY f SET ord CYCLE f SET is_cycle USING path
SELECT * FROM g ORDER BY ord;
WITH RECURSIVE g(f, t) AS (SELECT 1, 2 UNION ALL SELECT f, t FROM g) SEARCH DEPTH FIRST BY x SET ord SELECT * FROM g;
DROP TABLE sc_tree, sc_graph;
