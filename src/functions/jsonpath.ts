/**
 * jsonb_path_exists / _match / _query / _query_array / _query_first (and their _tz twins,
 * identical while .datetime() is unsupported) and the @? / @@ operators, following
 * jsonpath_exec.c: the functions take `vars` (default '{}') and `silent` (default false);
 * the operators run without variables and silently.
 */
import { SqlError } from '../errors.js';
import { formatJsonb, parseJsonTree, type JsonValue } from '../types/json.js';
import { executeJsonPath, parseJsonPath } from '../types/jsonpath.js';
import type { Value } from '../types/types.js';

function run(target: Value, path: Value, vars: Value | undefined, silent: boolean, collect: boolean) {
  const jp = parseJsonPath(path as string);
  const v = vars === undefined ? null : parseJsonTree(vars as string);
  return executeJsonPath(jp, parseJsonTree(target as string), v, !silent, collect);
}

/** args: target, path[, vars[, silent]]; opr: the operator form (no vars, silent) */
export function pathExists(args: readonly Value[], opr = false): Value {
  const r = run(args[0]!, args[1]!, opr ? undefined : args[2] ?? '{}', opr ? true : args[3] === true, false);
  if (r.status === 'error') return null;
  return r.status === 'ok';
}

export function pathMatch(args: readonly Value[], opr = false): Value {
  const silent = opr ? true : args[3] === true;
  const r = run(args[0]!, args[1]!, opr ? undefined : args[2] ?? '{}', silent, true);
  if (r.items.length === 1) {
    const v: JsonValue = r.items[0]!;
    if (typeof v === 'boolean') return v;
    if (v === null) return null;
  }
  if (!silent) throw new SqlError('22038', 'single boolean result is expected');
  return null;
}

export function pathQuery(args: readonly Value[]): string[] {
  const r = run(args[0]!, args[1]!, args[2] ?? '{}', args[3] === true, true);
  return r.items.map(formatJsonb);
}

export function pathQueryArray(args: readonly Value[]): Value {
  return '[' + pathQuery(args).join(', ') + ']';
}

export function pathQueryFirst(args: readonly Value[]): Value {
  const r = run(args[0]!, args[1]!, args[2] ?? '{}', args[3] === true, true);
  return r.items.length > 0 ? formatJsonb(r.items[0]!) : null;
}

export const PATH_FUNCTION_ARGS: readonly (readonly string[])[] = [
  ['jsonb', 'jsonpath'], ['jsonb', 'jsonpath', 'jsonb'], ['jsonb', 'jsonpath', 'jsonb', 'bool'],
];


