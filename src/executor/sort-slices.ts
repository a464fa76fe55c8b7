/**
 * In-memory sorting that does not hold the thread for long: runs of SORT_RUN rows are
 * sorted with Array#sort (stable), then merged pairwise (the left run wins ties, so the
 * result is stable too), with a PAUSE whenever the time slice is used up.
 */
import type { Row } from '../types/types.js';
import { PAUSE, type Step, type TimeSlice } from './suspend.js';

/** What a long loop inside an operator checks: cancel, and whether its time slice is used up. */
export interface Pacing {
  checkCancel(): void;
  readonly slice?: TimeSlice;
}

/** Rows sorted in one go; longer inputs are sorted in runs and merged, yielding between. */
const SORT_RUN = 32768;

export function* sortInSlices(rows: Row[], cmp: (a: Row, b: Row) => number, pace: Pacing): Generator<Step, Row[], unknown> {
  if (rows.length <= SORT_RUN) return rows.sort(cmp);
  const runs: Row[][] = [];
  for (let i = 0; i < rows.length; i += SORT_RUN) {
    runs.push(rows.slice(i, i + SORT_RUN).sort(cmp));
    pace.checkCancel();
    if (pace.slice?.due()) yield PAUSE;
  }
  let level = runs;
  while (level.length > 1) {
    const next: Row[][] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 === level.length) next.push(level[i]);
      else next.push(yield* mergeRuns(level[i], level[i + 1], cmp, pace));
    }
    level = next;
  }
  return level[0];
}

function* mergeRuns(a: Row[], b: Row[], cmp: (a: Row, b: Row) => number, pace: Pacing): Generator<Step, Row[], unknown> {
  const out: Row[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = cmp(b[j], a[i]) < 0 ? b[j++] : a[i++];
    if ((k & 0xfff) === 0) {
      pace.checkCancel();
      if (pace.slice?.due()) yield PAUSE;
    }
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
