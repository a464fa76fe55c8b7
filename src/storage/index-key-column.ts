/**
 * The column an ANN index is built over, as the storage reads it from a sealed segment:
 * the indexed column itself, or an expression index's key (binary_quantize(v)::bit(3)),
 * the engine's function applied to each row's column value. Only a segment's packed key
 * vectors are kept (for its life): an IVFFlat index and a quantized HNSW index read them
 * when searched. Everything else is computed when asked for, so a plain HNSW index holds
 * no second copy of its segment's vectors.
 */
import type { VectorChunk } from '../ann/api.js';
import type { IndexKeys, ToIndexKey, VectorIndexKey, VectorIndexSpec } from './api.js';
import { packBitString, type SealedSegment } from './segment.js';
import { copyVectorColumn } from './vector-copy.js';
import type { Value } from '../types/types.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { IndexBuildAborted } from '../ann/build.js';

/** What an index build or an opened index reads of one sealed segment. */
export interface IndexedColumn {
  readonly dim: number;
  /** vector and halfvec values (NULLs as zeros) */
  vectors(seg: SealedSegment): readonly VectorChunk[];
  /** the vectors in one fresh buffer, which an index build may take over */
  copy(seg: SealedSegment): Promise<Float32Array>;
  /** bit strings packed as SealedSegment.bitColumn packs them, in a fresh buffer */
  bits(seg: SealedSegment): Uint8Array;
  /** 1 where the value is NULL; undefined when none is */
  nulls(seg: SealedSegment): Uint8Array | undefined;
  /**
   * Compute, a few milliseconds at a time between turns of the event loop, what `vectors`
   * (or `bits`) and `nulls` of `seg` will read, so that they answer from memory: an index
   * build awaits it first. (An expression index's keys; a stored column has them already.)
   */
  prepare(seg: SealedSegment, form: 'vectors' | 'bits', signal?: AbortSignal): Promise<void>;
}

/**
 * The indexed column of `spec` in a table whose column `spec.column` has `typmod`
 * dimensions; undefined for an expression index whose key function is not given yet.
 */
export function indexedColumn(spec: VectorIndexSpec, typmod: number, keys: ReadonlyMap<string, VectorIndexKey>): IndexedColumn | undefined {
  const column = spec.column;
  if (!spec.expression) return storedColumn(column, typmod);
  const { key, dim } = spec.expression;
  const given = keys.get(key);
  if (!given) return undefined;
  const { toKey, computeKeys } = given;
  const computed = (seg: SealedSegment) => computedKeys(seg, key);
  /**
   * Every key of the segment, off the session thread when the column is a vector column in
   * shared memory and a worker can compute them, else a slice at a time between turns
   */
  const all = async (seg: SealedSegment, form: 'vectors' | 'bits', shared: boolean, signal?: AbortSignal): Promise<IndexKeys> => {
    const vectors = computeKeys ? seg.sharedVectors(column) : undefined;
    if (computeKeys && vectors) return computeKeys({ column: vectors, nulls: seg.nullMap(column), form, dim, shared }, signal);
    const packer = form === 'vectors' ? new VectorPacker(seg.length, dim, shared) : new BitPacker(seg.length, dim);
    await packInTurns(seg, column, toKey, packer, signal);
    return { packed: packer.out, nulls: packer.nulls() };
  };
  /** every key of the segment at once (when nothing was prepared), noting its NULLs */
  const now = (seg: SealedSegment, form: 'vectors' | 'bits') => {
    const c = computed(seg);
    const packer = form === 'vectors' ? new VectorPacker(seg.length, dim, true) : new BitPacker(seg.length, dim);
    packer.add(seg.columnValues(column), 0, toKey);
    c.nulls = packer.nulls();
    return packer.out;
  };
  return {
    dim,
    vectors: (seg) => {
      const c = computed(seg);
      return [{ start: 0, rows: seg.length, data: (c.vectors ??= now(seg, 'vectors') as Float32Array) }];
    },
    copy: async (seg) => {
      const c = computed(seg);
      // kept for the segment's life only by an index that searches them (vectors): not copied twice
      if (c.vectors) return c.vectors.slice();
      const keys = await all(seg, 'vectors', false);
      c.nulls = keys.nulls;
      return keys.packed as Float32Array;
    },
    // packed afresh each time, as bitColumn does: a build hands its buffer over to its worker
    // (a prepared buffer is handed over once)
    bits: (seg) => {
      const c = computed(seg);
      const prepared = c.bits;
      c.bits = undefined;
      return prepared ?? (now(seg, 'bits') as Uint8Array);
    },
    nulls: (seg) => {
      const c = computed(seg);
      if (c.nulls === 'unknown') now(seg, 'bits');
      return c.nulls === 'unknown' ? undefined : c.nulls;
    },
    prepare: async (seg, form, signal) => {
      const c = computed(seg);
      if (form === 'vectors' ? c.vectors : c.bits) return;
      // kept keys are shared: an IVFFlat build's worker reads them without a copy of them all
      // (structured-cloned, 200,000 × 128 keys held the session thread ~100 ms or more)
      const keys = await all(seg, form, true, signal);
      c.nulls = keys.nulls;
      if (form === 'vectors') c.vectors = keys.packed as Float32Array;
      else c.bits = keys.packed as Uint8Array;
    },
  };
}

/** A stored column itself, of `typmod` dimensions (what an index node reads: it has no expressions). */
export function storedColumn(column: number, typmod: number): IndexedColumn {
  return {
    dim: typmod,
    vectors: (seg) => seg.vectorChunks(column, typmod),
    copy: (seg) => copyVectorColumn(seg, column, typmod),
    bits: (seg) => seg.bitColumn(column, typmod),
    nulls: (seg) => seg.nullMap(column),
    prepare: async () => {},
  };
}

/**
 * What is kept of a segment's keys: the packed key vectors (for the segment's life: an
 * IVFFlat index and a quantized HNSW index read them when searched), prepared bits until a
 * build takes them, and where the keys are NULL ('unknown' until keys were computed).
 */
interface ComputedKeys {
  vectors?: Float32Array;
  bits?: Uint8Array | undefined;
  nulls: Uint8Array | undefined | 'unknown';
}

/** segment → key → what is kept of its keys */
const computedBySegment = new WeakMap<SealedSegment, Map<string, ComputedKeys>>();

function computedKeys(seg: SealedSegment, key: string): ComputedKeys {
  let m = computedBySegment.get(seg);
  if (!m) computedBySegment.set(seg, (m = new Map()));
  let c = m.get(key);
  if (!c) m.set(key, (c = { nulls: 'unknown' }));
  return c;
}

/**
 * How long keys are computed between two turns of the event loop. A 768-d halfvec cast
 * costs tens of µs a row: a fixed number of rows a slice (1,024 before) held the session
 * thread for up to 70 ms there, so the slice is measured in time instead.
 */
const SLICE_MS = 4;
/** rows between two looks at the clock */
const ROWS_PER_CHECK = 16;

/** Keys packed as they are computed, with the positions whose key is NULL. */
export abstract class Packer<T extends Float32Array | Uint8Array> {
  abstract readonly out: T;
  private nullMap: Uint8Array | undefined;
  constructor(protected readonly rows: number) {}
  /** the keys of `values`, the column's values from position `start` on */
  add(values: readonly Value[], start: number, toKey: ToIndexKey): void {
    values.forEach((v, i) => {
      const k = v === null ? null : toKey(v);
      if (k === null) (this.nullMap ??= new Uint8Array(this.rows))[start + i] = 1;
      else this.put(start + i, k);
    });
  }
  nulls(): Uint8Array | undefined { return this.nullMap; }
  protected abstract put(pos: number, key: Value): void;
}

export class VectorPacker extends Packer<Float32Array> {
  readonly out: Float32Array;
  /** `shared`: in a SharedArrayBuffer, which build workers read without a copy (kept keys) */
  constructor(rows: number, private readonly dim: number, shared = false) {
    super(rows);
    this.out = shared ? new Float32Array(new SharedArrayBuffer(rows * dim * 4)) : new Float32Array(rows * dim);
  }
  protected put(pos: number, v: Value): void {
    if (v instanceof Float32Array && v.length === this.dim) this.out.set(v, pos * this.dim);
  }
}

export class BitPacker extends Packer<Uint8Array> {
  readonly out: Uint8Array;
  private readonly per: number;
  constructor(rows: number, private readonly bitCount: number) {
    super(rows);
    this.per = Math.ceil(bitCount / 8);
    this.out = new Uint8Array(rows * this.per);
  }
  protected put(pos: number, v: Value): void {
    packBitString(this.out, pos * this.per, v, this.bitCount);
  }
}

/**
 * Every row's key into `packer`, SLICE_MS at a time with a turn of the event loop between,
 * as copyVectorColumn copies a column: sessions are not held up while a large segment's
 * keys are computed (CREATE INDEX, a seal, a restart, a compaction).
 */
async function packInTurns(seg: SealedSegment, column: number, toKey: ToIndexKey, packer: Packer<Float32Array | Uint8Array>, signal?: AbortSignal): Promise<void> {
  let at = 0;
  while (at < seg.length) {
    if (signal?.aborted) throw new IndexBuildAborted();
    const until = performance.now() + SLICE_MS;
    do {
      const end = Math.min(seg.length, at + ROWS_PER_CHECK);
      packer.add(seg.columnValues(column, at, end), at, toKey);
      at = end;
    } while (at < seg.length && performance.now() < until);
    await nextTurn();
  }
}
