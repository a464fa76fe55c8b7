/**
 * A hot standby's read position (cluster mode): the last shared-log batch its memory has
 * applied, and what reads at a consistency level wait for (engine/read-consistency.ts).
 *
 * Freshness is measured, not guessed: `freshAt` is the newest moment at which the standby
 * is known to have had every batch the log held then — set when a check of the log's last
 * position (`logEnd`, JetStream's stream last sequence: every acknowledged write is at or
 * below it) found nothing left to apply once applied. A read with a staleness bound waits
 * only when `now − freshAt` exceeds it, so it sees every write acknowledged more than the
 * bound ago.
 */

export interface StandbyReads {
  /** the last batch applied to memory (what a statement's snapshot sees) */
  applied(): number;
  /** ms since the epoch at which everything the log held then was applied (0: never known) */
  freshAt(): number;
  /** the shared log's last position now (a round trip to the log) */
  logEnd(): Promise<number>;
  /** resolves once batch `seq` is applied; rejects with the signal's reason when it aborts first */
  waitApplied(seq: number, signal?: AbortSignal): Promise<void>;
  /** the log's end was `seq` at `at` (ms since the epoch): fresh as of then once it is applied */
  noteLogEnd(seq: number, at: number): void;
}

/**
 * `read` shared by concurrent callers, as group commit shares an fsync: a caller gets the
 * answer of a request sent after it called — the one in flight if none is (a request
 * already sent may predate the caller's statement: it waits for the next), else the next
 * one, which every caller arriving meanwhile shares. Strong reads from many sessions then
 * cost the log about one request per round trip, not one each.
 */
export function coalesced(read: () => Promise<number>): () => Promise<number> {
  let inFlight: Promise<number> | undefined;
  let next: Promise<number> | undefined;
  const send = () => (inFlight = read().finally(() => { inFlight = undefined; }));
  return () => {
    if (!inFlight) return send();
    next ??= inFlight.catch(() => 0).then(() => {
      next = undefined;
      return send();
    });
    return next;
  };
}

/**
 * How far behind the log a standby is now, in ms: asks the log's end, and counts from the
 * newest moment the standby had all the log held (about the round trip when it is current).
 * Marks the standby fresh as a strong read does, so bounded reads gain from it too.
 */
export async function measureLag(reads: StandbyReads, now: () => number = Date.now): Promise<number> {
  const asked = now();
  reads.noteLogEnd(await reads.logEnd(), asked);
  return Math.max(0, now() - reads.freshAt());
}

export class AppliedPosition {
  private seq: number;
  private fresh = 0;
  private readonly waiters: { seq: number; resolve: () => void }[] = [];
  /** log ends seen, not yet applied: each becomes `fresh` once applied */
  private readonly pendingEnds: { seq: number; at: number }[] = [];
  /** tests: applying waits while paused (a standby that has fallen behind) */
  private paused: { promise: Promise<void>; resume: () => void } | undefined;
  /** promoted to leader (finish) */
  private promoted = false;

  constructor(seq: number) {
    this.seq = seq;
  }

  get applied(): number {
    return this.seq;
  }

  get freshAt(): number {
    return this.promoted ? Date.now() : this.fresh;
  }

  /** batch `seq` is applied (in memory, visible to new snapshots) */
  advance(seq: number): void {
    this.seq = seq;
    while (this.pendingEnds.length && this.pendingEnds[0].seq <= seq) this.fresh = Math.max(this.fresh, this.pendingEnds.shift()!.at);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].seq > seq) continue;
      this.waiters[i].resolve();
      this.waiters.splice(i, 1);
    }
  }

  noteLogEnd(seq: number, at: number): void {
    if (seq <= this.seq) {
      this.fresh = Math.max(this.fresh, at);
      return;
    }
    // kept in order of seq (ends only grow; a later `at` with the same seq replaces nothing)
    const last = this.pendingEnds.at(-1);
    if (last && last.seq >= seq) last.at = Math.max(last.at, at);
    else this.pendingEnds.push({ seq, at });
  }

  /**
   * The standby was promoted: its memory is the newest there is (the leader's own), so
   * every wait, now or later, ends at once, and it counts as fresh from now on.
   */
  finish(): void {
    this.promoted = true;
    this.resume();
    for (const w of this.waiters.splice(0)) w.resolve();
    this.pendingEnds.length = 0;
  }

  wait(seq: number, signal?: AbortSignal): Promise<void> {
    if (seq <= this.seq || this.promoted) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        seq,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hold back applying (a stalled standby, for tests and measurements) until resume(). */
  pause(): void {
    if (this.paused) return;
    let resume = () => {};
    const promise = new Promise<void>((r) => { resume = r; });
    this.paused = { promise, resume };
  }

  resume(): void {
    const p = this.paused;
    this.paused = undefined;
    p?.resume();
  }

  /** awaited before each batch is applied */
  gate(): Promise<void> | undefined {
    return this.paused?.promise;
  }
}
