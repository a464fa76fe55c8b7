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

type Addon = { FilteredIndex: new (path: string) => NativeFilteredIndex };

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

/** A view of a saved index file, or undefined when the addon is not built. */
export function openFilteredView(path: string): NativeFilteredIndex | undefined {
  const a = load();
  return a ? new a.FilteredIndex(path) : undefined;
}
