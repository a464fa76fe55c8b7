/**
 * INTERSECT [ALL] with its operand of fewer groups first
 *
 *   SELECT id, g FROM t INTERSECT SELECT v, g FROM t      → HashSetOp over (v, g) then (id, g)
 *
 * PostgreSQL's generate_nonunion_paths puts the input with fewer estimated groups
 * (estimate_num_groups over its columns) first, so the hash table holds fewer entries; the
 * rows INTERSECT returns do not depend on the order. EXPLAIN still names each operand by its
 * place in the query ("*SELECT* 2").
 */
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { CostModel } from '../cost.js';
import { groupCount } from '../selectivity.js';

function columns(plan: Plan): Expr[] {
  return plan.schema.map((c, i): Expr => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name }));
}

export const intersectSmallerFirst: Rule = {
  name: 'intersect-smaller-first',
  apply(plan, ctx) {
    if (plan.kind !== 'setop' || plan.op !== 'intersect' || plan.swapped) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const groups = (p: Plan) => groupCount(columns(p), model.estimate(p).rows, model.schemaLookup(p.schema));
    if (groups(plan.left) <= groups(plan.right)) return undefined;
    return { ...plan, left: plan.right, right: plan.left, swapped: true };
  },
};
