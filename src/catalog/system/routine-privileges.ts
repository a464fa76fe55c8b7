/**
 * information_schema.routine_privileges: EXECUTE on each function (built-in ones with the
 * ACL GRANT / REVOKE gave them, else acldefault: PUBLIC's and the owner's), as PostgreSQL's
 * view explodes proacl — the owner's implicit grant option counts as grantable, and only
 * rows whose grantor or grantee the current user has the privileges of (or PUBLIC's) show.
 */
import type { Row } from '../../types/types.js';
import type { SystemRelationContext } from '../catalog.js';
import { ALL_FUNCTION_PRIVILEGES, BOOTSTRAP_ROLE, PUBLIC_ROLE, effectiveAcl, ownerOf, type Securable } from '../roles.js';
import { BUILTIN_PROCS } from './builtin-procs.js';

export function routinePrivilegeRows(ctx: SystemRelationContext): Row[] {
  const roles = ctx.roles;
  if (!roles) return [];
  const me = ctx.roleOid ?? roles.find(ctx.user)?.oid ?? BOOTSTRAP_ROLE;
  const withVector = ctx.catalog.extensions.has('vector');
  const routines: { oid: number; name: string; schema: string; obj: Securable }[] = [];
  for (const p of BUILTIN_PROCS) {
    if (p[2] === 'public' && !withVector) continue;
    routines.push({ oid: p[0], name: p[1], schema: p[2], obj: ctx.catalog.builtinProcAcl(p[0]) });
  }
  for (const f of ctx.catalog.functions.values()) routines.push({ oid: f.oid, name: f.name, schema: f.schema, obj: f });
  const rows: Row[] = [];
  for (const r of routines) {
    const owner = ownerOf(r.obj);
    for (const item of effectiveAcl(r.obj, ALL_FUNCTION_PRIVILEGES)) {
      if (!item.privs.includes('X')) continue;
      if (!(roles.hasPrivilegesOf(me, item.grantor) || roles.hasPrivilegesOf(me, item.grantee) || item.grantee === PUBLIC_ROLE)) continue;
      const grantable = item.grantable.includes('X') || (item.grantee !== PUBLIC_ROLE && roles.hasPrivilegesOf(item.grantee, owner));
      rows.push([roles.nameOf(item.grantor), item.grantee === PUBLIC_ROLE ? 'PUBLIC' : roles.nameOf(item.grantee), ctx.database, r.schema, `${r.name}_${r.oid}`,
        ctx.database, r.schema, r.name, 'EXECUTE', grantable ? 'YES' : 'NO']);
    }
  }
  return rows;
}
