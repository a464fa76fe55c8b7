/**
 * CREATE / ALTER / DROP ROLE, ALTER ROLE … SET, GRANT / REVOKE role, and GRANT / REVOKE
 * privileges on objects (grant-objects.ts), with PostgreSQL 15's permission rules and messages
 * (commands/user.c, catalog/aclchk.c). Roles are cluster-wide: each statement is saved at
 * once outside a transaction block; inside one, ROLLBACK restores them (other sessions see
 * a role change before its COMMIT, unlike PostgreSQL).
 */
import { SqlError, SqlState, type SqlNotice } from '../errors.js';
import { BOOTSTRAP_ROLE, aclMentions, changeOwner, isOwner, ownerOf, revokeEverythingFrom, type RoleDef, type Roles, type Securable } from '../catalog/roles.js';
import type { RoleOptions, RoleRef, RoleStatement } from '../sql/bind-role.js';
import { encryptPassword } from '../types/scram-secret.js';
import { parseTimestamptz } from '../types/datetime.js';
import { formatType } from '../types/types.js';
import type { SessionContext } from './context.js';
import { currentRoleName } from './session-roles.js';
import { runDdlStatement, statementChanges, undoStatement } from './ddl-dispatch.js';
import { alterRoleSetting } from './role-settings.js';
import { grantObject } from './grant-objects.js';
import { alterDefaultPrivileges } from './default-privileges.js';
import { resolveFunction } from './ddl/function.js';
import { schemaDependents } from './ddl/schema-dependents.js';
import { builtinProc, builtinProcSignature } from '../catalog/system/builtin-proc-lookup.js';

const denied = (message: string): SqlError => new SqlError(SqlState.insufficientPrivilege, message);

export async function runRoleStatement(ctx: SessionContext, stmt: RoleStatement, tag: string): Promise<void> {
  ctx.tx.checkWritable(tag);
  const roles = ctx.engine.roles;
  const me = ctx.currentRoleOid();
  if (stmt.kind === 'dropOwned') return dropOwned(ctx, roles, me, stmt.roles, stmt.cascade ?? false);
  // databases' ACLs are cluster-wide, with the roles; every other object's is in the database's catalog
  if ((stmt.kind === 'grantObject' && stmt.target !== 'database') || stmt.kind === 'reassignOwned' || stmt.kind === 'defaultPrivileges'
    || (stmt.kind === 'alterOwner' && stmt.function)) {
    // ACLs and owners live in the database's catalog: undone at ROLLBACK like any DDL
    ctx.ddl.context(ctx, tag);
    // outside a block the statement is atomic: a failure part way, or a save a full disk refuses, leaves nothing granted
    const before = ctx.tx.idle ? ctx.catalog.snapshotData() : undefined;
    try {
      if (stmt.kind === 'grantObject') grantObject(ctx, roles, me, stmt, (r) => resolve(ctx, roles, r).oid);
      else if (stmt.kind === 'defaultPrivileges') alterDefaultPrivileges(ctx.catalog, roles, me, stmt, (r) => resolve(ctx, roles, r).oid);
      else if (stmt.kind === 'alterOwner') alterOwner(ctx, roles, me, stmt);
      else reassignOwned(ctx, roles, me, stmt.roles, stmt.to);
    } catch (e) {
      if (before) ctx.catalog.loadData(before);
      throw e;
    } finally {
      ctx.ddl.noteChanges(ctx.catalog);
      ctx.catalog.version++;
    }
    if (!before) return;
    // this statement's changes, taken before the save lets other sessions run
    const changed = statementChanges(ctx, before);
    try {
      await ctx.engine.saveCatalog();
    } catch (e) {
      if (changed.size > 0) await undoStatement(ctx, before, changed);
      throw e;
    }
    return;
  } else {
    if (!ctx.tx.idle) ctx.ddl.noteRoleChange(roles);
    const before = ctx.tx.idle ? JSON.parse(JSON.stringify(roles.toData())) : undefined;
    try {
      switch (stmt.kind) {
        case 'createRole': createRole(ctx, roles, me, stmt.name, stmt.options); break;
        case 'alterRole': alterRole(ctx, roles, me, stmt.role, stmt.options); break;
        case 'renameRole': renameRole(ctx, roles, me, stmt.name, stmt.newName); break;
        case 'dropRole': dropRoles(ctx, roles, me, stmt.roles, stmt.missingOk); break;
        case 'grantRole': grantRole(ctx, roles, me, stmt); break;
        case 'roleSetting': alterRoleSetting(ctx, roles, me, stmt); break;
        case 'alterOwner': alterOwner(ctx, roles, me, stmt); break;
        case 'grantObject': grantObject(ctx, roles, me, stmt, (r) => resolve(ctx, roles, r).oid); break;
      }
    } catch (e) {
      if (before) roles.loadData(before);
      throw e;
    }
    // privileges are checked against role names and memberships: prepared statements bind again
    for (const c of ctx.engine.databases.values()) c.version++;
    // in a transaction block the catalog is saved at its end; a save refused by a full disk leaves the roles as they were
    if (!before) return;
    try {
      await ctx.engine.saveCatalog();
    } catch (e) {
      roles.loadData(before);
      for (const c of ctx.engine.databases.values()) c.version++;
      throw e;
    }
  }
}

function notice(notices: SqlNotice[], message: string, severity: 'NOTICE' | 'WARNING' = 'NOTICE', code = '00000'): void {
  notices.push({ severity, code, message });
}

function resolve(ctx: SessionContext, roles: Roles, ref: RoleRef): RoleDef {
  if (ref.kind === 'current_user') return roles.require(currentRoleName(ctx.settings));
  if (ref.kind === 'session_user') return roles.require(ctx.settings.get('session_authorization') ?? '');
  if (ref.kind === 'name') return roles.require(ref.name);
  throw new SqlError(SqlState.undefinedObject, 'role "public" does not exist');
}

function checkReservedName(name: string): void {
  if (name.startsWith('pg_')) {
    throw new SqlError('42939', `role name "${name}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  }
}

/** The attributes in `o` that were given, as RoleDef fields. */
function attributes(o: RoleOptions): Partial<RoleDef> {
  const a: Partial<RoleDef> = {};
  if (o.superuser !== undefined) a.superuser = o.superuser;
  if (o.createDb !== undefined) a.createDb = o.createDb;
  if (o.createRole !== undefined) a.createRole = o.createRole;
  if (o.inherit !== undefined) a.inherit = o.inherit;
  if (o.canLogin !== undefined) a.canLogin = o.canLogin;
  if (o.replication !== undefined) a.replication = o.replication;
  if (o.bypassRls !== undefined) a.bypassRls = o.bypassRls;
  if (o.connLimit !== undefined) {
    if (o.connLimit < -1) throw new SqlError(SqlState.invalidParameterValue, `invalid connection limit: ${o.connLimit}`);
    a.connLimit = o.connLimit;
  }
  if (o.password !== undefined) a.password = o.password === null || o.password === '' ? null : encryptPassword(o.password);
  if (o.validUntil !== undefined) a.validUntil = parseTimestamptz(o.validUntil);
  return a;
}

/** CreateRole's checks: CREATEROLE, and superuser for the attributes only a superuser may give. */
function checkMayCreate(roles: Roles, me: number, o: RoleOptions): void {
  const mine = roles.get(me);
  if (mine?.superuser) return;
  if (o.superuser) throw denied('must be superuser to create superusers');
  if (o.replication) throw denied('must be superuser to create replication users');
  if (o.bypassRls) throw denied('must be superuser to create bypassrls users');
  if (!mine?.createRole) throw denied('permission denied to create role');
}

function createRole(ctx: SessionContext, roles: Roles, me: number, name: string, o: RoleOptions): void {
  checkMayCreate(roles, me, o);
  checkReservedName(name);
  const role = roles.create(name, attributes(o));
  // IN ROLE: the new role joins them; ROLE / ADMIN: they join the new role
  for (const r of o.inRoles ?? []) addMember(ctx, roles, me, roles.require(r), role, false);
  for (const m of o.members ?? []) addMember(ctx, roles, me, role, roles.require(m), false);
  for (const m of o.adminMembers ?? []) addMember(ctx, roles, me, role, roles.require(m), true);
}

function alterRole(ctx: SessionContext, roles: Roles, me: number, ref: RoleRef, o: RoleOptions): void {
  const role = resolve(ctx, roles, ref);
  const mine = roles.get(me);
  if (!mine?.superuser) {
    if (role.superuser || o.superuser !== undefined) throw denied('must be superuser to alter superuser roles or change superuser attribute');
    if (o.replication !== undefined) throw denied('must be superuser to alter replication roles or change replication attribute');
    if (o.bypassRls !== undefined) throw denied('must be superuser to change bypassrls attribute');
    // without CREATEROLE a role may change only its own password
    const onlyPassword = Object.keys(o).every((k) => k === 'password');
    if (!mine?.createRole && !(onlyPassword && role.oid === me)) throw denied('permission denied');
  }
  if (role.oid === BOOTSTRAP_ROLE && o.superuser === false) throw denied('permission denied: bootstrap user must be superuser');
  Object.assign(role, attributes(o));
}

function renameRole(ctx: SessionContext, roles: Roles, me: number, name: string, newName: string): void {
  const role = roles.require(name);
  if (role.name === ctx.settings.get('session_authorization')) throw new SqlError(SqlState.featureNotSupported, 'session user cannot be renamed');
  if (role.oid === me) throw new SqlError(SqlState.featureNotSupported, 'current user cannot be renamed');
  if (role.predefined) throw new SqlError('42939', `role name "${name}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  checkReservedName(newName);
  if (roles.find(newName)) throw new SqlError('42710', `role "${newName}" already exists`);
  const mine = roles.get(me);
  if (role.superuser && !mine?.superuser) throw denied('must be superuser to rename superusers');
  if (!mine?.superuser && !mine?.createRole) throw denied('permission denied to rename role');
  roles.rename(role, newName);
  // an md5 secret is salted with the role name: it no longer matches
  if (role.password?.startsWith('md5')) {
    role.password = null;
    notice(ctx.notices, 'MD5 password cleared because of role rename');
  }
}

function dropRoles(ctx: SessionContext, roles: Roles, me: number, refs: readonly RoleRef[], missingOk: boolean): void {
  const mine = roles.get(me);
  if (!mine?.superuser && !mine?.createRole) throw denied('permission denied to drop role');
  for (const ref of refs) {
    const name = ref.kind === 'name' ? ref.name : undefined;
    const role = name !== undefined ? roles.find(name) : resolve(ctx, roles, ref);
    if (!role) {
      if (!missingOk) throw new SqlError(SqlState.undefinedObject, `role "${name}" does not exist`);
      notice(ctx.notices, `role "${name}" does not exist, skipping`);
      continue;
    }
    if (role.predefined || role.oid === BOOTSTRAP_ROLE) {
      throw new SqlError('2BP01', `cannot drop role ${role.name} because it is required by the database system`);
    }
    if (role.oid === me) throw new SqlError(SqlState.objectInUse, 'current user cannot be dropped');
    if (role.name === ctx.settings.get('session_authorization')) throw new SqlError(SqlState.objectInUse, 'session user cannot be dropped');
    if (role.superuser && !mine?.superuser) throw denied('must be superuser to drop superusers');
    const detail = dependencies(ctx, role.oid);
    if (detail.length > 0) {
      throw new SqlError('2BP01', `role "${role.name}" cannot be dropped because some objects depend on it`, { detail: detail.join('\n') });
    }
    roles.drop(role.oid);
  }
}

/** pg_default_acl's object types as getObjectDescription names them */
/** pg_namespace.oid of public */
const PUBLIC_NAMESPACE_OID = 2200;

const DEFAULT_ACL_WORDS: Readonly<Record<string, string>> = { r: 'relations', S: 'sequences', f: 'functions', n: 'schemas', T: 'types' };

/** What a role owns or holds privileges on: DETAIL lines as PostgreSQL's checkSharedDependencies writes them. */
function dependencies(ctx: SessionContext, role: number): string[] {
  const lines: string[] = [];
  for (const [dbName, catalog] of ctx.engine.databases) {
    const objects: { oid: number; line: string }[] = [];
    const each = (obj: Securable & { oid: number }, what: string) => {
      if (ownerOf(obj) === role && obj.owner !== undefined) objects.push({ oid: obj.oid, line: `owner of ${what}` });
      // the owner's own ACL entries are implied by its ownership (no separate dependency)
      if (role !== ownerOf(obj) && aclMentions(obj, role)) objects.push({ oid: obj.oid, line: `privileges for ${what}` });
    };
    // names carry their schema when the search path does not reach it (getObjectDescription)
    const named = (schema: string, name: string) => (dbName === ctx.databaseName && ctx.searchPath().includes(schema) ? name : `${schema}.${name}`);
    for (const n of catalog.schemas.values()) each(n, `schema ${n.name}`);
    each({ ...catalog.publicSchema, oid: PUBLIC_NAMESPACE_OID }, 'schema public');
    for (const t of catalog.tables.values()) each(t, `${t.kind === 'v' ? 'view' : 'table'} ${named(t.schema, t.name)}`);
    for (const t of catalog.tables.values()) {
      for (const p of t.policies ?? []) if (p.roles.includes(role)) objects.push({ oid: p.oid, line: `target of policy ${p.name} on table ${t.name}` });
    }
    for (const s of catalog.sequences.values()) each(s, `sequence ${named(s.schema, s.name)}`);
    for (const d of catalog.defaultAcls) {
      const what = `default privileges on new ${DEFAULT_ACL_WORDS[d.objtype]} belonging to role ${ctx.engine.roles.nameOf(d.role)}${d.schema ? ` in schema ${d.schema}` : ''}`;
      if (d.role === role) objects.push({ oid: d.oid, line: `owner of ${what}` });
      else if (aclMentions(d, role)) objects.push({ oid: d.oid, line: `privileges for ${what}` });
    }
    for (const f of catalog.functions.values()) each(f, `function ${named(f.schema, f.name)}(${f.params.map((p) => formatType(p.type)).join(',')})`);
    // built-in functions and types (owned by the bootstrap superuser): only privileges
    const withVector = catalog.extensions.has('vector');
    for (const d of catalog.procAcls.values()) {
      const p = builtinProc(d.oid, withVector);
      if (p && aclMentions(d, role)) objects.push({ oid: d.oid, line: `privileges for function ${builtinProcSignature(p)}` });
    }
    for (const d of catalog.typeAcls.values()) if (aclMentions(d, role)) objects.push({ oid: d.oid, line: `privileges for type ${formatType({ oid: d.oid, typmod: -1 })}` });
    for (const t of catalog.tables.values()) {
      for (const c of t.columns) if (aclMentions(c, role)) objects.push({ oid: t.oid, line: `privileges for column ${c.name} of table ${t.name}` });
    }
    if (objects.length === 0) continue;
    if (dbName === ctx.databaseName) lines.push(...objects.sort((a, b) => a.oid - b.oid).map((o) => o.line));
    else lines.push(`${objects.length} object${objects.length === 1 ? '' : 's'} in database ${dbName}`);
  }
  // shared objects after the current database's, as checkSharedDependencies lists them: databases
  const shared: string[] = [];
  for (const [name, db] of Object.entries(ctx.engine.roles.databases)) {
    if (ownerOf(db) === role && db.owner !== undefined) shared.push(`owner of database ${name}`);
    else if (aclMentions(db, role)) shared.push(`privileges for database ${name}`);
  }
  const local = lines.findIndex((l) => /^\d+ objects? in database /.test(l));
  lines.splice(local < 0 ? lines.length : local, 0, ...shared);
  return lines;
}

/** AddRoleMems for one pair: `member` joins `role`. */
function addMember(ctx: SessionContext, roles: Roles, me: number, role: RoleDef, member: RoleDef, admin: boolean): void {
  checkMayGrant(roles, me, role);
  if (roles.isMemberIgnoringSuperuser(role.oid, member.oid)) {
    throw new SqlError('0LP01', `role "${role.name}" is a member of role "${member.name}"`);
  }
  const existing = roles.members.find((m) => m.role === role.oid && m.member === member.oid);
  if (existing && (!admin || existing.admin)) {
    notice(ctx.notices, `role "${member.name}" is already a member of role "${role.name}"`);
    return;
  }
  if (existing) existing.admin = true;
  else roles.members.push({ role: role.oid, member: member.oid, grantor: me, admin });
}

function checkMayGrant(roles: Roles, me: number, role: RoleDef): void {
  if (roles.isSuperuser(me)) return;
  if (role.superuser) throw denied('must be superuser to alter superusers');
  if (roles.get(me)?.createRole && !role.predefined) return;
  if (!roles.hasAdminOption(me, role.oid)) throw denied(`must have admin option on role "${role.name}"`);
}

function grantRole(ctx: SessionContext, roles: Roles, me: number, stmt: Extract<RoleStatement, { kind: 'grantRole' }>): void {
  const granted = stmt.roles.map((n) => roles.require(n));
  const grantees = stmt.grantees.map((r) => resolve(ctx, roles, r));
  for (const role of granted) {
    for (const member of grantees) {
      if (stmt.grant) {
        addMember(ctx, roles, me, role, member, stmt.admin);
        continue;
      }
      checkMayGrant(roles, me, role);
      const i = roles.members.findIndex((m) => m.role === role.oid && m.member === member.oid);
      if (i < 0) notice(ctx.notices, `role "${member.name}" is not a member of role "${role.name}"`, 'WARNING', '01000');
      else if (stmt.admin) roles.members[i].admin = false; // REVOKE ADMIN OPTION FOR
      else roles.members.splice(i, 1);
    }
  }
}

/**
 * ALTER FUNCTION | DATABASE … OWNER TO (AlterObjectOwner_internal, AlterDatabaseOwner): the
 * owner, who must be a member of the new owner (and, for a database, have CREATEDB), or a
 * superuser; the ACL follows (aclnewowner).
 */
function alterOwner(ctx: SessionContext, roles: Roles, me: number, stmt: Extract<RoleStatement, { kind: 'alterOwner' }>): void {
  let obj: Securable;
  let what: string;
  if (stmt.function) {
    const f = resolveFunction({ catalog: ctx.catalog, searchPath: ctx.searchPath(), notices: ctx.notices }, stmt.function, false)!;
    obj = f;
    what = `function ${f.name}`;
  } else {
    const name = stmt.database ?? '';
    if (!ctx.engine.databases.has(name)) throw new SqlError(SqlState.invalidCatalogName, `database "${name}" does not exist`);
    obj = roles.database(name);
    what = `database ${name}`;
  }
  const owner = resolve(ctx, roles, stmt.owner).oid;
  if (ownerOf(obj) === owner) return;
  if (!roles.isSuperuser(me)) {
    if (!isOwner(roles, me, obj)) throw new SqlError(SqlState.insufficientPrivilege, `must be owner of ${what}`);
    if (!roles.isMemberOf(me, owner)) throw new SqlError(SqlState.insufficientPrivilege, `must be member of role "${roles.nameOf(owner)}"`);
    if (stmt.database !== undefined && !roles.get(me)?.createDb) throw new SqlError(SqlState.insufficientPrivilege, 'permission denied to change owner of database');
  }
  changeOwner(obj, owner);
}

// ---- REASSIGN OWNED / DROP OWNED (the current database) --------------------------------------

function reassignOwned(ctx: SessionContext, roles: Roles, me: number, refs: readonly RoleRef[], to: RoleRef): void {
  const from = refs.map((r) => resolve(ctx, roles, r).oid);
  const target = resolve(ctx, roles, to).oid;
  if (![...from, target].every((r) => roles.hasPrivilegesOf(me, r))) throw denied('permission denied to reassign objects');
  const objects: Securable[] = [...ctx.catalog.tables.values(), ...ctx.catalog.sequences.values(), ...ctx.catalog.functions.values(), ...ctx.catalog.schemas.values()];
  for (const obj of objects) if (obj.owner !== undefined && from.includes(obj.owner)) changeOwner(obj, target);
}

async function dropOwned(ctx: SessionContext, roles: Roles, me: number, refs: readonly RoleRef[], cascade: boolean): Promise<void> {
  const owners = refs.map((r) => resolve(ctx, roles, r).oid);
  if (!owners.every((r) => roles.hasPrivilegesOf(me, r))) throw denied('permission denied to drop objects');
  const catalog = ctx.catalog;
  const owned = (obj: Securable): boolean => obj.owner !== undefined && owners.includes(obj.owner);
  const name = (o: { schema: string; name: string }) => ({ schema: o.schema, name: o.name });
  const tables = [...catalog.tables.values()].filter(owned);
  const views = tables.filter((t) => t.kind === 'v').map(name);
  // partitions go with their parent
  const plain = tables.filter((t) => t.kind !== 'v' && !(t.partitionOf && tables.some((p) => p.oid === t.partitionOf!.parent))).map(name);
  const sequences = [...catalog.sequences.values()].filter((s) => owned(s) && !s.ownedBy).map(name);
  const schemas = [...catalog.schemas.values()].filter(owned).map((n) => ({ name: n.name }));
  // before anything goes: without CASCADE, a schema of theirs that holds other roles' objects stops the statement
  if (!cascade && schemas.length > 0) {
    const foreign = schemaDependents(ctx.ddl.context(ctx, 'DROP OWNED'), schemas.map((s) => s.name))
      .filter((d) => d.dependsOn.startsWith('schema ') && d.object.kind !== 'constraint' && !owned(d.object.def));
    if (foreign.length > 0) {
      throw new SqlError('2BP01', `cannot drop ${foreign[0].dependsOn} because other objects depend on it`, {
        detail: foreign.map((d) => `${d.description} depends on ${d.dependsOn}`).join('\n'), hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
  }
  for (const [objectType, objects] of [['view', views], ['table', plain], ['sequence', sequences], ['schema', schemas]] as const) {
    if (objects.length === 0) continue;
    await runDdlStatement(ctx, { kind: 'drop', objectType, objects, missingOk: true, cascade: true }, `DROP ${objectType.toUpperCase()}`, true, 'DROP OWNED');
  }
  // what was granted to them on what remains
  ctx.ddl.context(ctx, 'DROP OWNED');
  try {
    const securables: Securable[] = [...catalog.tables.values(), ...catalog.sequences.values(), ...catalog.functions.values(), catalog.publicSchema,
      ...catalog.schemas.values(), ...catalog.procAcls.values(), ...catalog.typeAcls.values()];
    for (const obj of securables) revokeEverythingFrom(obj, owners);
    // a column's grants may rest on grant options held on its table: only the roles' own go
    for (const c of [...catalog.tables.values()].flatMap((t) => t.columns)) {
      if (c.acl?.some((i) => owners.includes(i.grantee))) c.acl = c.acl.filter((i) => !owners.includes(i.grantee));
    }
    // their default privileges go, and what other roles' default privileges give them
    catalog.defaultAcls = catalog.defaultAcls.filter((d) => !owners.includes(d.role));
    for (const d of catalog.defaultAcls) d.acl = d.acl.filter((i) => !owners.includes(i.grantee));
    catalog.defaultAcls = catalog.defaultAcls.filter((d) => d.acl.length > 0);
    // and what they hold on databases (cluster-wide, with the roles)
    if (!ctx.tx.idle) ctx.ddl.noteRoleChange(roles);
    for (const db of Object.values(roles.databases)) revokeEverythingFrom(db, owners);
    // policies that name them lose them; a policy left with no role goes (RemoveRoleFromObjectPolicy)
    for (const t of catalog.tables.values()) {
      if (!t.policies?.some((p) => p.roles.some((r) => owners.includes(r)))) continue;
      t.policies = t.policies.flatMap((p) => {
        const kept = p.roles.filter((r) => !owners.includes(r));
        return kept.length === p.roles.length ? [p] : kept.length ? [{ ...p, roles: kept }] : [];
      });
    }
  } finally {
    ctx.ddl.noteChanges(catalog);
    catalog.version++;
  }
  if (ctx.tx.idle) await ctx.engine.saveCatalog();
}

