-- regclass input as an identifier list (quotes, case folding), regproc names, cast-only index expressions
CREATE TABLE "Mixed" (id int);
CREATE TABLE small_ones (id bigserial PRIMARY KEY, embedding vector(4));
SELECT '"public"."small_ones"'::regclass = 'small_ones'::regclass AS quoted, 'public.SMALL_ONES'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 'small_ones') AS folded, ' public . "Mixed" '::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 'Mixed') AS mixed;
SELECT c.relname FROM pg_class c WHERE c.oid = '"Mixed"'::regclass;
SELECT nextval('"small_ones_id_seq"'), nextval('public.SMALL_ONES_ID_SEQ');
SELECT 'pg_catalog.array_in'::regproc = 750::regproc AS is_array, 'array_out'::regproc::oid, '-'::regproc::oid;
SELECT count(*) FROM pg_type WHERE typinput = 'pg_catalog.array_in'::regproc AND typname = '_int4';
SELECT 'nope_fn'::regproc;
CREATE INDEX small_ones_hnsw ON small_ones USING hnsw ((embedding::vector(4)) vector_cosine_ops);
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'small_ones' ORDER BY 1;
DROP TABLE small_ones;
DROP TABLE "Mixed";
CREATE TABLE qn_t (id serial);
SELECT pg_get_serial_sequence('"public"."qn_t"', 'id'), pg_get_serial_sequence('QN_T', 'id');
SELECT (current_database() || '.public.qn_t')::regclass = 'qn_t'::regclass;
SELECT '"pg_catalog"."int4"'::regtype, '"public"."vector"'::regtype, '"char"'::regtype;
DROP TABLE qn_t;
-- regnamespace and regrole: input by name, output by name
SELECT 'public'::regnamespace, 'PUBLIC'::regnamespace::oid, '"pg_catalog"'::regnamespace::text, 2200::regnamespace, 0::regnamespace, 99999::regnamespace, '-'::regnamespace::oid;
SELECT 'postgres'::regrole, 10::regrole, 99999::regrole, '-'::regrole::oid;
SELECT nspname FROM pg_namespace WHERE oid = 'information_schema'::regnamespace;
-- regprocedure output: name(argument types), keywords quoted; InvalidOid prints '-' for every reg* but regoper(ator)
SELECT 'abs(integer)'::regprocedure, 'l2_distance(vector,vector)'::regprocedure, 'pg_catalog.now()'::regprocedure, 'to_tsvector(regconfig, text)'::regprocedure;
SELECT 'cosine_distance(halfvec, halfvec)'::regprocedure::text, 'substring(text, integer)'::regprocedure, 'substring(text,integer)'::regprocedure::oid = 'substring(text,integer)'::regprocedure;
SELECT oid::regprocedure FROM pg_proc WHERE proname IN ('l2_distance', 'vector_dims', 'hnswhandler') ORDER BY oid::regprocedure::text;
CREATE FUNCTION rp_g(varchar, numeric, int[]) RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT 'rp_g(varchar, numeric, int[])'::regprocedure, 'rp_g'::regproc;
DROP FUNCTION rp_g;
SELECT 0::regtype AS t, 0::regclass AS c, 0::regproc AS p, 0::regprocedure AS pd, 0::regrole AS r, 0::regnamespace AS n, 0::regconfig AS cfg, 0::regdictionary AS d;
SELECT '-'::regprocedure AS pd, '-'::regclass AS c, '-'::regtype AS t, '-'::regconfig AS cfg, '-'::regtype::oid AS toid;
SELECT quote_ident('substring'), quote_ident('left'), quote_ident('name'), quote_ident('all'), quote_ident('int');
