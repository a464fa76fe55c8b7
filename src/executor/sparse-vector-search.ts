/**
 * Top-k by a sparse vector distance (`ORDER BY s <-> | <#> | <=> | <+> $1 LIMIT k` on a
 * sparsevec column) through an HNSW index with a sparsevec_*_ops class (ann/sparse-hnsw.ts),
 * per segment: a sealed segment with the index is searched through it; with a filter, the
 * segment's bitmap of matching rows and the cost model (planner/vector-cost.ts) choose
 * between ranking those rows exactly, a walk that skips the others (in-graph) and
 * widening ×4 until k rows are visible and pass. A segment is scanned exactly when the
 * index gives fewer than k, or when the query has more elements than the segment's slots
 * hold; everything else (growing segment, segments sealed before the index) is too. Candidates
 * are ranked with pgvector's exact distance, so order and ties are those of an exact scan.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Expr, Plan, SortKey } from '../planner/plan.js';
import type { AnnSegment } from '../storage/api.js';
import { OID, type Row, type SparseVector } from '../types/types.js';
import { sparsevecCosineDistance, sparsevecL1Distance, sparsevecL2Distance, sparsevecNegativeInnerProduct } from '../types/sparsevec.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { distanceKey, hnswIndexFor } from './indexed-distance-key.js';
import type { RunContext } from './operators.js';
import { searchBreadth } from './search-breadth.js';
import { columnsRead } from './vector-search.js';
import { chooseVectorStrategy } from '../planner/vector-cost.js';
import { filteredHnswAvailable } from '../ann/filtered-hnsw.js';

type SparseOp = '<->' | '<#>' | '<=>' | '<+>';

const OPCLASS: Record<SparseOp, string> = { '<->': 'sparsevec_l2_ops', '<#>': 'sparsevec_ip_ops', '<=>': 'sparsevec_cosine_ops', '<+>': 'sparsevec_l1_ops' };
const DISTANCE: Record<SparseOp, (a: SparseVector, b: SparseVector) => number> = {
  '<->': sparsevecL2Distance, '<#>': sparsevecNegativeInnerProduct, '<=>': sparsevecCosineDistance, '<+>': sparsevecL1Distance,
};

const sparseDistanceKey = (keys: readonly SortKey[]) => distanceKey(keys, OID.sparsevec, OPCLASS);

const sparseIndexFor = (table: TableDef, column: number, op: SparseOp): string | undefined => hnswIndexFor(table, column, OPCLASS[op]);

interface Candidate { row: Row; d: number; order: number }

/**
 * The rows of the top-k through the index, or undefined when the plan has no sparse
 * index for its key or the query is NULL (the exact path then answers).
 */
export function sparseIndexedTopK(plan: Extract<Plan, { kind: 'topk' }>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Row[] | undefined {
  const scan = plan.input;
  const key = sparseDistanceKey(plan.keys);
  if (!key || !plan.vectorSearch?.index || scan.kind !== 'scan' || scan.withRowId) return undefined;
  const q = compileExpr(key.query)([], env) as SparseVector | null;
  if (q === null || typeof q !== 'object' || !('indices' in q)) return undefined;
  const distance = DISTANCE[key.op];
  const pred = scan.filter ? compileExpr(scan.filter) : null;
  const passes = (row: Row) => !pred || pred(row, env) === true;
  const filterColumns = scan.filter ? columnsRead(scan.filter) : undefined;
  const breadth = searchBreadth('hnsw', env.ctx.setting.bind(env.ctx));
  const found: Candidate[] = [];
  const nullRows: Row[] = [];
  let scanSeq = 1e15;
  const consider = (row: Row, order = scanSeq++) => {
    const v = row[key.column];
    if (v === null) {
      if (nullRows.length < k) nullRows.push(row);
      return;
    }
    // query first, as pgvector's index scan calls the distance (its dimension error names the query's first)
    found.push({ row, d: distance(q, v as SparseVector), order });
  };
  const tables: readonly TableDef[] = scan.partitions ?? [scan.table];
  tables.forEach((table, ti) => {
    const name = sparseIndexFor(table, key.column, key.op);
    const segments = name ? rc.storage.annSegments(table.oid, name, rc.snapshot, rc.txn) : [];
    segments.forEach((seg, si) => {
      const base = (ti * 1e4 + si) * 1e9;
      const filter = pred ? { passes, columns: filterColumns } : null;
      searchSegment(seg, key.column, q, k, breadth, filter, (row, pos) => consider(row, base + pos), env);
    });
    const skip = new Set(segments.map((s) => s.id));
    for (const batch of rc.storage.scan(table.oid, rc.snapshot, rc.txn, { skipSegments: skip })) {
      env.checkCancel();
      for (const row of batch.rows) if (passes(row)) consider(row);
    }
  });
  // NaN sorts after every number, as PostgreSQL orders float8
  found.sort((a, b) => (Number.isNaN(a.d) ? 1 : 0) - (Number.isNaN(b.d) ? 1 : 0) || a.d - b.d || a.order - b.order);
  const out = found.slice(0, k).map((c) => c.row);
  for (const r of nullRows) if (out.length < k) out.push(r);
  return out.slice(offsetN);
}

/** The query's filter: a test of whole rows, and the columns it reads (undefined: whole rows). */
interface Filter {
  readonly passes: (row: Row) => boolean;
  readonly columns: number[] | undefined;
}

function searchSegment(seg: AnnSegment, column: number, q: SparseVector, k: number, breadth: number, filter: Filter | null, consider: (row: Row, pos: number) => void, env: ExecEnv): void {
  const passes = filter?.passes;
  const exact = () => {
    for (const r of seg.visibleRows()) if (!passes || passes(r.row)) consider(r.row, r.pos);
  };
  const query = seg.index.encodeSparse?.(q);
  if (!query) return exact();
  if (filter?.columns && seg.matchBitmap && seg.index.filteredSearch && filteredHnswAvailable()) {
    const m = seg.matchBitmap(column, { columns: filter.columns, test: filter.passes }, k);
    const offer = (pos: number) => {
      const r = seg.visibleRow(pos);
      if (r) consider(r.row, pos);
    };
    // NULL vectors (they sort last) are offered where the bitmap decides; the widening below finds its own
    const nulls = () => { for (const pos of m.nullPositions) offer(pos); };
    if (m.count === 0) return nulls();
    const bits = m.bits;
    if (bits) {
      const choice = chooseVectorStrategy({ rows: seg.length, matching: m.count, k, ef: breadth, m: seg.index.m ?? 16, inGraph: true });
      const exactBits = () => {
        env.checkCancel();
        nulls();
        for (let pos = 0; pos < seg.length; pos++) if ((bits[pos >> 3] >> (pos & 7)) & 1) offer(pos);
      };
      if (choice.strategy === 'exact') return exactBits();
      if (choice.strategy === 'in-graph') {
        const r = seg.index.filteredSearch(query, k, breadth, bits, choice.budget);
        // a walk over budget or short of k matches: rank the matching rows exactly
        if (!r || r.exhausted || r.hits.length < Math.min(k, m.count)) return exactBits();
        nulls();
        for (const h of r.hits) offer(h.position);
        return;
      }
    }
  }
  let want = k;
  for (;;) {
    env.checkCancel();
    const n = Math.min(want, seg.length);
    const hits: { row: Row; pos: number }[] = [];
    for (const h of seg.index.search(query, n, breadth)) {
      const r = seg.visibleRow(h.position);
      // NULL rows are empty slots in the graph: they count only when too few rows are left (exact scan below)
      if (r && r.row[column] !== null && (!passes || passes(r.row))) hits.push({ row: r.row, pos: h.position });
    }
    if (hits.length >= k || n >= seg.length) {
      // the index gave all it has and still too few: scan the segment exactly
      if (hits.length < k) return exact();
      for (const h of hits) consider(h.row, h.pos);
      return;
    }
    want = n * 4;
  }
}
