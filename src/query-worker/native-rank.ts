/**
 * One native call ranks a whole run of contiguous vectors (native/filtered-hnsw/
 * exact_topk.cpp) instead of one simsimd call per row from JavaScript, whose call overhead
 * cost more than the distance itself. Same role as rankKernel's fast kernel: it only picks
 * the best `cap` positions (k + margin), which the caller re-ranks with pgvector's exact
 * kernel. Undefined when the addon was not built or the operator has no fast kernel (L1).
 */
import type { DistanceOp } from '../ann/api.js';
import { BestPositions, FAST_MIN_DIMS } from './kernels.js';
import type { SharedVectors } from './protocol.js';
import { ADDON_METRIC, exactTopkAddon } from './native-addon.js';

export interface RankedPositions {
  /** best first */
  readonly positions: Int32Array;
  readonly distances: Float64Array;
}

export type ChunkRanker = (data: Float32Array, query: Float32Array, cap: number, from: number, to: number, base: number, allowed?: Uint8Array) => RankedPositions;

/** A ranker of `dim`-dimensional rows for `op`, or undefined (rank row by row instead). */
export function chunkRanker(op: DistanceOp, dim: number): ChunkRanker | undefined {
  const metric = ADDON_METRIC[op];
  const native = exactTopkAddon();
  if (metric === undefined || !native || dim < FAST_MIN_DIMS) return undefined;
  return (data, query, cap, from, to, base, allowed) => native.rankTopK(data, dim, query, metric, cap, from, to, base, allowed);
}

/**
 * A ranker by pgvector's exact distance (the addon's pgRankTopK), whose distances are the
 * SQL operator's: the best k it returns need no re-ranking. Undefined where chunkRanker is,
 * and with an addon built before pgRankTopK.
 */
export function exactChunkRanker(op: DistanceOp, dim: number): ChunkRanker | undefined {
  const metric = ADDON_METRIC[op];
  const native = exactTopkAddon();
  const rank = native?.pgRankTopK;
  if (metric === undefined || !rank || dim < FAST_MIN_DIMS) return undefined;
  return (data, query, cap, from, to, base, allowed) => rank.call(native, data, dim, query, metric, cap, from, to, base, allowed);
}

/** A segment's vectors as consecutive views: rows [start, start + rows) of the segment */
export interface VectorChunk {
  readonly start: number;
  readonly rows: number;
  readonly data: Float32Array;
}

/** The per-record-batch views of a segment's shared vectors (no copy). */
export function vectorChunks(vectors: SharedVectors): VectorChunk[] {
  let start = 0;
  return vectors.chunks.map((c) => {
    const chunk = { start, rows: c.rows, data: new Float32Array(c.buffer, c.byteOffset, c.rows * vectors.dim) };
    start += c.rows;
    return chunk;
  });
}

/**
 * The best `cap` allowed positions in [start, end) of the chunks, one native call per
 * chunk; `beforeChunk` runs before each (a cancel check: a chunk is at most 64k rows).
 */
export function rankChunks(
  ranker: ChunkRanker, chunks: readonly VectorChunk[], query: Float32Array, cap: number,
  start: number, end: number, allowed?: Uint8Array, beforeChunk?: () => void,
): RankedPositions {
  const best = new BestPositions(cap);
  for (const c of chunks) {
    const from = Math.max(start, c.start);
    const to = Math.min(end, c.start + c.rows);
    if (from >= to) continue;
    beforeChunk?.();
    const r = ranker(c.data, query, cap, from - c.start, to - c.start, c.start, allowed);
    for (let i = 0; i < r.positions.length; i++) best.offer(r.distances[i], r.positions[i]);
  }
  return best.result();
}
