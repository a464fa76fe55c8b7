/**
 * Scan(filter on indexed columns only) → Index Only Scan, when the table is all-visible enough
 *
 *   VACUUM t;  SELECT count(*) FROM t WHERE k > 5          -- index on k
 *
 * The rewrite rules choose between Seq Scan, Index Scan and Bitmap Heap Scan before anyone
 * knows which columns a scan must hand on (rules/read-scan-columns.ts runs after them), so
 * they price each index path as an Index Scan. Once the columns are known, a scan that reads
 * only the key columns of a plain B-tree index can skip the row store for its all-visible
 * rows (index-only.ts): cost_index scales its heap pages by 1 - allvisfrac, and PostgreSQL
 * then prefers the Index Only Scan over a Seq Scan or a Bitmap Heap Scan it would otherwise
 * have taken. This pass prices that path for such scans and takes it when it is cheaper.
 * With no all-visible rows (a table not vacuumed) the price is an Index Scan's, which the
 * rules already weighed: nothing changes.
 */
import { CostModel } from '../cost.js';
import type { Plan } from '../plan.js';
import { indexQuals } from '../range-comparison.js';
import { allVisibleFraction, coveringIndex } from '../index-only.js';
import { btreeKeys } from './use-index-range.js';
import type { Rule } from './rule.js';

type Scan = Extract<Plan, { kind: 'scan' }>;

export const useIndexOnlyScan: Rule = {
  name: 'use-index-only-scan',
  apply(plan, ctx) {
    if (plan.kind !== 'scan' || !plan.filter || plan.partitions || plan.withRowId) return undefined;
    if (plan.keyLookup || plan.indexRange || plan.textLookup || plan.bm25TopK || plan.indexQual) return undefined;
    const model = new CostModel(ctx.catalog, ctx.costEnv);
    if (model.env.settings.indexonlyscan === false || allVisibleFraction(plan.table, model.env.rowCount(plan.table.oid)) <= 0) return undefined;
    let best: { scan: Scan; cost: number } = { scan: plan, cost: model.estimate(plan).total };
    for (const { index, columns } of btreeKeys(plan.table)) {
      if (!indexQuals(plan.filter, columns).some((c) => c.column === columns[0])) continue;
      const { btreeBitmap: _bitmap, ...rest } = plan;
      const range: Scan = { ...rest, indexRange: { keyName: index.name, columns } };
      if (!coveringIndex(range)) continue;
      const scan: Scan = { ...range, indexOnly: true };
      const cost = model.estimate(scan).total;
      if (cost < best.cost) best = { scan, cost };
    }
    return best.scan === plan ? undefined : best.scan;
  },
};
