/**
 * pgvector 0.8 `sparsevec`: text I/O (`{1:1.5,3:2}/5`), typmod checks, conversions to and
 * from vector/halfvec/arrays, distances (merge over the sorted indices, float32 sums like
 * sparsevec.c) and btree order.
 */
import { SqlError, SqlState } from '../errors.js';
import { formatFloat4 } from './float.js';
import { STRTOF, isInfOrNanLiteral, isSpace, strtodValue } from './float-text.js';
import { innerProductRaw, vectorNorm } from './vector.js';
import { toHalfChecked } from './halfvec.js';
import type { SparseVector } from './types.js';

export const SPARSEVEC_MAX_DIM = 1_000_000_000;
export const SPARSEVEC_MAX_NNZ = 16000;

const fr = Math.fround;

function invalid(lit: string, detail?: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type sparsevec: "${lit}"`, detail ? { detail } : {});
}

export function checkSparseDim(dim: number): void {
  if (dim < 1) throw new SqlError(SqlState.dataException, 'sparsevec must have at least 1 dimension');
  if (dim > SPARSEVEC_MAX_DIM) throw new SqlError(SqlState.programLimitExceeded, `sparsevec cannot have more than ${SPARSEVEC_MAX_DIM} dimensions`);
}

export function checkExpectedSparseDim(typmod: number, dim: number): void {
  if (typmod !== -1 && typmod !== dim) throw new SqlError(SqlState.dataException, `expected ${typmod} dimensions, not ${dim}`);
}

export function checkSparseNnz(nnz: number, dim: number): void {
  if (nnz < 0) throw new SqlError(SqlState.dataException, 'sparsevec cannot have negative number of elements');
  if (nnz > SPARSEVEC_MAX_NNZ) throw new SqlError(SqlState.programLimitExceeded, `sparsevec cannot have more than ${SPARSEVEC_MAX_NNZ} non-zero elements`);
  if (nnz > dim) throw new SqlError(SqlState.programLimitExceeded, 'sparsevec cannot have more elements than dimensions');
}

/** pgvector's hnswutils.c: an HNSW index takes sparse vectors of at most 1,000 non-zero elements */
export const SPARSEVEC_HNSW_MAX_NNZ = 1000;

/** SparsevecCheckValue: a value going into an HNSW index (insert, update, CREATE INDEX) */
export function checkSparsevecHnswValue(v: SparseVector): void {
  if (v.indices.length > SPARSEVEC_HNSW_MAX_NNZ) {
    throw new SqlError(SqlState.programLimitExceeded, `sparsevec cannot have more than ${SPARSEVEC_HNSW_MAX_NNZ} non-zero elements for hnsw index`);
  }
}

/** CheckIndex: 1 … dim, strictly ascending */
export function checkSparseIndex(indices: Int32Array | number[], i: number, dim: number): void {
  const index = indices[i]!;
  if (index < 1 || index > dim) throw new SqlError(SqlState.dataException, 'sparsevec index out of bounds');
  if (i > 0) {
    if (index < indices[i - 1]!) throw new SqlError(SqlState.dataException, 'sparsevec indices must be in ascending order');
    if (index === indices[i - 1]) throw new SqlError(SqlState.dataException, 'sparsevec indices must not contain duplicates');
  }
}

export function checkSparseElement(v: number): void {
  if (Number.isNaN(v)) throw new SqlError(SqlState.dataException, 'NaN not allowed in sparsevec');
  if (!Number.isFinite(v)) throw new SqlError(SqlState.dataException, 'infinite value not allowed in sparsevec');
}

function checkSparseDims(a: SparseVector, b: SparseVector): void {
  if (a.dim !== b.dim) throw new SqlError(SqlState.dataException, `different sparsevec dimensions ${a.dim} and ${b.dim}`);
}

/** sparsevec_typmod_in */
export function sparsevecTypmod(n: number): number {
  if (n < 1) throw new SqlError(SqlState.invalidParameterValue, 'dimensions for type sparsevec must be at least 1');
  if (n > SPARSEVEC_MAX_DIM) throw new SqlError(SqlState.invalidParameterValue, `dimensions for type sparsevec cannot exceed ${SPARSEVEC_MAX_DIM}`);
  return n;
}

// strtol: optional sign, decimal digits
const STRTOL = /[+-]?\d+/y;

/** strtol at `pt`: the digits read and the position after them */
function readLong(lit: string, pt: number): { text: string; end: number } | undefined {
  while (isSpace(lit[pt])) pt++;
  STRTOL.lastIndex = pt;
  const m = STRTOL.exec(lit);
  return m ? { text: m[0], end: pt + m[0].length } : undefined;
}

/** sparsevec_in */
export function parseSparsevec(lit: string, typmod = -1): SparseVector {
  let maxNnz = 1;
  for (const ch of lit) if (ch === ',') maxNnz++;
  if (maxNnz > SPARSEVEC_MAX_NNZ) throw new SqlError(SqlState.programLimitExceeded, `sparsevec cannot have more than ${SPARSEVEC_MAX_NNZ} non-zero elements`);
  const elements: { index: number; value: number }[] = [];
  let pt = 0;
  while (isSpace(lit[pt])) pt++;
  if (lit[pt] !== '{') throw invalid(lit, 'Vector contents must start with "{".');
  pt++;
  while (isSpace(lit[pt])) pt++;
  if (lit[pt] === '}') pt++;
  else {
    for (;;) {
      while (isSpace(lit[pt])) pt++;
      if (pt >= lit.length) throw invalid(lit);
      const idx = readLong(lit, pt);
      if (idx === undefined) throw invalid(lit);
      const index = Number(idx.text);
      if (index < -2147483648 || index > 2147483647) throw new SqlError(SqlState.dataException, 'sparsevec index out of bounds');
      pt = idx.end;
      while (isSpace(lit[pt])) pt++;
      if (lit[pt] !== ':') throw invalid(lit);
      pt++;
      while (isSpace(lit[pt])) pt++;
      STRTOF.lastIndex = pt;
      const m = STRTOF.exec(lit);
      if (!m) throw invalid(lit);
      const token = m[0];
      const literalInfOrNan = isInfOrNanLiteral(token);
      const d = strtodValue(token);
      const value = fr(d);
      if (!literalInfOrNan && (!Number.isFinite(value) || (value === 0 && d !== 0))) {
        throw new SqlError(SqlState.numericValueOutOfRange, `"${token}" is out of range for type sparsevec`);
      }
      checkSparseElement(value);
      if (value !== 0) elements.push({ index, value });
      pt += token.length;
      while (isSpace(lit[pt])) pt++;
      if (lit[pt] === ',') pt++;
      else if (lit[pt] === '}') { pt++; break; }
      else throw invalid(lit);
    }
  }
  while (isSpace(lit[pt])) pt++;
  if (lit[pt] !== '/') throw invalid(lit, 'Unexpected end of input.');
  pt++;
  const dimRead = readLong(lit, pt);
  if (dimRead === undefined) throw invalid(lit);
  pt = dimRead.end;
  while (isSpace(lit[pt])) pt++;
  if (pt < lit.length) throw invalid(lit, 'Junk after closing.');
  const dim = Number(dimRead.text);
  checkSparseDim(dim);
  checkExpectedSparseDim(typmod, dim);
  elements.sort((x, y) => x.index - y.index);
  const indices = new Int32Array(elements.length);
  const values = new Float32Array(elements.length);
  for (let i = 0; i < elements.length; i++) {
    indices[i] = elements[i]!.index;
    values[i] = elements[i]!.value;
    checkSparseIndex(indices, i, dim);
  }
  return { dim, indices, values };
}

/** sparsevec_out */
export function formatSparsevec(v: SparseVector): string {
  let s = '{';
  for (let i = 0; i < v.indices.length; i++) {
    if (i > 0) s += ',';
    s += v.indices[i] + ':' + formatFloat4(v.values[i]!);
  }
  return s + '}/' + v.dim;
}

/** the `sparsevec(n)` length coercion */
export function applySparsevecTypmod(v: SparseVector, typmod: number): SparseVector {
  checkExpectedSparseDim(typmod, v.dim);
  return v;
}

/** a sparse vector of the non-zero elements of a dense one */
function fromDense(x: ArrayLike<number>): SparseVector {
  let nnz = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) nnz++;
  const indices = new Int32Array(nnz), values = new Float32Array(nnz);
  for (let i = 0, j = 0; i < x.length; i++) {
    if (x[i] !== 0) { indices[j] = i + 1; values[j] = x[i]!; j++; }
  }
  return { dim: x.length, indices, values };
}

/** vector_to_sparsevec and halfvec_to_sparsevec (the halfvec values are already float32) */
export function denseToSparsevec(v: Float32Array, typmod = -1): SparseVector {
  checkSparseDim(v.length);
  checkExpectedSparseDim(typmod, v.length);
  return fromDense(v);
}

/** sparsevec_to_vector */
export function sparsevecToVector(v: SparseVector, typmod = -1): Float32Array {
  checkSparseDim(v.dim);
  if (v.dim > 16000) throw new SqlError(SqlState.programLimitExceeded, 'vector cannot have more than 16000 dimensions');
  checkExpectedSparseDim(typmod, v.dim);
  const out = new Float32Array(v.dim);
  for (let i = 0; i < v.indices.length; i++) out[v.indices[i]! - 1] = v.values[i]!;
  return out;
}

/** sparsevec_to_halfvec */
export function sparsevecToHalfvec(v: SparseVector, typmod = -1): Float32Array {
  if (v.dim > 16000) throw new SqlError(SqlState.programLimitExceeded, 'halfvec cannot have more than 16000 dimensions');
  checkExpectedSparseDim(typmod, v.dim);
  const out = new Float32Array(v.dim);
  for (let i = 0; i < v.indices.length; i++) out[v.indices[i]! - 1] = toHalfChecked(v.values[i]!);
  return out;
}

/** array_to_sparsevec for int4[], float4[], float8[], numeric[] (numeric as text) */
export function arrayToSparsevec(arr: readonly unknown[], typmod = -1): SparseVector {
  if (arr.some((e) => Array.isArray(e))) throw new SqlError(SqlState.dataException, 'array must be 1-D');
  if (arr.some((e) => e === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'array must not contain nulls');
  checkSparseDim(arr.length);
  checkExpectedSparseDim(typmod, arr.length);
  const x = arr.map((e) => fr(typeof e === 'string' ? Number(e) : Number(e as number)));
  for (const v of x) checkSparseElement(v);
  return fromDense(x);
}

// ---------------------------------------------------------------- distances

function l2Squared(a: SparseVector, b: SparseVector): number {
  const ax = a.values, bx = b.values, ai_ = a.indices, bi_ = b.indices;
  let distance = 0, bpos = 0;
  for (let i = 0; i < ai_.length; i++) {
    const ai = ai_[i]!;
    let bi = -1;
    for (let j = bpos; j < bi_.length; j++) {
      bi = bi_[j]!;
      if (ai === bi) { const diff = fr(ax[i]! - bx[j]!); distance = fr(distance + fr(diff * diff)); }
      else if (ai > bi) distance = fr(distance + fr(bx[j]! * bx[j]!));
      if (ai >= bi) bpos = j + 1;
      if (bi >= ai) break;
    }
    if (ai !== bi) distance = fr(distance + fr(ax[i]! * ax[i]!));
  }
  for (let j = bpos; j < bi_.length; j++) distance = fr(distance + fr(bx[j]! * bx[j]!));
  return distance;
}

function innerProductRawSparse(a: SparseVector, b: SparseVector): number {
  const ax = a.values, bx = b.values, ai_ = a.indices, bi_ = b.indices;
  let distance = 0, bpos = 0;
  for (let i = 0; i < ai_.length; i++) {
    const ai = ai_[i]!;
    for (let j = bpos; j < bi_.length; j++) {
      const bi = bi_[j]!;
      if (ai === bi) distance = fr(distance + fr(ax[i]! * bx[j]!));
      if (ai >= bi) bpos = j + 1;
      if (bi >= ai) break;
    }
  }
  return distance;
}

export function sparsevecL2Distance(a: SparseVector, b: SparseVector): number { checkSparseDims(a, b); return Math.sqrt(l2Squared(a, b)); }
export function sparsevecL2Squared(a: SparseVector, b: SparseVector): number { checkSparseDims(a, b); return l2Squared(a, b); }
export function sparsevecInnerProduct(a: SparseVector, b: SparseVector): number { checkSparseDims(a, b); return innerProductRawSparse(a, b); }
export function sparsevecNegativeInnerProduct(a: SparseVector, b: SparseVector): number { checkSparseDims(a, b); return -innerProductRawSparse(a, b); }

export function sparsevecCosineDistance(a: SparseVector, b: SparseVector): number {
  checkSparseDims(a, b);
  let similarity = innerProductRawSparse(a, b);
  const norma = innerProductRaw(a.values, a.values);
  const normb = innerProductRaw(b.values, b.values);
  similarity /= Math.sqrt(norma * normb);
  if (similarity > 1) similarity = 1;
  else if (similarity < -1) similarity = -1;
  return 1 - similarity;
}

export function sparsevecL1Distance(a: SparseVector, b: SparseVector): number {
  checkSparseDims(a, b);
  const ax = a.values, bx = b.values, ai_ = a.indices, bi_ = b.indices;
  let distance = 0, bpos = 0;
  for (let i = 0; i < ai_.length; i++) {
    const ai = ai_[i]!;
    let bi = -1;
    for (let j = bpos; j < bi_.length; j++) {
      bi = bi_[j]!;
      if (ai === bi) distance = fr(distance + Math.abs(fr(ax[i]! - bx[j]!)));
      else if (ai > bi) distance = fr(distance + Math.abs(bx[j]!));
      if (ai >= bi) bpos = j + 1;
      if (bi >= ai) break;
    }
    if (ai !== bi) distance = fr(distance + Math.abs(ax[i]!));
  }
  for (let j = bpos; j < bi_.length; j++) distance = fr(distance + Math.abs(bx[j]!));
  return distance;
}

export function sparsevecNorm(a: SparseVector): number {
  return a.values.length === 0 ? 0 : vectorNorm(a.values);
}

export function sparsevecL2Normalize(a: SparseVector): SparseVector {
  const norm = sparsevecNorm(a);
  if (!(norm > 0)) return { dim: a.dim, indices: a.indices.slice(), values: new Float32Array(a.values.length) };
  const values = new Float32Array(a.values.length);
  for (let i = 0; i < values.length; i++) {
    values[i] = a.values[i]! / norm;
    if (!Number.isFinite(values[i]!)) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  }
  if (!values.includes(0)) return { dim: a.dim, indices: a.indices.slice(), values };
  const keep = [...values.keys()].filter((i) => values[i] !== 0);
  return { dim: a.dim, indices: Int32Array.from(keep, (i) => a.indices[i]!), values: Float32Array.from(keep, (i) => values[i]!) };
}

/** sparsevec_cmp_internal: the order of the dense vectors (values before dimensions) */
export function compareSparsevecs(a: SparseVector, b: SparseVector): number {
  const ax = a.values, bx = b.values;
  const nnz = Math.min(ax.length, bx.length);
  for (let i = 0; i < nnz; i++) {
    if (a.indices[i]! < b.indices[i]!) return ax[i]! < 0 ? -1 : 1;
    if (a.indices[i]! > b.indices[i]!) return bx[i]! < 0 ? 1 : -1;
    if (ax[i]! < bx[i]!) return -1;
    if (ax[i]! > bx[i]!) return 1;
  }
  if (ax.length < bx.length && b.indices[nnz]! <= a.dim) return bx[nnz]! < 0 ? 1 : -1;
  if (ax.length > bx.length && a.indices[nnz]! <= b.dim) return ax[nnz]! < 0 ? -1 : 1;
  return a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0;
}

export function sparsevecHashKey(v: SparseVector): string {
  return 's' + v.dim + ':' + Array.from(v.indices).join(',') + ':' + Array.from(v.values).join(',');
}
