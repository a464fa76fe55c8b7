/**
 * Background work a full disk stopped (seal, compaction, index builds, a manifest write),
 * tried again later: per table, the delay starts at 1 s and doubles up to 60 s while the
 * disk stays full; it starts over once the table's postponed work went through. When the
 * write-ahead log becomes writable again (space was freed) everything postponed runs at once.
 */

/** The kinds of background work that are postponed, in the order a retry runs them. */
export const POSTPONABLE = ['manifest', 'seal', 'compaction', 'index build'] as const;
/** One kind of background work (also the name it has in the log). */
export type PostponedJob = (typeof POSTPONABLE)[number];

const FIRST_MS = 1000;
const MAX_MS = 60_000;

interface TableRetries {
  readonly due: Set<PostponedJob>;
  /** the delay the next failure waits */
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  /** the delay the armed timer was set for */
  armedMs: number;
}

/** Per table: which postponed jobs are due, and one timer for their next try. */
export class RetrySchedule {
  private readonly tables = new Map<number, TableRetries>();
  private stopped = false;

  /** `run` starts the given jobs of a table again (each one, if it fails again, is postponed again). */
  constructor(private readonly run: (table: number, jobs: PostponedJob[]) => void, private readonly firstMs = FIRST_MS, private readonly maxMs = MAX_MS) {}

  /** `job` of `table` failed for lack of space: returns the delay (ms) after which it runs again. */
  postpone(table: number, job: PostponedJob): number {
    let r = this.tables.get(table);
    if (!r) this.tables.set(table, (r = { due: new Set(), delayMs: this.firstMs, timer: undefined, armedMs: 0 }));
    r.due.add(job);
    if (r.timer) return r.armedMs;
    r.armedMs = r.delayMs;
    r.delayMs = Math.min(r.delayMs * 2, this.maxMs);
    r.timer = setTimeout(() => this.fire(table), r.armedMs);
    r.timer.unref();
    return r.armedMs;
  }

  /** Whether `job` of `table` is waiting for its retry. */
  isDue(table: number, job: PostponedJob): boolean {
    return this.tables.get(table)?.due.has(job) ?? false;
  }

  /** `job` of `table` went through: nothing of it is due; with nothing due, the delay starts over. */
  done(table: number, job: PostponedJob): void {
    const r = this.tables.get(table);
    if (!r) return;
    r.due.delete(job);
    if (r.due.size === 0) {
      clearTimeout(r.timer);
      this.tables.delete(table);
    }
  }

  /** Run everything postponed now (space was freed). */
  runAllNow(): void {
    for (const table of [...this.tables.keys()]) this.fire(table);
  }

  /** Forget a table's postponed work (it was dropped). */
  forget(table: number): void {
    clearTimeout(this.tables.get(table)?.timer);
    this.tables.delete(table);
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.tables.values()) clearTimeout(r.timer);
    this.tables.clear();
  }

  private fire(table: number): void {
    const r = this.tables.get(table);
    if (!r || this.stopped) return;
    clearTimeout(r.timer);
    r.timer = undefined;
    // still listed as due until they go through; a job that fails again re-arms the timer
    this.run(table, POSTPONABLE.filter((j) => r.due.has(j)));
  }
}
