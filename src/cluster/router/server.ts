/**
 * The shard router: the proxy's SQL entry point for a sharded cluster (README "Cluster
 * mode", shard router). A wire server (src/wire: TLS, startup, extended protocol and COPY
 * framing are the server's own) whose sessions run each statement on the shard leaders the
 * ShardDirectory names (session.ts).
 */
import { randomBytes, randomInt } from 'node:crypto';
import * as pgQuery from 'libpg-query';
import type { Logger } from 'pino';
import { startWireServer } from '../../wire/server.js';
import type { ConnectionSecurity } from '../../wire/connection.js';
import type { BackendRegistry } from '../../wire/backend.js';
import type { ShardDirectory } from '../shard-directory.js';
import type { PlanFanout } from './fanout-api.js';
import { ShardCatalog } from './shard-catalog.js';
import { ShardConnection, type ShardLink } from './shard-connection.js';
import type { ShardTls } from './shard-tls.js';
import { RouterSession, type RouterContext } from './session.js';
import type { DecisionStore, RouterLiveness } from './decision-store.js';
import { startRecoveryLoop } from './recovery.js';
import type { CommitHooks } from './transaction.js';
import type { TimestampSource } from '../tso/tso-client.js';

export interface ShardRouterOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  directory: ShardDirectory;
  logger: Logger;
  /**
   * another router's DDL count (ShardRouter.ddlEpoch of the main port's router, for the read
   * port's, which runs no DDL of its own): when it moves on, this router reads the catalog again
   */
  catalogFollows?: () => number;
  /** the fan-out planner; without one an unpinned SELECT over sharded tables is 0A000 */
  planFanout?: PlanFanout;
  /** how long a statement waits for a shard without a leader before 57P03; default 5000 */
  waitMs?: number;
  /** --cluster-secret: the router proves it to the shards (SCRAM); without it the shards must trust the router */
  secret?: string;
  /** --shard-tls / --shard-tls-ca: the TLS the router speaks to the shards (shard-tls.ts); default `prefer` */
  shardTls?: ShardTls;
  /**
   * the clients' TLS and password authentication, as the standalone server's (the router
   * terminates both; it reaches the shards as the authenticated user, with `secret`)
   */
  security?: ConnectionSecurity;
  /**
   * two-phase commit's decision records and the routers' liveness (etcd in a cluster): with
   * them the router records each commit decision, announces itself live, and recovers the
   * prepared transactions of routers gone (recovery.ts); without them a decision is only logged
   */
  /**
   * the timestamp oracle (a sharded cluster of Quiver shards): two-phase commits get one
   * commit timestamp for every shard, and each statement reads every shard at one timestamp
   * (engine/commit-clock.ts); without it (PostgreSQL shards) a fan-out read is read committed per shard
   */
  timestamps?: TimestampSource;
  twoPhase?: {
    decisions: DecisionStore;
    liveness: RouterLiveness;
    /** where recovery finds the shards' leaders when `directory` names other nodes (a read port's standbys); default `directory` */
    leaders?: ShardDirectory;
    /** how often recovery looks at the shards (±50 %); default 5000 */
    recoveryIntervalMs?: number;
    /** how long ago a transaction must have been prepared before recovery finishes it; default 10000 */
    graceMs?: number;
    /** tests: where this router "dies" during a commit */
    hooks?: CommitHooks;
  };
}

export interface ShardRouter {
  readonly port: number;
  /** the router's id, in its two-phase commit gids (quiver_<id>_<n>) */
  readonly routerId: string;
  /** moves on with each DDL through this router (another router's catalogFollows) */
  ddlEpoch(): number;
  close(): Promise<void>;
}

/**
 * What a session announces at startup when shard 0 could not be asked (PostgreSQL's usual
 * set; the version the data nodes report, engine/system-functions.ts SERVER_VERSION, so a
 * client does not take the cluster for a PostgreSQL 16)
 */
const FALLBACK_PARAMETERS: [string, string][] = [
  ['server_version', '15.18 (Quiver)'], ['server_encoding', 'UTF8'], ['client_encoding', 'UTF8'], ['DateStyle', 'ISO, MDY'],
  ['IntervalStyle', 'postgres'], ['TimeZone', 'UTC'], ['integer_datetimes', 'on'], ['standard_conforming_strings', 'on'],
  ['is_superuser', 'on'], ['application_name', ''],
];

/** how old the router's copy of the shards' catalog may get before a statement has it read again (in the background) */
const CATALOG_TTL_MS = 1_000;

export async function startShardRouter(opts: ShardRouterOptions): Promise<ShardRouter> {
  await pgQuery.loadModule();
  const waitMs = opts.waitMs ?? 5000;
  const routerId = randomBytes(4).toString('hex');
  const logger = opts.logger.child({ router: routerId });
  const link: ShardLink = { ...(opts.secret ? { secret: opts.secret } : {}), ...(opts.shardTls ? { tls: opts.shardTls } : {}) };
  const startupParameters = await shardZeroParameters(opts.directory, waitMs, logger, link);
  let gids = 0;
  let roundRobin = randomInt(opts.directory.shards);
  let catalog: Promise<ShardCatalog> | null = null;
  let catalogVersion = 0;
  // DDL through another proxy (or on a leader directly): the catalog is read again in the
  // background when a statement finds it older than CATALOG_TTL_MS, and a changed one
  // replaces it (statements described or prepared before go stale with the version)
  let catalogLoadedAt = 0;
  let catalogPrint: string | undefined;
  let refreshing = false;
  const refresh = (shard0: ShardConnection) => {
    if (refreshing || !catalog || shard0.status !== 'I' || Date.now() - catalogLoadedAt < CATALOG_TTL_MS) return;
    refreshing = true;
    const version = catalogVersion;
    // queued behind a stream on the session's shard 0 connection rather than reading its rest into memory
    ShardCatalog.load(shard0, true).then((fresh) => {
      catalogLoadedAt = Date.now();
      // DDL through this router meanwhile: its own reload wins
      if (catalogVersion !== version || fresh.fingerprint === catalogPrint) return;
      logger.info('the shards\' catalog changed outside this router: read again');
      catalogPrint = fresh.fingerprint;
      catalogVersion++;
      catalog = Promise.resolve(fresh);
    }, (e: unknown) => logger.warn({ err: e }, 'could not read the shards\' catalog again; keeping the last one'))
      .finally(() => { refreshing = false; });
  };
  const inFlight = new Set<string>();
  // the followed router's DDL: this router's cached catalog (and statements prepared on shards) are stale
  let followedEpoch = opts.catalogFollows?.();
  const followDdl = () => {
    const now = opts.catalogFollows?.();
    if (now === followedEpoch) return;
    followedEpoch = now;
    catalogVersion++;
    catalog = null;
  };
  const twoPhase = opts.twoPhase;
  if (twoPhase) await twoPhase.liveness.announce(routerId);
  const context: RouterContext = {
    directory: opts.directory,
    logger,
    planFanout: opts.planFanout,
    waitMs,
    link,
    startupParameters,
    nextGid: () => `quiver_${routerId}_${++gids}`,
    twoPhase: { logger, inFlight, ...(twoPhase ? { decisions: twoPhase.decisions, ...(twoPhase.hooks ? { hooks: twoPhase.hooks } : {}) } : {}), ...(opts.timestamps ? { timestamps: opts.timestamps } : {}) },
    ...(opts.timestamps ? { timestamps: opts.timestamps } : {}),
    nextRoundRobin: () => roundRobin++,
    catalog(reader, refreshOn) {
      followDdl();
      if (refreshOn) refresh(refreshOn);
      if (!catalog) {
        const version = catalogVersion;
        const loading = reader().then((shard0) => ShardCatalog.load(shard0));
        catalog = loading;
        loading.then((loaded) => {
          if (catalogVersion !== version || catalog !== loading) return;
          catalogLoadedAt = Date.now();
          catalogPrint = loaded.fingerprint;
        }, () => {
          if (catalogVersion === version && catalog === loading) catalog = null;
        });
      }
      return catalog;
    },
    invalidateCatalog() {
      catalogVersion++;
      catalog = null;
    },
    ddlEpoch: () => {
      followDdl();
      return catalogVersion;
    },
  };
  const sessions = new Map<number, RouterSession>();
  const registry: BackendRegistry = {
    create(connection) {
      let pid: number;
      do pid = randomInt(1, 2 ** 31 - 1); while (sessions.has(pid));
      const session = new RouterSession(context, pid, randomInt(-(2 ** 31), 2 ** 31 - 1), connection);
      sessions.set(pid, session);
      const close = session.close.bind(session);
      session.close = () => {
        sessions.delete(pid);
        close();
      };
      return session;
    },
    cancel(pid, key) {
      const session = sessions.get(pid);
      if (session && session.secretKey === key) session.cancel();
    },
  };
  const server = await startWireServer({ host: opts.host, port: opts.port, registry, logger, ...(opts.security ? { security: opts.security } : {}) });
  logger.info({ port: server.port, shards: opts.directory.shards }, 'shard router listening');
  const recovery = twoPhase && startRecoveryLoop({
    directory: twoPhase.leaders ?? opts.directory, decisions: twoPhase.decisions, liveness: twoPhase.liveness, routerId, inFlight, logger, link,
    ...(twoPhase.graceMs !== undefined ? { graceMs: twoPhase.graceMs } : {}),
    ...(twoPhase.recoveryIntervalMs !== undefined ? { intervalMs: twoPhase.recoveryIntervalMs } : {}),
  });
  return {
    port: server.port,
    routerId,
    ddlEpoch: () => catalogVersion,
    async close() {
      await recovery?.stop();
      await server.close();
    },
  };
}

/** The ParameterStatus set shard 0 announces (server_version, encodings, DateStyle…). */
async function shardZeroParameters(directory: ShardDirectory, waitMs: number, logger: Logger, link: ShardLink): Promise<[string, string][]> {
  try {
    const conn = await ShardConnection.open(0, await directory.waitLeader(0, waitMs), { user: 'postgres', database: 'postgres' }, undefined, link);
    conn.close();
    return [...conn.parameters.entries()];
  } catch (e) {
    logger.warn({ err: e }, 'shard 0 did not answer at start: sessions announce default parameters');
    return FALLBACK_PARAMETERS;
  }
}
