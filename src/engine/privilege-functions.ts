/**
 * The access privilege inquiry functions (PostgreSQL's acl.c): has_table_privilege,
 * has_sequence_privilege, has_schema_privilege, has_any_column_privilege /
 * has_column_privilege (the table's privilege or the column's), has_database_privilege,
 * has_function_privilege, has_type_privilege, pg_has_role, and
 * pg_get_userbyid — answered from the roles and the objects' ACLs, never a constant true —
 * and row_security_active.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog, TableDef } from '../catalog/catalog.js';
import type { DropStmt } from '@pgsql/types';
import { databaseOid } from '../catalog/system/relations.js';
import { ALL_COLUMN_PRIVILEGES, columnSecurable } from './grant-objects.js';
import { resolveFunction } from './ddl/function.js';
import { bindDrop } from '../sql/ddl/bind-objects.js';
import { parseSql } from '../sql/parser.js';
import { builtinProc, lookupBuiltinProc, type BuiltinProcInfo } from '../catalog/system/builtin-proc-lookup.js';
import { scalarCandidates } from '../functions/scalar.js';
import { isAggregateName } from '../functions/index.js';
import { parseRegtype } from '../types/text-io.js';
import type { ScalarFunction } from '../functions/api.js';
import { ALL_DATABASE_PRIVILEGES, ALL_FUNCTION_PRIVILEGES, ALL_TYPE_PRIVILEGES, ALL_SCHEMA_PRIVILEGES, ALL_SEQUENCE_PRIVILEGES, ALL_TABLE_PRIVILEGES, PRIVILEGE_LETTERS, hasPrivilege, hasTablePrivilege, type Roles, type Securable } from '../catalog/roles.js';
import { parseQualifiedName } from '../sql/names.js';
import { rowSecurityApplies } from '../sql/row-security.js';
import { OID, T, TYPES, type SqlType, type Value } from '../types/types.js';

export interface PrivilegeSession {
  readonly catalog: Catalog;
  readonly roles: Roles;
  currentRoleOid(): number;
  searchPath(): string[];
  /** the cluster's databases (has_database_privilege) */
  databaseNames(): string[];
}

const TEXTUAL = new Set<number>([OID.text, OID.name, OID.unknown, OID.varchar, OID.bpchar]);
const isText = (t: SqlType | undefined): boolean => t !== undefined && TEXTUAL.has(t.oid);

type Kind = 'table' | 'sequence' | 'schema' | 'column' | 'database' | 'function' | 'type';

const KINDS: Record<string, Kind> = {
  has_table_privilege: 'table', has_sequence_privilege: 'sequence', has_schema_privilege: 'schema',
  has_any_column_privilege: 'column', has_column_privilege: 'column', has_database_privilege: 'database', has_function_privilege: 'function',
  has_type_privilege: 'type',
};
/** the privilege names each function accepts (convert_*_priv_string) */
const ACCEPTED: Record<Kind, readonly string[]> = {
  table: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'],
  column: ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'],
  sequence: ['USAGE', 'SELECT', 'UPDATE'],
  schema: ['CREATE', 'USAGE'],
  database: ['CREATE', 'CONNECT', 'TEMPORARY', 'TEMP'],
  function: ['EXECUTE'],
  type: ['USAGE'],
};

/** 'SELECT, UPDATE WITH GRANT OPTION' → [letter, withGrantOption][] */
function privileges(kind: Kind, text: string): [string, boolean][] {
  return text.split(',').map((p) => {
    const m = /^\s*(\w+)(\s+WITH\s+GRANT\s+OPTION)?\s*$/i.exec(p);
    const name = m?.[1].toUpperCase() ?? '';
    if (!m || !ACCEPTED[kind].includes(name)) throw new SqlError(SqlState.invalidParameterValue, `unrecognized privilege type: "${p.trim()}"`);
    return [PRIVILEGE_LETTERS[name], m[2] !== undefined];
  });
}

function fn(argTypes: SqlType[], returnType: SqlType, impl: (a: readonly Value[]) => Value): ScalarFunction {
  return { kind: 'scalar', argTypes, returnType, strict: true, volatile: false, impl };
}

export function privilegeFunction(session: PrivilegeSession, name: string, argTypes: readonly SqlType[]): ScalarFunction | undefined {
  const n = argTypes.length;
  const roles = session.roles;
  const role = (v: Value, textual: boolean): number | undefined => (textual ? roles.require(String(v)).oid : roles.get(Number(v))?.oid);
  if (name === 'row_security_active' && n === 1) {
    // would current_user's queries of the table get its policies (check_enable_rls, never an error here)?
    const textual = isText(argTypes[0]);
    return fn([textual ? T.text : T.oid], T.bool, (a) => {
      const target = objectOf(session, 'table', a[0], textual);
      if (!target) return false;
      const table = session.catalog.tables.get((target.obj as { oid?: number }).oid ?? -1);
      return table ? rowSecurityApplies(table, { roles, role: session.currentRoleOid(), enabled: true }, session.currentRoleOid()) : false;
    });
  }
    if (name === 'pg_get_userbyid' && n === 1) return fn([T.oid], T.name, (a) => roles.nameOf(Number(a[0])));
  if (name === 'pg_has_role' && (n === 2 || n === 3)) {
    const types = argTypes.map((t, i) => (i === n - 1 || isText(t) ? T.text : T.oid));
    return fn(types, T.bool, (a) => {
      const member = n === 3 ? role(a[0], isText(argTypes[0])) : session.currentRoleOid();
      const target = role(a[n - 2], isText(argTypes[n - 2]));
      if (member === undefined || target === undefined) return null;
      return String(a[n - 1]).split(',').some((p) => {
        const mode = p.trim().toUpperCase().replace(/\s+/g, ' ');
        if (mode === 'MEMBER') return roles.isMemberOf(member, target);
        if (mode === 'USAGE') return roles.hasPrivilegesOf(member, target);
        if (mode === 'MEMBER WITH ADMIN OPTION' || mode === 'USAGE WITH ADMIN OPTION' || mode === 'USAGE WITH GRANT OPTION') {
          return roles.isSuperuser(member) || roles.hasAdminOption(member, target);
        }
        throw new SqlError(SqlState.invalidParameterValue, `unrecognized privilege type: "${p.trim()}"`);
      });
    });
  }
  const kind = KINDS[name];
  // has_column_privilege([user,] table, column, priv): one more argument
  const objectArgs = name === 'has_column_privilege' ? 2 : 1;
  if (!kind || (n !== objectArgs + 1 && n !== objectArgs + 2)) return undefined;
  const withUser = n === objectArgs + 2;
  const objAt = withUser ? 1 : 0;
  // the column of has_column_privilege: a name, or an attnum (smallint)
  const columnByName = n > objAt + 2 ? isText(argTypes[objAt + 1]) : true;
  const types = argTypes.map((t, i) => (i === n - 1 || isText(t) ? T.text : i === objAt + 1 && n > objAt + 2 ? T.int2 : T.oid));
  return fn(types, T.bool, (a) => {
    const who = withUser ? role(a[0], isText(argTypes[0])) : session.currentRoleOid();
    const target = objectOf(session, kind, a[objAt], isText(argTypes[objAt]));
    if (who === undefined || target === undefined) return null;
    if (target.everyone) return true;
    const asked = privileges(kind, String(a[n - 1]));
    const onTable = asked.some(([letter, grant]) =>
      (kind === 'table' || kind === 'column') && !grant ? hasTablePrivilege(roles, who, target.obj, letter) : hasPrivilege(roles, who, target.obj, letter, target.all, grant));
    if (onTable || kind !== 'column') return onTable;
    // column privileges: of the named column (has_column_privilege) or of any column
    const table = target.obj as TableDef;
    let columns = table.columns;
    if (name === 'has_column_privilege') {
      const c = a[objAt + 1];
      const col = columnByName ? table.columns.find((x) => x.name === String(c)) : table.columns[Number(c) - 1];
      if (!col) {
        if (!columnByName) return null;
        throw new SqlError(SqlState.undefinedColumn, `column "${String(c)}" of relation "${table.name}" does not exist`);
      }
      columns = [col];
    }
    return columns.some((col) => asked.some(([letter, grant]) => hasPrivilege(roles, who, columnSecurable(table, col), letter, ALL_COLUMN_PRIVILEGES, grant)));
  });
}

/** A database by name (an error when missing) or OID (NULL when missing), with its owner and ACL. */
function databaseOf(session: PrivilegeSession, v: Value, textual: boolean): { obj: Securable; all: string } | undefined {
  const names = session.databaseNames();
  const name = textual ? String(v) : names.find((d) => databaseOid({ databases: names }, d) === Number(v));
  if (name === undefined) return undefined;
  if (!names.includes(name)) throw new SqlError(SqlState.invalidCatalogName, `database "${name}" does not exist`);
  return { obj: session.roles.databases[name] ?? {}, all: ALL_DATABASE_PRIVILEGES };
}

/**
 * A function by signature text (`f(integer)`, as regprocedure reads it) or OID: a CREATE
 * FUNCTION function or a built-in one (with the ACL GRANT / REVOKE gave it). Other OIDs of
 * the system range (functions Quiver does not list) keep PostgreSQL's default: `everyone`.
 */
function functionOf(session: PrivilegeSession, v: Value, textual: boolean): { obj: Securable; all: string; everyone?: boolean } | undefined {
  const catalog = session.catalog;
  const withVector = catalog.extensions.has('vector');
  const builtin = (oid: number) => ({ obj: catalog.builtinProcAcl(oid), all: ALL_FUNCTION_PRIVILEGES });
  if (!textual) {
    const f = catalog.functions.get(Number(v));
    if (f) return { obj: f, all: ALL_FUNCTION_PRIVILEGES };
    if (builtinProc(Number(v), withVector)) return builtin(Number(v));
    return Number(v) < 16384 ? { obj: {}, all: ALL_FUNCTION_PRIVILEGES, everyone: true } : undefined;
  }
  const text = String(v);
  if (!text.includes('(')) throw new SqlError(SqlState.invalidTextRepresentation, `expected a left parenthesis`);
  const drop = parseSql(`DROP FUNCTION ${text}`)[0]?.node as { DropStmt?: DropStmt } | undefined;
  const ref = drop?.DropStmt ? bindDrop(drop.DropStmt) : undefined;
  if (!ref || !('functions' in ref) || ref.functions.length !== 1) throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type regprocedure: "${text}"`);
  const fref = ref.functions[0];
  const lookup = { catalog, searchPath: session.searchPath(), notices: [] };
  const f = resolveFunction(lookup, fref, true);
  if (f) return { obj: f, all: ALL_FUNCTION_PRIVILEGES };
  let p: BuiltinProcInfo | undefined;
  try {
    p = lookupBuiltinProc(fref.name, fref.schema, fref.argTypes, session.searchPath(), withVector);
  } catch {
    p = undefined;
  }
  if (p) return builtin(p.oid);
  // a function Quiver implements without its pg_proc row: PostgreSQL's default, PUBLIC may execute it
  if (scalarCandidates(fref.name).length > 0 || isAggregateName(fref.name)) return { obj: {}, all: ALL_FUNCTION_PRIVILEGES, everyone: true };
  throw new SqlError(SqlState.undefinedFunction, `function "${text}" does not exist`);
}

/** A type by name (as regtype reads it: an error when missing) or OID (NULL when missing); an array type's privileges are its element type's. */
function typeOf(session: PrivilegeSession, v: Value, textual: boolean): { obj: Securable; all: string } | undefined {
  const oid = textual ? parseRegtype(String(v)) : Number(v);
  const info = TYPES.get(oid);
  if (!info) return undefined;
  const base = info.category === 'A' && info.elem !== undefined ? info.elem : oid;
  return { obj: session.catalog.typeAcls.get(base) ?? {}, all: ALL_TYPE_PRIVILEGES };
}

/** The object a privilege function names (by name: an error when missing; by OID: NULL). */
function objectOf(session: PrivilegeSession, kind: Kind, v: Value, textual: boolean): { obj: Securable; all: string; everyone?: boolean } | undefined {
  const catalog = session.catalog;
  if (kind === 'database') return databaseOf(session, v, textual);
  if (kind === 'function') return functionOf(session, v, textual);
  if (kind === 'type') return typeOf(session, v, textual);
  if (kind === 'schema') {
    const name = textual ? String(v) : catalog.namespaceName(Number(v));
    if (name === undefined) return undefined;
    const s = catalog.schemaPrivileges(name);
    if (s) return { obj: s, all: ALL_SCHEMA_PRIVILEGES };
    // pg_catalog, information_schema: owned by the bootstrap superuser, usable by everyone
    if (name === 'pg_catalog' || name === 'information_schema') return { obj: { owner: 10, acl: [{ grantee: 10, grantor: 10, privs: 'UC', grantable: '' }, { grantee: 0, grantor: 10, privs: 'U', grantable: '' }] }, all: ALL_SCHEMA_PRIVILEGES };
    throw new SqlError('3F000', `schema "${name}" does not exist`);
  }
  if (!textual) {
    const oid = Number(v);
    const t = catalog.tables.get(oid);
    if (t) return { obj: t, all: ALL_TABLE_PRIVILEGES };
    const s = catalog.sequences.get(oid);
    return s ? { obj: s, all: ALL_SEQUENCE_PRIVILEGES } : undefined;
  }
  const parts = parseQualifiedName(String(v));
  const rel = parts[parts.length - 1];
  const schemas = parts.length > 1 ? [parts[parts.length - 2]] : session.searchPath();
  for (const s of schemas) {
    const seq = catalog.findSequence(s, rel);
    if (seq) return { obj: seq, all: ALL_SEQUENCE_PRIVILEGES };
    const t = catalog.findTable(s, rel);
    if (t) {
      if (kind === 'sequence') throw new SqlError(SqlState.wrongObjectType, `"${String(v)}" is not a sequence`);
      return { obj: t, all: ALL_TABLE_PRIVILEGES };
    }
  }
  throw new SqlError(SqlState.undefinedTable, `relation "${String(v)}" does not exist`);
}
