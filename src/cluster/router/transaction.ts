/**
 * A transaction across the shard connections it touched, and the commit rule (README
 * "Cluster mode", shard router): a transaction that wrote on one shard commits there; one
 * that wrote on several commits by two-phase commit — PREPARE TRANSACTION '<gid>' on each
 * writer, then COMMIT PREPARED '<gid>' on each (ROLLBACK PREPARED on all if any prepare
 * fails) — so it is never half-applied. Shards it only read commit plainly first.
 *
 * The decision (commit) is recorded in the DecisionStore (decision-store.ts: etcd in a
 * cluster) before the first COMMIT PREPARED, and forgotten once every shard committed; a
 * router that dies midway leaves its prepared transactions to recovery (recovery.ts), which
 * commits them if the record says so and rolls them back otherwise (presumed abort).
 */
import type { Logger } from 'pino';
import { SqlError } from '../../errors.js';
import type { DecisionStore } from './decision-store.js';
import type { ShardConnection } from './shard-connection.js';
import type { TimestampSource } from '../tso/tso-client.js';

/** Test hooks: where a router "dies" in the middle of a two-phase commit (throwing stops it there). */
export interface CommitHooks {
  /** every writer prepared, the decision not recorded yet */
  afterPrepare?(gid: string): void | Promise<void>;
  /** the decision is recorded; before COMMIT PREPARED on `shard` */
  beforeCommitPrepared?(gid: string, shard: number): void | Promise<void>;
}

/** What two-phase commit needs besides the transaction: the decision record and the router's in-flight gids. */
export interface TwoPhaseContext {
  readonly logger: Logger;
  /** without one the decision is only logged (and nothing recovers a dead router's transactions) */
  readonly decisions?: DecisionStore;
  /** the gids this router is committing now: its own recovery leaves them alone */
  readonly inFlight?: Set<string>;
  readonly hooks?: CommitHooks;
  /**
   * the timestamp oracle: a two-phase commit's timestamp, asked for once every shard
   * prepared, recorded with the decision and given to each shard with COMMIT PREPARED
   * (quiver.commit_timestamp, engine/commit-clock.ts)
   */
  readonly timestamps?: TimestampSource;
}

/** The shard setting a COMMIT PREPARED's timestamp travels in (engine/two-phase.ts). */
export const COMMIT_TIMESTAMP_SETTING = 'quiver.commit_timestamp';

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
  /** REPEATABLE READ or SERIALIZABLE (read-timestamp.ts decides on first use) */
  repeatable: boolean | undefined;
  /** such a block's read timestamp: every shard reads at it (read-timestamp.ts) */
  readTimestamp: string | undefined;
  /**
   * SET / RESET run in it, with the number of savepoints open then: run again on a shard
   * that joins later, dropped by ROLLBACK TO an earlier savepoint, and kept for the
   * session's later connections only when the block commits (a rollback undoes them)
   */
  sets: { sql: string; depth: number }[] = [];

  /**
   * begin: the statement that opens it on each shard (the client's BEGIN text); implicit: the
   * statements of one multi-statement Query (the client sees no block)
   */
  constructor(readonly begin: string, public implicit: boolean) {}
}

export async function commitTransaction(tx: Transaction, gid: string, twoPhase: TwoPhaseContext): Promise<void> {
  const all = [...tx.participants.values()];
  const writers = all.filter((p) => p.wrote);
  if (writers.length <= 1) {
    // readers first: the one writer's COMMIT is the transaction's commit point
    for (const p of all.filter((q) => !q.wrote)) await p.conn.simple('COMMIT');
    for (const p of writers) await p.conn.simple('COMMIT');
    return;
  }
  await Promise.all(all.filter((q) => !q.wrote).map((p) => p.conn.simple('COMMIT')));
  twoPhase.inFlight?.add(gid);
  try {
    await twoPhaseCommit(writers, gid, twoPhase);
  } finally {
    twoPhase.inFlight?.delete(gid);
  }
}

async function twoPhaseCommit(writers: Participant[], gid: string, { logger, decisions, hooks, timestamps }: TwoPhaseContext): Promise<void> {
  const quotedGid = `'${gid}'`;
  const shards = writers.map((p) => p.conn.shard);
  // every writer prepares at once; a failure on one rolls back every other
  const prepares = await Promise.allSettled(writers.map(async (p) => {
    const reply = await p.conn.simple(`PREPARE TRANSACTION ${quotedGid}`);
    // a transaction that had failed on the shard answers ROLLBACK: nothing was prepared
    if (reply.tag !== 'PREPARE TRANSACTION') throw new Error(`shard ${p.conn.shard} rolled back instead of preparing`);
  }));
  const failed = prepares.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    logger.warn({ gid, shards, err: failed.reason }, 'two-phase commit: a prepare failed, rolling back');
    // (a prepared one left by a lost connection: no record, so recovery rolls it back)
    await Promise.all(writers.map((p, i) => (prepares[i]!.status === 'fulfilled'
      ? p.conn.simple(`ROLLBACK PREPARED ${quotedGid}`).catch(() => {})
      : p.conn.status !== 'I' ? p.conn.simple('ROLLBACK').catch(() => {}) : undefined)));
    throw failed.reason;
  }
  await hooks?.afterPrepare?.(gid);
  let commitTs: bigint | undefined;
  if (timestamps) {
    try {
      // after every prepare: above every timestamp a reader that could see it on one shard holds
      commitTs = await timestamps.timestamp();
    } catch (e) {
      logger.warn({ gid, shards, err: e }, 'two-phase commit: no commit timestamp, rolling back');
      await Promise.all(writers.map((p) => p.conn.simple(`ROLLBACK PREPARED ${quotedGid}`).catch(() => {})));
      throw new SqlError('40000', 'the transaction was rolled back: the timestamp oracle did not answer', { detail: (e as Error).message });
    }
  }
  if (decisions) {
    let decided;
    try {
      decided = await decisions.decide(gid, 'commit', commitTs);
    } catch (e) {
      // the record may have landed or not: neither way is safe to act on here; recovery
      // reads the record (or, finding none, claims abort) and finishes on every shard alike
      logger.error({ gid, shards, err: e }, 'two-phase commit: the decision could not be recorded; recovery finishes the transaction');
      throw new SqlError('08007', 'transaction resolution unknown', { detail: `The commit decision of prepared transaction ${gid} could not be recorded: ${(e as Error).message}. Recovery commits or rolls it back on every shard.` });
    }
    if (decided === 'abort') {
      // recovery took this router for dead and claimed the abort first
      logger.warn({ gid, shards }, 'two-phase commit: recovery had decided abort, rolling back');
      await Promise.all(writers.map((p) => p.conn.simple(`ROLLBACK PREPARED ${quotedGid}`).catch(() => {})));
      throw new SqlError('40000', 'the transaction was rolled back by two-phase commit recovery', { detail: `Prepared transaction ${gid} was left unfinished for longer than the recovery grace period.` });
    }
  }
  logger.info({ gid, shards, decision: 'commit' }, 'two-phase commit decided');
  const commits = await Promise.allSettled(writers.map(async (p) => {
    await hooks?.beforeCommitPrepared?.(gid, p.conn.shard);
    // the same timestamp on every shard, with the COMMIT PREPARED (one round trip)
    if (commitTs !== undefined) p.conn.sendAhead(`SET ${COMMIT_TIMESTAMP_SETTING} = '${commitTs}'`);
    try {
      await p.conn.simple(`COMMIT PREPARED ${quotedGid}`);
    } catch (e) {
      // gone already: recovery (this router taken for gone) finished it by the recorded "commit"
      if (!(decisions && e instanceof SqlError && e.code === '42704')) throw e;
      logger.info({ gid, shard: p.conn.shard }, 'two-phase commit: recovery had committed it already');
    }
  }));
  const commitFailed = commits.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (commitFailed) {
    const failedOn = writers.filter((_, i) => commits[i]!.status === 'rejected').map((p) => p.conn.shard);
    // recorded: the transaction is committed, recovery commits it on these shards by the record
    if (decisions) {
      logger.warn({ gid, shards: failedOn, err: commitFailed.reason }, 'two-phase commit: COMMIT PREPARED failed after the recorded decision; recovery finishes it');
      return;
    }
    logger.error({ gid, shards: failedOn, err: commitFailed.reason }, 'two-phase commit: COMMIT PREPARED failed after the decision');
    throw commitFailed.reason;
  }
  // best effort, not waited for (the client's COMMIT is done): a record left behind is
  // dropped by recovery once no shard holds the gid
  void decisions?.forget(gid).catch((e: unknown) => logger.warn({ gid, err: e }, 'two-phase commit: the decision record could not be dropped'));
}

export async function rollbackTransaction(tx: Transaction): Promise<void> {
  await Promise.all([...tx.participants.values()].map((p) => (p.conn.closed ? undefined : p.conn.simple('ROLLBACK').catch(() => {}))));
}
