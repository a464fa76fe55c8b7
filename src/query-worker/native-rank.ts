/**
 * One native call ranks a whole run of contiguous vectors (native/filtered-hnsw/
 * exact_topk.cpp) instead of one simsimd call per row from JavaScript, whose call overhead
 * cost more than the distance itself. Same role as rankKernel's fast kernel: it only picks
 * the best `cap` positions (k + margin), which the caller re-ranks with pgvector's exact
 * kernel. Undefined when the addon was not built or the operator has no fast kernel (L1).
 */
import { createRequire } from 'node:module';
import type { DistanceOp } from '../ann/api.js';
import { FAST_MIN_DIMS } from './kernels.js';

export interface RankedPositions {
  /** best first */
  readonly positions: Int32Array;
  readonly distances: Float64Array;
}

type RankTopK = (
  data: Float32Array, dim: number, query: Float32Array, metric: number, cap: number,
  from: number, to: number, base: number, allowed?: Uint8Array,
) => RankedPositions;

let rankTopK: RankTopK | null | undefined;

function load(): RankTopK | null {
  if (rankTopK !== undefined) return rankTopK;
  try {
    // dist/src/query-worker/ → repository root
    rankTopK = (createRequire(import.meta.url)('../../../native/filtered-hnsw/build/Release/exact_topk.node') as { rankTopK: RankTopK }).rankTopK;
  } catch {
    rankTopK = null;
  }
  return rankTopK;
}

const METRIC: Partial<Record<DistanceOp, number>> = { '<->': 0, '<#>': 1, '<=>': 2 };

/** A ranker of `dim`-dimensional rows for `op`, or undefined (rank row by row instead). */
export function chunkRanker(op: DistanceOp, dim: number):
  ((data: Float32Array, query: Float32Array, cap: number, from: number, to: number, base: number, allowed?: Uint8Array) => RankedPositions) | undefined {
  const metric = METRIC[op];
  const native = load();
  if (metric === undefined || !native || dim < FAST_MIN_DIMS) return undefined;
  return (data, query, cap, from, to, base, allowed) => native(data, dim, query, metric, cap, from, to, base, allowed);
}
