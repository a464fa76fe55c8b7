/**
 * PostgreSQL's binary format: one codec per type OID following its *_send / *_recv
 * functions (and pgvector's vector_send / vector_recv) byte for byte, and the framing of
 * COPY … (FORMAT binary). It sits below both users: the wire protocol (Bind parameters and
 * results in binary) and the engine's COPY.
 */
import { isUtf8 } from 'node:buffer';
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, formatType, type Interval, type MultirangeValue, type RangeValue, type SqlType, type Value } from './types.js';
import { RANGE_EMPTY, RANGE_LB_INC, RANGE_LB_INF, RANGE_UB_INC, RANGE_UB_INF, hasLowerBound, hasUpperBound } from './range.js';
import { multirangeOps, rangeOps } from './compare.js';
import { isMultirangeType, multirangeRangeType } from './multirange.js';
import { networkRecv, networkSend } from './network.js';
import { macaddr8Recv, macBytes, macText } from './macaddr.js';
import { parseText } from './text-io.js';
import { domainEntry, enumLabel, wireTypeOid } from './user-types.js';
import { isRowType, recordFields } from './records.js';
import { VECTOR_MAX_DIM, checkDim, checkElement, checkExpectedDim } from './vector.js';
import { checkExpectedHalfDim, checkHalfDim, checkHalfElement, floatToHalfBits, halfBitsToFloat } from './halfvec.js';
import { checkExpectedSparseDim, checkSparseDim, checkSparseElement, checkSparseIndex, checkSparseNnz } from './sparsevec.js';
import { applyBitTypmod, applyVarbitTypmod } from './bitvec.js';
import type { SparseVector } from './types.js';
import { tsvectorRecv, tsvectorSend } from './tsvector.js';
import { tsqueryRecv, tsquerySend } from './tsquery.js';

/** The 11-byte signature that opens a binary COPY file (then flags and extension length). */
export const COPY_BINARY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01 */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const PG_EPOCH_DAYS = 10_957;
const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

/** Bounds-checked reader over one binary value, like PostgreSQL's pq_getmsg*. */
export class BinaryReader {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  private need(n: number): number {
    if (this.offset + n > this.buf.length) throw new SqlError(SqlState.protocolViolation, 'insufficient data left in message');
    const at = this.offset;
    this.offset += n;
    return at;
  }
  int8(): number { return this.buf.readInt8(this.need(1)); }
  /** pq_getmsgbyte: one unsigned byte, its own error past the end */
  byte(): number {
    if (this.offset >= this.buf.length) throw new SqlError(SqlState.protocolViolation, 'no data left in message');
    return this.buf[this.offset++]!;
  }
  int16(): number { return this.buf.readInt16BE(this.need(2)); }
  uint16(): number { return this.buf.readUInt16BE(this.need(2)); }
  int32(): number { return this.buf.readInt32BE(this.need(4)); }
  uint32(): number { return this.buf.readUInt32BE(this.need(4)); }
  int64(): bigint { return this.buf.readBigInt64BE(this.need(8)); }
  float32(): number { return this.buf.readFloatBE(this.need(4)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }
  bytes(n: number): Buffer { const at = this.need(n); return this.buf.subarray(at, at + n); }
  rest(): Buffer { return this.bytes(this.buf.length - this.offset); }
  get atEnd(): boolean { return this.offset === this.buf.length; }
}

export interface BinaryCodec {
  send(value: Value, type: SqlType): Buffer;
  /** reads from r; the caller checks that every byte was consumed */
  recv(r: BinaryReader, type: SqlType): Value;
}

const badBinary = (message: string): SqlError => new SqlError(SqlState.invalidBinaryRepresentation, message);

function fixed(size: number, write: (b: Buffer, v: Value) => void): (v: Value) => Buffer {
  return (v) => {
    const b = Buffer.allocUnsafe(size);
    write(b, v);
    return b;
  };
}

const toBigInt = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

const boolCodec: BinaryCodec = {
  send: fixed(1, (b, v) => { b[0] = v ? 1 : 0; }),
  recv: (r) => r.int8() !== 0,
};
const int2Codec: BinaryCodec = { send: fixed(2, (b, v) => b.writeInt16BE(v as number)), recv: (r) => r.int16() };
const int4Codec: BinaryCodec = { send: fixed(4, (b, v) => b.writeInt32BE(v as number)), recv: (r) => r.int32() };
const int8Codec: BinaryCodec = { send: fixed(8, (b, v) => b.writeBigInt64BE(toBigInt(v))), recv: (r) => r.int64() };
/** pg_lsn_send / pg_lsn_recv: the unsigned 64 bits */
const pgLsnCodec: BinaryCodec = { send: fixed(8, (b, v) => b.writeBigUInt64BE(v as bigint)), recv: (r) => BigInt.asUintN(64, r.int64()) };
const oidCodec: BinaryCodec = { send: fixed(4, (b, v) => b.writeUInt32BE((v as number) >>> 0)), recv: (r) => r.uint32() };
const float4Codec: BinaryCodec = { send: fixed(4, (b, v) => b.writeFloatBE(v as number)), recv: (r) => r.float32() };
const float8Codec: BinaryCodec = { send: fixed(8, (b, v) => b.writeDoubleBE(v as number)), recv: (r) => r.float64() };

/** text, varchar, bpchar, name, unknown: the UTF-8 bytes */
const textCodec: BinaryCodec = {
  send: (v) => Buffer.from(v as string, 'utf8'),
  recv: (r) => decodeUtf8(r.rest()),
};

/** UTF-8 bytes as text; invalid sequences fail with 22021 like PostgreSQL's pg_verify_mbstr. */
export function decodeUtf8(b: Buffer): string {
  if (!isUtf8(b)) throw invalidUtf8(b);
  return b.toString('utf8');
}

/**
 * PostgreSQL's report_invalid_encoding for the first sequence pg_utf8_islegal refuses:
 * `invalid byte sequence for encoding "UTF8": 0xc3 0x28` (as many bytes as the lead byte
 * announces, as far as the input goes).
 */
export function invalidUtf8(b: Uint8Array): SqlError {
  const i = firstInvalidUtf8(b);
  const c = b[i] ?? 0;
  const mblen = (c & 0x80) === 0 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 ? 4 : 1;
  const bytes = Array.from(b.subarray(i, Math.min(b.length, i + mblen)), (x) => `0x${x.toString(16).padStart(2, '0')}`);
  return new SqlError(SqlState.characterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${bytes.join(' ')}`);
}

/** where the first sequence pg_utf8_islegal refuses starts (b.length: none) */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const n = legalUtf8Length(b, i);
    if (n === 0) break;
    i += n;
  }
  return i;
}

/** the length of the legal UTF-8 character at i, or 0 (pg_utf8_islegal's ranges) */
function legalUtf8Length(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return c === 0 ? 0 : 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

const jsonCodec: BinaryCodec = {
  send: (v) => Buffer.from(v as string, 'utf8'),
  recv: (r, type) => parseText(type, decodeUtf8(r.rest())),
};

/** jsonb: a version byte (1) and the JSON text */
const jsonbCodec: BinaryCodec = {
  send: (v) => Buffer.concat([Buffer.of(1), Buffer.from(v as string, 'utf8')]),
  recv: (r, type) => {
    const version = r.int8();
    if (version !== 1) throw badBinary(`unsupported jsonb version number ${version}`);
    return parseText(type, decodeUtf8(r.rest()));
  },
};

/** "char": one byte */
const charCodec: BinaryCodec = {
  send: (v) => Buffer.from((v as string).slice(0, 1), 'latin1'),
  recv: (r) => r.rest().toString('latin1').slice(0, 1),
};

const byteaCodec: BinaryCodec = {
  send: (v) => Buffer.from(v as Uint8Array),
  recv: (r) => Buffer.from(r.rest()),
};

const uuidCodec: BinaryCodec = {
  send: (v) => Buffer.from((v as string).replace(/-/g, ''), 'hex'),
  recv: (r) => {
    const h = r.bytes(16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
};

/** network_send / network_recv (inet and cidr differ in the is_cidr byte and cidr's mask check) */
const networkCodec = (isCidr: boolean): BinaryCodec => ({
  send: (v) => networkSend(v as string, isCidr),
  recv: (r) => networkRecv(() => r.byte(), isCidr),
});

/** macaddr_send / macaddr_recv: the bytes, most significant first (macaddr8_recv also takes 6) */
const macaddrCodec: BinaryCodec = {
  send: (v) => Buffer.from(macBytes(v as string)),
  recv: (r) => macText(Array.from(r.bytes(6))),
};
const macaddr8Codec: BinaryCodec = {
  send: (v) => Buffer.from(macBytes(v as string)),
  // a 6-byte value is an EUI-48, widened like the text input does
  recv: (r) => macaddr8Recv(r.bytes(r.buf.length === 6 ? 6 : 8)),
};

const dateCodec: BinaryCodec = {
  send: fixed(4, (b, v) => {
    const d = v as number;
    b.writeInt32BE(d === Infinity ? INT32_MAX : d === -Infinity ? INT32_MIN : d - PG_EPOCH_DAYS);
  }),
  recv: (r) => {
    const d = r.int32();
    return d === INT32_MAX ? Infinity : d === INT32_MIN ? -Infinity : d + PG_EPOCH_DAYS;
  },
};

const timeCodec: BinaryCodec = {
  send: fixed(8, (b, v) => b.writeBigInt64BE(BigInt(v as number))),
  recv: (r) => Number(r.int64()),
};

const timestampCodec: BinaryCodec = {
  send: fixed(8, (b, v) => {
    const t = v as number;
    b.writeBigInt64BE(t === Infinity ? INT64_MAX : t === -Infinity ? INT64_MIN : BigInt(t) - PG_EPOCH_MICROS);
  }),
  recv: (r) => {
    const t = r.int64();
    return t === INT64_MAX ? Infinity : t === INT64_MIN ? -Infinity : Number(t + PG_EPOCH_MICROS);
  },
};

/** interval: int64 microseconds, int32 days, int32 months */
const intervalCodec: BinaryCodec = {
  send: fixed(16, (b, v) => {
    const iv = v as Interval;
    b.writeBigInt64BE(BigInt(iv.micros), 0);
    b.writeInt32BE(iv.days, 8);
    b.writeInt32BE(iv.months, 12);
  }),
  recv: (r): Interval => {
    const micros = Number(r.int64());
    const days = r.int32();
    const months = r.int32();
    return { months, days, micros };
  },
};

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

/** numeric: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then base-10000 digits */
export function numericSend(text: string): Buffer {
  const head = (ndigits: number, weight: number, sign: number, dscale: number): Buffer => {
    const b = Buffer.alloc(8 + 2 * ndigits);
    b.writeInt16BE(ndigits, 0);
    b.writeInt16BE(weight, 2);
    b.writeUInt16BE(sign, 4);
    b.writeInt16BE(dscale, 6);
    return b;
  };
  if (text === 'NaN') return head(0, 0, NUMERIC_NAN, 0);
  // PostgreSQL reads dscale from the header bits of its special values: 0x20 for ±Infinity.
  if (text === 'Infinity') return head(0, 0, NUMERIC_PINF, 0x20);
  if (text === '-Infinity') return head(0, 0, NUMERIC_NINF, 0x20);
  const negative = text.startsWith('-');
  const unsigned = text.replace(/^[+-]/, '');
  const [intText = '', fracText = ''] = unsigned.split('.');
  const dscale = fracText.length;
  const intDigits = intText.replace(/^0+/, '');
  const intPadded = '0'.repeat((4 - (intDigits.length % 4)) % 4) + intDigits;
  const fracPadded = fracText + '0'.repeat((4 - (fracText.length % 4)) % 4);
  const groups: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) groups.push(Number(intPadded.slice(i, i + 4)));
  let weight = groups.length - 1;
  for (let i = 0; i < fracPadded.length; i += 4) groups.push(Number(fracPadded.slice(i, i + 4)));
  let start = 0;
  while (start < groups.length && groups[start] === 0) { start++; weight--; }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  const digits = groups.slice(start, end);
  if (digits.length === 0) return head(0, 0, NUMERIC_POS, dscale);
  const b = head(digits.length, weight, negative ? NUMERIC_NEG : NUMERIC_POS, dscale);
  digits.forEach((d, i) => b.writeInt16BE(d, 8 + 2 * i));
  return b;
}

export function numericRecv(r: BinaryReader): string {
  const ndigits = r.int16();
  const weight = r.int16();
  const sign = r.uint16();
  const dscale = r.int16();
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw badBinary('invalid sign in external "numeric" value');
  if (ndigits < 0 || dscale < 0 || dscale > 0x3fff) throw badBinary('invalid scale in external "numeric" value');
  const digits: number[] = [];
  for (let i = 0; i < ndigits; i++) {
    const d = r.int16();
    if (d < 0 || d >= 10000) throw badBinary('invalid digit in external "numeric" value');
    digits.push(d);
  }
  const digitAt = (power: number): number => digits[weight - power] ?? 0;
  let intPart = '';
  for (let p = weight; p >= 0; p--) intPart += String(digitAt(p)).padStart(4, '0');
  intPart = intPart.replace(/^0+/, '') || '0';
  let frac = '';
  for (let p = -1; frac.length < dscale; p--) frac += String(digitAt(p)).padStart(4, '0');
  frac = frac.slice(0, dscale);
  const isZero = digits.every((d) => d === 0);
  return (sign === NUMERIC_NEG && !isZero ? '-' : '') + intPart + (dscale > 0 ? '.' + frac : '');
}

const numericCodec: BinaryCodec = {
  send: (v) => numericSend(String(v)),
  recv: (r) => numericRecv(r),
};

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Decoded vectors are carved from shared slabs: a binary COPY decodes one per row, and a
// fresh ArrayBuffer (zero-filled) for each cost more than the copy itself. A vector keeps its
// slab alive, so slabs stay small.
const SLAB_BYTES = 1 << 20;
let slab = new ArrayBuffer(0);
let slabUsed = 0;
function slabFloat32(length: number): Float32Array {
  const bytes = 4 * length;
  if (bytes > SLAB_BYTES / 4) return new Float32Array(length);
  if (slabUsed + bytes > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = new Float32Array(slab, slabUsed, length);
  slabUsed += bytes;
  return out;
}

/** pgvector: int16 dim, int16 unused (0), dim × float4 */
const vectorCodec: BinaryCodec = {
  send: (v) => {
    const vec = v as Float32Array;
    const b = Buffer.allocUnsafe(4 + 4 * vec.length);
    b.writeInt16BE(vec.length, 0);
    b.writeInt16BE(0, 2);
    Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength).copy(b, 4);
    if (LITTLE_ENDIAN) b.subarray(4).swap32();
    return b;
  },
  recv: (r, type) => {
    // int16 as pgvector's vector_recv reads them (a dim of 0x8000 or more is negative)
    const dim = r.int16();
    const unused = r.int16();
    checkDim(dim);
    checkExpectedDim(type.typmod > 0 ? type.typmod : -1, dim);
    if (unused !== 0) throw new SqlError(SqlState.dataException, `expected unused to be 0, not ${unused}`);
    // bulk: copy the big-endian floats into slab memory and byte-swap them natively
    const bytes = r.bytes(4 * dim);
    const vec = slabFloat32(dim);
    const raw = Buffer.from(vec.buffer, vec.byteOffset, vec.byteLength);
    bytes.copy(raw);
    if (LITTLE_ENDIAN) raw.swap32();
    // x - x is 0 exactly for finite x: the check runs only for NaN and ±Infinity
    for (let i = 0; i < dim; i++) if (vec[i]! - vec[i]! !== 0) checkElement(vec[i]!);
    return vec;
  },
};

/** pgvector: int16 dim, int16 unused (0), dim × float16 bits */
const halfvecCodec: BinaryCodec = {
  send: (v) => {
    const vec = v as Float32Array;
    const b = Buffer.allocUnsafe(4 + 2 * vec.length);
    b.writeInt16BE(vec.length, 0);
    b.writeInt16BE(0, 2);
    for (let i = 0; i < vec.length; i++) b.writeUInt16BE(floatToHalfBits(vec[i]!), 4 + 2 * i);
    return b;
  },
  recv: (r, type) => {
    const dim = r.int16();
    const unused = r.int16();
    checkHalfDim(dim);
    checkExpectedHalfDim(type.typmod > 0 ? type.typmod : -1, dim);
    if (unused !== 0) throw new SqlError(SqlState.dataException, `expected unused to be 0, not ${unused}`);
    const vec = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
      vec[i] = halfBitsToFloat(r.uint16());
      checkHalfElement(vec[i]!);
    }
    return vec;
  },
};

/** pgvector: int32 dim, int32 nnz, int32 unused (0), nnz × int32 index (0-based on the wire, unlike the text form), nnz × float4 */
const sparsevecCodec: BinaryCodec = {
  send: (v) => {
    const sv = v as SparseVector;
    const nnz = sv.indices.length;
    const b = Buffer.allocUnsafe(12 + 8 * nnz);
    b.writeInt32BE(sv.dim, 0);
    b.writeInt32BE(nnz, 4);
    b.writeInt32BE(0, 8);
    for (let i = 0; i < nnz; i++) b.writeInt32BE(sv.indices[i]! - 1, 12 + 4 * i);
    for (let i = 0; i < nnz; i++) b.writeFloatBE(sv.values[i]!, 12 + 4 * nnz + 4 * i);
    return b;
  },
  recv: (r, type) => {
    const dim = r.int32();
    const nnz = r.int32();
    const unused = r.int32();
    checkSparseDim(dim);
    checkSparseNnz(nnz, dim);
    checkExpectedSparseDim(type.typmod > 0 ? type.typmod : -1, dim);
    if (unused !== 0) throw new SqlError(SqlState.dataException, `expected unused to be 0, not ${unused}`);
    const indices = new Int32Array(nnz);
    for (let i = 0; i < nnz; i++) {
      indices[i] = r.int32() + 1;
      checkSparseIndex(indices, i, dim);
    }
    const values = new Float32Array(nnz);
    for (let i = 0; i < nnz; i++) {
      values[i] = r.float32();
      checkSparseElement(values[i]!);
      if (values[i] === 0) throw new SqlError(SqlState.dataException, 'binary representation of sparsevec cannot contain zero values');
    }
    return { dim, indices, values };
  },
};

/** PostgreSQL's VARBITMAXLEN */
const VARBIT_MAX_LEN = 0x7fffffff - 8 * 4 - 7;

/** bit / varbit (varbit_send): int32 bit length, then the bits packed high bit first */
const bitCodec: BinaryCodec = {
  send: (v) => {
    const s = v as string;
    const b = Buffer.alloc(4 + Math.ceil(s.length / 8));
    b.writeInt32BE(s.length, 0);
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 49) b[4 + (i >> 3)]! |= 0x80 >> (i & 7);
    return b;
  },
  recv: (r, type) => {
    const len = r.int32();
    if (len < 0 || len > VARBIT_MAX_LEN) throw badBinary('invalid length in external bit string');
    const bytes = r.bytes(Math.ceil(len / 8));
    let s = '';
    for (let i = 0; i < len; i++) s += bytes[i >> 3]! & (0x80 >> (i & 7)) ? '1' : '0';
    if (type.typmod > 0) return type.oid === OID.bit ? applyBitTypmod(s, type.typmod, false) : applyVarbitTypmod(s, type.typmod, false);
    return s;
  },
};

/** PostgreSQL's MAXDIM */
const MAX_DIM = 6;

/** arrays: int32 ndim, int32 hasnull, uint32 elemtype, ndim × (int32 size, int32 lbound), elements (int32 len or -1, bytes) */
const arrayCodec: BinaryCodec = {
  send: (v, type) => {
    const elemOid = TYPES.get(type.oid)?.elem ?? 0;
    const elemType: SqlType = { oid: elemOid, typmod: type.typmod };
    const elemCodec = binaryCodec(elemOid);
    const dims: number[] = [];
    // an array of rows is one-dimensional (its elements are Value[] themselves)
    if (isRowType(elemOid)) { if ((v as Value[]).length > 0) dims.push((v as Value[]).length); }
    else for (let level: Value = v; Array.isArray(level) && level.length > 0; level = level[0]!) dims.push(level.length);
    const flat = flatten(v as Value[], dims.length);
    const parts: Buffer[] = [];
    let hasNull = 0;
    for (const e of flat) {
      if (e === null) {
        hasNull = 1;
        parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
      } else {
        const data = elemCodec.send(e, elemType);
        const len = Buffer.allocUnsafe(4);
        len.writeInt32BE(data.length);
        parts.push(len, data);
      }
    }
    const header = Buffer.allocUnsafe(12 + 8 * dims.length);
    header.writeInt32BE(dims.length, 0);
    header.writeInt32BE(hasNull, 4);
    header.writeUInt32BE(elemOid, 8);
    dims.forEach((d, i) => {
      header.writeInt32BE(d, 12 + 8 * i);
      header.writeInt32BE(1, 16 + 8 * i);
    });
    return Buffer.concat([header, ...parts]);
  },
  recv: (r, type) => {
    const elemOid = TYPES.get(type.oid)?.elem ?? 0;
    const elemType: SqlType = { oid: elemOid, typmod: type.typmod };
    const ndim = r.int32();
    if (ndim < 0) throw badBinary(`invalid number of dimensions: ${ndim}`);
    if (ndim > MAX_DIM) throw new SqlError(SqlState.programLimitExceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (${MAX_DIM})`);
    const flags = r.int32();
    if (flags !== 0 && flags !== 1) throw badBinary('invalid array flags');
    const gotElem = r.uint32();
    if (gotElem !== elemOid) {
      throw new SqlError(SqlState.datatypeMismatch, `binary data has array element type ${gotElem} (${formatType({ oid: gotElem, typmod: -1 })}) instead of expected ${elemOid} (${formatType(elemType)})`);
    }
    const dims: number[] = [];
    for (let i = 0; i < ndim; i++) {
      dims.push(r.int32());
      r.int32(); // lower bound: the runtime representation has none
    }
    const total = dims.reduce((a, b) => a * b, ndim === 0 ? 0 : 1);
    const elemCodec = binaryCodec(elemOid);
    const flat: Value[] = [];
    for (let i = 0; i < total; i++) {
      const len = r.int32();
      if (len === -1) {
        flat.push(null);
        continue;
      }
      if (len < 0) throw badBinary('insufficient data left in message');
      const er = new BinaryReader(r.bytes(len));
      flat.push(elemCodec.recv(er, elemType));
      if (!er.atEnd) throw badBinary(`improper binary format in array element ${i + 1}`);
    }
    return reshape(flat, dims);
  },
};

function flatten(v: Value[], depth: number): Value[] {
  if (depth <= 1) return v;
  const out: Value[] = [];
  for (const e of v) out.push(...flatten(e as Value[], depth - 1));
  return out;
}

function reshape(flat: Value[], dims: number[]): Value[] {
  if (dims.length <= 1) return flat;
  const inner = dims.slice(1);
  const step = inner.reduce((a, b) => a * b, 1);
  const out: Value[] = [];
  for (let i = 0; i < dims[0]!; i++) out.push(reshape(flat.slice(i * step, (i + 1) * step), inner));
  return out;
}

/** pq_getmsgstring: a NUL-terminated string */
function cstring(r: BinaryReader): string {
  const end = r.buf.indexOf(0, r.offset);
  if (end < 0) throw new SqlError(SqlState.protocolViolation, 'invalid string in message');
  const s = decodeUtf8(r.bytes(end - r.offset));
  r.offset++;
  return s;
}

/** tsvector / tsquery (tsvectorsend, tsquerysend; the formats are in types/tsvector.ts, types/tsquery.ts) */
const tsvectorCodec: BinaryCodec = {
  send: (v) => tsvectorSend(v as string),
  recv: (r) => tsvectorRecv({ int32: () => r.int32(), uint16: () => r.uint16(), cstring: () => cstring(r) }),
};
const tsqueryCodec: BinaryCodec = {
  send: (v) => tsquerySend(v as string),
  recv: (r) => tsqueryRecv({ int32: () => r.int32(), int8: () => r.int8(), uint16: () => r.uint16(), cstring: () => cstring(r) }),
};

const BINARY: ReadonlyMap<number, BinaryCodec> = new Map<number, BinaryCodec>([
  [OID.bool, boolCodec],
  [OID.int2, int2Codec],
  [OID.int4, int4Codec],
  [OID.int8, int8Codec],
  [OID.pg_lsn, pgLsnCodec],
  [OID.oid, oidCodec], [OID.regclass, oidCodec], [OID.regtype, oidCodec], [OID.regproc, oidCodec],
  [OID.regnamespace, oidCodec], [OID.regrole, oidCodec], [OID.regprocedure, oidCodec], [OID.regoper, oidCodec], [OID.regoperator, oidCodec], [OID.xid, oidCodec], [OID.cid, oidCodec],
  [OID.float4, float4Codec],
  [OID.float8, float8Codec],
  [OID.numeric, numericCodec],
  [OID.text, textCodec], [OID.varchar, textCodec], [OID.bpchar, textCodec], [OID.name, textCodec], [OID.unknown, textCodec],
  // cstring_send / cstring_recv: the characters, like text (vector_out(v) in a binary result)
  [OID.cstring, textCodec],
  [OID.char, charCodec],
  [OID.json, jsonCodec],
  [OID.jsonb, jsonbCodec],
  [OID.bytea, byteaCodec],
  [OID.uuid, uuidCodec],
  [OID.inet, networkCodec(false)], [OID.cidr, networkCodec(true)], [OID.macaddr, macaddrCodec], [OID.macaddr8, macaddr8Codec],
  [OID.date, dateCodec],
  [OID.time, timeCodec],
  [OID.timestamp, timestampCodec],
  [OID.timestamptz, timestampCodec],
  [OID.interval, intervalCodec],
  [OID.vector, vectorCodec],
  [OID.halfvec, halfvecCodec],
  [OID.sparsevec, sparsevecCodec],
  [OID.bit, bitCodec], [OID.varbit, bitCodec],
  [OID.tsvector, tsvectorCodec], [OID.tsquery, tsqueryCodec], [OID.regconfig, oidCodec], [OID.regdictionary, oidCodec],
]);

/**
 * range_send / range_recv: the flags byte, then each present bound as a 4-byte length and
 * the subtype's binary form; recv masks unknown flags and runs make_range (canonical form, 22000).
 */
const rangeCodec: BinaryCodec = {
  send: (v, type) => {
    const range = v as RangeValue;
    const subtype: SqlType = { oid: rangeOps(type.oid)!.info.subtype, typmod: -1 };
    const parts: Buffer[] = [Buffer.from([range.flags])];
    const bound = (b: Value): void => {
      const data = encodeBinary(subtype, b);
      const len = Buffer.alloc(4);
      len.writeInt32BE(data.length);
      parts.push(len, data);
    };
    if (hasLowerBound(range)) bound(range.lower);
    if (hasUpperBound(range)) bound(range.upper);
    return Buffer.concat(parts);
  },
  recv: (r, type) => {
    const ops = rangeOps(type.oid)!;
    const subtype: SqlType = { oid: ops.info.subtype, typmod: type.typmod };
    const flags = (r.int8() & 0xff) & (RANGE_EMPTY | RANGE_LB_INC | RANGE_LB_INF | RANGE_UB_INC | RANGE_UB_INF);
    const bound = (present: boolean): Value => (present ? decodeBinary(subtype, r.bytes(r.uint32())) : null);
    const lower = bound((flags & (RANGE_EMPTY | RANGE_LB_INF)) === 0);
    return ops.fromFlags(flags, lower, bound((flags & (RANGE_EMPTY | RANGE_UB_INF)) === 0));
  },
};

/**
 * multirange_send / multirange_recv: the range count, then each range as a 4-byte length and
 * range_send's bytes; recv runs make_multirange (sorted, merged).
 */
const multirangeCodec: BinaryCodec = {
  send: (v, type) => {
    const range: SqlType = { oid: multirangeRangeType(type.oid)!, typmod: -1 };
    const m = v as MultirangeValue;
    const count = Buffer.alloc(4);
    count.writeInt32BE(m.ranges.length);
    const parts: Buffer[] = [count];
    for (const r of m.ranges) {
      const data = encodeBinary(range, r);
      const len = Buffer.alloc(4);
      len.writeInt32BE(data.length);
      parts.push(len, data);
    }
    return Buffer.concat(parts);
  },
  recv: (r, type) => {
    const ops = multirangeOps(type.oid)!;
    const range: SqlType = { oid: ops.ops.info.oid, typmod: type.typmod };
    const n = r.uint32();
    const ranges: RangeValue[] = [];
    for (let i = 0; i < n; i++) ranges.push(decodeBinary(range, r.bytes(r.uint32())) as RangeValue);
    return ops.make(ranges);
  },
};

/**
 * record_send / record_recv of a composite type: the number of columns, then per column its
 * type OID and its value as a 4-byte length (-1: NULL) and the type's binary form.
 */
const recordCodec: BinaryCodec = {
  send: (v, type) => {
    const fields = recordFields(type) ?? [];
    const values = v as Value[];
    const head = Buffer.alloc(4);
    head.writeInt32BE(values.length);
    const parts: Buffer[] = [head];
    values.forEach((x, i) => {
      const ft = fields[i]?.type ?? { oid: OID.text, typmod: -1 };
      const meta = Buffer.alloc(8);
      meta.writeUInt32BE(wireTypeOid(ft), 0);
      if (x === null) {
        meta.writeInt32BE(-1, 4);
        parts.push(meta);
        return;
      }
      const data = encodeBinary(ft, x);
      meta.writeInt32BE(data.length, 4);
      parts.push(meta, data);
    });
    return Buffer.concat(parts);
  },
  recv: (r, type) => {
    const fields = recordFields(type) ?? [];
    const n = r.int32();
    if (n !== fields.length) throw new SqlError(SqlState.datatypeMismatch, `wrong number of columns: ${n}, expected ${fields.length}`);
    return fields.map((f, i) => {
      const oid = r.uint32();
      const want = wireTypeOid(f.type);
      if (oid !== want) {
        throw new SqlError(SqlState.datatypeMismatch, `binary data has type ${oid} (${formatType({ oid, typmod: -1 })}) instead of expected ${want} (${formatType(f.type)}) in record column ${i + 1}`);
      }
      const len = r.int32();
      if (len === -1) return null;
      if (len < 0) throw badBinary('insufficient data left in message');
      return decodeBinary(f.type, r.bytes(len), `improper binary format in record column ${i + 1}`);
    });
  },
};

/** enum_send / enum_recv: the label's bytes (recv checks the label like enum_in) */
const enumCodec: BinaryCodec = {
  send: (v) => Buffer.from(enumLabel(v as number), 'utf8'),
  recv: (r, type) => parseText(type, decodeUtf8(r.rest())),
};

function codecOf(oid: number): BinaryCodec | undefined {
  const domain = domainEntry(oid);
  // a domain's values are sent as its base type's (domain_recv checks them above this layer)
  if (domain) return codecOf(domain.base.oid);
  const category = TYPES.get(oid)?.category;
  if (isMultirangeType(oid)) return multirangeCodec;
  return BINARY.get(oid) ?? (category === 'E' ? enumCodec : category === 'R' ? rangeCodec : category === 'C' ? recordCodec : undefined);
}

/** The binary codec for an OID (arrays of any supported element), or throws 42883 like PostgreSQL. */
function binaryCodec(oid: number): BinaryCodec {
  const codec = codecOf(oid);
  if (codec) return codec;
  const info = TYPES.get(oid);
  if (info?.category === 'A' && info.elem !== undefined && codecOf(info.elem)) return arrayCodec;
  throw new SqlError(SqlState.undefinedFunction, `no binary output function available for type ${formatType({ oid, typmod: -1 })}`);
}

export function hasBinaryCodec(oid: number): boolean {
  const info = TYPES.get(oid);
  return codecOf(oid) !== undefined || (info?.category === 'A' && info.elem !== undefined && codecOf(info.elem) !== undefined);
}

/** One non-NULL value in binary format (throws 42883 for a type without a send function). */
export function encodeBinary(type: SqlType, value: Value): Buffer {
  const oid = wireTypeOid(type);
  return binaryCodec(oid).send(value, oid === type.oid ? type : { oid, typmod: type.typmod });
}

/** Decodes one non-NULL field of `len` bytes at `at` of `buf` (`view` is a DataView over `buf`). */
export type FieldDecoder = (buf: Buffer, view: DataView, at: number, len: number) => Value;

/**
 * The decoder a binary COPY uses for a column: the common fixed-size types and vector read
 * straight from the payload (no reader, no view, no intermediate copy per field); anything
 * irregular or any other type goes through decodeBinary, which raises the exact error.
 * `vectorMemory` gives a well-formed vector's memory (a bulk load's column blocks).
 */
export function fieldDecoder(type: SqlType, vectorMemory: (dim: number) => Float32Array = slabFloat32): FieldDecoder {
  const slow: FieldDecoder = (buf, _view, at, len) => decodeBinary(type, buf.subarray(at, at + len));
  switch (type.oid) {
    case OID.int2: return (buf, view, at, len) => (len === 2 ? view.getInt16(at) : slow(buf, view, at, len));
    case OID.int4: return (buf, view, at, len) => (len === 4 ? view.getInt32(at) : slow(buf, view, at, len));
    case OID.int8: return (buf, view, at, len) => (len === 8 ? view.getBigInt64(at) : slow(buf, view, at, len));
    case OID.float4: return (buf, view, at, len) => (len === 4 ? view.getFloat32(at) : slow(buf, view, at, len));
    case OID.float8: return (buf, view, at, len) => (len === 8 ? view.getFloat64(at) : slow(buf, view, at, len));
    case OID.vector: {
      const expected = type.typmod > 0 ? type.typmod : -1;
      return (buf, view, at, len) => {
        const dim = len >= 4 ? view.getInt16(at) : 0;
        if (dim < 1 || dim > VECTOR_MAX_DIM || len !== 4 + 4 * dim || view.getInt16(at + 2) !== 0 || (expected !== -1 && expected !== dim)) return slow(buf, view, at, len);
        const vec = vectorMemory(dim);
        // the elements' bits moved as integers (a float read and written back through
        // doubles cost ~1.6× as much); a float's exponent all ones (NaN, ±Infinity) carries
        // into bit 31 when its low bit is added, so `bad` is negative iff any element is not finite
        const bits = new Int32Array(vec.buffer, vec.byteOffset, dim);
        let bad = 0;
        for (let i = 0, p = at + 4; i < dim; i++, p += 4) {
          const w = view.getInt32(p);
          bad |= ((w & 0x7f800000) + 0x00800000) | 0;
          bits[i] = w;
        }
        if (bad < 0) for (let i = 0; i < dim; i++) if (vec[i]! - vec[i]! !== 0) checkElement(vec[i]!);
        return vec;
      };
    }
    default: return slow;
  }
}

/**
 * One non-NULL value from its binary form. Short data is 08P01 "insufficient data left in
 * message"; leftover bytes are 22P03 with `leftoverMessage`.
 */
export function decodeBinary(type: SqlType, data: Buffer, leftoverMessage = 'incorrect binary data format'): Value {
  if (!hasBinaryCodec(type.oid)) {
    throw new SqlError(SqlState.undefinedFunction, `no binary input function available for type ${formatType(type)}`);
  }
  const r = new BinaryReader(data);
  const value = binaryCodec(type.oid).recv(r, type);
  if (!r.atEnd) throw badBinary(leftoverMessage);
  return value;
}
