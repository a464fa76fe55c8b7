/**
 * pgvector's functions that Quiver otherwise evaluates only behind an operator or an
 * aggregate (vector_add is +, vector_lt is <, vector_accum is avg's step), the type I/O
 * functions that read or return cstring, and the spherical k-means distance. pgvector's
 * extension script creates them all and any user may call them by name, so they are
 * registered as scalar functions here. Those whose arguments are `internal` (vector_recv,
 * hnswhandler, the *_support functions) are not: no SQL expression has that type, so
 * PostgreSQL cannot call them either; they exist only as pg_proc rows.
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, type SparseVector, type Value } from '../types/types.js';
import { compareVectors, formatVector, parseVector, sphericalDistance, vectorAdd, vectorConcat, vectorMul, vectorSub, vectorTypmod } from '../types/vector.js';
import { halfvecAdd, halfvecConcat, halfvecMul, halfvecSphericalDistance, halfvecSub, halfvecTypmod, parseHalfvec } from '../types/halfvec.js';
import { compareSparsevecs, formatSparsevec, parseSparsevec, sparsevecTypmod } from '../types/sparsevec.js';
import { accumulateState, averageHalfvecState, averageVectorState, combineStates } from '../types/vector-avg-state.js';
import { encodeBinary } from '../types/binary-format.js';
import { parseInteger } from '../types/text-io.js';

/** name, argument types, result type (pg_type names) and implementation; all strict and immutable */
export interface PgvectorFunction {
  readonly name: string;
  readonly args: readonly string[];
  readonly ret: string;
  readonly impl: (args: readonly Value[]) => Value;
}

const V = (v: Value): Float32Array => v as Float32Array;
const SV = (v: Value): SparseVector => v as SparseVector;

/**
 * ArrayGetIntegerTypmods: a typmod_in function's cstring[] as integers (int4in's rules for
 * each element; the element type is always cstring here).
 */
function integerTypmods(arr: Value): number[] {
  const a = arr as Value[];
  if (a.length === 0 || a.some((x) => Array.isArray(x))) throw new SqlError(SqlState.arraySubscriptError, 'typmod array must be one-dimensional');
  if (a.includes(null)) throw new SqlError(SqlState.nullValueNotAllowed, 'typmod array must not contain nulls');
  return a.map((x) => parseInteger(x as string, 32) as number);
}

/** vector_typmod_in and its twins: exactly one modifier, checked by the type's own rule */
function typmodIn(check: (n: number) => number): (args: readonly Value[]) => Value {
  return ([arr]) => {
    const mods = integerTypmods(arr!);
    if (mods.length !== 1) throw new SqlError(SqlState.invalidParameterValue, 'invalid type modifier');
    return check(mods[0]!);
  };
}

const COMPARISONS: readonly [string, (c: number) => boolean][] = [
  ['lt', (c) => c < 0], ['le', (c) => c <= 0], ['eq', (c) => c === 0], ['ne', (c) => c !== 0], ['ge', (c) => c >= 0], ['gt', (c) => c > 0],
];

function comparisonFunctions(type: string, cmp: (a: Value, b: Value) => number): PgvectorFunction[] {
  return COMPARISONS.map(([suffix, test]) => ({ name: `${type}_${suffix}`, args: [type, type], ret: 'bool', impl: ([a, b]) => test(cmp(a!, b!)) }));
}

/** the dense types' arithmetic: vector_add … halfvec_concat */
function arithmeticFunctions(type: string, add: typeof vectorAdd, sub: typeof vectorSub, mul: typeof vectorMul, concat: typeof vectorConcat): PgvectorFunction[] {
  return ([['add', add], ['sub', sub], ['mul', mul], ['concat', concat]] as const).map(([suffix, f]) => ({
    name: `${type}_${suffix}`, args: [type, type], ret: type, impl: ([a, b]) => f(V(a!), V(b!)),
  }));
}

/** X_in(cstring, oid, typmod), X_out, X_send and X_typmod_in of one of pgvector's types */
function ioFunctions(type: string, oid: number, parse: (text: string, typmod: number) => Value, format: (v: Value) => string,
  typmod: (n: number) => number): PgvectorFunction[] {
  return [
    // the oid argument (the type's own, for arrays of it) is not used, as in pgvector
    { name: `${type}_in`, args: ['cstring', 'oid', 'int4'], ret: type, impl: ([text, , mod]) => parse(text as string, mod as number) },
    { name: `${type}_out`, args: [type], ret: 'cstring', impl: ([v]) => format(v!) },
    { name: `${type}_send`, args: [type], ret: 'bytea', impl: ([v]) => encodeBinary({ oid, typmod: -1 }, v!) },
    { name: `${type}_typmod_in`, args: ['_cstring'], ret: 'int4', impl: typmodIn(typmod) },
  ];
}

/** pgvector's functions Quiver registers only here (see the file comment) */
export const PGVECTOR_FUNCTIONS: readonly PgvectorFunction[] = [
  ...comparisonFunctions('vector', (a, b) => compareVectors(V(a), V(b))),
  ...comparisonFunctions('halfvec', (a, b) => compareVectors(V(a), V(b))),
  ...comparisonFunctions('sparsevec', (a, b) => compareSparsevecs(SV(a), SV(b))),
  ...arithmeticFunctions('vector', vectorAdd, vectorSub, vectorMul, vectorConcat),
  ...arithmeticFunctions('halfvec', halfvecAdd, halfvecSub, halfvecMul, halfvecConcat),
  { name: 'vector_spherical_distance', args: ['vector', 'vector'], ret: 'float8', impl: ([a, b]) => sphericalDistance(V(a!), V(b!)) },
  { name: 'halfvec_spherical_distance', args: ['halfvec', 'halfvec'], ret: 'float8', impl: ([a, b]) => halfvecSphericalDistance(V(a!), V(b!)) },
  { name: 'vector_accum', args: ['_float8', 'vector'], ret: '_float8', impl: ([s, v]) => accumulateState(s!, V(v!), 'vector_accum') },
  { name: 'halfvec_accum', args: ['_float8', 'halfvec'], ret: '_float8', impl: ([s, v]) => accumulateState(s!, V(v!), 'halfvec_accum') },
  { name: 'vector_combine', args: ['_float8', '_float8'], ret: '_float8', impl: ([a, b]) => combineStates(a!, b!) },
  { name: 'halfvec_combine', args: ['_float8', '_float8'], ret: '_float8', impl: ([a, b]) => combineStates(a!, b!) },
  { name: 'vector_avg', args: ['_float8'], ret: 'vector', impl: ([s]) => averageVectorState(s!) },
  { name: 'halfvec_avg', args: ['_float8'], ret: 'halfvec', impl: ([s]) => averageHalfvecState(s!) },
  ...ioFunctions('vector', OID.vector, parseVector, (v) => formatVector(V(v)), vectorTypmod),
  ...ioFunctions('halfvec', OID.halfvec, parseHalfvec, (v) => formatVector(V(v)), halfvecTypmod),
  ...ioFunctions('sparsevec', OID.sparsevec, parseSparsevec, (v) => formatSparsevec(SV(v)), sparsevecTypmod),
];
