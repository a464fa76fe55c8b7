/**
 * Built-in scalar functions, declared like pg_proc rows. Set-returning functions (unnest,
 * generate_series, jsonb_each …), coalesce/nullif/greatest-style syntax that the parser turns
 * into expressions, and version() are the executor's.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, formatType, formatTypeWithTypmod, type Interval, type SqlType, type Value } from '../types/types.js';
import { compareValues, valuesEqual } from '../types/compare.js';
import { isRowType } from '../types/records.js';
import {
  numericAbs, numericCeil, numericFloor, numericRound, numericTrunc, numericSqrt, numericPower, numericLn, numericLog10, numericExp,
  numericMod, numericSign, numericDiv, formatDecimal, Decimal, decimalWithPrecision,
  numericLog, numericGcd, numericLcm, numericMinScale, scaleOf, isSpecial as isSpecialNumeric, compareNumeric, numericSub, numericAdd,
} from '../types/numeric.js';
import { checkFloat8 } from '../types/float.js';
import {
  compareVectors, cosineDistance, innerProduct, l1Distance, l2Distance, l2Normalize, l2SquaredDistance, subvector, vectorDims, vectorNorm,
} from '../types/vector.js';
import {
  halfvecCosineDistance, halfvecInnerProduct, halfvecL1Distance, halfvecL2Distance, halfvecL2Normalize, halfvecL2Squared,
  halfvecNegativeInnerProduct, halfvecNorm, halfvecSubvector,
} from '../types/halfvec.js';
import {
  compareSparsevecs, sparsevecCosineDistance, sparsevecInnerProduct, sparsevecL1Distance, sparsevecL2Distance, sparsevecL2Normalize,
  sparsevecL2Squared, sparsevecNegativeInnerProduct, sparsevecNorm,
} from '../types/sparsevec.js';
import { binaryQuantize, bitCount, getBit, hammingDistance, jaccardDistance, setBit } from '../types/bitvec.js';
import type { SparseVector } from '../types/types.js';
import {
  USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC, age, civilFromDays, daysFromCivil, justifyDays, justifyHours,
  localToUtc, utcToLocal, localToUtcIn, utcToLocalIn, isZoneOrAbbrev, zoneOfAbbrevOrName, formatTimestamp, parseTimestamp, daysInMonth, isValidTimeZone, justifyInterval, formatInterval, nowMicros,
} from '../types/datetime.js';
import { escapeJsonString, formatJsonb, jsonbTypeof, parseJsonTree, jsonGetField, jsonAsText, normalizeJsonb as normalizeTree, type JsonValue } from '../types/json.js';
import { formatText, parseText } from '../types/text-io.js';
import { quoteIdent } from '../types/identifiers.js';
import { formatSettingsOf, parseSettingsOf, sessionZone } from './casts.js';
import { float8Power, posixRegex } from './operators.js';
import { arrayToJson, datumToJson, toJsonValue } from './json-build.js';
import { jsonbSet, jsonbInsert, jsonbDeletePath, stripNulls, jsonbPretty, jsonObjectFromArrays } from './json-modify.js';
import { oidOf, type Impl, type ScalarDef } from './registry.js';
import { PATH_FUNCTION_ARGS, pathExists, pathMatch, pathQueryArray, pathQueryFirst } from './jsonpath.js';
import type { EvalContext } from './api.js';
import { TEXT_SEARCH_FUNCTIONS } from './text-search/index.js';
import { NETWORK_FUNCTIONS } from './network-functions.js';
import { LSN_FUNCTIONS } from './pg-lsn-functions.js';
import { SLEEP_FUNCTIONS } from './sleep.js';
import { OVERLAPS_FUNCTIONS } from './overlaps.js';
import { REGEXP_POSITION_FUNCTIONS } from './regexp-positions.js';
import { UNICODE_TEXT_FUNCTIONS } from './unicode-text.js';
import { TRIGONOMETRY_FUNCTIONS } from './trigonometry.js';
import { BYTEA_FUNCTIONS } from './bytea-functions.js';
import { PGVECTOR_FUNCTIONS } from './pgvector-functions.js';
import { FORMATTING_FUNCTIONS } from './formatting/index.js';
import { ENUM_FUNCTIONS } from './enum-functions.js';
import { RANGE_FUNCTIONS } from './range-functions.js';
import { MULTIRANGE_FUNCTIONS } from './multirange-functions.js';

const FNS = new Map<string, ScalarDef[]>();

interface Opts { strict?: boolean; volatile?: boolean; variadic?: string }

function fn(name: string, args: readonly string[], ret: string | ((a: readonly SqlType[]) => SqlType), impl: Impl, opts: Opts = {}): void {
  const def: ScalarDef = {
    name, args: args.map(oidOf), ret: typeof ret === 'string' ? oidOf(ret) : ret, impl,
    strict: opts.strict ?? true, volatile: opts.volatile ?? false,
    ...(opts.variadic !== undefined ? { variadic: oidOf(opts.variadic) } : {}),
  };
  const list = FNS.get(name);
  if (list) list.push(def); else FNS.set(name, [def]);
}

export function scalarCandidates(name: string): readonly ScalarDef[] {
  return FNS.get(name) ?? [];
}

const S = (v: Value): string => v as string;
const N = (v: Value): number => v as number;

// ---------------------------------------------------------------- math

fn('abs', ['int2'], 'int2', ([a]) => { if (a === -32768) throw new SqlError(SqlState.numericValueOutOfRange, 'smallint out of range'); return Math.abs(N(a!)); });
fn('abs', ['int4'], 'int4', ([a]) => { if (a === -2147483648) throw new SqlError(SqlState.numericValueOutOfRange, 'integer out of range'); return Math.abs(N(a!)); });
fn('abs', ['int8'], 'int8', ([a]) => { const b = a as bigint; if (b === -9223372036854775808n) throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range'); return b < 0n ? -b : b; });
fn('abs', ['float4'], 'float4', ([a]) => Math.abs(N(a!)));
fn('abs', ['float8'], 'float8', ([a]) => Math.abs(N(a!)));
fn('abs', ['numeric'], 'numeric', ([a]) => numericAbs(S(a!)));
for (const name of ['ceil', 'ceiling']) {
  fn(name, ['float8'], 'float8', ([a]) => Math.ceil(N(a!)));
  fn(name, ['numeric'], 'numeric', ([a]) => numericCeil(S(a!)));
}
fn('floor', ['float8'], 'float8', ([a]) => Math.floor(N(a!)));
fn('floor', ['numeric'], 'numeric', ([a]) => numericFloor(S(a!)));
const rint = (x: number): number => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)) || (Object.is(x, -0) ? -0 : 0) || Math.round(x);
fn('round', ['float8'], 'float8', ([a]) => (Number.isFinite(N(a!)) ? rint(N(a!)) : a));
fn('round', ['numeric'], 'numeric', ([a]) => numericRound(S(a!), 0));
fn('round', ['numeric', 'int4'], 'numeric', ([a, s]) => numericRound(S(a!), N(s!)));
fn('trunc', ['float8'], 'float8', ([a]) => Math.trunc(N(a!)));
fn('trunc', ['numeric'], 'numeric', ([a]) => numericTrunc(S(a!), 0));
fn('trunc', ['numeric', 'int4'], 'numeric', ([a, s]) => numericTrunc(S(a!), N(s!)));
fn('sqrt', ['float8'], 'float8', ([a]) => { if (N(a!) < 0) throw new SqlError('2201F', 'cannot take square root of a negative number'); return Math.sqrt(N(a!)); });
fn('sqrt', ['numeric'], 'numeric', ([a]) => numericSqrt(S(a!)));
/** glibc's cbrt (sysdeps/ieee754/dbl-64/s_cbrt.c), which PostgreSQL calls: cbrt(27) = 3.0000000000000004 */
function glibcCbrt(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x + x;
  let xm = Math.abs(x);
  let xe = 0;
  // frexp: xm in [0.5, 1)
  if (xm < 2.2250738585072014e-308) { xm *= 2 ** 54; xe = -54; }
  const e = Math.floor(Math.log2(xm)) + 1;
  xm = xm / 2 ** e;
  if (xm >= 1) { xm /= 2; xe += e + 1; } else if (xm < 0.5) { xm *= 2; xe += e - 1; } else xe += e;
  const factor = [1 / 1.5874010519681994748, 1 / 1.2599210498948731648, 1.0, 1.2599210498948731648, 1.5874010519681994748];
  const u = 0.354895765043919860 + ((1.50819193781584896 + ((-2.11499494167371287 + ((2.44693122563534430 + ((-1.83469277483613086 + (0.784932344976639262 - 0.145263899385486377 * xm) * xm) * xm)) * xm)) * xm)) * xm);
  const t2 = u * u * u;
  const ym = u * (t2 + 2.0 * xm) / (2.0 * t2 + xm) * factor[2 + (xe % 3)]!;
  const q = Math.trunc(xe / 3);
  return (x > 0 ? ym : -ym) * 2 ** q;
}
fn('cbrt', ['float8'], 'float8', ([a]) => glibcCbrt(N(a!)));
for (const name of ['power', 'pow']) {
  fn(name, ['float8', 'float8'], 'float8', ([a, b]) => float8Power(N(a!), N(b!)));
  fn(name, ['numeric', 'numeric'], 'numeric', ([a, b]) => numericPower(S(a!), S(b!)));
}
fn('exp', ['float8'], 'float8', ([a]) => checkFloat8(Math.exp(N(a!)), !Number.isFinite(N(a!)), N(a!) === -Infinity));
fn('exp', ['numeric'], 'numeric', ([a]) => numericExp(S(a!)));
const logCheck = (x: number): void => {
  if (x === 0) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (x < 0) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
};
fn('ln', ['float8'], 'float8', ([a]) => { logCheck(N(a!)); return Math.log(N(a!)); });
fn('ln', ['numeric'], 'numeric', ([a]) => numericLn(S(a!)));
for (const name of ['log', 'log10']) {
  fn(name, ['float8'], 'float8', ([a]) => { logCheck(N(a!)); return Math.log10(N(a!)); });
  fn(name, ['numeric'], 'numeric', ([a]) => numericLog10(S(a!)));
}
fn('log', ['numeric', 'numeric'], 'numeric', ([b, x]) => numericLog(S(b!), S(x!)));
const intGcd = (a: bigint, b: bigint): bigint => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b !== 0n) { const t = a % b; a = b; b = t; } return a; };
for (const [t, bits] of [['int4', 32], ['int8', 64]] as const) {
  const lim = bits === 32 ? 2147483647n : 9223372036854775807n;
  const out = (v: bigint): Value => {
    if (v > lim || v < -lim - 1n) throw new SqlError(SqlState.numericValueOutOfRange, `${bits === 32 ? 'integer' : 'bigint'} out of range`);
    return bits === 32 ? Number(v) : v;
  };
  fn('gcd', [t, t], t, ([a, b]) => out(intGcd(BigInt(a as number | bigint), BigInt(b as number | bigint))));
  fn('lcm', [t, t], t, ([a, b]) => {
    const x = BigInt(a as number | bigint), y = BigInt(b as number | bigint);
    if (x === 0n || y === 0n) return out(0n);
    const r = (x / intGcd(x, y)) * y;
    return out(r < 0n ? -r : r);
  });
}
fn('gcd', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericGcd(S(a!), S(b!)));
// numeric_fac: exact, with PostgreSQL's errors below 0 and past numeric's 131,072 digits
fn('factorial', ['int8'], 'numeric', ([a]) => {
  const n = BigInt(a as number | bigint);
  if (n < 0n) throw new SqlError(SqlState.numericValueOutOfRange, 'factorial of a negative number is undefined');
  if (n > 32177n) throw new SqlError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
  let f = 1n;
  for (let i = 2n; i <= n; i++) f *= i;
  return f.toString();
});
fn('lcm', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericLcm(S(a!), S(b!)));
fn('scale', ['numeric'], 'int4', ([a]) => (isSpecialNumeric(S(a!)) ? null : scaleOf(S(a!))));
fn('min_scale', ['numeric'], 'int4', ([a]) => (isSpecialNumeric(S(a!)) ? null : numericMinScale(S(a!))));
fn('trim_scale', ['numeric'], 'numeric', ([a]) => (isSpecialNumeric(S(a!)) ? a : numericTrunc(S(a!), numericMinScale(S(a!)))));
function widthBucketCheck(count: number, nan: boolean, infinite: boolean, equal: boolean): void {
  if (count <= 0) throw new SqlError('2201G', 'count must be greater than zero');
  if (nan) throw new SqlError('2201G', 'operand, lower bound, and upper bound cannot be NaN');
  if (infinite) throw new SqlError('2201G', 'lower and upper bounds must be finite');
  if (equal) throw new SqlError('2201G', 'lower bound cannot equal upper bound');
}
const bucketResult = (r: number): number => {
  if (r > 2147483647) throw new SqlError(SqlState.numericValueOutOfRange, 'integer out of range');
  return r;
};
fn('width_bucket', ['float8', 'float8', 'float8', 'int4'], 'int4', ([o, l, h, c]) => {
  const op = N(o!), lo = N(l!), hi = N(h!), count = N(c!);
  widthBucketCheck(count, Number.isNaN(op) || Number.isNaN(lo) || Number.isNaN(hi), !Number.isFinite(lo) || !Number.isFinite(hi), lo === hi);
  if (lo < hi) {
    if (op < lo) return 0;
    if (op >= hi) return bucketResult(count + 1);
    return Math.min(Math.trunc((count * (op - lo)) / (hi - lo)), count - 1) + 1;
  }
  if (op > lo) return 0;
  if (op <= hi) return bucketResult(count + 1);
  return Math.min(Math.trunc((count * (lo - op)) / (lo - hi)), count - 1) + 1;
});
fn('width_bucket', ['numeric', 'numeric', 'numeric', 'int4'], 'int4', ([o, l, h, c]) => {
  const op = S(o!), lo = S(l!), hi = S(h!), count = N(c!);
  widthBucketCheck(count, [op, lo, hi].includes('NaN'), isSpecialNumeric(lo) || isSpecialNumeric(hi), compareNumeric(lo, hi) === 0);
  const cmp = compareNumeric(lo, hi);
  const D = decimalWithPrecision(100);
  const bucket = (num: string, den: string): number => Math.min(new D(num).times(count).div(den).floor().toNumber(), count - 1) + 1;
  if (cmp < 0) {
    if (compareNumeric(op, lo) < 0) return 0;
    if (compareNumeric(op, hi) >= 0) return bucketResult(count + 1);
    return bucket(numericSub(op, lo), numericSub(hi, lo));
  }
  if (compareNumeric(op, lo) > 0) return 0;
  if (compareNumeric(op, hi) <= 0) return bucketResult(count + 1);
  return bucket(numericSub(lo, op), numericSub(lo, hi));
});
fn('mod', ['int2', 'int2'], 'int2', ([a, b]) => { if (b === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero'); return N(a!) % N(b!) || 0; });
fn('mod', ['int4', 'int4'], 'int4', ([a, b]) => { if (b === 0) throw new SqlError(SqlState.divisionByZero, 'division by zero'); return N(a!) % N(b!) || 0; });
fn('mod', ['int8', 'int8'], 'int8', ([a, b]) => { if (b === 0n) throw new SqlError(SqlState.divisionByZero, 'division by zero'); return (a as bigint) % (b as bigint); });
fn('mod', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericMod(S(a!), S(b!)));
fn('div', ['numeric', 'numeric'], 'numeric', ([a, b]) => numericTrunc(numericDiv(S(a!), S(b!)), 0));
fn('sign', ['float8'], 'float8', ([a]) => (N(a!) > 0 ? 1 : N(a!) < 0 ? -1 : 0));
fn('sign', ['numeric'], 'numeric', ([a]) => numericSign(S(a!)));
// the session's generator (PostgreSQL's xoroshiro128**, seeded by setseed); a query worker has none
fn('random', [], 'float8', (_a, ctx) => ctx.services.random?.() ?? Math.random(), { volatile: true });
fn('setseed', ['float8'], 'void', ([s], ctx) => { ctx.services.setseed?.(s as number); return ''; }, { volatile: true });
fn('lastval', [], 'int8', (_a, ctx) => ctx.services.lastval(), { volatile: true });
fn('pi', [], 'float8', () => Math.PI);
const pick = (want: (c: number) => boolean): Impl => (args, _ctx, types) => {
  let best: Value = null;
  for (const a of args) if (a !== null && (best === null || want(compareValues(types[0]!, a, best)))) best = a;
  return best;
};
fn('greatest', ['anyelement'], 'anyelement', pick((c) => c > 0), { strict: false, variadic: 'anyelement' });
fn('least', ['anyelement'], 'anyelement', pick((c) => c < 0), { strict: false, variadic: 'anyelement' });

// ---------------------------------------------------------------- strings

const chars = (s: string): string[] => Array.from(s);
const clen = (s: string): number => { let n = 0; for (const _ of s) n++; return n; };
for (const name of ['length', 'char_length', 'character_length']) {
  fn(name, ['text'], 'int4', ([a]) => clen(S(a!)));
  fn(name, ['bpchar'], 'int4', ([a]) => clen(S(a!).replace(/ +$/, '')));
}
fn('length', ['bytea'], 'int4', ([a]) => (a as Uint8Array).length);
fn('octet_length', ['text'], 'int4', ([a]) => Buffer.byteLength(S(a!)));
fn('octet_length', ['bytea'], 'int4', ([a]) => (a as Uint8Array).length);
fn('bit_length', ['text'], 'int4', ([a]) => Buffer.byteLength(S(a!)) * 8);
// towupper/towlower work per character: 'ß' stays 'ß' (JavaScript would make it 'SS')
const mapChars = (str: string, f: (c: string) => string): string => {
  let out = '';
  for (const c of str) { const m = f(c); out += Array.from(m).length === 1 ? m : c; }
  return out;
};
const upperChars = (str: string): string => mapChars(str, (c) => c.toUpperCase());
const lowerChars = (str: string): string => mapChars(str, (c) => c.toLowerCase());
fn('lower', ['text'], 'text', ([a]) => lowerChars(S(a!)));
fn('upper', ['text'], 'text', ([a]) => upperChars(S(a!)));
fn('initcap', ['text'], 'text', ([a]) => {
  let out = '';
  let prevAlnum = false;
  for (const c of S(a!)) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? (prevAlnum ? lowerChars(c) : upperChars(c)) : c;
    prevAlnum = alnum;
  }
  return out;
});
const substr = (s: string, start: number, count?: number): string => {
  if (count !== undefined && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const cs = chars(s);
  const from = Math.max(start, 1);
  const to = count === undefined ? cs.length + 1 : start + count;
  if (to <= from) return '';
  return cs.slice(from - 1, to - 1).join('');
};
for (const name of ['substr', 'substring']) {
  fn(name, ['text', 'int4'], 'text', ([s, a]) => substr(S(s!), N(a!)));
  fn(name, ['text', 'int4', 'int4'], 'text', ([s, a, c]) => substr(S(s!), N(a!), N(c!)));
  fn(name, ['bytea', 'int4', 'int4'], 'bytea', ([s, a, c]) => { const b = s as Uint8Array; const from = Math.max(N(a!), 1); const to = N(a!) + N(c!); return b.slice(from - 1, Math.max(to - 1, from - 1)); });
}
/** textregexsubstr: the first parenthesized subexpression's match, else the whole match */
const regexSubstring = (s: string, regex: string): Value => { const m = posixRegex(regex, false).exec(s); return m ? (m.length > 1 ? m[1] ?? null : m[0]) : null; };
fn('substring', ['text', 'text'], 'text', ([s, p]) => regexSubstring(S(s!), S(p!)));
// SUBSTRING(s SIMILAR p ESCAPE e): PostgreSQL's SQL function substring(text, text, text)
fn('substring', ['text', 'text', 'text'], 'text', ([s, p, e]) => regexSubstring(S(s!), S(similarToRegex(S(p!), S(e!)))));
const strpos = (s: string, sub: string): number => { const i = s.indexOf(sub); return i < 0 ? 0 : clen(s.slice(0, i)) + 1; };
fn('strpos', ['text', 'text'], 'int4', ([s, sub]) => strpos(S(s!), S(sub!)));
fn('position', ['text', 'text'], 'int4', ([s, sub]) => strpos(S(s!), S(sub!)));
fn('replace', ['text', 'text', 'text'], 'text', ([s, f, t]) => (S(f!) === '' ? S(s!) : S(s!).split(S(f!)).join(S(t!))));
const trimSet = (set: string): string => '[' + set.replace(/[\]\\^-]/g, '\\$&') + ']';
const trimmer = (mode: 'b' | 'l' | 'r'): Impl => ([s, set]) => {
  const cs = set === undefined ? ' ' : S(set!);
  if (cs === '') return s!;
  const cls = trimSet(cs);
  let r = S(s!);
  if (mode !== 'r') r = r.replace(new RegExp('^' + cls + '+', 'u'), '');
  if (mode !== 'l') r = r.replace(new RegExp(cls + '+$', 'u'), '');
  return r;
};
for (const [name, mode] of [['btrim', 'b'], ['ltrim', 'l'], ['rtrim', 'r'], ['trim', 'b']] as const) {
  fn(name, ['text'], 'text', trimmer(mode));
  fn(name, ['text', 'text'], 'text', trimmer(mode));
}
const pad = (left: boolean): Impl => ([s, n, fill]) => {
  const str = chars(S(s!)), len = N(n!), f = chars(fill === undefined ? ' ' : S(fill!));
  if (len <= 0) return '';
  if (str.length >= len) return str.slice(0, len).join('');
  if (f.length === 0) return str.join('');
  const padding: string[] = [];
  while (padding.length < len - str.length) padding.push(f[padding.length % f.length]!);
  return left ? padding.join('') + str.join('') : str.join('') + padding.join('');
};
fn('lpad', ['text', 'int4'], 'text', pad(true));
fn('lpad', ['text', 'int4', 'text'], 'text', pad(true));
fn('rpad', ['text', 'int4'], 'text', pad(false));
fn('rpad', ['text', 'int4', 'text'], 'text', pad(false));

function anyToText(v: Value, t: SqlType, ctx: EvalContext): string {
  if (t.oid === OID.text || t.oid === OID.varchar || t.oid === OID.name || t.oid === OID.unknown) return v as string;
  if (t.oid === OID.bpchar) return (v as string).replace(/ +$/, '');
  return formatText(t, v, formatSettingsOf(ctx));
}
fn('num_nulls', [], 'int4', (args) => args.filter((a) => a === null).length, { strict: false, variadic: 'any' });
fn('num_nonnulls', [], 'int4', (args) => args.filter((a) => a !== null).length, { strict: false, variadic: 'any' });
fn('concat', [], 'text', (args, ctx, types) => args.map((a, i) => (a === null ? '' : anyToText(a, types[i]!, ctx))).join(''), { strict: false, variadic: 'any' });
fn('concat_ws', ['text'], 'text', (args, ctx, types) => {
  if (args[0] === null) return null;
  return args.slice(1).map((a, i) => (a === null ? null : anyToText(a, types[i + 1]!, ctx))).filter((x) => x !== null).join(S(args[0]!));
}, { strict: false, variadic: 'any' });
fn('left', ['text', 'int4'], 'text', ([s, n]) => { const c = chars(S(s!)); const k = N(n!); return (k >= 0 ? c.slice(0, k) : c.slice(0, Math.max(c.length + k, 0))).join(''); });
fn('right', ['text', 'int4'], 'text', ([s, n]) => { const c = chars(S(s!)); const k = N(n!); return (k >= 0 ? c.slice(Math.max(c.length - k, 0)) : c.slice(Math.min(-k, c.length))).join(''); });
fn('repeat', ['text', 'int4'], 'text', ([s, n]) => S(s!).repeat(Math.max(N(n!), 0)));
fn('reverse', ['text'], 'text', ([s]) => chars(S(s!)).reverse().join(''));
fn('split_part', ['text', 'text', 'int4'], 'text', ([s, d, n]) => {
  const k = N(n!);
  if (k === 0) throw new SqlError(SqlState.invalidParameterValue, 'field position must not be zero');
  const parts = S(d!) === '' ? [S(s!)] : S(s!).split(S(d!));
  const i = k > 0 ? k - 1 : parts.length + k;
  return parts[i] ?? '';
});
fn('starts_with', ['text', 'text'], 'bool', ([s, p]) => S(s!).startsWith(S(p!)));
fn('md5', ['text'], 'text', ([s]) => createHash('md5').update(S(s!), 'utf8').digest('hex'));
fn('md5', ['bytea'], 'text', ([s]) => createHash('md5').update(s as Uint8Array).digest('hex'));
fn('sha256', ['bytea'], 'bytea', ([s]) => createHash('sha256').update(s as Uint8Array).digest());
fn('ascii', ['text'], 'int4', ([s]) => S(s!).codePointAt(0) ?? 0);
fn('chr', ['int4'], 'text', ([n]) => {
  if (N(n!) === 0) throw new SqlError('54000', 'null character not permitted');
  return String.fromCodePoint(N(n!));
});
fn('to_hex', ['int4'], 'text', ([n]) => (N(n!) >>> 0).toString(16));
fn('to_hex', ['int8'], 'text', ([n]) => BigInt.asUintN(64, n as bigint).toString(16));
fn('translate', ['text', 'text', 'text'], 'text', ([s, f, t]) => {
  const from = chars(S(f!)), to = chars(S(t!));
  return chars(S(s!)).map((c) => { const i = from.indexOf(c); return i < 0 ? c : (to[i] ?? ''); }).join('');
});
fn('encode', ['bytea', 'text'], 'text', ([b, f]) => {
  const buf = Buffer.from(b as Uint8Array);
  const fmt = S(f!).toLowerCase();
  if (fmt === 'hex') return buf.toString('hex');
  if (fmt === 'base64') return buf.toString('base64').replace(/(.{76})/g, '$1\n').replace(/\n$/, '');
  if (fmt === 'escape') return Array.from(buf).map((c) => (c === 0x5c ? '\\\\' : c < 0x20 || c > 0x7e ? '\\' + c.toString(8).padStart(3, '0') : String.fromCharCode(c))).join('');
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized encoding: "${S(f!)}"`);
});
fn('decode', ['text', 'text'], 'bytea', ([s, f]) => {
  const fmt = S(f!).toLowerCase();
  if (fmt === 'hex') return Buffer.from(S(s!), 'hex');
  if (fmt === 'base64') return Buffer.from(S(s!), 'base64');
  throw new SqlError(SqlState.invalidParameterValue, `unrecognized encoding: "${S(f!)}"`);
});

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? "E'" + body.replace(/\\/g, '\\\\') + "'" : "'" + body + "'";
}
fn('quote_ident', ['text'], 'text', ([s]) => quoteIdent(S(s!)));
fn('quote_literal', ['text'], 'text', ([s]) => quoteLiteral(S(s!)));
fn('quote_literal', ['anyelement'], 'text', ([v], ctx, types) => quoteLiteral(anyToText(v!, types[0]!, ctx)));
fn('quote_nullable', ['text'], 'text', ([s]) => (s === null ? 'NULL' : quoteLiteral(S(s))), { strict: false });
fn('format', ['text'], 'text', (args, ctx, types) => {
  if (args[0] === null) return null;
  const f = S(args[0]);
  let next = 1;
  return f.replace(/%(?:(\d+)\$)?([-]?\d*)?([sIL%])/g, (_m, pos: string | undefined, width: string | undefined, kind: string) => {
    if (kind === '%') return '%';
    const i = pos !== undefined ? Number(pos) : next;
    next = i + 1;
    if (i >= args.length) throw new SqlError(SqlState.invalidParameterValue, 'too few arguments for format()');
    const v = args[i]!;
    let out: string;
    if (kind === 'I') {
      if (v === null) throw new SqlError(SqlState.nullValueNotAllowed, 'null values cannot be formatted as an SQL identifier');
      out = quoteIdent(anyToText(v, types[i]!, ctx));
    } else if (kind === 'L') out = v === null ? 'NULL' : quoteLiteral(anyToText(v, types[i]!, ctx));
    else out = v === null ? '' : anyToText(v, types[i]!, ctx);
    if (width) { const w = Number(width); out = w < 0 ? out.padEnd(-w) : out.padStart(w); }
    return out;
  });
}, { strict: false, variadic: 'any' });
fn('regexp_replace', ['text', 'text', 'text'], 'text', ([s, p, r]) => S(s!).replace(posixRegex(S(p!), false), pgReplacement(S(r!))));
fn('regexp_replace', ['text', 'text', 'text', 'text'], 'text', ([s, p, r, flags]) => {
  const f = S(flags!);
  const re = posixRegex(S(p!), f.includes('i'));
  return S(s!).replace(f.includes('g') ? new RegExp(re.source, re.flags + 'g') : re, pgReplacement(S(r!)));
});
function pgReplacement(r: string): string { return r.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1').replace(/\\&/g, '$$&').replace(/\\\\/g, '\\'); }
fn('regexp_match', ['text', 'text'], '_text', ([s, p]) => { const m = posixRegex(S(p!), false).exec(S(s!)); return m ? (m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]]) : null; });
/**
 * regexp_matches(string, pattern [, flags]) rows, for the set-returning function executor:
 * one text[] per match (the capture groups, or the whole match when there are none).
 */
export function regexpMatchesRows(str: string, pattern: string, flags = ''): (string | null)[][] {
  const base = posixRegex(pattern, flags.includes('i'));
  const global = flags.includes('g');
  const re = new RegExp(base.source, base.flags.replace('g', '') + 'g');
  const rows: (string | null)[][] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(str)) !== null) {
    rows.push(m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]]);
    if (!global) break;
    if (m[0].length === 0) re.lastIndex++;
  }
  return rows;
}
/** regexp_split_to_table(string, pattern [, flags]) values, for the set-returning function executor */
export function regexpSplitValues(str: string, pattern: string, flags = ''): string[] {
  return regexpSplit(str, pattern, flags) as string[];
}
fn('regexp_split_to_array', ['text', 'text'], '_text', ([s, p]) => regexpSplit(S(s!), S(p!), ''));
fn('regexp_split_to_array', ['text', 'text', 'text'], '_text', ([s, p, f]) => regexpSplit(S(s!), S(p!), S(f!)));
/** regexp_split_to_array: zero-length matches split between characters, never at the ends */
function regexpSplit(str: string, pattern: string, flags: string): Value {
  if (flags.includes('g')) throw new SqlError(SqlState.invalidParameterValue, 'regexp_split_to_array() does not support the "global" option');
  const base = posixRegex(pattern, flags.includes('i'));
  const re = new RegExp(base.source, base.flags.replace('g', '') + 'g');
  const out: string[] = [];
  let start = 0;
  let searchFrom = 0;
  let emptyAdvance = false;
  while (searchFrom <= str.length) {
    re.lastIndex = searchFrom;
    const m = re.exec(str);
    if (!m) break;
    let end = m.index + m[0].length;
    if (m[0].length === 0) {
      if (m.index >= str.length) break;
      if (m.index === start) {
        // an empty match at the piece start splits after the next character
        const cp = str.codePointAt(m.index)! > 0xffff ? 2 : 1;
        if (m.index + cp > str.length) break;
        out.push(str.slice(start, m.index + cp));
        start = m.index + cp;
        searchFrom = start;
        emptyAdvance = true;
        continue;
      }
      end = m.index;
    }
    out.push(str.slice(start, m.index));
    start = end;
    searchFrom = m[0].length === 0 ? end + 1 : end;
    emptyAdvance = false;
  }
  if (!(emptyAdvance && start >= str.length)) out.push(str.slice(start));
  return out;
}
fn('overlay', ['text', 'text', 'int4', 'int4'], 'text', ([s, r, f, c]) => overlayText(S(s!), S(r!), N(f!), N(c!)));
fn('overlay', ['text', 'text', 'int4'], 'text', ([s, r, f]) => overlayText(S(s!), S(r!), N(f!), Array.from(S(r!)).length));
function overlayText(str: string, rep: string, from: number, count: number): string {
  if (from < 1) throw new SqlError('22011', 'negative substring length not allowed');
  if (count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const cs = Array.from(str);
  return cs.slice(0, from - 1).join('') + rep + cs.slice(from - 1 + count).join('');
}
fn('like_escape', ['text', 'text'], 'text', ([p, e]) => likeEscape(S(p!), S(e!)));
/** rewrite a LIKE pattern with ESCAPE e into one using backslash (like_escape) */
function likeEscape(pattern: string, esc: string): string {
  const e = Array.from(esc);
  if (e.length > 1) throw new SqlError(SqlState.invalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  if (e.length === 1 && e[0] === '\\') return pattern;
  let out = '';
  const cs = Array.from(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (e.length === 1 && c === e[0]) {
      i++;
      if (i >= cs.length) throw new SqlError(SqlState.invalidEscapeSequence, 'LIKE pattern must not end with escape character');
      out += '\\' + cs[i]!;
    } else if (c === '\\') out += '\\\\';
    else out += c;
  }
  return out;
}
fn('similar_to_escape', ['text'], 'text', ([p]) => similarToRegex(S(p!), '\\'));
fn('similar_to_escape', ['text', 'text'], 'text', ([p, e]) => similarToRegex(S(p!), e === null ? null : S(e)), { strict: false });
fn('similar_escape', ['text', 'text'], 'text', ([p, e]) => (p === null ? null : similarToRegex(S(p), e === null ? '\\' : S(e))), { strict: false });
/** SQL regular expression (SIMILAR TO) → POSIX regular expression (similar_escape_internal) */
export function similarToRegex(pattern: string | null, escape: string | null): Value {
  if (pattern === null) return null;
  let esc = '';
  if (escape !== null) {
    const e = Array.from(escape);
    if (e.length > 1) throw new SqlError(SqlState.invalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
    esc = e[0] ?? '';
  }
  let out = '^(?:';
  let afterEscape = false;
  let inClass = false;
  let classPos = 0;
  let nquotes = 0;
  for (const c of pattern) {
    if (afterEscape) {
      if (c === '"' && !inClass) {
        out += nquotes === 0 ? '){1,1}?(' : nquotes === 1 ? '){1,1}(?:' : '';
        if (nquotes > 1) throw new SqlError(SqlState.invalidEscapeSequence, 'SQL regular expression may not contain more than two escape-double-quote separators');
        nquotes++;
      } else {
        out += '\\' + c;
      }
      afterEscape = false;
    } else if (esc !== '' && c === esc) {
      afterEscape = true;
    } else if (inClass) {
      if (c === '\\') out += '\\';
      out += c;
      if (c === ']' && classPos > 2) inClass = false;
      else if (c === '^') classPos++;
      else classPos = 3;
    } else if (c === '[') {
      out += c;
      inClass = true;
      classPos = 1;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '(') out += '(?:';
    else if (c === '\\' || c === '.' || c === '^' || c === '$') out += '\\' + c;
    else out += c;
  }
  return out + ')$';
}
fn('quote_nullable', ['anyelement'], 'text', ([v], ctx, types) => (v === null ? 'NULL' : quoteLiteral(anyToText(v, types[0]!, ctx))), { strict: false });
fn('string_to_array', ['text', 'text'], '_text', ([s, d]) => splitToArray(S(s!), d === null ? null : S(d!), undefined), { strict: false });
fn('string_to_array', ['text', 'text', 'text'], '_text', ([s, d, n]) => splitToArray(S(s!), d === null ? null : S(d!), n === null ? undefined : S(n!)), { strict: false });
function splitToArray(s: string | null, d: string | null, nullStr: string | undefined): Value {
  if (s === null) return null;
  if (s === '') return [];
  const parts = d === null ? chars(s) : d === '' ? [s] : s.split(d);
  return parts.map((p) => (nullStr !== undefined && p === nullStr ? null : p));
}

// ---------------------------------------------------------------- arrays

const arr = (v: Value): Value[] => v as Value[];
// an array of rows (record, composite types) is one-dimensional: its elements are Value[] themselves
const rowArray = (t: SqlType | undefined): boolean => t !== undefined && isRowType(TYPES.get(t.oid)?.elem ?? 0);
const depthOf = (a: Value[], t: SqlType | undefined): number => (rowArray(t) ? 1 : depth(a));
const depth = (a: Value[]): number => (a.length > 0 && Array.isArray(a[0]) ? 1 + depth(a[0] as Value[]) : 1);
const dimLen = (a: Value[], d: number): number | null => {
  let cur: Value = a;
  for (let i = 1; i < d; i++) { if (!Array.isArray(cur) || cur.length === 0) return null; cur = cur[0]!; }
  return Array.isArray(cur) && cur.length > 0 ? cur.length : null;
};
fn('array_length', ['anyarray', 'int4'], 'int4', ([a, d], _c, types) => (N(d!) < 1 || N(d!) > depthOf(arr(a!), types[0]) ? null : dimLen(arr(a!), N(d!))));
fn('array_upper', ['anyarray', 'int4'], 'int4', ([a, d], _c, types) => (N(d!) < 1 || N(d!) > depthOf(arr(a!), types[0]) ? null : dimLen(arr(a!), N(d!))));
fn('array_lower', ['anyarray', 'int4'], 'int4', ([a, d], _c, types) => (N(d!) < 1 || N(d!) > depthOf(arr(a!), types[0]) || arr(a!).length === 0 ? null : 1));
fn('array_ndims', ['anyarray'], 'int4', ([a], _c, types) => (arr(a!).length === 0 ? null : depthOf(arr(a!), types[0])));
fn('array_dims', ['anyarray'], 'text', ([a], _c, types) => {
  if (arr(a!).length === 0) return null;
  let s = '';
  for (let d = 1; d <= depthOf(arr(a!), types[0]); d++) s += `[1:${dimLen(arr(a!), d)}]`;
  return s;
});
fn('cardinality', ['anyarray'], 'int4', ([a], _c, types) => {
  if (rowArray(types[0])) return arr(a!).length;
  const flat = (x: Value[]): number => x.reduce<number>((n, e) => n + (Array.isArray(e) ? flat(e) : 1), 0);
  return flat(arr(a!));
});
fn('array_to_string', ['anyarray', 'text'], 'text', ([a, d], ctx, types) => arrayToString(arr(a!), S(d!), undefined, types[0]!, ctx));
fn('array_to_string', ['anyarray', 'text', 'text'], 'text', ([a, d, n], ctx, types) => (a === null || d === null ? null : arrayToString(arr(a), S(d), n === null ? undefined : S(n!), types[0]!, ctx)), { strict: false });
function arrayToString(a: Value[], d: string, nullStr: string | undefined, t: SqlType, ctx: EvalContext): string {
  const el: SqlType = { oid: TYPES.get(t.oid)?.elem ?? OID.text, typmod: -1 };
  const flat = (x: Value[]): Value[] => (rowArray(t) ? x : x.flatMap((e) => (Array.isArray(e) ? flat(e) : [e])));
  return flat(a).filter((e) => e !== null || nullStr !== undefined).map((e) => (e === null ? nullStr! : anyToText(e, el, ctx))).join(d);
}
const elemOf = (t: SqlType): SqlType => ({ oid: TYPES.get(t.oid)?.elem ?? OID.text, typmod: -1 });
fn('array_position', ['anyarray', 'anyelement'], 'int4', ([a, v], _c, types) => {
  if (a === null) return null;
  const i = arr(a).findIndex((e) => (v === null ? e === null : e !== null && valuesEqual(elemOf(types[0]!), e, v!)));
  return i < 0 ? null : i + 1;
}, { strict: false });
fn('array_position', ['anyarray', 'anyelement', 'int4'], 'int4', ([a, v, st], _c, types) => {
  if (a === null) return null;
  if (st === null) throw new SqlError(SqlState.nullValueNotAllowed, 'initial position must not be null');
  const list = arr(a);
  if (!rowArray(types[0]) && list.some((e) => Array.isArray(e))) throw new SqlError(SqlState.featureNotSupported, 'searching for elements in multidimensional arrays is not supported');
  for (let i = Math.max(N(st) - 1, 0); i < list.length; i++) {
    const e = list[i]!;
    if (v === null ? e === null : e !== null && valuesEqual(elemOf(types[0]!), e, v)) return i + 1;
  }
  return null;
}, { strict: false });
fn('array_replace', ['anyarray', 'anyelement', 'anyelement'], 'anyarray', ([a, from, to], _c, types) => {
  if (a === null) return null;
  const same = (e: Value): boolean => (from === null ? e === null : e !== null && valuesEqual(elemOf(types[0]!), e, from!));
  const walk = (x: Value[]): Value[] => x.map((e) => (Array.isArray(e) && !rowArray(types[0]) ? walk(e) : same(e) ? to! : e));
  return walk(arr(a));
}, { strict: false });
fn('trim_array', ['anyarray', 'int4'], 'anyarray', ([a, n]) => {
  const list = arr(a!);
  const k = N(n!);
  if (k < 0 || k > list.length) throw new SqlError(SqlState.arraySubscriptError, 'number of elements to trim must be between 0 and ' + list.length);
  return list.slice(0, list.length - k);
});
fn('array_positions', ['anyarray', 'anyelement'], '_int4', ([a, v], _c, types) => {
  if (a === null) return null;
  const out: Value[] = [];
  arr(a).forEach((e, i) => { if (v === null ? e === null : e !== null && valuesEqual(elemOf(types[0]!), e, v!)) out.push(i + 1); });
  return out;
}, { strict: false });
// array_fill(value, dims [, lbounds]): arrays here always start at 1, so other lower bounds are refused
function arrayFill(v: Value, dimsV: Value, lbV: Value | undefined): Value {
  if (dimsV === null || lbV === null) throw new SqlError(SqlState.nullValueNotAllowed, 'dimension array or low bound array cannot be null');
  const dims = arr(dimsV);
  if (dims.some((d) => Array.isArray(d))) throw new SqlError(SqlState.arraySubscriptError, 'wrong number of array subscripts', { detail: 'Dimension array must be one dimensional.' });
  if (dims.some((d) => d === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'dimension values cannot be null');
  if (lbV !== undefined) {
    const lb = arr(lbV);
    if (lb.some((d) => Array.isArray(d))) throw new SqlError(SqlState.arraySubscriptError, 'wrong number of array subscripts', { detail: 'Dimension array must be one dimensional.' });
    if (lb.length !== dims.length) throw new SqlError(SqlState.arraySubscriptError, 'wrong number of array subscripts', { detail: 'Low bound array has different size than dimensions array.' });
    if (lb.some((d) => d === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'dimension values cannot be null');
    if (lb.some((d) => N(d) !== 1) && !dims.some((d) => N(d) === 0)) throw new SqlError(SqlState.featureNotSupported, 'array lower bounds other than 1 are not supported');
  }
  const sizes = dims.map((d) => N(d));
  const total = sizes.reduce((a, b) => a * b, 1);
  if (sizes.some((d) => d < 0) || total > 134217727) throw new SqlError('54000', 'array size exceeds the maximum allowed (134217727)');
  if (sizes.length === 0 || total === 0) return [];
  const build = (level: number): Value[] => Array.from({ length: sizes[level]! }, () => (level === sizes.length - 1 ? v : build(level + 1)));
  return build(0);
}
fn('array_fill', ['anyelement', '_int4'], 'anyarray', ([v, d]) => arrayFill(v!, d!, undefined), { strict: false });
fn('array_fill', ['anyelement', '_int4', '_int4'], 'anyarray', ([v, d, l]) => arrayFill(v!, d!, l!), { strict: false });
fn('array_append', ['anyarray', 'anyelement'], 'anyarray', ([a, v]) => [...(a === null ? [] : arr(a)), v!], { strict: false });
fn('array_prepend', ['anyelement', 'anyarray'], 'anyarray', ([v, a]) => [v!, ...(a === null ? [] : arr(a))], { strict: false });
fn('array_cat', ['anyarray', 'anyarray'], 'anyarray', ([a, b]) => (a === null && b === null ? null : [...(a === null ? [] : arr(a)), ...(b === null ? [] : arr(b))]), { strict: false });
fn('array_remove', ['anyarray', 'anyelement'], 'anyarray', ([a, v], _c, types) => (a === null ? null : arr(a).filter((e) => !(v === null ? e === null : e !== null && valuesEqual(elemOf(types[0]!), e, v!)))), { strict: false });

// ---------------------------------------------------------------- date/time

fn('now', [], 'timestamptz', (_a, ctx) => ctx.transactionTimestamp);
fn('transaction_timestamp', [], 'timestamptz', (_a, ctx) => ctx.transactionTimestamp);
fn('statement_timestamp', [], 'timestamptz', (_a, ctx) => ctx.statementTimestamp);
// CURRENT_DATE, LOCALTIMESTAMP, LOCALTIME (the grammar's SQL value functions, not callable by
// name in PostgreSQL): the transaction's start in the session's time zone
const transactionLocal = (ctx: Parameters<Impl>[1]) => utcToLocal(ctx.transactionTimestamp, sessionZone(ctx));
fn('current_date', [], 'date', (_a, ctx) => Math.floor(transactionLocal(ctx) / USECS_PER_DAY));
fn('localtimestamp', [], 'timestamp', (_a, ctx) => transactionLocal(ctx));
fn('localtime', [], 'time', (_a, ctx) => ((transactionLocal(ctx) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY);
fn('clock_timestamp', [], 'timestamptz', () => nowMicros(), { volatile: true });
fn('timeofday', [], 'text', () => new Date().toString(), { volatile: true });

const FIELD_ALIASES: Record<string, string> = {
  microseconds: 'microseconds', microsecond: 'microseconds', us: 'microseconds', milliseconds: 'milliseconds', millisecond: 'milliseconds', ms: 'milliseconds',
  second: 'second', seconds: 'second', sec: 'second', secs: 'second', s: 'second', minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute', m: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour', day: 'day', days: 'day', d: 'day', week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month', quarter: 'quarter', year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  decade: 'decade', decades: 'decade', century: 'century', centuries: 'century', millennium: 'millennium', millennia: 'millennium',
  epoch: 'epoch', dow: 'dow', isodow: 'isodow', doy: 'doy', timezone: 'timezone', timezone_hour: 'timezone_hour', timezone_minute: 'timezone_minute', julian: 'julian', isoyear: 'isoyear',
};
function unitOf(field: string, typeName: string): string {
  const u = FIELD_ALIASES[field.toLowerCase().trim()];
  if (!u) throw new SqlError(SqlState.invalidParameterValue, `unit "${field}" not recognized for type ${typeName}`);
  return u;
}

function truncLocal(unit: string, local: number): number {
  if (!Number.isFinite(local)) return local;
  const days = Math.floor(local / USECS_PER_DAY);
  const tod = local - days * USECS_PER_DAY;
  const { y, m } = civilFromDays(days);
  switch (unit) {
    case 'microseconds': return local;
    case 'milliseconds': return days * USECS_PER_DAY + Math.floor(tod / 1000) * 1000;
    case 'second': return days * USECS_PER_DAY + Math.floor(tod / USECS_PER_SEC) * USECS_PER_SEC;
    case 'minute': return days * USECS_PER_DAY + Math.floor(tod / USECS_PER_MINUTE) * USECS_PER_MINUTE;
    case 'hour': return days * USECS_PER_DAY + Math.floor(tod / USECS_PER_HOUR) * USECS_PER_HOUR;
    case 'day': return days * USECS_PER_DAY;
    case 'week': { const dow = (((days + 4) % 7) + 7) % 7; const isoDow = dow === 0 ? 7 : dow; return (days - (isoDow - 1)) * USECS_PER_DAY; }
    case 'month': return daysFromCivil(y, m, 1) * USECS_PER_DAY;
    case 'quarter': return daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1) * USECS_PER_DAY;
    case 'year': return daysFromCivil(y, 1, 1) * USECS_PER_DAY;
    case 'decade': return daysFromCivil(Math.floor(y / 10) * 10, 1, 1) * USECS_PER_DAY;
    case 'century': return daysFromCivil(y > 0 ? Math.floor((y - 1) / 100) * 100 + 1 : -Math.floor(-y / 100) * 100 - 99, 1, 1) * USECS_PER_DAY;
    case 'millennium': return daysFromCivil(y > 0 ? Math.floor((y - 1) / 1000) * 1000 + 1 : -Math.floor(-y / 1000) * 1000 - 999, 1, 1) * USECS_PER_DAY;
  }
  throw new SqlError(SqlState.featureNotSupported, `unit "${unit}" not supported for type timestamp without time zone`);
}
fn('date_trunc', ['text', 'timestamp'], 'timestamp', ([u, t]) => truncLocal(unitOf(S(u!), 'timestamp without time zone'), N(t!)));
fn('date_trunc', ['text', 'timestamptz'], 'timestamptz', ([u, t], ctx) => {
  const z = sessionZone(ctx);
  return localToUtc(truncLocal(unitOf(S(u!), 'timestamp with time zone'), utcToLocal(N(t!), z)), z);
});
fn('date_trunc', ['text', 'timestamptz', 'text'], 'timestamptz', ([u, t, z]) => {
  if (!isZoneOrAbbrev(S(z!))) throw new SqlError(SqlState.invalidParameterValue, `time zone "${S(z!)}" not recognized`);
  const zone = zoneOfAbbrevOrName(S(z!));
  return localToUtc(truncLocal(unitOf(S(u!), 'timestamp with time zone'), utcToLocal(N(t!), zone)), zone);
});
/** date_bin(stride, source, origin): the start of the stride-wide bin holding source, bins aligned on origin (timestamp.c) */
function dateBin(stride: Interval, source: number, origin: number): number {
  if (!Number.isFinite(source)) return source;
  if (!Number.isFinite(origin)) throw new SqlError(SqlState.datetimeFieldOverflow, 'origin out of range');
  if (stride.months !== 0) throw new SqlError(SqlState.featureNotSupported, 'timestamps cannot be binned into intervals containing months or years');
  const strideUs = stride.days * USECS_PER_DAY + stride.micros;
  if (strideUs <= 0) throw new SqlError(SqlState.datetimeFieldOverflow, 'stride must be greater than zero');
  const diff = source - origin;
  let delta = diff - (diff % strideUs);
  // the start of the bin even when the origin is after the source
  if (origin > source && delta !== diff) delta -= strideUs;
  return origin + delta;
}
for (const t of ['timestamp', 'timestamptz']) fn('date_bin', ['interval', t, t], t, ([s, src, o]) => dateBin(s as Interval, N(src!), N(o!)));
fn('date_trunc', ['text', 'interval'], 'interval', ([u, v]) => {
  const iv = v as Interval, unit = unitOf(S(u!), 'interval');
  const us = iv.micros;
  const cut = (q: number): number => Math.trunc(us / q) * q;
  switch (unit) {
    case 'microseconds': return iv;
    case 'milliseconds': return { ...iv, micros: cut(1000) };
    case 'second': return { ...iv, micros: cut(USECS_PER_SEC) };
    case 'minute': return { ...iv, micros: cut(USECS_PER_MINUTE) };
    case 'hour': return { ...iv, micros: cut(USECS_PER_HOUR) };
    case 'day': return { ...iv, micros: 0 };
    case 'month': return { months: iv.months, days: 0, micros: 0 };
    case 'year': return { months: Math.trunc(iv.months / 12) * 12, days: 0, micros: 0 };
  }
  throw new SqlError(SqlState.featureNotSupported, `unit "${S(u!)}" not supported for type interval`);
});

/** extract(field from local timestamp) as a numeric string (PostgreSQL 14+ semantics) */
function extractLocal(unit: string, local: number, utc: number | undefined, typeName: string, tzOffsetSec?: number): string {
  if (!Number.isFinite(local)) {
    if (['epoch', 'year', 'decade', 'century', 'millennium', 'julian', 'isoyear'].includes(unit)) return local > 0 ? 'Infinity' : '-Infinity';
    return 'NULL';
  }
  const days = Math.floor(local / USECS_PER_DAY);
  const tod = local - days * USECS_PER_DAY;
  const { y, m, d } = civilFromDays(days);
  const secUs = tod % USECS_PER_MINUTE;
  const dow = (((days + 4) % 7) + 7) % 7;
  const doy = days - daysFromCivil(y, 1, 1) + 1;
  const isoWeek = (): { week: number; year: number } => {
    const isoDow = dow === 0 ? 7 : dow;
    const thursday = days - isoDow + 4;
    const ty = civilFromDays(thursday).y;
    return { week: Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1, year: ty };
  };
  const dec = (us: number, scale: number): string => formatDecimal(new Decimal(us).div(1e6), scale);
  switch (unit) {
    case 'microseconds': return String(secUs);
    case 'milliseconds': return formatDecimal(new Decimal(secUs).div(1000), 3);
    case 'second': return dec(secUs, 6);
    case 'minute': return String(Math.floor(tod / USECS_PER_MINUTE) % 60);
    case 'hour': return String(Math.floor(tod / USECS_PER_HOUR));
    case 'day': return String(d);
    case 'month': return String(m);
    case 'quarter': return String(Math.floor((m - 1) / 3) + 1);
    case 'year': return String(y > 0 ? y : y - 1);
    case 'decade': return String(Math.floor(y / 10));
    case 'century': return String(y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - (y - 1)) / 100));
    case 'millennium': return String(y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - (y - 1)) / 1000));
    case 'dow': return String(dow);
    case 'isodow': return String(dow === 0 ? 7 : dow);
    case 'doy': return String(doy);
    case 'week': return String(isoWeek().week);
    case 'isoyear': return String(isoWeek().year);
    case 'epoch': return dec(utc ?? local, 6);
    // a date's Julian day is an integer; a timestamp's adds its time as numeric division gives it
    case 'julian': return typeName === 'date' ? String(days + 2440588) : numericAdd(String(days + 2440588), numericDiv(String(tod), String(USECS_PER_DAY)));
    case 'timezone': if (tzOffsetSec !== undefined) return String(tzOffsetSec); break;
    case 'timezone_hour': if (tzOffsetSec !== undefined) return String(Math.trunc(tzOffsetSec / 3600)); break;
    case 'timezone_minute': if (tzOffsetSec !== undefined) return String(Math.trunc((tzOffsetSec % 3600) / 60)); break;
  }
  throw new SqlError(SqlState.featureNotSupported, `unit "${unit}" not supported for type ${typeName}`);
}

function extractInterval(unit: string, iv: Interval): string {
  const us = iv.micros;
  switch (unit) {
    case 'microseconds': return String(us % USECS_PER_MINUTE);
    case 'milliseconds': return formatDecimal(new Decimal(us % USECS_PER_MINUTE).div(1000), 3);
    case 'second': return formatDecimal(new Decimal(us % USECS_PER_MINUTE).div(1e6), 6);
    case 'minute': return String(Math.trunc(us / USECS_PER_MINUTE) % 60);
    case 'hour': return String(Math.trunc(us / USECS_PER_HOUR));
    case 'day': return String(iv.days);
    case 'month': return String(iv.months % 12);
    case 'quarter': return String(Math.trunc((iv.months % 12) / 3) + 1);
    case 'year': return String(Math.trunc(iv.months / 12));
    case 'decade': return String(Math.trunc(iv.months / 120));
    case 'century': return String(Math.trunc(iv.months / 1200));
    case 'millennium': return String(Math.trunc(iv.months / 12000));
    case 'epoch': {
      const secs = new Decimal(Math.trunc(iv.months / 12)).times(365.25 * 86400).plus(new Decimal(iv.months % 12).times(30 * 86400)).plus(new Decimal(iv.days).times(86400)).plus(new Decimal(us).div(1e6));
      return formatDecimal(secs, 6);
    }
  }
  throw new SqlError(SqlState.featureNotSupported, `unit "${unit}" not supported for type interval`);
}

const numOrNull = (s: string): Value => (s === 'NULL' ? null : s);
const trimScale = (s: string): string => s; // extract keeps PostgreSQL's fixed scales (second: 6)
for (const [name, retType, conv] of [['extract', 'numeric', (s: string) => numOrNull(trimScale(s))], ['date_part', 'float8', (s: string) => (s === 'NULL' ? null : Number(s))]] as const) {
  fn(name, ['text', 'timestamp'], retType, ([u, t]) => conv(extractLocal(unitOf(S(u!), 'timestamp without time zone'), N(t!), undefined, 'timestamp without time zone')));
  fn(name, ['text', 'timestamptz'], retType, ([u, t], ctx) => {
    const z = sessionZone(ctx);
    const local = utcToLocal(N(t!), z);
    return conv(extractLocal(unitOf(S(u!), 'timestamp with time zone'), local, N(t!), 'timestamp with time zone', Number.isFinite(local) ? (local - N(t!)) / USECS_PER_SEC : 0));
  });
  fn(name, ['text', 'date'], retType, ([u, t]) => {
    const unit = unitOf(S(u!), 'date');
    if (['hour', 'minute', 'second', 'milliseconds', 'microseconds'].includes(unit)) throw new SqlError(SqlState.featureNotSupported, `unit "${S(u!)}" not supported for type date`);
    const r = extractLocal(unit, Number.isFinite(N(t!)) ? N(t!) * USECS_PER_DAY : N(t!), undefined, 'date');
    return conv(unit === 'epoch' && r.includes('.') ? r.replace(/\.0+$/, '') : r);
  });
  fn(name, ['text', 'interval'], retType, ([u, v]) => conv(extractInterval(unitOf(S(u!), 'interval'), v as Interval)));
  fn(name, ['text', 'time'], retType, ([u, t]) => conv(extractLocal(unitOf(S(u!), 'time without time zone'), N(t!), undefined, 'time without time zone')));
}
fn('age', ['timestamp', 'timestamp'], 'interval', ([a, b]) => age(N(a!), N(b!)));
fn('age', ['timestamptz', 'timestamptz'], 'interval', ([a, b], ctx) => age(utcToLocal(N(a!), sessionZone(ctx)), utcToLocal(N(b!), sessionZone(ctx))));
fn('age', ['timestamp'], 'interval', ([a], ctx) => {
  const today = Math.floor(utcToLocal(ctx.transactionTimestamp, sessionZone(ctx)) / USECS_PER_DAY) * USECS_PER_DAY;
  return age(today, N(a!));
});
fn('justify_hours', ['interval'], 'interval', ([a]) => justifyHours(a as Interval));
fn('justify_days', ['interval'], 'interval', ([a]) => justifyDays(a as Interval));
fn('to_timestamp', ['float8'], 'timestamptz', ([a]) => {
  const x = N(a!);
  if (Number.isNaN(x)) throw new SqlError(SqlState.invalidParameterValue, 'timestamp cannot be NaN');
  return Number.isFinite(x) ? Math.round(x * 1e6) : x;
});
/** make_date's checks: year 0 is refused, negative years are BC, the day must exist */
function makeDateDays(y: number, m: number, d: number): number {
  if (y === 0) throw new SqlError(SqlState.datetimeFieldOverflow, `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  const year = y < 0 ? y + 1 : y;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(year, m)) {
    throw new SqlError(SqlState.datetimeFieldOverflow, `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  return daysFromCivil(year, m, d);
}
function makeTimeMicros(h: number, mi: number, sec: number): number {
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || !Number.isFinite(sec) || (h === 24 && (mi > 0 || sec > 0))) {
    throw new SqlError(SqlState.datetimeFieldOverflow, `time field value out of range: ${h}:${String(mi).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
  }
  return h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + Math.round(sec * 1e6);
}
fn('make_date', ['int4', 'int4', 'int4'], 'date', ([y, m, d]) => makeDateDays(N(y!), N(m!), N(d!)));
fn('make_time', ['int4', 'int4', 'float8'], 'time', ([h, mi, sec]) => makeTimeMicros(N(h!), N(mi!), N(sec!)));
fn('make_timestamp', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], 'timestamp', ([y, mo, d, h, mi, sec]) =>
  makeDateDays(N(y!), N(mo!), N(d!)) * USECS_PER_DAY + makeTimeMicros(N(h!), N(mi!), N(sec!)));
fn('make_timestamptz', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8'], 'timestamptz', ([y, mo, d, h, mi, sec], ctx) =>
  localToUtc(makeDateDays(N(y!), N(mo!), N(d!)) * USECS_PER_DAY + makeTimeMicros(N(h!), N(mi!), N(sec!)), sessionZone(ctx)));
/**
 * parse_sane_timezone's numeric form: '+hh', '+hh:mm[:ss]', '+hhmm', ISO signs (east positive);
 * undefined when the text is not one (then an abbreviation or zone name is tried)
 */
function numericTimeZone(z: string): number | undefined {
  if (/^\d/.test(z)) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric time zone: "${z}"`, { hint: 'Numeric time zones must have "-" or "+" as first character.' });
  }
  const m = /^([+-])(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(z);
  if (!m) return undefined;
  let hr = Number(m[2]), min = Number(m[3] ?? 0);
  const sec = Number(m[4] ?? 0);
  if (m[3] === undefined && m[2]!.length > 2) { min = hr % 100; hr = Math.floor(hr / 100); }
  if (hr > 15 || min >= 60 || sec >= 60) throw new SqlError(SqlState.invalidTimeZoneDisplacementValue, `numeric time zone "${z}" out of range`);
  const east = (hr * 60 + min) * 60 + sec;
  return m[1] === '-' ? -east : east;
}
fn('make_timestamptz', ['int4', 'int4', 'int4', 'int4', 'int4', 'float8', 'text'], 'timestamptz', ([y, mo, d, h, mi, sec, z]) => {
  const local = makeDateDays(N(y!), N(mo!), N(d!)) * USECS_PER_DAY + makeTimeMicros(N(h!), N(mi!), N(sec!));
  const east = numericTimeZone(S(z!));
  if (east !== undefined) return local - east * USECS_PER_SEC;
  if (!isZoneOrAbbrev(S(z!))) throw new SqlError(SqlState.invalidParameterValue, `time zone "${S(z!)}" not recognized`);
  return localToUtcIn(makeDateDays(N(y!), N(mo!), N(d!)) * USECS_PER_DAY + makeTimeMicros(N(h!), N(mi!), N(sec!)), S(z!));
});
// make_interval(years, months, weeks, days, hours, mins, secs): every argument defaults to 0
{
  const names = ['int4', 'int4', 'int4', 'int4', 'int4', 'int4', 'float8'];
  for (let n = 0; n <= 7; n++) {
    fn('make_interval', names.slice(0, n), 'interval', (a) => {
      const [y = 0, mo = 0, w = 0, d = 0, h = 0, mi = 0, sec = 0] = a.map((v) => N(v!));
      if (!Number.isFinite(sec)) throw new SqlError(SqlState.datetimeFieldOverflow, 'interval out of range');
      return { months: y * 12 + mo, days: w * 7 + d, micros: h * USECS_PER_HOUR + mi * USECS_PER_MINUTE + Math.round(sec * 1e6) };
    });
  }
}
fn('isfinite', ['interval'], 'bool', () => true);
/** AT TIME ZONE: the zone may be a name or an interval (hours east of UTC) */
function zoneArg(z: Value, type: SqlType): string {
  if (type.oid === OID.interval) {
    const iv = z as Interval;
    if (iv.months !== 0 || iv.days !== 0) throw new SqlError(SqlState.invalidParameterValue, `interval time zone "${formatInterval(iv)}" must not include months or days`);
    const east = Math.trunc(iv.micros / USECS_PER_SEC);
    const a = Math.abs(east);
    // a POSIX spec: the sign is inverted
    return `<>${east > 0 ? '-' : '+'}${Math.floor(a / 3600)}:${String(Math.floor((a % 3600) / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  }
  const name = S(z);
  if (!isZoneOrAbbrev(name)) throw new SqlError(SqlState.invalidParameterValue, `time zone "${name}" not recognized`);
  return name;
}
for (const zt of ['text', 'interval']) {
  fn('timezone', [zt, 'timestamp'], 'timestamptz', ([z, t], _c, types) => localToUtcIn(N(t!), zoneArg(z!, types[0]!)));
  fn('timezone', [zt, 'timestamptz'], 'timestamp', ([z, t], _c, types) => utcToLocalIn(N(t!), zoneArg(z!, types[0]!)));
}
/** (s1, e1) OVERLAPS (s2, e2): ends may come first, NULLs follow PostgreSQL's overlaps_timestamp */
fn('justify_interval', ['interval'], 'interval', ([a]) => justifyInterval(a as Interval));
fn('isfinite', ['timestamp'], 'bool', ([a]) => Number.isFinite(N(a!)));
fn('isfinite', ['timestamptz'], 'bool', ([a]) => Number.isFinite(N(a!)));
fn('isfinite', ['date'], 'bool', ([a]) => Number.isFinite(N(a!)));

// ---------------------------------------------------------------- uuid, sequences, session

fn('gen_random_uuid', [], 'uuid', () => randomUUID(), { volatile: true });
fn('uuid_generate_v4', [], 'uuid', () => randomUUID(), { volatile: true });
const seqName = (v: Value, t: SqlType, ctx: EvalContext): string => {
  if (t.oid === OID.regclass) {
    const n = ctx.services.relationName(v as number);
    if (n === undefined) throw new SqlError(SqlState.undefinedTable, `could not open relation with OID ${v}`);
    // by OID: the name would be read again as an identifier ("User_id_seq" folded to user_id_seq)
    return String(v);
  }
  return v as string;
};
for (const t of ['regclass', 'text']) {
  fn('nextval', [t], 'int8', ([s], ctx, types) => ctx.services.nextval(seqName(s!, types[0]!, ctx)), { volatile: true });
  fn('currval', [t], 'int8', ([s], ctx, types) => ctx.services.currval(seqName(s!, types[0]!, ctx)), { volatile: true });
  fn('setval', [t, 'int8'], 'int8', ([s, v], ctx, types) => ctx.services.setval(seqName(s!, types[0]!, ctx), v as bigint, true), { volatile: true });
  fn('setval', [t, 'int8', 'bool'], 'int8', ([s, v, c], ctx, types) => ctx.services.setval(seqName(s!, types[0]!, ctx), v as bigint, c as boolean), { volatile: true });
}
// to_regclass('t') and its siblings: the name's OID, or NULL where the cast would fail
// because nothing has that name (a malformed name still raises, as in PostgreSQL)
const NOT_FOUND: ReadonlySet<string> = new Set([SqlState.undefinedTable, SqlState.undefinedObject, SqlState.undefinedFunction, '3F000', '42725']);
for (const [name, oid] of [['to_regclass', OID.regclass], ['to_regtype', OID.regtype], ['to_regproc', OID.regproc], ['to_regprocedure', OID.regprocedure],
  ['to_regnamespace', OID.regnamespace], ['to_regrole', OID.regrole]] as const) {
  fn(name, ['text'], name.slice(3), ([t], ctx) => {
    try {
      return parseText({ oid, typmod: -1 }, S(t!), parseSettingsOf(ctx));
    } catch (e) {
      if (e instanceof SqlError && NOT_FOUND.has(e.code)) return null;
      throw e;
    }
  });
}
fn('current_setting', ['text'], 'text', ([n], ctx) => {
  const v = ctx.setting(S(n!).toLowerCase());
  if (v === undefined) throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${S(n!)}"`);
  return v;
});
fn('current_setting', ['text', 'bool'], 'text', ([n, missingOk], ctx) => {
  const v = ctx.setting(S(n!).toLowerCase());
  if (v === undefined && !missingOk) throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${S(n!)}"`);
  return v ?? null;
});
fn('current_database', [], 'name', (_a, ctx) => ctx.database);
// every database is UTF8 (psql's \dO keeps the collations of the database's encoding)
fn('getdatabaseencoding', [], 'name', () => 'UTF8');
fn('pg_encoding_to_char', ['int4'], 'name', ([e]) => ENCODINGS[N(e)] ?? '');
fn('pg_char_to_encoding', ['name'], 'int4', ([e]) => encodingNumber(S(e)));
fn('current_user', [], 'name', (_a, ctx) => ctx.user);
fn('session_user', [], 'name', (_a, ctx) => ctx.user);
fn('current_schema', [], 'name', (_a, ctx) => {
  const sp = ctx.setting('search_path') ?? 'public';
  const first = sp.split(',').map((s) => s.trim().replace(/^"|"$/g, '')).find((s) => s !== '$user');
  return first ?? 'public';
});
fn('pg_typeof', ['any'], 'regtype', (_a, _c, types) => types[0]!.domain ?? types[0]!.oid, { strict: false });
fn('format_type', ['oid', 'int4'], 'text', ([o, m]) => (o === null ? null : !TYPES.has(N(o)) ? '???' : m === null ? formatType({ oid: N(o), typmod: -1 }) : formatTypeWithTypmod({ oid: N(o), typmod: N(m) })), { strict: false });

// ---------------------------------------------------------------- json

const jsonSettings = (ctx: EvalContext): ReturnType<typeof formatSettingsOf> => formatSettingsOf(ctx);
fn('to_json', ['anyelement'], 'json', ([v], ctx, types) => datumToJson(types[0]!, v!, jsonSettings(ctx)));
fn('array_to_json', ['anyarray'], 'json', ([v], ctx, types) => arrayToJson(types[0]!, v as Value[], jsonSettings(ctx), false));
fn('array_to_json', ['anyarray', 'bool'], 'json', ([v, pretty], ctx, types) => arrayToJson(types[0]!, v as Value[], jsonSettings(ctx), pretty === true));
fn('to_jsonb', ['anyelement'], 'jsonb', ([v], ctx, types) => formatJsonb(toJsonValue(types[0]!, v!, jsonSettings(ctx))));
/** json[b]_build_object's keys as text (alternate arguments, none NULL) */
const objectKeys = (args: readonly Value[], types: readonly SqlType[], ctx: EvalContext): string[] => {
  if (args.length % 2 !== 0) throw new SqlError(SqlState.invalidParameterValue, 'argument list must have even number of elements', { hint: 'The arguments of json_build_object() must consist of alternating keys and values.' });
  const keys: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === null) throw new SqlError(SqlState.invalidParameterValue, `argument ${i + 1}: key must not be null`);
    keys.push(anyToText(args[i]!, types[i]!, ctx));
  }
  return keys;
};
const buildObject = (args: readonly Value[], types: readonly SqlType[], ctx: EvalContext): [string, JsonValue][] =>
  objectKeys(args, types, ctx).map((k, i) => [k, args[2 * i + 1] === null ? null : toJsonValue(types[2 * i + 1]!, args[2 * i + 1]!, jsonSettings(ctx))]);
fn('jsonb_build_object', [], 'jsonb', (args, ctx, types) => {
  const m = new Map<string, JsonValue>();
  for (const [k, v] of buildObject(args, types, ctx)) { m.delete(k); m.set(k, v); }
  return parseJsonbCanonical({ obj: [...m.entries()] });
}, { strict: false, variadic: 'any' });
// json_build_object / json_build_array: their own level spaced (`{"a" : 1}`, `[1, 2]`), each value as datum_to_json writes it
fn('json_build_object', [], 'json', (args, ctx, types) => {
  const pairs: string[] = [];
  for (const [i, k] of objectKeys(args, types, ctx).entries()) pairs.push(`${escapeJsonString(k)} : ${datumToJson(types[2 * i + 1]!, args[2 * i + 1]!, jsonSettings(ctx))}`);
  return '{' + pairs.join(', ') + '}';
}, { strict: false, variadic: 'any' });
fn('jsonb_build_array', [], 'jsonb', (args, ctx, types) => formatJsonb(args.map((a, i) => (a === null ? null : toJsonValue(types[i]!, a, jsonSettings(ctx))))), { strict: false, variadic: 'any' });
fn('json_build_array', [], 'json', (args, ctx, types) => '[' + args.map((a, i) => datumToJson(types[i]!, a, jsonSettings(ctx))).join(', ') + ']', { strict: false, variadic: 'any' });
/** jsonb canonical text of a built value (numbers canonicalized, keys ordered) */
function parseJsonbCanonical(v: JsonValue): string {
  return formatJsonb(normalizeTree(v));
}
fn('jsonb_set', ['jsonb', '_text', 'jsonb'], 'jsonb', ([t, p, v]) => formatJsonb(jsonbSet(parseJsonTree(S(t!)), p as Value[], parseJsonTree(S(v!)), true)));
fn('jsonb_set', ['jsonb', '_text', 'jsonb', 'bool'], 'jsonb', ([t, p, v, c]) => formatJsonb(jsonbSet(parseJsonTree(S(t!)), p as Value[], parseJsonTree(S(v!)), c === true)));
const jsonbSetLax: Impl = ([t, p, v, c = true, how = 'use_json_null']) => {
  if (t === null || p === null) return null;
  const mode = how === null ? '' : S(how);
  if (!['raise_exception', 'use_json_null', 'delete_key', 'return_target'].includes(mode)) {
    throw new SqlError(SqlState.invalidParameterValue, 'null_value_treatment must be "delete_key", "return_target", "use_json_null", or "raise_exception"');
  }
  const target = parseJsonTree(S(t));
  // a non-NULL value goes to jsonb_set, strict: a NULL create_if_missing gives NULL
  if (v !== null) return c === null ? null : formatJsonb(jsonbSet(target, p as Value[], parseJsonTree(S(v)), c !== false));
  if (mode === 'raise_exception') throw new SqlError(SqlState.nullValueNotAllowed, 'JSON value must not be null', { detail: 'Exception was raised because null_value_treatment is "raise_exception".', hint: 'To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.' });
  if (mode === 'delete_key') return formatJsonb(jsonbDeletePath(target, p as Value[]));
  if (mode === 'return_target') return t;
  return formatJsonb(jsonbSet(target, p as Value[], null, c !== false));
};
// create_if_missing DEFAULT true, null_value_treatment DEFAULT 'use_json_null'
fn('jsonb_set_lax', ['jsonb', '_text', 'jsonb'], 'jsonb', jsonbSetLax, { strict: false });
fn('jsonb_set_lax', ['jsonb', '_text', 'jsonb', 'bool'], 'jsonb', jsonbSetLax, { strict: false });
fn('jsonb_set_lax', ['jsonb', '_text', 'jsonb', 'bool', 'text'], 'jsonb', jsonbSetLax, { strict: false });
fn('jsonb_insert', ['jsonb', '_text', 'jsonb'], 'jsonb', ([t, p, v]) => formatJsonb(jsonbInsert(parseJsonTree(S(t!)), p as Value[], parseJsonTree(S(v!)), false)));
fn('jsonb_insert', ['jsonb', '_text', 'jsonb', 'bool'], 'jsonb', ([t, p, v, a]) => formatJsonb(jsonbInsert(parseJsonTree(S(t!)), p as Value[], parseJsonTree(S(v!)), a === true)));
fn('jsonb_strip_nulls', ['jsonb'], 'jsonb', ([v]) => formatJsonb(stripNulls(parseJsonTree(S(v!)))));
fn('jsonb_pretty', ['jsonb'], 'text', ([v]) => jsonbPretty(parseJsonTree(S(v!))));
for (const j of ['json', 'jsonb']) {
  const walk = (v: JsonValue, keys: readonly Value[]): JsonValue | undefined => {
    let cur: JsonValue | undefined = v;
    for (const k of keys) {
      if (cur === undefined || k === null) return undefined;
      cur = Array.isArray(cur) ? (/^\s*-?\d+\s*$/.test(k as string) ? cur[Number(k) < 0 ? cur.length + Number(k) : Number(k)] : undefined) : jsonGetField(cur, k as string);
    }
    return cur;
  };
  fn(`${j}_extract_path`, [j], j, ([v, ...keys]) => { const r = walk(parseJsonTree(S(v!), j === 'jsonb'), keys); return r === undefined ? null : formatJsonb(r); }, { variadic: 'text' });
  fn(`${j}_extract_path_text`, [j], 'text', ([v, ...keys]) => jsonAsText(walk(parseJsonTree(S(v!), j === 'jsonb'), keys)), { variadic: 'text' });
  fn(`${j}_object`, ['_text'], j, ([a]) => jsonObjectFromArrays(a as Value[], undefined, j === 'jsonb'));
  fn(`${j}_object`, ['_text', '_text'], j, ([k, v]) => jsonObjectFromArrays(k as Value[], v as Value[], j === 'jsonb'));
}
// jsonpath (jsonb_path_query, the set-returning one, is in src/executor/set-functions.ts)
for (const sfx of ['', '_tz']) {
  for (const args of PATH_FUNCTION_ARGS) {
    fn(`jsonb_path_exists${sfx}`, args, 'bool', (a) => pathExists(a));
    fn(`jsonb_path_match${sfx}`, args, 'bool', (a) => pathMatch(a));
    fn(`jsonb_path_query_array${sfx}`, args, 'jsonb', (a) => pathQueryArray(a));
    fn(`jsonb_path_query_first${sfx}`, args, 'jsonb', (a) => pathQueryFirst(a));
  }
}
fn('jsonb_typeof', ['jsonb'], 'text', ([v]) => jsonbTypeof(parseJsonTree(S(v!))));
fn('json_typeof', ['json'], 'text', ([v]) => jsonbTypeof(parseJsonTree(S(v!), false)));
fn('jsonb_array_length', ['jsonb'], 'int4', ([v]) => {
  const t = parseJsonTree(S(v!));
  if (!Array.isArray(t)) throw new SqlError(SqlState.invalidParameterValue, t !== null && typeof t === 'object' && 'obj' in t ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
  return t.length;
});
fn('json_array_length', ['json'], 'int4', ([v]) => {
  const t = parseJsonTree(S(v!), false);
  if (!Array.isArray(t)) throw new SqlError(SqlState.invalidParameterValue, 'cannot get array length of a non-array');
  return t.length;
});

// ---------------------------------------------------------------- vector (pgvector)

const V = (v: Value): Float32Array => v as Float32Array;
fn('l2_distance', ['vector', 'vector'], 'float8', ([a, b]) => l2Distance(V(a!), V(b!)));
fn('inner_product', ['vector', 'vector'], 'float8', ([a, b]) => innerProduct(V(a!), V(b!)));
fn('cosine_distance', ['vector', 'vector'], 'float8', ([a, b]) => cosineDistance(V(a!), V(b!)));
fn('l1_distance', ['vector', 'vector'], 'float8', ([a, b]) => l1Distance(V(a!), V(b!)));
fn('vector_l2_squared_distance', ['vector', 'vector'], 'float8', ([a, b]) => l2SquaredDistance(V(a!), V(b!)));
fn('vector_negative_inner_product', ['vector', 'vector'], 'float8', ([a, b]) => -innerProduct(V(a!), V(b!)));
fn('vector_cmp', ['vector', 'vector'], 'int4', ([a, b]) => compareVectors(V(a!), V(b!)));
fn('vector_dims', ['vector'], 'int4', ([a]) => vectorDims(V(a!)));
fn('vector_norm', ['vector'], 'float8', ([a]) => vectorNorm(V(a!)));
fn('l2_normalize', ['vector'], 'vector', ([a]) => l2Normalize(V(a!)));
fn('subvector', ['vector', 'int4', 'int4'], 'vector', ([a, s, c]) => subvector(V(a!), N(s!), N(c!)));

// full-text search (src/functions/text-search/)
for (const d of TEXT_SEARCH_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl);
// inet, cidr, macaddr, macaddr8 (network-functions.ts)
for (const d of NETWORK_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl);
// pg_lsn (pg-lsn-functions.ts)
for (const d of LSN_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl);
for (const d of SLEEP_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl, { volatile: true });
for (const d of OVERLAPS_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl, { strict: false });
for (const d of [...REGEXP_POSITION_FUNCTIONS, ...UNICODE_TEXT_FUNCTIONS, ...TRIGONOMETRY_FUNCTIONS, ...BYTEA_FUNCTIONS]) fn(d.name, d.args, d.ret, d.impl);
// pgvector's functions behind its operators and aggregates, and its type I/O (src/functions/pgvector-functions.ts)
for (const d of PGVECTOR_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl);
for (const d of FORMATTING_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl);
// enum_first, enum_last, enum_range (src/functions/enum-functions.ts)
for (const d of ENUM_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl, { strict: false });
// lower, upper, isempty …, range_* and the range constructors (src/functions/range-functions.ts)
for (const d of RANGE_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl, { strict: d.strict });
// lower, upper …, multirange_*, range_merge(anymultirange) and the multirange constructors (src/functions/multirange-functions.ts)
for (const d of MULTIRANGE_FUNCTIONS) fn(d.name, d.args, d.ret, d.impl, { strict: d.strict, ...(d.variadic ? { variadic: d.variadic } : {}) });

export const SCALAR_NAMES: ReadonlySet<string> = new Set(FNS.keys());
void formatTimestamp; void parseTimestamp;

// ---------------------------------------------------------------- halfvec, sparsevec, bit (pgvector)

fn('l2_distance', ['halfvec', 'halfvec'], 'float8', ([a, b]) => halfvecL2Distance(V(a!), V(b!)));
fn('inner_product', ['halfvec', 'halfvec'], 'float8', ([a, b]) => halfvecInnerProduct(V(a!), V(b!)));
fn('cosine_distance', ['halfvec', 'halfvec'], 'float8', ([a, b]) => halfvecCosineDistance(V(a!), V(b!)));
fn('l1_distance', ['halfvec', 'halfvec'], 'float8', ([a, b]) => halfvecL1Distance(V(a!), V(b!)));
fn('halfvec_l2_squared_distance', ['halfvec', 'halfvec'], 'float8', ([a, b]) => halfvecL2Squared(V(a!), V(b!)));
fn('halfvec_negative_inner_product', ['halfvec', 'halfvec'], 'float8', ([a, b]) => halfvecNegativeInnerProduct(V(a!), V(b!)));
fn('halfvec_cmp', ['halfvec', 'halfvec'], 'int4', ([a, b]) => compareVectors(V(a!), V(b!)));
fn('vector_dims', ['halfvec'], 'int4', ([a]) => V(a!).length);
fn('l2_norm', ['halfvec'], 'float8', ([a]) => halfvecNorm(V(a!)));
fn('l2_normalize', ['halfvec'], 'halfvec', ([a]) => halfvecL2Normalize(V(a!)));
fn('subvector', ['halfvec', 'int4', 'int4'], 'halfvec', ([a, s, c]) => halfvecSubvector(V(a!), N(s!), N(c!)));
fn('binary_quantize', ['vector'], 'bit', ([a]) => binaryQuantize(V(a!)));
fn('binary_quantize', ['halfvec'], 'bit', ([a]) => binaryQuantize(V(a!)));
const SV = (v: Value): SparseVector => v as SparseVector;
fn('l2_distance', ['sparsevec', 'sparsevec'], 'float8', ([a, b]) => sparsevecL2Distance(SV(a!), SV(b!)));
fn('inner_product', ['sparsevec', 'sparsevec'], 'float8', ([a, b]) => sparsevecInnerProduct(SV(a!), SV(b!)));
fn('cosine_distance', ['sparsevec', 'sparsevec'], 'float8', ([a, b]) => sparsevecCosineDistance(SV(a!), SV(b!)));
fn('l1_distance', ['sparsevec', 'sparsevec'], 'float8', ([a, b]) => sparsevecL1Distance(SV(a!), SV(b!)));
fn('sparsevec_l2_squared_distance', ['sparsevec', 'sparsevec'], 'float8', ([a, b]) => sparsevecL2Squared(SV(a!), SV(b!)));
fn('sparsevec_negative_inner_product', ['sparsevec', 'sparsevec'], 'float8', ([a, b]) => sparsevecNegativeInnerProduct(SV(a!), SV(b!)));
fn('sparsevec_cmp', ['sparsevec', 'sparsevec'], 'int4', ([a, b]) => compareSparsevecs(SV(a!), SV(b!)));
fn('l2_norm', ['sparsevec'], 'float8', ([a]) => sparsevecNorm(SV(a!)));
fn('l2_normalize', ['sparsevec'], 'sparsevec', ([a]) => sparsevecL2Normalize(SV(a!)));
const BS = (v: Value): string => v as string;
fn('hamming_distance', ['bit', 'bit'], 'float8', ([a, b]) => hammingDistance(BS(a!), BS(b!)));
fn('jaccard_distance', ['bit', 'bit'], 'float8', ([a, b]) => jaccardDistance(BS(a!), BS(b!)));
fn('length', ['bit'], 'int4', ([a]) => BS(a!).length);
fn('bit_length', ['bit'], 'int4', ([a]) => BS(a!).length);
fn('octet_length', ['bit'], 'int4', ([a]) => Math.ceil(BS(a!).length / 8));
fn('bit_count', ['bit'], 'int8', ([a]) => bitCount(BS(a!)));
fn('get_bit', ['bit', 'int4'], 'int4', ([a, n]) => getBit(BS(a!), N(n!)));
fn('set_bit', ['bit', 'int4', 'int4'], 'bit', ([a, n, v]) => setBit(BS(a!), N(n!), N(v!)));

/** PostgreSQL's encodings by number (pg_wchar.h's pg_enc) */
const ENCODINGS = ('SQL_ASCII EUC_JP EUC_CN EUC_KR EUC_TW EUC_JIS_2004 UTF8 MULE_INTERNAL LATIN1 LATIN2 LATIN3 LATIN4 LATIN5 LATIN6 LATIN7 ' +
  'LATIN8 LATIN9 LATIN10 WIN1256 WIN1258 WIN866 WIN874 KOI8R WIN1251 WIN1252 ISO_8859_5 ISO_8859_6 ISO_8859_7 ISO_8859_8 WIN1250 WIN1253 ' +
  'WIN1254 WIN1255 WIN1257 KOI8U SJIS BIG5 GBK UHC GB18030 JOHAB SHIFT_JIS_2004').split(' ');

/** pg_char_to_encoding: the name compared without case and punctuation, as PostgreSQL's clean_encoding_name does; -1 if unknown */
function encodingNumber(name: string): number {
  const clean = (n: string) => n.toLowerCase().replace(/[^a-z0-9]/g, '');
  const wanted = clean(name);
  if (wanted === 'unicode') return ENCODINGS.indexOf('UTF8');
  return ENCODINGS.findIndex((e) => clean(e) === wanted);
}
