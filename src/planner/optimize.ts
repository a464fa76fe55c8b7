/**
 * The planner's rewrite pipeline. Rules run in order, each bottom-up over the whole plan;
 * after each rule the output schema must be unchanged (checked: a violation is a bug).
 *
 * Order matters: filters are pushed into scans first (so partitions can be pruned from
 * them), then ORDER BY … LIMIT becomes TopK
 * (TopK then sits directly on the filtered scan, the shape vector search plans need), and
 * TopK moves below the projection so only k rows are projected; an ORDER BY distance
 * without LIMIT becomes an ordered vector index scan only where the index is forced. The join order
 * (join-order.ts) and then each join's algorithm are chosen last, by cost, once the inputs' shapes are final. Then one top-down pass tells
 * scans which columns the nodes above them read (read-scan-columns.ts).
 */
import { internalError } from '../errors.js';
import type { Plan } from './plan.js';
import { pushDownFilter } from './rules/push-down-filter.js';
import { rewriteVectorTopK } from './rules/rewrite-vector-top-k.js';
import { inlineScalarFunctionScan } from './rules/inline-scalar-function-scan.js';
import { pushTopKBelowWindow } from './rules/push-top-k-below-window.js';
import { pushTopKBelowProject } from './rules/push-top-k-below-project.js';
import { applyEverywhere, mapChildren, type Rule, type RuleContext } from './rules/rule.js';
import { walkPlanExprs } from './expr-walk.js';
import { prunePartitionsRule } from './rules/prune-partitions.js';
import { pushFilterIntoJoins, pushOnIntoInputs } from './rules/push-filter-into-joins.js';
import { chooseVectorIndex } from './rules/choose-vector-index.js';
import { orderByVectorIndex } from './rules/order-by-vector-index.js';
import { mergeProjections } from './rules/merge-projections.js';
import { useKeyLookup } from './rules/use-key-lookup.js';
import { useTextIndex } from './rules/use-text-index.js';
import { bindBm25Corpus } from './rules/bind-bm25-corpus.js';
import { bm25TopK } from './rules/bm25-top-k.js';
import { chooseJoinAlgorithm } from './rules/choose-join-algorithm.js';
import { orderByMergeJoin } from './rules/order-by-merge-join.js';
import { readScanColumns } from './rules/read-scan-columns.js';
import { useIndexOnlyScan } from './rules/use-index-only-scan.js';
import { markIndexOnlyScans } from './index-only.js';
import { pullUpSublinks } from './pull-up-sublinks.js';
import { orderByIndex, useIndexRange } from './rules/use-index-range.js';
import { incrementalSortByIndex } from './rules/incremental-sort-by-index.js';
import { sortByIndex, windowOrderByIndex } from './rules/window-order-by-index.js';
import { useBitmapScan } from './rules/use-bitmap-scan.js';
import { pushFilterBelowProject } from './rules/push-filter-below-project.js';
import { dropFixedSortKeys } from './rules/drop-fixed-sort-keys.js';
import { dropZeroOffset } from './rules/drop-zero-offset.js';
import { inlineCtes } from './inline-ctes.js';
import { reorderJoins } from './join-order.js';
import { minMaxIndex } from './min-max-index.js';
import { planWindows } from './window-plan.js';
import { dropUnreadWindowFunctions } from './unread-window-functions.js';
import { windowRunCondition } from './window-run-condition.js';
import { intersectSmallerFirst } from './rules/intersect-smaller-first.js';
import { sortGroupingRollup } from './rules/sort-grouping-rollup.js';
import { costEnvOrDefault } from './cost.js';
import { dropOrderedSort } from './plan-order.js';
import { foldConstantQuals, hoistOneTimeFilter, sinkOneTimeFilter } from './constant-quals.js';

export const RULES: readonly Rule[] = [dropZeroOffset, pushFilterBelowProject, pushFilterIntoJoins, pushOnIntoInputs, inlineScalarFunctionScan, pushDownFilter, windowRunCondition, dropFixedSortKeys, useKeyLookup, useIndexRange, useTextIndex, prunePartitionsRule, rewriteVectorTopK, pushTopKBelowProject, pushTopKBelowWindow, sortGroupingRollup, dropOrderedSort, hoistOneTimeFilter, orderByIndex, windowOrderByIndex, sortByIndex, incrementalSortByIndex, useBitmapScan, chooseVectorIndex, orderByVectorIndex, intersectSmallerFirst, mergeProjections, chooseJoinAlgorithm, orderByMergeJoin, bindBm25Corpus, bm25TopK];

/** A statement's plan (or a SQL function's body): its WITH queries read once are inlined first. */
export function optimize(plan: Plan, ctx: RuleContext, disabled: ReadonlySet<string> = new Set()): Plan {
  return optimizeQuery(disabled.has('inline-ctes') ? plan : inlineCtes(plan), ctx, disabled);
}

function optimizeQuery(plan: Plan, ctx: RuleContext, disabled: ReadonlySet<string>): Plan {
  // conditions decided without reading a row first: what is left of each WHERE is what the rules see
  let out = disabled.has(foldConstantQuals.name) ? plan : applyEverywhere(plan, foldConstantQuals, ctx);
  // while the subqueries are as bound: those that become joins are planned as part of this query
  if (!disabled.has(pullUpSublinks.name)) out = applyEverywhere(out, pullUpSublinks, ctx);
  // again: a subquery's WHERE proven empty empties the semi join it became
  if (!disabled.has(foldConstantQuals.name)) out = applyEverywhere(out, foldConstantQuals, ctx);
  // min/max of an indexed column become subqueries, planned below with the others
  if (!disabled.has(minMaxIndex.name)) out = applyEverywhere(out, minMaxIndex, ctx);
  optimizeNestedPlans(out, ctx, disabled, new WeakSet());
  // a subquery's window functions nobody reads: not computed, their windows not sorted for
  if (!disabled.has('drop-unread-window-functions')) out = dropUnreadWindowFunctions(out);
  // one WindowAgg per window clause, with the Sorts they need: the executor's window
  // operator relies on its input's order, so this is not a rule one can turn off
  out = planWindows(out, costEnvOrDefault(ctx.catalog, ctx.costEnv).settings.incrementalSort);
  for (const rule of RULES) {
    // the join order is searched once the inputs' shapes (and so their estimates) are final, before their methods are chosen
    if (rule === chooseJoinAlgorithm && !disabled.has('reorder-joins')) out = reorderJoins(out, ctx);
    if (disabled.has(rule.name)) continue;
    const next = applyEverywhere(out, rule, ctx);
    if (next.schema.length !== out.schema.length) throw internalError(`bug: rule ${rule.name} changed the plan's output schema`);
    out = next;
  }
  if (!disabled.has(sinkOneTimeFilter.name)) out = applyEverywhere(out, sinkOneTimeFilter, ctx);
  // needs the whole plan (what the nodes above a scan read): after the rules, once
  if (disabled.has('read-scan-columns')) return out;
  out = readScanColumns(out);
  // with the columns known: an index whose keys are all a scan reads, priced with its all-visible rows
  if (!disabled.has(useIndexOnlyScan.name)) out = applyEverywhere(out, useIndexOnlyScan, ctx);
  return disabled.has(markIndexOnlyScans.name) ? out : applyEverywhere(out, markIndexOnlyScans, ctx);
}

/**
 * Subqueries in expressions (SubPlans, InitPlans) and CTEs are queries of their own: each
 * gets the same rewrites as the main query (a k-NN subquery becomes a vector Top-K, its
 * `id = 5` a key lookup). They are replaced in place, before the main query's rules run:
 * the bound tree is this statement's own, and a CTE read twice is one shared object,
 * optimized once.
 */
function optimizeNestedPlans(plan: Plan, ctx: RuleContext, disabled: ReadonlySet<string>, seen: WeakSet<object>): void {
  const visitNode = (p: Plan): void => {
    if (p.kind === 'cteScan' && !seen.has(p.cte)) {
      seen.add(p.cte);
      p.cte.plan = optimizeQuery(p.cte.plan, ctx, disabled);
    }
    mapChildren(p, (child) => {
      visitNode(child);
      return child;
    });
  };
  visitNode(plan);
  // expressions of this query level (depth 0); deeper ones are handled by optimize() of their own plan
  walkPlanExprs(plan, 0, (e, depth) => {
    if (depth !== 0 || (e.kind !== 'subquery' && e.kind !== 'insubquery')) return;
    if (seen.has(e)) return;
    seen.add(e);
    (e as { plan: Plan }).plan = optimizeQuery(e.plan, ctx, disabled);
  });
}
