/** SQL value → JSON (to_json, to_jsonb, json_build_object, json_agg) as PostgreSQL's datum_to_json does. */
import { OID, TYPES, type SqlType, type Value } from '../types/types.js';
import { formatText, type FormatSettings } from '../types/text-io.js';
import { parseJsonTree, type JsonValue } from '../types/json.js';

export function toJsonValue(type: SqlType, v: Value, settings: FormatSettings): JsonValue {
  if (v === null) return null;
  const info = TYPES.get(type.oid);
  if (Array.isArray(v)) {
    const el: SqlType = { oid: info?.elem ?? OID.text, typmod: -1 };
    const walk = (a: readonly Value[]): JsonValue[] => a.map((e) => (Array.isArray(e) ? walk(e) : toJsonValue(el, e, settings)));
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
    case OID.json: case OID.jsonb: return parseJsonTree(v as string, false);
    case OID.timestamp: case OID.timestamptz: case OID.date: {
      const s = formatText(type, v, settings);
      if (!Number.isFinite(v as number)) return s;
      // ISO 8601 with 'T'; timestamptz offsets as +HH:MM
      return type.oid === OID.date ? s : s.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
    }
  }
  return formatText(type, v, settings);
}
