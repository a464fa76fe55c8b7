-- halfvec: text I/O
SELECT '[1,2.5,3.14159,65504,0.0001,-1e-7]'::halfvec;
SELECT '[1e-8]'::halfvec, ' [ 1 , 2 ] '::halfvec;
SELECT '[65519]'::halfvec;
SELECT '[65520]'::halfvec;
SELECT '[70000]'::halfvec;
SELECT '[1e39]'::halfvec;
SELECT '[nan]'::halfvec;
SELECT '[inf]'::halfvec;
SELECT '[-inf]'::halfvec;
SELECT '[]'::halfvec;
SELECT '[1,2'::halfvec;
SELECT '1,2]'::halfvec;
SELECT '[1,2] x'::halfvec;
SELECT '[1,,2]'::halfvec;
SELECT '[1,2]'::halfvec(2), '[1,2,3]'::halfvec(3);
SELECT '[1,2]'::halfvec(3);
SELECT pg_typeof('[1]'::halfvec), format_type('halfvec'::regtype, 3);
-- casts
SELECT '[1.1,2.2,3.3]'::vector::halfvec, '[1.1,2.2]'::halfvec::vector;
SELECT '[70000]'::vector::halfvec;
SELECT ARRAY[1,2,3]::halfvec, ARRAY[1.5,2.25]::numeric[]::halfvec, ARRAY[1.1]::float8[]::halfvec, ARRAY[0.3]::real[]::halfvec;
SELECT ARRAY[70000]::halfvec;
SELECT ARRAY[NULL,1]::int[]::halfvec;
SELECT ARRAY[[1,2]]::int[]::halfvec;
SELECT '[1.1,2.2]'::halfvec::real[];
SELECT '[1,2]'::halfvec::vector(3);
SELECT '[1,2]'::vector::halfvec(3);
SELECT ARRAY[1,2]::halfvec(3);
-- distances
SELECT '[1,2,3]'::halfvec <-> '[3,1,2]', '[1,2,3]'::halfvec <#> '[3,1,2]', '[1,2,3]'::halfvec <=> '[3,1,2]', '[1,2,3]'::halfvec <+> '[3,1,2]';
SELECT l2_distance('[1,2,3]'::halfvec, '[3,1,2]'), inner_product('[1,2,3]'::halfvec, '[3,1,2]'), cosine_distance('[1,2,3]'::halfvec, '[3,1,2]'), l1_distance('[1,2,3]'::halfvec, '[3,1,2]');
SELECT '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.1,1.2]'::halfvec <-> '[1.5,-0.25,3,0.125,7,0.3,0.01,2,-4,0.6,1]' AS l2,
       '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.1,1.2]'::halfvec <#> '[1.5,-0.25,3,0.125,7,0.3,0.01,2,-4,0.6,1]' AS ip,
       '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.1,1.2]'::halfvec <=> '[1.5,-0.25,3,0.125,7,0.3,0.01,2,-4,0.6,1]' AS cos,
       '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.1,1.2]'::halfvec <+> '[1.5,-0.25,3,0.125,7,0.3,0.01,2,-4,0.6,1]' AS l1;
SELECT '[0,0]'::halfvec <=> '[1,1]';
SELECT '[1,2]'::halfvec <-> '[1,2,3]';
SELECT inner_product('[1,2]'::halfvec, '[1,2,3]');
SELECT halfvec_l2_squared_distance('[1,2]', '[3,5]'), halfvec_negative_inner_product('[1,2]', '[3,5]');
-- functions
SELECT vector_dims('[1,2,3]'::halfvec), l2_norm('[3,4]'::halfvec), l2_normalize('[3,4]'::halfvec), l2_normalize('[0,0]'::halfvec);
SELECT binary_quantize('[1,-1,0,2,3,4,5,6,-7,1]'::halfvec), binary_quantize('[1,-1,0,2]'::vector);
SELECT subvector('[1,2,3,4]'::halfvec, 2, 2), subvector('[1,2,3,4]'::halfvec, -1, 3), subvector('[1,2,3,4]'::halfvec, 3, 10);
SELECT subvector('[1,2,3,4]'::halfvec, 5, 2);
SELECT subvector('[1,2,3,4]'::halfvec, 1, 0);
-- arithmetic
SELECT '[1,2,3]'::halfvec + '[0.5,0.25,0.1]', '[1,2,3]'::halfvec - '[0.5,0.25,0.1]', '[1,2,3]'::halfvec * '[0.5,0.25,0.1]', '[1,2]'::halfvec || '[3]';
SELECT '[60000]'::halfvec + '[60000]';
SELECT '[-60000]'::halfvec - '[60000]';
SELECT '[300]'::halfvec * '[300]';
SELECT '[0.001]'::halfvec * '[0.001]';
SELECT '[0.0001]'::halfvec * '[0.0001]';
SELECT '[1,2]'::halfvec + '[1]';
-- comparisons
SELECT '[1,2]'::halfvec = '[1,2]', '[1,2]'::halfvec < '[1,3]', '[1,2]'::halfvec < '[1,2,0]', '[2]'::halfvec > '[1,5]', '[1,2]'::halfvec <> '[1,2.001]';
SELECT halfvec_cmp('[1,2]', '[1,3]'), halfvec_cmp('[1,2]', '[1,2]');
-- tables, aggregates, ordering
CREATE TABLE hv_items (id int PRIMARY KEY, g int, v halfvec(3));
INSERT INTO hv_items VALUES (1, 1, '[1,2,3]'), (2, 1, '[3,4,5]'), (3, 2, '[1.1,2.2,3.3]'), (4, 2, NULL), (5, 3, '[-1,0,1]');
INSERT INTO hv_items VALUES (6, 3, '[1,2]');
INSERT INTO hv_items VALUES (6, 3, '[1,2,3,4]'::vector);
SELECT id, v FROM hv_items ORDER BY v, id;
SELECT id, v <-> '[1,1,1]' AS d FROM hv_items WHERE v IS NOT NULL ORDER BY v <-> '[1,1,1]', id LIMIT 3;
SELECT id, v <=> '[1,1,1]' AS d FROM hv_items ORDER BY d, id LIMIT 2;
SELECT avg(v), sum(v) FROM hv_items;
SELECT g, avg(v), sum(v), count(v) FROM hv_items GROUP BY g ORDER BY g;
SELECT avg(v) FROM hv_items WHERE g = 99;
SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]'::halfvec)) t(v);
SELECT DISTINCT v FROM hv_items WHERE v IS NOT NULL ORDER BY v;
UPDATE hv_items SET v = v + '[1,1,1]' WHERE id = 1;
SELECT v, v::vector, v::real[] FROM hv_items WHERE id = 1;
SELECT count(*) FROM hv_items WHERE v = '[1.1,2.2,3.3]';
DROP TABLE hv_items;
-- NULLs
SELECT '[1,2,3]'::halfvec <-> NULL, l2_norm(NULL::halfvec), NULL::halfvec + '[1]';
-- overload resolution with the other vector types
SELECT l2_distance('[1,2,3]', '[3,1,2]');
SELECT '[1,2,3]'::halfvec <-> '[3,1,2]'::vector;
SELECT l2_distance('[1,2,3]'::halfvec, '[3,1,2]'::vector);
