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
 * When every conjunct of the ON is an equality between a left column and a right one, the
 * right side grouped on its key columns meets each left row at most once, so an inner join
 * of the two gives the semi join's rows; with many repeated keys on the right the hash table
 * is that much smaller. choose-join-algorithm prices both and keeps the cheaper; a
 * projection above keeps the semi join's output (the left row).
 */
import { hashJoinKeys } from './join-keys.js';
import { mapExpr } from './expr-walk.js';
import type { Expr, Plan } from './plan.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/** The inner join with the right side unique on its keys, or undefined when the ON is not all equality keys. */
export function uniqueInnerJoin(plan: JoinNode): JoinNode | undefined {
  if (plan.joinType !== 'semi' || plan.lateral || plan.parameterized || !plan.on) return undefined;
  const leftWidth = plan.left.schema.length;
  const keys = hashJoinKeys(plan.on, leftWidth);
  const conjuncts = plan.on.kind === 'and' ? plan.on.args : [plan.on];
  if (!keys || keys.length !== conjuncts.length) return undefined;
  const rightColumns = [...new Set(keys.map((k) => k.right))];
  const unique: Plan = {
    kind: 'aggregate',
    schema: rightColumns.map((c) => plan.right.schema[c]),
    input: plan.right,
    // each key column as the ON names it (qualified as EXPLAIN prints it: `Group Key: d.k`)
    groupBy: rightColumns.map((c) => ({ ...onColumn(keys.find((k) => k.right === c)!.cond, leftWidth + c), index: c })),
    aggs: [],
  };
  const on = mapExpr(plan.on, (e) =>
    e.kind === 'column' && e.level === 0 && e.index >= leftWidth ? { ...e, index: leftWidth + rightColumns.indexOf(e.index - leftWidth) } : undefined);
  return { kind: 'join', schema: [...plan.left.schema, ...unique.schema], joinType: 'inner', left: plan.left, right: unique, on, lateral: false, semiUnique: true };
}

/** The ON's reference to the join row's column `at`. */
function onColumn(cond: Expr, at: number): Extract<Expr, { kind: 'column' }> {
  const args = cond.kind === 'call' ? cond.args : [];
  return args.find((a): a is Extract<Expr, { kind: 'column' }> => a.kind === 'column' && a.level === 0 && a.index === at)!;
}

/** The left row alone over the inner join: the semi join's output. */
export function asSemiJoinOutput(join: JoinNode, semi: JoinNode): Plan {
  const exprs: Expr[] = semi.schema.map((c, i) => ({ kind: 'column', type: c.type, level: 0, index: i, name: c.name }));
  return { kind: 'project', schema: semi.schema, input: join, exprs };
}
