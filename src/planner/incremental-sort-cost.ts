/**
 * Incremental Sort's cost, PostgreSQL 15's cost_incremental_sort (costsize.c): the input
 * arrives sorted on a prefix of the sort keys, so only each group of rows with equal
 * prefix keys is sorted. With G = the groups of the prefix keys (estimate_num_groups),
 * N = input rows, and one group's sort priced by cost_tuplesort on 1.5 × N / G rows
 * (PostgreSQL 13–15 are pessimistic about the groups' sizes and take half again), bounded
 * by the LIMIT's rows when there is one:
 *   startup = group sort startup + input startup + input run / G
 *   total   = startup + group sort run + (group sort startup + run) × (G - 1)
 *           + input run / G × (G - 1) + cpu_tuple_cost × N + 2 × cpu_tuple_cost × G
 * (cpu_tuple_cost × N: finding the group boundaries; 2 × cpu_tuple_cost per group: the
 * sort's reset.) Where enable_incremental_sort = off PostgreSQL does not build the path at
 * all; the rule that plans it (rules/incremental-sort-by-index.ts) does the same.
 */
import { CPU_OPERATOR_COST, CPU_TUPLE_COST, type Estimate } from './cost.js';

/**
 * cost_tuplesort in memory: comparisons at 2 × cpu_operator_cost; a top-N heap (log2 of
 * 2 × bound per row) when the bound is under half the rows, else a quicksort (log2 rows);
 * cpu_operator_cost per row read out.
 */
export function tupleSortCost(tuples: number, bound: number | undefined): { startup: number; run: number } {
  const n = Math.max(tuples, 2);
  const comparison = 2 * CPU_OPERATOR_COST;
  const heap = bound !== undefined && bound > 0 && n > 2 * bound;
  const startup = comparison * n * Math.log2(heap ? 2 * bound! : n);
  return { startup, run: CPU_OPERATOR_COST * n };
}

/** The Incremental Sort over `input` whose presorted keys form `groups` groups; `bound`: the LIMIT's rows (offset + count), if any. */
export function incrementalSortCost(input: Estimate, groups: number, bound: number | undefined): Estimate {
  const tuples = Math.max(input.rows, 2);
  const g = Math.max(1, Math.min(groups, tuples));
  const inputRun = input.total - input.startup;
  const groupInputRun = inputRun / g;
  const group = tupleSortCost(1.5 * (tuples / g), bound);
  const startup = group.startup + input.startup + groupInputRun;
  const run = group.run + (group.run + group.startup) * (g - 1) + groupInputRun * (g - 1)
    + CPU_TUPLE_COST * tuples + 2 * CPU_TUPLE_COST * g;
  return { startup, total: startup + run, rows: input.rows, width: input.width };
}
