/**
 * CREATE / ALTER / DROP POLICY (PostgreSQL's policy.c) and the table's row-level security
 * switches. Policies live on their table (TableDef.policies); enforcement is the binder's
 * (src/sql/row-security.ts).
 */
import { SqlError, SqlState } from '../../errors.js';
import type { PolicyDef, TableDef } from '../../catalog/catalog.js';
import { isOwner, PUBLIC_ROLE } from '../../catalog/roles.js';
import { namesOwnColumn, renameOwnColumn, type DdlExpr, type PolicyDdl, type QualifiedName } from '../../sql/ddl/index.js';
import type { RoleRef } from '../../sql/bind-role.js';
import { findTable, notice, type DdlContext } from './context.js';
import { notOwner, resolveRole } from './privileges.js';

type Stmt<K extends PolicyDdl['kind']> = Extract<PolicyDdl, { kind: K }>;

/** The policy's table (RangeVarCallbackForPolicy): it must exist, be a table, and be owned by current_user. */
function policyTable(ctx: DdlContext, rel: QualifiedName, ownerWord = 'table'): TableDef {
  const t = findTable(ctx, rel);
  if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${rel.name}" does not exist`);
  if (t.kind === 'v' || t.kind === 'm') throw new SqlError(SqlState.wrongObjectType, `"${t.name}" is not a table`);
  if (ctx.access && !isOwner(ctx.access.roles, ctx.access.role, t)) throw notOwner(ownerWord, t.name);
  return t;
}

/** policy_role_list_to_array: PUBLIC alone stands for everyone (other roles next to it are ignored, with a WARNING). */
function policyRoles(ctx: DdlContext, refs: readonly RoleRef[]): number[] {
  if (refs.length === 0 || refs.some((r) => r.kind === 'public')) {
    if (refs.length > 1) {
      ctx.notices.push({ severity: 'WARNING', code: '01000', message: 'ignoring specified roles other than PUBLIC', hint: 'All roles are members of the PUBLIC role.' });
    }
    return [PUBLIC_ROLE];
  }
  if (!ctx.access) return [PUBLIC_ROLE];
  const access = ctx.access;
  return [...new Set(refs.map((r) => resolveRole(access, r)))];
}

function findPolicy(table: TableDef, name: string): PolicyDef | undefined {
  return table.policies?.find((p) => p.name === name);
}

function missingPolicy(name: string, table: TableDef): SqlError {
  return new SqlError(SqlState.undefinedObject, `policy "${name}" for table "${table.name}" does not exist`);
}

function duplicatePolicy(name: string, table: TableDef): SqlError {
  return new SqlError(SqlState.duplicateObject, `policy "${name}" for table "${table.name}" already exists`);
}

/** The expression as the catalog keeps it, after it bound over the table's row as boolean. */
function policyExpr(ctx: DdlContext, table: TableDef, e: DdlExpr | null | undefined): PolicyDef['using'] {
  if (!e) return null;
  const analyzed = ctx.checkPolicyExpr?.(table, e.tree);
  return { ast: e.tree, sql: analyzed ?? e.sql };
}

export function createPolicy(ctx: DdlContext, stmt: Stmt<'createPolicy'>): void {
  if ((stmt.command === 'r' || stmt.command === 'd') && stmt.check) {
    throw new SqlError(SqlState.syntaxError, 'WITH CHECK cannot be applied to SELECT or DELETE');
  }
  if (stmt.command === 'a' && stmt.using) throw new SqlError(SqlState.syntaxError, 'only WITH CHECK expression allowed for INSERT');
  const roles = policyRoles(ctx, stmt.roles);
  const table = policyTable(ctx, stmt.table);
  const using = policyExpr(ctx, table, stmt.using);
  const check = policyExpr(ctx, table, stmt.check);
  if (findPolicy(table, stmt.name)) throw duplicatePolicy(stmt.name, table);
  const policy: PolicyDef = { oid: ctx.catalog.allocateOid(), name: stmt.name, command: stmt.command, permissive: stmt.permissive, roles, using, check };
  table.policies = [...(table.policies ?? []), policy];
  ctx.catalog.version++;
}

export function alterPolicy(ctx: DdlContext, stmt: Stmt<'alterPolicy'>): void {
  const table = policyTable(ctx, stmt.table);
  const policy = findPolicy(table, stmt.name);
  if (!policy) throw missingPolicy(stmt.name, table);
  const changed: PolicyDef = { ...policy };
  if (stmt.newName !== undefined) {
    if (findPolicy(table, stmt.newName)) throw duplicatePolicy(stmt.newName, table);
    changed.name = stmt.newName;
  }
  if (stmt.roles) changed.roles = policyRoles(ctx, stmt.roles);
  if (stmt.using) {
    if (policy.command === 'a') throw new SqlError(SqlState.syntaxError, 'only WITH CHECK expression allowed for INSERT');
    changed.using = policyExpr(ctx, table, stmt.using);
  }
  if (stmt.check) {
    if (policy.command === 'r' || policy.command === 'd') throw new SqlError(SqlState.syntaxError, 'only USING expression allowed for SELECT, DELETE');
    changed.check = policyExpr(ctx, table, stmt.check);
  }
  // an updated pg_policy row moves to the end of the heap: psql's \dp lists it last
  table.policies = [...(table.policies ?? []).filter((p) => p !== policy), changed];
  ctx.catalog.version++;
}

export function dropPolicy(ctx: DdlContext, stmt: Stmt<'dropPolicy'>): void {
  const t = findTable(ctx, stmt.table);
  if (!t && stmt.missingOk) {
    notice(ctx, `relation "${stmt.table.name}" does not exist, skipping`);
    return;
  }
  const table = policyTable(ctx, stmt.table, 'relation');
  const policy = findPolicy(table, stmt.name);
  if (!policy) {
    if (!stmt.missingOk) throw missingPolicy(stmt.name, table);
    notice(ctx, `policy "${stmt.name}" for relation "${table.name}" does not exist, skipping`);
    return;
  }
  table.policies = (table.policies ?? []).filter((p) => p !== policy);
  ctx.catalog.version++;
}

/** ALTER TABLE … RENAME COLUMN: the table's policies follow the new name. */
export function renameColumnInPolicies(ctx: DdlContext, table: TableDef, from: string, to: string): void {
  if (!table.policies?.length) return;
  const renamed = (e: PolicyDef['using']): PolicyDef['using'] => {
    if (!e || !namesOwnColumn(e.ast, from)) return e;
    const ast = renameOwnColumn(e.ast, from, to);
    return { ast, sql: ctx.checkPolicyExpr?.(table, ast) ?? e.sql };
  };
  table.policies = table.policies.map((p) => ({ ...p, using: renamed(p.using), check: renamed(p.check) }));
}

/**
 * ALTER TABLE … DROP COLUMN: a policy that names the column depends on it (2BP01), unless
 * CASCADE drops the policy too. Returns the policies that remain.
 */
export function policiesWithoutColumn(ctx: DdlContext, table: TableDef, column: string, cascade: boolean): PolicyDef[] | undefined {
  const dependent = (table.policies ?? []).filter((p) => [p.using, p.check].some((e) => e && namesOwnColumn(e.ast, column)));
  if (dependent.length === 0) return undefined;
  if (!cascade) {
    throw new SqlError('2BP01', `cannot drop column ${column} of table ${table.name} because other objects depend on it`, {
      detail: dependent.map((p) => `policy ${p.name} on table ${table.name} depends on column ${column} of table ${table.name}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  for (const p of dependent) notice(ctx, `drop cascades to policy ${p.name} on table ${table.name}`);
  return (table.policies ?? []).filter((p) => !dependent.includes(p));
}
