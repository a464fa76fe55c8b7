/**
 * Running a bound COPY: TO STDOUT runs its plan and formats the rows; FROM STDIN hands the
 * wire layer a sink whose finish() parses the data, fills defaults, checks constraints and
 * inserts all rows or none.
 */
import { SqlError, SqlState } from '../errors.js';
import { compileExpr } from '../executor/expr.js';
import { checkRunner, insertRowsRouted } from '../executor/dml.js';
import { checkOutgoing } from '../executor/foreign-keys.js';
import { runPlan } from '../executor/operators.js';
import { drainAll } from '../executor/suspend.js';
import type { BoundCopy } from '../sql/statement.js';
import type { Row, Value } from '../types/types.js';
import type { ExecResult } from '../wire/backend.js';
import type { SessionContext } from './context.js';
import { BinaryCopyStream, contextError, formatCopyRows, parseCopyData, withLineText, type ParsedCopy } from './copy.js';

export function runCopy(ctx: SessionContext, stmt: BoundCopy): ExecResult | Promise<ExecResult> {
  if (stmt.direction === 'to') return copyOut(ctx, stmt);
  ctx.tx.checkWritable('COPY FROM');
  return copyIn(ctx, stmt);
}

async function copyOut(ctx: SessionContext, stmt: Extract<BoundCopy, { direction: 'to' }>): Promise<ExecResult> {
  const { plan, options } = stmt;
  const rc = ctx.runContext(ctx.tx.txn);
  const env = ctx.execEnv([], rc);
  const rows = await drainAll(runPlan(plan, rc, env), env.checkCancel, rc.slice);
  const chunks = formatCopyRows(rows, plan.schema.map((c) => c.type), plan.schema.map((c) => c.name), options, { timezone: ctx.settings.get('timezone') });
  return { kind: 'copyOut', format: options.format === 'binary' ? 'binary' : 'text', columnCount: plan.schema.length, chunks, tag: `COPY ${rows.length}` };
}

type CopyFrom = Extract<BoundCopy, { direction: 'from' }>;

function copyIn(ctx: SessionContext, stmt: CopyFrom): ExecResult {
  const target = { table: stmt.table, columns: stmt.columns };
  const defaults = stmt.defaults.map((d) => ({ column: d.column, expr: compileExpr(d.expr) }));
  const stream = stmt.options.format === 'binary' ? new BinaryCopyStream(target) : undefined;
  return {
    kind: 'copyIn',
    format: stmt.options.format === 'binary' ? 'binary' : 'text',
    columnCount: target.columns.length,
    accept: stream ? (chunk) => stream.push(chunk) : undefined,
    finish: async (data) => {
      if (data instanceof SqlError) throw data;
      const values = stream ? stream.end() : parseCopyData(data, target, stmt.options);
      const count = await insertCopied(ctx, stmt, values, defaults);
      return { tag: `COPY ${count}` };
    },
  };
}

/** Fill in defaults, check constraints and insert: all rows or (on any error) none. */
async function insertCopied(ctx: SessionContext, stmt: CopyFrom, values: ParsedCopy, defaults: readonly { column: number; expr: ReturnType<typeof compileExpr> }[]): Promise<number> {
  const { table } = stmt;
  const implicit = ctx.tx.idle;
  const txn = implicit ? ctx.engine.storage.begin() : ctx.tx.txn!;
  const rc = ctx.runContext(txn);
  const env = ctx.execEnv([], rc);
  const width = table.columns.length;
  const rows: Row[] = values.map((v) => {
    const row: Value[] = new Array(width).fill(null);
    stmt.columns.forEach((c, i) => (row[c] = v[i]));
    for (const d of defaults) row[d.column] = d.expr(row, env);
    return row;
  });
  const mark = txn.mark();
  try {
    const check = checkRunner(table, stmt.checks);
    const lines = values.lines;
    const hasKeys = table.constraints.some((c) => c.type === 'f');
    rows.forEach((row, i) => {
      try {
        check(row, env);
        if (hasKeys) checkOutgoing(rc, txn, table, row);
      } catch (err) { throw withLineText(contextError(err, table, i + 1), lines?.[i]); }
    });
    insertRowsRouted(rc, txn, table, rows, (i, err) => {
      const e = contextError(err, table, i + 1);
      // constraint errors show the row's text; key conflicts (found in the index) do not
      return e.code === SqlState.uniqueViolation ? e : withLineText(e, lines?.[i]);
    });
    if (implicit) {
      await ctx.persistCatalogIfDirty();
      await txn.commit();
    }
  } catch (e) {
    if (implicit) txn.rollback();
    else txn.rollbackTo(mark);
    throw ctx.translateStorageError(e);
  }
  return rows.length;
}
