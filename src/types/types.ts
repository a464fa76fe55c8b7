/**
 * SQL types and their PostgreSQL OIDs. A SqlType is just (oid, typmod); everything else
 * about a type is looked up in TYPES by OID, so types travel cheaply through the binder,
 * planner, executor and wire layer, and the OIDs reported in RowDescription, pg_type and
 * ParameterDescription always agree.
 *
 * Runtime representation of values (the binder knows every expression's type, so values
 * carry no tags):
 *   NULL                       → null
 *   bool                       → boolean
 *   int2, int4, oid, reg*      → number
 *   int8                       → bigint
 *   float4, float8             → number
 *   numeric                    → string (canonical PostgreSQL text form, e.g. "12.50", "NaN")
 *   text, varchar, bpchar, name, char, json, jsonb (canonical text), uuid (lower case) → string
 *   bytea                      → Uint8Array (Buffer)
 *   date                       → number: days since 1970-01-01 (±Infinity for 'infinity')
 *   time                       → number: microseconds since midnight
 *   timestamp, timestamptz     → number: microseconds since 1970-01-01 00:00:00 UTC (±Infinity)
 *   interval                   → Interval
 *   vector                     → Float32Array
 *   halfvec                    → Float32Array holding values exactly representable in float16
 *   sparsevec                  → SparseVector (1-based ascending indices, no zero values)
 *   bit, varbit                → string of '0' and '1' characters
 *   inet, cidr                 → string: network_show's `host/bits` (types/network.ts)
 *   macaddr, macaddr8          → string: the output text (types/macaddr.ts)
 *   pg_lsn                     → bigint: the unsigned 64-bit position (types/pg-lsn.ts)
 *   tsvector, tsquery          → string (canonical PostgreSQL text form; types/tsvector.ts, types/tsquery.ts)
 *   regconfig, regdictionary   → number (OID)
 *   enums (CREATE TYPE … AS ENUM) → number: the label's pg_enum OID (types/user-types.ts)
 *   arrays (_xxx)              → Value[] (nested arrays for more dimensions)
 *   int4range … daterange      → RangeValue (PostgreSQL's flags byte and the bounds; types/range.ts)
 *   int4multirange … datemultirange → MultirangeValue (its canonical ranges; types/multirange.ts)
 */
// a runtime-only call (no cycle at module load): user types are named as their schema's visibility says
import { domainDisplayName, userTypeDisplayName } from './user-types.js';

export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Float32Array
  | Interval
  | SparseVector
  | RangeValue
  | MultirangeValue
  | Value[];

/**
 * A range as make_range leaves it: PostgreSQL's flags byte (RANGE_EMPTY 0x01, LB_INC 0x02,
 * UB_INC 0x04, LB_INF 0x08, UB_INF 0x10) and the bounds in the subtype's representation,
 * null where the flags say there is none (types/range.ts).
 */
export interface RangeValue {
  readonly flags: number;
  readonly lower: Value;
  readonly upper: Value;
}

/** A multirange as make_multirange leaves it: non-empty ranges, sorted, none touching the next. */
export interface MultirangeValue {
  readonly ranges: readonly RangeValue[];
}

/** pgvector's sparsevec: `dim` dimensions, the non-zero `values` at 1-based ascending `indices`. */
export interface SparseVector {
  readonly dim: number;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export type Row = Value[];

export interface SqlType {
  readonly oid: number;
  /** -1 when absent; varchar(n)/bpchar(n): n + 4; numeric(p,s): ((p << 16) | s) + 4; vector(n): n; timestamp(p): p */
  readonly typmod: number;
  /**
   * A value of a domain (CREATE DOMAIN) is a value of its base type: `oid` and `typmod` are
   * the base type's, and this is the domain's OID (or its array type's, for d[]), kept where
   * PostgreSQL shows the domain (column types, pg_typeof, format_type) and where its
   * constraints are enforced (coercion to it). Absent: not a domain.
   */
  readonly domain?: number;
}

/** PostgreSQL type categories (pg_type.typcategory), used by overload resolution. */
export type TypeCategory = 'A' | 'B' | 'C' | 'D' | 'E' | 'G' | 'I' | 'N' | 'P' | 'R' | 'S' | 'T' | 'U' | 'V' | 'X' | 'Z';

export interface TypeInfo {
  readonly oid: number;
  readonly name: string;
  /** pg_type.typlen: fixed byte length, -1 varlena, -2 cstring */
  readonly len: number;
  readonly category: TypeCategory;
  /** preferred type of its category (pg_type.typispreferred) */
  readonly preferred?: boolean;
  /** for array types: the element type's OID */
  readonly elem?: number;
  /** the array type of this type */
  readonly array?: number;
  readonly byval?: boolean;
  readonly align?: 'c' | 's' | 'i' | 'd';
  /** array element delimiter */
  readonly delim?: string;
}

export const OID = {
  bool: 16, bytea: 17, char: 18, name: 19, int8: 20, int2: 21, int2vector: 22, int4: 23,
  regproc: 24, text: 25, oid: 26, tid: 27, xid: 28, cid: 29, oidvector: 30,
  json: 114, xml: 142, pg_node_tree: 194, float4: 700, float8: 701, unknown: 705,
  inet: 869, bpchar: 1042, varchar: 1043, date: 1082, time: 1083, timestamp: 1114,
  timestamptz: 1184, interval: 1186, timetz: 1266, bit: 1560, varbit: 1562, numeric: 1700,
  regprocedure: 2202, regoper: 2203, regoperator: 2204, regclass: 2205, regtype: 2206,
  record: 2249, cstring: 2275, internal: 2281, any: 2276, anyarray: 2277, void: 2278, trigger: 2279,
  anyelement: 2283, anyenum: 3500, index_am_handler: 325, anynonarray: 2776, anycompatible: 5077, anycompatiblearray: 5078, anycompatiblenonarray: 5079, uuid: 2950, jsonb: 3802, regnamespace: 4089,
  regrole: 4096, aclitem: 1033,
  _bool: 1000, _bytea: 1001, _char: 1002, _name: 1003, _int2: 1005, _int2vector: 1006,
  _int4: 1007, _regproc: 1008, _text: 1009, _oid: 1028, _bpchar: 1014, _varchar: 1015,
  _int8: 1016, _float4: 1021, _float8: 1022, _aclitem: 1034, _oidvector: 1013,
  _date: 1182, _time: 1183, _timestamp: 1115, _timestamptz: 1185, _interval: 1187,
  _numeric: 1231, _cstring: 1263, _regclass: 2210, _regtype: 2211, _record: 2287,
  _uuid: 2951, _json: 199, _jsonb: 3807, _regnamespace: 4090, _regrole: 4097,
  // pgvector's types are created by its extension in PostgreSQL, so their OIDs vary per
  // database there; Quiver has them built in at fixed OIDs above FirstNormalObjectId.
  vector: 16385, _vector: 16386, halfvec: 16387, _halfvec: 16388, sparsevec: 16389, _sparsevec: 16399,
  _bit: 1561, _varbit: 1563,
  jsonpath: 4072, _jsonpath: 4073,
  int4range: 3904, _int4range: 3905, numrange: 3906, _numrange: 3907, tsrange: 3908, _tsrange: 3909,
  tstzrange: 3910, _tstzrange: 3911, daterange: 3912, _daterange: 3913, int8range: 3926, _int8range: 3927, anyrange: 3831,
  int4multirange: 4451, _int4multirange: 6150, nummultirange: 4532, _nummultirange: 6151, tsmultirange: 4533, _tsmultirange: 6152,
  tstzmultirange: 4534, _tstzmultirange: 6153, datemultirange: 4535, _datemultirange: 6155, int8multirange: 4536, _int8multirange: 6157,
  anymultirange: 4537,
  cidr: 650, _cidr: 651, _inet: 1041, macaddr: 829, _macaddr: 1040, macaddr8: 774, _macaddr8: 775,
  pg_lsn: 3220, _pg_lsn: 3221,
  tsvector: 3614, _tsvector: 3643, tsquery: 3615, _tsquery: 3645, regconfig: 3734, _regconfig: 3735, regdictionary: 3769, _regdictionary: 3770,
} as const;

function t(oid: number, name: string, len: number, category: TypeCategory, extra: Partial<TypeInfo> = {}): TypeInfo {
  return { oid, name, len, category, byval: len > 0 && len <= 8, align: len === 8 ? 'd' : len === 2 ? 's' : len === 1 ? 'c' : 'i', delim: ',', ...extra };
}

const BASE: TypeInfo[] = [
  t(OID.bool, 'bool', 1, 'B', { preferred: true, array: OID._bool }),
  t(OID.bytea, 'bytea', -1, 'U', { array: OID._bytea }),
  t(OID.char, 'char', 1, 'Z', { array: OID._char }),
  t(OID.name, 'name', 64, 'S', { array: OID._name, byval: false, align: 'c' }),
  t(OID.int8, 'int8', 8, 'N', { array: OID._int8 }),
  t(OID.int2, 'int2', 2, 'N', { array: OID._int2 }),
  t(OID.int2vector, 'int2vector', -1, 'A', { elem: OID.int2, array: OID._int2vector }),
  t(OID.int4, 'int4', 4, 'N', { array: OID._int4 }),
  t(OID.regproc, 'regproc', 4, 'N', { array: OID._regproc }),
  t(OID.text, 'text', -1, 'S', { preferred: true, array: OID._text }),
  t(OID.oid, 'oid', 4, 'N', { preferred: true, array: OID._oid }),
  t(OID.oidvector, 'oidvector', -1, 'A', { elem: OID.oid, array: OID._oidvector }),
  t(OID.json, 'json', -1, 'U', { array: OID._json }),
  t(OID.pg_node_tree, 'pg_node_tree', -1, 'Z'),
  t(OID.float4, 'float4', 4, 'N', { array: OID._float4 }),
  t(OID.float8, 'float8', 8, 'N', { preferred: true, array: OID._float8 }),
  t(OID.unknown, 'unknown', -2, 'X', { align: 'c' }),
  t(OID.bpchar, 'bpchar', -1, 'S', { array: OID._bpchar }),
  t(OID.varchar, 'varchar', -1, 'S', { array: OID._varchar }),
  t(OID.date, 'date', 4, 'D', { array: OID._date }),
  t(OID.time, 'time', 8, 'D', { array: OID._time }),
  t(OID.timestamp, 'timestamp', 8, 'D', { array: OID._timestamp }),
  t(OID.timestamptz, 'timestamptz', 8, 'D', { preferred: true, array: OID._timestamptz }),
  t(OID.interval, 'interval', 16, 'T', { preferred: true, array: OID._interval, byval: false, align: 'd' }),
  t(OID.numeric, 'numeric', -1, 'N', { array: OID._numeric }),
  t(OID.regprocedure, 'regprocedure', 4, 'N'),
  t(OID.regoper, 'regoper', 4, 'N'),
  t(OID.regoperator, 'regoperator', 4, 'N'),
  t(OID.regclass, 'regclass', 4, 'N', { array: OID._regclass }),
  t(OID.regtype, 'regtype', 4, 'N', { array: OID._regtype }),
  t(OID.regnamespace, 'regnamespace', 4, 'N', { array: OID._regnamespace }),
  t(OID.regrole, 'regrole', 4, 'N', { array: OID._regrole }),
  t(OID.record, 'record', -1, 'P', { array: OID._record, align: 'd' }),
  t(OID.cstring, 'cstring', -2, 'P', { array: OID._cstring, align: 'c' }),
  // pg_aggregate.aggtranstype of the aggregates that keep their state in C structures (avg(int8), sum(numeric))
  t(OID.internal, 'internal', 8, 'P'),
  t(OID.any, 'any', 4, 'P'),
  t(OID.anyarray, 'anyarray', -1, 'P', { align: 'd' }),
  t(OID.void, 'void', 4, 'P'),
  t(OID.trigger, 'trigger', 4, 'P'),
  // pgvector's hnswhandler and ivfflathandler return it (pg_proc.prorettype)
  t(OID.index_am_handler, 'index_am_handler', 4, 'P'),
  t(OID.anyelement, 'anyelement', 4, 'P'),
  t(OID.anynonarray, 'anynonarray', 4, 'P'),
  t(OID.anyenum, 'anyenum', 4, 'P'),
  // the polymorphic family PostgreSQL 13 added; pg_proc and pg_operator name them (the binder resolves them like anyelement)
  t(OID.anycompatible, 'anycompatible', 4, 'P'),
  t(OID.anycompatiblearray, 'anycompatiblearray', -1, 'P', { align: 'd' }),
  t(OID.anycompatiblenonarray, 'anycompatiblenonarray', 4, 'P'),
  t(OID.uuid, 'uuid', 16, 'U', { array: OID._uuid, byval: false, align: 'c' }),
  t(OID.jsonb, 'jsonb', -1, 'U', { array: OID._jsonb }),
  t(OID.jsonpath, 'jsonpath', -1, 'U', { array: OID._jsonpath }),
  t(OID.inet, 'inet', -1, 'I', { preferred: true, array: OID._inet }),
  t(OID.cidr, 'cidr', -1, 'I', { array: OID._cidr }),
  t(OID.macaddr, 'macaddr', 6, 'U', { array: OID._macaddr, byval: false }),
  t(OID.macaddr8, 'macaddr8', 8, 'U', { array: OID._macaddr8, byval: false, align: 'i' }),
  t(OID.pg_lsn, 'pg_lsn', 8, 'U', { array: OID._pg_lsn }),
  t(OID.tsvector, 'tsvector', -1, 'U', { array: OID._tsvector }),
  t(OID.tsquery, 'tsquery', -1, 'U', { array: OID._tsquery }),
  t(OID.regconfig, 'regconfig', 4, 'N', { array: OID._regconfig }),
  t(OID.regdictionary, 'regdictionary', 4, 'N', { array: OID._regdictionary }),
  t(OID.aclitem, 'aclitem', 12, 'U', { array: OID._aclitem, byval: false }),
  t(OID.tid, 'tid', 6, 'U', { byval: false, align: 's' }),
  t(OID.xid, 'xid', 4, 'U'),
  t(OID.cid, 'cid', 4, 'U'),
  t(OID.vector, 'vector', -1, 'U', { array: OID._vector }),
  t(OID.halfvec, 'halfvec', -1, 'U', { array: OID._halfvec }),
  t(OID.sparsevec, 'sparsevec', -1, 'U', { array: OID._sparsevec }),
  t(OID.bit, 'bit', -1, 'V', { array: OID._bit }),
  t(OID.int4range, 'int4range', -1, 'R', { array: OID._int4range, align: 'i' }),
  t(OID.numrange, 'numrange', -1, 'R', { array: OID._numrange, align: 'i' }),
  t(OID.tsrange, 'tsrange', -1, 'R', { array: OID._tsrange, align: 'd' }),
  t(OID.tstzrange, 'tstzrange', -1, 'R', { array: OID._tstzrange, align: 'd' }),
  t(OID.daterange, 'daterange', -1, 'R', { array: OID._daterange, align: 'i' }),
  t(OID.int8range, 'int8range', -1, 'R', { array: OID._int8range, align: 'd' }),
  t(OID.anyrange, 'anyrange', -1, 'P', { align: 'd' }),
  t(OID.int4multirange, 'int4multirange', -1, 'R', { array: OID._int4multirange, align: 'i' }),
  t(OID.nummultirange, 'nummultirange', -1, 'R', { array: OID._nummultirange, align: 'i' }),
  t(OID.tsmultirange, 'tsmultirange', -1, 'R', { array: OID._tsmultirange, align: 'd' }),
  t(OID.tstzmultirange, 'tstzmultirange', -1, 'R', { array: OID._tstzmultirange, align: 'd' }),
  t(OID.datemultirange, 'datemultirange', -1, 'R', { array: OID._datemultirange, align: 'i' }),
  t(OID.int8multirange, 'int8multirange', -1, 'R', { array: OID._int8multirange, align: 'd' }),
  t(OID.anymultirange, 'anymultirange', -1, 'P', { align: 'd' }),
  t(OID.varbit, 'varbit', -1, 'V', { preferred: true, array: OID._varbit }),
];

function arrayOf(elem: TypeInfo, oid: number): TypeInfo {
  return { oid, name: '_' + elem.name, len: -1, category: 'A', elem: elem.oid, byval: false, align: elem.align === 'd' ? 'd' : 'i', delim: ',' };
}

const ALL_TYPES = (() => {
  const m = new Map<number, TypeInfo>();
  for (const info of BASE) m.set(info.oid, info);
  for (const info of BASE) if (info.array !== undefined && !m.has(info.array)) m.set(info.array, arrayOf(info, info.array));
  return m;
})();

const BUILTIN_OIDS: ReadonlySet<number> = new Set(ALL_TYPES.keys());

/** Every type by OID: the built-in ones and the user-defined ones registered (user-types.ts). */
export const TYPES: ReadonlyMap<number, TypeInfo> = ALL_TYPES;

/** Only user-types.ts calls these: a user type's OID never collides with a built-in one. */
export function registerTypeInfo(info: TypeInfo): void {
  ALL_TYPES.set(info.oid, info);
}
export function unregisterTypeInfo(oid: number): void {
  if (!BUILTIN_OIDS.has(oid)) ALL_TYPES.delete(oid);
}

const BY_NAME: ReadonlyMap<string, TypeInfo> = new Map([...TYPES.values()].map((i) => [i.name, i]));

export function typeInfo(oid: number): TypeInfo {
  const info = TYPES.get(oid);
  if (!info) throw new Error(`bug: unknown type oid ${oid}`);
  return info;
}

export function typeByName(name: string): TypeInfo | undefined {
  return BY_NAME.get(name);
}

export function sqlType(oid: number, typmod = -1): SqlType {
  return { oid, typmod };
}

export const T = {
  bool: sqlType(OID.bool), int2: sqlType(OID.int2), int4: sqlType(OID.int4), int8: sqlType(OID.int8),
  float4: sqlType(OID.float4), float8: sqlType(OID.float8), numeric: sqlType(OID.numeric),
  text: sqlType(OID.text), varchar: sqlType(OID.varchar), bpchar: sqlType(OID.bpchar), name: sqlType(OID.name),
  bytea: sqlType(OID.bytea), uuid: sqlType(OID.uuid), date: sqlType(OID.date), time: sqlType(OID.time),
  timestamp: sqlType(OID.timestamp), timestamptz: sqlType(OID.timestamptz), interval: sqlType(OID.interval),
  json: sqlType(OID.json), jsonb: sqlType(OID.jsonb), vector: sqlType(OID.vector),
  inet: sqlType(OID.inet), pg_lsn: sqlType(OID.pg_lsn), halfvec: sqlType(OID.halfvec), sparsevec: sqlType(OID.sparsevec), bit: sqlType(OID.bit), varbit: sqlType(OID.varbit), unknown: sqlType(OID.unknown),
  oid: sqlType(OID.oid), regclass: sqlType(OID.regclass), regtype: sqlType(OID.regtype), char: sqlType(OID.char),
  void: sqlType(OID.void), record: sqlType(OID.record), _text: sqlType(OID._text), _float4: sqlType(OID._float4),
  _int4: sqlType(OID._int4), _int2: sqlType(OID._int2), _oid: sqlType(OID._oid), _name: sqlType(OID._name),
} as const;

export function isArrayType(oid: number): boolean {
  return TYPES.get(oid)?.category === 'A' && TYPES.get(oid)?.elem !== undefined;
}

export function arrayTypeOf(elemOid: number): number | undefined {
  return TYPES.get(elemOid)?.array;
}

export function elementTypeOf(arrayOid: number): number | undefined {
  return TYPES.get(arrayOid)?.elem;
}

/** PostgreSQL's SQL-standard spelling used by format_type() and error messages. */
/** format_type(oid, typmod) with a typmod given: bpchar without a length stays 'bpchar' */
export function formatTypeWithTypmod(type: SqlType): string {
  if (type.oid === OID.bpchar && type.typmod < 4) return 'bpchar';
  if (type.oid === arrayTypeOf(OID.bpchar) && type.typmod < 4) return 'bpchar[]';
  return formatType(type);
}

export function formatType(type: SqlType): string {
  if (type.domain !== undefined) return domainDisplayName(type.domain) ?? '???';
  const info = TYPES.get(type.oid);
  if (!info) return '???';
  const m = type.typmod;
  switch (info.name) {
    case 'bool': return 'boolean';
    case 'int2': return 'smallint';
    case 'int4': return 'integer';
    case 'int8': return 'bigint';
    case 'float4': return 'real';
    case 'float8': return 'double precision';
    case 'varchar': return m >= 4 ? `character varying(${m - 4})` : 'character varying';
    // format_type_be: plain bpchar reads 'character' (format_type(oid, -1) says 'bpchar', see formatTypeWithTypmod)
    case 'bpchar': return m >= 4 ? `character(${m - 4})` : 'character';
    case 'numeric': return m >= 4 ? (((m - 4) & 0xffff) === 0 ? `numeric(${(m - 4) >> 16},0)` : `numeric(${(m - 4) >> 16},${(m - 4) & 0xffff})`) : 'numeric';
    case 'timestamp': return m >= 0 ? `timestamp(${m}) without time zone` : 'timestamp without time zone';
    case 'timestamptz': return m >= 0 ? `timestamp(${m}) with time zone` : 'timestamp with time zone';
    case 'time': return m >= 0 ? `time(${m}) without time zone` : 'time without time zone';
    case 'vector': return m > 0 ? `vector(${m})` : 'vector';
    case 'halfvec': return m > 0 ? `halfvec(${m})` : 'halfvec';
    case 'sparsevec': return m > 0 ? `sparsevec(${m})` : 'sparsevec';
    case 'bit': return m >= 0 ? `bit(${m})` : 'bit';
    case 'varbit': return m >= 0 ? `bit varying(${m})` : 'bit varying';
    case 'char': return '"char"';
  }
  if (info.category === 'A' && info.elem !== undefined) return formatType({ oid: info.elem, typmod: m }) + '[]';
  if (info.category === 'E' || info.category === 'C') return userTypeDisplayName(info.oid) ?? info.name;
  return domainDisplayName(info.oid) ?? info.name;
}
