/**
 * TopK(Window(X)) → Window(TopK(X)) for ranking windows in the query's own order
 *
 *   SELECT id, rank() OVER (ORDER BY embedding <=> $1) FROM docs ORDER BY embedding <=> $1 LIMIT 20
 *
 * (the vector side of pgvector's reciprocal-rank-fusion query). row_number, rank and
 * dense_rank of a row depend only on the rows before it in the window's order; when that
 * order is the Top-K's and there is no PARTITION BY, the first k rows get the same numbers
 * whether the window saw every row or just those k. The Top-K then sits on the scan, where
 * the vector search (exact kernel or ANN index) takes it, instead of ranking every row.
 * Aggregates over the window (sum, count…) are left alone: their frame includes peers past
 * the k-th row. The Sort window-plan.ts placed below the window for its order is replaced by
 * the Top-K, which gives that order. Where a B-tree index gives that order the Limit stays
 * above the WindowAgg, as in PostgreSQL: the window numbers the index's rows as they come.
 */
import type { Expr, Plan, SortKey } from '../plan.js';
import type { Rule, RuleContext } from './rule.js';
import { costEnvOrDefault } from '../cost.js';
import { btreeKeys, plainScan } from './use-index-range.js';
import { presortedPrefix } from './incremental-sort-by-index.js';
import { vectorSearchInfo } from './rewrite-vector-top-k.js';

const RANKING = new Set(['row_number', 'rank', 'dense_rank']);

/** where in the statement an expression was written: not part of what it computes */
const withoutPositions = (key: string, value: unknown): unknown => (key === 'position' ? undefined : value);

/** Structural equality of two bound expressions (functions compared by name and types, not identity). */
function sameExpr(a: Expr, b: Expr): boolean {
  try {
    return JSON.stringify(a, withoutPositions) === JSON.stringify(b, withoutPositions);
  } catch {
    return false;
  }
}

function sameKeys(a: readonly SortKey[], b: readonly SortKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k.desc === b[i].desc && k.nullsFirst === b[i].nullsFirst && sameExpr(k.expr, b[i].expr));
}

/** a Sort over a table's scan whose keys a B-tree index gives in order (index scans allowed) */
function indexGivesOrder(input: Plan, ctx: RuleContext): boolean {
  if (input.kind !== 'sort' || !plainScan(input.input) || !costEnvOrDefault(ctx.catalog, ctx.costEnv).settings.indexscan) return false;
  const scan = input.input;
  return btreeKeys(scan.table).some(({ index, columns }) => (!scan.indexRange || scan.indexRange.keyName === index.name) && presortedPrefix(scan, input.keys, columns).keys === input.keys.length);
}

export const pushTopKBelowWindow: Rule = {
  name: 'push-top-k-below-window',
  apply(plan, ctx) {
    if (plan.kind !== 'topk' || plan.offset !== null || plan.input.kind !== 'window') return undefined;
    const window = plan.input;
    const ranked = window.fns.every((f) => RANKING.has(f.name) && f.partitionBy.length === 0 && sameKeys(f.orderBy, plan.keys));
    if (!ranked) return undefined;
    // rows a B-tree index gives in that order: the Limit stays above the WindowAgg, as
    // PostgreSQL plans it (the window numbers rows as they come, so the Limit stops the index
    // scan early; window-order-by-index.ts takes the index)
    const vector = vectorSearchInfo({ keys: plan.keys, input: window.input.kind === 'sort' ? window.input.input : window.input });
    if (!vector && indexGivesOrder(window.input, ctx)) return undefined;
    // the Sort placed below the window for its order (window-plan.ts): the Top-K gives that order
    const rows = window.input.kind === 'sort' && sameKeys(window.input.keys, plan.keys) ? window.input.input : window.input;
    const topk: Plan = { kind: 'topk', schema: rows.schema, input: rows, keys: plan.keys, limit: plan.limit, offset: null };
    const vectorSearch = vectorSearchInfo({ keys: plan.keys, input: rows });
    return { ...window, input: vectorSearch ? { ...topk, vectorSearch } : topk };
  },
};
