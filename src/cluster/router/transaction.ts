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
    for (const p of writers) await expectCommit(p.conn);
    return;
  }
  for (const p of all.filter((q) => !q.wrote)) await p.conn.simple('COMMIT');
  const quotedGid = `'${gid}'`;
  const prepared: Participant[] = [];
  let failure: unknown;
  for (const p of writers) {
    try {
      const reply = await p.conn.simple(`PREPARE TRANSACTION ${quotedGid}`);
      // a transaction that had failed on the shard answers ROLLBACK: nothing was prepared
      if (reply.tag !== 'PREPARE TRANSACTION') throw new Error(`shard ${p.conn.shard} rolled back instead of preparing`);
      prepared.push(p);
    } catch (e) {
      failure = e;
      break;
    }
  }
  if (failure !== undefined) {
    logger.warn({ gid, shards: writers.map((p) => p.conn.shard), err: failure }, 'two-phase commit: a prepare failed, rolling back');
    for (const p of writers) {
      if (prepared.includes(p)) await p.conn.simple(`ROLLBACK PREPARED ${quotedGid}`).catch(() => {});
      else if (p.conn.status !== 'I') await p.conn.simple('ROLLBACK').catch(() => {});
    }
    throw failure;
  }
  logger.info({ gid, shards: writers.map((p) => p.conn.shard), decision: 'commit' }, 'two-phase commit decided');
  let commitError: unknown;
  for (const p of writers) {
    try {
      await p.conn.simple(`COMMIT PREPARED ${quotedGid}`);
    } catch (e) {
      // decided: the other shards still commit; this one is finished by recovery (later slice)
      logger.error({ gid, shard: p.conn.shard, err: e }, 'two-phase commit: COMMIT PREPARED failed after the decision');
      commitError ??= e;
    }
  }
  if (commitError !== undefined) throw commitError;
}

async function expectCommit(conn: ShardConnection): Promise<void> {
  await conn.simple('COMMIT');
}

export async function rollbackTransaction(tx: Transaction): Promise<void> {
  await Promise.all([...tx.participants.values()].map((p) => (p.conn.closed ? undefined : p.conn.simple('ROLLBACK').catch(() => {}))));
}
