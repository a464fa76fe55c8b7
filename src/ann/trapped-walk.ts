/**
 * A check on an in-graph filtered walk. On clustered data a walk that must skip half of the
 * graph's nodes can settle in the wrong cluster and return k allowed rows none of which is
 * near the query (recall 0 for that query: seen for 2 of 24 queries on one multi-threaded
 * build of test/vector-recall's 10k × 128 clusters, inner product, 50 % filter). An
 * unfiltered walk does not get trapped that way, so it is the yardstick: when the filter
 * allows a fraction s of the rows independently of the vectors, the unfiltered k nearest
 * hold no allowed row with probability (1 - s)^k — under 3 % for s ≥ 0.3, k = 10. A
 * filtered best hit farther than the unfiltered k-th one then means the walk was trapped,
 * and the caller answers another way (exact). Below s = 0.3 the check would fire on
 * honest walks too often, and is skipped.
 */
import type { AnnHit, AnnIndex, FilteredHits } from './api.js';

/** the selectivity from which a filtered walk is checked */
export const TRAP_CHECK_MIN_SELECTIVITY = 0.3;

/** true when the filtered walk's hits are farther than an unfiltered walk's k-th hit */
export function trappedWalk(index: AnnIndex, query: Float32Array, hits: readonly AnnHit[], k: number, selectivity: number): boolean {
  if (selectivity < TRAP_CHECK_MIN_SELECTIVITY || hits.length === 0) return false;
  const probe = index.search(query, k, k);
  if (probe.length < k) return false;
  let best = Infinity;
  for (const h of hits) best = Math.min(best, h.distance);
  return best > probe[probe.length - 1].distance;
}

/**
 * What to do with an in-graph filtered walk's answer: use its hits ('ok'), or answer
 * exactly because the walk gave up or was trapped ('switch': the estimate that chose it was
 * wrong) or because it had no answer or a short one ('fallback').
 */
export function judgeFilteredWalk(index: AnnIndex, query: Float32Array, r: FilteredHits | undefined, k: number, selectivity: number): 'ok' | 'switch' | 'fallback' {
  if (r?.exhausted) return 'switch';
  if (!r || r.hits.length < k) return 'fallback';
  return trappedWalk(index, query, r.hits, k, selectivity) ? 'switch' : 'ok';
}
