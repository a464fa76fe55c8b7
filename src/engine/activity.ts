/**
 * What each session is doing, for pg_stat_activity: its state, the statement it runs (or
 * ran last), when that started and what it waits for. Updated by the session at the start
 * and end of every statement and around lock waits; read by any session.
 */
import type { BackendActivity } from '../catalog/catalog.js';

type State = BackendActivity['state'];

const nowMicros = (): number => Date.now() * 1000;

export class Activity {
  private state: State = 'idle';
  private query = '';
  private queryStart: number | null = null;
  private stateChange: number;
  private xactStart: number | null = null;
  private wait: { type: string; event: string } | null = { type: 'Client', event: 'ClientRead' };
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
    this.query = text;
    this.queryStart = now;
    if (!inTransaction || this.xactStart === null) this.xactStart = now;
    this.setState('active', now);
    this.wait = null;
  }

  /** the statement ended; the session is idle, possibly inside a (failed) transaction block */
  statementEnded(txStatus: 'I' | 'T' | 'E'): void {
    const now = nowMicros();
    if (txStatus === 'I') this.xactStart = null;
    this.setState(txStatus === 'I' ? 'idle' : txStatus === 'T' ? 'idle in transaction' : 'idle in transaction (aborted)', now);
    this.wait = { type: 'Client', event: 'ClientRead' };
  }

  /** waiting for another transaction's row lock (PostgreSQL: Lock / transactionid) */
  waitingForLock(waiting: boolean): void {
    this.wait = waiting ? { type: 'Lock', event: 'transactionid' } : null;
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
