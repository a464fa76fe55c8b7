/** Build an HNSW index file in a worker thread and open it (memory-mapped) when done. */
import { isBitOp, type AnnOp, type HnswOptions } from './api.js';
import type { BuildProgress, BuildReply, BuildRequest } from './build-worker.js';
import { HnswIndex } from './hnsw.js';
import { SparseHnswIndex } from './sparse-hnsw.js';
import type { AnnIndex } from './api.js';
import { IndexBuildAborted, runFileBuild } from './worker-build.js';

export { IndexBuildAborted };

/** How the rows given to a build are laid out, when not one dense vector per position. */
export interface BuildLayout {
  /** `vectors` are sparse rows packed in slots of this many words (sparse-hnsw.ts) */
  readonly sparseWords?: number;
  /** a partial index: the segment position of each row given (float vectors) */
  readonly keys?: Int32Array;
}

/** `onRows`: told, as the build goes, how many of the rows are in the graph (float vectors only) */
export async function buildIndexFile(op: AnnOp, vectors: Float32Array | Uint8Array, count: number, dim: number, options: HnswOptions, path: string, signal?: AbortSignal, layout: BuildLayout = {}, onRows?: (rows: number) => void): Promise<AnnIndex> {
  const { sparseWords, keys } = layout;
  const { params, curve } = await runFileBuild<BuildRequest, BuildReply>({
    what: 'HNSW',
    script: new URL('./build-worker.js', import.meta.url),
    path,
    request: (temp) => ({ vectors, count, dim, op, options, path: temp, reportRows: onRows !== undefined, ...(sparseWords !== undefined ? { sparseWords } : {}), ...(keys ? { keys } : {}) }),
    // hand the vector buffer over instead of copying it
    transfer: vectors.byteOffset === 0 && vectors.byteLength === vectors.buffer.byteLength ? [vectors.buffer as ArrayBuffer] : [],
    onMessage: (m) => onRows?.((m as BuildProgress).rows),
    // the calibration's copy, when the build was given up while measuring its curve
    leftovers: ['.calibration'],
  }, signal);
  if (sparseWords !== undefined && !isBitOp(op)) return SparseHnswIndex.open(path, op, dim, count, options);
  const index = HnswIndex.open(path, op, dim, count, options, params);
  if (curve) index.recallCurve = curve;
  return index;
}
