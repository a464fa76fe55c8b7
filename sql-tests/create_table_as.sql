-- CREATE TABLE … AS SELECT [WITH NO DATA], atomic on errors, inside transactions
\set QUIET off
CREATE TABLE ctas_a AS SELECT g AS id, 'n' || g AS name, g * 1.5 AS score FROM generate_series(1, 3) g;
SELECT * FROM ctas_a ORDER BY id;
CREATE TABLE ctas_a AS SELECT 1;
CREATE TABLE IF NOT EXISTS ctas_a AS SELECT 1;
CREATE TABLE ctas_b (x, y) AS SELECT id, name FROM ctas_a WHERE id > 1 WITH NO DATA;
SELECT count(*) FROM ctas_b;
\d ctas_b
CREATE TABLE ctas_c AS SELECT 'lit' AS t, 1/0 AS boom;
SELECT count(*) FROM pg_class WHERE relname = 'ctas_c';
BEGIN;
CREATE TABLE ctas_d AS SELECT * FROM ctas_a;
SELECT count(*) FROM ctas_d;
ROLLBACK;
SELECT count(*) FROM pg_class WHERE relname = 'ctas_d';
DROP TABLE ctas_a, ctas_b;
