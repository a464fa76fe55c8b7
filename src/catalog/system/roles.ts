/**
 * The rows of pg_roles, pg_authid, pg_user, pg_shadow and pg_auth_members from the
 * cluster's roles. pg_authid and pg_shadow hold the password secrets: superusers only,
 * as PostgreSQL revokes them from PUBLIC.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Row } from '../../types/types.js';
import { OidAllocator, type SystemRelationContext } from '../catalog.js';
import { BOOTSTRAP_ROLE, Roles, type RoleDef } from '../roles.js';

/** Roles in pg_authid's physical order: the bootstrap superuser, the predefined roles, then by creation. */
function ordered(roles: Roles): RoleDef[] {
  const rank = (r: RoleDef) => (r.oid === BOOTSTRAP_ROLE ? 0 : r.predefined ? 1 : 2);
  const all = roles.all();
  return all.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || (rank(a.r) === 2 ? a.r.oid - b.r.oid : a.i - b.i)).map((x) => x.r);
}

/** a context without the cluster's roles (a bare engine in a test) sees the bootstrap roles */
function rolesOf(ctx: SystemRelationContext): Roles {
  return ctx.roles ?? new Roles(new OidAllocator(), ctx.user);
}

function superuserOnly(ctx: SystemRelationContext, table: string): Roles {
  const roles = rolesOf(ctx);
  if (ctx.roleOid !== undefined && !roles.isSuperuser(ctx.roleOid)) throw new SqlError(SqlState.insufficientPrivilege, `permission denied for table ${table}`);
  return roles;
}

/** a role's own settings in every database (rolconfig, useconfig) */
function roleConfig(roles: Roles, role: number): string[] | null {
  return roles.settings.find((s) => s.database === '' && s.role === role)?.config.slice() ?? null;
}

/** pg_roles: rolname … rolpassword (always ********), rolvaliduntil, rolbypassrls, rolconfig, oid */
export function pgRolesRows(ctx: SystemRelationContext): Row[] {
  const roles = rolesOf(ctx);
  return ordered(roles).map((r) => [r.name, r.superuser, r.inherit, r.createRole, r.createDb, r.canLogin, r.replication, r.connLimit,
    '********', r.validUntil, r.bypassRls, roleConfig(roles, r.oid), r.oid]);
}

/** pg_db_role_setting: setdatabase (0: all), setrole (0: all), setconfig */
export function pgDbRoleSettingRows(ctx: SystemRelationContext, databaseOid: (name: string) => number): Row[] {
  return rolesOf(ctx).settings.map((s) => [s.database === '' ? 0 : databaseOid(s.database), s.role, s.config.slice()]);
}

export function pgAuthidRows(ctx: SystemRelationContext): Row[] {
  return ordered(superuserOnly(ctx, 'pg_authid')).map((r) => [r.oid, r.name, r.superuser, r.inherit, r.createRole, r.createDb, r.canLogin, r.replication,
    r.bypassRls, r.connLimit, r.password, r.validUntil]);
}

/** pg_user / pg_shadow: the roles that can log in (passwd hidden in pg_user) */
export function pgUserRows(ctx: SystemRelationContext, shadow: boolean): Row[] {
  const roles = shadow ? superuserOnly(ctx, 'pg_shadow') : rolesOf(ctx);
  return ordered(roles).filter((r) => r.canLogin).map((r) => [r.name, r.oid, r.createDb, r.superuser, r.replication, r.bypassRls,
    shadow ? r.password : '********', r.validUntil, roleConfig(roles, r.oid)]);
}

export function pgAuthMembersRows(ctx: SystemRelationContext): Row[] {
  return rolesOf(ctx).allMembers().map((m) => [m.role, m.member, m.grantor, m.admin]);
}
