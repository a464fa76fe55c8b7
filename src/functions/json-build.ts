/**
 * SQL value → JSON as PostgreSQL does it: `datumToJson` writes the text the json functions
 * build (to_json, json_build_object / _array, json_agg, json_object_agg, row_to_json,
 * array_to_json: datum_to_json), `toJsonValue` the tree the jsonb ones normalize.
 */
import { OID, TYPES, sqlType, type SqlType, type Value } from '../types/types.js';
import { formatText, type FormatSettings } from '../types/text-io.js';
import { escapeJsonString, formatJsonb, normalizeJsonb, parseJsonTree, type JsonValue } from '../types/json.js';
import { isRowType, recordFields, type RecordField } from './records.js';

/**
 * datum_to_json: a value as JSON text — a record as composite_to_json writes it
 * (`{"a":1,"b":"x"}`), an array as array_to_json (`[1,2]`), a json value's text as it is, a
 * jsonb value's canonical text, a scalar as to_json writes it.
 */
export function datumToJson(type: SqlType, v: Value, settings: FormatSettings): string {
  if (v === null) return 'null';
  if (isRowType(type.oid) && Array.isArray(v)) return compositeToJson(type, v, settings, false);
  if (Array.isArray(v)) return arrayToJson(type, v, settings, false);
  if (type.oid === OID.json || type.oid === OID.jsonb) return v as string;
  return formatJsonb(toJsonValue(type, v, settings));
}

/** composite_to_json: `{"a":1,"b":"x"}`, with `pretty` a line feed before each field after the first */
export function compositeToJson(type: SqlType, value: readonly Value[], settings: FormatSettings, pretty: boolean): string {
  return '{' + fieldsOf(type, value).map((f, i) => escapeJsonString(f.name) + ':' + datumToJson(f.type, value[i] ?? null, settings)).join(pretty ? ',\n ' : ',') + '}';
}

/** array_to_json: `[[1,2],[3,4]]`, with `pretty` a line feed between the outer dimension's elements */
export function arrayToJson(type: SqlType, value: readonly Value[], settings: FormatSettings, pretty: boolean): string {
  const el = elementType(type);
  const dim = (a: readonly Value[], sep: string): string =>
    '[' + a.map((e) => (Array.isArray(e) && !isRowType(el.oid) ? dim(e, ',') : datumToJson(el, e, settings))).join(sep) + ']';
  return dim(value, pretty ? ',\n ' : ',');
}

/** A record's fields: its registered ones, else f1, f2, … as text (an opaque record) */
function fieldsOf(type: SqlType, value: readonly Value[]): readonly RecordField[] {
  return recordFields(type) ?? value.map((_, i) => ({ name: `f${i + 1}`, type: sqlType(OID.text) }));
}

/** An array type's element type (a record[]'s typmod names its elements' fields) */
function elementType(type: SqlType): SqlType {
  return { oid: TYPES.get(type.oid)?.elem ?? OID.text, typmod: type.oid === OID._record ? type.typmod : -1 };
}

/** Whether datum_to_json writes the value as a container, a record or an array (json_agg puts a line feed before one) */
export function jsonContainer(v: Value): boolean {
  return Array.isArray(v);
}

export function toJsonValue(type: SqlType, v: Value, settings: FormatSettings): JsonValue {
  if (v === null) return null;
  if (isRowType(type.oid) && Array.isArray(v)) {
    return { obj: fieldsOf(type, v).map((f, i): [string, JsonValue] => [f.name, toJsonValue(f.type, v[i] ?? null, settings)]) };
  }
  if (Array.isArray(v)) {
    const el: SqlType = { oid: TYPES.get(type.oid)?.elem ?? OID.text, typmod: -1 };
    const walk = (a: readonly Value[]): JsonValue[] => a.map((e) => (Array.isArray(e) && !isRowType(el.oid) ? walk(e) : toJsonValue(el, e, settings)));
    return walk(v);
  }
  switch (type.oid) {
    case OID.bool: return v as boolean;
    case OID.int2: case OID.int4: case OID.int8: case OID.oid: return { num: String(v) };
    case OID.float4: case OID.float8: {
      const s = formatText(type, v, settings);
      return Number.isFinite(v as number) ? { num: s } : s;
    }
    case OID.numeric: return (v as string) === 'NaN' || (v as string).endsWith('Infinity') ? (v as string) : { num: v as string };
    // jsonb semantics for a json value inside a jsonb (keys sorted, the last of duplicates kept)
    case OID.json: return normalizeJsonb(parseJsonTree(v as string, false));
    case OID.jsonb: return parseJsonTree(v as string, false);
    case OID.timestamp: case OID.timestamptz: case OID.date: {
      const s = formatText(type, v, settings);
      if (!Number.isFinite(v as number)) return s;
      // ISO 8601 with 'T'; timestamptz offsets as +HH:MM
      return type.oid === OID.date ? s : s.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
    }
  }
  return formatText(type, v, settings);
}
