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
import { TRAP_CHECK_MIN_SELECTIVITY } from '../ann/trapped-walk.js';

export type VectorStrategy = 'exact' | 'in-graph' | 'ann-filter' | 'post-filter';

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
  /**
   * `matching` came from the filter's sorted column (a binary search, deleted rows
   * included) and no bitmap is made yet: the post-filter strategy is possible, and the
   * others pay for the bitmap they need (its cost is then no longer common to all)
   */
  readonly lazyFilter?: boolean;
  /** vector dimensions (prices the bitmap against a distance; default 128) */
  readonly dims?: number;
  /** share of post-filter candidates that passed in this plan's earlier runs (see postFilterCost) */
  readonly candidateShare?: number;
}

export interface SegmentChoice {
  readonly strategy: VectorStrategy;
  readonly selectivity: number;
  readonly costs: { readonly exact: number; readonly inGraph: number | undefined; readonly annFilter: number; readonly postFilter?: number };
  /** in-graph: filter checks the walk may spend before it gives up (then: exact) */
  readonly budget: number;
  /** ann-filter: candidates to ask the index for */
  readonly want: number;
  /** post-filter: candidates to ask the index for (each tested against the filter) */
  readonly postWant?: number;
  /** post-filter: the share of candidates expected to pass (s, or the share seen before) */
  readonly postSelectivity?: number;
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
 * Distances an unfiltered walk computes when it must return n > ef candidates (its breadth
 * is then n). The walk grows less than linearly with its breadth: measured with the addon
 * on Fashion-MNIST (60k × 784, m 16), breadth 40 → 424 distances, 125 → 835, 250 → 1,288,
 * 400 → 1,740, i.e. about breadth^0.6. Anchored to D(ef) so it agrees with it at n = ef:
 *
 *   D_wide(n) = D(ef) · (max(n, ef) / ef)^0.6
 */
export function wideWalkDistances(n: number, ef: number, m: number): number {
  return walkDistances(ef, m) * Math.pow(Math.max(n, ef) / Math.max(ef, 1), 0.6);
}

/**
 * Making the filter's position bitmap when the sorted column answers the filter: one bit
 * set per matching row (the rows are listed by value, so the bits land at random places).
 * Measured: 30,000 rows of Fashion-MNIST's `sel < 500` in 0.27 ms, 9 ns a row, about what
 * a distance over 32 floats costs (a 784-float distance at a random place took 0.5 µs in
 * the walk, RANDOM_ACCESS units):
 *
 *   C_bitmap = matching · min(1, 32 / dims)
 */
export function bitmapCost(matching: number, dims: number): number {
  return matching * Math.min(1, 32 / Math.max(dims, 1));
}

/**
 * ANN then filter without a bitmap ("post-filter"): an unfiltered walk of breadth want,
 * and the filter tested on its candidates only, through their partial rows (the filter's
 * columns). POST_FILTER_MARGIN k of the candidates are expected to pass, so that k pass
 * even when the walk is unlucky. Fashion-MNIST, 500 queries at 10, 20 and 50 %: margin 2
 * left 1, 3 and 0 queries short (widened), recall 0.997, 0.994, 0.985; margin 2.5 none
 * short, recall 0.998, 0.997, 0.990, but 13–15 % more distances; margin 1.5: 4–8 % short:
 *
 *   want = ⌈max(POST_FILTER_MARGIN · k, ef · s) / s⌉
 *   C_pf = RANDOM_ACCESS · min(D_wide(want), rows) + FILTER_TEST · want
 *
 * FILTER_TEST is a candidate's partial row and one predicate call (about 0.1 µs). A
 * correlated filter (the query's region holds few matches) comes back short: the run-time
 * check then widens once (×4) when at least a quarter of the expected share of candidates
 * matched, and otherwise switches to the exact scan with a bitmap, so a wrong guess costs C_pf plus the
 * exact plan. Only offered when the count came without a bitmap (lazyFilter).
 *
 * s here is the share of candidates expected to pass: the table-wide selectivity, or,
 * when this plan ran a post-filter before, the share that passed then (candidateShare;
 * kept per Top-K node by the executor). The two differ when the filter is correlated with
 * the vectors: the query's own class passes for ~80 % of its candidates on Fashion-MNIST
 * though it is 10 % of the rows (want 200 → 40). A share that overstates the next query's
 * comes back short and is caught by the run-time check above.
 */
export const POST_FILTER_MARGIN = 2;
export const FILTER_TEST = 0.5;

export function postFilterWant(s: number, k: number, ef: number): number {
  const sel = Math.max(s, 1e-9);
  return Math.ceil(Math.max(POST_FILTER_MARGIN * k, ef * sel) / sel);
}

export function postFilterCost(s: number, rows: number, k: number, ef: number, m: number): number {
  const want = postFilterWant(s, k, ef);
  return RANDOM_ACCESS * Math.min(wideWalkDistances(want, ef, m), rows) + FILTER_TEST * want;
}

/**
 * The in-graph walk's trap check (ann/trapped-walk.ts) at s ≥ 0.3: one more unfiltered
 * walk of breadth k.
 *
 *   C_trap = RANDOM_ACCESS · D(k)   (s ≥ TRAP_CHECK_MIN_SELECTIVITY, else 0)
 */
export function trapCheckCost(s: number, k: number, m: number): number {
  return s >= TRAP_CHECK_MIN_SELECTIVITY ? RANDOM_ACCESS * walkDistances(k, m) : 0;
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

/**
 * The cheapest strategy for one segment, with its estimates (for EXPLAIN ANALYZE). With
 * lazyFilter, exact, in-graph and ann-filter each add C_bitmap (they need the bitmap) and
 * post-filter competes; without it the bitmap is made already and costs nothing more.
 */
export function chooseVectorStrategy(c: SegmentCostInput): SegmentChoice {
  const s = c.rows === 0 ? 0 : Math.min(1, c.matching / c.rows);
  const bitmap = c.lazyFilter ? bitmapCost(c.matching, c.dims ?? 128) : 0;
  const exact = exactCost(c.matching) + bitmap;
  const inGraph = c.inGraph ? inGraphCost(s, c.rows, c.ef, c.m) + trapCheckCost(s, c.k, c.m) + bitmap : undefined;
  const annFilter = annFilterCost(s, c.rows, c.k, c.ef, c.m) + bitmap;
  // the share of candidates seen passing before, floored at a tenth of s (a run whose
  // candidates nearly all failed must not price the next walk at the whole graph)
  const sPost = c.candidateShare === undefined ? s : Math.min(1, Math.max(c.candidateShare, s / 10));
  const postFilter = c.lazyFilter ? postFilterCost(sPost, c.rows, c.k, c.ef, c.m) : undefined;
  const budget = Math.ceil(Math.max(exactCost(c.matching) / RANDOM_ACCESS, 2 * (inGraph === undefined ? 0 : inGraph - bitmap) / RANDOM_ACCESS, c.k));
  const costs = { exact, inGraph, annFilter, ...(postFilter !== undefined ? { postFilter } : {}) };
  // fewer matches than k: nothing to search for, take them all
  let strategy: VectorStrategy = 'exact';
  if (c.matching > c.k) {
    let best = exact;
    if (inGraph !== undefined && inGraph < best) { strategy = 'in-graph'; best = inGraph; }
    if (annFilter < best) { strategy = 'ann-filter'; best = annFilter; }
    if (postFilter !== undefined && postFilter < best) strategy = 'post-filter';
  }
  return {
    strategy, selectivity: s, costs, budget, want: Math.min(widenWant(s, c.k, c.ef), c.rows),
    ...(postFilter !== undefined ? { postWant: Math.min(postFilterWant(sPost, c.k, c.ef), c.rows), postSelectivity: sPost } : {}),
  };
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
  /** segments answered by an unfiltered walk whose candidates were tested (no bitmap) */
  segmentsPostFiltered?: number;
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
  if (from.segmentsPostFiltered) into.segmentsPostFiltered = (into.segmentsPostFiltered ?? 0) + from.segmentsPostFiltered;
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
  const share = choice.postSelectivity !== undefined && choice.postSelectivity !== choice.selectivity ? ` (candidates passing before: ${choice.postSelectivity.toPrecision(3)})` : '';
  const post = choice.costs.postFilter === undefined ? '' : ` post-filter=${f(choice.costs.postFilter)}${share}`;
  stats.estimate = `selectivity=${choice.selectivity.toPrecision(3)} cost exact=${f(choice.costs.exact)} in-graph=${f(choice.costs.inGraph)} ann-filter=${f(choice.costs.annFilter)}${post} → ${choice.strategy}`;
}

/** The EXPLAIN ANALYZE detail lines of a vector Top-K. */
export function vectorStatsLines(vs: VectorSearchStats): string[] {
  const lines = [
    `Segments: ${vs.segmentsByIndex} via index (${vs.segmentsInGraph ?? 0} filtered in graph${vs.segmentsPostFiltered ? `, ${vs.segmentsPostFiltered} filtered after the walk` : ''}), ${vs.segmentsExact} exact; widenings: ${vs.widenings}; switches to exact: ${vs.switches ?? 0}; exact fallbacks: ${vs.exactFallbacks}; distances computed: ${vs.candidates}`,
  ];
  if (vs.targetRecall) lines.push(targetRecallLine(vs.targetRecall));
  if (vs.estimate) lines.push(`Strategy estimate: ${vs.estimate}`);
  if (vs.segmentsNarrowed) lines.push(`Filter rows from sorted column: ${vs.segmentsNarrowed} of ${vs.segmentsFiltered ?? vs.segmentsNarrowed} filtered segments`);
  if (vs.startedEarly) lines.push('Started: in query workers, before the join ran its sides');
  return lines;
}
