/**
 * PostgreSQL text input/output functions for every built-in type (typinput / typoutput).
 * parseText() does not apply typmods (varchar(n), numeric(p,s), vector(n)) beyond what the
 * input function itself checks; casts apply them (src/functions/casts.ts).
 */
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, formatType, typeByName, type Interval, type MultirangeValue, type RangeValue, type SqlType, type Value } from './types.js';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from './float.js';
import { parseNumeric } from './numeric.js';
import { formatVector, parseVector } from './vector.js';
import { formatHalfvec, parseHalfvec } from './halfvec.js';
import { formatSparsevec, parseSparsevec } from './sparsevec.js';
import { parseBit } from './bitvec.js';
import type { SparseVector } from './types.js';
import { currentNow, dateOrderOf, formatDate, formatInterval, formatTime, formatTimestamp, formatTimestamptz, parseDate, parseInterval, parseTime, parseTimestamp, parseTimestamptz, type NowSource } from './datetime.js';
import { parseJson, parseJsonb } from './json.js';
import { jsonPathIn } from './jsonpath.js';
import { tsvectorIn } from './tsvector.js';
import { tsqueryIn } from './tsquery.js';
import { enumLabel, findDomain, findUserType, isEnumType, parseEnum } from './user-types.js';
import { formatRange, parseRange } from './range.js';
import { multirangeOps, rangeOps } from './compare.js';
import { formatMultirange, multirangeRangeType, parseMultirange } from './multirange.js';
import { formatRecordWith, isRowType, parseRecordWith } from './records.js';
import { cidrIn, cidrOut, inetIn, inetOut } from './network.js';
import { macaddr8In, macaddrIn } from './macaddr.js';
import { lsnIn, lsnOut } from './pg-lsn.js';
import { formatRegconfig, formatRegdictionary, parseRegconfig, parseRegdictionary } from './regconfig.js';

export interface FormatSettings {
  /** session TimeZone (default 'UTC') */
  timezone?: string;
  /** extra_float_digits (default 1) */
  extraFloatDigits?: number;
  /** DateStyle (default 'ISO, MDY'): ISO, SQL, Postgres or German output, DMY/MDY order */
  dateStyle?: string;
  /** IntervalStyle (default 'postgres'): postgres, postgres_verbose, sql_standard, iso_8601 */
  intervalStyle?: string;
  /** regclass output: oid → relation name (numbers are printed when absent or unknown) */
  relationName?: (oid: number) => string | undefined;
  /**
   * regproc output: oid → function name, qualified when overloaded; with `signature`,
   * regprocedure's `name(argtypes)` (numbers when unknown)
   */
  procName?: (oid: number, signature?: boolean) => string | undefined;
  /** regnamespace / regrole output: oid → schema / role name (numbers when unknown) */
  namespaceName?: (oid: number) => string | undefined;
  roleName?: (oid: number) => string | undefined;
  /** regoper output: oid → operator name (qualified when overloaded); with `signature`, regoperator's `name(left,right)` */
  operatorName?: (oid: number, signature?: boolean) => string | undefined;
}

export interface ParseSettings {
  timezone?: string;
  /** DateStyle ('ISO, DMY' reads 05/06/2024 as 5 June); default 'ISO, MDY' */
  dateStyle?: string;
  /** 'now' for timestamp input, µs since the epoch (default: the wall clock) */
  nowMicros?: number;
  /** ::regclass input: relation name → oid */
  relationOid?: (name: string) => number | undefined;
  /** regproc / regprocedure input of a name (not a number): its oid, or an error when there is no such function */
  procOid?: (name: string) => number;
  /** regnamespace / regrole input of a name: its oid, or an error when there is none */
  namespaceOid?: (name: string) => number;
  roleOid?: (name: string) => number;
}

/** Name lookups of the reg* types' input and output, which need the catalog (the session supplies them). */
export type RegNameLookups = Pick<ParseSettings, 'relationOid' | 'procOid' | 'namespaceOid' | 'roleOid'> & Pick<FormatSettings, 'namespaceName' | 'roleName' | 'operatorName'>;

// ---------------------------------------------------------------- scalars

function invalid(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
}

const BOOL_TRUE = ['true', 'yes', 'on', '1'];
const BOOL_FALSE = ['false', 'no', 'off', '0'];

export function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (s.length > 0) {
    if (s === 't' || s === 'y') return true;
    if (s === 'f' || s === 'n') return false;
    // unique prefixes, as boolin accepts ('tr', 'ye', 'of' needs 2 letters, 'o' alone is ambiguous)
    if (BOOL_TRUE.some((w) => w.startsWith(s) && (s.length >= 2 || w === '1'))) return true;
    if (BOOL_FALSE.some((w) => w.startsWith(s) && (s.length >= 2 || w === '0'))) return false;
  }
  throw invalid('boolean', text);
}

const INT_RE = /^\s*[+-]?\d+\s*$/;

export function parseInteger(text: string, bits: 16 | 32 | 64): number | bigint {
  const name = bits === 16 ? 'smallint' : bits === 32 ? 'integer' : 'bigint';
  if (!INT_RE.test(text)) throw invalid(name, text);
  const v = BigInt(text.trim());
  const lim = bits === 16 ? 32767n : bits === 32 ? 2147483647n : 9223372036854775807n;
  if (v > lim || v < -lim - 1n) throw new SqlError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${name}`);
  return bits === 64 ? v : Number(v);
}

export function parseOid(text: string): number {
  if (!INT_RE.test(text)) throw invalid('oid', text);
  const v = BigInt(text.trim());
  if (v > 4294967295n || v < -2147483648n) throw new SqlError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type oid`);
  return Number(BigInt.asUintN(32, v));
}

export function parseBytea(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2).replace(/\s+/g, '');
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) {
      const bad = /[^0-9a-fA-F]/.exec(hex);
      if (bad) throw new SqlError(SqlState.invalidParameterValue, `invalid hexadecimal digit: "${bad[0]}"`);
      throw new SqlError(SqlState.invalidParameterValue, "invalid hexadecimal data: odd number of digits");
    }
    return Buffer.from(hex, 'hex');
  }
  const out: number[] = [];
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x5c) { out.push(c); continue; }
    if (bytes[i + 1] === 0x5c) { out.push(0x5c); i++; continue; }
    const oct = bytes.subarray(i + 1, i + 4).toString('latin1');
    if (/^[0-3][0-7][0-7]$/.test(oct)) { out.push(parseInt(oct, 8)); i += 3; continue; }
    throw invalid('bytea', text);
  }
  return Uint8Array.from(out);
}

export function formatBytea(b: Uint8Array): string {
  return '\\x' + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function parseUuid(text: string): string {
  let s = text.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const hex = s.replace(/-/g, '');
  // hyphens only after groups of 4 hex digits, as uuid_in allows
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || !/^([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}$/.test(s) || s !== text.trim().replace(/^\{(.*)\}$/, '$1')) throw invalid('uuid', text);
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** SQL spellings accepted by ::regtype and in casts */
const TYPE_ALIASES: Record<string, string> = {
  integer: 'int4', int: 'int4', smallint: 'int2', bigint: 'int8', real: 'float4', 'double precision': 'float8',
  float: 'float8', boolean: 'bool', 'character varying': 'varchar', character: 'bpchar', char: 'bpchar',
  decimal: 'numeric', 'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time', 'time with time zone': 'timetz', '"char"': 'char',
};

export function parseRegtype(text: string): number {
  let s = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '-') return 0;
  s = s.replace(/^"?(pg_catalog|public)"?\./, '');
  if (/^"[^"]+"$/.test(s) && s !== '"char"') s = s.slice(1, -1); // "int4" (quoted identifiers, as TypeORM sends them)
  let arr = false;
  if (s.endsWith('[]')) { arr = true; s = s.slice(0, -2).trim(); }
  s = s.replace(/\(.*\)/, '').trim();
  const info = typeByName(TYPE_ALIASES[s] ?? s) ?? userTypeNamed(s);
  if (!info) throw new SqlError(SqlState.undefinedObject, `type "${text.trim()}" does not exist`);
  if (arr) {
    if (info.array === undefined) throw new SqlError(SqlState.undefinedObject, `type "${text.trim()}" does not exist`);
    return info.array;
  }
  return info.oid;
}

/** a user type by its (possibly schema-qualified) name, as ::regtype reads it */
function userTypeNamed(s: string): { oid: number; array?: number } | undefined {
  const m = /^(?:"?([^".]+)"?\.)?"?([^"]+)"?$/.exec(s);
  const e = m ? findUserType(m[1], m[2]!) ?? findDomain(m[1], m[2]!) : undefined;
  return e && { oid: e.oid, array: e.arrayOid };
}

/** reg* input: a number is the OID itself ('-' is 0), anything else a name the lookup resolves (or rejects) */
function parseByName(text: string, lookup: ((name: string) => number) | undefined): number {
  const s = text.trim();
  if (s === '-') return 0;
  return /^\d+$/.test(s) || !lookup ? parseOid(text) : lookup(s);
}

function parseRegclass(text: string, settings: ParseSettings): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  if (s === '-') return 0;
  // the session parses the identifier list ("public"."Items", case folding) itself
  const oid = settings.relationOid?.(s);
  if (oid === undefined) throw new SqlError(SqlState.undefinedTable, `relation "${s}" does not exist`);
  return oid;
}

/** name: truncated to NAMEDATALEN-1 = 63 bytes */
function truncateName(s: string): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= 63) return s;
  let n = 63;
  while (n > 0 && (b[n]! & 0xc0) === 0x80) n--;
  return b.subarray(0, n).toString('utf8');
}

// ---------------------------------------------------------------- arrays

function needsQuote(s: string): boolean {
  return s === '' || /[{}",\\\s]/.test(s) || s.toLowerCase() === 'null';
}

export function formatArray(elemType: SqlType, arr: readonly Value[], settings?: FormatSettings): string {
  const delim = TYPES.get(elemType.oid)?.delim ?? ',';
  const parts = arr.map((e) => {
    if (e === null) return 'NULL';
    if (Array.isArray(e) && !isRowType(elemType.oid)) return formatArray(elemType, e, settings);
    const s = formatText(elemType, e, settings);
    return needsQuote(s) ? '"' + s.replace(/[\\"]/g, '\\$&') + '"' : s;
  });
  return '{' + parts.join(delim) + '}';
}


export function parseArray(elemType: SqlType, text: string, settings: ParseSettings = {}): Value[] {
  const typeName = formatType({ oid: TYPES.get(elemType.oid)?.array ?? elemType.oid, typmod: -1 });
  const bad = (detail: string): SqlError => new SqlError(SqlState.invalidTextRepresentation, `malformed array literal: "${text}"`, { detail });
  let s = text.trim();
  // optional dimension decoration: [1:3]={...}
  const dec = /^(\[\s*-?\d+\s*(?::\s*-?\d+\s*)?\])+\s*=\s*/.exec(s);
  if (dec) {
    // arrays are kept with lower bound 1: another one is refused rather than silently moved to 1
    for (const m of dec[0].matchAll(/\[\s*(-?\d+)\s*:/g)) {
      if (Number(m[1]) !== 1) throw new SqlError(SqlState.featureNotSupported, `array lower bound ${m[1]} is not supported (arrays are kept with lower bound 1): "${text}"`);
    }
    s = s.slice(dec[0].length);
  }
  if (!s.startsWith('{')) throw bad('Array value must start with "{" or dimension information.');
  let pos = 0;
  const parseLevel = (): Value[] => {
    pos++; // '{'
    const out: Value[] = [];
    const skipWs = (): void => { while (pos < s.length && /\s/.test(s[pos]!)) pos++; };
    skipWs();
    if (s[pos] === '}') { pos++; return out; }
    for (;;) {
      skipWs();
      if (s[pos] === '{') {
        // an array of rows is held one-dimensional (records.ts)
        if (isRowType(elemType.oid)) throw new SqlError(SqlState.featureNotSupported, 'multidimensional arrays of records are not supported');
        out.push(parseLevel());
      } else {
        let raw = '';
        let quoted = false;
        let sawAny = false;
        if (s[pos] === '"') {
          quoted = true;
          pos++;
          while (pos < s.length && s[pos] !== '"') {
            if (s[pos] === '\\') pos++;
            raw += s[pos] ?? '';
            pos++;
          }
          if (pos >= s.length) throw bad('Unexpected end of input.');
          pos++;
          sawAny = true;
        } else {
          let trailingWs = '';
          while (pos < s.length && s[pos] !== ',' && s[pos] !== '}') {
            const c = s[pos]!;
            if (c === '{' || c === '"') throw bad('Unexpected "' + c + '" character.');
            if (c === '\\') { pos++; raw += trailingWs + (s[pos] ?? ''); trailingWs = ''; pos++; sawAny = true; continue; }
            if (/\s/.test(c)) trailingWs += c; else { raw += trailingWs + c; trailingWs = ''; sawAny = true; }
            pos++;
          }
        }
        if (!sawAny && !quoted) throw bad('Unexpected "' + (s[pos] ?? '') + '" character.');
        out.push(!quoted && raw.toLowerCase() === 'null' ? null : parseText(elemType, raw, settings));
      }
      skipWs();
      if (s[pos] === ',') { pos++; continue; }
      if (s[pos] === '}') { pos++; return out; }
      throw bad(pos >= s.length ? 'Unexpected end of input.' : `Unexpected "${s[pos]}" character.`);
    }
  };
  const result = parseLevel();
  if (s.slice(pos).trim() !== '') throw bad('Junk after closing right brace.');
  void typeName;
  return result;
}

// ---------------------------------------------------------------- dispatch

function nowSource(settings: ParseSettings): NowSource {
  const now = settings.nowMicros !== undefined ? { nowMicros: settings.nowMicros, timezone: settings.timezone ?? 'UTC' } : currentNow(settings.timezone ?? 'UTC');
  return settings.dateStyle ? { ...now, dateOrder: dateOrderOf(settings.dateStyle) } : now;
}

/** PostgreSQL input function of `type` (typmod checked only for vector, as vector_in does). */
export function parseText(type: SqlType, text: string, settings: ParseSettings = {}): Value {
  const info = TYPES.get(type.oid);
  if (info?.category === 'A' && info.elem !== undefined && type.oid !== OID.int2vector && type.oid !== OID.oidvector) {
    return parseArray({ oid: info.elem, typmod: type.typmod }, text, settings);
  }
  switch (type.oid) {
    case OID.bool: return parseBool(text);
    case OID.int2: return parseInteger(text, 16);
    case OID.int4: return parseInteger(text, 32);
    case OID.int8: return parseInteger(text, 64);
    case OID.float4: return parseFloat4(text);
    case OID.float8: return parseFloat8(text);
    case OID.numeric: return parseNumeric(text);
    case OID.text: case OID.varchar: case OID.bpchar: case OID.unknown: case OID.cstring:
    case OID.pg_node_tree: case OID.xml: return text;
    case OID.inet: return inetIn(text);
    case OID.cidr: return cidrIn(text);
    case OID.macaddr: return macaddrIn(text);
    case OID.macaddr8: return macaddr8In(text);
    case OID.pg_lsn: return lsnIn(text);
    case OID.name: return truncateName(text);
    case OID.char: return Buffer.from(text, 'utf8').subarray(0, 1).toString('latin1');
    case OID.bytea: return parseBytea(text);
    case OID.uuid: return parseUuid(text);
    case OID.date: return parseDate(text, nowSource(settings));
    case OID.time: return parseTime(text, nowSource(settings));
    case OID.timestamp: return parseTimestamp(text, nowSource(settings));
    case OID.timestamptz: return parseTimestamptz(text, nowSource(settings));
    case OID.interval: return parseInterval(text);
    case OID.json: return parseJson(text);
    case OID.jsonb: return parseJsonb(text);
    case OID.jsonpath: return jsonPathIn(text);
    case OID.tsvector: return tsvectorIn(text);
    case OID.tsquery: return tsqueryIn(text);
    case OID.regconfig: return parseRegconfig(text);
    case OID.regdictionary: return parseRegdictionary(text);
    case OID.regproc: case OID.regprocedure: return parseByName(text, settings.procOid);
    case OID.oid: case OID.xid: case OID.cid: case OID.regoper:
    case OID.regoperator: return parseOid(text);
    case OID.regnamespace: return parseByName(text, settings.namespaceOid);
    case OID.regrole: return parseByName(text, settings.roleOid);
    case OID.regtype: return parseRegtype(text);
    case OID.regclass: return parseRegclass(text, settings);
    case OID.vector: return parseVector(text, type.typmod);
    case OID.halfvec: return parseHalfvec(text, type.typmod);
    case OID.sparsevec: return parseSparsevec(text, type.typmod);
    case OID.bit: case OID.varbit: return parseBit(text);
    case OID.int2vector: case OID.oidvector: {
      const parts = text.trim() === '' ? [] : text.trim().split(/\s+/);
      return parts.map((p) => (type.oid === OID.oidvector ? parseOid(p) : parseInteger(p, 16) as number));
    }
    case OID.void: return null;
    // no input for anonymous records (PostgreSQL has none for `record`)
    case OID.record: throw new SqlError(SqlState.featureNotSupported, 'input of anonymous composite types is not implemented');
  }
  if (isRowType(type.oid)) return parseRecordWith(type, text, (t, s) => parseText(t, s, settings));
  if (isEnumType(type.oid)) return parseEnum(type.oid, text);
  const ranges = rangeOps(type.oid);
  if (ranges) return parseRange(ranges, text, (b) => parseText({ oid: ranges.info.subtype, typmod: type.typmod }, b, settings));
  const multiranges = multirangeOps(type.oid);
  if (multiranges) {
    const range: SqlType = { oid: multiranges.ops.info.oid, typmod: type.typmod };
    return parseMultirange(multiranges, text, (r) => parseText(range, r, settings) as RangeValue);
  }
  return text;
}

/** PostgreSQL output function of `type` for a non-null value. */
/** Types whose formatText reads no setting (so a result of only these needs none looked up). */
const SETTINGS_FREE_OUTPUT: ReadonlySet<number> = new Set([
  OID.bool, OID.int2, OID.int4, OID.int8, OID.text, OID.varchar, OID.bpchar, OID.name, OID.numeric,
  OID.uuid, OID.oid, OID.vector, OID.halfvec, OID.sparsevec, OID.bytea, OID.time,
  OID.inet, OID.cidr, OID.macaddr, OID.macaddr8, OID.pg_lsn,
]);

/** Whether formatText of a value of this type reads no setting (DateStyle, TimeZone, extra_float_digits, the reg* lookups). */
export function textOutputIgnoresSettings(oid: number): boolean {
  return SETTINGS_FREE_OUTPUT.has(oid);
}

/**
 * Whether a string value of this type prints as something else: inet and cidr hold
 * network_show's `host/bits`, which inet_out / cidr_out abbreviate. Every other string value
 * is its own output text.
 */
export function stringValueIsNotItsText(oid: number): boolean {
  return oid === OID.inet || oid === OID.cidr;
}

export function formatText(type: SqlType, value: Value, settings: FormatSettings = {}): string {
  if (value === null) throw new Error('bug: formatText(null)');
  const info = TYPES.get(type.oid);
  if (info?.category === 'A' && info.elem !== undefined && Array.isArray(value)) {
    if (type.oid === OID.int2vector || type.oid === OID.oidvector) return value.map((v) => String(v)).join(' ');
    // an anonymous record's array type carries its fields' typmod (records.ts)
    return formatArray({ oid: info.elem, typmod: info.elem === OID.record ? type.typmod : -1 }, value, settings);
  }
  if (info?.category === 'E') return enumLabel(value as number);
  const multirangeRange = multirangeRangeType(type.oid);
  if (multirangeRange !== undefined) {
    const range: SqlType = { oid: multirangeRange, typmod: -1 };
    return formatMultirange(value as MultirangeValue, (r) => formatText(range, r, settings));
  }
  if (isRowType(type.oid) && Array.isArray(value)) return formatRecordWith(type, value, (t, v) => formatText(t, v, settings));
  if (info?.category === 'R') {
    const subtype: SqlType = { oid: rangeOps(type.oid)!.info.subtype, typmod: -1 };
    return formatRange(value as RangeValue, (b) => formatText(subtype, b, settings));
  }
  const efd = settings.extraFloatDigits ?? 1;
  switch (type.oid) {
    case OID.bool: return value ? 't' : 'f';
    case OID.float4: return formatFloat4(value as number, efd);
    case OID.float8: return formatFloat8(value as number, efd);
    case OID.bytea: return formatBytea(value as Uint8Array);
    case OID.date: return formatDate(value as number, settings.dateStyle);
    case OID.time: return formatTime(value as number);
    case OID.timestamp: return formatTimestamp(value as number, settings.dateStyle);
    case OID.timestamptz: return formatTimestamptz(value as number, settings.timezone ?? 'UTC', settings.dateStyle);
    case OID.interval: return formatInterval(value as Interval, settings.intervalStyle);
    case OID.vector: return formatVector(value as Float32Array);
    case OID.halfvec: return formatHalfvec(value as Float32Array);
    case OID.sparsevec: return formatSparsevec(value as SparseVector);
    case OID.inet: return inetOut(value as string);
    case OID.cidr: return cidrOut(value as string);
    case OID.pg_lsn: return lsnOut(value as bigint);
    case OID.regtype: {
      const t = TYPES.get(value as number);
      return value === 0 ? '-' : t ? formatType({ oid: t.oid, typmod: -1 }) : String(value);
    }
    // PostgreSQL's reg*out print InvalidOid as '-' (regoper / regoperator excepted)
    case OID.regclass: return value === 0 ? '-' : settings.relationName?.(value as number) ?? String(value);
    case OID.regproc: return value === 0 ? '-' : settings.procName?.(value as number) ?? String(value);
    case OID.regprocedure: return value === 0 ? '-' : settings.procName?.(value as number, true) ?? String(value);
    case OID.regnamespace: return value === 0 ? '-' : settings.namespaceName?.(value as number) ?? String(value);
    case OID.regrole: return value === 0 ? '-' : settings.roleName?.(value as number) ?? String(value);
    // regoperout / regoperatorout print InvalidOid as 0
    case OID.regoper: return settings.operatorName?.(value as number) ?? String(value);
    case OID.regoperator: return settings.operatorName?.(value as number, true) ?? String(value);
    case OID.regconfig: return value === 0 ? '-' : formatRegconfig(value as number);
    case OID.regdictionary: return value === 0 ? '-' : formatRegdictionary(value as number);
  }
  if (value instanceof Uint8Array) return formatBytea(value);
  if (value instanceof Float32Array) return formatVector(value);
  return String(value);
}
