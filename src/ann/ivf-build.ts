/**
 * IVFFlat builds in a worker thread (ivf-build-worker.ts): train an index's centers from a
 * sample, then assign each sealed segment's vectors to lists. Files are written under a
 * private temporary name and renamed when complete, as HNSW builds do (worker-build.ts).
 */
import type { DistanceOp, VectorChunk } from './api.js';
import type { AssignBitsRequest, AssignRequest, IvfBuildReply, IvfBuildRequest, TrainBitsRequest, TrainRequest } from './ivf-build-worker.js';
import { BitIvfIndex } from './bit-ivf.js';
import { IvfIndex } from './ivfflat.js';
import { seededRandom } from './kmeans.js';
import type { RecallCurve } from './recall-curve.js';
import { runFileBuild } from './worker-build.js';

async function runInWorker(req: IvfBuildRequest, signal: AbortSignal | undefined): Promise<RecallCurve | undefined> {
  const reply = await runFileBuild<IvfBuildRequest, IvfBuildReply>({
    what: 'IVFFlat',
    script: new URL('./ivf-build-worker.js', import.meta.url),
    path: req.path,
    request: (temp) => ({ ...req, path: temp }),
  }, signal);
  return reply.curve;
}

/** pgvector's sample size: 50 per list, at least 10,000 (never more than there are rows). */
export function ivfSampleSize(lists: number, rows: number): number {
  return Math.max(1, Math.min(Math.max(lists * 50, 10000), rows));
}

/**
 * A uniform random sample of `want` positions among those of several segments that `ok`
 * accepts (reservoir sampling, Algorithm R, over all positions in order): the IVFFlat
 * trainers' sample, of float vectors or of bit strings.
 */
export function samplePositions(segments: readonly { rows: number; ok: (pos: number) => boolean }[], want: number, seed = 1): { segment: number; pos: number }[] {
  const random = seededRandom(seed);
  const picked: { segment: number; pos: number }[] = [];
  let seen = 0;
  segments.forEach((seg, segment) => {
    for (let pos = 0; pos < seg.rows; pos++) {
      if (!seg.ok(pos)) continue;
      seen++;
      if (picked.length < want) picked.push({ segment, pos });
      else {
        const j = Math.floor(random() * seen);
        if (j < want) picked[j] = { segment, pos };
      }
    }
  });
  return picked;
}

/** A sample of the indexable vectors of several segments (samplePositions), copied into one array for the trainer. */
export function sampleVectors(segments: readonly { chunks: readonly VectorChunk[]; ok: (pos: number) => boolean }[], dim: number, want: number, seed = 1): { samples: Float32Array; count: number } {
  const rowsOf = (chunks: readonly VectorChunk[]) => chunks.reduce((n, c) => Math.max(n, c.start + c.rows), 0);
  const picked = samplePositions(segments.map((s) => ({ rows: rowsOf(s.chunks), ok: s.ok })), want, seed);
  const samples = new Float32Array(picked.length * dim);
  picked.forEach((p, i) => {
    const chunk = segments[p.segment].chunks.find((c) => p.pos >= c.start && p.pos < c.start + c.rows)!;
    const row = p.pos - chunk.start;
    samples.set(chunk.data.subarray(row * dim, (row + 1) * dim), i * dim);
  });
  return { samples, count: picked.length };
}

/** Train an index's centers (k-means on the sample) into the file `path`. */
export async function trainCentersFile(samples: Float32Array, count: number, dim: number, op: DistanceOp, lists: number, path: string, signal?: AbortSignal): Promise<void> {
  const req: TrainRequest = { kind: 'train', samples, count, dim, op, lists, path };
  await runInWorker(req, signal);
}

/** Assign one segment's vectors to the lists of `centers`, write its index file and open it. */
export async function buildIvfFile(chunks: readonly VectorChunk[], count: number, dim: number, op: DistanceOp, centers: Float32Array, lists: number, nulls: Uint8Array | undefined, path: string, signal?: AbortSignal): Promise<IvfIndex> {
  const req: AssignRequest = { kind: 'assign', chunks, count, dim, op, centers, lists, ...(nulls ? { nulls } : {}), path };
  const curve = await runInWorker(req, signal);
  const index = IvfIndex.open(path, chunks);
  if (curve) index.recallCurve = curve;
  return index;
}

/** Bit strings: train an index's centers on packed samples into the file `path` (bit-ivf.ts). */
export async function trainBitCentersFile(samples: Uint8Array, count: number, bits: number, lists: number, path: string, signal?: AbortSignal): Promise<void> {
  const req: TrainBitsRequest = { kind: 'trainBits', samples, count, bits, lists, path };
  await runInWorker(req, signal);
}

/** Bit strings: assign one segment's packed rows to lists, write its index file and open it. */
export async function buildBitIvfFile(packed: Uint8Array, count: number, bits: number, centers: Uint8Array, lists: number, nulls: Uint8Array | undefined, path: string, signal?: AbortSignal): Promise<BitIvfIndex> {
  const req: AssignBitsRequest = { kind: 'assignBits', packed, count, bits, centers, lists, ...(nulls ? { nulls } : {}), path };
  await runInWorker(req, signal);
  return BitIvfIndex.open(path, packed);
}
