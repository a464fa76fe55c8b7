/**
 * An L1 HNSW graph (pgvector's `<+>`: vector_l1_ops, halfvec_l1_ops) behind the same
 * methods as usearch's binding (usearch-native.ts), which has no L1 metric: built by the
 * native/filtered-hnsw addon with its own L1 kernels and searched through its view of the
 * saved file. A handle made for one ef searches at that ef, as usearch's own handles do.
 */
import { copyFileSync } from 'node:fs';
import { newL1Builder, openFilteredView, type L1Scalar, type NativeFilteredIndex, type NativeL1Builder } from './filtered-hnsw.js';

export class L1Native {
  private builder: NativeL1Builder | undefined;
  private viewed: NativeFilteredIndex | undefined;
  private viewedPath: string | undefined;

  constructor(private readonly dims: number, private readonly scalar: L1Scalar, private readonly connectivity: number, private readonly expansionAdd: number, private readonly ef: number) {}

  private build(): NativeL1Builder {
    if (this.viewed) throw new Error('bug: adding to a viewed L1 index');
    return (this.builder ??= newL1Builder(this.dims, this.scalar, this.connectivity, this.expansionAdd));
  }

  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void {
    this.build().add(keys, vectors, threads);
  }

  search(query: Float32Array | Int8Array, k: number): { keys: BigUint64Array; distances: Float32Array } {
    if (!this.viewed) throw new Error('bug: an L1 index is searched through a saved file');
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
    this.viewed = openFilteredView(path, 'l1');
    this.viewedPath = path;
    if (!this.viewed) throw new Error('bug: L1 HNSW without the native addon');
  }
}
