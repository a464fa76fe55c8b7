/**
 * A semi join as an inner join with its right side made unique (PostgreSQL's
 * JOIN_UNIQUE_INNER, create_unique_path)
 *
 *   SELECT * FROM c WHERE c.id IN (SELECT k FROM d)
 *
 *   Hash Join  (c.id = d.k)
 *     ->  Seq Scan on c
 *     ->  Hash
 *           ->  HashAggregate  (Group Key: d.k)
 *                 ->  Seq Scan on d
 *
 * When every conjunct of the ON is an equality between a left column or expression and a
 * right one (join-keys.ts), the right side grouped on its keys (`Group Key: (b.y + 1)`) meets
 * each left row at most once, so an inner join
 * of the two gives the semi join's rows; with many repeated keys on the right the hash table
 * is that much smaller. choose-join-algorithm prices both and keeps the cheaper; a
 * projection above keeps the semi join's output (the left row).
 */
import { hashableJoinKeys } from './join-keys.js';
import { mapExpr } from './expr-walk.js';
import type { Expr, OutputColumn, Plan } from './plan.js';
import { exprIdentity } from './plan-order.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/**
 * The inner join with the right side unique on its keys, or undefined when the ON is not
 * all equality keys. A key may be an expression of the right side (`a.x = b.y + 1`): the
 * right side is grouped on it (`Group Key: (b.y + 1)`) and the join compares its value.
 */
export function uniqueInnerJoin(plan: JoinNode): JoinNode | undefined {
  if (plan.joinType !== 'semi' || plan.lateral || plan.parameterized || !plan.on) return undefined;
  const leftWidth = plan.left.schema.length;
  const keys = hashableJoinKeys(plan.on, leftWidth) ?? [];
  const conjuncts = plan.on.kind === 'and' ? plan.on.args : [plan.on];
  if (!keys.length || keys.length !== conjuncts.length) return undefined;
  // one group key per distinct right-side key
  const groupKeys: Expr[] = [];
  const at = new Map<string, number>();
  for (const k of keys) {
    const id = exprIdentity(k.rightExpr);
    if (!at.has(id)) { at.set(id, groupKeys.length); groupKeys.push(k.rightExpr); }
  }
  const unique: Plan = {
    kind: 'aggregate',
    schema: groupKeys.map((g) => outputOf(g, plan.right)),
    input: plan.right,
    // each key as the ON names it (qualified as EXPLAIN prints it: `Group Key: d.k`)
    groupBy: groupKeys,
    aggs: [],
    semiUnique: true,
  };
  // each key equality with its right side read from the grouped row
  const on = mapExpr(plan.on, (e) => {
    const k = keys.find((x) => x.cond === e);
    if (!k || e.kind !== 'call') return undefined;
    const i = at.get(exprIdentity(k.rightExpr))!;
    return { ...e, args: e.args.map((a): Expr => {
      if (a === k.leftExpr) return a;
      // a column keeps the name the ON gives it (`Hash Cond: (c.id = d.k)`)
      if (a.kind === 'column') return { ...a, index: leftWidth + i };
      return { kind: 'column', type: a.type, level: 0, index: leftWidth + i, name: unique.schema[i].name };
    }) };
  });
  return { kind: 'join', schema: [...plan.left.schema, ...unique.schema], joinType: 'inner', left: plan.left, right: unique, on, lateral: false, semiUnique: true };
}

/** The grouped row's column for a key: the right input's column itself, or a computed one. */
function outputOf(key: Expr, right: Plan): OutputColumn {
  if (key.kind === 'column') return right.schema[key.index];
  return { name: '?column?', type: key.type, tableOid: 0, attnum: 0 };
}

/** The left row alone over the inner join: the semi join's output. */
export function asSemiJoinOutput(join: JoinNode, semi: JoinNode): Plan {
  const exprs: Expr[] = semi.schema.map((c, i) => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name }));
  return { kind: 'project', schema: semi.schema, input: join, exprs };
}
