/**
 * Wires the layers together: storage → engine (catalog, sessions) → wire listener.
 * The only module that knows all of them.
 */
import type { Logger } from 'pino';
import { Engine } from './engine/engine.js';
import { CommitClock, type TimestampSource } from './engine/commit-clock.js';
import { loadParser } from './sql/parser.js';
import { availableParallelism } from 'node:os';
import { QueryWorkerPool, type SegmentSearchPool } from './query-worker/pool.js';
import { DurableStorage } from './storage/durable-storage.js';
import { measureLag } from './storage/replica-position.js';
import type { SharedSeams } from './storage/log-replica.js';
import { TempSpace, prepareTempDir } from './executor/spill/temp-files.js';
import { loadSecurity, type SecurityOptions } from './wire/security.js';
import { startWireServer } from './wire/server.js';

export interface ServerOptions {
  host: string;
  port: number;
  dataDir: string;
  logger: Logger;
  /** TLS and password authentication (default: no TLS, trust) */
  security?: SecurityOptions;
  /** query worker threads for sealed-segment vector search (default: the cores; 0 = in-thread) */
  queryWorkers?: number;
  /** sessions at once (max_connections, default 100) */
  maxConnections?: number;
  /** of those, slots kept for superusers (superuser_reserved_connections, default 3) */
  superuserReservedConnections?: number;
  /** transactions prepared at once (max_prepared_transactions, default 0: PREPARE TRANSACTION refused) */
  maxPreparedTransactions?: number;
  /** cluster mode: the shared log and object store the storage replicates (log-replica.ts) */
  shared?: SharedSeams;
  /**
   * cluster mode, with `shared`: a hot standby — read-only sessions on the shared log as
   * applied so far; `standby.follow` applies it as it grows (data-role.ts)
   */
  standby?: boolean;
  /** a hot standby's pg_promote: make this node the leader now (data-role.ts) */
  requestPromotion?: () => Promise<void>;
  /**
   * a hot standby: how long applying the log waits for transactions holding a table it
   * drops or rewrites before ending them (ms, -1: for ever; default
   * QUIVER_MAX_STANDBY_STREAMING_DELAY_MS, else PostgreSQL's 30 s)
   */
  maxStandbyStreamingDelayMs?: number;
  /**
   * cluster mode: who serves sealed-segment search, given this process's workers (query
   * nodes, falling back to the local workers); closed by close() before the local pool
   */
  searchPool?: (local: QueryWorkerPool | undefined) => SegmentSearchPool;
  /**
   * a shard of a sharded cluster: the timestamp oracle; once this node leads, its commits
   * take cluster timestamps and statements read at the router's (engine/commit-clock.ts)
   */
  commitTimestamps?: TimestampSource;
}

export interface RunningServer {
  readonly port: number;
  /** the query workers (undefined with --query-workers 0); stopped by close() */
  readonly queryWorkers: QueryWorkerPool | undefined;
  /** a hot standby's log follower (undefined on a leader or standalone server) */
  readonly standby?: {
    /** apply the shared log as it grows, until `signal` aborts (rejects if it cannot be followed) */
    follow(signal: AbortSignal): Promise<void>;
    /** tests and measurements: hold batches back (a stalled standby), or let them through again */
    pause(paused: boolean): void;
    /** how far behind the log it is now, in ms (replica-position.ts measureLag: one read of the log's end) */
    lagMs(): Promise<number>;
    /** its open sessions (reported with its load for the proxy's read port) */
    sessions(): number;
    /**
     * Elected leader: apply the rest of the log and write it from now on with `shared` (the
     * leader's seams), the sessions going on read-write (DurableStorage.promote, Engine.promote).
     * The follow loop must have ended. Rejected: still a standby (close it, start a leader).
     */
    promote(shared: SharedSeams): Promise<void>;
  };
  /** SIGHUP: re-read the --hba file (a bad file keeps the rules in force, and is logged) */
  reloadConfig(): void;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  // Read certificate, key and users first: a bad flag should fail before recovery runs.
  const security = loadSecurity(opts.security ?? {});
  await loadParser();
  // Recovery happens here, before the wire server accepts anyone: load the manifest and
  // sealed segments, replay the log, then restore the catalog from its last durable image.
  const sealThreshold = Number(process.env.QUIVER_SEAL_THRESHOLD_BYTES);
  const storage = await DurableStorage.open({
    dataDir: opts.dataDir,
    logger: opts.logger,
    sealThresholdBytes: sealThreshold > 0 ? sealThreshold : undefined,
    ...(opts.shared ? { shared: opts.shared } : {}),
    ...(opts.shared && opts.standby ? { replica: true } : {}),
  }).catch((e: Error) => {
    opts.logger.fatal({ dataDir: opts.dataDir }, e.message);
    throw e;
  });
  const workerCount = opts.queryWorkers ?? availableParallelism();
  // workers start on first use, so an idle server (and most tests) runs no extra threads
  const queryWorkers = workerCount > 0
    ? new QueryWorkerPool(workerCount, (slot, reason) => opts.logger.error({ slot, reason }, 'query worker crashed; replaced'))
    : undefined;
  // temp files of sorts, hash joins and aggregates past work_mem; a crashed server's are removed
  const tempSpace = new TempSpace(prepareTempDir(opts.dataDir));
  const searchPool = opts.searchPool ? opts.searchPool(queryWorkers) : queryWorkers;
  const engine = new Engine(storage, searchPool, tempSpace);
  if (opts.maxConnections !== undefined) engine.maxConnections = opts.maxConnections;
  if (opts.superuserReservedConnections !== undefined) engine.superuserReservedConnections = opts.superuserReservedConnections;
  if (opts.maxPreparedTransactions !== undefined) engine.maxPreparedTransactions = opts.maxPreparedTransactions;
  const standbyReads = storage.standbyReads();
  /** a hot standby until promoted */
  let standby = standbyReads !== undefined;
  if (standbyReads) {
    engine.becomeStandby(standbyReads);
    engine.requestPromotion = opts.requestPromotion;
    const envDelay = process.env.QUIVER_MAX_STANDBY_STREAMING_DELAY_MS;
    engine.maxStandbyStreamingDelayMs = opts.maxStandbyStreamingDelayMs ?? (envDelay && Number(envDelay) >= -1 ? Number(envDelay) : 30_000);
    // the leader's DROP / rewrite of a table a transaction here holds: PostgreSQL's recovery conflict
    storage.beforeReplicated((dropped, image) => engine.resolveRecoveryConflicts(dropped, image));
    // the leader's DDL and sequence advances, as the log brings them
    storage.onReplicated((change) => {
      if (change.catalog !== undefined) engine.reloadCatalog(change.catalog);
      else engine.restoreSequences();
    });
  }
  const image = storage.loadCatalog();
  if (image) engine.restoreCatalog(image);
  // the DDL of transactions still prepared: before the orphans go (it created some of that storage)
  if (!standbyReads) engine.restorePreparedDdl(storage.preparedTransactions());
  if (!standbyReads) await pruneOrphans(engine, storage);
  const startClock = () => {
    if (opts.commitTimestamps) engine.commitClock = new CommitClock(opts.commitTimestamps, storage);
  };
  if (!standbyReads) startClock();
  // roles created in SQL log in with their stored SCRAM/md5 secret (the wire layer gets a lookup, not the catalog)
  if (security.auth) security.auth.storedSecret = (user) => engine.storedSecret(user);
  const hba = security.hba;
  if (hba) {
    engine.hbaFileRules = () => hba.describe();
    hba.isMemberOf = (user, role) => engine.roleMembership(user, role);
  }
  const wire = await startWireServer({ host: opts.host, port: opts.port, registry: engine, logger: opts.logger, security });
  engine.listenPort = wire.port;
  return {
    port: wire.port,
    queryWorkers,
    get standby() {
      if (!standby || !standbyReads) return undefined;
      return {
        follow: (signal: AbortSignal) => storage.followSharedLog(signal),
        pause: (paused: boolean) => storage.pauseApply(paused),
        lagMs: () => measureLag(standbyReads),
        sessions: () => engine.sessionCount(),
        async promote(shared: SharedSeams) {
          await storage.promote(shared);
          engine.promote();
          engine.restorePreparedDdl(storage.preparedTransactions());
          startClock();
          standby = false;
          opts.logger.info({ sessions: engine.sessionCount() }, 'promoted in place: open sessions go on read-write');
          // what a leader's start does; only housekeeping here (a failure leaves the orphans to the next start)
          await pruneOrphans(engine, storage).catch((e: unknown) => opts.logger.warn({ err: e }, 'could not prune orphaned storage after the promotion'));
        },
      };
    },
    reloadConfig() {
      const hba = security.hba;
      if (!hba) return;
      const r = hba.reload();
      if (r.ok) opts.logger.info({ file: hba.path, rules: r.rules }, 'hba file reloaded');
      else opts.logger.error({ file: hba.path }, `${r.error.message}; hba file was not reloaded`);
    },
    async close() {
      await wire.close();
      engine.commitClock?.close();
      await engine.stopBackground();
      if (searchPool !== queryWorkers) await searchPool?.close();
      await queryWorkers?.close();
      // sequences' log records run up to 32 values ahead: a clean shutdown records their
      // exact state, so they continue without a gap (PostgreSQL's shutdown checkpoint)
      try {
        // (a hot standby writes nothing: the leader's image is the one that counts)
        if (!standby) await engine.saveCatalog();
      } finally {
        // (a full disk: the log still has every sequence record, so nothing is lost)
        await storage.close();
      }
    },
  };
}

/**
 * Storage of a table whose catalog entry never became durable (a crash between the two),
 * and of a vector index the catalog does not have (a REINDEX CONCURRENTLY's new index, cut short).
 */
async function pruneOrphans(engine: Engine, storage: DurableStorage): Promise<void> {
  const live = new Set<number>();
  for (const db of engine.databases.values()) for (const oid of db.tables.keys()) live.add(oid);
  await storage.pruneTables(live);
  const indexNames = new Map<number, Set<string>>();
  for (const db of engine.databases.values()) for (const t of db.tables.values()) indexNames.set(t.oid, new Set(t.indexes.map((i) => i.name)));
  await storage.pruneVectorIndexes(indexNames);
}
