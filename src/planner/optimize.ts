/**
 * The planner's rewrite pipeline. Rules run in order, each bottom-up over the whole plan;
 * after each rule the output schema must be unchanged (checked: a violation is a bug).
 *
 * Order matters: filters are pushed into scans first (so partitions can be pruned from
 * them), then ORDER BY … LIMIT becomes TopK
 * (TopK then sits directly on the filtered scan, the shape vector search plans need), and
 * TopK moves below the projection so only k rows are projected. The join algorithm is
 * chosen last, by cost, once the inputs' shapes are final.
 */
import { internalError } from '../errors.js';
import type { Plan } from './plan.js';
import { pushDownFilter } from './rules/push-down-filter.js';
import { rewriteVectorTopK } from './rules/rewrite-vector-top-k.js';
import { pushTopKBelowProject } from './rules/push-top-k-below-project.js';
import { applyEverywhere, type Rule, type RuleContext } from './rules/rule.js';
import { prunePartitionsRule } from './rules/prune-partitions.js';
import { pushFilterIntoJoins } from './rules/push-filter-into-joins.js';
import { chooseVectorIndex } from './rules/choose-vector-index.js';
import { mergeProjections } from './rules/merge-projections.js';
import { useKeyLookup } from './rules/use-key-lookup.js';
import { chooseJoinAlgorithm } from './rules/choose-join-algorithm.js';

export const RULES: readonly Rule[] = [pushFilterIntoJoins, pushDownFilter, useKeyLookup, prunePartitionsRule, rewriteVectorTopK, pushTopKBelowProject, chooseVectorIndex, mergeProjections, chooseJoinAlgorithm];

export function optimize(plan: Plan, ctx: RuleContext, disabled: ReadonlySet<string> = new Set()): Plan {
  let out = plan;
  for (const rule of RULES) {
    if (disabled.has(rule.name)) continue;
    const next = applyEverywhere(out, rule, ctx);
    if (next.schema.length !== out.schema.length) throw internalError(`bug: rule ${rule.name} changed the plan's output schema`);
    out = next;
  }
  return out;
}
