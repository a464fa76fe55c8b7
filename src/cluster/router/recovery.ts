/**
 * Recovery of the prepared transactions a router left behind (README "Cluster mode", shard
 * router), as Citus does it: every router, every few seconds, reads pg_prepared_xacts on
 * each shard leader for the router's gids (quiver_<routerid>_<n>) and finishes those of a
 * router that is not live (RouterLiveness), or its own that it is not committing now, once
 * they were prepared longer than a grace period ago (a live router's commit in progress is
 * not recovery's business, and one just starting is covered by the grace period): COMMIT
 * PREPARED where the DecisionStore records "commit", else ROLLBACK PREPARED after claiming
 * "abort" (presumed abort; the claim keeps a router that was only slow from committing
 * afterwards). A record whose gid no shard holds any more is dropped. Every action is
 * idempotent (42704: someone finished it first), so routers recovering at once agree.
 */
import type { Logger } from 'pino';
import { SqlError } from '../../errors.js';
import type { ShardDirectory } from '../shard-directory.js';
import type { DecisionStore, RouterLiveness } from './decision-store.js';
import { ShardConnection, type ShardLink } from './shard-connection.js';
import { COMMIT_TIMESTAMP_SETTING } from './transaction.js';

export interface RecoveryOptions {
  readonly directory: ShardDirectory;
  readonly decisions: DecisionStore;
  readonly liveness: RouterLiveness;
  /** this router's id, and the gids it is committing now */
  readonly routerId: string;
  readonly inFlight: ReadonlySet<string>;
  /** how long ago a transaction must have been prepared before recovery finishes it; default 10 s */
  readonly graceMs?: number;
  readonly logger: Logger;
  /** --cluster-secret proven to the shards, the TLS spoken to them (shard-connection.ts) */
  readonly link?: ShardLink;
}

/** What one pass did. */
export interface RecoveryPass {
  readonly committed: string[];
  readonly rolledBack: string[];
  /** decision records dropped (their gid is on no shard any more) */
  readonly forgotten: string[];
}

const GID = /^quiver_([0-9a-f]+)_\d+$/;
export const DEFAULT_GRACE_MS = 10_000;

/** The router id in a router's gid, or undefined for a gid a router did not make. */
export function routerOfGid(gid: string): string | undefined {
  return GID.exec(gid)?.[1];
}

/** One recovery pass over every shard (see the top of this file). */
export async function recoverPreparedTransactions(opts: RecoveryOptions): Promise<RecoveryPass> {
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const pass: RecoveryPass = { committed: [], rolledBack: [], forgotten: [] };
  // the records first: a record read here was made after all its prepares, so a gid it
  // names that the scan below finds on no shard is finished everywhere
  const records = await opts.decisions.all();
  const live = await opts.liveness.live();
  const orphaned = (router: string, gid: string) => (router === opts.routerId ? !opts.inFlight.has(gid) : !live.has(router));
  const held = new Set<string>();
  let everyShardAnswered = true;
  for (let shard = 0; shard < opts.directory.shards; shard++) {
    const address = opts.directory.leader(shard);
    if (address === undefined) {
      everyShardAnswered = false;
      continue;
    }
    try {
      for (const gid of await recoverShard(shard, address, opts, graceMs, orphaned, pass)) held.add(gid);
    } catch (e) {
      everyShardAnswered = false;
      opts.logger.warn({ shard, err: e }, 'two-phase commit recovery: shard not recovered this pass');
    }
  }
  if (everyShardAnswered) {
    for (const gid of records.keys()) {
      if (held.has(gid)) continue;
      await opts.decisions.forget(gid);
      pass.forgotten.push(gid);
    }
  }
  if (pass.committed.length + pass.rolledBack.length > 0) opts.logger.info(pass, 'two-phase commit recovery finished prepared transactions of routers gone');
  return pass;
}

/** Finish the orphaned prepared transactions on one shard; the router gids still prepared there. */
async function recoverShard(shard: number, address: string, opts: RecoveryOptions, graceMs: number,
  orphaned: (router: string, gid: string) => boolean, pass: RecoveryPass): Promise<string[]> {
  const connections = new Map<string, Promise<ShardConnection>>();
  // a prepared transaction is finished in its own database (as a superuser)
  const connection = (database: string) => {
    let c = connections.get(database);
    if (!c) {
      c = ShardConnection.open(shard, address, { user: 'postgres', database }, undefined, opts.link);
      c.catch(() => {});
      connections.set(database, c);
    }
    return c;
  };
  try {
    const scan = await connection('postgres');
    // a hot standby being promoted may not show every prepared transaction yet: were a
    // record dropped because its gid seemed gone, the gid would be rolled back later
    const recovering = await scan.simple('SELECT pg_catalog.pg_is_in_recovery()');
    if (recovering.rows[0]?.[0] !== 'f') throw new Error(`shard ${shard}'s leader ${address} is still in recovery`);
    // the age as the shard's clock sees it: no skew between router and shard
    const reply = await scan.simple(
      "SELECT gid, database, (extract(epoch from now()) - extract(epoch from prepared)) * 1000 FROM pg_catalog.pg_prepared_xacts WHERE gid LIKE 'quiver\\_%'");
    const held: string[] = [];
    for (const [gid, database, age] of reply.rows as [string, string, string][]) {
      const router = routerOfGid(gid);
      if (router === undefined) continue;
      if (!orphaned(router, gid) || Number(age) < graceMs) {
        held.push(gid);
        continue;
      }
      // the router's own "commit", or abort (claimed, so that a router only slow cannot commit after this)
      const decision = await opts.decisions.decide(gid, 'abort');
      try {
        const conn = await connection(database);
        // the commit timestamp the router recorded: every shard commits at the same one
        const ts = decision === 'commit' ? await opts.decisions.commitTimestamp(gid) : undefined;
        if (ts !== undefined) conn.sendAhead(`SET ${COMMIT_TIMESTAMP_SETTING} = '${ts}'`);
        await conn.simple(`${decision === 'commit' ? 'COMMIT' : 'ROLLBACK'} PREPARED '${gid}'`);
      } catch (e) {
        // finished meanwhile by another router's recovery (or the router itself)
        if (!(e instanceof SqlError && e.code === '42704')) throw e;
      }
      (decision === 'commit' ? pass.committed : pass.rolledBack).push(`${gid}@${shard}`);
    }
    return held;
  } finally {
    for (const c of connections.values()) c.then((conn) => conn.close(), () => {});
  }
}

/** Run a recovery pass every `intervalMs` (±50 %, so that routers started together spread out) until stopped. */
export function startRecoveryLoop(opts: RecoveryOptions & { intervalMs?: number }): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 5_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = recoverPreparedTransactions(opts).then(() => {}, (e: unknown) => {
        opts.logger.warn({ err: e }, 'two-phase commit recovery pass failed');
      }).finally(schedule);
    }, intervalMs * (0.5 + Math.random()));
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // a pass stuck on a shard that does not answer must not hold the proxy's close for long
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((r) => { bound = setTimeout(r, 2_000); })]);
      clearTimeout(bound);
    },
  };
}
