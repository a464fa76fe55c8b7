/**
 * regprocin / regprocedurein: a function's name ('l2_distance', 'public.f',
 * 'pg_catalog.abs(integer)', '-') → its OID. Shared by the binder ('name'::regproc literals)
 * and the session (a Bind parameter of type regproc, as pgcli's `\ef` sends it).
 */
import { SqlError, SqlState } from '../../errors.js';
import { INTERNAL_PROCS, builtinProcOid } from '../system/builtin-proc-rows.js';

/** a CREATE FUNCTION's OID by name (and schema when qualified) */
export type UserFunctionOid = (name: string, schema?: string) => number | undefined;

export function regprocInput(text: string, userFunctionOid: UserFunctionOid | undefined): number {
  const t = text.trim();
  if (t === '-') return 0;
  if (/^\d+$/.test(t)) return Number(t);
  const catalogQualified = /^(pg_catalog|"pg_catalog")\./.test(t);
  const name = t.replace(/^(pg_catalog|"pg_catalog")\./, '').replace(/\(.*\)$/, '').replace(/^"(.*)"$/, '$1');
  // CREATE FUNCTION's functions, by name (optionally schema-qualified)
  const [schema, bare] = name.includes('.') ? name.split('.', 2) : [undefined, name];
  const user = catalogQualified ? undefined : userFunctionOid?.(bare, schema);
  if (user !== undefined) return user;
  // built-ins listed in pg_proc: regproc needs a unique name, regprocedure's argument list picks an overload
  const argList = /\((.*)\)$/.exec(t)?.[1];
  const args = argList === undefined ? undefined : argList.trim() === '' ? [] : argList.split(',');
  const builtin = builtinProcOid(bare, catalogQualified ? 'pg_catalog' : schema, args);
  if (builtin === 'ambiguous') throw new SqlError(SqlState.ambiguousFunction, `more than one function named "${t}"`);
  if (builtin !== undefined) return builtin;
  const oid = INTERNAL_PROCS[name];
  if (oid === undefined) throw new SqlError(SqlState.undefinedFunction, `function "${t}" does not exist`);
  return oid;
}
