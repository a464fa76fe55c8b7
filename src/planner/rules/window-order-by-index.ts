/**
 * WindowAgg(Sort(Scan)) → WindowAgg(Index Scan in the window's order)
 *
 *   SELECT id, row_number() OVER (ORDER BY id) FROM t               (primary key on id)
 *   SELECT …, lag(v) OVER (PARTITION BY user_id ORDER BY ts) FROM e (index on (user_id, ts))
 *
 * PostgreSQL plans a window over any path whose pathkeys already give the window's order
 * (create_window_paths: the query's pathkeys are the lowest window's, so the scan offers its
 * index paths in that order) and keeps the cheaper. Here the Sort window-plan.ts placed
 * below the lowest WindowAgg is replaced by the table read through a B-tree index whose
 * leading columns give every sort key in order (columns fixed by `=` skipped, all ascending
 * or all descending, NULLs where the index has them), when that index scan (priced as
 * cost_index reads a whole range in key order, merge-join-cost.ts) costs less than the
 * Sort over the scan as it is. enable_indexscan = off: never (PostgreSQL builds no such path).
 */
import { CostModel } from '../cost.js';
import type { Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { btreeKeys, plainScan } from './use-index-range.js';
import { presortedPrefix } from './incremental-sort-by-index.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

export const windowOrderByIndex: Rule = {
  name: 'window-order-by-index',
  apply(plan, ctx) {
    if (plan.kind !== 'window' || plan.input.kind !== 'sort') return undefined;
    const sort = plan.input;
    const scan = sort.input;
    if (!plainScan(scan) || scan.indexRange || scan.btreeBitmap || sort.keys.length === 0) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    if (!model.env.settings.indexscan) return undefined;
    let best: { scan: Scan; cost: number } | undefined;
    for (const { index, columns } of btreeKeys(scan.table)) {
      const prefix = presortedPrefix(scan, sort.keys, columns);
      if (prefix.keys < sort.keys.length) continue;
      const candidate: Scan = { ...scan, indexRange: { keyName: index.name, columns, order: sort.keys[0].desc ? 'desc' : 'asc', orderColumns: prefix.columns, merged: true } };
      const cost = model.estimate(candidate).total;
      if (!best || cost < best.cost) best = { scan: candidate, cost };
    }
    if (!best || best.cost >= model.estimate(sort).total) return undefined;
    return { ...plan, input: best.scan };
  },
};
