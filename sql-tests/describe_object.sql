-- pg_describe_object for the kinds of objects psql's \dx+ and pg_depend readers name.
CREATE TABLE dob_t (id int PRIMARY KEY, v vector(3), note text);
CREATE INDEX dob_i ON dob_t USING hnsw (v vector_l2_ops);
CREATE VIEW dob_v AS SELECT id FROM dob_t;
CREATE SEQUENCE dob_s;
CREATE FUNCTION dob_f(a int, b text) RETURNS int LANGUAGE sql AS 'SELECT a';
SELECT pg_describe_object('pg_class'::regclass, 'dob_t'::regclass, 0) AS t,
       pg_describe_object('pg_class'::regclass, 'dob_t'::regclass, 2) AS col,
       pg_describe_object('pg_class'::regclass, 'dob_i'::regclass, 0) AS idx,
       pg_describe_object('pg_class'::regclass, 'dob_v'::regclass, 0) AS view,
       pg_describe_object('pg_class'::regclass, 'dob_s'::regclass, 0) AS seq;
SELECT pg_describe_object('pg_proc'::regclass, 'dob_f'::regproc, 0) AS user_function,
       pg_describe_object('pg_proc'::regclass, 'l2_distance(vector,vector)'::regprocedure, 0) AS pgvector_function,
       pg_describe_object('pg_proc'::regclass, 'pg_catalog.now'::regproc, 0) AS builtin;
SELECT pg_describe_object('pg_type'::regclass, 'vector'::regtype, 0), pg_describe_object('pg_type'::regclass, 'int4[]'::regtype, 0);
SELECT pg_describe_object('pg_am'::regclass, oid, 0) FROM pg_am WHERE amname IN ('hnsw', 'ivfflat', 'btree') ORDER BY 1;
SELECT pg_describe_object('pg_opclass'::regclass, c.oid, 0) FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
  WHERE c.opcname = 'vector_l2_ops' OR (a.amname = 'btree' AND c.opcname = 'int4_ops') ORDER BY 1;
SELECT pg_describe_object('pg_operator'::regclass, oid, 0) FROM pg_operator WHERE oprname = '<=>' AND oprleft = 'vector'::regtype;
SELECT pg_describe_object('pg_constraint'::regclass, oid, 0) FROM pg_constraint WHERE conname = 'dob_t_pkey';
SELECT pg_describe_object('pg_namespace'::regclass, (SELECT oid FROM pg_namespace WHERE nspname = 'public'), 0), pg_describe_object('pg_extension'::regclass, (SELECT oid FROM pg_extension WHERE extname = 'vector'), 0);
DROP FUNCTION dob_f;
DROP SEQUENCE dob_s;
DROP VIEW dob_v;
DROP TABLE dob_t;
-- pgvector's operator classes and families, their operators and support functions (psql \dx+, \dA*)
\dx+ vector
\dAc hnsw
\dAc ivfflat
\dAc btree vector|halfvec|sparsevec
\dAf hnsw
\dAf ivfflat
\dAp hnsw
\dAp ivfflat
\dAo hnsw
\dAo+ ivfflat
\dAo btree vector|halfvec|sparsevec
SELECT 0::regoper AS oper, 0::regoperator AS operator, o.oid::regoper, o.oid::regoperator FROM pg_operator o
 WHERE o.oprname IN ('<%>', '<~>', '<+>') OR (o.oprname = '<->' AND o.oprleft = 'halfvec'::regtype) ORDER BY o.oid::regoperator::text;
SELECT f.opfname, a.amname, o.amopstrategy, o.amoppurpose, op.oprname, o.amoplefttype::regtype, o.amoprighttype::regtype, sf.opfname AS sortfamily
  FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily JOIN pg_am a ON a.oid = o.amopmethod JOIN pg_operator op ON op.oid = o.amopopr
  LEFT JOIN pg_opfamily sf ON sf.oid = o.amopsortfamily
 WHERE f.opfname IN ('vector_ops', 'halfvec_ops', 'sparsevec_ops', 'bit_jaccard_ops', 'halfvec_l1_ops') ORDER BY 1, 2, 3;
SELECT c.opcname, a.amname, c.opcintype::regtype, c.opcdefault, f.opfname = c.opcname AS own_family
  FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
 WHERE a.amname IN ('hnsw', 'ivfflat') ORDER BY 1, 2;
CREATE TABLE dob_h (id int, h halfvec(3), s sparsevec(5), b bit(8));
CREATE INDEX dob_h_cos ON dob_h USING hnsw (h halfvec_cosine_ops);
CREATE INDEX dob_s_ip ON dob_h USING hnsw (s sparsevec_ip_ops);
CREATE INDEX dob_b_jac ON dob_h USING hnsw (b bit_jaccard_ops);
SELECT i.indexrelid::regclass, c.opcname, pg_describe_object('pg_opclass'::regclass, c.oid, 0)
  FROM pg_index i JOIN pg_opclass c ON c.oid = i.indclass[0] WHERE i.indrelid = 'dob_h'::regclass ORDER BY i.indexrelid::regclass::text;
DROP TABLE dob_h;
