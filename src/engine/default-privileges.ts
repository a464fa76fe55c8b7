/**
 * ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT | REVOKE … ON TABLES |
 * SEQUENCES | FUNCTIONS | SCHEMAS | TYPES (PostgreSQL's SetDefaultACL) and their use when an object
 * is created (get_user_default_acl): a role's entry without a schema replaces the built-in
 * default, an entry for the object's schema is merged into it.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Catalog, DefaultAclDef } from '../catalog/catalog.js';
import {
  ALL_FUNCTION_PRIVILEGES, ALL_SCHEMA_PRIVILEGES, ALL_SEQUENCE_PRIVILEGES, ALL_TABLE_PRIVILEGES, ALL_TYPE_PRIVILEGES, PRIVILEGE_LETTERS, PUBLIC_ROLE, defaultAcl,
  grantPrivileges, revokePrivileges, type AclItem, type Roles, type Securable,
} from '../catalog/roles.js';
import type { RoleRef, RoleStatement } from '../sql/bind-role.js';

type Objtype = DefaultAclDef['objtype'];

/** each object type's ALL, and the word its "invalid privilege type" error uses */
const KINDS: Readonly<Record<string, { all: string; word: string }>> = {
  r: { all: ALL_TABLE_PRIVILEGES, word: 'relation' },
  S: { all: ALL_SEQUENCE_PRIVILEGES, word: 'sequence' },
  f: { all: ALL_FUNCTION_PRIVILEGES, word: 'function' },
  n: { all: ALL_SCHEMA_PRIVILEGES, word: 'schema' },
  T: { all: ALL_TYPE_PRIVILEGES, word: 'type' },
};

type DefaultPrivileges = Extract<RoleStatement, { kind: 'defaultPrivileges' }>;

export function alterDefaultPrivileges(catalog: Catalog, roles: Roles, me: number, stmt: DefaultPrivileges, resolveRole: (r: RoleRef) => number): void {
  const kind = KINDS[stmt.objtype];
  if (stmt.objtype === 'n' && stmt.schemas.length > 0) {
    throw new SqlError('0LP01', 'cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS');
  }
  const owners = stmt.roles.length > 0 ? stmt.roles.map(resolveRole) : [me];
  for (const s of stmt.schemas) if (!catalog.schemaPrivileges(s)) throw new SqlError('3F000', `schema "${s}" does not exist`);
  let letters = '';
  for (const p of stmt.privileges ?? ['ALL']) {
    const l = p === 'ALL' ? kind.all : PRIVILEGE_LETTERS[p];
    if (l === undefined || ![...l].every((x) => kind.all.includes(x))) throw new SqlError('0LP01', `invalid privilege type ${p} for ${kind.word}`);
    letters += l;
  }
  const grantees = stmt.grantees.map((g) => (g.kind === 'public' ? PUBLIC_ROLE : resolveRole(g)));
  for (const owner of owners) {
    if (!roles.isMemberOf(me, owner)) throw new SqlError(SqlState.insufficientPrivilege, `must be member of role "${roles.nameOf(owner)}"`);
    for (const schema of stmt.schemas.length > 0 ? stmt.schemas : ['']) {
      // a schema's entry starts empty, the global one from the built-in default
      const base = schema === '' ? defaultAcl(owner, kind.all) : [];
      const at = catalog.defaultAcls.findIndex((d) => d.role === owner && d.schema === schema && d.objtype === stmt.objtype);
      const obj: Securable = { owner, acl: at >= 0 ? catalog.defaultAcls[at].acl : base };
      for (const g of grantees) {
        if (stmt.grant) grantPrivileges(obj, kind.all, g, owner, letters, stmt.grantOption);
        else revokePrivileges(obj, kind.all, g, owner, letters, stmt.grantOption);
      }
      const acl = obj.acl ?? [];
      const unchanged = sameAcl(acl, base);
      if (at >= 0 && unchanged) catalog.defaultAcls.splice(at, 1);
      else if (at >= 0) catalog.defaultAcls[at].acl = acl;
      else if (!unchanged) catalog.defaultAcls.push({ oid: catalog.allocateOid(), role: owner, schema, objtype: stmt.objtype, acl });
    }
  }
  catalog.version++;
}

/**
 * The ACL a new object of `objtype` owned by `owner` in `schema` starts with, or null for
 * the built-in default (get_user_default_acl): items sorted as aclitemsort sorts them.
 */
export function initialAcl(catalog: Catalog, objtype: Objtype, owner: number, schema: string): AclItem[] | null {
  const find = (s: string) => catalog.defaultAcls.find((d) => d.role === owner && d.schema === s && d.objtype === objtype)?.acl;
  const global = find('');
  const inSchema = find(schema);
  if (!global && !inSchema) return null;
  const all = KINDS[objtype].all;
  const builtIn = defaultAcl(owner, all);
  const obj: Securable = { owner, acl: (global ?? builtIn).map((i) => ({ ...i })) };
  for (const i of inSchema ?? []) {
    grantPrivileges(obj, all, i.grantee, i.grantor, i.privs, false);
    if (i.grantable) grantPrivileges(obj, all, i.grantee, i.grantor, i.grantable, true);
  }
  const result = (obj.acl ?? []).sort((a, b) => a.grantee - b.grantee || a.grantor - b.grantor);
  return sameAcl(result, builtIn) ? null : result;
}

function sameAcl(a: readonly AclItem[], b: readonly AclItem[]): boolean {
  const key = (acl: readonly AclItem[]) => acl.map((i) => `${i.grantee}/${i.grantor}/${[...i.privs].sort().join('')}/${[...i.grantable].sort().join('')}`).sort().join(';');
  return key(a) === key(b);
}
