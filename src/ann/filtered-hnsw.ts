/**
 * The in-graph filtered HNSW search addon (native/filtered-hnsw): a memory-mapped view of
 * an index file usearch saved, searched with a position bitmap as the predicate. Loaded
 * lazily; when it was not built (no compiler at install time) `filteredHnswAvailable()` is
 * false and the planner prices only the other vector strategies.
 */
import { createRequire } from 'node:module';

export interface FilteredSearchResult {
  /** allowed positions, best first (at most k) */
  readonly positions: Int32Array;
  /** the index's own distances (ranking only) */
  readonly distances: Float32Array;
  /** distances computed by the walk */
  readonly computed: number;
  /** the budget of filter checks ran out before the walk ended: the result is incomplete */
  readonly exhausted: boolean;
}

export interface NativeFilteredIndex {
  readonly size: number;
  readonly dimensions: number;
  /** query: floats, or bytes for an i8 index (quantized by the caller) */
  search(query: Float32Array | Int8Array, k: number, ef: number, allowed?: Uint8Array, budget?: number): FilteredSearchResult;
  close(): void;
}

/** Builds an L1 index file (usearch has no L1 metric: the addon brings its kernels). */
export interface NativeL1Builder {
  readonly size: number;
  /** vectors: floats (f32 and f16 indexes: the addon casts), or bytes for an i8 index */
  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void;
  save(path: string): void;
}

/** How an L1 index stores its vectors. */
export type L1Scalar = 'f32' | 'f16' | 'i8';

type Addon = {
  FilteredIndex: new (path: string, metric?: 'l1') => NativeFilteredIndex;
  L1Builder: new (dimensions: number, scalar: L1Scalar, connectivity: number, expansionAdd: number) => NativeL1Builder;
};

let addon: Addon | null | undefined;

function load(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    // dist/src/ann/ → repository root
    addon = createRequire(import.meta.url)('../../../native/filtered-hnsw/build/Release/filtered_hnsw.node') as Addon;
  } catch {
    addon = null;
  }
  return addon;
}

export function filteredHnswAvailable(): boolean {
  return load() !== null;
}

/**
 * A view of a saved index file, or undefined when the addon is not built. `metric` 'l1':
 * a file an L1 builder saved (its header names no metric).
 */
export function openFilteredView(path: string, metric?: 'l1'): NativeFilteredIndex | undefined {
  const a = load();
  if (!a) return undefined;
  return metric ? new a.FilteredIndex(path, metric) : new a.FilteredIndex(path);
}

/** A new L1 index builder (throws when the addon is not built: hnswSupports said no). */
export function newL1Builder(dimensions: number, scalar: L1Scalar, connectivity: number, expansionAdd: number): NativeL1Builder {
  const a = load();
  if (!a) throw new Error('bug: L1 HNSW without the native addon');
  return new a.L1Builder(dimensions, scalar, connectivity, expansionAdd);
}
