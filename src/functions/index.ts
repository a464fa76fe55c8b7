/**
 * The binder's entry points into built-in functions, operators, casts and aggregates.
 * Resolution follows PostgreSQL's rules (parse_func.c / parse_oper.c / parse_coerce.c):
 * exact match first, then implicit coercions with the preferred-type and unknown-literal
 * heuristics; OID.unknown arguments (untyped literals, untyped parameters) adopt the chosen
 * candidate's type, and the returned argTypes say what each argument must be cast to.
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, formatType, type SqlType } from '../types/types.js';
import type { AggregateFunction, ScalarFunction } from './api.js';
import { canCoerceImplicitly } from './casts.js';
import { operatorCandidates } from './operators.js';
import { scalarCandidates } from './scalar.js';
import { COUNT_STAR, aggregateCandidates, isAggregateName as isAgg } from './aggregates.js';
import { describeArgs, functionNotFound, functionNotUnique, returnTypeOf, selectCandidate, type AggDef, type ScalarDef } from './registry.js';

export { resolveCast, castContextOf, canCoerceImplicitly, cannotCast, typmodCoercion } from './casts.js';
export { distanceFunction } from '../types/vector.js';
export type { CastContext, CastFunction, EvalContext, FunctionServices, ScalarFunction, AggregateFunction } from './api.js';

function normalizeName(name: string): string {
  return name.startsWith('pg_catalog.') ? name.slice('pg_catalog.'.length) : name;
}

export function isAggregateName(name: string): boolean {
  return isAgg(normalizeName(name));
}

function bindScalar(def: ScalarDef, argTypes: SqlType[], declared: number[]): ScalarFunction {
  const impl = def.impl;
  return {
    kind: 'scalar', argTypes, returnType: returnTypeOf(def.ret, argTypes, declared),
    strict: def.strict, volatile: def.volatile,
    impl: (args, ctx) => impl(args, ctx, argTypes),
  };
}

function bindAggregate(def: AggDef<unknown>, argTypes: SqlType[], declared: number[]): AggregateFunction {
  return {
    kind: 'aggregate', argTypes, returnType: returnTypeOf(def.ret, argTypes, declared), strict: def.strict,
    init: def.init,
    step: (s, args, ctx) => def.step(s, args, ctx, argTypes),
    final: (s, ctx) => def.final(s, ctx, argTypes),
    ...(def.inverse ? { inverse: def.inverse } : {}),
  };
}

/**
 * The function or aggregate `name(argTypes)` (count(*) = resolveFunction('count', [], {star: true})).
 * DISTINCT inside an aggregate is applied by the caller. Throws 42883 / 42725 like PostgreSQL.
 */
export function resolveFunction(name: string, argTypes: readonly SqlType[], opts: { star?: boolean; distinct?: boolean } = {}): ScalarFunction | AggregateFunction {
  const n = normalizeName(name);
  if (opts.star) {
    if (n === 'count' && argTypes.length === 0) return bindAggregate(COUNT_STAR as AggDef<unknown>, [], []);
    if (!isAgg(n) && scalarCandidates(n).length > 0) {
      throw new SqlError(SqlState.wrongObjectType, `${n}(*) specified, but ${n} is not an aggregate function`);
    }
    throw functionNotFound(n, argTypes, true);
  }
  const aggs = aggregateCandidates(n);
  if (aggs.length > 0) {
    const r = selectCandidate(aggs, argTypes);
    if (r === 'ambiguous') throw functionNotUnique(n, argTypes);
    if (r) return bindAggregate(r.def, r.argTypes, r.declared);
  }
  const fns = scalarCandidates(n);
  const r = selectCandidate(fns, argTypes);
  if (r === 'ambiguous') throw functionNotUnique(n, argTypes);
  if (!r) throw functionNotFound(n, argTypes);
  return bindScalar(r.def, r.argTypes, r.declared);
}

/**
 * f(a, VARIADIC arr): the variadic function called with an array for its repeated arguments,
 * spread into them when it runs (a NULL array gives NULL, as concat and format do); the
 * elements' count, hence the expanded signature, is known only then (bound once per count).
 */
export function resolveVariadicArrayCall(name: string, fixed: readonly SqlType[], arrayType: SqlType): ScalarFunction {
  const n = normalizeName(name);
  const elem = TYPES.get(arrayType.oid)?.elem;
  if (elem === undefined) throw new SqlError(SqlState.datatypeMismatch, 'VARIADIC argument must be an array');
  const elemType: SqlType = { oid: elem, typmod: arrayType.typmod };
  // the array is the variadic parameter itself: the other arguments match the fixed ones
  const defs = scalarCandidates(n).filter((d) => d.variadic !== undefined && d.args.length === fixed.length);
  const chosen = (count: number) => {
    const r = selectCandidate(defs, [...fixed, ...new Array<SqlType>(count).fill(elemType)]);
    if (r === 'ambiguous') throw functionNotUnique(n, [...fixed, arrayType]);
    if (!r) throw functionNotFound(n, [...fixed, arrayType]);
    return bindScalar(r.def, r.argTypes, r.declared);
  };
  const first = chosen(1);
  const byCount = new Map<number, ScalarFunction>([[1, first]]);
  return {
    kind: 'scalar', argTypes: [...first.argTypes.slice(0, fixed.length), arrayType], returnType: first.returnType,
    strict: false, volatile: first.volatile,
    impl: (args, ctx) => {
      const arr = args[args.length - 1];
      // a NULL array: NULL, but format() takes it as no arguments (text_format)
      if ((arr === null || arr === undefined) && n !== 'format') return null;
      const elems = (arr === null || arr === undefined ? [] : (arr as unknown[]).flat(Infinity)) as typeof args[number][];
      const all = [...args.slice(0, -1), ...elems];
      let f = byCount.get(elems.length);
      if (!f) byCount.set(elems.length, (f = chosen(elems.length)));
      return f.strict && all.some((a) => a === null) ? null : f.impl(all, ctx);
    },
  };
}

function describeOperator(op: string, left: SqlType | null, right: SqlType): string {
  return left === null ? `${op} ${describeArgs([right])}` : `${describeArgs([left])} ${op} ${describeArgs([right])}`;
}

/**
 * The operator `left op right` (left null: prefix operator such as unary minus).
 * `!=` is `<>`. Throws 42883 `operator does not exist: integer + text` like PostgreSQL.
 */
export function resolveOperator(op: string, left: SqlType | null, right: SqlType): ScalarFunction {
  const sym = op === '!=' ? '<>' : op;
  const cands = operatorCandidates(sym, left === null);
  const actual = left === null ? [right] : [left, right];
  const r = selectCandidate(cands, actual, left !== null);
  if (r === 'ambiguous') {
    throw new SqlError(SqlState.ambiguousFunction, `operator is not unique: ${describeOperator(sym, left, right)}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
    });
  }
  if (!r) {
    throw new SqlError(SqlState.undefinedFunction, `operator does not exist: ${describeOperator(sym, left, right)}`, {
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  }
  return bindScalar(r.def, r.argTypes, r.declared);
}

/**
 * PostgreSQL's select_common_type for CASE, COALESCE, UNION, VALUES, IN lists, ARRAY[] …
 * (`context` names the construct in messages). All-unknown inputs resolve to text.
 */
export function commonType(types: readonly SqlType[], context: string): SqlType {
  const known = types.filter((t) => t.oid !== OID.unknown);
  if (known.length === 0) return { oid: OID.text, typmod: -1 };
  let p = known[0]!;
  const cat = (oid: number): string => TYPES.get(oid)?.category ?? 'U';
  const pref = (oid: number): boolean => TYPES.get(oid)?.preferred === true;
  for (const t of known.slice(1)) {
    if (t.oid === p.oid) continue;
    if (cat(t.oid) !== cat(p.oid)) {
      throw new SqlError(SqlState.datatypeMismatch, `${context} types ${formatType({ oid: p.oid, typmod: -1 })} and ${formatType({ oid: t.oid, typmod: -1 })} cannot be matched`);
    }
    if (!pref(p.oid) && canCoerceImplicitly(p.oid, t.oid) && !canCoerceImplicitly(t.oid, p.oid)) p = t;
  }
  for (const t of known) {
    if (t.oid !== p.oid && !canCoerceImplicitly(t.oid, p.oid)) {
      throw new SqlError(SqlState.cannotCoerce, `${context} could not convert type ${formatType({ oid: t.oid, typmod: -1 })} to ${formatType({ oid: p.oid, typmod: -1 })}`);
    }
  }
  const sameTypmod = types.every((t) => t.oid === p.oid && t.typmod === p.typmod);
  return { oid: p.oid, typmod: sameTypmod ? p.typmod : -1 };
}
