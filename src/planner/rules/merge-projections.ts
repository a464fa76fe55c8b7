/**
 * Project(Project(X)) → Project(X) when the outer projection only picks columns
 *
 *   (what hiding ORDER BY's extra sort columns leaves behind)
 *
 * One pass over the rows instead of two.
 */
import type { Rule } from './rule.js';

export const mergeProjections: Rule = {
  name: 'merge-projections',
  apply(plan) {
    if (plan.kind !== 'project' || plan.input.kind !== 'project') return undefined;
    const inner = plan.input;
    if (!plan.exprs.every((e) => e.kind === 'column' && e.level === 0)) return undefined;
    // a subquery's select list read through a SubqueryScan (plan.ts readAsSubquery) stays
    // apart unless read column for column: EXPLAIN shows the scan when they differ
    if (inner.subqueryScan) {
      const identity = plan.exprs.length === inner.schema.length && plan.exprs.every((e, i) => (e as { index: number }).index === i);
      return identity ? inner : undefined;
    }
    const exprs = plan.exprs.map((e) => inner.exprs[(e as { index: number }).index]);
    return { ...plan, input: inner.input, exprs };
  },
};
