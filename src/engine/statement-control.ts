/**
 * What stops a running statement: a cancel (CancelRequest, pg_cancel_backend), its
 * statement_timeout, or lock_timeout while it waits for a row lock. The executor calls
 * `check()` between batches (and after every suspend), so a statement ends within one time
 * slice of the cause, with PostgreSQL's SQLSTATE and message.
 */
import { SqlError, SqlState } from '../errors.js';

export class StatementControl {
  private cancelled = false;
  /** what the cancel reports (default: 57014 'canceling statement due to user request') */
  private cancelError: SqlError | undefined;
  private deadline = Number.POSITIVE_INFINITY;
  /** wakes a statement waiting for a lock when it is cancelled */
  private wake: (() => void) | undefined;
  /** aborted on cancel or at the deadline; made on demand (see signal()) */
  private aborter: AbortController | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;

  /** a statement starts: earlier cancels are forgotten, its timeout starts now */
  begin(statementTimeoutMs: number): void {
    this.cancelled = false;
    this.cancelError = undefined;
    this.dropSignal();
    this.deadline = statementTimeoutMs > 0 ? performance.now() + statementTimeoutMs : Number.POSITIVE_INFINITY;
  }

  /** the statement is done: a timeout no longer applies (e.g. while idle in a transaction) */
  end(): void {
    this.deadline = Number.POSITIVE_INFINITY;
    this.cancelled = false;
    this.cancelError = undefined;
    this.dropSignal();
  }

  /** `error`: what the statement ends with (a recovery conflict's 40001), else a user's cancel */
  cancel(error?: SqlError): void {
    this.cancelled = true;
    this.cancelError = error;
    this.wake?.();
    this.aborter?.abort();
  }

  /**
   * For work that waits outside the executor's batches (a COPY reading from the client, an
   * index build in a worker thread): aborted when the statement is cancelled or reaches
   * its statement_timeout. The waiter then calls check() for the error to report.
   */
  signal(): AbortSignal {
    if (!this.aborter) {
      const aborter = (this.aborter = new AbortController());
      if (this.cancelled) aborter.abort();
      else if (Number.isFinite(this.deadline)) {
        // a timer may fire a little before performance.now() reaches the deadline: move it
        this.deadlineTimer = setTimeout(() => { this.deadline = Math.min(this.deadline, performance.now()); aborter.abort(); }, Math.max(0, this.deadline - performance.now()));
        this.deadlineTimer.unref();
      }
    }
    return this.aborter.signal;
  }

  private dropSignal(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.aborter = undefined;
  }

  /** Throws 57014 when the statement was cancelled or ran past statement_timeout. */
  check(): void {
    if (this.cancelled) {
      this.cancelled = false;
      const error = this.cancelError;
      this.cancelError = undefined;
      throw error ?? new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
    }
    if (performance.now() >= this.deadline) {
      this.deadline = Number.POSITIVE_INFINITY;
      throw new SqlError(SqlState.queryCanceled, 'canceling statement due to statement timeout');
    }
  }

  /**
   * Wait for another transaction to release a row (`RowConflict.waitFor`), giving up with
   * 55P03 after lock_timeout, or 57014 on cancel / statement_timeout.
   */
  async waitForLock(lock: Promise<unknown>, lockTimeoutMs: number): Promise<void> {
    this.check();
    const lockDeadline = lockTimeoutMs > 0 ? performance.now() + lockTimeoutMs : Number.POSITIVE_INFINITY;
    const until = Math.min(lockDeadline, this.deadline);
    let timer: NodeJS.Timeout | undefined;
    let lockTimedOut = false;
    try {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void lock.then(() => resolve(), () => resolve());
        if (Number.isFinite(until)) {
          timer = setTimeout(() => {
            lockTimedOut = lockDeadline <= this.deadline;
            resolve();
          }, Math.max(0, until - performance.now()));
        }
      });
    } finally {
      clearTimeout(timer);
      this.wake = undefined;
    }
    if (lockTimedOut) throw new SqlError(SqlState.lockNotAvailable, 'canceling statement due to lock timeout');
    this.check();
  }
}
