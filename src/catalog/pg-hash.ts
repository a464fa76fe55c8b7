/**
 * PostgreSQL's hash partitioning hash, bit for bit: the per-type "extended" (seeded 64-bit)
 * hash support functions of the default hash operator classes, and their combination in
 * partbounds.c compute_partition_hash_value. A row with key values v1…vn belongs to the hash
 * partition (modulus m, remainder r) when
 *
 *   rowHash = fold(hash_combine64, 0, [extendedHash(vi, HASH_PARTITION_SEED) for non-NULL vi])
 *   rowHash % m == r            (unsigned 64-bit)
 *
 * The byte hash is Bob Jenkins' lookup3 as adapted in src/common/hashfn.c
 * (hash_bytes_extended / hash_bytes_uint32_extended), on a little-endian machine. All 32-bit
 * arithmetic here is done with `| 0` / `>>> 0` wrap-around; 64-bit results are BigInts.
 */
import { OID, TYPES, type Interval, type MultirangeValue, type RangeValue, type SqlType, type Value } from '../types/types.js';
import { RANGE_TYPES, hasLowerBound, hasUpperBound } from '../types/range.js';
import { multirangeRangeType } from '../types/multirange.js';
import { inetHashBytes } from '../types/network.js';
import { macBytes } from '../types/macaddr.js';

/** partbounds.h HASH_PARTITION_SEED */
export const HASH_PARTITION_SEED = 0x7a5b22367996dcfdn;

const MASK64 = 0xffffffffffffffffn;

// Jenkins state for one hash computation: a, b, c as uint32 (kept in a small array so the
// mix/final steps can update them in place).
type State = Uint32Array;

function rot(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function mix(s: State): void {
  let a = s[0];
  let b = s[1];
  let c = s[2];
  a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
  a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
  b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
  c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

function final(s: State): void {
  let a = s[0];
  let b = s[1];
  let c = s[2];
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  s[0] = a; s[1] = b; s[2] = c;
}

function initState(len: number, seed: bigint): State {
  const s = new Uint32Array(3);
  const init = (0x9e3779b9 + len + 3923095) >>> 0;
  s[0] = init; s[1] = init; s[2] = init;
  if (seed !== 0n) {
    // the seed is hashed as a 12-byte chunk (high half, low half, zero)
    s[0] = (s[0] + Number((seed >> 32n) & 0xffffffffn)) >>> 0;
    s[1] = (s[1] + Number(seed & 0xffffffffn)) >>> 0;
    mix(s);
  }
  return s;
}

function result64(s: State): bigint {
  return (BigInt(s[1]) << 32n) | BigInt(s[2]);
}

/** hashfn.c hash_bytes_extended (= hash_any_extended) on a little-endian machine. */
export function hashBytesExtended(k: Uint8Array, seed: bigint): bigint {
  const s = initState(k.length, seed);
  let len = k.length;
  let p = 0;
  const word = (i: number) => (k[i] | (k[i + 1] << 8) | (k[i + 2] << 16) | (k[i + 3] << 24)) >>> 0;
  while (len >= 12) {
    s[0] = (s[0] + word(p)) >>> 0;
    s[1] = (s[1] + word(p + 4)) >>> 0;
    s[2] = (s[2] + word(p + 8)) >>> 0;
    mix(s);
    p += 12;
    len -= 12;
  }
  // the last 11 bytes, little-endian into a, b, c (the lowest byte of c is reserved for the
  // length, so c takes bytes 8..10 shifted up by one byte)
  for (let i = 0; i < len; i++) {
    const slot = i < 4 ? 0 : i < 8 ? 1 : 2;
    const shift = i < 8 ? (i % 4) * 8 : (i - 8 + 1) * 8;
    s[slot] = (s[slot] + ((k[p + i] << shift) >>> 0)) >>> 0;
  }
  final(s);
  return result64(s);
}

const WORDS_STATE: State = new Uint32Array(3);

/**
 * hashfn.c hash_bytes (hash_any, 32 bits) of uint32 words laid out little-endian, without
 * BigInts: what TABLESAMPLE's samplers hash per block and row (its value is the low half of
 * hashBytesExtended with seed 0).
 */
export function hashWords32(words: readonly number[]): number {
  // one state for every call (it runs per sampled row; nothing in it awaits)
  const s = WORDS_STATE;
  s[0] = s[1] = s[2] = (0x9e3779b9 + words.length * 4 + 3923095) >>> 0;
  let i = 0;
  for (; words.length - i >= 3; i += 3) {
    s[0] = (s[0] + words[i]) >>> 0;
    s[1] = (s[1] + words[i + 1]) >>> 0;
    s[2] = (s[2] + words[i + 2]) >>> 0;
    mix(s);
  }
  // at most two whole words are left: they add into a and b as the byte tail would
  for (let j = 0; i + j < words.length; j++) s[j] = (s[j] + words[i + j]) >>> 0;
  final(s);
  return s[2];
}

/** hashfn.c hash_bytes_uint32_extended (= hash_uint32_extended); `k` is taken mod 2^32. */
export function hashUint32Extended(k: number, seed: bigint): bigint {
  const s = initState(4, seed);
  s[0] = (s[0] + (k >>> 0)) >>> 0;
  final(s);
  return result64(s);
}

/** hashfn.h hash_combine64 */
export function hashCombine64(a: bigint, b: bigint): bigint {
  return (a ^ ((b + 0x49a0f4dd15e5a8e3n + ((a << 54n) & MASK64) + (a >> 7n)) & MASK64)) & MASK64;
}

/** hashfunc.c hashint8extended: fold the high half into the low half, then hash 32 bits. */
export function hashInt8Extended(v: bigint, seed: bigint): bigint {
  const x = BigInt.asIntN(64, v);
  const lo = Number(x & 0xffffffffn) >>> 0;
  const hi = Number((x >> 32n) & 0xffffffffn) >>> 0;
  const folded = (lo ^ (x >= 0n ? hi : ~hi >>> 0)) >>> 0;
  return hashUint32Extended(folded, seed);
}

const f8 = new Float64Array(1);
const f8bytes = new Uint8Array(f8.buffer);

/** hashfunc.c hashfloat8extended (and hashfloat4extended, which widens to float8 first). */
export function hashFloat8Extended(v: number, seed: bigint): bigint {
  if (v === 0) return seed; // +0 and -0 hash alike
  if (Number.isNaN(v)) {
    // get_float8_nan(): the canonical quiet NaN 0x7FF8000000000000
    return hashBytesExtended(Uint8Array.from([0, 0, 0, 0, 0, 0, 0xf8, 0x7f]), seed);
  }
  f8[0] = v;
  return hashBytesExtended(new Uint8Array(f8bytes), seed);
}

/**
 * numeric.c hash_numeric_extended over the canonical text form: the base-10000 digits without
 * leading/trailing zero digits, XOR the weight of the first one (sign and scale ignored).
 */
export function hashNumericExtended(text: string, seed: bigint): bigint {
  let s = text.trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(s)) return seed;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let exp = 0;
  const e = s.search(/[eE]/);
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  let [int, frac = ''] = s.split('.');
  // apply a decimal exponent (only when not in canonical form) by moving the point
  if (exp > 0) {
    frac = frac.padEnd(exp, '0');
    int += frac.slice(0, exp);
    frac = frac.slice(exp);
  } else if (exp < 0) {
    int = int.padStart(-exp, '0');
    frac = int.slice(int.length + exp) + frac;
    int = int.slice(0, int.length + exp);
  }
  const intPadded = int.padStart(Math.ceil(int.length / 4) * 4, '0');
  const fracPadded = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  const digits: number[] = [];
  for (let i = 0; i < intPadded.length; i += 4) digits.push(Number(intPadded.slice(i, i + 4)));
  for (let i = 0; i < fracPadded.length; i += 4) digits.push(Number(fracPadded.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  let start = 0;
  while (start < digits.length && digits[start] === 0) {
    start++;
    weight--;
  }
  if (start === digits.length) return (seed - 1n) & MASK64;
  let end = digits.length;
  while (digits[end - 1] === 0) end--;
  const bytes = new Uint8Array((end - start) * 2);
  for (let i = start; i < end; i++) {
    bytes[(i - start) * 2] = digits[i] & 0xff;
    bytes[(i - start) * 2 + 1] = digits[i] >> 8;
  }
  return hashBytesExtended(bytes, seed) ^ BigInt.asUintN(64, BigInt(weight));
}

function uuidBytes(u: string): Uint8Array {
  return Uint8Array.from(Buffer.from(u.replace(/[^0-9a-fA-F]/g, ''), 'hex'));
}

/** bpchar.c bcTruelen: trailing spaces do not count. */
function bpcharTrim(s: string): string {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) === 32) n--;
  return s.slice(0, n);
}

const UNIX_EPOCH_DAYS = 10957; // 2000-01-01 - 1970-01-01
const UNIX_EPOCH_MICROS = 946684800000000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function micros(v: number, epochShift: bigint): bigint {
  if (v === Infinity) return INT64_MAX; // DT_NOEND
  if (v === -Infinity) return INT64_MIN; // DT_NOBEGIN
  return BigInt(Math.round(v)) - epochShift;
}

const USECS_PER_DAY = 86400000000n;

/**
 * The extended hash function of the type's default hash operator class, or undefined when
 * Quiver cannot reproduce it (PostgreSQL may have none: vector, bit, …).
 */
export function pgExtendedHash(type: SqlType, v: Value, seed: bigint): bigint | undefined {
  switch (type.oid) {
    case OID.int2: case OID.int4:
      return hashUint32Extended(Number(v) | 0, seed);
    case OID.oid: case OID.regproc: case OID.regprocedure: case OID.regoper: case OID.regoperator:
    case OID.regclass: case OID.regtype: case OID.regnamespace: case OID.regrole: case OID.xid: case OID.cid:
      return hashUint32Extended(Number(v) >>> 0, seed);
    case OID.int8:
      return hashInt8Extended(BigInt(v as bigint | number), seed);
    // pg_lsn_hash_extended is hashint8extended of the same 64 bits
    case OID.pg_lsn:
      return hashInt8Extended(BigInt.asIntN(64, v as bigint), seed);
    case OID.bool:
      return hashUint32Extended(v ? 1 : 0, seed);
    case OID.char: {
      // "char" is a signed C char: bytes ≥ 128 are sign-extended
      const byte = Buffer.from(v as string, 'latin1')[0] ?? 0;
      return hashUint32Extended(byte >= 128 ? byte - 256 : byte, seed);
    }
    case OID.text: case OID.varchar: case OID.name:
      return hashBytesExtended(Buffer.from(v as string, 'utf8'), seed);
    case OID.bpchar:
      return hashBytesExtended(Buffer.from(bpcharTrim(v as string), 'utf8'), seed);
    case OID.bytea:
      return hashBytesExtended(v as Uint8Array, seed);
    case OID.uuid:
      return hashBytesExtended(uuidBytes(v as string), seed);
    case OID.inet: case OID.cidr:
      return hashBytesExtended(inetHashBytes(v as string), seed);
    case OID.macaddr: case OID.macaddr8:
      return hashBytesExtended(Uint8Array.from(macBytes(v as string)), seed);
    case OID.float4: case OID.float8:
      return hashFloat8Extended(Number(v), seed);
    case OID.numeric:
      return hashNumericExtended(String(v), seed);
    case OID.date: {
      const d = Number(v);
      // DATEVAL_NOBEGIN / DATEVAL_NOEND
      const pg = d === -Infinity ? -0x80000000 : d === Infinity ? 0x7fffffff : d - UNIX_EPOCH_DAYS;
      return hashUint32Extended(pg | 0, seed);
    }
    case OID.timestamp: case OID.timestamptz:
      return hashInt8Extended(micros(Number(v), UNIX_EPOCH_MICROS), seed);
    case OID.time:
      return hashInt8Extended(micros(Number(v), 0n), seed);
    case OID.interval: {
      // interval_cmp_value: months count as 30 days, days as 24 hours (then truncated to int64)
      const iv = v as Interval;
      const span = (BigInt(iv.months) * 30n + BigInt(iv.days)) * USECS_PER_DAY + BigInt(Math.round(iv.micros));
      return hashInt8Extended(BigInt.asIntN(64, span), seed);
    }
  }
  const info = TYPES.get(type.oid);
  if (info?.elem !== undefined && info.category === 'A' && Array.isArray(v)) {
    return hashArrayExtended({ oid: info.elem, typmod: -1 }, v, seed);
  }
  const range = RANGE_TYPES.get(type.oid);
  if (range) return hashRangeExtended({ oid: range.subtype, typmod: -1 }, v as RangeValue, seed);
  const multirangeRange = multirangeRangeType(type.oid);
  if (multirangeRange !== undefined) return hashMultirangeExtended({ oid: RANGE_TYPES.get(multirangeRange)!.subtype, typmod: -1 }, v as MultirangeValue, seed);
  return undefined;
}

/** rangetypes.c hash_range_extended: the flags' hash, the lower bound's, rotated, the upper bound's */
function hashRangeExtended(subtype: SqlType, r: RangeValue, seed: bigint): bigint | undefined {
  const lower = hasLowerBound(r) ? pgExtendedHash(subtype, r.lower, seed) : 0n;
  const upper = hasUpperBound(r) ? pgExtendedHash(subtype, r.upper, seed) : 0n;
  if (lower === undefined || upper === undefined) return undefined;
  let result = hashUint32Extended(r.flags, seed) ^ lower;
  // ROTATE_HIGH_AND_LOW_32BITS
  result = ((result << 1n) & 0xfffffffefffffffen) | ((result >> 31n) & 0x100000001n);
  return (result ^ upper) & MASK64;
}

/** multirangetypes.c hash_multirange_extended: result = result * 31 + each range's hash_range_extended */
function hashMultirangeExtended(subtype: SqlType, m: MultirangeValue, seed: bigint): bigint | undefined {
  let result = 1n;
  for (const r of m.ranges) {
    const h = hashRangeExtended(subtype, r, seed);
    if (h === undefined) return undefined;
    result = (((result << 5n) - result + h) & MASK64);
  }
  return result;
}

/** arrayfuncs.c hash_array_extended: result = result * 31 + element hash, NULL elements 0. */
function hashArrayExtended(elem: SqlType, v: readonly Value[], seed: bigint): bigint | undefined {
  let result = 1n;
  const flat: Value[] = [];
  const walk = (a: readonly Value[]) => {
    for (const e of a) {
      if (Array.isArray(e)) walk(e);
      else flat.push(e);
    }
  };
  walk(v);
  for (const e of flat) {
    let h = 0n;
    if (e !== null) {
      const eh = pgExtendedHash(elem, e, seed);
      if (eh === undefined) return undefined;
      h = eh;
    }
    result = ((result << 5n) - result + h) & MASK64;
  }
  return result;
}
