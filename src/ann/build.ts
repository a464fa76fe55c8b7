/** Build an HNSW index file in a worker thread and open it (memory-mapped) when done. */
import { rename, unlink } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { isBitOp, type AnnOp, type HnswOptions } from './api.js';
import type { BuildProgress, BuildReply, BuildRequest } from './build-worker.js';
import { HnswIndex } from './hnsw.js';
import { SparseHnswIndex } from './sparse-hnsw.js';
import type { AnnIndex } from './api.js';
import type { RecallCurve } from './recall-curve.js';
import type { QuantizerParams } from './quantize.js';

/** The build was given up (its signal aborted): no file was left behind. */
export class IndexBuildAborted extends Error {
  constructor() {
    super('index build aborted');
  }
}

let nextTemp = 1;

/**
 * The worker writes a private temporary file, renamed to `path` only when the build
 * succeeded: an aborted build's worker may still be in native code for a moment, and its
 * late write must not land on the file a later build of the same index makes.
 */
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
  if (signal?.aborted) throw new IndexBuildAborted();
  const temp = `${path}.building-${process.pid}-${nextTemp++}`;
  const worker = new Worker(new URL('./build-worker.js', import.meta.url));
  let onAbort: (() => void) | undefined;
  let params: QuantizerParams | undefined;
  let curve: RecallCurve | undefined;
  try {
    const done = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: BuildReply | BuildProgress) => {
        if ('rows' in m) {
          onRows?.(m.rows);
          return;
        }
        params = m.ok ? m.params : undefined;
        curve = m.ok ? m.curve : undefined;
        if (m.ok) resolve();
        else reject(new Error(`HNSW build failed: ${m.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new Error(`HNSW build worker exited with code ${code}`)); });
      onAbort = () => reject(new IndexBuildAborted());
      signal?.addEventListener('abort', onAbort);
    });
    const req: BuildRequest = { vectors, count, dim, op, options, path: temp, reportRows: onRows !== undefined, ...(sparseWords !== undefined ? { sparseWords } : {}), ...(keys ? { keys } : {}) };
    // hand the vector buffer over instead of copying it
    worker.postMessage(req, vectors.byteOffset === 0 && vectors.byteLength === vectors.buffer.byteLength ? [vectors.buffer as ArrayBuffer] : []);
    await done;
    await rename(temp, path);
  } catch (e) {
    // the answer does not wait for the thread to stop; the temp file goes once it has
    // (and the calibration's copy, when the build was given up while measuring its curve)
    void worker.terminate().then(() => Promise.all([unlink(temp).catch(() => {}), unlink(`${temp}.calibration`).catch(() => {})])).catch(() => {});
    throw e;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  await worker.terminate();
  if (sparseWords !== undefined && !isBitOp(op)) return SparseHnswIndex.open(path, op, dim, count, options);
  const index = HnswIndex.open(path, op, dim, count, options, params);
  if (curve) index.recallCurve = curve;
  return index;
}
