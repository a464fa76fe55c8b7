/**
 * pg_proc and pg_operator rows of the built-in functions and operators (builtin-procs.ts and
 * builtin-operators.ts, PostgreSQL's own rows for what Quiver can call): pgcli's completion,
 * psql's \df and \do, DBeaver and pgjdbc's getFunctions read them. pgvector's exist, as in
 * PostgreSQL, once `CREATE EXTENSION vector` ran.
 */
import { NAMESPACE } from '../catalog.js';
import { formatType, typeByName, type Row } from '../../types/types.js';
import { BUILTIN_PROCS, type BuiltinProc } from './builtin-procs.js';
import { BUILTIN_OPERATORS, type BuiltinOperator } from './builtin-operators.js';
import { CLASS_OID, ROLE } from './objects.js';
import { supportProcNames, supportProcOids } from './builtin-catalog-rows.js';

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

function procByOid(oid: number): BuiltinProc | undefined {
  byOid ??= new Map(BUILTIN_PROCS.map((p) => [p[0], p]));
  return byOid.get(oid);
}

/**
 * pg_get_function_arguments / _identity_arguments / _result of a built-in function: the text
 * PostgreSQL printed for it (with its defaults and ORDER BY for ordered-set aggregates).
 */
export function builtinProcSignature(oid: number, which: string): string | undefined {
  const p = procByOid(oid);
  if (!p) return undefined;
  return which === 'pg_get_function_result' ? p[22] : which === 'pg_get_function_identity_arguments' ? p[21] : p[20];
}

const TYPE_SPELLINGS: Record<string, string> = {
  integer: 'int4', int: 'int4', bigint: 'int8', smallint: 'int2', real: 'float4', 'double precision': 'float8', boolean: 'bool',
  'character varying': 'varchar', character: 'bpchar', 'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time', decimal: 'numeric', '"any"': 'any',
};

/** a type as regprocedure input spells it ('integer', 'text[]') → pg_type.typname ('int4', '_text') */
function typname(spelling: string): string {
  const t = spelling.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t.endsWith('[]')) return '_' + typname(t.slice(0, -2));
  return TYPE_SPELLINGS[t] ?? t.replace(/^pg_catalog\./, '').replace(/^public\./, '');
}

/**
 * regprocin / regprocedurein for a built-in: the function's OID when the name is unique or
 * the argument types (regprocedure's `name(type, …)`) pick one; 'ambiguous' when overloaded.
 */
export function builtinProcOid(name: string, schema?: string, args?: readonly string[]): number | 'ambiguous' | undefined {
  let found = BUILTIN_PROCS.filter((p) => p[1] === name && (schema === undefined || p[2] === schema));
  if (args) {
    const want = args.map(typname).join(' ');
    found = found.filter((p) => p[14] === want);
  }
  if (found.length > 1) return 'ambiguous';
  return found[0]?.[0];
}

function operatorRow(o: BuiltinOperator): Row {
  const [oid, name, nsp, kind, canMerge, canHash, left, right, result, com, negate, code, rest, join] = o;
  return [oid, name, NAMESPACE[nsp], ROLE.bootstrap, kind, canMerge, canHash, left === '' ? 0 : typeOid(left), typeOid(right), typeOid(result),
    com, negate, code, rest, join];
}

let coreOps: Row[] | undefined;
let vectorOps: Row[] | undefined;

/** pg_operator's built-in rows (pgvector's once the extension is created) */
export function builtinOperatorRows(withVector: boolean): Row[] {
  coreOps ??= BUILTIN_OPERATORS.filter((o) => o[2] === 'pg_catalog').map(operatorRow);
  if (!withVector) return coreOps;
  vectorOps ??= BUILTIN_OPERATORS.filter((o) => o[2] === 'public').map(operatorRow);
  return [...coreOps, ...vectorOps];
}

/** pgvector's operator OIDs: members of the vector extension in pg_depend */
export function pgvectorOperatorOids(): number[] {
  return BUILTIN_OPERATORS.filter((o) => o[2] === 'public').map((o) => o[0]);
}

/** pg_description rows (objoid, classoid, objsubid, description) of the built-in functions and operators */
export function builtinDescriptionRows(withVector: boolean): Row[] {
  const rows: Row[] = [];
  for (const p of BUILTIN_PROCS) if (p[23] !== '' && (withVector || p[2] === 'pg_catalog')) rows.push([p[0], CLASS_OID.pg_proc, 0, p[23]]);
  for (const o of BUILTIN_OPERATORS) if (o[14] !== '' && (withVector || o[2] === 'pg_catalog')) rows.push([o[0], CLASS_OID.pg_operator, 0, o[14]]);
  return rows;
}

let descriptionByKey: Map<string, string> | undefined;

/** obj_description of a built-in function or operator */
export function builtinDescription(objoid: number, classoid: number): string | undefined {
  descriptionByKey ??= new Map(builtinDescriptionRows(true).map((r) => [`${r[0]}/${r[1]}`, r[3] as string]));
  return descriptionByKey.get(`${objoid}/${classoid}`);
}

/**
 * Functions clients name as regproc that are not callable from SQL (their arguments are
 * internal or cstring): core's type I/O that pgjdbc tests (typinput = 'array_in'::regproc),
 * access methods' handlers (pg_am.amhandler), aggregates' support functions; name → OID
 * (builtin-catalogs.ts; pgvector's all are in pg_proc).
 */
export const INTERNAL_PROCS: Readonly<Record<string, number>> = supportProcOids();

/** pg_am.amhandler: core's handlers are support functions, pgvector's (hnswhandler …) are in pg_proc */
export function amHandlerOid(name: string): number {
  const oid = INTERNAL_PROCS[name] ?? builtinProcOid(name);
  if (typeof oid !== 'number') throw new Error(`bug: no access method handler ${name}`);
  return oid;
}

let regprocNames: Map<number, string> | undefined;

/** regproc output of a built-in function (pg_catalog.abs when overloaded), operators' functions included */
export function builtinRegprocName(oid: number): string | undefined {
  if (!regprocNames) {
    regprocNames = new Map(BUILTIN_OPERATORS.map((o) => [o[11], o[15]]));
    for (const p of BUILTIN_PROCS) regprocNames.set(p[0], p[24]);
    for (const [oid, name] of supportProcNames()) regprocNames.set(oid, name);
  }
  return regprocNames.get(oid);
}

/** format_procedure / format_operator's pieces for a built-in: [name, argument type names] */
export function builtinProcSignatureParts(oid: number): { name: string; args: number[] } | undefined {
  const p = procByOid(oid);
  return p ? { name: p[1], args: typeOids(p[14]) } : undefined;
}

let operatorByOid: Map<number, BuiltinOperator> | undefined;

export function builtinOperatorParts(oid: number): { name: string; left: number; right: number } | undefined {
  operatorByOid ??= new Map(BUILTIN_OPERATORS.map((o) => [o[0], o]));
  const o = operatorByOid.get(oid);
  return o ? { name: o[1], left: o[6] === '' ? 0 : typeOid(o[6]), right: typeOid(o[7]) } : undefined;
}

/**
 * regoperout: the operator's name, schema-qualified when other operators share it
 * (OpernameGetCandidates finds more than one); with `signature`, regoperatorout's
 * `name(lefttype,righttype)` (NONE for a prefix operator's left). Operators are all built-in.
 */
export function builtinOperatorName(oid: number, signature = false): string | undefined {
  operatorByOid ??= new Map(BUILTIN_OPERATORS.map((o) => [o[0], o]));
  const o = operatorByOid.get(oid);
  if (!o) return undefined;
  if (signature) {
    const type = (name: string): string => formatType({ oid: typeOid(name), typmod: -1 });
    return `${o[1]}(${o[6] === '' ? 'NONE' : type(o[6])},${type(o[7])})`;
  }
  return BUILTIN_OPERATORS.filter((x) => x[1] === o[1]).length > 1 ? `${o[2]}.${o[1]}` : o[1];
}

let byName: Map<string, BuiltinProc[]> | undefined;

/** The built-in functions of a name (every overload). */
export function builtinProcsNamed(name: string): readonly BuiltinProc[] {
  if (!byName) {
    byName = new Map();
    for (const p of BUILTIN_PROCS) byName.set(p[1], [...(byName.get(p[1]) ?? []), p]);
  }
  return byName.get(name) ?? [];
}
