/**
 * What each session is doing, for pg_stat_activity: its state, the statement it runs (or
 * ran last), when that started and what it waits for. Updated by the session at the start
 * and end of every statement and around lock waits; read by any session.
 */
import type { BackendActivity } from '../catalog/catalog.js';
import { nowMicros } from '../types/datetime.js';

type State = BackendActivity['state'];



type Wait = { readonly type: string; readonly event: string };
// the waits a session passes through at every statement: made once, not per statement
const CLIENT_READ: Wait = { type: 'Client', event: 'ClientRead' };
const LOG_APPLY: Wait = { type: 'IPC', event: 'QuiverLogApply' };
const ROW_LOCK: Wait = { type: 'Lock', event: 'transactionid' };
const ADVISORY_LOCK: Wait = { type: 'Lock', event: 'advisory' };

export class Activity {
  private state: State = 'idle';
  private query = '';
  private queryStart: number | null = null;
  private stateChange: number;
  private xactStart: number | null = null;
  private wait: Wait | null = CLIENT_READ;
  /** a statement shown as started before its parse (waitingForLog): its start is kept when it runs */
  private startedEarly: string | undefined;
  private readonly backendStart = nowMicros();

  constructor(
    private readonly pid: number,
    private readonly client: { address: string; port: number | undefined },
  ) {
    this.stateChange = this.backendStart;
  }

  /** a statement starts; `inTransaction`: a transaction block was already open */
  statementStarted(text: string, inTransaction: boolean): void {
    const now = nowMicros();
    const early = this.startedEarly === text && this.state === 'active';
    this.startedEarly = undefined;
    this.query = text;
    if (!early) {
      this.queryStart = now;
      if (!inTransaction || this.xactStart === null) this.xactStart = now;
    }
    this.setState('active', now);
    this.wait = null;
  }

  /** the statement ended; the session is idle, possibly inside a (failed) transaction block */
  statementEnded(txStatus: 'I' | 'T' | 'E'): void {
    const now = nowMicros();
    this.startedEarly = undefined;
    if (txStatus === 'I') this.xactStart = null;
    this.setState(txStatus === 'I' ? 'idle' : txStatus === 'T' ? 'idle in transaction' : 'idle in transaction (aborted)', now);
    this.wait = CLIENT_READ;
  }

  /**
   * A hot standby's statement waits for the shared log to be applied (quiver.consistency),
   * named in PostgreSQL's style: IPC / QuiverLogApply. `text`: the wait comes before the
   * parse, so the statement is shown as started from here (query_start is the wait's start).
   */
  waitingForLog(waiting: boolean, text?: string, inTransaction = false): void {
    if (waiting && text !== undefined) {
      this.statementStarted(text, inTransaction);
      this.startedEarly = text;
    }
    this.wait = waiting ? LOG_APPLY : null;
  }

  /** At Sync: a statement shown as started before its parse that never ran has ended. */
  endUnrunStatement(txStatus: 'I' | 'T' | 'E'): void {
    if (this.startedEarly !== undefined) this.statementEnded(txStatus);
  }

  /** waiting for another transaction's row lock (PostgreSQL: Lock / transactionid) */
  waitingForLock(waiting: boolean): void {
    this.wait = waiting ? ROW_LOCK : null;
  }

  /** waiting for an advisory lock (PostgreSQL: Lock / advisory) */
  waitingForAdvisoryLock(waiting: boolean): void {
    this.wait = waiting ? ADVISORY_LOCK : null;
  }

  private setState(state: State, now: number): void {
    if (state !== this.state) this.stateChange = now;
    this.state = state;
  }

  snapshot(database: string, user: string, applicationName: string): BackendActivity {
    return {
      pid: this.pid, database, user, applicationName,
      clientAddress: this.client.address, clientPort: this.client.port,
      backendStart: this.backendStart, xactStart: this.xactStart, queryStart: this.queryStart, stateChange: this.stateChange,
      waitEventType: this.wait?.type ?? null, waitEvent: this.wait?.event ?? null,
      state: this.state, query: this.query,
    };
  }
}
