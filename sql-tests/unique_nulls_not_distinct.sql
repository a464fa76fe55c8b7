-- UNIQUE NULLS NOT DISTINCT (PostgreSQL 15): NULLs compare equal in the key. Column and table
-- constraints, ALTER TABLE ADD CONSTRAINT, CREATE UNIQUE INDEX, partial, multi-column and
-- expression keys, ON CONFLICT, UPDATE, COPY, partitioned tables, catalog text and \d.
CREATE TABLE nnd (id int, a int UNIQUE NULLS NOT DISTINCT, b int, c int, UNIQUE NULLS NOT DISTINCT (b, c));
INSERT INTO nnd VALUES (1, NULL, NULL, NULL);
INSERT INTO nnd VALUES (2, NULL, 1, 1);
INSERT INTO nnd VALUES (3, 1, NULL, NULL);
INSERT INTO nnd VALUES (4, 2, 1, NULL);
INSERT INTO nnd VALUES (5, 3, 1, NULL);
INSERT INTO nnd VALUES (6, 4, NULL, 1);
INSERT INTO nnd VALUES (7, 5, NULL, 1);
INSERT INTO nnd VALUES (8, 6, 1, 1);
SELECT * FROM nnd ORDER BY id;
-- an equality never matches NULL; IS NULL finds the one row
SELECT id FROM nnd WHERE a = NULL;
SELECT id FROM nnd WHERE a IS NULL;
UPDATE nnd SET a = NULL WHERE id = 8;
UPDATE nnd SET a = NULL WHERE id = 1;
UPDATE nnd SET a = 7 WHERE id = 1;
UPDATE nnd SET a = NULL WHERE id = 8;
COPY nnd FROM stdin;
9	\N	2	2
\.
-- ON CONFLICT: a NULL key is a conflict
INSERT INTO nnd VALUES (10, NULL, 3, 3) ON CONFLICT DO NOTHING;
INSERT INTO nnd VALUES (10, NULL, 3, 3) ON CONFLICT (a) DO UPDATE SET id = 80 RETURNING *;
INSERT INTO nnd VALUES (11, 9, NULL, NULL) ON CONFLICT (b, c) DO UPDATE SET id = excluded.id + 100 RETURNING *;
SELECT * FROM nnd ORDER BY id;
\d nnd
SELECT c.relname, i.indisunique, i.indnullsnotdistinct, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'nnd'::regclass ORDER BY 1;
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'nnd'::regclass ORDER BY 1;
-- NULLS DISTINCT written out is the default
ALTER TABLE nnd ADD CONSTRAINT nnd_id_d UNIQUE NULLS DISTINCT (id);
INSERT INTO nnd VALUES (NULL, 20, 20, 20), (NULL, 21, 21, 21);
-- ADD CONSTRAINT over existing duplicate NULLs fails as the index build does
ALTER TABLE nnd ADD CONSTRAINT nnd_id_nd UNIQUE NULLS NOT DISTINCT (id);
CREATE UNIQUE INDEX nnd_id_idx ON nnd (id) NULLS NOT DISTINCT;
DELETE FROM nnd WHERE id IS NULL AND a = 21;
ALTER TABLE nnd ADD CONSTRAINT nnd_id_nd UNIQUE NULLS NOT DISTINCT (id);
INSERT INTO nnd VALUES (NULL, 22, 22, 22);
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'nnd'::regclass ORDER BY 1;
DROP TABLE nnd;

-- CREATE UNIQUE INDEX … NULLS NOT DISTINCT, partial, with INCLUDE; a plain index may say it too
CREATE TABLE nndi (id int, a int, b text, live bool);
CREATE UNIQUE INDEX nndi_a ON nndi (a) INCLUDE (b) NULLS NOT DISTINCT WHERE live;
CREATE UNIQUE INDEX nndi_lower ON nndi (lower(b)) NULLS NOT DISTINCT;
CREATE INDEX nndi_plain ON nndi (id) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX nndi_d ON nndi (id) NULLS DISTINCT;
INSERT INTO nndi VALUES (1, NULL, 'x', true), (2, NULL, 'y', false), (3, NULL, 'z', NULL);
INSERT INTO nndi VALUES (4, NULL, 'w', true);
INSERT INTO nndi VALUES (5, 1, NULL, true);
INSERT INTO nndi VALUES (6, 2, NULL, true);
INSERT INTO nndi VALUES (7, NULL, 'X', false);
INSERT INTO nndi VALUES (8, NULL, 'q', true) ON CONFLICT (a) WHERE live DO UPDATE SET b = 'conflict' RETURNING *;
SELECT * FROM nndi ORDER BY id;
\d nndi
SELECT indexrelid::regclass, indnullsnotdistinct FROM pg_index WHERE indrelid = 'nndi'::regclass ORDER BY 1::text;
DROP TABLE nndi;

-- a partitioned table's key holds in each partition
CREATE TABLE nndp (k int, a int, UNIQUE NULLS NOT DISTINCT (k, a)) PARTITION BY LIST (k);
CREATE TABLE nndp1 PARTITION OF nndp FOR VALUES IN (1);
CREATE TABLE nndp2 PARTITION OF nndp FOR VALUES IN (2);
INSERT INTO nndp VALUES (1, NULL), (2, NULL);
INSERT INTO nndp VALUES (1, NULL);
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN ('nndp'::regclass, 'nndp1'::regclass, 'nndp2'::regclass) AND contype = 'u' ORDER BY 1::text;
DROP TABLE nndp;
