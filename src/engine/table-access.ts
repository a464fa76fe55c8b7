/**
 * The privilege check a statement passes before it runs (PostgreSQL's ExecCheckPermissions):
 * every table it names needs the privilege its use of the table does, held by current_user
 * — or, inside a view's query, by the view's owner. Checked at each execution, so a
 * prepared statement sees GRANT / REVOKE and SET ROLE made after it was prepared.
 */
import { SqlError, SqlState } from '../errors.js';
import { PRIVILEGE_LETTERS, hasTablePrivilege } from '../catalog/roles.js';
import type { TableAccess } from '../sql/bind-select.js';
import type { SessionContext } from './context.js';

export function checkTableAccess(ctx: SessionContext, accessed: readonly TableAccess[]): void {
  if (accessed.length === 0) return;
  const roles = ctx.engine.roles;
  const me = ctx.currentRoleOid();
  for (const a of accessed) {
    const role = a.checkAs ?? me;
    // the catalog's current definition (a prepared statement may hold an older copy)
    const table = ctx.catalog.tables.get(a.table.oid) ?? a.table;
    if (!hasTablePrivilege(roles, role, table, PRIVILEGE_LETTERS[a.privilege])) {
      throw new SqlError(SqlState.insufficientPrivilege, `permission denied for ${table.kind === 'v' ? 'view' : 'table'} ${table.name}`);
    }
  }
}
