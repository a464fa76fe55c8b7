/**
 * EXPLAIN VERBOSE's target lists of a stack of WindowAggs, as PostgreSQL's planner builds
 * them (planner.c's make_window_input_target and create_one_window_path):
 *
 *   final target   the select list (and ORDER BY's hidden keys), then each window's ORDER BY
 *                  and PARTITION BY keys not in it (resjunk entries the parser adds, clause
 *                  by clause) — the top WindowAgg's Output
 *   input target   what the lowest WindowAgg's input hands up: the final target's entries
 *                  that are window keys or GROUP BY keys, as they are, then the columns the
 *                  other entries read (a window function's arguments for its column), in
 *                  the order first read — its Output (and so the scan's below a Sort)
 *   in between     the input target, then the functions of the WindowAggs up to this one
 */
import type { Expr, Plan } from './plan.js';
import { mapExpr } from './expr-walk.js';
import { exprIdentity } from './plan-order.js';

type Window = Extract<Plan, { kind: 'window' }>;
type WindowFn = Extract<Expr, { kind: 'window' }>;

export interface WindowChain {
  /** the WindowAggs, top down */
  readonly windows: readonly Window[];
  /** every node of the stack (WindowAggs and the Sorts below them), top down */
  readonly nodes: readonly Plan[];
  /** the rows the stack reads: its lowest node's input */
  readonly base: Plan;
  /** per output column of the top WindowAgg past the base's columns: its function and the WindowAgg computing it */
  readonly fnAt: ReadonlyMap<number, { fn: WindowFn; window: Window }>;
}

/** The stack of WindowAggs with `top` at its top (a Sort below a WindowAgg belongs to it). */
export function windowChain(top: Plan): WindowChain | undefined {
  if (top.kind !== 'window') return undefined;
  const windows: Window[] = [];
  const nodes: Plan[] = [];
  let p: Plan = top;
  for (;;) {
    if (p.kind === 'window') { windows.push(p); nodes.push(p); p = p.input; continue; }
    if (p.kind === 'sort' && nodes.at(-1)?.kind === 'window') { nodes.push(p); p = p.input; continue; }
    break;
  }
  const fnAt = new Map<number, { fn: WindowFn; window: Window }>();
  for (const w of windows) {
    const first = w.input.schema.length;
    w.fns.forEach((fn, i) => fnAt.set(first + i, { fn, window: w }));
  }
  return { windows, nodes, base: p, fnAt };
}

/**
 * The stack of WindowAggs a select list is computed over, through the Limits, Sorts and
 * Top-Ks above it (ORDER BY … LIMIT of a query with window functions: PostgreSQL computes
 * the select list in the top WindowAgg, below them) and the top WindowAgg's own qual over a
 * lower one's Run Condition; `between` are those nodes, top down.
 */
export function windowsBelow(plan: Plan): { chain: WindowChain; between: Plan[] } | undefined {
  const between: Plan[] = [];
  let p = plan;
  while (p.kind === 'limit' || p.kind === 'sort' || (p.kind === 'topk' && !p.vectorSearch && !p.presorted) || (p.kind === 'filter' && p.windowTopQual)) {
    between.push(p);
    p = p.input;
  }
  const chain = windowChain(p);
  return chain && { chain, between };
}

/** every window's keys: its ORDER BY keys, then its PARTITION BY keys, clause by clause (the parser's resjunk order) */
function windowKeys(chain: WindowChain): Expr[] {
  const byClause = [...chain.windows].sort((a, b) => (a.clause ?? 0) - (b.clause ?? 0));
  return byClause.flatMap((w) => [...(w.fns[0]?.orderBy ?? []).map((k) => k.expr), ...(w.fns[0]?.partitionBy ?? [])]);
}

/** The final target: `exprs` (over the top WindowAgg's output), then the window keys not among them. */
export function finalTarget(exprs: readonly Expr[], chain: WindowChain): Expr[] {
  const out = [...exprs];
  const seen = new Set(exprs.map(exprIdentity));
  for (const k of windowKeys(chain)) {
    const id = exprIdentity(k);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(k);
  }
  return out;
}

/** The input target (make_window_input_target), over the base's output columns. */
export function inputTarget(exprs: readonly Expr[], chain: WindowChain): Expr[] {
  const target = finalTarget(exprs, chain);
  const keys = new Set(windowKeys(chain).map(exprIdentity));
  const groupKeys = groupKeyColumns(chain.base);
  const isKept = (e: Expr) => keys.has(exprIdentity(e)) || (e.kind === 'column' && e.level === 0 && groupKeys.has(e.index));
  const out: Expr[] = [];
  const seen = new Set<string>();
  const add = (e: Expr) => {
    const id = exprIdentity(e);
    if (!seen.has(id)) { seen.add(id); out.push(e); }
  };
  for (const e of target) if (isKept(e)) add(e);
  const pull = (e: Expr): void => {
    mapExpr(e, (x) => {
      if (x.kind !== 'column' || x.level !== 0) return undefined;
      const fn = chain.fnAt.get(x.index);
      if (fn) fn.fn.args.forEach(pull);
      else add(x);
      return x;
    });
  };
  for (const e of target) if (!isKept(e)) pull(e);
  return out;
}

/** the base's columns that are GROUP BY keys (an Aggregate's first columns, through a HAVING's Filters) */
function groupKeyColumns(base: Plan): Set<number> {
  let p = base;
  while (p.kind === 'filter') p = p.input;
  return p.kind === 'aggregate' ? new Set(p.groupBy.map((_, i) => i)) : new Set();
}
