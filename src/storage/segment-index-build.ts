/**
 * One sealed segment's ANN index file, from the segment and its index definition. The data
 * node's own builds and an index node's (cluster mode, src/cluster/index-node.ts) run this
 * same code on the same segment file, so an index node writes the file the data node would
 * have written: byte for byte where the build is deterministic (IVFFlat's list assignment
 * over given centers), an equivalent graph for HNSW (whose build is not).
 */
import { isBitOp, type AnnIndex, type AnnIndexFile, type AnnOp, type DistanceOp, type HnswOptions } from '../ann/api.js';
import { buildIndexFile } from '../ann/build.js';
import { readBitCenters } from '../ann/bit-ivf.js';
import { hnswSupports } from '../ann/hnsw.js';
import { buildBitIvfFile, buildIvfFile } from '../ann/ivf-build.js';
import { ivfflatSupports, readCenters } from '../ann/ivfflat.js';
import { openAnnIndex } from '../ann/open.js';
import { packSparseRows } from '../ann/sparse-hnsw.js';
import { OID, type SparseVector, type SqlType } from '../types/types.js';
import type { VectorIndexSpec, ZoneCondition } from './api.js';
import type { IndexedColumn } from './index-key-column.js';
import type { SealedSegment } from './segment.js';

/**
 * What a segment's index build needs besides the segment: plain data, sent as it is to an
 * index node (never for an expression index: its key function is the engine's, and index
 * nodes read stored columns only).
 */
export interface SegmentIndexJob {
  readonly method: 'hnsw' | 'ivfflat';
  /** 0-based stored column */
  readonly column: number;
  readonly op: AnnOp;
  /** the indexed values' dimensions (bits, for bit strings) */
  readonly dim: number;
  /** a sparsevec column (sparse-hnsw.ts) */
  readonly sparse: boolean;
  /** hnsw: m, ef_construction, quantization */
  readonly options: HnswOptions;
  /** a partial HNSW index of float vectors: only the rows meeting all of these */
  readonly rows?: readonly ZoneCondition[];
  /** ivfflat: the file (segment directory name, object store key) of the centers trained at CREATE INDEX */
  readonly centers?: string;
}

/**
 * The build of `spec` for one segment, its indexed values of `dim` dimensions (an
 * expression index's key, or the column of type `type`), or undefined when this index has
 * none (an operator without such an index, no dimensions, IVFFlat not trained yet).
 */
export function segmentIndexJob(spec: VectorIndexSpec, type: SqlType, dim: number): SegmentIndexJob | undefined {
  const ivf = spec.method === 'ivfflat';
  const sparse = type.oid === OID.sparsevec;
  if (ivf ? !(ivfflatSupports(spec.op) || spec.op === '<~>') || !spec.centers : !hnswSupports(spec.op, sparse)) return undefined;
  if (!(dim > 0)) return undefined;
  return {
    method: ivf ? 'ivfflat' : 'hnsw', column: spec.column, op: spec.op, dim, sparse,
    options: { m: spec.m, efConstruction: spec.efConstruction, ...(spec.quantization ? { quantization: spec.quantization } : {}) },
    // sparse vectors and bit strings index every row (their builds take no keys)
    ...(spec.rows && !sparse && !isBitOp(spec.op) ? { rows: spec.rows } : {}),
    ...(ivf ? { centers: spec.centers } : {}),
  };
}

/** Whether this process can build `job` (L1 and sparse graphs need the native addon). */
export function canBuildSegmentIndex(job: SegmentIndexJob): boolean {
  return job.method === 'ivfflat' || hnswSupports(job.op, job.sparse);
}

/**
 * Build `job`'s index of `seg` into the file `path` (in a worker thread) and open it.
 * `source`: how the indexed values are read from the segment (index-key-column.ts);
 * `centersPath`: where the IVFFlat centers file `job.centers` is on this machine;
 * `onRows`: told, as an HNSW build goes, how many rows are in the graph.
 */
export async function buildSegmentIndex(seg: SealedSegment, job: SegmentIndexJob, source: IndexedColumn, path: string, centersPath?: string, signal?: AbortSignal, onRows?: (rows: number) => void): Promise<AnnIndex> {
  const { op, dim } = job;
  // an expression index's keys, computed between turns of the event loop (the builds below read them at once)
  if (job.method === 'ivfflat' || isBitOp(op)) await source.prepare(seg, isBitOp(op) ? 'bits' : 'vectors', signal);
  if (job.method === 'ivfflat') {
    if (!centersPath) throw new Error('bug: an IVFFlat segment build without its centers');
    if (op === '<~>') {
      const { centers, lists } = readBitCenters(centersPath);
      return buildBitIvfFile(source.bits(seg), seg.length, dim, centers, lists, source.nulls(seg), path, signal);
    }
    const trained = readCenters(centersPath);
    return buildIvfFile(source.vectors(seg), seg.length, dim, trained.op, trained.centers, trained.lists, source.nulls(seg), path, signal);
  }
  const slots = job.sparse ? packSparseRows(seg.columnValues(job.column) as (SparseVector | null)[], op as DistanceOp) : undefined;
  // a partial index: only the rows meeting its conditions, keyed by their positions
  const keys = job.rows ? seg.positionsWhere(job.rows) : undefined;
  let input: Float32Array | Uint8Array;
  if (slots) input = slots.data;
  else if (isBitOp(op)) input = source.bits(seg);
  else {
    const vectors = await source.copy(seg);
    input = keys ? gatherRows(vectors, keys, dim) : vectors;
  }
  const layout = { ...(slots ? { sparseWords: slots.words } : {}), ...(keys ? { keys } : {}) };
  return buildIndexFile(op, input, keys ? keys.length : seg.length, dim, job.options, path, signal, layout, onRows);
}

/**
 * Open an index of `seg` over `source` from the file at `path` that another machine built
 * (an index node): `built` is that build's fileRef() (its path aside), carrying what the
 * file alone does not (the rows it holds, a quantized index's center and scale).
 */
export function openSegmentIndex(seg: SealedSegment, source: IndexedColumn, path: string, built: Omit<AnnIndexFile, 'path'>): AnnIndex {
  return openAnnIndex({ ...built, path }, () => source.vectors(seg), () => source.bits(seg));
}

/** Rows `positions` of `data` (`dim` floats each), contiguous in a buffer of their own. */
function gatherRows(data: Float32Array, positions: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(positions.length * dim);
  positions.forEach((p, i) => out.set(data.subarray(p * dim, (p + 1) * dim), i * dim));
  return out;
}
