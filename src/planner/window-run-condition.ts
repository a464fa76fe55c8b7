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
 * The function may be computed by any WindowAgg of the stack right below the Filter; one
 * below the top keeps handing rows on (see windowRunCondition).
 */
import type { Expr, Plan } from './plan.js';
import type { Rule } from './rules/rule.js';
import { resolveOperator } from '../functions/index.js';
import { T, OID } from '../types/types.js';
import { mapExpr, planIsCorrelated } from './expr-walk.js';
import { windowChain } from './window-tlists.js';

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
      // PostgreSQL 15 gives only count(*) a support function (int8inc_support), not count(x)
      if (!fn.fn || fn.args.length !== 0) return 0;
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
    // an uncorrelated scalar subquery: an InitPlan's $n
    case 'subquery': return e.mode === 'scalar' && !planIsCorrelated(e.plan);
    default: return false;
  }
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' && !e.stopOnNull ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly Expr[]): Expr {
  return parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: [...parts] };
}

/**
 * The run condition a qual gives a WindowAgg of the stack `top` heads (which one, and
 * whether the qual must stay), or undefined.
 */
function runConditionOf(qual: Expr, top: Window): { cond: Expr; keep: boolean; window: Window } | undefined {
  if (qual.kind !== 'call' || qual.args.length !== 2 || qual.fn.volatile) return undefined;
  const chain = windowChain(top)!;
  const fnAt = (x: Expr) => (x.kind === 'column' && x.level === 0 ? chain.fnAt.get(x.index) : undefined);
  // check_and_push_window_quals: the left side first, then the right
  for (const fnLeft of [true, false]) {
    const [side, other] = fnLeft ? qual.args : [qual.args[1], qual.args[0]];
    const at = fnAt(side);
    if (!at) continue;
    const { fn, window } = at;
    if (!pseudoConstant(other) || !INTEGERS.has(other.type.oid) || !INTEGERS.has(side.type.oid)) return undefined;
    const m = monotonic(fn);
    if (m === 0) return undefined;
    switch (qual.name) {
      case '<': case '<=':
        return (fnLeft && m & INCREASING) || (!fnLeft && m & DECREASING) ? { cond: qual, keep: false, window } : undefined;
      case '>': case '>=':
        return (fnLeft && m & DECREASING) || (!fnLeft && m & INCREASING) ? { cond: qual, keep: false, window } : undefined;
      case '=': {
        if ((m & BOTH) === BOTH) return { cond: qual, keep: false, window };
        const op = m & INCREASING ? (fnLeft ? '<=' : '>=') : (fnLeft ? '>=' : '<=');
        const [a, b] = qual.args;
        return { cond: { ...qual, name: op, fn: resolveOperator(op, a.type, b.type) }, keep: true, window };
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/**
 * Filter(WindowAgg) → WindowAgg with a Run Condition, under what is left of the Filter. A
 * condition on a lower WindowAgg's function stays in the Filter too: that WindowAgg hands
 * on the rows failing it, with NULL for its functions (the WindowAggs above need every
 * row), and the Filter drops them (PostgreSQL's top-level qual, create_one_window_path).
 */
export const windowRunCondition: Rule = {
  name: 'window-run-condition',
  apply(plan) {
    if (plan.kind !== 'filter') return undefined;
    if (plan.input.kind === 'project' && plan.input.input.kind === 'window') return throughProject(plan, plan.input);
    if (plan.input.kind !== 'window') return undefined;
    const found = withRunConditions(plan.input, conjuncts(plan.predicate).map((q) => ({ q, below: q })));
    if (!found) return undefined;
    const kept = [...found.kept, ...found.lower.filter((c) => !found.kept.includes(c))];
    return kept.length ? { ...plan, input: found.stack, predicate: and(kept) } : found.stack;
  },
};

/**
 * The stack `top` heads with the Run Conditions the quals give it (each `below`: the qual
 * over the top WindowAgg's output, or undefined when it cannot be read there), and the
 * quals (`q`) that must stay in the Filter; undefined when none gives a condition.
 */
function withRunConditions(top: Window, quals: readonly { q: Expr; below: Expr | undefined }[]): { stack: Plan; kept: Expr[]; lower: Expr[] } | undefined {
  const conds = new Map<Window, Expr[]>();
  const kept: Expr[] = [];
  const lower: Expr[] = [];
  for (const { q, below } of quals) {
    const found = below && runConditionOf(below, top);
    if (found) conds.set(found.window, [...(conds.get(found.window) ?? []), found.cond]);
    if (found && found.window !== top) lower.push(found.cond);
    if (!found || found.keep) kept.push(q);
  }
  if (conds.size === 0) return undefined;
  const withConditions = (p: Plan): Plan => {
    if (p.kind !== 'window' && p.kind !== 'sort') return p;
    const input = withConditions(p.input);
    if (p.kind === 'sort') return input === p.input ? p : { ...p, input };
    const own = conds.get(p);
    if (!own) return input === p.input ? p : { ...p, input };
    const runCondition = and([...(p.runCondition ? conjuncts(p.runCondition) : []), ...own]);
    return { ...p, input, runCondition, ...(p === top ? {} : { passThrough: true as const }) };
  };
  return { stack: withConditions(top), kept, lower };
}

/**
 * Filter(Project(WindowAgg)): a WHERE over a subquery's window functions, which stays above
 * its select list (push-filter-below-project moves only conditions on columns every window
 * partitions by, as PostgreSQL's check_output_expressions; PostgreSQL keeps the rest in the
 * SubqueryScan). Its conjuncts on the WindowAggs' functions, read through the select
 * list's plain columns, become Run Conditions all the same; the others stay above.
 */
function throughProject(plan: Extract<Plan, { kind: 'filter' }>, project: Extract<Plan, { kind: 'project' }>): Plan | undefined {
  const quals = conjuncts(plan.predicate).map((q) => {
    let plain = true;
    const below = mapExpr(q, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      const def = project.exprs[x.index];
      if (def?.kind !== 'column' || def.level !== 0) plain = false;
      return def ?? x;
    });
    return { q, below: plain ? below : undefined };
  });
  const found = withRunConditions(project.input as Window, quals);
  if (!found) return undefined;
  // a lower WindowAgg's condition is the top one's Filter too, inside the subquery (create_one_window_path's topqual)
  const stack: Plan = found.lower.length ? { kind: 'filter', schema: found.stack.schema, input: found.stack, predicate: and(found.lower), windowTopQual: true } : found.stack;
  const input: Plan = { ...project, input: stack };
  return found.kept.length ? { ...plan, input, predicate: and(found.kept) } : input;
}
