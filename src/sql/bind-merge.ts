/**
 * MERGE binding (PostgreSQL 15's transformMergeStmt): the data source joined to the target
 * (a left join when an action inserts, else an inner join), and each WHEN clause's condition
 * and action bound over the joined row — WHEN MATCHED sees source and target, WHEN NOT MATCHED
 * the source only. The executor (executor/merge.ts) picks each row's action.
 */
import { SqlError, SqlState } from '../errors.js';
import type { TableDef } from '../catalog/catalog.js';
import type { DmlStatement, MergeAction } from '../planner/dml-statement.js';
import type { Expr } from '../planner/plan.js';
import { bindExpr } from './bind-expr.js';
import {
  bindAssignments, bindChecks, bindGenerated, bindInsertRow, defaultExprFor, insertTargetColumns, rawPosition, targetColumns, targetScan,
} from './bind-dml.js';
import { joinPlan, type SelectBinder } from './bind-select.js';
import type { RawNode, RawStatement } from './parser.js';
import { Scope } from './scope.js';

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

/**
 * What the grammar (PostgreSQL 18's) accepts and PostgreSQL 15's refuses: MERGE … RETURNING
 * and WHEN NOT MATCHED BY SOURCE | TARGET are syntax errors there.
 */
export function checkMergeSyntax(raw: RawStatement): void {
  const n = raw.node as RawNode;
  const merge = n.MergeStmt ?? n.ExplainStmt?.query?.MergeStmt;
  if (!merge) return;
  const text = raw.text;
  const masked = maskLiterals(text);
  const by = /\bnot\s+matched\s+(by)\b/i.exec(masked);
  if (by) throw syntaxErrorAt(raw, by.index + by[0].length - 2, 2);
  const first = (merge.returningClause?.exprs as RawNode[] | undefined)?.[0]?.ResTarget;
  if (first) {
    const before = masked.slice(0, Math.max(0, (first.location ?? masked.length) - raw.offset)).toLowerCase();
    const at = before.lastIndexOf('returning');
    if (at >= 0) throw syntaxErrorAt(raw, at, 'returning'.length);
  }
}

function syntaxErrorAt(raw: RawStatement, at: number, length: number): SqlError {
  return new SqlError(SqlState.syntaxError, `syntax error at or near "${raw.text.slice(at, at + length)}"`, { position: raw.offset + at + 1 });
}

/** the text with its string literals, quoted identifiers and comments blanked (keywords are looked for in the rest) */
function maskLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, (m) => ' '.repeat(m.length));
}

export function bindMerge(binder: SelectBinder, n: RawNode): DmlStatement {
  if (n.withClause?.recursive) throw new SqlError(SqlState.syntaxError, 'WITH RECURSIVE is not supported for MERGE statement');
  return binder.withQueries(n.withClause, () => bindMergeBody(binder, n));
}

/** 0A000 for what MERGE cannot write (transformMergeStmt), 42P01 for a missing table */
function mergeTarget(binder: SelectBinder, rv: RawNode): TableDef {
  const table = binder.lookupTable(rv.schemaname, rv.relname, pos(rv));
  if (!table) {
    if (binder.env.systemRelation(rv.schemaname, rv.relname)) throw new SqlError(SqlState.wrongObjectType, `cannot change relation "${rv.relname}"`);
    throw new SqlError(SqlState.undefinedTable, `relation "${rv.schemaname ? rv.schemaname + '.' : ''}${rv.relname}" does not exist`, { position: pos(rv) });
  }
  const kind = table.kind === 'v' ? 'views' : table.kind === 'm' ? 'materialized views' : undefined;
  if (kind) {
    throw new SqlError(SqlState.featureNotSupported, `cannot execute MERGE on relation "${table.name}"`, { detail: `This operation is not supported for ${kind}.` });
  }
  return table;
}

function bindMergeBody(binder: SelectBinder, n: RawNode): DmlStatement {
  const clauses = ((n.mergeWhenClauses ?? []) as RawNode[]).map((c) => c.MergeWhenClause as RawNode);
  const isMatched = (c: RawNode) => c.matchKind === 'MERGE_WHEN_MATCHED';
  // a WHEN clause after an unconditional one of its kind can never run
  const terminal = { matched: false, notMatched: false };
  for (const c of clauses) {
    const kind = isMatched(c) ? 'matched' : 'notMatched';
    if (terminal[kind]) throw new SqlError(SqlState.syntaxError, 'unreachable WHEN clause specified after unconditional WHEN clause');
    if (!c.condition) terminal[kind] = true;
  }
  const table = mergeTarget(binder, n.relation);
  // the target's privileges, its actions' (setTargetTable's targetPerms), then SELECT on the columns read
  const does = (command: string) => clauses.some((c) => c.commandType === command);
  const insertedCols = does('CMD_INSERT') ? binder.noteAccess(table, 'INSERT') : new Set<number>();
  const updatedCols = does('CMD_UPDATE') ? binder.noteAccess(table, 'UPDATE') : new Set<number>();
  if (does('CMD_DELETE')) binder.noteAccess(table, 'DELETE', false);
  const selectAt = binder.accessed.length;
  const selectedCols = binder.noteAccess(table, 'SELECT');

  const scope = new Scope(null);
  const sourcePlan = binder.bindFromItems([n.sourceRelation], scope);
  const alias = n.relation.alias?.aliasname ?? table.name;
  if (scope.findEntry(alias)) {
    throw new SqlError(SqlState.duplicateAlias, `name "${alias}" specified more than once`, { detail: 'The name is used both as MERGE target table and data source.' });
  }
  const withId = targetColumns(table);
  const width = table.columns.length;
  const target = scope.add(alias, withId, { schema: table.schema, hiddenFrom: width, relname: table.name, onUse: (i) => { if (i < width) selectedCols.add(i); } });
  const on = binder.asBool(bindExpr(n.joinCondition, scope, binder.ctx('JOIN conditions')), 'JOIN/ON', rawPosition(n.joinCondition));

  const defaults = table.columns.map((c) => defaultExprFor(binder, c));
  const matched: MergeAction[] = [];
  const notMatched: MergeAction[] = [];
  for (const c of clauses) {
    // NOT MATCHED has no target row: its columns cannot be named there
    target.hidden = !isMatched(c);
    try {
      const action = bindAction(binder, c, table, scope, defaults, insertedCols, updatedCols);
      (isMatched(c) ? matched : notMatched).push(action);
    } finally {
      target.hidden = false;
    }
  }

  const readsTarget = selectedCols.size > 0;
  if (!readsTarget) binder.accessed.splice(selectAt, 1);
  // row-level security: SELECT's policies hide target rows when the statement reads the target
  const scan = targetScan(binder, table, alias, withId, readsTarget ? binder.securityQual(table, ['SELECT']) : null);
  const inserts = clauses.some((c) => c.commandType === 'CMD_INSERT');
  const policyChecks = binder.mergePolicyChecks(table, readsTarget);
  return {
    kind: 'merge', table, source: joinPlan(inserts ? 'left' : 'inner', sourcePlan, scan, on, false), sourceWidth: sourcePlan.schema.length,
    matched, notMatched, returning: null, checks: bindChecks(binder, table), generated: bindGenerated(binder, table),
    ...(policyChecks ? { policyChecks } : {}),
  };
}

function bindAction(
  binder: SelectBinder, c: RawNode, table: TableDef, scope: Scope, defaults: readonly Expr[], insertedCols: Set<number>, updatedCols: Set<number>,
): MergeAction {
  const condition = c.condition ? binder.asBool(bindExpr(c.condition, scope, binder.ctx('MERGE WHEN conditions')), 'WHEN', rawPosition(c.condition)) : null;
  switch (c.commandType) {
    case 'CMD_UPDATE': {
      const assignments = bindAssignments(binder, c.targetList as RawNode[], table, scope);
      for (const a of assignments) updatedCols.add(a.column);
      return { command: 'update', condition, assignments };
    }
    case 'CMD_INSERT': {
      const cols = c.targetList as RawNode[] | undefined;
      const targetCols = insertTargetColumns(table, cols);
      const values = c.values as RawNode[] | undefined;
      // INSERT DEFAULT VALUES: every column its default
      if (!values) return { command: 'insert', condition, row: [...defaults] };
      // without a column list, fewer values fill the first columns
      if (!cols && values.length < targetCols.length) targetCols.length = values.length;
      const row = bindInsertRow(binder, table, targetCols, values, scope, c.override, defaults, (i) => pos(cols?.[i]?.ResTarget));
      for (const col of targetCols) insertedCols.add(col);
      return { command: 'insert', condition, row };
    }
    case 'CMD_DELETE': return { command: 'delete', condition };
    default: return { command: 'nothing', condition };
  }
}
