/**
 * jsonb subscripting (PostgreSQL 14+, jsonbsubs.c): `j['a']['b'][0]` reads as jsonb_get_element
 * and `UPDATE … SET j['a'][2] = v` writes as jsonb_set_element — setPath with JB_PATH_CREATE |
 * JB_PATH_FILL_GAPS | JB_PATH_CONSISTENT_POSITION: missing keys and the rest of the path are
 * created, an array is padded with nulls up to the index, a path through a scalar is an error.
 */
import { SqlError, SqlState } from '../errors.js';
import { formatJsonb, isJsonObject, jsonGetField, normalizeJsonb, parseJsonTree, type JsonObject, type JsonValue } from '../types/json.js';

/** one subscript: an integer (int4 subscript) or a key (text) */
export type JsonbSubscript = number | string;

/** strtoint of a path element: an int4 written in full, else undefined */
function pathInteger(key: JsonbSubscript): number | undefined {
  if (typeof key === 'number') return key;
  if (!/^\s*[+-]?\d+$/.test(key)) return undefined;
  const n = Number(key);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** `doc[k1][k2]…`: NULL where a key or index is missing or the path goes through a scalar */
export function jsonbSubscriptFetch(doc: string, path: readonly JsonbSubscript[]): string | null {
  let cur: JsonValue | undefined = parseJsonTree(doc);
  for (const key of path) {
    if (cur === undefined) return null;
    if (Array.isArray(cur)) {
      const n = pathInteger(key);
      if (n === undefined) return null;
      const i: number = n < 0 ? cur.length + n : n;
      cur = i >= 0 && i < cur.length ? cur[i] : undefined;
    } else if (isJsonObject(cur)) {
      cur = jsonGetField(cur, String(key));
    } else {
      return null;
    }
  }
  return cur === undefined ? null : formatJsonb(cur);
}

/**
 * `doc[k1]…[kn] = value`: the edited document. A NULL document starts as an empty array when the
 * first subscript is an integer, else an empty object; a NULL value is JSON null.
 */
export function jsonbSubscriptAssign(doc: string | null, path: readonly (JsonbSubscript | null)[], value: string | null): string {
  if (path.some((k) => k === null)) throw new SqlError(SqlState.nullValueNotAllowed, 'jsonb subscript in assignment must not be null');
  const keys = path as readonly JsonbSubscript[];
  const root: JsonValue = doc === null ? (typeof keys[0] === 'number' ? [] : { obj: [] }) : parseJsonTree(doc);
  const newValue: JsonValue = value === null ? null : parseJsonTree(value);
  return formatJsonb(normalizeJsonb(setPath(root, keys.map(String), 0, newValue)));
}

function setPath(v: JsonValue, keys: readonly string[], level: number, newValue: JsonValue): JsonValue {
  if (Array.isArray(v)) return setPathArray(v, keys, level, newValue);
  if (isJsonObject(v)) return setPathObject(v, keys, level, newValue);
  throw new SqlError(SqlState.invalidParameterValue, 'cannot replace existing key', {
    detail: 'The path assumes key is a composite object, but it is a scalar value.',
  });
}

function setPathObject(v: JsonObject, keys: readonly string[], level: number, newValue: JsonValue): JsonValue {
  const key = keys[level]!;
  const last = level === keys.length - 1;
  const at = v.obj.findIndex(([k]) => k === key);
  if (at >= 0) return { obj: v.obj.map(([k, x], j) => [k, j === at ? (last ? newValue : setPath(x, keys, level + 1, newValue)) : x]) };
  return { obj: [...v.obj, [key, last ? newValue : pushPath(keys, level + 1, newValue)]] };
}

function setPathArray(v: readonly JsonValue[], keys: readonly string[], level: number, newValue: JsonValue): JsonValue {
  const key = keys[level]!;
  const last = level === keys.length - 1;
  let idx = pathInteger(key);
  if (idx === undefined) throw new SqlError(SqlState.invalidTextRepresentation, `path element at position ${level + 1} is not an integer: "${key}"`);
  if (idx < 0) {
    if (-idx > v.length) throw new SqlError(SqlState.invalidParameterValue, `path element at position ${level + 1} is out of range: ${idx}`);
    idx += v.length;
  }
  if (idx < v.length) return v.map((x, j) => (j === idx ? (last ? newValue : setPath(x, keys, level + 1, newValue)) : x));
  const out = [...v];
  while (out.length < idx) out.push(null);
  out.push(last ? newValue : pushPath(keys, level + 1, newValue));
  return out;
}

/** push_path: the rest of the path made — an array (padded with nulls) for an integer element, else an object */
function pushPath(keys: readonly string[], level: number, newValue: JsonValue): JsonValue {
  const inner = level === keys.length - 1 ? newValue : pushPath(keys, level + 1, newValue);
  const idx = pathInteger(keys[level]!);
  if (idx === undefined) return { obj: [[keys[level]!, inner]] };
  const out: JsonValue[] = [];
  for (let k = 0; k < idx; k++) out.push(null);
  out.push(inner);
  return out;
}
