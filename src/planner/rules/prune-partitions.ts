/**
 * Scan(partitioned table, filter) → Scan over the partitions the filter can match
 *
 *   SELECT * FROM items WHERE tenant = 7      -- items PARTITION BY LIST (tenant)
 *
 * Conditions on the partition key with constants narrow the list now; with $n
 * parameters the executor narrows it again when the values are known.
 */
import { constantValue, prunePartitions } from '../partition-pruning.js';
import type { Rule } from './rule.js';

export const prunePartitionsRule: Rule = {
  name: 'prune-partitions',
  apply(plan, ctx) {
    if (plan.kind !== 'scan' || !plan.partitions || !plan.filter) return undefined;
    const kept = prunePartitions(ctx.catalog, plan.table, plan.filter, constantValue);
    if (kept.length === plan.partitions.length) return undefined;
    return { ...plan, partitions: kept };
  },
};
