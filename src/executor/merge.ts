/**
 * MERGE's actions over the joined rows (ExecMerge): a row whose target part is present runs
 * the first WHEN MATCHED action whose condition holds, any other the first WHEN NOT MATCHED
 * one; the writes go through the statement's RowWriter as INSERT / UPDATE / DELETE do.
 */
import { SqlError, SqlState } from '../errors.js';
import type { DmlStatement, MergeAction } from '../planner/dml-statement.js';
import type { Row } from '../types/types.js';
import { policyCheckRunner, placeRow, rowOnce, type RowWriter } from './dml.js';
import { compileExpr, type ExecEnv } from './expr.js';
import type { RunContext } from './operators.js';
import type { MergeCounts } from '../planner/explain.js';
import { turnIfDue } from './suspend.js';

type MergeStatement = Extract<DmlStatement, { kind: 'merge' }>;


type Compiled =
  | { command: 'update'; when: ((row: Row, env: ExecEnv) => unknown) | null; sets: { column: number; expr: (row: Row, env: ExecEnv) => unknown }[] }
  | { command: 'delete' | 'nothing'; when: ((row: Row, env: ExecEnv) => unknown) | null }
  | { command: 'insert'; when: ((row: Row, env: ExecEnv) => unknown) | null; row: ((row: Row, env: ExecEnv) => unknown)[] };

function compileAction(a: MergeAction): Compiled {
  const when = a.condition ? compileExpr(a.condition) : null;
  if (a.command === 'update') return { command: 'update', when, sets: a.assignments.map((s) => ({ column: s.column, expr: compileExpr(s.expr) })) };
  if (a.command === 'insert') return { command: 'insert', when, row: a.row.map(compileExpr) };
  return { command: a.command, when };
}

/** the first action whose condition is true for the joined row (none: the row is skipped) */
function chosen(actions: readonly Compiled[], row: Row, env: ExecEnv): Compiled | undefined {
  return actions.find((a) => a.when === null || a.when(row, env) === true);
}

/** Run MERGE's actions over its joined `source` rows; the number of rows inserted, updated and deleted (`counts`: each kind apart). */
export async function runMerge(stmt: MergeStatement, source: readonly Row[], rc: RunContext, env: ExecEnv, writer: RowWriter, counts?: MergeCounts): Promise<number> {
  const table = stmt.table;
  const width = table.columns.length;
  const at = stmt.sourceWidth;
  const partitioned = table.kind === 'p';
  const matched = stmt.matched.map(compileAction);
  const notMatched = stmt.notMatched.map(compileAction);
  const rls = stmt.policyChecks;
  const updateExisting = policyCheckRunner(table, rls?.updateExisting);
  const updated = policyCheckRunner(table, rls?.updated);
  const deleteExisting = policyCheckRunner(table, rls?.deleteExisting);
  const inserted = policyCheckRunner(table, rls?.inserted);
  // target rows this command changed: another source row matching one again is an error
  const changed = new Set<number>();
  const tally = counts ?? { inserted: 0, updated: 0, deleted: 0, skipped: 0 };
  for (let i = 0; i < source.length; i++) {
    const row = source[i];
    env.checkCancel();
    if ((i & 255) === 255) await turnIfDue(rc.slice, () => env.checkCancel());
    const rowId = row[at + width] as number | null;
    if (rowId === null) {
      const action = chosen(notMatched, row, env);
      if (action?.command !== 'insert') {
        tally.skipped++;
        continue;
      }
      const fresh = action.row.map((e) => e(row, env)) as Row;
      writer.insert(placeRow(rc, table, fresh), fresh, inserted);
      tally.inserted++;
      continue;
    }
    const action = chosen(matched, row, env);
    if (!action || action.command === 'nothing' || action.command === 'insert') {
      tally.skipped++;
      continue;
    }
    const home = partitioned ? (row[at + width + 1] as number) : table.oid;
    const once = rowOnce(rowId, home, partitioned);
    if (changed.has(once)) {
      throw new SqlError(SqlState.cardinalityViolation, 'MERGE command cannot affect row a second time', {
        hint: 'Ensure that not more than one source row matches any one target row.',
      });
    }
    changed.add(once);
    const old = row.slice(at, at + width);
    if (action.command === 'delete') {
      deleteExisting(old, env);
      writer.delete(old, home, rowId);
      tally.deleted++;
      continue;
    }
    if (action.command !== 'update') continue;
    updateExisting(old, env);
    const next = [...old];
    for (const s of action.sets) next[s.column] = s.expr(row, env) as Row[number];
    writer.update(old, home, rowId, next, updated);
    tally.updated++;
  }
  return tally.inserted + tally.updated + tally.deleted;
}
