/**
 * Row-level security as PostgreSQL's rewriter applies it (rowsecurity.c): when a table has
 * RLS enabled and the user it is read as is neither a superuser, nor BYPASSRLS, nor its
 * owner (unless FORCE), its policies become
 *   - security quals, put into the table's scan ahead of the query's own conditions, so
 *     that the vector Top-K evaluates them per segment like any filter (the k nearest rows
 *     the user may see, never a post-filter) and user functions only see visible rows;
 *   - WITH CHECK options tested on each new row of INSERT / UPDATE.
 * Permissive policies are OR-ed, restrictive ones AND-ed; no permissive policy for the
 * command denies every row.
 */
import { SqlError, SqlState } from '../errors.js';
import { isOwner, PUBLIC_ROLE, type Roles } from '../catalog/roles.js';
import type { PolicyDef, TableDef } from '../catalog/catalog.js';
import type { Expr, OutputColumn } from '../planner/plan.js';
import type { MergePolicyChecks, PolicyCheck } from '../planner/dml-statement.js';
import { T } from '../types/types.js';
import { bindExpr, coerce } from './bind-expr.js';
import type { SelectBinder } from './bind-select.js';
import type { RawNode } from './parser.js';
import { Scope } from './scope.js';
import { formatType } from '../types/types.js';

/** Who statements run as, for check_enable_rls. */
export interface RowSecurityEnv {
  readonly roles: Roles;
  /** current_user */
  readonly role: number;
  /** the row_security setting */
  readonly enabled: boolean;
}

export type RlsCommand = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

const POLCMD: Readonly<Record<RlsCommand, PolicyDef['command']>> = { SELECT: 'r', INSERT: 'a', UPDATE: 'w', DELETE: 'd' };

/**
 * check_enable_rls: do `table`'s policies apply to `role`? With row_security off, a query
 * they would apply to is an error (42501) instead.
 */
export function rowSecurityApplies(table: TableDef, env: RowSecurityEnv, role: number): boolean {
  if (!table.rowSecurity) return false;
  const r = env.roles.get(role);
  if (r?.superuser || r?.bypassRls) return false;
  const owner = isOwner(env.roles, role, table);
  if (owner && !table.forceRowSecurity) return false;
  if (!env.enabled) {
    throw new SqlError(SqlState.insufficientPrivilege, `query would be affected by row-level security policy for table "${table.name}"`,
      owner ? { hint: 'To disable the policy for the table\'s owner, use ALTER TABLE NO FORCE ROW LEVEL SECURITY.' } : {});
  }
  return true;
}

/** The table's policies for `command` that name `role` (or PUBLIC), permissive and restrictive apart. */
function policiesFor(table: TableDef, command: RlsCommand, roles: Roles, role: number): { permissive: PolicyDef[]; restrictive: PolicyDef[] } {
  const applicable = (table.policies ?? []).filter((p) => (p.command === '*' || p.command === POLCMD[command])
    && p.roles.some((r) => r === PUBLIC_ROLE || roles.hasPrivilegesOf(role, r)));
  // restrictive policies in name order, so that the first one a row fails is always the same (sort_policies_by_name)
  const restrictive = applicable.filter((p) => !p.permissive).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { permissive: applicable.filter((p) => p.permissive), restrictive };
}

const FALSE: Expr = { kind: 'const', type: T.bool, value: false };

function and(args: Expr[]): Expr {
  return args.length === 1 ? args[0] : { kind: 'and', type: T.bool, args };
}

function or(args: Expr[]): Expr {
  return args.length === 1 ? args[0] : { kind: 'or', type: T.bool, args };
}

/**
 * Binds policy expressions over a table's row; a policy that reads its own table (directly
 * or through another table's policies) is refused, as PostgreSQL does.
 */
export class PolicyBinder {
  private readonly expanding: number[] = [];

  constructor(private readonly binder: SelectBinder) {}

  /** A policy expression over the table's columns (the first columns of `schema`). */
  bindPolicyExpr(table: TableDef, ast: unknown): Expr {
    if (this.expanding.includes(table.oid)) {
      throw new SqlError(SqlState.invalidObjectDefinition, `infinite recursion detected in policy for relation "${table.name}"`);
    }
    this.expanding.push(table.oid);
    try {
      return bindPolicyExpression(this.binder, table, ast);
    } finally {
      this.expanding.pop();
    }
  }

  /**
   * The security quals of a read of `table` for `commands` (SELECT; UPDATE / DELETE, with
   * SELECT too when the statement reads the table's columns): null when RLS does not apply.
   */
  securityQual(table: TableDef, commands: readonly RlsCommand[], env: RowSecurityEnv, role: number): Expr | null {
    if (!rowSecurityApplies(table, env, role)) return null;
    const quals: Expr[] = [];
    for (const command of commands) {
      const { permissive, restrictive } = policiesFor(table, command, env.roles, role);
      const allowed = permissive.filter((p) => p.using).map((p) => this.bindPolicyExpr(table, p.using!.ast));
      // restrictive quals first, as PostgreSQL lists them (the planner keeps that order)
      quals.push(...restrictive.filter((p) => p.using).map((p) => this.bindPolicyExpr(table, p.using!.ast)));
      quals.push(allowed.length ? or(allowed) : FALSE);
    }
    return quals.length ? and(quals) : null;
  }

  /**
   * The WITH CHECK options of INSERT / UPDATE (add_with_check_options): the command's
   * policies' WITH CHECK (USING when absent), then, when the statement also reads rows
   * (RETURNING, WHERE), the SELECT policies' USING — a new row must be visible.
   */
  withChecks(table: TableDef, command: 'INSERT' | 'UPDATE', readsRows: boolean, env: RowSecurityEnv, role: number): PolicyCheck[] {
    if (!rowSecurityApplies(table, env, role)) return [];
    const checks = this.checksOf(table, command, false, env, role);
    if (readsRows) checks.push(...this.checksOf(table, 'SELECT', true, env, role));
    return checks;
  }

  /**
   * INSERT … ON CONFLICT DO UPDATE (which always needs SELECT): the existing row must pass
   * the UPDATE and SELECT policies' USING, the updated row their WITH CHECK and USING.
   */
  conflictChecks(table: TableDef, env: RowSecurityEnv, role: number): { existing: PolicyCheck[]; updated: PolicyCheck[] } {
    if (!rowSecurityApplies(table, env, role)) return { existing: [], updated: [] };
    const existing = [...this.checksOf(table, 'UPDATE', true, env, role), ...this.checksOf(table, 'SELECT', true, env, role)]
      .map((c) => ({ ...c, using: true }));
    return { existing, updated: [...this.checksOf(table, 'UPDATE', false, env, role), ...this.checksOf(table, 'SELECT', true, env, role)] };
  }

  /**
   * MERGE's options (add_with_check_options for CMD_MERGE): the target row an UPDATE or DELETE
   * changes must pass that command's USING (an error, not a skipped row), the updated row
   * UPDATE's WITH CHECK and, when the statement reads the target, SELECT's USING; a new row
   * INSERT's WITH CHECK.
   */
  mergeChecks(table: TableDef, readsRows: boolean, env: RowSecurityEnv, role: number): MergePolicyChecks | undefined {
    if (!rowSecurityApplies(table, env, role)) return undefined;
    const existing = (command: 'UPDATE' | 'DELETE') => this.checksOf(table, command, true, env, role).map((c) => ({ ...c, target: true }));
    return {
      updateExisting: existing('UPDATE'),
      updated: [...this.checksOf(table, 'UPDATE', false, env, role), ...(readsRows ? this.checksOf(table, 'SELECT', true, env, role) : [])],
      deleteExisting: existing('DELETE'),
      inserted: this.checksOf(table, 'INSERT', false, env, role),
    };
  }

  /** One command's options: its permissive policies OR-ed (none: nothing passes), then each restrictive one by name. */
  private checksOf(table: TableDef, command: RlsCommand, forceUsing: boolean, env: RowSecurityEnv, role: number): PolicyCheck[] {
    const { permissive, restrictive } = policiesFor(table, command, env.roles, role);
    const qual = (p: PolicyDef) => (!forceUsing && p.check ? p.check : p.using);
    const allowed = permissive.filter(qual).map((p) => this.bindPolicyExpr(table, qual(p)!.ast));
    const checks: PolicyCheck[] = [{ policy: null, expr: allowed.length ? or(allowed) : FALSE }];
    for (const p of restrictive) if (qual(p)) checks.push({ policy: p.name, expr: this.bindPolicyExpr(table, qual(p)!.ast) });
    return checks;
  }
}

/** A policy's expression bound over the table's row, as boolean (CREATE POLICY checks it with this too). */
export function bindPolicyExpression(binder: SelectBinder, table: TableDef, ast: unknown): Expr {
  // the scan's first columns are the table's, under their own names whatever the query's aliases
  const scope = new Scope(null);
  const cols: OutputColumn[] = table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 }));
  scope.add(table.name, cols, { schema: table.schema, relname: table.name });
  let e: Expr;
  try {
    e = bindExpr(ast as RawNode, scope, binder.ctx('policy expressions'));
  } catch (err) {
    // PostgreSQL reports errors in a stored policy expression without a position
    if (err instanceof SqlError && err.fields.position !== undefined) {
      const { position: _dropped, ...fields } = err.fields;
      throw new SqlError(err.code, err.message, fields);
    }
    throw err;
  }
  if (e.type.oid === T.bool.oid) return e;
  if (e.type.oid === T.unknown.oid) return coerce(binder.env, e, T.bool, 'implicit');
  throw new SqlError(SqlState.datatypeMismatch, `argument of POLICY must be type boolean, not type ${formatType(e.type)}`);
}
