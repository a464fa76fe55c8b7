/**
 * Ordering and hashing of non-null values, per type, as PostgreSQL's default btree and hash
 * operator classes define them:
 *  - floats: NaN sorts above every other value and equals itself; -0 = 0;
 *  - numeric: by value ('1.0' = '1.00'), NaN above everything;
 *  - text, varchar, name: by Unicode code point, i.e. the "C" collation (Quiver has no other
 *    collation); bpchar ignores trailing spaces;
 *  - interval: months count as 30 days, days as 24 hours;
 *  - arrays: element by element (NULL above any value), then by length;
 *  - vector, halfvec: pgvector's order (element-wise, then dimension count);
 *  - sparsevec: the order of the equivalent dense vectors (sparsevec_cmp_internal);
 *  - bit, varbit: '0'/'1' strings, whose text order is bit_cmp's;
 *  - tsvector: tsvector_cmp's order (stored size first; tsvector.ts);
 *  - enums: the labels' order (enumsortorder; user-types.ts), not their text or OIDs;
 *  - ranges: range_cmp's (empty first, then lower bound, then upper bound; range.ts);
 *  - multiranges: multirange_cmp's (range by range, a prefix first; multirange.ts).
 * hashKey(v) is equal for two values exactly when compareValues says they are equal.
 */
import { OID, TYPES, sqlType, type Interval, type SqlType, type Value } from './types.js';
import { isRowType, recordFields } from './records.js';
import { compareNumeric, numericHashKey } from './numeric.js';
import { compareIntervals, intervalSpan } from './datetime.js';
import { compareVectors } from './vector.js';
import { compareSparsevecs, sparsevecHashKey } from './sparsevec.js';
import type { SparseVector } from './types.js';
import { compareJsonb, parseJsonTree } from './json.js';
import { compareTsvectors } from './tsvector.js';
import { compareInet } from './network.js';
import { enumPosition } from './user-types.js';
import { RANGE_TYPES, RangeOps, rangeHashKey } from './range.js';
import type { MultirangeValue, RangeValue } from './types.js';
import { MultirangeOps, multirangeHashKey, multirangeRangeType } from './multirange.js';

const RANGE_OPS = new Map<number, RangeOps>();
const MULTIRANGE_OPS = new Map<number, MultirangeOps>();

/** The multirange algebra of a multirange type (undefined: not a multirange type). */
export function multirangeOps(oid: number): MultirangeOps | undefined {
  let ops = MULTIRANGE_OPS.get(oid);
  if (!ops) {
    const range = multirangeRangeType(oid);
    if (range === undefined) return undefined;
    ops = new MultirangeOps(rangeOps(range)!);
    MULTIRANGE_OPS.set(oid, ops);
  }
  return ops;
}

/** The range algebra of a built-in range type, with its subtype's order (undefined: not a range type). */
export function rangeOps(oid: number): RangeOps | undefined {
  let ops = RANGE_OPS.get(oid);
  if (!ops) {
    const info = RANGE_TYPES.get(oid);
    if (!info) return undefined;
    ops = new RangeOps(info, comparatorFor({ oid: info.subtype, typmod: -1 }));
    RANGE_OPS.set(oid, ops);
  }
  return ops;
}

function cmpPrimitive(a: number | bigint | string, b: number | bigint | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpFloat(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** code point order (JS `<` on strings compares UTF-16 units, which differs above the BMP) */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) {
      const sx = x >= 0xd800 && x <= 0xdfff, sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1; // a surrogate (code point > U+FFFF) sorts above any BMP char
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const rtrim = (s: string): string => s.replace(/ +$/, '');

/**
 * compareValues for one type, resolved once: a sort's comparator calls it millions of times,
 * and the common types then skip compareValues' dispatch.
 */
export function comparatorFor(type: SqlType): (a: Value, b: Value) => number {
  switch (type.oid) {
    case OID.float4: case OID.float8: return cmpFloat as (a: Value, b: Value) => number;
    case OID.int2: case OID.int4: case OID.oid: case OID.date: case OID.time: case OID.timestamp: case OID.timestamptz: case OID.int8: case OID.pg_lsn:
      return cmpPrimitive as (a: Value, b: Value) => number;
    case OID.text: case OID.varchar: case OID.name: case OID.char: case OID.uuid: case OID.unknown: case OID.json:
      return compareText as (a: Value, b: Value) => number;
    default: return (a, b) => compareValues(type, a, b);
  }
}

export function compareValues(type: SqlType, a: Value, b: Value): number {
  switch (type.oid) {
    case OID.float4: case OID.float8: return cmpFloat(a as number, b as number);
    case OID.numeric: return compareNumeric(a as string, b as string);
    case OID.bool: return (a ? 1 : 0) - (b ? 1 : 0);
    case OID.int2: case OID.int4: case OID.oid: case OID.regclass: case OID.regtype: case OID.regproc:
    case OID.date: case OID.time: case OID.timestamp: case OID.timestamptz: case OID.int8:
    case OID.xid: case OID.cid: case OID.regnamespace: case OID.regrole: case OID.pg_lsn:
      return cmpPrimitive(a as number, b as number);
    case OID.text: case OID.varchar: case OID.name: case OID.char: case OID.uuid: case OID.unknown: case OID.json:
      return compareText(a as string, b as string);
    case OID.bpchar: return compareText(rtrim(a as string), rtrim(b as string));
    case OID.bytea: return cmpBytes(a as Uint8Array, b as Uint8Array);
    case OID.interval: return compareIntervals(a as Interval, b as Interval);
    case OID.vector: case OID.halfvec: return compareVectors(a as Float32Array, b as Float32Array);
    case OID.sparsevec: return compareSparsevecs(a as SparseVector, b as SparseVector);
    case OID.bit: case OID.varbit: return compareText(a as string, b as string);
    case OID.jsonb: return a === b ? 0 : compareJsonb(parseJsonTree(a as string), parseJsonTree(b as string));
    case OID.tsvector: return compareTsvectors(a as string, b as string);
    case OID.int4range: case OID.int8range: case OID.numrange: case OID.tsrange: case OID.tstzrange: case OID.daterange:
      return rangeOps(type.oid)!.compare(a as RangeValue, b as RangeValue);
    case OID.int4multirange: case OID.int8multirange: case OID.nummultirange: case OID.tsmultirange: case OID.tstzmultirange: case OID.datemultirange:
      return multirangeOps(type.oid)!.compare(a as MultirangeValue, b as MultirangeValue);
    case OID.inet: case OID.cidr: return compareInet(a as string, b as string);
    // fixed-width lower-case hex: the string order is macaddr_cmp's
    case OID.macaddr: case OID.macaddr8: return compareText(a as string, b as string);
  }
  const info = TYPES.get(type.oid);
  if (info?.category === 'E') return cmpPrimitive(enumPosition(a as number), enumPosition(b as number));
  if (info?.category === 'A' && Array.isArray(a) && Array.isArray(b)) {
    return compareArrays({ oid: info.elem ?? OID.text, typmod: -1 }, a, b);
  }
  if (isRowType(type.oid) && Array.isArray(a) && Array.isArray(b)) return compareRecords(type, a, b);
  // a composite type a query worker has no registry entry for (user types live in the main thread): its fields by their runtime kind
  if (!info && Array.isArray(a) && Array.isArray(b)) return compareRecords(type, a, b);
  if (typeof a === 'number' || typeof a === 'bigint' || typeof a === 'string') return cmpPrimitive(a, b as typeof a);
  return 0;
}

function compareArrays(elem: SqlType, a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = Array.isArray(x) && Array.isArray(y) && !isRowType(elem.oid) ? compareArrays(elem, x, y) : compareValues(elem, x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** a field's type guessed from its runtime value, where the row type's fields are unknown */
function runtimeType(v: Value): SqlType {
  if (typeof v === 'number') return sqlType(OID.float8);
  if (typeof v === 'bigint') return sqlType(OID.int8);
  if (typeof v === 'boolean') return sqlType(OID.bool);
  if (Array.isArray(v)) return sqlType(OID.record);
  return sqlType(OID.text);
}

/** record_cmp: field by field with each field's order, a NULL field after any value */
function compareRecords(type: SqlType, a: readonly Value[], b: readonly Value[]): number {
  const fields = recordFields(type);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (x === null || y === null) {
      if (x === null && y === null) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(fields?.[i]?.type ?? runtimeType(x), x, y);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** equality by compareValues, for operators */
export function valuesEqual(type: SqlType, a: Value, b: Value): boolean {
  return compareValues(type, a, b) === 0;
}

/**
 * A primitive key that is equal for two values exactly when they compare equal, for GROUP BY,
 * DISTINCT, unique indexes and hash joins.
 */
export function hashKey(type: SqlType, v: Value): string | number | bigint | boolean {
  switch (type.oid) {
    case OID.float4: case OID.float8: {
      const x = v as number;
      return Number.isNaN(x) ? 'NaN' : x === 0 ? 0 : x;
    }
    case OID.numeric: return 'n' + numericHashKey(v as string);
    case OID.bool: return v as boolean;
    case OID.int8: case OID.pg_lsn: return v as bigint;
    case OID.bpchar: return rtrim(v as string);
    case OID.interval: return intervalSpan(v as Interval);
    case OID.bytea: return 'x' + Buffer.from(v as Uint8Array).toString('hex');
    case OID.sparsevec: return sparsevecHashKey(v as SparseVector);
    case OID.vector: case OID.halfvec: return 'v' + Buffer.from((v as Float32Array).map((x) => (x === 0 ? 0 : x)).buffer).toString('base64');
    case OID.int4multirange: case OID.int8multirange: case OID.nummultirange: case OID.tsmultirange: case OID.tstzmultirange: case OID.datemultirange: {
      const range: SqlType = { oid: multirangeRangeType(type.oid)!, typmod: -1 };
      return multirangeHashKey(v as MultirangeValue, (r) => hashKey(range, r));
    }
    case OID.int4range: case OID.int8range: case OID.numrange: case OID.tsrange: case OID.tstzrange: case OID.daterange: {
      const subtype: SqlType = { oid: RANGE_TYPES.get(type.oid)!.subtype, typmod: -1 };
      return rangeHashKey(v as RangeValue, (b) => hashKey(subtype, b));
    }
  }
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean') return v;
  const info = TYPES.get(type.oid);
  if (Array.isArray(v) && isRowType(type.oid)) {
    const fields = recordFields(type);
    return 'r' + JSON.stringify(v.map((e, i) => (e === null ? null : (() => { const k = hashKey(fields?.[i]?.type ?? sqlType(OID.text), e); return typeof k === 'bigint' ? k.toString() + 'n' : k; })())));
  }
  if (Array.isArray(v)) {
    const elem: SqlType = { oid: info?.elem ?? OID.text, typmod: -1 };
    return 'a' + JSON.stringify(arrayKey(elem, v));
  }
  return String(v);
}

function arrayKey(elem: SqlType, v: readonly Value[]): unknown[] {
  return v.map((e) => (e === null ? null : Array.isArray(e) && !isRowType(elem.oid) ? arrayKey(elem, e) : (() => { const k = hashKey(elem, e); return typeof k === 'bigint' ? k.toString() + 'n' : k; })()));
}
