/**
 * Recovery of the prepared transactions a router left behind (README "Cluster mode", shard
 * router), as Citus does it: every router reads pg_prepared_xacts on each shard leader for
 * the router's gids (quiver_<routerid>_<n>) and finishes those of a router that is not live
 * (RouterLiveness, read after the shard's scan, so a router that started meanwhile counts as
 * live), or its own that it is not committing now: COMMIT PREPARED where the DecisionStore
 * records "commit", else ROLLBACK PREPARED after claiming "abort" (presumed abort; the claim
 * keeps a router that was only slow or cut off from committing afterwards: its own "commit"
 * finds the claim and it rolls back, and a "commit" it recorded first is what recovery reads
 * and commits — a recorded commit is never rolled back). A record whose gid no shard holds
 * any more is dropped. Every action is idempotent (42704: someone finished it first), so
 * routers recovering at once agree.
 *
 * When: a pass runs at once when the liveness watch sees a router go away (its lease expired
 * or it shut down), finishing that router's transactions without waiting; and every few
 * seconds as the safety net (a missed watch event, a shard that did not answer), where a gid
 * of a router not seen going away is finished only once it was prepared longer than a grace
 * period ago (belt and braces for a router whose registration the pass missed).
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
  /** routers seen going away (the liveness watch): their gids are finished without the grace period */
  readonly noGraceFor?: ReadonlySet<string>;
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
  const held = new Set<string>();
  let everyShardAnswered = true;
  for (let shard = 0; shard < opts.directory.shards; shard++) {
    const address = opts.directory.leader(shard);
    if (address === undefined) {
      everyShardAnswered = false;
      continue;
    }
    try {
      for (const gid of await recoverShard(shard, address, opts, graceMs, pass)) held.add(gid);
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
async function recoverShard(shard: number, address: string, opts: RecoveryOptions, graceMs: number, pass: RecoveryPass): Promise<string[]> {
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
    // after the scan: a router that prepared a gid seen above had announced itself before
    const live = await opts.liveness.live();
    const orphaned = (router: string, gid: string) => (router === opts.routerId ? !opts.inFlight.has(gid) : !live.has(router));
    const graceOf = (router: string) => (opts.noGraceFor?.has(router) ? 0 : graceMs);
    const held: string[] = [];
    for (const [gid, database, age] of reply.rows as [string, string, string][]) {
      const router = routerOfGid(gid);
      if (router === undefined) continue;
      if (!orphaned(router, gid) || Number(age) < graceOf(router)) {
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

/** How long a router seen going away keeps its gids out of the grace period (well past any grace). */
const GONE_MEMORY_MS = 60_000;

/**
 * Run a recovery pass at once whenever the liveness watch sees another router go away, and
 * every `intervalMs` (±50 %, so that routers started together spread out), until stopped.
 * Passes run one at a time (one asked for meanwhile runs right after).
 */
export function startRecoveryLoop(opts: RecoveryOptions & { intervalMs?: number }): { stop(): Promise<void> } {
  const intervalMs = opts.intervalMs ?? 5_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  /** router id → when the watch saw it go away */
  const gone = new Map<string, number>();
  const noGraceFor = () => {
    for (const [router, at] of gone) if (Date.now() - at > GONE_MEMORY_MS) gone.delete(router);
    return new Set(gone.keys());
  };
  const pass = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await recoverPreparedTransactions({ ...opts, noGraceFor: noGraceFor() }).catch((e: unknown) => {
          opts.logger.warn({ err: e }, 'two-phase commit recovery pass failed');
        });
      } while (again && !stopped);
    })().finally(() => { running = undefined; });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => { void pass().finally(schedule); }, intervalMs * (0.5 + Math.random()));
    timer.unref();
  };
  schedule();
  // the prompt path; without the watch (etcd did not start it) the polling above still finishes everything
  const unwatch = opts.liveness.watchGone((router) => {
    if (stopped || router === opts.routerId) return;
    opts.logger.info({ gone: router }, 'two-phase commit recovery: a router went away, finishing its prepared transactions');
    gone.set(router, Date.now());
    void pass();
  }).then((u) => {
    if (stopped) void u();
    return u;
  }, (e: unknown) => {
    opts.logger.warn({ err: e }, 'two-phase commit recovery: routers going away are not watched, only polled');
    return undefined;
  });
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      // a pass stuck on a shard (or a watch on an etcd member) that does not answer must not hold the proxy's close for long
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([running, unwatch.then((u) => u?.())]), new Promise((r) => { bound = setTimeout(r, 2_000); })]);
      clearTimeout(bound);
    },
  };
}
