/**
 * Role and privilege statements → typed nodes: CREATE / ALTER / DROP ROLE (USER, GROUP),
 * ALTER ROLE … RENAME TO, GRANT / REVOKE role, GRANT / REVOKE privileges ON objects. The
 * engine (engine/role-statements.ts) checks and applies them.
 */
import type { AlterDefaultPrivilegesStmt, AlterOwnerStmt, AlterRoleStmt, CreateRoleStmt, DropOwnedStmt, DropRoleStmt, GrantRoleStmt, GrantStmt, Node, ReassignOwnedStmt, RoleSpec } from '@pgsql/types';
import { SqlError, SqlState } from '../errors.js';
import { defElems, qualified } from './ddl/tree.js';
import type { FunctionRef, QualifiedName } from './ddl/types.js';
import { functionRef } from './ddl/bind-objects.js';

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

export type PrivilegeTarget = 'table' | 'sequence' | 'schema' | 'database' | 'function' | 'procedure' | 'type' | 'domain';

export type RoleStatement =
  | { readonly kind: 'createRole'; readonly name: string; readonly options: RoleOptions }
  | { readonly kind: 'alterRole'; readonly role: RoleRef; readonly options: RoleOptions }
  | { readonly kind: 'renameRole'; readonly name: string; readonly newName: string }
  | { readonly kind: 'dropRole'; readonly roles: readonly RoleRef[]; readonly missingOk: boolean }
  | { readonly kind: 'grantRole'; readonly grant: boolean; readonly roles: readonly string[]; readonly grantees: readonly RoleRef[]; readonly admin: boolean }
  /** REASSIGN OWNED BY roles TO role */
  | { readonly kind: 'reassignOwned'; readonly roles: readonly RoleRef[]; readonly to: RoleRef }
  /** DROP OWNED BY roles [CASCADE]: their objects dropped, their privileges revoked (current database) */
  /** cascade: DROP OWNED … CASCADE (RESTRICT, the default, keeps a schema that holds other roles' objects) */
  | { readonly kind: 'dropOwned'; readonly roles: readonly RoleRef[]; readonly cascade?: boolean }
  /**
   * ALTER ROLE r|ALL [IN DATABASE d] SET / RESET, ALTER DATABASE d SET / RESET: `role` null
   * is ALL (or ALTER DATABASE); `name` null is RESET ALL; `value` null is RESET name.
   */
  | {
    readonly kind: 'roleSetting'; readonly role: RoleRef | null; readonly database: string | null; readonly alterDatabase: boolean;
    readonly name: string | null; readonly value: string | null;
  }
  /** ALTER FUNCTION f(args) OWNER TO r, ALTER DATABASE d OWNER TO r */
  | { readonly kind: 'alterOwner'; readonly function?: FunctionRef; readonly database?: string; readonly owner: RoleRef }
  /** ALTER DEFAULT PRIVILEGES [FOR ROLE …] [IN SCHEMA …] GRANT | REVOKE … ON TABLES | SEQUENCES | FUNCTIONS | SCHEMAS | TYPES */
  | {
    readonly kind: 'defaultPrivileges'; readonly roles: readonly RoleRef[]; readonly schemas: readonly string[];
    readonly objtype: 'r' | 'S' | 'f' | 'n' | 'T'; readonly grant: boolean; readonly privileges: readonly string[] | null;
    readonly grantees: readonly RoleRef[]; readonly grantOption: boolean;
  }
  | {
    readonly kind: 'grantObject'; readonly grant: boolean; readonly target: PrivilegeTarget;
    /** tables / sequences / databases by name, or schemas (ALL … IN SCHEMA, or GRANT ON SCHEMA) */
    readonly objects: readonly QualifiedName[];
    /** GRANT … ON FUNCTION name[(types)] */
    readonly functions?: readonly FunctionRef[];
    /** GRANT SELECT (a, b), UPDATE (c) …: privilege name → its columns (the privileges without columns are in `privileges`) */
    readonly columns?: readonly { readonly privilege: string; readonly columns: readonly string[] }[];
    readonly allInSchema: boolean;
    /** upper-case privilege names; null: ALL [PRIVILEGES] */
    readonly privileges: readonly string[] | null;
    readonly grantees: readonly RoleRef[];
    /** GRANT … WITH GRANT OPTION, or REVOKE GRANT OPTION FOR */
    readonly grantOption: boolean;
    /** REVOKE … CASCADE: what the grantees granted on goes too */
    readonly cascade?: boolean;
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

const TARGETS: Record<string, PrivilegeTarget> = {
  OBJECT_TABLE: 'table', OBJECT_SEQUENCE: 'sequence', OBJECT_SCHEMA: 'schema', OBJECT_DATABASE: 'database', OBJECT_FUNCTION: 'function', OBJECT_ROUTINE: 'function',
  OBJECT_PROCEDURE: 'procedure', OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'domain',
};

/** a type's name in GRANT … ON TYPE (a list of strings: [schema,] name) */
function nameList(items: readonly Node[]): QualifiedName {
  const parts = items.flatMap((x) => ('String' in x ? [x.String.sval ?? ''] : []));
  return parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { name: parts[0] ?? '' };
}

export function bindGrant(n: GrantStmt): RoleStatement {
  const target = TARGETS[n.objtype ?? ''];
  if (!target) throw new SqlError(SqlState.featureNotSupported, `GRANT and REVOKE on ${(n.objtype ?? 'OBJECT_').slice(7).toLowerCase()} objects are not supported yet`);
  if (n.targtype === 'ACL_TARGET_DEFAULTS') throw new SqlError(SqlState.featureNotSupported, 'ALTER DEFAULT PRIVILEGES is not supported yet');
  const allInSchema = n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
  const routine = target === 'function' || target === 'procedure';
  const functions = routine && !allInSchema ? (n.objects ?? []).flatMap((o) => ('ObjectWithArgs' in o ? [functionRef(o.ObjectWithArgs)] : [])) : undefined;
  const objects = functions ? [] : (n.objects ?? []).map((o): QualifiedName => ('RangeVar' in o ? qualified(o.RangeVar) : 'List' in o ? nameList(o.List.items ?? []) : { name: 'String' in o ? o.String.sval ?? '' : '' }));
  let privileges: string[] | null = null;
  const columns: { privilege: string; columns: string[] }[] = [];
  if (n.privileges) {
    privileges = [];
    for (const p of n.privileges) {
      if (!('AccessPriv' in p)) continue;
      // ALL (a, b) has no priv_name
      const name = (p.AccessPriv.priv_name ?? 'ALL').toUpperCase();
      const cols = (p.AccessPriv.cols ?? []).flatMap((c) => ('String' in c ? [c.String.sval ?? ''] : []));
      if (cols.length > 0) columns.push({ privilege: name, columns: cols });
      else privileges.push(name);
    }
  }
  return {
    kind: 'grantObject', grant: !!n.is_grant, target, objects, allInSchema, privileges, grantees: roleSpecs(n.grantees), grantOption: !!n.grant_option,
    ...(n.behavior === 'DROP_CASCADE' ? { cascade: true } : {}),
    ...(functions ? { functions } : {}), ...(columns.length ? { columns } : {}),
  };
}

const DEFAULT_ACL_TYPES: Record<string, 'r' | 'S' | 'f' | 'n' | 'T'> = { OBJECT_TABLE: 'r', OBJECT_SEQUENCE: 'S', OBJECT_FUNCTION: 'f', OBJECT_SCHEMA: 'n', OBJECT_TYPE: 'T' };

export function bindAlterDefaultPrivileges(n: AlterDefaultPrivilegesStmt): RoleStatement {
  const action = n.action ?? {};
  const objtype = DEFAULT_ACL_TYPES[action.objtype ?? ''];
  if (!objtype) throw new SqlError(SqlState.featureNotSupported, `ALTER DEFAULT PRIVILEGES on ${(action.objtype ?? 'OBJECT_').slice(7).toLowerCase()}s is not supported`);
  let roles: RoleRef[] = [];
  let schemas: string[] = [];
  for (const d of defElems(n.options)) {
    const items = d.arg && 'List' in d.arg ? d.arg.List.items ?? [] : [];
    if (d.defname === 'roles') roles = roleSpecs(items);
    if (d.defname === 'schemas') schemas = items.flatMap((x) => ('String' in x ? [x.String.sval ?? ''] : []));
  }
  const privileges = action.privileges
    ? action.privileges.flatMap((p) => ('AccessPriv' in p ? [(p.AccessPriv.priv_name ?? 'ALL').toUpperCase()] : []))
    : null;
  return {
    kind: 'defaultPrivileges', roles, schemas, objtype, grant: !!action.is_grant, privileges, grantees: roleSpecs(action.grantees), grantOption: !!action.grant_option,
  };
}

/** ALTER FUNCTION / DATABASE … OWNER TO (undefined: another kind of object) */
export function bindAlterOwner(n: AlterOwnerStmt): Extract<RoleStatement, { kind: 'alterOwner' }> | undefined {
  const owner = roleRef(n.newowner);
  if (n.objectType === 'OBJECT_FUNCTION' && n.object && 'ObjectWithArgs' in n.object) return { kind: 'alterOwner', function: functionRef(n.object.ObjectWithArgs), owner };
  if (n.objectType === 'OBJECT_DATABASE' && n.object && 'String' in n.object) return { kind: 'alterOwner', database: n.object.String.sval ?? '', owner };
  return undefined;
}

export function bindReassignOwned(n: ReassignOwnedStmt): RoleStatement {
  return { kind: 'reassignOwned', roles: roleSpecs(n.roles), to: roleRef(n.newrole) };
}

export function bindDropOwned(n: DropOwnedStmt): RoleStatement {
  return { kind: 'dropOwned', roles: roleSpecs(n.roles), cascade: n.behavior === 'DROP_CASCADE' };
}
