/**
 * pgvector's avg() transition state as SQL sees it: a float8[] {n, sum1, …, sumd}. pgvector's
 * aggregates step, merge and finish it with vector_accum, vector_combine and vector_avg (and
 * the halfvec twins), which any user may also call by name. Quiver's own avg() keeps the same
 * numbers in a VectorAvgState; the finishing step here is that aggregate's.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Value } from './types.js';
import { checkDim, checkExpectedDim, vectorAvgFinal } from './vector.js';
import { halfvecAvgFinal } from './halfvec.js';

/**
 * CheckStateArray: one dimension, at least the count, no NULLs. pgvector reports a bad state
 * with elog (XX000), naming the function; it does not look at the lower bound.
 */
function stateValues(state: Value, caller: string): number[] {
  const a = state as Value[];
  if (a.length === 0 || a.some((x) => x === null || Array.isArray(x))) {
    throw new SqlError(SqlState.internalError, `${caller}: expected state array`);
  }
  return a as number[];
}

/** isinf only: a NaN already in a state passes through, as in pgvector */
function checkSum(x: number): number {
  if (x === Infinity || x === -Infinity) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  return x;
}

/**
 * vector_accum / halfvec_accum: one more value (a halfvec's elements are already float32).
 * A state holding only the count takes the value's dimensions; otherwise they must agree.
 */
export function accumulateState(state: Value, v: Float32Array, caller: string): number[] {
  const s = stateValues(state, caller);
  const dim = s.length - 1;
  if (dim !== 0) checkExpectedDim(dim, v.length);
  const out = new Array<number>(v.length + 1);
  out[0] = s[0]! + 1;
  for (let i = 0; i < v.length; i++) out[i + 1] = dim === 0 ? v[i]! : checkSum(s[i + 1]! + v[i]!);
  return out;
}

/**
 * vector_combine (halfvec_combine is the same C function, so its errors say vector): a state
 * with count 0 yields the other one unchanged, else counts and sums add up. The result's
 * dimensions are checked like a vector's (a count-only state is an error), then must agree.
 */
export function combineStates(a: Value, b: Value): number[] {
  const s1 = stateValues(a, 'vector_combine');
  const s2 = stateValues(b, 'vector_combine');
  const only = s1[0] === 0 ? s2 : s2[0] === 0 ? s1 : undefined;
  if (only) {
    checkDim(only.length - 1);
    return [...only];
  }
  checkDim(s1.length - 1);
  checkExpectedDim(s1.length - 1, s2.length - 1);
  const out = new Array<number>(s1.length);
  out[0] = s1[0]! + s2[0]!;
  for (let i = 1; i < s1.length; i++) out[i] = checkSum(s1[i]! + s2[i]!);
  return out;
}

/** vector_avg: the sums over the count as a vector; NULL for a count of 0 */
export function averageVectorState(state: Value): Float32Array | null {
  const s = stateValues(state, 'vector_avg');
  return vectorAvgFinal({ n: s[0]!, sums: Float64Array.from(s.slice(1)) });
}

/** halfvec_avg: the sums over the count as a halfvec; NULL for a count of 0 */
export function averageHalfvecState(state: Value): Float32Array | null {
  const s = stateValues(state, 'halfvec_avg');
  return halfvecAvgFinal({ n: s[0]!, sums: Float64Array.from(s.slice(1)) });
}
