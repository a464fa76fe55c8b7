-- vector type: input/output, typmod, casts, bad input and dimension errors.
-- (Every file runs with the vector extension already installed.)
SELECT '[1,2,3]'::vector;
SELECT '[1.5,-2.25,3e2]'::vector;
SELECT ' [ 1 , 2 , 3 ] '::vector;
SELECT '[0.1,0.2,0.3]'::vector;
SELECT '[1e-7,1e7,-0]'::vector;
SELECT '[3.4028235e38]'::vector;
SELECT '[1.0000001,1.23456789]'::vector;
SELECT '[42]'::vector;
SELECT '[1,2,3]'::vector(3);
SELECT CAST('[4,5,6]' AS vector);
SELECT CAST('[4,5,6]' AS vector(3));
SELECT vector '[7,8,9]';
SELECT NULL::vector;
SELECT '[1,2,3]'::vector IS NULL;
-- bad input
SELECT ''::vector;
SELECT '[]'::vector;
SELECT '1,2,3'::vector;
SELECT '[1,2,3'::vector;
SELECT '[1,2,3]x'::vector;
SELECT '[1,,3]'::vector;
SELECT '[1,a,3]'::vector;
SELECT '[1 2 3]'::vector;
SELECT '[NaN,1]'::vector;
SELECT '[Infinity,1]'::vector;
SELECT '[-Infinity,1]'::vector;
SELECT '[1e39]'::vector;
SELECT '[-1e39]'::vector;
-- typmod
SELECT '[1,2]'::vector(3);
SELECT '[1,2,3,4]'::vector(3);
SELECT '[1,2,3]'::vector(0);
SELECT '[1,2,3]'::vector(16001);
SELECT '[1,2,3]'::vector(3, 2);
-- too many dimensions (16000 is the maximum)
SELECT vector_dims(array_fill(1, ARRAY[16000])::vector);
SELECT vector_dims(array_fill(1, ARRAY[16001])::vector);
-- casts from arrays
SELECT ARRAY[1,2,3]::vector;
SELECT ARRAY[1.5,2.5,3.5]::vector;
SELECT ARRAY[1.5,2.5,3.5]::real[]::vector;
SELECT ARRAY[1,2,3]::float8[]::vector;
SELECT ARRAY[1,2,3]::numeric[]::vector;
SELECT ARRAY[1,2,3]::vector(3);
SELECT ARRAY[1,2]::vector(3);
SELECT ARRAY[]::int[]::vector;
SELECT ARRAY[1,NULL,3]::vector;
SELECT ARRAY[1,'NaN',3]::float8[]::vector;
SELECT ARRAY[[1,2],[3,4]]::vector;
-- casts to arrays
SELECT '[1,2,3]'::vector::real[];
SELECT '[1.5,-2.5]'::vector::real[];
SELECT ('[1,2,3]'::vector::real[])[2];
SELECT array_length('[1,2,3,4]'::vector::real[], 1);
-- text round trip
SELECT '[1,2,3]'::vector::text;
SELECT '[1,2,3]'::text::vector;
SELECT ('[1,2,3]'::vector)::text || '!';
SELECT pg_typeof('[1,2,3]'::vector);
SELECT pg_typeof('[1,2,3]'::vector(3));
-- table column with typmod
CREATE TABLE vt (id int, v vector(3));
INSERT INTO vt VALUES (1, '[1,2,3]');
INSERT INTO vt VALUES (2, '[4,5,6]'), (3, NULL);
INSERT INTO vt VALUES (4, '[1,2]');
INSERT INTO vt VALUES (5, '[1,2,3,4]');
INSERT INTO vt VALUES (6, '[a]');
INSERT INTO vt VALUES (7, ARRAY[7,8,9]);
SELECT * FROM vt ORDER BY id;
SELECT id, v::text FROM vt ORDER BY id;
SELECT id FROM vt WHERE v IS NULL;
UPDATE vt SET v = '[9,9,9]' WHERE id = 1;
UPDATE vt SET v = '[9,9]' WHERE id = 1;
SELECT * FROM vt ORDER BY id;
SELECT v = '[9,9,9]' FROM vt WHERE id = 1;
DROP TABLE vt;
-- column without typmod accepts any dimension
CREATE TABLE vt2 (v vector);
INSERT INTO vt2 VALUES ('[1]'), ('[1,2]'), ('[1,2,3]');
SELECT v, vector_dims(v) FROM vt2 ORDER BY vector_dims(v);
DROP TABLE vt2;
