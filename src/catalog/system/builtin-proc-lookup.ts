/**
 * Built-in functions (pg_proc rows of builtin-procs.ts) found by signature, for the privileges
 * on them: GRANT … ON FUNCTION abs(integer) names one by its argument types, and a bound call
 * (a function, operator, aggregate or window function Quiver resolved with its own overload
 * tables, or a cast) is matched back to the pg_proc row PostgreSQL would have chosen, whose
 * EXECUTE the caller needs.
 */
import { SqlError, SqlState } from '../../errors.js';
import { TYPES, formatType, typeByName, type SqlType } from '../../types/types.js';
import { BUILTIN_PROCS, type BuiltinProc } from './builtin-procs.js';
import { BUILTIN_OPERATORS } from './builtin-operators.js';
import { builtinCastRows } from './builtin-catalog-rows.js';

/** One built-in function as the privilege code needs it. */
export interface BuiltinProcInfo {
  readonly oid: number;
  readonly name: string;
  readonly schema: 'pg_catalog' | 'public';
  /** prokind: f function, a aggregate, w window function */
  readonly kind: string;
  /** proargtypes as OIDs */
  readonly args: readonly number[];
}

const typeOid = (name: string): number => typeByName(name)?.oid ?? 0;
const typeNameOf = (oid: number): string => TYPES.get(oid)?.name ?? '';

function info(p: BuiltinProc): BuiltinProcInfo {
  return { oid: p[0], name: p[1], schema: p[2], kind: p[3], args: p[14] === '' ? [] : p[14].split(' ').map(typeOid) };
}

let byName: Map<string, BuiltinProcInfo[]> | undefined;
let byOid: Map<number, BuiltinProcInfo> | undefined;

function index(): Map<string, BuiltinProcInfo[]> {
  if (!byName) {
    byName = new Map();
    byOid = new Map();
    const add = (i: BuiltinProcInfo) => {
      byOid!.set(i.oid, i);
      byName!.set(i.name, [...(byName!.get(i.name) ?? []), i]);
    };
    for (const p of BUILTIN_PROCS) add(info(p));
    // operators' functions (int4pl) are not all callable by name in Quiver, but have privileges all the same
    for (const o of BUILTIN_OPERATORS) {
      if (byOid.has(o[11])) continue;
      const args = o[6] === '' ? [typeOid(o[7])] : [typeOid(o[6]), typeOid(o[7])];
      add({ oid: o[11], name: o[15].replace(/^pg_catalog\./, ''), schema: o[2], kind: 'f', args });
    }
  }
  return byName;
}

/** The built-in function with this OID (pgvector's only when the extension exists). */
export function builtinProc(oid: number, withVector: boolean): BuiltinProcInfo | undefined {
  index();
  const p = byOid!.get(oid);
  return p && (withVector || p.schema === 'pg_catalog') ? p : undefined;
}

/** Every built-in function of a schema (GRANT … ON ALL FUNCTIONS IN SCHEMA). */
export function builtinProcsInSchema(schema: string, withVector: boolean): BuiltinProcInfo[] {
  if (schema === 'public' && !withVector) return [];
  return [...index().values()].flat().filter((p) => p.schema === schema);
}

/** `abs(integer)` as getObjectDescription and format_procedure write it */
export function builtinProcSignature(p: BuiltinProcInfo): string {
  return `${p.name}(${p.args.map((a) => formatType({ oid: a, typmod: -1 })).join(',')})`;
}

/**
 * The built-in function `name(argTypes)` (LookupFuncWithArgs): without an argument list the
 * name must be unique; undefined when there is none of that name at all (the caller then
 * reports the missing function as it reports a missing user function).
 */
export function lookupBuiltinProc(name: string, schema: string | undefined, argTypes: readonly SqlType[] | undefined, searchPath: readonly string[], withVector: boolean): BuiltinProcInfo | undefined {
  const visible = (p: BuiltinProcInfo) => (withVector || p.schema === 'pg_catalog') && (schema ? p.schema === schema : p.schema === 'pg_catalog' || searchPath.includes(p.schema));
  const named = (index().get(name) ?? []).filter(visible);
  if (named.length === 0) return undefined;
  if (!argTypes) {
    if (named.length > 1) throw new SqlError('42725', `function name "${name}" is not unique`, { hint: 'Specify the argument list to select the function unambiguously.' });
    return named[0];
  }
  const wanted = argTypes.map((t) => t.oid).join(' ');
  const found = named.find((p) => p.args.join(' ') === wanted);
  if (!found) throw new SqlError(SqlState.undefinedFunction, `function ${name}(${argTypes.map(formatType).join(', ')}) does not exist`);
  return found;
}

const POLYMORPHIC = new Set(['any', 'anyelement', 'anyarray', 'anynonarray', 'anycompatible', 'anycompatiblearray', 'anycompatiblenonarray', 'anyenum', 'anyrange', 'record', '_record']);

/** every built-in proc's declared argument names (typnames), to match calls against */
let declared: Map<number, { names: string[]; variadic: string; defaults: number }> | undefined;

function declaredArgs(p: BuiltinProcInfo): { names: string[]; variadic: string; defaults: number } {
  declared ??= new Map(BUILTIN_PROCS.map((r) => [r[0], { names: r[14] === '' ? [] : r[14].split(' '), variadic: r[15], defaults: r[12] }]));
  return declared.get(p.oid) ?? { names: p.args.map((a) => typeNameOf(a)), variadic: '', defaults: 0 };
}

/**
 * The pg_proc row a call of `name` with arguments of `types` (as Quiver bound them) runs:
 * the candidate whose declared types match the most arguments exactly, polymorphic ones
 * matching anything. undefined when no built-in row fits (nothing to check then).
 */
export function builtinProcForCall(name: string, types: readonly SqlType[], kinds: string): BuiltinProcInfo | undefined {
  let best: BuiltinProcInfo | undefined;
  let bestScore = -1;
  for (const p of index().get(name) ?? []) {
    if (!kinds.includes(p.kind)) continue;
    const d = declaredArgs(p);
    const n = types.length;
    const fits = d.variadic !== '' ? n >= d.names.length - 1 : n <= d.names.length && n >= d.names.length - d.defaults;
    if (!fits) continue;
    let score = 0;
    for (let i = 0; i < n && score >= 0; i++) {
      const want = i < d.names.length && !(d.variadic !== '' && i === d.names.length - 1) ? d.names[i] : d.variadic;
      if (POLYMORPHIC.has(want)) score += 1;
      else if (typeOid(want) === types[i].oid) score += 2;
      else score = -1;
    }
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

let operatorCode: Map<string, number> | undefined;

/** The function behind operator `op` on these operand types (pg_operator.oprcode), if it is a built-in pg_proc row. */
export function builtinProcForOperator(op: string, types: readonly SqlType[]): BuiltinProcInfo | undefined {
  operatorCode ??= new Map(BUILTIN_OPERATORS.map((o) => [`${o[1]}/${o[6] === '' ? 0 : typeOid(o[6])}/${typeOid(o[7])}`, o[11]]));
  const [left, right] = types.length === 1 ? [0, types[0].oid] : [types[0].oid, types[1].oid];
  const code = operatorCode.get(`${op}/${left}/${right}`);
  return code === undefined ? undefined : (index(), byOid!.get(code));
}

let castFunction: Map<string, number> | undefined;

/** The function a cast from `source` to `target` runs (pg_cast.castfunc), if it is a built-in pg_proc row. */
export function builtinProcForCast(source: number, target: number): BuiltinProcInfo | undefined {
  castFunction ??= new Map(builtinCastRows(true).filter((r) => r[3] !== 0).map((r) => [`${r[1]}/${r[2]}`, r[3] as number]));
  const code = castFunction.get(`${source}/${target}`);
  return code === undefined ? undefined : (index(), byOid!.get(code));
}
