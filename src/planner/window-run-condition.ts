/**
 * A WindowAgg's Run Condition, as PostgreSQL 15 finds it (allpaths.c's
 * check_and_push_window_quals and find_window_run_conditions):
 *
 *   SELECT * FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM t) s WHERE rn <= 3
 *     WindowAgg
 *       Run Condition: (row_number() OVER (?) <= 3)
 *
 * A WHERE over a subquery's window function that only gets harder to pass as the partition
 * goes on (the function is monotonic: row_number, rank, dense_rank, count) stops the
 * WindowAgg at the first row failing it: no later row of the partition can pass. The
 * executor (executor/window.ts) then stops reading (no PARTITION BY) or skips to the next
 * partition.
 *
 * Taken: `fn op c` and `c op fn` where fn is a plain column holding a window function of the
 * WindowAgg right below the Filter, op a strict B-tree comparison and c a pseudo-constant
 * (constants, parameters, outer references, immutable-ish calls of them). By the function's
 * monotonic direction (the support functions window_row_number_support … int8inc_support):
 *   increasing:  fn < c, fn <= c, c > fn, c >= fn   — the condition replaces the qual
 *   decreasing:  fn > c, fn >= c, c < fn, c <= fn   — the condition replaces the qual
 *   both:        any of those, and fn = c           — the condition replaces the qual
 *   fn = c otherwise: `fn <= c` (increasing) or `fn >= c` (decreasing) is the condition and
 *                the equality stays in the Filter
 *
 * Only the WindowAgg right below the Filter (the top of its stack, PostgreSQL's top window)
 * takes conditions here; a condition on a lower WindowAgg's function stays in the Filter.
 */
import type { Expr, Plan } from './plan.js';
import type { Rule } from './rules/rule.js';
import { resolveOperator } from '../functions/index.js';
import { T, OID } from '../types/types.js';

type WindowFn = Extract<Expr, { kind: 'window' }>;
type Window = Extract<Plan, { kind: 'window' }>;

const INCREASING = 1;
const DECREASING = 2;
const BOTH = INCREASING | DECREASING;

/** SupportRequestWFuncMonotonic's answer for PostgreSQL 15's window functions (0: none) */
export function monotonic(fn: WindowFn): number {
  switch (fn.name) {
    case 'row_number': case 'rank': case 'dense_rank':
      return fn.fn ? 0 : INCREASING;
    case 'count': {
      if (!fn.fn) return 0;
      // int8inc_support: no ORDER BY, every row is a peer of the others (one value per partition)
      if (fn.orderBy.length === 0) return BOTH;
      let m = 0;
      if (fn.frame.start.kind === 'unboundedPreceding') m |= INCREASING;
      if (fn.frame.end.kind === 'unboundedFollowing') m |= DECREASING;
      return m;
    }
    default:
      return 0;
  }
}

const INTEGERS: ReadonlySet<number> = new Set([OID.int2, OID.int4, OID.int8]);

/** is_pseudo_constant_clause: nothing of the current row, nothing volatile, no subquery */
function pseudoConstant(e: Expr): boolean {
  switch (e.kind) {
    case 'const': case 'param': return true;
    case 'column': return e.level > 0;
    case 'cast': return pseudoConstant(e.arg);
    case 'call': return !e.fn.volatile && e.args.every(pseudoConstant);
    default: return false;
  }
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' && !e.stopOnNull ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly Expr[]): Expr {
  return parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: [...parts] };
}

/** The run condition a qual gives the window (and whether the qual must stay), or undefined. */
function runConditionOf(qual: Expr, window: Window): { cond: Expr; keep: boolean } | undefined {
  if (qual.kind !== 'call' || qual.args.length !== 2 || qual.fn.volatile) return undefined;
  const width = window.input.schema.length;
  const fnAt = (x: Expr): WindowFn | undefined =>
    x.kind === 'column' && x.level === 0 && x.index >= width ? window.fns[x.index - width] : undefined;
  // check_and_push_window_quals: the left side first, then the right
  for (const fnLeft of [true, false]) {
    const [side, other] = fnLeft ? qual.args : [qual.args[1], qual.args[0]];
    const fn = fnAt(side);
    if (!fn) continue;
    if (!pseudoConstant(other) || !INTEGERS.has(other.type.oid) || !INTEGERS.has(side.type.oid)) return undefined;
    const m = monotonic(fn);
    if (m === 0) return undefined;
    switch (qual.name) {
      case '<': case '<=':
        return (fnLeft && m & INCREASING) || (!fnLeft && m & DECREASING) ? { cond: qual, keep: false } : undefined;
      case '>': case '>=':
        return (fnLeft && m & DECREASING) || (!fnLeft && m & INCREASING) ? { cond: qual, keep: false } : undefined;
      case '=': {
        if ((m & BOTH) === BOTH) return { cond: qual, keep: false };
        const op = m & INCREASING ? (fnLeft ? '<=' : '>=') : (fnLeft ? '>=' : '<=');
        const [a, b] = qual.args;
        return { cond: { ...qual, name: op, fn: resolveOperator(op, a.type, b.type) }, keep: true };
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** Filter(WindowAgg) → WindowAgg with a Run Condition, under what is left of the Filter. */
export const windowRunCondition: Rule = {
  name: 'window-run-condition',
  apply(plan) {
    if (plan.kind !== 'filter' || plan.input.kind !== 'window') return undefined;
    const window = plan.input;
    const conds: Expr[] = [];
    const kept: Expr[] = [];
    for (const q of conjuncts(plan.predicate)) {
      const found = runConditionOf(q, window);
      if (found) conds.push(found.cond);
      if (!found || found.keep) kept.push(q);
    }
    if (conds.length === 0) return undefined;
    const runCondition = and([...(window.runCondition ? conjuncts(window.runCondition) : []), ...conds]);
    const withCondition: Plan = { ...window, runCondition };
    return kept.length ? { ...plan, input: withCondition, predicate: and(kept) } : withCondition;
  },
};
