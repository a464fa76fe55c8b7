/**
 * Filter(Scan) → Scan with filter
 *
 *   SELECT * FROM items WHERE tenant = 7
 *
 * The scan evaluates the predicate batch by batch as it reads, so rows that fail it are
 * never copied further up. (Storage statistics will later let the scan skip whole
 * segments.)
 */
import type { Rule } from './rule.js';

export const pushDownFilter: Rule = {
  name: 'push-down-filter',
  apply(plan) {
    if (plan.kind !== 'filter' || plan.input.kind !== 'scan' || plan.input.filter) return undefined;
    return { ...plan.input, filter: plan.predicate };
  },
};
