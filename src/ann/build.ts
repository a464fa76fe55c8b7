/** Build an HNSW index file in a worker thread and open it (memory-mapped) when done. */
import { Worker } from 'node:worker_threads';
import type { DistanceOp, HnswOptions } from './api.js';
import type { BuildRequest } from './build-worker.js';
import { HnswIndex } from './hnsw.js';

export async function buildIndexFile(op: DistanceOp, vectors: Float32Array, count: number, dim: number, options: HnswOptions, path: string): Promise<HnswIndex> {
  const worker = new Worker(new URL('./build-worker.js', import.meta.url));
  try {
    const done = new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ok: boolean; error?: string }) => (m.ok ? resolve() : reject(new Error(`HNSW build failed: ${m.error}`))));
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new Error(`HNSW build worker exited with code ${code}`)); });
    });
    const req: BuildRequest = { vectors, count, dim, op, options, path };
    // hand the vector buffer over instead of copying it
    worker.postMessage(req, vectors.byteOffset === 0 && vectors.byteLength === vectors.buffer.byteLength ? [vectors.buffer as ArrayBuffer] : []);
    await done;
  } finally {
    await worker.terminate();
  }
  return HnswIndex.open(path, op, dim, count, options);
}
