/**
 * ORDER BY past work_mem: an external merge sort, as PostgreSQL's tuplesort does. Rows
 * are held until work_mem is used up, then sorted and written to a temp file as one
 * sorted run; at the end the last rows stay in memory as the final run and all runs are
 * merged through a heap, at most MERGE_FAN_IN at once (more runs are first merged into
 * longer ones). Ties go to the earlier run, so the sort stays stable.
 */
import type { Row } from '../../types/types.js';
import { sortInSlices, type Pacing } from '../sort-slices.js';
import { PAUSE, isSuspend, type Step } from '../suspend.js';
import type { WorkMem } from '../work-mem.js';
import { SpillFiles, type SpillFile, type TempSpace } from './temp-files.js';

/** How a sort ran, for EXPLAIN ANALYZE's "Sort Method" line. */
export interface SortStats {
  method: 'quicksort' | 'external merge';
  /** memory held (quicksort) or bytes written to temp files (external merge) */
  bytes: number;
}

/** Runs merged at once: each open run holds a read buffer and a file descriptor. */
const MERGE_FAN_IN = 64;
/** Rows handed up at a time. */
export const OUTPUT_BATCH = 4096;

type Cmp = (a: Row, b: Row) => number;

/**
 * The input's rows, each made by `hold` (the row with its sort keys appended), sorted by
 * `cmp` and handed up in batches of OUTPUT_BATCH. Without `space` a sort past the budget
 * fails with 53200 (budget.add).
 */
export function* sortRows(
  input: Iterable<Step>, hold: (r: Row) => Row, cmp: Cmp,
  budget: WorkMem | undefined, space: TempSpace | undefined, pace: Pacing, stats?: SortStats,
): Generator<Step, void, unknown> {
  let rows: Row[] = [];
  const files = space ? new SpillFiles(space, 'sort') : undefined;
  const runs: SpillFile[] = [];
  /** bytes of the runs written from memory (what EXPLAIN calls the sort's Disk) */
  let runBytes = 0;
  try {
    for (const batch of input) {
      if (isSuspend(batch)) { yield batch; continue; }
      for (const r of batch) {
        const held = hold(r);
        rows.push(held);
        if (!budget || budget.tryAdd(held)) continue;
        if (!files) throw budget.exceeded();
        const run = yield* writeRun(yield* sortInSlices(rows, cmp, pace), files, pace);
        runs.push(run);
        runBytes += run.bytes;
        rows = [];
        budget.reset();
      }
    }
    const last = yield* sortInSlices(rows, cmp, pace);
    if (runs.length === 0) {
      if (stats) { stats.method = 'quicksort'; stats.bytes = budget?.estimate() ?? 0; }
      for (let i = 0; i < last.length; i += OUTPUT_BATCH) yield last.slice(i, i + OUTPUT_BATCH);
      return;
    }
    let level: RunSource[] = runs.map(fileSource);
    // merge passes until one heap can take every run (and the in-memory one)
    while (level.length + 1 > MERGE_FAN_IN) {
      const next: RunSource[] = [];
      for (let i = 0; i < level.length; i += MERGE_FAN_IN) {
        const group = level.slice(i, i + MERGE_FAN_IN);
        if (group.length === 1) { next.push(group[0]); continue; }
        const out = files!.create();
        for (const step of merge(group, cmp, pace)) {
          if (isSuspend(step)) { yield step; continue; }
          for (const r of step) out.append(r);
        }
        for (const g of group) g.done(files!);
        next.push(fileSource(out));
      }
      level = next;
    }
    level.push(arraySource(last));
    yield* merge(level, cmp, pace);
    for (const g of level) g.done(files!);
  } finally {
    if (stats && runs.length) { stats.method = 'external merge'; stats.bytes = runBytes; }
    files?.removeAll();
  }
}

function* writeRun(sorted: Row[], files: SpillFiles, pace: Pacing): Generator<Step, SpillFile, unknown> {
  const f = files.create();
  for (let i = 0; i < sorted.length; i++) {
    f.append(sorted[i]);
    if ((i & 0x3ff) === 0x3ff) {
      pace.checkCancel();
      if (pace.slice?.due()) yield PAUSE;
    }
  }
  f.flush();
  return f;
}

/** One sorted run being merged: its rows front to back. */
interface RunSource {
  next(): Row[] | null;
  done(files: SpillFiles): void;
}

function fileSource(f: SpillFile): RunSource {
  let reader: ReturnType<SpillFile['reader']> | undefined;
  return {
    next: () => (reader ??= f.reader(256)).next(),
    done: (files) => files.release(f),
  };
}

function arraySource(rows: Row[]): RunSource {
  let given = false;
  return {
    next: () => {
      if (given || rows.length === 0) return null;
      given = true;
      return rows;
    },
    done: () => {},
  };
}

/** A k-way merge of sorted runs through a min-heap; ties go to the lower run index. */
function* merge(sources: RunSource[], cmp: Cmp, pace: Pacing): Generator<Step, void, unknown> {
  interface Cursor { rows: Row[]; at: number; src: number }
  const heap: Cursor[] = [];
  const less = (a: Cursor, b: Cursor): boolean => {
    const c = cmp(a.rows[a.at], b.rows[b.at]);
    return c < 0 || (c === 0 && a.src < b.src);
  };
  const push = (c: Cursor): void => {
    heap.push(c);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const siftDown = (): void => {
    const n = heap.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && less(heap[l], heap[m])) m = l;
      if (r < n && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  sources.forEach((s, src) => {
    const rows = s.next();
    if (rows) push({ rows, at: 0, src });
  });
  let out: Row[] = [];
  while (heap.length > 0) {
    const top = heap[0];
    out.push(top.rows[top.at++]);
    if (top.at === top.rows.length) {
      const more = sources[top.src].next();
      if (more) { top.rows = more; top.at = 0; }
      else {
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
    }
    siftDown();
    if (out.length === OUTPUT_BATCH) {
      yield out;
      out = [];
      pace.checkCancel();
      if (pace.slice?.due()) yield PAUSE;
    }
  }
  if (out.length) yield out;
}
