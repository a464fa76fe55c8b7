-- Every function pgvector 0.8.6's extension script creates: its pg_proc row (compared
-- column by column) and a call of each by name, with pgvector's results and errors.
-- The functions that take `internal` (vector_recv, the access methods' handlers and
-- support functions) cannot be called from SQL in PostgreSQL either.

-- the extension's functions as pg_proc lists them
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, p.prorettype::regtype AS result,
       p.prokind, p.proisstrict, p.provolatile, p.proparallel, p.proretset, p.pronargs, p.pronamespace::regnamespace AS schema, p.prosrc, p.probin
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'vector'
 ORDER BY 1, 2;
SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
 WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e' AND e.extname = 'vector';
-- the types' and access methods' support functions are those rows
SELECT t.typname, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin
  FROM pg_type t WHERE t.typname IN ('vector', 'halfvec', 'sparsevec') ORDER BY 1;
SELECT a.amname, a.amhandler, p.prorettype::regtype FROM pg_am a JOIN pg_proc p ON p.oid = a.amhandler
 WHERE a.amname IN ('hnsw', 'ivfflat') ORDER BY 1;
SELECT a.aggfnoid, a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.agginitval
  FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.deptype = 'e' ORDER BY a.aggfnoid::text, a.aggtransfn::text;
SELECT o.oprname, o.oprleft::regtype, o.oprcode
  FROM pg_operator o JOIN pg_depend d ON d.classid = 'pg_operator'::regclass AND d.objid = o.oid AND d.deptype = 'e'
 WHERE o.oprcode::text IN ('vector_add', 'vector_lt', 'halfvec_concat', 'sparsevec_ge') ORDER BY 1, 2;

-- type input and output (cstring)
SELECT vector_in('[1,2,3]', 0, -1), vector_in(' [ 1.5 , -2e3 ] ', 0, 2), pg_typeof(vector_in('[1]', 0, -1));
SELECT vector_out('[1,2.5,-3]'), pg_typeof(vector_out('[1]')), vector_out('[1,2]')::text || '!' AS text;
SELECT vector_in(vector_out('[0.1,1e-7]'), 0, -1);
SELECT vector_in(NULL, 0, -1) IS NULL AS strict;
SELECT vector_in('[1,2]', 0, 3);
SELECT vector_in('[1,2]', 0, 0);
SELECT vector_in('[1,a]', 0, -1);
SELECT vector_in('1,2', 0, -1);
SELECT vector_in('[]', 0, -1);
SELECT vector_in('[1,2]'::text, 0, -1);
SELECT halfvec_in('[1,2.5,65504]', 0, -1), halfvec_out('[1.0009765625,-0.5]'), pg_typeof(halfvec_out('[1]'));
SELECT halfvec_in('[1,2]', 0, 1);
SELECT halfvec_in('[70000]', 0, -1);
SELECT sparsevec_in('{1:2,3:-1}/5', 0, -1), sparsevec_out('{3:1.5,1:2}/4'), pg_typeof(sparsevec_out('{}/1'));
SELECT sparsevec_in('{1:2}/5', 0, 4);
SELECT sparsevec_in('{6:1}/5', 0, -1);
SELECT vector_send('[1,2]'), halfvec_send('[1,2]'), sparsevec_send('{1:2}/3');
SELECT vector_send('[-0.5,3.25,1e-30]'), halfvec_send('[-0.5,3.25]'), sparsevec_send('{2:-0.5,4:3.25}/4'), sparsevec_send('{}/2');
SELECT vector_typmod_in('{3}'), halfvec_typmod_in('{16000}'), sparsevec_typmod_in('{1000000000}'), vector_typmod_in('{" 5 "}'), vector_typmod_in('{+7}');
SELECT vector_typmod_in('{3}'::cstring[]), vector_typmod_in(NULL) IS NULL AS strict;
SELECT vector_typmod_in('{1,2}');
SELECT vector_typmod_in('{0}');
SELECT vector_typmod_in('{16001}');
SELECT halfvec_typmod_in('{0}');
SELECT halfvec_typmod_in('{16001}');
SELECT halfvec_typmod_in('{}');
SELECT sparsevec_typmod_in('{0}');
SELECT sparsevec_typmod_in('{1000000001}');
SELECT sparsevec_typmod_in('{1,2}');
SELECT vector_typmod_in('{abc}');
SELECT vector_typmod_in('{99999999999}');
SELECT vector_typmod_in('{abc,1}');
SELECT vector_typmod_in('{}');
SELECT vector_typmod_in('{{1}}');
SELECT vector_typmod_in('{NULL}');
SELECT vector_typmod_in('{1}'::text[]);
-- receive functions, handlers and support functions take internal
SELECT vector_recv(NULL, 0, -1);
SELECT halfvec_recv(NULL::internal, 0, -1);
SELECT sparsevec_recv('\x00'::bytea, 0, -1);
SELECT hnswhandler(NULL);
SELECT ivfflathandler(NULL::internal);
SELECT hnsw_bit_support(1);
SELECT hnsw_halfvec_support(NULL);
SELECT hnsw_sparsevec_support(NULL);
SELECT ivfflat_bit_support(NULL);
SELECT ivfflat_halfvec_support(NULL);
SELECT NULL::index_am_handler;
SELECT 'x'::internal;

-- distances
SELECT l2_distance('[1,2,3]'::vector, '[4,6,8]'), inner_product('[1,2,3]'::vector, '[4,6,8]'), cosine_distance('[1,2,3]'::vector, '[4,6,8]'), l1_distance('[1,2,3]'::vector, '[4,6,8]');
SELECT l2_distance('[1,2,3]', '[4,6,8]');
SELECT vector_l2_squared_distance('[1,2,3]', '[4,6,8]'), vector_negative_inner_product('[1,2,3]', '[4,6,8]');
SELECT vector_spherical_distance('[1,0]', '[0,1]'), vector_spherical_distance('[1,0]', '[1,0]'), vector_spherical_distance('[1,0]', '[-1,0]'),
       vector_spherical_distance('[0.6,0.8]', '[0.8,0.6]'), vector_spherical_distance('[3,4]', '[4,3]'), vector_spherical_distance('[0,0]', '[0,0]');
SELECT vector_spherical_distance('[0.26726124,0.5345225,0.8017837]', '[0.45584232,0.5698029,0.68376344]');
-- acos rounded like the C library's (Math.acos differs in the last digit on 8 of these 120 rows)
SELECT n, vector_spherical_distance(l2_normalize(a::vector), l2_normalize(b::vector)) AS v, halfvec_spherical_distance(l2_normalize(a::halfvec), l2_normalize(b::halfvec)) AS h
  FROM generate_series(1, 120) n,
       LATERAL (SELECT array_agg(((i * 7 + n) % 13 - 6)::real ORDER BY i) AS a, array_agg(((i * 5 + 3 * n) % 11 - 4)::real ORDER BY i) AS b FROM generate_series(1, n) i) v
 ORDER BY n;
SELECT vector_spherical_distance('[1,2]', '[1,2,3]');
SELECT l2_distance('[1,2]'::vector, '[1,2,3]');
SELECT l2_distance('[1,2,3]'::halfvec, '[4,6,8]'), inner_product('[1,2,3]'::halfvec, '[4,6,8]'), cosine_distance('[1,2,3]'::halfvec, '[4,6,8]'), l1_distance('[1,2,3]'::halfvec, '[4,6,8]');
SELECT halfvec_l2_squared_distance('[1,2,3]', '[4,6,8]'), halfvec_negative_inner_product('[1,2,3]', '[4,6,8]');
SELECT halfvec_spherical_distance('[1,0]', '[0,1]'), halfvec_spherical_distance('[0.6,0.8]', '[0.8,0.6]'), halfvec_spherical_distance('[3,4]', '[4,3]');
SELECT halfvec_spherical_distance('[1,2]', '[1,2,3]');
SELECT l2_distance('{1:1,3:2}/3'::sparsevec, '{2:4}/3'), inner_product('{1:1,3:2}/3'::sparsevec, '{1:3,3:4}/3'), cosine_distance('{1:1,3:2}/3'::sparsevec, '{1:3,3:4}/3'), l1_distance('{1:1,3:2}/3'::sparsevec, '{2:4}/3');
SELECT sparsevec_l2_squared_distance('{1:1,3:2}/3', '{2:4}/3'), sparsevec_negative_inner_product('{1:1,3:2}/3', '{1:3,3:4}/3');
SELECT l2_distance('{1:1}/3'::sparsevec, '{1:1}/4');
SELECT hamming_distance('101'::bit(3), '011'::bit(3)), jaccard_distance('1100'::bit(4), '1010'::bit(4)), jaccard_distance('000'::bit(3), '000'::bit(3));
SELECT hamming_distance('101'::bit(3), '01'::bit(2));

-- norms, dimensions, quantization, subvectors
SELECT vector_dims('[1,2,3]'::vector), vector_dims('[1,2]'::halfvec), vector_norm('[3,4]'), l2_norm('[3,4]'::halfvec), l2_norm('{1:3,2:4}/5'::sparsevec);
SELECT l2_normalize('[3,4]'::vector), l2_normalize('[3,4]'::halfvec), l2_normalize('{1:3,2:4}/5'::sparsevec), l2_normalize('[0,0]'::vector);
SELECT binary_quantize('[1,-2,0,3]'::vector), binary_quantize('[1,-2,0,3,0.5,-1,2,2,1]'::halfvec);
SELECT subvector('[1,2,3,4,5]'::vector, 2, 3), subvector('[1,2,3,4,5]'::halfvec, 4, 10), subvector('[1,2,3]'::vector, -1, 3);
SELECT subvector('[1,2,3]'::vector, 4, 1);
SELECT subvector('[1,2,3]'::halfvec, 1, 0);

-- arithmetic
SELECT vector_add('[1,2]', '[3,4]'), vector_sub('[1,2]', '[3,5]'), vector_mul('[1,2]', '[3,4]'), vector_concat('[1,2]', '[3]');
SELECT vector_add('[1,2]', '[3]');
SELECT vector_add('[3e38]', '[3e38]');
SELECT vector_sub('[-3e38]', '[3e38]');
SELECT vector_mul('[1e30]', '[1e30]');
SELECT vector_mul('[1e-30]', '[1e-30]');
SELECT halfvec_add('[1,2]', '[3,4]'), halfvec_sub('[1,2]', '[3,5]'), halfvec_mul('[1.5,2]', '[3,4]'), halfvec_concat('[1,2]', '[3]');
SELECT halfvec_sub('[1]', '[1,2]');
SELECT halfvec_add('[60000]', '[60000]');
SELECT halfvec_mul('[0.001]', '[0.001]');
SELECT vector_concat(array_fill(1, ARRAY[8000])::vector, array_fill(2, ARRAY[8001])::vector);
SELECT halfvec_concat(array_fill(1, ARRAY[8000])::halfvec, array_fill(2, ARRAY[8001])::halfvec);

-- comparisons
SELECT vector_lt('[1,2]', '[1,3]'), vector_le('[1,2]', '[1,2]'), vector_eq('[1,2]', '[1,2]'), vector_ne('[1,2]', '[1,2]'),
       vector_ge('[1]', '[1,2]'), vector_gt('[2]', '[1,2]'), vector_cmp('[1,2]', '[1,3]'), vector_cmp('[1,2]', '[1,2]'), vector_cmp('[1,2,0]', '[1,2]');
SELECT halfvec_lt('[1,2]', '[1,3]'), halfvec_le('[2]', '[1,2]'), halfvec_eq('[1,2]', '[1,2]'), halfvec_ne('[1,2]', '[1,2.001]'),
       halfvec_ge('[1]', '[1,2]'), halfvec_gt('[2]', '[1,2]'), halfvec_cmp('[1,2]', '[1,3]'), halfvec_cmp('[1.0001]', '[1]');
SELECT sparsevec_lt('{1:1}/2', '{2:1}/2'), sparsevec_le('{1:1}/2', '{1:1}/2'), sparsevec_eq('{1:1}/2', '{1:1}/3'), sparsevec_ne('{}/2', '{}/2'),
       sparsevec_ge('{1:-1}/2', '{2:1}/2'), sparsevec_gt('{1:1}/3', '{1:1}/2'), sparsevec_cmp('{1:1}/2', '{2:1}/2'), sparsevec_cmp('{2:-1}/2', '{}/2');

-- the aggregates' state functions: a float8[] {count, sum1, …}
SELECT vector_accum('{0}', '[1,2]'), vector_accum('{1,1,2}', '[1,2]'), vector_accum('{5}', '[1.5]'), vector_accum('{0.5,1}', '[1]');
SELECT vector_accum(vector_accum(vector_accum('{0}', '[1,2,3]'), '[4,5,6]'), '[7,8,9]') AS state, vector_avg(vector_accum(vector_accum('{0}', '[1,2,3]'), '[4,5,6]'));
SELECT vector_accum('{}', '[1,2]');
SELECT vector_accum('{{0}}', '[1,2]');
SELECT vector_accum('{0,NULL}', '[1,2]');
SELECT vector_accum('{1,2,3}', '[1]');
SELECT vector_accum('{1,Infinity}', '[1]');
SELECT vector_accum('{1,NaN}', '[1]');
SELECT vector_accum(NULL, '[1]') IS NULL AS strict;
SELECT halfvec_accum('{0}', '[1,2]'), halfvec_accum('{1,1,2}', '[0.5,2]'), halfvec_accum('{2,1e308}', '[65504]');
SELECT halfvec_accum('{}', '[1,2]');
SELECT halfvec_accum('{1,2,3}', '[1]');
SELECT halfvec_accum('{1,-Infinity}', '[1]');
SELECT vector_combine('{1,1,2}', '{2,3,4}'), vector_combine('{0}', '{2,3,4}'), vector_combine('{2,3,4}', '{0,9}'), vector_combine('{0,1}', '{0,5,6}'), vector_combine('{1,Infinity}', '{0,1}');
SELECT vector_combine('{0}', '{0}');
SELECT vector_combine('{2}', '{0}');
SELECT vector_combine('{1}', '{1,2}');
SELECT vector_combine(array_fill(1::float8, ARRAY[16002]), '{0}');
SELECT halfvec_combine('{1,1,2}', '{2,3,4}'), halfvec_combine('{-0}', '{3,1}');
SELECT vector_combine('{1,1,2}', '{1,1}');
SELECT vector_combine('{}', '{1,1}');
SELECT vector_combine('{1,1}', '{{1,1}}');
SELECT halfvec_combine('{1,1e308}', '{1,1e308}');
SELECT halfvec_combine('{NULL}', '{1}');
SELECT vector_avg('{2,4,6}'), vector_avg('{3,1,2}'), vector_avg('{0,1,2}') IS NULL AS empty, vector_avg('{-0,1}') IS NULL AS negative_zero, vector_avg('{0.5,1}');
SELECT vector_avg('{1}');
SELECT vector_avg('{}');
SELECT vector_avg('{1,NaN}');
SELECT vector_avg('{1,1e300}');
SELECT vector_avg('{NaN,1}');
SELECT halfvec_avg('{2,4,6}'), halfvec_avg('{3,1,0.1}'), halfvec_avg('{0,1}') IS NULL AS empty;
SELECT halfvec_avg('{1,100000}');
SELECT halfvec_avg('{1,1e300}');
SELECT halfvec_avg('{1}');
SELECT halfvec_avg('{{1,1}}');
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::vector), ('[3,5]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::halfvec), ('[3,5]')) t(v);

-- the casts' functions
SELECT vector('[1,2,3]', 3, true), vector_to_float4('[1,2]', -1, false), vector_to_halfvec('[1,2,3]', 3, true), vector_to_sparsevec('[0,2,0]', 3, true);
SELECT vector('[1,2,3]', 2, true);
SELECT vector_to_halfvec('[1,2,3]', 2, true);
SELECT vector_to_halfvec('[100000]', -1, false);
SELECT vector_to_sparsevec('[1,2]', 3, false);
SELECT array_to_vector('{1,2}'::int[], 2, true), array_to_vector('{1.5,2}'::real[], -1, true), array_to_vector('{1.5,2}'::float8[], -1, false), array_to_vector('{1.25,2}'::numeric[], 2, true);
SELECT array_to_vector('{1,2}'::int[], 3, true);
SELECT array_to_vector('{1,NULL}'::float8[], -1, true);
SELECT array_to_vector('{{1,2}}'::real[], -1, true);
SELECT array_to_vector('{NaN}'::float8[], -1, true);
SELECT halfvec('[1,2]', 2, true), halfvec_to_vector('[1,2]', -1, true), halfvec_to_float4('[1.5,2]', -1, true), halfvec_to_sparsevec('[0,1.5]', 2, true);
SELECT halfvec('[1,2]', 3, true);
SELECT halfvec_to_vector('[1,2]', 1, true);
SELECT array_to_halfvec('{1,2}'::int[], 2, true), array_to_halfvec('{1.5,2}'::real[], -1, true), array_to_halfvec('{1.5,2}'::float8[], -1, false), array_to_halfvec('{1.25,2}'::numeric[], 2, true);
SELECT array_to_halfvec('{70000}'::int[], -1, true);
SELECT array_to_halfvec('{}'::int[], -1, true);
SELECT sparsevec('{1:2}/3', 3, true), sparsevec_to_vector('{1:2}/3', -1, true), sparsevec_to_halfvec('{2:1.5}/3', 3, true);
SELECT sparsevec('{1:2}/3', 4, true);
SELECT sparsevec_to_vector('{1:2}/16001', -1, true);
SELECT sparsevec_to_halfvec('{1:100000}/2', -1, true);
SELECT array_to_sparsevec('{0,2}'::int[], 2, true), array_to_sparsevec('{1.5,0}'::real[], -1, true), array_to_sparsevec('{0,0}'::float8[], -1, false), array_to_sparsevec('{1.25,2}'::numeric[], 2, true);
SELECT array_to_sparsevec('{1,2}'::int[], 3, true);
