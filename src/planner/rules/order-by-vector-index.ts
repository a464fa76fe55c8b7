/**
 * Sort(distance) over a scan, with the vector index forced → an ordered index scan
 *
 *   SET enable_seqscan = off;
 *   SELECT * FROM items WHERE tenant = 7 ORDER BY embedding <-> '[3,1,2]' OFFSET 4;
 *
 * pgvector answers an ORDER BY distance without LIMIT through its index when a sequential
 * scan is disabled (its tests rely on it): an Index Scan with `Order By`, which returns
 * only the rows the index holds, and no more of them than one search yields (hnsw.ef_search
 * rows unless hnsw.iterative_scan is on; the probed lists of an IVFFlat index), the filter
 * applied after. The plan is a TopK without a limit on the index, below the projection,
 * with the index's implied conditions on its scan (choose-vector-index.ts); the executor
 * answers it in executor/vector-index-order.ts. With sequential scans enabled PostgreSQL
 * sorts the whole table, and so does Quiver.
 */
import type { Plan } from '../plan.js';
import type { Rule } from './rule.js';
import { costEnvOrDefault } from '../cost.js';
import { vectorSearchInfo } from './rewrite-vector-top-k.js';
import { pushTopKBelowProject } from './push-top-k-below-project.js';
import { chooseVectorIndex } from './choose-vector-index.js';

export const orderByVectorIndex: Rule = {
  name: 'order-by-vector-index',
  apply(plan, ctx) {
    if (plan.kind !== 'sort' || plan.keys.length !== 1 || plan.keys[0].nullsFirst) return undefined;
    const s = costEnvOrDefault(ctx.catalog, ctx.costEnv).settings;
    if (s.seqscan || !s.indexscan) return undefined;
    const vectorSearch = vectorSearchInfo(plan);
    if (!vectorSearch) return undefined;
    const unbounded: Plan = { kind: 'topk', schema: plan.schema, input: plan.input, keys: plan.keys, limit: null, offset: null, vectorSearch };
    // the Top-K must sit on the scan (its key then reads the scan's column), as for LIMIT
    const moved = plan.input.kind === 'project' ? pushTopKBelowProject.apply(unbounded, ctx) : unbounded;
    if (!moved) return undefined;
    const topk = moved.kind === 'project' ? moved.input : moved;
    const indexed = chooseVectorIndex.apply(topk, ctx);
    if (!indexed || indexed.kind !== 'topk' || !indexed.vectorSearch?.index) return undefined;
    return moved.kind === 'project' ? { ...moved, input: indexed } : indexed;
  },
};
