/**
 * information_schema.column_privileges: each column's privileges from its table's ACL and
 * its own (attacl), as PostgreSQL's view explodes them — the owner's implicit grant options
 * count as grantable, and only rows whose grantor or grantee the current user has the
 * privileges of (or PUBLIC's) are shown.
 */
import type { Row } from '../../types/types.js';
import type { SystemRelationContext, TableDef } from '../catalog.js';
import { ALL_TABLE_PRIVILEGES, PUBLIC_ROLE, effectiveAcl, ownerOf, type AclItem } from '../roles.js';

const NAMES: Readonly<Record<string, string>> = { a: 'INSERT', r: 'SELECT', w: 'UPDATE', x: 'REFERENCES' };

export function columnPrivilegeRows(ctx: SystemRelationContext, tables: readonly TableDef[]): Row[] {
  const roles = ctx.roles;
  if (!roles) return [];
  const me = ctx.roleOid ?? roles.find(ctx.user)?.oid ?? 10;
  const rows: Row[] = [];
  for (const t of tables) {
    const owner = ownerOf(t);
    const tableItems = effectiveAcl(t, ALL_TABLE_PRIVILEGES);
    for (const c of t.columns) {
      const seen = new Set<string>();
      const items: AclItem[] = [...tableItems, ...(c.acl ?? [])];
      for (const item of items) {
        if (!(roles.hasPrivilegesOf(me, item.grantor) || roles.hasPrivilegesOf(me, item.grantee) || item.grantee === PUBLIC_ROLE)) continue;
        for (const l of Object.keys(NAMES)) {
          if (!item.privs.includes(l)) continue;
          const grantable = item.grantable.includes(l) || (item.grantee !== PUBLIC_ROLE && roles.hasPrivilegesOf(item.grantee, owner));
          const key = `${item.grantor}/${item.grantee}/${l}/${grantable}`;
          if (seen.has(key)) continue;
          seen.add(key);
          rows.push([roles.nameOf(item.grantor), item.grantee === PUBLIC_ROLE ? 'PUBLIC' : roles.nameOf(item.grantee), ctx.database, t.schema, t.name, c.name,
            NAMES[l], grantable ? 'YES' : 'NO']);
        }
      }
    }
  }
  return rows;
}
