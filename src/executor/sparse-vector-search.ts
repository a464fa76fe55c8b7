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
import type { Plan, SortKey } from '../planner/plan.js';
import type { AnnSegment } from '../storage/api.js';
import { OID, type Row, type SparseVector } from '../types/types.js';
import { sparsevecCosineDistance, sparsevecL1Distance, sparsevecL2Distance, sparsevecNegativeInnerProduct } from '../types/sparsevec.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { distanceKey, hnswIndexFor, indexedTopK, widenedSearch } from './indexed-top-k.js';
import type { RunContext } from './operators.js';
import { searchBreadth } from './search-breadth.js';
import { columnsRead } from './vector-search.js';
import { chooseVectorStrategy } from '../planner/vector-cost.js';
import { filteredHnswAvailable } from '../ann/filtered-hnsw.js';
import { vectorSearchCondition } from '../planner/scan-condition.js';
import type { Suspend, TimeSlice } from './suspend.js';
import { bitmapInSlices } from './bitmap-slices.js';

type SparseOp = '<->' | '<#>' | '<=>' | '<+>';

const OPCLASS: Record<SparseOp, string> = { '<->': 'sparsevec_l2_ops', '<#>': 'sparsevec_ip_ops', '<=>': 'sparsevec_cosine_ops', '<+>': 'sparsevec_l1_ops' };
const DISTANCE: Record<SparseOp, (a: SparseVector, b: SparseVector) => number> = {
  '<->': sparsevecL2Distance, '<#>': sparsevecNegativeInnerProduct, '<=>': sparsevecCosineDistance, '<+>': sparsevecL1Distance,
};

const sparseDistanceKey = (keys: readonly SortKey[]) => distanceKey(keys, OID.sparsevec, OPCLASS);

const sparseIndexFor = (table: TableDef, column: number, op: SparseOp): string | undefined => hnswIndexFor(table, column, OPCLASS[op]);

/**
 * The rows of the top-k through the index, or undefined when the plan has no sparse
 * index for its key or the query is NULL (the exact path then answers).
 */
export function* sparseIndexedTopK(plan: Extract<Plan, { kind: 'topk' }>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Generator<Suspend, Row[] | undefined, unknown> {
  const scan = plan.input;
  const key = sparseDistanceKey(plan.keys);
  if (!key || !plan.vectorSearch?.index || scan.kind !== 'scan' || scan.withRowId) return undefined;
  const q = compileExpr(key.query)([], env) as SparseVector | null;
  if (q === null || typeof q !== 'object' || !('indices' in q)) return undefined;
  const distance = DISTANCE[key.op];
  const { condition, nonNull } = vectorSearchCondition(scan, key.column);
  const pred = condition ? compileExpr(condition) : null;
  const passes = (row: Row) => !pred || pred(row, env) === true;
  const filterColumns = condition ? columnsRead(condition) : undefined;
  const breadth = searchBreadth('hnsw', env.ctx.setting.bind(env.ctx));
  const filter = pred ? { passes, columns: filterColumns } : null;
  return yield* indexedTopK({
    scan, column: key.column, k, offset: offsetN, passes, nonNull,
    indexOf: (table) => sparseIndexFor(table, key.column, key.op),
    // query first, as pgvector's index scan calls the distance (its dimension error names the query's first)
    distance: (v) => distance(q, v as SparseVector),
    searchSegment: (seg, consider) => searchSegment(seg, key.column, q, k, breadth, filter, consider, env, rc.slice),
  }, rc, env);
}

/** The query's filter: a test of whole rows, and the columns it reads (undefined: whole rows). */
interface Filter {
  readonly passes: (row: Row) => boolean;
  readonly columns: number[] | undefined;
}

/** One indexed segment's search; its filter's bitmap is made between time slices (bitmap-slices.ts). */
function* searchSegment(
  seg: AnnSegment, column: number, q: SparseVector, k: number, breadth: number, filter: Filter | null,
  consider: (row: Row, pos: number) => void, env: ExecEnv, slice: TimeSlice | undefined,
): Generator<Suspend, void, unknown> {
  const passes = filter?.passes;
  const exact = () => {
    for (const r of seg.visibleRows()) if (!passes || passes(r.row)) consider(r.row, r.pos);
  };
  const query = seg.index.encodeSparse?.(q);
  if (!query) return exact();
  if (filter?.columns && seg.matchBitmap && seg.index.filteredSearch && filteredHnswAvailable()) {
    const m = yield* bitmapInSlices(seg, column, { columns: filter.columns, test: filter.passes }, k, slice);
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
  widenedSearch(seg, column, query, k, breadth, passes, consider, env);
}
