/**
 * Who a session is: the role that logs in (checked as PostgreSQL's InitializeSessionUserId
 * does: LOGIN, CONNECTION LIMIT), and SET ROLE / SET SESSION AUTHORIZATION, kept as the
 * `role` and `session_authorization` settings so that SET LOCAL and ROLLBACK restore them
 * like any setting (current_user follows `role`, else `session_authorization`).
 */
import { SqlError, SqlState } from '../errors.js';
import type { EngineState } from './context.js';
import { ALL_DATABASE_PRIVILEGES, hasPrivilege, type RoleDef, type Roles } from '../catalog/roles.js';
import type { SessionSettings } from './session-settings.js';

/**
 * The role a new session logs in as. Users the command line lets in (trust, --users,
 * --password) that no CREATE ROLE made become superusers on their first login — everyone
 * could do everything before roles existed, and the bootstrap keeps it so.
 */
export function loginRole(engine: EngineState, user: string): RoleDef {
  let role = engine.roles.find(user);
  if (!role) {
    role = engine.roles.create(user, { superuser: true, canLogin: true, createRole: true, createDb: true, replication: true, bypassRls: true });
    void engine.saveCatalog().catch(() => {});
  }
  if (!role.canLogin) {
    throw new SqlError(SqlState.invalidAuthorizationSpecification, `role "${user}" is not permitted to log in`, { severity: 'FATAL' });
  }
  // the sessions already logged in as this role (this one is not yet counted)
  if (!role.superuser && role.connLimit >= 0 && engine.sessionsOfRole(role.oid) >= role.connLimit) {
    throw new SqlError(SqlState.tooManyConnections, `too many connections for role "${user}"`, { severity: 'FATAL' });
  }
  return role;
}

/** CheckMyDatabase: a role logs in to a database only with CONNECT on it (superusers always). */
export function checkConnectPrivilege(roles: Roles, role: number, database: string): void {
  if (hasPrivilege(roles, role, roles.databases[database] ?? {}, 'c', ALL_DATABASE_PRIVILEGES)) return;
  throw new SqlError(SqlState.insufficientPrivilege, `permission denied for database "${database}"`, {
    severity: 'FATAL', detail: 'User does not have CONNECT privilege.',
  });
}

/** The name current_user has: SET ROLE's role, else the session user. */
export function currentRoleName(settings: SessionSettings): string {
  const role = settings.get('role');
  return role !== undefined && role !== 'none' ? role : settings.get('session_authorization') ?? '';
}

/**
 * SET ROLE name | NONE (check_role): the role must exist (22023, GUC's code) and the
 * session user must be a member of it (42501).
 */
export function checkSetRole(engine: EngineState, settings: SessionSettings, value: string): string {
  if (value.toLowerCase() === 'none') return 'none';
  const role = engine.roles.find(value);
  if (!role) throw new SqlError(SqlState.invalidParameterValue, `role "${value}" does not exist`);
  const session = engine.roles.find(settings.get('session_authorization') ?? '');
  if (!session || !engine.roles.isMemberOf(session.oid, role.oid)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied to set role "${value}"`);
  }
  return role.name;
}

/** SET SESSION AUTHORIZATION name (check_session_authorization): only a superuser who logged in may. */
export function checkSessionAuthorization(engine: EngineState, loginRoleOid: number, value: string): string {
  const role = engine.roles.find(value);
  if (!role) throw new SqlError(SqlState.invalidParameterValue, `role "${value}" does not exist`);
  if (role.oid !== loginRoleOid && !engine.roles.isSuperuser(loginRoleOid)) {
    throw new SqlError(SqlState.insufficientPrivilege, `permission denied to set session authorization`);
  }
  return role.name;
}

/** is_superuser follows current_user (PostgreSQL's SetCurrentRoleId / SetSessionAuthorization). */
export function syncIsSuperuser(engine: EngineState, settings: SessionSettings): void {
  const role = engine.roles.find(currentRoleName(settings));
  settings.setRaw('is_superuser', role?.superuser ?? true ? 'on' : 'off');
}
