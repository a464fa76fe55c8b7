-- array literals, operators and functions
SELECT ARRAY[1, 2, 3], ARRAY['a', NULL, 'c'], '{1,2,3}'::int[], '{{1,2},{3,4}}'::int[], '{}'::text[], ARRAY[[1, 2], [3, 4]];
SELECT '{"a b", "c\"d", NULL, "NULL", ""}'::text[], ARRAY['x y', 'NULL', ''], '{1.5, 2}'::numeric[], ARRAY[true, false];
SELECT (ARRAY[10, 20, 30])[2], (ARRAY[10, 20, 30])[5], (ARRAY[[1, 2], [3, 4]])[2][1], (ARRAY[10, 20, 30])[2:3], (ARRAY[10, 20, 30])[:2];
SELECT ARRAY[1, 2] || ARRAY[3], ARRAY[1] || 2, 0 || ARRAY[1], ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] < ARRAY[1, 3], ARRAY[1, 2, 3] @> ARRAY[2], ARRAY[1] <@ ARRAY[1, 2], ARRAY[1, 2] && ARRAY[2, 5];
SELECT array_length(ARRAY[1, 2, 3], 1), array_length('{}'::int[], 1), array_ndims(ARRAY[[1], [2]]), array_dims(ARRAY[[1, 2], [3, 4]]), cardinality(ARRAY[[1, 2], [3, 4]]), array_upper(ARRAY[1, 2], 1), array_lower(ARRAY[1, 2], 1);
SELECT array_append(ARRAY[1, 2], 3), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2, 3]), array_remove(ARRAY[1, 2, 1, NULL], 1), array_replace(ARRAY[1, 2, 1], 1, 9);
SELECT array_position(ARRAY['a', 'b', 'c'], 'b'), array_position(ARRAY[1, 2], 5), array_positions(ARRAY[1, 2, 1], 1), array_position(ARRAY[1, 2, 1, 2], 2, 3);
SELECT array_to_string(ARRAY[1, NULL, 3], '-', 'n'), string_to_array('1-2-3', '-')::int[], array_fill('x'::text, ARRAY[2, 2]);
SELECT 3 = ANY(ARRAY[1, 2, 3]), 5 = ANY(ARRAY[1, 2]), 1 < ALL(ARRAY[2, 3]), NULL = ANY(ARRAY[1]), 1 = ANY(ARRAY[1, NULL]), 2 = ANY(ARRAY[1, NULL]), 'b' = ANY('{a,b}'::text[]);
SELECT array_agg(x ORDER BY x DESC), array_agg(DISTINCT x) FROM (VALUES (1), (3), (2), (3)) t(x);
SELECT trim_array(ARRAY[1, 2, 3, 4], 2), array_sample IS NULL FROM (SELECT NULL AS array_sample) s;
SELECT ARRAY[1, 2]::text[], ARRAY['1', '2']::int[], '{1,2}'::int[]::bigint[], ARRAY[1.5]::int[];
SELECT '{1,2'::int[];
SELECT ARRAY[[1, 2], [3]];
SELECT '{a,b}'::int[];
SELECT array_upper('{}'::int[], 1) IS NULL, ARRAY[]::int[], array_length(ARRAY[]::int[], 1);
