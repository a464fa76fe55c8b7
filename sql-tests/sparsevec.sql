-- sparsevec: text I/O
SELECT '{1:1.5,3:2}/5'::sparsevec, '{}/3'::sparsevec, '{3:0,1:1}/4'::sparsevec, '{3:1,1:2}/3'::sparsevec;
SELECT '  { 1 : 1.5 , 2:3 } / 3 '::sparsevec, '{1:-0.1}/100001'::sparsevec;
SELECT '{1:1,1:2}/3'::sparsevec;
SELECT '{4:1}/3'::sparsevec;
SELECT '{0:1}/3'::sparsevec;
SELECT '{-1:1}/3'::sparsevec;
SELECT '{2147483648:1}/3'::sparsevec;
SELECT '{1:1}'::sparsevec;
SELECT '{1:1}/3x'::sparsevec;
SELECT '{a:1}/3'::sparsevec;
SELECT '{1:a}/3'::sparsevec;
SELECT '{1:1,}/3'::sparsevec;
SELECT '{1:1}/'::sparsevec;
SELECT '{1:1}/0'::sparsevec;
SELECT '1:1}/3'::sparsevec;
SELECT '{1:1e39}/3'::sparsevec;
SELECT '{1:1e-50}/3'::sparsevec;
SELECT '{1:nan}/3'::sparsevec;
SELECT '{1:inf}/3'::sparsevec;
SELECT '{1:1}/3'::sparsevec(3);
SELECT '{1:1}/3'::sparsevec(4);
SELECT pg_typeof('{}/1'::sparsevec), format_type('sparsevec'::regtype, 7);
-- casts
SELECT '[1,0,2]'::vector::sparsevec, '[0,0]'::vector::sparsevec, '{1:1,3:2}/3'::sparsevec::vector, '{1:1.1,3:2}/3'::sparsevec::halfvec, '[0,1.5]'::halfvec::sparsevec;
SELECT ARRAY[1,0,3]::sparsevec, ARRAY[0.5,0]::real[]::sparsevec, ARRAY[0,2.5]::numeric[]::sparsevec, ARRAY[0,0.1]::float8[]::sparsevec;
SELECT '{1:1}/3'::sparsevec::vector(4);
SELECT '{1:70000}/3'::sparsevec::halfvec;
SELECT ARRAY[NULL,1]::int[]::sparsevec;
SELECT ARRAY[[1,2]]::int[]::sparsevec;
SELECT '[1,2]'::vector::sparsevec(3);
-- distances
SELECT '{1:1,2:2}/3'::sparsevec <-> '{2:1,3:5}/3', '{1:1,2:2}/3'::sparsevec <#> '{2:1,3:5}/3', '{1:1,2:2}/3'::sparsevec <=> '{2:1,3:5}/3', '{1:1,2:2}/3'::sparsevec <+> '{2:1,3:5}/3';
SELECT l2_distance('{1:0.1,5:0.7,9:1.3}/10'::sparsevec, '{2:0.3,5:-0.2,10:4}/10'), inner_product('{1:0.1,5:0.7,9:1.3}/10'::sparsevec, '{1:0.3,5:-0.2,9:4}/10'),
       cosine_distance('{1:0.1,5:0.7,9:1.3}/10'::sparsevec, '{1:0.3,5:-0.2,10:4}/10'), l1_distance('{1:0.1,5:0.7,9:1.3}/10'::sparsevec, '{2:0.3,5:-0.2,10:4}/10');
SELECT sparsevec_l2_squared_distance('{1:1}/2', '{2:1}/2'), sparsevec_negative_inner_product('{1:1,2:3}/2', '{2:1}/2');
SELECT '{}/3'::sparsevec <=> '{1:1}/3', '{}/3'::sparsevec <-> '{}/3';
SELECT '{1:1}/2'::sparsevec <-> '{1:1}/3';
SELECT l1_distance('{1:1}/2'::sparsevec, '{1:1}/3');
-- functions
SELECT l2_norm('{1:3,2:4}/3'::sparsevec), l2_normalize('{1:3,2:4}/3'::sparsevec), l2_normalize('{}/3'::sparsevec), l2_norm('{}/3'::sparsevec);
SELECT vector_dims('{1:1}/3'::sparsevec);
SELECT '{1:1}/3'::sparsevec + '{1:1}/3'::sparsevec;
-- comparisons
SELECT '{1:1}/3'::sparsevec < '{2:1}/3', '{1:1}/3'::sparsevec = '{1:1}/3', '{1:1}/3'::sparsevec = '{1:1}/4', '{1:-1}/3'::sparsevec < '{}/3', '{2:1}/3'::sparsevec > '{}/3';
SELECT sparsevec_cmp('{1:1}/3', '{1:2}/3'), sparsevec_cmp('{}/2', '{}/3');
-- tables
CREATE TABLE sv_items (id int PRIMARY KEY, v sparsevec(5));
INSERT INTO sv_items VALUES (1, '{1:1,3:2}/5'), (2, '{2:1}/5'), (3, '{}/5'), (4, NULL), (5, '[0,0,0,0,7]');
INSERT INTO sv_items VALUES (6, '{1:1}/4');
SELECT id, v FROM sv_items ORDER BY v, id;
SELECT id, v <-> '{1:1}/5' AS l2, v <#> '{1:1}/5' AS ip, v <+> '{1:1}/5' AS l1 FROM sv_items ORDER BY l2, id;
SELECT id FROM sv_items ORDER BY v <=> '{3:1}/5', id LIMIT 2;
SELECT v::vector FROM sv_items WHERE id = 1;
SELECT DISTINCT v FROM sv_items ORDER BY v;
DROP TABLE sv_items;
SELECT l2_distance('{1:1}/3', '{2:1}/3');
