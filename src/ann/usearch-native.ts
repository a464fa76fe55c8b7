/**
 * usearch's compiled index class, without the package's JS wrapper: the wrapper turns
 * every typed array into a Float32Array before the native call, and usearch's float → i8
 * cast then scales each vector to unit length, which keeps cosine but not L2. Given an
 * Int8Array directly, the native add and search take the bytes as they are (an i8 index
 * does no cast), so Quiver's own i8 quantization (quantize.ts) reaches the index intact.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface Compiled {
  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void;
  /** [keys, distances, counts] of a batch of queries */
  search(queries: Float32Array | Int8Array, k: number, threads: number): [BigUint64Array, Float32Array, BigUint64Array];
  save(path: string): void;
  view(path: string): void;
}

type CompiledCtor = new (dimensions: number, metric: string, scalar: string, connectivity: number, expansionAdd: number, expansionSearch: number, multi: boolean) => Compiled;

let ctor: CompiledCtor | undefined;

/** The package's native module, found as its own loader finds it (the directory holding prebuilds/ or build/). */
function compiled(): CompiledCtor {
  if (ctor) return ctor;
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('usearch'));
  while (!existsSync(join(dir, 'prebuilds')) && !existsSync(join(dir, 'build'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('usearch native build not found');
    dir = up;
  }
  const load = createRequire(join(dir, 'package.json'))('node-gyp-build') as (d: string) => { CompiledIndex: CompiledCtor };
  ctor = load(dir).CompiledIndex;
  return ctor;
}

export interface UsearchOptions {
  readonly dimensions: number;
  readonly metric: 'l2sq' | 'cos' | 'hamming' | 'tanimoto';
  readonly scalar: 'f32' | 'f16' | 'i8' | 'b1';
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
}

export class UsearchIndex {
  private readonly native: Compiled;

  constructor(o: UsearchOptions) {
    const Ctor = compiled();
    this.native = new Ctor(o.dimensions, o.metric, o.scalar, o.connectivity, o.expansionAdd, o.expansionSearch, false);
  }

  /** `vectors` must start at offset 0 of its buffer (the native side ignores byteOffset) */
  add(keys: BigUint64Array, vectors: Float32Array | Int8Array, threads: number): void {
    this.native.add(keys, vectors.byteOffset === 0 ? vectors : vectors.slice(), threads);
  }

  search(query: Float32Array | Int8Array, k: number): { keys: BigUint64Array; distances: Float32Array } {
    const [keys, distances, counts] = this.native.search(query.byteOffset === 0 ? query : query.slice(), k, 1);
    const n = Number(counts[0]);
    return { keys: keys.subarray(0, n), distances: distances.subarray(0, n) };
  }

  save(path: string): void {
    this.native.save(path);
  }

  view(path: string): void {
    this.native.view(path);
  }
}
