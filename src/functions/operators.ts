/**
 * Built-in operators, declared like pg_operator rows (left type, right type, result) so that
 * resolution picks what PostgreSQL picks (e.g. int4 + float4 → float8, int4 + numeric → numeric).
 * AND/OR/NOT, IS [NOT] NULL, IN, CASE, COALESCE and NULLIF belong to the executor.
 */
import { jsonbDeleteIndex, jsonbDeleteKeys, jsonbDeletePath } from './json-modify.js';
import { pathExists, pathMatch } from './jsonpath.js';
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, type Interval, type SqlType, type Value } from '../types/types.js';
import { compareText, compareValues, valuesEqual } from '../types/compare.js';
import { checkFloat4, checkFloat8 } from '../types/float.js';
import { numericAdd, numericDiv, numericMod, numericMul, numericNeg, numericPower, numericSub, numericAbs, numericSqrt, compareNumeric } from '../types/numeric.js';
import {
  compareVectors, cosineDistance, innerProduct, l1Distance, l2Distance, negativeInnerProduct, vectorAdd, vectorConcat, vectorMul, vectorSub,
} from '../types/vector.js';
import {
  USECS_PER_DAY, addIntervals, divideInterval, negateInterval, scaleInterval, timestampDiff, timestampPlusInterval, timestamptzPlusInterval, localToUtc, justifyHours,
} from '../types/datetime.js';
import {
  formatJsonb, jsonAsText, jsonbContains, jsonGetField, jsonGetIndex, parseJsonTree, isJsonObject, normalizeJsonb, type JsonValue,
} from '../types/json.js';
import { formatText } from '../types/text-io.js';
import {
  halfvecAdd, halfvecConcat, halfvecCosineDistance, halfvecL1Distance, halfvecL2Distance, halfvecMul, halfvecNegativeInnerProduct, halfvecSub,
} from '../types/halfvec.js';
import { sparsevecCosineDistance, sparsevecL1Distance, sparsevecL2Distance, sparsevecNegativeInnerProduct } from '../types/sparsevec.js';
import { bitAnd, bitNot, bitOr, bitShiftLeft, bitShiftRight, bitXor, hammingDistance, jaccardDistance } from '../types/bitvec.js';
import type { SparseVector } from '../types/types.js';
import { formatSettingsOf, sessionZone } from './casts.js';
import { oidOf, type Impl, type ScalarDef } from './registry.js';
import type { EvalContext } from './api.js';
import { TEXT_SEARCH_OPERATORS } from './text-search/index.js';
import { RANGE_OPERATORS } from './range-functions.js';
import { MULTIRANGE_OPERATORS } from './multirange-functions.js';
import { NETWORK_OPERATORS } from './network-functions.js';
import { LSN_OPERATORS } from './pg-lsn-functions.js';

export interface OperatorDef extends ScalarDef { readonly left: number | null; readonly right: number }

const OPS = new Map<string, OperatorDef[]>();

function key(sym: string, prefix: boolean): string { return prefix ? 'prefix:' + sym : sym; }

function op(sym: string, left: string | null, right: string, ret: string | number | ((a: readonly SqlType[]) => SqlType), impl: Impl, strict = true): void {
  const l = left === null ? null : oidOf(left), r = oidOf(right);
  const def: OperatorDef = {
    name: sym, left: l, right: r, args: l === null ? [r] : [l, r],
    ret: typeof ret === 'string' ? oidOf(ret) : ret, impl, strict, volatile: false,
  };
  const k = key(sym, left === null);
  const list = OPS.get(k);
  if (list) list.push(def); else OPS.set(k, [def]);
}

export function operatorCandidates(sym: string, prefix: boolean): readonly OperatorDef[] {
  return OPS.get(key(sym, prefix)) ?? [];
}

const outOfRange = (name: string): SqlError => new SqlError(SqlState.numericValueOutOfRange, `${name} out of range`);
const divZero = (): SqlError => new SqlError(SqlState.divisionByZero, 'division by zero');

// ---------------------------------------------------------------- integer arithmetic

const INTS = ['int2', 'int4', 'int8'] as const;
const BITS = { int2: 16, int4: 32, int8: 64 } as const;
const NAMES = { 16: 'smallint', 32: 'integer', 64: 'bigint' } as const;

function checkSmall(v: number, bits: 16 | 32): number {
  const lim = bits === 16 ? 32768 : 2147483648;
  if (v >= lim || v < -lim) throw outOfRange(NAMES[bits]);
  return v;
}
function checkBig(v: bigint): bigint {
  if (v > 9223372036854775807n || v < -9223372036854775808n) throw outOfRange('bigint');
  return v;
}

for (const l of INTS) for (const r of INTS) {
  const bits = Math.max(BITS[l], BITS[r]) as 16 | 32 | 64;
  const ret = bits === 16 ? 'int2' : bits === 32 ? 'int4' : 'int8';
  if (bits === 64) {
    const B = (v: Value): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
    op('+', l, r, ret, ([a, b]) => checkBig(B(a!) + B(b!)));
    op('-', l, r, ret, ([a, b]) => checkBig(B(a!) - B(b!)));
    op('*', l, r, ret, ([a, b]) => checkBig(B(a!) * B(b!)));
    op('/', l, r, ret, ([a, b]) => { const d = B(b!); if (d === 0n) throw divZero(); return checkBig(B(a!) / d); });
    op('%', l, r, ret, ([a, b]) => { const d = B(b!); if (d === 0n) throw divZero(); return B(a!) % d; });
  } else {
    op('+', l, r, ret, ([a, b]) => checkSmall((a as number) + (b as number), bits));
    op('-', l, r, ret, ([a, b]) => checkSmall((a as number) - (b as number), bits));
    op('*', l, r, ret, ([a, b]) => checkSmall((a as number) * (b as number), bits));
    op('/', l, r, ret, ([a, b]) => { if (b === 0) throw divZero(); return checkSmall(Math.trunc((a as number) / (b as number)), bits); });
    op('%', l, r, ret, ([a, b]) => { if (b === 0) throw divZero(); return ((a as number) % (b as number)) || 0; });
  }
  if (l === r) {
    op('&', l, r, ret, ([a, b]) => (bits === 64 ? (a as bigint) & (b as bigint) : (a as number) & (b as number)));
    op('|', l, r, ret, ([a, b]) => (bits === 64 ? (a as bigint) | (b as bigint) : (a as number) | (b as number)));
    op('#', l, r, ret, ([a, b]) => (bits === 64 ? (a as bigint) ^ (b as bigint) : (a as number) ^ (b as number)));
  }
}
for (const t of INTS) {
  const bits = BITS[t];
  op('-', null, t, t, ([a]) => (bits === 64 ? checkBig(-(a as bigint)) : checkSmall(-(a as number), bits) || 0));
  op('+', null, t, t, ([a]) => a!);
  op('@', null, t, t, ([a]) => (bits === 64 ? checkBig((a as bigint) < 0n ? -(a as bigint) : (a as bigint)) : checkSmall(Math.abs(a as number), bits)));
  op('~', null, t, t, ([a]) => (bits === 64 ? ~(a as bigint) : ~(a as number)));
  op('<<', t, 'int4', t, ([a, b]) => (bits === 64 ? BigInt.asIntN(64, (a as bigint) << BigInt(b as number)) : bits === 32 ? (a as number) << (b as number) : ((a as number) << (b as number)) << 16 >> 16));
  op('>>', t, 'int4', t, ([a, b]) => (bits === 64 ? (a as bigint) >> BigInt(b as number) : (a as number) >> (b as number)));
}

// ---------------------------------------------------------------- float arithmetic

function floatOps(l: 'float4' | 'float8', r: 'float4' | 'float8'): void {
  const ret = l === 'float4' && r === 'float4' ? 'float4' : 'float8';
  const chk = ret === 'float4' ? checkFloat4 : checkFloat8;
  op('+', l, r, ret, ([a, b]) => chk((a as number) + (b as number), !Number.isFinite(a as number) || !Number.isFinite(b as number), true));
  op('-', l, r, ret, ([a, b]) => chk((a as number) - (b as number), !Number.isFinite(a as number) || !Number.isFinite(b as number), true));
  op('*', l, r, ret, ([a, b]) => chk((a as number) * (b as number), !Number.isFinite(a as number) || !Number.isFinite(b as number), a === 0 || b === 0));
  op('/', l, r, ret, ([a, b]) => {
    if (b === 0 && !Number.isNaN(a as number)) throw divZero();
    return chk((a as number) / (b as number), !Number.isFinite(a as number), a === 0 || !Number.isFinite(b as number));
  });
}
floatOps('float4', 'float4'); floatOps('float8', 'float8'); floatOps('float4', 'float8'); floatOps('float8', 'float4');
for (const t of ['float4', 'float8'] as const) {
  op('-', null, t, t, ([a]) => -(a as number));
  op('+', null, t, t, ([a]) => a!);
  op('@', null, t, t, ([a]) => Math.abs(a as number));
}

export function float8Power(a: number, b: number): number {
  if (a === 0 && b < 0) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (a < 0 && Math.floor(b) !== b && Number.isFinite(b)) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  if (a === 1 || b === 0) return 1;
  const r = Math.pow(a, b);
  return checkFloat8(r, !Number.isFinite(a) || !Number.isFinite(b), a === 0 || (Math.abs(a) < 1 && b > 0) || (Math.abs(a) > 1 && b < 0) || !Number.isFinite(b));
}
op('^', 'float8', 'float8', 'float8', ([a, b]) => float8Power(a as number, b as number));
op('|/', null, 'float8', 'float8', ([a]) => { if ((a as number) < 0) throw new SqlError('2201F', 'cannot take square root of a negative number'); return Math.sqrt(a as number); });
op('||/', null, 'float8', 'float8', ([a]) => Math.cbrt(a as number));

// ---------------------------------------------------------------- numeric

op('+', 'numeric', 'numeric', 'numeric', ([a, b]) => numericAdd(a as string, b as string));
op('-', 'numeric', 'numeric', 'numeric', ([a, b]) => numericSub(a as string, b as string));
op('*', 'numeric', 'numeric', 'numeric', ([a, b]) => numericMul(a as string, b as string));
op('/', 'numeric', 'numeric', 'numeric', ([a, b]) => numericDiv(a as string, b as string));
op('%', 'numeric', 'numeric', 'numeric', ([a, b]) => numericMod(a as string, b as string));
op('^', 'numeric', 'numeric', 'numeric', ([a, b]) => numericPower(a as string, b as string));
op('-', null, 'numeric', 'numeric', ([a]) => numericNeg(a as string));
op('+', null, 'numeric', 'numeric', ([a]) => a!);
op('@', null, 'numeric', 'numeric', ([a]) => numericAbs(a as string));
op('|/', null, 'numeric', 'numeric', ([a]) => numericSqrt(a as string));

// ---------------------------------------------------------------- comparison

type Cmp = (a: Value, b: Value, ctx: EvalContext) => number;

function comparisons(l: string, r: string, cmp: Cmp): void {
  op('=', l, r, 'bool', ([a, b], ctx) => cmp(a!, b!, ctx) === 0);
  op('<>', l, r, 'bool', ([a, b], ctx) => cmp(a!, b!, ctx) !== 0);
  op('<', l, r, 'bool', ([a, b], ctx) => cmp(a!, b!, ctx) < 0);
  op('<=', l, r, 'bool', ([a, b], ctx) => cmp(a!, b!, ctx) <= 0);
  op('>', l, r, 'bool', ([a, b], ctx) => cmp(a!, b!, ctx) > 0);
  op('>=', l, r, 'bool', ([a, b], ctx) => cmp(a!, b!, ctx) >= 0);
}

const mixedInt: Cmp = (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
for (const l of INTS) for (const r of INTS) comparisons(l, r, mixedInt);
const fcmp = (a: Value, b: Value): number => compareValues({ oid: OID.float8, typmod: -1 }, a, b);
for (const l of ['float4', 'float8']) for (const r of ['float4', 'float8']) comparisons(l, r, fcmp);
comparisons('numeric', 'numeric', (a, b) => compareNumeric(a as string, b as string));
for (const t of ['bool', 'text', 'bpchar', 'name', 'bytea', 'char', 'uuid', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'oid', 'jsonb', 'vector']) {
  const st: SqlType = { oid: oidOf(t), typmod: -1 };
  comparisons(t, t, (a, b) => compareValues(st, a, b));
}
comparisons('name', 'text', (a, b) => compareText(a as string, b as string));
comparisons('text', 'name', (a, b) => compareText(a as string, b as string));
// date/timestamp cross-type comparisons
const dateToTs = (d: number): number => (Number.isFinite(d) ? d * USECS_PER_DAY : d);
const num = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);
comparisons('date', 'timestamp', (a, b) => num(dateToTs(a as number), b as number));
comparisons('timestamp', 'date', (a, b) => num(a as number, dateToTs(b as number)));
comparisons('date', 'timestamptz', (a, b, ctx) => num(localToUtc(dateToTs(a as number), sessionZone(ctx)), b as number));
comparisons('timestamptz', 'date', (a, b, ctx) => num(a as number, localToUtc(dateToTs(b as number), sessionZone(ctx))));
comparisons('timestamp', 'timestamptz', (a, b, ctx) => num(localToUtc(a as number, sessionZone(ctx)), b as number));
comparisons('timestamptz', 'timestamp', (a, b, ctx) => num(a as number, localToUtc(b as number, sessionZone(ctx))));
comparisons('anyarray', 'anyarray', (a, b) => 0 * (a === b ? 0 : 0)); // replaced below with type-aware impl
// enum_eq, enum_lt …: by the labels' sort order
comparisons('anyenum', 'anyenum', (a, b) => 0 * (a === b ? 0 : 0)); // replaced below with type-aware impl
{
  // type-aware array and enum comparison (the element or enum type comes from the resolved argument types)
  for (const sym of ['=', '<>', '<', '<=', '>', '>=']) {
    const list = OPS.get(sym)!;
    const test = { '=': (c: number) => c === 0, '<>': (c: number) => c !== 0, '<': (c: number) => c < 0, '<=': (c: number) => c <= 0, '>': (c: number) => c > 0, '>=': (c: number) => c >= 0 }[sym]!;
    for (const poly of [OID.anyarray, OID.anyenum]) {
      const i = list.findIndex((d) => d.left === poly);
      list[i] = { ...list[i]!, impl: ([a, b], _ctx, types) => test(compareValues(types[0]!, a!, b!)) };
    }
  }
}

// ---------------------------------------------------------------- strings

function toText(v: Value, t: SqlType, ctx: EvalContext): string {
  if (t.oid === OID.text || t.oid === OID.varchar || t.oid === OID.name || t.oid === OID.unknown) return v as string;
  if (t.oid === OID.bpchar) return (v as string).replace(/ +$/, '');
  // anytextcat is $1::text || $2: bool's cast to text is booltext, 'true' not 't'
  if (t.oid === OID.bool) return v ? 'true' : 'false';
  return formatText(t, v, formatSettingsOf(ctx));
}

op('||', 'text', 'text', 'text', ([a, b]) => (a as string) + (b as string));
op('||', 'text', 'anynonarray', 'text', ([a, b], ctx, types) => (a as string) + toText(b!, types[1]!, ctx));
op('||', 'anynonarray', 'text', 'text', ([a, b], ctx, types) => toText(a!, types[0]!, ctx) + (b as string));

const likeCache = new Map<string, RegExp>();
export function likeRegex(pattern: string, insensitive: boolean): RegExp {
  const k = (insensitive ? 'i' : 'c') + pattern;
  let re = likeCache.get(k);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new SqlError(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
      src += pattern[i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') src += '.*';
    else if (c === '_') src += '.';
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  re = new RegExp(src + '$', insensitive ? 'isu' : 'su');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(k, re);
  return re;
}

const regexCache = new Map<string, RegExp>();
export function posixRegex(pattern: string, insensitive: boolean): RegExp {
  const k = (insensitive ? 'i' : 'c') + pattern;
  let re = regexCache.get(k);
  if (re) return re;
  try {
    // POSIX classes JS lacks; a backslash before any other punctuation (\_ from SIMILAR TO's
    // escape) is a literal there and a syntax error in a Unicode-mode RegExp: spelled \u{…}
    const src = pattern.replace(/\\(.)/gsu, (m, c: string) => (/[\p{L}\p{N}^$\\.*+?()[\]{}|/]/u.test(c) ? m : `\\u{${c.codePointAt(0)!.toString(16)}}`))
      .replace(/\[:alpha:\]/g, 'a-zA-Z').replace(/\[:digit:\]/g, '0-9').replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
      .replace(/\[:space:\]/g, '\\s').replace(/\[:upper:\]/g, 'A-Z').replace(/\[:lower:\]/g, 'a-z').replace(/\[:punct:\]/g, '!-\\/:-@\\[-`{-~')
      .replace(/\\m/g, '\\b').replace(/\\M/g, '\\b').replace(/\\y/g, '\\b');
    re = new RegExp(src, insensitive ? 'iu' : 'u');
  } catch (e) {
    throw new SqlError('2201B', `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(k, re);
  return re;
}

for (const t of ['text', 'bpchar', 'name']) {
  const norm = (v: Value): string => (t === 'bpchar' ? (v as string).replace(/ +$/, '') : (v as string));
  op('~~', t, 'text', 'bool', ([a, b]) => likeRegex(b as string, false).test(norm(a!)));
  op('!~~', t, 'text', 'bool', ([a, b]) => !likeRegex(b as string, false).test(norm(a!)));
  op('~~*', t, 'text', 'bool', ([a, b]) => likeRegex(b as string, true).test(norm(a!)));
  op('!~~*', t, 'text', 'bool', ([a, b]) => !likeRegex(b as string, true).test(norm(a!)));
  op('~', t, 'text', 'bool', ([a, b]) => posixRegex(b as string, false).test(norm(a!)));
  op('!~', t, 'text', 'bool', ([a, b]) => !posixRegex(b as string, false).test(norm(a!)));
  op('~*', t, 'text', 'bool', ([a, b]) => posixRegex(b as string, true).test(norm(a!)));
  op('!~*', t, 'text', 'bool', ([a, b]) => !posixRegex(b as string, true).test(norm(a!)));
}
op('^@', 'text', 'text', 'bool', ([a, b]) => (a as string).startsWith(b as string));
op('||', 'bytea', 'bytea', 'bytea', ([a, b]) => Buffer.concat([a as Uint8Array, b as Uint8Array]));

// ---------------------------------------------------------------- date/time

const iv = (v: Value): Interval => v as Interval;
op('+', 'date', 'int4', 'date', ([a, b]) => (a as number) + (b as number));
op('+', 'int4', 'date', 'date', ([a, b]) => (a as number) + (b as number));
op('-', 'date', 'int4', 'date', ([a, b]) => (a as number) - (b as number));
op('-', 'date', 'date', 'int4', ([a, b]) => {
  if (!Number.isFinite(a as number) || !Number.isFinite(b as number)) throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite dates');
  return (a as number) - (b as number);
});
op('+', 'date', 'interval', 'timestamp', ([a, b]) => timestampPlusInterval(dateToTs(a as number), iv(b)));
op('+', 'interval', 'date', 'timestamp', ([a, b]) => timestampPlusInterval(dateToTs(b as number), iv(a)));
op('-', 'date', 'interval', 'timestamp', ([a, b]) => timestampPlusInterval(dateToTs(a as number), negateInterval(iv(b))));
op('+', 'date', 'time', 'timestamp', ([a, b]) => dateToTs(a as number) + (b as number));
op('+', 'timestamp', 'interval', 'timestamp', ([a, b]) => timestampPlusInterval(a as number, iv(b)));
op('+', 'interval', 'timestamp', 'timestamp', ([a, b]) => timestampPlusInterval(b as number, iv(a)));
op('-', 'timestamp', 'interval', 'timestamp', ([a, b]) => timestampPlusInterval(a as number, negateInterval(iv(b))));
op('-', 'timestamp', 'timestamp', 'interval', ([a, b]) => justifyHours(timestampDiff(a as number, b as number)));
op('+', 'timestamptz', 'interval', 'timestamptz', ([a, b], ctx) => timestamptzPlusInterval(a as number, iv(b), sessionZone(ctx)));
op('+', 'interval', 'timestamptz', 'timestamptz', ([a, b], ctx) => timestamptzPlusInterval(b as number, iv(a), sessionZone(ctx)));
op('-', 'timestamptz', 'interval', 'timestamptz', ([a, b], ctx) => timestamptzPlusInterval(a as number, negateInterval(iv(b)), sessionZone(ctx)));
op('-', 'timestamptz', 'timestamptz', 'interval', ([a, b]) => justifyHours(timestampDiff(a as number, b as number)));
op('+', 'time', 'interval', 'time', ([a, b]) => ((((a as number) + iv(b).micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY);
op('-', 'time', 'interval', 'time', ([a, b]) => ((((a as number) - iv(b).micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY);
op('-', 'time', 'time', 'interval', ([a, b]) => ({ months: 0, days: 0, micros: (a as number) - (b as number) }));
op('+', 'interval', 'interval', 'interval', ([a, b]) => addIntervals(iv(a), iv(b)));
op('-', 'interval', 'interval', 'interval', ([a, b]) => addIntervals(iv(a), negateInterval(iv(b))));
op('-', null, 'interval', 'interval', ([a]) => negateInterval(iv(a)));
op('+', null, 'interval', 'interval', ([a]) => a!);
op('*', 'interval', 'float8', 'interval', ([a, b]) => scaleInterval(iv(a), b as number));
op('*', 'float8', 'interval', 'interval', ([a, b]) => scaleInterval(iv(b), a as number));
op('/', 'interval', 'float8', 'interval', ([a, b]) => { if (b === 0) throw divZero(); return divideInterval(iv(a), b as number); });

// ---------------------------------------------------------------- json

const tree = (v: Value): JsonValue => parseJsonTree(v as string);
const outJ = (v: JsonValue | undefined): Value => (v === undefined ? null : formatJsonb(v));
for (const j of ['jsonb', 'json']) {
  op('->', j, 'text', j, ([a, b]) => outJ(jsonGetField(tree(a), b as string)));
  op('->', j, 'int4', j, ([a, b]) => outJ(jsonGetIndex(tree(a), b as number)));
  op('->>', j, 'text', 'text', ([a, b]) => jsonAsText(jsonGetField(tree(a), b as string)));
  op('->>', j, 'int4', 'text', ([a, b]) => jsonAsText(jsonGetIndex(tree(a), b as number)));
  const path = (v: JsonValue, p: readonly Value[]): JsonValue | undefined => {
    let cur: JsonValue | undefined = v;
    for (const k of p) {
      if (cur === undefined || k === null) return undefined;
      cur = Array.isArray(cur) ? (/^-?\d+$/.test(k as string) ? jsonGetIndex(cur, Number(k)) : undefined) : jsonGetField(cur, k as string);
    }
    return cur;
  };
  op('#>', j, '_text', j, ([a, b]) => outJ(path(tree(a), b as Value[])));
  op('#>>', j, '_text', 'text', ([a, b]) => jsonAsText(path(tree(a), b as Value[])));
}
op('@>', 'jsonb', 'jsonb', 'bool', ([a, b]) => jsonbContains(tree(a), tree(b)));
op('<@', 'jsonb', 'jsonb', 'bool', ([a, b]) => jsonbContains(tree(b), tree(a)));
const hasKey = (v: JsonValue, k: string): boolean => (isJsonObject(v) ? v.obj.some(([x]) => x === k) : Array.isArray(v) ? v.some((e) => e === k) : v === k);
op('?', 'jsonb', 'text', 'bool', ([a, b]) => hasKey(tree(a), b as string));
op('?|', 'jsonb', '_text', 'bool', ([a, b]) => (b as Value[]).some((k) => k !== null && hasKey(tree(a), k as string)));
op('?&', 'jsonb', '_text', 'bool', ([a, b]) => (b as Value[]).every((k) => k !== null && hasKey(tree(a), k as string)));
op('||', 'jsonb', 'jsonb', 'jsonb', ([a, b]) => {
  const x = tree(a), y = tree(b);
  if (isJsonObject(x) && isJsonObject(y)) return formatJsonb(normalizeJsonb({ obj: [...x.obj, ...y.obj] }));
  const ax = Array.isArray(x) ? x : [x], ay = Array.isArray(y) ? y : [y];
  return formatJsonb([...ax, ...ay]);
});
op('-', 'jsonb', 'text', 'jsonb', ([a, b]) => {
  const x = tree(a);
  if (isJsonObject(x)) return formatJsonb({ obj: x.obj.filter(([k]) => k !== b) });
  if (Array.isArray(x)) return formatJsonb(x.filter((e) => e !== b));
  throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from scalar');
});

op('-', 'jsonb', 'int4', 'jsonb', ([a, b]) => formatJsonb(jsonbDeleteIndex(tree(a), b as number)));
op('-', 'jsonb', '_text', 'jsonb', ([a, b]) => formatJsonb(jsonbDeleteKeys(tree(a), b as Value[])));
op('@?', 'jsonb', 'jsonpath', 'bool', (a) => pathExists(a, true));
op('@@', 'jsonb', 'jsonpath', 'bool', (a) => pathMatch(a, true));
op('#-', 'jsonb', '_text', 'jsonb', ([a, b]) => formatJsonb(jsonbDeletePath(tree(a), b as Value[])));

// ---------------------------------------------------------------- arrays

const containsAll = (t: SqlType, hay: readonly Value[], needles: readonly Value[]): boolean => {
  const el: SqlType = { oid: TYPES.get(t.oid)?.elem ?? OID.text, typmod: -1 };
  const flat = (a: readonly Value[]): Value[] => a.flatMap((e) => (Array.isArray(e) ? flat(e) : [e]));
  const h = flat(hay);
  return flat(needles).every((n) => n !== null && h.some((x) => x !== null && valuesEqual(el, x, n)));
};
op('@>', 'anyarray', 'anyarray', 'bool', ([a, b], _c, types) => containsAll(types[0]!, a as Value[], b as Value[]));
op('<@', 'anyarray', 'anyarray', 'bool', ([a, b], _c, types) => containsAll(types[0]!, b as Value[], a as Value[]));
op('&&', 'anyarray', 'anyarray', 'bool', ([a, b], _c, types) => (b as Value[]).some((x) => x !== null && containsAll(types[0]!, a as Value[], [x])));
op('||', 'anyarray', 'anyarray', 'anyarray', ([a, b]) => [...(a as Value[]), ...(b as Value[])], false);
op('||', 'anyarray', 'anyelement', 'anyarray', ([a, b]) => [...((a as Value[] | null) ?? []), b!], false);
op('||', 'anyelement', 'anyarray', 'anyarray', ([a, b]) => [a!, ...((b as Value[] | null) ?? [])], false);
{
  // NULL handling of array || : NULL array acts as empty; NULL array || NULL array is NULL
  const list = OPS.get('||')!;
  const i = list.findIndex((d) => d.left === OID.anyarray && d.right === OID.anyarray);
  list[i] = { ...list[i]!, impl: ([a, b]) => (a === null && b === null ? null : [...((a as Value[] | null) ?? []), ...((b as Value[] | null) ?? [])]) };
}

// ---------------------------------------------------------------- vector (pgvector)

const V = (v: Value): Float32Array => v as Float32Array;
op('<->', 'vector', 'vector', 'float8', ([a, b]) => l2Distance(V(a), V(b)));
op('<#>', 'vector', 'vector', 'float8', ([a, b]) => negativeInnerProduct(V(a), V(b)));
op('<=>', 'vector', 'vector', 'float8', ([a, b]) => cosineDistance(V(a), V(b)));
op('<+>', 'vector', 'vector', 'float8', ([a, b]) => l1Distance(V(a), V(b)));
op('+', 'vector', 'vector', 'vector', ([a, b]) => vectorAdd(V(a), V(b)));
op('-', 'vector', 'vector', 'vector', ([a, b]) => vectorSub(V(a), V(b)));
op('*', 'vector', 'vector', 'vector', ([a, b]) => vectorMul(V(a), V(b)));
op('||', 'vector', 'vector', 'vector', ([a, b]) => vectorConcat(V(a), V(b)));
void compareVectors; void innerProduct;

// ---------------------------------------------------------------- halfvec, sparsevec, bit (pgvector)

op('<->', 'halfvec', 'halfvec', 'float8', ([a, b]) => halfvecL2Distance(V(a), V(b)));
op('<#>', 'halfvec', 'halfvec', 'float8', ([a, b]) => halfvecNegativeInnerProduct(V(a), V(b)));
op('<=>', 'halfvec', 'halfvec', 'float8', ([a, b]) => halfvecCosineDistance(V(a), V(b)));
op('<+>', 'halfvec', 'halfvec', 'float8', ([a, b]) => halfvecL1Distance(V(a), V(b)));
op('+', 'halfvec', 'halfvec', 'halfvec', ([a, b]) => halfvecAdd(V(a), V(b)));
op('-', 'halfvec', 'halfvec', 'halfvec', ([a, b]) => halfvecSub(V(a), V(b)));
op('*', 'halfvec', 'halfvec', 'halfvec', ([a, b]) => halfvecMul(V(a), V(b)));
op('||', 'halfvec', 'halfvec', 'halfvec', ([a, b]) => halfvecConcat(V(a), V(b)));
const SV = (v: Value): SparseVector => v as SparseVector;
op('<->', 'sparsevec', 'sparsevec', 'float8', ([a, b]) => sparsevecL2Distance(SV(a), SV(b)));
op('<#>', 'sparsevec', 'sparsevec', 'float8', ([a, b]) => sparsevecNegativeInnerProduct(SV(a), SV(b)));
op('<=>', 'sparsevec', 'sparsevec', 'float8', ([a, b]) => sparsevecCosineDistance(SV(a), SV(b)));
op('<+>', 'sparsevec', 'sparsevec', 'float8', ([a, b]) => sparsevecL1Distance(SV(a), SV(b)));
for (const t of ['halfvec', 'sparsevec', 'bit', 'varbit']) {
  const st: SqlType = { oid: oidOf(t), typmod: -1 };
  comparisons(t, t, (a, b) => compareValues(st, a, b));
}
const B = (v: Value): string => v as string;
op('<~>', 'bit', 'bit', 'float8', ([a, b]) => hammingDistance(B(a), B(b)));
op('<%>', 'bit', 'bit', 'float8', ([a, b]) => jaccardDistance(B(a), B(b)));
op('&', 'bit', 'bit', 'bit', ([a, b]) => bitAnd(B(a), B(b)));
op('|', 'bit', 'bit', 'bit', ([a, b]) => bitOr(B(a), B(b)));
op('#', 'bit', 'bit', 'bit', ([a, b]) => bitXor(B(a), B(b)));
op('~', null, 'bit', 'bit', ([a]) => bitNot(B(a)));
op('<<', 'bit', 'int4', 'bit', ([a, n]) => bitShiftLeft(B(a), n as number));
op('>>', 'bit', 'int4', 'bit', ([a, n]) => bitShiftRight(B(a), n as number));
op('||', 'varbit', 'varbit', 'varbit', ([a, b]) => B(a) + B(b));

// full-text search (src/functions/text-search/)
for (const o of TEXT_SEARCH_OPERATORS) op(o.sym, o.left, o.right, o.ret, o.impl);
for (const o of RANGE_OPERATORS) op(o.sym, o.left, o.right, o.ret, o.impl);
for (const o of MULTIRANGE_OPERATORS) op(o.sym, o.left, o.right, o.ret, o.impl);
// inet, cidr, macaddr, macaddr8 (network-functions.ts)
for (const o of NETWORK_OPERATORS) op(o.sym, o.left, o.right, o.ret, o.impl);
// pg_lsn (pg-lsn-functions.ts)
for (const o of LSN_OPERATORS) op(o.sym, o.left, o.right, o.ret, o.impl);
