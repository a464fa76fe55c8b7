/**
 * Window functions planned as PostgreSQL 15 plans them (planner.c's select_active_windows
 * and create_one_window_path):
 *
 *   SELECT id, rank() OVER (PARTITION BY y ORDER BY x), count(*) OVER () FROM t
 *     WindowAgg                      count(*) OVER ()
 *       ->  WindowAgg                rank() OVER (PARTITION BY y ORDER BY x)
 *             ->  Sort  (y, x)
 *                   ->  Seq Scan on t
 *
 * The binder hands over one window node with every window function of the query, each with
 * the number of its window clause (PostgreSQL's winref: equal specifications share one,
 * except two WINDOW definitions). Here the functions are grouped by clause, one WindowAgg per
 * clause, stacked in the order
 * select_active_windows sorts the clauses: by their sort keys (partition keys, then the
 * ORDER BY keys not among them) compared key by key on the number PostgreSQL's parser gives
 * each expression (tleSortGroupRef, the higher first), a longer list before its prefix, then
 * by clause number. So clauses needing the same order are adjacent and the widest sort comes
 * first: the ones after it whose keys are a prefix of it need no Sort of their own.
 *
 * Below each WindowAgg whose input is not already in its order (a Sort's, the order a
 * previous WindowAgg kept, a sorted subquery's: plan-order.ts) a Sort is placed, so the
 * executor's window operator reads each partition's rows together and in order and never
 * sorts itself (executor/window.ts).
 */
import type { Expr, Plan, SortKey } from './plan.js';
import { mapExpr } from './expr-walk.js';
import { exprIdentity, providedOrder, orderSatisfies } from './plan-order.js';
import { mapChildren } from './rules/rule.js';
import { fixedColumns } from './rules/drop-fixed-sort-keys.js';

type WindowFn = Extract<Expr, { kind: 'window' }>;
type Window = Extract<Plan, { kind: 'window' }>;

/** One window clause: its functions (with their positions in the binder's window node) and its sort keys. */
interface Clause {
  readonly number: number;
  readonly fns: { fn: WindowFn; column: number }[];
  /** partition keys (with the direction an equal ORDER BY key gives them), then ORDER BY keys not among them */
  readonly keys: SortKey[];
  /** tleSortGroupRef of each key */
  readonly refs: number[];
}

/**
 * The sort keys of a clause, as PostgreSQL's parser and make_pathkeys_for_window make them:
 * PARTITION BY keys ascending, NULLS LAST, unless the window's ORDER BY has the same
 * expression (then its direction, transformGroupClause), duplicates dropped; then the
 * ORDER BY keys not already there.
 */
function clauseKeys(fn: WindowFn): SortKey[] {
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  const orderOf = new Map<string, SortKey>();
  for (const k of fn.orderBy) if (!orderOf.has(exprIdentity(k.expr))) orderOf.set(exprIdentity(k.expr), k);
  for (const e of fn.partitionBy) {
    const id = exprIdentity(e);
    if (seen.has(id)) continue;
    seen.add(id);
    const o = orderOf.get(id);
    keys.push({ expr: e, desc: o?.desc ?? false, nullsFirst: o?.nullsFirst ?? false });
  }
  for (const k of fn.orderBy) {
    const id = exprIdentity(k.expr);
    if (seen.has(id)) continue;
    seen.add(id);
    keys.push(k);
  }
  return keys;
}

/** The window's functions grouped into clauses, in the order their first function was written. */
function clausesOf(window: Window): Clause[] {
  const width = window.input.schema.length;
  const byIdentity = new Map<string, Clause>();
  const clauses: Clause[] = [];
  window.fns.forEach((fn, i) => {
    // the binder's clause number (two WINDOW definitions alike are two clauses in PostgreSQL 15), else equal specifications
    const id = fn.winref !== undefined ? `#${fn.winref}` : JSON.stringify([fn.partitionBy.map(exprIdentity), fn.orderBy.map((k) => [exprIdentity(k.expr), k.desc, k.nullsFirst]), frameIdentity(fn)]);
    let c = byIdentity.get(id);
    if (!c) {
      c = { number: fn.winref ?? clauses.length + 1, fns: [], keys: clauseKeys(fn), refs: [] };
      byIdentity.set(id, c);
      clauses.push(c);
    }
    c.fns.push({ fn, column: width + i });
  });
  clauses.sort((a, b) => a.number - b.number);
  // tleSortGroupRef: numbered as the parser meets each expression, clause by clause, each
  // clause's ORDER BY before its PARTITION BY (transformWindowDefinitions)
  const refs = new Map<string, number>();
  const ref = (e: Expr) => {
    const id = exprIdentity(e);
    if (!refs.has(id)) refs.set(id, refs.size + 1);
    return refs.get(id)!;
  };
  // the query's ORDER BY, GROUP BY and DISTINCT are numbered first (transformSelectStmt's order)
  for (const e of window.sortGroupExprs ?? []) ref(e);
  for (const c of clauses) {
    const fn = c.fns[0].fn;
    for (const k of fn.orderBy) ref(k.expr);
    for (const e of fn.partitionBy) ref(e);
    c.refs.push(...c.keys.map((k) => ref(k.expr)));
  }
  return clauses;
}

function frameIdentity(fn: WindowFn): string {
  return JSON.stringify(fn.frame, (k, v) => (k === 'position' ? undefined : typeof v === 'bigint' ? `${v}n` : v));
}

/** select_active_windows' common_prefix_cmp (sortop and NULLS order by direction) */
function compareClauses(a: Clause, b: Clause): number {
  for (let i = 0; i < Math.min(a.keys.length, b.keys.length); i++) {
    if (a.refs[i] !== b.refs[i]) return b.refs[i] - a.refs[i];
    // '>' sorts after '<' (its operator OID is higher)
    if (a.keys[i].desc !== b.keys[i].desc) return a.keys[i].desc ? -1 : 1;
    if (a.keys[i].nullsFirst !== b.keys[i].nullsFirst) return a.keys[i].nullsFirst ? -1 : 1;
  }
  if (a.keys.length !== b.keys.length) return b.keys.length - a.keys.length;
  return a.number - b.number;
}

/**
 * The stack of WindowAggs (and Sorts) for one binder window node; `remap` gives each of the
 * node's output columns its position in the stack's output.
 */
export function windowStack(window: Window, incremental: boolean): { plan: Plan; remap: number[] } {
  const clauses = clausesOf(window).sort(compareClauses);
  // keys equal to a constant in every row order nothing (PostgreSQL's pathkeys leave them out)
  const fixed = fixedColumns(window.input);
  const ordering = (keys: readonly SortKey[]) => keys.filter((k) => !(k.expr.kind === 'column' && k.expr.level === 0 && fixed.has(k.expr.index)));
  let plan = window.input;
  const remap = window.schema.map((_, i) => i);
  for (const clause of clauses) {
    const have = ordering(providedOrder(plan));
    const keys = ordering(clause.keys);
    if (!orderSatisfies(have, keys)) {
      // rows in the order of the first keys: an Incremental Sort, as create_one_window_path makes one
      const presorted = incremental ? commonPrefix(have, keys) : 0;
      plan = { kind: 'sort', schema: plan.schema, input: plan, keys, ...(presorted > 0 ? { presorted } : {}) };
    }
    const schema = [...plan.schema];
    for (const { column } of clause.fns) {
      remap[column] = schema.length;
      schema.push(window.schema[column]);
    }
    plan = { kind: 'window', schema, input: plan, fns: clause.fns.map((f) => f.fn), clause: clause.number };
  }
  return { plan, remap };
}

/** how many leading keys two orders share */
function commonPrefix(a: readonly SortKey[], b: readonly SortKey[]): number {
  let n = 0;
  while (n < a.length && n < b.length && orderSatisfies([a[n]], [b[n]])) n++;
  return n;
}

/** A binder's window node not yet planned: its functions in more than one clause, or its input not in its order. */
function unplanned(window: Window): boolean {
  const clauses = clausesOf(window);
  if (clauses.length > 1) return true;
  const fixed = fixedColumns(window.input);
  const ordering = (keys: readonly SortKey[]) => keys.filter((k) => !(k.expr.kind === 'column' && k.expr.level === 0 && fixed.has(k.expr.index)));
  return !orderSatisfies(ordering(providedOrder(window.input)), ordering(clauses[0]?.keys ?? []));
}

const remapped = (e: Expr, remap: readonly number[]): Expr =>
  mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, index: remap[x.index] ?? x.index } : undefined));

/**
 * Every window node of the plan planned, top down: Project(Window) → Project(WindowAgg
 * stack), the projection reading the stack's columns; a window node under anything else gets
 * a projection restoring its column order. A node already planned (its one clause's input in
 * order) is left as it is.
 */
export function planWindows(plan: Plan, incremental = true): Plan {
  if (plan.kind === 'project' && plan.input.kind === 'window') {
    const window = { ...plan.input, input: planWindows(plan.input.input, incremental) };
    if (!unplanned(window)) return { ...plan, input: window };
    const { plan: stack, remap } = windowStack(window, incremental);
    return { ...plan, input: stack, exprs: plan.exprs.map((e) => remapped(e, remap)) };
  }
  if (plan.kind === 'window') {
    const window = { ...plan, input: planWindows(plan.input, incremental) };
    if (!unplanned(window)) return window;
    const { plan: stack, remap } = windowStack(window, incremental);
    if (remap.every((r, i) => r === i)) return stack;
    const exprs: Expr[] = plan.schema.map((c, i) => ({ kind: 'column', type: c.type, level: 0, index: remap[i], name: c.name }));
    return { kind: 'project', schema: plan.schema, input: stack, exprs };
  }
  return mapChildren(plan, (child) => planWindows(child, incremental));
}
