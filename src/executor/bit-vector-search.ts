/**
 * Top-k by a bit-string distance (`ORDER BY b <~> $1 LIMIT k`: Hamming, `<%>`: Jaccard)
 * through an HNSW index with bit_hamming_ops / bit_jaccard_ops or an IVFFlat one with
 * bit_hamming_ops (ivfflat.probes lists), per segment as
 * vector-search.ts does for float vectors: sealed segments with the index are searched
 * through it, widening (×4) until k rows are visible and pass the filter, and scanned
 * exactly when even the whole index gives fewer; everything else (growing segment, own
 * uncommitted rows, segments sealed before the index) is scanned exactly. Candidates are
 * ranked with pgvector's exact distance, so order and ties are those of an exact scan.
 */
import type { TableDef } from '../catalog/catalog.js';
import type { Plan, SortKey } from '../planner/plan.js';
import { OID, type Row } from '../types/types.js';
import { hammingDistance, jaccardDistance } from '../types/bitvec.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { distanceKey, hnswIndexFor, indexedTopK, widenedSearch } from './indexed-top-k.js';
import type { RunContext } from './operators.js';
import { searchBreadth } from './search-breadth.js';
import { vectorSearchCondition } from '../planner/scan-condition.js';
import type { Suspend } from './suspend.js';

type BitOp = '<~>' | '<%>';

const OPCLASS: Record<BitOp, string> = { '<~>': 'bit_hamming_ops', '<%>': 'bit_jaccard_ops' };

const bitDistanceKey = (keys: readonly SortKey[]) => distanceKey(keys, OID.bit, OPCLASS);

/** The table's HNSW index for the operator, or its IVFFlat one (Hamming only: bit-ivf.ts). */
const bitIndexFor = (table: TableDef, column: number, op: BitOp, method: string): string | undefined =>
  hnswIndexFor(table, column, OPCLASS[op], method === 'ivfflat' ? 'ivfflat' : 'hnsw');

/**
 * The rows of the top-k through the index, or undefined when the plan has no bit index
 * for its key (or the query is NULL or of another length: the exact path then answers,
 * raising pgvector's error where there is one).
 */
export function* bitIndexedTopK(plan: Extract<Plan, { kind: 'topk' }>, k: number, offsetN: number, rc: RunContext, env: ExecEnv): Generator<Suspend, Row[] | undefined, unknown> {
  const scan = plan.input;
  const key = bitDistanceKey(plan.keys);
  if (!key || !plan.vectorSearch?.index || scan.kind !== 'scan' || scan.withRowId) return undefined;
  const q = compileExpr(key.query)([], env);
  const dims = scan.table.columns[key.column]?.type.typmod;
  if (typeof q !== 'string' || q.length !== dims) return undefined;
  const query = Float32Array.from(q, (c) => (c === '1' ? 1 : 0));
  const distance = key.op === '<~>' ? hammingDistance : jaccardDistance;
  const { condition, nonNull } = vectorSearchCondition(scan, key.column);
  const pred = condition ? compileExpr(condition) : null;
  const passes = (row: Row) => !pred || pred(row, env) === true;
  const method = plan.vectorSearch.index.method;
  const breadth = searchBreadth(method, env.ctx.setting.bind(env.ctx));
  return yield* indexedTopK({
    scan, column: key.column, k, offset: offsetN, passes, nonNull,
    indexDistanceExact: key.op === '<~>' && method === 'hnsw',
    indexOf: (table) => bitIndexFor(table, key.column, key.op, method),
    distance: (v) => distance(v as string, q),
    searchSegment: (seg, consider) => widenedSearch(seg, key.column, query, k, breadth, pred ? passes : null, consider, env),
  }, rc, env);
}
