-- Two-phase commit: PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED, pg_prepared_xacts.
-- Needs max_prepared_transactions > 0 (PostgreSQL's default is 0): test/sql-tests.test.ts starts
-- Quiver with --max-prepared-transactions 10, and the expected output comes from a scratch
-- PostgreSQL with the same setting:
--   bash /work/shared/peers/pgvector/start-scratch.sh /tmp/pg2pc 55491
--   psql -h 127.0.0.1 -p 55491 -U postgres -c 'ALTER SYSTEM SET max_prepared_transactions = 10'
--   (restart it with pg_ctl restart), then
--   START_SCRATCH=/tmp/noop.sh PGREF_DIR=/tmp/pg2pc PGREF_PORT=55491 bash scripts/sql-tests-expected.sh two_phase_commit
SHOW max_prepared_transactions;
CREATE TABLE tpc_t (id int PRIMARY KEY, v text);
INSERT INTO tpc_t VALUES (1, 'a'), (2, 'b');
-- outside a block: a warning, and nothing prepared
PREPARE TRANSACTION 'tpc_outside';
SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'tpc_outside';
COMMIT PREPARED 'tpc_nope';
ROLLBACK PREPARED 'tpc_nope';
-- prepared: not visible until COMMIT PREPARED
BEGIN;
INSERT INTO tpc_t VALUES (3, 'c');
DELETE FROM tpc_t WHERE id = 1;
UPDATE tpc_t SET v = 'B' WHERE id = 2;
PREPARE TRANSACTION 'tpc_1';
SELECT * FROM tpc_t ORDER BY id;
SELECT gid, owner, database = current_database() AS here, prepared <= now() AS past, transaction IS NOT NULL AS has_xid
  FROM pg_prepared_xacts ORDER BY gid;
-- the identifier is taken: the new transaction is rolled back
BEGIN;
INSERT INTO tpc_t VALUES (4, 'd');
PREPARE TRANSACTION 'tpc_1';
SELECT * FROM tpc_t ORDER BY id;
-- not inside a block
BEGIN;
COMMIT PREPARED 'tpc_1';
ROLLBACK;
BEGIN;
ROLLBACK PREPARED 'tpc_1';
ROLLBACK;
COMMIT PREPARED 'tpc_1';
SELECT * FROM tpc_t ORDER BY id;
COMMIT PREPARED 'tpc_1';
SELECT count(*) FROM pg_prepared_xacts;
-- ROLLBACK PREPARED discards the writes
BEGIN;
INSERT INTO tpc_t VALUES (5, 'e');
DELETE FROM tpc_t WHERE id = 3;
PREPARE TRANSACTION 'tpc_2';
ROLLBACK PREPARED 'tpc_2';
SELECT * FROM tpc_t ORDER BY id;
INSERT INTO tpc_t VALUES (5, 'e2');
-- savepoints: what was rolled back to is not prepared
BEGIN;
INSERT INTO tpc_t VALUES (6, 'f');
SAVEPOINT s1;
INSERT INTO tpc_t VALUES (7, 'g');
ROLLBACK TO SAVEPOINT s1;
PREPARE TRANSACTION 'tpc_3';
COMMIT PREPARED 'tpc_3';
SELECT * FROM tpc_t ORDER BY id;
-- a failed block: PREPARE rolls it back
BEGIN;
INSERT INTO tpc_t VALUES (8, 'h');
SELECT 1/0;
PREPARE TRANSACTION 'tpc_4';
SELECT count(*) FROM pg_prepared_xacts;
SELECT * FROM tpc_t WHERE id = 8;
-- a unique violation fails the block: PREPARE rolls it back
BEGIN;
INSERT INTO tpc_t VALUES (2, 'dup');
PREPARE TRANSACTION 'tpc_5';
-- read-only and empty transactions prepare too
BEGIN READ ONLY;
SELECT count(*) FROM tpc_t;
PREPARE TRANSACTION 'tpc_6';
BEGIN;
PREPARE TRANSACTION 'tpc_7';
SELECT gid FROM pg_prepared_xacts ORDER BY gid;
ROLLBACK PREPARED 'tpc_6';
COMMIT PREPARED 'tpc_7';
-- identifiers: at most 199 bytes
BEGIN;
PREPARE TRANSACTION 'tpc_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
BEGIN;
PREPARE TRANSACTION 'tpc_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
SELECT length(gid) FROM pg_prepared_xacts;
ROLLBACK PREPARED 'tpc_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
-- what cannot be prepared
BEGIN;
CREATE TEMP TABLE tpc_temp (a int);
PREPARE TRANSACTION 'tpc_8';
CREATE TEMP TABLE tpc_temp2 (a int);
BEGIN;
SELECT count(*) FROM tpc_temp2;
PREPARE TRANSACTION 'tpc_8b';
DROP TABLE tpc_temp2;
BEGIN;
LISTEN tpc_channel;
PREPARE TRANSACTION 'tpc_9';
BEGIN;
NOTIFY tpc_channel;
PREPARE TRANSACTION 'tpc_10';
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_export_snapshot() IS NOT NULL AS exported;
PREPARE TRANSACTION 'tpc_11';
BEGIN;
DECLARE tpc_cur CURSOR WITH HOLD FOR SELECT 1;
PREPARE TRANSACTION 'tpc_14';
SELECT name FROM pg_cursors;
SELECT count(*) FROM pg_prepared_xacts;
-- only the owner (or a superuser) finishes it
CREATE ROLE tpc_role;
GRANT ALL ON tpc_t TO tpc_role;
BEGIN;
INSERT INTO tpc_t VALUES (9, 'i');
PREPARE TRANSACTION 'tpc_12';
SET ROLE tpc_role;
COMMIT PREPARED 'tpc_12';
BEGIN;
INSERT INTO tpc_t VALUES (10, 'j');
PREPARE TRANSACTION 'tpc_13';
SELECT gid, owner FROM pg_prepared_xacts ORDER BY gid;
COMMIT PREPARED 'tpc_13';
RESET ROLE;
COMMIT PREPARED 'tpc_12';
SELECT * FROM tpc_t ORDER BY id;
REVOKE ALL ON tpc_t FROM tpc_role;
DROP ROLE tpc_role;
SELECT count(*) FROM pg_prepared_xacts;
DROP TABLE tpc_t;
