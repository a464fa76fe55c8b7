/**
 * Advisory locks (pg_advisory_lock and its family), one table for the whole server, as
 * PostgreSQL's lock manager keeps them: per database and key (one bigint, or two int4 — two
 * key spaces, objsubid 1 and 2), in exclusive or shared mode, held at session level (until
 * unlocked or the session ends; re-entrant, counted) or at transaction level (until the
 * transaction ends). A request that conflicts with another session's hold waits in a FIFO
 * queue (a request also waits behind an earlier conflicting waiter unless its session already
 * holds the lock, so waiters do not starve). As in PostgreSQL, a waiter still waiting after
 * deadlock_timeout looks for a cycle of sessions waiting on each other through its wait and,
 * finding one, fails with 40P01 — the first to wait is the one that fails.
 */
import { SqlError, SqlState } from '../errors.js';

export type AdvisoryMode = 'exclusive' | 'shared';
export type AdvisoryLevel = 'session' | 'xact';

/** a lock's identity: database OID and key (PostgreSQL's field1..field4) */
export interface AdvisoryKey {
  readonly database: string;
  /** bigint key: its high and low 32 bits; two-int key: the two ints */
  readonly classid: number;
  readonly objid: number;
  /** 1: one bigint key, 2: two int4 keys */
  readonly objsubid: 1 | 2;
}

interface Hold {
  session: number;
  mode: AdvisoryMode;
  sessionCount: number;
  xactCount: number;
}

interface Waiter {
  readonly session: number;
  readonly mode: AdvisoryMode;
  readonly level: AdvisoryLevel;
  readonly since: number;
  granted: boolean;
  readonly wake: () => void;
}

interface LockState {
  readonly key: AdvisoryKey;
  readonly holds: Hold[];
  readonly queue: Waiter[];
}

/** a row of pg_locks */
export interface AdvisoryLockRow {
  readonly key: AdvisoryKey;
  readonly session: number;
  readonly mode: AdvisoryMode;
  readonly granted: boolean;
  /** µs since the epoch a waiter began waiting */
  readonly waitStart?: number;
}

/** the pending request a blocked session waits on */
export interface AdvisoryWait {
  readonly granted: Promise<void>;
  /** whether the lock was handed over; call `abandon` otherwise */
  isGranted(): boolean;
  /** 40P01 when the sessions now wait on each other in a cycle through this wait (else undefined) */
  deadlock(databaseOid: (name: string) => number): SqlError | undefined;
  /** stop waiting (cancel, timeout): leaves the queue, gives back a lock granted meanwhile */
  abandon(): void;
}

const conflicts = (a: AdvisoryMode, b: AdvisoryMode): boolean => a === 'exclusive' || b === 'exclusive';
const lockName = (m: AdvisoryMode): string => (m === 'exclusive' ? 'ExclusiveLock' : 'ShareLock');
/** the lock table's key for a lock's identity */
export const keyText = (k: AdvisoryKey): string => `${k.database}:${k.classid}:${k.objid}:${k.objsubid}`;

export class AdvisoryLocks {
  private readonly locks = new Map<string, LockState>();
  /** what each waiting session waits for (one request at a time: a session runs one statement) */
  private readonly waiting = new Map<number, { state: LockState; waiter: Waiter }>();

  /** acquire at once if nothing conflicts: true when held */
  tryAcquire(key: AdvisoryKey, session: number, mode: AdvisoryMode, level: AdvisoryLevel): boolean {
    const state = this.state(key);
    if (!this.grantable(state, session, mode, true)) {
      this.dropIfUnused(state);
      return false;
    }
    this.grant(state, session, mode, level);
    return true;
  }

  /** Wait for the lock (after tryAcquire said no); sessions are named by their pids. */
  wait(key: AdvisoryKey, session: number, mode: AdvisoryMode, level: AdvisoryLevel): AdvisoryWait {
    const state = this.state(key);
    let wake!: () => void;
    const granted = new Promise<void>((resolve) => { wake = resolve; });
    const waiter: Waiter = { session, mode, level, since: Date.now() * 1000, granted: false, wake };
    state.queue.push(waiter);
    this.waiting.set(session, { state, waiter });
    return {
      granted,
      isGranted: () => waiter.granted,
      deadlock: (databaseOid) => {
        if (waiter.granted || this.waiting.get(session)?.waiter !== waiter) return undefined;
        const cycle = this.cycleThrough(state, session, mode);
        if (!cycle) return undefined;
        const detail = cycle.map((c) => `Process ${c.session} waits for ${lockName(c.mode)} on advisory lock [${databaseOid(c.key.database)},${c.key.classid},${c.key.objid},${c.key.objsubid}]; blocked by process ${c.blocker}.`).join('\n');
        return new SqlError(SqlState.deadlockDetected, 'deadlock detected', { detail, hint: 'See server log for query details.' });
      },
      abandon: () => {
        if (this.waiting.get(session)?.waiter === waiter) this.waiting.delete(session);
        if (waiter.granted) {
          this.release(state.key, session, mode, level);
          return;
        }
        const i = state.queue.indexOf(waiter);
        if (i >= 0) state.queue.splice(i, 1);
        this.wakeWaiters(state);
      },
    };
  }

  /** pg_advisory_unlock: one session-level hold fewer; false when the session held none */
  release(key: AdvisoryKey, session: number, mode: AdvisoryMode, level: AdvisoryLevel = 'session'): boolean {
    const state = this.locks.get(keyText(key));
    const hold = state?.holds.find((h) => h.session === session && h.mode === mode);
    if (!state || !hold || (level === 'session' ? hold.sessionCount : hold.xactCount) === 0) return false;
    if (level === 'session') hold.sessionCount--;
    else hold.xactCount--;
    this.settle(state, hold);
    return true;
  }

  /** the session's locks of one level end (transaction end: 'xact'; pg_advisory_unlock_all: 'session') */
  releaseAll(session: number, level: AdvisoryLevel): void {
    for (const state of [...this.locks.values()]) {
      for (const hold of state.holds.filter((h) => h.session === session)) {
        if (level === 'session') hold.sessionCount = 0;
        else hold.xactCount = 0;
        this.settle(state, hold);
      }
    }
  }

  /** the session is gone: its locks and its wait end */
  sessionEnded(session: number): void {
    const w = this.waiting.get(session);
    if (w) {
      this.waiting.delete(session);
      const i = w.state.queue.indexOf(w.waiter);
      if (i >= 0) w.state.queue.splice(i, 1);
    }
    this.releaseAll(session, 'xact');
    this.releaseAll(session, 'session');
  }

  /** every hold and wait, for pg_locks */
  rows(): AdvisoryLockRow[] {
    const out: AdvisoryLockRow[] = [];
    for (const s of this.locks.values()) {
      for (const h of s.holds) out.push({ key: s.key, session: h.session, mode: h.mode, granted: true });
      for (const w of s.queue) out.push({ key: s.key, session: w.session, mode: w.mode, granted: false, waitStart: w.since });
    }
    return out;
  }

  private state(key: AdvisoryKey): LockState {
    const k = keyText(key);
    let s = this.locks.get(k);
    if (!s) {
      s = { key, holds: [], queue: [] };
      this.locks.set(k, s);
    }
    return s;
  }

  private dropIfUnused(state: LockState): void {
    if (state.holds.length === 0 && state.queue.length === 0) this.locks.delete(keyText(state.key));
  }

  /** no other session holds a conflicting mode (nor, for a new request, waits for one ahead) */
  private grantable(state: LockState, session: number, mode: AdvisoryMode, newRequest: boolean): boolean {
    if (state.holds.some((h) => h.session !== session && conflicts(h.mode, mode))) return false;
    if (!newRequest || state.holds.some((h) => h.session === session)) return true;
    return !state.queue.some((w) => w.session !== session && conflicts(w.mode, mode));
  }

  private grant(state: LockState, session: number, mode: AdvisoryMode, level: AdvisoryLevel): void {
    let hold = state.holds.find((h) => h.session === session && h.mode === mode);
    if (!hold) {
      hold = { session, mode, sessionCount: 0, xactCount: 0 };
      state.holds.push(hold);
    }
    if (level === 'session') hold.sessionCount++;
    else hold.xactCount++;
  }

  /** a hold at zero goes; waiters that can now have the lock get it, in order */
  private settle(state: LockState, hold: Hold): void {
    if (hold.sessionCount === 0 && hold.xactCount === 0) state.holds.splice(state.holds.indexOf(hold), 1);
    this.wakeWaiters(state);
  }

  private wakeWaiters(state: LockState): void {
    while (state.queue.length > 0) {
      const w = state.queue[0]!;
      if (!this.grantable(state, w.session, w.mode, false)) break;
      state.queue.shift();
      this.grant(state, w.session, w.mode, w.level);
      w.granted = true;
      if (this.waiting.get(w.session)?.waiter === w) this.waiting.delete(w.session);
      w.wake();
    }
    this.dropIfUnused(state);
  }

  /**
   * The cycle this wait would close: sessions holding what `session` wants, the locks they
   * wait for, who holds those … back to `session`. Undefined when there is none.
   */
  private cycleThrough(state: LockState, session: number, mode: AdvisoryMode): { session: number; mode: AdvisoryMode; key: AdvisoryKey; blocker: number }[] | undefined {
    const blockersOf = (s: LockState, who: number, m: AdvisoryMode): number[] =>
      s.holds.filter((h) => h.session !== who && conflicts(h.mode, m)).map((h) => h.session);
    const path: { session: number; mode: AdvisoryMode; key: AdvisoryKey; blocker: number }[] = [];
    const seen = new Set<number>();
    const visit = (s: LockState, who: number, m: AdvisoryMode): boolean => {
      for (const b of blockersOf(s, who, m)) {
        path.push({ session: who, mode: m, key: s.key, blocker: b });
        if (b === session) return true;
        const next = this.waiting.get(b);
        if (next && !seen.has(b)) {
          seen.add(b);
          if (visit(next.state, b, next.waiter.mode)) return true;
        }
        path.pop();
      }
      return false;
    };
    return visit(state, session, mode) ? path : undefined;
  }
}
