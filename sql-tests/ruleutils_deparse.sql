-- Catalog text of CHECK constraints, column defaults and partial-index predicates as
-- ruleutils.c deparses them: pretty (psql's \d, pg_get_*(…, true)) and not (pg_dump).
CREATE TABLE pa (id int PRIMARY KEY, code text, price numeric CHECK (price > 0), qty int8, f float8, r real,
  n int CHECK (n BETWEEN 1 AND 10), s varchar(10), b bool, t timestamptz DEFAULT now(), j jsonb DEFAULT '{}'::jsonb,
  d numeric DEFAULT 0, e int DEFAULT -1, g text DEFAULT 'x', h int DEFAULT (1 + 2) * 3, k text[] DEFAULT '{}');
ALTER TABLE pa ADD CONSTRAINT qty_nonneg CHECK (qty >= 0);
ALTER TABLE pa ADD CONSTRAINT code_like CHECK (code LIKE 'A%' OR code IS NULL);
ALTER TABLE pa ADD CONSTRAINT code_in CHECK (code IN ('a', 'b', 'c'));
ALTER TABLE pa ADD CONSTRAINT n_in CHECK (n IN (1, 2) AND n <> 3);
ALTER TABLE pa ADD CONSTRAINT f_pos CHECK (f > 0 AND r < 1.5);
ALTER TABLE pa ADD CONSTRAINT s_chk CHECK (s <> 'zz' AND length(s) < 5);
ALTER TABLE pa ADD CONSTRAINT case_chk CHECK (CASE WHEN b THEN n > 1 ELSE n < 1 END);
ALTER TABLE pa ADD CONSTRAINT coal CHECK (COALESCE(n, 0) + 1 > 0 AND NOT b);
ALTER TABLE pa ADD CONSTRAINT arith CHECK (n * 2 + 1 > (n - 1) * 3 AND price::int > 0);
ALTER TABLE pa ADD CONSTRAINT boolt CHECK (b IS NOT TRUE OR n IS NOT NULL);
ALTER TABLE pa ADD CONSTRAINT lowerc CHECK (lower(code) = code AND upper(code) <> 'X'::text);
SELECT conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'pa'::regclass AND contype = 'c' ORDER BY conname;
SELECT attname, pg_get_expr(adbin, adrelid), pg_get_expr(adbin, adrelid, true) FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'pa'::regclass ORDER BY adnum;
\d pa
SELECT constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_name IN ('pa_price_check', 'code_in', 'arith') ORDER BY 1;
DROP TABLE pa;
CREATE TABLE pb (id int, code text, price numeric, qty int8, b bool, v varchar(5),
  a int DEFAULT 2 + 3, g int GENERATED ALWAYS AS (id * 2) STORED, u text DEFAULT upper('x'), w bool DEFAULT (NOT false));
CREATE INDEX pb_p ON pb (id) WHERE price > 0;
CREATE INDEX pb_q ON pb (code) WHERE code IS NOT NULL AND qty >= 10;
CREATE INDEX pb_r ON pb (id) WHERE b;
CREATE INDEX pb_s ON pb (id) WHERE code IN ('x', 'y') OR v = 'z';
CREATE INDEX pb_t ON pb (code) WHERE NOT b AND id BETWEEN 1 AND 5;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid), pg_get_indexdef(indexrelid, 0, true), pg_get_expr(indpred, indrelid), pg_get_expr(indpred, indrelid, true) FROM pg_index WHERE indrelid = 'pb'::regclass ORDER BY 1::text;
SELECT attname, pg_get_expr(adbin, adrelid), pg_get_expr(adbin, adrelid, true) FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'pb'::regclass ORDER BY adnum;
SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'pb' ORDER BY ordinal_position;
\d pb
DROP TABLE pb;
CREATE SEQUENCE ps;
CREATE TABLE pc (a int DEFAULT nextval('ps'), b timestamptz DEFAULT CURRENT_TIMESTAMP, c date DEFAULT current_date, d uuid DEFAULT gen_random_uuid(),
  e bool DEFAULT true, f text[] DEFAULT ARRAY[]::text[], g float8 DEFAULT 1.5, h numeric(10,2) DEFAULT 0, i int8 DEFAULT 0, j int DEFAULT '7',
  k text DEFAULT CURRENT_USER, l varchar(10) DEFAULT 'v', m jsonb DEFAULT '[]', n serial, o timestamp DEFAULT now(), p int2 DEFAULT 1, q text DEFAULT lower('AB'),
  r int DEFAULT length('abc') + 1, s numeric DEFAULT -2.5, t interval DEFAULT '1 day', u text DEFAULT 'it''s', v int[] DEFAULT '{1,2}', w float4 DEFAULT 0);
SELECT attname, pg_get_expr(adbin, adrelid), pg_get_expr(adbin, adrelid, true) FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'pc'::regclass ORDER BY adnum;
DROP TABLE pc;
DROP SEQUENCE ps;
-- a SQL function's call shows the arguments written, not the defaults it takes
CREATE FUNCTION rd_f(x int, y int DEFAULT 1) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + y';
CREATE TABLE pd (n int CHECK (rd_f(n) > 0), m int CHECK (rd_f(m, 2) + 1 > 0) CHECK (m IS DISTINCT FROM 5), k int CHECK (k IS NOT DISTINCT FROM 1 OR k = -1));
SELECT conname, pg_get_constraintdef(oid), pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'pd'::regclass ORDER BY conname;
DROP TABLE pd;
DROP FUNCTION rd_f;
-- a renamed column: the CHECK names it by its new name, and still holds
CREATE TABLE rx (a int CHECK (a > 0), c numeric, CHECK (c > a));
ALTER TABLE rx RENAME a TO b;
INSERT INTO rx VALUES (1, 2);
INSERT INTO rx VALUES (-1, 2);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'rx'::regclass ORDER BY conname;
\d rx
DROP TABLE rx;
-- views: pg_get_viewdef pretty and not, pg_views, information_schema.views, \d+
CREATE TABLE va (id int PRIMARY KEY, code text, price numeric, qty int8);
CREATE VIEW vv AS select id, code from va where price > 10;
CREATE VIEW vv2 AS SELECT id AS ident, upper(code) AS up, price * 2, qty FROM va WHERE code LIKE 'a%' AND qty IN (1, 2, 3) ORDER BY id DESC, qty LIMIT 5 OFFSET 1;
CREATE VIEW vv3 AS SELECT * FROM va;
CREATE VIEW vv4 AS SELECT p.id FROM va p JOIN va q USING (id);
CREATE VIEW vv5 AS SELECT id, price FROM va WHERE price IN (1, 2.5) AND qty NOT IN (-1, 7) AND code IS NOT NULL ORDER BY price DESC NULLS LAST;
CREATE VIEW vv6 AS SELECT id + 1 AS id, code || 'x' FROM va WHERE CASE WHEN qty > 1 THEN true ELSE false END;
SELECT pg_get_viewdef('vv'::regclass), pg_get_viewdef('vv'::regclass, true);
SELECT pg_get_viewdef('vv2'::regclass);
SELECT pg_get_viewdef('vv2'::regclass, true);
SELECT pg_get_viewdef('vv3'::regclass, true);
SELECT pg_get_viewdef('vv5'::regclass), pg_get_viewdef('vv5'::regclass, true);
SELECT pg_get_viewdef('vv6'::regclass), pg_get_viewdef('vv6'::regclass, true);
SELECT viewname, definition FROM pg_views WHERE viewname IN ('vv', 'vv3') ORDER BY 1;
SELECT table_name, view_definition FROM information_schema.views WHERE table_name IN ('vv', 'vv3') ORDER BY 1;
\d+ vv
CREATE MATERIALIZED VIEW vm AS SELECT id, price * 2 AS twice FROM va WHERE code IS NOT NULL;
SELECT pg_get_viewdef('vm'::regclass, true);
SELECT matviewname, definition FROM pg_matviews WHERE matviewname = 'vm';
-- a renamed view column: PostgreSQL's AS follows it
ALTER VIEW vv RENAME COLUMN code TO c;
SELECT pg_get_viewdef('vv'::regclass, true);
DROP MATERIALIZED VIEW vm;
DROP VIEW vv, vv2, vv3, vv4, vv5, vv6;
DROP TABLE va;
