/**
 * Casts, following pg_cast (captured from PostgreSQL 15 + pgvector 0.8): which conversions
 * exist and in which context (i = implicit, a = assignment, e = explicit), plus the I/O
 * conversions every type has (to string types in assignment context, from string types in
 * explicit context) and the length coercions that apply a typmod (varchar(n), char(n),
 * numeric(p,s), vector(n), timestamp(p)).
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, formatType, type Interval, type RangeValue, type SqlType, type Value } from '../types/types.js';
import { isEmptyRange } from '../types/range.js';
import { rangeMultirangeType } from '../types/multirange.js';
import { formatText, parseText, type FormatSettings, type ParseSettings } from '../types/text-io.js';
import { parseFloat4, parseFloat8 } from '../types/float.js';
import { applyNumericTypmod, checkIntRange, floatToNumeric, numericToInt } from '../types/numeric.js';
import { applyVectorTypmod, arrayToVector } from '../types/vector.js';
import { applyHalfvecTypmod, arrayToHalfvec, vectorToHalfvec } from '../types/halfvec.js';
import { applySparsevecTypmod, arrayToSparsevec, denseToSparsevec, sparsevecToHalfvec, sparsevecToVector } from '../types/sparsevec.js';
import { applyBitTypmod, applyVarbitTypmod, bitToInt } from '../types/bitvec.js';
import { inetToCidr } from '../types/network.js';
import { macaddr8ToMacaddr, macaddrToMacaddr8 } from '../types/macaddr.js';
import type { SparseVector } from '../types/types.js';
import { USECS_PER_DAY, localToUtc, utcToLocal } from '../types/datetime.js';
import { isJsonNumber, parseJsonTree, parseJsonb, jsonbTypeof } from '../types/json.js';
import type { CastContext, CastFunction, EvalContext } from './api.js';

type Ctx = 'i' | 'a' | 'e';
type Conv = (v: Value, ctx: EvalContext) => Value;

/** pg_cast rows among Quiver's types: "source target context" */
const PG_CAST = `_float4 vector a;_float8 vector a;_int4 vector a;_numeric vector a;bool bpchar a;bool int4 e;bool text a;bool varchar a;bpchar bpchar i;bpchar char a;bpchar name i;bpchar text i;bpchar varchar i;char bpchar a;char int4 e;char text i;char varchar a;date timestamp i;date timestamptz i;float4 float8 i;float4 int2 a;float4 int4 a;float4 int8 a;float4 numeric a;float8 float4 a;float8 int2 a;float8 int4 a;float8 int8 a;float8 numeric a;int2 float4 i;int2 float8 i;int2 int4 i;int2 int8 i;int2 numeric i;int2 oid i;int2 regclass i;int2 regnamespace i;int2 regproc i;int2 regrole i;int2 regtype i;int4 bool e;int4 char e;int4 float4 i;int4 float8 i;int4 int2 a;int4 int8 i;int4 numeric i;int4 oid i;int4 regclass i;int4 regnamespace i;int4 regproc i;int4 regrole i;int4 regtype i;int8 float4 i;int8 float8 i;int8 int2 a;int8 int4 a;int8 numeric i;int8 oid i;int8 regclass i;int8 regnamespace i;int8 regproc i;int8 regrole i;int8 regtype i;interval interval i;interval time a;json jsonb a;jsonb bool e;jsonb float4 e;jsonb float8 e;jsonb int2 e;jsonb int4 e;jsonb int8 e;jsonb json a;jsonb numeric e;name bpchar a;name text i;name varchar a;numeric float4 i;numeric float8 i;numeric int2 a;numeric int4 a;numeric int8 a;numeric numeric i;oid int4 a;oid int8 a;oid regclass i;oid regnamespace i;oid regproc i;oid regrole i;oid regtype i;regclass int4 a;regclass int8 a;regclass oid i;regnamespace int4 a;regnamespace int8 a;regnamespace oid i;regproc int4 a;regproc int8 a;regproc oid i;regrole int4 a;regrole int8 a;regrole oid i;regtype int4 a;regtype int8 a;regtype oid i;text bpchar i;text char a;text name i;text regclass i;text varchar i;time interval i;time time i;timestamp date a;timestamp time a;timestamp timestamp i;timestamp timestamptz i;timestamptz date a;timestamptz time a;timestamptz timestamp a;timestamptz timestamptz i;varchar bpchar i;varchar char a;varchar name i;varchar regclass i;varchar text i;varchar varchar i;vector _float4 i;vector vector i;halfvec halfvec i;halfvec vector a;vector halfvec i;halfvec _float4 a;_int4 halfvec a;_float4 halfvec a;_float8 halfvec a;_numeric halfvec a;sparsevec sparsevec i;sparsevec vector a;vector sparsevec i;sparsevec halfvec a;halfvec sparsevec i;_int4 sparsevec a;_float4 sparsevec a;_float8 sparsevec a;_numeric sparsevec a;bit bit i;bit varbit i;varbit bit i;varbit varbit i;bit int4 e;bit int8 e;int4 bit e;int8 bit e;regconfig oid i;oid regconfig i;int2 regconfig i;int4 regconfig i;int8 regconfig i;regconfig int4 a;regconfig int8 a;regdictionary oid i;oid regdictionary i;int2 regdictionary i;int4 regdictionary i;int8 regdictionary i;regdictionary int4 a;regdictionary int8 a;regprocedure oid i;oid regprocedure i;int2 regprocedure i;int4 regprocedure i;int8 regprocedure i;regprocedure int4 a;regprocedure int8 a;regproc regprocedure i;regprocedure regproc i;regoper oid i;oid regoper i;int2 regoper i;int4 regoper i;int8 regoper i;regoper int4 a;regoper int8 a;regoperator oid i;oid regoperator i;int2 regoperator i;int4 regoperator i;int8 regoperator i;regoperator int4 a;regoperator int8 a;regoper regoperator i;regoperator regoper i;macaddr macaddr8 i;macaddr8 macaddr i;cidr inet i;inet cidr a;cidr text a;inet text a;cidr varchar a;inet varchar a;cidr bpchar a;inet bpchar a;int4range int4multirange e;int8range int8multirange e;numrange nummultirange e;daterange datemultirange e;tsrange tsmultirange e;tstzrange tstzmultirange e`;

const CAST_CONTEXT = new Map<string, Ctx>();
for (const row of PG_CAST.split(';')) {
  const [s, t, c] = row.split(' ');
  const so = TYPES_BY_NAME(s!), to = TYPES_BY_NAME(t!);
  CAST_CONTEXT.set(so + ':' + to, c as Ctx);
}

function TYPES_BY_NAME(name: string): number {
  for (const info of TYPES.values()) if (info.name === name) return info.oid;
  throw new Error(`bug: no type ${name}`);
}

const STRING_TYPES: ReadonlySet<number> = new Set([OID.text, OID.varchar, OID.bpchar, OID.name]);
export function isStringType(oid: number): boolean { return STRING_TYPES.has(oid); }

const rank: Record<Ctx, number> = { i: 0, a: 1, e: 2 };
const wanted: Record<CastContext, number> = { implicit: 0, assignment: 1, explicit: 2 };

/** pg_cast context of from → to (undefined: no cast); includes I/O and array casts */
export function castContextOf(from: number, to: number): Ctx | undefined {
  if (from === to) return 'i';
  const direct = CAST_CONTEXT.get(from + ':' + to);
  if (direct) return direct;
  const fi = TYPES.get(from), ti = TYPES.get(to);
  if (!fi || !ti) return undefined;
  if (from === OID.unknown) return 'i';
  if (fi.category === 'A' && ti.category === 'A' && fi.elem !== undefined && ti.elem !== undefined) {
    return castContextOf(fi.elem, ti.elem);
  }
  // automatic I/O conversion casts
  if (STRING_TYPES.has(to) && from !== OID.unknown) return 'a';
  if (STRING_TYPES.has(from)) return 'e';
  return undefined;
}

/** can a value of `from` be implicitly coerced to `to` (can_coerce_type for one argument) */
export function canCoerceImplicitly(from: number, to: number): boolean {
  return castContextOf(from, to) === 'i';
}

// ---------------------------------------------------------------- value conversions

export function formatSettingsOf(ctx: EvalContext): FormatSettings {
  const efd = ctx.setting('extra_float_digits');
  return {
    timezone: ctx.setting('timezone') ?? 'UTC',
    dateStyle: ctx.setting('datestyle'),
    intervalStyle: ctx.setting('intervalstyle'),
    extraFloatDigits: efd !== undefined ? Number(efd) : 1,
    relationName: (oid) => ctx.services.relationName(oid),
    procName: (oid, signature) => ctx.services.procName?.(oid, signature),
    namespaceName: (oid) => ctx.services.namespaceName?.(oid),
    operatorName: (oid, signature) => ctx.services.operatorName?.(oid, signature),
    roleName: (oid) => ctx.services.roleName?.(oid),
  };
}

export function parseSettingsOf(ctx: EvalContext): ParseSettings {
  return {
    timezone: ctx.setting('timezone') ?? 'UTC',
    dateStyle: ctx.setting('datestyle'),
    nowMicros: ctx.transactionTimestamp,
    relationOid: (name) => ctx.services.relationOid(name),
    ...(ctx.services.procOid ? { procOid: (name: string) => ctx.services.procOid!(name) } : {}),
    ...(ctx.services.namespaceOid ? { namespaceOid: (name: string) => ctx.services.namespaceOid!(name) } : {}),
    ...(ctx.services.roleOid ? { roleOid: (name: string) => ctx.services.roleOid!(name) } : {}),
  };
}

export function sessionZone(ctx: EvalContext): string {
  return ctx.setting('timezone') ?? 'UTC';
}

function toBig(v: Value): bigint { return typeof v === 'bigint' ? v : BigInt(v as number); }
const intBits = (oid: number): 16 | 32 | 64 => (oid === OID.int2 ? 16 : oid === OID.int4 ? 32 : 64);
const isInt = (oid: number): boolean => oid === OID.int2 || oid === OID.int4 || oid === OID.int8;
const isFloat = (oid: number): boolean => oid === OID.float4 || oid === OID.float8;
const OIDLIKE: ReadonlySet<number> = new Set([OID.oid, OID.regclass, OID.regtype, OID.regproc, OID.regnamespace, OID.regrole, OID.regprocedure, OID.regconfig, OID.regdictionary, OID.regoper, OID.regoperator]);

/** rint() then range check, as float8 → int casts do */
function floatToInt(x: number, bits: 16 | 32 | 64): number | bigint {
  const name = bits === 16 ? 'smallint' : bits === 32 ? 'integer' : 'bigint';
  if (!Number.isFinite(x)) throw new SqlError(SqlState.numericValueOutOfRange, `${name} out of range`);
  let r = Math.round(x);
  if (Math.abs(x % 1) === 0.5) r = 2 * Math.round(x / 2); // round half to even
  if (bits === 64) {
    if (r < -9223372036854775808 || r >= 9223372036854775808) throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
    return BigInt(r);
  }
  return checkIntRange(BigInt(r), bits);
}

function jsonbScalarCast(target: string, check: (t: string) => boolean): Conv {
  return (v) => {
    const tree = parseJsonTree(v as string);
    const t = jsonbTypeof(tree);
    if (!check(t)) throw new SqlError(SqlState.invalidParameterValue, `cannot cast jsonb ${t} to type ${target}`);
    return isJsonNumber(tree) ? tree.num : (tree as boolean);
  };
}

/** the conversion function for a direct (non-I/O) cast, ignoring typmods */
function directConversion(from: number, to: number): Conv | undefined {
  if (from === to) return (v) => v;
  // a range to its multirange (multirange_constructor1)
  if (rangeMultirangeType(from) === to) return (v) => (isEmptyRange(v as RangeValue) ? { ranges: [] } : { ranges: [v as RangeValue] });
  if (isInt(from) && isInt(to)) return (v) => checkIntRange(toBig(v), intBits(to));
  if (isInt(from) && isFloat(to)) return to === OID.float4 ? (v) => Math.fround(Number(v)) : (v) => Number(v);
  if (isInt(from) && to === OID.numeric) return (v) => String(v);
  if (from === OID.float4 && to === OID.float8) return (v) => v;
  if (from === OID.float8 && to === OID.float4) return (v) => {
    const f = Math.fround(v as number);
    if (!Number.isFinite(f) && Number.isFinite(v as number)) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
    if (f === 0 && (v as number) !== 0) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
    return f;
  };
  if (isFloat(from) && isInt(to)) return (v) => floatToInt(v as number, intBits(to));
  if (isFloat(from) && to === OID.numeric) return (v) => floatToNumeric(v as number, from === OID.float4);
  // numeric_float4/8 go through the float input function, whose range errors quote the text
  if (from === OID.numeric && isFloat(to)) return to === OID.float4 ? (v) => parseFloat4(v as string) : (v) => parseFloat8(v as string);
  if (from === OID.numeric && isInt(to)) return (v) => numericToInt(v as string, intBits(to));
  if (from === OID.bool && to === OID.int4) return (v) => (v ? 1 : 0);
  if (from === OID.int4 && to === OID.bool) return (v) => v !== 0;
  if ((isInt(from) || OIDLIKE.has(from)) && OIDLIKE.has(to)) return (v) => {
    const b = toBig(v);
    if (from === OID.int8 && (b < 0n || b > 4294967295n)) throw new SqlError(SqlState.numericValueOutOfRange, 'OID out of range');
    return Number(BigInt.asUintN(32, b));
  };
  if (OIDLIKE.has(from) && to === OID.int4) return (v) => Number(BigInt.asIntN(32, BigInt(v as number)));
  if (OIDLIKE.has(from) && to === OID.int8) return (v) => BigInt(v as number);
  if (from === OID.bpchar && (to === OID.text || to === OID.varchar || to === OID.name)) return (v) => (v as string).replace(/ +$/, '');
  if (STRING_TYPES.has(from) && STRING_TYPES.has(to)) return (v) => v;
  if (from === OID.char && STRING_TYPES.has(to)) return (v) => v;
  if (STRING_TYPES.has(from) && to === OID.char) return (v) => Buffer.from(v as string, 'utf8').subarray(0, 1).toString('latin1');
  if (from === OID.char && to === OID.int4) return (v) => { const c = (v as string).charCodeAt(0) || 0; return c > 127 ? c - 256 : c; };
  if (from === OID.int4 && to === OID.char) return (v) => {
    const n = v as number;
    if (n < -128 || n > 127) throw new SqlError(SqlState.numericValueOutOfRange, '"char" out of range');
    return n === 0 ? '' : String.fromCharCode(n < 0 ? n + 256 : n);
  };
  if (from === OID.bool && STRING_TYPES.has(to)) return (v) => (v ? 'true' : 'false');
  if (from === OID.json && to === OID.jsonb) return (v) => parseJsonb(v as string);
  if (from === OID.jsonb && to === OID.json) return (v) => v;
  if (from === OID.jsonb && to === OID.bool) return jsonbScalarCast('boolean', (t) => t === 'boolean');
  if (from === OID.jsonb && (to === OID.numeric || isInt(to) || isFloat(to))) {
    const name = formatType({ oid: to, typmod: -1 });
    const toNum = jsonbScalarCast(name, (t) => t === 'number');
    const then = to === OID.numeric ? undefined : directConversion(OID.numeric, to)!;
    return (v, ctx) => { const n = toNum(v, ctx); return then ? then(n, ctx) : n; };
  }
  if (from === OID.date && to === OID.timestamp) return (v) => (v as number) * USECS_PER_DAY;
  if (from === OID.date && to === OID.timestamptz) return (v, ctx) => localToUtc((v as number) * USECS_PER_DAY, sessionZone(ctx));
  if (from === OID.timestamp && to === OID.timestamptz) return (v, ctx) => localToUtc(v as number, sessionZone(ctx));
  if (from === OID.timestamptz && to === OID.timestamp) return (v, ctx) => utcToLocal(v as number, sessionZone(ctx));
  if (from === OID.timestamp && to === OID.date) return (v) => (Number.isFinite(v as number) ? Math.floor((v as number) / USECS_PER_DAY) : v);
  if (from === OID.timestamptz && to === OID.date) return (v, ctx) => { const l = utcToLocal(v as number, sessionZone(ctx)); return Number.isFinite(l) ? Math.floor(l / USECS_PER_DAY) : l; };
  if (from === OID.timestamp && to === OID.time) return (v) => (((v as number) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
  if (from === OID.timestamptz && to === OID.time) return (v, ctx) => ((utcToLocal(v as number, sessionZone(ctx)) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
  if (from === OID.time && to === OID.interval) return (v): Interval => ({ months: 0, days: 0, micros: v as number });
  if (from === OID.interval && to === OID.time) return (v) => ((((v as Interval).micros % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY);
  if ((from === OID._int4 || from === OID._float4 || from === OID._float8 || from === OID._numeric) && to === OID.vector) return (v) => arrayToVector(v as Value[]);
  if (from === OID.vector && to === OID._float4) return (v) => Array.from(v as Float32Array);
  const NUM_ARRAYS: readonly number[] = [OID._int4, OID._float4, OID._float8, OID._numeric];
  if (NUM_ARRAYS.includes(from) && to === OID.halfvec) return (v) => arrayToHalfvec(v as Value[]);
  if (NUM_ARRAYS.includes(from) && to === OID.sparsevec) return (v) => arrayToSparsevec(v as Value[]);
  if (from === OID.halfvec && to === OID._float4) return (v) => Array.from(v as Float32Array);
  if (from === OID.halfvec && to === OID.vector) return (v) => Float32Array.from(v as Float32Array);
  if (from === OID.vector && to === OID.halfvec) return (v) => vectorToHalfvec(v as Float32Array);
  if ((from === OID.vector || from === OID.halfvec) && to === OID.sparsevec) return (v) => denseToSparsevec(v as Float32Array);
  if (from === OID.sparsevec && to === OID.vector) return (v) => sparsevecToVector(v as SparseVector);
  if (from === OID.sparsevec && to === OID.halfvec) return (v) => sparsevecToHalfvec(v as SparseVector);
  if ((from === OID.bit || from === OID.varbit) && (to === OID.bit || to === OID.varbit)) return (v) => v;
  if (from === OID.bit && to === OID.int4) return (v) => bitToInt(v as string, 32);
  if (from === OID.bit && to === OID.int8) return (v) => bitToInt(v as string, 64);
  // cidr → inet is binary-coercible (one runtime value); inet → cidr zeroes the host bits; to text it is network_show, the value itself
  if (from === OID.cidr && to === OID.inet) return (v) => v;
  if (from === OID.inet && to === OID.cidr) return (v) => inetToCidr(v as string);
  if ((from === OID.inet || from === OID.cidr) && STRING_TYPES.has(to)) return (v) => v;
  if (from === OID.macaddr && to === OID.macaddr8) return (v) => macaddrToMacaddr8(v as string);
  if (from === OID.macaddr8 && to === OID.macaddr) return (v) => macaddr8ToMacaddr(v as string);
  if ((STRING_TYPES.has(from)) && to === OID.regclass) return (v, ctx) => parseText({ oid: OID.regclass, typmod: -1 }, v as string, parseSettingsOf(ctx));
  return undefined;
}

// ---------------------------------------------------------------- typmods

function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
function firstChars(s: string, n: number): string {
  return Array.from(s).slice(0, n).join('');
}

/** the length coercion of `type` (varchar(n), bpchar(n), numeric(p,s), vector(n), timestamp(p)) */
export function typmodCoercion(type: SqlType, explicit: boolean): Conv | undefined {
  const m = type.typmod;
  switch (type.oid) {
    case OID.varchar:
      if (m < 4) return undefined;
      return (v) => {
        const s = v as string, n = m - 4;
        if (charLength(s) <= n) return s;
        const cut = firstChars(s, n);
        if (!explicit && s.slice(cut.length).replace(/ +$/, '') !== '') throw new SqlError(SqlState.stringDataRightTruncation, `value too long for type character varying(${n})`);
        return cut;
      };
    case OID.bpchar:
      if (m < 4) return undefined;
      return (v) => {
        const s = v as string, n = m - 4;
        const len = charLength(s);
        if (len <= n) return s + ' '.repeat(n - len);
        const cut = firstChars(s, n);
        if (!explicit && s.slice(cut.length).replace(/ +$/, '') !== '') throw new SqlError(SqlState.stringDataRightTruncation, `value too long for type character(${n})`);
        return cut;
      };
    case OID.numeric:
      if (m < 4) return undefined;
      return (v) => applyNumericTypmod(v as string, m);
    case OID.vector:
      if (m < 1) return undefined;
      return (v) => applyVectorTypmod(v as Float32Array, m);
    case OID.halfvec:
      if (m < 1) return undefined;
      return (v) => applyHalfvecTypmod(v as Float32Array, m);
    case OID.sparsevec:
      if (m < 1) return undefined;
      return (v) => applySparsevecTypmod(v as SparseVector, m);
    case OID.bit:
      if (m < 1) return undefined;
      return (v) => applyBitTypmod(v as string, m, explicit);
    case OID.varbit:
      if (m < 1) return undefined;
      return (v) => applyVarbitTypmod(v as string, m, explicit);
    case OID.timestamp: case OID.timestamptz: case OID.time:
      if (m < 0 || m >= 6) return undefined;
      return (v) => {
        const x = v as number;
        if (!Number.isFinite(x)) return x;
        const unit = 10 ** (6 - m);
        return Math.sign(x) * Math.round(Math.abs(x) / unit) * unit;
      };
  }
  const info = TYPES.get(type.oid);
  if (info?.category === 'A' && info.elem !== undefined && m >= 0) {
    const el = typmodCoercion({ oid: info.elem, typmod: m }, explicit);
    if (!el) return undefined;
    const walk = (a: Value[], ctx: EvalContext): Value[] => a.map((e) => (e === null ? null : Array.isArray(e) ? walk(e, ctx) : el(e, ctx)));
    return (v, ctx) => walk(v as Value[], ctx);
  }
  return undefined;
}

function mapArray(conv: Conv): Conv {
  const walk = (a: Value[], ctx: EvalContext): Value[] => a.map((e) => (e === null ? null : Array.isArray(e) ? walk(e, ctx) : conv(e, ctx)));
  return (v, ctx) => walk(v as Value[], ctx);
}

function conversion(from: number, to: number, explicit: boolean): Conv | undefined {
  const direct = directConversion(from, to);
  if (direct) return direct;
  const fi = TYPES.get(from), ti = TYPES.get(to);
  if (from === OID.unknown || (STRING_TYPES.has(from) && to !== OID.unknown)) {
    return (v, ctx) => parseText({ oid: to, typmod: -1 }, v as string, parseSettingsOf(ctx));
  }
  if (fi?.category === 'A' && ti?.category === 'A' && fi.elem !== undefined && ti.elem !== undefined) {
    const el = conversion(fi.elem, ti.elem, explicit);
    return el ? mapArray(el) : undefined;
  }
  if (STRING_TYPES.has(to)) return (v, ctx) => formatText({ oid: from, typmod: -1 }, v, formatSettingsOf(ctx));
  return undefined;
}

/**
 * The cast from `from` to `to` allowed in `context`, applying `to.typmod`, or undefined when
 * PostgreSQL has no such cast in that context. The caller reports 42846
 * `cannot cast type X to Y` (explicit) or 42804 (assignment).
 */
export function resolveCast(from: SqlType, to: SqlType, context: CastContext): CastFunction | undefined {
  const c = castContextOf(from.oid, to.oid);
  if (c === undefined || rank[c] > wanted[context]) return undefined;
  // bitfromint4/bitfromint8 take the length: the integer's low n bits (bit without a length: 1)
  if ((from.oid === OID.int4 || from.oid === OID.int8) && to.oid === OID.bit) {
    const n = to.typmod > 0 ? to.typmod : 1;
    return (v) => intToBit(v as number | bigint, n, from.oid === OID.int8 ? 64 : 32);
  }
  const explicit = context === 'explicit';
  // record_out over the record's own fields (an anonymous record's are named by its typmod)
  if ((from.oid === OID.record || from.oid === OID._record) && from.typmod >= 0 && (to.oid === OID.text || (to.oid === OID.varchar && to.typmod < 0))) {
    return (v, ctx) => formatText(from, v, formatSettingsOf(ctx));
  }
  const conv = from.oid === to.oid ? undefined : conversion(from.oid, to.oid, explicit);
  if (from.oid !== to.oid && !conv) return undefined;
  // a vector cast from an array checks the target dimension itself (array_to_vector(arr, typmod))
  const needTypmod = to.typmod >= 0 && !(from.oid === to.oid && from.typmod === to.typmod);
  const tm = needTypmod ? typmodCoercion(to, explicit) : undefined;
  if (!conv && !tm) return (v) => v;
  if (!tm) return (v, ctx) => conv!(v, ctx);
  if (!conv) return (v, ctx) => tm(v, ctx);
  return (v, ctx) => tm(conv(v, ctx), ctx);
}

/** The low `n` bits of a two's-complement integer of `width` bits, most significant first; past the width, its sign. */
function intToBit(v: number | bigint, n: number, width: number): string {
  const x = BigInt.asUintN(width, BigInt(v));
  const negative = (x >> BigInt(width - 1)) === 1n;
  let out = '';
  for (let b = n - 1; b >= 0; b--) out += b >= width ? (negative ? '1' : '0') : ((x >> BigInt(b)) & 1n) === 1n ? '1' : '0';
  return out;
}

/** the 42846 error for a missing cast, worded like PostgreSQL */
export function cannotCast(from: SqlType, to: SqlType): SqlError {
  return new SqlError(SqlState.cannotCoerce, `cannot cast type ${formatType(from)} to ${formatType(to)}`);
}
