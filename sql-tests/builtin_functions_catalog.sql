-- Built-in functions in pg_proc, as psql's \df, pgcli's completion and GUI tools read them:
-- pgvector's (members of the vector extension), aggregates, ordered-set aggregates,
-- set-returning functions, defaults and variadic arguments.
\df l2_distance
\df+ vector_dims
\df percentile_disc
\dfa avg
\df make_interval
\df generate_series
\df concat
\dfw row_number
SELECT proname, prokind, proretset, provolatile, proisstrict, pronargs, prorettype::regtype, pg_get_function_identity_arguments(oid) AS args
  FROM pg_proc WHERE proname IN ('cosine_distance', 'jsonb_build_object', 'string_agg', 'now', 'setweight') ORDER BY 1, 8, 7;
SELECT count(*) FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
  WHERE d.deptype = 'e' AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector') AND p.proname IN ('l2_distance', 'inner_product', 'avg');
SELECT pg_get_function_arguments('pg_catalog.make_interval'::regproc), pg_get_function_result('pg_catalog.now'::regproc);
SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'pg_catalog' AND p.proname LIKE 'array\_%' AND p.prokind = 'f' AND p.proname IN ('array_length', 'array_agg', 'array_append') ORDER BY 1;
SELECT 'pg_catalog.array_append'::regproc::oid = (SELECT oid FROM pg_proc WHERE proname = 'array_append'), 'now'::regproc::oid = (SELECT oid FROM pg_proc WHERE proname = 'now');
SELECT 'abs'::regproc;
-- operators (pg_operator with descriptions), regproc output and regprocedure input
\do+ ||
\do+ <#>
SELECT 'abs(int4)'::regprocedure::oid::regproc, 'abs(integer)'::regprocedure::oid::regproc, 'now()'::regprocedure::oid::regproc, 0::regproc, 99999::regproc;
SELECT amname, amhandler FROM pg_am WHERE amname IN ('btree', 'hash', 'heap', 'hnsw', 'ivfflat') ORDER BY 1;
SELECT oprname, oprleft::regtype, oprright::regtype, oprresult::regtype, oprcode, obj_description(oid, 'pg_operator')
  FROM pg_operator WHERE oprname IN ('->>', '<=>', '<#>') ORDER BY 1, 2, 3;
SELECT 'array_in'::regproc::oid, obj_description('pg_catalog.now'::regproc, 'pg_proc');
