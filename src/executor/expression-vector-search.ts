/**
 * Top-k through an expression index (executor/vector-index-key.ts), pgvector's
 * half-precision, binary-quantized and subvector indexes:
 *
 *   SELECT id FROM items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize($1) LIMIT 20;
 *
 * Sealed segments with the index are searched through it, widening until k rows are
 * visible and pass the filter, and ranked exactly when even the whole index gives fewer;
 * everything else (growing segment, own uncommitted rows, segments sealed before the index)
 * exactly, as bit-vector-search.ts does for a bit column. Every candidate's key is computed
 * from its row and ranked with pgvector's exact distance, so distances, order and ties are
 * an exact scan's.
 */
import type { IndexDef, TableDef } from '../catalog/catalog.js';
import type { Plan } from '../planner/plan.js';
import { deparse } from '../planner/explain-expr.js';
import { exactKernel } from '../query-worker/kernels.js';
import { hammingDistance, jaccardDistance } from '../types/bitvec.js';
import { OID, type Row, type Value } from '../types/types.js';
import type { DistanceOp } from '../ann/api.js';
import { compileExpr, isRowIndependent, type ExecEnv } from './expr.js';
import { indexedTopK, widenedSearch } from './indexed-top-k.js';
import type { RunContext } from './operators.js';
import { searchBreadth } from './search-breadth.js';
import { emptyVectorStats } from '../planner/vector-cost.js';
import { scanCondition } from '../planner/scan-condition.js';
import type { Suspend } from './suspend.js';

/**
 * The rows of the top-k through the plan's expression index, or undefined when its key is
 * not `index key <op> per-query value` (or the query value is NULL or of another size: the
 * exact path then answers, raising pgvector's error where there is one).
 */
export function* expressionIndexedTopK(plan: Extract<Plan, { kind: 'topk' }>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Generator<Suspend, Row[] | undefined, unknown> {
  const scan = plan.input;
  const index = plan.vectorSearch?.index;
  const e = plan.keys.length === 1 && !plan.keys[0].desc ? plan.keys[0].expr : undefined;
  if (!index?.expression || scan.kind !== 'scan' || scan.withRowId || e?.kind !== 'call' || e.args.length !== 2) return undefined;
  const side = e.args.findIndex((a) => deparse(a, { qualify: false, subplanNumber: () => 0 }) === index.expression!.sql);
  if (side < 0 || !isRowIndependent(e.args[1 - side])) return undefined;
  const ranked = rankedKey(e.name, index.expression.type.oid, index.expression.type.typmod, compileExpr(e.args[1 - side])([], env));
  if (!ranked) return undefined;
  const keyOf = compileExpr(e.args[side]);
  const key = (row: Row) => keyOf(row, env);
  // the filter and, the index forced, its implied conditions on the key (planner/scan-condition.ts)
  const condition = scanCondition(scan);
  const pred = condition ? compileExpr(condition) : null;
  const passes = (row: Row) => !pred || pred(row, env) === true;
  const column = index.columns[0];
  const breadth = searchBreadth(index.method, env.ctx.setting.bind(env.ctx));
  // EXPLAIN ANALYZE: segments searched through the index, distances computed
  const stats = rc.vectorStats?.get(plan) ?? emptyVectorStats();
  rc.vectorStats?.set(plan, stats);
  const rows = yield* indexedTopK({
    scan, column, key, k, offset: offsetN, passes, nonNull: false,
    indexDistanceExact: index.method === 'hnsw' && index.expression.type.oid === OID.bit && e.name === '<~>',
    indexOf: (table) => sameIndexIn(table, index),
    distance: (v) => {
      stats.candidates++;
      return ranked.distance(v);
    },
    searchSegment: (seg, consider) => {
      stats.segmentsByIndex++;
      widenedSearch(seg, column, ranked.query, k, breadth, pred ? passes : null, consider, env);
    },
  }, rc, env);
  return rows;
}

/** The query as the index takes it and pgvector's exact distance to it, or undefined for a query the index cannot answer. */
function rankedKey(op: string, type: number, dim: number, q: Value): { query: Float32Array; distance: (v: Value) => number } | undefined {
  if (type === OID.bit) {
    if (typeof q !== 'string' || q.length !== dim || (op !== '<~>' && op !== '<%>')) return undefined;
    const distance = op === '<~>' ? hammingDistance : jaccardDistance;
    return { query: Float32Array.from(q, (c) => (c === '1' ? 1 : 0)), distance: (v) => distance(v as string, q) };
  }
  if (!(q instanceof Float32Array) || q.length !== dim) return undefined;
  const kernel = exactKernel(op as DistanceOp, type === OID.halfvec);
  return { query: q, distance: (v) => kernel(v as Float32Array, q) };
}

/** The planned index in this table, or this partition's index of the same key, method and class. */
function sameIndexIn(table: TableDef, index: IndexDef): string | undefined {
  return table.indexes.find((i) => i === index || (i.method === index.method && i.expression?.sql === index.expression?.sql
    && i.opclasses[0] === index.opclasses[0] && !i.predicate))?.name;
}
