/**
 * The progress of one createVectorIndex: "segment k of n done", "the running segment has r
 * of its rows in the index" become VectorIndexProgress reports (pg_stat_progress_create_index
 * reads the latest) and log lines: at every phase, after every segment, and at most every
 * few seconds in between, so a long build shows in the log how far it is.
 */
import type { VectorIndexProgress } from './api.js';
import type { StorageLogger } from './durable-storage.js';

/** a build still inside one segment logs no more often than this (ms) */
const LOG_EVERY_MS = 5000;

export class IndexBuildTracker {
  private progress: VectorIndexProgress = { phase: 'sealing', rowsTotal: 0, rowsDone: 0, segmentsTotal: 0, segmentsDone: 0 };
  /** rows of the segments finished (or indexed before the build) */
  private rowsBefore = 0;
  private lastLog = 0;

  constructor(
    private readonly report: ((p: VectorIndexProgress) => void) | undefined,
    private readonly log: StorageLogger,
    private readonly where: { readonly table: number; readonly index: string },
  ) {}

  /** the index whose build this tracks */
  get index(): string {
    return this.where.index;
  }

  phase(phase: VectorIndexProgress['phase']): void {
    if (phase !== this.progress.phase) this.set({ ...this.progress, phase }, true);
  }

  /**
   * Loading starts over the sealed segments, `lengths` their rows; the `built` ones (sealed
   * while the build waited for its turn) already have the index and count as done.
   */
  begin(lengths: readonly number[], built: readonly boolean[]): void {
    const rowsTotal = lengths.reduce((n, l) => n + l, 0);
    this.rowsBefore = lengths.reduce((n, l, i) => n + (built[i] ? l : 0), 0);
    this.set({ phase: 'loading', rowsTotal, rowsDone: this.rowsBefore, segmentsTotal: lengths.length, segmentsDone: built.filter(Boolean).length }, true);
  }

  /** the running segment has `rows` of its rows in the index (a rebuild of it does not move progress back) */
  rowsInSegment(rows: number): void {
    const done = Math.min(this.progress.rowsTotal, this.rowsBefore + rows);
    if (done > this.progress.rowsDone) this.set({ ...this.progress, rowsDone: done }, false);
  }

  /** the running segment (`length` rows) is indexed */
  segmentDone(length: number): void {
    this.rowsBefore += length;
    const rowsDone = Math.min(this.progress.rowsTotal, Math.max(this.progress.rowsDone, this.rowsBefore));
    this.set({ ...this.progress, rowsDone, segmentsDone: this.progress.segmentsDone + 1 }, true);
  }

  private set(p: VectorIndexProgress, logNow: boolean): void {
    this.progress = p;
    this.report?.(p);
    const now = performance.now();
    if (!logNow && now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    this.log.info({ ...this.where, ...p }, 'index build progress');
  }
}
