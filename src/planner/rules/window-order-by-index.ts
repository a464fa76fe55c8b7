/**
 * WindowAgg(Sort(Scan)) → WindowAgg(Index Scan in the window's order), and likewise an
 * ORDER BY's Sort(Scan) → Index Scan (sortByIndex, below)
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
 * Sort over the scan's other paths (sortedAlternative); a scan already reading a range of
 * that index (use-index-range.ts) then reads it in key order. enable_indexscan = off: never
 * (PostgreSQL builds no such path).
 */
import { CostModel } from '../cost.js';
import type { Plan, SortKey } from '../plan.js';
import type { Rule } from './rule.js';
import { btreeKeys, plainScan } from './use-index-range.js';
import { presortedPrefix } from './incremental-sort-by-index.js';
import { indexQuals } from '../range-comparison.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

/**
 * What the Sort costs over the scan's other paths, as PostgreSQL compares them: the Seq Scan
 * and, for a scan already through an index range, the Bitmap Heap Scan of that range (its
 * plain index scan is the ordered candidate itself, at the same price).
 */
function sortedAlternative(model: CostModel, sort: Extract<Plan, { kind: 'sort' }>, scan: Scan): number {
  const range = scan.indexRange;
  if (!range) return model.estimate(sort).total;
  const { indexRange: _, ...seq } = scan;
  const inputs: Scan[] = [seq];
  const cond = indexQuals(scan.filter, range.columns).map((q) => q.cond);
  if (model.env.settings.bitmapscan && cond.length) inputs.push({ ...seq, btreeBitmap: { path: { kind: 'index', keyName: range.keyName, columns: range.columns, cond }, recheck: cond } });
  return Math.min(...inputs.map((input) => model.estimate({ ...sort, input }).total));
}

export const windowOrderByIndex: Rule = {
  name: 'window-order-by-index',
  apply(plan, ctx) {
    if (plan.kind !== 'window' || plan.input.kind !== 'sort') return undefined;
    const scan = cheaperOrderedScan(plan.input, ctx);
    return scan ? { ...plan, input: scan } : undefined;
  },
};

/**
 * ORDER BY without LIMIT: Sort(Scan) → the table read through a B-tree index in that order,
 * when cheaper (PostgreSQL keeps the cheaper of the sorted Seq Scan and the index path whose
 * pathkeys are the query's: `SELECT * FROM t ORDER BY id` on a well-correlated primary key
 * is an Index Scan). A FROM subquery's Sort (its Subquery Scan's cost) stays.
 */
export const sortByIndex: Rule = {
  name: 'sort-by-index',
  apply(plan, ctx) {
    if (plan.kind !== 'sort' || plan.subqueryScan) return undefined;
    if (plan.input.kind !== 'project') return cheaperOrderedScan(plan, ctx);
    // the select list between: sort keys that are its plain columns sort the scan below it
    const project = plan.input;
    const keys: SortKey[] = [];
    for (const k of plan.keys) {
      const e = k.expr.kind === 'column' && k.expr.level === 0 ? project.exprs[k.expr.index] : undefined;
      if (e?.kind !== 'column' || e.level !== 0) return undefined;
      keys.push({ ...k, expr: e });
    }
    const scan = cheaperOrderedScan({ ...plan, input: project.input, keys }, ctx);
    return scan ? { ...project, input: scan } : undefined;
  },
};

/** The sort's scan read through the cheapest B-tree index giving its order, if cheaper than the Sort. */
function cheaperOrderedScan(sort: Extract<Plan, { kind: 'sort' }>, ctx: Parameters<Rule['apply']>[1]): Scan | undefined {
  const scan = sort.input;
  if (!plainScan(scan) || scan.indexRange?.order || scan.btreeBitmap || sort.keys.length === 0) return undefined;
  const model = new CostModel(ctx.catalog, ctx.costEnv);
  if (!model.env.settings.indexscan) return undefined;
  let best: { scan: Scan; cost: number } | undefined;
  for (const { index, columns } of btreeKeys(scan.table)) {
    // a range already read through an index (use-index-range.ts): only that index, read in its order
    if (scan.indexRange && scan.indexRange.keyName !== index.name) continue;
    const prefix = presortedPrefix(scan, sort.keys, columns);
    if (prefix.keys < sort.keys.length) continue;
    const order = sort.keys[0].desc ? 'desc' : 'asc';
    const candidate: Scan = scan.indexRange
      ? { ...scan, indexRange: { ...scan.indexRange, order, orderColumns: prefix.columns, merged: true } }
      : { ...scan, indexRange: { keyName: index.name, columns, order, orderColumns: prefix.columns, merged: true } };
    const cost = model.estimate(candidate).total;
    if (!best || cost < best.cost) best = { scan: candidate, cost };
  }
  if (!best || best.cost >= sortedAlternative(model, sort, scan)) return undefined;
  return best.scan;
}
