/**
 * jsonb editing functions and operators (jsonb_set, jsonb_insert, #-, - with an index or
 * key array, jsonb_strip_nulls, jsonb_pretty, json[b]_object), following PostgreSQL's
 * jsonfuncs.c: its path semantics (negative array indexes count from the end, a missing
 * intermediate key leaves the value unchanged) and its messages.
 */
import { SqlError, SqlState } from '../errors.js';
import { escapeJsonString, formatJsonb, isJsonObject, normalizeJsonb, type JsonValue } from '../types/json.js';
import type { Value } from '../types/types.js';

type PathKey = string;

function pathIndex(key: PathKey, position: number): number {
  if (!/^\s*[+-]?\d+\s*$/.test(key)) {
    throw new SqlError(SqlState.invalidTextRepresentation, `path element at position ${position} is not an integer: "${key}"`);
  }
  return Number(key);
}

function checkPath(path: readonly Value[]): PathKey[] {
  if (path.some((p) => Array.isArray(p))) throw new SqlError(SqlState.arraySubscriptError, 'wrong number of array subscripts');
  return path.map((p, i) => {
    if (p === null) throw new SqlError(SqlState.nullValueNotAllowed, `path element at position ${i + 1} is null`);
    return p as string;
  });
}

type Mode = 'set' | 'create' | 'insertBefore' | 'insertAfter' | 'delete';

/** setPath: returns the edited copy of `v` */
function editPath(v: JsonValue, path: readonly PathKey[], level: number, mode: Mode, newValue: JsonValue | undefined): JsonValue {
  const key = path[level]!;
  const last = level === path.length - 1;
  if (isJsonObject(v)) {
    const i = v.obj.findIndex(([k]) => k === key);
    if (i >= 0) {
      if (!last) return { obj: v.obj.map(([k, x], j) => [k, j === i ? editPath(x, path, level + 1, mode, newValue) : x]) };
      if (mode === 'delete') return { obj: v.obj.filter((_, j) => j !== i) };
      if (mode === 'insertBefore' || mode === 'insertAfter') {
        throw new SqlError(SqlState.invalidParameterValue, 'cannot replace existing key', { hint: 'Try using the function jsonb_set to replace key value.' });
      }
      return { obj: v.obj.map(([k, x], j) => [k, j === i ? newValue! : x]) };
    }
    if (last && mode !== 'delete' && mode !== 'set') return { obj: [...v.obj, [key, newValue!]] };
    return v;
  }
  if (Array.isArray(v)) {
    let idx = pathIndex(key, level + 1);
    const n = v.length;
    if (idx < 0) idx = idx < -n ? -1 : n + idx; // before the start: prepend (when creating)
    const inRange = idx >= 0 && idx < n;
    if (!last) return inRange ? v.map((x, j) => (j === idx ? editPath(x, path, level + 1, mode, newValue) : x)) : v;
    switch (mode) {
      case 'delete':
        return inRange ? v.filter((_, j) => j !== idx) : v;
      case 'set':
        return inRange ? v.map((x, j) => (j === idx ? newValue! : x)) : v;
      case 'create':
        if (inRange) return v.map((x, j) => (j === idx ? newValue! : x));
        return idx < 0 ? [newValue!, ...v] : [...v, newValue!];
      case 'insertBefore':
      case 'insertAfter': {
        if (!inRange) return idx < 0 ? [newValue!, ...v] : [...v, newValue!];
        const at = mode === 'insertAfter' ? idx + 1 : idx;
        return [...v.slice(0, at), newValue!, ...v.slice(at)];
      }
    }
  }
  return v;
}

function editTop(target: JsonValue, path: readonly Value[], mode: Mode, newValue?: JsonValue): JsonValue {
  const keys = checkPath(path);
  if (!Array.isArray(target) && !isJsonObject(target)) {
    throw new SqlError(SqlState.invalidParameterValue, mode === 'delete' ? 'cannot delete path in scalar' : 'cannot set path in scalar');
  }
  if (keys.length === 0) return target;
  return editPath(target, keys, 0, mode, newValue);
}

export function jsonbSet(target: JsonValue, path: readonly Value[], newValue: JsonValue, createMissing: boolean): JsonValue {
  return normalizeJsonb(editTop(target, path, createMissing ? 'create' : 'set', newValue));
}

export function jsonbInsert(target: JsonValue, path: readonly Value[], newValue: JsonValue, after: boolean): JsonValue {
  return normalizeJsonb(editTop(target, path, after ? 'insertAfter' : 'insertBefore', newValue));
}

/** jsonb #- text[] */
export function jsonbDeletePath(target: JsonValue, path: readonly Value[]): JsonValue {
  return editTop(target, path, 'delete');
}

/** jsonb - integer */
export function jsonbDeleteIndex(target: JsonValue, index: number): JsonValue {
  if (isJsonObject(target)) throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from object using integer index');
  if (!Array.isArray(target)) throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from scalar');
  const n = target.length;
  const idx = index < 0 ? n + index : index;
  return idx < 0 || idx >= n ? target : target.filter((_, j) => j !== idx);
}

/** jsonb - text[] */
export function jsonbDeleteKeys(target: JsonValue, keys: readonly Value[]): JsonValue {
  const set = new Set(keys.filter((k) => k !== null) as string[]);
  if (isJsonObject(target)) return { obj: target.obj.filter(([k]) => !set.has(k)) };
  if (Array.isArray(target)) return target.filter((e) => !(typeof e === 'string' && set.has(e)));
  throw new SqlError(SqlState.invalidParameterValue, 'cannot delete from scalar');
}

/** jsonb_strip_nulls: drop object fields whose value is null, at every level (array nulls stay) */
export function stripNulls(v: JsonValue): JsonValue {
  if (isJsonObject(v)) return { obj: v.obj.filter(([, x]) => x !== null).map(([k, x]) => [k, stripNulls(x)]) };
  if (Array.isArray(v)) return v.map(stripNulls);
  return v;
}

/** jsonb_pretty: four-space indentation, empty containers open and close on their own lines */
export function jsonbPretty(v: JsonValue, indent = 0): string {
  const pad = (n: number): string => '    '.repeat(n);
  if (isJsonObject(v)) {
    const items = v.obj.map(([k, x]) => `${pad(indent + 1)}${escapeJsonString(k)}: ${jsonbPretty(x, indent + 1)}`);
    return `{\n${items.join(',\n')}${items.length > 0 ? '\n' : ''}${pad(indent)}}`;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => `${pad(indent + 1)}${jsonbPretty(x, indent + 1)}`);
    return `[\n${items.join(',\n')}${items.length > 0 ? '\n' : ''}${pad(indent)}]`;
  }
  return formatJsonb(v);
}

/** json_object / jsonb_object from one text[] (flat pairs or a two-column 2-D array) or keys and values */
export function jsonObjectFromArrays(keysOrPairs: readonly Value[], values: readonly Value[] | undefined, jsonb: boolean): string {
  const pairs: [Value, Value][] = [];
  if (values === undefined) {
    const a = keysOrPairs;
    if (a.length > 0 && Array.isArray(a[0])) {
      for (const row of a as Value[][]) {
        if (row.length !== 2) throw new SqlError(SqlState.arraySubscriptError, 'array must have two columns');
        pairs.push([row[0]!, row[1]!]);
      }
    } else {
      if (a.length % 2 !== 0) throw new SqlError(SqlState.arraySubscriptError, 'array must have even number of elements');
      for (let i = 0; i < a.length; i += 2) pairs.push([a[i]!, a[i + 1]!]);
    }
  } else {
    if (keysOrPairs.some(Array.isArray) || values.some(Array.isArray)) throw new SqlError(SqlState.arraySubscriptError, 'wrong number of array subscripts');
    if (keysOrPairs.length !== values.length) throw new SqlError(SqlState.arraySubscriptError, 'mismatched array dimensions');
    keysOrPairs.forEach((k, i) => pairs.push([k, values[i]!]));
  }
  for (const [k] of pairs) if (k === null) throw new SqlError(SqlState.nullValueNotAllowed, 'null value not allowed for object key');
  if (jsonb) return formatJsonb(normalizeJsonb({ obj: pairs.map(([k, x]) => [k as string, x === null ? null : (x as string)]) }));
  return '{' + pairs.map(([k, x]) => `${escapeJsonString(k as string)} : ${x === null ? 'null' : escapeJsonString(x as string)}`).join(', ') + '}';
}


// ---------------------------------------------------------------- rows for set-returning functions

/** rows of json[b]_each (value as json text) or json[b]_each_text (value as text, null for JSON null) */
export function jsonEachRows(v: JsonValue, asText: boolean, fnName: string): [string, string | null][] {
  if (!isJsonObject(v)) throw new SqlError(SqlState.invalidParameterValue, `cannot call ${fnName} on a non-object`);
  return v.obj.map(([k, x]) => [k, asText ? (x === null ? null : typeof x === 'string' ? x : formatJsonb(x)) : formatJsonb(x)]);
}

/** rows of json[b]_array_elements(_text) */
export function jsonArrayElementRows(v: JsonValue, asText: boolean, fnName: string): (string | null)[] {
  if (!Array.isArray(v)) {
    throw new SqlError(SqlState.invalidParameterValue, isJsonObject(v) ? `cannot extract elements from an object` : `cannot extract elements from a scalar`, { detail: undefined });
  }
  void fnName;
  return v.map((x) => (asText ? (x === null ? null : typeof x === 'string' ? x : formatJsonb(x)) : formatJsonb(x)));
}

/** rows of json[b]_object_keys */
export function jsonObjectKeyRows(v: JsonValue, fnName: string): string[] {
  if (!isJsonObject(v)) throw new SqlError(SqlState.invalidParameterValue, `cannot call ${fnName} on ${Array.isArray(v) ? 'an array' : 'a scalar'}`);
  return v.obj.map(([k]) => k);
}
