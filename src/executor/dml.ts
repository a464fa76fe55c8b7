/**
 * INSERT / UPDATE / DELETE execution: constraint checks (NOT NULL, unique keys), ON
 * CONFLICT, RETURNING, and the writes into the statement's transaction. Source rows are
 * materialized before writing so a statement never sees its own new rows.
 */
import { SqlError, SqlState } from '../errors.js';
import type { ColumnDef, IndexExpression, TableDef } from '../catalog/catalog.js';
import { indexExpressionText } from '../catalog/system/objects.js';
import type { BoundCheck, BoundGenerated, DmlStatement, ModifyingCte, PolicyCheck, Returning, TableDml } from '../planner/dml-statement.js';
import { runMerge } from './merge.js';
import { RowConflict, UniqueViolation, type ToIndexKey, type Transaction } from '../storage/api.js';
import { indexKeyFunction } from './vector-index-key.js';
import { predicateFunction } from './index-predicate.js';
import { formatText } from '../types/text-io.js';
import type { Row, SparseVector, SqlType, Value } from '../types/types.js';
import { checkSparsevecHnswValue } from '../types/sparsevec.js';
import { checkPartitionConstraint, routeRow } from '../catalog/partitions.js';
import type { Catalog } from '../catalog/catalog.js';
import { applyIncoming, checkOutgoing, type RemovedKey } from './foreign-keys.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { collect, runPlan, type RunContext } from './operators.js';
import { drainAll, turnIfDue } from './suspend.js';

export interface DmlResult {
  readonly count: number;
  readonly returned: Row[] | null;
}

function failingRow(table: TableDef, row: Row): string {
  return `Failing row contains (${row.map((v, i) => (v === null ? 'null' : formatText(table.columns[i].type, v))).join(', ')}).`;
}

/** What the table's HNSW indexes refuse: sparse vectors of more than 1,000 elements (pgvector). */
function checkIndexedValues(table: TableDef, row: Row): void {
  for (const idx of table.indexes) {
    if (idx.method !== 'hnsw' || !idx.opclasses[0]?.startsWith('sparsevec_')) continue;
    const v = row[idx.columns[0]];
    if (v !== null) checkSparsevecHnswValue(v as SparseVector);
  }
}

/** NOT NULL, then what the table's indexes take (pgvector checks as it inserts into them). */
function checkNotNull(table: TableDef, row: Row): void {
  checkNotNullOnly(table, row);
  checkIndexedValues(table, row);
}

function checkNotNullOnly(table: TableDef, row: Row): void {
  for (let i = 0; i < table.columns.length; i++) {
    const c = table.columns[i];
    if (c.notNull && row[i] === null) {
      throw new SqlError(SqlState.notNullViolation, `null value in column "${c.name}" of relation "${table.name}" violates not-null constraint`, {
        detail: failingRow(table, row), schema: table.schema, table: table.name, column: c.name,
      });
    }
  }
}

export function uniqueViolationError(table: TableDef, e: UniqueViolation): SqlError {
  const { names, values } = violatedKey(table.columns, e, table.indexes.find((i) => i.name === e.keyName)?.expression);
  return new SqlError(SqlState.uniqueViolation, `duplicate key value violates unique constraint "${e.keyName}"`, {
    detail: `Key (${names})=(${values}) already exists.`, schema: table.schema, table: table.name, constraint: e.keyName,
  });
}

/** A violated key's columns (an expression index's expression as pg_get_indexdef_columns prints it, pretty) and values as a DETAIL names them. */
export function violatedKey(columns: readonly ColumnDef[], e: UniqueViolation, expression: IndexExpression | undefined): { names: string; values: string } {
  const text = (type: SqlType, v: Value | undefined) => (v === null || v === undefined ? 'null' : formatText(type, v));
  if (expression && e.key !== undefined) return { names: indexExpressionText(expression, true), values: text(expression.type, e.key) };
  return { names: e.columns.map((c) => columns[c].name).join(', '), values: e.columns.map((c) => text(columns[c].type, e.values[c])).join(', ') };
}

/**
 * Insert complete rows (COPY's path): NOT NULL and unique checks, no RETURNING.
 * `onError(i, err)` lets the caller add context (COPY's line number) for row i.
 */
export function insertRows(txn: Transaction, table: TableDef, rows: readonly Row[], onError: (index: number, err: unknown) => unknown = (_i, e) => e): void {
  rows.forEach((row, i) => {
    try {
      checkNotNull(table, row);
    } catch (e) {
      throw onError(i, e);
    }
  });
  const hasKeys = table.indexes.some((x) => x.unique);
  if (!hasKeys) {
    txn.insert(table.oid, rows);
    return;
  }
  // with unique keys, insert row by row so a violation names its row
  rows.forEach((row, i) => {
    try {
      txn.insert(table.oid, [row]);
    } catch (e) {
      throw onError(i, e instanceof UniqueViolation ? uniqueViolationError(table, e) : e);
    }
  });
}

function insertRow(txn: Transaction, table: TableDef, row: Row): number[] {
  checkNotNull(table, row);
  try {
    return txn.insert(table.oid, [row]);
  } catch (e) {
    if (e instanceof UniqueViolation) throw uniqueViolationError(table, e);
    throw e;
  }
}

function returningOf(ret: Returning | null) {
  if (!ret) return null;
  const exprs = ret.exprs.map(compileExpr);
  if (ret.joined) {
    // the source row (target, ctid, [tableoid,] the other FROM items) with the target's columns as written
    return (row: Row, env: ExecEnv, _tableOid: number, source?: Row) => {
      const joinedRow = [...row, ...source!.slice(row.length)];
      return exprs.map((e) => e(joinedRow, env));
    };
  }
  // RETURNING sees the row plus its hidden tableoid: the (leaf) table it is stored in
  return (row: Row, env: ExecEnv, tableOid: number, _source?: Row) => {
    const withOid = [...row, tableOid];
    return exprs.map((e) => e(withOid, env));
  };
}

/** COPY's path for any table: rows routed to their partitions, then inserted per partition. */
export function insertRowsRouted(rc: RunContext, txn: Transaction, table: TableDef, rows: readonly Row[], onError: (index: number, err: unknown) => unknown): void {
  if (table.kind !== 'p' && !table.partitionOf) {
    insertRows(txn, table, rows, onError);
    return;
  }
  const groups = new Map<TableDef, { rows: Row[]; index: number[] }>();
  rows.forEach((row, i) => {
    let leaf: TableDef;
    try {
      leaf = placeRow(rc, table, row);
    } catch (e) {
      throw onError(i, e);
    }
    let g = groups.get(leaf);
    if (!g) groups.set(leaf, (g = { rows: [], index: [] }));
    g.rows.push(row);
    g.index.push(i);
  });
  for (const [leaf, g] of groups) insertRows(txn, leaf, g.rows, (i, e) => onError(g.index[i], e));
}

/**
 * insertRowsRouted with `between()` awaited every PIECE_ROWS rows (a turn of the event loop
 * once the time slice is used up), where one call held the loop for the whole batch. The
 * steps are the same and in the same order — every row routed, then each leaf's rows (in
 * order of first appearance) checked for NULLs, then inserted row by row — so the first error
 * of a batch is the one insertRowsRouted reports (COPY keeps PostgreSQL's order of errors).
 */
export async function insertRowsRoutedInPieces(
  rc: RunContext, txn: Transaction, table: TableDef, rows: readonly Row[], onError: (index: number, err: unknown) => unknown, between: () => Promise<void>,
  waitForKey?: (lock: Promise<void>) => Promise<void>,
): Promise<void> {
  if (table.kind !== 'p' && !table.partitionOf) {
    await insertRowsInPieces(txn, table, rows, (i) => i, onError, between, waitForKey);
    return;
  }
  const groups = new Map<TableDef, { rows: Row[]; index: number[] }>();
  for (let i = 0; i < rows.length; i++) {
    let leaf: TableDef;
    try {
      leaf = placeRow(rc, table, rows[i]);
    } catch (e) {
      throw onError(i, e);
    }
    let g = groups.get(leaf);
    if (!g) groups.set(leaf, (g = { rows: [], index: [] }));
    g.rows.push(rows[i]);
    g.index.push(i);
    if ((i + 1) % PIECE_ROWS === 0) await between();
  }
  for (const [leaf, g] of groups) await insertRowsInPieces(txn, leaf, g.rows, (i) => g.index[i], onError, between, waitForKey);
}

/** rows between two calls of `between` in insertRowsRoutedInPieces */
const PIECE_ROWS = 512;

/** insertRows a piece at a time (`at`: a row's index for onError). */
async function insertRowsInPieces(
  txn: Transaction, table: TableDef, rows: readonly Row[], at: (i: number) => number, onError: (index: number, err: unknown) => unknown, between: () => Promise<void>,
  waitForKey?: (lock: Promise<void>) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < rows.length; i++) {
    try {
      checkNotNull(table, rows[i]);
    } catch (e) {
      throw onError(at(i), e);
    }
    if ((i + 1) % PIECE_ROWS === 0) await between();
  }
  const hasKeys = table.indexes.some((x) => x.unique);
  for (let from = 0; from < rows.length; from += PIECE_ROWS) {
    await between();
    const to = Math.min(rows.length, from + PIECE_ROWS);
    if (!hasKeys) {
      txn.insert(table.oid, rows.slice(from, to));
      continue;
    }
    for (let i = from; i < to; i++) {
      try {
        txn.insert(table.oid, [rows[i]]);
      } catch (e) {
        // a prepared transaction inserted the key: wait for it, then insert the row again
        if (e instanceof RowConflict && e.waitFor && waitForKey) {
          await waitForKey(e.waitFor);
          i--;
          continue;
        }
        throw onError(at(i), e instanceof UniqueViolation ? uniqueViolationError(table, e) : e);
      }
    }
  }
}

/** Where a new row goes: the routed leaf partition, after the partition constraint check. */
export function placeRow(rc: RunContext, table: TableDef, row: Row): TableDef {
  const catalog = rc.system.catalog;
  const fmt = (t: SqlType, v: Value) => formatText(t, v);
  if (table.kind === 'p') return routeRow(catalog, table, row, fmt);
  if (table.partitionOf) checkPartitionConstraint(catalog, table, row, () => failingRow(table, row));
  return table;
}

/** The leaf's unique key with the same columns as the parent's key `name`. */
function leafKeys(parent: TableDef, leaf: TableDef, names: readonly string[]): ConflictKey[] {
  const columnsOf = (t: TableDef, name: string) => t.constraints.find((c) => c.name === name)?.columns ?? t.indexes.find((i) => i.name === name)?.columns;
  return names.flatMap((name): ConflictKey[] => {
    const cols = columnsOf(parent, name);
    if (!cols) return [];
    if (parent === leaf) {
      const idx = leaf.indexes.find((i) => i.name === name);
      // a partial index (WHERE deleted_at IS NULL): only a proposed row it would hold can conflict in it
      const holds = idx && predicateFunction(idx, leaf);
      // an expression index (lower(email)): a proposed row is looked up by its key
      const toKey = idx?.expression && indexKeyFunction({ columns: idx.columns, expression: idx.expression }, leaf);
      return [{ name, columns: cols, ...(toKey ? { toKey } : {}), ...(holds ? { holds } : {}) }];
    }
    const match = leaf.constraints.find((c) => (c.type === 'p' || c.type === 'u') && c.columns.join() === cols.join());
    if (match) return [{ name: match.name, columns: match.columns }];
    // CREATE UNIQUE INDEX on the parent: each partition's storage key has the index's name (ddl/indexes.ts)
    return parent.indexes.some((i) => i.name === name && i.unique) ? [{ name, columns: cols }] : [];
  });
}

/** a unique key an ON CONFLICT looks a proposed row up in: its storage key's name and columns */
type ConflictKey = { readonly name: string; readonly columns: readonly number[]; readonly toKey?: ToIndexKey; readonly holds?: (row: Row) => boolean };

/** A checker for the statement's CHECK constraints (NULL passes; false is 23514). */
export function checkRunner(table: TableDef, checks: readonly BoundCheck[]): (row: Row, env: ExecEnv) => void {
  if (checks.length === 0) return () => {};
  const compiled = checks.map((c) => ({ name: c.name, test: compileExpr(c.expr) }));
  return (row, env) => {
    for (const c of compiled) {
      if (c.test(row, env) === false) {
        throw new SqlError(SqlState.checkViolation, `new row for relation "${table.name}" violates check constraint "${c.name}"`, {
          detail: failingRow(table, row), schema: table.schema, table: table.name, constraint: c.name,
        });
      }
    }
  };
}

/**
 * A checker for row-level security's WITH CHECK options (ExecWithCheckOptions): a new row
 * must make each true (NULL fails, unlike CHECK constraints); run before the constraints.
 */
export function policyCheckRunner(table: TableDef, checks: readonly PolicyCheck[] | undefined): (row: Row, env: ExecEnv) => void {
  if (!checks?.length) return () => {};
  const compiled = checks.map((c) => ({ policy: c.policy, using: c.using, target: c.target, test: compileExpr(c.expr) }));
  return (row, env) => {
    for (const c of compiled) {
      if (c.test(row, env) !== true) {
        const which = `${c.policy === null ? '' : ` "${c.policy}"`}${c.using || c.target ? ' (USING expression)' : ''}`;
        throw new SqlError(SqlState.insufficientPrivilege, `${c.target ? 'target' : 'new'} row violates row-level security policy${which} for table "${table.name}"`);
      }
    }
  };
}

/** Compute stored generated columns into a new row (before its constraints are checked, as ExecComputeStoredGenerated). */
export function generatedRunner(generated: readonly BoundGenerated[]): (row: Row, env: ExecEnv) => void {
  if (generated.length === 0) return () => {};
  const compiled = generated.map((g) => ({ column: g.column, expr: compileExpr(g.expr) }));
  return (row, env) => {
    for (const g of compiled) row[g.column] = g.expr(row, env);
  };
}

/**
 * Run an INSERT / UPDATE / DELETE, or a statement with data-modifying WITH queries: each runs
 * to completion, those the statement reads before it (their RETURNING rows kept for the
 * references), the others after; every part reads the state from before the statement
 * (PostgreSQL's one snapshot), never another part's changes.
 */
export async function runDml(stmt: DmlStatement, rc: RunContext, env: ExecEnv, txn: Transaction): Promise<DmlResult> {
  if (!stmt.with?.length && stmt.kind !== 'select') return runWrite(stmt, rc, env, txn);
  const frozen = txn.frozen();
  const reading = new Proxy(rc, { get: (target, key) => (key === 'txn' ? frozen : Reflect.get(target, key)) });
  // subqueries in expressions read the same way
  const readingEnv: ExecEnv = { ...env, runPlan: (plan, outer) => collect(runPlan(plan, reading, { ...readingEnv, outer, synchronous: true })) };
  // foreign keys are checked once every part has written (PostgreSQL's RI triggers fire at the statement's end)
  const keyChecks: (() => void)[] = [];
  const runCte = async (cte: ModifyingCte): Promise<void> => {
    if (cte.stmt.kind === 'select') throw new Error('bug: a SELECT as a data-modifying WITH query');
    const done = await runWrite(cte.stmt, reading, readingEnv, txn, keyChecks);
    rc.cteResults.set(cte.id, done.returned ?? []);
  };
  // those read first (in order), the main statement, then those nobody reads
  for (const cte of stmt.with ?? []) if (cte.referenced) await runCte(cte);
  let result: DmlResult;
  if (stmt.kind !== 'select') result = await runWrite(stmt, reading, readingEnv, txn, keyChecks);
  else {
    const rows = await drainAll(runPlan(stmt.source, reading, readingEnv), () => env.checkCancel(), rc.slice);
    result = { count: rows.length, returned: rows };
  }
  for (const cte of stmt.with ?? []) if (!cte.referenced) await runCte(cte);
  for (const check of keyChecks) check();
  return result;
}

/**
 * How one statement writes rows of its table: generated columns, the row-level security
 * options it is given, NOT NULL, CHECK, foreign keys (now, or at the statement's end into
 * `keyChecks`), the write itself and, for UPDATE, the move to another partition. INSERT,
 * UPDATE, DELETE and MERGE's actions all write through one.
 */
export interface RowWriter {
  /** a new row into `leaf` (placeRow's): its ids */
  insert(leaf: TableDef, row: Row, policyCheck: RowCheck): number[];
  /**
   * replace the row `rowId` of partition `home` (`old`: its columns) with `updated`: the
   * partition it is now in and its new id (`checkedAs`: the table NOT NULL and foreign keys name)
   */
  update(old: Row, home: number, rowId: number, updated: Row, policyCheck: RowCheck, checkedAs?: TableDef): { table: TableDef; ids: number[] };
  delete(old: Row, home: number, rowId: number): void;
  /** the foreign keys referencing the rows changed (ON DELETE / ON UPDATE actions, or their errors) */
  finish(): void;
}

type RowCheck = (row: Row, env: ExecEnv) => void;

const noCheck: RowCheck = () => {};

export function rowWriter(
  rc: RunContext, env: ExecEnv, txn: Transaction, table: TableDef, checks: readonly BoundCheck[], generated: readonly BoundGenerated[], keyChecks?: (() => void)[],
): RowWriter {
  const check = checkRunner(table, checks);
  const generate = generatedRunner(generated);
  const catalog = rc.system.catalog;
  // foreign keys: only statements on tables that have or are referenced by one pay for it
  const outgoing = hasOutgoingKeys(catalog, table);
  const incoming = hasIncomingKeys(catalog, table);
  const referencing = (t: TableDef, row: Row, before?: Row): void => {
    if (keyChecks) keyChecks.push(() => checkOutgoing(rc, txn, t, row, before));
    else checkOutgoing(rc, txn, t, row, before);
  };
  const removed: RemovedKey[] = [];
  return {
    insert(leaf, row, policyCheck) {
      generate(row, env);
      policyCheck(row, env);
      checkNotNull(leaf, row);
      check(row, env);
      if (outgoing) referencing(leaf, row);
      return insertRow(txn, leaf, row);
    },
    update(old, home, rowId, updated, policyCheck, checkedAs = table) {
      generate(updated, env);
      policyCheck(updated, env);
      checkNotNull(checkedAs, updated);
      check(updated, env);
      if (outgoing) referencing(checkedAs, updated, old);
      txn.delete(home, [rowId]);
      if (incoming) removed.push({ old, now: updated });
      // a changed partition key moves the row to its new partition
      const target = placeRow(rc, table, updated);
      return { table: target, ids: insertRow(txn, target, updated) };
    },
    delete(old, home, rowId) {
      txn.delete(home, [rowId]);
      if (incoming) removed.push({ old, now: null });
    },
    finish() {
      if (incoming && keyChecks) keyChecks.push(() => applyIncoming(rc, txn, table, removed));
      else if (incoming) applyIncoming(rc, txn, table, removed);
    },
  };
}

/** One INSERT / UPDATE / DELETE / MERGE; `keyChecks` (a part of a statement with data-modifying WITH) takes its foreign key checks, to run at the statement's end. */
async function runWrite(stmt: TableDml, rc: RunContext, env: ExecEnv, txn: Transaction, keyChecks?: (() => void)[]): Promise<DmlResult> {
  const table = stmt.table;
  const partitioned = table.kind === 'p';
  const writer = rowWriter(rc, env, txn, table, stmt.kind === 'delete' ? [] : stmt.checks, stmt.kind === 'delete' ? [] : stmt.generated, keyChecks);
  if (stmt.kind === 'merge') {
    const source = await drainAll(runPlan(stmt.source, rc, env), () => env.checkCancel(), rc.slice);
    const count = await runMerge(stmt, source, rc, env, writer, rc.merged);
    writer.finish();
    return { count, returned: null };
  }
  const generate = stmt.kind === 'delete' ? () => {} : generatedRunner(stmt.generated);
  const policyCheck = stmt.kind === 'delete' ? () => {} : policyCheckRunner(table, stmt.policyChecks);
  const ret = returningOf(stmt.returning);
  const returned: Row[] | null = ret ? [] : null;
  let count = 0;
  const source = await drainAll(runPlan(stmt.source, rc, env), () => env.checkCancel(), rc.slice);
  const width = table.columns.length;
  // reading through a frozen view (data-modifying WITH): a row another part of the statement
  // already updated or deleted is left alone, as PostgreSQL skips a row its command changed
  const changedBefore = rc.txn === txn || rc.txn === undefined ? () => false : (home: number, rowId: number) => rc.storage.fetch(home, rowId, rc.snapshot, txn) === undefined;
  switch (stmt.kind) {
    case 'insert': {
      const oc = stmt.onConflict;
      const keyNames = oc ? (oc.keyName ? [oc.keyName] : uniqueKeyNames(table)) : [];
      const sets = oc ? oc.assignments.map((a) => ({ column: a.column, expr: compileExpr(a.expr) })) : [];
      const where = oc?.where ? compileExpr(oc.where) : null;
      // rows this command wrote (a row may not be updated twice by one ON CONFLICT)
      // (row ids are per table: a partitioned table's rows are told apart by their partition too)
      const written = new Set<string>();
      const rowKey = (t: TableDef, id: number) => `${t.oid}:${id}`;
      const conflictChecks = oc?.policyChecks
        ? { existing: policyCheckRunner(table, oc.policyChecks.existing), updated: policyCheckRunner(table, oc.policyChecks.updated) }
        : null;
      for (let i = 0; i < source.length; i++) {
        const row = source[i];
        env.checkCancel();
        if ((i & 255) === 255) await turnIfDue(rc.slice, () => env.checkCancel());
        const leaf = placeRow(rc, table, row);
        if (conflictChecks) {
          // the proposed row passes INSERT's options before any conflict is looked for (ExecInsert)
          const proposed = [...row];
          generate(proposed, env);
          policyCheck(proposed, env);
        }
        if (oc) {
          const conflict = findConflict(rc, txn, leaf, leafKeys(table, leaf, keyNames), row);
          if (conflict !== undefined) {
            if (rc.conflicts) rc.conflicts.conflicting++;
            if (oc.action === 'nothing') continue;
            if (written.has(rowKey(leaf, conflict))) {
              throw new SqlError(SqlState.cardinalityViolation, 'ON CONFLICT DO UPDATE command cannot affect row a second time', {
                hint: 'Ensure that no rows proposed for insertion within the same command have duplicate constrained values.',
              });
            }
            const existing = rc.storage.fetch(leaf.oid, conflict, rc.storage.snapshot(), txn);
            if (!existing) continue;
            const both = [...existing, ...row];
            if (where && where(both, env) !== true) {
              if (rc.conflicts) rc.conflicts.filtered++;
              continue;
            }
            conflictChecks?.existing(existing, env);
            const updated = [...existing];
            for (const s of sets) updated[s.column] = s.expr(both, env);
            const { table: target, ids } = writer.update(existing, leaf.oid, conflict, updated, conflictChecks?.updated ?? noCheck, leaf);
            for (const id of ids) written.add(rowKey(target, id));
            count++;
            if (ret) returned!.push(ret(updated, env, target.oid));
            continue;
          }
        }
        for (const id of writer.insert(leaf, row, policyCheck)) written.add(rowKey(leaf, id));
        count++;
        if (ret) returned!.push(ret(row, env, leaf.oid));
      }
      break;
    }
    case 'update': {
      const sets = stmt.assignments.map((a) => ({ column: a.column, expr: compileExpr(a.expr) }));
      const done = new Set<number>();
      for (let i = 0; i < source.length; i++) {
        const old = source[i];
        env.checkCancel();
        if ((i & 255) === 255) await turnIfDue(rc.slice, () => env.checkCancel());
        const rowId = old[width] as number;
        const home = partitioned ? (old[width + 1] as number) : table.oid;
        // with UPDATE … FROM a row may join several times; PostgreSQL updates it once
        const once = rowOnce(rowId, home, partitioned);
        if (done.has(once) || changedBefore(home, rowId)) continue;
        done.add(once);
        const updated = old.slice(0, width);
        for (const s of sets) updated[s.column] = s.expr(old, env);
        const { table: target } = writer.update(old.slice(0, width), home, rowId, updated, policyCheck);
        count++;
        if (ret) returned!.push(ret(updated, env, target.oid, old));
      }
      break;
    }
    case 'delete': {
      // with DELETE … USING a row may join several times: deleted once
      const seen = new Set<number>();
      const home = (r: Row) => (partitioned ? (r[width + 1] as number) : table.oid);
      const rows: Row[] = [];
      for (let i = 0; i < source.length; i++) {
        const r = source[i];
        const once = rowOnce(r[width] as number, home(r), partitioned);
        if (seen.has(once) || changedBefore(home(r), r[width] as number)) continue;
        seen.add(once);
        rows.push(r);
        writer.delete(r.slice(0, width), home(r), r[width] as number);
        if ((i & 1023) === 1023) await turnIfDue(rc.slice, () => env.checkCancel());
      }
      count = rows.length;
      if (ret) for (const r of rows) returned!.push(ret(r.slice(0, width), env, home(r), r));
      break;
    }
  }
  writer.finish();
  return { count, returned };
}

/** One number per row of a (partitioned) table, for statements that write each row once */
export function rowOnce(rowId: number, home: number, partitioned: boolean): number {
  return partitioned ? rowId * 1e6 + home : rowId;
}

function hasOutgoingKeys(catalog: Catalog, table: TableDef): boolean {
  for (let t: TableDef | undefined = table; t; t = t.partitionOf ? catalog.tables.get(t.partitionOf.parent) : undefined) {
    if (t.constraints.some((c) => c.type === 'f')) return true;
  }
  return false;
}

function hasIncomingKeys(catalog: Catalog, table: TableDef): boolean {
  const targets = new Set<number>();
  for (let t: TableDef | undefined = table; t; t = t.partitionOf ? catalog.tables.get(t.partitionOf.parent) : undefined) targets.add(t.oid);
  for (const t of catalog.tables.values()) if (t.constraints.some((c) => c.type === 'f' && c.refTable !== undefined && targets.has(c.refTable))) return true;
  return false;
}

function uniqueKeyNames(table: TableDef): string[] {
  return table.constraints.filter((c) => c.type === 'p' || c.type === 'u').map((c) => c.name)
    .concat(table.indexes.filter((i) => i.unique && !i.constraintOid).map((i) => i.name));
}

function findConflict(rc: RunContext, txn: Transaction, table: TableDef, keys: readonly ConflictKey[], row: Row): number | undefined {
  for (const key of keys) {
    if (key.holds && !key.holds(row)) continue;
    const values: Value[] = key.toKey ? [key.toKey(row[key.columns[0]])] : key.columns.map((c) => row[c]);
    const hit = rc.storage.lookupUnique(table.oid, key.name, values, txn);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
