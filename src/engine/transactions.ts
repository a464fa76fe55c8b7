/**
 * The session's transaction state machine: idle (each statement commits on its own), in a
 * block (BEGIN … COMMIT), or failed (an error in the block: only COMMIT / ROLLBACK are
 * accepted). Also savepoints, READ ONLY, and the snapshot of REPEATABLE READ.
 */
import { SqlError, SqlState } from '../errors.js';
import type { Snapshot, Storage, Transaction } from '../storage/api.js';
import type { BoundStatement, TransactionOptions } from '../sql/statement.js';
import type { SessionContext } from './context.js';
import type { SessionSettings } from './session-settings.js';
import type { ExportedSnapshots } from './snapshots.js';
import type { DdlMark } from './ddl-dispatch.js';
import { finishPrepared, prepareTransaction } from './two-phase.js';
import { syncIsSuperuser } from './session-roles.js';
import { nowMicros } from '../types/datetime.js';

export type TxState = 'idle' | 'block' | 'failed';

export class Transactions {
  state: TxState = 'idle';
  /** the block's storage transaction (undefined when idle) */
  txn: Transaction | undefined;
  /** when the block began (µs since epoch): transaction_timestamp() */
  start = 0;
  readOnly = false;
  /** a hot standby's session (cluster mode): every transaction is read-only, as in PostgreSQL's hot standby */
  hotStandby = false;
  savepoints: { name: string; mark: number; notifyMark: ReturnType<SessionContext['notifications']['mark']>; cursorMark: number; settingsLevel: number; ddlMark: DdlMark }[] = [];
  /**
   * A simple Query of several statements is running: PostgreSQL runs it in an implicit
   * transaction block, where DECLARE CURSOR is allowed (its cursor closes with the Query).
   */
  implicitBlock = false;
  /**
   * Statements until the next Sync share one implicit transaction (PostgreSQL's
   * exec_simple_query / exec_execute_message): 'query' for a simple Query of several
   * statements (an implicit transaction *block*), 'pipeline' for extended-protocol Executes
   * (one transaction, not a block: DECLARE, SET LOCAL, VACUUM see no block). Undefined: a
   * statement commits on its own.
   */
  implicitMode: 'query' | 'pipeline' | undefined;
  /** the open block is that implicit transaction (begun by a statement, committed at Sync) */
  implicit: 'query' | 'pipeline' | undefined;
  /** REPEATABLE READ / SERIALIZABLE: the transaction's one snapshot, taken at its first statement */
  snapshot: { snapshot: Snapshot; release: () => void } | undefined;
  /** the snapshot at the shard router's read timestamp for the statement running now (commit-clock.ts) */
  timestampSnapshot: Snapshot | undefined;
  /** names this transaction gave its snapshot (pg_export_snapshot): forgotten when it ends */
  exported: string[] = [];
  /** the block used a temporary table (PostgreSQL's XACT_FLAGS_ACCESSEDTEMPNAMESPACE: PREPARE TRANSACTION refuses it) */
  accessedTemp = false;

  get idle(): boolean {
    return this.state === 'idle';
  }

  /** PostgreSQL's IsTransactionBlock: BEGIN … COMMIT, or the implicit block of a multi-statement Query */
  get inBlock(): boolean {
    return this.state !== 'idle' && this.implicit !== 'pipeline';
  }

  /** 'I' idle, 'T' in a block, 'E' in a failed block (ReadyForQuery) */
  status(): 'I' | 'T' | 'E' {
    return this.state === 'idle' ? 'I' : this.state === 'block' ? 'T' : 'E';
  }

  /** An error in a transaction block fails the block. */
  abort(): void {
    if (this.state === 'block') this.state = 'failed';
  }

  /**
   * A statement of the block took a snapshot (PostgreSQL's FirstSnapshotSet): SET, SHOW and
   * the like do not, and a block may turn read-write only before one did.
   */
  snapshotTaken = false;

  /** PostgreSQL's check_transaction_read_only: may the transaction turn read-write now? */
  checkReadWrite(): void {
    if (!this.hotStandby && (this.state === 'idle' || !this.readOnly)) return;
    if (this.state !== 'idle' && this.savepoints.length > 0) throw new SqlError(SqlState.activeSqlTransaction, 'cannot set transaction read-write mode inside a read-only transaction');
    if (this.state !== 'idle' && this.snapshotTaken) throw new SqlError(SqlState.activeSqlTransaction, 'transaction read-write mode must be set before any query');
    if (this.hotStandby) throw new SqlError(SqlState.featureNotSupported, 'cannot set transaction read-write mode during recovery');
  }

  /** default_transaction_read_only: what a transaction begins as (the session sets it) */
  defaultReadOnly: () => boolean = () => false;

  /** Is the statement's transaction read-only? Outside a block each statement's own follows the default, as on PostgreSQL. */
  get effectiveReadOnly(): boolean {
    return this.hotStandby || (this.state === 'idle' ? this.defaultReadOnly() : this.readOnly);
  }

  checkWritable(what: string): void {
    if (this.effectiveReadOnly) {
      throw new SqlError('25006', `cannot execute ${what} in a read-only transaction`);
    }
  }

  /** READ COMMITTED: a snapshot per statement; REPEATABLE READ and above: one per transaction. */
  statementSnapshot(storage: Storage, settings: SessionSettings): Snapshot {
    const iso = settings.get('transaction_isolation') ?? 'read committed';
    const at = this.timestampSnapshot;
    if (this.state === 'idle' || iso === 'read committed' || iso === 'read uncommitted') return at ?? storage.snapshot();
    if (!this.snapshot) {
      const snapshot = at ?? storage.snapshot();
      this.snapshot = { snapshot, release: storage.retain(snapshot) };
    }
    return this.snapshot.snapshot;
  }

  /** SET TRANSACTION SNAPSHOT: this block reads at another transaction's exported snapshot */
  importSnapshot(storage: Storage, settings: SessionSettings, exported: ExportedSnapshots, id: string): void {
    if (this.state === 'idle') throw new SqlError(SqlState.noActiveSqlTransaction, 'SET TRANSACTION can only be used in transaction blocks');
    const iso = settings.get('transaction_isolation') ?? 'read committed';
    if (iso !== 'repeatable read' && iso !== 'serializable') {
      throw new SqlError(SqlState.featureNotSupported, 'a snapshot-importing transaction must have isolation level SERIALIZABLE or REPEATABLE READ');
    }
    if (this.snapshot) throw new SqlError(SqlState.activeSqlTransaction, 'SET TRANSACTION SNAPSHOT must be called before any query');
    this.snapshot = exported.import(storage, id);
  }

  /** BEGIN / SET TRANSACTION options */
  applyOptions(options: TransactionOptions, settings: SessionSettings): void {
    if (options.readOnly === false) this.checkReadWrite();
    if (options.readOnly !== undefined) this.readOnly = options.readOnly;
    // as SET LOCAL: a ROLLBACK TO undoes them (the mode comes back in syncAfterSettingsRestore)
    if (options.isolation !== undefined) settings.setRawLocal('transaction_isolation', options.isolation);
    settings.setRawLocal('transaction_read_only', this.readOnly ? 'on' : 'off');
  }
}

type BoundTransaction = Extract<BoundStatement, { kind: 'transaction' }>;

/** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO: returns the command tag. */
export async function runTransactionStatement(ctx: SessionContext, stmt: BoundTransaction): Promise<string> {
  switch (stmt.action) {
    case 'begin':
    case 'start':
      return begin(ctx, stmt);
    case 'commit':
      return commit(ctx);
    case 'rollback':
      if (ctx.tx.idle) {
        ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
        if (ctx.tx.implicitBlock) ctx.cursors.closeImplicit();
        return 'ROLLBACK';
      }
      if (ctx.tx.implicit) {
        // ROLLBACK without BEGIN undoes the implicit transaction's statements (UserAbortTransactionBlock)
        ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
        ctx.tx.implicit = undefined;
      }
      await rollback(ctx);
      return 'ROLLBACK';
    case 'savepoint':
      if (ctx.tx.idle || ctx.tx.implicit) throw new SqlError(SqlState.noActiveSqlTransaction, 'SAVEPOINT can only be used in transaction blocks');
      ctx.tx.savepoints.push({
        name: stmt.savepoint, mark: ctx.tx.txn!.mark(), notifyMark: ctx.notifications.mark(), cursorMark: ctx.cursors.mark(),
        settingsLevel: ctx.settings.beginSavepoint(), ddlMark: ctx.ddl.mark(),
      });
      return 'SAVEPOINT';
    case 'release':
    case 'rollbackTo':
      return toSavepoint(ctx, stmt);
    case 'prepare':
      return prepare(ctx, stmt.gid);
    case 'commitPrepared':
    case 'rollbackPrepared':
      await finishPrepared(ctx, stmt.gid, stmt.action === 'commitPrepared');
      return stmt.tag;
    case 'unsupported':
      throw new SqlError(SqlState.featureNotSupported, `${stmt.what} is not supported`);
  }
}

function begin(ctx: SessionContext, stmt: BoundTransaction): string {
  const { tx, settings } = ctx;
  if (tx.implicit) {
    // the implicit transaction goes on as the block BEGIN opens (PostgreSQL's TBLOCK_IMPLICIT_INPROGRESS / TBLOCK_STARTED → TBLOCK_BEGIN)
    tx.implicit = undefined;
    if (tx.hotStandby && stmt.options.readOnly === false) throw new SqlError(SqlState.featureNotSupported, 'cannot set transaction read-write mode during recovery');
    tx.applyOptions(stmt.options, settings);
    return stmt.tag;
  }
  if (!tx.idle) {
    ctx.notices.push({ severity: 'WARNING', code: SqlState.activeSqlTransaction, message: 'there is already a transaction in progress' });
    return 'BEGIN';
  }
  // refused before the block begins, as PostgreSQL's hot standby does
  if (tx.hotStandby && stmt.options.readOnly === false) throw new SqlError(SqlState.featureNotSupported, 'cannot set transaction read-write mode during recovery');
  openBlock(ctx);
  tx.applyOptions(stmt.options, settings);
  return stmt.tag;
}

function openBlock(ctx: SessionContext): void {
  const { tx, settings } = ctx;
  tx.txn = ctx.engine.storage.begin();
  tx.start = nowMicros();
  tx.state = 'block';
  tx.snapshotTaken = false;
  tx.readOnly = tx.hotStandby || tx.defaultReadOnly();
  settings.beginTransaction();
  settings.setRaw('transaction_isolation', settings.get('default_transaction_isolation') ?? 'read committed');
  settings.setRaw('transaction_read_only', tx.readOnly ? 'on' : 'off');
}

/** A statement of a multi-statement Query or of a pipeline starts the implicit transaction its Sync ends. */
export function beginImplicit(ctx: SessionContext, mode: 'query' | 'pipeline'): void {
  openBlock(ctx);
  ctx.tx.implicit = mode;
}

/**
 * Sync, or the end of a multi-statement Query: the implicit transaction commits, or rolls
 * back when one of its statements failed. Returns whether it committed.
 */
export async function endImplicit(ctx: SessionContext): Promise<boolean> {
  if (!ctx.tx.implicit) return false;
  ctx.tx.implicit = undefined;
  if (ctx.tx.state === 'failed') {
    await rollback(ctx);
    return false;
  }
  if (endWithoutWrites(ctx)) return true;
  await ctx.awaitSequenceLogs();
  await commitBlock(ctx);
  return true;
}

/**
 * An implicit transaction that wrote nothing (a pipeline of reads) ends without a storage
 * commit, synchronously: that is all its commit would do. False (nothing done) otherwise.
 */
export function endWithoutWrites(ctx: SessionContext): boolean {
  const { tx } = ctx;
  if (!tx.implicit || tx.state !== 'block' || tx.txn!.hasWrites || ctx.ddl.changesCatalog || ctx.hasPendingSequenceLogs()) return false;
  tx.txn!.rollback();
  endTransaction(ctx, true);
  return true;
}

async function commit(ctx: SessionContext): Promise<string> {
  const { tx } = ctx;
  if (tx.idle) {
    ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
    // in a multi-statement Query it ends the implicit block, and with it the block's cursors
    if (tx.implicitBlock) ctx.cursors.closeImplicit();
    return 'COMMIT';
  }
  if (tx.state === 'failed') {
    await rollback(ctx);
    return 'ROLLBACK';
  }
  if (tx.implicit) {
    // COMMIT without BEGIN commits the implicit transaction (PostgreSQL's EndTransactionBlock)
    ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
    tx.implicit = undefined;
  }
  await commitBlock(ctx);
  return 'COMMIT';
}

async function commitBlock(ctx: SessionContext): Promise<void> {
  const txn = ctx.tx.txn!;
  let ok = false;
  // the block's DDL (and role changes) go into the log with its rows, in one write
  const catalog = ctx.ddl.changesCatalog ? () => ctx.engine.catalogImage(ctx.ddl) : undefined;
  try {
    await ctx.awaitSequenceLogs();
    await txn.commit(catalog ? { catalog } : undefined);
    ok = true;
  } finally {
    endTransaction(ctx, ok);
    await ctx.ddl.finish(ctx, ok, ok && catalog !== undefined);
  }
}

/** PREPARE TRANSACTION: like COMMIT, outside a block a warning and a failed block a rollback (EndTransactionBlock) */
async function prepare(ctx: SessionContext, gid: string): Promise<string> {
  const { tx } = ctx;
  if (tx.hotStandby) throw new SqlError('25006', 'cannot execute PREPARE TRANSACTION during recovery');
  if (tx.idle) {
    ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
    return 'ROLLBACK';
  }
  if (tx.state === 'failed') {
    await rollback(ctx);
    return 'ROLLBACK';
  }
  if (tx.implicit) {
    // EndTransactionBlock's warning; the implicit transaction is what gets prepared
    ctx.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
    tx.implicit = undefined;
  }
  await prepareTransaction(ctx, gid, async (ended) => {
    endTransaction(ctx, ended);
    await ctx.ddl.finish(ctx, ended);
  });
  return 'PREPARE TRANSACTION';
}

async function rollback(ctx: SessionContext): Promise<void> {
  ctx.tx.txn?.rollback();
  endTransaction(ctx, false);
  await ctx.ddl.finish(ctx, false);
}

/** RELEASE [SAVEPOINT] name / ROLLBACK TO [SAVEPOINT] name */
async function toSavepoint(ctx: SessionContext, stmt: BoundTransaction): Promise<string> {
  const { tx } = ctx;
  const what = stmt.action === 'release' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
  if (tx.idle || tx.implicit) throw new SqlError(SqlState.noActiveSqlTransaction, `${what} can only be used in transaction blocks`);
  const name = stmt.savepoint;
  let i = tx.savepoints.length - 1;
  while (i >= 0 && tx.savepoints[i].name !== name) i--;
  if (i < 0) throw new SqlError('3B001', `savepoint "${name}" does not exist`);
  const savepoint = tx.savepoints[i];
  if (stmt.action === 'release') {
    ctx.settings.endSavepoints(savepoint.settingsLevel, true);
    ctx.ddl.forgetMarks(tx.savepoints.slice(i).map((s) => s.ddlMark));
    tx.savepoints.length = i;
    return 'RELEASE';
  }
  tx.txn!.rollbackTo(savepoint.mark);
  // the DDL after the savepoint (its rows are gone already: tables it created are dropped)
  ctx.ddl.forgetMarks(tx.savepoints.slice(i + 1).map((s) => s.ddlMark));
  await ctx.ddl.rollbackTo(ctx, savepoint.ddlMark);
  ctx.notifications.rollbackTo(savepoint.notifyMark);
  ctx.cursors.rollbackTo(savepoint.cursorMark);
  // the savepoint's settings are undone, and it begins again at the same level
  ctx.settings.endSavepoints(savepoint.settingsLevel, false);
  ctx.settings.beginSavepoint();
  syncAfterSettingsRestore(ctx);
  tx.savepoints.length = i + 1;
  tx.state = 'block';
  return 'ROLLBACK';
}

/** Settings put back by a rollback: the session state that follows them (the block's mode, is_superuser of the role) */
function syncAfterSettingsRestore(ctx: SessionContext): void {
  if (!ctx.tx.idle && !ctx.tx.hotStandby) ctx.tx.readOnly = ctx.settings.get('transaction_read_only') === 'on';
  syncIsSuperuser(ctx.engine, ctx.settings);
}

/** The block ended (committed or not): cursors, settings and the snapshot follow it. */
export function endTransaction(ctx: SessionContext, committed: boolean): void {
  const { tx } = ctx;
  ctx.cursors.closeAtEnd(committed);
  // a committed block's LISTEN/NOTIFY go out when its statement ends (Session.statementEnded)
  if (!committed) ctx.notifications.discard();
  tx.savepoints = [];
  tx.snapshot?.release();
  tx.snapshot = undefined;
  ctx.engine.exportedSnapshots.forget(tx.exported);
  tx.exported = [];
  tx.accessedTemp = false;
  tx.txn = undefined;
  tx.state = 'idle';
  tx.implicit = undefined;
  tx.readOnly = false;
  tx.snapshotTaken = false;
  ctx.settings.endTransaction(committed, tx.effectiveReadOnly);
  syncAfterSettingsRestore(ctx);
}
