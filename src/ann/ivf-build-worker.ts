/**
 * Worker thread for IVFFlat builds: k-means training of an index's centers, and the
 * assignment of a segment's vectors to lists. Both are seconds of CPU on large tables;
 * here they never block the server's event loop, at a lower priority than the session
 * thread (background-priority.ts).
 */
import type { DistanceOp, VectorChunk } from './api.js';
import { assignLists, IvfIndex, kmeansKindFor, writeCenters, writeIvfFile } from './ivfflat.js';
import { curveSamples, measureRecallCurve, probesLadder, type RecallCurve } from './recall-curve.js';
import { kmeans, normalizeRows } from './kmeans.js';
import { assignBitLists, trainBitCenters, writeBitCenters, writeBitIvfFile } from './bit-ivf.js';
import { serveFileBuilds } from './worker-build.js';

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

/** Bit strings (bit_hamming_ops): centers trained on packed samples (bit-ivf.ts). */
export interface TrainBitsRequest {
  readonly kind: 'trainBits';
  readonly samples: Uint8Array;
  readonly count: number;
  readonly bits: number;
  readonly lists: number;
  readonly path: string;
}

/** Bit strings: one segment's packed rows assigned to the lists of `centers` (packed). */
export interface AssignBitsRequest {
  readonly kind: 'assignBits';
  readonly packed: Uint8Array;
  readonly count: number;
  readonly bits: number;
  readonly centers: Uint8Array;
  readonly lists: number;
  readonly nulls?: Uint8Array;
  readonly path: string;
}

export type IvfBuildRequest = TrainRequest | AssignRequest | TrainBitsRequest | AssignBitsRequest;

/** `curve`: the recall-vs-probes curve of a segment's lists (assign only) */
export interface IvfBuildReply { readonly curve?: RecallCurve }

/** The segment's vectors in one array from offset 0 (exact search needs them so). */
function contiguous(chunks: readonly VectorChunk[], count: number, dim: number): Float32Array {
  const c = chunks[0];
  if (chunks.length === 1 && c.start === 0 && c.data.byteOffset === 0 && c.data.length === count * dim) return c.data;
  const out = new Float32Array(count * dim);
  for (const ch of chunks) out.set(ch.data.subarray(0, ch.rows * dim), ch.start * dim);
  return out;
}

/** Probes-vs-recall of the lists just written (recall-curve.ts), the samples staying in the lists. */
function calibrate(req: AssignRequest): RecallCurve | undefined {
  const vectors = contiguous(req.chunks, req.count, req.dim);
  const held = curveSamples(vectors, req.count, req.dim, req.op);
  if (req.nulls) for (const p of held) if (req.nulls[p] === 1) held.delete(p);
  if (held.size === 0) return undefined;
  try {
    const index = IvfIndex.open(req.path, req.chunks);
    return measureRecallCurve(index, vectors, req.count, req.dim, req.op, held, probesLadder(req.lists), true);
  } catch {
    return undefined; // a curve is an extra: the lists are built without one
  }
}

export function runIvfBuild(req: IvfBuildRequest): RecallCurve | undefined {
  if (req.kind === 'trainBits') {
    writeBitCenters(req.path, req.bits, req.lists, trainBitCenters(req.samples, req.count, req.bits, req.lists));
    return undefined;
  }
  if (req.kind === 'assignBits') {
    const { offsets, positions } = assignBitLists(req.packed, req.count, req.bits, req.centers, req.lists, req.nulls);
    writeBitIvfFile(req.path, req.bits, req.count, req.centers, req.lists, offsets, positions);
    return undefined;
  }
  if (req.kind === 'train') {
    // cosine clusters the directions: pgvector normalises the samples first
    if (req.op === '<=>') normalizeRows(req.samples, req.count, req.dim);
    const centers = kmeans(req.samples, req.count, req.dim, req.lists, kmeansKindFor(req.op));
    writeCenters(req.path, req.op, req.dim, req.lists, centers);
  } else {
    const nulls = req.nulls;
    const { offsets, positions } = assignLists(req.chunks, req.count, req.dim, req.op, req.centers, req.lists, nulls ? (p) => nulls[p] === 1 : undefined);
    writeIvfFile(req.path, req.op, req.dim, req.count, req.centers, req.lists, offsets, positions);
    return calibrate(req);
  }
  return undefined;
}

serveFileBuilds<IvfBuildRequest, IvfBuildReply>({
  build: (req) => {
    const curve = runIvfBuild(req);
    return curve ? { curve } : {};
  },
});
