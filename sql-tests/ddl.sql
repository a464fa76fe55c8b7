-- CREATE / DROP TABLE, constraints and their violations
CREATE TABLE t1 (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0, code text UNIQUE);
CREATE TABLE t1 (x int);
CREATE TABLE IF NOT EXISTS t1 (x int);
INSERT INTO t1 (id, name) VALUES (1, 'one');
SELECT * FROM t1;
INSERT INTO t1 (id, name, qty, code) VALUES (2, 'two', 5, 'B');
-- primary key violation
INSERT INTO t1 (id, name) VALUES (1, 'uno');
-- primary key columns are NOT NULL
INSERT INTO t1 (id, name) VALUES (NULL, 'none');
-- NOT NULL violation
INSERT INTO t1 (id, name) VALUES (3, NULL);
INSERT INTO t1 (id) VALUES (3);
-- UNIQUE violation (NULLs do not conflict)
INSERT INTO t1 (id, name, code) VALUES (3, 'three', 'B');
INSERT INTO t1 (id, name, code) VALUES (3, 'three', NULL), (4, 'four', NULL);
-- DEFAULT keyword and explicit NULL over a default
INSERT INTO t1 VALUES (5, 'five', DEFAULT, 'E');
INSERT INTO t1 VALUES (6, 'six', NULL, 'F');
SELECT * FROM t1 ORDER BY id;
-- violations in UPDATE
UPDATE t1 SET id = 2 WHERE id = 1;
UPDATE t1 SET name = NULL WHERE id = 1;
UPDATE t1 SET code = 'B' WHERE id = 1;
SELECT * FROM t1 ORDER BY id;
-- a failing multi-row insert inserts nothing
INSERT INTO t1 (id, name) VALUES (10, 'ten'), (11, 'eleven'), (1, 'dup');
SELECT count(*) FROM t1 WHERE id >= 10;
-- DROP TABLE
DROP TABLE t1;
SELECT * FROM t1;
DROP TABLE t1;
DROP TABLE IF EXISTS t1;
-- composite primary key
CREATE TABLE t2 (a int, b text, c float8 DEFAULT 1.5, PRIMARY KEY (a, b));
INSERT INTO t2 (a, b) VALUES (1, 'x'), (1, 'y'), (2, 'x');
INSERT INTO t2 (a, b) VALUES (1, 'x');
INSERT INTO t2 (a, b) VALUES (1, NULL);
SELECT * FROM t2 ORDER BY a, b;
-- table-level UNIQUE and column DEFAULT expressions
CREATE TABLE t3 (id bigserial PRIMARY KEY, a int, b int, label text DEFAULT 'none', created date DEFAULT '2024-01-01', UNIQUE (a, b));
INSERT INTO t3 (a, b) VALUES (1, 1), (1, 2), (2, 1);
INSERT INTO t3 (a, b) VALUES (1, 2);
INSERT INTO t3 (a, b, label) VALUES (NULL, 2, 'n1'), (NULL, 2, 'n2');
SELECT * FROM t3 ORDER BY id;
-- serial columns
CREATE TABLE t4 (id serial PRIMARY KEY, v text);
INSERT INTO t4 (v) VALUES ('a'), ('b');
INSERT INTO t4 (id, v) VALUES (10, 'c');
INSERT INTO t4 (v) VALUES ('d');
SELECT * FROM t4 ORDER BY id;
-- named constraints
CREATE TABLE t5 (id int CONSTRAINT t5_pk PRIMARY KEY, email text CONSTRAINT t5_email_key UNIQUE NOT NULL);
INSERT INTO t5 VALUES (1, 'a@example.com');
INSERT INTO t5 VALUES (1, 'b@example.com');
INSERT INTO t5 VALUES (2, 'a@example.com');
INSERT INTO t5 VALUES (3, NULL);
-- errors in CREATE TABLE
CREATE TABLE t6 (id int PRIMARY KEY, id2 int PRIMARY KEY);
CREATE TABLE t6 (a int, a text);
CREATE TABLE t6 (a nosuchtype);
CREATE TABLE t6 (a int, PRIMARY KEY (b));
-- column names and types are kept
CREATE TABLE t6 ("Mixed Case" int, "select" text, plain VARCHAR(10), n NUMERIC(6,2), v vector(2));
INSERT INTO t6 VALUES (1, 'kw', 'p', 1234.567, '[1,2]');
SELECT * FROM t6;
SELECT "Mixed Case", "select" FROM t6;
-- several tables in one DROP
DROP TABLE t2, t3;
DROP TABLE IF EXISTS t4, nosuch;
DROP TABLE t5, nosuch;
DROP TABLE t5, t6;
DROP TABLE IF EXISTS t1, t2, t3, t4, t5, t6;
