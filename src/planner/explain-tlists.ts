/**
 * EXPLAIN VERBOSE's Output lines as PostgreSQL's createplan.c builds target lists.
 *
 * A node's parent asks it for one of three target lists (createplan.c's flags):
 *   exact    the top of a query: the select list (and the sort keys it needs)
 *   small    under a Sort, Hash, Materialize, Memoize or WindowAgg: only the columns
 *            something above reads (CP_SMALL_TLIST)
 *   any      under an Agg, a nested loop or a hash join's outer side: a table scan may
 *            hand on all its columns (use_physical_tlist), a join what is read above
 * and the columns read above come in the order PostgreSQL's rel targets list them: what
 * the select list reads first, then the sort keys, then what joins' conditions read
 * (build_base_rel_tlists, then distribute_qual_to_rels). A scan's own Filter is evaluated
 * in the scan, so its columns are not handed on.
 */
import type { Expr, Plan } from './plan.js';
import { mapExpr, outerColumnsRead } from './expr-walk.js';
import { inputTarget, windowsBelow } from './window-tlists.js';

export type TlistRequest = 'exact' | 'small' | 'any';

/** Per plan node: the columns of its output read above it, in target-list order (`needed`: the root's; all by default). */
export function readAbove(root: Plan, needed: number[] | null = null): Map<Plan, number[]> {
  const out = new Map<Plan, number[]>();
  visit(root, needed, out);
  return out;
}

function visit(plan: Plan, needed: number[] | null, out: Map<Plan, number[]>): void {
  const own = needed ?? plan.schema.map((_, i) => i);
  out.set(plan, own);
  const all = (p: Plan) => visit(p, null, out);
  switch (plan.kind) {
    case 'project': {
      const exprs = own.map((i) => plan.exprs[i]!).filter((e) => e !== undefined);
      const below = windowsBelow(plan.input);
      if (!below) return visit(plan.input, columnsIn(exprs), out);
      // over WindowAggs: the base hands up their input target (window-tlists.ts), in its order
      const { chain, between } = below;
      const keys = between.flatMap((p) => (p.kind === 'sort' || p.kind === 'topk' ? p.keys.map((k) => k.expr) : []));
      const read = columnsIn(inputTarget([...exprs, ...keys], chain));
      for (const node of [...between, ...chain.nodes]) out.set(node, read);
      return visit(chain.base, read, out);
    }
    case 'filter':
      // over a scan the Filter is the scan's own: its columns are not handed on
      return visit(plan.input, plan.input.kind === 'scan' ? own : merge(own, columnsIn([plan.predicate])), out);
    case 'sort': case 'topk':
      return visit(plan.input, merge(own, columnsIn(plan.keys.map((k) => k.expr))), out);
    case 'limit':
      return visit(plan.input, plan.withTies ? merge(own, columnsIn(plan.withTies.map((k) => k.expr))) : own, out);
    case 'aggregate':
      return visit(plan.input, columnsIn([...plan.groupBy, ...plan.aggs.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : []), ...a.orderBy.map((k) => k.expr), ...(a.direct ?? [])])]), out);
    case 'window': {
      const width = plan.input.schema.length;
      return visit(plan.input, merge(own.filter((c) => c < width), columnsIn(plan.fns.flatMap((f) => [...f.args, ...f.partitionBy, ...f.orderBy.map((k) => k.expr)]))), out);
    }
    case 'distinct':
      return visit(plan.input, merge(own, columnsIn(plan.on ?? [])), out);
    case 'join': {
      const leftWidth = plan.left.schema.length;
      const read = merge(own, columnsIn(plan.on ? [plan.on] : []));
      const probed = plan.parameterized ? outerColumnsRead(plan.right).map((c) => c.index) : [];
      visit(plan.left, merge(read.filter((c) => c < leftWidth), probed), out);
      visit(plan.right, read.filter((c) => c >= leftWidth).map((c) => c - leftWidth), out);
      return;
    }
    case 'result':
      if (plan.gated) visit(plan.gated, own, out);
      return;
    case 'setop': all(plan.left); all(plan.right); return;
    case 'recursiveUnion': all(plan.nonRecursive); all(plan.recursive); return;
    case 'projectSet': all(plan.input); return;
    default: return;
  }
}

/** `a`, then the columns of `b` not in it */
function merge(a: readonly number[], b: readonly number[]): number[] {
  const out = [...a];
  for (const c of b) if (!out.includes(c)) out.push(c);
  return out;
}

/** The input columns the expressions read, in the order they are first read (a subquery's outer references included). */
function columnsIn(exprs: readonly Expr[]): number[] {
  const out: number[] = [];
  const add = (c: number) => { if (!out.includes(c)) out.push(c); };
  for (const e of exprs) {
    mapExpr(e, (x) => {
      if (x.kind === 'column' && x.level === 0) add(x.index);
      else if (x.kind === 'subquery' || x.kind === 'insubquery') {
        if (x.kind === 'insubquery') for (const c of columnsIn([x.left])) add(c);
        for (const c of outerColumnsRead(x.plan)) add(c.index);
        return x;
      }
      return undefined;
    });
  }
  return out;
}
