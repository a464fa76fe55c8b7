/**
 * GRANT / REVOKE privileges ON tables (and their columns), sequences, schemas, databases,
 * functions (built-in ones too) and types, with PostgreSQL 15's rules and messages (aclchk.c ExecGrantStmt_oids):
 * the owner (or a superuser, granting as the owner) grants anything, others only what they
 * hold WITH GRANT OPTION, with PostgreSQL's warnings when that is less than asked.
 */
import { SqlError, SqlState, type SqlNotice } from '../errors.js';
import type { Catalog, ColumnDef, SequenceDef, SqlFunctionDef, TableDef } from '../catalog/catalog.js';
import {
  ALL_DATABASE_PRIVILEGES, ALL_FUNCTION_PRIVILEGES, ALL_SCHEMA_PRIVILEGES, ALL_SEQUENCE_PRIVILEGES, ALL_TABLE_PRIVILEGES, ALL_TYPE_PRIVILEGES, PRIVILEGE_LETTERS, PUBLIC_ROLE,
  grantPrivileges, hasPrivilege, isOwner, ownerOf, revokePrivileges, type Roles, type Securable,
} from '../catalog/roles.js';
import type { RoleRef, RoleStatement } from '../sql/bind-role.js';
import type { SessionContext } from './context.js';
import { resolveFunction } from './ddl/function.js';
import { builtinProcsInSchema, lookupBuiltinProc, type BuiltinProcInfo } from '../catalog/system/builtin-proc-lookup.js';
import type { FunctionRef, QualifiedName } from '../sql/ddl/types.js';
import { formatType, typeByName } from '../types/types.js';
import { isVectorType } from '../catalog/system/relations.js';

type GrantStatement = Extract<RoleStatement, { kind: 'grantObject' }>;
export type TargetKind = 'table' | 'sequence' | 'schema' | 'database' | 'function' | 'type';
/** `args`: a function's argument types, for messages */
type Target = { obj: Securable; kind: TargetKind; name: string; all: string; table?: TableDef; args?: string };

/** the privileges a column can have (ACL_ALL_RIGHTS_COLUMN) */
export const ALL_COLUMN_PRIVILEGES = 'arwx';

const denied = (message: string): SqlError => new SqlError(SqlState.insufficientPrivilege, message);

function warn(notices: SqlNotice[], message: string, code: string): void {
  notices.push({ severity: 'WARNING', code, message });
}

function targets(catalog: Catalog, ctx: SessionContext, stmt: GrantStatement): Target[] {
  if (stmt.target === 'database') {
    return stmt.objects.map((o) => {
      if (!ctx.engine.databases.has(o.name)) throw new SqlError(SqlState.invalidCatalogName, `database "${o.name}" does not exist`);
      return { obj: ctx.engine.roles.database(o.name), kind: 'database', name: o.name, all: ALL_DATABASE_PRIVILEGES };
    });
  }
  if ((stmt.target === 'function' || stmt.target === 'procedure') && stmt.functions) {
    return stmt.functions.map((f) => {
      // Quiver has no procedures: every routine is a function (LookupFuncWithArgs' errors)
      if (stmt.target === 'procedure' && !f.argTypes) throw new SqlError(SqlState.undefinedFunction, `could not find a procedure named "${f.name}"`);
      let target: Target;
      try {
        target = routineTarget(catalog, ctx, f);
      } catch (e) {
        if (stmt.target === 'procedure' && e instanceof SqlError && e.code === SqlState.undefinedFunction) throw new SqlError(e.code, e.message.replace(/^function /, 'procedure '));
        throw e;
      }
      if (stmt.target === 'procedure') throw new SqlError(SqlState.wrongObjectType, `${target.name}(${target.args}) is not a procedure`);
      return target;
    });
  }
  if (stmt.target === 'type' || stmt.target === 'domain') return stmt.objects.map((o) => typeTarget(catalog, o, stmt.target === 'domain'));
  if (stmt.target === 'schema' && !stmt.allInSchema) {
    return stmt.objects.map((o) => ({ obj: schemaOf(catalog, o.name), kind: 'schema', name: o.name, all: ALL_SCHEMA_PRIVILEGES }));
  }
  if (stmt.allInSchema) {
    const out: Target[] = [];
    for (const o of stmt.objects) {
      schemaOf(catalog, o.name);
      if (stmt.target === 'sequence') {
        for (const s of catalog.sequences.values()) if (s.schema === o.name) out.push(seqTarget(s));
      } else if (stmt.target === 'function') {
        for (const f of catalog.functions.values()) if (f.schema === o.name) out.push(functionTarget(f));
        // the built-in functions of pg_catalog, and pgvector's in public
        for (const p of builtinProcsInSchema(o.name, catalog.extensions.has('vector'))) out.push(builtinProcTarget(catalog, p));
      } else if (stmt.target === 'procedure') {
        // none: Quiver has no procedures
      } else {
        for (const t of catalog.tables.values()) if (t.schema === o.name) out.push(tableTarget(t));
      }
    }
    return out;
  }
  return stmt.objects.map((o) => {
    const path = o.schema ? [o.schema] : ctx.searchPath();
    for (const s of path) {
      const t = catalog.findTable(s, o.name);
      if (t) return tableTarget(t);
      const q = catalog.findSequence(s, o.name);
      if (q) return seqTarget(q);
    }
    throw new SqlError(SqlState.undefinedTable, `relation "${o.schema ? `${o.schema}.` : ''}${o.name}" does not exist`);
  }).map((t) => {
    if (stmt.target === 'sequence' && t.kind !== 'sequence') throw new SqlError(SqlState.wrongObjectType, `"${t.name}" is not a sequence`);
    return t;
  });
}

const tableTarget = (t: TableDef): Target => ({ obj: t, kind: 'table', name: t.name, all: ALL_TABLE_PRIVILEGES, table: t });
const seqTarget = (s: SequenceDef): Target => ({ obj: s, kind: 'sequence', name: s.name, all: ALL_SEQUENCE_PRIVILEGES });
const functionTarget = (f: SqlFunctionDef): Target => ({ obj: f, kind: 'function', name: f.name, all: ALL_FUNCTION_PRIVILEGES, args: f.params.map((p) => formatType(p.type)).join(', ') });
const builtinProcTarget = (catalog: Catalog, p: BuiltinProcInfo): Target =>
  ({ obj: catalog.builtinSecurable('proc', p.oid), kind: 'function', name: p.name, all: ALL_FUNCTION_PRIVILEGES, args: p.args.map((a) => formatType({ oid: a, typmod: -1 })).join(', ') });

/** GRANT … ON FUNCTION f(args): a CREATE FUNCTION function, else a built-in one (pgvector's included) */
function routineTarget(catalog: Catalog, ctx: SessionContext, f: FunctionRef): Target {
  const lookup = { catalog, searchPath: ctx.searchPath(), notices: [] };
  const user = resolveFunction(lookup, f, true);
  if (user) return functionTarget(user);
  const builtin = lookupBuiltinProc(f.name, f.schema, f.argTypes, ctx.searchPath(), catalog.extensions.has('vector'));
  if (builtin) return builtinProcTarget(catalog, builtin);
  return functionTarget(resolveFunction({ ...lookup, notices: ctx.notices }, f, false)!);
}

/** GRANT USAGE ON TYPE t | DOMAIN d (ExecGrant_Type): a domain, an enum or a base type, never an array type */
function typeTarget(catalog: Catalog, o: QualifiedName, domain: boolean): Target {
  const dom = catalog.findDomain(o.schema, o.name);
  if (dom) return { obj: dom, kind: 'type', name: dom.name, all: ALL_TYPE_PRIVILEGES };
  const user = catalog.findType(o.schema, o.name);
  if (user) {
    if (domain) throw new SqlError(SqlState.wrongObjectType, `"${o.name}" is not a domain`);
    return { obj: user, kind: 'type', name: user.name, all: ALL_TYPE_PRIVILEGES };
  }
  const info = typeByName(o.name);
  const schema = info && isVectorType(info.oid) ? 'public' : 'pg_catalog';
  if (!info || (o.schema !== undefined && o.schema !== schema) || (schema === 'public' && !catalog.extensions.has('vector'))) {
    throw new SqlError(SqlState.undefinedObject, `type "${o.schema ? `${o.schema}.` : ''}${o.name}" does not exist`);
  }
  if (domain) throw new SqlError(SqlState.wrongObjectType, `"${o.name}" is not a domain`);
  if (info.category === 'A' && info.elem !== undefined) {
    throw new SqlError('0LP01', 'cannot set privileges of array types', { hint: 'Set the privileges of the element type instead.' });
  }
  return { obj: catalog.builtinSecurable('type', info.oid), kind: 'type', name: info.name, all: ALL_TYPE_PRIVILEGES };
}

function schemaOf(catalog: Catalog, name: string): Securable {
  const s = catalog.schemaPrivileges(name);
  if (!s) throw new SqlError('3F000', `schema "${name}" does not exist`);
  return s;
}

/** The privilege names as letters for the object kind; ALL gives the kind's every privilege. */
function letters(privileges: readonly string[] | null, kind: TargetKind | 'column', all: string): string {
  if (privileges === null) return all;
  let out = '';
  for (const p of privileges) {
    if (p === 'ALL') {
      out += all;
      continue;
    }
    const l = PRIVILEGE_LETTERS[p];
    if (l === undefined || !all.includes(l)) throw new SqlError('0LP01', `invalid privilege type ${p} for ${kind}`);
    out += l;
  }
  return out;
}

/** A column as an object with privileges: the table's owner, and its attacl (no privileges by default). */
export function columnSecurable(table: TableDef, col: ColumnDef): Securable {
  return { owner: table.owner, acl: col.acl ?? [] };
}

export function grantObject(ctx: SessionContext, roles: Roles, me: number, stmt: GrantStatement, resolveRole: (r: RoleRef) => number): void {
  const grantees = stmt.grantees.map((r) => (r.kind === 'public' ? PUBLIC_ROLE : resolveRole(r)));
  const notices = ctx.notices;
  // restrict_and_check_grant's wording
  const verb = stmt.grant ? 'were granted' : 'could be revoked';
  const code = stmt.grant ? '01007' : '01006';
  for (const target of targets(ctx.catalog, ctx, stmt)) {
    const wanted = stmt.privileges === null || stmt.privileges.length > 0 || !stmt.columns ? letters(stmt.privileges, target.kind, target.all) : '';
    // a superuser or the owner grants as the owner; anyone else needs the grant options
    const asOwner = isOwner(roles, me, target.obj);
    const grantor = asOwner ? ownerOf(target.obj) : me;
    const may = (obj: Securable, all: string, l: string) => asOwner || hasPrivilege(roles, me, obj, l, all, true);
    const columnGrants = columnChanges(target, stmt);
    const allowed = [...wanted].filter((l) => may(target.obj, target.all, l)).join('');
    const allowedColumns = columnGrants.map((c) => ({ ...c, letters: [...c.letters].filter((l) => may(target.obj, target.all, l) || may(columnSecurable(target.table!, c.col), ALL_COLUMN_PRIVILEGES, l)).join('') }));
    // a column the grantor holds nothing on (its own or its table's): ExecGrant_Attribute's error
    for (const c of allowedColumns) {
      if (c.letters !== '' || asOwner) continue;
      const holds = [...ALL_COLUMN_PRIVILEGES].some((l) => hasPrivilege(roles, me, target.obj, l, target.all) || hasPrivilege(roles, me, columnSecurable(target.table!, c.col), l, ALL_COLUMN_PRIVILEGES));
      if (!holds) throw denied(`permission denied for column "${c.col.name}" of relation "${target.name}"`);
    }
    const asked = wanted.length + columnGrants.reduce((n, c) => n + c.letters.length, 0);
    const given = allowed.length + allowedColumns.reduce((n, c) => n + c.letters.length, 0);
    if (given === 0) {
      const anyPrivilege = [...target.all].some((l) => hasPrivilege(roles, me, target.obj, l, target.all));
      if (!anyPrivilege) throw denied(`permission denied for ${target.kind} ${target.name}`);
      warn(notices, `no privileges ${verb} for "${target.name}"`, code);
      continue;
    }
    if (given < asked) warn(notices, `not all privileges ${verb} for "${target.name}"`, code);
    for (const g of grantees) {
      if (allowed && stmt.grant) grantPrivileges(target.obj, target.all, g, grantor, allowed, stmt.grantOption);
      else if (allowed) revokePrivileges(target.obj, target.all, g, grantor, allowed, stmt.grantOption, stmt.cascade);
      for (const c of allowedColumns) changeColumn(target.table!, c.col, g, grantor, c.letters, stmt);
      // REVOKE on a table revokes the same privileges of each of its columns
      const onColumns = [...allowed].filter((l) => ALL_COLUMN_PRIVILEGES.includes(l)).join('');
      if (!stmt.grant && target.table && onColumns) for (const col of target.table.columns) if (col.acl) changeColumn(target.table, col, g, grantor, onColumns, stmt);
    }
  }
}

/** GRANT SELECT (a, b) …: the columns named and the letters each gets (columns must be of a table). */
function columnChanges(target: Target, stmt: GrantStatement): { col: ColumnDef; letters: string }[] {
  if (!stmt.columns) return [];
  const table = target.table;
  const out: { col: ColumnDef; letters: string }[] = [];
  for (const { privilege, columns } of stmt.columns) {
    if (!table) throw new SqlError('0LP01', `invalid privilege type ${privilege} for ${target.kind}`);
    const ls = letters(privilege === 'ALL' ? null : [privilege], 'column', ALL_COLUMN_PRIVILEGES);
    for (const name of columns) {
      const col = table.columns.find((c) => c.name === name);
      if (!col) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`);
      const same = out.find((o) => o.col === col);
      if (same) same.letters += ls;
      else out.push({ col, letters: ls });
    }
  }
  return out;
}

function changeColumn(table: TableDef, col: ColumnDef, grantee: number, grantor: number, ls: string, stmt: GrantStatement): void {
  const obj = columnSecurable(table, col);
  if (stmt.grant) grantPrivileges(obj, ALL_COLUMN_PRIVILEGES, grantee, grantor, ls, stmt.grantOption);
  else revokePrivileges(obj, ALL_COLUMN_PRIVILEGES, grantee, grantor, ls, stmt.grantOption, stmt.cascade);
  col.acl = obj.acl && obj.acl.length > 0 ? obj.acl : null;
}
