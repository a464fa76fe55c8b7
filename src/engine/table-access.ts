/**
 * The privilege check a statement passes before it runs (PostgreSQL's ExecCheckPermissions):
 * every table it names needs the privilege its use of the table does, held by current_user
 * — or, inside a view's query, by the view's owner. Checked at each execution, so a
 * prepared statement sees GRANT / REVOKE and SET ROLE made after it was prepared.
 */
import { SqlError, SqlState } from '../errors.js';
import { ALL_FUNCTION_PRIVILEGES, ALL_SCHEMA_PRIVILEGES, PRIVILEGE_LETTERS, hasPrivilege, hasTablePrivilege, type Roles } from '../catalog/roles.js';
import type { Access } from '../sql/bind-select.js';
import type { TableDef } from '../catalog/catalog.js';
import { ALL_COLUMN_PRIVILEGES, columnSecurable } from './grant-objects.js';
import type { SessionContext } from './context.js';
import { isTempSchema } from '../catalog/schemas.js';

export function checkTableAccess(ctx: SessionContext, accessed: readonly Access[]): void {
  if (accessed.length === 0) return;
  const roles = ctx.engine.roles;
  const me = ctx.currentRoleOid();
  for (const a of accessed) {
    const role = a.checkAs ?? me;
    if (a.builtin) {
      const def = ctx.catalog.procAcls.get(a.builtin.oid);
      if (def && !hasPrivilege(roles, role, def, 'X', ALL_FUNCTION_PRIVILEGES)) {
        throw new SqlError(SqlState.insufficientPrivilege, `permission denied for ${a.builtin.kind === 'a' ? 'aggregate' : 'function'} ${a.builtin.name}`);
      }
      continue;
    }
    if (a.function) {
      // the catalog's current ACL (a prepared statement may hold an older copy)
      const fn = ctx.catalog.functions.get(a.function.oid) ?? a.function;
      if (!hasPrivilege(roles, role, fn, 'X', ALL_FUNCTION_PRIVILEGES)) throw new SqlError(SqlState.insufficientPrivilege, `permission denied for function ${fn.name}`);
      continue;
    }
    // the catalog's current definition (a prepared statement may hold an older copy)
    const table = ctx.catalog.tables.get(a.table.oid) ?? a.table;
    if (!ctx.tx.idle && isTempSchema(table.schema)) ctx.tx.accessedTemp = true;
    const schema = ctx.catalog.schemaPrivileges(table.schema);
    if (schema && !hasPrivilege(roles, role, schema, 'U', ALL_SCHEMA_PRIVILEGES)) {
      throw new SqlError(SqlState.insufficientPrivilege, `permission denied for schema ${table.schema}`);
    }
    const letter = PRIVILEGE_LETTERS[a.privilege];
    if (!hasTablePrivilege(roles, role, table, letter) && !(a.columns && hasColumnPrivileges(roles, role, table, letter, a.columns))) {
      throw new SqlError(SqlState.insufficientPrivilege, `permission denied for ${table.kind === 'v' ? 'view' : 'table'} ${table.name}`);
    }
  }
}

/**
 * Without the table's privilege, column privileges do: on every column used so, or — when
 * the statement uses none (SELECT count(*)) — on any column (ExecCheckPermissionsModified).
 */
function hasColumnPrivileges(roles: Roles, role: number, table: TableDef, letter: string, used: ReadonlySet<number>): boolean {
  const onColumn = (i: number) => table.columns[i] !== undefined && hasPrivilege(roles, role, columnSecurable(table, table.columns[i]), letter, ALL_COLUMN_PRIVILEGES);
  if (used.size === 0) return table.columns.some((_, i) => onColumn(i));
  return [...used].every(onColumn);
}
