/**
 * Worker thread that builds an HNSW index and saves it to a file, so that index builds
 * (seconds to minutes of native work) never block the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { HnswIndex } from './hnsw.js';
import { isBitOp, type AnnOp, type HnswOptions } from './api.js';

export interface BuildRequest {
  /** floats, `dim` per vector; for a bit operator: bit strings packed 8 bits a byte */
  readonly vectors: Float32Array | Uint8Array;
  readonly count: number;
  readonly dim: number;
  readonly op: AnnOp;
  readonly options: HnswOptions;
  readonly path: string;
}

parentPort?.on('message', (req: BuildRequest) => {
  try {
    const index = isBitOp(req.op)
      ? HnswIndex.buildBits(req.op, req.vectors as Uint8Array, req.count, req.dim, req.options)
      : HnswIndex.build(req.op, req.vectors as Float32Array, req.count, req.dim, req.options);
    index.save(req.path);
    const params = index.quantizerParams;
    index.close();
    parentPort!.postMessage({ ok: true, params });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
