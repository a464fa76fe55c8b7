/**
 * Commit timestamps on a shard of a sharded cluster, and snapshots at a timestamp (README
 * "Cluster mode", timestamp oracle). Every commit on this shard gets a cluster-wide
 * timestamp C from the timestamp oracle: a local commit asks for it itself, a two-phase
 * commit's C comes from the router with COMMIT PREPARED (the same on every shard). A
 * statement that the router gave a timestamp S reads exactly the commits with C ≤ S:
 *
 * - Commits enter storage in C order, each once the one before has its local timestamp, so
 *   storage's own commit clock (local timestamps) grows with C and "C ≤ S" is one local timestamp L: the snapshot {ts: L}. A commit is
 *   registered before its C is known (a local commit before asking the oracle; a prepared
 *   transaction from PREPARE until COMMIT / ROLLBACK PREPARED) and enters storage only once
 *   no commit that may get a smaller C is still unknown or waiting: one registered before
 *   this commit learned its C (one registered later asks the oracle later, so gets more).
 * - A snapshot at S waits until every commit registered before it arrived has its C, and
 *   those with C ≤ S are applied; commits registered after it arrived get C > S (S was
 *   handed out before). Then L is the local timestamp of the newest applied commit with
 *   C ≤ S (commits with C > S applied meanwhile lie above L: they are not seen).
 *
 * The (C, L) pairs of the last HISTORY_MS are kept (and storage retains a snapshot at the
 * oldest, so that compaction keeps what reads at it need), the first being (C0, what storage
 * held when this node started leading the shard): an older S is refused (72000).
 */
import { SqlError } from '../errors.js';
import type { CommitGate, Snapshot } from '../storage/api.js';

/** Hands out cluster-wide timestamps (the cluster's TsoClient). */
export interface TimestampSource {
  /** a fresh timestamp, above every one handed out before this call */
  timestamp(signal?: AbortSignal): Promise<bigint>;
}

/** What the clock needs of storage. */
export interface ClockStorage {
  commitGate: CommitGate | undefined;
  snapshot(): Snapshot;
  retain(snapshot: Snapshot): () => void;
  preparedTransactions(): readonly { readonly gid: string }[];
}

interface Entry {
  /** registration order */
  readonly seq: number;
  /** the commit timestamp, once known */
  ts?: bigint;
  /** the registrations counted when ts became known: those up to it may get a smaller ts */
  knownAt?: number;
  /** let into storage's commit */
  admitted: boolean;
  /** storage gave it its local timestamp: the next in C order may go in */
  stamped: boolean;
}

/** How long a commit waits for the clock's start (the oracle's first answer) before it fails. */
const START_WAIT_MS = 15_000;

/** How long (C, L) pairs are kept: a snapshot at an older S is refused. */
const HISTORY_MS = 60_000;

export class CommitClock {
  private seq = 0;
  private readonly entries = new Set<Entry>();
  private readonly prepared = new Map<string, Entry>();
  /** applied commits' (C, L), C ascending; the first is the base */
  private history: { c: bigint; l: number; at: number }[];
  private releaseBase: () => void;
  private waiters: (() => void)[] = [];
  /** the base's C is known (the oracle answered at the start) */
  private readonly started: Promise<void>;
  private closed = false;

  constructor(readonly source: TimestampSource, private readonly storage: ClockStorage) {
    // what storage holds when this node starts leading was committed before a timestamp C0
    // asked for now (the previous leader's commits included: their C came before): the base
    // (C0, L0); a statement whose S is below C0 cannot be told which of them it sees (72000)
    const l = storage.snapshot().ts;
    this.history = [{ c: -1n, l, at: Date.now() }];
    this.releaseBase = storage.retain({ ts: l });
    this.started = this.askBase();
    this.started.catch(() => {});
    // prepared transactions read back from the log: registered, their C comes with COMMIT PREPARED
    for (const p of storage.preparedTransactions()) this.registerPrepared(p.gid);
    // every local commit (Transaction.commit) goes through the clock
    storage.commitGate = async (apply) => {
      let local = 0;
      await this.commit(async (stamped) => (local = await apply(stamped)));
      return local;
    };
  }

  /**
   * A local commit: registered, given a timestamp by the oracle, applied in C order by
   * `apply` (storage's commit, resolving with its local timestamp; undefined: nothing written).
   */
  async commit(apply: (stamped: () => void) => Promise<number | undefined>): Promise<bigint> {
    const e = this.register();
    try {
      await this.whenStarted();
      this.know(e, await this.source.timestamp());
    } catch (err) {
      this.drop(e);
      throw err;
    }
    await this.applyInOrder(e, apply);
    return e.ts!;
  }

  /** PREPARE TRANSACTION succeeded: the transaction may commit with any timestamp until it is finished. */
  registerPrepared(gid: string): void {
    if (this.prepared.has(gid)) return;
    this.prepared.set(gid, this.register());
  }

  /** COMMIT PREPARED with timestamp `ts` (the router's; else one from the oracle). */
  async commitPrepared(gid: string, ts: bigint | undefined, apply: (stamped: () => void) => Promise<number | undefined>): Promise<bigint> {
    let e = this.prepared.get(gid);
    if (!e) {
      // (not registered: prepared by a node that led before, and restored since this clock started)
      e = this.register();
      this.prepared.set(gid, e);
    }
    try {
      await this.whenStarted();
      this.know(e, ts ?? await this.source.timestamp());
    } catch (err) {
      // no timestamp: the transaction stays prepared (registered again, unknown)
      this.prepared.delete(gid);
      this.drop(e);
      this.registerPrepared(gid);
      throw err;
    }
    this.prepared.delete(gid);
    await this.applyInOrder(e, apply);
    return e.ts!;
  }

  /** ROLLBACK PREPARED finished (or COMMIT PREPARED failed before its timestamp): no commit. */
  forgetPrepared(gid: string): void {
    const e = this.prepared.get(gid);
    if (!e) return;
    this.prepared.delete(gid);
    this.drop(e);
  }

  /**
   * The snapshot that reads exactly the commits with C ≤ `s` (see the top of this file);
   * waits as long as it must, or until `signal` aborts.
   */
  async snapshotAt(s: bigint, signal?: AbortSignal): Promise<Snapshot> {
    const arrival = this.seq;
    await abortable(this.started, signal);
    const ready = () => {
      for (const e of this.entries) {
        if (e.seq > arrival) continue;
        if (e.ts === undefined || e.ts <= s) return false;
      }
      return true;
    };
    while (!ready()) {
      signal?.throwIfAborted();
      await this.changed(signal);
    }
    return { ts: this.localAt(s) };
  }

  /** How many commits are registered and not yet applied (tests, pg_stat views). */
  get pending(): number {
    return this.entries.size;
  }

  close(): void {
    this.closed = true;
    this.storage.commitGate = undefined;
    this.releaseBase();
  }

  private register(): Entry {
    const e: Entry = { seq: ++this.seq, admitted: false, stamped: false };
    this.entries.add(e);
    return e;
  }

  private know(e: Entry, ts: bigint): void {
    e.ts = ts;
    e.knownAt = this.seq;
    this.wake();
  }

  private drop(e: Entry): void {
    this.entries.delete(e);
    this.wake();
  }

  /** Wait until no commit that may get a smaller timestamp is unknown or not yet in storage; apply; record (C, L). */
  private async applyInOrder(e: Entry, apply: (stamped: () => void) => Promise<number | undefined>): Promise<void> {
    // storage stamps a commit only after work of its own (a bulk insert's segment files):
    // the next goes in once the one before has its local timestamp, so they stay in C order
    const mayPrecede = (o: Entry) => o !== e && (o.admitted ? !o.stamped : o.ts === undefined ? o.seq <= e.knownAt! : o.ts < e.ts! || (o.ts === e.ts && o.seq < e.seq));
    while ([...this.entries].some(mayPrecede)) await this.changed();
    e.admitted = true;
    const stamped = () => {
      e.stamped = true;
      this.wake();
    };
    let local: number | undefined;
    try {
      local = await apply(stamped);
    } finally {
      e.stamped = true;
      this.entries.delete(e);
      if (local !== undefined) this.record(e.ts!, local);
      this.wake();
    }
  }

  /** For a commit: the base's C0 known, or an error after as long as the oracle's client waits for an answer. */
  private async whenStarted(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.started, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the timestamp oracle has not answered since this node started leading the shard')), START_WAIT_MS);
      })]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** C0: the oracle's timestamp at the start (asked again until it answers). */
  private async askBase(): Promise<void> {
    for (;;) {
      try {
        const c0 = await this.source.timestamp();
        this.history[0] = { ...this.history[0]!, c: c0 };
        return;
      } catch {
        if (this.closed) throw new Error('the commit clock is closed');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private record(c: bigint, l: number): void {
    const h = this.history;
    // (a transaction prepared under the previous leader may commit here with a C below C0:
    // every S this shard answers is at least C0, and sees it)
    if (c < h[0]!.c) c = h[0]!.c;
    let i = h.length;
    while (i > 0 && h[i - 1]!.c > c) i--;
    // a commit that wrote nothing after all resolves with storage's visible timestamp, which
    // may lag one before it in C order still being written: never below that one's
    if (i > 0 && h[i - 1]!.l > l) l = h[i - 1]!.l;
    h.splice(i, 0, { c, l, at: Date.now() });
    // drop pairs older than HISTORY_MS (keeping one as the new base), at most now and then
    const old = Date.now() - HISTORY_MS;
    if (h.length > 64 && h[1]!.at < old) {
      let k = 0;
      while (k + 1 < h.length - 1 && h[k + 1]!.at < old) k++;
      const base = h[k]!;
      this.history = h.slice(k);
      const release = this.releaseBase;
      this.releaseBase = this.storage.retain({ ts: base.l });
      release();
    }
  }

  /** L for S: the local timestamp of the newest applied commit with C ≤ S. */
  private localAt(s: bigint): number {
    const h = this.history;
    if (s < h[0]!.c) {
      throw new SqlError('72000', 'snapshot too old', { detail: `The read timestamp ${s} is older than this shard's commit timestamps go back (the last ${HISTORY_MS / 1000} s, and no further than this node's start as the shard's leader).` });
    }
    let lo = 0;
    let hi = h.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (h[mid]!.c <= s) lo = mid;
      else hi = mid - 1;
    }
    return h[lo]!.l;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal!.reason);
      this.waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** `p`, or the signal's reason once it aborts first. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); }, (e) => { signal.removeEventListener('abort', onAbort); reject(e); });
  });
}
