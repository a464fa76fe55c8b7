/**
 * An HNSW graph on one of native/filtered-hnsw's own metrics — L1 (pgvector's `<+>`:
 * vector_l1_ops, halfvec_l1_ops) or a sparse vector metric (sparse-hnsw.ts) — behind the
 * same methods as usearch's binding (usearch-native.ts), which has neither: built by the
 * addon with its own kernels and searched through its view of the saved file. A handle
 * made for one ef searches at that ef, as usearch's own handles do.
 */
import { copyFileSync } from 'node:fs';
import { newCustomBuilder, openFilteredView, type CustomMetric, type CustomScalar, type NativeCustomBuilder, type NativeFilteredIndex } from './filtered-hnsw.js';

export class CustomNative {
  private builder: NativeCustomBuilder | undefined;
  private viewed: NativeFilteredIndex | undefined;
  private viewedPath: string | undefined;

  constructor(private readonly dims: number, private readonly metric: CustomMetric, private readonly scalar: CustomScalar, private readonly connectivity: number, private readonly expansionAdd: number, private readonly ef: number) {}

  private build(): NativeCustomBuilder {
    if (this.viewed) throw new Error('bug: adding to a viewed index');
    return (this.builder ??= newCustomBuilder(this.dims, this.metric, this.scalar, this.connectivity, this.expansionAdd));
  }

  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void {
    this.build().add(keys, vectors, threads);
  }

  search(query: Float32Array | Int8Array, k: number): { keys: BigUint64Array; distances: Float32Array } {
    if (!this.viewed) throw new Error('bug: a custom-metric index is searched through a saved file');
    const r = this.viewed.search(query, k, this.ef);
    return { keys: BigUint64Array.from(r.positions, (p) => BigInt(p)), distances: r.distances };
  }

  save(path: string): void {
    if (this.viewedPath !== undefined) {
      if (path !== this.viewedPath) copyFileSync(this.viewedPath, path);
      return;
    }
    this.build().save(path);
  }

  view(path: string): void {
    this.viewed = openFilteredView(path, this.metric);
    this.viewedPath = path;
    if (!this.viewed) throw new Error(`bug: ${this.metric} HNSW without the native addon`);
  }
}
