/**
 * pg_cast, pg_aggregate and pg_collation rows and pg_type's support functions, from
 * PostgreSQL's own rows (builtin-catalogs.ts): psql's \dC and \dO, pgjdbc's and DBeaver's
 * `pg_aggregate JOIN pg_proc`, pgjdbc's `typinput = 'array_in'::regproc` read them.
 * pgvector's casts and aggregates exist, as in PostgreSQL, once `CREATE EXTENSION vector` ran.
 */
import { NAMESPACE } from '../catalog.js';
import { typeByName, type Row } from '../../types/types.js';
import { BUILTIN_AGGREGATES, BUILTIN_CASTS, BUILTIN_COLLATIONS, BUILTIN_TYPE_PROCS, SUPPORT_PROCS } from './builtin-catalogs.js';
import { ROLE } from './objects.js';

const typeOid = (name: string): number => (name === '' ? 0 : typeByName(name)?.oid ?? 0);

let casts: { core: Row[]; vector: Row[] } | undefined;

/** pg_cast's rows: PostgreSQL's, then pgvector's when the extension is created */
export function builtinCastRows(withVector: boolean): Row[] {
  if (!casts) {
    const row = ([oid, source, target, func, context, method]: (typeof BUILTIN_CASTS)[number]): Row => [oid, typeOid(source), typeOid(target), func, context, method];
    casts = { core: BUILTIN_CASTS.filter((c) => !c[6]).map(row), vector: BUILTIN_CASTS.filter((c) => c[6]).map(row) };
  }
  return withVector ? [...casts.core, ...casts.vector] : casts.core;
}

/** pgvector's cast OIDs: members of the vector extension in pg_depend */
export function pgvectorCastOids(): number[] {
  return BUILTIN_CASTS.filter((c) => c[6]).map((c) => c[0]);
}

/** a cast's source and target types (pg_describe_object's "cast from … to …") */
export function builtinCastTypes(oid: number): { source: number; target: number } | undefined {
  const c = BUILTIN_CASTS.find((x) => x[0] === oid);
  return c && { source: typeOid(c[1]), target: typeOid(c[2]) };
}

/** pg_aggregate's rows for the aggregates in pg_proc (pgvector's once the extension is created) */
export function builtinAggregateRows(withVector: boolean): Row[] {
  return BUILTIN_AGGREGATES.filter((a) => withVector || !a[22]).map((a) => {
    const row: Row = a.slice(0, 22);
    row[16] = typeOid(a[16]); // aggtranstype
    row[18] = typeOid(a[18]); // aggmtranstype
    return row;
  });
}

/** pg_collation: the libc collations, all of which compare as Quiver does (by code point) */
export function builtinCollationRows(): Row[] {
  return BUILTIN_COLLATIONS.map(([oid, name, provider, deterministic, encoding, collate, ctype, icuLocale, version]) =>
    [oid, name, NAMESPACE.pg_catalog, ROLE.bootstrap, provider, deterministic, encoding, collate, ctype, icuLocale, version]);
}

/** a collation's name by OID (pg_describe_object) */
export function builtinCollationName(oid: number): string | undefined {
  return BUILTIN_COLLATIONS.find((c) => c[0] === oid)?.[1];
}

let typeProcs: Map<string, readonly number[]> | undefined;

/**
 * pg_type's typinput, typoutput, typreceive, typsend, typmodin, typmodout, typanalyze and
 * typsubscript of a type (PostgreSQL's; 0 where it has none), by typname.
 */
export function builtinTypeProcs(typname: string): readonly number[] | undefined {
  typeProcs ??= new Map(BUILTIN_TYPE_PROCS.map(([name, ...procs]) => [name, procs]));
  return typeProcs.get(typname);
}

/** regproc output (PostgreSQL's) of the functions above that are not in pg_proc, by OID */
export function supportProcNames(): ReadonlyMap<number, string> {
  return new Map(SUPPORT_PROCS.map((p) => [p[0], p[2]]));
}

/** regproc input of those functions: name → OID for the names that are not overloaded */
export function supportProcOids(): Readonly<Record<string, number>> {
  const count = new Map<string, number>();
  for (const p of SUPPORT_PROCS) count.set(p[1], (count.get(p[1]) ?? 0) + 1);
  return Object.fromEntries(SUPPORT_PROCS.filter((p) => count.get(p[1]) === 1).map((p) => [p[1], p[0]]));
}
