/**
 * Sort(ORDER BY a.id, Join) → Merge Join giving that order
 *
 *   SELECT a.id, b.y FROM a JOIN b ON a.id = b.id ORDER BY a.id
 *
 * A merge join hands on its rows in the order of its outer input's keys (for an inner join
 * also the inner's, equal on every row), ascending with NULLs last (merge-join-path.ts). An
 * ORDER BY on those columns then needs no Sort: PostgreSQL keeps the merge join's path for
 * its order and takes it when it costs less than sorting the cheapest join (add_path's 1 %
 * fuzz). Runs after choose-join-algorithm, on a Sort over the join (or over a projection of
 * its columns).
 */
import { CostModel } from '../cost.js';
import { cheapestMergeJoin, mergeOrder } from '../merge-join-path.js';
import type { Plan } from '../plan.js';
import { preferred } from './choose-join-algorithm.js';
import type { Rule } from './rule.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/** The sort keys as columns of the join below (through a projection of plain columns), or undefined. */
function joinColumns(sort: Extract<Plan, { kind: 'sort' }>): { join: JoinNode; columns: number[] } | undefined {
  const input = sort.input;
  const join = input.kind === 'project' ? input.input : input;
  if (join.kind !== 'join' || join.lateral || join.parameterized || join.joinType === 'semi' || join.joinType === 'anti') return undefined;
  const columns: number[] = [];
  for (const k of sort.keys) {
    if (k.desc || k.nullsFirst || k.expr.kind !== 'column' || k.expr.level !== 0) return undefined;
    const e = input.kind === 'project' ? input.exprs[k.expr.index] : k.expr;
    if (!e || e.kind !== 'column' || e.level !== 0) return undefined;
    columns.push(e.index);
  }
  return { join, columns };
}

/** Whether the merge join's order gives these columns in order. */
function gives(candidate: JoinNode, columns: readonly number[]): boolean {
  const order = mergeOrder(candidate);
  return columns.length > 0 && columns.length <= order.outer.length
    && columns.every((c, i) => c === order.outer[i] || c === order.inner[i]);
}

export const orderByMergeJoin: Rule = {
  name: 'order-by-merge-join',
  apply(plan, ctx) {
    if (plan.kind !== 'sort') return undefined;
    const found = joinColumns(plan);
    if (!found) return undefined;
    const { join, columns } = found;
    if (join.algorithm === 'merge' && gives(join, columns)) return plan.input;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const written: JoinNode = { ...join, left: unsorted(join.left), right: unsorted(join.right), algorithm: undefined, mergeOuter: undefined, hashBuild: undefined };
    const merge = cheapestMergeJoin(written, model, (c) => gives(c, columns));
    if (!merge) return undefined;
    const replaced = plan.input.kind === 'project' ? { ...plan.input, input: merge } : merge;
    return preferred(model.estimate(replaced), model.estimate(plan)) ? replaced : undefined;
  },
};

/** A merge join's input as written (its Sort or ordered Index Scan taken off). */
function unsorted(p: Plan): Plan {
  if (p.kind === 'sort') return p.input;
  if (p.kind === 'scan' && p.indexRange?.merged) {
    const { indexRange: _, ...scan } = p;
    return scan as Plan;
  }
  return p;
}
