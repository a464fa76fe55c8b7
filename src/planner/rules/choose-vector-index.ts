/**
 * TopK(distance) over a scan of a table with a matching HNSW or IVFFlat index → search via the index
 *
 *   CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops);
 *   SELECT id FROM items WHERE tenant = 7 ORDER BY embedding <=> $1 LIMIT 10;
 *
 * The index must be on the ordered column with the operator's opclass (as in pgvector), or
 * an expression index whose key is the ordered operand, the same expression (compared as
 * deparsed, so written alike up to spacing, casts of literals and qualified names):
 *
 *   CREATE INDEX ON items USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops);
 *   SELECT id FROM items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize($1) LIMIT 20;
 *
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
import { deparse } from '../explain-expr.js';
import { mapExpr } from '../expr-walk.js';

const OPCLASS: Record<string, string> = { '<->': 'l2_ops', '<#>': 'ip_ops', '<=>': 'cosine_ops', '<+>': 'l1_ops', '<~>': 'hamming_ops', '<%>': 'jaccard_ops' };

/** vector_l2_ops for a vector column, halfvec_l2_ops for a halfvec column, sparsevec_l2_ops for sparsevec, bit_hamming_ops for bit, … */
function matchingIndex(table: TableDef, column: number, op: string, filter: Expr | null | undefined): IndexDef | undefined {
  const type = table.columns[column]?.type.oid;
  const prefix = type === OID.halfvec ? 'halfvec_' : type === OID.bit ? 'bit_' : type === OID.sparsevec ? 'sparsevec_' : 'vector_';
  const fit = table.indexes.filter((i) => (i.method === 'hnsw' || i.method === 'ivfflat') && !i.expression && i.columns[0] === column && i.opclasses[0] === prefix + OPCLASS[op]);
  // a partial index only when the query's WHERE has its conditions (it then holds fewer rows)
  return fit.find((i) => i.predicate && impliesPredicate(filter, i.predicate)) ?? fit.find((i) => !i.predicate);
}

/** An expression index of the table whose key is one of the distance's operands, with the operator's class. */
function expressionIndex(table: TableDef, key: Extract<Expr, { kind: 'call' }>): IndexDef | undefined {
  const operands = key.args.map((a) => ({ text: deparse(a, { qualify: false, subplanNumber: () => 0 }), columns: columnsOf(a) }));
  return table.indexes.find((i) => (i.method === 'hnsw' || i.method === 'ivfflat') && i.expression && i.opclasses[0].endsWith(`_${OPCLASS[key.name]}`)
    && operands.some((o) => o.text === i.expression!.sql && o.columns.length === 1 && o.columns[0] === i.columns[0]));
}

/** The columns an expression reads, `-1` for one of an outer query (which no index key reads). */
function columnsOf(e: Expr): number[] {
  const out = new Set<number>();
  mapExpr(e, (x) => {
    if (x.kind === 'column') out.add(x.level === 0 ? x.index : -1);
    return undefined;
  });
  return [...out];
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
    const byColumn = (t: TableDef) => (col?.kind === 'column' ? matchingIndex(t, col.index, key.name, scan.filter) : undefined);
    const byExpression = (t: TableDef) => (col ? undefined : expressionIndex(t, key));
    const tables = [scan.table, ...(scan.partitions ?? [])];
    const index = tables.map(byColumn).find((i) => i !== undefined) ?? tables.map(byExpression).find((i) => i !== undefined);
    if (!index) return undefined;
    const shown = index.expression ? { column: index.expression.sql } : {};
    // enable_indexscan = off makes the search exact (how users compute ground truth), unless
    // enable_seqscan is off too. Until vector-cost.ts prices the strategies, the index path
    // counts as cheaper whenever both are enabled: only disable_cost decides here.
    const s = costEnvOrDefault(ctx.catalog, ctx.costEnv).settings;
    if (!s.indexscan && s.seqscan) return undefined;
    const vectorSearch = { ...plan.vectorSearch, ...shown, index, strategy: index.method === 'ivfflat' ? 'ivfflat' as const : 'hnsw' as const };
    if (s.seqscan) return { ...plan, vectorSearch };
    // the key the index holds: the column, or the operand that is the index's expression
    const indexed = col?.kind === 'column' ? col : key.args.find((a) => deparse(a, { qualify: false, subplanNumber: () => 0 }) === index.expression?.sql);
    if (!indexed) return { ...plan, vectorSearch };
    return { ...plan, input: { ...scan, indexQual: indexQual(indexed, index) }, vectorSearch };
  },
};

/**
 * What every row of the index satisfies: its key (the column, or an expression index's
 * expression) is not NULL, and under a cosine class
 * (pgvector's support function 2, the norm) the norm is above zero — pgvector indexes
 * neither (hnswutils.c HnswCheckNorm, ivfutils.c IvfflatCheckNorm).
 */
function indexQual(key: Expr, index: IndexDef): Expr {
  const notNull: Expr = { kind: 'isnull', type: T.bool, arg: key, negate: true };
  if (!index.opclasses[0].endsWith('_cosine_ops')) return notNull;
  const normName = key.type.oid === OID.vector ? 'vector_norm' : 'l2_norm';
  const norm: Expr = { kind: 'call', type: T.float8, name: normName, fn: resolveFunction(normName, [key.type]) as ScalarFunction, args: [key] };
  const zero: Expr = { kind: 'const', type: T.float8, value: 0 };
  const positive: Expr = { kind: 'call', type: T.bool, name: '>', fn: resolveOperator('>', T.float8, T.float8), args: [norm, zero] };
  return { kind: 'and', type: T.bool, args: [notNull, positive], stopOnNull: true };
}
