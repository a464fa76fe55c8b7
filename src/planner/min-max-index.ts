/**
 * min() / max() of an indexed column read through its B-tree: PostgreSQL's planagg.c
 *
 *   SELECT max(id) FROM t [WHERE …]
 *     → SELECT (SELECT id FROM t WHERE id IS NOT NULL [AND …] ORDER BY id DESC LIMIT 1)
 *
 * An aggregate without GROUP BY whose every call is min or max of a column that leads a
 * B-tree index becomes one row of subqueries (InitPlans), each an ordered index scan that
 * stops at its first row, instead of reading the whole table. As in PostgreSQL only for
 * plain min/max (no DISTINCT, FILTER or ORDER BY inside), over one table, and for types
 * whose min/max is the B-tree's order; the subqueries are planned like any query after
 * this pass (rules/use-index-range.ts picks the index, or a Sort when it is cheaper).
 */
import { OID, T } from '../types/types.js';
import type { AggregateCall, Expr, Plan } from './plan.js';
import type { Rule } from './rules/rule.js';
import { CostModel, CPU_OPERATOR_COST } from './cost.js';

/** types whose min/max agree with the order a B-tree index keeps (ORDER BY) */
const BTREE_ORDERED: ReadonlySet<number> = new Set<number>([
  OID.int2, OID.int4, OID.int8, OID.float4, OID.float8, OID.numeric, OID.text, OID.varchar,
  OID.date, OID.timestamp, OID.timestamptz, OID.oid, OID.inet, OID.pg_lsn,
]);

type Scan = Extract<Plan, { kind: 'scan' }>;

/** The scan under an aggregate's input, with the WHERE above it (a filter), or undefined. */
function baseScan(input: Plan): { scan: Scan; where: Expr | null } | undefined {
  if (input.kind === 'scan') return input.partitions ? undefined : { scan: input, where: input.filter };
  if (input.kind === 'filter' && input.input.kind === 'scan' && !input.input.filter && !input.input.partitions) return { scan: input.input, where: input.predicate };
  return undefined;
}

/** the column a plain min/max call reads, when a B-tree index leads with it */
function indexedArgument(call: AggregateCall, scan: Scan): Extract<Expr, { kind: 'column' }> | undefined {
  if ((call.name !== 'min' && call.name !== 'max') || call.distinct || call.filter || call.orderBy.length || call.args.length !== 1) return undefined;
  const arg = call.args[0];
  if (arg.kind !== 'column' || arg.level !== 0 || !BTREE_ORDERED.has(arg.type.oid)) return undefined;
  const leads = scan.table.indexes.some((i) => i.method === 'btree' && i.columns[0] === arg.index && !i.predicate && !i.predicateSql && !i.expression);
  return leads ? arg : undefined;
}

/**
 * By cost, as planagg.c compares its paths: the plain aggregate reads every row (Seq Scan,
 * one transition per row and call); each min/max reads the index until its first row passes
 * (the ordered scan's startup plus its run cost over the rows it expects to pass, as a Limit
 * 1 takes it). enable_indexscan = off makes the index paths cost disable_cost.
 */
function cheaperThroughIndexes(model: CostModel, scan: Scan, where: Expr | null, predicates: readonly Expr[], columns: readonly number[]): boolean {
  const seq = model.tableScan(scan.table, where);
  const plain = seq.total + seq.rows * CPU_OPERATOR_COST * predicates.length;
  let viaIndex = 0;
  predicates.forEach((p, i) => {
    const idx = model.indexRangeScan(scan.table, p, [columns[i]]);
    viaIndex += idx.startup + (idx.total - idx.startup) / Math.max(idx.rows, 1);
  });
  return viaIndex < plain;
}

function rewrite(plan: Plan, model: CostModel): Plan | undefined {
  if (plan.kind !== 'aggregate' || plan.groupBy.length || plan.groupingSets || plan.aggs.length === 0) return undefined;
  const base = baseScan(plan.input);
  if (!base) return undefined;
  const columns = plan.aggs.map((a) => indexedArgument(a, base.scan));
  if (columns.some((c) => !c)) return undefined;
  const scan: Scan = { ...base.scan, filter: null };
  const predicates = columns.map((col): Expr => {
    const notNull: Expr = { kind: 'isnull', type: T.bool, arg: col!, negate: true };
    return base.where ? { kind: 'and', type: T.bool, args: [base.where, notNull] } : notNull;
  });
  if (!cheaperThroughIndexes(model, scan, base.where, predicates, columns.map((c) => c!.index))) return undefined;
  const exprs: Expr[] = plan.aggs.map((call, i) => {
    const col = columns[i]!;
    const predicate = predicates[i];
    const filtered: Plan = { kind: 'filter', schema: scan.schema, input: scan, predicate };
    const first: Plan = {
      kind: 'limit', schema: scan.schema, limit: { kind: 'const', type: T.int8, value: 1n }, offset: null,
      input: { kind: 'sort', schema: scan.schema, input: filtered, keys: [{ expr: col, desc: call.name === 'max', nullsFirst: call.name === 'max' }] },
    };
    const value: Plan = { kind: 'project', schema: [plan.schema[i]], input: first, exprs: [col] };
    return { kind: 'subquery', type: call.type, mode: 'scalar', plan: value, planagg: true };
  });
  return { kind: 'project', schema: plan.schema, input: { kind: 'values', schema: [], rows: [[]] }, exprs };
}

/** Run before the nested plans are optimized (optimize.ts): the subqueries it makes are planned with them. */
export const minMaxIndex: Rule = {
  name: 'min-max-index',
  apply(plan, ctx) {
    return plan.kind === 'aggregate' ? rewrite(plan, new CostModel(ctx.catalog, ctx.costEnv)) : undefined;
  },
};
