/**
 * pgvector 0.8 `halfvec` semantics: float16 elements (held at runtime as a Float32Array whose
 * values are exactly representable in float16), text I/O, typmod checks, distance kernels,
 * arithmetic, comparison and the avg/sum aggregate states.
 *
 * Distances must print exactly what pgvector prints. The reference build (x86-64 with F16C,
 * AVX and FMA) converts 8 halves at a time to float32 and accumulates them in 8 float32 lanes
 * with fused multiply-add, adds the 8 lanes left to right, then adds the last < 8 elements one
 * by one (HalfvecL2SquaredDistanceF16c & co. in halfutils.c); the compiler (built with
 * -fassociative-math) folds the 8 lanes pairwise rather than left to right. The L1 distance
 * is vectorized the same way.
 */
import { SqlError, SqlState } from '../errors.js';
import { formatFloat4 } from './float.js';
import { isInfOrNanLiteral, parseFloatList, type FloatListType } from './float-text.js';
import { angularDistance } from './vector.js';

export const HALFVEC_MAX_DIM = 16000;
/** largest finite float16 */
export const HALF_MAX = 65504;

const fr = Math.fround;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → float16 bits, round to nearest even (what F16C's vcvtps2ph does); overflow → ±inf */
export function floatToHalfBits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1) !== 0)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++;
  return sign | h;
}

/**
 * float16 bits → its value, from a table of all 65,536 (256 kB, filled on first use): a
 * 768-d halfvec cast (an expression index's key for every row) spent two thirds of its
 * 80-95 µs in this function's `2 ** e`.
 */
export function halfBitsToFloat(h: number): number {
  return (halfValues ??= allHalfValues())[h & 0xffff]!;
}

let halfValues: Float32Array | undefined;

function allHalfValues(): Float32Array {
  const out = new Float32Array(0x10000);
  for (let h = 0; h < 0x10000; h++) out[h] = halfValue(h);
  return out;
}

function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** Float4ToHalfUnchecked: the nearest float16 value of a float32 value (±Infinity on overflow) */
export function toHalf(x: number): number {
  return halfBitsToFloat(floatToHalfBits(x));
}

function overflow(): SqlError { return new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow'); }
function underflow(): SqlError { return new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow'); }

/** Float4ToHalf: like toHalf, but a finite value too large for float16 is an error */
export function toHalfChecked(x: number): number {
  const h = toHalf(x);
  if (!Number.isFinite(h) && Number.isFinite(x)) {
    throw new SqlError(SqlState.numericValueOutOfRange, `"${formatFloat4(fr(x))}" is out of range for type halfvec`);
  }
  return h;
}

export function checkHalfDim(dim: number): void {
  if (dim < 1) throw new SqlError(SqlState.dataException, 'halfvec must have at least 1 dimension');
  if (dim > HALFVEC_MAX_DIM) throw new SqlError(SqlState.programLimitExceeded, `halfvec cannot have more than ${HALFVEC_MAX_DIM} dimensions`);
}

export function checkExpectedHalfDim(typmod: number, dim: number): void {
  if (typmod !== -1 && typmod !== dim) throw new SqlError(SqlState.dataException, `expected ${typmod} dimensions, not ${dim}`);
}

export function checkHalfElement(v: number): void {
  if (Number.isNaN(v)) throw new SqlError(SqlState.dataException, 'NaN not allowed in halfvec');
  if (!Number.isFinite(v)) throw new SqlError(SqlState.dataException, 'infinite value not allowed in halfvec');
}

export function checkHalfDims(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new SqlError(SqlState.dataException, `different halfvec dimensions ${a.length} and ${b.length}`);
}

/** halfvec_typmod_in */
export function halfvecTypmod(n: number): number {
  if (n < 1) throw new SqlError(SqlState.invalidParameterValue, 'dimensions for type halfvec must be at least 1');
  if (n > HALFVEC_MAX_DIM) throw new SqlError(SqlState.invalidParameterValue, `dimensions for type halfvec cannot exceed ${HALFVEC_MAX_DIM}`);
  return n;
}

/** halfvec_in's elements: float4 first, then float16; out of range when either overflows a finite value */
const HALFVEC_TEXT: FloatListType = {
  name: 'halfvec',
  maxDim: HALFVEC_MAX_DIM,
  element(token, d) {
    const val = fr(d);
    const h = toHalf(val);
    if ((!Number.isFinite(val) && !isInfOrNanLiteral(token)) || (!Number.isFinite(h) && Number.isFinite(val))) {
      throw new SqlError(SqlState.numericValueOutOfRange, `"${token}" is out of range for type halfvec`);
    }
    checkHalfElement(h);
    return h;
  },
};

/** halfvec_in */
export function parseHalfvec(lit: string, typmod = -1): Float32Array {
  const x = parseFloatList(lit, HALFVEC_TEXT);
  checkHalfDim(x.length);
  checkExpectedHalfDim(typmod, x.length);
  return Float32Array.from(x);
}

/** halfvec_out prints each element as float4, exactly like vector_out */
export { formatVector as formatHalfvec } from './vector.js';

/** the `halfvec(n)` length coercion */
export function applyHalfvecTypmod(v: Float32Array, typmod: number): Float32Array {
  checkExpectedHalfDim(typmod, v.length);
  return v;
}

/** array_to_halfvec for int4[], float4[], float8[], numeric[] (numeric as text) */
export function arrayToHalfvec(arr: readonly unknown[], typmod = -1): Float32Array {
  if (arr.some((e) => Array.isArray(e))) throw new SqlError(SqlState.dataException, 'array must be 1-D');
  if (arr.some((e) => e === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'array must not contain nulls');
  checkHalfDim(arr.length);
  checkExpectedHalfDim(typmod, arr.length);
  const out = new Float32Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const e = arr[i];
    out[i] = toHalfChecked(fr(typeof e === 'string' ? Number(e) : Number(e as number)));
  }
  for (let i = 0; i < out.length; i++) checkHalfElement(out[i]!);
  return out;
}

/** vector_to_halfvec */
export function vectorToHalfvec(v: Float32Array, typmod = -1): Float32Array {
  checkHalfDim(v.length);
  checkExpectedHalfDim(typmod, v.length);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = toHalfChecked(v[i]!);
  return out;
}

// ---------------------------------------------------------------- distance kernels

// 8 float32 lanes, folded 8 → 4 (lane i + lane i+4) → 2 → 1, then the last < 8 elements one
// by one; matched against the reference server on lengths 1 … 300.
function fold(l: number[]): number {
  return fr(fr(fr(l[0]! + l[4]!) + fr(l[2]! + l[6]!)) + fr(fr(l[1]! + l[5]!) + fr(l[3]! + l[7]!)));
}

/** HalfvecL2SquaredDistanceF16c: sum of squared differences */
function accumulateL2(a: Float32Array, b: Float32Array): number {
  const n = a.length, count = n - (n % 8);
  const l = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i < count; i += 8) {
    for (let j = 0; j < 8; j++) { const d = fr(a[i + j]! - b[i + j]!); l[j] = fr(l[j]! + d * d); }
  }
  let s = fold(l);
  for (; i < n; i++) { const d = fr(a[i]! - b[i]!); s = fr(s + d * d); }
  return s;
}

/** HalfvecInnerProductF16c: dot product */
function accumulateIp(a: Float32Array, b: Float32Array): number {
  const n = a.length, count = n - (n % 8);
  const l = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i < count; i += 8) {
    for (let j = 0; j < 8; j++) l[j] = fr(l[j]! + a[i + j]! * b[i + j]!);
  }
  let s = fold(l);
  for (; i < n; i++) s = fr(s + a[i]! * b[i]!);
  return s;
}

/** HalfvecL1Distance: sum of absolute differences */
function accumulateL1(a: Float32Array, b: Float32Array): number {
  const n = a.length, count = n - (n % 8);
  const l = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i < count; i += 8) {
    for (let j = 0; j < 8; j++) l[j] = fr(l[j]! + Math.abs(fr(a[i + j]! - b[i + j]!)));
  }
  let s = fold(l);
  for (; i < n; i++) s = fr(s + Math.abs(fr(a[i]! - b[i]!)));
  return s;
}

export function halfvecL2Squared(a: Float32Array, b: Float32Array): number { checkHalfDims(a, b); return accumulateL2(a, b); }
export function halfvecL2Distance(a: Float32Array, b: Float32Array): number { checkHalfDims(a, b); return Math.sqrt(accumulateL2(a, b)); }
export function halfvecInnerProduct(a: Float32Array, b: Float32Array): number { checkHalfDims(a, b); return accumulateIp(a, b); }
export function halfvecNegativeInnerProduct(a: Float32Array, b: Float32Array): number { checkHalfDims(a, b); return -accumulateIp(a, b); }

/** halfvec_spherical_distance (see angularDistance) */
export function halfvecSphericalDistance(a: Float32Array, b: Float32Array): number { checkHalfDims(a, b); return angularDistance(accumulateIp(a, b)); }

export function halfvecCosineDistance(a: Float32Array, b: Float32Array): number {
  checkHalfDims(a, b);
  const sim0 = accumulateIp(a, b) / Math.sqrt(accumulateIp(a, a) * accumulateIp(b, b));
  const sim = sim0 > 1 ? 1 : sim0 < -1 ? -1 : sim0;
  return 1 - sim;
}

export function halfvecL1Distance(a: Float32Array, b: Float32Array): number {
  checkHalfDims(a, b);
  return accumulateL1(a, b);
}

export type DistanceOperator = '<->' | '<#>' | '<=>' | '<+>';

/** the kernel behind a halfvec distance operator (what the SQL operator returns) */
export function halfvecDistanceFunction(op: DistanceOperator): (a: Float32Array, b: Float32Array) => number {
  switch (op) {
    case '<->': return halfvecL2Distance;
    case '<#>': return halfvecNegativeInnerProduct;
    case '<=>': return halfvecCosineDistance;
    case '<+>': return halfvecL1Distance;
  }
}

// ---------------------------------------------------------------- scalar functions

/** sum of squares in double (4 double lanes → 2 → 1, like the auto-vectorized loop) */
function sumSquaresDouble(a: Float32Array): number {
  const n = a.length;
  let i = 0;
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0;
  for (; i + 4 <= n; i += 4) {
    l0 += a[i]! * a[i]!; l1 += a[i + 1]! * a[i + 1]!;
    l2 += a[i + 2]! * a[i + 2]!; l3 += a[i + 3]! * a[i + 3]!;
  }
  let q0 = l0 + l2, q1 = l1 + l3;
  if (i + 2 <= n) {
    q0 += a[i]! * a[i]!; q1 += a[i + 1]! * a[i + 1]!;
    i += 2;
  }
  let s = q0 + q1;
  for (; i < n; i++) s += a[i]! * a[i]!;
  return s;
}

export function halfvecNorm(a: Float32Array): number {
  return Math.sqrt(sumSquaresDouble(a));
}

export function halfvecL2Normalize(a: Float32Array): Float32Array {
  const norm = halfvecNorm(a);
  const r = new Float32Array(a.length);
  if (norm > 0) {
    for (let i = 0; i < a.length; i++) r[i] = toHalf(fr(a[i]! / norm));
    for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflow();
  }
  return r;
}

function elementwise(a: Float32Array, b: Float32Array, f: (x: number, y: number) => number): Float32Array {
  checkHalfDims(a, b);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = toHalf(fr(f(a[i]!, b[i]!)));
  return r;
}

export function halfvecAdd(a: Float32Array, b: Float32Array): Float32Array {
  const r = elementwise(a, b, (x, y) => x + y);
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflow();
  return r;
}

export function halfvecSub(a: Float32Array, b: Float32Array): Float32Array {
  const r = elementwise(a, b, (x, y) => x - y);
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflow();
  return r;
}

export function halfvecMul(a: Float32Array, b: Float32Array): Float32Array {
  const r = elementwise(a, b, (x, y) => x * y);
  for (let i = 0; i < r.length; i++) {
    if (!Number.isFinite(r[i]!)) throw overflow();
    if (r[i] === 0 && !(a[i] === 0 || b[i] === 0)) throw underflow();
  }
  return r;
}

export function halfvecConcat(a: Float32Array, b: Float32Array): Float32Array {
  checkHalfDim(a.length + b.length);
  const r = new Float32Array(a.length + b.length);
  r.set(a, 0);
  r.set(b, a.length);
  return r;
}

/** halfvec_subvector (1-based start, like substring) */
export function halfvecSubvector(a: Float32Array, start: number, count: number): Float32Array {
  if (count < 1) throw new SqlError(SqlState.dataException, 'halfvec must have at least 1 dimension');
  const end = start > a.length - count ? a.length + 1 : start + count;
  if (start < 1) start = 1;
  else if (start > a.length) throw new SqlError(SqlState.dataException, 'halfvec must have at least 1 dimension');
  checkHalfDim(end - start);
  return a.slice(start - 1, end - 1);
}

// ---------------------------------------------------------------- aggregates

/** avg(halfvec) state: count and float8 sums (halfvec_accum) */
export interface HalfvecAvgState { n: number; sums: Float64Array | null }

export function halfvecAccum(state: HalfvecAvgState, v: Float32Array): HalfvecAvgState {
  if (state.sums === null) return { n: 1, sums: Float64Array.from(v) };
  checkExpectedHalfDim(state.sums.length, v.length);
  const sums = state.sums;
  for (let i = 0; i < sums.length; i++) {
    const s = sums[i]! + v[i]!;
    if (!Number.isFinite(s)) throw overflow();
    sums[i] = s;
  }
  state.n++;
  return state;
}

export function halfvecAvgFinal(state: HalfvecAvgState): Float32Array | null {
  if (state.n === 0 || state.sums === null) return null;
  checkHalfDim(state.sums.length);
  const r = new Float32Array(state.sums.length);
  for (let i = 0; i < r.length; i++) {
    r[i] = toHalfChecked(fr(state.sums[i]! / state.n));
    checkHalfElement(r[i]!);
  }
  return r;
}
