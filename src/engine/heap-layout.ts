/**
 * How PostgreSQL 15 would lay out a table's rows on heap pages, for ANALYZE: a value's
 * stored size (what avg_width counts) and the pages a run of rows fills (what relpages is,
 * and what the planner's costs read). Quiver keeps rows in its own segments; these figures
 * are PostgreSQL's, so estimates, costs and pg_class.relpages come out as PostgreSQL's.
 *
 * A heap tuple (heap_form_tuple): a 23-byte header plus a NULL bitmap when a value is NULL,
 * MAXALIGNed; then each non-NULL value — a fixed-length one aligned to its type's alignment,
 * a variable-length one of at most 126 bytes with a 1-byte header and no alignment, a longer
 * one aligned with a 4-byte header. A tuple over 2,032 bytes has its largest toastable
 * values moved out of line (an 18-byte TOAST pointer each) until it fits; pgvector's
 * vectors are such (`STORAGE external`: never compressed, so their out-of-line size is
 * known; text and other compressible values are moved out as if they did not compress).
 * Pages are filled in row order as heap inserts fill them (RelationGetBufferForTuple): 8,168
 * bytes after the page header, each tuple MAXALIGNed plus a 4-byte line pointer, at most
 * 291 tuples a page.
 */
import { formatText } from '../types/text-io.js';
import { OID, elementTypeOf, isArrayType, typeInfo, type Row, type SqlType, type Value } from '../types/types.js';
import { arrayContentBytes, jsonbContentBytes } from './varlena-sizes.js';
import { RANGE_TYPES, hasLowerBound, hasUpperBound } from '../types/range.js';
import { multirangeRangeType } from '../types/multirange.js';
import type { MultirangeValue, RangeValue } from '../types/types.js';
import { inetStoredBytes } from '../types/network.js';

const PAGE_SPACE = 8192 - 24;
const LINE_POINTER = 4;
const MAX_TUPLES_PER_PAGE = 291;
const TUPLE_HEADER = 23;
/** TOAST_TUPLE_THRESHOLD = TOAST_TUPLE_TARGET for 8 kB pages */
const TOAST_TARGET = 2032;
/** a varattrib_1b_e holding a varatt_external */
const TOAST_POINTER = 18;
/** a varlena of this many bytes or fewer (header included) takes a 1-byte header */
const SHORT_VARLENA_MAX = 127;

const maxAlign = (n: number) => Math.ceil(n / 8) * 8;
const ALIGN = { c: 1, s: 2, i: 4, d: 8 } as const;

/** Fixed-width types' sizes (pg_type.typlen). */
const FIXED: Record<number, number> = {
  [OID.bool]: 1, [OID.int2]: 2, [OID.int4]: 4, [OID.int8]: 8, [OID.float4]: 4, [OID.float8]: 8, [OID.oid]: 4,
  [OID.date]: 4, [OID.time]: 8, [OID.timestamp]: 8, [OID.timestamptz]: 8, [OID.interval]: 16, [OID.uuid]: 16,
};

/** pg_type.typlen of a fixed-length type, undefined for a varlena */
export function fixedLength(type: SqlType): number | undefined {
  const known = FIXED[type.oid];
  if (known !== undefined) return known;
  let len = -1;
  try {
    len = typeInfo(type.oid).len;
  } catch {
    // a type the table knows no layout for (a user type): taken as a varlena
  }
  return len > 0 ? len : undefined;
}

/** pgvector's types are STORAGE external: moved out of line uncompressed */
const EXTERNAL = new Set<number>([OID.vector, OID.halfvec, OID.sparsevec]);

/** A value's stored size as PostgreSQL counts it for avg_width (varlena: 1- or 4-byte header). */
export function storedWidth(type: SqlType, v: Value): number {
  const fixed = fixedLength(type);
  if (fixed !== undefined) return fixed;
  const bytes = contentBytes(type, v);
  return bytes + (bytes < SHORT_VARLENA_MAX ? 1 : 4);
}

/** a varlena value's bytes after its header */
function contentBytes(type: SqlType, v: Value): number {
  if (type.oid === OID.vector && v instanceof Float32Array) return 4 + v.length * 4;
  if (type.oid === OID.halfvec && (v as { length?: number }).length !== undefined) return 4 + (v as { length: number }).length * 2;
  if (type.oid === OID.numeric) return numericBytes(formatText(type, v));
  if (type.oid === OID.bytea && v instanceof Uint8Array) return v.length;
  if (type.oid === OID.inet || type.oid === OID.cidr) return inetStoredBytes(v as string);
  if (type.oid === OID.jsonb) return jsonbContentBytes(formatText(type, v), numericBytes);
  const range = RANGE_TYPES.get(type.oid);
  if (range) return rangeContentBytes({ oid: range.subtype, typmod: -1 }, v as RangeValue);
  const multirangeRange = multirangeRangeType(type.oid);
  if (multirangeRange !== undefined) return multirangeContentBytes({ oid: RANGE_TYPES.get(multirangeRange)!.subtype, typmod: -1 }, v as MultirangeValue);
  const element = isArrayType(type.oid) ? elementTypeOf(type.oid) : undefined;
  if (element !== undefined && Array.isArray(v)) {
    const elemType: SqlType = { oid: element, typmod: -1 };
    return arrayContentBytes(v, { fixed: fixedLength(elemType), align: ALIGN[typeAlign(elemType)], content: (x) => contentBytes(elemType, x) });
  }
  return Buffer.byteLength(formatText(type, v), 'utf8');
}

/**
 * range_serialize's size after the varlena header: the range type's OID, each present bound
 * (a fixed-width one aligned from the datum's start, a varlena one with a 1-byte header as
 * datum_compute_size packs it), then the flags byte.
 */
function rangeContentBytes(subtype: SqlType, v: RangeValue): number {
  const fixed = fixedLength(subtype);
  const align = ALIGN[typeAlign(subtype)];
  let size = 8; // varlena header and rangetypid
  const bound = (b: Value): void => {
    if (fixed === undefined) size += 1 + contentBytes(subtype, b);
    else size = Math.ceil(size / align) * align + fixed;
  };
  if (hasLowerBound(v)) bound(v.lower);
  if (hasUpperBound(v)) bound(v.upper);
  return size + 1 - 4;
}

/**
 * multirange_size_estimate after the varlena header: the type's OID and the range count, an
 * item per range but the first and a flags byte per range (aligned as the subtype), then each
 * range's bounds as range_serialize laid them out (aligned as the subtype).
 */
function multirangeContentBytes(subtype: SqlType, v: MultirangeValue): number {
  const align = ALIGN[typeAlign(subtype)];
  const up = (n: number): number => Math.ceil(n / align) * align;
  const n = v.ranges.length;
  let size = up(12 + Math.max(n - 1, 0) * 4 + n);
  // a range's bound bytes: its content (rangetypid, bounds, flags) less the rangetypid and flags
  for (const r of v.ranges) size += up(rangeContentBytes(subtype, r) - 5);
  return size - 4;
}

/**
 * A numeric's bytes as PostgreSQL stores it (numeric.c, after its varlena header): base-10000
 * digits of 2 bytes from the first non-zero one to the last, behind a 2-byte header when the
 * weight and display scale are small (NUMERIC_CAN_BE_SHORT), else 4; NaN and ±Infinity the
 * header alone.
 */
export function numericBytes(text: string): number {
  if (!/^-?\d*(\.\d*)?$/.test(text)) return 2;
  const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
  const intPart = whole!.replace(/^0+/, '');
  const groups: string[] = [];
  for (let end = intPart.length; end > 0; end -= 4) groups.unshift(intPart.slice(Math.max(0, end - 4), end));
  for (let at = 0; at < fraction.length; at += 4) groups.push(fraction.slice(at, at + 4).padEnd(4, '0'));
  let first = 0;
  while (first < groups.length && Number(groups[first]) === 0) first++;
  let last = groups.length;
  while (last > first && Number(groups[last - 1]) === 0) last--;
  const digits = last - first;
  // weight: the first non-zero digit's place in base 10000 (0: units)
  const weight = digits === 0 ? 0 : Math.ceil(intPart.length / 4) - 1 - first;
  const short = fraction.length <= 63 && weight <= 63 && weight >= -64;
  return (short ? 2 : 4) + 2 * digits;
}

/**
 * One row's heap tuple: its bytes before MAXALIGN, and each value's stored size in it (-1:
 * NULL) — an out-of-line value's the TOAST pointer's, which is what ANALYZE's avg_width
 * counts too (analyze.c adds VARSIZE_ANY of the stored datum).
 */
export function heapTuple(types: readonly SqlType[], row: Row): { bytes: number; sizes: readonly number[] } {
  let hasNull = false;
  const sizes: number[] = [];
  for (let i = 0; i < types.length; i++) {
    const v = row[i];
    if (v === null || v === undefined) { hasNull = true; sizes.push(-1); continue; }
    sizes.push(storedWidth(types[i]!, v));
  }
  const header = maxAlign(TUPLE_HEADER + (hasNull ? Math.ceil(types.length / 8) : 0));
  const data = () => dataBytes(types, sizes);
  if (header + data() > TOAST_TARGET) {
    // the largest toastable values still inline go out of line first, until the tuple fits
    for (;;) {
      let biggest = -1;
      for (let i = 0; i < sizes.length; i++) {
        if (sizes[i]! > TOAST_POINTER && fixedLength(types[i]!) === undefined && toastable(types[i]!) && (biggest < 0 || sizes[i]! > sizes[biggest]!)) biggest = i;
      }
      if (biggest < 0) break;
      sizes[biggest] = TOAST_POINTER;
      if (header + data() <= TOAST_TARGET) break;
    }
  }
  return { bytes: header + data(), sizes };
}

function typeAlign(type: SqlType): keyof typeof ALIGN {
  try {
    return typeInfo(type.oid).align ?? 'i';
  } catch {
    return 'i';
  }
}

/** numeric, inet and cidr are STORAGE main (compressed in line, moved out last): kept in line here */
function toastable(type: SqlType): boolean {
  return EXTERNAL.has(type.oid) || (type.oid !== OID.numeric && type.oid !== OID.inet && type.oid !== OID.cidr);
}

/** heap_compute_data_size over the values' stored sizes (-1: NULL) */
function dataBytes(types: readonly SqlType[], sizes: readonly number[]): number {
  let at = 0;
  for (let i = 0; i < types.length; i++) {
    const size = sizes[i]!;
    if (size < 0) continue;
    const fixed = fixedLength(types[i]!) !== undefined;
    // a short varlena (1-byte header, or a TOAST pointer) is never aligned
    if (fixed || size > SHORT_VARLENA_MAX) {
      const align = fixed ? ALIGN[typeAlign(types[i]!)] : ALIGN.i;
      at = Math.ceil(at / align) * align;
    }
    at += size;
  }
  return at;
}

/**
 * The heap pages tuples of these sizes (heapTuple's bytes), inserted in this order, fill
 * (fillfactor 100): the full pages and the share of the last one its tuples use, so a
 * sample's count scales to the whole table without a partial page's rounding.
 */
export function heapPages(tupleBytes: Iterable<number>): number {
  let pages = 0;
  let free = 0;
  let tuples = 0;
  for (const bytes of tupleBytes) {
    const need = maxAlign(bytes);
    if (pages === 0 || free - LINE_POINTER < need || tuples >= MAX_TUPLES_PER_PAGE) {
      pages++;
      free = PAGE_SPACE;
      tuples = 0;
    }
    free -= need + LINE_POINTER;
    tuples++;
  }
  return pages === 0 ? 0 : pages - 1 + (PAGE_SPACE - free) / PAGE_SPACE;
}
