/**
 * The types PostgreSQL's analyzer gives a built-in function's string-literal arguments:
 * an unknown literal becomes a Const of the parameter's type, which ruleutils prints with
 * its cast (`to_tsvector('english'::regconfig, body)`, `nextval('s'::regclass)`,
 * `lower('ABC'::text)`). The deparser works on the raw tree, so it resolves the function
 * from the built-in pg_proc rows by name and argument count alone.
 */
import { BUILTIN_PROCS, type BuiltinProc } from '../../catalog/system/builtin-procs.js';
import { quoteIdent } from '../../types/identifiers.js';
import { formatType, typeByName } from '../../types/types.js';

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
 * to, when the built-in candidates with that many arguments agree on one (when they differ,
 * text, or the only string-category type, as for unknown input); undefined otherwise.
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
    const types = [...new Set(candidates.map((t) => t[i]!))];
    // func_select_candidate: unknown input prefers the string category, and text (its preferred type) within it
    const strings = types.filter((t) => typeByName(t)?.category === 'S');
    const chosen = types.length === 1 ? types[0] : types.includes('text') ? 'text' : strings.length === 1 ? strings[0] : undefined;
    return chosen === undefined || UNLABELED.has(chosen) ? undefined : chosen;
  });
}

const quoted = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** a relation or text search configuration name as its reg* output prints it: unquoted parts folded, public / pg_catalog dropped */
function regName(value: string, visibleSchema: string): string {
  const parts = value.trim().split('.').map((p) => (/^"(?:[^"]|"")+"$/.test(p) ? p.slice(1, -1).replace(/""/g, '"') : /^[A-Za-z_][\w$]*$/.test(p) ? p.toLowerCase() : undefined));
  if (parts.some((p) => p === undefined) || parts.length > 2) return value;
  const names = parts as string[];
  return (names.length === 2 && names[0] === visibleSchema ? names.slice(1) : names).map(quoteIdent).join('.');
}

/**
 * A string literal coerced to `typname` as ruleutils' get_const_expr prints the Const: int4
 * bare (negative quoted with ::integer), numeric with a fraction bare, bool as true / false,
 * regclass / regconfig by name, anything else quoted with its type.
 */
export function typedLiteral(value: string, typname: string): string {
  const type = typeByName(typname);
  const label = (v: string): string => `${quoted(v)}::${type ? formatType({ oid: type.oid, typmod: -1 }) : typname}`;
  const trimmed = value.trim();
  switch (typname) {
    case 'int4': {
      if (!/^[+-]?\d+$/.test(trimmed) || Math.abs(Number(trimmed)) > 2147483647) break;
      const n = Number(trimmed);
      return n < 0 ? label(String(n)) : String(n);
    }
    case 'numeric':
      if (/^\d+\.\d+$/.test(trimmed)) return trimmed;
      break;
    case 'bool':
      if (/^(t|tr|tru|true|y|ye|yes|on|1)$/i.test(trimmed)) return 'true';
      if (/^(f|fa|fal|fals|false|n|no|of|off|0)$/i.test(trimmed)) return 'false';
      break;
    case 'regclass': return label(regName(value, 'public'));
    case 'regconfig': return label(regName(value, 'pg_catalog'));
  }
  return label(value);
}
