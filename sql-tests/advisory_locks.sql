-- Advisory locks in one session (between sessions: test/advisory-locks.test.ts), LOCK TABLE's
-- checks and date_bin.
SELECT pg_advisory_lock(1), pg_advisory_lock(1), pg_try_advisory_lock(1, 2), pg_advisory_lock_shared(3);
SELECT locktype, classid, objid, objsubid, mode, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY objsubid, objid, mode;
SELECT pg_advisory_unlock(1), pg_advisory_unlock(1), pg_advisory_unlock(1);
SELECT pg_advisory_unlock_shared(1);
SELECT pg_advisory_unlock(3);
SELECT pg_advisory_unlock_shared(3), pg_advisory_unlock(1, 2);
SELECT pg_try_advisory_lock(-1), pg_try_advisory_lock(9223372036854775807), pg_try_advisory_lock(-5, -6);
SELECT classid, objid, objsubid FROM pg_locks WHERE locktype = 'advisory' ORDER BY objsubid, classid, objid;
SELECT pg_advisory_unlock_all();
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';
BEGIN;
SELECT pg_advisory_xact_lock(10), pg_try_advisory_xact_lock(11), pg_advisory_xact_lock_shared(12), pg_try_advisory_xact_lock_shared(13);
SELECT objid, mode FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid;
-- transaction-level locks are not released by unlock
SELECT pg_advisory_unlock(10);
COMMIT;
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';
SELECT pg_advisory_xact_lock(20);
SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';
SELECT pg_advisory_lock(NULL);
SELECT pg_advisory_lock('x');
-- LOCK TABLE
CREATE TABLE lock_t (a int);
LOCK TABLE lock_t;
BEGIN;
LOCK TABLE lock_t IN SHARE MODE;
LOCK lock_t;
LOCK TABLE lock_t IN ACCESS EXCLUSIVE MODE NOWAIT;
COMMIT;
BEGIN;
LOCK TABLE lock_t, lock_missing;
ROLLBACK;
DROP TABLE lock_t;
-- date_bin
SELECT date_bin('15 minutes', timestamp '2020-02-11 15:44:17', timestamp '2001-01-01');
SELECT date_bin('15 minutes', timestamp '2020-02-11 15:44:17', timestamp '2001-01-01 00:02:30');
SELECT date_bin('15 minutes', timestamp '2020-01-01 00:00', timestamp '2020-01-01 00:30');
SELECT date_bin('15 minutes', timestamp '2020-01-01 00:05', timestamp '2020-01-01 00:30');
SELECT date_bin('1 day 2 hours', timestamptz '2020-01-05 03:00+00', timestamptz '2020-01-01 00:00+00');
SELECT date_bin('1 microsecond', timestamp '2020-01-01 00:00:00.123456', timestamp '2001-01-01 00:00:00.5');
SELECT date_bin('5 minutes', timestamp 'infinity', timestamp '2001-01-01');
SELECT date_bin('1 month', timestamp '2020-01-01', timestamp '2001-01-01');
SELECT date_bin('0 minutes', timestamp '2020-01-01', timestamp '2001-01-01');
SELECT date_bin('5 minutes', timestamp '2020-01-01', timestamp 'infinity');
