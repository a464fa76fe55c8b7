/**
 * TopK(distance) over a scan of a table with a matching HNSW or IVFFlat index → search via the index
 *
 *   CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops);
 *   SELECT id FROM items WHERE tenant = 7 ORDER BY embedding <=> $1 LIMIT 10;
 *
 * The index must be on the ordered column with the operator's opclass (as in pgvector).
 * Whether each segment is then searched through the index or exactly (and how a filter
 * is combined with it) is decided per segment at run time from the filter's selectivity
 * in that segment: see executor/vector-search.ts. Partitioned tables use each
 * partition's index.
 *
 * With the index forced (enable_seqscan = off) the answer is pgvector's index scan's, which
 * never returns a row its index cannot hold: the scan gets those conditions as its
 * `indexQual` (`embedding IS NOT NULL`, and for a cosine class `vector_norm(embedding) > 0`,
 * pgvector's test before it indexes a value). Otherwise Quiver returns such rows last, as
 * the sequential scan PostgreSQL would choose for a small table does.
 */
import type { IndexDef, TableDef } from '../../catalog/catalog.js';
import type { Rule } from './rule.js';
import { costEnvOrDefault } from '../cost.js';
import { OID } from '../../types/types.js';
import type { Expr } from '../plan.js';
import { impliesPredicate } from '../partial-index.js';
import { resolveFunction, resolveOperator } from '../../functions/index.js';
import { T } from '../../types/types.js';
import type { ScalarFunction } from '../../functions/api.js';

const OPCLASS: Record<string, string> = { '<->': 'l2_ops', '<#>': 'ip_ops', '<=>': 'cosine_ops', '<+>': 'l1_ops', '<~>': 'hamming_ops', '<%>': 'jaccard_ops' };

/** vector_l2_ops for a vector column, halfvec_l2_ops for a halfvec column, sparsevec_l2_ops for sparsevec, bit_hamming_ops for bit, … */
function matchingIndex(table: TableDef, column: number, op: string, filter: Expr | null | undefined): IndexDef | undefined {
  const type = table.columns[column]?.type.oid;
  const prefix = type === OID.halfvec ? 'halfvec_' : type === OID.bit ? 'bit_' : type === OID.sparsevec ? 'sparsevec_' : 'vector_';
  const fit = table.indexes.filter((i) => (i.method === 'hnsw' || i.method === 'ivfflat') && i.columns[0] === column && i.opclasses[0] === prefix + OPCLASS[op]);
  // a partial index only when the query's WHERE has its conditions (it then holds fewer rows)
  return fit.find((i) => i.predicate && impliesPredicate(filter, i.predicate)) ?? fit.find((i) => !i.predicate);
}

export const chooseVectorIndex: Rule = {
  name: 'choose-vector-index',
  apply(plan, ctx) {
    if (plan.kind !== 'topk' || !plan.vectorSearch || plan.vectorSearch.index || plan.keys.length !== 1) return undefined;
    const scan = plan.input;
    if (scan.kind !== 'scan' || scan.withRowId) return undefined;
    const key = plan.keys[0].expr;
    if (key.kind !== 'call' || key.args.length !== 2) return undefined;
    const col = key.args.find((a) => a.kind === 'column' && a.level === 0);
    if (!col || col.kind !== 'column') return undefined;
    const index = matchingIndex(scan.table, col.index, key.name, scan.filter)
      ?? scan.partitions?.map((p) => matchingIndex(p, col.index, key.name, scan.filter)).find((i) => i !== undefined);
    if (!index) return undefined;
    // enable_indexscan = off makes the search exact (how users compute ground truth), unless
    // enable_seqscan is off too. Until vector-cost.ts prices the strategies, the index path
    // counts as cheaper whenever both are enabled: only disable_cost decides here.
    const s = costEnvOrDefault(ctx.catalog, ctx.costEnv).settings;
    if (!s.indexscan && s.seqscan) return undefined;
    const vectorSearch = { ...plan.vectorSearch, index, strategy: index.method === 'ivfflat' ? 'ivfflat' as const : 'hnsw' as const };
    if (s.seqscan) return { ...plan, vectorSearch };
    return { ...plan, input: { ...scan, indexQual: indexQual(col, index) }, vectorSearch };
  },
};

/**
 * What every row of the index satisfies: its column is not NULL, and under a cosine class
 * (pgvector's support function 2, the norm) the norm is above zero — pgvector indexes
 * neither (hnswutils.c HnswCheckNorm, ivfutils.c IvfflatCheckNorm).
 */
function indexQual(column: Extract<Expr, { kind: 'column' }>, index: IndexDef): Expr {
  const notNull: Expr = { kind: 'isnull', type: T.bool, arg: column, negate: true };
  if (!index.opclasses[0].endsWith('_cosine_ops')) return notNull;
  const normName = column.type.oid === OID.vector ? 'vector_norm' : 'l2_norm';
  const norm: Expr = { kind: 'call', type: T.float8, name: normName, fn: resolveFunction(normName, [column.type]) as ScalarFunction, args: [column] };
  const zero: Expr = { kind: 'const', type: T.float8, value: 0 };
  const positive: Expr = { kind: 'call', type: T.bool, name: '>', fn: resolveOperator('>', T.float8, T.float8), args: [norm, zero] };
  return { kind: 'and', type: T.bool, args: [notNull, positive], stopOnNull: true };
}
