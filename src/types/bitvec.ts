/**
 * PostgreSQL's bit(n) / bit varying(n), held at runtime as a string of '0' and '1', and
 * pgvector's distances on them (bitvec.c): hamming_distance (<~>), jaccard_distance (<%>),
 * binary_quantize(vector|halfvec) → bit.
 *
 * A string compare of '0'/'1' strings is PostgreSQL's bit_cmp order (bytes first, then the
 * shorter string first), so bit values sort and hash as plain text.
 */
import { SqlError, SqlState } from '../errors.js';

const STRING_DATA_LENGTH_MISMATCH = '22026';

/** bit_in / varbit_in (without the typmod, which the casts apply) */
export function parseBit(text: string): string {
  let s = text;
  let hex = false;
  if (s[0] === 'b' || s[0] === 'B') s = s.slice(1);
  else if (s[0] === 'x' || s[0] === 'X') { s = s.slice(1); hex = true; }
  if (!hex) {
    for (const ch of s) {
      if (ch !== '0' && ch !== '1') throw new SqlError(SqlState.invalidTextRepresentation, `"${ch}" is not a valid binary digit`);
    }
    return s;
  }
  let out = '';
  for (const ch of s) {
    const d = /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : NaN;
    if (Number.isNaN(d)) throw new SqlError(SqlState.invalidTextRepresentation, `"${ch}" is not a valid hexadecimal digit`);
    out += d.toString(2).padStart(4, '0');
  }
  return out;
}

/** the bit(n) length coercion: explicit casts pad with zeros or truncate, others must match */
export function applyBitTypmod(v: string, n: number, explicit: boolean): string {
  if (v.length === n) return v;
  if (!explicit) throw new SqlError(STRING_DATA_LENGTH_MISMATCH, `bit string length ${v.length} does not match type bit(${n})`);
  return v.length > n ? v.slice(0, n) : v.padEnd(n, '0');
}

/** the bit varying(n) length coercion: explicit casts truncate, others must fit */
export function applyVarbitTypmod(v: string, n: number, explicit: boolean): string {
  if (v.length <= n) return v;
  if (!explicit) throw new SqlError(SqlState.stringDataRightTruncation, `bit string too long for type bit varying(${n})`);
  return v.slice(0, n);
}

function checkBitDims(a: string, b: string): void {
  if (a.length !== b.length) throw new SqlError(SqlState.dataException, `different bit lengths ${a.length} and ${b.length}`);
}

function popcount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 49) n++;
  return n;
}

export function hammingDistance(a: string, b: string): number {
  checkBitDims(a, b);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) n++;
  return n;
}

export function jaccardDistance(a: string, b: string): number {
  checkBitDims(a, b);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i) === 49, y = b.charCodeAt(i) === 49;
    if (x) aa++;
    if (y) bb++;
    if (x && y) ab++;
  }
  if (ab === 0) return 1;
  return 1 - ab / (aa + bb - ab);
}

/** binary_quantize: 1 where the element is > 0 */
export function binaryQuantize(v: Float32Array): string {
  let s = '';
  for (let i = 0; i < v.length; i++) s += v[i]! > 0 ? '1' : '0';
  return s;
}

function checkSameSize(a: string, b: string, what: string): void {
  if (a.length !== b.length) throw new SqlError(STRING_DATA_LENGTH_MISMATCH, `cannot ${what} bit strings of different sizes`);
}

export function bitAnd(a: string, b: string): string {
  checkSameSize(a, b, 'AND');
  let s = '';
  for (let i = 0; i < a.length; i++) s += a[i] === '1' && b[i] === '1' ? '1' : '0';
  return s;
}

export function bitOr(a: string, b: string): string {
  checkSameSize(a, b, 'OR');
  let s = '';
  for (let i = 0; i < a.length; i++) s += a[i] === '1' || b[i] === '1' ? '1' : '0';
  return s;
}

export function bitXor(a: string, b: string): string {
  checkSameSize(a, b, 'XOR');
  let s = '';
  for (let i = 0; i < a.length; i++) s += a[i] !== b[i] ? '1' : '0';
  return s;
}

export function bitNot(a: string): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += a[i] === '1' ? '0' : '1';
  return s;
}

export function bitShiftLeft(a: string, n: number): string {
  if (n < 0) return bitShiftRight(a, -n);
  if (n >= a.length) return '0'.repeat(a.length);
  return a.slice(n) + '0'.repeat(n);
}

export function bitShiftRight(a: string, n: number): string {
  if (n < 0) return bitShiftLeft(a, -n);
  if (n >= a.length) return '0'.repeat(a.length);
  return '0'.repeat(n) + a.slice(0, a.length - n);
}

export function bitCount(a: string): bigint {
  return BigInt(popcount(a));
}

export function getBit(a: string, n: number): number {
  if (n < 0 || n >= a.length) throw new SqlError(SqlState.arraySubscriptError, `bit index ${n} out of valid range (0..${a.length - 1})`);
  return a[n] === '1' ? 1 : 0;
}

export function setBit(a: string, n: number, v: number): string {
  if (n < 0 || n >= a.length) throw new SqlError(SqlState.arraySubscriptError, `bit index ${n} out of valid range (0..${a.length - 1})`);
  if (v !== 0 && v !== 1) throw new SqlError(SqlState.invalidParameterValue, 'new bit must be 0 or 1');
  return a.slice(0, n) + String(v) + a.slice(n + 1);
}

/** int4/int8 → bit(n): the low n bits (bitfromint4/8); n = 1 without a typmod */
export function intToBit(v: number | bigint, bits: 32 | 64, typmod: number): string {
  const n = typmod < 0 ? 1 : typmod;
  const x = BigInt.asUintN(bits, BigInt(v));
  let s = '';
  for (let i = n - 1; i >= 0; i--) s += i >= bits ? (BigInt.asIntN(bits, x) < 0n ? '1' : '0') : ((x >> BigInt(i)) & 1n) === 1n ? '1' : '0';
  return s;
}

/** bit → int4/int8 (bittoint4/8): too many bits is an error */
export function bitToInt(a: string, bits: 32 | 64): number | bigint {
  if (a.length > bits) throw new SqlError(SqlState.numericValueOutOfRange, bits === 32 ? 'integer out of range' : 'bigint out of range');
  const x = a.length === 0 ? 0n : BigInt('0b' + a);
  const r = BigInt.asIntN(bits, x);
  return bits === 32 ? Number(r) : r;
}
