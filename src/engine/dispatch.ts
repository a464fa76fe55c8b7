/**
 * Statement dispatch: the one place where a statement's execution starts and ends. Each
 * bound statement kind goes to the module that runs it; the switch is exhaustive, so a new
 * kind does not compile until it is handled here.
 */
import { SqlError, SqlState } from '../errors.js';
import { runPlan } from '../executor/operators.js';
import { batchStream, type Batch, type BatchStream } from '../executor/suspend.js';
import { assertNever, explainOf } from '../sql/statement.js';
import type { Value } from '../types/types.js';
import type { ExecResult, RowStream } from '../wire/backend.js';
import type { SessionContext } from './context.js';
import { runCopy } from './copy-statement.js';
import { runDdlStatement } from './ddl-dispatch.js';
import { runRoleStatement } from './role-statements.js';
import { checkTableAccess } from './table-access.js';
import { runDmlStatement } from './dml-statement.js';
import { runExplain } from './explain-statement.js';
import { customPlanOf, inFailedTransaction, rebindIfStale, wantsCustomPlan, type QuiverStatement } from './prepare.js';
import { executeParams, runPrepare } from './sql-prepared.js';
import { beginImplicit, runTransactionStatement } from './transactions.js';
import { runDiscard, runSet, runShow, runVacuum } from './utility.js';
import { runOnCommitActions } from './temp-on-commit.js';

/**
 * Run one prepared statement: an error fails the open transaction block. A streamed
 * SELECT goes on while the client reads its rows; it ends with its stream. A statement
 * that needs no turn of the event loop (a SELECT whose first batch comes at once, with no
 * sequence record or ON COMMIT action to wait for) is answered without a promise.
 */
export function runStatement(ctx: SessionContext, prepared: QuiverStatement, params: readonly Value[]): ExecResult | Promise<ExecResult> {
  ctx.statementStarted(prepared.text.trim());
  let result: ExecResult | Promise<ExecResult>;
  try {
    result = runToResult(ctx, prepared, params);
  } catch (e) {
    ctx.statementEnded();
    throw e;
  }
  if (!(result instanceof Promise)) return statementResult(ctx, result);
  return result.then((r) => statementResult(ctx, r), (e: unknown) => {
    ctx.statementEnded();
    throw e;
  });
}

/** The statement's result as the client gets it: it ends now, or with its row stream or COPY data. */
function statementResult(ctx: SessionContext, result: ExecResult): ExecResult {
  if (result.kind === 'rows' && result.more) {
    result.more = statementStream(ctx, result.more);
    return result;
  }
  if (result.kind === 'copyIn') return statementCopyIn(ctx, result);
  ctx.statementEnded();
  return result;
}

function runToResult(ctx: SessionContext, prepared: QuiverStatement, params: readonly Value[]): ExecResult | Promise<ExecResult> {
  const bound = prepared.bound;
  if (bound.kind === 'empty') return { kind: 'command', tag: '' };
  if (ctx.tx.state === 'failed' && !(bound.kind === 'transaction' && bound.endsBlock)) throw inFailedTransaction();
  // a multi-statement Query or a pipeline: the statement joins the implicit transaction that Sync ends
  if (ctx.tx.idle && ctx.tx.implicitMode && joinsImplicit(bound, ctx.tx.implicitMode)) beginImplicit(ctx, ctx.tx.implicitMode);
  // outside a block the statement is a transaction of its own: read-only as the default says (PostgreSQL's StartTransaction)
  else if (ctx.tx.idle) {
    ctx.settings.setRaw('transaction_read_only', ctx.tx.effectiveReadOnly ? 'on' : 'off');
    ctx.settings.beginTransaction();
  }
  // a hot standby catches up as far as quiver.consistency asks before the snapshot (and
  // before the statement is bound again: a table the leader just created is known then)
  // (a sharded cluster's shard leader: the snapshot at the router's read timestamp, commit-clock.ts)
  if ((ctx.engine.standby || ctx.engine.commitClock) && !NO_SNAPSHOT.has(bound.kind)) return consistentThenRun(ctx, prepared, params);
  return runBound(ctx, prepared, params);
}

async function consistentThenRun(ctx: SessionContext, prepared: QuiverStatement, params: readonly Value[]): Promise<ExecResult> {
  try {
    await ctx.awaitConsistency();
  } catch (e) {
    throw statementFailed(ctx, e);
  }
  return runBound(ctx, prepared, params);
}

function runBound(ctx: SessionContext, prepared: QuiverStatement, params: readonly Value[]): ExecResult | Promise<ExecResult> {
  const stmt = rebindIfStale(ctx, prepared);
  if (!ctx.tx.idle && !NO_SNAPSHOT.has(stmt.bound.kind)) ctx.tx.snapshotTaken = true;
  try {
    // after another Execute of the pipeline (PostgreSQL's XACT_FLAGS_PIPELINING)
    const alone = ctx.tx.implicit === 'pipeline' ? runsAlone(stmt.bound) : undefined;
    if (alone) throw new SqlError(SqlState.activeSqlTransaction, `${alone} cannot be executed within a pipeline`);
    checkTableAccess(ctx, stmt.access ?? []);
    ctx.holdRelations(stmt.access ?? []);
    const result = stmt.bound.kind === 'select' ? runSelect(ctx, stmt, params) : run(ctx, stmt, params);
    if (result instanceof Promise) return finishLater(ctx, stmt, result);
    const done = afterRun(ctx, stmt, result);
    return done instanceof Promise ? done.catch((e: unknown) => { throw statementFailed(ctx, e); }) : done;
  } catch (e) {
    throw statementFailed(ctx, e);
  }
}

async function finishLater(ctx: SessionContext, stmt: QuiverStatement, pending: Promise<ExecResult>): Promise<ExecResult> {
  try {
    return await afterRun(ctx, stmt, await pending);
  } catch (e) {
    throw statementFailed(ctx, e);
  }
}

/**
 * After the statement ran: its sequence values are durable before it is acknowledged, and
 * its transaction's ON COMMIT actions run if it committed (COPY FROM STDIN's commits when
 * its data is in). Without either to wait for, the result at once.
 */
function afterRun(ctx: SessionContext, stmt: QuiverStatement, result: ExecResult): ExecResult | Promise<ExecResult> {
  const logs = ctx.awaitSequenceLogs();
  // only a session with temporary tables has ON COMMIT actions
  const onCommit = result.kind !== 'copyIn' && ctx.temp.name !== undefined;
  if (!logs && !onCommit) return result;
  return (async () => {
    if (logs) await logs;
    if (onCommit && committed(ctx, stmt, result)) await runOnCommitActions(ctx);
    return result;
  })();
}

/** A SELECT: rows stream to the client batch by batch as the plan produces them. */
function runSelect(ctx: SessionContext, stmt: QuiverStatement, params: readonly Value[]): ExecResult | Promise<ExecResult> {
  const bound = stmt.bound as Extract<QuiverStatement['bound'], { kind: 'select' }>;
  const rc = ctx.runContext(ctx.tx.txn, undefined, stmt.access?.length === 0);
  const env = ctx.execEnv(params, rc);
  const stream = batchStream(runPlan(bound.plan, rc, env), env.checkCancel, rc.slice);
  const first = stream.nextNow();
  if (first === undefined) return stream.next().then((batch) => selectResult(stmt, stream, batch));
  return selectResult(stmt, stream, first);
}

function selectResult(stmt: QuiverStatement, stream: BatchStream, first: Batch | null): ExecResult {
  if (first === null) return { kind: 'rows', fields: stmt.fields!, rows: [], tag: 'SELECT 0' };
  return { kind: 'rows', fields: stmt.fields!, rows: first, tag: 'SELECT', more: stream };
}

/**
 * Does the statement run in the implicit transaction? Transaction statements act on it
 * themselves; a VACUUM that is the first Execute after a Sync runs and commits alone
 * (PostgreSQL's PreventInTransactionBlock: XACT_FLAGS_NEEDIMMEDIATECOMMIT).
 */
function joinsImplicit(bound: QuiverStatement['bound'], mode: 'query' | 'pipeline'): boolean {
  if (bound.kind === 'transaction') return false;
  return !(mode === 'pipeline' && runsAlone(bound));
}

/** PostgreSQL's PreventInTransactionBlock statements: the name its errors give, else undefined. */
function runsAlone(bound: QuiverStatement['bound']): string | undefined {
  switch (bound.kind) {
    case 'vacuum': return bound.vacuum ? 'VACUUM' : undefined;
    case 'discard': return bound.all ? 'DISCARD ALL' : undefined;
    case 'ddl': {
      const d = bound.stmt;
      if (d.kind === 'createDatabase') return 'CREATE DATABASE';
      if (d.kind === 'dropDatabase') return 'DROP DATABASE';
      if (d.kind === 'createIndex' && d.concurrently) return 'CREATE INDEX CONCURRENTLY';
      if (d.kind === 'reindex' && (d.concurrently || d.target === 'schema' || d.target === 'database' || d.target === 'system')) {
        return `REINDEX ${d.concurrently ? 'CONCURRENTLY' : d.target.toUpperCase()}`;
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** Statement kinds that read no table data: a hot standby runs them without waiting. */
const NO_SNAPSHOT: ReadonlySet<string> = new Set(['set', 'show', 'transaction', 'discard', 'deallocate', 'listen', 'unlisten', 'notify', 'noop', 'lockTable', 'fetch', 'closePortal', 'prepare', 'unsupported']);

/** Did the statement end a transaction that committed: any outside a block, COMMIT of a block that had not failed. */
function committed(ctx: SessionContext, stmt: QuiverStatement, result: ExecResult): boolean {
  if (!ctx.tx.idle) return false;
  return stmt.bound.kind !== 'transaction' || (stmt.bound.action === 'commit' && result.kind === 'command' && result.tag === 'COMMIT');
}

/** A statement failed: the error as the client sees it; a transaction block is now failed. */
function statementFailed(ctx: SessionContext, e: unknown): Error {
  const err = ctx.translateStorageError(e);
  // outside a block the statement was its own transaction: its NOTIFYs are not sent, its SETs undone
  if (ctx.tx.idle) {
    ctx.notifications.discard();
    ctx.settings.endStatement(false, ctx.tx.effectiveReadOnly);
  }
  ctx.tx.abort();
  return err;
}

/**
 * COPY FROM STDIN goes on while the client sends its data: the statement (its cancel,
 * statement_timeout, pg_stat_activity's 'active') ends when the data is in, and a failure
 * fails the transaction block like any statement's.
 */
function statementCopyIn(ctx: SessionContext, inner: Extract<ExecResult, { kind: 'copyIn' }>): ExecResult {
  return {
    ...inner,
    finish: async (data) => {
      try {
        const done = await inner.finish(data);
        await runOnCommitActions(ctx);
        return done;
      } catch (e) {
        throw statementFailed(ctx, e);
      } finally {
        ctx.statementEnded();
      }
    },
  };
}

/** The rest of a streamed SELECT: the statement ends (idle, pins released) with the stream. */
function statementStream(ctx: SessionContext, inner: RowStream): RowStream {
  let open = true;
  const end = (): void => {
    if (!open) return;
    open = false;
    ctx.statementEnded();
  };
  /** rows nextNow() took whose sequence values were not yet durable: next() hands them on once they are */
  let held: { rows: Value[][] | null; logs: Promise<void> } | undefined;
  return {
    nextNow: inner.nextNow && (() => {
      if (!open) return null;
      if (held) return undefined;
      let rows: Value[][] | null | undefined;
      try {
        rows = inner.nextNow!();
        if (rows === undefined) return undefined;
        const logs = ctx.awaitSequenceLogs();
        if (logs) {
          held = { rows, logs };
          return undefined;
        }
      } catch (e) {
        inner.close();
        end();
        throw statementFailed(ctx, e);
      }
      if (rows === null) end();
      return rows;
    }),
    next: async () => {
      if (!open) return null;
      try {
        if (held) {
          const h = held;
          held = undefined;
          await h.logs;
          if (h.rows === null) end();
          return h.rows;
        }
        const rows = await inner.next();
        // sequence values in these rows are durable before the client sees them
        const logs = ctx.awaitSequenceLogs();
        if (logs) await logs;
        if (rows === null) end();
        return rows;
      } catch (e) {
        inner.close();
        end();
        throw statementFailed(ctx, e);
      }
    },
    close: () => {
      inner.close();
      end();
    },
  };
}

async function run(ctx: SessionContext, stmt: QuiverStatement, params: readonly Value[]): Promise<ExecResult> {
  const bound = stmt.bound;
  const command = (tag: string): ExecResult => ({ kind: 'command', tag });
  switch (bound.kind) {
    case 'empty':
      return command('');
    case 'select':
      return runSelect(ctx, stmt, params);
    case 'dml':
      return runDmlStatement(ctx, bound.stmt, stmt.fields, params);
    case 'explain':
      return runExplain(ctx, bound, params);
    case 'explainExecute': {
      // the prepared statement's plan (re-planned when the catalog changed), run with the parameters under ANALYZE
      const target = ctx.sqlPrepared.get(bound.name);
      const values = executeParams(ctx, target, bound.params);
      const t0 = performance.now();
      const generic = rebindIfStale(ctx, target.statement);
      // the plan EXECUTE would run: PostgreSQL's custom plan (the values as constants) while plan_cache_mode wants one
      const statement = (wantsCustomPlan(ctx, target.executions ?? 0) && customPlanOf(ctx, generic, values)) || generic;
      target.executions = (target.executions ?? 0) + 1;
      checkTableAccess(ctx, statement.access ?? []);
      ctx.holdRelations(statement.access ?? []);
      return runExplain(ctx, explainOf(statement.bound, bound.flags, performance.now() - t0), values);
    }
    case 'declare':
      return ctx.cursors.declare(ctx, bound, params);
    case 'fetch':
      return ctx.cursors.fetch(bound);
    case 'closePortal':
      return command(ctx.cursors.close(bound.portal));
    case 'transaction':
      return command(await runTransactionStatement(ctx, bound));
    case 'set':
      runSet(ctx, bound);
      return command(bound.tag);
    case 'show':
      return runShow(ctx, bound.name, stmt.fields!);
    case 'copy':
      return runCopy(ctx, bound);
    case 'vacuum':
      // PostgreSQL's PreventCommandDuringRecovery
      if (ctx.engine.standby) throw new SqlError('25006', `cannot execute ${bound.vacuum ? 'VACUUM' : 'ANALYZE'} during recovery`);
      await runVacuum(ctx, bound);
      return command(bound.tag);
    case 'discard':
      if (bound.all && ctx.tx.inBlock) throw new SqlError(SqlState.activeSqlTransaction, 'DISCARD ALL cannot run inside a transaction block');
      // the temporary objects go like a DROP (undone by a ROLLBACK of the block DISCARD TEMP ran in)
      if ((bound.all || bound.tag === 'DISCARD TEMP') && ctx.temp.name !== undefined) await runDdlStatement(ctx, { kind: 'discardTemp' }, bound.tag, true, stmt.text);
      runDiscard(ctx, bound.all, bound.all || bound.tag === 'DISCARD SEQUENCES');
      return command(bound.tag);
    case 'prepare':
      runPrepare(ctx, bound, stmt.text);
      return command(bound.tag);
    case 'execute': {
      // the prepared statement runs as this statement, with its own command tag
      const target = ctx.sqlPrepared.get(bound.name);
      const values = executeParams(ctx, target, bound.params);
      const statement = rebindIfStale(ctx, target.statement);
      // (runs the generic plan: the answers are the same; the count is plan_cache_mode's)
      target.executions = (target.executions ?? 0) + 1;
      checkTableAccess(ctx, statement.access ?? []);
      ctx.holdRelations(statement.access ?? []);
      return run(ctx, statement, values);
    }
    case 'deallocate':
      ctx.sqlPrepared.remove(bound.name);
      return command(bound.tag);
    case 'listen':
      if (ctx.engine.standby) throw new SqlError('25006', 'cannot execute LISTEN during recovery');
      ctx.notifications.listen(bound.channel);
      return command(bound.tag);
    case 'unlisten':
      ctx.notifications.unlisten(bound.channel);
      return command(bound.tag);
    case 'notify':
      if (ctx.engine.standby) throw new SqlError('25006', 'cannot execute NOTIFY during recovery');
      ctx.notifications.notify(bound.channel, bound.payload);
      return command(bound.tag);
    case 'noop':
      return command(bound.tag);
    case 'lockTable':
      // the lock would end with the statement: PostgreSQL's RequireTransactionBlock calls that a user error
      if (!ctx.tx.inBlock) throw new SqlError(SqlState.noActiveSqlTransaction, 'LOCK TABLE can only be used in transaction blocks');
      for (const rv of bound.relations) {
        if (!ctx.binder([]).lookupTable(rv.schema, rv.name)) throw new SqlError(SqlState.undefinedTable, `relation "${rv.schema ? `${rv.schema}.` : ''}${rv.name}" does not exist`);
      }
      return command(bound.tag);
    case 'unsupported':
      throw new SqlError(SqlState.featureNotSupported, bound.message);
    case 'role':
      await runRoleStatement(ctx, bound.stmt, bound.tag);
      return command(bound.tag);
    case 'ddl':
      return runDdlStatement(ctx, bound.stmt, bound.tag, bound.catalogWrite, stmt.raw!.text, bound.fill, params);
    default:
      return assertNever(bound);
  }
}
