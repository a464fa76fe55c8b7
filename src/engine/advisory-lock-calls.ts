/**
 * The pg_advisory_lock family as a session calls it (advisory-locks.ts keeps the table):
 * the key from the arguments, a wait that does not hold the thread (the function asks the
 * operator to wait — AwaitBeforeEvaluating — and is evaluated again once the lock is granted),
 * lock_timeout (55P03), and the waits and transaction-level locks a statement or transaction
 * leaves behind.
 */
import { SqlError, SqlState } from '../errors.js';
import type { EvalContext } from '../functions/api.js';
import { AwaitBeforeEvaluating } from '../functions/await-before-evaluating.js';
import type { Value } from '../types/types.js';
import { keyText, type AdvisoryKey, type AdvisoryLevel, type AdvisoryLocks, type AdvisoryMode, type AdvisoryWait } from './advisory-locks.js';

/** what the calls need of the session */
export interface AdvisoryCaller {
  readonly pid: number;
  readonly databaseName: string;
  readonly advisoryLockTable: AdvisoryLocks;
  lockTimeoutMs(): number;
  deadlockTimeoutMs(): number;
  databaseOid(name: string): number;
  warn(message: string): void;
  /** pg_stat_activity: waiting for an advisory lock (Lock / advisory) */
  waitingForAdvisoryLock(waiting: boolean): void;
  /** the wait begun by one evaluation, read by the next (one at a time: a session runs one statement) */
  advisoryWait: PendingAdvisoryWait | undefined;
}

export interface PendingAdvisoryWait {
  readonly ctx: EvalContext;
  readonly keyText: string;
  readonly wait: AdvisoryWait;
  timer: NodeJS.Timeout | undefined;
  deadlockTimer: NodeJS.Timeout | undefined;
  timedOut: boolean;
  deadlock: SqlError | undefined;
}

/** the lock's key from one bigint or two int4 arguments (PostgreSQL's SET_LOCKTAG_INT64 / _INT32) */
export function advisoryKey(database: string, args: readonly Value[]): AdvisoryKey {
  if (args.length === 1) {
    const k = BigInt.asUintN(64, BigInt(args[0] as bigint | number));
    return { database, classid: Number(k >> 32n), objid: Number(k & 0xffffffffn), objsubid: 1 };
  }
  return { database, classid: (args[0] as number) >>> 0, objid: (args[1] as number) >>> 0, objsubid: 2 };
}

/** pg_[try_]advisory_[xact_]lock[_shared]: true once held; false for a try that would wait */
export function advisoryLock(caller: AdvisoryCaller, fn: string, key: AdvisoryKey, mode: AdvisoryMode, level: AdvisoryLevel, wait: boolean, ctx: EvalContext): boolean {
  const pending = caller.advisoryWait;
  if (pending && pending.ctx === ctx && pending.keyText === keyText(key)) {
    endWait(caller);
    if (pending.wait.isGranted()) return true;
    pending.wait.abandon();
    if (pending.deadlock) throw pending.deadlock;
    if (pending.timedOut) throw new SqlError(SqlState.lockNotAvailable, 'canceling statement due to lock timeout');
  }
  const table = caller.advisoryLockTable;
  if (table.tryAcquire(key, caller.pid, mode, level)) return true;
  if (!wait) return false;
  const w = table.wait(key, caller.pid, mode, level);
  const timeout = caller.lockTimeoutMs();
  const next: PendingAdvisoryWait = { ctx, keyText: keyText(key), wait: w, timer: undefined, deadlockTimer: undefined, timedOut: false, deadlock: undefined };
  const work = new Promise<void>((resolve) => {
    void w.granted.then(resolve);
    if (timeout > 0) next.timer = setTimeout(() => { next.timedOut = true; resolve(); }, timeout);
    // PostgreSQL looks for a deadlock once, deadlock_timeout after the wait began
    next.deadlockTimer = setTimeout(() => {
      next.deadlock = w.deadlock((d) => caller.databaseOid(d));
      if (next.deadlock) resolve();
    }, Math.max(1, caller.deadlockTimeoutMs()));
  });
  caller.advisoryWait = next;
  caller.waitingForAdvisoryLock(true);
  throw new AwaitBeforeEvaluating(work, `${fn}()`, 'Call it in a SELECT list, or use the pg_try_ form, which does not wait.');
}

/** pg_advisory_unlock[_shared]: false (and PostgreSQL's WARNING) when the session held no such lock */
export function advisoryUnlock(caller: AdvisoryCaller, key: AdvisoryKey, mode: AdvisoryMode): boolean {
  if (caller.advisoryLockTable.release(key, caller.pid, mode, 'session')) return true;
  caller.warn(`you don't own a lock of type ${mode === 'exclusive' ? 'ExclusiveLock' : 'ShareLock'}`);
  return false;
}

function endWait(caller: AdvisoryCaller): void {
  clearTimeout(caller.advisoryWait?.timer);
  clearTimeout(caller.advisoryWait?.deadlockTimer);
  caller.advisoryWait = undefined;
  caller.waitingForAdvisoryLock(false);
}

/** the statement ended: a wait it left (cancel, statement_timeout, an error) is given up */
export function advisoryStatementEnded(caller: AdvisoryCaller): void {
  const pending = caller.advisoryWait;
  if (!pending) return;
  endWait(caller);
  pending.wait.abandon();
}
