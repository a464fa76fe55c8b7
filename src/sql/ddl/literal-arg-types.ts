/**
 * The types PostgreSQL's analyzer gives a built-in function's string-literal arguments:
 * an unknown literal becomes a Const of the parameter's type, which ruleutils prints with
 * its cast (`to_tsvector('english'::regconfig, body)`, `nextval('s'::regclass)`,
 * `lower('ABC'::text)`). The deparser works on the raw tree, so it resolves the function
 * from the built-in pg_proc rows by name and argument count alone.
 */
import { BUILTIN_PROCS, type BuiltinProc } from '../../catalog/system/builtin-procs.js';

/** parameter types an unknown literal is not printed with (it stays unknown, or the choice needs the other arguments' types) */
const UNLABELED = new Set(['any', 'anyelement', 'anyarray', 'anynonarray', 'anyenum', 'anyrange', 'anymultirange', 'anycompatible',
  'anycompatiblearray', 'anycompatiblenonarray', 'anycompatiblerange', 'anycompatiblemultirange', 'internal', 'cstring', 'unknown']);

let byName: Map<string, BuiltinProc[]> | undefined;

/** the parameter type names a call with `count` arguments binds to, or undefined when it cannot take that many */
function paramTypes(p: BuiltinProc, count: number): string[] | undefined {
  const declared = p[14] === '' ? [] : p[14].split(' ');
  const variadic = p[15];
  const required = declared.length - p[12];
  if (variadic === '') return count >= required && count <= declared.length ? declared.slice(0, count) : undefined;
  // VARIADIC: the fixed parameters, then the variadic array's element type for each of the rest
  const fixed = declared.slice(0, -1);
  if (count < fixed.length) return undefined;
  const element = variadic === 'any' ? 'any' : variadic.replace(/^_/, '');
  return [...fixed, ...Array<string>(count - fixed.length).fill(element)];
}

/**
 * For each argument of `schema.name(args)`: the pg_type name its string literal is coerced
 * to, when the built-in candidates with that many arguments agree on one (text wins when
 * they differ, as the string category does for unknown input); undefined otherwise.
 */
export function literalArgTypes(name: string, schema: string | undefined, count: number): (string | undefined)[] {
  if (!byName) {
    byName = new Map();
    for (const p of BUILTIN_PROCS) byName.set(p[1], [...(byName.get(p[1]) ?? []), p]);
  }
  const candidates = (byName.get(name) ?? [])
    .filter((p) => schema === undefined || p[2] === schema)
    .map((p) => paramTypes(p, count))
    .filter((t): t is string[] => t !== undefined);
  return Array.from({ length: count }, (_, i) => {
    const types = new Set(candidates.map((t) => t[i]!));
    const chosen = types.size === 1 ? [...types][0]! : types.has('text') ? 'text' : undefined;
    return chosen === undefined || UNLABELED.has(chosen) ? undefined : chosen;
  });
}
