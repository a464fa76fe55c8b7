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

/**
 * Builds an index file on one of the addon's own metrics (usearch has no L1 metric and no
 * sparse vectors): 'l1' over dense vectors, 'sparse-*' over packed sparse slots (sparse-hnsw.ts).
 */
export type CustomMetric = 'l1' | 'sparse-l2sq' | 'sparse-cos' | 'sparse-l1';

export interface NativeCustomBuilder {
  readonly size: number;
  /** vectors: floats (f32 and f16 indexes: the addon casts), or bytes for an i8 index */
  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void;
  save(path: string): void;
}

/** How a custom-metric index stores its vectors (sparse slots: f32 words). */
export type CustomScalar = 'f32' | 'f16' | 'i8';

type Addon = {
  FilteredIndex: new (path: string, metric?: CustomMetric) => NativeFilteredIndex;
  CustomBuilder: new (dimensions: number, metric: CustomMetric, scalar: CustomScalar, connectivity: number, expansionAdd: number) => NativeCustomBuilder;
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
 * A view of a saved index file, or undefined when the addon is not built. `metric`: the
 * custom metric of a file a custom builder saved (its header names no metric).
 */
export function openFilteredView(path: string, metric?: CustomMetric): NativeFilteredIndex | undefined {
  const a = load();
  if (!a) return undefined;
  return metric ? new a.FilteredIndex(path, metric) : new a.FilteredIndex(path);
}

/** A new custom-metric index builder (throws when the addon is not built: hnswSupports said no). */
export function newCustomBuilder(dimensions: number, metric: CustomMetric, scalar: CustomScalar, connectivity: number, expansionAdd: number): NativeCustomBuilder {
  const a = load();
  if (!a) throw new Error(`bug: ${metric} HNSW without the native addon`);
  return new a.CustomBuilder(dimensions, metric, scalar, connectivity, expansionAdd);
}
