/**
 * HNSW on sparse vectors (pgvector's sparsevec_l2_ops / _ip_ops / _cosine_ops / _l1_ops),
 * which usearch's binding has no index for. The graph is built by native/filtered-hnsw on
 * its own sparse metrics over fixed-size slots, one per row, of 1 + 2·cap 32-bit words:
 * [nnz, the 1-based indices ascending (u32) …, the values (f32) …], cap being the largest
 * nnz in the segment (pgvector caps sparsevec HNSW at 1,000). Slots keep the memory of a
 * row at O(nnz) whatever the declared dimensions (a densified 30,522-dimension SPLADE row
 * would take 122 kB), and the distance merges the two index lists as pgvector does.
 *
 * `<#>` uses the MIPS→L2 reduction of the dense index (hnsw.ts): each row gets one more
 * element, at index dim + 1, of value sqrt(M² − |x|²); the query has none there.
 *
 * A query with more non-zero elements than the segment's cap does not fit a slot:
 * encodeSparse() says so and the caller ranks that segment exactly.
 */
import { copyFileSync } from 'node:fs';
import type { SparseVector } from '../types/types.js';
import type { AnnHit, AnnIndex, AnnIndexFile, DistanceOp, FilteredHits, HnswOptions } from './api.js';
import { hnswBuildThreads } from './hnsw.js';
import { newCustomBuilder, openFilteredView, type CustomMetric, type NativeFilteredIndex } from './filtered-hnsw.js';

const METRIC: Record<DistanceOp, CustomMetric> = { '<->': 'sparse-l2sq', '<#>': 'sparse-l2sq', '<=>': 'sparse-cos', '<+>': 'sparse-l1' };

/** A segment's rows packed one slot each (`words` = 1 + 2·cap 32-bit words a row). */
export interface SparseSlots {
  readonly cap: number;
  readonly words: number;
  readonly data: Float32Array;
}

function norm2(v: SparseVector): number {
  let s = 0;
  for (let i = 0; i < v.values.length; i++) s += v.values[i] * v.values[i];
  return s;
}

/** Write `v` (and the MIPS element, if given) into the slot at word `at`. */
function pack(v: SparseVector | null, cap: number, words: Uint32Array, floats: Float32Array, at: number, mips?: number): void {
  const n = v ? v.indices.length : 0;
  words[at] = n + (mips === undefined ? 0 : 1);
  for (let i = 0; i < n; i++) {
    words[at + 1 + i] = v!.indices[i];
    floats[at + 1 + cap + i] = v!.values[i];
  }
  if (mips !== undefined) {
    words[at + 1 + n] = (v?.dim ?? 0) + 1;
    floats[at + 1 + cap + n] = mips;
  }
}

/** The rows of a segment (NULL: an empty slot; callers skip NULL rows) as `op`'s index stores them. */
export function packSparseRows(rows: readonly (SparseVector | null)[], op: DistanceOp): SparseSlots {
  let maxNnz = 0;
  let maxNorm2 = 0;
  for (const v of rows) {
    if (!v) continue;
    maxNnz = Math.max(maxNnz, v.indices.length);
    if (op === '<#>') maxNorm2 = Math.max(maxNorm2, norm2(v));
  }
  const cap = Math.max(1, maxNnz + (op === '<#>' ? 1 : 0));
  const words = 1 + 2 * cap;
  const data = new Float32Array(rows.length * words);
  const u32 = new Uint32Array(data.buffer);
  rows.forEach((v, i) => {
    const mips = op === '<#>' && v ? Math.sqrt(Math.max(0, maxNorm2 - norm2(v))) : undefined;
    pack(v, cap, u32, data, i * words, mips);
  });
  return { cap, words, data };
}

const BUILD_PIECE = 4096;

/** Build (in the build worker) the index of `count` packed rows and save it to `path`. */
export function buildSparseFile(op: DistanceOp, data: Float32Array, count: number, words: number, opts: HnswOptions, path: string): void {
  const builder = newCustomBuilder(words, METRIC[op], 'f32', opts.m, opts.efConstruction);
  // in pieces: a worker terminated by a cancelled CREATE INDEX stops between two
  for (let at = 0; at < count; at += BUILD_PIECE) {
    const end = Math.min(count, at + BUILD_PIECE);
    const keys = BigUint64Array.from({ length: end - at }, (_, i) => BigInt(at + i));
    builder.add(keys, data.slice(at * words, end * words), hnswBuildThreads());
  }
  builder.save(path);
}

export class SparseHnswIndex implements AnnIndex {
  readonly kind = 'hnsw' as const;
  private readonly cap: number;

  private constructor(readonly op: DistanceOp, readonly dimensions: number, readonly size: number, private readonly opts: HnswOptions, private path: string, private view: NativeFilteredIndex | undefined) {
    this.cap = view ? (view.dimensions - 1) / 2 : 0;
  }

  /** A view of a saved file (`dim`: the column's declared dimensions). */
  static open(path: string, op: DistanceOp, dim: number, size: number, opts: HnswOptions): SparseHnswIndex {
    const view = openFilteredView(path, METRIC[op]);
    if (!view) throw new Error('bug: sparse HNSW without the native addon');
    return new SparseHnswIndex(op, dim, size, opts, path, view);
  }

  get m(): number {
    return this.opts.m;
  }

  /** The query as search() takes it, or undefined when it has more elements than a slot holds (or other dimensions). */
  encodeSparse(v: SparseVector): Float32Array | undefined {
    if (v.dim !== this.dimensions || v.indices.length > this.cap) return undefined;
    const out = new Float32Array(1 + 2 * this.cap);
    pack(v, this.cap, new Uint32Array(out.buffer), out, 0);
    return out;
  }

  /** as the dense MIPS-reduced graph (hnsw.ts): a wider walk for the recall L2 graphs reach */
  private breadth(ef: number, n: number): number {
    return Math.max(this.op === '<#>' ? Math.ceil(ef * 2.5) : ef, n);
  }

  private native(): NativeFilteredIndex {
    if (!this.view) throw new Error('index is closed');
    return this.view;
  }

  search(query: Float32Array, k: number, ef: number): AnnHit[] {
    if (this.size === 0 || k <= 0) return [];
    const n = Math.min(k, this.size);
    const r = this.native().search(query, n, this.breadth(ef, n));
    return Array.from(r.positions, (position, i) => ({ position, distance: r.distances[i] }));
  }

  filteredSearch(query: Float32Array, k: number, ef: number, allowed: Uint8Array, budget: number): FilteredHits {
    if (this.size === 0 || k <= 0) return { hits: [], computed: 0, exhausted: false };
    const n = Math.min(k, this.size);
    const b = this.breadth(ef, n);
    const r = this.native().search(query, n, b, allowed, budget * (b / Math.max(ef, n)));
    return { hits: Array.from(r.positions, (position, i) => ({ position, distance: r.distances[i] })), computed: r.computed, exhausted: r.exhausted };
  }

  fileRef(): AnnIndexFile {
    return { path: this.path, op: this.op, dim: this.dimensions, size: this.size, m: this.opts.m, efConstruction: this.opts.efConstruction, sparse: true };
  }

  save(path: string): void {
    if (path !== this.path) copyFileSync(this.path, path);
  }

  close(): void {
    this.view?.close();
    this.view = undefined;
  }
}
