/** The engine: catalog + storage + system relations, shared by all sessions. */
import { AdvisoryLocks } from './advisory-locks.js';
import { unregisterDatabaseDomains, unregisterDatabaseTypes } from '../types/user-types.js';
import { keyPredicates } from '../executor/index-predicate.js';
import type { TempSpace } from '../executor/spill/temp-files.js';
import { ExportedSnapshots } from './snapshots.js';
import { Catalog, OidAllocator, storesRows, parseDatabases, serializeDatabases, type BackendActivity, type CatalogData, type CreateIndexProgress, type HbaFileRule, type IndexDef, type SystemRelation, type TableDef } from '../catalog/catalog.js';
import { SqlError, SqlState } from '../errors.js';
import { buildSystemRelations } from '../catalog/system/relations.js';
import type { PreparedTransaction, Storage } from '../storage/api.js';
import type { SegmentSearchPool } from '../query-worker/pool.js';
import type { Backend, BackendRegistry, ConnectionHandle } from '../wire/backend.js';
import { Session, type EngineState } from './session.js';
import { DdlState } from './ddl-dispatch.js';
import { createdObjects, undoObjects } from './ddl/undo.js';
import { randomInt } from 'node:crypto';
import { AutoAnalyze } from './auto-analyze.js';
import { BOOTSTRAP_ROLE, Roles } from '../catalog/roles.js';
import { textIndexAttachment } from '../executor/text-index-build.js';
import { vectorIndexKeys } from '../executor/vector-index-key.js';
import { keyFunctions } from '../executor/expression-keys.js';
import { NotificationHub } from './notifications.js';
import type { StandbyReads } from '../storage/replica-position.js';
import type { CommitClock } from './commit-clock.js';
import { TempNumbers } from './temp-schema.js';
import { resolveRecoveryConflicts } from './recovery-conflicts.js';

export class Engine implements EngineState, BackendRegistry {
  private readonly oids = new OidAllocator();
  /** the cluster's roles (CREATE ROLE …), saved with the catalog image */
  readonly roles = new Roles(this.oids);
  readonly databases = new Map<string, Catalog>([['postgres', new Catalog('postgres', this.oids)], ['template1', new Catalog('template1', this.oids)]]);
  private readonly system: SystemRelation[] = buildSystemRelations();
  readonly exportedSnapshots = new ExportedSnapshots();
  private readonly sessions = new Map<number, Session>();
  readonly advisoryLocks = new AdvisoryLocks();
  private nextPid = 1000 + (process.pid % 30000);
  readonly notifications = new NotificationHub();
  /** backend numbers of the sessions' temporary schemas (pg_temp_N) */
  readonly tempNumbers = new TempNumbers();
  /** max_connections: a session past it is refused at startup (53300) */
  maxConnections = 100;
  /** the port the wire server listens on (SHOW port); server.ts sets it */
  listenPort: number | undefined;
  /** superuser_reserved_connections: slots only superusers may take */
  superuserReservedConnections = 3;
  /** max_prepared_transactions (two-phase.ts): PostgreSQL's default 0 turns PREPARE TRANSACTION off */
  maxPreparedTransactions = 0;
  readonly preparedDdl = new Map<string, { readonly database: string; readonly ddl: DdlState }>();
  /** pg_hba_file_rules' rows: server.ts points this at the --hba file */
  hbaFileRules: () => readonly HbaFileRule[] = () => [];

  /**
   * Cluster mode's hot standby: sessions are read-only (pg_is_in_recovery() is true) and
   * read at the position the shared log is applied to, waiting per quiver.consistency
   * (read-consistency.ts). Undefined on a leader or a standalone server.
   */
  standby: StandbyReads | undefined;
  /**
   * A shard leader of a sharded cluster: its commits get the timestamp oracle's timestamps
   * and statements read at the router's (commit-clock.ts). Undefined elsewhere.
   */
  commitClock: CommitClock | undefined;
  /**
   * A hot standby's pg_promote(): ask the node to take the leadership now (data-role.ts);
   * resolves once asked, rejects if it could not be. Undefined where nothing can promote it.
   */
  requestPromotion: (() => Promise<void>) | undefined;
  /** a hot standby: how long applying the log waits for transactions holding a table it drops or rewrites (ms; -1: for ever) */
  maxStandbyStreamingDelayMs = 30_000;
  /** pg_promote(wait => true) calls waiting for Engine.promote */
  private promotionWaiters: (() => void)[] = [];

  /** analyzes tables in the background after seals, bulk loads and compactions */
  private readonly autoAnalyze: AutoAnalyze;

  constructor(readonly storage: Storage, readonly queryWorkers?: SegmentSearchPool, readonly tempSpace?: TempSpace) {
    this.autoAnalyze = new AutoAnalyze(storage, () => this.databases.values(), () => this.saveCatalog());
  }

  /** The server stops: background work ends first. */
  async stopBackground(): Promise<void> {
    await this.autoAnalyze.stop();
  }

  /**
   * A hot standby: its statistics, like everything else, come from the leader's catalog
   * images (no auto-analyze here), and every write is refused.
   */
  becomeStandby(reads: StandbyReads): void {
    this.standby = reads;
    void this.autoAnalyze.stop();
  }

  /**
   * A hot standby is about to apply a batch that drops tables `dropped` or carries the
   * catalog `image`: transactions holding a table it drops or rewrites get
   * max_standby_streaming_delay to end, then are ended (recovery-conflicts.ts).
   */
  async resolveRecoveryConflicts(dropped: ReadonlySet<number>, image: string | undefined): Promise<number> {
    const ended = await resolveRecoveryConflicts(() => this.sessions.values(), () => this.databases.values(), dropped, image, this.maxStandbyStreamingDelayMs);
    for (const h of ended) this.recoveryConflictCounts.set(h.databaseName, (this.recoveryConflictCounts.get(h.databaseName) ?? 0) + 1);
    return ended.length;
  }

  /** the transactions ended by recovery conflicts on this hot standby, per database (pg_stat_database_conflicts) */
  readonly recoveryConflictCounts = new Map<string, number>();

  /** Resolves once this hot standby is promoted (at once if it is not one). */
  whenPromoted(): Promise<void> {
    if (!this.standby) return Promise.resolve();
    return new Promise((resolve) => this.promotionWaiters.push(resolve));
  }

  /**
   * The hot standby was promoted (its storage writes the shared log now): every session,
   * open ones included, is an ordinary read-write one (Session.endRecovery), and statistics
   * are this node's own again.
   */
  promote(): void {
    this.standby = undefined;
    this.requestPromotion = undefined;
    for (const w of this.promotionWaiters.splice(0)) w();
    this.autoAnalyze.start();
    for (const s of this.sessions.values()) s.endRecovery();
  }

  /** Load the durable catalog image (at start, before sessions). */
  restoreCatalog(image: string): void {
    this.databases.clear();
    this.reloadCatalog(image);
  }

  /**
   * A catalog image the leader logged, applied by a hot standby while sessions run: each
   * database's Catalog is loaded in place, so sessions keep theirs and its version moves
   * (their prepared statements are bound again, as after DDL on the leader).
   */
  reloadCatalog(image: string): void {
    const data = parseDatabases(image);
    this.oids.next = Math.max(this.oids.next, data.nextOid);
    if (data.roles) this.roles.loadData(data.roles);
    for (const name of [...this.databases.keys()]) {
      if (name in data.databases) continue;
      this.databases.delete(name);
      unregisterDatabaseTypes(name);
      unregisterDatabaseDomains(name);
    }
    for (const [name, d] of Object.entries(data.databases)) {
      let c = this.databases.get(name);
      if (!c) this.databases.set(name, (c = new Catalog(name, this.oids)));
      c.loadData(d);
    }
    // tables with a GIN index keep a small growing segment (storage does not persist that);
    // storage gets each GIN index's tokenizer and file builder: segments without their
    // lists' file get one, built in a worker thread (files of indexes the catalog no longer
    // has go). Lists in no file (a lexeme the file cannot hold) are built by the first query.
    for (const c of this.databases.values()) {
      for (const t of c.tables.values()) {
        const gins = t.indexes.filter((i) => i.method === 'gin');
        if (storesRows(t)) this.storage.attachTextIndexes?.(t.oid, gins.map(textIndexAttachment));
        // expression vector indexes: their keys' functions (segments wait for them to be indexed)
        if (storesRows(t) && t.indexes.some((i) => i.expression)) this.storage.attachVectorKeys?.(t.oid, vectorIndexKeys(t));
        // expression B-tree keys: their functions (keys recovered without them are indexed now)
        const keyed = storesRows(t) ? [...t.indexes, ...inheritedIndexes(c, t)] : [];
        if (keyed.some((i) => i.expression)) this.storage.attachKeyFunctions?.(t.oid, keyFunctions({ ...t, indexes: keyed }));
        // partial unique keys: their WHERE's test (keys recovered without it are indexed now)
        if (keyed.some((i) => i.predicateTree)) this.storage.attachKeyPredicates?.(t.oid, keyPredicates({ ...t, indexes: keyed }));
        if (gins.length) this.storage.keepGrowingSmall?.(t.oid, true);
      }
    }
    this.restoreSequences();
  }

  /** sequence advances logged after the image (OIDs are unique across databases) */
  restoreSequences(): void {
    for (const [oid, state] of this.storage.loadSequences()) for (const c of this.databases.values()) c.restoreSequence(oid, state);
  }

  /** A sequence record was not written (disk full): no sequence may count on its last record. */
  forgetSequenceLogs(): void {
    for (const c of this.databases.values()) c.forgetSequenceLogs();
  }

  async saveCatalog(): Promise<void> {
    await this.storage.saveCatalog(this.catalogImage());
  }

  /**
   * The catalog image to make durable: open transactions' DDL is left out until their COMMIT,
   * except the DDL of `committing` (the session whose COMMIT writes this image with its rows).
   * Call it right before the write: the image holds each sequence's state (the storage drops
   * their log records with it), so each sequence logs afresh from here.
   */
  catalogImage(committing?: DdlState): string {
    const committedView = (c: Catalog): CatalogData => {
      let data = c.toData();
      for (const s of this.sessions.values()) if (s.ddl !== committing) data = s.withoutUncommittedDdl(c, data);
      for (const p of this.preparedDdl.values()) if (p.ddl !== committing && p.database === c.name) data = p.ddl.withoutUncommitted(data);
      // temporary objects end with their session: a restart must not find them
      return c.durableData(data);
    };
    for (const c of this.databases.values()) c.forgetSequenceLogs();
    return serializeDatabases(this.oids, this.databases, committedView, this.roles.toData());
  }

  /**
   * The DDL of transactions prepared before a restart (or a promotion), from the catalog
   * images their records keep: the objects they created go back into the catalog, to be
   * dropped again by ROLLBACK PREPARED (two-phase.ts prepares only DDL that creates).
   */
  restorePreparedDdl(prepared: readonly PreparedTransaction[]): void {
    for (const p of prepared) {
      if (p.catalog === undefined || this.preparedDdl.has(p.gid)) continue;
      const image = parseDatabases(p.catalog);
      this.oids.next = Math.max(this.oids.next, image.nextOid);
      const c = this.databases.get(p.database);
      const after = image.databases[p.database];
      if (!c || !after) continue;
      const before = c.snapshotData();
      const created = new Set(createdObjects(before, after));
      c.loadData(undoObjects(after, before, created));
      c.version++;
      this.preparedDdl.set(p.gid, { database: p.database, ddl: DdlState.restored(before, created) });
    }
  }

  database(name: string): Catalog | undefined {
    return this.databases.get(name);
  }

  /** CREATE DATABASE by `owner` (datdba). */
  async createDatabase(name: string, owner = BOOTSTRAP_ROLE): Promise<void> {
    if (this.databases.has(name)) throw new SqlError('42P04', `database "${name}" already exists`);
    this.databases.set(name, new Catalog(name, this.oids));
    delete this.roles.databases[name];
    if (owner !== BOOTSTRAP_ROLE) this.roles.database(name).owner = owner;
    await this.saveCatalog();
  }

  async dropDatabase(name: string, missingOk: boolean, current: string): Promise<boolean> {
    const c = this.databases.get(name);
    if (!c) {
      if (missingOk) return false;
      throw new SqlError(SqlState.invalidCatalogName, `database "${name}" does not exist`);
    }
    if (name === current) throw new SqlError(SqlState.objectInUse, 'cannot drop the currently open database');
    const others = [...this.sessions.values()].filter((s) => s.databaseName === name).length;
    if (others > 0) {
      throw new SqlError(SqlState.objectInUse, `database "${name}" is being accessed by other users`, {
        detail: `There ${others === 1 ? 'is 1 other session' : `are ${others} other sessions`} using the database.`,
      });
    }
    for (const t of c.tables.values()) await this.storage.dropTable(t.oid);
    this.databases.delete(name);
    unregisterDatabaseTypes(name);
    unregisterDatabaseDomains(name);
    // its pg_database row and pg_db_role_setting rows go with it
    delete this.roles.databases[name];
    this.roles.settings = this.roles.settings.filter((x) => x.database !== name);
    await this.saveCatalog();
    return true;
  }

  systemRelation(schema: string | undefined, name: string): SystemRelation | undefined {
    if (schema !== undefined && schema !== 'pg_catalog' && schema !== 'information_schema') return undefined;
    // Unqualified names find pg_catalog relations (it is implicitly first on the search path).
    return this.system.find((r) => r.name === name && (schema === undefined ? r.schema === 'pg_catalog' : r.schema === schema));
  }

  allSystemRelations(): readonly SystemRelation[] {
    return this.system;
  }

  create(connection?: ConnectionHandle): Backend {
    const pid = this.nextPid++;
    const session = new Session(this, pid, randomInt(1, 2 ** 31 - 1), connection);
    this.sessions.set(pid, session);
    const close = session.close.bind(session);
    session.close = () => {
      close();
      this.sessions.delete(pid);
    };
    return session;
  }

  /** A role's superuser flag; a user no CREATE ROLE made (--users, trust) becomes a superuser role on its first login. */
  isSuperuser(user: string): boolean {
    return this.roles.find(user)?.superuser ?? true;
  }

  /** pg_hba's `+role` / samerole test: membership by grants (is_member_of_role_nosuper); unknown names are no member. */
  roleMembership(user: string, role: string): boolean {
    const u = this.roles.find(user);
    const r = this.roles.find(role);
    return !!u && !!r && this.roles.isMemberIgnoringSuperuser(u.oid, r.oid);
  }

  sessionCount(): number {
    return this.sessions.size;
  }

  sessionsOfRole(roleOid: number): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.loginRoleOid === roleOid) n++;
    return n;
  }

  /**
   * The stored secret of a role for the wire layer's password check: undefined for no such
   * role, null for no password; a role past its VALID UNTIL gets a secret nothing matches
   * (PostgreSQL: "User … has an expired password").
   */
  storedSecret(user: string): string | null | undefined {
    const r = this.roles.find(user);
    if (!r) return undefined;
    if (r.validUntil !== null && r.validUntil < Date.now() * 1000) return 'expired';
    return r.password;
  }

  activities(): BackendActivity[] {
    return [...this.sessions.values()].map((s) => s.activitySnapshot());
  }

  createIndexProgress(): CreateIndexProgress[] {
    return [...this.sessions.values()].flatMap((s) => s.indexBuild.row() ?? []);
  }

  signalBackend(pid: number, how: 'cancel' | 'terminate'): boolean {
    const s = this.sessions.get(pid);
    if (!s) return false;
    if (how === 'cancel') s.cancel();
    else s.terminate();
    return true;
  }

  cancel(processId: number, secretKey: number): void {
    const s = this.sessions.get(processId);
    if (s && s.secret === secretKey) s.cancel();
  }
}

/** The indexes of a partition's ancestors: a B-tree index of a partitioned table is a key of each leaf's storage (ddl/indexes.ts). */
function inheritedIndexes(catalog: Catalog, table: TableDef): IndexDef[] {
  const out: IndexDef[] = [];
  for (let p = table.partitionOf && catalog.tables.get(table.partitionOf.parent); p; p = p.partitionOf && catalog.tables.get(p.partitionOf.parent)) out.push(...p.indexes);
  return out;
}
