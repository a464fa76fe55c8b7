/**
 * Independent subplans in parallel. A join (or a set operation) runs its sides one after
 * the other on the session thread: in pgvector's hybrid query (a vector Top-K and a
 * keyword ranking, fused by a FULL OUTER JOIN) the vector search waited for the keyword
 * side to finish before it began. So before a join runs its sides, every vector Top-K below
 * it that runs exactly once with the join's own parameters is started in the query workers
 * (its requests go out at once); the keyword side then runs here while the workers search,
 * and the Top-K operator takes the answer instead of searching (operators.ts: topk).
 *
 * This module finds those Top-K nodes and keeps the searches started for them until their
 * operators take them (operators.ts supplies how to start one). The nodes are found under
 * the join's sides through operators that run their input once (filter, project, window,
 * sort, limit, distinct, aggregate, non-lateral joins, set operations, CTE scans), over a
 * plain scan. Not under a LATERAL side (run once per outer row) or a function's body. A
 * Top-K inside a CTE runs only if the CTE's rows are not cached yet: each one found names
 * the CTEs it is in.
 */
import type { Plan } from '../planner/plan.js';
import type { Row } from '../types/types.js';
import type { RunContext } from './operators.js';
import type { EarlyStart } from './parallel-vector-search.js';

export type TopKPlan = Extract<Plan, { kind: 'topk' }>;

/** A Top-K running `plan` runs, unless one of `ctes` (ids) has its rows cached already. */
export interface TopKRunOnce {
  readonly topk: TopKPlan;
  readonly ctes: readonly number[];
}

const found = new WeakMap<Plan, readonly TopKRunOnce[]>();

/** The Top-K nodes over a scan that running `plan` runs at most once each, with `plan`'s parameters. */
export function topKsRunOnce(plan: Plan): readonly TopKRunOnce[] {
  let out = found.get(plan);
  if (!out) {
    const list: TopKRunOnce[] = [];
    collect(plan, [], list);
    found.set(plan, (out = list));
  }
  return out;
}

function collect(plan: Plan, ctes: readonly number[], out: TopKRunOnce[]): void {
  switch (plan.kind) {
    case 'topk':
      if (plan.input.kind === 'scan') out.push({ topk: plan, ctes });
      return;
    case 'filter': case 'project': case 'window': case 'sort': case 'limit': case 'distinct': case 'aggregate':
      collect(plan.input, ctes, out);
      return;
    case 'join':
      collect(plan.left, ctes, out);
      if (!plan.lateral) collect(plan.right, ctes, out);
      return;
    case 'setop':
      collect(plan.left, ctes, out);
      collect(plan.right, ctes, out);
      return;
    case 'result':
      if (plan.gated) collect(plan.gated, ctes, out);
      return;
    case 'cteScan':
      if (!ctes.includes(plan.cte.id)) collect(plan.cte.plan, [...ctes, plan.cte.id], out);
      return;
    case 'scan': case 'systemScan': case 'sampleScan': case 'values': case 'functionScan': case 'projectSet': case 'recursiveUnion':
    case 'workTableScan': case 'sqlFunctionScan':
      return;
    default: {
      const never: never = plan;
      throw new Error(`bug: plan node ${(never as Plan).kind} unknown to topKsRunOnce`);
    }
  }
}

/** A vector Top-K a join started in the query workers before its operator ran. */
export interface StartedSearch {
  readonly search: Promise<Row[] | undefined>;
  /** how it was started (its counts for EXPLAIN ANALYZE) */
  readonly start: EarlyStart;
}

/** The searches joins started, per execution, by Top-K node. */
const startedSearches = new WeakMap<RunContext, Map<Plan, StartedSearch>>();

/**
 * Start the Top-Ks below `plan` (topKsRunOnce) that `begin` starts in the query workers; it
 * returns undefined for one it does not (no vector distance, a LIMIT it cannot evaluate).
 * A Top-K already started, or inside a CTE whose rows are cached, is left alone.
 */
export function startVectorSearches(plan: Plan, rc: RunContext, begin: (topk: TopKPlan, start: EarlyStart) => Promise<Row[] | undefined> | undefined): void {
  const topks = topKsRunOnce(plan);
  if (topks.length === 0) return;
  let started = startedSearches.get(rc);
  if (!started) startedSearches.set(rc, (started = new Map()));
  for (const { topk, ctes } of topks) {
    if (started.has(topk) || ctes.some((id) => rc.cteResults.has(id))) continue;
    const start: EarlyStart = {};
    const search = begin(topk, start);
    if (!search) continue;
    // its error is raised when the operator takes the answer (unhandled if the statement ends first)
    search.catch(() => {});
    started.set(topk, { search, start });
  }
}

/** The search a join started for this Top-K, taken (undefined: none). */
export function takeStartedSearch(plan: Plan, rc: RunContext): StartedSearch | undefined {
  const started = startedSearches.get(rc);
  const entry = started?.get(plan);
  started?.delete(plan);
  return entry;
}
