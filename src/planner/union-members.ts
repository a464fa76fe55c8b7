/**
 * A UNION as PostgreSQL plans it (prepunion.c): one Append over its members, nested UNIONs
 * of the same kind flattened into it (recurse_union_children: a UNION ALL child of a UNION
 * too, the duplicates going either way), each leaf a subquery "*SELECT* n" — numbered by its
 * place among all the leaves of the statement's set operation — read through a Subquery
 * Scan that setrefs.c removes unless the set operation coerces one of its columns
 * (generate_setop_tlist: `int` to a UNION's `bigint`). A removed scan's cpu_tuple_cost a row
 * stays (cost_subqueryscan ran before the removal), except in a UNION ALL with no coercion
 * at all, which is pulled up as an append relation without any (flatten_simple_union_all).
 */
import type { Expr, Plan } from './plan.js';

type SetOp = Extract<Plan, { kind: 'setop' }>;
type Project = Extract<Plan, { kind: 'project' }>;

/** The members of a UNION's Append, in order. */
export function unionMembers(plan: SetOp): Plan[] {
  const out: Plan[] = [];
  for (const child of [plan.left, plan.right]) {
    const flattened = child.kind === 'setop' && child.op === 'union' && !child.subqueryScan && (child.all === plan.all || child.all);
    if (flattened) out.push(...unionMembers(child));
    else out.push(child);
  }
  return out;
}

/** The projection the binder puts over an operand whose column types the set operation changes. */
export function coercedOperand(plan: Plan): Project | undefined {
  return plan.kind === 'project' && plan.setopCoercion ? plan : undefined;
}

/** A UNION ALL with no coerced leaf: an append relation, no Subquery Scan cost. */
export function isSimpleUnionAll(plan: SetOp): boolean {
  return plan.op === 'union' && plan.all && unionMembers(plan).every((m) => !coercedOperand(m) && !(m.kind === 'setop'));
}

/**
 * The coercions a kept Subquery Scan over a coerced operand evaluates per row, each costing
 * cpu_operator_cost (a binary-coercible one, varchar to text, is a free RelabelType).
 */
export function costedCoercions(plan: Project): number {
  return plan.exprs.filter((e) => e.kind === 'cast' && !isRelabel(e) && !constantBelow(plan.input, e.arg)).length;
}

/** A coercion of an operand's constant column (SELECT 1 coerced to bigint) is folded: free. */
function constantBelow(input: Plan, arg: Expr): boolean {
  return arg.kind === 'column' && arg.level === 0 && input.kind === 'project' && input.exprs[arg.index]?.kind === 'const';
}

function isRelabel(e: Extract<Expr, { kind: 'cast' }>): boolean {
  return BINARY_COERCIBLE.has(`${e.arg.type.oid}>${e.type.oid}`);
}

// pg_cast's binary-coercible ('b') pairs among the types a set operation unifies: varchar ↔ text
const BINARY_COERCIBLE = new Set(['1043>25', '25>1043']);

/**
 * The "*SELECT* n" place of every leaf of the set-operation tree rooted at `root`, left to
 * right as the query writes them (an operand order swapped by intersect-smaller-first keeps
 * its numbers).
 */
export function leafPlaces(root: SetOp): Map<Plan, number> {
  const places = new Map<Plan, number>();
  const walk = (p: Plan): void => {
    if (p.kind !== 'setop') {
      places.set(p, places.size + 1);
      return;
    }
    const [first, second] = p.swapped ? [p.right, p.left] : [p.left, p.right];
    walk(first);
    walk(second);
  };
  walk(root);
  return places;
}

/**
 * The output columns of a set operation that one of its leaves coerces: a condition on one of
 * them is not pushed into the operands (subquery_is_pushdown_safe's compare_tlist_datatypes),
 * it stays on the Subquery Scan above.
 */
export function coercedColumns(root: SetOp): Set<number> {
  const out = new Set<number>();
  const walk = (p: Plan): void => {
    if (p.kind === 'setop') {
      walk(p.left);
      walk(p.right);
      return;
    }
    const coerced = coercedOperand(p);
    coerced?.exprs.forEach((e, i) => {
      if (e.kind === 'cast') out.add(i);
    });
  };
  walk(root);
  return out;
}
