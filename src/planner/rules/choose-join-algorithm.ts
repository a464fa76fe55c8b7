/**
 * Join → Hash Join or Nested Loop, by cost
 *
 *   SELECT … FROM orders o JOIN customers c ON o.customer_id = c.id
 *
 * A join with equi-join keys (planner/join-keys.ts) can hash its right input, or read both
 * inputs in key order and merge them (merge-join-path.ts); a nested loop compares every pair. Both are priced (cost.ts, enable_hashjoin / enable_nestloop add
 * disable_cost) and the cheaper is recorded on the node: the executor only executes it. An
 * inner or outer hash join hashes whichever input is cheaper to hold (`hashBuild: 'left'`
 * when it is the left one; semi and anti joins hash their right input, as in PostgreSQL 15).
 * A semi join may instead become an inner join with its right side made unique
 * (unique-semi-join.ts) when that is cheaper.
 * Tiny inputs come out as nested loops (no hash table to build), as in PostgreSQL. Runs
 * last, when the inputs' shapes (and so their estimates) are final.
 */
import { CostModel, type Estimate } from '../cost.js';
import { hashableJoinKeys } from '../join-keys.js';
import { cheapestMergeJoin } from '../merge-join-path.js';
import { parameterizedIndexJoin } from '../param-index-join.js';
import type { Plan } from '../plan.js';
import { asSemiJoinOutput, uniqueInnerJoin } from '../unique-semi-join.js';
import type { Rule } from './rule.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/**
 * The join with its cheapest method (and hashed side) recorded; also used by the join order
 * search. Besides hashing and a plain nested loop, a nested loop probing an index of the
 * right table with each left row (param-index-join.ts) when one fits.
 */
export function withCheapestAlgorithm(plan: JoinNode, model: CostModel): JoinNode {
  if (plan.lateral) return { ...plan, algorithm: 'nestloop' };
  if (!hashableJoinKeys(plan.on, plan.left.schema.length)) {
    // no equality to hash: a plain nested loop, or one probing a range of the right table's B-tree
    const ranged = cheapestParameterized(plan, model);
    return ranged && model.join(ranged, 'nestloop').total < model.join(plan, 'nestloop').total ? ranged : { ...plan, algorithm: 'nestloop' };
  }
  const hashE = model.join(plan, 'hash', 'right');
  // an inner or outer join can hash its left input instead (PostgreSQL tries both orders; a LEFT
  // JOIN so is its Hash Right Join): the cheaper side to hold, e.g. not the one keyed on `b.id + 1`
  const hashLeftE = plan.joinType !== 'semi' && plan.joinType !== 'anti' ? model.join(plan, 'hash', 'left') : undefined;
  const loopE = model.join(plan, 'nestloop');
  const probed = cheapestParameterized(plan, model);
  const probedE = probed ? model.join(probed, 'nestloop') : undefined;
  const hash = hashE.total, hashLeft = hashLeftE?.total ?? Infinity, loop = loopE.total, probedCost = probedE?.total ?? Infinity;
  // PostgreSQL has no nested loop for a FULL JOIN: with keys to hash it hashes or merges, even disabled
  const loops = plan.joinType !== 'full';
  // both inputs in key order, walked side by side (merge-join-path.ts), against the cheapest of the others
  const others = [hashE, ...(loops ? [loopE] : []), ...(hashLeftE ? [hashLeftE] : []), ...(loops && probedE ? [probedE] : [])];
  const cheapestOther = others.reduce((a, b) => (b.total < a.total ? b : a));
  const merge = cheapestMergeJoin(plan, model, { limit: beatable(cheapestOther) });
  if (merge && preferred(model.estimate(merge), cheapestOther)) return merge;
  if (loops && probed && probedCost < Math.min(hash, hashLeft, loop)) return probed;
  if (loops && loop < Math.min(hash, hashLeft)) return { ...plan, algorithm: 'nestloop' };
  return hashLeft < hash ? { ...plan, algorithm: 'hash', hashBuild: 'left' } : { ...plan, algorithm: 'hash' };
}

/** add_path's STD_FUZZ_FACTOR */
const FUZZ = 1.01;

/**
 * Whether path a wins over b as PostgreSQL's add_path settles it (STD_FUZZ_FACTOR 1.01):
 * totals within 1 % of each other are a tie, decided by the startup cost (the paths
 * compared have no useful order above).
 */
export function preferred(a: Estimate, b: Estimate): boolean {
  if (a.total * FUZZ < b.total) return true;
  if (b.total * FUZZ < a.total) return false;
  if (a.startup * FUZZ < b.startup) return true;
  if (b.startup * FUZZ < a.startup) return false;
  return a.total < b.total;
}

/** The highest total that may still be preferred over b: above it, preferred(a, b) is false. */
export function beatable(b: Estimate): number {
  return b.total * FUZZ;
}

/** The parameterized nested loop (param-index-join.ts), under a Memoize when that is cheaper. */
function cheapestParameterized(plan: JoinNode, model: CostModel): JoinNode | undefined {
  const leftRows = model.estimate(plan.left).rows;
  const first = parameterizedIndexJoin(plan, leftRows);
  // priced for as many loops as the rows of the outer relations its parameters come from
  const loops = first ? model.outerRelationRows(first) : leftRows;
  const probed = first && loops !== leftRows ? parameterizedIndexJoin(plan, loops) : first;
  if (!probed || !model.memoizable(probed)) return probed;
  const cached: JoinNode = { ...probed, memoize: true };
  return model.join(cached, 'nestloop').total < model.join(probed, 'nestloop').total ? cached : probed;
}

/**
 * A semi join's other form (unique-semi-join.ts): an inner join with the right side made
 * unique on its keys, hashed or looped, when that is cheaper than the semi join chosen.
 */
function cheaperUniqueInner(semi: JoinNode, model: CostModel, written: JoinNode): Plan | undefined {
  // built from the semi join as written (a merge join's inputs are already sorted)
  const join = uniqueInnerJoin(written);
  if (!join) return undefined;
  // the unique side is the inner one (hashed or held), as JOIN_UNIQUE_INNER has it
  const hash = model.join(join, 'hash', 'right').total;
  const loop = model.join(join, 'nestloop').total;
  let chosen: JoinNode = { ...join, algorithm: loop < hash ? 'nestloop' : 'hash' };
  const merge = cheapestMergeJoin(join, model, { limit: beatable(model.estimate(chosen)) });
  if (merge && preferred(model.estimate(merge), model.estimate(chosen))) chosen = merge;
  return model.estimate(chosen).total < model.estimate(semi).total ? asSemiJoinOutput(chosen, semi) : undefined;
}

export const chooseJoinAlgorithm: Rule = {
  name: 'choose-join-algorithm',
  apply(plan, ctx) {
    if (plan.kind !== 'join' || plan.algorithm) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const chosen = withCheapestAlgorithm(plan, model);
    // a semi join whose right side is unique already is planned as the inner join it is (cost.ts reducedSemiJoin)
    return (chosen.joinType === 'semi' && !model.semiJoinOnUniqueKey(chosen) && cheaperUniqueInner(chosen, model, plan)) || chosen;
  },
};
