/**
 * Segments (Milvus vocabulary). A table's rows live in
 *   - sealed segments: immutable Arrow IPC files, read back zero-copy (vectors are
 *     Float32Array views into the file buffer), rows sorted by RowId so that fetch() is a
 *     binary search without any extra index;
 *   - frozen segments: growing segments that are being sealed right now (read-only);
 *   - one growing segment: rows appended in commit order, in memory, rebuilt from the log.
 *
 * Every row carries the commit timestamp that inserted it (`_ts` column in sealed files),
 * so a snapshot older than a seal still reads correctly. Deletes are not stored here: they
 * are per-table tombstones (RowId → timestamp) kept by the storage.
 */
import { BuiltInBackground } from './built-in-background.js';
import { RECORD_BATCH_ROWS, isColumnBlock } from './column-blocks.js';
import { SortedColumn } from './sorted-column.js';
import { sortColumnInWorker, sortTextsInWorker, sortTupleInWorker, type NumberChunk } from './sorted-column-build.js';
import { SortedValues } from './sorted-values.js';
import { SortedTuple, type TupleColumnData } from './sorted-tuple.js';
import { InvertedIndex } from './inverted-index.js';
import { Turns } from './turns.js';
import type { TsVector } from '../types/tsvector.js';
import * as arrow from 'apache-arrow';
import { deserialize, serialize } from 'node:v8';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';
import type { PackedTexts, RowId, StoredColumn, ZoneCondition } from './api.js';
import type { VectorChunk } from '../ann/api.js';

/** Columns the storage adds in front of the user's columns in a sealed file. */
export const ROWID_COLUMN = '_rowid';
export const TS_COLUMN = '_ts';

// ---------------------------------------------------------------------------------------
// Column kinds: how a SQL type is laid out in Arrow.

type ColumnKind =
  | 'bool' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64'
  | 'utf8' | 'binary' | 'vector' | 'vectorList' | 'interval' | 'serialized';

const KIND_BY_OID = new Map<number, ColumnKind>([
  [OID.bool, 'bool'], [OID.int2, 'int16'], [OID.int4, 'int32'], [OID.oid, 'int32'],
  [OID.regproc, 'int32'], [OID.regclass, 'int32'], [OID.regtype, 'int32'], [OID.regnamespace, 'int32'],
  [OID.regrole, 'int32'], [OID.regprocedure, 'int32'], [OID.regoper, 'int32'], [OID.regoperator, 'int32'],
  [OID.int8, 'int64'], [OID.float4, 'float32'], [OID.float8, 'float64'],
  // date (days), time and timestamps (microseconds) are JS numbers at runtime, ±Infinity allowed
  [OID.date, 'float64'], [OID.time, 'float64'], [OID.timestamp, 'float64'], [OID.timestamptz, 'float64'],
  [OID.text, 'utf8'], [OID.varchar, 'utf8'], [OID.bpchar, 'utf8'], [OID.name, 'utf8'], [OID.char, 'utf8'],
  [OID.json, 'utf8'], [OID.jsonb, 'utf8'], [OID.uuid, 'utf8'], [OID.numeric, 'utf8'],
  // canonical text forms; segments written before were 'serialized' (storedKind reads either)
  [OID.tsvector, 'utf8'], [OID.tsquery, 'utf8'],
  [OID.inet, 'utf8'], [OID.cidr, 'utf8'], [OID.macaddr, 'utf8'], [OID.macaddr8, 'utf8'],
  [OID.bytea, 'binary'], [OID.interval, 'interval'],
]);

export function columnKind(type: SqlType): ColumnKind {
  // halfvec values are Float32Arrays of float16-exact numbers: stored like vector
  if (type.oid === OID.vector || type.oid === OID.halfvec) return type.typmod > 0 ? 'vector' : 'vectorList';
  // interval, arrays and anything else: one v8-serialized value per cell
  return KIND_BY_OID.get(type.oid) ?? 'serialized';
}

function arrowType(kind: ColumnKind, type: SqlType): arrow.DataType {
  switch (kind) {
    case 'bool': return new arrow.Bool();
    case 'int16': return new arrow.Int16();
    case 'int32': return new arrow.Int32();
    case 'int64': return new arrow.Int64();
    case 'float32': return new arrow.Float32();
    case 'float64': return new arrow.Float64();
    case 'utf8': return new arrow.Utf8();
    case 'binary': case 'serialized': return new arrow.Binary();
    case 'vector': return new arrow.FixedSizeList(type.typmod, new arrow.Field('item', new arrow.Float32(), false));
    case 'vectorList': return new arrow.List(new arrow.Field('item', new arrow.Float32(), false));
    case 'interval': return new arrow.FixedSizeList(3, new arrow.Field('item', new arrow.Float64(), false));
  }
}

/** Rough in-memory size of a row, for the seal threshold (the data, not JS overhead). */
export function rowBytes(row: Row): number {
  let n = 16; // rowid + ts
  for (const v of row) {
    if (v === null) n += 1;
    else if (typeof v === 'string') n += v.length + 4;
    else if (v instanceof Float32Array || v instanceof Uint8Array) n += v.byteLength + 4;
    else if (typeof v === 'object') n += 32;
    else n += 8;
  }
  return n;
}

// ---------------------------------------------------------------------------------------
// Statistics (kept in the manifest, for the planner)

export interface ColumnStats {
  readonly name: string;
  readonly nullCount: number;
  /** JSON-safe: bigints as {$bigint}, absent for types without a useful order */
  readonly min?: unknown;
  readonly max?: unknown;
  /** HyperLogLog estimate of distinct non-null values; absent for vectors and blobs */
  readonly distinct?: number;
}

const HLL_BITS = 10;
const HLL_M = 1 << HLL_BITS;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix32(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashValue(v: Value): number {
  if (typeof v === 'number') {
    f64[0] = v === 0 ? 0 : v;
    return mix32(u32[0] ^ Math.imul(u32[1], 0x9e3779b1));
  }
  if (typeof v === 'bigint') return hashValue(Number(v));
  if (typeof v === 'boolean') return v ? 0x12345679 : 0x7654321;
  const s = typeof v === 'string' ? v : String(v);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return mix32(h);
}

class Hll {
  private readonly reg = new Uint8Array(HLL_M);
  add(h: number): void {
    const idx = h >>> (32 - HLL_BITS);
    const rest = (h << HLL_BITS) >>> 0;
    const rank = rest === 0 ? 32 - HLL_BITS + 1 : Math.clz32(rest) + 1;
    if (rank > this.reg[idx]) this.reg[idx] = rank;
  }
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const r of this.reg) { sum += 2 ** -r; if (r === 0) zeros++; }
    const alpha = 0.7213 / (1 + 1.079 / HLL_M);
    const e = (alpha * HLL_M * HLL_M) / sum;
    if (e <= 2.5 * HLL_M && zeros > 0) return Math.round(HLL_M * Math.log(HLL_M / zeros));
    return Math.round(e);
  }
}

function jsonSafe(v: Value): unknown {
  return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
}

/** Column statistics, accumulated chunk by chunk. */
class StatsBuilder {
  private nullCount = 0;
  private rows = 0;
  private min: Value | undefined;
  private max: Value | undefined;
  private readonly hll: Hll | undefined;
  private readonly ordered: boolean;

  constructor(private readonly name: string, kind: ColumnKind) {
    this.ordered = kind !== 'binary' && kind !== 'serialized' && kind !== 'vector' && kind !== 'vectorList' && kind !== 'interval';
    this.hll = this.ordered ? new Hll() : undefined;
  }

  add(rows: readonly Row[], col: number, start: number, end: number): void {
    this.rows += end - start;
    for (let i = start; i < end; i++) {
      const v = rows[i][col];
      if (v === null || v === undefined) { this.nullCount++; continue; }
      if (!this.ordered) continue;
      this.hll!.add(hashValue(v));
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      if (this.min === undefined || (v as number) < (this.min as number)) this.min = v;
      if (this.max === undefined || (v as number) > (this.max as number)) this.max = v;
    }
  }

  result(): ColumnStats {
    const s: { name: string; nullCount: number; min?: unknown; max?: unknown; distinct?: number } = { name: this.name, nullCount: this.nullCount };
    if (this.min !== undefined) { s.min = jsonSafe(this.min); s.max = jsonSafe(this.max!); }
    if (this.hll) s.distinct = Math.min(this.hll.estimate(), this.rows - this.nullCount);
    return s;
  }
}

// ---------------------------------------------------------------------------------------
// Segments

export interface Segment {
  readonly length: number;
  rowIdAt(pos: number): RowId;
  tsAt(pos: number): number;
  /** highest insert timestamp in the segment (scan skips per-row checks below a snapshot) */
  readonly maxTs: number;
  /** position of a row, or -1 */
  find(rowId: RowId): number;
  /** rows [start, end) materialized as runtime values; with `columns` only those are read (the others NULL) */
  rows(start: number, end: number, columns?: readonly number[]): Row[];
  row(pos: number): Row;
  /** only the given columns are filled in (for unique keys) */
  keyRow(pos: number, columns: readonly number[]): Row;
}

/** The growing segment: rows appended in commit order. */
export class GrowingSegment implements Segment {
  readonly rowIds: RowId[] = [];
  readonly data: Row[] = [];
  readonly insertTs: number[] = [];
  readonly position = new Map<RowId, number>();
  bytes = 0;
  maxTs = 0;
  /** rows from here on were cut off (cutAfter); a scan that began before may still read them */
  private end: number | undefined;

  get length(): number { return this.end ?? this.data.length; }

  append(rowId: RowId, row: Row, ts: number): void {
    if (this.end !== undefined) throw new Error('bug: append to a frozen growing segment');
    this.position.set(rowId, this.data.length);
    this.rowIds.push(rowId);
    this.data.push(row);
    this.insertTs.push(ts);
    this.bytes += rowBytes(row);
    if (ts > this.maxTs) this.maxTs = ts;
  }

  /**
   * The rows committed at or before `ts` and the later ones, as two new segments (rows are
   * appended in commit order, so the first part is a prefix). This one is left as it is:
   * a scan under way may still be reading it.
   */
  splitAfter(ts: number): [GrowingSegment, GrowingSegment] {
    const upTo = new GrowingSegment();
    const later = new GrowingSegment();
    for (let pos = 0; pos < this.length; pos++) (this.insertTs[pos] <= ts ? upTo : later).append(this.rowIds[pos], this.data[pos], this.insertTs[pos]);
    return [upTo, later];
  }

  /**
   * The rows committed after `ts` as a new segment, this one unchanged (a hot standby
   * applying a seal: scans that began before keep reading this one). Rows are in commit
   * order here (appended as the log applies them), so only the tail is copied.
   */
  copyAfter(ts: number): GrowingSegment {
    let n = this.length;
    while (n > 0 && this.insertTs[n - 1] > ts) n--;
    const later = new GrowingSegment();
    for (let pos = n; pos < this.length; pos++) later.append(this.rowIds[pos], this.data[pos], this.insertTs[pos]);
    return later;
  }

  /**
   * Freeze the rows committed at or before `ts` here and return the later ones (a few
   * commits in flight) as a new segment, without copying the rest: splitAfter copies every
   * row (220 000 rows: 200–330 ms on the event loop). This segment takes no more rows; the
   * cut rows stay in its arrays for scans that began before (they read by position).
   */
  cutAfter(ts: number): GrowingSegment {
    let n = this.length;
    while (n > 0 && this.insertTs[n - 1] > ts) n--;
    const later = new GrowingSegment();
    for (let pos = n; pos < this.length; pos++) {
      later.append(this.rowIds[pos], this.data[pos], this.insertTs[pos]);
      this.bytes -= rowBytes(this.data[pos]);
    }
    this.end = n;
    this.maxTs = n > 0 ? this.insertTs[n - 1] : 0;
    return later;
  }

  rowIdAt(pos: number): RowId { return this.rowIds[pos]; }
  tsAt(pos: number): number { return this.insertTs[pos]; }
  find(rowId: RowId): number {
    const pos = this.position.get(rowId);
    return pos !== undefined && pos < this.length ? pos : -1;
  }
  rows(start: number, end: number): Row[] { return this.data.slice(start, end); }
  row(pos: number): Row { return this.data[pos]; }
  keyRow(pos: number): Row { return this.data[pos]; }
}

type Reader = (i: number) => Value;

/** One Arrow record batch of a sealed segment, with fast per-column readers. */
interface SealedChunk {
  readonly start: number;
  readonly length: number;
  readonly rowIds: Float64Array;
  readonly ts: Float64Array;
  readonly readers: Reader[];
  /** per column: NULLs in this chunk */
  readonly nullCounts: number[];
  /** per column: the chunk's vectors as one contiguous view (fixed-size vector columns only) */
  readonly vectors: (Float32Array | undefined)[];
  /** per column: its Arrow data when it holds Utf8 text (packedTexts copies it out) */
  readonly texts: (arrow.Data | undefined)[];
  /** per column: its values when they are numbers (a sorted column's build reads them) */
  readonly numbers: (NumberChunk | undefined)[];
}

/**
 * A vector column in shared memory, one chunk per Arrow record batch: query workers view
 * these SharedArrayBuffers instead of receiving copies. Rows whose vector is NULL hold zeros.
 */
export interface SharedVectors {
  readonly dim: number;
  readonly count: number;
  readonly chunks: readonly { readonly buffer: SharedArrayBuffer; readonly byteOffset: number; readonly rows: number }[];
  /**
   * Where the column comes from: the sealed segment's file (its name in the segment
   * directory and the object store) and its stored column. A query node on another
   * machine loads the same vectors from that file (sharedVectorsOfFile).
   */
  readonly source?: { readonly file: string; readonly column: number };
}

/**
 * Stored column `column` of a sealed segment file's bytes as SharedVectors (the bytes are
 * copied to shared memory once when they are not there already); undefined when that
 * column holds no fixed-size vectors.
 */
export function sharedVectorsOfFile(file: string, bytes: Uint8Array, column: number): SharedVectors | undefined {
  if (!(bytes.buffer instanceof SharedArrayBuffer)) {
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
    shared.set(bytes);
    bytes = shared;
  }
  const table = arrow.tableFromIPC(bytes);
  if (column + 2 >= table.numCols) return undefined;
  const chunks: { buffer: SharedArrayBuffer; byteOffset: number; rows: number }[] = [];
  let dim = 0;
  let count = 0;
  for (const batch of table.batches) {
    const data = batch.getChildAt(column + 2)!.data[0] as arrow.Data;
    if (!arrow.DataType.isFixedSizeList(data.type)) return undefined;
    const view = vectorValues(data, batch.numRows);
    dim = (data.type as arrow.FixedSizeList).listSize;
    chunks.push({ buffer: view.buffer as SharedArrayBuffer, byteOffset: view.byteOffset, rows: batch.numRows });
    count += batch.numRows;
  }
  return count > 0 ? { dim, count, chunks, source: { file, column } } : undefined;
}

/** An immutable sealed segment read back from its Arrow IPC file. */
export class SealedSegment implements Segment {
  readonly length: number;
  maxTs: number;
  readonly minRowId: number;
  readonly maxRowId: number;
  private readonly chunks: SealedChunk[];
  private readonly shared = new Map<number, SharedVectors | undefined>();

  constructor(readonly id: number, readonly file: string, table: arrow.Table, columns: readonly StoredColumn[]) {
    const chunks: SealedChunk[] = [];
    let start = 0;
    let maxTs = 0;
    for (const batch of table.batches) {
      const rowIdData = batch.getChildAt(0)!.data[0];
      const tsData = batch.getChildAt(1)!.data[0];
      const rowIds = (rowIdData.values as Float64Array).subarray(rowIdData.offset, rowIdData.offset + batch.numRows);
      const ts = (tsData.values as Float64Array).subarray(tsData.offset, tsData.offset + batch.numRows);
      for (let i = 0; i < ts.length; i++) if (ts[i] > maxTs) maxTs = ts[i];
      const data = columns.map((_, ci) => batch.getChildAt(ci + 2)!.data[0] as arrow.Data);
      const readers = columns.map((c, ci) => makeReader(storedKind(columnKind(c.type), data[ci]), data[ci]));
      const vectors = columns.map((c, ci) => (columnKind(c.type) === 'vector' ? vectorValues(data[ci], batch.numRows) : undefined));
      const texts = data.map((d) => (arrow.DataType.isUtf8(d.type) ? d : undefined));
      const numbers = columns.map((c, ci) => numberChunk(storedKind(columnKind(c.type), data[ci]), data[ci], start, batch.numRows));
      chunks.push({ start, length: batch.numRows, rowIds, ts, readers, vectors, texts, numbers, nullCounts: data.map((d) => d.nullCount) });
      start += batch.numRows;
    }
    this.chunks = chunks;
    this.length = start;
    this.maxTs = maxTs;
    this.minRowId = start > 0 ? chunks[0].rowIds[0] : 0;
    const last = chunks[chunks.length - 1];
    this.maxRowId = start > 0 ? last.rowIds[last.length - 1] : -1;
  }

  private chunkOf(pos: number): SealedChunk {
    const cs = this.chunks;
    if (cs.length === 1) return cs[0];
    let lo = 0;
    let hi = cs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cs[mid].start <= pos) lo = mid; else hi = mid - 1;
    }
    return cs[lo];
  }

  /**
   * A bulk-ingested segment is written before its commit timestamp exists: every row
   * gets the commit's timestamp here (and again at recovery, from the manifest).
   */
  stampCommit(ts: number): void {
    for (const c of this.chunks) c.ts.fill(ts);
    this.maxTs = ts;
  }

  rowIdAt(pos: number): RowId { const c = this.chunkOf(pos); return c.rowIds[pos - c.start]; }
  tsAt(pos: number): number { const c = this.chunkOf(pos); return c.ts[pos - c.start]; }

  find(rowId: RowId): number {
    if (rowId < this.minRowId || rowId > this.maxRowId) return -1;
    // sorted and unique: as many rows as the span holds means every RowId in it, in order (a
    // bulk load's or a quiet seal's segment): no search
    if (this.length === this.maxRowId - this.minRowId + 1) return rowId - this.minRowId;
    // rows are sorted by RowId across the whole segment
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.rowIdAt(mid);
      if (v === rowId) return mid;
      if (v < rowId) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  rows(start: number, end: number, columns?: readonly number[]): Row[] {
    const out: Row[] = [];
    while (start < end) {
      const c = this.chunkOf(start);
      const stop = Math.min(end, c.start + c.length);
      const readers = c.readers;
      const w = readers.length;
      if (columns) {
        // decode only what the query reads: a text or vector column nobody reads costs nothing
        const read = columns.map((k) => readers[k]);
        for (let p = start - c.start, q = stop - c.start; p < q; p++) {
          const row: Row = new Array(w).fill(null);
          for (let j = 0; j < columns.length; j++) row[columns[j]] = read[j](p);
          out.push(row);
        }
      } else {
        for (let p = start - c.start, q = stop - c.start; p < q; p++) {
          const row: Row = new Array(w);
          for (let k = 0; k < w; k++) row[k] = readers[k](p);
          out.push(row);
        }
      }
      start = stop;
    }
    return out;
  }

  row(pos: number): Row { return this.rows(pos, pos + 1)[0]; }

  /**
   * The rows at `positions` (ascending), only `columns` decoded (the others NULL), their
   * RowIds into `rowIds`: an index scan's rows, one chunk lookup per chunk instead of per row.
   */
  rowsAt(positions: ArrayLike<number>, columns: readonly number[], rowIds?: RowId[]): Row[] {
    const out: Row[] = new Array(positions.length);
    let c: SealedChunk | undefined;
    let read: Reader[] = [];
    let w = 0;
    for (let i = 0; i < positions.length; i++) {
      const pos = positions[i]!;
      if (!c || pos < c.start || pos >= c.start + c.length) {
        c = this.chunkOf(pos);
        const readers = c.readers;
        read = columns.map((k) => readers[k]);
        w = readers.length;
      }
      const row: Row = new Array(w).fill(null);
      const p = pos - c.start;
      for (let j = 0; j < columns.length; j++) row[columns[j]] = read[j](p);
      out[i] = row;
      if (rowIds) rowIds[i] = c.rowIds[p];
    }
    return out;
  }

  /**
   * One vector column as a fresh contiguous Float32Array starting at offset 0 (what the
   * ANN library needs); NULL vectors come out as zeros (callers skip NULL rows).
   */
  vectorColumn(col: number, dim: number): Float32Array {
    const out = new Float32Array(this.length * dim);
    for (const c of this.chunks) {
      const read = c.readers[col];
      for (let i = 0; i < c.length; i++) {
        const v = read(i) as Float32Array | null;
        if (v !== null && v.length === dim) out.set(v, (c.start + i) * dim);
      }
    }
    return out;
  }

  /**
   * A vector column as the ANN builds read it: views of the chunks' own memory when each
   * chunk holds its vectors contiguously, else one copied chunk (NULL vectors as zeros).
   */
  vectorChunks(col: number, dim: number): VectorChunk[] {
    if (this.chunks.every((c) => c.vectors[col] !== undefined && c.vectors[col]!.length === c.length * dim)) {
      return this.chunks.map((c) => ({ start: c.start, rows: c.length, data: c.vectors[col]! }));
    }
    return [{ start: 0, rows: this.length, data: this.vectorColumn(col, dim) }];
  }

  /**
   * The positions whose row meets every condition (NULL meets none), ascending: the rows a
   * partial index holds.
   */
  positionsWhere(conditions: readonly ZoneCondition[]): Int32Array {
    const cols = [...new Set(conditions.map((c) => c.column))];
    const out: number[] = [];
    const meets = (v: unknown, c: ZoneCondition) => {
      if (typeof v !== 'number' && typeof v !== 'bigint') return false;
      const x = Number(v);
      const y = Number(c.value);
      switch (c.op) {
        case '=': return x === y;
        case '<': return x < y;
        case '<=': return x <= y;
        case '>': return x > y;
        case '>=': return x >= y;
      }
    };
    this.forEachPartial(cols, (pos, partial) => {
      if (conditions.every((c) => meets(partial[c.column], c))) out.push(pos);
    });
    return Int32Array.from(out);
  }

  /** One column's values in position order, of positions [start, end) (a sparse vector index packs them itself). */
  columnValues(col: number, start = 0, end = this.length): Value[] {
    const out: Value[] = new Array(Math.max(0, end - start));
    for (let pos = start; pos < end;) {
      const c = this.chunkOf(pos);
      const read = c.readers[col];
      const stop = Math.min(end, c.start + c.length);
      for (; pos < stop; pos++) out[pos - start] = read(pos - c.start);
    }
    return out;
  }

  /**
   * A bit(n) column as `n`-bit strings packed 8 bits a byte, most significant first,
   * ceil(n / 8) bytes a row (NULLs and strings of another length as zeros).
   */
  bitColumn(col: number, bits: number): Uint8Array {
    const per = Math.ceil(bits / 8);
    const out = new Uint8Array(this.length * per);
    for (const c of this.chunks) {
      const read = c.readers[col];
      for (let i = 0; i < c.length; i++) {
        packBitString(out, (c.start + i) * per, read(i), bits);
      }
    }
    return out;
  }

  /** One byte per position, 1 where the column is NULL; undefined when no row is NULL. */
  nullMap(col: number): Uint8Array | undefined {
    if (this.nullCount(col) === 0) return undefined;
    const out = new Uint8Array(this.length);
    for (const c of this.chunks) {
      const read = c.readers[col];
      for (let i = 0; i < c.length; i++) if (read(i) === null) out[c.start + i] = 1;
    }
    return out;
  }

  private readonly sorted = new BuiltInBackground<number, SortedColumn>();

  /**
   * The column's values in order when its index is built (undefined: not built yet, or not
   * numbers). The first call starts the build, in a worker thread: the caller goes on
   * without it (testing every row) rather than wait for the sort.
   */
  sortedColumn(col: number): SortedColumn | undefined {
    if (!this.sorted.settled(col)) void this.sortedColumnBuilt(col);
    return this.sorted.get(col);
  }

  /** The column's sorted index build while it is under way (started here if not yet), else undefined. */
  sortedColumnPending(col: number): Promise<SortedColumn | undefined> | undefined {
    return this.sorted.settled(col) ? undefined : this.sortedColumnBuilt(col);
  }

  /** The column's sorted index once built (undefined: the column does not hold numbers, or the build failed). */
  sortedColumnBuilt(col: number): Promise<SortedColumn | undefined> {
    return this.sorted.built(col, () => {
      const chunks = this.chunks.map((c) => c.numbers[col]);
      if (!chunks.every((c) => c !== undefined)) return undefined;
      return sortColumnInWorker(this.length, (chunks as NumberChunk[]).map(shareable)).then((keys) => keys && SortedColumn.of(keys));
    });
  }

  private readonly sortedText = new BuiltInBackground<number, SortedValues>();

  /**
   * A text, varchar or numeric column's sorted index (sorted-values.ts) when built; the first
   * call starts the build in the sorted column worker, and the caller goes on without it.
   * Undefined for good when the column is not stored as Utf8.
   */
  sortedValues(col: number, type: SqlType): SortedValues | undefined {
    if (!this.sortedText.settled(col)) void this.sortedValuesBuilt(col, type);
    return this.sortedText.get(col);
  }

  /** The text, varchar or numeric column's sorted index once built (undefined: not stored as Utf8, or the build failed). */
  sortedValuesBuilt(col: number, type: SqlType): Promise<SortedValues | undefined> {
    return this.sortedText.built(col, () => {
      const texts = this.packedTexts(col);
      if (!texts) return undefined;
      const read = (pos: number) => this.columnValues(col, pos, pos + 1)[0];
      return sortTextsInWorker(texts, type.oid === OID.numeric ? 'numeric' : 'text').then((positions) => new SortedValues(positions, type, read));
    });
  }

  private readonly sortedBooleans = new Map<number, SortedColumn>();

  /**
   * A boolean column's sorted index (false rows, then true rows, by position; NULLs left
   * out), keyed 0 and 1: one pass over the column, made on first use.
   */
  sortedBools(col: number): SortedColumn {
    let sorted = this.sortedBooleans.get(col);
    if (!sorted) {
      const flags = this.boolFlags(col);
      let falses = 0, n = 0;
      for (const f of flags) if (f !== 2) { n++; if (f === 0) falses++; }
      const keys = new Float64Array(n).fill(1, falses);
      const positions = new Int32Array(n);
      let f = 0, t = falses;
      flags.forEach((v, pos) => { if (v === 0) positions[f++] = pos; else if (v === 1) positions[t++] = pos; });
      sorted = SortedColumn.of({ keys, positions, precise: true });
      this.sortedBooleans.set(col, sorted);
    }
    return sorted;
  }

  /** a boolean column as one byte a row: 0 false, 1 true, 2 NULL */
  private boolFlags(col: number): Uint8Array {
    const out = new Uint8Array(this.length);
    for (const c of this.chunks) {
      const read = c.readers[col];
      for (let i = 0; i < c.length; i++) {
        const v = read(i);
        out[c.start + i] = v === null ? 2 : v ? 1 : 0;
      }
    }
    return out;
  }

  private readonly sortedTuples = new BuiltInBackground<string, SortedTuple>();

  /**
   * A multi-column B-tree key's sorted index (sorted-tuple.ts) over `cols` of `types` when
   * built; the first call starts the build in the sorted column worker, and the caller goes
   * on without it. Undefined for good when a column holds neither numbers nor Utf8 text.
   */
  sortedTuple(cols: readonly number[], types: readonly SqlType[]): SortedTuple | undefined {
    const key = cols.join(',');
    if (!this.sortedTuples.settled(key)) void this.sortedTupleBuilt(cols, types);
    return this.sortedTuples.get(key);
  }

  /** The key's sorted index once built (undefined: a column holds neither numbers nor Utf8 text, or the build failed). */
  sortedTupleBuilt(cols: readonly number[], types: readonly SqlType[]): Promise<SortedTuple | undefined> {
    return this.sortedTuples.built(cols.join(','), () => {
      const data: TupleColumnData[] = [];
      for (let k = 0; k < cols.length; k++) {
        const col = cols[k]!;
        if (types[k]!.oid === OID.bool) {
          data.push({ flags: this.boolFlags(col) });
          continue;
        }
        const chunks = this.chunks.map((c) => c.numbers[col]);
        const texts = chunks.every((c) => c !== undefined) ? undefined : this.packedTexts(col);
        if (texts) data.push({ texts, order: types[k]!.oid === OID.numeric ? 'numeric' : 'text' });
        else if (chunks.every((c) => c !== undefined)) data.push({ chunks: (chunks as NumberChunk[]).map(shareable) });
        else return undefined;
      }
      const read = (pos: number, k: number) => this.columnValues(cols[k]!, pos, pos + 1)[0];
      return sortTupleInWorker(this.length, data).then((positions) => new SortedTuple(positions, types, read));
    });
  }

  private readonly inverted = new Map<string, InvertedIndex>();

  /** A text index's inverted index over the column's values as tsvectors, built on first use */
  invertedIndex(key: string, col: number, toVector: (value: unknown) => TsVector | null): InvertedIndex {
    let index = this.inverted.get(key);
    if (!index) {
      const values: unknown[] = new Array(this.length);
      this.forEachPartial([col], (pos, partial) => { values[pos] = partial[col]; });
      index = InvertedIndex.build(this.length, (pos) => (values[pos] === null || values[pos] === undefined ? null : toVector(values[pos])));
      this.inverted.set(key, index);
    }
    return index;
  }

  /** whether the segment holds the inverted index named `key` (built, or read from its file) */
  hasInvertedIndex(key: string): boolean {
    return this.inverted.has(key);
  }

  /** An inverted index read from its file: invertedIndex(key) answers with it from now on */
  adoptInvertedIndex(key: string, index: InvertedIndex): void {
    this.inverted.set(key, index);
  }

  /**
   * A text column's values as one buffer of UTF-8 bytes with offsets (plain memory another
   * thread can be handed): copies of the Arrow buffers, without decoding a string.
   * Undefined when the column is not stored as Utf8 (a segment written before it was).
   */
  packedTexts(col: number): PackedTexts | undefined {
    if (!this.chunks.every((c) => c.texts[col] !== undefined)) return undefined;
    let size = 0;
    for (const c of this.chunks) {
      const d = c.texts[col]!;
      size += d.valueOffsets[d.offset + c.length]! - d.valueOffsets[d.offset]!;
    }
    const bytes = new Uint8Array(size);
    const offsets = new Int32Array(this.length + 1);
    const nulls = this.nullCount(col) > 0 ? new Uint8Array(this.length) : undefined;
    let at = 0;
    for (const c of this.chunks) {
      const d = c.texts[col]!;
      const from = d.valueOffsets[d.offset]!;
      const to = d.valueOffsets[d.offset + c.length]!;
      bytes.set((d.values as Uint8Array).subarray(from, to), at);
      for (let i = 1; i <= c.length; i++) offsets[c.start + i] = at + d.valueOffsets[d.offset + i]! - from;
      at += to - from;
      if (nulls && d.nullCount > 0) {
        const bitmap = d.nullBitmap;
        for (let i = 0; i < c.length; i++) if (!((bitmap[(i + d.offset) >> 3]! >> ((i + d.offset) & 7)) & 1)) nulls[c.start + i] = 1;
      }
    }
    return { rows: this.length, offsets, bytes, ...(nulls ? { nulls } : {}) };
  }

  /** NULLs in a column (0: every row has a value) */
  nullCount(col: number): number {
    let n = 0;
    for (const c of this.chunks) n += c.nullCounts[col];
    return n;
  }

  /**
   * A fixed-size vector column as the SharedArrayBuffer memory the segment already reads
   * it from (no copy), or undefined when it is not in shared memory. One object per column
   * for the segment's lifetime: query workers key their attachment on its identity.
   */
  sharedVectors(col: number): SharedVectors | undefined {
    if (this.shared.has(col)) return this.shared.get(col);
    let out: SharedVectors | undefined;
    const views = this.chunks.map((c) => c.vectors[col]);
    if (this.length > 0 && views.every((v) => v !== undefined && v.buffer instanceof SharedArrayBuffer)) {
      const dim = views[0]!.length / this.chunks[0].length;
      out = {
        dim, count: this.length,
        chunks: this.chunks.map((c, i) => ({ buffer: views[i]!.buffer as SharedArrayBuffer, byteOffset: views[i]!.byteOffset, rows: c.length })),
        source: { file: this.file, column: col },
      };
    }
    this.shared.set(col, out);
    return out;
  }

  /**
   * Visit every row (or the positions [from, to)) with only `columns` read (one reused
   * partial row: the callback must not keep it); the callback returns false to stop.
   */
  forEachPartial(columns: readonly number[], visit: (pos: number, partial: Row) => boolean | void, from = 0, to = this.length): void {
    const partial: Row = [];
    for (const c of this.chunks) {
      if (c.start + c.length <= from) continue;
      if (c.start >= to) return;
      const readers = columns.map((k) => c.readers[k]);
      const stop = Math.min(c.length, to - c.start);
      for (let i = Math.max(0, from - c.start); i < stop; i++) {
        for (let j = 0; j < columns.length; j++) partial[columns[j]] = readers[j](i);
        if (visit(c.start + i, partial) === false) return;
      }
    }
  }

  /** a row of `width` values with only `columns` read, the others NULL */
  partialRow(pos: number, columns: readonly number[], width: number): Row {
    const c = this.chunkOf(pos);
    const row: Row = new Array(width).fill(null);
    for (const k of columns) row[k] = c.readers[k](pos - c.start);
    return row;
  }

  keyRow(pos: number, columns: readonly number[]): Row {
    const c = this.chunkOf(pos);
    const row: Row = [];
    for (const k of columns) row[k] = c.readers[k](pos - c.start);
    return row;
  }
}

/** The vectors of a FixedSizeList<Float32> chunk as one contiguous view. */
function vectorValues(data: arrow.Data, rows: number): Float32Array {
  const child = data.children[0];
  const dims = (data.type as arrow.FixedSizeList).listSize;
  const from = child.offset + data.offset * dims;
  return (child.values as Float32Array).subarray(from, from + rows * dims);
}

/** a text column a segment file holds as v8-serialized values (written before its type was stored as utf8) */
/** A numeric column's values in one record batch (views of its Arrow buffers), else undefined. */
function numberChunk(kind: ColumnKind, data: arrow.Data, start: number, length: number): NumberChunk | undefined {
  if (kind !== 'int16' && kind !== 'int32' && kind !== 'int64' && kind !== 'float32' && kind !== 'float64') return undefined;
  const off = data.offset;
  const values = (data.values as NumberChunk['values']).subarray(off, off + length);
  if (data.nullCount === 0) return { start, length, values, bitOffset: 0 };
  return { start, length, values, validity: data.nullBitmap.subarray(off >> 3, (off + length + 7) >> 3), bitOffset: off & 7 };
}

/**
 * The chunk as the sort worker is sent it: views of shared memory stay views (the worker
 * reads the same bytes), anything else is copied, so that only the copies go to the worker.
 */
function shareable(c: NumberChunk): NumberChunk {
  if (c.values.buffer instanceof SharedArrayBuffer) return c;
  return { ...c, values: c.values.slice(), ...(c.validity ? { validity: c.validity.slice() } : {}) };
}

function storedKind(kind: ColumnKind, data: arrow.Data): ColumnKind {
  return kind === 'utf8' && !arrow.DataType.isUtf8(data.type) ? 'serialized' : kind;
}

function makeReader(kind: ColumnKind, data: arrow.Data): Reader {
  const off = data.offset;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  const read = valueReader(kind, data, off);
  if (!bitmap) return read;
  return (i) => ((bitmap[(i + off) >> 3] >> ((i + off) & 7)) & 1 ? read(i) : null);
}

function valueReader(kind: ColumnKind, data: arrow.Data, off: number): Reader {
  switch (kind) {
    case 'bool': {
      const bits = data.values as Uint8Array;
      return (i) => ((bits[(i + off) >> 3] >> ((i + off) & 7)) & 1) === 1;
    }
    case 'int16': case 'int32': case 'float32': case 'float64': {
      const vals = data.values as Int16Array | Int32Array | Float32Array | Float64Array;
      return (i) => vals[i + off];
    }
    case 'int64': {
      const vals = data.values as BigInt64Array;
      return (i) => vals[i + off];
    }
    case 'utf8': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return (i) => buf.toString('utf8', offsets[i + off], offsets[i + off + 1]);
    }
    case 'binary': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => Buffer.from(bytes.buffer, bytes.byteOffset + offsets[i + off], offsets[i + off + 1] - offsets[i + off]);
    }
    case 'serialized': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      return (i) => deserialize(bytes.subarray(offsets[i + off], offsets[i + off + 1])) as Value;
    }
    case 'vector': {
      const child = data.children[0];
      const dims = (data.type as arrow.FixedSizeList).listSize;
      const vals = (child.values as Float32Array).subarray(child.offset);
      return (i) => vals.subarray((i + off) * dims, (i + off + 1) * dims);
    }
    case 'vectorList': {
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0];
      const vals = (child.values as Float32Array).subarray(child.offset);
      return (i) => vals.subarray(offsets[i + off], offsets[i + off + 1]);
    }
    case 'interval': {
      const child = data.children[0];
      const vals = (child.values as Float64Array).subarray(child.offset);
      return (i) => ({ months: vals[(i + off) * 3], days: vals[(i + off) * 3 + 1], micros: vals[(i + off) * 3 + 2] });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Writing a sealed segment

/** Rows read from the source and encoded at a time. */
const READ_ROWS = 256;

/** Rows of a segment to be, read a few hundred at a time. */
export interface SegmentSource {
  readonly length: number;
  /** rows [start, end), in RowId order */
  read(start: number, end: number): SegmentRows;
}

export interface SegmentRows {
  readonly rowIds: ArrayLike<RowId>;
  /** each row's inserting commit timestamp */
  readonly ts: ArrayLike<number>;
  readonly rows: readonly Row[];
}

/** A source over rows held in arrays (already sorted by RowId). */
export function arraySource(rowIds: readonly RowId[], ts: readonly number[], rows: readonly Row[]): SegmentSource {
  return {
    length: rows.length,
    read: (start, end) => ({ rowIds: rowIds.slice(start, end), ts: ts.slice(start, end), rows: rows.slice(start, end) }),
  };
}

/**
 * Encode rows (already sorted by RowId) as an Arrow IPC file, plus their statistics: the
 * rows are read a few hundred at a time into column buffers, with a turn of the event loop
 * every few milliseconds, so a seal, a compaction or a bulk load never holds the sessions
 * up for long (a 65,536-row record batch of 768-d vectors in one go held the loop for
 * ~100 ms). Every buffer is shared memory: the file's bytes (the IPC writer's chunks are
 * views of them) go to the segment file writer's thread without a copy, and query workers
 * and sort builds read the sealed segment's columns where they are.
 */
export async function encodeSegment(columns: readonly StoredColumn[], src: SegmentSource, meta: Record<string, string>): Promise<EncodedSegment> {
  const kinds = columns.map((c) => columnKind(c.type));
  const fields = [
    new arrow.Field(ROWID_COLUMN, new arrow.Float64(), false),
    new arrow.Field(TS_COLUMN, new arrow.Float64(), false),
    ...columns.map((c, i) => new arrow.Field(c.name, arrowType(kinds[i], c.type), true,
      new Map([['quiver.oid', String(c.type.oid)], ['quiver.typmod', String(c.type.typmod)]]))),
  ];
  const schema = new arrow.Schema(fields, new Map(Object.entries(meta)));
  const structType = new arrow.Struct(fields);
  const stats = columns.map((c, ci) => new StatsBuilder(c.name, kinds[ci]));
  const batches: arrow.RecordBatch[] = [];
  const n = src.length;
  const turns = new Turns();
  for (let start = 0; start < n || batches.length === 0; start += RECORD_BATCH_ROWS) {
    const end = Math.min(n, start + RECORD_BATCH_ROWS);
    const len = end - start;
    const rowIds = sharedArray(Float64Array, len);
    const ts = sharedArray(Float64Array, len);
    const builders = columns.map((_, ci) => new ColumnBuilder(kinds[ci], fields[ci + 2].type, len));
    for (let at = start; at < end; at += READ_ROWS) {
      const part = src.read(at, Math.min(end, at + READ_ROWS));
      const m = part.rows.length;
      for (let i = 0; i < m; i++) {
        rowIds[at - start + i] = part.rowIds[i];
        ts[at - start + i] = part.ts[i];
      }
      for (let ci = 0; ci < builders.length; ci++) {
        builders[ci].append(part.rows, ci);
        stats[ci].add(part.rows, ci, 0, m);
      }
      await turns.take();
    }
    const children: arrow.Data[] = [
      arrow.makeData({ type: new arrow.Float64(), length: len, nullCount: 0, data: rowIds }),
      arrow.makeData({ type: new arrow.Float64(), length: len, nullCount: 0, data: ts }),
      ...builders.map((b) => b.finish()),
    ];
    const data = arrow.makeData({ type: structType, length: len, nullCount: 0, children });
    batches.push(new arrow.RecordBatch(schema, data));
    if (n === 0) break;
  }
  const table = new arrow.Table(schema, batches);
  // The IPC file as the writer's chunks: views of the buffers above plus the format's
  // small metadata (joining them into one buffer would copy every byte once more). Written
  // a batch at a time and taken a chunk at a time between turns (the writer's writeAll and
  // the draining of its queue held the loop ~12 ms in one piece for 200,000 × 128).
  const writer = new arrow.RecordBatchFileWriter();
  writer.reset(undefined, schema);
  for (const batch of batches) {
    writer.write(batch);
    await turns.take();
  }
  writer.finish();
  const chunks: Uint8Array[] = [];
  let byteLength = 0;
  for await (const chunk of writer) {
    chunks.push(chunk);
    byteLength += chunk.byteLength;
    await turns.take();
  }
  return { chunks, byteLength, table, stats: stats.map((b) => b.result()) };
}

/** A segment encoded as an Arrow IPC file: its bytes (in chunks) and the table they hold. */
export interface EncodedSegment {
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
  readonly table: arrow.Table;
  readonly stats: ColumnStats[];
}

type TypedArrayOf<T> = { new (buffer: SharedArrayBuffer): T; readonly BYTES_PER_ELEMENT: number };

/** A typed array of `length` elements in shared memory. */
function sharedArray<T>(Ctor: TypedArrayOf<T>, length: number): T {
  return new Ctor(new SharedArrayBuffer(length * Ctor.BYTES_PER_ELEMENT));
}

/** Arrow's validity bitmap of `length` rows, padded to 8 bytes. */
function bitmapBytes(length: number): number {
  return ((length + 63) >> 6) << 3;
}

/**
 * One column of one record batch, filled a few rows at a time (append) and then made
 * Arrow data (finish). Fixed-width values are written into their buffer as they come;
 * variable-width ones (text, bytes, serialized values, vectors without dimensions) are
 * kept per row and laid out once the batch's size is known.
 */
class ColumnBuilder {
  private filled = 0;
  private nulls = 0;
  private readonly valid: Uint8Array;
  /** fixed-width values (bool: bits); a vector column's only once its vectors are copied */
  private values: Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | undefined;
  /**
   * a vector column whose vectors so far lie back to back from `offset` of a bulk load's
   * column block (column-blocks.ts), taken as they are unless one breaks the run
   */
  private run: { buffer: SharedArrayBuffer; offset: number } | undefined;
  /** variable-width: the end offset of each row's value, and the values */
  private readonly offsets: Int32Array | undefined;
  private readonly parts: Uint8Array[] | Float32Array[] = [];
  private total = 0;
  /** utf8: the values' bytes so far, written in place (a Buffer per value was most of a seal's garbage) */
  private text: Buffer | undefined;

  constructor(private readonly kind: ColumnKind, private readonly type: arrow.DataType, private readonly length: number) {
    this.valid = sharedArray(Uint8Array, bitmapBytes(length));
    switch (kind) {
      case 'bool': this.values = sharedArray(Uint8Array, bitmapBytes(length)); break;
      case 'int16': this.values = sharedArray(Int16Array, length); break;
      case 'int32': this.values = sharedArray(Int32Array, length); break;
      case 'float32': this.values = sharedArray(Float32Array, length); break;
      case 'float64': this.values = sharedArray(Float64Array, length); break;
      case 'int64': this.values = sharedArray(BigInt64Array, length); break;
      case 'vector': break;
      case 'interval': this.values = sharedArray(Float64Array, length * 3); break;
      case 'utf8': case 'binary': case 'serialized': case 'vectorList': this.offsets = sharedArray(Int32Array, length + 1); break;
    }
  }

  append(rows: readonly Row[], col: number): void {
    const base = this.filled;
    const m = rows.length;
    for (let i = 0; i < m; i++) {
      const v = rows[i][col];
      if (v === null || v === undefined) this.nulls++;
      else this.valid[(base + i) >> 3] |= 1 << ((base + i) & 7);
    }
    switch (this.kind) {
      case 'bool': {
        const bits = this.values as Uint8Array;
        for (let i = 0; i < m; i++) if (rows[i][col] === true) bits[(base + i) >> 3] |= 1 << ((base + i) & 7);
        break;
      }
      case 'int16': case 'int32': case 'float32': case 'float64': {
        const vals = this.values as Float64Array;
        for (let i = 0; i < m; i++) { const v = rows[i][col]; if (v !== null && v !== undefined) vals[base + i] = v as number; }
        break;
      }
      case 'int64': {
        const vals = this.values as BigInt64Array;
        for (let i = 0; i < m; i++) { const v = rows[i][col]; if (v !== null && v !== undefined) vals[base + i] = v as bigint; }
        break;
      }
      case 'vector': {
        const dims = (this.type as arrow.FixedSizeList).listSize;
        let i = 0;
        if (this.values === undefined) {
          for (; i < m; i++) {
            const v = rows[i][col];
            if (!(v instanceof Float32Array) || v.length !== dims) break;
            if (base + i === 0) {
              if (!isColumnBlock(v.buffer)) break;
              this.run = { buffer: v.buffer as SharedArrayBuffer, offset: v.byteOffset };
            } else if (v.buffer !== this.run!.buffer || v.byteOffset !== this.run!.offset + (base + i) * dims * 4) break;
          }
          if (i === m) break;
          // the run ends here: the vectors are copied, the run's from its block
          this.values = sharedArray(Float32Array, this.length * dims);
          if (base + i > 0) this.values.set(new Float32Array(this.run!.buffer, this.run!.offset, (base + i) * dims));
          this.run = undefined;
        }
        const vals = this.values as Float32Array;
        for (; i < m; i++) {
          const v = rows[i][col] as Float32Array | null | undefined;
          if (v) vals.set(v.length === dims ? v : v.subarray(0, dims), (base + i) * dims);
        }
        break;
      }
      case 'interval': {
        const vals = this.values as Float64Array;
        for (let i = 0; i < m; i++) {
          const v = rows[i][col] as { months: number; days: number; micros: number } | null | undefined;
          if (v) { const at = (base + i) * 3; vals[at] = v.months; vals[at + 1] = v.days; vals[at + 2] = v.micros; }
        }
        break;
      }
      case 'utf8': {
        for (let i = 0; i < m; i++) {
          const v = rows[i][col] as string | null | undefined;
          if (v !== null && v !== undefined) {
            // at most 3 bytes per UTF-16 code unit
            const room = this.total + 3 * v.length;
            if (!this.text || this.text.byteLength < room) {
              const grown = Buffer.allocUnsafe(Math.max(room, 2 * (this.text?.byteLength ?? 4096)));
              this.text?.copy(grown, 0, 0, this.total);
              this.text = grown;
            }
            this.total += this.text.write(v, this.total, 'utf8');
          }
          this.offsets![base + i + 1] = this.total;
        }
        break;
      }
      case 'binary': case 'serialized': {
        const parts = this.parts as Uint8Array[];
        for (let i = 0; i < m; i++) {
          const v = rows[i][col];
          if (v !== null && v !== undefined) {
            const b = this.kind === 'binary' ? (v as Uint8Array) : serialize(v);
            parts.push(b);
            this.total += b.byteLength;
          }
          this.offsets![base + i + 1] = this.total;
        }
        break;
      }
      case 'vectorList': {
        const parts = this.parts as Float32Array[];
        for (let i = 0; i < m; i++) {
          const v = rows[i][col] as Float32Array | null | undefined;
          if (v) { parts.push(v); this.total += v.length; }
          this.offsets![base + i + 1] = this.total;
        }
        break;
      }
    }
    this.filled += m;
  }

  finish(): arrow.Data {
    if (this.filled !== this.length) throw new Error(`bug: a column of ${this.length} rows was given ${this.filled}`);
    const base = { length: this.length, nullCount: this.nulls, nullBitmap: this.nulls > 0 ? this.valid : undefined };
    switch (this.kind) {
      case 'bool':
        return arrow.makeData({ ...base, type: this.type as arrow.Bool, data: this.values as Uint8Array });
      case 'int16': case 'int32': case 'float32': case 'float64':
        return arrow.makeData({ ...base, type: this.type as arrow.Int32, data: this.values as Int32Array });
      case 'int64':
        return arrow.makeData({ ...base, type: this.type as arrow.Int64, data: this.values as BigInt64Array });
      case 'vector': {
        const size = this.length * (this.type as arrow.FixedSizeList).listSize;
        const vals = (this.values as Float32Array | undefined)
          ?? (this.run ? new Float32Array(this.run.buffer, this.run.offset, size) : sharedArray(Float32Array, size));
        const child = arrow.makeData({ type: new arrow.Float32(), length: vals.length, nullCount: 0, data: vals });
        return arrow.makeData({ ...base, type: this.type as arrow.FixedSizeList<arrow.Float32>, child });
      }
      case 'interval': {
        const vals = this.values as Float64Array;
        const child = arrow.makeData({ type: new arrow.Float64(), length: vals.length, nullCount: 0, data: vals });
        return arrow.makeData({ ...base, type: this.type as arrow.FixedSizeList<arrow.Float64>, child });
      }
      case 'utf8': case 'binary': case 'serialized': {
        const bytes = sharedArray(Uint8Array, this.total);
        if (this.text) bytes.set(this.text.subarray(0, this.total));
        let at = 0;
        for (const p of this.parts as Uint8Array[]) { bytes.set(p, at); at += p.byteLength; }
        return arrow.makeData({ ...base, type: this.type as arrow.Utf8, valueOffsets: this.offsets!, data: bytes });
      }
      case 'vectorList': {
        const vals = sharedArray(Float32Array, this.total);
        let at = 0;
        for (const p of this.parts as Float32Array[]) { vals.set(p, at); at += p.length; }
        const child = arrow.makeData({ type: new arrow.Float32(), length: this.total, nullCount: 0, data: vals });
        return arrow.makeData({ ...base, type: this.type as arrow.List<arrow.Float32>, valueOffsets: this.offsets!, child });
      }
    }
  }
}

/** Parse a sealed segment file's bytes (zero-copy: vectors stay views into `bytes`). */
export function decodeSegment(id: number, file: string, bytes: Uint8Array, columns: readonly StoredColumn[]): SealedSegment {
  // With a vector column the whole file goes to shared memory (one copy at load; the file's
  // buffer is then garbage): query workers view its vectors where the segment reads them.
  if (columns.some((c) => columnKind(c.type) === 'vector') && !(bytes.buffer instanceof SharedArrayBuffer)) {
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
    shared.set(bytes);
    bytes = shared;
  }
  const table = arrow.tableFromIPC(bytes);
  if (table.numCols !== columns.length + 2) {
    throw new Error(`has ${table.numCols} columns, expected ${columns.length + 2}`);
  }
  return new SealedSegment(id, file, table, columns);
}

/**
 * A bit string of `bits` bits into `out` at byte `offset`, most significant bit first
 * (anything else, NULL or another length, stays zeros): bitColumn's row format.
 */
export function packBitString(out: Uint8Array, offset: number, v: unknown, bits: number): void {
  if (typeof v !== 'string' || v.length !== bits) return;
  for (let b = 0; b < bits; b++) if (v.charCodeAt(b) === 49) out[offset + (b >> 3)] |= 0x80 >> (b & 7);
}
