-- array subscripts, slices, element casts of ARRAY[…]::T[], dimension checks, DISTINCT aggregates
SELECT (ARRAY[10, 20, 30])[2], (ARRAY[10, 20, 30])[5], (ARRAY[[1, 2], [3, 4]])[2][1], (ARRAY[10, 20, 30])[2:3], (ARRAY[10, 20, 30])[:2];
SELECT (ARRAY[[1, 2], [3, 4]])[2], (ARRAY[[1, 2], [3, 4]])[1:2][2], (ARRAY[[1, 2], [3, 4]])[2:][1:1], (ARRAY[1,2])[3:4], (ARRAY[1,2])[1][1];
SELECT ARRAY[1, 2]::text[], ARRAY['1', '2']::int[], '{1,2}'::int[]::bigint[], ARRAY[1.5]::int[];
SELECT ARRAY[[1, 2], [3]];
SELECT ARRAY[ARRAY[1,2], ARRAY[3,4]], ARRAY[[1,2],[3,4]]::text[];
SELECT array_agg(x ORDER BY x DESC), array_agg(DISTINCT x), count(DISTINCT x), string_agg(DISTINCT y, ',') FROM (VALUES (1, 'b'), (3, 'a'), (2, 'b'), (3, NULL)) t(x, y);
SELECT ('1 2 3'::int2vector)[0], ('1 2 3'::int2vector)[1:2];
SELECT (ARRAY[1,2])['a'];
SELECT (ARRAY[1,2])[NULL], (ARRAY[1,2])[1.7];
CREATE TABLE arr_t (id int, m int[], v int2vector);
INSERT INTO arr_t VALUES (1, '{{1,2,3},{4,5,6}}', '5 6 7'), (2, '{7,8}', '1');
SELECT id, m[1], m[2][3], m[1:1][2:3], m[2:], v[0], v[1] FROM arr_t ORDER BY id;
SELECT id, m[id] FROM arr_t ORDER BY id;
DROP TABLE arr_t;
SELECT (ARRAY[[1, 2], [3, 4]])[1:1];
SELECT (1)[1];
