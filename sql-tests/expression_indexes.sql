-- B-tree indexes on expressions: creation and its refusals, catalog text as PostgreSQL's,
-- uniqueness on an expression (INSERT, UPDATE, ON CONFLICT arbiters), the statistics
-- ANALYZE gathers for an expression index's column, and the Index Scan they make cheaper.
CREATE TABLE ei_users (id int PRIMARY KEY, email text, n int, s text);
CREATE UNIQUE INDEX ON ei_users (lower(email));
CREATE INDEX ON ei_users ((n + 1));
CREATE INDEX ON ei_users (lower(s)) WHERE n > 0;
CREATE INDEX ON ei_users ((s || 'x'));
CREATE INDEX ON ei_users ((n * 2 + 1));
CREATE INDEX ON ei_users (abs(n));
CREATE INDEX ON ei_users (now());
CREATE INDEX ON ei_users ((random() + n));
SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ei_users' ORDER BY indexname;
SELECT c.relname, i.indkey, i.indexprs IS NOT NULL AS e, pg_get_indexdef(i.indexrelid, 1, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'ei_users'::regclass ORDER BY 1;
SELECT attname, atttypid::regtype FROM pg_attribute WHERE attrelid = 'ei_users_lower_idx'::regclass;
\d ei_users_lower_idx
INSERT INTO ei_users VALUES (1, 'A@x.com', 1, 'a'), (2, 'b@x.com', 2, 'b');
INSERT INTO ei_users VALUES (3, 'a@X.com', 3, 'c');
UPDATE ei_users SET email = 'B@X.COM' WHERE id = 1;
INSERT INTO ei_users VALUES (3, 'a@X.com', 3, 'c') ON CONFLICT ((lower(email))) DO NOTHING;
INSERT INTO ei_users VALUES (4, 'B@x.com', 4, 'd') ON CONFLICT ((lower(email))) DO UPDATE SET n = ei_users.n + 10 RETURNING *;
INSERT INTO ei_users VALUES (5, 'B@x.com', 4, 'd') ON CONFLICT (email) DO NOTHING;
INSERT INTO ei_users VALUES (5, NULL, 4, 'd'), (6, NULL, 5, 'e');
SELECT * FROM ei_users ORDER BY id;
SELECT id FROM ei_users WHERE lower(email) = 'b@x.com';
CREATE UNIQUE INDEX ei_dup ON ei_users ((n % 2));
DROP INDEX ei_users_lower_idx;
INSERT INTO ei_users VALUES (7, 'A@X.COM', 7, 'f');
DROP TABLE ei_users;
-- statistics of an expression index's column, and the plan they choose
CREATE TABLE ei_big (id int PRIMARY KEY, s text, n int);
INSERT INTO ei_big SELECT g, 'S' || g, g % 1000 FROM generate_series(1, 5000) g;
CREATE INDEX ei_big_lower ON ei_big (lower(s));
CREATE INDEX ei_big_n1 ON ei_big ((n + 1));
ANALYZE ei_big;
SELECT tablename, attname, null_frac, n_distinct, avg_width FROM pg_stats WHERE tablename IN ('ei_big_lower', 'ei_big_n1') ORDER BY 1, 2;
EXPLAIN SELECT * FROM ei_big WHERE lower(s) = 's3';
EXPLAIN SELECT count(*) FROM ei_big WHERE lower(s) = 's3';
EXPLAIN SELECT * FROM ei_big WHERE 's3' = lower(s) AND id > 0;
EXPLAIN SELECT * FROM ei_big WHERE upper(s) = 'S3';
-- LIKE over the expression's statistics (not through the index: the database's collation is not C)
EXPLAIN SELECT * FROM ei_big WHERE lower(s) LIKE 's3%';
-- several rows: a Bitmap Heap Scan over the expression index, as PostgreSQL prices it
EXPLAIN SELECT * FROM ei_big WHERE n + 1 = 5;
-- a range on the expression (estimates differ: PostgreSQL reads the index's actual extremes)
EXPLAIN (COSTS OFF) SELECT * FROM ei_big WHERE (n + 1) BETWEEN 5 AND 7;
SELECT id FROM ei_big WHERE (n + 1) BETWEEN 5 AND 7 ORDER BY id;
SELECT id FROM ei_big WHERE (n + 1) > 998 AND id < 2500 ORDER BY id;
SELECT * FROM ei_big WHERE lower(s) = 's3';
SELECT * FROM ei_big WHERE 's4999' = lower(s);
SELECT count(*) FROM ei_big WHERE n + 1 = 5;
INSERT INTO ei_big VALUES (6000, 'NEW', 1);
SELECT id FROM ei_big WHERE lower(s) = 'new';
-- ORDER BY the expression with a LIMIT: the index's order, forward and backward, NULL keys where a btree has them
EXPLAIN (COSTS OFF) SELECT * FROM ei_big ORDER BY lower(s) LIMIT 10;
EXPLAIN (COSTS OFF) SELECT * FROM ei_big ORDER BY lower(s) DESC LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM ei_big WHERE n < 5 ORDER BY lower(s) LIMIT 3;
INSERT INTO ei_big VALUES (7000, NULL, 1), (7001, 'S0', 1);
DELETE FROM ei_big WHERE id = 1;
SELECT id, s FROM ei_big ORDER BY lower(s) LIMIT 5;
SELECT id, s FROM ei_big ORDER BY lower(s) DESC LIMIT 3;
SELECT id, s FROM ei_big WHERE n < 5 ORDER BY lower(s) LIMIT 4;
BEGIN;
INSERT INTO ei_big VALUES (7002, 'S', 2);
UPDATE ei_big SET s = 'S00' WHERE id = 2;
SELECT id, s FROM ei_big ORDER BY lower(s) LIMIT 5;
ROLLBACK;
SELECT id, s FROM ei_big ORDER BY lower(s) LIMIT 3 OFFSET 1;
DROP TABLE ei_big;
-- the index follows a renamed column, REINDEX, ALTER INDEX RENAME, rolled-back DDL and COPY
CREATE TABLE ei_e (id int PRIMARY KEY, email text, n int);
CREATE UNIQUE INDEX ei_e_lower ON ei_e (lower(email));
INSERT INTO ei_e VALUES (1, 'A@x', 1), (2, 'B@x', 2);
ALTER TABLE ei_e RENAME COLUMN email TO mail;
SELECT indexdef FROM pg_indexes WHERE indexname = 'ei_e_lower';
INSERT INTO ei_e VALUES (3, 'a@X', 3);
REINDEX INDEX ei_e_lower;
REINDEX TABLE ei_e;
INSERT INTO ei_e VALUES (3, 'b@X', 3);
ALTER INDEX ei_e_lower RENAME TO ei_e_lower2;
INSERT INTO ei_e VALUES (3, 'b@X', 3);
BEGIN;
DROP INDEX ei_e_lower2;
ROLLBACK;
INSERT INTO ei_e VALUES (3, 'b@X', 3);
BEGIN;
CREATE UNIQUE INDEX ei_e_n ON ei_e ((n * 0));
ROLLBACK;
INSERT INTO ei_e VALUES (3, 'c@X', 3);
COPY ei_e FROM STDIN;
4	C@x	4
\.
ALTER TABLE ei_e DROP COLUMN mail;
INSERT INTO ei_e VALUES (5, 5);
SELECT * FROM ei_e ORDER BY id;
DROP TABLE ei_e;
-- a unique index on a partitioned table must hold the partition key's columns: an expression never does
CREATE TABLE ei_p (id int, email text) PARTITION BY RANGE (id);
CREATE UNIQUE INDEX ON ei_p (lower(email));
DROP TABLE ei_p;
-- a varchar column under a text function: the implicit cast is part of the key's text
CREATE TABLE ei_v (id int, label varchar(20), c char(3));
CREATE UNIQUE INDEX ei_v_l ON ei_v (lower(label));
CREATE INDEX ei_v_c ON ei_v (upper(c));
CREATE INDEX ei_v_x ON ei_v ((label || 'x'));
CREATE UNIQUE INDEX ei_v_n ON ei_v ((id * 2 + 1));
SELECT indexdef, pg_get_indexdef(indexname::regclass, 1, true) FROM pg_indexes WHERE tablename = 'ei_v' ORDER BY 1;
INSERT INTO ei_v VALUES (1, 'A', 'b'), (2, 'a', 'c');
INSERT INTO ei_v VALUES (1, 'A', 'b'), (1, 'b', 'c');
INSERT INTO ei_v VALUES (1, 'A', 'b') ON CONFLICT ((lower(label))) DO UPDATE SET c = 'z';
SELECT * FROM ei_v WHERE lower(label) = 'a';
DROP TABLE ei_v;
-- psql's \d lists expression indexes (a partial one's WHERE in pretty form)
CREATE TABLE ei_d (id int PRIMARY KEY, email text, n int);
CREATE UNIQUE INDEX ON ei_d (lower(email));
CREATE INDEX ON ei_d ((n * 2 + 1));
CREATE INDEX ON ei_d (upper(email)) WHERE n > 0;
\d ei_d
DROP TABLE ei_d;
