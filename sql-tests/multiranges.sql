-- Built-in multirange types: text I/O and its normalization, constructors, casts, operators,
-- functions, aggregates, order, columns (PostgreSQL 15's multirangetypes.c)

-- input forms and their canonical output: sorted, merged, empties dropped
SELECT '{}'::int4multirange, '  {}  '::int4multirange, '{ empty, empty }'::int4multirange, '{[1,3), [5,7)}'::int4multirange;
SELECT '{[5,7), [1,3)}'::int4multirange, '{[1,3), [2,7)}'::int4multirange, '{[1,3), [3,7)}'::int4multirange, '{[1,2], [3,4]}'::int4multirange;
SELECT '{(1,3), [3,7]}'::nummultirange, '{(1,3), (3,7)}'::nummultirange, '{(1,3], (3,7)}'::nummultirange, '{[1,3), empty, (,0)}'::nummultirange;
SELECT '{(,), [1,2)}'::int4multirange, '{[1,), (,0)}'::int8multirange, '{[1.5,2.5), [2.5,3)}'::nummultirange, '{EMPTY}'::int4multirange;
SELECT '{[2020-01-01,2020-01-05], [2020-01-06,2020-01-09)}'::datemultirange, '{(-infinity,2020-01-01), [2020-02-01,infinity]}'::datemultirange;
SELECT '{["2020-01-01 10:00","2020-01-01 12:00"), ["2020-01-01 11:00","2020-01-01 13:00")}'::tsmultirange;
SELECT '{[2020-01-01 10:00+02,2020-01-02 00:00+00), [2020-01-03 00:00 UTC,)}'::tstzmultirange;
SELECT '{ [ 1 , 3 ) , ( 5 , 7 ] }'::int4multirange, '{["1","3")}'::int4multirange, '{[\1,3)}'::int4multirange;
SELECT '{[1,3)}'::int4multirange = '{[1,2), [2,3)}'::int4multirange, '{[1,3)}'::int4multirange <> '{[1,3]}'::int4multirange;
-- malformed literals
SELECT ''::int4multirange;
SELECT '[1,2)'::int4multirange;
SELECT '{'::int4multirange;
SELECT '{[1,2)'::int4multirange;
SELECT '{[1,2),}'::int4multirange;
SELECT '{,[1,2)}'::int4multirange;
SELECT '{[1,2) [3,4)}'::int4multirange;
SELECT '{[1,2)} x'::int4multirange;
SELECT '{x}'::int4multirange;
SELECT '{empty x}'::int4multirange;
SELECT '{[1,2,3)}'::int4multirange;
SELECT '{[3,1)}'::int4multirange;
SELECT '{[a,2)}'::int4multirange;
SELECT '{[1,"2)}'::int4multirange;
SELECT '{}}'::int4multirange;

-- constructors and casts
SELECT int4multirange(), int4multirange('[1,2)'), int4multirange('[5,6)', '[1,2)', '[2,3)'), int4multirange('empty', 'empty');
SELECT nummultirange(numrange(1, 2), numrange(3, 4)), datemultirange(daterange('2020-01-01', '2020-01-10')), int8multirange(int8range(1, 10), int8range(5, 20));
SELECT tsmultirange(tsrange('2020-01-01', '2020-01-02')), tstzmultirange(), int4multirange(VARIADIC ARRAY['[1,2)', '[4,5)']::int4range[]);
SELECT int4multirange(NULL::int4range) IS NULL;
SELECT int4multirange(NULL, '[1,2)');
SELECT multirange(int4range(1, 5)), multirange('empty'::numrange), '[1,5)'::int4range::int4multirange, 'empty'::int4range::int4multirange;
SELECT '{[1,2)}'::int4multirange::text, '{[1,2)}'::text::int4multirange, CAST('{[1,5)}' AS int8multirange);
SELECT pg_typeof('{}'::int4multirange), pg_typeof(multirange(daterange(NULL, NULL))), pg_typeof(range_merge('{}'::tsmultirange));
SELECT pg_typeof(range_agg(int8range(1, 2))), pg_typeof(range_agg('{}'::datemultirange)), pg_typeof(range_intersect_agg('{}'::nummultirange));
SELECT pg_typeof(u) FROM unnest('{[1,2)}'::nummultirange) u;
SELECT int4multirange(VARIADIC NULL::int4range[]) IS NULL, int4multirange(VARIADIC '{}'::int4range[]), int4multirange(NULL) IS NULL;

-- functions
SELECT lower(m), upper(m), isempty(m), lower_inc(m), upper_inc(m), lower_inf(m), upper_inf(m)
  FROM (VALUES ('{}'::int4multirange), ('{[1,3), [5,7)}'), ('{(,3), [5,)}'), ('{[1,3]}')) v(m);
SELECT lower(m), upper(m), lower_inc(m), upper_inc(m) FROM (VALUES ('{(1.5,3], [5,7]}'::nummultirange), ('{}')) v(m);
SELECT range_merge('{}'::int4multirange), range_merge('{[1,3)}'::int4multirange), range_merge('{[1,3), [5,7), [9,10)}'::int4multirange), range_merge('{(,1), [5,)}'::nummultirange);
SELECT unnest('{[1,3), [5,7), [9,10)}'::int4multirange);
SELECT * FROM unnest('{[2020-01-01,2020-01-05), [2020-02-01,2020-02-03)}'::datemultirange) AS u(r);
SELECT count(*) FROM unnest('{}'::int4multirange);

-- operators: multirange / multirange
SELECT a, b, a = b AS eq, a <> b AS ne, a < b AS lt, a <= b AS le, a > b AS gt, a >= b AS ge, a && b AS ov, a @> b AS ct, a <@ b AS cb,
       a << b AS bf, a >> b AS af, a &< b AS ol, a &> b AS orr, a -|- b AS adj
  FROM (VALUES ('{}'::int4multirange), ('{[1,3)}'), ('{[1,3), [5,7)}'), ('{[3,5)}'), ('{[2,6)}'), ('{(,0), [10,)}'), ('{[7,9)}')) x(a),
       (VALUES ('{}'::int4multirange), ('{[1,3)}'), ('{[1,3), [5,7)}'), ('{[3,5)}'), ('{[2,6)}'), ('{(,0), [10,)}'), ('{[7,9)}')) y(b)
  ORDER BY a, b;
SELECT a, b, a + b AS union, a * b AS intersect, a - b AS minus
  FROM (VALUES ('{}'::int4multirange), ('{[1,3)}'), ('{[1,3), [5,7)}'), ('{[2,6)}'), ('{(,0), [10,)}'), ('{[1,10)}')) x(a),
       (VALUES ('{}'::int4multirange), ('{[1,3)}'), ('{[1,3), [5,7)}'), ('{[2,6)}'), ('{(,0), [10,)}'), ('{[2,3), [4,5), [6,8)}')) y(b)
  ORDER BY a, b;
SELECT '{[1.5,2.5), [3,4]}'::nummultirange - '{(2,3.5)}'::nummultirange, '{(,)}'::nummultirange - '{[1,2], [3,4)}'::nummultirange, '{[1,2)}'::nummultirange * '{[1,2)}';
-- operators: multirange / range, range / multirange
SELECT m, r, m && r AS mr_ov, r && m AS rm_ov, m @> r AS mr_ct, r @> m AS rm_ct, m <@ r AS mr_cb, r <@ m AS rm_cb,
       m << r AS mr_bf, r << m AS rm_bf, m >> r AS mr_af, r >> m AS rm_af, m &< r AS mr_ol, r &< m AS rm_ol,
       m &> r AS mr_or, r &> m AS rm_or, m -|- r AS mr_adj, r -|- m AS rm_adj
  FROM (VALUES ('{}'::int4multirange), ('{[1,3), [5,7)}'), ('{[3,5)}'), ('{(,0), [10,)}')) x(m),
       (VALUES ('empty'::int4range), ('[1,3)'), ('[3,5)'), ('[2,6)'), ('[0,20)'), ('[7,10)'), ('(,)')) y(r)
  ORDER BY m, r;
-- operators: element
SELECT m, e, m @> e AS ct, e <@ m AS cb FROM (VALUES ('{}'::int4multirange), ('{[1,3), [5,7)}'), ('{(,0), [10,)}')) x(m), (VALUES (-5), (1), (3), (6), (7), (10)) y(e) ORDER BY m, e;
SELECT '{[2020-01-01,2020-01-05)}'::datemultirange @> '2020-01-03'::date, '{(1.5,2)}'::nummultirange @> 1.5, 2.0 <@ '{[1,2]}'::nummultirange;
SELECT '{[1,3)}'::int4multirange @> 2::int8;
SELECT '{[1,3)}'::int4multirange + '{[1,3)}'::int8multirange;
SELECT '{[1,3)}'::int4multirange && '[1,3)'::int8range;

-- aggregates
SELECT range_agg(r) FROM (VALUES ('[1,3)'::int4range), ('[2,5)'), ('[8,9)'), (NULL), ('empty'), ('[5,6)')) v(r);
SELECT range_agg(r) FROM (VALUES (NULL::int4range)) v(r);
SELECT range_agg(r) FROM (VALUES ('empty'::int4range)) v(r);
SELECT range_agg(r) FROM (VALUES ('[1,3)'::int4range)) v(r) WHERE false;
SELECT range_agg(m) FROM (VALUES ('{[1,3), [10,12)}'::int4multirange), ('{}'), (NULL), ('{[2,4)}')) v(m);
SELECT range_agg(m) FROM (VALUES ('{}'::int4multirange)) v(m);
SELECT range_intersect_agg(m) FROM (VALUES ('{[1,10)}'::int4multirange), ('{[2,4), [6,12)}'), (NULL), ('{[3,7)}')) v(m);
SELECT range_intersect_agg(m) FROM (VALUES ('{[1,10)}'::int4multirange), ('{}')) v(m);
SELECT range_intersect_agg(m) FROM (VALUES (NULL::int4multirange)) v(m);
SELECT g % 2 AS k, range_agg(int4range(g, g + 1)), range_agg(daterange('2020-01-01'::date + g, '2020-01-01'::date + g * 2)) FROM generate_series(1, 9) g GROUP BY 1 ORDER BY 1;

-- arrays of multiranges
SELECT ARRAY['{[1,2)}'::int4multirange, '{}'], '{"{[1,2), [3,4)}","{}"}'::int4multirange[], ('{"{[1,2)}"}'::nummultirange[])[1];

-- columns: ORDER BY (multirange_cmp), GROUP BY, DISTINCT, equality, joins
CREATE TABLE mr_t (id int PRIMARY KEY, m int4multirange, d datemultirange);
INSERT INTO mr_t VALUES (1, '{[1,3), [5,7)}', '{[2020-01-01,2020-01-03)}'), (2, '{}', NULL), (3, '{[1,3)}', '{}'), (4, '{[1,3), [5,8)}', '{(,2020-01-01)}'),
  (5, '{[1,3), [5,7)}', '{[2020-01-01,2020-01-02), [2020-01-05,)}'), (6, NULL, NULL), (7, '{(,1)}', '{(,)}'), (8, '{[0,1), [1,3)}', '{}');
SELECT id, m FROM mr_t ORDER BY m, id;
SELECT id, m FROM mr_t ORDER BY m DESC NULLS LAST, id;
SELECT m, count(*) FROM mr_t GROUP BY m ORDER BY m;
SELECT DISTINCT d FROM mr_t ORDER BY d;
SELECT id FROM mr_t WHERE m = '{[1,3), [5,7)}' ORDER BY id;
SELECT id FROM mr_t WHERE m @> 6 ORDER BY id;
SELECT id FROM mr_t WHERE m && int4range(6, 10) ORDER BY id;
SELECT a.id, b.id FROM mr_t a JOIN mr_t b ON a.m = b.m AND a.id < b.id ORDER BY 1, 2;
UPDATE mr_t SET m = m + '{[20,30)}' WHERE id IN (1, 2);
SELECT id, m, range_merge(m), m - '{[2,6)}' FROM mr_t WHERE m IS NOT NULL ORDER BY id;
SELECT min(id), max(id) FROM mr_t WHERE m <@ '{(,10)}'::int4multirange;
CREATE UNIQUE INDEX mr_t_m ON mr_t (m);
INSERT INTO mr_t VALUES (9, '{[0,3)}', NULL);
SELECT id FROM mr_t WHERE m = '{[0,3)}';
SELECT range_agg(m) FROM mr_t;
DROP TABLE mr_t;

-- ANALYZE: multirange_typanalyze's pg_stats (as range_typanalyze's) and avg_width from multirange_size_estimate
CREATE TABLE mr_a (id int, m int4multirange, d datemultirange, x nummultirange, t tstzmultirange, b int8multirange, arr int4multirange[]);
INSERT INTO mr_a SELECT g, int4multirange(int4range(g, g + 3), int4range(g + 5, g + 9 + g % 4)),
  CASE WHEN g % 3 = 0 THEN '{}' WHEN g % 7 = 0 THEN NULL ELSE datemultirange(daterange('2020-01-01'::date + g, '2020-01-01'::date + 2 * g)) END,
  nummultirange(numrange(g / 3.0, g), numrange(g * 10, NULL)), tstzmultirange(tstzrange(NULL, '2020-01-01'::timestamptz + g * interval '1 hour')),
  int8multirange(int8range(g, g + 1), int8range(g + 2, g + 3), int8range(g + 4, g + 5), int8range(g + 6, g + 7), int8range(g + 8, g + 9)),
  ARRAY[int4multirange(int4range(g, g + 1)), '{}']
  FROM generate_series(1, 300) g;
ANALYZE mr_a;
SELECT attname, null_frac, avg_width, n_distinct, most_common_vals, histogram_bounds, correlation FROM pg_stats WHERE tablename = 'mr_a' AND attname NOT IN ('id', 'arr') ORDER BY attname;
SELECT attname, null_frac, avg_width FROM pg_stats WHERE tablename = 'mr_a' AND attname = 'arr';
DROP TABLE mr_a;

-- PARTITION BY HASH on a multirange column (hash_multirange_extended)
CREATE TABLE mr_hp (m int4multirange, n int) PARTITION BY HASH (m);
CREATE TABLE mr_hp0 PARTITION OF mr_hp FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE mr_hp1 PARTITION OF mr_hp FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE mr_hp2 PARTITION OF mr_hp FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO mr_hp SELECT int4multirange(int4range(g, g + 2), int4range(g * 3, NULL)), g FROM generate_series(1, 12) g;
INSERT INTO mr_hp VALUES ('{}', 0), ('{(,)}', -1);
SELECT tableoid::regclass, n FROM mr_hp ORDER BY 1, 2;
DROP TABLE mr_hp;

-- catalogs
SELECT oid, typname, typtype, typcategory, typarray, typinput, typoutput, typreceive, typsend, typanalyze, typalign, typlen, typelem
  FROM pg_type WHERE typtype = 'm' OR typname IN ('anymultirange', '_int4multirange', '_datemultirange') ORDER BY oid;
SELECT rngtypid::regtype, rngmultitypid::regtype FROM pg_range ORDER BY 1::text;
SELECT castsource::regtype, casttarget::regtype, castfunc, castcontext, castmethod FROM pg_cast WHERE casttarget IN (SELECT oid FROM pg_type WHERE typtype = 'm') ORDER BY 1::text;
SELECT oid, oprname, oprleft::regtype, oprright::regtype, oprresult::regtype, oprcode, oprcom, oprnegate FROM pg_operator
  WHERE oprleft = 'anymultirange'::regtype OR oprright = 'anymultirange'::regtype ORDER BY oid;
SELECT p.oid, proname, pg_get_function_arguments(p.oid), prorettype::regtype, proretset, proisstrict, provariadic::regtype FROM pg_proc p
  WHERE ('anymultirange'::regtype = ANY (proargtypes) OR prorettype = 'anymultirange'::regtype OR proname LIKE '%multirange%')
    AND proname !~ '^(any|hash_|binary_upgrade)|_(in|out|recv|send|typanalyze|transfn|finalfn|consistent|compress)$|sel$' ORDER BY p.oid;
SELECT aggfnoid::regprocedure, aggtransfn, aggfinalfn, aggcombinefn, aggtranstype::regtype FROM pg_aggregate WHERE aggfnoid IN (4301, 4389, 6227) ORDER BY aggfnoid::oid;
SELECT format_type('int4multirange'::regtype, -1), format_type('_nummultirange'::regtype, -1), 'datemultirange'::regtype::oid;
