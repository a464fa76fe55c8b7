/**
 * Filter(Join …) → conditions pushed to where they first can be evaluated
 *
 *   SELECT … FROM pg_class c, pg_index i, pg_attribute a
 *    WHERE c.oid = i.indrelid AND a.attrelid = c.oid AND c.relkind = 'r'
 *
 * A comma-separated FROM list is a chain of cross joins; without this rule the whole
 * cross product would be built and then filtered. Each WHERE conjunct moves down to the
 * lowest join (or input) that has all its columns: single-side conditions filter that
 * side early, two-side conditions become the join's ON (and equalities make it a hash
 * join). Conditions are never moved into the nullable side of an outer join.
 */
import { mapExpr, planIsCorrelated, readsColumnAt } from '../expr-walk.js';
import { T } from '../../types/types.js';
import type { Expr, Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { pushBelowProject } from './push-filter-below-project.js';
import { impliedOnNullableSide, withImpliedEqualities } from '../equivalence.js';

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjuncts) : [e];
}

function and(parts: Expr[]): Expr {
  return parts.length === 1 ? parts[0] : { kind: 'and', type: T.bool, args: parts };
}

/**
 * Level-0 column indexes used by e, or null when e must stay where it is. An uncorrelated
 * scalar subquery is an InitPlan, one value for the whole execution: a condition on it
 * moves like one on a constant (PostgreSQL filters the scan with `id > $0`).
 */
function columnsOf(e: Expr): number[] | null {
  const cols: number[] = [];
  let movable = true;
  mapExpr(e, (x) => {
    if (x.kind === 'subquery' && x.mode === 'scalar' && !planIsCorrelated(x.plan)) return x;
    if (x.kind === 'subquery' || x.kind === 'insubquery' || (x.kind === 'call' && x.fn.volatile)) movable = false;
    if (x.kind === 'column' && x.level === 0) cols.push(x.index);
    return movable ? undefined : x;
  });
  return movable ? cols : null;
}

function shift(e: Expr, by: number): Expr {
  return mapExpr(e, (x) => (x.kind === 'column' && x.level === 0 ? { ...x, index: x.index - by } : undefined));
}

function withFilter(p: Plan, conds: Expr[]): Plan {
  if (conds.length === 0) return p;
  if (p.kind === 'join') return pushInto(p, conds);
  if (p.kind === 'filter') return { ...p, predicate: and([...conjuncts(p.predicate), ...conds]) };
  const filter: Extract<Plan, { kind: 'filter' }> = { kind: 'filter', schema: p.schema, input: p, predicate: and(conds) };
  // a subquery in FROM (or an inlined CTE): on below its projection, to its scan or joins,
  // as push-filter-below-project does for a WHERE written over it (this rule runs after it)
  const moved = pushBelowProject(filter);
  return moved ? intoJoinsBelow(moved) : filter;
}

/** The filters a pushBelowProject left over joins, pushed into them. */
function intoJoinsBelow(p: Plan): Plan {
  if (p.kind === 'filter' && p.input.kind === 'join') return pushInto(p.input, conjuncts(p.predicate));
  if (p.kind !== 'project' && p.kind !== 'sort' && p.kind !== 'filter') return p;
  const input = intoJoinsBelow(p.input);
  return input === p.input ? p : { ...p, input };
}

function pushInto(join: Extract<Plan, { kind: 'join' }>, given: Expr[]): Plan {
  let conds = given;
  // an inner join's ON is part of the WHERE: `a.id = b.id AND a.id = 5` gives `b.id = 5` too
  if (join.joinType === 'inner' && !join.lateral) {
    const all = [...given, ...(join.on ? conjuncts(join.on) : [])];
    const implied = withImpliedEqualities(all);
    if (implied) {
      conds = implied;
      join = { ...join, on: null };
    }
  }
  const L = join.left.schema.length;
  const left: Expr[] = [];
  const right: Expr[] = [];
  const on: Expr[] = [];
  const stay: Expr[] = [];
  const inner = join.joinType === 'inner';
  for (const c of conds) {
    const cols = columnsOf(c);
    if (!cols) { stay.push(c); continue; }
    const usesLeft = cols.some((i) => i < L);
    const usesRight = cols.some((i) => i >= L);
    // above a semi or anti join every condition is on the left row (the join outputs only it)
    if (!usesRight && (inner || join.joinType === 'left' || join.joinType === 'semi' || join.joinType === 'anti')) left.push(c);
    else if (!usesLeft && (inner || join.joinType === 'right') && !join.lateral) right.push(shift(c, L));
    else if (inner) on.push(c);
    else stay.push(c);
  }
  // `c LEFT JOIN o ON o.customer = c.id WHERE c.id = 7`: o's rows can match only with o.customer = 7
  if (join.on && !join.lateral && (join.joinType === 'left' || join.joinType === 'right')) {
    const leftJoin = join.joinType === 'left';
    const implied = impliedOnNullableSide(leftJoin ? left : right.map((c) => shift(c, -L)), conjuncts(join.on), (i) => (leftJoin ? i >= L : i < L));
    if (leftJoin) right.push(...implied.map((c) => shift(c, L)));
    else left.push(...implied);
  }
  const newJoin: Plan = {
    ...join,
    left: withFilter(join.left, left),
    right: withFilter(join.right, right),
    on: on.length ? and(join.on ? [...conjuncts(join.on), ...on] : on) : join.on,
  };
  return stay.length ? { kind: 'filter', schema: join.schema, input: newJoin, predicate: and(stay) } : newJoin;
}

export const pushFilterIntoJoins: Rule = {
  name: 'push-filter-into-joins',
  apply(plan) {
    if (plan.kind !== 'filter' || plan.input.kind !== 'join') return undefined;
    return pushInto(plan.input, conjuncts(plan.predicate));
  },
};

/**
 * A join's own ON conditions on one input alone filter that input first, where the join type
 * allows (PostgreSQL's distribute_qual_to_rels): `a LEFT JOIN b ON a.id = b.a_id AND
 * b.kind = 2` scans b with `Filter: (kind = 2)` — only b's rows that pass can match, and an
 * a row without one is NULL-extended either way. The preserved side's own conditions stay
 * in the ON (they decide NULL-extension, not which rows exist); an inner join moves both.
 */
export const pushOnIntoInputs: Rule = {
  name: 'push-on-into-inputs',
  apply(plan) {
    if (plan.kind !== 'join' || !plan.on || plan.lateral || plan.joinType === 'full') return undefined;
    const L = plan.left.schema.length;
    const toLeft: Expr[] = [];
    const toRight: Expr[] = [];
    const keep: Expr[] = [];
    const intoRight = plan.joinType !== 'right';
    const intoLeft = plan.joinType === 'inner' || plan.joinType === 'right';
    for (const c of conjuncts(plan.on)) {
      // one reading an enclosing query's row stays: a parameterized inner scan takes it from the ON
      const cols = readsColumnAt(c, (level) => level > 0) ? null : columnsOf(c);
      if (cols && cols.length > 0 && intoRight && cols.every((i) => i >= L)) toRight.push(shift(c, L));
      else if (cols && cols.length > 0 && intoLeft && cols.every((i) => i < L)) toLeft.push(c);
      else keep.push(c);
    }
    if (toLeft.length === 0 && toRight.length === 0) return undefined;
    return { ...plan, left: withFilter(plan.left, toLeft), right: withFilter(plan.right, toRight), on: keep.length ? and(keep) : null };
  },
};
