/**
 * SubPlan / InitPlan numbers and InitPlans' parameter numbers ($0, $1, …) as PostgreSQL 15
 * assigns them, for EXPLAIN. PostgreSQL numbers a subquery when it has finished planning it
 * (build_subplan), so a subquery's own subqueries come before it; within a query, its WITH
 * queries first, then the select list (and the other target expressions: sort and group
 * keys, aggregate arguments), then the conditions from the bottom of the join tree up (WHERE
 * before HAVING), then LIMIT / OFFSET, then functions and VALUES in FROM, and last the
 * InitPlans planagg.c makes of min() / max() (rewritten before this query's conditions
 * were planned here, made after them there). Parameters are numbered in the same walk: an
 * InitPlan's result, and before a correlated SubPlan's number one parameter per outer
 * column it reads, before an IN / ANY SubPlan's one per output column (PostgreSQL's
 * PARAM_EXEC slots, which EXPLAIN does not print for those but which take numbers).
 */
import type { Expr, Plan } from './plan.js';
import { planIsCorrelated, walkPlanExprs } from './expr-walk.js';
import { writtenOrder } from './constant-quals.js';

export interface SubplanNumbers {
  /** plan → SubPlan / InitPlan / CTE number */
  readonly plans: Map<Plan, number>;
  /** an InitPlan's plan → the parameter it returns */
  readonly params: Map<Plan, number>;
  /** the InitPlans of min() / max() through an index (part of their query in PostgreSQL) */
  readonly planagg: Set<Plan>;
}

/** The expressions of one plan node, by the stage of PostgreSQL's subquery_planner that preprocesses them. */
interface NodeExprs { targets: Expr[]; quals: Expr[]; limits: Expr[]; from: Expr[] }

function nodeExprs(plan: Plan): NodeExprs {
  const out: NodeExprs = { targets: [], quals: [], limits: [], from: [] };
  const add = (list: Expr[], e: Expr | null | undefined) => { if (e) list.push(e); };
  switch (plan.kind) {
    case 'scan': add(out.quals, plan.filter); break;
    case 'filter': add(out.quals, plan.predicate); break;
    case 'join': add(out.quals, plan.on); break;
    case 'result': add(out.quals, plan.oneTime); break;
    case 'project': out.targets.push(...plan.exprs); break;
    case 'projectSet': plan.srfs.forEach((f) => out.targets.push(...f.args)); break;
    case 'aggregate':
      out.targets.push(...plan.groupBy);
      plan.aggs.forEach((a) => { out.targets.push(...a.args, ...a.orderBy.map((k) => k.expr)); add(out.targets, a.filter); });
      break;
    case 'window': plan.fns.forEach((f) => out.targets.push(...f.args, ...f.partitionBy, ...f.orderBy.map((k) => k.expr))); break;
    case 'sort': out.targets.push(...plan.keys.map((k) => k.expr)); break;
    case 'topk': out.targets.push(...plan.keys.map((k) => k.expr)); add(out.limits, plan.limit); add(out.limits, plan.offset); break;
    case 'limit': add(out.limits, plan.limit); add(out.limits, plan.offset); break;
    case 'distinct': out.targets.push(...(plan.on ?? [])); break;
    case 'values': plan.rows.forEach((r) => out.from.push(...r)); break;
    case 'functionScan': out.from.push(...(plan.rowsFrom ? plan.rowsFrom.flatMap((f) => f.args) : plan.args)); break;
    case 'sqlFunctionScan': out.from.push(...plan.args); break;
    case 'sampleScan': add(out.from, plan.sample.percent); add(out.from, plan.sample.repeatable); break;
    case 'systemScan': case 'cteScan': case 'workTableScan': case 'setop': case 'recursiveUnion': break;
    default: {
      const never: never = plan;
      throw new Error(`bug: plan node ${(never as Plan).kind} unknown to subplan numbering`);
    }
  }
  return out;
}

/** The node's inputs that belong to the same query (not subqueries in expressions). */
function inputs(plan: Plan): Plan[] {
  switch (plan.kind) {
    case 'join': return [plan.left, plan.right];
    // a set operation's branches are subqueries, planned after their parent's expressions
    case 'setop': return [];
    case 'recursiveUnion': return [plan.nonRecursive, plan.recursive];
    case 'result': return plan.gated ? [plan.gated] : [];
    case 'sqlFunctionScan': return [];
    default: return 'input' in plan ? [plan.input] : [];
  }
}

export function subplanNumbers(root: Plan): SubplanNumbers {
  const plans = new Map<Plan, number>();
  const params = new Map<Plan, number>();
  const planaggPlans = new Set<Plan>();
  let nextParam = 0;
  const seenCtes = new Set<number>();

  const subquery = (e: Extract<Expr, { kind: 'subquery' | 'insubquery' }>): void => {
    if (plans.has(e.plan)) return;
    query(e.plan);
    const correlated = planIsCorrelated(e.plan);
    if (correlated) {
      const outer = new Set<number>();
      walkPlanExprs(e.plan, 0, (x, depth) => { if (x.kind === 'column' && x.level === depth + 1) outer.add(x.index); });
      nextParam += outer.size;
    }
    if (e.kind === 'insubquery') nextParam += e.plan.schema.length;
    else if (!correlated) params.set(e.plan, nextParam++);
    plans.set(e.plan, plans.size + 1);
  };

  /** the subqueries of this query's expression, in order; those of nested plans are their query's */
  const expr = (e: Expr, planagg: Expr[]): void => {
    switch (e.kind) {
      case 'subquery':
        if (e.planagg) { planagg.push(e); planaggPlans.add(e.plan); }
        else subquery(e);
        return;
      case 'insubquery': expr(e.left, planagg); subquery(e); return;
      case 'and': (writtenOrder.get(e) ?? e.args).forEach((a) => expr(a, planagg)); return;
      case 'call': case 'or': case 'coalesce': case 'minmax': case 'rowcompare': case 'sqlCall': e.args.forEach((a) => expr(a, planagg)); return;
      case 'cast': case 'domain': case 'not': case 'isnull': case 'booltest': case 'field': expr(e.arg, planagg); return;
      case 'case': e.whens.forEach((w) => { expr(w.cond, planagg); expr(w.result, planagg); }); expr(e.otherwise, planagg); return;
      case 'array': e.elems.forEach((x) => expr(x, planagg)); return;
      case 'anyall': case 'distinct': expr(e.left, planagg); expr(e.right, planagg); return;
      case 'subscript': expr(e.arg, planagg); e.subs.forEach((s) => { if (s.lower) expr(s.lower, planagg); if (s.upper) expr(s.upper, planagg); }); return;
      case 'agg': e.args.forEach((a) => expr(a, planagg)); if (e.filter) expr(e.filter, planagg); return;
      case 'window': e.args.forEach((a) => expr(a, planagg)); return;
      case 'const': case 'param': case 'column': return;
    }
  };

  const query = (plan: Plan): void => {
    const ctes: { id: number; plan: Plan }[] = [];
    const targets: Expr[] = [];
    const quals: Expr[] = [];
    const limits: Expr[] = [];
    const from: Expr[] = [];
    const branches: Plan[] = [];
    // targets top-down (the select list first), conditions bottom-up (WHERE before HAVING)
    const visit = (p: Plan): void => {
      if (p.kind === 'setop') branches.push(p.left, p.right);
      if (p.kind === 'cteScan' && !seenCtes.has(p.cte.id)) {
        seenCtes.add(p.cte.id);
        ctes.push({ id: p.cte.id, plan: p.cte.plan });
      }
      const own = nodeExprs(p);
      targets.push(...own.targets);
      limits.unshift(...own.limits);
      from.push(...own.from);
      inputs(p).forEach(visit);
      quals.push(...own.quals);
    };
    visit(plan);
    for (const cte of ctes.sort((a, b) => a.id - b.id)) {
      query(cte.plan);
      nextParam++; // the CTE's own PARAM_EXEC slot (SS_process_ctes)
      plans.set(cte.plan, plans.size + 1);
    }
    const planagg: Expr[] = [];
    for (const e of [...targets, ...quals, ...limits, ...from]) expr(e, planagg);
    branches.forEach(query);
    for (const e of planagg) subquery(e as Extract<Expr, { kind: 'subquery' }>);
  };

  query(root);
  return { plans, params, planagg: planaggPlans };
}
