/**
 * The column an ANN index is built over, as the storage reads it from a sealed segment:
 * the indexed column itself, or an expression index's key (binary_quantize(v)::bit(3)),
 * the engine's function applied to each row's column value. A segment's keys are computed
 * once and kept for its life: an IVFFlat index and a quantized HNSW index read their
 * segment's vectors when searched, and a build reads them again for each index.
 */
import type { VectorChunk } from '../ann/api.js';
import type { ToIndexKey, VectorIndexSpec } from './api.js';
import { packBitString, type SealedSegment } from './segment.js';
import { copyVectorColumn } from './vector-copy.js';
import type { Value } from '../types/types.js';

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
}

/**
 * The indexed column of `spec` in a table whose column `spec.column` has `typmod`
 * dimensions; undefined for an expression index whose key function is not given yet.
 */
export function indexedColumn(spec: VectorIndexSpec, typmod: number, keys: ReadonlyMap<string, ToIndexKey>): IndexedColumn | undefined {
  const column = spec.column;
  if (!spec.expression) {
    return {
      dim: typmod,
      vectors: (seg) => seg.vectorChunks(column, typmod),
      copy: (seg) => copyVectorColumn(seg, column, typmod),
      bits: (seg) => seg.bitColumn(column, typmod),
      nulls: (seg) => seg.nullMap(column),
    };
  }
  const { key, dim } = spec.expression;
  const toKey = keys.get(key);
  if (!toKey) return undefined;
  const values = (seg: SealedSegment) => segmentKeys(seg, column, key, toKey);
  const vectors = (seg: SealedSegment) => cached(seg, `${key}\0vectors`, () => packVectors(values(seg), dim));
  return {
    dim,
    vectors: (seg) => [{ start: 0, rows: seg.length, data: vectors(seg) }],
    copy: async (seg) => vectors(seg).slice(),
    // packed afresh each time, as bitColumn does: a build hands its buffer over to its worker
    bits: (seg) => packBits(values(seg), dim),
    nulls: (seg) => {
      const v = values(seg);
      if (!v.includes(null)) return undefined;
      return Uint8Array.from(v, (x) => (x === null ? 1 : 0));
    },
  };
}

const computed = new WeakMap<SealedSegment, Map<string, unknown>>();

function cached<T>(seg: SealedSegment, name: string, make: () => T): T {
  let m = computed.get(seg);
  if (!m) computed.set(seg, (m = new Map()));
  if (!m.has(name)) m.set(name, make());
  return m.get(name) as T;
}

/** The key of every position (NULL where the column is NULL or the key is). */
function segmentKeys(seg: SealedSegment, column: number, key: string, toKey: ToIndexKey): Value[] {
  return cached(seg, key, () => seg.columnValues(column).map((v) => (v === null ? null : toKey(v))));
}

function packVectors(values: readonly Value[], dim: number): Float32Array {
  const out = new Float32Array(values.length * dim);
  values.forEach((v, pos) => {
    if (v instanceof Float32Array && v.length === dim) out.set(v, pos * dim);
  });
  return out;
}

function packBits(values: readonly Value[], bits: number): Uint8Array {
  const per = Math.ceil(bits / 8);
  const out = new Uint8Array(values.length * per);
  values.forEach((v, pos) => packBitString(out, pos * per, v, bits));
  return out;
}
