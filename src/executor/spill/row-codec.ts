/**
 * Rows as bytes for temp files. Values carry no type tags in memory (the plan knows every
 * column's type), but a spilled row also holds sort keys and may hold records or arrays of
 * mixed kinds, so each value gets a one-byte tag here: self-describing, no schema needed.
 *
 * A hand-written encoding rather than v8.serialize: that one writes a typed array's whole
 * backing buffer, and a vector read from a sealed segment is a view into the segment's
 * memory (megabytes per value); it also turns a Buffer into a plain Uint8Array.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Interval, MultirangeValue, RangeValue, Row, SparseVector, Value } from '../../types/types.js';

const NULL = 0;
const FALSE = 1;
const TRUE = 2;
const INT32 = 3;
const FLOAT64 = 4;
const BIGINT = 5;
const STRING = 6;
const BYTES = 7;
const FLOAT32S = 8;
const INTERVAL = 9;
const SPARSE = 10;
const ARRAY = 11;
const RANGE = 12;
const MULTIRANGE = 13;

/** Appends encoded rows to a growing buffer; `take()` hands the bytes over. */
export class RowEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;

  get length(): number {
    return this.pos;
  }

  /** a row as [u32 byte length][u32 value count][values…] */
  write(row: readonly Value[]): void {
    const start = this.pos;
    this.ensure(8);
    this.pos += 4;
    this.buf.writeUInt32LE(row.length, this.pos);
    this.pos += 4;
    for (const v of row) this.value(v);
    this.buf.writeUInt32LE(this.pos - start - 4, start);
  }

  /** the bytes written so far; the encoder starts empty again */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private tag(t: number): void {
    this.ensure(1);
    this.buf[this.pos++] = t;
  }

  private u32(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4;
  }

  private f64(n: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(n, this.pos);
    this.pos += 8;
  }

  private bytes(b: Uint8Array): void {
    this.u32(b.byteLength);
    this.ensure(b.byteLength);
    this.buf.set(b, this.pos);
    this.pos += b.byteLength;
  }

  private value(v: Value): void {
    switch (typeof v) {
      case 'boolean': this.tag(v ? TRUE : FALSE); return;
      case 'number':
        // -0 is a float: Object.is keeps it apart from 0
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff && !Object.is(v, -0)) {
          this.tag(INT32);
          this.ensure(4);
          this.buf.writeInt32LE(v, this.pos);
          this.pos += 4;
        } else {
          this.tag(FLOAT64);
          this.f64(v);
        }
        return;
      case 'bigint': this.tag(BIGINT); this.bytes(Buffer.from(v.toString(), 'latin1')); return;
      case 'string': {
        this.tag(STRING);
        const n = Buffer.byteLength(v, 'utf8');
        this.u32(n);
        this.ensure(n);
        this.pos += this.buf.write(v, this.pos, n, 'utf8');
        return;
      }
      case 'object': break;
      // a hole in an array reads back as NULL, which is what SQL sees of it anyway
      case 'undefined': this.tag(NULL); return;
      default: throw unspillable(v);
    }
    if (v === null) return this.tag(NULL);
    if (v instanceof Float32Array) {
      this.tag(FLOAT32S);
      this.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    if (v instanceof Uint8Array) {
      this.tag(BYTES);
      this.bytes(v);
      return;
    }
    if (Array.isArray(v)) {
      this.tag(ARRAY);
      this.u32(v.length);
      for (const x of v) this.value(x);
      return;
    }
    if (isSparse(v)) {
      this.tag(SPARSE);
      this.u32(v.dim);
      this.bytes(new Uint8Array(v.indices.buffer, v.indices.byteOffset, v.indices.byteLength));
      this.bytes(new Uint8Array(v.values.buffer, v.values.byteOffset, v.values.byteLength));
      return;
    }
    if (isInterval(v)) {
      this.tag(INTERVAL);
      this.f64(v.months);
      this.f64(v.days);
      this.f64(v.micros);
      return;
    }
    if (isMultirange(v)) {
      this.tag(MULTIRANGE);
      this.u32(v.ranges.length);
      for (const r of v.ranges) this.value(r);
      return;
    }
    if (isRange(v)) {
      this.tag(RANGE);
      this.u32(v.flags);
      this.value(v.lower);
      this.value(v.upper);
      return;
    }
    throw unspillable(v);
  }
}

function isSparse(v: object): v is SparseVector {
  return 'indices' in v && 'values' in v && 'dim' in v;
}

function isInterval(v: object): v is Interval {
  return 'months' in v && 'days' in v && 'micros' in v;
}

function isMultirange(v: object): v is MultirangeValue {
  return 'ranges' in v;
}

function isRange(v: object): v is RangeValue {
  return 'flags' in v && 'lower' in v && 'upper' in v;
}

function unspillable(v: unknown): SqlError {
  const what = typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v;
  return new SqlError(SqlState.internalError, `bug: a value of kind ${what} cannot be written to a temp file`);
}

/** Reads rows back from bytes the encoder wrote (one whole row at a time). */
export class RowDecoder {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  /** bytes of the next complete row at `at` in `buf`, or -1 when it is not all there */
  static rowEnd(buf: Buffer, at: number, end: number): number {
    if (end - at < 4) return -1;
    const stop = at + 4 + buf.readUInt32LE(at);
    return stop <= end ? stop : -1;
  }

  static decodeAt(buf: Buffer, at: number): Row {
    const d = new RowDecoder(buf);
    d.pos = at + 4;
    const n = d.u32();
    const row: Value[] = new Array(n);
    for (let i = 0; i < n; i++) row[i] = d.value();
    return row;
  }

  private u32(): number {
    const n = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return n;
  }

  private f64(): number {
    const n = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return n;
  }

  /** a copy (the read buffer is reused), aligned for the typed array views made of it */
  private bytes(): Buffer {
    const n = this.u32();
    const out = Buffer.alloc(n);
    this.buf.copy(out, 0, this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private aligned(): ArrayBuffer {
    const b = this.bytes();
    // Buffer.alloc may hand out a slice of a shared pool: copy into an own, aligned buffer
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer as ArrayBuffer : new Uint8Array(b).buffer;
  }

  private value(): Value {
    const t = this.buf[this.pos++];
    switch (t) {
      case NULL: return null;
      case FALSE: return false;
      case TRUE: return true;
      case INT32: { const v = this.buf.readInt32LE(this.pos); this.pos += 4; return v; }
      case FLOAT64: return this.f64();
      case BIGINT: return BigInt(this.bytes().toString('latin1'));
      case STRING: {
        const n = this.u32();
        const s = this.buf.toString('utf8', this.pos, this.pos + n);
        this.pos += n;
        return s;
      }
      case BYTES: return this.bytes();
      case FLOAT32S: return new Float32Array(this.aligned());
      case INTERVAL: return { months: this.f64(), days: this.f64(), micros: this.f64() };
      case SPARSE: {
        const dim = this.u32();
        const indices = new Int32Array(this.aligned());
        const values = new Float32Array(this.aligned());
        return { dim, indices, values };
      }
      case MULTIRANGE: {
        const n = this.u32();
        const ranges: RangeValue[] = [];
        for (let i = 0; i < n; i++) ranges.push(this.value() as RangeValue);
        return { ranges };
      }
      case RANGE: {
        const flags = this.u32();
        const lower = this.value();
        return { flags, lower, upper: this.value() };
      }
      case ARRAY: {
        const n = this.u32();
        const out: Value[] = new Array(n);
        for (let i = 0; i < n; i++) out[i] = this.value();
        return out;
      }
      default: throw new SqlError(SqlState.internalError, `bug: temp file holds an unknown value tag ${t}`);
    }
  }
}
