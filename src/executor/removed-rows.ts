/**
 * EXPLAIN ANALYZE's "Rows Removed by Filter" / "Rows Removed by Join Filter": per plan node,
 * the rows (a join's pairs) its own condition tested and rejected, as PostgreSQL's
 * InstrCountFiltered1 counts them. A counter object per node so the hot loops add to a field.
 */
import type { RemovedCount } from '../planner/explain.js';
import type { Plan } from '../planner/plan.js';

/** The node's counter, created on first use; undefined when nothing is measured (no ANALYZE). */
export function removedCounter(counts: Map<Plan, RemovedCount> | undefined, plan: Plan): RemovedCount | undefined {
  if (!counts) return undefined;
  let c = counts.get(plan);
  if (!c) counts.set(plan, (c = { n: 0 }));
  return c;
}
