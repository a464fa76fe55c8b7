/**
 * Cost of the three ways to answer `WHERE filter ORDER BY v <op> q LIMIT k` within one
 * sealed segment that has an HNSW index, and the choice between them (ARCHITECTURE.md,
 * "Vector search and the planner"). The executor calls `chooseVectorStrategy` per segment
 * once it knows how many of the segment's rows the filter admits (its position bitmap
 * counts them exactly, visibility included), and checks the choice at run time: a walk
 * that overruns its budget, or a widening that comes back short, switches to exact.
 *
 * Unit: one distance computation over `dims` floats read sequentially. Every strategy
 * first evaluates the filter over the segment (the bitmap); that part is common to all
 * and left out.
 */

import { targetRecallLine, type TargetRecallStats } from './recall-target.js';

export type VectorStrategy = 'exact' | 'in-graph' | 'ann-filter';

export interface SegmentCostInput {
  /** positions in the segment */
  readonly rows: number;
  /** rows the filter (and visibility) admit */
  readonly matching: number;
  readonly k: number;
  /** hnsw.ef_search */
  readonly ef: number;
  /** max connections per node of the index (m) */
  readonly m: number;
  /** whether in-graph filtered search is available (the addon is built) */
  readonly inGraph: boolean;
}

export interface SegmentChoice {
  readonly strategy: VectorStrategy;
  readonly selectivity: number;
  readonly costs: { readonly exact: number; readonly inGraph: number | undefined; readonly annFilter: number };
  /** in-graph: filter checks the walk may spend before it gives up (then: exact) */
  readonly budget: number;
  /** ann-filter: candidates to ask the index for */
  readonly want: number;
}

/**
 * A distance inside the graph walk costs more than one in a sequential scan: the vector is
 * at a random place (cache and TLB misses), and each hop pays the visited-set and heap work.
 */
export const RANDOM_ACCESS = 2;

/**
 * Distances an unfiltered HNSW search computes with breadth ef:
 *
 *   D(ef) = ef · m
 *
 * Each of the ~ef expanded nodes has up to 2m neighbours at layer 0, about half already
 * visited; the upper layers add a few times m. (Measured with the addon on 20k × 128
 * clustered rows, m 16: ef 40 → 540, ef 100 → 920, ef 200 → 1,120; the formula errs high
 * for large ef, which only makes the graph look dearer.)
 */
export function walkDistances(ef: number, m: number): number {
  return ef * m;
}

/**
 * Exact over the matching rows: one sequential distance per matching row.
 *
 *   C_exact = matching
 */
export function exactCost(matching: number): number {
  return matching;
}

/**
 * In-graph filtered walk: rejected nodes are still walked through, only allowed ones enter
 * the result list, so the walk ends once it has ef allowed nodes closer than the frontier.
 * With selectivity s, measured on the same 20k × 128 set with random filters, ef 40:
 * s 0.5 → 810 distances, 0.2 → 1,200, 0.05 → 1,460, 0.01 → 10,160; D(ef)/√s follows that
 * until the walk degenerates into visiting the whole graph (a distance per row at most):
 *
 *   C_in = RANDOM_ACCESS · min(D(ef) / √s, rows)
 *
 * A filter correlated with the query's neighbourhood (the query's region has no matches)
 * breaks the √s law: the walk then crosses most of the graph. The budget bounds that: the
 * walk gives up after as many filter checks as would have paid for the exact scan (or
 * twice its own estimate, whichever is larger), and the segment is scanned exactly, so a
 * wrong guess costs at most about twice the better plan.
 */
export function inGraphCost(s: number, rows: number, ef: number, m: number): number {
  return RANDOM_ACCESS * Math.min(walkDistances(ef, m) / Math.sqrt(Math.max(s, 1e-9)), rows);
}

/**
 * ANN then filter, widening: ask the unfiltered index for want candidates (breadth want)
 * and keep the allowed ones. For the recall an unfiltered search reaches at breadth ef,
 * ef of the candidates must pass, and at least 1.5 k so that k usually do:
 *
 *   want = ⌈max(ef, 1.5 k) / s⌉
 *   C_af = WIDEN_RISK · RANDOM_ACCESS · min(D(want), rows)
 *
 * (With want = ⌈1.5 k / s⌉ only, recall fell to 0.93 at s = 1/3 on the recall test's
 * data.) When the filter is correlated with the query the candidates come back short and
 * the search runs again; WIDEN_RISK = 1.5 prices one failed attempt in two. It is chosen,
 * not measured: in-graph filtering walks less for the same recall (D/√s against D/s), so
 * this strategy matters only when the addon is not built.
 */
export const WIDEN_RISK = 1.5;

export function annFilterCost(s: number, rows: number, k: number, ef: number, m: number): number {
  return WIDEN_RISK * RANDOM_ACCESS * Math.min(walkDistances(widenWant(s, k, ef), m), rows);
}

export function widenWant(s: number, k: number, ef: number): number {
  return Math.ceil(Math.max(ef, 1.5 * k) / Math.max(s, 1e-9));
}

/**
 * Unfiltered search of a small HNSW segment: the walk computes about D(max(ef, k))
 * distances at random places, ranking every row once costs `rows` sequential ones, so
 * below rows = RANDOM_ACCESS · D the exact scan is cheaper, and it is exact (a graph over
 * a few hundred points can miss a neighbour at m 8, which pgvector's heap order hides).
 */
export function unfilteredExactCheaper(rows: number, k: number, ef: number, m: number): boolean {
  return exactCost(rows) <= RANDOM_ACCESS * Math.min(walkDistances(Math.max(ef, k), m), rows);
}

/** The cheapest strategy for one segment, with its estimates (for EXPLAIN ANALYZE). */
export function chooseVectorStrategy(c: SegmentCostInput): SegmentChoice {
  const s = c.rows === 0 ? 0 : c.matching / c.rows;
  const exact = exactCost(c.matching);
  const inGraph = c.inGraph ? inGraphCost(s, c.rows, c.ef, c.m) : undefined;
  const annFilter = annFilterCost(s, c.rows, c.k, c.ef, c.m);
  const budget = Math.ceil(Math.max(exact / RANDOM_ACCESS, 2 * (inGraph ?? 0) / RANDOM_ACCESS, c.k));
  const costs = { exact, inGraph, annFilter };
  // fewer matches than k: nothing to search for, take them all
  let strategy: VectorStrategy = 'exact';
  if (c.matching > c.k) {
    let best = exact;
    if (inGraph !== undefined && inGraph < best) { strategy = 'in-graph'; best = inGraph; }
    if (annFilter < best) strategy = 'ann-filter';
  }
  return { strategy, selectivity: s, costs, budget, want: Math.min(widenWant(s, c.k, c.ef), c.rows) };
}

/** What EXPLAIN ANALYZE shows of a vector Top-K's per-segment work. */
export interface VectorSearchStats {
  segmentsByIndex: number;
  segmentsExact: number;
  widenings: number;
  exactFallbacks: number;
  candidates: number;
  /** segments searched with the filter inside the graph walk */
  segmentsInGraph?: number;
  /** run-time switches to exact: a walk over budget, or a widening that came back short */
  switches?: number;
  /** the estimates of the first filtered segment: selectivity and each strategy's cost */
  estimate?: string;
  /** quiver.target_recall: the efs chosen per segment and their estimated recall */
  targetRecall?: TargetRecallStats;
  /** segments whose filter bitmap came from a column's sorted index, of those filtered */
  segmentsNarrowed?: number;
  segmentsFiltered?: number;
  /** the search was started in the query workers when a join above began, not when its operator ran */
  startedEarly?: boolean;
}

export function emptyVectorStats(): VectorSearchStats {
  return { segmentsByIndex: 0, segmentsExact: 0, widenings: 0, exactFallbacks: 0, candidates: 0, segmentsInGraph: 0, switches: 0 };
}

/** Add one search's counts to another's (a Top-K run more than once). */
export function addVectorStats(into: VectorSearchStats, from: VectorSearchStats): void {
  into.segmentsByIndex += from.segmentsByIndex;
  into.segmentsExact += from.segmentsExact;
  into.widenings += from.widenings;
  into.exactFallbacks += from.exactFallbacks;
  into.candidates += from.candidates;
  into.segmentsInGraph = (into.segmentsInGraph ?? 0) + (from.segmentsInGraph ?? 0);
  into.switches = (into.switches ?? 0) + (from.switches ?? 0);
  if (from.segmentsFiltered) into.segmentsFiltered = (into.segmentsFiltered ?? 0) + from.segmentsFiltered;
  if (from.segmentsNarrowed) into.segmentsNarrowed = (into.segmentsNarrowed ?? 0) + from.segmentsNarrowed;
  into.estimate ??= from.estimate;
  into.targetRecall ??= from.targetRecall;
  if (from.startedEarly) into.startedEarly = true;
}

/** Record how a segment's filter bitmap was made (EXPLAIN ANALYZE). */
export function noteBitmap(stats: VectorSearchStats, m: { bits?: Uint8Array; narrowed?: boolean }, filtered: boolean): void {
  if (!filtered) return;
  stats.segmentsFiltered = (stats.segmentsFiltered ?? 0) + 1;
  if (m.narrowed) stats.segmentsNarrowed = (stats.segmentsNarrowed ?? 0) + 1;
}

/** Record a segment's choice (the first filtered one's estimates are kept for display). */
export function noteChoice(stats: VectorSearchStats, choice: SegmentChoice): void {
  if (stats.estimate !== undefined) return;
  const f = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(0));
  stats.estimate = `selectivity=${choice.selectivity.toPrecision(3)} cost exact=${f(choice.costs.exact)} in-graph=${f(choice.costs.inGraph)} ann-filter=${f(choice.costs.annFilter)} → ${choice.strategy}`;
}

/** The EXPLAIN ANALYZE detail lines of a vector Top-K. */
export function vectorStatsLines(vs: VectorSearchStats): string[] {
  const lines = [
    `Segments: ${vs.segmentsByIndex} via index (${vs.segmentsInGraph ?? 0} filtered in graph), ${vs.segmentsExact} exact; widenings: ${vs.widenings}; switches to exact: ${vs.switches ?? 0}; exact fallbacks: ${vs.exactFallbacks}; distances computed: ${vs.candidates}`,
  ];
  if (vs.targetRecall) lines.push(targetRecallLine(vs.targetRecall));
  if (vs.estimate) lines.push(`Strategy estimate: ${vs.estimate}`);
  if (vs.segmentsNarrowed) lines.push(`Filter rows from sorted column: ${vs.segmentsNarrowed} of ${vs.segmentsFiltered ?? vs.segmentsNarrowed} filtered segments`);
  if (vs.startedEarly) lines.push('Started: in query workers, before the join ran its sides');
  return lines;
}
