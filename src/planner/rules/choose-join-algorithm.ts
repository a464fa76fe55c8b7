/**
 * Join → Hash Join or Nested Loop, by cost
 *
 *   SELECT … FROM orders o JOIN customers c ON o.customer_id = c.id
 *
 * A join with equi-join keys (planner/join-keys.ts) can hash its right input; a nested loop
 * compares every pair. Both are priced (cost.ts, enable_hashjoin / enable_nestloop add
 * disable_cost) and the cheaper is recorded on the node: the executor only executes it. An
 * inner hash join hashes whichever input is cheaper to hold (`hashBuild: 'left'` when it is
 * the left one).
 * Tiny inputs come out as nested loops (no hash table to build), as in PostgreSQL. Runs
 * last, when the inputs' shapes (and so their estimates) are final.
 */
import { CostModel } from '../cost.js';
import { hashJoinKeys } from '../join-keys.js';
import type { Rule } from './rule.js';

export const chooseJoinAlgorithm: Rule = {
  name: 'choose-join-algorithm',
  apply(plan, ctx) {
    if (plan.kind !== 'join' || plan.algorithm) return undefined;
    if (plan.lateral || !hashJoinKeys(plan.on, plan.left.schema.length)) return { ...plan, algorithm: 'nestloop' };
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const hash = model.join(plan, 'hash', 'right').total;
    // an inner join can hash its left input instead (PostgreSQL tries both orders): the smaller side is held
    const hashLeft = plan.joinType === 'inner' ? model.join(plan, 'hash', 'left').total : Infinity;
    const loop = model.join(plan, 'nestloop').total;
    if (loop < Math.min(hash, hashLeft)) return { ...plan, algorithm: 'nestloop' };
    return hashLeft < hash ? { ...plan, algorithm: 'hash', hashBuild: 'left' } : { ...plan, algorithm: 'hash' };
  },
};
