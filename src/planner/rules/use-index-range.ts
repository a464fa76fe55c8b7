/**
 * Scan(filter: col > a AND col <= b …) → Index Scan through col's B-tree (range)
 * TopK(ORDER BY col LIMIT k, Scan) → Limit(Index Scan in col's order)
 *
 *   SELECT … FROM events WHERE id BETWEEN 1000 AND 2000
 *   SELECT … FROM events WHERE id > $1 ORDER BY id LIMIT 100
 *
 * A B-tree index (not partial) whose first column is an integer, date/time, float, numeric,
 * text or varchar one (range-comparison.ts's BTREE_RANGE_TYPES; `col LIKE 'prefix%'` is a
 * range too, as PostgreSQL makes it under the C collation) is read per sealed segment from
 * its sorted index (storage/index-scan.ts): a range reads
 * only the rows it allows, and an ORDER BY on the column with a LIMIT reads rows in the
 * column's order and stops after offset + k of them pass the filter, instead of reading
 * and sorting the whole table. The range is taken when the cost model prices it below the
 * sequential scan (cost.ts indexRangeScan); the
 * order whenever there is a LIMIT, the column is NOT NULL or a range on it excludes NULLs,
 * and the ORDER BY puts NULLs where the column's order has them (there are none).
 */
import type { IndexDef, TableDef } from '../../catalog/catalog.js';
import { CostModel } from '../cost.js';
import type { Plan } from '../plan.js';
import { BTREE_RANGE_TYPES, indexComparisons } from '../range-comparison.js';
import type { Rule } from './rule.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

/** The plain B-tree index whose first column is `column`, if any. */
function btreeOn(table: TableDef, column: number): IndexDef | undefined {
  return table.indexes.find((i) => i.method === 'btree' && i.columns[0] === column && !i.predicate && !i.expression && !i.tsvectorConfig);
}

function plainScan(p: Plan): p is Scan {
  return p.kind === 'scan' && !p.partitions && !p.keyLookup && !p.textLookup && !p.bm25TopK;
}

export const useIndexRange: Rule = {
  name: 'use-index-range',
  apply(plan, ctx) {
    if (!plainScan(plan) || plan.indexRange) return undefined;
    for (const c of indexComparisons(plan.filter)) {
      // equalities alone are the key lookup's (use-key-lookup.ts); a LIKE without wildcards is not
      if (c.op === '=' && !c.fromLike) continue;
      const index = btreeOn(plan.table, c.column);
      if (!index) continue;
      const model = new CostModel(ctx.catalog, ctx.costEnv);
      const seq = model.tableScan(plan.table, plan.filter, false).total;
      const range = model.indexRangeScan(plan.table, plan.filter, c.column).total;
      if (seq <= range) return undefined;
      return { ...plan, indexRange: { keyName: index.name, column: c.column } };
    }
    return undefined;
  },
};

export const orderByIndex: Rule = {
  name: 'order-by-index',
  apply(plan, ctx) {
    if (plan.kind !== 'topk' || plan.vectorSearch || !plan.limit || plan.keys.length !== 1 || !plainScan(plan.input)) return undefined;
    // enable_indexscan = off: the Top-K over the scan stays (how users check an index's answers)
    if (!new CostModel(ctx.catalog, ctx.costEnv).env.settings.indexscan) return undefined;
    const scan = plan.input;
    const key = plan.keys[0];
    if (key.expr.kind !== 'column' || key.expr.level !== 0 || key.expr.index >= scan.table.columns.length) return undefined;
    const column = key.expr.index;
    const def = scan.table.columns[column];
    if (!BTREE_RANGE_TYPES.has(def.type.oid)) return undefined;
    const index = btreeOn(scan.table, column);
    if (!index) return undefined;
    // the index's order has no NULLs: they must not exist or not pass
    const excludesNulls = def.notNull || indexComparisons(scan.filter).some((c) => c.column === column);
    if (!excludesNulls) return undefined;
    const input: Scan = { ...scan, indexRange: { keyName: index.name, column, order: key.desc ? 'desc' : 'asc' } };
    return { kind: 'limit', schema: plan.schema, input, limit: plan.limit, offset: plan.offset };
  },
};
