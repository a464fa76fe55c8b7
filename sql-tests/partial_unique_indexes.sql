-- Partial UNIQUE indexes: uniqueness among the rows meeting the WHERE only (INSERT, UPDATE, COPY),
-- ON CONFLICT … WHERE arbiters (42P10 when none matches), pg_indexes / pg_get_indexdef / \d.
CREATE TABLE puq (id int, a int, deleted_at timestamp, note text);
CREATE UNIQUE INDEX puq_a_live ON puq (a) WHERE deleted_at IS NULL;
INSERT INTO puq VALUES (1, 10, NULL, 'x'), (2, 10, '2020-01-01', 'y'), (3, 11, NULL, 'z');
INSERT INTO puq VALUES (4, 10, NULL, 'dup');
INSERT INTO puq VALUES (5, 10, '2021-01-01', 'ok deleted');
UPDATE puq SET deleted_at = NULL WHERE id = 2;
UPDATE puq SET a = 11 WHERE id = 1;
UPDATE puq SET deleted_at = '2022-02-02' WHERE id = 1;
INSERT INTO puq VALUES (6, 10, NULL, 'now ok');
COPY puq FROM stdin;
7	11	\N	copy dup
\.
INSERT INTO puq VALUES (8, 11, NULL, 'c') ON CONFLICT (a) WHERE deleted_at IS NULL DO UPDATE SET note = 'conflict ' || excluded.note;
INSERT INTO puq VALUES (9, 11, NULL, 'd') ON CONFLICT (a) DO NOTHING;
INSERT INTO puq VALUES (9, 11, NULL, 'd') ON CONFLICT (a) WHERE deleted_at IS NULL AND id > 0 DO NOTHING;
INSERT INTO puq VALUES (9, 12, NULL, 'd') ON CONFLICT (id) DO NOTHING;
INSERT INTO puq VALUES (10, 12, NULL, 'e') ON CONFLICT (a) WHERE deleted_at IS NULL DO NOTHING;
INSERT INTO puq VALUES (11, 12, NULL, 'f') ON CONFLICT (a) WHERE deleted_at IS NULL DO NOTHING RETURNING *;
SELECT * FROM puq ORDER BY id;
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'puq';
SELECT pg_get_indexdef('puq_a_live'::regclass);
SELECT indisunique, pg_get_expr(indpred, indrelid) FROM pg_index WHERE indexrelid = 'puq_a_live'::regclass;
\d puq
-- a CREATE over existing duplicates among the matching rows
CREATE UNIQUE INDEX puq_note ON puq (note) WHERE id > 100;
INSERT INTO puq VALUES (12, 12, NULL, 'x');
CREATE UNIQUE INDEX puq_a_dup ON puq (a) WHERE note <> 'zzz';
-- several columns, NULLs never conflict
CREATE TABLE puq2 (a int, b int, live bool);
CREATE UNIQUE INDEX puq2_ab ON puq2 (a, b) WHERE live;
INSERT INTO puq2 VALUES (1, NULL, true), (1, NULL, true), (1, 2, true), (1, 2, false);
INSERT INTO puq2 VALUES (1, 2, true);
SELECT * FROM puq2 ORDER BY a, b, live;
-- in a transaction with savepoints
BEGIN;
INSERT INTO puq2 VALUES (5, 5, true);
SAVEPOINT s;
INSERT INTO puq2 VALUES (5, 5, true);
ROLLBACK TO s;
UPDATE puq2 SET live = false WHERE a = 5;
INSERT INTO puq2 VALUES (5, 5, true);
COMMIT;
SELECT * FROM puq2 WHERE a = 5 ORDER BY live;
EXPLAIN (COSTS OFF) SELECT * FROM puq WHERE a = 10 AND deleted_at IS NULL;
DROP TABLE puq, puq2;
CREATE TABLE prq (id int PRIMARY KEY, email text, status text, n int);
CREATE UNIQUE INDEX prq_email_active ON prq (lower(email)) WHERE status = 'active';
CREATE UNIQUE INDEX prq_n ON prq (n) WHERE n > 0 AND status <> 'x';
INSERT INTO prq VALUES (1, 'A@x', 'active', 1), (2, 'a@X', 'gone', 1), (3, 'b@x', 'active', -1), (4, 'c', 'x', 1);
INSERT INTO prq VALUES (5, 'a@x', 'active', 7);
INSERT INTO prq VALUES (6, 'z', 'y', 1);
INSERT INTO prq VALUES (7, 'z', 'y', -1);
INSERT INTO prq VALUES (8, 'a@x', 'pending', 9) ON CONFLICT (lower(email)) WHERE status = 'active' DO UPDATE SET n = 100;
INSERT INTO prq VALUES (9, 'a@x', 'active', 10) ON CONFLICT (lower(email)) WHERE status = 'active' DO UPDATE SET n = 100;
INSERT INTO prq VALUES (10, 'q', 'active', 1) ON CONFLICT DO NOTHING;
INSERT INTO prq VALUES (11, 'q', 'active', 1) ON CONFLICT (n) WHERE n > 0 DO NOTHING;
INSERT INTO prq VALUES (11, 'q', 'active', 1) ON CONFLICT (n) WHERE status <> 'x' AND n > 0 DO NOTHING;
SELECT * FROM prq ORDER BY id;
ALTER TABLE prq DROP COLUMN id;
\d prq
INSERT INTO prq VALUES ('A@X', 'active', 50);
SELECT * FROM prq WHERE lower(email) = 'a@x' ORDER BY n;
ALTER TABLE prq DROP COLUMN status;
\d prq
DROP TABLE prq;
CREATE TABLE peq (a int, t timestamptz);
CREATE UNIQUE INDEX ON peq (a) WHERE t < now();
CREATE UNIQUE INDEX ON peq (a) WHERE a > 0;
\d peq
SELECT indexrelid::regclass, indisunique, indpred IS NOT NULL FROM pg_index WHERE indrelid = 'peq'::regclass;
DROP TABLE peq;
