/**
 * The column an ANN index is built over, as the storage reads it from a sealed segment:
 * the indexed column itself, or an expression index's key (binary_quantize(v)::bit(3)),
 * the engine's function applied to each row's column value. Only a segment's packed key
 * vectors are kept (for its life): an IVFFlat index and a quantized HNSW index read them
 * when searched. Everything else is computed when asked for, so a plain HNSW index holds
 * no second copy of its segment's vectors.
 */
import type { VectorChunk } from '../ann/api.js';
import type { ToIndexKey, VectorIndexSpec } from './api.js';
import { packBitString, type SealedSegment } from './segment.js';
import { copyVectorColumn } from './vector-copy.js';
import type { Value } from '../types/types.js';
import { setImmediate as nextTurn } from 'node:timers/promises';

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
  if (!spec.expression) return storedColumn(column, typmod);
  const { key, dim } = spec.expression;
  const toKey = keys.get(key);
  if (!toKey) return undefined;
  const values = (seg: SealedSegment) => seg.columnValues(column).map((v) => (v === null ? null : toKey(v)));
  return {
    dim,
    vectors: (seg) => [{ start: 0, rows: seg.length, data: cached(seg, key, () => packVectors(values(seg), dim)) }],
    copy: (seg) => packVectorsInTurns(seg.columnValues(column), toKey, dim),
    // packed afresh each time, as bitColumn does: a build hands its buffer over to its worker
    bits: (seg) => packBits(values(seg), dim),
    nulls: (seg) => {
      const v = values(seg);
      if (!v.includes(null)) return undefined;
      return Uint8Array.from(v, (x) => (x === null ? 1 : 0));
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
  };
}

/** segment → key → its packed key vectors */
const packed = new WeakMap<SealedSegment, Map<string, Float32Array>>();

function cached(seg: SealedSegment, key: string, make: () => Float32Array): Float32Array {
  let m = packed.get(seg);
  if (!m) packed.set(seg, (m = new Map()));
  let v = m.get(key);
  if (!v) m.set(key, (v = make()));
  return v;
}

/**
 * rows whose keys are computed between two turns of the event loop: a 64-d halfvec cast
 * measured 6 µs a row (binary_quantize()::bit(64) 0.5 µs), so about 6 ms a slice
 */
const SLICE_ROWS = 1024;

/**
 * The keys of `values` packed into a fresh buffer, a slice of rows at a time with a turn
 * of the event loop between, as copyVectorColumn copies a column: sessions are not held up
 * while a large segment's keys are computed.
 */
async function packVectorsInTurns(values: readonly Value[], toKey: ToIndexKey, dim: number): Promise<Float32Array> {
  const out = new Float32Array(values.length * dim);
  for (let at = 0; at < values.length; at += SLICE_ROWS) {
    const slice = values.slice(at, at + SLICE_ROWS).map((v) => (v === null ? null : toKey(v)));
    out.set(packVectors(slice, dim), at * dim);
    await nextTurn();
  }
  return out;
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
