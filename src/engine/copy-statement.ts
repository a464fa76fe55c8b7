/**
 * Running a bound COPY: TO STDOUT runs its plan and formats the rows; FROM STDIN hands the
 * wire layer a sink that parses the data as it arrives, fills defaults, checks constraints
 * and inserts the rows a batch at a time meanwhile, and whose finish() inserts the last
 * ones and commits: all rows or none.
 */
import { SqlError, SqlState } from '../errors.js';
import { compileExpr, domainChecker, type ExecEnv } from '../executor/expr.js';
import { checkRunner, insertRowsRoutedInPieces } from '../executor/dml.js';
import { settingMillis } from './settings.js';
import { checkOutgoing } from '../executor/foreign-keys.js';
import { runPlan, type RunContext } from '../executor/operators.js';
import { drainAll, TimeSlice, turnIfDue } from '../executor/suspend.js';
import type { BoundCopy } from '../sql/statement.js';
import type { Transaction } from '../storage/api.js';
import type { Row, Value } from '../types/types.js';
import { formatText } from '../types/text-io.js';
import type { ExecResult } from '../wire/backend.js';
import type { SessionContext } from './context.js';
import { runDmlStatement } from './dml-statement.js';
import { BinaryCopyStream, CsvCopyStream, TextCopyStream, contextError, copyOutHead, copyOutTail, formatCopyBody, joinBinaryHead, withLineText, type ParsedCopy } from './copy.js';

export function runCopy(ctx: SessionContext, stmt: BoundCopy): ExecResult | Promise<ExecResult> {
  if (stmt.direction === 'to') return copyOut(ctx, stmt);
  ctx.tx.checkWritable('COPY FROM');
  return copyIn(ctx, stmt);
}

/** COPY TO's rows: its query's, or (a statement that writes, run as it would be alone: its transaction, its retries) its RETURNING rows */
async function copiedRows(ctx: SessionContext, stmt: Extract<BoundCopy, { direction: 'to' }>): Promise<{ rows: Row[]; slice: TimeSlice }> {
  if (stmt.dml) {
    const written = await runDmlStatement(ctx, stmt.dml, [], []);
    return { rows: written.kind === 'rows' ? [...written.rows] : [], slice: new TimeSlice() };
  }
  const rc = ctx.runContext(ctx.tx.txn);
  const env = ctx.execEnv([], rc);
  return { rows: await drainAll(runPlan(stmt.plan, rc, env), env.checkCancel, rc.slice), slice: rc.slice ?? new TimeSlice() };
}

async function copyOut(ctx: SessionContext, stmt: Extract<BoundCopy, { direction: 'to' }>): Promise<ExecResult> {
  const { plan, options } = stmt;
  const { rows, slice } = await copiedRows(ctx, stmt);
  const schema = stmt.dml?.returning?.schema ?? plan.schema;
  const types = schema.map((c) => c.type);
  const settings = { timezone: ctx.settings.get('timezone') };
  const chunks = copyOutHead(schema.map((c) => c.name), options);
  // formatted a batch at a time, yielding between time slices: a big table's COPY TO
  // neither stalls other sessions nor ignores a cancel
  for (let i = 0; i < rows.length; i += COPY_OUT_BATCH) {
    for (const c of formatCopyBody(rows.slice(i, i + COPY_OUT_BATCH), types, options, settings)) chunks.push(c);
    await turnIfDue(slice, () => ctx.checkCancelled());
  }
  chunks.push(...copyOutTail(options));
  return { kind: 'copyOut', format: options.format === 'binary' ? 'binary' : 'text', columnCount: schema.length, chunks: joinBinaryHead(chunks, options), tag: `COPY ${rows.length}` };
}

const COPY_OUT_BATCH = 1024;
const COPY_IN_BATCH = 4096;

type CopyFrom = Extract<BoundCopy, { direction: 'from' }>;

function copyIn(ctx: SessionContext, stmt: CopyFrom): ExecResult {
  const target = { table: stmt.table, columns: stmt.columns };
  const defaults = stmt.defaults.map((d) => ({ column: d.column, expr: compileExpr(d.expr) }));
  // rows are parsed as they arrive: the raw input is never held whole
  const stream = stmt.options.format === 'binary' ? new BinaryCopyStream(target)
    : stmt.options.format === 'text' ? new TextCopyStream(target, stmt.options) : new CsvCopyStream(target, stmt.options);
  const interrupted = ctx.control.signal();
  // parsed a time slice at a time: a payload (or the many a busy socket delivers at once)
  // is not one long piece that other sessions wait out; while a payload's parse takes its
  // turns the connection reads no more messages, so the socket is paused once its input
  // buffer fills up
  const slice = new TimeSlice();
  const due = (): boolean => slice.due();
  const parseRest = async (): Promise<void> => {
    do {
      // a cancel or timeout is answered through `interrupted`, by the connection
      await turnIfDue(slice, () => {});
    } while (!interrupted.aborted && stream.resume(due));
  };
  // the rows are checked and inserted a batch at a time while the client still sends (as
  // PostgreSQL inserts as it reads): after the last CopyData only the last batch and the
  // commit are left
  const inserts = new CopyInserts(ctx, stmt, defaults);
  const insertParsed = (): Promise<void> | undefined => (inserts.batchReady(stream.parsed) && !interrupted.aborted ? inserts.insertBatches(stream.parsed, false) : undefined);
  return {
    kind: 'copyIn',
    format: stmt.options.format === 'binary' ? 'binary' : 'text',
    columnCount: target.columns.length,
    accept: (chunk) => (stream.push(chunk, due) ? parseRest().then(insertParsed) : insertParsed()),
    interrupted,
    // (a batch's turn may have met the cancel or timeout first: its error says which)
    interruption: () => inserts.cancellation() ?? statementInterruption(ctx),
    finish: async (data) => {
      if (data instanceof SqlError) {
        inserts.abandon();
        throw data;
      }
      try {
        ctx.checkCancelled();
        // an error of a batch inserted while the data came (an earlier row) comes before
        // any later row's parse error
        inserts.throwFailure();
        const values = stream.end();
        await inserts.insertBatches(values, true);
        inserts.throwFailure();
        await inserts.commit();
        return { tag: `COPY ${values.length}` };
      } catch (e) {
        inserts.abandon();
        throw e;
      }
    },
  };
}

/**
 * The checks and inserts of a COPY FROM, a batch of COPY_IN_BATCH rows at a time in row
 * order, and its commit: all rows or (on any error) none. Started on the first batch (the
 * implicit transaction begins then); an error is kept (reported by the finish) and the
 * writes so far are undone at once.
 */
class CopyInserts {
  private next = 0;
  private started: { txn: Transaction; implicit: boolean; mark: number; rc: RunContext; env: ReturnType<SessionContext['execEnv']> } | undefined;
  private failure: unknown;
  private failed = false;
  private ended = false;
  private readonly asParsed: boolean;
  private readonly check: ReturnType<typeof checkRunner>;
  private readonly hasKeys: boolean;
  /** the given columns of a domain and their checkers (domain_in: a failure names the column and the value) */
  private readonly domains: readonly { column: number; check: ReturnType<typeof domainChecker> }[];

  constructor(private readonly ctx: SessionContext, private readonly stmt: CopyFrom, private readonly defaults: readonly { column: number; expr: ReturnType<typeof compileExpr> }[]) {
    const { table } = stmt;
    // every column given in table order and nothing to compute: the parsed row is the row
    this.asParsed = defaults.length === 0 && stmt.columns.length === table.columns.length && stmt.columns.every((c, i) => c === i);
    this.check = checkRunner(table, stmt.checks);
    this.domains = stmt.domains.map((d) => ({ column: d.column, check: domainChecker(d.constraints) }));
    this.hasKeys = table.constraints.some((c) => c.type === 'f');
  }

  private checkDomains(row: Row, line: number, env: ExecEnv): void {
    for (const d of this.domains) {
      const v = row[d.column] ?? null;
      try {
        d.check(v, env);
      } catch (err) {
        const col = this.stmt.table.columns[d.column]!;
        const e = contextError(err, this.stmt.table, line, col.name, v === null ? undefined : formatText(col.type, v));
        // a NULL field reads `column b: null input`, as PostgreSQL's CopyFromErrorCallback
        throw v === null ? new SqlError(e.code, e.message, { ...e.fields, where: `${e.fields.where}: null input` }) : e;
      }
    }
  }

  /** whether a whole batch of parsed rows waits to be inserted */
  batchReady(values: ParsedCopy): boolean {
    return !this.failed && values.length - this.next >= COPY_IN_BATCH;
  }

  private begin(): NonNullable<CopyInserts['started']> {
    if (this.started) return this.started;
    const { ctx } = this;
    const implicit = ctx.tx.idle;
    const txn = implicit ? ctx.engine.storage.begin() : ctx.tx.txn!;
    const rc = ctx.runContext(txn);
    this.started = { txn, implicit, mark: txn.mark(), rc, env: ctx.execEnv([], rc) };
    return this.started;
  }

  /** Checks and inserts the parsed rows not inserted yet: whole batches, or all of them when `all`. */
  async insertBatches(values: ParsedCopy, all: boolean): Promise<void> {
    if (this.failed) return;
    if (this.next >= values.length && !all) return;
    const { ctx, stmt, defaults } = this;
    const { table } = stmt;
    const { txn, rc, env } = this.begin();
    const width = table.columns.length;
    const columns = stmt.columns;
    const asParsed = this.asParsed;
    const rowOf = (v: Value[]): Row => {
      if (asParsed) return v;
      const row: Value[] = new Array(width).fill(null);
      for (let i = 0; i < columns.length; i++) row[columns[i]] = v[i];
      for (const d of defaults) row[d.column] = d.expr(row, env);
      return row;
    };
    const lines = values.lines;
    const slice = rc.slice ?? new TimeSlice();
    const between = () => turnIfDue(slice, () => ctx.checkCancelled());
    try {
      // checked and inserted a batch at a time, in row order like PostgreSQL, yielding between
      // time slices: a million-row COPY neither stalls other sessions nor ignores a cancel.
      // Within a batch every row's CHECK and foreign keys come first, then its NOT NULL checks,
      // then its inserts (where a unique key is checked): each step goes a piece at a time
      // between time slices, in that order, so the batch's first error is the same as when it
      // was one piece (4,096 rows into a keyed table were one 20-50 ms piece)
      while (all ? this.next < values.length : values.length - this.next >= COPY_IN_BATCH) {
        const at = this.next;
        const part: Row[] = [];
        for (let j = at; j < Math.min(values.length, at + COPY_IN_BATCH); j++) {
          part.push(rowOf(values[j]!));
          // a default or generated column may cost more than the slice for a few hundred rows
          if (defaults.length > 0 && slice.due()) await between();
        }
        for (let j = 0; j < part.length; j++) {
          this.checkDomains(part[j]!, at + j + 1, env);
          try {
            this.check(part[j], env);
            if (this.hasKeys) checkOutgoing(rc, txn, table, part[j]);
          } catch (err) { throw withLineText(contextError(err, table, at + j + 1), lines?.[at + j]); }
          if ((j & 255) === 255) await between();
        }
        await insertRowsRoutedInPieces(rc, txn, table, part, (j, err) => {
          const e = contextError(err, table, at + j + 1);
          // constraint errors show the row's text; key conflicts (found in the index) do not
          return e.code === SqlState.uniqueViolation ? e : withLineText(e, lines?.[at + j]);
        }, between, async (lock) => {
          // (a key a prepared transaction inserted: PostgreSQL's COPY waits for it too)
          ctx.activity.waitingForLock(true);
          try {
            await ctx.control.waitForLock(lock, settingMillis(ctx.settings.get('lock_timeout')));
          } finally {
            ctx.activity.waitingForLock(false);
          }
        });
        this.next = at + part.length;
        await between();
      }
    } catch (e) {
      this.failure = ctx.translateStorageError(e);
      this.failed = true;
      this.abandon();
    }
  }

  /** The 57014 a batch stopped on, if it did. */
  cancellation(): SqlError | undefined {
    return this.failure instanceof SqlError && this.failure.code === SqlState.queryCanceled ? this.failure : undefined;
  }

  /** Throws the error a batch met, if any. */
  throwFailure(): void {
    if (this.failed) throw this.failure;
  }

  /** Commits an implicit transaction (the rows are all inserted). */
  async commit(): Promise<void> {
    const { ctx } = this;
    // the last moment a cancel (arrived while the rows were checked) still undoes the COPY
    ctx.checkCancelled();
    const started = this.started;
    if (!started?.implicit) {
      this.ended = true;
      return;
    }
    try {
      await ctx.awaitSequenceLogs();
      await started.txn.commit();
      this.ended = true;
    } catch (e) {
      throw ctx.translateStorageError(e);
    }
  }

  /** Undoes the writes so far (once): the implicit transaction rolls back, an explicit one to where the COPY began. */
  abandon(): void {
    if (this.ended) return;
    this.ended = true;
    const started = this.started;
    if (!started) return;
    if (started.implicit) started.txn.rollback();
    else started.txn.rollbackTo(started.mark);
  }
}

/** The error a cancelled or timed-out statement ends with (57014). */
function statementInterruption(ctx: SessionContext): SqlError {
  try {
    ctx.checkCancelled();
  } catch (e) {
    if (e instanceof SqlError) return e;
  }
  return new SqlError(SqlState.queryCanceled, 'canceling statement due to user request');
}

