/**
 * Walkers over bound expressions and the plans they contain, shared by the binder, the
 * rewrite rules and the executor (so none of them imports another for a tree walk).
 */
import type { Expr, Plan } from './plan.js';

/** Rebuild an expression tree bottom-up; `f` may replace a node (return undefined to keep it). */
export function mapExpr(e: Expr, f: (e: Expr) => Expr | undefined): Expr {
  const replaced = f(e);
  if (replaced) return replaced;
  const m = (x: Expr) => mapExpr(x, f);
  switch (e.kind) {
    case 'call': return { ...e, args: e.args.map(m) };
    case 'cast': case 'domain': return { ...e, arg: m(e.arg) };
    case 'and': case 'or': return { ...e, args: e.args.map(m) };
    case 'not': case 'isnull': case 'booltest': return { ...e, arg: m(e.arg) };
    case 'case': return { ...e, whens: e.whens.map((w) => ({ cond: m(w.cond), result: m(w.result) })), otherwise: m(e.otherwise) };
    case 'coalesce': case 'minmax': case 'rowcompare': return { ...e, args: e.args.map(m) };
    case 'array': return { ...e, elems: e.elems.map(m) };
    case 'anyall': return { ...e, left: m(e.left), right: m(e.right) };
    case 'distinct': return { ...e, left: m(e.left), right: m(e.right) };
    case 'subscript': return { ...e, arg: m(e.arg), subs: e.subs.map((x) => ({ lower: x.lower ? m(x.lower) : null, upper: x.upper ? m(x.upper) : null })) };
    case 'field': return { ...e, arg: m(e.arg) };
    case 'insubquery': return { ...e, left: m(e.left) };
    case 'sqlCall': return { ...e, args: e.args.map(m) };
    case 'agg': return { ...e, args: e.args.map(m), filter: e.filter ? m(e.filter) : null, ...(e.direct ? { direct: e.direct.map(m) } : {}) };
    default: return e;
  }
}

/**
 * Whether `e` itself (not the plans of its subqueries) reads a column of a row whose level
 * `at` accepts (0: the expression's own row, 1: the row just outside, …).
 */
export function readsColumnAt(e: Expr, at: (level: number) => boolean): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && at(x.level)) found = true;
    return found ? x : undefined;
  });
  return found;
}

/**
 * The columns of the row just outside `plan` (its outer row, level 1 within it) that it
 * reads, as level-0 references to that row, each once, in the order first read.
 */
export function outerColumnsRead(plan: Plan): Extract<Expr, { kind: 'column' }>[] {
  const out: Extract<Expr, { kind: 'column' }>[] = [];
  walkPlanExprs(plan, 0, (e, depth) => {
    if (e.kind === 'column' && e.level === depth + 1 && !out.some((k) => k.index === e.index)) out.push({ ...e, level: 0 });
  });
  return out;
}

/** True when the plan refers to columns of an enclosing query (then it is re-run per row). */
export function planIsCorrelated(plan: Plan): boolean {
  let correlated = false;
  walkPlanExprs(plan, 0, (e, depth) => {
    if (e.kind === 'column' && e.level > depth) correlated = true;
  });
  return correlated;
}

/** Visit every expression in a plan (depth = nesting level of subqueries below `plan`). */
export function walkPlanExprs(plan: Plan, depth: number, visit: (e: Expr, depth: number) => void): void {
  const expr = (e: Expr | null | undefined, d = depth): void => {
    if (!e) return;
    visit(e, d);
    switch (e.kind) {
      case 'call': case 'and': case 'or': case 'coalesce': case 'minmax': case 'rowcompare': e.args.forEach((a) => expr(a, d)); break;
      case 'cast': case 'domain': case 'not': case 'isnull': case 'booltest': expr(e.arg, d); break;
      case 'case': e.whens.forEach((w) => { expr(w.cond, d); expr(w.result, d); }); expr(e.otherwise, d); break;
      case 'array': e.elems.forEach((a) => expr(a, d)); break;
      case 'anyall': case 'distinct': expr(e.left, d); expr(e.right, d); break;
      case 'subscript': expr(e.arg, d); e.subs.forEach((x) => { expr(x.lower, d); expr(x.upper, d); }); break;
      case 'field': expr(e.arg, d); break;
      case 'subquery': walkPlanExprs(e.plan, d + 1, visit); break;
      case 'insubquery': expr(e.left, d); walkPlanExprs(e.plan, d + 1, visit); break;
      case 'agg': e.args.forEach((a) => expr(a, d)); expr(e.filter, d); e.direct?.forEach((a) => expr(a, d)); break;
      // a function body sees only its arguments: only they can refer to this query
      case 'sqlCall': e.args.forEach((a) => expr(a, d)); break;
      default: break;
    }
  };
  switch (plan.kind) {
    case 'scan': expr(plan.filter); expr(plan.indexQual); break;
    case 'sampleScan': expr(plan.filter); expr(plan.sample.percent); expr(plan.sample.repeatable); break;
    case 'systemScan': case 'cteScan': case 'workTableScan': break;
    case 'recursiveUnion': walkPlanExprs(plan.nonRecursive, depth, visit); walkPlanExprs(plan.recursive, depth, visit); break;
    case 'values': plan.rows.forEach((r) => r.forEach((e) => expr(e))); break;
    case 'functionScan': (plan.rowsFrom ? plan.rowsFrom.flatMap((f) => f.args) : plan.args).forEach((e) => expr(e)); break;
    case 'sqlFunctionScan': plan.args.forEach((e) => expr(e)); break;
    case 'filter': expr(plan.predicate); walkPlanExprs(plan.input, depth, visit); break;
    case 'result': expr(plan.oneTime); if (plan.gated) walkPlanExprs(plan.gated, depth, visit); break;
    case 'project': plan.exprs.forEach((e) => expr(e)); walkPlanExprs(plan.input, depth, visit); break;
    case 'projectSet': plan.srfs.forEach((f) => f.args.forEach((e) => expr(e))); walkPlanExprs(plan.input, depth, visit); break;
    case 'join': expr(plan.on); walkPlanExprs(plan.left, depth, visit); walkPlanExprs(plan.right, depth, visit); break;
    case 'aggregate':
      plan.groupBy.forEach((e) => expr(e));
      plan.aggs.forEach((a) => { a.args.forEach((e) => expr(e)); expr(a.filter); a.orderBy.forEach((k) => expr(k.expr)); a.direct?.forEach((e) => expr(e)); });
      walkPlanExprs(plan.input, depth, visit);
      break;
    case 'window':
      plan.fns.forEach((f) => { f.args.forEach((e) => expr(e)); f.partitionBy.forEach((e) => expr(e)); f.orderBy.forEach((k) => expr(k.expr)); });
      expr(plan.runCondition);
      walkPlanExprs(plan.input, depth, visit);
      break;
    case 'sort': case 'topk':
      plan.keys.forEach((k) => expr(k.expr));
      if (plan.kind === 'topk') { expr(plan.limit); expr(plan.offset); }
      walkPlanExprs(plan.input, depth, visit);
      break;
    case 'limit': expr(plan.limit); expr(plan.offset); plan.withTies?.forEach((k) => expr(k.expr)); walkPlanExprs(plan.input, depth, visit); break;
    case 'distinct': plan.on?.forEach((e) => expr(e)); walkPlanExprs(plan.input, depth, visit); break;
    case 'setop': walkPlanExprs(plan.left, depth, visit); walkPlanExprs(plan.right, depth, visit); break;
  }
}
