/**
 * Scan(filter: key @@ query AND …) → Bitmap Heap Scan over a GIN index
 *
 *   SELECT id FROM docs WHERE tsv @@ to_tsquery('english', 'cat & dog')
 *   SELECT id FROM docs WHERE to_tsvector('english', body) @@ $1
 *
 * When a conjunct matches `key @@ query` (either side), where key is a tsvector column with
 * a GIN index or the exact `to_tsvector('config', column)` of a GIN expression index, and the
 * query is the same value for the whole execution (a constant, parameter, or non-volatile
 * call of them), the rows come from the index's candidates instead of every row; the whole
 * filter is rechecked on them (phrase, weights and negation are only approximated by the
 * posting lists). On a partitioned table the index is the parent's: each partition is read
 * through its own lists (Append of Bitmap Heap Scans).
 */
import type { IndexDef, TableDef } from '../../catalog/catalog.js';
import { OID } from '../../types/types.js';
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { CostModel } from '../cost.js';
import { isValue } from './use-key-lookup.js';

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

/** the GIN index whose key is this expression */
function indexFor(table: TableDef, key: Expr): IndexDef | undefined {
  const gins = table.indexes.filter((i) => i.method === 'gin');
  if (key.kind === 'column' && key.level === 0 && key.type.oid === OID.tsvector) {
    return gins.find((i) => i.tsvectorConfig === undefined && i.columns[0] === key.index);
  }
  if (key.kind !== 'call' || key.name !== 'to_tsvector' || key.args.length !== 2) return undefined;
  const [cfg, col] = key.args;
  if (cfg.kind !== 'const' || cfg.type.oid !== OID.regconfig || col.kind !== 'column' || col.level !== 0) return undefined;
  return gins.find((i) => i.tsvectorConfig === cfg.value && i.columns[0] === col.index);
}

/** the first indexed `key @@ query` conjunct of the filter */
export function textIndexCondition(table: TableDef, filter: Expr): { index: IndexDef; query: Expr; cond: Expr; rest: Expr | null } | undefined {
  const all = conjuncts(filter);
  for (const c of all) {
    if (c.kind !== 'call' || c.name !== '@@' || c.args.length !== 2) continue;
    for (const [key, query] of [[c.args[0], c.args[1]], [c.args[1], c.args[0]]]) {
      if (query.type.oid !== OID.tsquery || !isValue(query)) continue;
      const index = indexFor(table, key);
      const others = all.filter((x) => x !== c);
      const rest = others.length === 0 ? null : others.length === 1 ? others[0] : { kind: 'and' as const, type: filter.type, args: others };
      if (index) return { index, query, cond: c, rest };
    }
  }
  return undefined;
}

export const useTextIndex: Rule = {
  name: 'use-text-index',
  apply(plan, ctx) {
    if (plan.kind !== 'scan' || !plan.filter || plan.keyLookup || plan.textLookup) return undefined;
    const found = textIndexCondition(plan.table, plan.filter);
    if (!found) return undefined;
    // by cost (a partitioned table's is its partitions' sum): enable_bitmapscan /
    // enable_seqscan = off add disable_cost
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const bitmap: Plan = { ...plan, textLookup: found };
    return model.estimate(plan).total < model.estimate(bitmap).total ? undefined : bitmap;
  },
};
