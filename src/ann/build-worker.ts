/**
 * Worker thread that builds an HNSW index and saves it to a file, so that index builds
 * (seconds to minutes of native work) never block the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { HnswIndex } from './hnsw.js';
import type { DistanceOp, HnswOptions } from './api.js';

export interface BuildRequest {
  readonly vectors: Float32Array;
  readonly count: number;
  readonly dim: number;
  readonly op: DistanceOp;
  readonly options: HnswOptions;
  readonly path: string;
}

parentPort?.on('message', (req: BuildRequest) => {
  try {
    const index = HnswIndex.build(req.op, req.vectors, req.count, req.dim, req.options);
    index.save(req.path);
    index.close();
    parentPort!.postMessage({ ok: true });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
