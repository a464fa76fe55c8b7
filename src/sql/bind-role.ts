/**
 * Role and privilege statements → typed nodes: CREATE / ALTER / DROP ROLE (USER, GROUP),
 * ALTER ROLE … RENAME TO, GRANT / REVOKE role, GRANT / REVOKE privileges ON objects. The
 * engine (engine/role-statements.ts) checks and applies them.
 */
import type { AlterRoleStmt, CreateRoleStmt, DropOwnedStmt, DropRoleStmt, GrantRoleStmt, GrantStmt, Node, ReassignOwnedStmt, RoleSpec } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import { defElems, qualified } from './ddl/tree.js';
import type { QualifiedName } from './ddl/types.js';

/** A role as written: a name, or CURRENT_USER / SESSION_USER / CURRENT_ROLE / PUBLIC */
export type RoleRef = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'current_user' | 'session_user' | 'public' };

/** CREATE / ALTER ROLE options; absent = not given */
export interface RoleOptions {
  superuser?: boolean;
  createDb?: boolean;
  createRole?: boolean;
  inherit?: boolean;
  canLogin?: boolean;
  replication?: boolean;
  bypassRls?: boolean;
  connLimit?: number;
  /** null: PASSWORD NULL */
  password?: string | null;
  validUntil?: string;
  /** IN ROLE …: roles the new role joins */
  inRoles?: string[];
  /** ROLE …: members of the new role; ADMIN …: members with admin option */
  members?: string[];
  adminMembers?: string[];
}

export type PrivilegeTarget = 'table' | 'sequence' | 'schema';

export type RoleStatement =
  | { readonly kind: 'createRole'; readonly name: string; readonly options: RoleOptions }
  | { readonly kind: 'alterRole'; readonly role: RoleRef; readonly options: RoleOptions }
  | { readonly kind: 'renameRole'; readonly name: string; readonly newName: string }
  | { readonly kind: 'dropRole'; readonly roles: readonly RoleRef[]; readonly missingOk: boolean }
  | { readonly kind: 'grantRole'; readonly grant: boolean; readonly roles: readonly string[]; readonly grantees: readonly RoleRef[]; readonly admin: boolean }
  /** REASSIGN OWNED BY roles TO role */
  | { readonly kind: 'reassignOwned'; readonly roles: readonly RoleRef[]; readonly to: RoleRef }
  /** DROP OWNED BY roles [CASCADE]: their objects dropped, their privileges revoked (current database) */
  | { readonly kind: 'dropOwned'; readonly roles: readonly RoleRef[] }
  | {
    readonly kind: 'grantObject'; readonly grant: boolean; readonly target: PrivilegeTarget;
    /** tables / sequences by name, or schemas (ALL … IN SCHEMA, or GRANT ON SCHEMA) */
    readonly objects: readonly QualifiedName[];
    readonly allInSchema: boolean;
    /** upper-case privilege names; null: ALL [PRIVILEGES] */
    readonly privileges: readonly string[] | null;
    readonly grantees: readonly RoleRef[];
    /** GRANT … WITH GRANT OPTION, or REVOKE GRANT OPTION FOR */
    readonly grantOption: boolean;
  };

export function roleRef(spec: RoleSpec | undefined): RoleRef {
  switch (spec?.roletype) {
    case 'ROLESPEC_CURRENT_USER':
    case 'ROLESPEC_CURRENT_ROLE':
      return { kind: 'current_user' };
    case 'ROLESPEC_SESSION_USER':
      return { kind: 'session_user' };
    case 'ROLESPEC_PUBLIC':
      return { kind: 'public' };
    default:
      return { kind: 'name', name: spec?.rolename ?? '' };
  }
}

const roleSpecs = (nodes: readonly Node[] | undefined): RoleRef[] => (nodes ?? []).flatMap((n) => ('RoleSpec' in n ? [roleRef(n.RoleSpec)] : []));
const roleNames = (arg: Node | undefined): string[] => {
  const items = arg && 'List' in arg ? arg.List.items ?? [] : [];
  return roleSpecs(items).map((r) => (r.kind === 'name' ? r.name : r.kind));
};

function roleOptions(nodes: readonly Node[] | undefined): RoleOptions {
  const o: RoleOptions = {};
  const seen = new Set<string>();
  for (const d of defElems(nodes)) {
    const name = d.defname ?? '';
    if (seen.has(name)) throw new SqlError(SqlState.syntaxError, 'conflicting or redundant options');
    seen.add(name);
    const arg = d.arg;
    const bool = arg && 'Boolean' in arg ? !!arg.Boolean.boolval : true;
    const str = arg && 'String' in arg ? arg.String.sval ?? '' : undefined;
    switch (name) {
      case 'superuser': o.superuser = bool; break;
      case 'createdb': o.createDb = bool; break;
      case 'createrole': o.createRole = bool; break;
      case 'inherit': o.inherit = bool; break;
      case 'canlogin': o.canLogin = bool; break;
      case 'isreplication': o.replication = bool; break;
      case 'bypassrls': o.bypassRls = bool; break;
      case 'connectionlimit': o.connLimit = arg && 'Integer' in arg ? Number(arg.Integer.ival ?? 0) : -1; break;
      case 'password': o.password = str ?? null; break;
      case 'validUntil': o.validUntil = str ?? ''; break;
      case 'addroleto': o.inRoles = roleNames(arg); break;
      case 'rolemembers': o.members = roleNames(arg); break;
      case 'adminmembers': o.adminMembers = roleNames(arg); break;
      case 'sysid': break; // SYSID is ignored, as PostgreSQL does
      default: throw new SqlError(SqlState.featureNotSupported, `role option "${name}" is not supported`);
    }
  }
  return o;
}

export function bindCreateRole(n: CreateRoleStmt): RoleStatement {
  const options = roleOptions(n.options);
  // CREATE USER is CREATE ROLE … LOGIN
  if (n.stmt_type === 'ROLESTMT_USER' && options.canLogin === undefined) options.canLogin = true;
  return { kind: 'createRole', name: n.role ?? '', options };
}

export function bindAlterRole(n: AlterRoleStmt): RoleStatement {
  return { kind: 'alterRole', role: roleRef(n.role), options: roleOptions(n.options) };
}

export function bindDropRole(n: DropRoleStmt): RoleStatement {
  return { kind: 'dropRole', roles: roleSpecs(n.roles), missingOk: !!n.missing_ok };
}

export function bindGrantRole(n: GrantRoleStmt): RoleStatement {
  const roles = (n.granted_roles ?? []).flatMap((x) => ('AccessPriv' in x ? [x.AccessPriv.priv_name ?? ''] : []));
  const admin = defElems((n as { opt?: Node[] }).opt).some((d) => d.defname === 'admin') || !!(n as { admin_opt?: boolean }).admin_opt;
  return { kind: 'grantRole', grant: !!n.is_grant, roles, grantees: roleSpecs(n.grantee_roles), admin };
}

const TARGETS: Record<string, PrivilegeTarget> = { OBJECT_TABLE: 'table', OBJECT_SEQUENCE: 'sequence', OBJECT_SCHEMA: 'schema' };

export function bindGrant(n: GrantStmt): RoleStatement {
  const target = TARGETS[n.objtype ?? ''];
  if (!target) throw new SqlError(SqlState.featureNotSupported, `GRANT and REVOKE on ${(n.objtype ?? 'OBJECT_').slice(7).toLowerCase()} objects are not supported yet`);
  if (n.targtype === 'ACL_TARGET_DEFAULTS') throw new SqlError(SqlState.featureNotSupported, 'ALTER DEFAULT PRIVILEGES is not supported yet');
  const allInSchema = n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
  const objects = (n.objects ?? []).map((o): QualifiedName => ('RangeVar' in o ? qualified(o.RangeVar) : { name: 'String' in o ? o.String.sval ?? '' : '' }));
  let privileges: string[] | null = null;
  if (n.privileges) {
    privileges = [];
    for (const p of n.privileges) {
      if (!('AccessPriv' in p)) continue;
      if ((p.AccessPriv.cols ?? []).length > 0) throw new SqlError(SqlState.featureNotSupported, 'column privileges are not supported yet');
      privileges.push((p.AccessPriv.priv_name ?? '').toUpperCase());
    }
  }
  return { kind: 'grantObject', grant: !!n.is_grant, target, objects, allInSchema, privileges, grantees: roleSpecs(n.grantees), grantOption: !!n.grant_option };
}

export function bindReassignOwned(n: ReassignOwnedStmt): RoleStatement {
  return { kind: 'reassignOwned', roles: roleSpecs(n.roles), to: roleRef(n.newrole) };
}

export function bindDropOwned(n: DropOwnedStmt): RoleStatement {
  return { kind: 'dropOwned', roles: roleSpecs(n.roles) };
}
