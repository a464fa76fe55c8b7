-- Stored generated columns (GENERATED ALWAYS AS (…) STORED), e.g. a tsvector kept in step with its text
CREATE TABLE gdocs (id int PRIMARY KEY, title text, body text,
  tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A') || to_tsvector('english', body)) STORED);
INSERT INTO gdocs (id, title, body) VALUES (1, 'Fat cats', 'The fat cat sat on the mat.'), (2, NULL, 'Rats are running');
INSERT INTO gdocs VALUES (3, 'x', 'y', DEFAULT);
INSERT INTO gdocs VALUES (4, 'x', 'y', 'a:1');
INSERT INTO gdocs (id, body, tsv) SELECT 5, 'z', 'a'::tsvector;
INSERT INTO gdocs (id, body) SELECT 6, 'selected rows too';
SELECT * FROM gdocs ORDER BY id;
UPDATE gdocs SET body = 'dogs now' WHERE id = 2 RETURNING tsv;
UPDATE gdocs SET tsv = 'x' WHERE id = 2;
UPDATE gdocs SET tsv = DEFAULT, title = 'Dog' WHERE id = 2 RETURNING *;
INSERT INTO gdocs (id, body) VALUES (1, 'conflict body') ON CONFLICT (id) DO UPDATE SET body = excluded.body RETURNING *;
COPY gdocs (id, title, body) FROM STDIN;
7	copied	copied rows are generated
\.
COPY gdocs FROM STDIN;
8	plain	copy without a column list
\.
COPY gdocs TO STDOUT;
SELECT id, tsv FROM gdocs WHERE tsv @@ to_tsquery('english', 'copi | rat | dog') ORDER BY id;
ALTER TABLE gdocs ADD COLUMN n int GENERATED ALWAYS AS (length(tsv)) STORED;
ALTER TABLE gdocs ADD COLUMN n int GENERATED ALWAYS AS (length(to_tsvector('simple', body))) STORED;
SELECT id, n FROM gdocs ORDER BY id;
SELECT attname, attgenerated, atthasdef FROM pg_attribute WHERE attrelid = 'gdocs'::regclass AND attnum > 0 ORDER BY attnum;
CREATE TABLE gbad (a int DEFAULT 1 GENERATED ALWAYS AS (2) STORED);
CREATE TABLE gbad (a int, b int GENERATED ALWAYS AS (c + 1) STORED, c int GENERATED ALWAYS AS (a * 2) STORED);
DROP TABLE gdocs;
-- string literals passed to functions show the parameter type PostgreSQL coerced them to (regconfig, regclass, text)
CREATE SEQUENCE gcast_seq;
CREATE TABLE gcast (id int, body text,
  tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
  low text DEFAULT lower('ABC'),
  l3 text GENERATED ALWAYS AS (left(body, 3)) STORED,
  t2 tsvector DEFAULT to_tsvector('simple', 'a b'),
  t3 tsvector DEFAULT to_tsvector('x y'),
  n bigint DEFAULT nextval('gcast_seq'),
  q tsquery DEFAULT plainto_tsquery('english', 'cat'),
  s text DEFAULT substr('abcdef', 2, 3),
  js jsonb DEFAULT jsonb_build_object('a', 1),
  cc text DEFAULT concat('a', 1, 'b'),
  ff text DEFAULT format('%s-%s', 'a', 2),
  CONSTRAINT gcast_match CHECK (to_tsvector('english', body) @@ to_tsquery('english', 'x') OR body IS NULL));
CREATE INDEX gcast_gin ON gcast USING gin (to_tsvector('english', body));
\d gcast
SELECT attname, pg_get_expr(adbin, adrelid) FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'gcast'::regclass ORDER BY adnum;
SELECT pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conname = 'gcast_match';
INSERT INTO gcast (id, body) VALUES (1, 'the cats sat');
SELECT id, tsv, low, l3, t2, t3, n, q, s, js, cc, ff FROM gcast;
DROP TABLE gcast;
DROP SEQUENCE gcast_seq;
-- the coerced literal as the Const prints: int4 bare, numeric with a fraction bare, names as reg* output spells them
CREATE SEQUENCE gcast_seq2;
CREATE TABLE gcast2 (a text DEFAULT repeat('ab', '3'), b numeric DEFAULT round('2.5', 1), c numeric DEFAULT round('3', 1),
  d numeric DEFAULT round('-2.5', 1), e text DEFAULT repeat('x', '-1'), f text DEFAULT repeat('x', ' 007'),
  h text DEFAULT to_char('2.5'::float8, '9.9'), i bigint DEFAULT nextval('public.GCAST_SEQ2'), k tsvector DEFAULT to_tsvector('English', 'x'),
  m text DEFAULT btrim('xx', 'x'), n bool DEFAULT pg_has_role('postgres', 'usage'), o text DEFAULT to_char(1.5, ''), p int DEFAULT length('it''s'));
SELECT attname, pg_get_expr(adbin, adrelid, true) FROM pg_attrdef JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid = 'gcast2'::regclass ORDER BY adnum;
INSERT INTO gcast2 DEFAULT VALUES;
SELECT a, b, c, d, e, f, h, i, k, m, n, o, p FROM gcast2;
DROP TABLE gcast2;
DROP SEQUENCE gcast_seq2;
