/**
 * Who may run a DDL statement (PostgreSQL's ownership checks, aclchk.c): only a relation's
 * owner (or a member of the owning role, or a superuser) may ALTER, DROP, COMMENT ON,
 * RENAME, REINDEX or index it; TRUNCATE needs the TRUNCATE privilege; CREATE DATABASE
 * needs CREATEDB. ALTER … OWNER TO is applied here too: it needs the roles.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { SequenceDef, TableDef } from '../../catalog/catalog.js';
import { ALL_DATABASE_PRIVILEGES, ALL_SCHEMA_PRIVILEGES, ALL_TYPE_PRIVILEGES, changeOwner, hasPrivilege, hasTablePrivilege, isOwner, type Roles, type Securable } from '../../catalog/roles.js';
import type { AlterTable, BoundDdl, QualifiedName } from '../../sql/ddl/index.js';
import type { RoleRef } from '../../sql/bind-role.js';
import { TYPES, formatType, type SqlType } from '../../types/types.js';
import { creationSchema, findTable, findIndex, findSequence, type DdlContext } from './context.js';

/** The roles and the role DDL runs as (absent: no checks, e.g. the engine's own DDL). */
export interface DdlAccess {
  readonly roles: Roles;
  /** current_user */
  readonly role: number;
  /** session_user (OWNER TO SESSION_USER) */
  readonly sessionRole: number;
  /** the session's database (CREATE TEMP TABLE needs TEMPORARY on it) */
  readonly database?: string;
}

type Relation = { kind: 'table' | 'view' | 'sequence' | 'index'; name: string; obj: Securable; table?: TableDef };

/** 42501 `must be owner of table t` (the word names the relation's kind, aclcheck_error) */
export function notOwner(kind: string, name: string): SqlError {
  return new SqlError(SqlState.insufficientPrivilege, `must be owner of ${kind} ${name}`);
}

function relation(ctx: DdlContext, rel: QualifiedName, access: DdlAccess): Relation | undefined {
  if (rel.schema) mayUse(ctx, access, rel.schema);
  const t = findTable(ctx, rel);
  if (t) return { kind: t.kind === 'v' ? 'view' : 'table', name: t.name, obj: t, table: t };
  const s: SequenceDef | undefined = findSequence(ctx, rel);
  if (s) return { kind: 'sequence', name: s.name, obj: s };
  const i = findIndex(ctx, rel);
  const owner = i ? ctx.catalog.tables.get(i.tableOid) : undefined;
  if (i && owner) return { kind: 'index', name: i.name, obj: owner };
  return undefined;
}

function mustOwn(ctx: DdlContext, access: DdlAccess, rel: QualifiedName | undefined): void {
  const r = rel && relation(ctx, rel, access);
  if (r && !isOwner(access.roles, access.role, r.obj)) throw notOwner(r.kind, r.name);
}

/** A role as OWNER TO names it. */
export function resolveRole(access: DdlAccess, ref: RoleRef): number {
  if (ref.kind === 'current_user') return access.role;
  if (ref.kind === 'session_user') return access.sessionRole;
  if (ref.kind === 'name') return access.roles.require(ref.name).oid;
  throw new SqlError(SqlState.undefinedObject, 'role "public" does not exist');
}

/**
 * Check `stmt` against the running role; returns the statement to run (OWNER TO applied
 * and left out of an ALTER TABLE).
 */
export function checkDdl(ctx: DdlContext, access: DdlAccess, stmt: BoundDdl): BoundDdl {
  const { roles, role } = access;
  switch (stmt.kind) {
    case 'createTable':
      // a temporary relation needs TEMPORARY on the database instead of CREATE on a schema
      if (isTemporary(ctx, stmt)) mayCreateTemp(access, stmt.position);
      else mayCreateIn(ctx, access, stmt.relation.schema, stmt.position);
      if (stmt.partitionOf) mustOwn(ctx, access, stmt.partitionOf.parent);
      return stmt;
    case 'createView':
    case 'createTableAs':
    case 'createSequence':
      if (isTemporary(ctx, stmt)) mayCreateTemp(access);
      else mayCreateIn(ctx, access, stmt.relation.schema);
      return stmt;
    case 'createFunction':
      mayCreateIn(ctx, access, stmt.schema);
      return stmt;
    case 'createEnum': case 'createComposite': case 'createDomain':
      mayCreateIn(ctx, access, stmt.name.schema);
      return stmt;
    case 'alterTable':
      return alterOwner(ctx, access, stmt);
    case 'drop':
      if ('objects' in stmt && ['table', 'view', 'sequence', 'index'].includes(stmt.objectType)) for (const o of stmt.objects) mustOwn(ctx, access, o);
      return stmt;
    case 'createIndex':
      mustOwn(ctx, access, stmt.table);
      return stmt;
    case 'setSchema':
      // the owner, with CREATE on the new schema (a missing one is reported by the statement)
      if (stmt.relation) mustOwn(ctx, access, stmt.relation);
      if (ctx.catalog.schemaExists(stmt.newSchema)) mayCreateIn(ctx, access, stmt.newSchema);
      return stmt;
    case 'alterSequence':
    case 'rename':
      mustOwn(ctx, access, stmt.relation);
      return stmt;
    case 'comment':
      if ('relation' in stmt.target) mustOwn(ctx, access, stmt.target.relation);
      if (stmt.target.kind === 'schema') {
        const n = ctx.catalog.schemas.get(stmt.target.name);
        if (n && !isOwner(roles, role, n)) throw notOwner('schema', n.name);
      }
      return stmt;
    case 'reindex':
      mustOwn(ctx, access, stmt.relation);
      return stmt;
    case 'truncate':
      for (const name of stmt.tables) {
        if (name.schema) mayUse(ctx, access, name.schema);
        const t = findTable(ctx, name);
        if (t && !hasTablePrivilege(roles, role, t, 'D')) throw new SqlError(SqlState.insufficientPrivilege, `permission denied for table ${t.name}`);
      }
      return stmt;
    case 'createDatabase': {
      const r = roles.get(role);
      if (!r?.superuser && !r?.createDb) throw new SqlError(SqlState.insufficientPrivilege, 'permission denied to create database');
      return stmt;
    }
    case 'dropDatabase':
      if (!isOwner(roles, role, roles.databases[stmt.name] ?? {})) throw notOwner('database', stmt.name);
      return stmt;
    default:
      return stmt;
  }
}

/** CREATE TEMP …, or a name qualified with pg_temp / the session's pg_temp_N */
function isTemporary(ctx: DdlContext, stmt: { readonly relation: { readonly schema?: string }; readonly temporary?: boolean }): boolean {
  const schema = stmt.relation.schema;
  return !!stmt.temporary || schema === 'pg_temp' || (schema !== undefined && schema === ctx.temp?.name);
}

/** TEMPORARY on the session's database (InitTempTableNamespace's check) */
function mayCreateTemp(access: DdlAccess, position?: number): void {
  const { roles, role } = access;
  if (access.database !== undefined && !hasPrivilege(roles, role, roles.databases[access.database] ?? {}, 'T', ALL_DATABASE_PRIVILEGES)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied to create temporary tables in database "${access.database}"`, position === undefined ? {} : { position });
  }
}

/** a name qualified with a schema needs USAGE on it (LookupExplicitNamespace) */
function mayUse(ctx: DdlContext, access: DdlAccess, schema: string): void {
  const s = ctx.catalog.schemaPrivileges(schema);
  if (s && !hasPrivilege(access.roles, access.role, s, 'U', ALL_SCHEMA_PRIVILEGES)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied for schema ${schema}`);
  }
}

/** CREATE in a schema (PostgreSQL 15: public's CREATE belongs to the database owner only) */
function mayCreateIn(ctx: DdlContext, access: DdlAccess, schema: string | undefined, position?: number): void {
  const name = creationSchema(ctx, schema, position);
  const s = ctx.catalog.schemaPrivileges(name);
  if (s && !hasPrivilege(access.roles, access.role, s, 'C', ALL_SCHEMA_PRIVILEGES)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied for schema ${name}`, position === undefined ? {} : { position });
  }
}

/**
 * ALTER TABLE | VIEW | SEQUENCE … OWNER TO role (ATExecChangeOwner): the owner (who must
 * also be a member of the new owner) or a superuser; the table's owned sequences follow.
 */
function alterOwner(ctx: DdlContext, access: DdlAccess, stmt: AlterTable): BoundDdl {
  const owners = stmt.commands.filter((c) => c.kind === 'owner');
  const r = relation(ctx, stmt.relation, access);
  if (!r) return stmt; // ALTER TABLE reports the missing relation
  if (!isOwner(access.roles, access.role, r.obj)) throw notOwner(r.kind, r.name);
  for (const cmd of owners) {
    const newOwner = resolveRole(access, cmd.role);
    if (!access.roles.isSuperuser(access.role) && !access.roles.isMemberOf(access.role, newOwner)) {
      throw new SqlError(SqlState.insufficientPrivilege, `must be member of role "${access.roles.nameOf(newOwner)}"`);
    }
    changeOwner(r.obj, newOwner);
    if (r.table) for (const s of ctx.catalog.sequences.values()) if (s.ownedBy?.table === r.table.oid) changeOwner(s, newOwner);
  }
  if (owners.length === 0) return stmt;
  ctx.catalog.version++;
  return { ...stmt, commands: stmt.commands.map((c) => (c.kind === 'owner' ? { kind: 'ignored' } : c)) };
}

/**
 * A column's or function's type needs USAGE (aclcheck_error_type): after REVOKE USAGE ON TYPE
 * t FROM PUBLIC, 42501 `permission denied for type t` for whoever lacks it; an array type's
 * privileges are its element type's.
 */
export function checkTypeUsage(ctx: DdlContext, type: SqlType): void {
  if (!ctx.access || ctx.catalog.typeAcls.size === 0) return;
  const info = TYPES.get(type.oid);
  const base = info?.category === 'A' && info.elem !== undefined ? info.elem : type.oid;
  const def = ctx.catalog.typeAcls.get(base);
  if (def && !hasPrivilege(ctx.access.roles, ctx.access.role, def, 'U', ALL_TYPE_PRIVILEGES)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied for type ${formatType({ oid: base, typmod: -1 })}`);
  }
}
