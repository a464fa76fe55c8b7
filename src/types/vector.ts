/**
 * pgvector 0.8 `vector` semantics: text I/O, typmod checks, distance kernels, arithmetic,
 * comparison and the avg/sum aggregate states.
 *
 * Distances must print exactly what pgvector prints. pgvector accumulates in float32, and
 * the compiler vectorizes those loops, which changes the summation order. The reference
 * build (pgvector 0.8.6 on x86-64 with AVX2+FMA) sums with 8 float32 lanes using fused
 * multiply-add, folds the 8 lanes to 4 (lane i + lane i+4), runs any remaining block of 4
 * on those 4 lanes, folds 4 → 2 → 1 pairwise and adds the last < 4 elements one by one.
 * `accumulateL2/Ip/L1` reproduce that order; a double product of two float32 values is
 * exact, so `fround(acc + x * y)` is the fused multiply-add (up to a rare double-rounding
 * tie). The result matched the real server on every length tried (1 … 1536).
 * simsimd is not used here because its order differs in the last bits.
 */
import { SqlError, SqlState } from '../errors.js';
import { FLOAT32_SHORTEST_MAX_LEN, writeFloat32Shortest } from './float-shortest.js';
import { parseFloatList, type FloatListType } from './float-text.js';
import { acosRounded } from './acos.js';

export const VECTOR_MAX_DIM = 16000;

const fr = Math.fround;

export function checkDim(dim: number): void {
  if (dim < 1) throw new SqlError(SqlState.dataException, 'vector must have at least 1 dimension');
  if (dim > VECTOR_MAX_DIM) throw new SqlError(SqlState.programLimitExceeded, `vector cannot have more than ${VECTOR_MAX_DIM} dimensions`);
}

export function checkExpectedDim(typmod: number, dim: number): void {
  if (typmod !== -1 && typmod !== dim) throw new SqlError(SqlState.dataException, `expected ${typmod} dimensions, not ${dim}`);
}

export function checkElement(v: number): void {
  if (Number.isNaN(v)) throw new SqlError(SqlState.dataException, 'NaN not allowed in vector');
  if (!Number.isFinite(v)) throw new SqlError(SqlState.dataException, 'infinite value not allowed in vector');
}

export function checkDims(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new SqlError(SqlState.dataException, `different vector dimensions ${a.length} and ${b.length}`);
}

/** vector_typmod_in: validates the n of vector(n) */
export function vectorTypmod(n: number): number {
  if (n < 1) throw new SqlError(SqlState.invalidParameterValue, 'dimensions for type vector must be at least 1');
  if (n > VECTOR_MAX_DIM) throw new SqlError(SqlState.invalidParameterValue, `dimensions for type vector cannot exceed ${VECTOR_MAX_DIM}`);
  return n;
}

/**
 * The common case without regular expressions: plain decimal elements (what clients send)
 * between ASCII whitespace (pgvector's isspace), scanned as bytes; anything else — another
 * character, a malformed or non-finite element — returns undefined and takes the exact parser
 * (and its exact error messages).
 */
function parseSimpleVector(lit: string, typmod: number): Float32Array | undefined {
  // ASCII only (UTF-8 length = length): the bytes below are then the characters; charCodeAt
  // on a field sliced out of a COPY's text cost most of a text COPY of vectors
  if (Buffer.byteLength(lit, 'utf8') !== lit.length) return undefined;
  return scanSimpleVector(asciiBytes(lit), lit.length, typmod);
}

/**
 * vector_in of a text-format Bind parameter straight from its bytes, when they are the
 * common case parseSimpleVector takes (else undefined: decode the UTF-8 and parseText).
 * A k-NN query's 784-float parameter was decoded to a string, measured, written back to
 * bytes and then scanned: 20-36 us of a prepared query (bench/query-overhead.ts).
 */
export function parseVectorBytes(data: Uint8Array, typmod = -1): Float32Array | undefined {
  if (data.length + 1 > scratch.length) scratch = Buffer.alloc(Math.max(data.length + 1, 2 * scratch.length));
  scratch.set(data, 0);
  scratch[data.length] = 0;
  // any byte outside plain ASCII stops the scan (it is no space, digit, sign or bracket)
  return scanSimpleVector(scratch, data.length, typmod);
}

/** '[' decimal, … ']' between ASCII whitespace in b[0, length), followed by a 0 byte. */
function scanSimpleVector(b: Buffer, length: number, typmod: number): Float32Array | undefined {
  let i = 0;
  while (isSpaceCode(b[i])) i++;
  if (b[i] !== 91 /* [ */) return undefined;
  i++;
  let n = 0;
  for (;;) {
    while (isSpaceCode(b[i])) i++;
    const start = i;
    const d = scanDecimal(b, i);
    if (d === undefined) return undefined;
    i = scanEnd;
    if (i === start) return undefined;
    const f = Math.fround(d);
    if (!Number.isFinite(f)) return undefined;
    if (n === elements.length) {
      if (n >= VECTOR_MAX_DIM) return undefined;
      const grown = new Float32Array(Math.min(VECTOR_MAX_DIM, 2 * n));
      grown.set(elements);
      elements = grown;
    }
    elements[n++] = f;
    while (isSpaceCode(b[i])) i++;
    const c = b[i];
    if (c === 44 /* , */) { i++; continue; }
    if (c === 93 /* ] */) { i++; break; }
    return undefined;
  }
  while (isSpaceCode(b[i])) i++;
  if (i !== length) return undefined;
  // any other typmod than -1 must match (vector_in(text, oid, 0) is an error)
  if (typmod !== -1 && typmod !== n) return undefined;
  return elements.slice(0, n);
}

/** the elements scanned so far (reused: one copy of the right length is returned) */
let elements = new Float32Array(1024);

let scratch = Buffer.alloc(4096);

/** `lit` (ASCII) as bytes in a reused buffer, followed by a 0 byte (no digit, sign or space). */
function asciiBytes(lit: string): Buffer {
  if (lit.length + 1 > scratch.length) scratch = Buffer.alloc(Math.max(lit.length + 1, 2 * scratch.length));
  scratch.write(lit, 0, 'latin1');
  scratch[lit.length] = 0;
  return scratch;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** where scanDecimal stopped */
let scanEnd = 0;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * [+-]digits[.digits][e[+-]digits] at i, as a double whose float4 rounding (Math.fround) is
 * that of Number(text). Up to 15 significant digits and a power of ten within 10^±22 are
 * converted exactly (Clinger's fast path: one exact multiply/divide, correctly rounded like
 * strtod). Longer forms — the 17 digits of a float4 printed as a double, what JavaScript
 * clients send — are cut to their first 15 digits (within 1e-14 of the text) and converted
 * the same way; when no float4 rounding boundary lies within 1e-13 of that, the cut value
 * rounds to the same float4 as the whole text. Otherwise, and beyond 10^±22, Number().
 */
function scanDecimal(b: Buffer, i: number): number | undefined {
  let neg = false;
  let c = b[i];
  if (c === 43 || c === 45) { neg = c === 45; i++; c = b[i]; }
  const unsignedStart = i;
  /** the first 15 significant digits; `dropped` integer digits after them scale it up */
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let dropped = 0;
  let any = false;
  while (c >= 48 && c <= 57) {
    if (digits > 0 || c !== 48) digits++;
    if (digits <= 15) mant = mant * 10 + (c - 48);
    else dropped++;
    any = true;
    i++; c = b[i];
  }
  if (c === 46) {
    i++; c = b[i];
    while (c >= 48 && c <= 57) {
      if (digits > 0 || c !== 48) digits++;
      if (digits <= 15) {
        mant = mant * 10 + (c - 48);
        scale++;
      }
      any = true;
      i++; c = b[i];
    }
  }
  if (!any) return undefined;
  let exp = 0;
  if (c === 101 || c === 69) {
    i++; c = b[i];
    let eneg = false;
    if (c === 43 || c === 45) { eneg = c === 45; i++; c = b[i]; }
    let eany = false;
    while (c >= 48 && c <= 57) { exp = exp * 10 + (c - 48); eany = true; i++; c = b[i]; if (exp > 100000) return undefined; }
    if (!eany) return undefined;
    if (eneg) exp = -exp;
  }
  scanEnd = i;
  const e10 = exp - scale + dropped;
  let v = Number.NaN;
  if (e10 >= -22 && e10 <= 22) {
    const t = e10 >= 0 ? mant * POW10[e10] : mant / POW10[-e10];
    if (digits <= 15) v = t;
    else {
      const margin = t * 1e-13;
      if (Math.fround(t - margin) === Math.fround(t + margin)) v = t;
    }
  }
  if (Number.isNaN(v)) v = Number(b.toString('latin1', unsignedStart, i));
  if (Number.isNaN(v)) return undefined;
  return neg ? -v : v;
}

/** vector_in's elements: float4, out of range only when strtod's value was finite */
const VECTOR_TEXT: FloatListType = {
  name: 'vector',
  maxDim: VECTOR_MAX_DIM,
  element(token, d) {
    const val = fr(d);
    if (!Number.isFinite(val) && Number.isFinite(d)) {
      throw new SqlError(SqlState.numericValueOutOfRange, `"${token}" is out of range for type vector`);
    }
    checkElement(val);
    return val;
  },
};

/** vector_in */
export function parseVector(lit: string, typmod = -1): Float32Array {
  const fast = parseSimpleVector(lit, typmod);
  if (fast) return fast;
  const x = parseFloatList(lit, VECTOR_TEXT);
  checkDim(x.length);
  checkExpectedDim(typmod, x.length);
  return Float32Array.from(x);
}

/** vector_out's bytes are written here, then read out as one string (grown on demand) */
let outBytes = Buffer.allocUnsafe(4096);

/** vector_out: each element as float4 shortest round-trip, regardless of extra_float_digits */
export function formatVector(v: Float32Array): string {
  const need = 2 + v.length * (FLOAT32_SHORTEST_MAX_LEN + 1);
  if (outBytes.length < need) outBytes = Buffer.allocUnsafe(Math.max(need, 2 * outBytes.length));
  const out = outBytes;
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  out[0] = 91; // [
  let pos = 1;
  for (let i = 0; i < bits.length; i++) {
    if (i > 0) out[pos++] = 44; // ,
    pos = writeFloat32Shortest(bits[i]!, out, pos);
  }
  out[pos++] = 93; // ]
  return out.toString('latin1', 0, pos);
}

/** The `vector(n)` length coercion (pgvector's vector() function). */
export function applyVectorTypmod(v: Float32Array, typmod: number): Float32Array {
  checkExpectedDim(typmod, v.length);
  return v;
}

/** array_to_vector for int4[], float4[], float8[], numeric[] (values already numbers) */
export function arrayToVector(arr: readonly unknown[], typmod = -1): Float32Array {
  if (arr.some((e) => Array.isArray(e))) throw new SqlError(SqlState.dataException, 'array must be 1-D');
  if (arr.some((e) => e === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'array must not contain nulls');
  checkDim(arr.length);
  checkExpectedDim(typmod, arr.length);
  const out = new Float32Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const e = arr[i];
    out[i] = typeof e === 'string' ? Number(e) : Number(e as number);
  }
  for (let i = 0; i < out.length; i++) checkElement(out[i]!);
  return out;
}

export function vectorToFloat4Array(v: Float32Array): number[] {
  return Array.from(v);
}

// ---------------------------------------------------------------- distance kernels

// Each kernel is its own copy of the loop so V8 inlines the step; one shared higher-order
// loop becomes megamorphic and runs ~6x slower.
const stepL2 = (acc: number, x: number, y: number): number => { const d = fr(x - y); return fr(acc + d * d); };
const stepIp = (acc: number, x: number, y: number): number => fr(acc + x * y);
const stepL1 = (acc: number, x: number, y: number): number => fr(acc + Math.abs(fr(x - y)));

/** float32 sum in pgvector's vectorized order (see the file comment); sum of squared differences */
function accumulateL2(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let i = 0;
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  for (; i + 8 <= n; i += 8) {
    l0 = stepL2(l0, a[i]!, b[i]!); l1 = stepL2(l1, a[i + 1]!, b[i + 1]!);
    l2 = stepL2(l2, a[i + 2]!, b[i + 2]!); l3 = stepL2(l3, a[i + 3]!, b[i + 3]!);
    l4 = stepL2(l4, a[i + 4]!, b[i + 4]!); l5 = stepL2(l5, a[i + 5]!, b[i + 5]!);
    l6 = stepL2(l6, a[i + 6]!, b[i + 6]!); l7 = stepL2(l7, a[i + 7]!, b[i + 7]!);
  }
  let q0 = fr(l0 + l4), q1 = fr(l1 + l5), q2 = fr(l2 + l6), q3 = fr(l3 + l7);
  if (i + 4 <= n) {
    q0 = stepL2(q0, a[i]!, b[i]!); q1 = stepL2(q1, a[i + 1]!, b[i + 1]!);
    q2 = stepL2(q2, a[i + 2]!, b[i + 2]!); q3 = stepL2(q3, a[i + 3]!, b[i + 3]!);
    i += 4;
  }
  let s = fr(fr(q0 + q2) + fr(q1 + q3));
  for (; i < n; i++) s = stepL2(s, a[i]!, b[i]!);
  return s;
}

/** float32 sum in pgvector's vectorized order (see the file comment); dot product */
function accumulateIp(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let i = 0;
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  for (; i + 8 <= n; i += 8) {
    l0 = stepIp(l0, a[i]!, b[i]!); l1 = stepIp(l1, a[i + 1]!, b[i + 1]!);
    l2 = stepIp(l2, a[i + 2]!, b[i + 2]!); l3 = stepIp(l3, a[i + 3]!, b[i + 3]!);
    l4 = stepIp(l4, a[i + 4]!, b[i + 4]!); l5 = stepIp(l5, a[i + 5]!, b[i + 5]!);
    l6 = stepIp(l6, a[i + 6]!, b[i + 6]!); l7 = stepIp(l7, a[i + 7]!, b[i + 7]!);
  }
  let q0 = fr(l0 + l4), q1 = fr(l1 + l5), q2 = fr(l2 + l6), q3 = fr(l3 + l7);
  if (i + 4 <= n) {
    q0 = stepIp(q0, a[i]!, b[i]!); q1 = stepIp(q1, a[i + 1]!, b[i + 1]!);
    q2 = stepIp(q2, a[i + 2]!, b[i + 2]!); q3 = stepIp(q3, a[i + 3]!, b[i + 3]!);
    i += 4;
  }
  let s = fr(fr(q0 + q2) + fr(q1 + q3));
  for (; i < n; i++) s = stepIp(s, a[i]!, b[i]!);
  return s;
}

/** float32 sum in pgvector's vectorized order (see the file comment); sum of absolute differences */
function accumulateL1(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let i = 0;
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  for (; i + 8 <= n; i += 8) {
    l0 = stepL1(l0, a[i]!, b[i]!); l1 = stepL1(l1, a[i + 1]!, b[i + 1]!);
    l2 = stepL1(l2, a[i + 2]!, b[i + 2]!); l3 = stepL1(l3, a[i + 3]!, b[i + 3]!);
    l4 = stepL1(l4, a[i + 4]!, b[i + 4]!); l5 = stepL1(l5, a[i + 5]!, b[i + 5]!);
    l6 = stepL1(l6, a[i + 6]!, b[i + 6]!); l7 = stepL1(l7, a[i + 7]!, b[i + 7]!);
  }
  let q0 = fr(l0 + l4), q1 = fr(l1 + l5), q2 = fr(l2 + l6), q3 = fr(l3 + l7);
  if (i + 4 <= n) {
    q0 = stepL1(q0, a[i]!, b[i]!); q1 = stepL1(q1, a[i + 1]!, b[i + 1]!);
    q2 = stepL1(q2, a[i + 2]!, b[i + 2]!); q3 = stepL1(q3, a[i + 3]!, b[i + 3]!);
    i += 4;
  }
  let s = fr(fr(q0 + q2) + fr(q1 + q3));
  for (; i < n; i++) s = stepL1(s, a[i]!, b[i]!);
  return s;
}

export function l2SquaredRaw(a: Float32Array, b: Float32Array): number { return accumulateL2(a, b); }
export function innerProductRaw(a: Float32Array, b: Float32Array): number { return accumulateIp(a, b); }

export function cosineDistanceRaw(a: Float32Array, b: Float32Array): number {
  const dot = accumulateIp(a, b);
  const na = accumulateIp(a, a);
  const nb = accumulateIp(b, b);
  let sim = dot / Math.sqrt(na * nb);
  if (sim > 1) sim = 1;
  else if (sim < -1) sim = -1;
  return 1 - sim;
}

export function l2Distance(a: Float32Array, b: Float32Array): number { checkDims(a, b); return Math.sqrt(l2SquaredRaw(a, b)); }
export function l2SquaredDistance(a: Float32Array, b: Float32Array): number { checkDims(a, b); return l2SquaredRaw(a, b); }
export function innerProduct(a: Float32Array, b: Float32Array): number { checkDims(a, b); return innerProductRaw(a, b); }
export function negativeInnerProduct(a: Float32Array, b: Float32Array): number { checkDims(a, b); return -innerProductRaw(a, b); }
export function cosineDistance(a: Float32Array, b: Float32Array): number { checkDims(a, b); return cosineDistanceRaw(a, b); }
export function l1Distance(a: Float32Array, b: Float32Array): number { checkDims(a, b); return accumulateL1(a, b); }

/**
 * pgvector's spherical k-means distance (vector_spherical_distance): the angle between two
 * unit vectors as a fraction of π, from their inner product clamped to [-1, 1] (acos of a
 * value rounded just past 1 would be NaN). The inputs' norms are not checked. acos is
 * rounded like the C library's (src/types/acos.ts), not like Math.acos.
 */
export function angularDistance(innerProduct: number): number {
  const d = innerProduct > 1 ? 1 : innerProduct < -1 ? -1 : innerProduct;
  return acosRounded(d) / Math.PI;
}

export function sphericalDistance(a: Float32Array, b: Float32Array): number { checkDims(a, b); return angularDistance(innerProductRaw(a, b)); }

export type DistanceOperator = '<->' | '<#>' | '<=>' | '<+>';

/**
 * The kernel behind a distance operator, for the executor's top-k: returns exactly what the
 * SQL operator returns. Throws on a dimension mismatch like the operator does.
 */
export function distanceFunction(op: DistanceOperator): (a: Float32Array, b: Float32Array) => number {
  switch (op) {
    case '<->': return l2Distance;
    case '<#>': return negativeInnerProduct;
    case '<=>': return cosineDistance;
    case '<+>': return l1Distance;
  }
}

// ---------------------------------------------------------------- scalar functions

export function vectorDims(a: Float32Array): number { return a.length; }

/** sum of squares in double, in the same vectorized order (4 double lanes → 2 → 1) */
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

export function vectorNorm(a: Float32Array): number {
  return Math.sqrt(sumSquaresDouble(a));
}

function overflow(): SqlError { return new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow'); }
function underflow(): SqlError { return new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow'); }

export function l2Normalize(a: Float32Array): Float32Array {
  const norm = vectorNorm(a);
  const r = new Float32Array(a.length);
  if (norm > 0) {
    for (let i = 0; i < a.length; i++) r[i] = a[i]! / norm;
    for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflow();
  }
  return r;
}

export function vectorAdd(a: Float32Array, b: Float32Array): Float32Array {
  checkDims(a, b);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! + b[i]!;
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflow();
  return r;
}

export function vectorSub(a: Float32Array, b: Float32Array): Float32Array {
  checkDims(a, b);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! - b[i]!;
  for (let i = 0; i < r.length; i++) if (!Number.isFinite(r[i]!)) throw overflow();
  return r;
}

export function vectorMul(a: Float32Array, b: Float32Array): Float32Array {
  checkDims(a, b);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = a[i]! * b[i]!;
  for (let i = 0; i < r.length; i++) {
    if (!Number.isFinite(r[i]!)) throw overflow();
    if (r[i] === 0 && !(a[i] === 0 || b[i] === 0)) throw underflow();
  }
  return r;
}

export function vectorConcat(a: Float32Array, b: Float32Array): Float32Array {
  checkDim(a.length + b.length);
  const r = new Float32Array(a.length + b.length);
  r.set(a, 0);
  r.set(b, a.length);
  return r;
}

export function subvector(a: Float32Array, start: number, count: number): Float32Array {
  let end = start + count;
  if (start < 1) start = 1;
  if (end > a.length) end = a.length + 1;
  checkDim(end - start);
  return a.slice(start - 1, end - 1);
}

/** vector_cmp_internal: element-wise, then shorter first (like arrays) */
export function compareVectors(a: Float32Array, b: Float32Array): number {
  const dim = Math.min(a.length, b.length);
  for (let i = 0; i < dim; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

// ---------------------------------------------------------------- aggregates

/** avg(vector) state: count and float8 sums (vector_accum) */
export interface VectorAvgState { n: number; sums: Float64Array | null }

export function vectorAccum(state: VectorAvgState, v: Float32Array): VectorAvgState {
  if (state.sums === null) return { n: 1, sums: Float64Array.from(v) };
  checkExpectedDim(state.sums.length, v.length);
  const sums = state.sums;
  for (let i = 0; i < sums.length; i++) {
    const s = sums[i]! + v[i]!;
    if (!Number.isFinite(s)) throw overflow();
    sums[i] = s;
  }
  state.n++;
  return state;
}

export function vectorAvgFinal(state: VectorAvgState): Float32Array | null {
  if (state.n === 0 || state.sums === null) return null;
  checkDim(state.sums.length);
  const r = new Float32Array(state.sums.length);
  for (let i = 0; i < r.length; i++) {
    r[i] = state.sums[i]! / state.n;
    checkElement(r[i]!);
  }
  return r;
}
