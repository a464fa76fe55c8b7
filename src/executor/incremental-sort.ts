/**
 * Incremental Sort, as PostgreSQL 15's nodeIncrementalSort.c runs it: the input arrives
 * ordered on the first `presorted` sort keys, so rows are sorted a batch at a time and
 * handed on as soon as a batch is complete; under a LIMIT the input is read no further
 * than the batch that completes the limit's rows.
 *
 * Two modes, PostgreSQL's, so EXPLAIN ANALYZE's group counts come out as its do:
 *   - full sort: at least 32 rows (fewer when the LIMIT needs fewer) without looking at
 *     their prefix keys, then the rows whose prefix keys equal the 32nd's; a row with other
 *     prefix keys ends the batch, which is sorted on all keys ("Full-sort Groups");
 *   - presorted prefix: a batch that grows past 64 rows is taken for the start of a large
 *     group; the batch is sorted, each complete prefix group in it handed on, and the last
 *     group read to its end, sorting only on the keys after the prefix ("Pre-sorted
 *     Groups"), through a bounded heap when a LIMIT leaves fewer rows to hand on.
 * Rows are extended rows (sort key values appended); the caller evaluates and strips them.
 */
import type { Row } from '../types/types.js';
import { isSuspend, type Step } from './suspend.js';
import { rowBytes } from './work-mem.js';
import type { GroupSortMethod, IncrementalSortStats, SortGroupStats } from '../planner/incremental-sort-stats.js';

/** PostgreSQL's DEFAULT_MIN_GROUP_SIZE and DEFAULT_MAX_FULL_SORT_GROUP_SIZE */
const MIN_GROUP_SIZE = 32;
const MAX_FULL_SORT_GROUP_SIZE = 2 * MIN_GROUP_SIZE;

export interface IncrementalSortSpec {
  /** the order on every key */
  readonly compare: (a: Row, b: Row) => number;
  /** the order on the keys after the presorted ones (rows of one prefix group) */
  readonly compareRest: (a: Row, b: Row) => number;
  /** whether two rows have equal presorted keys */
  readonly samePrefix: (a: Row, b: Row) => boolean;
  /** rows wanted (LIMIT + OFFSET); Infinity without a LIMIT */
  readonly bound: number;
  readonly checkCancel: () => void;
  readonly stats?: IncrementalSortStats;
}

/** The input's rows in the order of every key; stops reading once `bound` rows are out. */
export function* incrementalSort(input: Iterable<Step>, spec: IncrementalSortSpec): Generator<Step, void, unknown> {
  const { compare, compareRest, samePrefix, bound, stats } = spec;
  const bounded = Number.isFinite(bound);
  let done = 0; // rows handed on
  let out: Row[] = [];
  let mode: 'full' | 'prefix' = 'full';
  let batch: Row[] = [];
  let minGroup = 0;
  let pivot: Row | null = null;
  // presorted-prefix mode: the rows kept of the current group (a bounded heap's worth) and how many it had
  let groupSeen = 0;

  const remaining = () => bound - done;
  const record = (s: SortGroupStats | undefined, method: GroupSortMethod, rows: readonly Row[]) => {
    if (!s) return;
    let bytes = 0;
    for (const r of rows) bytes += rowBytes(r);
    s.groups++;
    s.methods.add(method);
    s.totalBytes += bytes;
    s.peakBytes = Math.max(s.peakBytes, bytes);
  };
  const emit = (sorted: readonly Row[]) => {
    const n = Math.min(sorted.length, remaining());
    for (let i = 0; i < n; i++) out.push(sorted[i]);
    done += n;
  };
  const startFull = () => {
    mode = 'full';
    batch = [];
    pivot = null;
    minGroup = bounded ? Math.max(1, Math.min(MIN_GROUP_SIZE, remaining())) : MIN_GROUP_SIZE;
  };
  /** a full-sort batch: the LIMIT bounds its sort only when it leaves fewer than 32 rows */
  const sortFull = (): Row[] => {
    const rest = remaining();
    const heap = bounded && rest < MIN_GROUP_SIZE && batch.length > 2 * rest;
    batch.sort(compare);
    const sorted = heap ? batch.slice(0, rest) : batch;
    record(stats?.fullSort, heap ? 'top-N heapsort' : 'quicksort', sorted);
    return sorted;
  };
  const finishPrefixGroup = (rows: Row[], seen: number) => {
    const rest = remaining();
    rows.sort(compareRest);
    const heap = bounded && seen > 2 * rest;
    const sorted = rows.length > rest ? rows.slice(0, rest) : rows;
    record(stats?.preSorted, heap ? 'top-N heapsort' : 'quicksort', sorted);
    emit(sorted);
  };
  /** a full-sort batch past 64 rows: hand on its complete prefix groups, go on reading its last one */
  const switchToPrefix = () => {
    const sorted = sortFull();
    const last = sorted[sorted.length - 1];
    let i = 0;
    while (i < sorted.length && !samePrefix(sorted[i], last)) {
      let j = i + 1;
      while (j < sorted.length && samePrefix(sorted[j], sorted[i])) j++;
      finishPrefixGroup(sorted.slice(i, j), j - i);
      i = j;
    }
    mode = 'prefix';
    batch = sorted.slice(i);
    groupSeen = batch.length;
    pivot = last;
  };
  const add = (row: Row) => {
    if (mode === 'prefix') {
      if (samePrefix(pivot!, row)) {
        batch.push(row);
        groupSeen++;
        // a bounded heap's memory: keep no more than a few times the rows still wanted
        const rest = remaining();
        if (bounded && batch.length >= Math.max(4 * rest, MAX_FULL_SORT_GROUP_SIZE)) batch = batch.sort(compareRest).slice(0, rest);
        return;
      }
      finishPrefixGroup(batch, groupSeen);
      startFull();
    } else if (batch.length >= minGroup && !samePrefix(pivot!, row)) {
      // the row opens the next batch (PostgreSQL's carried-over pivot)
      emit(sortFull());
      startFull();
    }
    batch.push(row);
    if (batch.length === minGroup) pivot = row;
    if (batch.length > MAX_FULL_SORT_GROUP_SIZE) switchToPrefix();
  };

  startFull();
  for (const step of input) {
    if (isSuspend(step)) { yield step; continue; }
    spec.checkCancel();
    for (const row of step) {
      add(row);
      if (done >= bound) break;
    }
    if (out.length) {
      yield out;
      out = [];
    }
    // the LIMIT's rows are out: read no further (the input's finally blocks run)
    if (done >= bound) return;
  }
  if ((mode as 'full' | 'prefix') === 'prefix') finishPrefixGroup(batch, groupSeen);
  else emit(sortFull());
  if (out.length) yield out;
}
