/**
 * The filters of the filtered sweep (`npm run bench -- --filtered-sweep`), designed so each
 * selectivity is matched exactly and the ground truth is exact search over exactly the rows
 * the SQL matches.
 *
 * - Uncorrelated: `f` is a seeded random permutation of 0 … n−1 (independent of the vectors),
 *   so `f < T` matches exactly T rows; T = round(s · n) for selectivity s.
 * - Correlated (when the data has classes): `label = 3` (a fixed class: 10 % on
 *   Fashion-MNIST, near the queries of that class, far from the others) and
 *   `label = $2` with the query's own class (the neighbours are mostly in it).
 */
import { subsetGroundTruth, type Dataset, type GroundTruth, type Metric } from './dataset.js';
import { seededRandom } from './util.js';

/** VectorDBBench's label-filter rates, as fractions (0.1 % … 50 %). */
export const SWEEP_SELECTIVITIES: readonly number[] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5];
/** The seed of the `f` permutation; part of the ground-truth cache names. */
export const PERMUTATION_SEED = 20260;
/** The class of the fixed-label filter (the example: `label = 3`). */
export const FIXED_LABEL = 3;

/** A seeded Fisher–Yates permutation of 0 … n−1: row i gets f[i]. */
export function permutationColumn(n: number, seed = PERMUTATION_SEED): Int32Array {
  const f = new Int32Array(n);
  for (let i = 0; i < n; i++) f[i] = i;
  const rand = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = f[i]!;
    f[i] = f[j]!;
    f[j] = t;
  }
  return f;
}

/** `f < T` matches exactly T rows; at least one row, so 0.1 % of a tiny table is not empty. */
export function rangeThreshold(n: number, selectivity: number): number {
  return Math.max(1, Math.min(n, Math.round(selectivity * n)));
}

export type FilterKind = 'range' | 'label-fixed' | 'label-own';

/** One filter of the sweep: its SQL, and which rows it matches for each query. */
export interface FilterCase {
  /** stable id (JSON, cache names): f<60, label=3, label=own */
  id: string;
  kind: FilterKind;
  correlated: boolean;
  /** the WHERE condition; `$2` (label-own only) is the query's class */
  where: string;
  /** fraction of rows matched (mean over queries for label-own) */
  selectivity: number;
  /** rows matched by the filter for query qi (ascending primary keys) */
  rowsFor(qi: number): Uint32Array;
  /** whether row id passes the filter for query qi */
  allows(qi: number, id: number): boolean;
  /** parameters after the query vector ($2 …) */
  params(qi: number): unknown[];
  /** the per-query parameters as SQL literals (EXPLAIN) */
  literalWhere(qi: number): string;
}

/** What the JSON result keeps of a filter. */
export interface FilterSummary {
  id: string;
  kind: FilterKind;
  correlated: boolean;
  where: string;
  selectivity: number;
  /** rows matched (min and max over the measured queries; equal unless label-own) */
  minMatching: number;
  maxMatching: number;
}

function rowsWhere(n: number, pred: (i: number) => boolean): Uint32Array {
  let m = 0;
  for (let i = 0; i < n; i++) if (pred(i)) m++;
  const out = new Uint32Array(m);
  let j = 0;
  for (let i = 0; i < n; i++) if (pred(i)) out[j++] = i;
  return out;
}

export interface FilterColumns {
  f: Int32Array;
  /** the class column as loaded (zeros when the data has none) */
  label: Int32Array;
  hasLabels: boolean;
}

export function filterColumns(ds: Dataset): FilterColumns {
  const hasLabels = ds.labels !== undefined && ds.queryLabels !== undefined;
  return { f: permutationColumn(ds.n), label: ds.labels ?? new Int32Array(ds.n), hasLabels };
}

/** The range filters for `selectivities`, then (with labels) the two class filters. */
export function designFilters(ds: Dataset, cols: FilterColumns, selectivities: readonly number[], withLabels: boolean): FilterCase[] {
  const out: FilterCase[] = [];
  for (const s of selectivities) {
    const t = rangeThreshold(ds.n, s);
    const rows = rowsWhere(ds.n, (i) => cols.f[i]! < t);
    out.push({
      id: `f<${t}`,
      kind: 'range',
      correlated: false,
      where: `f < ${t}`,
      selectivity: rows.length / ds.n,
      rowsFor: () => rows,
      allows: (_qi, id) => cols.f[id]! < t,
      params: () => [],
      literalWhere: () => `f < ${t}`,
    });
  }
  if (!withLabels || !cols.hasLabels) return out;
  const byClass = new Map<number, Uint32Array>();
  const classRows = (c: number): Uint32Array => {
    let rows = byClass.get(c);
    if (!rows) byClass.set(c, (rows = rowsWhere(ds.n, (i) => cols.label[i] === c)));
    return rows;
  };
  const fixed = classRows(FIXED_LABEL);
  out.push({
    id: `label=${FIXED_LABEL}`,
    kind: 'label-fixed',
    correlated: true,
    where: `label = ${FIXED_LABEL}`,
    selectivity: fixed.length / ds.n,
    rowsFor: () => fixed,
    allows: (_qi, id) => cols.label[id] === FIXED_LABEL,
    params: () => [],
    literalWhere: () => `label = ${FIXED_LABEL}`,
  });
  const ql = ds.queryLabels!;
  const nq = ds.queries.length;
  let matched = 0;
  for (let q = 0; q < nq; q++) matched += classRows(ql[q]!).length;
  out.push({
    id: 'label=own',
    kind: 'label-own',
    correlated: true,
    where: 'label = $2',
    selectivity: matched / Math.max(1, nq) / ds.n,
    rowsFor: (qi) => classRows(ql[qi]!),
    allows: (qi, id) => cols.label[id] === ql[qi],
    params: (qi) => [ql[qi]!],
    literalWhere: (qi) => `label = ${ql[qi]!}`,
  });
  return out;
}

export function summarizeFilter(fc: FilterCase, queries: number): FilterSummary {
  let min = Infinity;
  let max = 0;
  for (let q = 0; q < queries; q++) {
    const m = fc.rowsFor(q).length;
    min = Math.min(min, m);
    max = Math.max(max, m);
  }
  return { id: fc.id, kind: fc.kind, correlated: fc.correlated, where: fc.where, selectivity: fc.selectivity, minMatching: queries ? min : 0, maxMatching: max };
}

/** Exact top-k per query over exactly the rows its filter matches (cached in bench/cache/). */
export function filterGroundTruth(ds: Dataset, fc: FilterCase, metric: Metric, k: number, cacheDir: string): GroundTruth {
  const nq = ds.queries.length;
  const groups = new Map<Uint32Array, number[]>();
  for (let q = 0; q < nq; q++) {
    const rows = fc.rowsFor(q);
    let list = groups.get(rows);
    if (!list) groups.set(rows, (list = []));
    list.push(q);
  }
  const name = `filt-p${PERMUTATION_SEED}-${fc.id.replace(/[^a-z0-9]+/gi, '_')}`;
  return subsetGroundTruth(ds, metric, k, name, [...groups].map(([rows, queries]) => ({ rows, queries })), cacheDir);
}
