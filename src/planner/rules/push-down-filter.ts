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
import type { Expr } from '../plan.js';
import { T } from '../../types/types.js';

export const pushDownFilter: Rule = {
  name: 'push-down-filter',
  apply(plan) {
    if (plan.kind !== 'filter' || plan.input.kind !== 'scan') return undefined;
    const existing = plan.input.filter;
    // the scan's own filter (row-level security's quals) first; a row it does not pass is never shown to the predicate
    const filter: Expr = existing ? { kind: 'and', type: T.bool, args: [existing, plan.predicate], stopOnNull: true } : plan.predicate;
    return { ...plan.input, filter };
  },
};
