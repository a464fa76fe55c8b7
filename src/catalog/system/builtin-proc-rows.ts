/**
 * pg_proc rows of the built-in functions (builtin-procs.ts, PostgreSQL's own rows for what
 * Quiver can call): pgcli's completion, psql's \df, DBeaver and pgjdbc's getFunctions read
 * them. pgvector's functions exist, as in PostgreSQL, once `CREATE EXTENSION vector` ran.
 */
import { NAMESPACE } from '../catalog.js';
import { typeByName, type Row } from '../../types/types.js';
import { BUILTIN_PROCS, type BuiltinProc } from './builtin-procs.js';
import { ROLE } from './objects.js';

const LANG_C = 13;

const typeOid = (name: string): number => typeByName(name)?.oid ?? 0;
const typeOids = (names: string): number[] => (names === '' ? [] : names.split(' ').map(typeOid));

function procRow(p: BuiltinProc): Row {
  const [oid, name, nsp, kind, retset, volatile, strict, parallel, leakproof, cost, rows, lang, nargdefaults, ret, args, variadic, allArgs, modes, names, src] = p;
  const argOids = typeOids(args);
  return [oid, name, NAMESPACE[nsp], ROLE.bootstrap, lang, cost, rows, variadic === '' ? 0 : typeOid(variadic), 0, kind, false, leakproof, strict,
    retset, volatile, parallel, argOids.length, nargdefaults, typeOid(ret), argOids, allArgs === null ? null : typeOids(allArgs), modes, names,
    null, null, src, lang === LANG_C ? '$libdir/vector' : null, null, null, null];
}

let core: Row[] | undefined;
let vector: Row[] | undefined;

/** The built-in rows, PostgreSQL's first, then pgvector's when the extension is created. */
export function builtinProcRows(withVector: boolean): Row[] {
  core ??= BUILTIN_PROCS.filter((p) => p[2] === 'pg_catalog').map(procRow);
  if (!withVector) return core;
  vector ??= BUILTIN_PROCS.filter((p) => p[2] === 'public').map(procRow);
  return [...core, ...vector];
}

/** pgvector's function OIDs: members of the vector extension in pg_depend */
export function pgvectorProcOids(): number[] {
  return BUILTIN_PROCS.filter((p) => p[2] === 'public').map((p) => p[0]);
}

let byOid: Map<number, BuiltinProc> | undefined;

/**
 * pg_get_function_arguments / _identity_arguments / _result of a built-in function: the text
 * PostgreSQL printed for it (with its defaults and ORDER BY for ordered-set aggregates).
 */
export function builtinProcSignature(oid: number, which: string): string | undefined {
  byOid ??= new Map(BUILTIN_PROCS.map((p) => [p[0], p]));
  const p = byOid.get(oid);
  if (!p) return undefined;
  return which === 'pg_get_function_result' ? p[22] : which === 'pg_get_function_identity_arguments' ? p[21] : p[20];
}

/** regprocin for a built-in: the function's OID when the name is unique, 'ambiguous' when overloaded. */
export function builtinProcOid(name: string, schema?: string): number | 'ambiguous' | undefined {
  const found = BUILTIN_PROCS.filter((p) => p[1] === name && (schema === undefined || p[2] === schema));
  if (found.length > 1) return 'ambiguous';
  return found[0]?.[0];
}
