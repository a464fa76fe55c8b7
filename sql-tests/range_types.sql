-- Built-in range types: text I/O, canonicalization, constructors, operators, functions,
-- order, indexes (PostgreSQL 15's rangetypes.c; multiranges are not covered)

-- input forms and their canonical output
SELECT '[1,5)'::int4range, '(1,5]'::int4range, '[1,5]'::int4range, '(1,5)'::int4range;
SELECT 'empty'::int4range, ' EMPTY '::int8range, '(,)'::int4range, '[,)'::int4range, '(,]'::numrange;
SELECT '[3,3]'::int4range, '[3,3)'::int4range, '(3,3]'::numrange, '(3,4)'::int4range, '(3,4)'::numrange;
SELECT '[ 1 , 5 )'::int4range, '("1","5")'::int4range, '[\1,5)'::int4range, '[1,"5"]'::int8range;
SELECT '[1.5,2.50)'::numrange, '[-1e3,1e3]'::numrange, '(,NaN]'::numrange, '[1.0,1.00]'::numrange;
SELECT '[2020-01-01,2020-02-01]'::daterange, '(2020-01-01,2020-02-01)'::daterange, '(-infinity,infinity)'::daterange, '[2020-01-01,infinity]'::daterange;
SELECT '[2020-01-01 10:00,2020-01-01 12:30)'::tsrange, '["2020-01-01 10:00","2020-01-01 10:00"]'::tsrange;
SELECT '[2020-01-01 10:00+02,2020-01-02 00:00+00)'::tstzrange, '(,2020-06-01 00:00 UTC]'::tstzrange;
SELECT '[-2147483648,2147483646]'::int4range, '[-9223372036854775808,9223372036854775806]'::int8range;
-- malformed literals and bad bounds
SELECT '[5,4]'::int4range;
SELECT '[2020-02-01,2020-01-01)'::daterange;
SELECT '[1,5'::int4range;
SELECT ' empty x'::int4range;
SELECT '(1,2,3)'::int4range;
SELECT '[1,5) x'::int4range;
SELECT 'x'::int4range;
SELECT ''::int4range;
SELECT '[1'::int4range;
SELECT '[1,5)"'::int4range;
SELECT '["1,5)'::int4range;
SELECT '[1\'::int4range;
SELECT '[a,5)'::int4range;
SELECT '(2147483647,)'::int4range;
SELECT '[1,2147483647]'::int4range;
SELECT '[1,9223372036854775807]'::int8range;
-- quoting in the output
SELECT '["", x)'::tsrange;
SELECT ARRAY['[1,2)'::int4range, 'empty', '(,3]'], '{"[1,2)",empty,"(,)"}'::int8range[];
SELECT '{"[2020-01-01,2020-01-02)"}'::daterange[], ARRAY[tsrange('2020-01-01', NULL)];

-- constructors
SELECT int4range(1, 5), int4range(1, 5, '[]'), int4range(1, 5, '(]'), int4range(1, 5, '()'), int4range(NULL, 5), int4range(1, NULL, '[]'), int4range(NULL, NULL);
SELECT int8range(1, 5), int8range(1, 5, '[]'), numrange(1.0, 2.5), numrange(1, 2, '(]'), numrange(NULL, 2.5, '()');
SELECT daterange('2020-01-01', '2020-02-01'), daterange('2020-01-01', '2020-02-01', '[]'), daterange('2020-01-01', '2020-02-01', '(]');
SELECT tsrange('2020-01-01', '2020-01-02'), tsrange('2020-01-01', '2020-01-02', '[]'), tstzrange('2020-01-01 10:00+02', '2020-01-02', '()');
SELECT int4range(5, 5), int4range(5, 5, '[]'), int4range(5, 5, '(]'), numrange(5, 5, '[]');
SELECT int4range(1, 5, '[x');
SELECT int4range(1, 5, '[');
SELECT int4range(1, 5, '[)x');
SELECT int4range(1, 5, NULL);
SELECT int4range(5, 1);
SELECT int4range(2147483647, NULL, '()');
SELECT pg_typeof(int4range(1, 2)), pg_typeof(numrange(1, 2)), pg_typeof(daterange(NULL, NULL));

-- accessors
SELECT lower(int4range(1, 5)), upper(int4range(1, 5)), lower('(,5)'::int4range), upper('[1,)'::int4range), lower('empty'::int4range), upper('empty'::numrange);
SELECT pg_typeof(lower(numrange(1, 2))), pg_typeof(upper(tstzrange(NULL, NULL))), pg_typeof(lower('[2020-01-01,)'::daterange));
SELECT isempty('empty'::int4range), isempty(int4range(1, 2)), isempty(int4range(1, 1));
SELECT lower_inc('[1,5)'::numrange), lower_inc('(1,5)'::numrange), upper_inc('[1,5]'::numrange), upper_inc('[1,5]'::int4range);
SELECT lower_inf('(,5)'::int4range), lower_inf('[1,5)'::int4range), upper_inf('[1,)'::int4range), upper_inf('empty'::int4range), lower_inc('empty'::int4range);
SELECT lower(NULL::int4range), isempty(NULL::int8range);

-- comparison and the btree order: empty first, then lower bound, then upper bound
SELECT int4range(1, 5) = int4range(1, 5), '[1,2]'::int4range = '[1,3)', numrange(1, 2) = numrange(1, 2, '[]'), 'empty'::int4range = int4range(3, 3);
SELECT int4range(1, 5) <> int4range(1, 6), int4range(1, 5) < int4range(1, 6), int4range(1, 5) <= int4range(1, 5), int4range(2, 3) > int4range(1, 9), int4range(1, 5) >= '(,)';
SELECT 'empty'::int4range < '(,1)', '(,1)'::int4range < '(,2)', '[1,)'::int4range > '[1,9)', numrange(1, 2, '()') > numrange(1, 2, '[]');
SELECT range_cmp('[1,2)'::int4range, '[1,3)'), range_cmp('empty'::int4range, 'empty'), range_cmp('(,)'::numrange, 'empty');
SELECT r FROM (VALUES ('[3,4)'::int4range), ('empty'), ('(,)'), ('(,3)'), ('[1,)'), ('[1,2)'), ('[1,9)'), (NULL), ('[-5,0]')) v(r) ORDER BY r;
SELECT r FROM (VALUES ('[3,4)'::numrange), ('empty'), ('(,)'), ('(3,4)'), ('[3,4]'), ('(3,)'), ('[3,)')) v(r) ORDER BY r DESC;

-- containment, overlap and position
SELECT int4range(1, 5) @> 3, int4range(1, 5) @> 5, int4range(1, 5) @> 1, '(,)'::int4range @> 7, 'empty'::int4range @> 1;
SELECT 3 <@ int4range(1, 5), 5 <@ int4range(1, 5), 2.5 <@ numrange(1, 2.5, '[]'), '2020-01-15'::date <@ daterange('2020-01-01', '2020-02-01');
SELECT int4range(1, 5) @> int4range(2, 3), int4range(1, 5) @> int4range(2, 6), int4range(1, 5) @> 'empty'::int4range, 'empty'::int4range @> 'empty'::int4range, 'empty'::int4range @> int4range(1, 2);
SELECT int4range(2, 3) <@ int4range(1, 5), int4range(0, 3) <@ int4range(1, 5), 'empty'::int4range <@ int4range(1, 5);
SELECT int4range(1, 5) && int4range(4, 8), int4range(1, 5) && int4range(5, 8), numrange(1, 5, '[]') && numrange(5, 8), 'empty'::int4range && '(,)';
SELECT int4range(1, 5) << int4range(6, 8), int4range(1, 5) << int4range(5, 8), int4range(1, 5) << int4range(4, 8), 'empty'::int4range << int4range(1, 2);
SELECT int4range(6, 8) >> int4range(1, 5), int4range(5, 8) >> int4range(1, 5), int4range(4, 8) >> int4range(1, 5), '(,)'::int4range >> 'empty';
SELECT int4range(1, 5) &< int4range(2, 5), int4range(1, 6) &< int4range(2, 5), int4range(1, 5) &< '(,)', 'empty'::int4range &< '(,)';
SELECT int4range(2, 5) &> int4range(1, 5), int4range(0, 6) &> int4range(1, 5), '(,3)'::int4range &> '(,5)';
SELECT int4range(1, 5) -|- int4range(5, 8), int4range(1, 5, '[]') -|- int4range(6, 8), numrange(1, 5) -|- numrange(5, 8), numrange(1, 5, '[]') -|- numrange(5, 8);
SELECT numrange(1, 5, '()') -|- numrange(5, 8, '()'), numrange(1, 5, '[]') -|- numrange(5, 8, '[]'), int4range(1, 5) -|- int4range(6, 8), 'empty'::int4range -|- int4range(1, 2);
SELECT daterange('2020-01-01', '2020-01-10', '[]') -|- daterange('2020-01-11', '2020-01-20'), '(,5)'::int8range -|- '[5,)'::int8range;
SELECT tsrange('2020-01-01', '2020-01-02') -|- tsrange('2020-01-02', '2020-01-03'), tstzrange('2020-01-01', '2020-01-02') && tstzrange('2020-01-01 23:00', NULL);
SELECT '2020-01-01 12:00'::timestamp <@ tsrange('2020-01-01', '2020-01-02'), tstzrange('2020-01-01 00:00+00', '2020-01-02 00:00+00') @> '2020-01-01 23:00-02'::timestamptz;

-- union, intersection, difference, merge
SELECT int4range(1, 5) + int4range(5, 8), int4range(1, 5) + int4range(3, 8), int4range(1, 5) + 'empty', 'empty'::int4range + int4range(2, 3), '(,3)'::int4range + '[2,)';
SELECT int4range(1, 3) + int4range(5, 8);
SELECT numrange(1, 2) + numrange(2.5, 3);
SELECT int4range(1, 5) * int4range(3, 8), int4range(1, 5) * int4range(5, 8), int4range(1, 5) * 'empty', '(,)'::numrange * numrange(1, 2, '(]');
SELECT int4range(1, 10) - int4range(5, 15), int4range(1, 10) - int4range(-5, 5), int4range(1, 10) - int4range(20, 30), int4range(1, 10) - int4range(0, 20), int4range(1, 10) - 'empty';
SELECT numrange(1, 10) - numrange(5, 15), numrange(1, 10, '[]') - numrange(1, 5, '[]'), '(,)'::int4range - '[3,)';
SELECT int4range(1, 10) - int4range(3, 5);
SELECT range_merge(int4range(1, 3), int4range(5, 8)), range_merge('empty'::int4range, int4range(1, 2)), range_merge(numrange(1, 2), '(,0]');
SELECT range_union(int4range(1, 3), int4range(2, 8)), range_intersect(int4range(1, 3), int4range(2, 8)), range_minus(int4range(1, 3), int4range(2, 8));
SELECT range_overlaps(int4range(1, 3), int4range(2, 8)), range_contains(int4range(1, 3), int4range(2, 3)), range_contains_elem(int4range(1, 3), 2), elem_contained_by_range(9, int4range(1, 3));
SELECT range_adjacent(int4range(1, 3), int4range(3, 8)), range_before(int4range(1, 3), int4range(3, 8)), range_after(int4range(1, 3), int4range(3, 8)), range_overleft(int4range(1, 3), int4range(3, 8)), range_overright(int4range(1, 3), int4range(3, 8));
SELECT daterange('2020-01-01', '2020-03-01') * daterange('2020-02-01', NULL), tsrange('2020-01-01', '2020-01-03') - tsrange('2020-01-02', NULL);
SELECT int4range_canonical('[1,5)'::int4range), int4range_subdiff(10, 3), int8range_subdiff(10, 3), numrange_subdiff(2.5, 1), daterange_subdiff('2020-03-01', '2020-01-01'), tsrange_subdiff('2020-01-02', '2020-01-01'), tstzrange_subdiff('2020-01-01 01:00+00', '2020-01-01');

-- casts through text
SELECT '[1,5)'::int4range::text, '[1,5)'::text::int4range, CAST('empty' AS daterange), '(1,5]'::varchar::int8range;

-- a table of ranges: ORDER BY, GROUP BY, DISTINCT, joins, aggregates, NULLs
CREATE TABLE range_t (id int PRIMARY KEY, r int4range, n numrange, d daterange, ts tsrange, tz tstzrange, b int8range);
INSERT INTO range_t VALUES
  (1, '[1,5)', '[1.5,2)', '[2020-01-01,2020-02-01)', '[2020-01-01 10:00,2020-01-01 12:00)', '[2020-01-01 10:00+00,)', '[10,20)'),
  (2, 'empty', 'empty', 'empty', 'empty', 'empty', 'empty'),
  (3, '(,3]', '(,)', '(,2020-01-01]', '(,)', '(,)', '(,5]'),
  (4, '[1,3)', '[1.5,3)', '[2019-01-01,2020-01-01]', '[2020-01-01 09:00,2020-01-01 10:00]', '[2020-01-01 10:00+02,2020-01-01 11:00+02)', '[1,2]'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL),
  (6, '[7,)', '[-1,0]', '[2021-01-01,)', '[2021-01-01,)', '(2021-01-01,)', '[100,)'),
  (7, '[1,5)', '[1.50,2.0)', '[2020-01-01,2020-01-31]', NULL, NULL, '[10,19]');
SELECT * FROM range_t ORDER BY r, id;
SELECT id, n FROM range_t ORDER BY n DESC, id;
SELECT id, d FROM range_t ORDER BY d NULLS FIRST, id;
SELECT id, ts, tz FROM range_t ORDER BY tz, id;
SELECT r, count(*) FROM range_t GROUP BY r ORDER BY r;
SELECT DISTINCT n FROM range_t ORDER BY n;
SELECT b, count(*) FROM range_t GROUP BY b ORDER BY b;
SELECT a.id, b.id FROM range_t a JOIN range_t b ON a.d = b.d AND a.id < b.id ORDER BY 1, 2;
SELECT id FROM range_t WHERE r @> 2 ORDER BY id;
SELECT id FROM range_t WHERE r && '[2,3)' ORDER BY id;
SELECT id FROM range_t WHERE d @> '2020-01-15'::date ORDER BY id;
SELECT id FROM range_t WHERE tz @> '2020-01-01 10:30+00'::timestamptz ORDER BY id;
SELECT id, lower(r), upper(r), isempty(r), lower_inf(n), upper_inf(n) FROM range_t ORDER BY id;
SELECT range_intersect_agg(r) FROM range_t WHERE id IN (1, 4);
SELECT range_intersect_agg(r) FROM range_t WHERE id IN (1, 6);
SELECT range_intersect_agg(d) FROM range_t;
SELECT id, range_intersect_agg(b) OVER (ORDER BY id) FROM range_t ORDER BY id;
UPDATE range_t SET r = r + '[5,10)' WHERE id = 1;
SELECT id, r FROM range_t WHERE id = 1;

-- PRIMARY KEY, UNIQUE and B-tree indexes on range columns
CREATE UNIQUE INDEX range_t_r ON range_t (r);
DELETE FROM range_t WHERE id = 7;
CREATE UNIQUE INDEX range_t_r ON range_t (r);
INSERT INTO range_t (id, r) VALUES (8, '[1,9]');
INSERT INTO range_t (id, r) VALUES (8, '[1,3]');
CREATE TABLE range_k (r int4range PRIMARY KEY, v text);
INSERT INTO range_k VALUES ('[1,2)', 'a'), ('[2,3)', 'b'), ('empty', 'e'), ('(,)', 'all');
INSERT INTO range_k VALUES ('[1,1]', 'dup');
INSERT INTO range_k VALUES ('[5,5)', 'dup');
SELECT * FROM range_k ORDER BY r;
SELECT * FROM range_k WHERE r = '[2,3)';
CREATE TABLE range_big (id int, r int4range PRIMARY KEY, d daterange);
INSERT INTO range_big SELECT g, int4range(g, g + 10), daterange('2020-01-01'::date + g, '2020-01-01'::date + g + 7) FROM generate_series(1, 3000) g;
CREATE INDEX range_big_d ON range_big (d);
ANALYZE range_big;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM range_big WHERE r = '[100,110)';
SELECT * FROM range_big WHERE r = '[100,110)';
SELECT * FROM range_big WHERE r = '[100,109]';
SELECT * FROM range_big WHERE d = '[2020-01-11,2020-01-18)';
RESET enable_seqscan;
SELECT count(*) FROM range_big WHERE r && '[50,60)';
SELECT id, r FROM range_big ORDER BY r DESC LIMIT 3;
SELECT id, r FROM range_big WHERE r < '[3,4)' ORDER BY r;
DROP TABLE range_big;
DROP TABLE range_k;
DROP TABLE range_t;

-- settings reach the bounds' output
SET timezone = 'America/New_York';
SELECT '[2020-01-01 10:00+00,2020-06-01 10:00+00)'::tstzrange;
RESET timezone;
SET datestyle = 'SQL, DMY';
SELECT '[2020-01-31,2020-02-01]'::daterange, '[2020-01-31 10:00,)'::tsrange;
RESET datestyle;

-- catalogs
SELECT format_type('int4range'::regtype, -1), format_type(3926, -1), 'numrange'::regtype, '_tstzrange'::regtype::oid, 'daterange[]'::regtype;
SELECT oid, typname, typtype, typcategory, typlen, typbyval, typalign, typstorage, typarray, typelem FROM pg_type WHERE oid IN (3904, 3905, 3906, 3907, 3908, 3910, 3912, 3926, 3927, 3831) ORDER BY oid;
SELECT * FROM pg_range ORDER BY rngtypid;
SELECT typname, typinput, typoutput, typreceive, typsend, typanalyze, typsubscript FROM pg_type WHERE typtype = 'r' OR oid IN (3905, 3831) ORDER BY oid;
SELECT oid, oprname, oprleft::regtype, oprright::regtype, oprresult::regtype, oprcode, oprrest, oprjoin, oprcom, oprnegate, oprcanmerge, oprcanhash FROM pg_operator WHERE 'anyrange'::regtype IN (oprleft, oprright) AND oprcode::text NOT LIKE '%multirange%' ORDER BY oid;
SELECT oid, proname, pg_get_function_arguments(oid), prorettype::regtype, proisstrict, prosrc FROM pg_proc WHERE proname IN ('lower', 'upper', 'isempty', 'range_merge', 'int4range', 'daterange', 'tstzrange', 'range_intersect_agg') AND pg_get_function_arguments(oid) NOT LIKE '%multirange%' AND pg_get_function_arguments(oid) NOT IN ('text', 'anyelement') ORDER BY oid;
SELECT aggfnoid, aggtransfn, aggtranstype::regtype FROM pg_aggregate WHERE aggfnoid = 'range_intersect_agg(anyrange)'::regprocedure;

-- PARTITION BY HASH on range columns: rows land where hash_range_extended puts them
CREATE TABLE range_hp (r int4range, n numrange) PARTITION BY HASH (r);
CREATE TABLE range_hp0 PARTITION OF range_hp FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE range_hp1 PARTITION OF range_hp FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE range_hp2 PARTITION OF range_hp FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO range_hp SELECT int4range(g, g * 2 + 1), numrange(g, NULL) FROM generate_series(1, 12) g;
INSERT INTO range_hp VALUES ('empty', 'empty'), ('(,)', '(,)'), ('(,5]', '[1.5,2.5]');
SELECT tableoid::regclass, r FROM range_hp ORDER BY 1, 2;
CREATE TABLE range_hq (n numrange, d daterange, t tstzrange) PARTITION BY HASH (n, d, t);
CREATE TABLE range_hq0 PARTITION OF range_hq FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE range_hq1 PARTITION OF range_hq FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO range_hq SELECT numrange(g, NULL), daterange('2020-01-01'::date + g, NULL), tstzrange('2020-01-01'::timestamptz + g * interval '1 day', NULL) FROM generate_series(1, 8) g;
SELECT tableoid::regclass, n FROM range_hq ORDER BY 1, 2;
DROP TABLE range_hp;
DROP TABLE range_hq;

-- ANALYZE: range_typanalyze's pg_stats (values taken as unique; no MCV, histogram or correlation in PostgreSQL 15's view)
CREATE TABLE range_a (id int, r int4range, n numrange, d daterange, t tsrange, b int8range, z tstzrange, arr int4range[]);
INSERT INTO range_a SELECT g, CASE WHEN g % 10 = 0 THEN 'empty' ELSE int4range(g % 37, g % 37 + g % 5 + 1) END, numrange(g / 7.0, g / 3.0),
  CASE WHEN g % 9 = 0 THEN NULL ELSE daterange('2020-01-01'::date + g % 50, '2020-01-01'::date + g % 50 + g % 11 + 1) END,
  tsrange('2020-01-01'::timestamp + g * interval '1 hour', NULL), CASE WHEN g % 3 = 0 THEN NULL ELSE int8range(g, g * 3) END,
  tstzrange(NULL, '2020-01-01'::timestamptz + g * interval '1 minute', '(]'), ARRAY[int4range(g, g + 1), 'empty']
  FROM generate_series(1, 500) g;
ANALYZE range_a;
SELECT attname, null_frac, avg_width, n_distinct, most_common_vals, histogram_bounds, correlation FROM pg_stats WHERE tablename = 'range_a' AND attname NOT IN ('id', 'arr') ORDER BY attname;
SELECT attname, null_frac, avg_width FROM pg_stats WHERE tablename = 'range_a' AND attname = 'arr';
DROP TABLE range_a;
