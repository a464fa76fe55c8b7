/**
 * ORDER BY keys that the WHERE fixes are not sorted on
 *
 *   SELECT * FROM t WHERE b = 3 ORDER BY b, a          → Sort Key: a
 *   SELECT * FROM t WHERE b = $1 ORDER BY b LIMIT 5    → Limit over the scan, no sort
 *
 * Every row has the same value in a column that an equality with a constant or parameter
 * holds to, so sorting on it orders nothing: PostgreSQL's pathkeys leave out a key whose
 * equivalence class has a constant, and EXPLAIN shows the sort without it (or no sort). Only
 * for the equalities whose `=` is plain value equality of one type (equivalence.ts), and
 * keys that are columns of a scan's or filter's rows, seen through projections. A Top-K
 * left without keys is a Limit. Runs once the filters sit in their scans.
 */
import type { Expr, Plan } from '../plan.js';
import { isValue, sameTypeEquality } from '../equivalence.js';
import type { Rule } from './rule.js';

export const dropFixedSortKeys: Rule = {
  name: 'drop-fixed-sort-keys',
  apply(plan) {
    if ((plan.kind !== 'sort' && plan.kind !== 'topk') || (plan.kind === 'topk' && plan.vectorSearch)) return undefined;
    const fixed = fixedColumns(plan.input);
    if (fixed.size === 0) return undefined;
    const keys = plan.keys.filter((k) => !(k.expr.kind === 'column' && k.expr.level === 0 && fixed.has(k.expr.index)));
    if (keys.length === plan.keys.length) return undefined;
    if (keys.length > 0) return { ...plan, keys };
    return plan.kind === 'sort' ? plan.input : { kind: 'limit', schema: plan.schema, input: plan.input, limit: plan.limit, offset: plan.offset };
  },
};

/** The output columns of `plan` equal to one constant or parameter in every row. */
export function fixedColumns(plan: Plan): Set<number> {
  switch (plan.kind) {
    case 'filter': return new Set([...fixedColumns(plan.input), ...fixedBy(plan.predicate)]);
    case 'scan': return plan.filter ? fixedBy(plan.filter) : new Set();
    case 'project': {
      const below = fixedColumns(plan.input);
      const out = new Set<number>();
      plan.exprs.forEach((e, i) => { if (e.kind === 'column' && e.level === 0 && below.has(e.index)) out.add(i); });
      return out;
    }
    default: return new Set();
  }
}

function fixedBy(predicate: Expr): Set<number> {
  const out = new Set<number>();
  for (const c of predicate.kind === 'and' ? predicate.args : [predicate]) {
    const eq = sameTypeEquality(c);
    if (!eq) continue;
    const [a, b] = eq.args;
    if (a.kind === 'column' && a.level === 0 && isValue(b)) out.add(a.index);
    else if (b.kind === 'column' && b.level === 0 && isValue(a)) out.add(b.index);
  }
  return out;
}
