/**
 * pg_current_wal_lsn() and its kin: Quiver's log has no byte positions, so a pg_lsn is made
 * from storage's commit clock — the timestamp of the newest durable commit, which grows with
 * every acknowledged commit that writes rows and is recovered at start (never goes back across
 * restarts). A commit of DDL alone, or a sequence draw, has no timestamp: it does not move the
 * position (PostgreSQL's does).
 * Each commit counts as COMMIT_BYTES of WAL after BASE, the position a fresh PostgreSQL
 * cluster's WAL starts near, so tools that subtract positions (replication lag, "bytes
 * written since") see a monotonic, plausible count. On a hot standby the position is the
 * newest applied commit: the primary's, once replayed.
 */
import { SqlError, SqlState } from '../errors.js';

const BASE = 0x1000000n;
const COMMIT_BYTES = 0x100n;

/** the pg_lsn of commit timestamp `ts` */
export function lsnOfCommit(ts: number): bigint {
  return BASE + BigInt(Math.max(0, Math.trunc(ts))) * COMMIT_BYTES;
}

/** xlogfuncs.c: the WAL control functions a hot standby refuses */
export function refuseDuringRecovery(): never {
  throw new SqlError(SqlState.objectNotInPrerequisiteState, 'recovery is in progress', { hint: 'WAL control functions cannot be executed during recovery.' });
}
