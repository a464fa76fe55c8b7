/**
 * Grouping sets that form one rollup, sorted when their hash tables would not fit hash_mem
 *
 *   SELECT id, sum(v) FROM big GROUP BY ROLLUP (id)   → GroupAggregate (Group Key: id, Group Key: ())
 *                                                        over Sort (Sort Key: id)
 *
 * PostgreSQL's consider_groupingsets_paths hashes every set only when
 * estimate_hashagg_tablesize of all their groups fits hash_mem (work_mem ×
 * hash_mem_multiplier 2.0) and enable_hashagg is on; else it sorts the input by the widest
 * set's keys and computes each set of a chain (every set a prefix of the one before, as
 * ROLLUP's are) in one pass. Here the chain case only: sets that do not form one chain stay
 * hashed (PostgreSQL would add re-sorts or hash some of them). The operator still groups by
 * hashing (spilling past work_mem); the Sort below is real.
 */
import type { Plan, SortKey } from '../plan.js';
import type { Rule } from './rule.js';
import { CostModel } from '../cost.js';
import { groupCount } from '../selectivity.js';
import { mapExpr } from '../expr-walk.js';

/** hash_agg_entry_size's parts (PostgreSQL 15, 64-bit): chunk header, minimal tuple header, TupleHashEntryData, AggStatePerGroupData */
const CHUNK_HEADER = 16;
const MINIMAL_TUPLE_HEADER = 16;
const HASH_ENTRY = 24;
const PER_GROUP = 16;
const maxalign = (n: number) => Math.ceil(n / 8) * 8;

/** The sets' GROUP BY numbers in an order each set of the chain is a prefix of, or undefined when they form no single chain. */
export function rollupOrder(sets: readonly (readonly number[])[]): number[] | undefined {
  const bySize = [...sets].sort((x, y) => x.length - y.length);
  const order: number[] = [];
  for (const s of bySize) {
    if (!order.every((i) => s.includes(i))) return undefined;
    for (const i of s) if (!order.includes(i)) order.push(i);
  }
  return order;
}

/** The width of the input columns the aggregate reads (PostgreSQL's input path target). */
function readWidth(plan: Extract<Plan, { kind: 'aggregate' }>, model: CostModel): number {
  const read = new Set<number>();
  const exprs = [...plan.groupBy, ...plan.aggs.flatMap((a) => (a.grouping ? [] : [...a.args, ...(a.filter ? [a.filter] : []), ...a.orderBy.map((k) => k.expr)]))];
  for (const e of exprs) {
    mapExpr(e, (x) => {
      if (x.kind === 'column' && x.level === 0) read.add(x.index);
      return undefined;
    });
  }
  return model.schemaWidth([...read].sort((x, y) => x - y).map((i) => plan.input.schema[i]!));
}

export const sortGroupingRollup: Rule = {
  name: 'sort-grouping-rollup',
  apply(plan, ctx) {
    if (plan.kind !== 'aggregate' || !plan.groupingSets || plan.rollupSorted) return undefined;
    const sets = plan.groupingSets;
    const hashed = sets.filter((s) => s.length > 0);
    if (!hashed.length) return undefined;
    const order = rollupOrder(sets);
    if (!order) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    const input = model.estimate(plan.input);
    const lookup = model.schemaLookup(plan.input.schema);
    const groups = hashed.reduce((n, s) => n + groupCount(s.map((i) => plan.groupBy[i]!), input.rows, lookup), 0);
    const transitions = plan.aggs.filter((a) => !a.grouping).length;
    const entry = CHUNK_HEADER + MINIMAL_TUPLE_HEADER + maxalign(readWidth(plan, model)) + CHUNK_HEADER + maxalign(HASH_ENTRY + PER_GROUP * transitions);
    const settings = ctx.costEnv?.settings;
    const hashMem = (settings?.workMemKb ?? 4096) * 1024 * 2;
    if (entry * groups <= hashMem && settings?.hashagg !== false) return undefined;
    const keys: SortKey[] = order.map((i) => ({ expr: plan.groupBy[i]!, desc: false, nullsFirst: false }));
    const sorted: Plan = { kind: 'sort', schema: plan.input.schema, input: plan.input, keys };
    // the widest set first, as PostgreSQL lists a rollup's sets
    const chain = [...sets].sort((x, y) => y.length - x.length).map((s) => order.filter((i) => s.includes(i)));
    return { ...plan, input: sorted, groupingSets: chain, rollupSorted: true };
  },
};
