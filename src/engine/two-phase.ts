/**
 * Two-phase commit as PostgreSQL's (xact.c PrepareTransaction, twophase.c): PREPARE
 * TRANSACTION 'gid' ends the session's block with its writes in the log but not visible
 * (storage: prepared-transactions.ts), and any session later finishes it with COMMIT
 * PREPARED 'gid' or ROLLBACK PREPARED 'gid'. max_prepared_transactions (a server setting,
 * postmaster context, PostgreSQL's default 0) bounds how many may be prepared at once;
 * 0 turns the feature off, as in PostgreSQL.
 */
import { SqlError, SqlState } from '../errors.js';
import { PrepareRefused } from '../storage/api.js';
import { isTempSchema } from '../catalog/schemas.js';
import type { SessionContext } from './context.js';

/** The session setting the shard router sets before COMMIT PREPARED: the transaction's commit timestamp on every shard. */
export const COMMIT_TIMESTAMP_SETTING = 'quiver.commit_timestamp';

function parseCommitTimestamp(text: string | undefined): bigint | undefined {
  if (!text) return undefined;
  if (!/^\d{1,20}$/.test(text)) throw new SqlError(SqlState.invalidParameterValue, `invalid value for parameter "${COMMIT_TIMESTAMP_SETTING}": "${text}"`);
  return BigInt(text);
}

/** GIDSIZE: a gid is at most 199 bytes */
const GID_SIZE = 200;

/**
 * PREPARE TRANSACTION inside an open block (the caller handled the idle and failed cases).
 * Refused, the transaction is rolled back and the session is idle, as in PostgreSQL.
 */
export async function prepareTransaction(ctx: SessionContext, gid: string, end: (committed: boolean) => Promise<void>): Promise<void> {
  const txn = ctx.tx.txn!;
  try {
    checkPreparable(ctx, gid);
    await ctx.awaitSequenceLogs();
    // its DDL: the catalog image with it goes into its records, COMMIT PREPARED writes it
    const catalog = ctx.ddl.pending ? ctx.engine.catalogImage(ctx.ddl) : undefined;
    const limit = ctx.engine.maxPreparedTransactions;
    await txn.prepare({ gid, owner: ctx.currentRoleOid(), database: ctx.databaseName, limit, ...(catalog !== undefined ? { catalog } : {}) });
    // a sharded cluster: registered before the router hears of it, until COMMIT / ROLLBACK PREPARED (commit-clock.ts)
    ctx.engine.commitClock?.registerPrepared(gid);
  } catch (e) {
    txn.rollback();
    await end(false);
    throw prepareError(e, gid, ctx.engine.maxPreparedTransactions);
  }
  // the DDL stays in the catalog (Quiver's DDL in a block is shared at once), owned by the prepared transaction now
  if (ctx.ddl.pending) ctx.engine.preparedDdl.set(gid, { database: ctx.databaseName, ddl: ctx.ddl.detach() });
  // PostgreSQL ends a prepared block's settings as a commit's (AtEOXact_GUC(true))
  await end(true);
}

/** What PostgreSQL refuses to prepare, in its order (PrepareTransaction, MarkAsPreparing, AtPrepare_Notify), then what Quiver refuses. */
function checkPreparable(ctx: SessionContext, gid: string): void {
  // (PreCommit_Portals)
  if (ctx.cursors.heldFromThisTransaction()) throw new SqlError(SqlState.featureNotSupported, 'cannot PREPARE a transaction that has created a cursor WITH HOLD');
  const temp = ctx.tx.txn!.writtenTables().some((oid) => {
    const rel = ctx.catalog.relationOf(oid);
    return rel !== undefined && isTempSchema(rel.schema);
  });
  if (temp || ctx.tx.accessedTemp || ctx.ddl.touchedTemporary(ctx.catalog)) {
    throw new SqlError(SqlState.featureNotSupported, 'cannot PREPARE a transaction that has operated on temporary objects');
  }
  if (ctx.tx.exported.length > 0) throw new SqlError(SqlState.featureNotSupported, 'cannot PREPARE a transaction that has exported snapshots');
  if (Buffer.byteLength(gid) >= GID_SIZE) throw new SqlError(SqlState.invalidParameterValue, `transaction identifier "${gid}" is too long`);
  const max = ctx.engine.maxPreparedTransactions;
  if (max === 0) throw new SqlError(SqlState.objectNotInPrerequisiteState, 'prepared transactions are disabled', { hint: 'Set max_prepared_transactions to a nonzero value.' });
  const prepared = ctx.engine.storage.preparedTransactions();
  if (prepared.some((p) => p.gid === gid)) throw gidInUse(gid);
  if (prepared.length >= max) throw limitReached(max);
  // (AtPrepare_Notify, after the identifier is reserved)
  if (ctx.notifications.hasPending()) throw new SqlError(SqlState.featureNotSupported, 'cannot PREPARE a transaction that has executed LISTEN, UNLISTEN, or NOTIFY');
  // Quiver's DDL in a block changes the shared catalog at once and is undone object by object
  // (ddl/undo.ts); after a restart only objects the transaction created can be undone (dropped)
  if (ctx.ddl.changesRoles || !ctx.ddl.onlyCreatedObjects(ctx.catalog)) {
    throw new SqlError(SqlState.featureNotSupported, 'cannot PREPARE a transaction that has changed existing objects', {
      hint: 'Quiver prepares transactions whose DDL only creates objects; run other DDL in a transaction of its own.',
    });
  }
}

/** COMMIT PREPARED / ROLLBACK PREPARED: outside a block only, by the owner or a superuser, in the transaction's database. */
export async function finishPrepared(ctx: SessionContext, gid: string, commit: boolean): Promise<void> {
  const what = commit ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED';
  if (!ctx.tx.idle || ctx.tx.implicitMode === 'query') throw new SqlError(SqlState.activeSqlTransaction, `${what} cannot run inside a transaction block`);
  // (PostgreSQL's PreventCommandDuringRecovery)
  if (ctx.tx.hotStandby) throw new SqlError('25006', `cannot execute ${what} during recovery`);
  const entry = ctx.engine.storage.preparedTransactions().find((p) => p.gid === gid);
  if (!entry) throw unknownGid(gid);
  const role = ctx.currentRoleOid();
  if (entry.owner !== role && !ctx.engine.isSuperuser(ctx.engine.roles.nameOf(role))) {
    throw new SqlError(SqlState.insufficientPrivilege, 'permission denied to finish prepared transaction', { hint: 'Must be superuser or the user that prepared the transaction.' });
  }
  if (entry.database !== ctx.databaseName) {
    throw new SqlError(SqlState.featureNotSupported, 'prepared transaction belongs to another database', { hint: 'Connect to the database where the transaction was prepared to finish it.' });
  }
  const prepared = ctx.engine.preparedDdl.get(gid);
  const ddl = prepared?.ddl;
  // its DDL's catalog image goes into the commit's log write
  const finish = (stamped?: () => void) => ctx.engine.storage.finishPrepared(gid, commit, {
    ...(ddl && commit ? { catalog: () => ctx.engine.catalogImage(ddl) } : {}), ...(stamped ? { stamped } : {}) });
  const clock = ctx.engine.commitClock;
  try {
    if (clock && commit) {
      // the router's timestamp, the same on every shard (else the oracle's); used once
      const ts = parseCommitTimestamp(ctx.settings.get(COMMIT_TIMESTAMP_SETTING));
      ctx.settings.setRaw(COMMIT_TIMESTAMP_SETTING, '');
      await clock.commitPrepared(gid, ts, finish);
    } else {
      await finish();
      clock?.forgetPrepared(gid);
    }
  } catch (e) {
    throw prepareError(e, gid);
  }
  if (!ddl) return;
  // committed: its DDL is in the image now; rolled back: it is undone first (other sessions'
  // images leave it out until then), the objects it created dropped
  if (commit) ctx.engine.preparedDdl.delete(gid);
  try {
    await ddl.finish(ctx, commit, commit);
  } finally {
    ctx.engine.preparedDdl.delete(gid);
  }
}

function limitReached(max: number): SqlError {
  return new SqlError(SqlState.outOfMemory, 'maximum number of prepared transactions reached', { hint: `Increase max_prepared_transactions (currently ${max}).` });
}

function gidInUse(gid: string): SqlError {
  return new SqlError(SqlState.duplicateObject, `transaction identifier "${gid}" is already in use`);
}

function unknownGid(gid: string): SqlError {
  return new SqlError(SqlState.undefinedObject, `prepared transaction with identifier "${gid}" does not exist`);
}

/** The storage's refusals as PostgreSQL words them (a race the checks above did not see). */
function prepareError(e: unknown, gid: string, max = 0): unknown {
  if (!(e instanceof PrepareRefused)) return e;
  if (e.reason === 'limit') return limitReached(max);
  if (e.reason === 'gidInUse') return gidInUse(gid);
  if (e.reason === 'unknownGid') return unknownGid(gid);
  return new SqlError(SqlState.objectNotInPrerequisiteState, `prepared transaction with identifier "${gid}" is busy`);
}
