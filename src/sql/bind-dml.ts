/**
 * INSERT / UPDATE / DELETE binding. Each produces a source plan whose rows are complete
 * new table rows (INSERT) or old rows with their RowId (UPDATE, DELETE), plus the
 * expressions that compute new values and RETURNING lists.
 */
import { domainDefault } from './bind-domain.js';
import { bindIndirectAssignment } from './bind-assign-indirection.js';
import { SqlError, SqlState } from '../errors.js';
import type { ColumnDef, IndexDef, TableDef } from '../catalog/catalog.js';
import { impliesIndexPredicate } from '../planner/index-predicate.js';
import type { Expr, OutputColumn, Plan } from '../planner/plan.js';
import type { BoundCheck, BoundGenerated, DmlStatement, OnConflict, Returning } from '../planner/dml-statement.js';
import { T, type SqlType } from '../types/types.js';
import { bindExpr, coerce, resolveUnknown } from './bind-expr.js';
import { colRef, figureColname, isDefaultMarker, joinPlan, type SelectBinder } from './bind-select.js';
import type { RawNode } from './parser.js';
import { mapExpr } from '../planner/expr-walk.js';
import { deparse } from '../planner/explain-expr.js';
import { Scope } from './scope.js';
import { leftmostPosition, rawPosition } from './positions.js';
import { leafPartitions } from '../catalog/partitions.js';
export { rawPosition };
export type { BoundCheck, BoundGenerated, DmlStatement, OnConflict, Returning };

const pos = (n: RawNode | undefined): number | undefined => (n && typeof n.location === 'number' && n.location >= 0 ? n.location + 1 : undefined);

export function tableColumns(table: TableDef): OutputColumn[] {
  return table.columns.map((c, i) => ({ name: c.name, type: c.type, tableOid: table.oid, attnum: i + 1 }));
}

function findTableOrThrow(binder: SelectBinder, rv: RawNode): TableDef {
  const table = binder.lookupTable(rv.schemaname, rv.relname, pos(rv));
  if (!table) {
    const sys = binder.env.systemRelation(rv.schemaname, rv.relname);
    if (sys) throw new SqlError(SqlState.wrongObjectType, `cannot change relation "${rv.relname}"`);
    throw new SqlError(SqlState.undefinedTable, `relation "${rv.schemaname ? rv.schemaname + '.' : ''}${rv.relname}" does not exist`, { position: pos(rv) });
  }
  if (table.kind === 'v') throw new SqlError(SqlState.wrongObjectType, `cannot change view "${table.name}"`);
  if (table.kind === 'm') throw new SqlError(SqlState.wrongObjectType, `cannot change materialized view "${table.name}"`);
  return table;
}

export function defaultExprFor(binder: SelectBinder, col: ColumnDef): Expr {
  // a generated column's expression is computed from the finished row (bindGenerated)
  if (col.generated) return { kind: 'const', type: col.type, value: null };
  // a column of a domain without a DEFAULT of its own takes the domain's; NULL must pass the domain's NOT NULL
  const ast = col.defaultExpr?.ast ?? (col.type.domain !== undefined ? domainDefault(binder, col.type.domain) : undefined);
  if (ast === undefined) return col.type.domain !== undefined ? assign(binder, { kind: 'const', type: { oid: col.type.oid, typmod: -1 }, value: null }, col) : { kind: 'const', type: col.type, value: null };
  const e = bindExpr(ast as RawNode, new Scope(null), binder.ctx('DEFAULT expressions'));
  return coerce(binder.env, e, col.type, 'assignment', () => `column "${col.name}"`);
}

/** `e` (written at `raw`) as a value of column `col`: a type that does not convert points at the expression (transformAssignedExpr) */
function assign(binder: SelectBinder, e: Expr, col: ColumnDef, raw?: RawNode): Expr {
  try {
    return coerce(binder.env, e, col.type, 'assignment', () => `column "${col.name}"`);
  } catch (err) {
    throw err instanceof SqlError && raw ? err.withPosition(leftmostPosition(raw)) : err;
  }
}

/**
 * RETURNING over the target's new (UPDATE, INSERT) or old (DELETE) row; with UPDATE … FROM /
 * DELETE … USING (`joined`) over the joined row too, every FROM item's columns visible.
 */
function bindReturning(binder: SelectBinder, list: RawNode[] | undefined, table: TableDef, alias: string, onRead?: (column: number) => void, joined?: Scope): Returning | null {
  if (!list || list.length === 0) return null;
  const cols = tableColumns(table);
  let scope = joined;
  if (!scope) {
    scope = new Scope(null);
    // tableoid resolves (to the partition the row is in) but is hidden from RETURNING *
    scope.add(alias, [...cols, { name: 'tableoid', type: T.oid, tableOid: table.oid, attnum: -6 }], { hiddenFrom: cols.length, onUse: onRead });
  }
  const exprs: Expr[] = [];
  const schema: OutputColumn[] = [];
  for (const t of list) {
    const rt = t.ResTarget;
    const fields = rt.val.ColumnRef?.fields as RawNode[] | undefined;
    if (fields && fields[fields.length - 1].A_Star) {
      // *: every visible column; t.*: the columns of FROM item t
      const qualifier = fields.length > 1 ? fields[fields.length - 2].String?.sval as string : undefined;
      const entry = qualifier === undefined ? undefined : scope.findEntry(qualifier) ?? scope.missingEntry(qualifier, pos(rt.val.ColumnRef));
      const star = entry ? scope.entryColumns(entry) : joined ? scope.starColumns() : scope.entryColumns(scope.entries[0]);
      for (const c of star) {
        for (const r of c.reads) scope.noteUse(r);
        exprs.push(c.expr);
        schema.push(c.source ? { ...c.source, name: c.name } : { name: c.name, type: c.expr.type, tableOid: 0, attnum: 0 });
      }
      continue;
    }
    const e = resolveUnknown(binder.env, bindExpr(rt.val, scope, binder.ctx('RETURNING')));
    exprs.push(e);
    const source = e.kind === 'column' && e.level === 0 ? sourceColumn(scope, e.index) : undefined;
    schema.push({ name: rt.name ?? figureColname(rt.val), type: e.type, tableOid: source?.tableOid ?? 0, attnum: source?.attnum ?? 0 });
  }
  return { exprs, schema, ...(joined ? { joined: true } : {}) };
}

/** the table column at `index` of the scope's row (RowDescription's table OID and attnum) */
function sourceColumn(scope: Scope, index: number): OutputColumn | undefined {
  const e = scope.entries.find((x) => !x.values && index >= x.offset && index < x.offset + x.columns.length);
  return e?.columns[index - e.offset];
}

/**
 * The privileges a DML statement needs on its target (ExecCheckPermissions): its own, and
 * SELECT when it reads the table's columns (WHERE, RETURNING, SET from columns).
 */
function noteTarget(binder: SelectBinder, table: TableDef, privilege: 'INSERT' | 'UPDATE' | 'DELETE', n: RawNode): TargetColumns {
  const written = binder.noteAccess(table, privilege, privilege !== 'DELETE');
  const conflict = privilege === 'INSERT' && n.onConflictClause?.action === 'ONCONFLICT_UPDATE' ? binder.noteAccess(table, 'UPDATE') : undefined;
  const read = readsColumns(privilege, n) ? binder.noteAccess(table, 'SELECT') : undefined;
  return { written, conflict, onRead: read ? (i) => { if (i < table.columns.length) read.add(i); } : undefined };
}

/** The columns a DML statement writes and (onRead) reads, for column privileges (ExecCheckPermissions' insertedCols, updatedCols, selectedCols). */
interface TargetColumns {
  readonly written: Set<number>;
  /** ON CONFLICT DO UPDATE's SET columns */
  readonly conflict?: Set<number>;
  readonly onRead?: (column: number) => void;
}

/** Does the statement read its target's columns (WHERE, RETURNING, SET from columns)? Then it needs SELECT, and SELECT's policies apply too. */
function readsColumns(privilege: 'INSERT' | 'UPDATE' | 'DELETE', n: RawNode): boolean {
  return !!n.whereClause || !!(n.returningClause?.exprs ?? n.returningList)?.length
    || (privilege === 'UPDATE' && JSON.stringify(n.targetList ?? []).includes('"ColumnRef"'));
}

/** The policies a DML statement's scan of its target applies (its command's, and SELECT's when it reads columns). */
function targetCommands(privilege: 'UPDATE' | 'DELETE', n: RawNode): ('UPDATE' | 'DELETE' | 'SELECT')[] {
  return readsColumns(privilege, n) ? [privilege, 'SELECT'] : [privilege];
}

export function bindInsert(binder: SelectBinder, n: RawNode): DmlStatement {
  return binder.withQueries(n.withClause, () => bindInsertBody(binder, n));
}

function bindInsertBody(binder: SelectBinder, n: RawNode): DmlStatement {
  const table = findTableOrThrow(binder, n.relation);
  const used = noteTarget(binder, table, 'INSERT', n);
  const alias = n.relation.alias?.aliasname ?? table.name;
  const targetCols = insertTargetColumns(table, n.cols);
  /** the first target column without a value (PostgreSQL points there) */
  const extraTargetPosition = (i: number) => (n.cols ? pos((n.cols as RawNode[])[i].ResTarget) : undefined);
  let onConflict = n.onConflictClause ? bindOnConflict(binder, n.onConflictClause, table, alias) : null;
  if (onConflict) noteConflictReads(binder, table, onConflict, n.onConflictClause);
  // ON CONFLICT DO UPDATE reads the existing row: it needs SELECT, and SELECT's policies apply
  const policyChecks = binder.policyChecks(table, 'INSERT', readsColumns('INSERT', n) || onConflict?.action === 'update');
  if (onConflict?.action === 'update' && policyChecks.length) onConflict = { ...onConflict, policyChecks: binder.conflictPolicyChecks(table) };
  const schema = tableColumns(table);
  const defaults = table.columns.map((c) => defaultExprFor(binder, c));
  let source: Plan;
  const select = n.selectStmt?.SelectStmt;
  if (!select) {
    // INSERT … DEFAULT VALUES
    source = { kind: 'values', schema, rows: [defaults] };
  } else if (select.valuesLists && !select.sortClause && !select.limitCount && !select.withClause && (!select.op || select.op === 'SETOP_NONE')) {
    const scope = new Scope(null);
    const lists = (select.valuesLists as RawNode[]).map((l) => (l.List.items ?? []) as RawNode[]);
    const ragged = lists.find((items) => items.length !== lists[0].length);
    if (ragged) throw new SqlError(SqlState.syntaxError, 'VALUES lists must all be the same length', { position: rawPosition(ragged[0]) });
    // without a column list, fewer values fill the first columns (the rest take their defaults)
    if (!n.cols && lists[0].length < targetCols.length) targetCols.length = lists[0].length;
    const rows = lists.map((items) => bindInsertRow(binder, table, targetCols, items, scope, n.override, defaults, extraTargetPosition));
    source = { kind: 'values', schema, rows };
  } else {
    const inner = binder.bindSelect(select, null, targetCols.map((c) => table.columns[c].type));
    if (!n.cols && inner.schema.length < targetCols.length) targetCols.length = inner.schema.length;
    if (inner.schema.length > targetCols.length) {
      const extra = (select.targetList as RawNode[] | undefined)?.[targetCols.length]?.ResTarget;
      throw new SqlError(SqlState.syntaxError, 'INSERT has more expressions than target columns', { position: extra ? pos(extra) : undefined });
    }
    if (inner.schema.length < targetCols.length) throw new SqlError(SqlState.syntaxError, 'INSERT has more target columns than expressions', { position: extraTargetPosition(inner.schema.length) });
    const exprs: Expr[] = [...defaults];
    // where each value is written (a lone * for each of its columns)
    const written = (select.targetList as RawNode[] | undefined)?.map((t) => t.ResTarget?.val);
    const stars = (written ?? []).filter((v) => v?.ColumnRef?.fields?.some((f: RawNode) => f.A_Star)).length;
    const at = (i: number) => (!written ? undefined : stars === 0 ? written[i] : written.length === 1 ? written[0] : undefined);
    targetCols.forEach((c, i) => {
      const e = colRef(inner.schema, i);
      if (!isDefaultMarker(e) && table.columns[c].generated) throw generatedColumnError(table.columns[c], false);
      exprs[c] = isDefaultMarker(e) || !takesInsertedValue(table.columns[c], n.override) ? defaults[c] : assign(binder, e, table.columns[c], at(i));
    });
    source = { kind: 'project', schema, input: inner, exprs };
  }
  for (const c of targetCols) used.written.add(c);
  if (onConflict?.action === 'update') for (const a of onConflict.assignments) used.conflict?.add(a.column);
  return {
    kind: 'insert', table, source,
    onConflict,
    checks: bindChecks(binder, table),
    generated: bindGenerated(binder, table),
    returning: bindReturning(binder, n.returningClause?.exprs ?? n.returningList, table, alias, used.onRead),
    ...(policyChecks.length ? { policyChecks } : {}),
  };
}

/** An INSERT's column list (all columns without one) as column numbers (checkInsertTargets). */
export function insertTargetColumns(table: TableDef, cols: RawNode[] | undefined): number[] {
  const targetCols: number[] = cols
    ? cols.map((c) => {
      const name = c.ResTarget.name as string;
      const i = table.columns.findIndex((col) => col.name === name);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`, { position: pos(c.ResTarget) });
      if (c.ResTarget.indirection) throw new SqlError(SqlState.featureNotSupported, 'subscripted INSERT targets are not supported');
      return i;
    })
    : table.columns.map((_, i) => i);
  const seen = new Set<number>();
  targetCols.forEach((c, k) => {
    if (seen.has(c)) throw new SqlError(SqlState.duplicateColumn, `column "${table.columns[c].name}" specified more than once`, { position: pos(cols?.[k]?.ResTarget) });
    seen.add(c);
  });
  return targetCols;
}

/**
 * One VALUES row of an INSERT (MERGE's INSERT too) as a complete new row: the values given
 * for `targetCols` (DEFAULT, and identity columns OVERRIDING USER VALUE drops, keep the
 * column's default), the other columns' defaults.
 */
export function bindInsertRow(
  binder: SelectBinder, table: TableDef, targetCols: readonly number[], items: RawNode[], scope: Scope, override: string | undefined,
  defaults: readonly Expr[], extraTargetPosition: (i: number) => number | undefined,
): Expr[] {
  if (items.length > targetCols.length) {
    throw new SqlError(SqlState.syntaxError, 'INSERT has more expressions than target columns', { position: rawPosition(items[targetCols.length]) });
  }
  if (items.length < targetCols.length) {
    throw new SqlError(SqlState.syntaxError, 'INSERT has more target columns than expressions', { position: extraTargetPosition(items.length) });
  }
  const row: Expr[] = [...defaults];
  items.forEach((item, i) => {
    const c = targetCols[i];
    if (item.SetToDefault) return;
    if (table.columns[c].generated) throw generatedColumnError(table.columns[c], false);
    if (!takesInsertedValue(table.columns[c], override)) return;
    row[c] = assign(binder, bindExpr(item, scope, binder.ctx('VALUES')), table.columns[c], item);
  });
  return row;
}

/**
 * ON CONFLICT reads the table (PostgreSQL's transformOnConflictClause marks them
 * selected): the conflict target's columns, and the columns DO UPDATE's SET and WHERE read
 * from the existing row or from EXCLUDED — each needs SELECT, on the table or the column.
 */
function noteConflictReads(binder: SelectBinder, table: TableDef, oc: OnConflict, raw: RawNode): void {
  const read = new Set<number>();
  const key = oc.keyName === null ? undefined
    : table.constraints.find((c) => c.name === oc.keyName)?.columns ?? table.indexes.find((i) => i.name === oc.keyName)?.columns;
  if (raw.infer) for (const c of key ?? []) read.add(c);
  const n = table.columns.length;
  const reads = (e: Expr) => mapExpr(e, (x) => {
    // SET and WHERE see [existing row…, excluded row…]: both are this table's columns
    if (x.kind === 'column' && x.level === 0) read.add(x.index % n);
    return undefined;
  });
  for (const a of oc.assignments) reads(a.expr);
  if (oc.where) reads(oc.where);
  if (read.size === 0) return;
  const selected = binder.noteAccess(table, 'SELECT');
  for (const c of read) selected.add(c);
}

function bindOnConflict(binder: SelectBinder, oc: RawNode, table: TableDef, alias: string): OnConflict {
  let keyName: string | null = null;
  if (oc.infer?.conname) {
    const c = table.constraints.find((x) => x.name === oc.infer.conname);
    if (!c) throw new SqlError(SqlState.undefinedObject, `constraint "${oc.infer.conname}" for table "${table.name}" does not exist`);
    keyName = c.name;
  } else if (oc.infer?.indexElems) {
    const elems = oc.infer.indexElems as RawNode[];
    const expression = elems.length === 1 && elems[0].IndexElem.expr ? conflictExpression(binder, table, elems[0].IndexElem.expr) : undefined;
    const cols = expression !== undefined ? [] : elems.map((e) => {
      const name = e.IndexElem.name as string;
      const i = table.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new SqlError(SqlState.undefinedColumn, `column "${name}" does not exist`);
      return i;
    }).sort((a, b) => a - b);
    // a partial unique index is inferred only when the inference WHERE implies its own (infer_arbiter_indexes)
    const inferWhere = oc.infer.whereClause ? bindInferenceWhere(binder, table, oc.infer.whereClause) : undefined;
    const inferable = (i: IndexDef) => i.unique && (!i.predicateTree || (inferWhere !== undefined && impliesIndexPredicate(inferWhere, i.predicateTree, table)));
    const match = expression !== undefined ? table.indexes.find((i) => inferable(i) && i.expression?.sql === expression)
      : table.constraints.find((c) => (c.type === 'p' || c.type === 'u') && [...c.columns].sort((a, b) => a - b).join() === cols.join())
      ?? table.indexes.find((i) => inferable(i) && !i.expression && [...i.columns].sort((a, b) => a - b).join() === cols.join());
    if (!match) {
      throw new SqlError(SqlState.invalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    }
    keyName = match.name;
  }
  if (oc.action === 'ONCONFLICT_NOTHING') return { action: 'nothing', keyName, assignments: [], where: null };
  if (!keyName) {
    throw new SqlError(SqlState.syntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', {
      hint: 'For example, ON CONFLICT (column_name).',
    });
  }
  const scope = new Scope(null);
  const cols = tableColumns(table);
  scope.add(alias, cols);
  scope.add('excluded', cols);
  const assignments = bindAssignments(binder, oc.targetList as RawNode[], table, scope);
  const where = oc.whereClause ? bindExpr(oc.whereClause, scope, binder.ctx('WHERE')) : null;
  return { action: 'update', keyName, assignments, where };
}

/** ON CONFLICT (…) WHERE …: the inference WHERE over the table's columns */
function bindInferenceWhere(binder: SelectBinder, table: TableDef, raw: RawNode): Expr {
  const scope = new Scope(null);
  scope.add(table.name, tableColumns(table));
  return bindExpr(raw, scope, binder.ctx('index predicate'));
}

/** An ON CONFLICT ((lower(email))) target as an expression index's key prints it (IndexExpression.sql). */
function conflictExpression(binder: SelectBinder, table: TableDef, raw: RawNode): string {
  const scope = new Scope(null);
  scope.add(table.name, tableColumns(table));
  return deparse(bindExpr(raw, scope, binder.ctx('index expressions')), { qualify: false, subplanNumber: () => 0 });
}

export function bindAssignments(binder: SelectBinder, list: RawNode[], table: TableDef, scope: Scope): { column: number; expr: Expr }[] {
  const out: { column: number; expr: Expr }[] = [];
  const partial = new Map<number, { column: number; expr: Expr }>();
  for (const t of list) {
    const rt = t.ResTarget;
    const name = rt.name as string;
    const i = table.columns.findIndex((c) => c.name === name);
    if (i < 0) {
      throw new SqlError(SqlState.undefinedColumn, `column "${name}" of relation "${table.name}" does not exist`, { position: pos(rt) });
    }
    if (rt.val.MultiAssignRef) throw new SqlError(SqlState.featureNotSupported, 'multiple-column UPDATE SET is not supported');
    if (table.columns[i].generated) {
      if (!rt.val.SetToDefault) throw generatedColumnError(table.columns[i], true);
      continue;
    }
    if (table.columns[i].identity === 'a' && !rt.val.SetToDefault) {
      throw new SqlError('428C9', `column "${name}" can only be updated to DEFAULT`, { detail: `Column "${name}" is an identity column defined as GENERATED ALWAYS.` });
    }
    if (rt.indirection) {
      // the target's columns come first in the scope: column i is the row's value before the
      // assignment; several assignments to parts of one column apply in turn (rewriteTargetListIU)
      const earlier = partial.get(i);
      const current: Expr = earlier ? earlier.expr : { kind: 'column', type: table.columns[i].type, level: 0, index: i, name };
      const expr = bindIndirectAssignment(binder.env, binder.ctx('UPDATE'), scope, table.columns[i], current, rt.indirection as RawNode[], rt.val);
      if (earlier) {
        earlier.expr = expr;
      } else {
        const a = { column: i, expr };
        partial.set(i, a);
        out.push(a);
      }
      continue;
    }
    const expr = rt.val.SetToDefault
      ? defaultExprFor(binder, table.columns[i])
      : assign(binder, bindExpr(rt.val, scope, binder.ctx('UPDATE')), table.columns[i], rt.val);
    out.push({ column: i, expr });
  }
  // (the rewriter's check, after the expressions are bound: rewriteTargetListIU)
  const seen = new Set<number>();
  for (const a of out) {
    if (seen.has(a.column)) throw new SqlError(SqlState.syntaxError, `multiple assignments to same column "${table.columns[a.column].name}"`);
    seen.add(a.column);
  }
  return out;
}

/** The table's stored generated columns, their expressions bound over its rows. */
export function bindGenerated(binder: SelectBinder, table: TableDef): BoundGenerated[] {
  const cols = table.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.generated && c.defaultExpr);
  if (cols.length === 0) return [];
  const scope = new Scope(null);
  scope.add(table.name, tableColumns(table));
  return cols.map(({ c, i }) => ({
    column: i,
    expr: coerce(binder.env, bindExpr(c.defaultExpr!.ast as RawNode, scope, binder.ctx('column generation expressions')), c.type, 'assignment', () => `column "${c.name}"`),
  }));
}

/**
 * Whether INSERT stores the value given for an identity column: GENERATED ALWAYS refuses one
 * (428C9) unless OVERRIDING SYSTEM VALUE; OVERRIDING USER VALUE drops it for any identity
 * column, which then takes its sequence's next value.
 */
function takesInsertedValue(col: ColumnDef, override: string | undefined): boolean {
  if (!col.identity) return true;
  if (override === 'OVERRIDING_USER_VALUE') return false;
  if (col.identity === 'a' && override !== 'OVERRIDING_SYSTEM_VALUE') {
    throw new SqlError('428C9', `cannot insert a non-DEFAULT value into column "${col.name}"`, {
      detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`, hint: 'Use OVERRIDING SYSTEM VALUE to override.',
    });
  }
  return true;
}

/** 428C9: a generated column only takes DEFAULT */
function generatedColumnError(col: ColumnDef, update: boolean): SqlError {
  return new SqlError('428C9', update ? `column "${col.name}" can only be updated to DEFAULT` : `cannot insert a non-DEFAULT value into column "${col.name}"`, {
    detail: `Column "${col.name}" is a generated column.`,
  });
}

/** The table's CHECK constraints bound over its rows (NULL passes, as in SQL). */
export function bindChecks(binder: SelectBinder, table: TableDef): BoundCheck[] {
  const checks = table.constraints.filter((c) => c.type === 'c' && c.checkAst);
  if (checks.length === 0) return [];
  const scope = new Scope(null);
  scope.add(table.name, tableColumns(table));
  return checks.map((c) => {
    const e = bindExpr(c.checkAst as RawNode, scope, binder.ctx('check constraints'));
    return { name: c.name, expr: e.type.oid === T.bool.oid ? e : coerce(binder.env, e, T.bool, 'implicit') };
  });
}

/** The columns a DML statement reads its target with: the table's, then (hidden) its row id and a partitioned table's partition OID. */
export function targetColumns(table: TableDef): OutputColumn[] {
  const withId = [...tableColumns(table), { name: 'ctid', type: T.int8, tableOid: table.oid, attnum: -1 }];
  // a partitioned table's rows also carry the OID of the partition they live in
  if (table.kind === 'p') withId.push({ name: 'tableoid', type: T.oid, tableOid: table.oid, attnum: -6 });
  return withId;
}

/** The scan of an UPDATE's, DELETE's or MERGE's target (targetColumns), `filter` its security quals. */
export function targetScan(binder: SelectBinder, table: TableDef, alias: string, withId: OutputColumn[], filter: Expr | null): Plan {
  // the name it is read by (EXPLAIN: Update on t x, Seq Scan on t x)
  const named = alias !== table.name ? { alias } : {};
  return table.kind === 'p'
    ? { kind: 'scan', schema: withId, table, withRowId: true, filter, partitions: leafPartitions(binder.env.catalog, table), ...named }
    : { kind: 'scan', schema: withId, table, withRowId: true, filter, ...named };
}

function scanWithRowId(binder: SelectBinder, table: TableDef, alias: string, where: RawNode | undefined, from: RawNode[] | undefined, commands: readonly ('UPDATE' | 'DELETE' | 'SELECT')[], onRead?: (column: number) => void): { scope: Scope; plan: Plan } {
  const scope = new Scope(null);
  const cols = tableColumns(table);
  const withId = targetColumns(table);
  scope.add(alias, withId, { schema: table.schema, hiddenFrom: cols.length, relname: table.name, onUse: onRead });
  // row-level security: rows the policies hide are neither seen nor changed
  let plan = targetScan(binder, table, alias, withId, binder.securityQual(table, commands));
  if (from?.length) {
    // UPDATE … FROM / DELETE … USING: join the target with the other FROM items
    const others = binder.bindFromItems(from, scope);
    plan = joinPlan('inner', plan, others, null, false);
  }
  if (where) {
    const pred = bindExpr(where, scope, binder.ctx('WHERE'));
    const p = pred.type.oid === T.bool.oid ? pred : coerce(binder.env, pred, T.bool, 'implicit');
    plan = { kind: 'filter', schema: plan.schema, input: plan, predicate: p };
  }
  return { scope, plan };
}

export function bindUpdate(binder: SelectBinder, n: RawNode): DmlStatement {
  return binder.withQueries(n.withClause, () => bindUpdateBody(binder, n));
}

function bindUpdateBody(binder: SelectBinder, n: RawNode): DmlStatement {
  const table = findTableOrThrow(binder, n.relation);
  const used = noteTarget(binder, table, 'UPDATE', n);
  const alias = n.relation.alias?.aliasname ?? table.name;
  const { scope, plan } = scanWithRowId(binder, table, alias, n.whereClause, n.fromClause, targetCommands('UPDATE', n), used.onRead);
  const assignments = bindAssignments(binder, n.targetList as RawNode[], table, scope);
  for (const a of assignments) used.written.add(a.column);
  const policyChecks = binder.policyChecks(table, 'UPDATE', readsColumns('UPDATE', n));
  return {
    kind: 'update', table, source: plan, assignments,
    returning: bindReturning(binder, n.returningClause?.exprs ?? n.returningList, table, alias, used.onRead, n.fromClause?.length ? scope : undefined),
    checks: bindChecks(binder, table), generated: bindGenerated(binder, table), ...(policyChecks.length ? { policyChecks } : {}),
  };
}

export function bindDelete(binder: SelectBinder, n: RawNode): DmlStatement {
  return binder.withQueries(n.withClause, () => bindDeleteBody(binder, n));
}

function bindDeleteBody(binder: SelectBinder, n: RawNode): DmlStatement {
  const table = findTableOrThrow(binder, n.relation);
  const used = noteTarget(binder, table, 'DELETE', n);
  const alias = n.relation.alias?.aliasname ?? table.name;
  const { scope, plan } = scanWithRowId(binder, table, alias, n.whereClause, n.usingClause, targetCommands('DELETE', n), used.onRead);
  const returning = bindReturning(binder, n.returningClause?.exprs ?? n.returningList, table, alias, used.onRead, n.usingClause?.length ? scope : undefined);
  return { kind: 'delete', table, source: plan, returning };
}

export type { SqlType };
