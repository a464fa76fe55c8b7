/**
 * TopK(ORDER BY a, b LIMIT k, Scan) → Limit(Incremental Sort(Index Scan in a's order))
 *
 *   SELECT … FROM events ORDER BY user_id, ts DESC LIMIT 20      (index on user_id)
 *
 * PostgreSQL's Incremental Sort: where no B-tree index gives the whole ORDER BY (that is
 * rules/use-index-range.ts's order-by-index) but one gives its leading keys, the scan reads
 * in that index's order and only each group of rows with equal leading keys is sorted; with
 * a LIMIT the scan stops after the group that completes the k rows. Taken when its cost
 * (incremental-sort-cost.ts, then the Limit's share) is below the Top-K over the scan as it
 * is, as PostgreSQL compares the two; never with enable_incremental_sort or
 * enable_indexscan off (PostgreSQL builds no such path then).
 *
 * The presorted keys follow the index's columns in order (columns fixed by `=` skipped), all
 * ascending or all descending (backward), with NULLs where the index has them; the keys
 * after them may be anything. An ORDER BY key fixed by `=` is left to the plain Top-K
 * (PostgreSQL drops it from the sort key).
 */
import { CostModel } from '../cost.js';
import type { Plan, SortKey } from '../plan.js';
import { indexQuals } from '../range-comparison.js';
import type { Rule } from './rule.js';
import { btreeKeys, fixedColumns, plainScan } from './use-index-range.js';

type Scan = Extract<Plan, { kind: 'scan' }>;
type TopK = Extract<Plan, { kind: 'topk' }>;

/** add_path's STD_FUZZ_FACTOR */
const FUZZ = 1.01;

/**
 * How many leading ORDER BY keys the index on `columns` gives in order, and how many of its
 * columns that takes (the scan's orderColumns); keys: 0 when not even the first.
 */
export function presortedPrefix(scan: Scan, keys: readonly SortKey[], columns: readonly number[]): { keys: number; columns: number } {
  const fixed = fixedColumns(scan, columns);
  const conditioned = new Set(indexQuals(scan.filter, columns).map((c) => c.column));
  const first = keys[0];
  let i = 0, j = 0;
  while (j < keys.length && i < columns.length) {
    const e = keys[j].expr;
    if (e.kind !== 'column' || e.level !== 0 || e.index >= scan.table.columns.length) break;
    if (fixed.has(e.index)) return { keys: 0, columns: 0 };
    if (keys[j].desc !== first.desc) break;
    // NULLs where the index puts them (last forward, first backward), or none possible
    if (keys[j].nullsFirst !== keys[j].desc && !scan.table.columns[e.index].notNull && !conditioned.has(e.index)) break;
    if (columns[i] === e.index) { i++; j++; }
    else if (fixed.has(columns[i])) i++;
    else break;
  }
  return { keys: j, columns: i };
}

export const incrementalSortByIndex: Rule = {
  name: 'incremental-sort-by-index',
  apply(plan, ctx) {
    if (plan.kind !== 'topk' || plan.vectorSearch || plan.presorted || !plan.limit || plan.keys.length < 2 || !plainScan(plan.input)) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const settings = model.env.settings;
    if (!settings.incrementalSort || !settings.indexscan) return undefined;
    const scan = plan.input;
    let best: { plan: TopK; cost: number } | undefined;
    for (const { index, columns } of btreeKeys(scan.table)) {
      const prefix = presortedPrefix(scan, plan.keys, columns);
      if (!prefix.keys || prefix.keys >= plan.keys.length) continue;
      const input: Scan = { ...scan, indexRange: { keyName: index.name, columns, order: plan.keys[0].desc ? 'desc' : 'asc', orderColumns: prefix.columns } };
      const candidate: TopK = { ...plan, input, presorted: prefix.keys };
      const cost = model.estimate(candidate).total;
      if (!best || cost < best.cost) best = { plan: candidate, cost };
    }
    if (!best) return undefined;
    // add_path's fuzzy comparison: totals within 1 % of each other leave the choice to the startup costs
    const current = model.estimate(plan);
    const chosen = model.estimate(best.plan);
    const fuzzilyEqual = chosen.total <= current.total * FUZZ && current.total <= chosen.total * FUZZ;
    const better = fuzzilyEqual ? chosen.startup * FUZZ < current.startup : chosen.total < current.total;
    return better ? best.plan : undefined;
  },
};
