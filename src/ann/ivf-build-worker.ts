/**
 * Worker thread for IVFFlat builds: k-means training of an index's centers, and the
 * assignment of a segment's vectors to lists. Both are seconds of CPU on large tables;
 * here they never block the server's event loop.
 */
import { parentPort } from 'node:worker_threads';
import type { DistanceOp, VectorChunk } from './api.js';
import { assignLists, kmeansKindFor, writeCenters, writeIvfFile } from './ivfflat.js';
import { kmeans, normalizeRows } from './kmeans.js';

export interface TrainRequest {
  readonly kind: 'train';
  /** `count` samples, `dim` floats each (zero vectors already left out for <#> and <=>) */
  readonly samples: Float32Array;
  readonly count: number;
  readonly dim: number;
  readonly op: DistanceOp;
  readonly lists: number;
  readonly path: string;
}

export interface AssignRequest {
  readonly kind: 'assign';
  readonly chunks: readonly VectorChunk[];
  readonly count: number;
  readonly dim: number;
  readonly op: DistanceOp;
  readonly centers: Float32Array;
  readonly lists: number;
  /** one byte per position, 1 = NULL vector (not indexed); absent when there is none */
  readonly nulls?: Uint8Array;
  readonly path: string;
}

export type IvfBuildRequest = TrainRequest | AssignRequest;

export function runIvfBuild(req: IvfBuildRequest): void {
  if (req.kind === 'train') {
    // cosine clusters the directions: pgvector normalises the samples first
    if (req.op === '<=>') normalizeRows(req.samples, req.count, req.dim);
    const centers = kmeans(req.samples, req.count, req.dim, req.lists, kmeansKindFor(req.op));
    writeCenters(req.path, req.op, req.dim, req.lists, centers);
  } else {
    const nulls = req.nulls;
    const { offsets, positions } = assignLists(req.chunks, req.count, req.dim, req.op, req.centers, req.lists, nulls ? (p) => nulls[p] === 1 : undefined);
    writeIvfFile(req.path, req.op, req.dim, req.count, req.centers, req.lists, offsets, positions);
  }
}

parentPort?.on('message', (req: IvfBuildRequest) => {
  try {
    runIvfBuild(req);
    parentPort!.postMessage({ ok: true });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
