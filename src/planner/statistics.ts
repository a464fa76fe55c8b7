/**
 * Column statistics from a sample of rows, computed the way PostgreSQL's ANALYZE does
 * (src/backend/commands/analyze.c, compute_scalar_stats), so that pg_stats shows the same
 * numbers when the sample is the whole table:
 *
 *   null_frac          nulls / sampled rows
 *   avg_width          average stored width of the non-null values (bytes)
 *   n_distinct         > 0: a count; < 0: minus a fraction of the rows (when the estimate
 *                      exceeds 10 % of the table). All values distinct → -(1 - null_frac);
 *                      every sampled value repeated → the count seen; otherwise the Haas–
 *                      Stokes "Duj1" estimator  n·d / (n − f1 + f1·n/N), clamped to [d, N]
 *                      (n sampled non-nulls, d distinct among them, f1 seen exactly once,
 *                      N the table's non-null rows)
 *   most_common_vals   repeated values, most frequent first, while their frequency is
 *                      significantly above the average of the rest (analyze_mcv_list: more
 *                      than 2 standard deviations of the hypergeometric sampling error);
 *                      the whole repeated list when the sample is the whole table
 *   histogram_bounds   up to statistics_target + 1 values splitting the non-MCV values into
 *                      equal-count buckets
 *   correlation        between the values' order and their physical (scan) order
 *
 * Values are compared with the type's ordering; a type without one gets only null_frac,
 * avg_width and n_distinct (by equality of its text form).
 */
import type { ColumnStatistics } from '../catalog/catalog.js';
import type { Value } from '../types/types.js';
import { SORT_STEP, sortInSteps } from '../types/stepwise-sort.js';

export type { ColumnStatistics };

/** PostgreSQL's default_statistics_target: MCV list length and histogram buckets. */
export const STATISTICS_TARGET = 100;
/** Rows ANALYZE samples per table (PostgreSQL: 300 × statistics target). */
export const SAMPLE_ROWS = 300 * STATISTICS_TARGET;

export interface ColumnSample {
  /** the column's values in scan order, one per sampled row (null included) */
  readonly values: readonly Value[];
  /** the type's ordering, or undefined when it has none */
  readonly compare?: (a: Value, b: Value) => number;
  /** stored width of a non-null value, the `pos`-th of the sample */
  readonly width: (v: Value, pos: number) => number;
  /** text form of a value (for pg_stats) */
  readonly format: (v: Value) => string;
}

/** The sample's non-null values (with their scan positions), null_frac and avg_width. */
function nullsAndWidth(sample: Pick<ColumnSample, 'values' | 'width'>): { nonNull: { v: Value; pos: number }[]; nullFrac: number; avgWidth: number } {
  return runSteps(nullsAndWidthSteps(sample));
}

/** A generator's steps run to the end, at once. */
function runSteps<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

function* nullsAndWidthSteps(sample: Pick<ColumnSample, 'values' | 'width'>): Generator<void, { nonNull: { v: Value; pos: number }[]; nullFrac: number; avgWidth: number }, void> {
  const samplerows = sample.values.length;
  const nonNull: { v: Value; pos: number }[] = [];
  let width = 0;
  for (let pos = 0; pos < samplerows; pos++) {
    const v = sample.values[pos];
    if (v !== null) {
      nonNull.push({ v, pos });
      width += sample.width(v, pos);
    }
    if (pos % SORT_STEP === SORT_STEP - 1) yield;
  }
  const nullFrac = samplerows > 0 ? (samplerows - nonNull.length) / samplerows : 0;
  // stawidth is an int4: the average truncated, as analyze.c's assignment does
  const avgWidth = nonNull.length > 0 ? Math.trunc(width / nonNull.length) : 0;
  return { nonNull, nullFrac, avgWidth };
}

/**
 * A tsvector column's statistics as PostgreSQL's ts_typanalyze computes them: null_frac,
 * avg_width and n_distinct = −(1 − null_frac) (every value taken as distinct); no MCV list,
 * histogram or correlation (PostgreSQL keeps lexeme frequencies instead, most_common_elems,
 * which Quiver does not compute). Sorting the sample by tsvector's order, as for a scalar
 * type, parsed every value: 1.2 s of the session thread for 30,000 man-page paragraphs.
 */
export function tsvectorStatistics(sample: Pick<ColumnSample, 'values' | 'width'>): ColumnStatistics {
  const { nonNull, nullFrac, avgWidth } = nullsAndWidth(sample);
  return { nullFrac, avgWidth, nDistinct: nonNull.length ? -(1 - Math.fround(nullFrac)) : 0, mostCommonVals: null, mostCommonFreqs: null, histogramBounds: null, correlation: null };
}

/** `totalRows`: the table's estimated row count (the sample's size when it is the whole table). */
export function columnStatistics(sample: ColumnSample, totalRows: number): ColumnStatistics {
  return runSteps(columnStatisticsSteps(sample, totalRows));
}

/**
 * columnStatistics a piece at a time: the generator yields after every few thousand values
 * read, sorted, compared or formatted (ANALYZE gives the event loop a turn between pieces;
 * a 30,000-row sample of 784-d vectors took ~0.4 s in one piece), and returns the same.
 */
export function* columnStatisticsSteps(sample: ColumnSample, totalRows: number): Generator<void, ColumnStatistics, void> {
  const samplerows = sample.values.length;
  const { nonNull, nullFrac, avgWidth } = yield* nullsAndWidthSteps(sample);
  if (nonNull.length === 0) {
    return { nullFrac, avgWidth, nDistinct: 0, mostCommonVals: null, mostCommonFreqs: null, histogramBounds: null, correlation: null };
  }
  const cmp = sample.compare ?? textOrder(sample.format);
  const sorted = yield* sortInSteps([...nonNull], (a, b) => cmp(a.v, b.v) || a.pos - b.pos);
  const groups = yield* distinctGroups(sorted, cmp);
  const nDistinct = estimateDistinct(groups, nonNull.length, samplerows, totalRows, nullFrac);
  if (!sample.compare) {
    return { nullFrac, avgWidth, nDistinct, mostCommonVals: null, mostCommonFreqs: null, histogramBounds: null, correlation: null };
  }
  const mcv = mostCommon(groups, nDistinct, nullFrac, samplerows, totalRows);
  const mcvSet = new Set(mcv.map((g) => g.first));
  const rest = groups.filter((g) => !mcvSet.has(g.first));
  const mostCommonVals = mcv.length ? yield* formatted(mcv.map((g) => sorted[g.first].v), sample.format) : null;
  const histogramBounds = yield* histogram(sorted, rest, sample.format);
  return {
    nullFrac,
    avgWidth,
    nDistinct,
    mostCommonVals,
    mostCommonFreqs: mcv.length ? mcv.map((g) => g.count / samplerows) : null,
    histogramBounds,
    correlation: correlation(sorted, samplerows),
  };
}

/** Values in their text form, a step after every few (a vector's text is thousands of digits). */
function* formatted(values: readonly Value[], format: (v: Value) => string): Generator<void, string[], void> {
  const out: string[] = [];
  for (const v of values) {
    out.push(format(v));
    if (out.length % 8 === 0) yield;
  }
  return out;
}

/** Runs of equal values in the sorted sample: index of the first, and how many. */
interface Group { first: number; count: number }

function* distinctGroups(sorted: readonly { v: Value }[], cmp: (a: Value, b: Value) => number): Generator<void, Group[], void> {
  const groups: Group[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const last = groups[groups.length - 1];
    if (last && cmp(sorted[last.first].v, sorted[i].v) === 0) last.count++;
    else groups.push({ first: i, count: 1 });
    if (i % SORT_STEP === SORT_STEP - 1) yield;
  }
  return groups;
}

function estimateDistinct(groups: readonly Group[], n: number, samplerows: number, totalRows: number, nullFrac: number): number {
  const d = groups.length;
  const nmultiple = groups.filter((g) => g.count > 1).length;
  let stadistinct: number;
  if (nmultiple === 0) {
    stadistinct = -1 * (1 - nullFrac);
  } else if (nmultiple === d) {
    stadistinct = d;
  } else {
    const f1 = d - nmultiple;
    const N = totalRows * (1 - nullFrac);
    stadistinct = N > 0 ? (n * d) / ((n - f1) + (f1 * n) / N) : 0;
    if (stadistinct < d) stadistinct = d;
    if (stadistinct > N) stadistinct = N;
    stadistinct = Math.floor(stadistinct + 0.5);
  }
  if (stadistinct > 0.1 * totalRows) stadistinct = -(stadistinct / totalRows);
  void samplerows;
  return stadistinct;
}

/**
 * Repeated values, most frequent first (equal counts: smaller value first), at most the
 * statistics target, then cut by analyze_mcv_list's significance test.
 */
function mostCommon(groups: readonly Group[], stadistinct: number, nullFrac: number, samplerows: number, totalRows: number): Group[] {
  const repeated = groups.filter((g) => g.count > 1);
  const track = [...repeated].sort((a, b) => b.count - a.count || a.first - b.first).slice(0, STATISTICS_TARGET);
  if (track.length === repeated.length && repeated.length === groups.length && stadistinct > 0 && track.length <= STATISTICS_TARGET) return track;
  return track.slice(0, significantCount(track.map((g) => g.count), stadistinct, nullFrac, samplerows, totalRows));
}

/** analyze_mcv_list: how many of the candidate counts stand out from the rest's average. */
function significantCount(counts: readonly number[], stadistinct: number, nullFrac: number, samplerows: number, totalRows: number): number {
  let num = counts.length;
  if (samplerows === totalRows || totalRows <= 1) return num;
  const ndistinctTable = stadistinct < 0 ? -stadistinct * totalRows : stadistinct;
  let sumcount = 0;
  for (let i = 0; i < num - 1; i++) sumcount += counts[i];
  while (num > 0) {
    let selec = Math.min(1, Math.max(0, 1 - sumcount / samplerows - nullFrac));
    const otherdistinct = ndistinctTable - (num - 1);
    if (otherdistinct > 1) selec /= otherdistinct;
    const N = totalRows;
    const n = samplerows;
    const K = (N * counts[num - 1]) / n;
    const variance = (n * K * (N - K) * (N - n)) / (N * N * (N - 1));
    if (counts[num - 1] > selec * samplerows + 2 * Math.sqrt(variance) + 0.5) break;
    num--;
    if (num === 0) break;
    sumcount -= counts[num - 1];
  }
  return num;
}

/** Equal-count bucket bounds over the non-MCV values (compute_scalar_stats' walk). */
function* histogram(sorted: readonly { v: Value }[], rest: readonly Group[], format: (v: Value) => string): Generator<void, string[] | null, void> {
  let numHist = rest.length;
  if (numHist > STATISTICS_TARGET + 1) numHist = STATISTICS_TARGET + 1;
  if (numHist < 2) return null;
  const values: Value[] = [];
  for (const g of rest) for (let i = 0; i < g.count; i++) values.push(sorted[g.first + i].v);
  const nvals = values.length;
  const delta = Math.floor((nvals - 1) / (numHist - 1));
  const deltafrac = (nvals - 1) % (numHist - 1);
  const out: string[] = [];
  let pos = 0;
  let posfrac = 0;
  for (let i = 0; i < numHist; i++) {
    out.push(format(values[pos]));
    if (i % 8 === 7) yield;
    pos += delta;
    posfrac += deltafrac;
    if (posfrac >= numHist - 1) {
      pos++;
      posfrac -= numHist - 1;
    }
  }
  return out;
}

/** Pearson correlation between sorted rank and physical position (positions < samplerows, all different). */
function correlation(sorted: readonly { pos: number }[], samplerows: number): number | null {
  const n = sorted.length;
  if (n < 2) return null;
  // positions are renumbered 0..n-1 among the non-null values, as analyze.c's tupno: in
  // position order, found by indexing on the position (no sort)
  const rankAt = new Int32Array(samplerows).fill(-1);
  sorted.forEach((s, rank) => { rankAt[s.pos] = rank; });
  const tupno = new Array<number>(n);
  let next = 0;
  for (const rank of rankAt) if (rank >= 0) tupno[rank] = next++;
  let xysum = 0;
  for (let i = 0; i < n; i++) xysum += i * tupno[i];
  const xsum = ((n - 1) * n) / 2;
  const x2sum = ((n - 1) * n * (2 * n - 1)) / 6;
  return (n * xysum - xsum * xsum) / (n * x2sum - xsum * xsum);
}

function textOrder(format: (v: Value) => string): (a: Value, b: Value) => number {
  return (a, b) => {
    const x = format(a);
    const y = format(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}
