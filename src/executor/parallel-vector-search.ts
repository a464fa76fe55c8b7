/**
 * Vector top-k with query workers: the async twins of the exact Top-K operator's scan
 * (operators.ts, vectorTopK) and of indexedVectorTopK (vector-search.ts), returning the
 * same rows.
 *
 * Per sealed segment the coordinator (this thread) turns visibility, NULL vectors and the
 * scalar filter into one position bitmap (storage's matchBitmap), then sends plain
 * requests to the pool: exact top-k over ranges of positions split across the workers,
 * or one ANN search per indexed segment (widening and its exact fallback happen in the
 * worker). While the workers run, the coordinator scans what is not sealed (growing
 * segment, the transaction's own rows). Every position a worker returns is offered, with
 * its row, to the same VectorCandidates heap the in-thread path uses, which ranks the
 * final candidates by pgvector's exact kernel: distances and order are the SQL operator's.
 *
 * Either function returns undefined when the query is not one it can serve (no pool, a
 * filter with a subquery, vectors not in shared memory, a dimension mismatch whose error
 * the in-thread path raises); the caller then runs the in-thread path.
 */
import type { DistanceOp } from '../ann/api.js';
import { prunePartitions } from '../planner/partition-pruning.js';
import type { Expr, Plan } from '../planner/plan.js';
import type { TableDef } from '../catalog/catalog.js';
import { candidateCap, rankKernel } from '../query-worker/kernels.js';
import { chunkRanker } from '../query-worker/native-rank.js';
import type { PendingRequest, SegmentSearchPool, SegmentRef } from '../query-worker/pool.js';
import type { Hits } from '../query-worker/protocol.js';
import type { BitmapFilter, SearchSegment } from '../storage/api.js';
import type { Row } from '../types/types.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { VectorCandidates } from './vector-candidates.js';
import { sortedColumnFilter, sortedColumnsUnderWay, columnsRead, countExact, indexFor, nativeExact, offerRanked, segmentChoice, smallSegmentExact } from './vector-search.js';
import { emptyVectorStats, noteBitmap, type VectorSearchStats } from '../planner/vector-cost.js';
import { SegmentBreadth } from './search-breadth.js';
import { vectorSearchCondition } from '../planner/scan-condition.js';
import { isZeroVector, withoutZeroVectors } from './zero-vectors.js';
import { bitmapBetweenTurns } from './bitmap-slices.js';

type TopKPlan = Extract<Plan, { kind: 'topk' }>;
type ScanPlan = Extract<Plan, { kind: 'scan' }>;

export interface VectorKey {
  readonly column: number;
  readonly query: Expr;
  readonly op: DistanceOp;
  readonly half?: boolean;
}

/**
 * The Top-K operator's entry: through the index when the plan chose one, else exact;
 * undefined when the in-thread path must run instead.
 */
export function parallelVectorTopK(
  plan: TopKPlan, key: VectorKey, k: number, offsetN: number, rc: RunContext, env: ExecEnv, pool: SegmentSearchPool, early?: EarlyStart,
): Promise<Row[] | undefined> {
  return plan.vectorSearch?.index ? parallelIndexedVectorTopK(plan, key, k, offsetN, rc, env, pool, early) : parallelExactVectorTopK(plan, key, k, offsetN, rc, env, pool);
}

/**
 * A search started before its operator runs, to overlap other work on this thread
 * (early-vector-search.ts). One that would stay in-thread (a single segment, no other
 * session searching) is not started: it answers undefined, and its operator searches here.
 * Sent to a worker anyway, it made a single session's hybrid query 0.3-0.8 ms slower (p50,
 * 20,000 documents): the hop and the answer's turn of the event loop cost more than the
 * ~0.5 ms in-thread HNSW search they overlapped.
 */
export interface EarlyStart {
  /** an indexed search's counts (EXPLAIN ANALYZE), kept apart until its answer is taken */
  stats?: VectorSearchStats;
}

/**
 * Matching rows × dimensions up to which a segment's exact top-k runs in this thread (one
 * native call, well under a millisecond) rather than as worker requests: 300 rows of
 * Fashion-MNIST's 784 dimensions
 */
const IN_THREAD_EXACT_ELEMENTS = 1 << 18;

/** Batches of rows scanned here with fewer rows than this are ranked row by row (a native call costs ~1 µs). */
const NATIVE_BATCH_MIN_ROWS = 16;
/** A segment is split into ranges of at least this many rows, one exact request each. */
const MIN_RANGE_ROWS = 8192;
/** How often a waiting coordinator looks for a cancel request (ms). */
const CANCEL_POLL_MS = 20;
/**
 * Tie order = scan order, as explicit numbers: table (partition) t, sealed segment s,
 * position p → t·1e13 + s·1e8 + p; rows scanned on the coordinator after a table's sealed
 * segments → t·1e13 + 9e12 + n. (Exact below 2^53 for up to 900 partitions.)
 */
const TABLE_ORDER = 1e13;
const SEGMENT_ORDER = 1e8;
const REST_ORDER = 9e12;

type Filter = BitmapFilter | null;

/** The coordinator's state of one top-k: candidates, NULL-vector rows, pending requests. */
class CoordinatedTopK {
  readonly candidates: VectorCandidates;
  readonly nullRows: Row[] = [];
  readonly pending: PendingRequest[] = [];
  readonly work: Promise<void>[] = [];
  readonly keep: number;

  /**
   * nonNull: the scan's condition leaves out NULL vectors (rather than returning them last);
   * nonZero: and zero vectors (zero-vectors.ts)
   */
  constructor(readonly k: number, readonly key: VectorKey, readonly query: Float32Array, readonly pool: SegmentSearchPool,
    readonly nonNull: boolean, readonly nonZero: boolean) {
    this.candidates = new VectorCandidates(k, key.op, !!key.half, query);
    this.keep = candidateCap(k, rankKernel(key.op, !!key.half, query.length).twoStep);
  }

  /** whether the row became a candidate; `distance`: its pgvector distance, when known */
  consider(row: Row, order: number, distance?: number): boolean {
    const v = row[this.key.column];
    // NULL vectors sort last (ASC NULLS LAST): they only fill up a short result
    if (v === null) {
      if (!this.nonNull && this.nullRows.length < this.k) this.nullRows.push(row);
      return false;
    }
    if (this.nonZero && isZeroVector(v)) return false;
    if (distance === undefined) this.candidates.offer(row, v as Float32Array, order);
    else this.candidates.offerMeasured(row, v as Float32Array, order, distance);
    return true;
  }

  /**
   * The rows scanned here (not sealed, or not searched by workers), after `base` in tie
   * order. A batch's vectors are copied side by side and ranked in one native call, which
   * keeps the best `keep` for the candidate heap: one simsimd call per row from JavaScript
   * (~200 ns each at 64 dimensions) was the largest cost of a k-NN under 200 sessions of
   * mixed-200 (scanRest 7.1 s of 35 s; the growing segment holds up to 16k rows).
   */
  scanRest(batches: Iterable<readonly Row[]>, passes: (row: Row) => boolean, base: number, env: ExecEnv): void {
    let n = 0;
    const dim = this.query.length;
    const ranker = chunkRanker(this.key.op, dim);
    const col = this.key.column;
    for (const rows of batches) {
      env.checkCancel();
      if (!ranker || this.key.half || rows.length < NATIVE_BATCH_MIN_ROWS) {
        for (const row of rows) if (passes(row)) this.consider(row, base + n++);
        continue;
      }
      const kept: Row[] = [];
      const order: number[] = [];
      const data = new Float32Array(rows.length * dim);
      for (const row of rows) {
        if (!passes(row)) continue;
        const v = row[col];
        const seq = base + n++;
        // NULLs, zero vectors and a mismatched dimension (the exact path raises pgvector's error) go row by row
        if (v === null || (v as Float32Array).length !== dim || (this.nonZero && isZeroVector(v))) {
          this.consider(row, seq);
          continue;
        }
        data.set(v as Float32Array, kept.length * dim);
        kept.push(row);
        order.push(seq);
      }
      if (kept.length === 0) continue;
      const best = ranker(data, this.query, Math.min(this.keep, kept.length), 0, kept.length, 0);
      for (const i of best.positions) this.consider(kept[i], order[i]);
    }
  }

  addNulls(seg: SearchSegment, positions: readonly number[]): void {
    if (this.nonNull) return;
    for (const pos of positions) {
      const r = seg.visibleRow(pos);
      if (r && this.nullRows.length < this.k) this.nullRows.push(r.row);
    }
  }

  /** Track a request; its hits are offered when it answers. */
  track(req: PendingRequest, seg: SearchSegment, base: number, then?: (r: { exhausted?: boolean; widenings?: number; switched?: boolean }) => void): void {
    this.pending.push(req);
    this.work.push(req.done.then((r) => {
      then?.(r);
      this.offerHits(seg, base, r.hits!);
    }));
  }

  /** one position ranked in this thread */
  offerPosition(seg: SearchSegment, pos: number, base: number, distance?: number): boolean {
    const r = seg.visibleRow(pos);
    return r ? this.consider(r.row, base + pos, distance) : false;
  }

  private offerHits(seg: SearchSegment, base: number, hits: Hits): void {
    for (const pos of hits.positions) {
      const r = seg.visibleRow(pos);
      if (r) this.consider(r.row, base + pos);
    }
  }

  /** Exact top-k of the allowed positions, split into ranges across the workers. */
  exactRanges(seg: SearchSegment, ref: SegmentRef, allowed: Uint8Array | undefined, base: number): void {
    const parts = Math.max(1, Math.min(this.pool.size, Math.floor(seg.length / MIN_RANGE_ROWS)));
    const step = Math.ceil(seg.length / parts);
    for (let start = 0; start < seg.length; start += step) {
      const body = {
        kind: 'exactTopK' as const, query: this.query, op: this.key.op, half: !!this.key.half, keep: this.keep,
        start, end: Math.min(seg.length, start + step), ...(allowed ? { allowed } : {}),
      };
      this.track(this.pool.exactTopK(ref, body), seg, base);
    }
  }

  /**
   * The statement failed (a cancel while a later segment's bitmap was made) before settle:
   * the requests sent so far are cancelled, and their outcome no longer matters.
   */
  abandon(): void {
    for (const w of this.work) w.catch(() => {});
    for (const p of this.pending) this.pool.cancel(p.id);
  }

  /** Wait for every request, looking for a cancel meanwhile; on any failure cancel the rest. */
  async settle(env: ExecEnv): Promise<void> {
    let timer: ReturnType<typeof setInterval> | undefined;
    const cancelled = new Promise<never>((_, reject) => {
      timer = setInterval(() => {
        try { env.checkCancel(); } catch (e) { reject(e); }
      }, CANCEL_POLL_MS);
    });
    try {
      await Promise.race([Promise.all(this.work), cancelled]);
    } catch (e) {
      for (const p of this.pending) this.pool.cancel(p.id);
      throw e;
    } finally {
      clearInterval(timer);
    }
  }

  finish(offsetN: number): Row[] {
    const out = this.candidates.finish();
    for (const r of this.nullRows) if (out.length < this.k) out.push(r);
    return out.slice(offsetN);
  }
}

/** The scan's condition (vectorSearchCondition) for matchBitmap, with the conjuncts a sorted column answers; undefined when it needs whole rows (a subquery). */
function filterOf(condition: Expr | null, env: ExecEnv): Filter | undefined {
  if (!condition) return null;
  const columns = columnsRead(condition);
  if (!columns) return undefined;
  const pred = compileExpr(condition);
  return { columns, test: (partial) => pred(partial, env) === true, ...sortedColumnFilter(condition, env) };
}

function passesOf(condition: Expr | null, env: ExecEnv): (row: Row) => boolean {
  if (!condition) return () => true;
  const pred = compileExpr(condition);
  return (row) => pred(row, env) === true;
}

/** The query vector, or undefined (NULL: the in-thread path returns input order). */
function queryVector(key: VectorKey, env: ExecEnv): Float32Array | undefined {
  const q = compileExpr(key.query)([], env);
  return q === null ? undefined : (q as Float32Array);
}

/** The segment's vectors for workers, if shared and of the query's dimension. */
function segmentRef(seg: SearchSegment, column: number, dims: number, index?: { name: string; file: SegmentRef['indexes'] }): SegmentRef | undefined {
  const vectors = seg.sharedVectors?.(column);
  if (!vectors || vectors.dim !== dims || !seg.matchBitmap) return undefined;
  return index ? { vectors, indexes: index.file } : { vectors };
}

/**
 * Exact vector top-k (no index) of `ORDER BY col <op> q LIMIT k` over a plain scan: sealed
 * segments in the workers, the rest here.
 */
export async function parallelExactVectorTopK(
  plan: TopKPlan, key: VectorKey, k: number, offsetN: number, rc: RunContext, env: ExecEnv, pool: SegmentSearchPool | undefined,
): Promise<Row[] | undefined> {
  const scan = plan.input;
  const storage = rc.storage;
  if (!pool || scan.kind !== 'scan' || scan.withRowId || scan.keyLookup) return undefined;
  const query = queryVector(key, env);
  const { condition, nonNull, nonZero } = vectorSearchCondition(scan, key.column, { zeroVectors: true });
  const filter = filterOf(condition, env);
  if (!query || filter === undefined) return undefined;
  const tables = scannedTables(scan, rc, env);
  const segments = tables.map((t) => storage.searchSegments(t.oid, rc.snapshot, rc.txn));
  const refs = segments.map((segs) => segs.map((s) => segmentRef(s, key.column, query.length)));
  if (refs.some((rs) => rs.some((r) => !r))) return undefined;

  const top = new CoordinatedTopK(k, key, query, pool, nonNull, nonZero);
  const passes = passesOf(condition, env);
  try {
    for (const [ti, table] of tables.entries()) {
      for (const [si, seg] of segments[ti].entries()) {
        const matched = await bitmapBetweenTurns(seg, key.column, filter, k, rc.slice, () => env.checkCancel());
        const m = nonZero ? { ...matched, ...withoutZeroVectors(seg, key.column, matched) } : matched;
        top.addNulls(seg, m.nullPositions);
        if (m.count > 0) top.exactRanges(seg, refs[ti][si]!, m.bits, ti * TABLE_ORDER + si * SEGMENT_ORDER);
      }
      const skip = new Set(segments[ti].map((s) => s.id));
      top.scanRest(restRows(rc, table, skip), passes, ti * TABLE_ORDER + REST_ORDER, env);
    }
  } catch (e) {
    // a cancel while a bitmap was made: the requests sent so far are not waited for
    top.abandon();
    throw e;
  }
  await top.settle(env);
  return top.finish(offsetN);
}

/** Batches of the rows not in `skip` (growing segment, the transaction's own rows, …). */
function* restRows(rc: RunContext, table: TableDef, skip: ReadonlySet<number>): Iterable<readonly Row[]> {
  for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) yield batch.rows;
}

/** The partitions a scan reads, after run-time pruning on $n (as the scan operator does). */
function scannedTables(scan: ScanPlan, rc: RunContext, env: ExecEnv): readonly TableDef[] {
  const tables = scan.partitions ?? [scan.table];
  if (!scan.partitions || !scan.filter) return tables;
  const valueOf = (e: Expr) => (e.kind === 'const' ? { value: e.value } : e.kind === 'param' ? { value: env.params[e.index] ?? null } : undefined);
  const keep = new Set(prunePartitions(rc.system.catalog, scan.table, scan.filter, valueOf).map((t) => t.oid));
  return tables.filter((t) => keep.has(t.oid));
}

/**
 * In-thread or worker for one unfiltered HNSW search (one indexed sealed segment): a
 * worker gives no parallelism to a single search, only its hop (postMessage, the worker's
 * wake-up, the answer's message) — measured on Fashion-MNIST (60k × 784, ef 40, one
 * connection, bench/knn-overhead.ts): 546 QPS through a worker, 847 in-thread. But when
 * several sessions search at once, workers spread their searches over the cores. So the
 * search stays in-thread while no other session has run a vector top-k within
 * ALONE_WINDOW_MS; exact scans without an index and several segments always go to the
 * workers. The same holds for a filtered search of one indexed segment: measured on
 * 20k × 128 (one sealed segment, B-tree-free filter f < 40, one connection, load ~8),
 * 18.0 ms a query through the workers (mostly waiting for them), see the commit for after.
 */
const ALONE_WINDOW_MS = 50;
const lastSearch = new Map<object, number>();

/** Records this session's search; true if no other session searched within the window. */
export function aloneSearching(session: object | undefined, now = performance.now()): boolean {
  if (!session) return false;
  let alone = true;
  for (const [s, at] of lastSearch) {
    if (now - at > ALONE_WINDOW_MS) lastSearch.delete(s); // forget sessions gone quiet (or closed)
    else if (s !== session) alone = false;
  }
  lastSearch.set(session, now);
  return alone;
}

/**
 * Whether an indexed search stays in this thread (one indexed sealed segment and no other
 * session searching: aloneSearching, which records this search), decided before anything
 * is prepared for the workers. parallelIndexedVectorTopK finds the same at the end of its
 * set-up (query vector, filter compiled, segments, index file references) and the
 * in-thread search then did all of it again, after a promise's turn: ~15-20 us of every
 * single-session k-NN query (profile: parallelVectorTopK 19 us inclusive). False when the
 * plan is not such a search (the caller goes on as before).
 */
export function indexedSearchStaysInThread(plan: TopKPlan, key: VectorKey, rc: RunContext): boolean {
  const scan = plan.input;
  const vs = plan.vectorSearch;
  if (scan.kind !== 'scan' || scan.withRowId || !vs?.index) return false;
  let segments = 0;
  for (const table of scan.partitions ?? [scan.table]) {
    const name = indexFor(table, vs.index.columns[0], key.op, vs.index.method, vs.index);
    // counted, not made: the in-thread search makes them next (two sets of search views a query: profile 50 us at load 17)
    if (name) segments += rc.storage.annSegmentCount?.(table.oid, name, rc.snapshot) ?? rc.storage.annSegments(table.oid, name, rc.snapshot, rc.txn).length;
    if (segments > 1) return false;
  }
  return aloneSearching(rc.session);
}

/**
 * indexedVectorTopK with the per-segment work in workers. Per indexed sealed segment the
 * filter's bitmap is built here (its count is exact, not sampled), the cost model picks
 * exact (top-k of the matches, split across the workers), in-graph filtered search, or
 * ANN then filter; the worker switches to exact when the index search falls short.
 */
export async function parallelIndexedVectorTopK(
  plan: TopKPlan, key: VectorKey, k: number, offsetN: number, rc: RunContext, env: ExecEnv, pool: SegmentSearchPool | undefined, early?: EarlyStart,
): Promise<Row[] | undefined> {
  const scan = plan.input;
  const storage = rc.storage;
  const vs = plan.vectorSearch;
  if (!pool || scan.kind !== 'scan' || scan.withRowId || !vs?.index) return undefined;
  const query = queryVector(key, env);
  const { condition, nonNull, nonZero } = vectorSearchCondition(scan, key.column, { zeroVectors: true });
  const filter = filterOf(condition, env);
  if (!query || filter === undefined) return undefined;
  // an early search counts apart: its counts join the plan's only if its answer is taken
  const stats: VectorSearchStats = early ? (early.stats = emptyVectorStats()) : rc.vectorStats?.get(plan) ?? emptyVectorStats();
  if (!early) rc.vectorStats?.set(plan, stats);
  const breadth = new SegmentBreadth(vs.index.method, env.ctx.setting.bind(env.ctx), k, stats);

  const tables: readonly TableDef[] = scan.partitions ?? [scan.table];
  const indexNames = tables.map((t) => indexFor(t, vs.index!.columns[0], key.op, vs.index!.method, vs.index));
  const segments = tables.map((t, ti) => (indexNames[ti] ? storage.annSegments(t.oid, indexNames[ti]!, rc.snapshot, rc.txn) : []));
  const refs = segments.map((segs, ti) => segs.map((s) => {
    const file = s.index.fileRef?.();
    return file ? segmentRef(s, key.column, query.length, { name: indexNames[ti]!, file: new Map([[indexNames[ti]!, file]]) }) : undefined;
  }));
  if (refs.some((rs) => rs.some((r) => !r))) return undefined;

  // one segment and no other session searching: the hop costs more than it saves, with or
  // without a filter (a filtered search is one walk or one exact pass over the matches too)
  if (segments.reduce((n, segs) => n + segs.length, 0) <= 1 && aloneSearching(rc.session)) return undefined;

  for (const [ti, table] of tables.entries()) {
    const sorting = sortedColumnsUnderWay(table, segments[ti]!, filter?.indexed);
    if (sorting) {
      await sorting;
      env.checkCancel();
    }
  }
  const top = new CoordinatedTopK(k, key, query, pool, nonNull, nonZero);
  const passes = passesOf(condition, env);
  try {
    for (const [ti, table] of tables.entries()) {
      for (const [si, seg] of segments[ti].entries()) {
        const base = ti * TABLE_ORDER + si * SEGMENT_ORDER;
        const matched = await bitmapBetweenTurns(seg, key.column, filter, k, rc.slice, () => env.checkCancel());
        const m = nonZero ? { ...matched, ...withoutZeroVectors(seg, key.column, matched) } : matched;
        noteBitmap(stats, m, filter !== null);
        top.addNulls(seg, m.nullPositions);
        if (m.count === 0) continue;
        const ef = breadth.of(seg.index);
        let want = k;
        let inGraph: { budget: number; allowed: number } | undefined;
        if (!m.bits && smallSegmentExact(seg, k, ef)) {
          stats.segmentsExact++;
          const few = nativeExact(seg, { column: key.column, query, k, ef, op: key.op, half: key.half }, undefined);
          if (few) offerRanked(few, k, (pos, distance) => top.offerPosition(seg, pos, base, distance));
          else top.exactRanges(seg, refs[ti][si]!, undefined, base);
          continue;
        }
        if (m.bits) {
          // a filter, deleted rows or NULL vectors: choose by cost (the count is exact)
          const choice = segmentChoice(seg, m.count, k, ef, stats);
          if (choice.strategy === 'exact') {
            stats.segmentsExact++;
            // a few matching rows rank here in one native call: cheaper than a worker's hop
            const few = m.count * query.length <= IN_THREAD_EXACT_ELEMENTS
              ? nativeExact(seg, { column: key.column, query, k, ef, op: key.op, half: key.half }, m.bits) : undefined;
            if (few) offerRanked(few, k, (pos, distance) => top.offerPosition(seg, pos, base, distance));
            else top.exactRanges(seg, refs[ti][si]!, m.bits, base);
            continue;
          }
          if (choice.strategy === 'in-graph') {
            inGraph = { budget: choice.budget, allowed: m.count };
            want = top.keep;
          } else {
            want = choice.want;
          }
        }
        stats.segmentsByIndex++;
        const body = {
          kind: 'annSearch' as const, index: indexNames[ti]!, query, k, ef, want, op: key.op, half: !!key.half, keep: top.keep,
          ...(m.bits ? { allowed: m.bits } : {}), ...(inGraph ? { inGraph } : {}),
        };
        top.track(pool.annSearch(refs[ti][si]!, body), seg, base, (r) => {
          stats.widenings += r.widenings ?? 0;
          if (r.exhausted) countExact(stats, r.switched === true);
          else if (inGraph) stats.segmentsInGraph = (stats.segmentsInGraph ?? 0) + 1;
        });
      }
      const skip = new Set(segments[ti].map((s) => s.id));
      top.scanRest(restRows(rc, table, skip), passes, ti * TABLE_ORDER + REST_ORDER, env);
    }
  } catch (e) {
    // a cancel while a bitmap was made: the requests sent so far are not waited for
    top.abandon();
    throw e;
  }
  await top.settle(env);
  stats.candidates += top.candidates.considered;
  return top.finish(offsetN);
}
