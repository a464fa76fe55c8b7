/**
 * Worker thread that builds an HNSW index and saves it to a file, so that index builds
 * (seconds to minutes of native work) never block the server's event loop. A float index
 * is calibrated on the way: its recall-vs-ef curve is measured with sample rows held out
 * of the graph, then those rows are added (recall-curve.ts).
 */
import { unlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { HnswIndex } from './hnsw.js';
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
}

/** `params`: a quantized index's center and scale (the opener needs them) */
export type BuildReply = { ok: true; curve?: RecallCurve; params?: QuantizerParams } | { ok: false; error: string };

function build(req: BuildRequest): { curve?: RecallCurve; params?: QuantizerParams } {
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
  if (req.keys) {
    const index = HnswIndex.build(op, vectors, req.count, req.dim, req.options, new Set(), req.keys);
    try {
      index.save(req.path);
      return index.quantizerParams ? { params: index.quantizerParams } : {};
    } finally {
      index.close();
    }
  }
  const held = curveSamples(vectors, req.count, req.dim, op);
  const index = HnswIndex.build(op, vectors, req.count, req.dim, req.options, held);
  let curve: RecallCurve | undefined;
  try {
    if (held.size > 0) {
      // searched through a saved file (the addon's view takes ef per call)
      const calibration = `${req.path}.calibration`;
      index.save(calibration);
      try {
        curve = measureRecallCurve(index, vectors, req.count, req.dim, op, held, EF_LADDER);
      } catch {
        // a curve is an extra: the index is built without one
      } finally {
        index.insertHeldOut();
        unlinkSync(calibration);
      }
    }
    index.save(req.path);
    return { ...(curve ? { curve } : {}), ...(index.quantizerParams ? { params: index.quantizerParams } : {}) };
  } finally {
    index.close();
  }
}

parentPort?.on('message', (req: BuildRequest) => {
  let reply: BuildReply;
  try {
    reply = { ok: true, ...build(req) };
  } catch (e) {
    reply = { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
