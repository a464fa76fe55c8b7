-- pg_cast, pg_aggregate, pg_collation and pg_type's support functions hold PostgreSQL's own rows
-- (for the types, casts and aggregates Quiver has); psql's \dC, \da and \dO read them.
\dC vector
\dC halfvec
\dC sparsevec
\dC real
\dC boolean
\dC jsonb
\daS avg
\daS count
\daS string_agg
\daS stddev*
\da
\dO
\dOS "C*"
\dOS POSIX
\dOS ucs_basic
\dOS default
-- the libc collations (ICU's are not listed: Quiver compares text by code point)
SELECT oid, collname, collprovider, collisdeterministic, collencoding, collcollate, collctype
  FROM pg_collation WHERE collprovider <> 'i' ORDER BY oid;
-- pg_type's input/output/receive/send/typmod/analyze functions (pgjdbc: typinput = 'array_in'::regproc)
SELECT typname, typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze, typsubscript
  FROM pg_type WHERE typname IN ('int4', 'text', 'numeric', 'varchar', 'bit', 'tsvector', 'json', '_int4', 'vector', '_vector', 'halfvec', 'sparsevec')
  ORDER BY typname;
SELECT count(*) FROM pg_type WHERE typname IN ('_vector', '_int4', '_text') AND typinput = 'array_in'::regproc;
-- pgvector's casts, extension members, each with its function in pg_proc
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS cast, p.proname, c.castcontext, c.castmethod
  FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'vector'
  JOIN pg_cast c ON d.classid = 'pg_cast'::regclass AND c.oid = d.objid
  LEFT JOIN pg_proc p ON p.oid = c.castfunc
  ORDER BY 1;
-- a cast's function is callable, as in PostgreSQL
SELECT int4(5::int8) AS i, float8(1) AS f, text(true) AS t, int4('7') AS lit,
       array_to_vector('{1,2,3}'::int[], 3, true) AS v, "varchar"('abcdef'::varchar, 7, true) AS vc;
SELECT array_to_vector('{1,2}'::int[], 3, true);
-- pgjdbc's and DBeaver's aggregate listing: pg_aggregate joined to pg_proc
SELECT p.proname, pg_get_function_arguments(p.oid) AS args, a.aggkind, a.aggnumdirectargs, a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
       a.aggtranstype::regtype, a.agginitval, a.aggsortop <> 0 AS has_sortop
  FROM pg_aggregate a JOIN pg_proc p ON a.aggfnoid = p.oid
  WHERE p.proname IN ('avg', 'sum', 'count', 'max', 'string_agg', 'bool_and')
    AND pg_get_function_arguments(p.oid) IN ('', 'integer', 'bigint', 'double precision', 'numeric', 'vector', 'halfvec', 'text, text', 'boolean')
  ORDER BY 1, 2;
-- casts and aggregates of pgvector: as many as in PostgreSQL
SELECT count(*) FROM pg_cast WHERE castsource IN ('vector'::regtype, 'halfvec'::regtype, 'sparsevec'::regtype)
  OR casttarget IN ('vector'::regtype, 'halfvec'::regtype, 'sparsevec'::regtype);
SELECT count(*) FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public';
SELECT getdatabaseencoding(), pg_char_to_encoding('utf-8'), pg_encoding_to_char(6), pg_char_to_encoding('no such');
SELECT pg_sleep(0.1), pg_sleep_for('10 ms'), pg_sleep(NULL);
