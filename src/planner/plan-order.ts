/**
 * The order a plan's rows come out in (PostgreSQL's pathkeys of a path), as far as the
 * plan makes it certain: a Sort's or Top-K's keys, an index scan read in its key's order,
 * and that order carried through the nodes that keep it (Filter, Limit, a WindowAgg, a
 * Projection where the keys are columns it hands on). Used to place a Sort only where the
 * rows are not already in the order needed (window-plan.ts) and to drop one whose input
 * already is (dropOrderedSort).
 */
import { rangeOnExpression } from './expression-index-match.js';
import type { Expr, Plan, SortKey } from './plan.js';
import type { Rule } from './rules/rule.js';

const planIds = new WeakMap<object, number>();
let nextPlanId = 1;
function planId(p: object): number {
  let id = planIds.get(p);
  if (id === undefined) planIds.set(p, (id = nextPlanId++));
  return id;
}

/** what an expression computes, without where it was written */
export function exprIdentity(e: Expr): string {
  return JSON.stringify(e, function (this: { kind?: string }, k: string, v: unknown) {
    // a column is its position: the name it was written with does not matter
    if (k === 'position' || k === 'table' || k === 'sqlSyntax' || (k === 'name' && this.kind === 'column')) return undefined;
    // a subquery is only ever equal to itself
    if (k === 'plan' && typeof v === 'object' && v !== null) return `plan#${planId(v)}`;
    if (k === 'fn' || k === 'cmp' || k === 'eq') return typeof v === 'object' && v !== null ? (v as { name?: string }).name ?? '?' : v;
    if (typeof v === 'bigint') return `${v}n`;
    return v;
  });
}

/** The keys the plan's output is ordered by, over its output columns ([]: no order known). */
export function providedOrder(plan: Plan): SortKey[] {
  switch (plan.kind) {
    case 'sort': return [...plan.keys];
    case 'topk': return plan.limit === null && plan.vectorSearch ? [] : [...plan.keys];
    case 'filter': case 'limit': case 'window': return providedOrder(plan.input);
    // a sorted rollup hands its groups on in its sort order, each coarser set's after its last finer group
    case 'aggregate': return plan.rollupSorted ? plan.groupingSets![0]!.map((i) => ({ expr: { kind: 'column', type: plan.groupBy[i]!.type, level: 0, index: i, name: plan.schema[i]!.name }, desc: false, nullsFirst: false })) : [];
    case 'project': {
      const out: SortKey[] = [];
      for (const k of providedOrder(plan.input)) {
        const i = plan.exprs.findIndex((e) => exprIdentity(e) === exprIdentity(k.expr));
        if (i < 0) break;
        out.push({ ...k, expr: { kind: 'column', type: plan.exprs[i].type, level: 0, index: i, name: plan.schema[i].name } });
      }
      return out;
    }
    case 'scan': {
      const range = plan.indexRange;
      // (an expression index's order is its key's, which no column reference names)
      if (!range?.order || plan.partitions || rangeOnExpression(plan)) return [];
      const desc = range.order === 'desc';
      return range.columns.slice(0, range.orderColumns ?? 1).map((c) => ({ expr: column(plan, c), desc, nullsFirst: desc }));
    }
    default: return [];
  }
}

function column(plan: Plan, index: number): Expr {
  return { kind: 'column', type: plan.schema[index].type, level: 0, index, name: plan.schema[index].name };
}

/** pathkeys_contained_in: `want` is a prefix of `have` */
export function orderSatisfies(have: readonly SortKey[], want: readonly SortKey[]): boolean {
  if (want.length > have.length) return false;
  return want.every((k, i) => k.desc === have[i].desc && k.nullsFirst === have[i].nullsFirst && exprIdentity(k.expr) === exprIdentity(have[i].expr));
}

/**
 * Sort over rows already in its order → the rows; a Top-K over them → a Limit
 *
 *   SELECT id, row_number() OVER (ORDER BY id) FROM t ORDER BY id
 *
 * (the WindowAgg's input was sorted by id, and the WindowAgg keeps that order), as PostgreSQL
 * adds no Sort where the path's pathkeys already give the ORDER BY.
 */
export const dropOrderedSort: Rule = {
  name: 'drop-ordered-sort',
  apply(plan) {
    if (plan.kind !== 'sort' && (plan.kind !== 'topk' || plan.vectorSearch)) return undefined;
    if (!orderSatisfies(providedOrder(plan.input), plan.keys)) return undefined;
    if (plan.kind === 'sort') return plan.input;
    return { kind: 'limit', schema: plan.schema, input: plan.input, limit: plan.limit, offset: plan.offset };
  },
};
