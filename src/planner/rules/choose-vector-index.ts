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
 */
import type { IndexDef, TableDef } from '../../catalog/catalog.js';
import type { Rule } from './rule.js';
import { costEnvOrDefault } from '../cost.js';
import { OID } from '../../types/types.js';
import type { Expr } from '../plan.js';
import { impliesPredicate } from '../partial-index.js';

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
    return { ...plan, vectorSearch: { ...plan.vectorSearch, index, strategy: index.method === 'ivfflat' ? 'ivfflat' : 'hnsw', ...(s.seqscan ? {} : { indexScanOnly: true }) } };
  },
};
