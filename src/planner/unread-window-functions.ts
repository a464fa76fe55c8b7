/**
 * A subquery's window functions nobody above reads are not computed
 *
 *   SELECT id FROM (SELECT id, v, sum(v) OVER (ORDER BY v) sv FROM t) s WHERE id > 990
 *
 * PostgreSQL's remove_unused_subquery_outputs (allpaths.c) replaces a subquery's output
 * column the outer query never reads by a NULL of its type; a window function left unread
 * by every output is then not computed, and a window clause with no function left gets no
 * WindowAgg and no Sort at all (the query above is a Seq Scan under the Subquery Scan, its
 * Output `t.id, t.v, NULL::bigint`). Here: walking down from the root with the columns each
 * node's parent reads (as read-scan-columns.ts does), a select list right above a WindowAgg
 * has its unread items that read a window function replaced by NULL, and the functions no
 * item reads any more are dropped from the WindowAgg, or the WindowAgg itself. Runs before
 * window-plan.ts, so the Sorts for the dropped windows are never placed.
 */
import { mapExpr } from './expr-walk.js';
import type { Expr, Plan } from './plan.js';
import { mapChildren } from './rules/rule.js';

export function dropUnreadWindowFunctions(plan: Plan): Plan {
  return visit(plan, null);
}

/** `needed`: the output columns of `plan` its parent reads (null: all of them, or not known) */
function visit(plan: Plan, needed: ReadonlySet<number> | null): Plan {
  switch (plan.kind) {
    case 'project': {
      const narrowed = needed && plan.input.kind === 'window' ? withoutUnreadFunctions(plan, plan.input, needed) : undefined;
      const top = narrowed ?? plan;
      const exprs = needed ? top.exprs.filter((_, i) => needed.has(i)) : top.exprs;
      const input = visit(top.input, columnsOf(exprs));
      return input === top.input ? top : { ...top, input };
    }
    case 'filter': {
      const input = visit(plan.input, union(needed, columnsOf([plan.predicate])));
      return input === plan.input ? plan : { ...plan, input };
    }
    case 'sort': {
      const input = visit(plan.input, union(needed, columnsOf(plan.keys.map((k) => k.expr))));
      return input === plan.input ? plan : { ...plan, input };
    }
    case 'aggregate': {
      const read = plan.aggs.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : []), ...a.orderBy.map((k) => k.expr), ...(a.direct ?? [])]);
      const input = visit(plan.input, columnsOf([...plan.groupBy, ...read]));
      return input === plan.input ? plan : { ...plan, input };
    }
    case 'limit': {
      const input = visit(plan.input, union(needed, columnsOf([plan.limit, plan.offset, ...(plan.withTies ?? []).map((k) => k.expr)].filter((e): e is Expr => e !== null))));
      return input === plan.input ? plan : { ...plan, input };
    }
    default:
      return mapChildren(plan, (p) => visit(p, null));
  }
}

/**
 * The select list over `window` with its unread items that read a window function as NULL,
 * over the WindowAgg computing only the functions still read (or over the WindowAgg's input
 * when none is); undefined when nothing changes or it is not safe to tell.
 */
function withoutUnreadFunctions(
  project: Extract<Plan, { kind: 'project' }>, window: Extract<Plan, { kind: 'window' }>, needed: ReadonlySet<number>,
): Extract<Plan, { kind: 'project' }> | undefined {
  const width = window.input.schema.length;
  // a subquery in an expression may read this row from inside: not traced
  if (project.exprs.some((e) => !plain(e)) || (window.sortGroupExprs ?? []).some((e) => !plain(e)) || window.runCondition) return undefined;
  const readsFunction = (e: Expr) => [...(columnsOf([e]) ?? [])].some((c) => c >= width);
  const exprs = project.exprs.map((e, i): Expr => (needed.has(i) || !readsFunction(e) ? e : { kind: 'const', type: e.type, value: null }));
  const read = columnsOf([...exprs, ...(window.sortGroupExprs ?? [])]) ?? new Set<number>();
  const kept = window.fns.map((_, k) => k).filter((k) => read.has(width + k));
  if (kept.length === window.fns.length) return undefined;
  const position = new Map(kept.map((k, j) => [width + k, width + j]));
  const remap = (e: Expr) => mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 && x.index >= width ? { ...x, index: position.get(x.index)! } : undefined));
  const input: Plan = kept.length === 0
    ? window.input
    : {
      ...window,
      fns: kept.map((k) => window.fns[k]!),
      schema: [...window.schema.slice(0, width), ...kept.map((k) => window.schema[width + k]!)],
      ...(window.sortGroupExprs ? { sortGroupExprs: window.sortGroupExprs.map(remap) } : {}),
    };
  // what a condition above may pass is still decided with every window (check_output_expressions)
  const safe = [...Array(width).keys()].filter((c) => window.fns.every((fn) => fn.partitionBy.some((k) => k.kind === 'column' && k.level === 0 && k.index === c)));
  return { ...project, input, exprs: exprs.map(remap), windowSafeColumns: project.windowSafeColumns ?? safe };
}

/** no subquery inside: every column it reads is this row's (level 0) or an outer query's */
function plain(e: Expr): boolean {
  let ok = true;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall') ok = false;
    return undefined;
  });
  return ok;
}

function union(a: ReadonlySet<number> | null, b: ReadonlySet<number> | null): Set<number> | null {
  return a && b ? new Set([...a, ...b]) : null;
}

/** the input columns these expressions read, or null when one might read more (a subquery, an aggregate) */
function columnsOf(exprs: readonly Expr[]): Set<number> | null {
  const out = new Set<number>();
  let unknown = false;
  for (const e of exprs) {
    mapExpr(e, (x) => {
      if (x.kind === 'column' && x.level === 0) out.add(x.index);
      else if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall' || x.kind === 'agg' || x.kind === 'window') unknown = true;
      return undefined;
    });
  }
  return unknown ? null : out;
}
