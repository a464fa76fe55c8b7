/**
 * The `data` role: the node that writes the shared log. Data nodes campaign in the
 * metadata store's election `data` (in a sharded cluster, shard K's nodes in `data-<K>`,
 * each shard group with its own stream: dataElection, shardStream); the elected one catches up from the shared log and
 * object store, then serves the PostgreSQL protocol (proxies send clients to it). The
 * others are standbys: they apply the log to their own directory as it grows, so taking
 * over after the leader's lease expires leaves little to apply. With `startStandby` a
 * standby is a hot standby: it serves read-only sessions on its port meanwhile (memory
 * follows the log too); when it is elected it is promoted in place, as by PostgreSQL's
 * pg_promote(): it applies the rest of the log and writes it from then on, its sessions
 * staying connected and going on read-write. Should that fail, the sessions are closed
 * (FATAL 57P01, the client reconnects) and the leader's server starts on the same port
 * and directory instead.
 *
 * A leader that loses its lease, or whose append fails (fenced: another node wrote the
 * log; or the log unreachable, when the batch may have landed all the same), exits at once: a process that may no longer write must not answer either (crash-only;
 * its supervisor or an operator starts it again, as a standby).
 */
import { performance } from 'node:perf_hooks';
import type { Coordinator, NodeInfo } from './coordinator.js';
import { followSharedLog, type SharedSeams } from '../storage/log-replica.js';

/** The election data nodes campaign in; its value is the leader's "host:port". */
export const DATA_ELECTION = 'data';

/**
 * Shard `shard`'s election of `shards`: `data-<K>` when the cluster is sharded, and
 * today's `data` when it is not (an unsharded cluster keeps its names).
 */
export function dataElection(shard: number, shards: number): string {
  return shards > 1 ? `${DATA_ELECTION}-${shard}` : DATA_ELECTION;
}

/** Shard `shard`'s JetStream stream (also its S3 key prefix): `<stream>-s<K>`, or `<stream>` unsharded. */
export function shardStream(stream: string, shard: number, shards: number): string {
  return shards > 1 ? `${stream}-s${shard}` : stream;
}

/** The metadata store's key holding the cluster's shard count (written once, by the first node). */
export const SHARDS_KEY = 'shards';

/** A node started with another shard count than the cluster's. */
export class ShardCountMismatch extends Error {
  override readonly name = 'ShardCountMismatch';
}

/**
 * Record `shards` as the cluster's shard count if none is recorded yet; refuse (reject
 * with ShardCountMismatch) when another count is: a node of a 2-shard cluster started
 * with --shards 1 would write shard 0's rows to the unsharded stream, unseen by the rest.
 */
export async function agreeOnShardCount(coordinator: Coordinator, shards: number): Promise<void> {
  const recorded = await coordinator.putIfAbsent(SHARDS_KEY, String(shards));
  if (recorded !== String(shards)) {
    throw new ShardCountMismatch(`this cluster has ${recorded} shard${recorded === '1' ? '' : 's'} (recorded in etcd), but this node was started with --shards ${shards}: start it with --shards ${recorded}`);
  }
}

/** How long a new data node waits to be elected before it opens as a hot standby. */
const HOT_STANDBY_AFTER_MS = 500;

/** How often a hot standby measures its lag; the registration is written only when it changed. */
const LAG_REPORT_MS = 1_000;
/** Lag is reported in steps of this (a current standby's round trip reads as 0: no write). */
const LAG_STEP_MS = 100;
/** The busy share is reported in steps of this (noise below it writes nothing). */
const BUSY_STEPS = 10;

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  fatal(obj: object, msg?: string): void;
}

export interface DataRoleOptions<S> {
  readonly nodeId: string;
  /** the address proxies connect to */
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly coordinator: Coordinator;
  readonly seams: SharedSeams;
  /** the election to campaign in (default DATA_ELECTION: an unsharded cluster's) */
  readonly election?: string;
  /** the shard this node serves, put in its registrations (absent: an unsharded cluster) */
  readonly shard?: number;
  readonly logger: Logger;
  /** start the server on the caught-up directory (DurableStorage.open applies the rest) */
  start(shared: SharedSeams): Promise<S>;
  /**
   * a hot standby's server on `port` (read-only sessions), following the log until elected;
   * `requestPromotion` (its pg_promote) makes this node the leader now
   */
  startStandby?(shared: SharedSeams, requestPromotion: () => Promise<void>): Promise<StandbyServer<S>>;
  /** what to do when this node may no longer lead (default: exit the process with 1) */
  abdicate?(reason: string): void;
  /** the share (0–1) of the time since the last call this process's event loop was busy (default: performance.eventLoopUtilization) */
  busyShare?(): number;
}

/** A hot standby's server: applies the log until its signal aborts; close() ends its sessions. */
export interface StandbyServer<S = unknown> {
  follow(signal: AbortSignal): Promise<void>;
  /** how far behind the log it is now (ms), reported in its registration for the proxy's read port */
  lagMs?(): Promise<number>;
  /** its open sessions now, reported with the busy share for the read port's load weighing */
  sessions?(): number;
  /**
   * Elected (the follow loop has ended): become the leader's server in place with the
   * leader's seams, sessions kept. Rejected: it is still a standby (closed, then `start`).
   */
  promote?(shared: SharedSeams): Promise<S>;
  close(): Promise<void>;
}

export async function runDataRole<S>(opts: DataRoleOptions<S>): Promise<S> {
  const address = `${opts.host}:${opts.port}`;
  const abdicate = opts.abdicate ?? ((reason: string) => {
    opts.logger.fatal({ node: opts.nodeId }, `stopping: ${reason}`);
    process.exit(1);
  });
  const election = opts.election ?? DATA_ELECTION;
  await opts.coordinator.register(registration(opts, address));
  const campaign = opts.coordinator.campaign(election, address);
  // elected at once (no leader: a cluster starting): no standby to open and close again first
  const electedAtOnce = opts.startStandby ? await Promise.race([campaign.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), HOT_STANDBY_AFTER_MS))]) : false;
  const standby = new AbortController();
  if (electedAtOnce) standby.abort();
  // pg_promote on the hot standby: take the leadership from the leader (it is fenced by
  // the log claim DurableStorage.promote makes, and stops when it sees its key gone)
  let promotion: Promise<void> | undefined;
  const requestPromotion = () => {
    promotion ??= opts.coordinator.takeover(election).then(
      () => opts.logger.info({ node: opts.nodeId }, 'promotion requested (pg_promote): took the data leadership'),
      (e: unknown) => { promotion = undefined; throw e; });
    return promotion;
  };
  let hot: StandbyServer<S> | undefined;
  const following = (async () => {
    // a standby follows the log until elected (a failed read is retried: the log may be electing a leader)
    while (!standby.signal.aborted) {
      try {
        if (!opts.startStandby) {
          await followSharedLog(opts.dataDir, opts.seams, opts.logger, standby.signal);
          continue;
        }
        hot ??= await opts.startStandby(opts.seams, requestPromotion);
        if (!standby.signal.aborted) opts.logger.info({ node: opts.nodeId, address }, 'hot standby: serving read-only sessions');
        await hot.follow(standby.signal);
      } catch (e) {
        if (standby.signal.aborted) break;
        opts.logger.warn({ err: e }, 'following the shared log failed; retrying');
        // a hot standby starts again from its directory (a trimmed log: from a checkpoint)
        await hot?.close().catch(() => {});
        hot = undefined;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  })();
  // (its last write, clearing the lag once elected, does not hold the takeover up)
  void reportState(opts, address, () => hot, standby.signal);
  if (!electedAtOnce) opts.logger.info({ node: opts.nodeId, address }, 'standby: following the shared log, campaigning for leadership');
  const leadership = await campaign;
  standby.abort();
  await following;
  opts.logger.info({ node: opts.nodeId }, 'elected: taking over the shared log');
  void leadership.lost.then(() => abdicate(`lost the data leadership (${leadership.lostBecause?.() ?? 'its lease, or another node took over: pg_promote'})`));
  const shared = { ...opts.seams, onAppendFailed: (e: Error) => abdicate(`the shared log refused a batch: ${e.message}`) };
  if (hot?.promote) {
    const t0 = performance.now();
    try {
      const server = await hot.promote(shared);
      opts.logger.info({ node: opts.nodeId, ms: Math.round(performance.now() - t0) }, 'promoted in place: the hot standby\'s sessions go on read-write');
      return server;
    } catch (e) {
      opts.logger.warn({ err: e }, 'promoting the hot standby in place failed; starting the leader\'s server on its directory');
    }
  }
  // its read-only sessions end here: the leader's server takes the port and directory
  await hot?.close();
  return opts.start(shared);
}

/** This node's registration (role `data`, its shard when sharded), with a standby's reported state. */
function registration(opts: DataRoleOptions<unknown>, address: string, state: Partial<NodeInfo> = {}): NodeInfo {
  return { id: opts.nodeId, address, role: 'data', ...(opts.shard !== undefined ? { shard: opts.shard } : {}), ...state };
}

/** The event loop's busy share since the last call (ELU: the time it ran callbacks rather than waited). */
function eventLoopBusyShare(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/**
 * While a hot standby: measure its lag and load every second and put them in its
 * registration when they changed (the proxy's read port sends no new session to a standby
 * far behind while another is current, and of the current ones to the least loaded).
 * Once elected, the registration is written again without them.
 */
async function reportState<S>(opts: DataRoleOptions<S>, address: string, hot: () => StandbyServer | undefined, signal: AbortSignal): Promise<void> {
  let reported: string | undefined;
  const busyShare = opts.busyShare ?? eventLoopBusyShare();
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, LAG_REPORT_MS);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    const server = hot();
    // (measured every interval, so each report covers the last one only)
    const busy = Math.round(busyShare() * BUSY_STEPS) / BUSY_STEPS;
    if (signal.aborted || !server?.lagMs) continue;
    try {
      const lagMs = Math.floor((await server.lagMs()) / LAG_STEP_MS) * LAG_STEP_MS;
      const state = { lagMs, ...(server.sessions ? { sessions: server.sessions(), busy } : {}) };
      const key = JSON.stringify(state);
      if (key === reported || signal.aborted) continue;
      await opts.coordinator.register(registration(opts, address, state));
      reported = key;
    } catch (e) {
      opts.logger.warn({ err: e }, 'could not report this standby\'s lag and load; trying again');
    }
  }
  if (reported === undefined) return;
  await opts.coordinator.register(registration(opts, address)).catch((e: unknown) => opts.logger.warn({ err: e }, 'could not clear the lag from this node\'s registration'));
}
