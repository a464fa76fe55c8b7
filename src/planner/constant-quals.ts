/**
 * WHERE conditions decided before any row is read, as PostgreSQL decides them
 *
 *   WHERE false / WHERE 1 = 2 / WHERE NULL     →  Result, One-Time Filter: false (nothing runs)
 *   WHERE a = 1 AND a = 2                      →  Result, One-Time Filter: false
 *                                                   ->  Index Scan … Index Cond: (a = 1)
 *   WHERE $1 > 0 AND b = 3, WHERE now() > …    →  Result, One-Time Filter: ($1 > 0)
 *                                                   ->  Seq Scan … Filter: (b = 3)
 *
 * - constants are folded (eval_const_expressions: comparisons of constants, NOT / AND / OR
 *   with constant arms); a WHERE left constant false or NULL makes its relation empty (a
 *   dummy rel: a Result with no input), and so every inner join over it;
 * - an equivalence class (columns equated to each other and to values) with two or more
 *   values is enforced as PostgreSQL's generate_base_implied_equalities_const does: each
 *   column equals the class's first constant (else its first parameter), and the other
 *   values equal it too: `2 = 1` is false, `$1 = 2` a one-time condition;
 * - a pseudoconstant condition (no column of this query's row, nothing volatile, no
 *   subquery) is tested once, by a gating Result above the relation instead of on every row.
 *
 * Runs first, on the plan as bound (each filter still above its FROM), so the rules after it
 * see only the conditions that depend on the rows.
 */
import { OID, T } from '../types/types.js';
import type { EvalContext, ScalarFunction } from '../functions/api.js';
import { resolveOperator } from '../functions/index.js';
import type { Expr, OutputColumn, Plan } from './plan.js';
import type { Rule } from './rules/rule.js';
import { sameTypeEquality } from './equivalence.js';
import { mapExpr, planIsCorrelated } from './expr-walk.js';

const FALSE: Expr = { kind: 'const', type: T.bool, value: false };

/** a WHERE's conjuncts as written, for an AND this pass reordered (EXPLAIN numbers subqueries in that order) */
export const writtenOrder = new WeakMap<Expr, readonly Expr[]>();

/** An AND that stops on NULL (security quals first, row-level security) stays one piece: its order is its meaning. */
function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' && !e.stopOnNull ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly Expr[]): Expr {
  return parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: parts };
}

/** A relation proven empty at plan time (`joined`: a join, whose width PostgreSQL still counts). */
export function emptyRelation(schema: readonly OutputColumn[], joined = false): Plan {
  return { kind: 'result', schema, gated: null, oneTime: FALSE, ...(joined ? { joined: true as const } : {}) };
}

export function isEmptyRelation(plan: Plan): boolean {
  return plan.kind === 'result' && plan.gated === null;
}

/** false or NULL: a WHERE that passes no row */
function rejectsAll(e: Expr): boolean {
  return e.kind === 'const' && (e.value === false || e.value === null);
}

const COMPARISONS: ReadonlySet<string> = new Set(['=', '<>', '<', '>', '<=', '>=']);
/** types whose comparison operators are immutable and need nothing from the session */
const FOLDABLE: ReadonlySet<number> = new Set<number>([OID.int2, OID.int4, OID.int8, OID.bool, OID.numeric, OID.float4, OID.float8, OID.text, OID.varchar, OID.bpchar]);

/** What a comparison of plain values may ask of its context: nothing (a call that asks fails, and stays unfolded). */
export const NO_SESSION: EvalContext = {
  setting: () => undefined, statementTimestamp: 0, transactionTimestamp: 0, user: '', database: '',
  get services(): never { throw new Error('not at plan time'); },
} as EvalContext;

/**
 * simplify_boolean_equality: `b = true` is `b`, `b = false` and `b <> true` are `NOT b`,
 * `b <> false` is `b` (either side the constant), as PostgreSQL's planner rewrites them
 * before EXPLAIN prints them.
 */
function simplifyBooleanEquality(op: string, a: Expr, b: Expr): Expr | undefined {
  if ((op !== '=' && op !== '<>') || a.type.oid !== OID.bool || b.type.oid !== OID.bool) return undefined;
  const [value, other] = a.kind === 'const' ? [a, b] : b.kind === 'const' ? [b, a] : [undefined, undefined];
  if (!value || typeof value.value !== 'boolean' || other.kind === 'const') return undefined;
  const keeps = (op === '=') === value.value;
  return keeps ? other : foldConstants({ kind: 'not', type: T.bool, arg: other });
}

/** eval_const_expressions for the boolean skeleton of a condition: comparisons of constants, NOT, AND, OR. */
export function foldConstants(e: Expr): Expr {
  switch (e.kind) {
    case 'call': {
      if (!COMPARISONS.has(e.name) || e.args.length !== 2) return e;
      const [a, b] = e.args;
      const simpler = simplifyBooleanEquality(e.name, a, b);
      if (simpler) return simpler;
      // a strict operator with a NULL input is NULL, whatever the other one is (evaluate_function's has_null_input)
      const isNull = (x: Expr) => x.kind === 'const' && x.value === null;
      if (e.fn.strict && (isNull(a) || isNull(b))) return { kind: 'const', type: T.bool, value: null };
      if (a.kind !== 'const' || b.kind !== 'const') return e;
      if (a.type.oid !== b.type.oid || !FOLDABLE.has(a.type.oid)) return e;
      try {
        const v = e.fn.impl([a.value, b.value], NO_SESSION);
        return typeof v === 'boolean' || v === null ? { kind: 'const', type: T.bool, value: v } : e;
      } catch {
        return e;
      }
    }
    case 'not': {
      const arg = foldConstants(e.arg);
      if (arg.kind === 'const' && (arg.value === null || typeof arg.value === 'boolean')) return { kind: 'const', type: T.bool, value: arg.value === null ? null : !arg.value };
      const negated = negateClause(arg);
      if (negated) return foldConstants(negated);
      return arg === e.arg ? e : { ...e, arg };
    }
    case 'and': case 'or': {
      const decisive = e.kind === 'or'; // true decides an OR, false an AND
      const args: Expr[] = [];
      for (const x of e.args.map(foldConstants)) {
        // a nested AND / OR of the same kind joins this one, unless it stops on NULL and this one does not
        const flat = x.kind === e.kind && (!x.stopOnNull || e.stopOnNull) ? x.args : [x];
        for (const y of flat) {
          if (y.kind === 'const' && y.value === decisive) return { kind: 'const', type: T.bool, value: decisive };
          if (!(y.kind === 'const' && y.value === !decisive)) args.push(y);
        }
      }
      if (args.length === 0) return { kind: 'const', type: T.bool, value: !decisive };
      if (args.length === 1) return args[0];
      return args.length === e.args.length && args.every((x, i) => x === e.args[i]) ? e : { ...e, args };
    }
    default:
      return e;
  }
}

/** oprnegate of the comparison operators: `NOT (a < b)` is `a >= b` */
const NEGATOR: Readonly<Record<string, string>> = {
  '=': '<>', '<>': '=', '<': '>=', '>=': '<', '>': '<=', '<=': '>',
  '~~': '!~~', '!~~': '~~', '~~*': '!~~*', '!~~*': '~~*', '~': '!~', '!~': '~', '~*': '!~*', '!~*': '~*',
};

/**
 * negate_clause: NOT pushed into what it negates, as eval_const_expressions does — a
 * comparison becomes its negator (when the type has one taking exactly these argument
 * types), AND / OR by De Morgan, NOT NOT x is x, IS [NOT] NULL and IS [NOT] TRUE flip.
 * Undefined when NOT stays (PostgreSQL prints `NOT (…)` then too).
 */
function negateClause(e: Expr): Expr | undefined {
  switch (e.kind) {
    case 'call': {
      const neg = NEGATOR[e.name];
      if (!neg || e.args.length !== 2 || e.fn.volatile) return undefined;
      const [a, b] = e.args;
      let fn: ScalarFunction;
      try {
        fn = resolveOperator(neg, a.type, b.type);
      } catch {
        return undefined;
      }
      if (fn.argTypes[0]?.oid !== a.type.oid || fn.argTypes[1]?.oid !== b.type.oid) return undefined;
      return { ...e, name: neg, fn };
    }
    case 'and': case 'or': {
      if (e.stopOnNull) return undefined;
      return { ...e, kind: e.kind === 'and' ? 'or' : 'and', args: e.args.map((x) => negateClause(x) ?? { kind: 'not', type: T.bool, arg: x }) };
    }
    case 'not': return e.arg;
    case 'isnull': return e.arg.type.oid === OID.record ? undefined : { ...e, negate: !e.negate };
    case 'booltest': return { ...e, negate: !e.negate };
    default: return undefined;
  }
}

/**
 * No column of this query level's row, nothing volatile, no subquery or aggregate: the
 * same value for every row of one execution (parameters, now(), an enclosing query's columns).
 */
function isPseudoConstant(e: Expr): boolean {
  let ok = true;
  const visit = (x: Expr): void => {
    if (!ok) return;
    switch (x.kind) {
      case 'column': if (x.level === 0) ok = false; return;
      case 'call': if (x.fn.volatile) ok = false; else x.args.forEach(visit); return;
      case 'const': case 'param': return;
      case 'cast': case 'domain': case 'not': case 'isnull': case 'booltest': case 'field': visit(x.arg); return;
      case 'and': case 'or': case 'coalesce': case 'minmax': case 'rowcompare': x.args.forEach(visit); return;
      case 'anyall': case 'distinct': visit(x.left); visit(x.right); return;
      case 'array': x.elems.forEach(visit); return;
      case 'case': x.whens.forEach((w) => { visit(w.cond); visit(w.result); }); visit(x.otherwise); return;
      // an uncorrelated scalar subquery is an InitPlan, run once
      case 'subquery': if (x.mode === 'exists' || x.mode === 'array' || planIsCorrelated(x.plan)) ok = false; return;
      default: ok = false; // other subqueries, SQL functions, aggregates, windows, subscripts: leave them where they are
    }
  };
  visit(e);
  return ok;
}

type Column = Extract<Expr, { kind: 'column' }>;
type Call = Extract<Expr, { kind: 'call' }>;

/**
 * Classes (columns equated to each other and to constants or parameters) with a value and
 * more than one member besides it, enforced as PostgreSQL does: `column = value` for each
 * column in the order they joined the class (the class's first constant, else its first
 * parameter) replaces the class's equalities (`v = w AND w = 5`: `(v = 5) AND (w = 5)`),
 * where its first equality was; the other values equated to it are returned as one-time
 * conditions (folded: `2 = 1` is false). Undefined when no class is so.
 */
function equateClassValues(parts: readonly Expr[]): { quals: Expr[]; oneTime: Expr[] } | undefined {
  const parent = new Map<number, number>();
  const find = (i: number): number => {
    let r = i;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  // members in the order PostgreSQL adds them to the class: each equality's two sides, left first
  const members: { conjunct: Call; column?: Column; value?: Expr }[] = [];
  for (const c of parts) {
    const eq = sameTypeEquality(c);
    if (!eq) continue;
    const [a, b] = eq.args;
    const col = (x: Expr): x is Column => x.kind === 'column' && x.level === 0;
    const val = (x: Expr): boolean => x.kind === 'const' || x.kind === 'param';
    if (col(a) && col(b)) {
      const ra = find(a.index);
      const rb = find(b.index);
      if (ra !== rb) parent.set(ra, rb);
      members.push({ conjunct: eq, column: a }, { conjunct: eq, column: b });
    } else if (col(a) && val(b)) members.push({ conjunct: eq, column: a }, { conjunct: eq, value: b });
    else if (val(a) && col(b)) members.push({ conjunct: eq, value: a }, { conjunct: eq, column: b });
  }
  const classes = new Map<number, typeof members>();
  for (const m of members) {
    const owner = m.column ?? (m.conjunct.args[0].kind === 'column' ? m.conjunct.args[0] : m.conjunct.args[1]) as Column;
    const root = find(owner.index);
    classes.set(root, [...(classes.get(root) ?? []), m]);
  }
  const dropped = new Set<Expr>();
  // a class's new equalities, by the first of its equalities (they take its place)
  const replacing = new Map<Expr, Expr[]>();
  const oneTime: Expr[] = [];
  for (const ms of classes.values()) {
    const values = ms.filter((m) => m.value);
    // a lone `column = value` stays as written
    if (values.length === 0 || ms.length === 2) continue;
    const quals: Expr[] = [];
    replacing.set(ms[0].conjunct, quals);
    const chosen = (values.find((m) => m.value!.kind === 'const') ?? values[0]).value!;
    const template = values[0].conjunct;
    for (const m of ms) dropped.add(m.conjunct);
    const columns = new Set<number>();
    for (const m of ms) {
      if (m.column) {
        if (columns.has(m.column.index)) continue;
        columns.add(m.column.index);
        quals.push({ ...template, args: [m.column, chosen] });
      } else if (m.value !== chosen && !sameValue(m.value!, chosen)) {
        oneTime.push(foldConstants({ ...template, args: [m.value!, chosen] }));
      }
    }
  }
  if (dropped.size === 0) return undefined;
  return { quals: parts.flatMap((p) => replacing.get(p) ?? (dropped.has(p) ? [] : [p])), oneTime };
}

function sameValue(a: Expr, b: Expr): boolean {
  if (a.kind === 'param' && b.kind === 'param') return a.index === b.index;
  return a.kind === 'const' && b.kind === 'const' && a.value === b.value;
}

/** types whose `=` is a btree equality (mergejoinable): PostgreSQL makes equivalence classes of such clauses */
const MERGEJOINABLE: ReadonlySet<number> = new Set<number>([
  OID.int2, OID.int4, OID.int8, OID.oid, OID.float4, OID.float8, OID.numeric, OID.text, OID.varchar, OID.bpchar, OID.bool,
  OID.date, OID.timestamp, OID.timestamptz, OID.uuid, OID.inet, OID.macaddr, OID.macaddr8, OID.pg_lsn,
]);

const readsRow = (e: Expr): boolean => !isPseudoConstant(e);

/** `x = y` that PostgreSQL turns into an equivalence class (and back into a condition after the others) */
function isClassEquality(e: Expr): boolean {
  if (e.kind !== 'call' || e.name !== '=' || e.args.length !== 2 || e.fn.volatile) return false;
  const [a, b] = e.args;
  if (!MERGEJOINABLE.has(a.type.oid) || !MERGEJOINABLE.has(b.type.oid)) return false;
  // an uncorrelated scalar subquery is an InitPlan's parameter by then (`tag = $0`)
  const initPlan = (y: Expr): boolean => y.kind === 'subquery' && y.mode === 'scalar' && !planIsCorrelated(y.plan);
  const plain = (x: Expr): boolean => { let ok = true; walkExpr(x, (y) => { if ((y.kind === 'subquery' && !initPlan(y)) || y.kind === 'insubquery' || y.kind === 'sqlCall' || (y.kind === 'call' && y.fn.volatile)) ok = false; }); return ok; };
  return (readsRow(a) || readsRow(b)) && plain(a) && plain(b);
}

function walkExpr(e: Expr, f: (e: Expr) => void): void {
  mapExpr(e, (x) => { f(x); return undefined; });
}

function castOfConstant(e: Expr): boolean {
  return e.kind === 'const' || (e.kind === 'cast' && castOfConstant(e.arg));
}

/**
 * What PostgreSQL's cost_qual_eval charges per row, to order a relation's conditions as
 * order_qual_clauses does: an operator or function call one cpu_operator_cost, a binary
 * coercion (varchar to text) nothing, `= ANY (array)` half its elements, an InitPlan's
 * parameter nothing, a correlated SubPlan or SQL function far more than any operator.
 */
function qualCost(e: Expr): number {
  switch (e.kind) {
    case 'call': return 1 + e.args.reduce((s, a) => s + qualCost(a), 0);
    // a cast of a constant is folded to a constant at plan time: free
    case 'cast': return castOfConstant(e) || (e.arg.type.oid === OID.varchar && e.type.oid === OID.text) ? qualCost(e.arg) : 1 + qualCost(e.arg);
    case 'anyall': {
      const n = e.right.kind === 'const' && Array.isArray(e.right.value) ? e.right.value.length : e.right.kind === 'array' ? e.right.elems.length : 10;
      return (n >= 9 ? 1 : n * 0.5) + qualCost(e.left) + qualCost(e.right);
    }
    case 'not': case 'isnull': case 'booltest': case 'field': return qualCost(e.arg);
    case 'domain': return 1 + qualCost(e.arg);
    case 'and': case 'or': case 'coalesce': return e.args.reduce((s, a) => s + qualCost(a), 0);
    case 'minmax': return e.args.length + e.args.reduce((s, a) => s + qualCost(a), 0);
    case 'rowcompare': return e.ops.length + e.args.reduce((s, a) => s + qualCost(a), 0);
    case 'case': return e.whens.reduce((s, w) => s + qualCost(w.cond) + qualCost(w.result), qualCost(e.otherwise));
    case 'distinct': return 1 + qualCost(e.left) + qualCost(e.right);
    case 'array': return e.elems.reduce((s, a) => s + qualCost(a), 0);
    case 'subscript': return qualCost(e.arg) + e.subs.reduce((s, x) => s + (x.lower ? qualCost(x.lower) : 0) + (x.upper ? qualCost(x.upper) : 0), 0);
    case 'subquery': return planIsCorrelated(e.plan) ? 1000 : 0;
    case 'insubquery': return qualCost(e.left) + (planIsCorrelated(e.plan) ? 1000 : 1);
    case 'sqlCall': return 100 + e.args.reduce((s, a) => s + qualCost(a), 0);
    default: return 0;
  }
}

/**
 * A WHERE's conditions in the order PostgreSQL evaluates (and EXPLAIN prints) them: the
 * equalities it makes equivalence classes of come back after the other conditions
 * (generate_base_implied_equalities), then all are sorted by cost, stably
 * (order_qual_clauses): `c > 'a' AND b = 1`, `b = 1 AND (c > 'a' OR a = 5)`.
 */
function postgresOrder(parts: readonly Expr[]): Expr[] {
  const ordered = [...parts.filter((p) => !isClassEquality(p)), ...parts.filter(isClassEquality)];
  return ordered.map((p, i) => ({ p, i, cost: qualCost(p) })).sort((x, y) => x.cost - y.cost || x.i - y.i).map((x) => x.p);
}

/**
 * canonicalize_qual's constants in a WHERE, HAVING or ON (find_duplicate_ors, not a CHECK):
 * only true lets a row through, so under AND / OR a NULL is as good as false — dropped from
 * an OR (`b = NULL OR a = 1` is `a = 1`), fatal to an AND. Not below NOT.
 */
function asQual(e: Expr): Expr {
  if (e.kind !== 'and' && e.kind !== 'or') return e;
  const or = e.kind === 'or';
  const args: Expr[] = [];
  for (const x of e.args.map(asQual)) {
    if (x.kind === 'const') {
      if (x.value === true) { if (or) return x; continue; }
      if (or) continue;
      return FALSE;
    }
    args.push(x);
  }
  if (args.length === 0) return or ? FALSE : { kind: 'const', type: T.bool, value: true };
  if (args.length === 1) return args[0];
  return args.length === e.args.length && args.every((x, i) => x === e.args[i]) ? e : { ...e, args };
}

/** A relation without FROM (SELECT 1 WHERE …): one row of no columns. */
function isSingleEmptyRow(plan: Plan): boolean {
  return plan.kind === 'values' && plan.rows.length === 1 && plan.schema.length === 0;
}

function foldFilter(plan: Extract<Plan, { kind: 'filter' }>): Plan | undefined {
  if (isEmptyRelation(plan.input)) return plan.input;
  let parts = conjuncts(asQual(foldConstants(plan.predicate))).filter((p) => !(p.kind === 'const' && p.value === true));
  const written = parts;
  if (parts.some(rejectsAll)) {
    return isSingleEmptyRow(plan.input) ? { kind: 'result', schema: plan.schema, gated: plan.input, oneTime: FALSE } : emptyRelation(plan.schema, plan.input.kind === 'join');
  }
  const classes = equateClassValues(parts);
  let oneTime: Expr[] = [];
  if (classes) {
    parts = classes.quals;
    oneTime = classes.oneTime.filter((p) => !(p.kind === 'const' && p.value === true));
  }
  oneTime = [...parts.filter(isPseudoConstant), ...oneTime];
  parts = postgresOrder(parts.filter((p) => !isPseudoConstant(p)));
  if (oneTime.some(rejectsAll)) {
    // a join proven empty is a dummy rel (restriction_is_constant_false); a base relation is gated
    if (plan.input.kind === 'join') return emptyRelation(plan.schema, true);
    oneTime = [FALSE];
  }
  const rest = and(parts);
  if (oneTime.length === 0 && parts.length > 0 && sameConjuncts(rest, plan.predicate)) return undefined;
  // PostgreSQL numbers the subqueries in the order they were written (subplan-numbers.ts)
  if (rest.kind === 'and') writtenOrder.set(rest, written.filter((c) => parts.includes(c)));
  const input: Plan = parts.length ? { ...plan, predicate: rest } : plan.input;
  return oneTime.length ? { kind: 'result', schema: plan.schema, gated: input, oneTime: and(oneTime) } : input;
}

function sameConjuncts(a: Expr, b: Expr): boolean {
  if (a === b) return true;
  const x = conjuncts(a), y = conjuncts(b);
  return x.length === y.length && x.every((e, i) => e === y[i]);
}

/**
 * An inner join with an empty side is empty, and so is an outer join whose preserved side
 * is; so is an inner join whose ON is false (or contradicts itself, as a WHERE would). A
 * left join whose ON is false keeps its rows, NULL-extended: PostgreSQL joins them to a
 * right side proven empty, `Join Filter: false`.
 */
function foldJoin(plan: Extract<Plan, { kind: 'join' }>): Plan | undefined {
  const left = isEmptyRelation(plan.left);
  const right = isEmptyRelation(plan.right);
  const on = plan.on && asQual(foldConstants(plan.on));
  const onFalse = on !== null && rejectsAll(on);
  const contradiction = plan.joinType === 'inner' && on !== null && !onFalse && (equateClassValues(conjuncts(on))?.oneTime.some(rejectsAll) ?? false);
  const empty = ((onFalse || contradiction) && (plan.joinType === 'inner' || plan.joinType === 'semi'))
    || (plan.joinType === 'inner' && (left || right))
    || ((plan.joinType === 'left' || plan.joinType === 'semi' || plan.joinType === 'anti') && left) || (plan.joinType === 'semi' && right)
    || (plan.joinType === 'right' && right) || (plan.joinType === 'full' && left && right);
  if (empty) return emptyRelation(plan.schema, true);
  if (onFalse && plan.joinType === 'left' && !right) return { ...plan, on: FALSE, right: emptyRelation(plan.right.schema) };
  // NOT EXISTS (… WHERE … AND false): PostgreSQL's subquery WHERE, folded to false, is the anti join's qual
  if (plan.joinType === 'anti' && right && !(plan.on && rejectsAll(plan.on))) return { ...plan, on: FALSE };
  // the ON with its constants folded (a NULL arm of an OR dropped, TRUE conjuncts gone)
  if (on !== null && on !== plan.on && !onFalse) return { ...plan, on: on.kind === 'const' && on.value === true ? null : on };
  return undefined;
}

export const foldConstantQuals: Rule = {
  name: 'fold-constant-quals',
  apply(plan) {
    if (plan.kind === 'filter') return foldFilter(plan);
    if (plan.kind === 'join') return foldJoin(plan);
    return undefined;
  },
};

/**
 * TopK(Result(one-time filter, X)) → Result(one-time filter, TopK(X)): the filter lets all
 * of X through or none, so the Top-K may sit on X itself, where the vector and B-tree rules
 * that read ORDER BY … LIMIT through an index look for it (`WHERE $1 > 0 ORDER BY v <-> $2
 * LIMIT 10` keeps its HNSW search).
 */
export const hoistOneTimeFilter: Rule = {
  name: 'hoist-one-time-filter',
  apply(plan) {
    if (plan.kind !== 'topk' || plan.input.kind !== 'result' || !plan.input.gated) return undefined;
    const gate = plan.input;
    return { kind: 'result', schema: plan.schema, oneTime: gate.oneTime, gated: { ...plan, input: gate.gated! } };
  },
};

/**
 * Result(one-time filter, Limit(X)) → Limit(Result(…, X)), and so for a Top-K that is no
 * vector search: PostgreSQL's shape, the Limit and Sort on top (after the rules above).
 */
export const sinkOneTimeFilter: Rule = {
  name: 'sink-one-time-filter',
  apply(plan) {
    if (plan.kind !== 'result' || !plan.gated) return undefined;
    const top = plan.gated;
    if (top.kind !== 'limit' && !(top.kind === 'topk' && !top.vectorSearch)) return undefined;
    return { ...top, schema: plan.schema, input: { ...plan, schema: top.input.schema, gated: top.input } };
  },
};
