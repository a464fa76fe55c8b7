/**
 * The ANN contract: one interface over vector indexes (HNSW on usearch, its vectors stored
 * quantized or not: quantize.ts; IVFFlat). An index covers the vectors of one sealed
 * segment and answers with segment positions; visibility (snapshots, tombstones) and
 * filters are the caller's business, which is why search can be asked for more than k.
 */
import type { Quantization, QuantizerParams } from './quantize.js';

import type { RecallCurve } from './recall-curve.js';
import type { SparseVector } from '../types/types.js';

/** pgvector's distance operators. */
export type DistanceOp = '<->' | '<#>' | '<=>' | '<+>';
/** pgvector's distances between bit strings: Hamming and Jaccard. */
export type BitDistanceOp = '<~>' | '<%>';
/** Every operator an index can order by. */
export type AnnOp = DistanceOp | BitDistanceOp;

export function isBitOp(op: AnnOp): op is BitDistanceOp {
  return op === '<~>' || op === '<%>';
}

export interface AnnHit {
  /** position of the row within the segment the index covers */
  readonly position: number;
  /** the index's own distance (ranking only: recompute exactly for output) */
  readonly distance: number;
}

export interface AnnIndex {
  readonly kind: 'hnsw' | 'ivfflat';
  readonly op: AnnOp;
  readonly dimensions: number;
  readonly size: number;
  /**
   * The best `k` positions for `query`, nearest first (a bit string's query is one float,
   * 0 or 1, per bit). `breadth` is the index kind's own
   * search breadth: hnsw.ef_search for HNSW (at least k is used), ivfflat.probes for IVFFlat.
   */
  search(query: Float32Array, k: number, breadth: number): AnnHit[];
  /**
   * IVFFlat: every position in the `probes` lists nearest the query, nearest first — what
   * pgvector's scan without a LIMIT returns. Undefined for indexes without lists.
   */
  probeLists?(query: Float32Array, probes: number): AnnHit[];
  /**
   * In-graph filtered search: the best `k` positions set in `allowed` (one bit per
   * position, LSB first), the walk skipping the others. After `budget` filter checks the
   * walk gives up (`exhausted`: the caller must search another way). Undefined when this
   * index (or build) cannot filter in the graph.
   */
  filteredSearch?(query: Float32Array, k: number, ef: number, allowed: Uint8Array, budget: number): FilteredHits | undefined;
  /**
   * A sparse vector index (sparse-hnsw.ts): the query as search() and filteredSearch()
   * take it, or undefined when it does not fit the index (rank the segment exactly).
   */
  encodeSparse?(v: SparseVector): Float32Array | undefined;
  /**
   * search()'s hit distances are the top-k rank kernel's values for the operator (float32
   * squared L2 over the stored vectors, up to rounding within
   * exactNeededBound): a top-k may rank its hits by them without computing them again
   */
  readonly rankDistances?: boolean;
  /** max connections per node (the cost model's hops per visited node) */
  readonly m?: number;
  /** IVFFlat: the number of lists (the most probes can be) */
  readonly lists?: number;
  /**
   * Recall@10 by search breadth, measured when this index was built (float vectors, a
   * segment large enough): quiver.target_recall picks the breadth from it.
   */
  recallCurve?: RecallCurve;
  /** the index's file and parameters, so another thread can view() the same index */
  fileRef?(): AnnIndexFile;
  /** write the index to a file (next to its segment) */
  save(path: string): void;
  /** release native memory */
  close(): void;
}

export interface FilteredHits {
  readonly hits: AnnHit[];
  /** distances the walk computed */
  readonly computed: number;
  /** the budget ran out: `hits` may miss matches */
  readonly exhausted: boolean;
}

export interface HnswOptions {
  /** max connections per node (pgvector: m, default 16) */
  readonly m: number;
  /** candidate list size while building (pgvector: ef_construction, default 64) */
  readonly efConstruction: number;
  /** how vectors are stored in the index (quantize.ts); absent: f32 */
  readonly quantization?: Quantization;
}

/** A saved index file and what opening it needs (plain data: it crosses to query workers). */
export interface AnnIndexFile {
  /** absent: hnsw */
  readonly kind?: 'hnsw' | 'ivfflat';
  readonly path: string;
  readonly op: AnnOp;
  readonly dim: number;
  readonly size: number;
  readonly m: number;
  readonly efConstruction: number;
  /** absent: f32 */
  readonly quantization?: Quantization;
  /** a quantized index's center and scale (absent: refitted from the segment's vectors) */
  readonly quantizerParams?: QuantizerParams;
  /** an index of sparse vectors (sparse-hnsw.ts; `dim`: their declared dimensions) */
  readonly sparse?: boolean;
}

/**
 * Rows `start .. start + rows - 1` of a segment's vector column, `dim` floats each, in
 * `data` (views of the segment's shared memory where it has it: never copies).
 */
export interface VectorChunk {
  readonly start: number;
  readonly rows: number;
  readonly data: Float32Array;
}
