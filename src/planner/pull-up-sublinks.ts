/**
 * EXISTS, NOT EXISTS and IN subqueries in a WHERE → Semi and Anti Joins
 *
 *   SELECT … FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id AND u.c = 2)
 *   SELECT … FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id)
 *   SELECT … FROM t WHERE t.id IN (SELECT t_id FROM u WHERE c = 1)
 *
 * As a SubPlan the subquery runs once per outer row: with a correlated condition that is a
 * scan of u for every row of t. PostgreSQL's pull_up_sublinks turns such a conjunct of the
 * WHERE into a join that keeps each outer row once (Semi) or only when nothing matches
 * (Anti); the correlated equalities become its ON, so it is a hash join, and the
 * subquery's own conditions filter its side first. Done as PostgreSQL does it
 * (convert_EXISTS_sublink_to_join, convert_ANY_sublink_to_join):
 *   - only top-level AND conjuncts of a filter: under OR or NOT the truth value matters,
 *     and a WHERE rejects false and NULL alike, which is what a semi join gives for IN;
 *   - EXISTS: correlated (an uncorrelated one is run once, PostgreSQL's InitPlan); the subquery is a plain SELECT … FROM … [WHERE …] (its target list, DISTINCT,
 *     ORDER BY and a constant LIMIT ≥ 1 do not change whether a row exists); a condition
 *     of its WHERE that refers to the outer row must refer to nothing further out, and no
 *     volatile function; the rest of the subquery must not refer outside at all;
 *   - IN / = ANY with the operator `=`: an uncorrelated subquery joins as it is; a correlated
 *     `SELECT expr FROM … WHERE …` joins on `x = expr` and its correlated conditions; NOT IN is left alone (its
 *     NULL semantics are not an anti join's).
 * Runs before the subqueries are optimized on their own (optimize.ts), so the subquery's
 * side joins the main query's plan and gets its rewrites there.
 */
import { T } from '../types/types.js';
import { mapExpr, planIsCorrelated } from './expr-walk.js';
import type { Expr, Plan } from './plan.js';
import type { Rule } from './rules/rule.js';

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: readonly Expr[]): Expr | null {
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: [...parts] };
}

/** The FROM … WHERE of a subquery whose output does not matter (EXISTS), or undefined. */
function existsCore(plan: Plan): { from: Plan; where: Expr | null } | undefined {
  let p = plan;
  for (;;) {
    if (p.kind === 'project' || p.kind === 'sort' || (p.kind === 'distinct')) { p = p.input; continue; }
    if (p.kind === 'limit' && p.offset === null && p.limit) {
      // a constant (LIMIT 1 is bound as the integer cast to bigint); LIMIT 0 never has a row
      const c = p.limit.kind === 'cast' ? p.limit.arg : p.limit;
      if (c.kind !== 'const' || c.value === null || !(Number(c.value) >= 1)) return undefined;
      p = p.input;
      continue;
    }
    break;
  }
  if (p.kind === 'filter') return { from: p.input, where: p.predicate };
  // an aggregate, window, set operation or VALUES shapes the rows: not a plain FROM
  if (p.kind === 'scan' || p.kind === 'join' || p.kind === 'functionScan' || p.kind === 'cteScan') return { from: p, where: null };
  return undefined;
}

/**
 * A condition of the subquery's WHERE that refers to the outer row, moved into the join's
 * ON: the outer row's columns (level 1) become the join's left columns, the subquery's own
 * (level 0) its right columns. Undefined when it cannot move.
 */
function toJoinCondition(c: Expr, leftWidth: number): Expr | undefined {
  let movable = true;
  const moved = mapExpr(c, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall' || (x.kind === 'call' && x.fn.volatile)) {
      movable = false;
      return x;
    }
    if (x.kind !== 'column') return undefined;
    if (x.level === 1) return { ...x, level: 0 };
    if (x.level === 0) return { ...x, index: x.index + leftWidth };
    movable = false;
    return x;
  });
  return movable ? outerSideFirst(moved, leftWidth) : undefined;
}

/**
 * `u.t_id = t.id` as `t.id = u.t_id`: PostgreSQL prints a join's conditions with the outer
 * (left) side first. Only an equality of one type is turned around (its function is
 * symmetric); others stay as written.
 */
function outerSideFirst(c: Expr, leftWidth: number): Expr {
  if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2) return c;
  const [a, b] = c.args;
  const side = (x: Expr) => (x.kind === 'column' && x.level === 0 ? (x.index < leftWidth ? 'left' : 'right') : undefined);
  if (side(a) !== 'right' || side(b) !== 'left' || a.type.oid !== b.type.oid) return c;
  return { ...c, args: [b, a] };
}

function refersToOuterRow(c: Expr): boolean {
  let found = false;
  mapExpr(c, (x) => {
    if (x.kind === 'column' && x.level > 0) found = true;
    return undefined;
  });
  return found;
}

/** A subquery or a volatile function in a value compared by IN: it stays a SubPlan. */
function unsafeValue(e: Expr): boolean {
  let unsafe = false;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'sqlCall' || (x.kind === 'call' && x.fn.volatile)) unsafe = true;
    return undefined;
  });
  return unsafe;
}

/**
 * The join of `input` with a subquery's FROM: the WHERE's conditions on the outer row go to
 * the ON (after `extra`), the others filter the FROM. Undefined when nothing refers to the
 * outer row or something cannot move.
 */
function correlatedJoin(input: Plan, from: Plan, where: Expr | null, extra: readonly Expr[], joinType: 'semi' | 'anti'): Plan | undefined {
  const L = input.schema.length;
  const own: Expr[] = [];
  const on: Expr[] = [...extra];
  let correlated = false;
  for (const w of where ? conjuncts(where) : []) {
    // a condition referring to the outer row (mapExpr does not look inside nested
    // subqueries: a correlated one there shows in the planIsCorrelated check below)
    if (!refersToOuterRow(w)) { own.push(w); continue; }
    const moved = toJoinCondition(w, L);
    if (!moved) return undefined;
    on.push(moved);
    correlated = true;
  }
  if (!correlated) return undefined;
  const ownWhere = and(own);
  const right: Plan = ownWhere ? { kind: 'filter', schema: from.schema, input: from, predicate: ownWhere } : from;
  if (planIsCorrelated(right)) return undefined;
  return { kind: 'join', schema: input.schema, joinType, left: input, right, on: and(on), lateral: false };
}

/**
 * An uncorrelated `SELECT expr FROM … [WHERE …]` selecting one expression that is not a
 * plain column: its FROM (filtered), and the expression over the join's row (the FROM's
 * columns after the `leftWidth` outer ones); undefined for any other shape.
 */
function selectedExpression(plan: Plan, leftWidth: number): { from: Plan; selected: Expr } | undefined {
  if (plan.kind !== 'project' || plan.exprs.length !== 1) return undefined;
  const [expr] = plan.exprs;
  if (expr.kind === 'column' || unsafeValue(expr)) return undefined;
  const from = plan.input.kind === 'filter' ? plan.input.input : plan.input;
  // a plain FROM: an aggregate, window, set operation or VALUES shapes the rows
  if (from.kind !== 'scan' && from.kind !== 'join' && from.kind !== 'functionScan' && from.kind !== 'cteScan') return undefined;
  return { from: plan.input, selected: mapExpr(expr, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, index: x.index + leftWidth } : undefined)) };
}

/**
 * `x IN (SELECT 5)`: the subquery has no FROM, so PostgreSQL pulls it up into the semi join
 * and then removes it (pull_up_simple_subquery, remove_useless_result_rtes), leaving the
 * condition `x = 5` on the outer relation. Undefined for any other conjunct.
 */
function flattenedSublink(c: Expr): Expr | undefined {
  if (c.kind !== 'insubquery' || c.all || c.op !== '=' || unsafeValue(c.left)) return undefined;
  const p = c.plan;
  if (p.kind !== 'project' || p.exprs.length !== 1 || p.input.kind !== 'values' || p.input.rows.length !== 1 || p.input.schema.length !== 0) return undefined;
  const [selected] = p.exprs;
  let readsRows = false;
  mapExpr(selected, (x) => {
    if (x.kind === 'column' || x.kind === 'subquery' || x.kind === 'insubquery' || x.kind === 'agg' || x.kind === 'window') readsRows = true;
    return undefined;
  });
  if (readsRows || unsafeValue(selected)) return undefined;
  return { kind: 'call', type: T.bool, name: '=', fn: c.fn, args: [c.left, selected] };
}

/** The Semi / Anti join for one conjunct, or undefined when it stays a SubPlan. */
function sublinkJoin(c: Expr, input: Plan): Plan | undefined {
  const L = input.schema.length;
  let negated = false;
  let e = c;
  if (e.kind === 'not' && e.arg.kind === 'subquery' && e.arg.mode === 'exists') { negated = true; e = e.arg; }
  if (e.kind === 'subquery' && e.mode === 'exists') {
    const core = existsCore(e.plan);
    // uncorrelated: one run answers for every row (an InitPlan), as PostgreSQL leaves it
    return core && correlatedJoin(input, core.from, core.where, [], negated ? 'anti' : 'semi');
  }
  if (e.kind === 'insubquery' && !e.all && e.op === '=' && !negated && !unsafeValue(e.left)) {
    if (planIsCorrelated(e.plan)) {
      // x IN (SELECT u.a FROM u WHERE u.b = t.c): a semi join on x = u.a AND u.b = t.c
      const p = e.plan;
      if (p.kind !== 'project' || p.exprs.length !== 1 || refersToOuterRow(p.exprs[0]) || unsafeValue(p.exprs[0])) return undefined;
      const from = p.input.kind === 'filter' ? p.input.input : p.input;
      const where = p.input.kind === 'filter' ? p.input.predicate : null;
      const selected = toJoinCondition(p.exprs[0], L);
      if (!selected) return undefined;
      const eq: Expr = { kind: 'call', type: T.bool, name: '=', fn: e.fn, args: [e.left, selected] };
      return correlatedJoin(input, from, where, [eq], 'semi');
    }
    const pulled = selectedExpression(e.plan, L);
    if (pulled) {
      // x IN (SELECT u.a + 1 FROM u): a semi join on x = u.a + 1 over u itself (PostgreSQL
      // pulls the simple subquery up), so the expression is a join key of its own
      const on: Expr = { kind: 'call', type: T.bool, name: '=', fn: e.fn, args: [e.left, pulled.selected] };
      return { kind: 'join', schema: input.schema, joinType: 'semi', left: input, right: pulled.from, on, lateral: false };
    }
    const col = e.plan.schema[0];
    // EXPLAIN qualifies it with the subquery's table when it selects a plain column
    const selected = e.plan.kind === 'project' ? e.plan.exprs[0] : undefined;
    const table = selected?.kind === 'column' && selected.level === 0 ? selected.table : undefined;
    const inner: Expr = { kind: 'column', type: col.type, level: 0, index: L, name: col.name, ...(table === undefined ? {} : { table }) };
    const on: Expr = { kind: 'call', type: T.bool, name: '=', fn: e.fn, args: [e.left, inner] };
    return { kind: 'join', schema: input.schema, joinType: 'semi', left: input, right: e.plan, on, lateral: false };
  }
  return undefined;
}

export const pullUpSublinks: Rule = {
  name: 'pull-up-sublinks',
  apply(plan) {
    if (plan.kind !== 'filter') return undefined;
    let input = plan.input;
    const stay: Expr[] = [];
    let flattened = false;
    for (const c of conjuncts(plan.predicate)) {
      const flat = flattenedSublink(c);
      if (flat) {
        stay.push(flat);
        flattened = true;
        continue;
      }
      const joined = sublinkJoin(c, input);
      if (joined) input = joined;
      else stay.push(c);
    }
    if (input === plan.input && !flattened) return undefined;
    const rest = and(stay);
    return rest ? { kind: 'filter', schema: plan.schema, input, predicate: rest } : input;
  },
};
