/**
 * The bytes PostgreSQL 15 stores for a few variable-length types, after the 4-byte varlena
 * header (so avg_width, relpages and costs come out as PostgreSQL's):
 * - arrays (array.h): a 16-byte header and each dimension's length and lower bound (8 bytes),
 *   plus a NULL bitmap when an element is NULL, MAXALIGNed; then the non-NULL elements, each
 *   padded to its type's alignment (a varlena element keeps a 4-byte header: construct_md_array detoasts);
 * - jsonb (jsonb_util.c convertJsonbValue): each container a 4-byte count header and a 4-byte
 *   JEntry per element (two per pair, keys first), strings' bytes, numerics as whole numeric
 *   datums and nested containers aligned to 4 bytes from the varlena's start.
 */
import type { Value } from '../types/types.js';
import { isJsonNumber, isJsonObject, parseJsonTree, type JsonValue } from '../types/json.js';

const align = (n: number, to: number): number => Math.ceil(n / to) * to;

export interface ElementLayout {
  /** pg_type.typlen (> 0) or undefined for a varlena */
  readonly fixed: number | undefined;
  /** pg_type.typalign in bytes */
  readonly align: number;
  /** a varlena element's bytes after its header */
  content(v: Value): number;
}

/** an array value's bytes after its varlena header */
export function arrayContentBytes(value: Value, element: ElementLayout): number {
  const dims: number[] = [];
  for (let v: Value = value; Array.isArray(v) && v.length > 0; v = (v as Value[])[0]!) dims.push((v as Value[]).length);
  let items: Value[] = dims.length === 0 ? [] : (value as Value[]);
  for (let d = 1; d < dims.length; d++) items = ([] as Value[]).concat(...(items as Value[][]));
  const hasNull = items.some((x) => x === null || x === undefined);
  const overhead = align(16 + 8 * dims.length + (hasNull ? Math.ceil(items.length / 8) : 0), 8);
  let data = 0;
  for (const x of items) {
    if (x === null || x === undefined) continue;
    // construct_md_array rounds each element's end up to the alignment (so the total too)
    data = align(data + (element.fixed ?? 4 + element.content(x)), element.align);
  }
  return overhead + data - 4;
}

/** a jsonb value's bytes after its varlena header (numericBytes: a numeric's bytes after its header) */
export function jsonbContentBytes(text: string, numericBytes: (text: string) => number): number {
  let len = 4;
  const padToInt = () => { len = align(len, 4); };
  const scalar = (v: JsonValue): void => {
    if (typeof v === 'string') len += Buffer.byteLength(v, 'utf8');
    else if (isJsonNumber(v)) { padToInt(); len += 4 + numericBytes(v.num); }
    else if (v !== null && typeof v === 'object') container(v);
  };
  const container = (v: JsonValue): void => {
    padToInt();
    if (isJsonObject(v)) {
      // jsonb keeps an object's keys unique and sorted (by length, then bytes)
      const byKey = new Map(v.obj);
      const keys = [...byKey.keys()].sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
      len += 4 + 8 * keys.length;
      for (const k of keys) len += Buffer.byteLength(k, 'utf8');
      for (const k of keys) scalar(byKey.get(k)!);
    } else {
      const elems = v as JsonValue[];
      len += 4 + 4 * elems.length;
      for (const e of elems) scalar(e);
    }
  };
  const root = parseJsonTree(text);
  // a scalar at the root is stored as a one-element array
  container(Array.isArray(root) || isJsonObject(root) ? root : [root]);
  return len - 4;
}

