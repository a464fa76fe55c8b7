/**
 * Data-modifying WITH (`WITH d AS (DELETE … RETURNING …) SELECT …`): only the top-level
 * statement's WITH queries may be INSERT / UPDATE / DELETE. Each binds as a statement of its
 * own and becomes one of the main statement's `with` (run first, executor/dml.ts); a SELECT
 * over them becomes a DmlStatement of kind 'select', run in a writing transaction as they are.
 */
import type { Plan } from '../planner/plan.js';
import type { DmlStatement, ModifyingCte } from '../planner/dml-statement.js';
import { bindDelete, bindInsert, bindUpdate } from './bind-dml.js';
import { colRef, type SelectBinder } from './bind-select.js';
import type { RawNode } from './parser.js';

/** How a bound WITH query's plans are optimized (at once: the main query's estimates read them). */
export type OptimizeDml = (stmt: DmlStatement) => DmlStatement;

/** Bind a top-level statement whose WITH (`withClause`) may hold data-modifying queries; those bound are returned beside it. */
function topLevel<T>(binder: SelectBinder, withClause: RawNode | undefined, optimize: OptimizeDml, bind: () => T): { stmt: T; with: ModifyingCte[] } {
  const before = binder.topLevelWith;
  if (withClause) binder.topLevelWith = { clause: withClause, bind: (n) => optimize(bindModifying(binder, n)) };
  try {
    const stmt = bind();
    return { stmt, with: binder.takeModifying() };
  } finally {
    binder.topLevelWith = before;
  }
}

/** INSERT / UPDATE / DELETE at the top level, with its data-modifying WITH queries */
export function topLevelDml(binder: SelectBinder, withClause: RawNode | undefined, optimize: OptimizeDml, bind: () => DmlStatement): DmlStatement {
  const { stmt, with: ctes } = topLevel(binder, withClause, optimize, bind);
  return ctes.length ? { ...stmt, with: ctes } : stmt;
}

/** A top-level SELECT: its plan, or (when its WITH queries write) a DmlStatement returning the plan's rows */
export function topLevelSelect(binder: SelectBinder, withClause: RawNode | undefined, optimize: OptimizeDml, bind: () => Plan): { plan: Plan } | { dml: DmlStatement } {
  const { stmt: plan, with: ctes } = topLevel(binder, withClause, optimize, bind);
  if (!ctes.length) return { plan };
  return { dml: { kind: 'select', source: plan, returning: { exprs: plan.schema.map((_, i) => colRef(plan.schema, i)), schema: plan.schema }, with: ctes } };
}

/** Does this WITH clause hold an INSERT, UPDATE or DELETE (DECLARE refuses one)? */
export function hasModifyingWith(withClause: RawNode | undefined): boolean {
  return ((withClause?.ctes ?? []) as RawNode[]).some((c) => !c.CommonTableExpr?.ctequery?.SelectStmt);
}

function bindModifying(binder: SelectBinder, n: RawNode): DmlStatement {
  if (n.InsertStmt) return bindInsert(binder, n.InsertStmt);
  if (n.UpdateStmt) return bindUpdate(binder, n.UpdateStmt);
  return bindDelete(binder, n.DeleteStmt);
}
