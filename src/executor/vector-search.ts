/**
 * Vector top-k over a table with an ANN index, per segment (Milvus style):
 *
 *   - sealed segments with the index: HNSW search with ef = hnsw.ef_search;
 *       no filter  → ask for k, widen (×4) while invisible rows (deleted, newer than the
 *                    snapshot) leave fewer than k;
 *       filter     → estimate the filter's selectivity from a sample of the segment;
 *                    few matches → exact scan of the matching rows (strategy 1),
 *                    many       → ask the index for k / selectivity candidates and widen
 *                                 until k pass the filter (strategy 3), falling back to
 *                                 the exact scan when the index runs dry;
 *   - everything else (growing segment, own uncommitted rows, segments sealed before the
 *     index existed): exact, one kernel call per row.
 *
 * Candidates from all segments are ranked by pgvector's exact kernel, so the distances
 * returned (and their order) are those the SQL operator computes. A filtered query
 * returns k rows whenever k rows match: the exact fallback guarantees it.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Expr, Plan } from '../planner/plan.js';
import type { AnnSegment } from '../storage/api.js';
import type { Row } from '../types/types.js';
import { VectorCandidates } from './vector-candidates.js';
import { searchBreadth } from './search-breadth.js';
import type { DistanceOp } from '../ann/api.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { mapExpr } from '../planner/expr-walk.js';
import type { RunContext } from './operators.js';

export interface VectorSearchStats {
  segmentsByIndex: number;
  segmentsExact: number;
  widenings: number;
  exactFallbacks: number;
  candidates: number;
}


/** Sample size for the selectivity estimate of a filter within one segment. */
const SAMPLE = 256;
/** Below this many expected matches a filtered segment is scanned exactly. */
export const EXACT_MATCHES = 2000;

export function indexedVectorTopK(
  plan: Extract<Plan, { kind: 'topk' }>,
  key: { column: number; query: Expr; op: DistanceOp; half?: boolean },
  k: number,
  offsetN: number,
  rc: RunContext,
  env: ExecEnv,
): Row[] | undefined {
  const scan = plan.input;
  const storage = rc.storage;
  if (scan.kind !== 'scan' || scan.withRowId) return undefined;
  const vs = plan.vectorSearch;
  if (!vs?.index) return undefined;
  const q = compileExpr(key.query)([], env);
  if (q === null) return undefined;
  const query = q as Float32Array;
  const pred = scan.filter ? compileExpr(scan.filter) : null;
  const ef = searchBreadth(vs.index.method, env.ctx.setting.bind(env.ctx));
  const stats: VectorSearchStats = rc.vectorStats?.get(plan) ?? { segmentsByIndex: 0, segmentsExact: 0, widenings: 0, exactFallbacks: 0, candidates: 0 };
  rc.vectorStats?.set(plan, stats);

  const candidates = new VectorCandidates(k, key.op, !!key.half, query);
  // Ties are broken by storage order (sealed segments by position, which is RowId order,
  // then everything scanned), as a sequential scan would return them.
  let scanSeq = 1e15;
  const nullRows: Row[] = [];
  const consider = (row: Row, order?: number) => {
    const v = row[key.column];
    // NULL vectors sort last (ASC NULLS LAST): they only fill up a short result
    if (v === null) {
      if (nullRows.length < k) nullRows.push(row);
      return;
    }
    stats.candidates++;
    candidates.offer(row, v as Float32Array, order ?? scanSeq++);
  };
  const passes = (row: Row) => !pred || pred(row, env) === true;
  // the columns the filter reads (undefined: it needs whole rows, e.g. a subquery)
  const filterColumns = scan.filter ? columnsRead(scan.filter) : undefined;

  const tables: readonly TableDef[] = scan.partitions ?? [scan.table];
  for (const table of tables) {
    const indexName = indexFor(table, vs.index.columns[0], key.op, vs.index.method);
    const segments = indexName ? storage.annSegments(table.oid, indexName, rc.snapshot, rc.txn) : [];
    segments.forEach((seg, i) => {
      const base = (tables.indexOf(table) * 1e4 + i) * 1e9;
      searchSegment(seg, query, k, ef, pred ? passes : null, filterColumns, (row, pos) => consider(row, base + pos), stats, env);
    });
    const skip = new Set(segments.map((s) => s.id));
    for (const batch of storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) {
      env.checkCancel();
      for (const row of batch.rows) if (passes(row)) consider(row);
    }
  }
  const out = candidates.finish();
  for (const r of nullRows) if (out.length < k) out.push(r);
  return out.slice(offsetN);
}

/** The index on this table (or partition) for the column and operator. */
export function indexFor(table: TableDef, column: number, op: DistanceOp, method = 'hnsw'): string | undefined {
  return table.indexes.find((i) => i.method === method && i.columns[0] === column && opOfOpclass(i.opclasses[0]) === op)?.name;
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

function searchSegment(
  seg: AnnSegment, query: Float32Array, k: number, ef: number,
  passes: ((row: Row) => boolean) | null, filterColumns: number[] | undefined,
  consider: (row: Row, pos: number) => void, stats: VectorSearchStats, env: ExecEnv,
): void {
  let want = k;
  if (passes) {
    // selectivity from an evenly spread sample of visible rows
    let seen = 0;
    let hits = 0;
    const step = Math.max(1, Math.floor(seg.length / SAMPLE));
    for (let pos = 0; pos < seg.length && seen < SAMPLE; pos += step) {
      const r = seg.visibleRow(pos);
      if (!r) continue;
      seen++;
      if (passes(r.row)) hits++;
    }
    const selectivity = seen === 0 ? 0 : hits / seen;
    if (selectivity * seg.length < EXACT_MATCHES || selectivity < 0.01) {
      stats.segmentsExact++;
      const rows = filterColumns ? seg.visibleRowsWhere(filterColumns, passes) : seg.visibleRows();
      for (const r of rows) if (filterColumns || passes(r.row)) consider(r.row, r.pos);
      return;
    }
    want = Math.ceil((k / selectivity) * 1.5);
  }
  stats.segmentsByIndex++;
  for (;;) {
    env.checkCancel();
    const n = Math.min(want, seg.length);
    const hits = seg.index.search(query, n, ef);
    const found: { row: Row; pos: number }[] = [];
    for (const h of hits) {
      const r = seg.visibleRow(h.position);
      if (r && (!passes || passes(r.row))) found.push({ row: r.row, pos: h.position });
    }
    if (found.length >= k || n >= seg.length) {
      if (found.length < k && n >= seg.length) {
        // the index gave all it has and still too few: scan the segment exactly
        stats.exactFallbacks++;
        for (const r of seg.visibleRows()) if (!passes || passes(r.row)) consider(r.row, r.pos);
        return;
      }
      for (const f of found) consider(f.row, f.pos);
      return;
    }
    stats.widenings++;
    want = n * 4;
  }
}
