/**
 * The timestamp oracle's leader-side allocator (TiDB PD's tso allocator): it hands out
 * strictly increasing hybrid timestamps and never one above the upper bound it persisted in
 * the metadata store. The bound is pushed ahead in blocks (now + `windowMs`) before any
 * timestamp past it is handed out, so a leader elected after this one dies starts at the
 * persisted bound (or its own clock, if later) and is above every timestamp handed out.
 */
import { composeTimestamp } from './hybrid-timestamp.js';

/** Where the bound lives (etcd key `tso/bound` in a cluster). */
export interface BoundStore {
  load(): Promise<bigint | undefined>;
  save(bound: bigint): Promise<void>;
}

export interface AllocatorOptions {
  /** how far past the clock the persisted bound is pushed each time (default 3,000 ms) */
  readonly windowMs?: number;
  /** the clock (tests) */
  readonly now?: () => number;
}

export class TimestampAllocator {
  private last = 0n;
  private bound = 0n;
  /** allocations and bound saves one at a time */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly windowMs: number;
  private readonly now: () => number;
  /** how many times the bound was saved (tests, metrics) */
  saves = 0;

  private constructor(private readonly store: BoundStore, opts: AllocatorOptions) {
    this.windowMs = opts.windowMs ?? 3_000;
    this.now = opts.now ?? Date.now;
  }

  /** A new leader's allocator: starts above the persisted bound, and persists its own before answering. */
  static async start(store: BoundStore, opts: AllocatorOptions = {}): Promise<TimestampAllocator> {
    const a = new TimestampAllocator(store, opts);
    const persisted = (await store.load()) ?? 0n;
    a.last = persisted;
    a.bound = persisted;
    await a.extend(a.last + 1n);
    return a;
  }

  /** The first of `count` consecutive fresh timestamps. */
  allocate(count = 1): Promise<bigint> {
    if (count < 1) throw new Error(`bug: asked for ${count} timestamps`);
    const next = this.queue.then(async () => {
      const clock = composeTimestamp(this.now());
      const first = clock > this.last ? clock : this.last + 1n;
      const end = first + BigInt(count) - 1n;
      if (end > this.bound) await this.extend(end);
      this.last = end;
      return first;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** The persisted bound now (tests). */
  get persistedBound(): bigint {
    return this.bound;
  }

  private async extend(atLeast: bigint): Promise<void> {
    const ahead = composeTimestamp(this.now() + this.windowMs);
    const bound = ahead > atLeast ? ahead : atLeast;
    await this.store.save(bound);
    this.saves++;
    this.bound = bound;
  }
}
