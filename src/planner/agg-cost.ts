/**
 * An aggregate's final function, as cost_agg charges it (get_agg_clause_costs' finalCost:
 * cpu_operator_cost × its procost, 1 for every built-in one, once a group) when
 * pg_aggregate.aggfinalfn is set — sum(numeric) (numeric_sum), avg (numeric_avg, int8_avg …),
 * stddev … — and nothing for count, min, max or sum(int4), whose transition value is the
 * result. `GROUP BY cust` with `sum(amount)` over 500 groups: 500 × 0.0025.
 */
import { BUILTIN_AGGREGATES, type BuiltinAggregate } from '../catalog/system/builtin-catalogs.js';
import { builtinProcForCall } from '../catalog/system/builtin-proc-lookup.js';
import type { AggregateCall } from './plan.js';
import { exprIdentity } from './plan-order.js';

let finalFns: Map<number, number> | undefined;

/** Calls of a final function one group of this aggregate makes (multiples of cpu_operator_cost): 1 or 0. */
export function finalFunctionCalls(agg: AggregateCall): number {
  finalFns ??= new Map(BUILTIN_AGGREGATES.map((a) => [a[0], a[4]]));
  const proc = builtinProcForCall(agg.name, agg.args.map((a) => a.type), 'a');
  return proc && (finalFns.get(proc.oid) ?? 0) !== 0 ? 1 : 0;
}

/**
 * The aggregate calls whose transition states are computed, one for each group of calls that
 * share one (PostgreSQL 15's find_compatible_trans: the same transition function, state
 * type and initial value over equal inputs, with a final function that does not write the
 * state): sum(amount) and avg(amount) step numeric_avg_accum once a row, and cost_agg charges
 * that transition once.
 */
export function transitionStates(aggs: readonly AggregateCall[]): AggregateCall[] {
  aggregates ??= new Map(BUILTIN_AGGREGATES.map((a) => [a[0], a]));
  const seen = new Set<string>();
  return aggs.filter((agg) => {
    const proc = builtinProcForCall(agg.name, agg.args.map((a) => a.type), 'a');
    const row = proc && aggregates!.get(proc.oid);
    if (!row || row[13] === 'w') return true;
    const inputs = [...agg.args, ...(agg.filter ? [agg.filter] : []), ...agg.orderBy.map((k) => k.expr)].map(exprIdentity).join(',');
    const key = `${row[3]}|${row[16]}|${row[20]}|${agg.distinct}|${agg.orderBy.map((k) => `${k.desc}${k.nullsFirst}`).join()}|${inputs}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

let aggregates: Map<number, BuiltinAggregate> | undefined;
