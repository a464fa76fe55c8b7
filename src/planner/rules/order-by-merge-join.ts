/**
 * Sort(ORDER BY a.id, Join) → Merge Join giving that order
 *
 *   SELECT a.id, b.y FROM a JOIN b ON a.id = b.id ORDER BY a.id
 *
 * A merge join hands on its rows in the order of its outer input's keys (for an inner join
 * also the inner's, equal on every row), ascending with NULLs last, or descending with NULLs
 * first when its inputs are read backward or sorted DESC (merge-join-path.ts). An ORDER BY on
 * those columns, all ASC or all DESC, then needs no Sort: PostgreSQL keeps the merge join's path for
 * its order and takes it when it costs less than sorting the cheapest join (add_path's 1 %
 * fuzz). Runs after choose-join-algorithm, on a Sort over the join (or over a projection of
 * its columns).
 */
import { CostModel } from '../cost.js';
import { asWritten, cheapestMergeJoin, givesOrder } from '../merge-join-path.js';
import type { Plan, SortKey } from '../plan.js';
import { preferred } from './choose-join-algorithm.js';
import type { Rule } from './rule.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/**
 * The sort keys as columns of the join below (through a projection of plain columns), all
 * ascending with NULLs last or all descending with NULLs first (`desc`), or undefined.
 */
function joinColumns(sort: { readonly input: Plan; readonly keys: readonly SortKey[] }): { join: JoinNode; columns: number[]; desc: boolean } | undefined {
  const input = sort.input;
  const join = input.kind === 'project' ? input.input : input;
  if (join.kind !== 'join' || join.lateral || join.parameterized || join.joinType === 'semi' || join.joinType === 'anti') return undefined;
  const columns: number[] = [];
  const desc = sort.keys[0]?.desc === true;
  for (const k of sort.keys) {
    if (k.desc !== desc || k.nullsFirst !== desc || k.expr.kind !== 'column' || k.expr.level !== 0) return undefined;
    const e = input.kind === 'project' ? input.exprs[k.expr.index] : k.expr;
    if (!e || e.kind !== 'column' || e.level !== 0) return undefined;
    columns.push(e.index);
  }
  return { join, columns, desc };
}

export const orderByMergeJoin: Rule = {
  name: 'order-by-merge-join',
  apply(plan, ctx) {
    if (plan.kind === 'topk') return limitedMerge(plan, ctx);
    if (plan.kind !== 'sort') return undefined;
    const found = joinColumns(plan);
    if (!found) return undefined;
    const { join, columns, desc } = found;
    if (join.algorithm === 'merge' && givesOrder(join, columns, desc)) return plan.input;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const merge = cheapestMergeJoin(asWritten(join), model, { accept: (c) => givesOrder(c, columns, desc), desc });
    if (!merge) return undefined;
    const replaced = plan.input.kind === 'project' ? { ...plan.input, input: merge } : merge;
    return preferred(model.estimate(replaced), model.estimate(plan)) ? replaced : undefined;
  },
};

/**
 * ORDER BY … LIMIT over a join (a Top-N sort): a Limit over the merge join in that order,
 * which stops after the first rows, when that costs less (PostgreSQL's fractional paths).
 */
function limitedMerge(plan: Extract<Plan, { kind: 'topk' }>, ctx: Parameters<Rule['apply']>[1]): Plan | undefined {
  if (plan.vectorSearch || plan.presorted || !plan.limit) return undefined;
  const found = joinColumns(plan);
  if (!found) return undefined;
  const { join, columns, desc } = found;
  const model = new CostModel(ctx.catalog, ctx.costEnv);
  const merge = join.algorithm === 'merge' && givesOrder(join, columns, desc) ? join
    : cheapestMergeJoin(asWritten(join), model, { accept: (c) => givesOrder(c, columns, desc), desc });
  if (!merge) return undefined;
  const input = plan.input.kind === 'project' ? { ...plan.input, input: merge } : merge;
  const limited: Plan = { kind: 'limit', schema: plan.schema, input, limit: plan.limit, offset: plan.offset };
  return preferred(model.estimate(limited), model.estimate(plan)) ? limited : undefined;
}
