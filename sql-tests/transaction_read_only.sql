-- transaction_read_only inside a block: PostgreSQL's check_transaction_read_only (a
-- read-only block may turn read-write only before its first query, never in a subtransaction)
CREATE TABLE txro_t (id int PRIMARY KEY);
BEGIN READ ONLY;
SHOW transaction_read_only;
SET transaction_read_only = off;
SHOW transaction_read_only;
INSERT INTO txro_t VALUES (1);
COMMIT;
BEGIN READ ONLY;
SELECT count(*) FROM txro_t;
SET transaction_read_only = off;
ROLLBACK;
BEGIN READ ONLY;
SELECT 1;
SET TRANSACTION READ WRITE;
ROLLBACK;
BEGIN READ ONLY;
SAVEPOINT s;
SET transaction_read_only = off;
ROLLBACK;
-- and a read-write block turned read-only refuses writes
BEGIN;
SET transaction_read_only = on;
SHOW transaction_read_only;
INSERT INTO txro_t VALUES (2);
ROLLBACK;
BEGIN;
INSERT INTO txro_t VALUES (3);
SET TRANSACTION READ ONLY;
INSERT INTO txro_t VALUES (4);
ROLLBACK;
-- a block that may still turn read-write: SET and SHOW take no snapshot
SET default_transaction_read_only = on;
BEGIN;
SHOW transaction_read_only;
SET LOCAL work_mem = '8MB';
SET TRANSACTION READ WRITE;
INSERT INTO txro_t VALUES (5);
COMMIT;
RESET default_transaction_read_only;
-- outside a block: each statement's transaction follows default_transaction_read_only
SET default_transaction_read_only = on;
SHOW transaction_read_only;
SELECT count(*) FROM txro_t;
INSERT INTO txro_t VALUES (6);
UPDATE txro_t SET id = 7;
CREATE TABLE txro_u (x int);
CREATE SEQUENCE txro_s;
SET default_transaction_read_only = off;
SHOW transaction_read_only;
INSERT INTO txro_t VALUES (6);
SELECT id FROM txro_t ORDER BY id;
DROP TABLE txro_t;
