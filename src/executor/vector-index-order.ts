/**
 * ORDER BY distance without LIMIT through a vector index (a TopK without a limit, planned
 * by rules/order-by-vector-index.ts when the index is forced), answered as pgvector's
 * index scan answers it — measured against pgvector 0.8 on PostgreSQL 15:
 *
 *   - HNSW, hnsw.iterative_scan off: what one search yields, the hnsw.ef_search nearest
 *     rows the index holds; the filter is applied to those (100 rows, ef_search 10: 10
 *     rows, 6 of them with `WHERE id % 2 = 0`). A partitioned table searches each
 *     partition's index (a Merge Append of index scans: 2 partitions, 20 rows). Quiver runs
 *     the LIMIT ef_search top-k (every path: query workers, cluster query nodes) on the
 *     scan without its filter, per partition, then merges and filters.
 *   - HNSW with iterative scan (strict_order or relaxed_order): the hnsw.max_scan_tuples
 *     nearest rows (at least ef_search), nearest first (exact order, which relaxed_order
 *     also allows), then the filter. pgvector counts the elements its walk visits and,
 *     once past the bound, returns every visited one: about that many rows (hnswscan.c).
 *   - IVFFlat: the rows of the ivfflat.probes lists nearest the query (of ivfflat.max_probes
 *     lists with ivfflat.iterative_scan on) in each indexed sealed segment, and every row not
 *     in one (the growing segment), filtered, nearest first.
 *
 * Rows the index cannot hold never come: they fail the scan's implied conditions
 * (indexQual), which every path tests.
 */
import type { Expr, Plan } from '../planner/plan.js';
import { scanCondition } from '../planner/scan-condition.js';
import { indexFor } from './vector-search.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import { gather, type Step } from './suspend.js';
import { T, type Row } from '../types/types.js';
import type { DistanceOp } from '../ann/api.js';
import { emptyVectorStats } from '../planner/vector-cost.js';
import type { PartitionRun } from '../planner/explain.js';

type TopKPlan = Extract<Plan, { kind: 'topk' }>;
type ScanPlan = Extract<Plan, { kind: 'scan' }>;
type Run = (plan: Plan) => Iterable<Step>;

/** The rows of an unlimited TopK over a vector index, in its order, after its OFFSET. */
export function* vectorIndexOrder(plan: TopKPlan, offsetN: number, rc: RunContext, env: ExecEnv, run: Run): Generator<Step, void, unknown> {
  const scan = plan.input as ScanPlan;
  const index = plan.vectorSearch!.index!;
  const setting = (name: string) => env.ctx.setting(name);
  let rows: Row[];
  if (index.method === 'ivfflat') {
    const iterative = (setting('ivfflat.iterative_scan') ?? 'off') !== 'off';
    const probes = Math.max(1, Number(setting(iterative ? 'ivfflat.max_probes' : 'ivfflat.probes') ?? 1) || 1);
    rows = ordered(plan, probedRows(plan, scan, probes, rc, env), env);
  } else {
    let ef = Math.max(1, Number(setting('hnsw.ef_search') ?? 40) || 40);
    // an iterative scan goes on to hnsw.max_scan_tuples rows, and no further than
    // work_mem × hnsw.scan_mem_multiplier holds of their vectors (pgvector stops its walk at
    // that much memory too, counting its own elements)
    if ((setting('hnsw.iterative_scan') ?? 'off') !== 'off') {
      const tuples = Number(setting('hnsw.max_scan_tuples') ?? 20000) || 20000;
      const memory = (rc.workMemBytes ?? Infinity) * (Number(setting('hnsw.scan_mem_multiplier') ?? 1) || 1);
      ef = Math.max(ef, Math.min(tuples, Math.floor(memory / vectorBytes(plan, scan))));
    }
    // the searches count into this node's statistics (EXPLAIN ANALYZE)
    const stats = rc.vectorStats && (rc.vectorStats.get(plan) ?? emptyVectorStats());
    if (stats) rc.vectorStats!.set(plan, stats);
    const search = (input: ScanPlan) => {
      const topk = oneSearch(plan, input, ef);
      if (stats) rc.vectorStats!.set(topk, stats);
      return run(topk);
    };
    const pred = scan.filter ? compileExpr(scan.filter) : null;
    if (scan.partitions) {
      const found: Row[] = [];
      // EXPLAIN ANALYZE: each partition's Index Scan under the Merge Append, its rows those its Filter kept
      const runs = rc.partitionRuns && (rc.partitionRuns.get(plan) ?? new Map<number, PartitionRun>());
      if (runs) rc.partitionRuns!.set(plan, runs);
      for (const p of scan.partitions) {
        const t0 = performance.now();
        const got = yield* gather(search({ ...scan, partitions: [p] }));
        found.push(...got);
        if (!runs) continue;
        const kept = pred ? got.filter((r) => pred(r, env) === true).length : got.length;
        runs.set(p.oid, { rows: kept, ms: performance.now() - t0, removed: got.length - kept, candidates: 0 });
      }
      rows = ordered(plan, found, env);
    } else {
      rows = yield* gather(search(scan));
    }
    if (pred) rows = rows.filter((r) => pred(r, env) === true);
  }
  yield rows.slice(offsetN);
}

/** Bytes a candidate holds in memory: its vector (4 bytes a dimension; 64 for a key of unknown width) and a row's overhead. */
function vectorBytes(plan: TopKPlan, scan: ScanPlan): number {
  const index = plan.vectorSearch!.index!;
  const typmod = index.expression ? index.expression.type.typmod : scan.table.columns[index.columns[0]]?.type.typmod;
  return 64 + 4 * (typmod !== undefined && typmod > 0 ? typmod : 16);
}

/** The Top-K of `ef` rows over the scan without its filter (the index's conditions stay). */
function oneSearch(plan: TopKPlan, scan: ScanPlan, ef: number): TopKPlan {
  const unfiltered: ScanPlan = { ...scan, filter: null, keyLookup: undefined, textLookup: undefined, bm25TopK: undefined };
  const limit: Expr = { kind: 'const', type: T.int4, value: ef };
  return { ...plan, input: unfiltered, limit, offset: null };
}

/** The column and query of `column <op> query` (either side). */
function distanceOperands(plan: TopKPlan): { column: number; query: Expr; op: DistanceOp } | undefined {
  const e = plan.keys[0]?.expr;
  if (e?.kind !== 'call' || e.args.length !== 2) return undefined;
  const [a, b] = e.args;
  if (a.kind === 'column' && a.level === 0) return { column: a.index, query: b, op: e.name as DistanceOp };
  if (b.kind === 'column' && b.level === 0) return { column: b.index, query: a, op: e.name as DistanceOp };
  return undefined;
}

/**
 * The rows an IVFFlat scan reaches: per indexed sealed segment those in the `probes` lists
 * nearest the query (a NULL query probes as the zero vector, as pgvector's does), every
 * other row exactly; all tested with the scan's condition, in storage order.
 */
function probedRows(plan: TopKPlan, scan: ScanPlan, probes: number, rc: RunContext, env: ExecEnv): Row[] {
  const key = distanceOperands(plan);
  const condition = scanCondition(scan);
  const pred = condition ? compileExpr(condition) : null;
  const passes = (row: Row) => !pred || pred(row, env) === true;
  const q = key ? compileExpr(key.query)([], env) : null;
  const out: Row[] = [];
  for (const table of scan.partitions ?? [scan.table]) {
    const name = key && indexFor(table, key.column, key.op, 'ivfflat', plan.vectorSearch!.index);
    const segments = name ? rc.storage.annSegments(table.oid, name, rc.snapshot, rc.txn) : [];
    for (const seg of segments) {
      env.checkCancel();
      const query = q instanceof Float32Array ? q : new Float32Array(seg.index.dimensions);
      const hits = seg.index.probeLists?.(query, probes);
      if (!hits) {
        for (const r of seg.visibleRows()) if (passes(r.row)) out.push(r.row);
        continue;
      }
      for (const pos of hits.map((h) => h.position).sort((x, y) => x - y)) {
        const r = seg.visibleRow(pos);
        if (r && passes(r.row)) out.push(r.row);
      }
    }
    const skip = new Set(segments.map((s) => s.id));
    for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) {
      env.checkCancel();
      for (const row of batch.rows) if (passes(row)) out.push(row);
    }
  }
  return out;
}

/** Nearest first by the key's exact value (NaN after numbers, NULL last), ties in the given order. */
function ordered(plan: TopKPlan, rows: Row[], env: ExecEnv): Row[] {
  const key = compileExpr(plan.keys[0].expr);
  const rank = (d: unknown) => (d === null ? 2 : Number.isNaN(d) ? 1 : 0);
  const keyed = rows.map((row, i) => ({ row, d: key(row, env) as number | null, i }));
  keyed.sort((a, b) => rank(a.d) - rank(b.d) || (rank(a.d) === 0 ? (a.d as number) - (b.d as number) : 0) || a.i - b.i);
  return keyed.map((k) => k.row);
}
