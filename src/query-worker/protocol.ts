/**
 * The query-worker protocol: what the coordinator (a session's thread) asks a worker to do
 * with one sealed segment, and what comes back. Every message is plain, structured-clonable
 * data — no closures, no class instances — so the same requests can later go to another
 * process or a query node. Scalar filters never cross: the coordinator evaluates them into
 * a bitmap over the segment's positions and sends the bitmap.
 *
 * Vector data is not copied into messages: `attach` hands over the SharedArrayBuffers the
 * segment's vector column already lives in (structured clone shares a SharedArrayBuffer),
 * and an index is opened by the worker as a memory-mapped view of its file.
 */
import type { AnnIndexFile, DistanceOp } from '../ann/api.js';
import type { SharedVectors } from '../storage/segment.js';

export type { SharedVectors };

/** An HNSW index file a worker can open with `view()` (memory-mapped, shared page cache). */
export type IndexFileRef = AnnIndexFile;

/**
 * One bit per segment position, least significant bit first (Arrow's validity layout):
 * position p is bit (p & 7) of byte p >> 3.
 */
export type PositionBitmap = Uint8Array;

/** Make a segment's shared vectors known to a worker under `segment` (a coordinator-chosen key). */
export interface AttachRequest {
  readonly kind: 'attach';
  readonly id: number;
  readonly segment: string;
  readonly vectors: SharedVectors;
}

/** Open an ANN index of an attached segment (as a view of its file). */
export interface AttachIndexRequest {
  readonly kind: 'attachIndex';
  readonly id: number;
  readonly segment: string;
  readonly index: string;
  readonly file: IndexFileRef;
}

/** Forget a segment and close its index views. */
export interface DetachRequest {
  readonly kind: 'detach';
  readonly id: number;
  readonly segment: string;
}

/**
 * ANN search of one segment's index, in one of two ways:
 *   - `inGraph` set: the walk skips positions not in `allowed` (in-graph filtered search)
 *     and gives up after `inGraph.budget` filter checks, or answers exactly when it was
 *     trapped (ann/trapped-walk.ts);
 *   - otherwise: the worker asks the index for `want` candidates (breadth max(ef, want)),
 *     drops positions not in `allowed` (the filter's and visibility's bitmap; absent =
 *     every position), and widens ×4 once if fewer than `k` remain.
 * If that still leaves fewer than `k`, the worker scans the allowed positions exactly and
 * says so: `exhausted`, and `switched` when the index was not exhausted but the estimate
 * that chose it was wrong (a walk over budget, a widening that came back short).
 */
export interface AnnSearchRequest {
  readonly kind: 'annSearch';
  readonly id: number;
  readonly segment: string;
  readonly index: string;
  readonly query: Float32Array;
  readonly k: number;
  readonly ef: number;
  /** first number of candidates to ask the index for (≥ k; more when a filter rejects many) */
  readonly want: number;
  readonly allowed?: PositionBitmap;
  /** search with the filter inside the graph walk (needs `allowed`) */
  /** `allowed`: how many positions the bitmap allows (the coordinator counted them) */
  readonly inGraph?: { readonly budget: number; readonly allowed: number };
  /** for the exact fallback: the ranking kernel and how many to keep */
  readonly op: DistanceOp;
  readonly half: boolean;
  readonly keep: number;
}

/**
 * Exact top-`keep` of positions [start, end) of a segment (those set in `allowed`), ranked by
 * the same kernel the coordinator's candidate heap ranks with (rankKernel), ties by
 * position: the coordinator then ranks the union of all ranges with pgvector's exact kernel.
 */
export interface ExactTopKRequest {
  readonly kind: 'exactTopK';
  readonly id: number;
  readonly segment: string;
  readonly query: Float32Array;
  readonly op: DistanceOp;
  readonly half: boolean;
  readonly keep: number;
  readonly start: number;
  readonly end: number;
  readonly allowed?: PositionBitmap;
}

export type WorkerRequest = AttachRequest | AttachIndexRequest | DetachRequest | AnnSearchRequest | ExactTopKRequest;

/** (position, distance) pairs, best first; distances are the ranking kernel's or the index's. */
export interface Hits {
  readonly positions: Int32Array;
  readonly distances: Float64Array;
}

export interface OkResponse {
  readonly id: number;
  readonly ok: true;
  /** absent for attach/detach */
  readonly hits?: Hits;
  /** the ANN index could not deliver k allowed positions: `hits` come from an exact scan */
  readonly exhausted?: boolean;
  /** how many times the ANN search widened */
  readonly widenings?: number;
  /** the strategy was switched to exact at run time (see AnnSearchRequest) */
  readonly switched?: boolean;
}

/** A failure, with what the coordinator needs to raise it as a SqlError. */
export interface ErrorResponse {
  readonly id: number;
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string; readonly detail?: string };
}

export type WorkerResponse = OkResponse | ErrorResponse;

/** What a worker is started with (workerData). */
export interface WorkerInit {
  /** per worker slot, CANCEL_RING Int32s: the ids of the requests the coordinator cancelled last */
  readonly cancelBoard: SharedArrayBuffer;
  readonly slot: number;
}

export function bitmapHas(bits: PositionBitmap, pos: number): boolean {
  return ((bits[pos >> 3] >> (pos & 7)) & 1) === 1;
}

export function bitmapSet(bits: PositionBitmap, pos: number): void {
  bits[pos >> 3] |= 1 << (pos & 7);
}

export function newBitmap(length: number): PositionBitmap {
  return new Uint8Array((length + 7) >> 3);
}

/**
 * Cancelled request ids kept per worker slot: a cancelled statement may have several
 * requests queued on one worker, and each must stop (one id per slot let all but the last
 * run to the end).
 */
export const CANCEL_RING = 64;

export function boardHas(board: Int32Array, slot: number, id: number): boolean {
  const base = slot * CANCEL_RING;
  for (let i = 0; i < CANCEL_RING; i++) if (Atomics.load(board, base + i) === id) return true;
  return false;
}
