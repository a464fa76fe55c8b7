-- vector operators and functions
SELECT '[1,2,3]'::vector <-> '[3,1,2]';
SELECT '[1,2,3]'::vector <#> '[3,1,2]';
SELECT '[1,2,3]'::vector <=> '[3,1,2]';
SELECT '[1,2,3]'::vector <+> '[3,1,2]';
SELECT '[0,0]'::vector <-> '[3,4]';
SELECT '[1,1]'::vector <=> '[2,2]';
SELECT '[1,0]'::vector <=> '[0,1]';
SELECT '[1,0]'::vector <=> '[-1,0]';
SELECT '[0,0]'::vector <=> '[1,1]';
SELECT '[1,2]'::vector <#> '[0,0]';
SELECT l2_distance('[1,2,3]'::vector, '[3,1,2]');
SELECT inner_product('[1,2,3]'::vector, '[3,1,2]');
SELECT cosine_distance('[1,2,3]'::vector, '[3,1,2]');
SELECT l1_distance('[1,2,3]'::vector, '[3,1,2]');
-- untyped literals are ambiguous (pgvector also defines halfvec and sparsevec versions)
SELECT l2_distance('[1,2,3]', '[3,1,2]');
SELECT l2_distance('[0,0]'::vector, '[3,4]'::vector);
SELECT vector_dims('[1,2,3]'::vector);
SELECT vector_dims('[1,2,3]'::vector(3));
SELECT vector_norm('[3,4]');
SELECT vector_norm('[1,1,1,1]');
SELECT vector_norm('[0,0]');
SELECT l2_normalize('[3,4]'::vector);
SELECT l2_normalize('[0,0]'::vector);
SELECT l2_normalize('[1,1,1,1]'::vector);
SELECT subvector('[1,2,3,4,5]'::vector, 2, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 1, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 4, 10);
SELECT subvector('[1,2,3,4,5]'::vector, 0, 2);
SELECT subvector('[1,2,3,4,5]'::vector, 6, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 2, 0);
-- arithmetic
SELECT '[1,2,3]'::vector + '[4,5,6]';
SELECT '[1,2,3]'::vector - '[4,5,6]';
SELECT '[1,2,3]'::vector * '[4,5,6]';
SELECT '[1,2]'::vector || '[3,4,5]';
SELECT '[1,2,3]'::vector + '[0.5,0.25,0.125]'::vector;
SELECT '[3e38]'::vector + '[3e38]';
SELECT '[-3e38]'::vector - '[3e38]';
SELECT '[1e30]'::vector * '[1e30]';
-- comparisons (lexicographic, then by dimensions)
SELECT '[1,2,3]'::vector = '[1,2,3]';
SELECT '[1,2,3]'::vector = '[1,2,4]';
SELECT '[1,2,3]'::vector <> '[1,2,4]';
SELECT '[1,2,3]'::vector < '[1,2,4]';
SELECT '[1,2,3]'::vector <= '[1,2,3]';
SELECT '[1,2,3]'::vector > '[1,2]';
SELECT '[2]'::vector > '[1,9]';
SELECT '[1,2,3]'::vector >= '[1,3]';
SELECT vector_cmp('[1,2,3]', '[1,2,4]');
SELECT vector_cmp('[1,2,3]', '[1,2,3]');
-- dimension mismatch errors
SELECT '[1,2,3]'::vector <-> '[1,2]';
SELECT '[1,2,3]'::vector <#> '[1,2]';
SELECT '[1,2,3]'::vector <=> '[1,2]';
SELECT '[1,2,3]'::vector <+> '[1,2]';
SELECT '[1,2,3]'::vector + '[1,2]';
SELECT '[1,2,3]'::vector - '[1,2]';
SELECT '[1,2,3]'::vector * '[1,2]';
SELECT l2_distance('[1,2,3]'::vector, '[1,2]');
SELECT cosine_distance('[1]'::vector, '[1,2]');
SELECT inner_product('[1]'::vector, '[1,2]');
SELECT l1_distance('[1]'::vector, '[1,2]');
-- NULL propagation
SELECT '[1,2,3]'::vector <-> NULL;
SELECT NULL::vector <=> '[1,2,3]';
SELECT vector_dims(NULL::vector);
SELECT '[1,2,3]'::vector + NULL;
-- aggregates
CREATE TABLE vagg (g int, v vector(3));
INSERT INTO vagg VALUES (1, '[1,2,3]'), (1, '[3,4,5]'), (2, '[10,20,30]'), (2, NULL), (3, NULL);
SELECT avg(v) FROM vagg;
SELECT sum(v) FROM vagg;
SELECT g, avg(v), sum(v), count(v) FROM vagg GROUP BY g ORDER BY g;
SELECT avg(v) FROM vagg WHERE g = 99;
SELECT sum(v) FROM vagg WHERE g = 99;
SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]'::vector)) t(v);
SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[1,2,3]'::vector)) t(v);
-- operators on columns
SELECT g, v <-> '[1,2,3]' AS l2, v <#> '[1,2,3]' AS ip, v <=> '[1,2,3]' AS cos, v <+> '[1,2,3]' AS l1
  FROM vagg ORDER BY g, l2;
SELECT g, vector_norm(v), vector_dims(v), v + v AS doubled FROM vagg WHERE v IS NOT NULL ORDER BY g, vector_norm(v);
SELECT count(*) FROM vagg WHERE v <-> '[1,2,3]' < 5;
DROP TABLE vagg;
