/**
 * A transaction across the shard connections it touched, and the commit rule (README
 * "Cluster mode", shard router): a transaction that wrote on one shard commits there; one
 * that wrote on several commits by two-phase commit — PREPARE TRANSACTION '<gid>' on each
 * writer, then COMMIT PREPARED '<gid>' on each (ROLLBACK PREPARED on all if any prepare
 * fails) — so it is never half-applied. Shards it only read commit plainly first.
 *
 * The decision (commit) is recorded in the router's log before the first COMMIT PREPARED.
 * Finishing the prepared transactions of a router that died between the decision and the
 * last COMMIT PREPARED is a later slice: today an operator finds them in pg_prepared_xacts
 * on each shard (gid quiver_<routerid>_<n>) and the log line says which way to finish them.
 */
import type { Logger } from 'pino';
import type { ShardConnection } from './shard-connection.js';

export interface Participant {
  readonly conn: ShardConnection;
  wrote: boolean;
}

export class Transaction {
  readonly participants = new Map<number, Participant>();
  readonly savepoints: string[] = [];
  failed = false;
  /** DDL ran in it: the catalog the block sees differs from the committed one */
  ranDdl = false;
  /** the shard rows of tables without a key go to in this transaction */
  roundRobin: number | undefined;

  /**
   * begin: the statement that opens it on each shard (the client's BEGIN text); implicit: the
   * statements of one multi-statement Query (the client sees no block)
   */
  constructor(readonly begin: string, public implicit: boolean) {}
}

export async function commitTransaction(tx: Transaction, gid: string, logger: Logger): Promise<void> {
  const all = [...tx.participants.values()];
  const writers = all.filter((p) => p.wrote);
  if (writers.length <= 1) {
    // readers first: the one writer's COMMIT is the transaction's commit point
    for (const p of all.filter((q) => !q.wrote)) await p.conn.simple('COMMIT');
    for (const p of writers) await p.conn.simple('COMMIT');
    return;
  }
  await Promise.all(all.filter((q) => !q.wrote).map((p) => p.conn.simple('COMMIT')));
  const quotedGid = `'${gid}'`;
  // every writer prepares at once; a failure on one rolls back every other
  const prepares = await Promise.allSettled(writers.map(async (p) => {
    const reply = await p.conn.simple(`PREPARE TRANSACTION ${quotedGid}`);
    // a transaction that had failed on the shard answers ROLLBACK: nothing was prepared
    if (reply.tag !== 'PREPARE TRANSACTION') throw new Error(`shard ${p.conn.shard} rolled back instead of preparing`);
  }));
  const failed = prepares.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    logger.warn({ gid, shards: writers.map((p) => p.conn.shard), err: failed.reason }, 'two-phase commit: a prepare failed, rolling back');
    await Promise.all(writers.map((p, i) => (prepares[i]!.status === 'fulfilled'
      ? p.conn.simple(`ROLLBACK PREPARED ${quotedGid}`).catch(() => {})
      : p.conn.status !== 'I' ? p.conn.simple('ROLLBACK').catch(() => {}) : undefined)));
    throw failed.reason;
  }
  logger.info({ gid, shards: writers.map((p) => p.conn.shard), decision: 'commit' }, 'two-phase commit decided');
  const commits = await Promise.allSettled(writers.map((p) => p.conn.simple(`COMMIT PREPARED ${quotedGid}`)));
  const commitFailed = commits.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (commitFailed) {
    // decided: the other shards committed; this one is finished by recovery (a later slice)
    logger.error({ gid, shards: writers.filter((_, i) => commits[i]!.status === 'rejected').map((p) => p.conn.shard), err: commitFailed.reason }, 'two-phase commit: COMMIT PREPARED failed after the decision');
    throw commitFailed.reason;
  }
}

export async function rollbackTransaction(tx: Transaction): Promise<void> {
  await Promise.all([...tx.participants.values()].map((p) => (p.conn.closed ? undefined : p.conn.simple('ROLLBACK').catch(() => {}))));
}
