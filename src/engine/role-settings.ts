/**
 * ALTER ROLE r | ALL [IN DATABASE d] SET / RESET and ALTER DATABASE d SET / RESET
 * (PostgreSQL's AlterRoleSet / AlterDatabaseSet with pg_db_role_setting): the values are
 * checked as SET checks them, kept in the roles catalog (durable with it), and applied when
 * a matching session starts (Roles.sessionDefaults).
 */
import { SqlError, SqlState } from '../errors.js';
import { isOwner, type DbRoleSetting, type Roles } from '../catalog/roles.js';
import type { RoleStatement } from '../sql/bind-role.js';
import { checkSettable, normalizeSetting, settingDef } from './settings.js';
import type { SessionContext } from './context.js';
import { currentRoleName } from './session-roles.js';

const denied = (message: string): SqlError => new SqlError(SqlState.insufficientPrivilege, message);

export function alterRoleSetting(ctx: SessionContext, roles: Roles, me: number, stmt: Extract<RoleStatement, { kind: 'roleSetting' }>): void {
  let role = 0;
  if (stmt.role) {
    const r = stmt.role.kind === 'current_user' ? roles.require(currentRoleName(ctx.settings))
      : stmt.role.kind === 'session_user' ? roles.require(ctx.settings.get('session_authorization') ?? '')
        : roles.require(stmt.role.kind === 'name' ? stmt.role.name : 'public');
    role = r.oid;
    if (r.superuser) {
      if (!roles.isSuperuser(me)) throw denied('must be superuser to alter superusers');
    } else if (!roles.isSuperuser(me) && !roles.get(me)?.createRole && r.oid !== me) {
      throw denied('permission denied');
    }
  }
  const database = stmt.database ?? '';
  if (database !== '' && !ctx.engine.databases.has(database)) {
    throw new SqlError(SqlState.invalidCatalogName, `database "${database}" does not exist`);
  }
  if (stmt.alterDatabase) {
    if (!isOwner(roles, me, roles.database(database))) throw denied(`must be owner of database ${database}`);
  } else if (!stmt.role && !roles.isSuperuser(me)) {
    throw denied('must be superuser to alter settings globally');
  }
  const row = roles.settings.find((s) => s.database === database && s.role === role);
  if (stmt.name === null) {
    if (row) roles.settings = roles.settings.filter((s) => s !== row);
    return;
  }
  const key = checkSettable(stmt.name);
  const def = settingDef(key);
  if (def?.superuserOnly && !roles.isSuperuser(me)) throw denied(`permission denied to set parameter "${def.name}"`);
  const name = def?.name ?? key;
  if (stmt.value !== null) normalizeSetting(key, stmt.value);
  const target: DbRoleSetting = row ?? { database, role, config: [] };
  // GUCArrayAdd / GUCArrayDelete: a new value replaces the old one in place, RESET removes it
  const at = target.config.findIndex((item) => item.slice(0, item.indexOf('=')).toLowerCase() === key);
  if (stmt.value === null) {
    if (at >= 0) target.config.splice(at, 1);
  } else if (at >= 0) {
    target.config[at] = `${name}=${stmt.value}`;
  } else {
    target.config.push(`${name}=${stmt.value}`);
  }
  if (target.config.length === 0) roles.settings = roles.settings.filter((s) => s !== target);
  else if (!row) roles.settings.push(target);
}
