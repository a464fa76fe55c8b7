/**
 * The exact_topk addon (native/filtered-hnsw/exact_topk.cpp), loaded once; null when it was
 * not built (then callers rank and measure in JavaScript).
 */
import { createRequire } from 'node:module';
import type { DistanceOp } from '../ann/api.js';

/** the addon's metric codes (L1 has none) */
export const ADDON_METRIC: Partial<Record<DistanceOp, number>> = { '<->': 0, '<#>': 1, '<=>': 2 };

export interface ExactTopkAddon {
  rankTopK(
    data: Float32Array, dim: number, query: Float32Array, metric: number, cap: number,
    from: number, to: number, base: number, allowed?: Uint8Array,
  ): { positions: Int32Array; distances: Float64Array };
  /**
   * rankTopK ranked by pgvector's exact distance, which it returns (the SQL operator's
   * values, NaN last); absent from an addon built before it
   */
  pgRankTopK?(
    data: Float32Array, dim: number, query: Float32Array, metric: number, cap: number,
    from: number, to: number, base: number, allowed?: Uint8Array,
  ): { positions: Int32Array; distances: Float64Array };
  /** pgvector's distance in src/types/vector.ts's summation order, bit for bit */
  pgDistance(a: Float32Array, b: Float32Array, metric: number): number;
}

let addon: ExactTopkAddon | null | undefined;

export function exactTopkAddon(): ExactTopkAddon | null {
  if (addon !== undefined) return addon;
  try {
    // dist/src/query-worker/ → repository root
    addon = createRequire(import.meta.url)('../../../native/filtered-hnsw/build/Release/exact_topk.node') as ExactTopkAddon;
  } catch {
    addon = null;
  }
  return addon;
}
