-- transactions: BEGIN / COMMIT / ROLLBACK, aborted state, savepoint-free error handling
\set QUIET off
CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL);
INSERT INTO acct VALUES (1, 100), (2, 50);
-- committed work is kept
BEGIN;
UPDATE acct SET balance = balance - 10 WHERE id = 1;
UPDATE acct SET balance = balance + 10 WHERE id = 2;
SELECT * FROM acct ORDER BY id;
COMMIT;
SELECT * FROM acct ORDER BY id;
-- rolled-back work is gone
BEGIN;
INSERT INTO acct VALUES (3, 0);
UPDATE acct SET balance = 0;
DELETE FROM acct WHERE id = 1;
SELECT * FROM acct ORDER BY id;
ROLLBACK;
SELECT * FROM acct ORDER BY id;
-- START TRANSACTION / END, BEGIN WORK / COMMIT WORK, ABORT
START TRANSACTION;
INSERT INTO acct VALUES (3, 30);
END;
BEGIN WORK;
INSERT INTO acct VALUES (4, 40);
COMMIT WORK;
BEGIN TRANSACTION;
INSERT INTO acct VALUES (5, 50);
ABORT;
SELECT * FROM acct ORDER BY id;
-- an error aborts the transaction: later statements fail with 25P02 until ROLLBACK
BEGIN;
INSERT INTO acct VALUES (6, 60);
INSERT INTO acct VALUES (1, 0);
SELECT * FROM acct;
INSERT INTO acct VALUES (7, 70);
COMMIT;
SELECT * FROM acct ORDER BY id;
BEGIN;
SELECT 1 / 0;
SELECT 1;
ROLLBACK;
SELECT 1;
-- ROLLBACK in the aborted state clears it
BEGIN;
SELECT nosuch FROM acct;
ROLLBACK;
-- errors found while parsing or binding abort the transaction too
BEGIN;
SELECT * FROM no_such_table;
SELECT 1;
ROLLBACK;
BEGIN;
SELEC 1;
SELECT 1;
ROLLBACK;
BEGIN;
INSERT INTO acct VALUES ('x', 1);
INSERT INTO acct VALUES (9, 9);
COMMIT;
SELECT count(*) FROM acct;
-- transaction control outside a transaction block
COMMIT;
ROLLBACK;
-- nested BEGIN is a warning
BEGIN;
BEGIN;
INSERT INTO acct VALUES (8, 80);
COMMIT;
SELECT * FROM acct WHERE id = 8;
-- DDL inside a transaction
BEGIN;
CREATE TABLE tx_tmp (x int);
INSERT INTO tx_tmp VALUES (1);
SELECT * FROM tx_tmp;
ROLLBACK;
SELECT * FROM tx_tmp;
BEGIN;
CREATE TABLE tx_tmp (x int);
INSERT INTO tx_tmp VALUES (2);
COMMIT;
SELECT * FROM tx_tmp;
BEGIN;
DROP TABLE tx_tmp;
ROLLBACK;
SELECT * FROM tx_tmp;
DROP TABLE tx_tmp;
-- a statement that fails outside a transaction block changes nothing
UPDATE acct SET balance = balance / (id - 2);
SELECT * FROM acct ORDER BY id;
-- isolation level and read-only transactions
BEGIN ISOLATION LEVEL READ COMMITTED;
SHOW transaction_isolation;
COMMIT;
BEGIN READ ONLY;
SELECT count(*) FROM acct;
INSERT INTO acct VALUES (9, 90);
ROLLBACK;
BEGIN READ ONLY;
COPY acct TO stdout;
COPY acct FROM stdin;
\.
ROLLBACK;
BEGIN READ ONLY;
COPY no_such_table FROM stdin;
\.
ROLLBACK;
SELECT count(*) FROM acct;
DROP TABLE acct;
\set QUIET on
