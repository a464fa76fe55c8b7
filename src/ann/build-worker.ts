/**
 * Worker thread that builds an HNSW index and saves it to a file, so that index builds
 * (seconds to minutes of native work) never block the server's event loop. A float index
 * is calibrated on the way: its recall-vs-ef curve is measured with sample rows held out
 * of the graph, then those rows are added (recall-curve.ts). The thread runs at a lower
 * priority than the session thread (background-priority.ts).
 */
import { statfsSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { HnswIndex } from './hnsw.js';
import { serveFileBuilds } from './worker-build.js';
import { isBitOp, type AnnOp, type DistanceOp, type HnswOptions } from './api.js';
import type { QuantizerParams } from './quantize.js';
import { buildSparseFile } from './sparse-hnsw.js';
import { curveSamples, EF_LADDER, measureRecallCurve, type RecallCurve } from './recall-curve.js';

export interface BuildRequest {
  /** floats, `dim` per vector; for a bit operator: bit strings packed 8 bits a byte */
  readonly vectors: Float32Array | Uint8Array;
  readonly count: number;
  readonly dim: number;
  readonly op: AnnOp;
  readonly options: HnswOptions;
  readonly path: string;
  /** sparse vectors packed in slots of this many words (sparse-hnsw.ts); `dim`: their declared dimensions */
  readonly sparseWords?: number;
  /** a partial index: the segment position of each row (no recall curve: it samples positions) */
  readonly keys?: Int32Array;
  /** post a BuildProgress after each piece of a float build */
  readonly reportRows?: boolean;
}

/** Sent while a float build goes: this many of the request's rows were added to the graph. */
export interface BuildProgress {
  readonly rows: number;
}

/** `params`: a quantized index's center and scale (the opener needs them) */
export interface BuildReply { readonly curve?: RecallCurve; readonly params?: QuantizerParams }

function build(req: BuildRequest): BuildReply {
  if (req.sparseWords !== undefined) {
    buildSparseFile(req.op as DistanceOp, req.vectors as Float32Array, req.count, req.sparseWords, req.options, req.path);
    return {};
  }
  if (isBitOp(req.op)) {
    const index = HnswIndex.buildBits(req.op, req.vectors as Uint8Array, req.count, req.dim, req.options);
    index.save(req.path);
    const params = index.quantizerParams;
    index.close();
    return { params };
  }
  const vectors = req.vectors as Float32Array;
  const op = req.op as DistanceOp;
  const onAdded = req.reportRows ? (rows: number) => parentPort!.postMessage({ rows } satisfies BuildProgress) : undefined;
  if (req.keys) {
    const index = HnswIndex.build(op, vectors, req.count, req.dim, req.options, new Set(), req.keys, undefined, onAdded);
    try {
      index.save(req.path);
      return index.quantizerParams ? { params: index.quantizerParams } : {};
    } finally {
      index.close();
    }
  }
  const held = curveSamples(vectors, req.count, req.dim, op);
  let index = HnswIndex.build(op, vectors, req.count, req.dim, req.options, held, undefined, undefined, onAdded);
  let curve: RecallCurve | undefined;
  try {
    if (held.size > 0) {
      curve = calibrate(index, req, held);
      if (curve?.stranded) {
        // A stranded region: some sample queries find none of their neighbours at the
        // default ef, though a wider walk does (a cluster the graph links to the rest by
        // too few edges). Concurrent insertion leaves such graphs more often: on 10 seeded
        // clusters of 1,000 × 128 (test/vector-quantization.test.ts's data) 8 of 30
        // two-thread builds lost recall@10 below 0.98, 1 of 30 one-thread builds (shuffled
        // orders). So the segment is built once more, on one thread, and that graph kept.
        index.close();
        index = HnswIndex.build(op, vectors, req.count, req.dim, req.options, held, undefined, 1, onAdded);
        curve = calibrate(index, req, held);
      }
      index.insertHeldOut();
    }
    index.save(req.path);
    return { ...(curve ? { curve } : {}), ...(index.quantizerParams ? { params: index.quantizerParams } : {}) };
  } finally {
    index.close();
  }
}

/** The recall curve of a graph built without the `held` samples (undefined if measuring fails). */
function calibrate(index: HnswIndex, req: BuildRequest, held: ReadonlySet<number>): RecallCurve | undefined {
  // searched through a saved file (the addon's view takes ef per call)
  const calibration = `${req.path}.calibration`;
  index.save(calibration);
  try {
    return measureRecallCurve(index, req.vectors as Float32Array, req.count, req.dim, req.op as DistanceOp, held, EF_LADDER);
  } catch {
    // a curve is an extra: the index is built without one
    return undefined;
  } finally {
    unlinkSync(calibration);
  }
}

/**
 * usearch reports a failed save without its cause ("Failed to serialize into stream"). It
 * writes until the write fails, so a file system left with (almost) no space right after
 * (the partial file is still there) was full: said so, the build becomes 53100 upstream.
 */
function failureText(e: unknown, path: string): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/ENOSPC|No space left/i.test(message)) return message;
  try {
    const fs = statfsSync(dirname(path));
    if (fs.bavail * fs.bsize < 1024 * 1024) return `${message}: No space left on device`;
  } catch {
    // the directory is gone: the plain message
  }
  return message;
}

serveFileBuilds<BuildRequest, BuildReply>({ build, describe: (e, req) => failureText(e, req.path) });
