/**
 * Candidate tables and PostgreSQL's overload resolution (func_select_candidate in
 * parse_func.c, oper_select_candidate in parse_oper.c), shared by functions, operators and
 * aggregates. Candidates declare PostgreSQL type names; polymorphic ones use anyelement,
 * anyarray, anynonarray, anycompatible (treated like anyelement) or "any".
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, formatType, typeByName, type SqlType, type Value } from '../types/types.js';
import { canCoerceImplicitly } from './casts.js';
import { isRangeType, rangeSubtype, rangeTypeOfSubtype } from '../types/range.js';
import { multirangeRangeType, rangeMultirangeType } from '../types/multirange.js';
import type { EvalContext } from './api.js';

export type Impl = (args: readonly Value[], ctx: EvalContext, types: readonly SqlType[]) => Value;

export interface ScalarDef {
  readonly name: string;
  readonly args: readonly number[];
  /** variadic element type (last args repeat), e.g. OID.any for concat() */
  readonly variadic?: number;
  readonly ret: number | ((args: readonly SqlType[]) => SqlType);
  readonly impl: Impl;
  readonly strict: boolean;
  readonly volatile: boolean;
}

export interface AggDef<S = unknown> {
  readonly name: string;
  readonly args: readonly number[];
  readonly ret: number | ((args: readonly SqlType[]) => SqlType);
  readonly strict: boolean;
  readonly init: () => S;
  readonly step: (state: S, args: readonly Value[], ctx: EvalContext, types: readonly SqlType[]) => S;
  readonly final: (state: S, ctx: EvalContext, types: readonly SqlType[]) => Value;
  /** removes one row from the state (window frames that slide); undefined = restart */
  readonly inverse?: (state: S, args: readonly Value[]) => S | undefined;
}

export const POLY: ReadonlySet<number> = new Set([OID.anyelement, OID.anyarray, OID.anynonarray, OID.anyenum, OID.any, OID.anyrange, OID.anymultirange]);

/** anyelement and its narrowings (anynonarray: not an array; anyenum: an enum) */
const isAnyElement = (d: number): boolean => d === OID.anyelement || d === OID.anynonarray || d === OID.anyenum;

export function oidOf(name: string): number {
  const alias: Record<string, string> = { int: 'int4', integer: 'int4', bigint: 'int8', smallint: 'int2', real: 'float4', double: 'float8', boolean: 'bool', 'text[]': '_text', 'int4[]': '_int4', anycompatible: 'anyelement' };
  const n = alias[name] ?? name;
  const info = typeByName(n.endsWith('[]') ? '_' + n.slice(0, -2) : n);
  if (!info) throw new Error(`bug: unknown type name ${name}`);
  return info.oid;
}

const isArrayOid = (oid: number): boolean => TYPES.get(oid)?.category === 'A' && TYPES.get(oid)?.elem !== undefined;
const categoryOf = (oid: number): string => TYPES.get(oid)?.category ?? 'U';
const isPreferred = (oid: number): boolean => TYPES.get(oid)?.preferred === true;

interface Expanded<D> { def: D; declared: number[] }

/** declared types of `def` for `n` arguments (variadic expansion), or undefined */
function expand(def: { args: readonly number[]; variadic?: number }, n: number): number[] | undefined {
  if (def.variadic === undefined) return def.args.length === n ? [...def.args] : undefined;
  if (n < def.args.length) return undefined;
  return [...def.args, ...new Array<number>(n - def.args.length).fill(def.variadic)];
}

/** Resolve polymorphic declared types against actual types; undefined if inconsistent. */
export function resolvePolymorphic(declared: readonly number[], actual: readonly SqlType[]): SqlType[] | undefined {
  // anyrange fixes the element type to its subtype (a range type's subtype is its anyelement);
  // anymultirange fixes anyrange to its range type
  let range: number | undefined;
  for (let i = 0; i < declared.length; i++) {
    const a = actual[i]!.oid;
    if ((declared[i] !== OID.anyrange && declared[i] !== OID.anymultirange) || a === OID.unknown) continue;
    const r = declared[i] === OID.anyrange ? (isRangeType(a) ? a : undefined) : multirangeRangeType(a);
    if (r === undefined || (range !== undefined && range !== r)) return undefined;
    range = r;
  }
  let elem: number | undefined = range !== undefined ? rangeSubtype(range) : undefined;
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!, a = actual[i]!.oid;
    if (a === OID.unknown) continue;
    if (isAnyElement(d)) {
      if (d === OID.anynonarray && isArrayOid(a)) return undefined;
      // a domain over an enum is no enum to anyenum (check_generic_type_consistency's type_is_enum)
      if (d === OID.anyenum && (categoryOf(a) !== 'E' || actual[i]!.domain !== undefined)) return undefined;
      if (elem !== undefined && elem !== a) {
        // a range's element must be its subtype exactly (check_generic_type_consistency)
        if (range !== undefined) return undefined;
        if (canCoerceImplicitly(a, elem)) continue;
        if (canCoerceImplicitly(elem, a)) { elem = a; continue; }
        return undefined;
      }
      elem = a;
    } else if (d === OID.anyarray) {
      if (!isArrayOid(a)) return undefined;
      const e = TYPES.get(a)!.elem!;
      if (elem !== undefined && elem !== e) return undefined;
      elem = e;
    }
  }
  const out: SqlType[] = [];
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!, a = actual[i]!;
    if (d === OID.any) out.push(a); // "any" keeps unknown, as pg_typeof('x') shows
    else if (isAnyElement(d)) {
      // anyenum needs an enum: all-unknown arguments resolve to none (PostgreSQL: "could not determine polymorphic type")
      if (d === OID.anyenum && elem === undefined) return undefined;
      out.push({ oid: elem ?? OID.text, typmod: elem === a.oid ? a.typmod : -1 });
    }
    else if (d === OID.anyarray) {
      const arr = TYPES.get(elem ?? OID.text)?.array;
      if (arr === undefined) return undefined;
      out.push({ oid: arr, typmod: -1 });
    } else if (d === OID.anyrange) {
      const r = range ?? (elem !== undefined ? rangeTypeOfSubtype(elem) : undefined);
      if (r === undefined) return undefined;
      out.push({ oid: r, typmod: -1 });
    } else if (d === OID.anymultirange) {
      const r = range ?? (elem !== undefined ? rangeTypeOfSubtype(elem) : undefined);
      const m = r !== undefined ? rangeMultirangeType(r) : undefined;
      if (m === undefined) return undefined;
      out.push({ oid: m, typmod: -1 });
    } else out.push({ oid: d, typmod: d === a.oid ? a.typmod : -1 });
  }
  return out;
}

function coercible(actual: readonly SqlType[], concrete: readonly SqlType[]): boolean {
  return actual.every((a, i) => a.oid === concrete[i]!.oid || canCoerceImplicitly(a.oid, concrete[i]!.oid));
}

export interface Chosen<D> { def: D; argTypes: SqlType[]; declared: number[] }

/**
 * PostgreSQL's candidate selection. Returns the chosen candidate, undefined when none fits,
 * or 'ambiguous'.
 */
export function selectCandidate<D extends { args: readonly number[]; variadic?: number }>(
  defs: readonly D[], actual: readonly SqlType[], binaryOperator = false,
): Chosen<D> | undefined | 'ambiguous' {
  const expanded: Expanded<D>[] = [];
  for (const def of defs) {
    const declared = expand(def, actual.length);
    if (declared) expanded.push({ def, declared });
  }
  const concretize = (e: Expanded<D>, act: readonly SqlType[]): SqlType[] | undefined => resolvePolymorphic(e.declared, act);
  // 1. exact match (a binary operator's unknown side is assumed to match the other side)
  let probe = actual;
  if (binaryOperator && actual.length === 2) {
    const [l, r] = actual as [SqlType, SqlType];
    if (l.oid === OID.unknown && r.oid !== OID.unknown) probe = [r, r];
    else if (r.oid === OID.unknown && l.oid !== OID.unknown) probe = [l, l];
  }
  if (probe.every((t) => t.oid !== OID.unknown)) {
    for (const e of expanded) {
      if (e.declared.some((d) => POLY.has(d))) continue;
      if (e.declared.every((d, i) => d === probe[i]!.oid)) {
        return { def: e.def, declared: e.declared, argTypes: e.declared.map((d, i) => ({ oid: d, typmod: actual[i]!.oid === d ? actual[i]!.typmod : -1 })) };
      }
    }
  }
  // 2. candidates every argument can be implicitly coerced to
  let cands: { e: Expanded<D>; concrete: SqlType[] }[] = [];
  for (const e of expanded) {
    const concrete = concretize(e, actual);
    if (concrete && coercible(actual, concrete)) cands.push({ e, concrete });
  }
  if (cands.length === 0) return undefined;
  const done = (c: { e: Expanded<D>; concrete: SqlType[] }): Chosen<D> => ({ def: c.e.def, declared: c.e.declared, argTypes: c.concrete });
  if (cands.length === 1) return done(cands[0]!);
  const keepMax = (score: (c: { e: Expanded<D>; concrete: SqlType[] }) => number): void => {
    const scores = cands.map(score);
    const max = Math.max(...scores);
    cands = cands.filter((_, i) => scores[i] === max);
  };
  // 3a. most exact matches on known arguments
  keepMax((c) => actual.filter((a, i) => a.oid !== OID.unknown && c.e.declared[i] === a.oid).length);
  if (cands.length === 1) return done(cands[0]!);
  // 3b. most preferred types where conversion is needed
  keepMax((c) => actual.filter((a, i) => a.oid !== OID.unknown && (c.e.declared[i] === a.oid || isPreferred(c.e.declared[i]!))).length);
  if (cands.length === 1) return done(cands[0]!);
  // 3c. unknown arguments: prefer the string category, else a category all candidates agree on
  const unknownPos = actual.map((a, i) => (a.oid === OID.unknown ? i : -1)).filter((i) => i >= 0);
  if (unknownPos.length === 0) return 'ambiguous';
  let resolved = true;
  const slotCat: string[] = [], slotPref: boolean[] = [];
  for (const i of unknownPos) {
    let cat: string | undefined, pref = false, conflict = false;
    for (const c of cands) {
      const t = c.e.declared[i]!, tc = categoryOf(t);
      if (cat === undefined) { cat = tc; pref = isPreferred(t); }
      else if (tc === cat) pref ||= isPreferred(t);
      else if (tc === 'S') { cat = 'S'; pref = isPreferred(t); conflict = false; }
      else if (cat !== 'S') conflict = true;
    }
    if (conflict) { resolved = false; break; }
    slotCat[i] = cat!; slotPref[i] = pref;
  }
  if (resolved) {
    const filtered = cands.filter((c) => unknownPos.every((i) => categoryOf(c.e.declared[i]!) === slotCat[i] && (!slotPref[i] || isPreferred(c.e.declared[i]!))));
    if (filtered.length === 1) return done(filtered[0]!);
    if (filtered.length > 0) cands = filtered;
  }
  // 3d. all known inputs of one type: assume the unknowns have it too
  const known = actual.filter((a) => a.oid !== OID.unknown);
  if (known.length > 0 && known.every((k) => k.oid === known[0]!.oid)) {
    const kt = known[0]!.oid;
    const f = cands.filter((c) => unknownPos.every((i) => c.concrete[i]!.oid === kt || canCoerceImplicitly(kt, c.concrete[i]!.oid)));
    if (f.length === 1) return done(f[0]!);
    const exactF = cands.filter((c) => unknownPos.every((i) => c.concrete[i]!.oid === kt));
    if (exactF.length === 1) return done(exactF[0]!);
  }
  return 'ambiguous';
}

export function returnTypeOf(ret: number | ((args: readonly SqlType[]) => SqlType), argTypes: readonly SqlType[], declared: readonly number[]): SqlType {
  if (typeof ret === 'function') return ret(argTypes);
  const m = declared.indexOf(OID.anymultirange);
  if (m >= 0 && (ret === OID.anyrange || ret === OID.anymultirange || isAnyElement(ret))) {
    const mr = argTypes[m]!.oid, range = multirangeRangeType(mr);
    if (ret === OID.anymultirange) return { oid: mr, typmod: -1 };
    if (ret === OID.anyrange) return { oid: range ?? OID.anyrange, typmod: -1 };
    return { oid: (range !== undefined ? rangeSubtype(range) : undefined) ?? OID.text, typmod: -1 };
  }
  const k = declared.indexOf(OID.anyrange);
  if (ret === OID.anymultirange) {
    const range = k >= 0 ? argTypes[k]!.oid : rangeTypeOfSubtype(argTypes[declared.findIndex(isAnyElement)]!.oid);
    return { oid: (range !== undefined ? rangeMultirangeType(range) : undefined) ?? OID.anymultirange, typmod: -1 };
  }
  if (ret === OID.anyrange) {
    if (k >= 0) return { oid: argTypes[k]!.oid, typmod: -1 };
    return { oid: rangeTypeOfSubtype(argTypes[declared.findIndex(isAnyElement)]!.oid) ?? OID.anyrange, typmod: -1 };
  }
  if (isAnyElement(ret) && k >= 0) return { oid: rangeSubtype(argTypes[k]!.oid) ?? OID.text, typmod: -1 };
  if (isAnyElement(ret)) {
    const i = declared.findIndex(isAnyElement);
    if (i >= 0) return { oid: argTypes[i]!.oid, typmod: -1 };
    const j = declared.indexOf(OID.anyarray);
    return { oid: TYPES.get(argTypes[j]!.oid)?.elem ?? OID.text, typmod: -1 };
  }
  if (ret === OID.anyarray) {
    const j = declared.indexOf(OID.anyarray);
    if (j >= 0) return { oid: argTypes[j]!.oid, typmod: -1 };
    const i = declared.findIndex(isAnyElement);
    return { oid: TYPES.get(argTypes[i]!.oid)?.array ?? OID._text, typmod: -1 };
  }
  return { oid: ret, typmod: -1 };
}

export function describeArgs(types: readonly SqlType[]): string {
  // a domain's value is named as the domain, as PostgreSQL's errors name the argument's type
  return types.map((t) => formatType({ oid: t.oid, typmod: -1, ...(t.domain !== undefined ? { domain: t.domain } : {}) })).join(', ');
}

export function functionNotFound(name: string, types: readonly SqlType[], star = false): SqlError {
  return new SqlError(SqlState.undefinedFunction, `function ${name}(${star ? '*' : describeArgs(types)}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

export function functionNotUnique(name: string, types: readonly SqlType[]): SqlError {
  return new SqlError(SqlState.ambiguousFunction, `function ${name}(${describeArgs(types)}) is not unique`, {
    hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
  });
}
