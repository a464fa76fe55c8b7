/**
 * Roles (cluster-wide, like pg_authid and pg_auth_members) and the one place that answers
 * "may this role do that": membership (SET ROLE), inherited privileges, and table
 * privileges from an owner and an ACL (PostgreSQL's aclitem model: grantee=privs/grantor,
 * `*` after a privilege for its grant option, an empty grantee for PUBLIC). Row-level
 * security and the other object kinds build on these checks.
 */
import { SqlError, SqlState } from '../errors.js';
import type { OidAllocator } from './catalog.js';

/** PostgreSQL's fixed OIDs: the bootstrap superuser, and PUBLIC in an aclitem. */
export const BOOTSTRAP_ROLE = 10;
export const PUBLIC_ROLE = 0;

export interface RoleDef {
  readonly oid: number;
  name: string;
  superuser: boolean;
  inherit: boolean;
  createRole: boolean;
  createDb: boolean;
  canLogin: boolean;
  replication: boolean;
  bypassRls: boolean;
  /** -1: no limit */
  connLimit: number;
  /** the stored SCRAM or md5 secret (never cleartext), or null */
  password: string | null;
  /** VALID UNTIL, microseconds since 1970 (null: always valid) */
  validUntil: number | null;
  /** a predefined role (pg_read_all_data, …): not saved, cannot be dropped */
  readonly predefined?: boolean;
}

/** One pg_auth_members row: `member` is a member of `role`. */
export interface RoleMembership {
  readonly role: number;
  readonly member: number;
  readonly grantor: number;
  admin: boolean;
}

/** PostgreSQL 15's predefined roles (catalog/pg_authid.dat), none of them a login role. */
const PREDEFINED: readonly [number, string][] = [[6171, 'pg_database_owner'], [6181, 'pg_read_all_data'], [6182, 'pg_write_all_data'],
  [3373, 'pg_monitor'], [3374, 'pg_read_all_settings'], [3375, 'pg_read_all_stats'], [3377, 'pg_stat_scan_tables'], [4569, 'pg_read_server_files'],
  [4570, 'pg_write_server_files'], [4571, 'pg_execute_server_program'], [4200, 'pg_signal_backend'], [4544, 'pg_checkpoint']];
export const PG_READ_ALL_DATA = 6181;
export const PG_WRITE_ALL_DATA = 6182;

/**
 * One pg_db_role_setting row: ALTER ROLE … [IN DATABASE …] SET / ALTER DATABASE … SET.
 * `database` '' and `role` 0 stand for all (PostgreSQL's InvalidOid); `config` holds
 * `name=value` strings in the order they were set.
 */
export interface DbRoleSetting {
  readonly database: string;
  readonly role: number;
  config: string[];
}

/** pg_database's owner and ACL of one database (absent: owned by the bootstrap superuser, default ACL). */
export type DatabasePrivileges = Securable;

export interface RolesData {
  roles: RoleDef[];
  members: RoleMembership[];
  /** pg_db_role_setting (absent in images written before it existed) */
  settings?: DbRoleSetting[];
  /** datdba / datacl by database name */
  databases?: Record<string, DatabasePrivileges>;
}

export function newRole(oid: number, name: string, attrs: Partial<RoleDef> = {}): RoleDef {
  return {
    oid, name, superuser: false, inherit: true, createRole: false, createDb: false, canLogin: false, replication: false,
    bypassRls: false, connLimit: -1, password: null, validUntil: null, ...attrs,
  };
}

/** pg_monitor has the privileges of three other predefined roles (pg_auth_members.dat) */
const BUILTIN_MEMBERS: readonly RoleMembership[] = [3374, 3375, 3377].map((role) => ({ role, member: 3373, grantor: BOOTSTRAP_ROLE, admin: false }));

export class Roles {
  private readonly byOid = new Map<number, RoleDef>();
  /** name → role: current_user is looked up by name per statement (and per nextval) */
  private readonly byName = new Map<string, RoleDef>();
  /** memberships granted in SQL (the built-in ones are BUILTIN_MEMBERS) */
  members: RoleMembership[] = [];
  /** ALTER ROLE / DATABASE … SET: applied at the start of each matching session */
  settings: DbRoleSetting[] = [];
  /** databases' owners and ACLs (cluster-wide, like pg_database): GRANT … ON DATABASE */
  databases: Record<string, DatabasePrivileges> = {};

  constructor(private readonly oids: OidAllocator, bootstrapName = 'postgres') {
    this.add(newRole(BOOTSTRAP_ROLE, bootstrapName, { superuser: true, createRole: true, createDb: true, canLogin: true, replication: true, bypassRls: true }));
    for (const [oid, name] of PREDEFINED) this.add(newRole(oid, name, { predefined: true }));
  }

  /** every pg_auth_members row */
  allMembers(): readonly RoleMembership[] {
    return [...BUILTIN_MEMBERS, ...this.members];
  }

  private add(r: RoleDef): void {
    this.byOid.set(r.oid, r);
    this.byName.set(r.name, r);
  }

  all(): RoleDef[] {
    return [...this.byOid.values()];
  }

  get(oid: number): RoleDef | undefined {
    return this.byOid.get(oid);
  }

  find(name: string): RoleDef | undefined {
    return this.byName.get(name);
  }

  rename(role: RoleDef, newName: string): void {
    this.byName.delete(role.name);
    role.name = newName;
    this.byName.set(newName, role);
  }

  /** the role, or 42704 `role "x" does not exist` */
  require(name: string): RoleDef {
    const r = this.find(name);
    if (!r) throw new SqlError(SqlState.undefinedObject, `role "${name}" does not exist`);
    return r;
  }

  /** a role's name for output (pg_get_userbyid): `unknown (OID=n)` when there is none */
  nameOf(oid: number): string {
    if (oid === PUBLIC_ROLE) return '-';
    return this.byOid.get(oid)?.name ?? `unknown (OID=${oid})`;
  }

  create(name: string, attrs: Partial<RoleDef>): RoleDef {
    if (this.find(name)) throw new SqlError('42710', `role "${name}" already exists`);
    const r = newRole(this.oids.allocate(), name, attrs);
    this.add(r);
    return r;
  }

  drop(oid: number): void {
    const r = this.byOid.get(oid);
    if (r) this.byName.delete(r.name);
    this.byOid.delete(oid);
    this.members = this.members.filter((m) => m.role !== oid && m.member !== oid);
    // DropSetting: the role's own settings go with it
    this.settings = this.settings.filter((x) => x.role !== oid);
  }

  /** A database's owner and ACL (created on first use: a database without an entry has the defaults). */
  database(name: string): DatabasePrivileges {
    return (this.databases[name] ??= {});
  }

  /** The settings a session of `role` in `database` starts with, lowest precedence first (process_settings). */
  sessionDefaults(database: string, role: number): [string, string][] {
    const out: [string, string][] = [];
    for (const [db, r] of [['', 0], [database, 0], ['', role], [database, role]] as const) {
      const row = this.settings.find((x) => x.database === db && x.role === r);
      for (const item of row?.config ?? []) {
        const eq = item.indexOf('=');
        out.push([item.slice(0, eq), item.slice(eq + 1)]);
      }
    }
    return out;
  }

  /** Is `member` a member of `role`, directly or through other roles (is_member_of_role: what SET ROLE needs)? */
  isMemberOf(member: number, role: number): boolean {
    if (this.byOid.get(member)?.superuser) return true;
    return this.isMemberIgnoringSuperuser(member, role);
  }

  /** Membership by grants alone (is_member_of_role_nosuper: GRANT refuses circles with it) */
  isMemberIgnoringSuperuser(member: number, role: number): boolean {
    return member === role || this.reaches(member, role, false);
  }

  /** Does `member` have the privileges of `role` (has_privs_of_role: membership through INHERIT roles)? */
  hasPrivilegesOf(member: number, role: number): boolean {
    if (member === role || this.byOid.get(member)?.superuser) return true;
    return this.reaches(member, role, true);
  }

  /** Does `member` hold ADMIN OPTION on `role` (directly or through a role it has the privileges of)? */
  hasAdminOption(member: number, role: number): boolean {
    return this.allMembers().some((m) => m.role === role && m.admin && this.hasPrivilegesOf(member, m.member));
  }

  private reaches(from: number, to: number, inheritOnly: boolean): boolean {
    const seen = new Set([from]);
    const queue = [from];
    while (queue.length > 0) {
      const cur = queue.shift()!;
      if (inheritOnly && !(this.byOid.get(cur)?.inherit ?? false)) continue;
      for (const m of this.allMembers()) {
        if (m.member !== cur || seen.has(m.role)) continue;
        if (m.role === to) return true;
        seen.add(m.role);
        queue.push(m.role);
      }
    }
    return false;
  }

  isSuperuser(oid: number): boolean {
    return this.byOid.get(oid)?.superuser ?? false;
  }

  /** The durable part: every role but the predefined ones, and the memberships granted in SQL. */
  toData(): RolesData {
    return { roles: this.all().filter((r) => !r.predefined), members: this.members, settings: this.settings, databases: this.databases };
  }

  loadData(data: RolesData): void {
    for (const r of [...this.byOid.values()]) if (!r.predefined) this.drop(r.oid);
    for (const r of data.roles) this.add(r);
    this.members = [...data.members];
    this.settings = [...(data.settings ?? [])];
    this.databases = { ...(data.databases ?? {}) };
  }
}

// ---- privileges on objects -----------------------------------------------------------------

/** aclitem privilege letters in PostgreSQL's output order (ACL_ALL_RIGHTS_STR), and each one's name */
export const PRIVILEGE_LETTERS: Readonly<Record<string, string>> = {
  INSERT: 'a', SELECT: 'r', UPDATE: 'w', DELETE: 'd', TRUNCATE: 'D', REFERENCES: 'x', TRIGGER: 't', EXECUTE: 'X', USAGE: 'U', CREATE: 'C', TEMPORARY: 'T', TEMP: 'T', CONNECT: 'c',
};
const LETTER_ORDER = 'arwdDxtXUCTc';
/** ALL [PRIVILEGES] per object kind */
export const ALL_TABLE_PRIVILEGES = 'arwdDxt';
export const ALL_SEQUENCE_PRIVILEGES = 'rwU';
export const ALL_SCHEMA_PRIVILEGES = 'UC';
export const ALL_DATABASE_PRIVILEGES = 'CTc';
export const ALL_FUNCTION_PRIVILEGES = 'X';
export const ALL_TYPE_PRIVILEGES = 'U';
/** what acldefault gives PUBLIC per kind (by its ALL): TEMP and CONNECT on databases, EXECUTE on functions, USAGE on types */
const PUBLIC_DEFAULTS: Readonly<Record<string, string>> = { [ALL_DATABASE_PRIVILEGES]: 'Tc', [ALL_FUNCTION_PRIVILEGES]: 'X', [ALL_TYPE_PRIVILEGES]: 'U' };

/** One aclitem: `privs` are letters, `grantable` the ones held WITH GRANT OPTION. */
export interface AclItem {
  readonly grantee: number;
  readonly grantor: number;
  privs: string;
  grantable: string;
}

/** An object that has privileges: its owner and its ACL (absent or null: the default, acldefault). */
export interface Securable {
  owner?: number;
  acl?: AclItem[] | null;
}

export function ownerOf(obj: Securable): number {
  return obj.owner ?? BOOTSTRAP_ROLE;
}

/** acldefault: the owner holds every privilege of the kind (with grant option, implicitly); PUBLIC some kinds' */
export function defaultAcl(owner: number, all: string): AclItem[] {
  const own: AclItem = { grantee: owner, grantor: owner, privs: all, grantable: '' };
  const world = PUBLIC_DEFAULTS[all];
  return world ? [{ grantee: PUBLIC_ROLE, grantor: owner, privs: world, grantable: '' }, own] : [own];
}

export function effectiveAcl(obj: Securable, all: string): AclItem[] {
  return obj.acl ?? defaultAcl(ownerOf(obj), all);
}

const sortLetters = (s: string): string => [...new Set(s)].sort((a, b) => LETTER_ORDER.indexOf(a) - LETTER_ORDER.indexOf(b)).join('');

/** An aclitem as text, e.g. `alice=arw*` then `/postgres` (aclitemout); names quoted as aclitemout does. */
export function formatAclItem(item: AclItem, roles: Roles): string {
  let privs = '';
  for (const l of sortLetters(item.privs)) privs += item.grantable.includes(l) ? `${l}*` : l;
  const grantee = item.grantee === PUBLIC_ROLE ? '' : aclName(roles.nameOf(item.grantee));
  return `${grantee}=${privs}/${aclName(roles.nameOf(item.grantor))}`;
}

/** putid(): a name is double-quoted unless it is only alphanumerics and underscores */
function aclName(name: string): string {
  return /^[\p{L}\p{N}_]+$/u.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** relacl / nspacl as text[] (null while the object has its default privileges) */
export function formatAcl(obj: Securable, roles: Roles): string[] | null {
  return obj.acl ? obj.acl.map((i) => formatAclItem(i, roles)) : null;
}

/**
 * Does `role` hold privilege `letter` on `obj` (pg_class_aclmask for one bit)? Owners hold
 * their object's privileges through its ACL (an owner can revoke its own), superusers
 * everything; a role holds what it, PUBLIC, or a role it inherits from was granted.
 */
export function hasPrivilege(roles: Roles, role: number, obj: Securable, letter: string, all: string, withGrantOption = false): boolean {
  if (roles.isSuperuser(role)) return true;
  // the owner may always grant (its grant options are implicit)
  if (withGrantOption && roles.hasPrivilegesOf(role, ownerOf(obj))) return true;
  for (const item of effectiveAcl(obj, all)) {
    const held = withGrantOption ? item.grantable : item.privs;
    if (held.includes(letter) && (item.grantee === PUBLIC_ROLE || roles.hasPrivilegesOf(role, item.grantee))) return true;
  }
  return false;
}

/** Table privileges, with pg_read_all_data / pg_write_all_data (PostgreSQL 14+). */
export function hasTablePrivilege(roles: Roles, role: number, table: Securable, letter: string): boolean {
  if (hasPrivilege(roles, role, table, letter, ALL_TABLE_PRIVILEGES)) return true;
  if (letter === 'r') return roles.hasPrivilegesOf(role, PG_READ_ALL_DATA);
  if (letter === 'a' || letter === 'w' || letter === 'd') return roles.hasPrivilegesOf(role, PG_WRITE_ALL_DATA);
  return false;
}

/** Is `role` the owner of `obj`, or a member with its privileges, or a superuser (pg_class_ownercheck)? */
export function isOwner(roles: Roles, role: number, obj: Securable): boolean {
  return roles.hasPrivilegesOf(role, ownerOf(obj));
}

/**
 * GRANT `letters` [WITH GRANT OPTION] to `grantee`, granted by `grantor` (the owner when a
 * superuser or owner grants): merged into the grantee's item from that grantor (aclupdate).
 */
export function grantPrivileges(obj: Securable, all: string, grantee: number, grantor: number, letters: string, grantOption: boolean): void {
  const acl = effectiveAcl(obj, all).map((i) => ({ ...i }));
  let item = acl.find((i) => i.grantee === grantee && i.grantor === grantor);
  if (!item) acl.push(item = { grantee, grantor, privs: '', grantable: '' });
  item.privs = sortLetters(item.privs + letters);
  if (grantOption) item.grantable = sortLetters(item.grantable + letters);
  obj.acl = acl;
}

/**
 * REVOKE [GRANT OPTION FOR] `letters` from `grantee` as granted by `grantor`; an emptied item
 * goes. What the grantee granted on with the grant options it loses goes too with `cascade`
 * (recursive_revoke), else 2BP01 `dependent privileges exist`.
 */
export function revokePrivileges(obj: Securable, all: string, grantee: number, grantor: number, letters: string, grantOptionOnly: boolean, cascade = false): void {
  const acl = effectiveAcl(obj, all).map((i) => ({ ...i }));
  const drop = (s: string) => [...s].filter((l) => !letters.includes(l)).join('');
  for (const item of acl) {
    if (item.grantee !== grantee || item.grantor !== grantor) continue;
    item.grantable = drop(item.grantable);
    if (!grantOptionOnly) item.privs = drop(item.privs);
  }
  obj.acl = acl.filter((i) => i.privs !== '');
  if (grantee === PUBLIC_ROLE || grantee === ownerOf(obj)) return;
  // grant options the grantee no longer holds from anyone
  const lost = [...letters].filter((l) => !obj.acl!.some((i) => i.grantee === grantee && i.grantable.includes(l))).join('');
  for (const dependent of obj.acl.filter((i) => i.grantor === grantee && [...i.privs].some((l) => lost.includes(l)))) {
    if (!cascade) throw new SqlError('2BP01', 'dependent privileges exist', { hint: 'Use CASCADE to revoke them too.' });
    revokePrivileges(obj, all, dependent.grantee, grantee, lost, false, true);
  }
}

/**
 * DROP OWNED: whatever `roles` were granted on `obj` goes, and with it what they granted
 * with the grant options they lose, and so on (RemoveRoleFromObjectACL revokes with CASCADE).
 */
export function revokeEverythingFrom(obj: Securable, roles: readonly number[]): void {
  if (!obj.acl?.some((i) => roles.includes(i.grantee))) return;
  const owner = ownerOf(obj);
  let acl = obj.acl.filter((i) => !roles.includes(i.grantee)).map((i) => ({ ...i }));
  for (let changed = true; changed;) {
    changed = false;
    for (const item of acl) {
      if (item.grantor === owner) continue;
      const held = (l: string) => acl.some((g) => g !== item && g.grantee === item.grantor && g.grantable.includes(l));
      const privs = [...item.privs].filter(held).join('');
      if (privs === item.privs) continue;
      item.privs = privs;
      item.grantable = [...item.grantable].filter((l) => privs.includes(l)).join('');
      changed = true;
    }
    acl = acl.filter((i) => i.privs !== '');
  }
  obj.acl = acl;
}

/** ALTER … OWNER TO: the old owner's items become the new owner's (aclnewowner). */
export function changeOwner(obj: Securable, newOwner: number): void {
  const old = ownerOf(obj);
  if (obj.acl) {
    const acl: AclItem[] = [];
    for (const i of obj.acl) {
      const item = { ...i, grantee: i.grantee === old ? newOwner : i.grantee, grantor: i.grantor === old ? newOwner : i.grantor };
      const same = acl.find((x) => x.grantee === item.grantee && x.grantor === item.grantor);
      if (same) {
        same.privs = sortLetters(same.privs + item.privs);
        same.grantable = sortLetters(same.grantable + item.grantable);
      } else acl.push(item);
    }
    obj.acl = acl;
  }
  obj.owner = newOwner;
}

/** Does `role` appear in this ACL (as grantee or grantor)? DROP ROLE refuses then. */
export function aclMentions(obj: Securable, role: number): boolean {
  return (obj.acl ?? []).some((i) => i.grantee === role || i.grantor === role);
}
