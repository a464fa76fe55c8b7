/**
 * CREATE SCHEMA, ALTER SCHEMA … RENAME TO | OWNER TO, DROP SCHEMA [CASCADE | RESTRICT]
 * (PostgreSQL's schemacmds.c, and dependency.c's report of what a DROP takes with it).
 */
import { SqlError, SqlState } from '../../errors.js';
import { ALL_DATABASE_PRIVILEGES, changeOwner, hasPrivilege, isOwner } from '../../catalog/roles.js';
import { isSystemSchema } from '../../catalog/schemas.js';
import type { BoundDdl, Drop, QualifiedName } from '../../sql/ddl/index.js';
import { renameInViews, withSequenceIn } from './set-schema.js';
import { initialAcl } from '../default-privileges.js';
import { notice, type DdlContext } from './context.js';
import { resolveRole } from './privileges.js';
import { dropSchemaContents, schemaDependents } from './schema-dependents.js';

type CreateSchema = Extract<BoundDdl, { kind: 'createSchema' }>;
type AlterSchema = Extract<BoundDdl, { kind: 'alterSchema' }>;

/** runs a schema element (the DDL entry, given by index.ts to keep the module graph acyclic) */
export type ElementRunner = (ctx: DdlContext, stmt: BoundDdl) => Promise<unknown>;

/** CREATE SCHEMA: needs CREATE on the database; owned by AUTHORIZATION's role or current_user; its elements run inside it. */
export async function createSchema(ctx: DdlContext, stmt: CreateSchema, runElement?: ElementRunner): Promise<void> {
  const { name } = stmt;
  const access = ctx.access;
  const owner = access && stmt.authorization ? resolveRole(access, stmt.authorization) : access?.role;
  if (access) {
    const { roles, role, database } = access;
    if (database !== undefined && !hasPrivilege(roles, role, roles.databases[database] ?? {}, 'C', ALL_DATABASE_PRIVILEGES)) {
      throw new SqlError(SqlState.insufficientPrivilege, `permission denied for database ${database}`);
    }
    if (owner !== undefined && !roles.isMemberOf(role, owner)) throw new SqlError(SqlState.insufficientPrivilege, `must be member of role "${roles.nameOf(owner)}"`);
  }
  if (ctx.catalog.schemaExists(name)) {
    if (stmt.ifNotExists) {
      notice(ctx, `schema "${name}" already exists, skipping`, '42P06');
      return;
    }
    throw new SqlError('42P06', `schema "${name}" already exists`);
  }
  checkSchemaName(name);
  const before = stmt.elements.length > 0 ? ctx.catalog.snapshotData() : undefined;
  const oid = ctx.catalog.allocateOid();
  const acl = owner === undefined ? null : initialAcl(ctx.catalog, 'n', owner, '');
  ctx.catalog.schemas.set(name, { oid, name, ...(owner === undefined ? {} : { owner }), ...(acl ? { acl } : {}) });
  ctx.catalog.version++;
  try {
    // the elements are created as the schema's owner (CreateSchemaCommand switches to it)
    const asOwner: DdlContext = access && owner !== undefined ? { ...ctx, access: { ...access, role: owner } } : ctx;
    for (const element of stmt.elements) await runElement?.(asOwner, element);
  } catch (e) {
    // the statement is atomic: a failing element leaves no schema and none of the others
    const tablesBefore = new Set(before!.tables.map((t) => t.oid));
    const created = [...ctx.catalog.tables.keys()].filter((t) => !tablesBefore.has(t));
    ctx.catalog.loadData(before!);
    if (!ctx.txn) for (const t of created) await ctx.storage.dropTable(t);
    throw e;
  }
}

/** the pg_ prefix belongs to system schemas (42939) */
function checkSchemaName(name: string): void {
  if (name.startsWith('pg_')) {
    throw new SqlError('42939', `unacceptable schema name "${name}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
  }
}

/** ALTER SCHEMA … RENAME TO (the owner, with CREATE on the database) | OWNER TO (also a member of the new owner). */
export function alterSchema(ctx: DdlContext, stmt: AlterSchema): void {
  const { catalog } = ctx;
  // public may change owner (pg_dump writes ALTER SCHEMA public OWNER TO …), not its name
  const schema = catalog.schemas.get(stmt.name) ?? (stmt.name === 'public' && stmt.newName === undefined ? catalog.publicSchema : undefined);
  if (!schema) {
    if (catalog.schemaExists(stmt.name)) throw new SqlError(SqlState.featureNotSupported, `ALTER SCHEMA ${stmt.name} is not supported`);
    throw new SqlError('3F000', `schema "${stmt.name}" does not exist`);
  }
  const access = ctx.access;
  if (stmt.newName !== undefined) {
    const newName = stmt.newName;
    if (catalog.schemaExists(newName)) throw new SqlError('42P06', `schema "${newName}" already exists`);
    if (access && !isOwner(access.roles, access.role, schema)) throw notSchemaOwner(stmt.name);
    if (access?.database !== undefined && !hasPrivilege(access.roles, access.role, access.roles.databases[access.database] ?? {}, 'C', ALL_DATABASE_PRIVILEGES)) {
      throw new SqlError(SqlState.insufficientPrivilege, `permission denied for database ${access.database}`);
    }
    checkSchemaName(newName);
    renameSchemaEverywhere(ctx, stmt.name, newName);
  }
  if (stmt.owner && access) {
    const newOwner = resolveRole(access, stmt.owner);
    if (newOwner === schema.owner) return;
    const { roles, role } = access;
    if (!roles.isSuperuser(role)) {
      if (!isOwner(roles, role, schema)) throw notSchemaOwner(stmt.name);
      if (!roles.isMemberOf(role, newOwner)) throw new SqlError(SqlState.insufficientPrivilege, `must be member of role "${roles.nameOf(newOwner)}"`);
      if (access.database !== undefined && !hasPrivilege(roles, role, roles.databases[access.database] ?? {}, 'C', ALL_DATABASE_PRIVILEGES)) {
        throw new SqlError(SqlState.insufficientPrivilege, `permission denied for database ${access.database}`);
      }
    }
    changeOwner(schema, newOwner);
  }
  catalog.version++;
}

const notSchemaOwner = (name: string) => new SqlError(SqlState.insufficientPrivilege, `must be owner of schema ${name}`);

/** Objects keep their schema by name: a rename moves all of them (PostgreSQL keeps OIDs, so nothing else changes). */
function renameSchemaEverywhere(ctx: DdlContext, from: string, to: string): void {
  const { catalog } = ctx;
  const schema = catalog.schemas.get(from)!;
  catalog.schemas.delete(from);
  schema.name = to;
  catalog.schemas.set(to, schema);
  for (const [oid, t] of catalog.tables) if (t.schema === from) catalog.tables.set(oid, { ...t, schema: to, columns: t.columns.map((c) => withSequenceIn(c, to)) });
  // views keep reading the same objects under the new name
  renameInViews(ctx, from, to);
  for (const [oid, s] of catalog.sequences) if (s.schema === from) catalog.sequences.set(oid, { ...s, schema: to });
  for (const [oid, f] of catalog.functions) if (f.schema === from) catalog.functions.set(oid, { ...f, schema: to });
  for (const t of [...catalog.types.values()]) if (t.schema === from) catalog.putType({ ...t, schema: to });
  for (const d of [...catalog.domains.values()]) if (d.schema === from) catalog.putDomain({ ...d, schema: to });
  catalog.defaultAcls = catalog.defaultAcls.map((d) => (d.schema === from ? { ...d, schema: to } : d));
}

/** DROP SCHEMA [IF EXISTS] a, b [CASCADE | RESTRICT] */
export async function dropSchemas(ctx: DdlContext, stmt: Extract<Drop, { objects: unknown }>): Promise<void> {
  const { catalog } = ctx;
  const names = stmt.objects.map((o: QualifiedName) => o.name);
  // a missing schema fails the statement before anything is dropped
  for (const name of names) {
    if (!catalog.schemaExists(name) && !stmt.missingOk) throw new SqlError('3F000', `schema "${name}" does not exist`);
  }
  const dropping: string[] = [];
  for (const name of names) {
    if (!catalog.schemaExists(name)) {
      notice(ctx, `schema "${name}" does not exist, skipping`);
      continue;
    }
    if (name === 'public' || isSystemSchema(name)) {
      throw new SqlError(SqlState.featureNotSupported, `DROP SCHEMA ${name} is not supported`);
    }
    const access = ctx.access;
    if (access && !isOwner(access.roles, access.role, catalog.schemas.get(name)!)) throw notSchemaOwner(name);
    dropping.push(name);
  }
  if (dropping.length === 0) return;
  const dependents = schemaDependents(ctx, dropping);
  if (dependents.length > 0 && !stmt.cascade) {
    throw new SqlError('2BP01', `cannot drop schema ${dropping[0]} because other objects depend on it`, {
      detail: dependents.map((d) => `${d.description} depends on ${d.dependsOn}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  if (dependents.length === 1) notice(ctx, `drop cascades to ${dependents[0].description}`);
  else if (dependents.length > 1) {
    ctx.notices.push({
      severity: 'NOTICE', code: '00000', message: `drop cascades to ${dependents.length} other objects`,
      detail: dependents.map((d) => `drop cascades to ${d.description}`).join('\n'),
    });
  }
  await dropSchemaContents(ctx, dropping, dependents);
  for (const name of dropping) catalog.schemas.delete(name);
  catalog.defaultAcls = catalog.defaultAcls.filter((d) => !dropping.includes(d.schema));
  catalog.version++;
}
