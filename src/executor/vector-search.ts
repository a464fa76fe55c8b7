/**
 * Vector top-k over a table with an ANN index, per segment (Milvus style):
 *
 *   - sealed segments with the index: the filter (and visibility, and NULL vectors) become
 *     a bitmap over the segment's positions, which counts the matching rows exactly; the
 *     cost model (planner/vector-cost.ts) then picks, per segment,
 *       exact       → exact scan of the matching rows,
 *       in-graph    → HNSW walk that skips positions outside the bitmap,
 *       ann-filter  → ask the index for k / selectivity × 1.5 candidates, keep the
 *                     matching ones, widen ×4 once;
 *       post-filter → (a filter its sorted column counts, before any bitmap is made) an
 *                     unfiltered walk for 2 k / selectivity candidates, the filter
 *                     tested on those only, widen ×4 once, else exact with the bitmap;
 *     and a run-time check switches to the exact scan when the walk overruns its budget or
 *     the widening comes back short (EXPLAIN ANALYZE counts the switches);
 *     no filter and every row visible → a plain HNSW search with ef = hnsw.ef_search (or,
 *     with quiver.target_recall set, the segment's ef for that recall: search-breadth.ts);
 *   - everything else (growing segment, own uncommitted rows, segments sealed before the
 *     index existed): exact, one kernel call per row.
 *
 * Candidates from all segments are ranked by pgvector's exact kernel, so the distances
 * returned (and their order) are those the SQL operator computes. A filtered query
 * returns k rows whenever k rows match: the exact fallback guarantees it.
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import type { Expr, Plan } from '../planner/plan.js';
import type { AnnSegment } from '../storage/api.js';
import type { Row } from '../types/types.js';
import { VectorCandidates } from './vector-candidates.js';
import { SegmentBreadth } from './search-breadth.js';
import type { DistanceOp } from '../ann/api.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { mapExpr } from '../planner/expr-walk.js';
import { vectorSearchCondition } from '../planner/scan-condition.js';
import { isZeroVector, withoutZeroVectors } from './zero-vectors.js';
import type { RunContext } from './operators.js';
import { chooseVectorStrategy, unfilteredExactCheaper, emptyVectorStats, noteBitmap, noteChoice, type SegmentChoice, type VectorSearchStats } from '../planner/vector-cost.js';
import { filteredHnswAvailable } from '../ann/filtered-hnsw.js';
import { zoneConditions } from './zone-conditions.js';
import { judgeFilteredWalk } from '../ann/trapped-walk.js';
import { chunkRanker, exactChunkRanker, rankChunks, vectorChunks } from '../query-worker/native-rank.js';
import { candidateCap, exactKernel } from '../query-worker/kernels.js';
import type { BitmapMatch, SearchSegment, ZoneCondition } from '../storage/api.js';
import { PAUSE, type Suspend, type TimeSlice } from './suspend.js';
import { bitmapInSlices } from './bitmap-slices.js';

export type { VectorSearchStats };

export function* indexedVectorTopK(
  plan: Extract<Plan, { kind: 'topk' }>,
  key: { column: number; query: Expr; op: DistanceOp; half?: boolean },
  k: number,
  offsetN: number,
  rc: RunContext,
  env: ExecEnv,
): Generator<Suspend, Row[] | undefined, unknown> {
  const scan = plan.input;
  const storage = rc.storage;
  if (scan.kind !== 'scan' || scan.withRowId) return undefined;
  const vs = plan.vectorSearch;
  if (!vs?.index) return undefined;
  const q = compileExpr(key.query)([], env);
  if (q === null) return undefined;
  const query = q as Float32Array;
  // the filter and the index's implied conditions; NULL vectors are left out by the search itself
  const { condition, nonNull, nonZero } = vectorSearchCondition(scan, key.column, { zeroVectors: true });
  const pred = condition ? compileExpr(condition) : null;
  const stats: VectorSearchStats = rc.vectorStats?.get(plan) ?? emptyVectorStats();
  rc.vectorStats?.set(plan, stats);
  const breadth = new SegmentBreadth(vs.index.method, env.ctx.setting.bind(env.ctx), k, stats);

  const candidates = new VectorCandidates(k, key.op, !!key.half, query);
  // Ties are broken by storage order (sealed segments by position, which is RowId order,
  // then everything scanned), as a sequential scan would return them.
  let scanSeq = 1e15;
  const nullRows: Row[] = [];
  /** whether the row became a candidate; `distance`: its pgvector distance, when known */
  const consider = (row: Row, order?: number, distance?: number, rank?: number): boolean => {
    const v = row[key.column];
    // NULL vectors sort last (ASC NULLS LAST): they only fill up a short result
    if (v === null) {
      if (!nonNull && nullRows.length < k) nullRows.push(row);
      return false;
    }
    if (nonZero && isZeroVector(v)) return false;
    stats.candidates++;
    if (rank !== undefined) candidates.offerRank(row, v as Float32Array, order ?? scanSeq++, rank);
    else if (distance === undefined) candidates.offer(row, v as Float32Array, order ?? scanSeq++);
    else candidates.offerMeasured(row, v as Float32Array, order ?? scanSeq++, distance);
    return true;
  };
  const passes = (row: Row) => !pred || pred(row, env) === true;
  // the columns the filter reads (undefined: it needs whole rows, e.g. a subquery)
  const filterColumns = condition ? columnsRead(condition) : undefined;
  const filter = pred ? { passes, columns: filterColumns, ...sortedColumnFilter(condition, env) } : null;
  const seen = candidateMatches(plan);

  const tables: readonly TableDef[] = scan.partitions ?? [scan.table];
  for (const table of tables) {
    const indexName = indexFor(table, vs.index.columns[0], key.op, vs.index.method, vs.index);
    const segments = indexName ? storage.annSegments(table.oid, indexName, rc.snapshot, rc.txn) : [];
    const sorting = env.synchronous ? undefined : sortedColumnsUnderWay(table, segments, filter?.indexed);
    if (sorting) yield { kind: 'suspend', wait: sorting };
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i];
      const base = (tables.indexOf(table) * 1e4 + i) * 1e9;
      const measureHits = tables.length === 1 && segments.length === 1;
      yield* searchSegment(seg, { column: key.column, query, k, ef: breadth.of(seg.index), op: key.op, nonZero, half: key.half, measureHits }, filter, (row, pos, distance, rank) => consider(row, base + pos, distance, rank), stats, env, rc.slice, seen);
    }
    const skip = new Set(segments.map((s) => s.id));
    for (const batch of storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) {
      if (rc.slice?.due()) yield PAUSE;
      env.checkCancel();
      for (const row of batch.rows) if (passes(row)) consider(row);
    }
  }
  const out = candidates.finish();
  for (const r of nullRows) if (out.length < k) out.push(r);
  return out.slice(offsetN);
}

/**
 * The filter's `column op value` conjuncts on integer and date/time columns (zoneConditions),
 * and whether they are the whole filter: a sealed segment finds their rows in its sorted
 * column index (storage/sorted-column.ts), built on first use (in a worker thread; until then
 * every row is tested) whether or not the user made a B-tree index on the column, as Milvus
 * gives numeric fields a sort index. Without it every
 * row's filter ran through a partial row (Fashion-MNIST, `sel < 1`, 0.1 %, no B-tree: 1.6 ms
 * of 3.4 ms a query, 294 QPS; with it the same as with a B-tree, 0.39 ms of server CPU a
 * query). The same for every table and segment of the scan.
 */
export function sortedColumnFilter(condition: Expr | null | undefined, env: ExecEnv): { indexed: ZoneCondition[]; onlyIndexed: boolean } {
  const indexed = zoneConditions(condition, env);
  return { indexed, onlyIndexed: coversFilter(indexed, condition) };
}

/**
 * The sorted column builds a filtered search waits for: those of the filter's columns that
 * have a B-tree index (an Index Scan on it waits for the same builds: index-scan.ts) and
 * are still being built on these segments. Without the wait every search until the build
 * is done tested every row of the segment on the session thread: right after a start or a
 * CREATE INDEX, Fashion-MNIST `f < 60` (0.1 %, 60,000 rows) ran 100-300 searches at
 * 1-3 ms instead of ~0.3 ms (bench/query-overhead.ts; forEachPartial was 125 us of every
 * query's average over the first 4,000). Undefined when nothing is under way.
 */
export function sortedColumnsUnderWay(table: TableDef, segments: readonly SearchSegment[], indexed: readonly ZoneCondition[] | undefined): Promise<unknown> | undefined {
  if (!indexed?.length) return undefined;
  const builds: Promise<unknown>[] = [];
  for (const column of new Set(indexed.map((c) => c.column))) {
    if (!table.indexes.some((i) => i.method === 'btree' && !i.expression && i.columns[0] === column)) continue;
    for (const seg of segments) {
      const pending = seg.sortedColumnPending?.(column);
      if (pending) builds.push(pending);
    }
  }
  return builds.length ? Promise.all(builds) : undefined;
}

/** Whether the conditions are every conjunct of the filter (nothing else to test). */
function coversFilter(conditions: readonly ZoneCondition[], filter: Expr | null | undefined): boolean {
  if (!filter || conditions.length === 0) return false;
  const count = (e: Expr): number => (e.kind === 'and' ? e.args.reduce((n, a) => n + count(a), 0) : 1);
  return count(filter) === conditions.length;
}

/**
 * The index on this table (or partition) for the column and operator: the planned one on
 * its own table (it may be a partial index the query's WHERE implies), else a full one.
 */
export function indexFor(table: TableDef, column: number, op: DistanceOp, method = 'hnsw', planned?: IndexDef): string | undefined {
  if (planned && planned.tableOid === table.oid) return planned.name;
  return table.indexes.find((i) => i.method === method && !i.predicate && !i.expression && i.columns[0] === column && opOfOpclass(i.opclasses[0]) === op)?.name;
}

/** Level-0 columns an expression reads, or undefined if it contains a subquery. */
export function columnsRead(e: Expr): number[] | undefined {
  const cols = new Set<number>();
  let ok = true;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery') ok = false;
    if (x.kind === 'column' && x.level === 0) cols.add(x.index);
    return ok ? undefined : x;
  });
  return ok ? [...cols] : undefined;
}

export function opOfOpclass(opclass: string): DistanceOp | undefined {
  switch (opclass.replace(/^(vector|halfvec)_/, '')) {
    case 'l2_ops': return '<->';
    case 'ip_ops': return '<#>';
    case 'cosine_ops': return '<=>';
    case 'l1_ops': return '<+>';
  }
  return undefined;
}

/** The filter as the segment's bitmap sees it: whole-row test, and the columns it reads. */
interface SegmentFilter {
  readonly passes: (row: Row) => boolean;
  /** undefined: the filter needs whole rows (a subquery) */
  readonly columns: number[] | undefined;
  /** conjuncts a sorted column answers (see sortedColumnFilter) */
  readonly indexed?: readonly ZoneCondition[];
  readonly onlyIndexed?: boolean;
}

/** What one segment search needs of the query. */
export interface SegmentQuery {
  readonly column: number;
  readonly query: Float32Array;
  readonly k: number;
  readonly ef: number;
  readonly op: DistanceOp;
  /** leave out zero vectors (a cosine index's implied condition: zero-vectors.ts) */
  readonly nonZero?: boolean;
  /** a halfvec key: its distances are not float vectors' (no exact native ranking) */
  readonly half?: boolean;
  /**
   * the only segment the index searches: an unfiltered walk's hits (at most k, all of them
   * kept) are offered with pgvector's distance, which the ranking computes for each of them
   * anyway, instead of a fast-kernel rank first (10 distances of 784 floats a query)
   */
  readonly measureHits?: boolean;
}

/**
 * The best allowed positions, ranked natively over the segment's contiguous vectors (one
 * call per chunk), best first, or undefined when that is not available. Ranked by
 * pgvector's own kernel where the addon has it (float vectors): `distances` are then the
 * operator's values, which the candidate heap takes as they are (offerMeasured); else the
 * best k + margin by the fast kernel, positions only, for the heap to measure.
 */
export function nativeExact(seg: AnnSegment, q: SegmentQuery, bits: Uint8Array | undefined): { positions: Int32Array; distances?: Float64Array } | undefined {
  const vectors = seg.sharedVectors?.(q.column);
  if (!vectors || vectors.dim !== q.query.length) return undefined;
  const exact = q.half ? undefined : exactChunkRanker(q.op, vectors.dim);
  // k + margin: a row the caller turns down (a zero vector) leaves the next ones
  if (exact) return rankChunks(exact, vectorChunks(vectors), q.query, candidateCap(q.k, true), 0, seg.length, bits);
  const ranker = chunkRanker(q.op, vectors.dim);
  if (!ranker) return undefined;
  return { positions: rankChunks(ranker, vectorChunks(vectors), q.query, candidateCap(q.k, true), 0, seg.length, bits).positions };
}

/**
 * Offers nativeExact's positions: measured ones best first until k became candidates (the
 * rest cannot be among the best k: ties are in position order, as the heap breaks them),
 * else all of them for the heap to measure.
 */
export function offerRanked(best: { positions: Int32Array; distances?: Float64Array }, k: number, offer: (pos: number, distance?: number) => boolean): void {
  const { positions, distances } = best;
  if (!distances) {
    for (const pos of positions) offer(pos);
    return;
  }
  for (let i = 0, taken = 0; i < positions.length && taken < k; i++) if (offer(positions[i]!, distances[i])) taken++;
}

/**
 * The segment's positions a search may return (visible, passing, vector not NULL), made
 * with a PAUSE whenever the statement's time slice is used up (bitmap-slices.ts).
 */
function* segmentBitmap(seg: AnnSegment, column: number, filter: SegmentFilter | null, k: number, slice: TimeSlice | undefined): Generator<Suspend, BitmapMatch, unknown> {
  // an unfiltered search of a segment without deletes or NULL vectors (the k-NN benchmark's):
  // matchBitmapSteps' answer without making its generator (profile: 55 us a query at load 17)
  if (!filter && seg.everyRowSearchable?.(column)) return { bits: undefined, count: seg.length, nullPositions: [] };
  if (seg.matchBitmap && (!filter || filter.columns)) {
    const test = filter ? (partial: Row) => filter.passes(partial) : undefined;
    return yield* bitmapInSlices(seg, column, test ? { columns: filter!.columns!, test, indexed: filter!.indexed, onlyIndexed: filter!.onlyIndexed } : null, k, slice);
  }
  // a filter reading whole rows: evaluate it row by row
  const bits = new Uint8Array((seg.length + 7) >> 3);
  let count = 0;
  const nullPositions: number[] = [];
  for (const r of seg.visibleRows()) {
    if (slice?.due()) yield PAUSE;
    if (filter && !filter.passes(r.row)) continue;
    if (r.row[column] === null) {
      if (nullPositions.length < k) nullPositions.push(r.pos);
      continue;
    }
    bits[r.pos >> 3] |= 1 << (r.pos & 7);
    count++;
  }
  return { bits, count, nullPositions };
}

/**
 * The share of a post-filter walk's candidates that passed the filter in this plan's
 * earlier runs (an average weighing the last run by a quarter), per Top-K plan node: a
 * prepared statement runs the same node again. A filter correlated with the query (the
 * query's own class: 10 % of the rows, about 80 % of its neighbours) then gets the narrow
 * walk it needs, where the table-wide selectivity would ask for eight times the candidates.
 */
export interface CandidateMatches { share?: number }
const matchesByPlan = new WeakMap<object, CandidateMatches>();

function candidateMatches(plan: object): CandidateMatches {
  let m = matchesByPlan.get(plan);
  if (!m) matchesByPlan.set(plan, (m = {}));
  return m;
}

/**
 * The in-thread search of one indexed sealed segment: bitmap (made between time slices),
 * choice by cost, run-time check.
 */
function* searchSegment(
  seg: AnnSegment, q: SegmentQuery, filter: SegmentFilter | null,
  consider: (row: Row, pos: number, distance?: number, rank?: number) => boolean | void, stats: VectorSearchStats, env: ExecEnv, slice: TimeSlice | undefined, seen: CandidateMatches = {},
): Generator<Suspend, void, unknown> {
  const { query, k, ef } = q;
  // a filter its sorted column answers is counted without a bitmap: the cost model may
  // then test it on the candidates of an unfiltered walk only (post-filter)
  const lazy = filter ? lazyChoice(seg, q, filter, stats, seen) : undefined;
  let shortWalk = false;
  // a run that does not post-filter moves the share seen back toward s by an eighth, so a
  // plan whose candidates once failed tries the narrow walk again now and then
  if (lazy && lazy.strategy !== 'post-filter' && seen.share !== undefined) seen.share += (lazy.selectivity - seen.share) / 8;
  if (lazy?.strategy === 'post-filter') {
    stats.segmentsByIndex++;
    if (postFiltered(seg, q, filter!, lazy, (pos) => { const r = seg.visibleRow(pos); if (r) consider(r.row, pos); }, stats, env, seen)) {
      stats.segmentsPostFiltered = (stats.segmentsPostFiltered ?? 0) + 1;
      noteBitmap(stats, { narrowed: true }, true); // the sorted column counted the rows
      return;
    }
    // too few of the candidates matched: exact over the bitmap (a switch)
    stats.segmentsByIndex--;
    countExact(stats, true);
    shortWalk = true;
  }
  const matched = yield* segmentBitmap(seg, q.column, filter, k, slice);
  const m = q.nonZero ? { ...matched, ...withoutZeroVectors(seg, q.column, matched) } : matched;
  noteBitmap(stats, m, filter !== null);
  const offer = (pos: number, distance?: number): boolean => {
    const r = seg.visibleRow(pos);
    return r ? consider(r.row, pos, distance) !== false : false;
  };
  for (const pos of m.nullPositions) offer(pos);
  if (m.count === 0) return;
  const exactScan = (bits: Uint8Array | undefined) => {
    env.checkCancel();
    const best = nativeExact(seg, q, bits);
    if (best) offerRanked(best, k, offer);
    else for (let pos = 0; pos < seg.length; pos++) if (!bits || (bits[pos >> 3] >> (pos & 7)) & 1) offer(pos);
  };
  if (shortWalk) {
    stats.segmentsExact++;
    exactScan(m.bits);
    return;
  }
  if (!m.bits && smallSegmentExact(seg, k, ef)) {
    stats.segmentsExact++;
    exactScan(undefined);
    return;
  }
  stats.segmentsByIndex++;
  if (!m.bits) {
    // every position qualifies: a plain search
    const hits = seg.index.search(query, k, ef);
    // an unquantized l2 index's hit distances rank the hits as the fast kernel would (no
    // distance computed again; pgvector's only for near ties: VectorCandidates.finish);
    // else the only segment's hits (all kept) get pgvector's distance at once
    const byRank = !q.half && q.op === '<->' && seg.index.rankDistances === true;
    const exact = !byRank && q.measureHits && !q.half && q.op !== '<#>' ? exactKernel(q.op, false) : undefined;
    for (const h of hits) {
      if (!exact && !byRank) {
        offer(h.position);
        continue;
      }
      const r = seg.visibleRow(h.position);
      if (!r) continue;
      const v = r.row[q.column];
      if (byRank) consider(r.row, h.position, undefined, v === null ? undefined : h.distance);
      else consider(r.row, h.position, v === null || v === undefined ? undefined : exact!(v as Float32Array, query));
    }
    return;
  }
  const bits = m.bits;
  const choice = segmentChoice(seg, m.count, k, ef, stats);
  if (choice.strategy === 'exact') {
    stats.segmentsByIndex--;
    stats.segmentsExact++;
    exactScan(bits);
    return;
  }
  if (choice.strategy === 'in-graph') {
    const r = seg.index.filteredSearch?.(query, k, ef, bits, choice.budget);
    const verdict = judgeFilteredWalk(seg.index, query, r, k, m.count / seg.length);
    if (verdict === 'ok') {
      stats.segmentsInGraph = (stats.segmentsInGraph ?? 0) + 1;
      for (const h of r!.hits) offer(h.position);
      return;
    }
    countExact(stats, verdict === 'switch');
    exactScan(bits);
    return;
  }
  let want = choice.want;
  for (let widenings = 0; ; widenings++) {
    env.checkCancel();
    const n = Math.min(want, seg.length);
    // the index applies at least n itself (HNSW); IVFFlat's breadth (probes) must not be raised to n
    const found = seg.index.search(query, n, ef).filter((h) => (bits[h.position >> 3] >> (h.position & 7)) & 1);
    if (found.length >= k) {
      for (const h of found) offer(h.position);
      return;
    }
    if (n >= seg.length || widenings === 1) {
      // the index gave all it has, or the one widening came back short: exact
      countExact(stats, n < seg.length);
      exactScan(bits);
      return;
    }
    stats.widenings++;
    want = n * 4;
  }
}

/**
 * The cost model's choice before any bitmap is made, when the segment counts the filter's
 * rows from its sorted column (storage filterCount: an HNSW index and a filter that is
 * only `column op value` conjuncts on one column); undefined otherwise. Its estimate is
 * shown only when it picks post-filter: else the bitmap's exact count chooses again.
 */
function lazyChoice(seg: AnnSegment, q: SegmentQuery, filter: SegmentFilter, stats: VectorSearchStats, seen: CandidateMatches): SegmentChoice | undefined {
  if (seg.index.kind !== 'hnsw' || !filter.onlyIndexed || !filter.columns || !seg.filterCount) return undefined;
  const count = seg.filterCount({ columns: filter.columns, test: filter.passes, indexed: filter.indexed, onlyIndexed: true });
  if (count === undefined) return undefined;
  const choice = chooseVectorStrategy({
    rows: Math.min(seg.length, seg.index.size), matching: count, k: q.k, ef: q.ef, m: seg.index.m ?? 16,
    inGraph: !!seg.index.filteredSearch && filteredHnswAvailable(), lazyFilter: true, dims: q.query.length, candidateShare: seen.share,
  });
  if (choice.strategy === 'post-filter') noteChoice(stats, choice);
  return choice;
}

/**
 * ANN then filter with no bitmap (post-filter): an unfiltered walk for `postWant`
 * candidates, and the filter (with visibility, and the zero-vector condition of a cosine
 * index) tested on each through its partial row. True when k of them matched: they are
 * offered. Short, it widens once (×4) when the candidates matched at least a quarter as
 * often as expected (k / 2 of them or more: an unlucky walk), else (a filter correlated
 * against the query's region) and after the widening it answers false and the caller
 * scans exactly.
 */
function postFiltered(
  seg: AnnSegment, q: SegmentQuery, filter: SegmentFilter, choice: SegmentChoice,
  offer: (pos: number) => void, stats: VectorSearchStats, env: ExecEnv, seen: CandidateMatches,
): boolean {
  const columns = q.nonZero ? [...new Set([...filter.columns!, q.column])] : filter.columns!;
  let n = Math.min(choice.postWant ?? choice.want, seg.length);
  for (let widenings = 0; ; widenings++) {
    env.checkCancel();
    const hits = seg.index.search(q.query, n, q.ef);
    const found: number[] = [];
    for (const h of hits) {
      const r = seg.visibleRow(h.position, columns);
      if (!r || !filter.passes(r.row) || (q.nonZero && isZeroVector(r.row[q.column]))) continue;
      found.push(h.position);
    }
    const share = hits.length ? found.length / hits.length : 0;
    seen.share = seen.share === undefined ? share : 0.75 * seen.share + 0.25 * share;
    if (found.length >= q.k) {
      // ranked by the index's own (exact f32) distance: the first k and a margin for
      // rounding; a quantized index returns more than n approximate hits: offer them all
      const offered = hits.length > n ? found : found.slice(0, candidateCap(q.k, true));
      for (const pos of offered) offer(pos);
      return true;
    }
    if (widenings === 1 || n >= seg.length || share < choice.postSelectivity! / 4) return false;
    stats.widenings++;
    n = Math.min(n * 4, seg.length);
  }
}

/** An unfiltered search of an HNSW segment so small that ranking every row is cheaper (and exact). */
export function smallSegmentExact(seg: AnnSegment, k: number, ef: number): boolean {
  return seg.index.kind === 'hnsw' && unfilteredExactCheaper(seg.length, k, ef, seg.index.m ?? 16);
}

/** A run-time change of plan: the estimate was wrong (switch) or the index ran dry. */
export function countExact(stats: VectorSearchStats, switched: boolean): void {
  if (switched) stats.switches = (stats.switches ?? 0) + 1;
  else stats.exactFallbacks++;
}

/** The cost model's choice for a segment with `matching` allowed positions. */
export function segmentChoice(seg: AnnSegment, matching: number, k: number, ef: number, stats: VectorSearchStats): SegmentChoice {
  const choice = chooseVectorStrategy({
    // a partial HNSW index holds fewer rows than its segment: the filter is that much less selective in it
    rows: seg.index.kind === 'hnsw' ? Math.min(seg.length, seg.index.size) : seg.length, matching, k, ef, m: seg.index.m ?? 16,
    inGraph: !!seg.index.filteredSearch && filteredHnswAvailable(),
  });
  noteChoice(stats, choice);
  return choice;
}
