-- A multi-statement Query (psql's \; sends one) runs in PostgreSQL's implicit transaction
-- block: an error rolls back the statements before it, the whole commits at its end.
CREATE TABLE ib_sql_t (a int);
CREATE TABLE ib_sql_zero (z int);
INSERT INTO ib_sql_zero VALUES (0);
INSERT INTO ib_sql_t VALUES (1) \; INSERT INTO ib_sql_t VALUES (2) \; SELECT 1/z FROM ib_sql_zero;
SELECT * FROM ib_sql_t ORDER BY a;
INSERT INTO ib_sql_t VALUES (1) \; INSERT INTO ib_sql_t VALUES (2);
SELECT * FROM ib_sql_t ORDER BY a;
-- DDL goes with it
CREATE TABLE ib_sql_new (b int) \; INSERT INTO ib_sql_new VALUES (1) \; SELECT 1/z FROM ib_sql_zero;
SELECT * FROM ib_sql_new;
-- COMMIT / ROLLBACK in the string end the implicit block, with a warning
INSERT INTO ib_sql_t VALUES (3) \; COMMIT \; INSERT INTO ib_sql_t VALUES (4) \; SELECT 1/z FROM ib_sql_zero;
INSERT INTO ib_sql_t VALUES (5) \; ROLLBACK \; INSERT INTO ib_sql_t VALUES (6);
SELECT * FROM ib_sql_t ORDER BY a;
-- BEGIN takes it over
INSERT INTO ib_sql_t VALUES (7) \; BEGIN \; INSERT INTO ib_sql_t VALUES (8);
ROLLBACK;
SELECT * FROM ib_sql_t ORDER BY a;
-- not in a block: SAVEPOINT, VACUUM, CREATE DATABASE, CREATE INDEX CONCURRENTLY
SELECT 1 \; SAVEPOINT s;
SAVEPOINT s \; SELECT 1;
VACUUM ib_sql_t \; SELECT 1;
SELECT 1 \; VACUUM ib_sql_t;
SELECT 1 \; CREATE DATABASE ib_sql_never;
INSERT INTO ib_sql_t VALUES (9) \; CREATE INDEX CONCURRENTLY ON ib_sql_t (a);
SELECT * FROM ib_sql_t ORDER BY a;
-- SET LOCAL lasts to the end of the Query; alone it warns and does nothing
SET LOCAL extra_float_digits = 3 \; SHOW extra_float_digits;
SHOW extra_float_digits;
SET LOCAL extra_float_digits = 3;
SHOW extra_float_digits;
-- a SET before the error is undone
SET extra_float_digits = 2 \; SELECT 1/z FROM ib_sql_zero;
SHOW extra_float_digits;
-- a WITH HOLD cursor of a Query that fails is dropped; of one that commits, kept
INSERT INTO ib_sql_t VALUES (10) \; DECLARE h CURSOR WITH HOLD FOR SELECT a FROM ib_sql_t ORDER BY a \; SELECT 1/z FROM ib_sql_zero;
FETCH h;
DECLARE h CURSOR WITH HOLD FOR SELECT a FROM ib_sql_t ORDER BY a \; SELECT 1;
FETCH h;
CLOSE h;
DROP TABLE ib_sql_t;
DROP TABLE ib_sql_zero;
