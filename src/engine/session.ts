/**
 * A client session: the Backend the wire layer talks to. It owns the session's state
 * (settings, transaction, cursors, DDL undo) and the entry points: startup, prepare,
 * execute, notices. Statements run in dispatch.ts and the modules it calls.
 */
import { advisoryKey, advisoryLock, advisoryStatementEnded, advisoryUnlock, type AdvisoryCaller } from './advisory-lock-calls.js';
import type { AdvisoryLevel, AdvisoryLocks, AdvisoryMode } from './advisory-locks.js';
import { declaredParamType, setTypeScope } from '../types/user-types.js';
import { bindDomainConstraints } from '../sql/bind-domain.js';
import { SqlError, SqlState, toSqlError, type SqlNotice } from '../errors.js';
import { storesRows, type BackendActivity, type Catalog, type CatalogData, type SequenceLogger } from '../catalog/catalog.js';
import { optimize } from '../planner/optimize.js';
import type { Expr } from '../planner/plan.js';
import type { SelectBinder } from '../sql/bind-select.js';
import { newSelectBinder } from '../sql/select-binder.js';
import { splitStatements } from '../sql/parser.js';
import { uniqueViolationError } from '../executor/dml.js';
import { domainChecker, type ExecEnv } from '../executor/expr.js';
import { collect, runPlan, type RunContext } from '../executor/operators.js';
import { textCorpusOf } from '../executor/text-corpus.js';
import { UniqueViolation, WriteConflict, type Transaction } from '../storage/api.js';
import type { Row, Value } from '../types/types.js';
import type { Backend, ConnectionHandle, ExecResult, FieldInfo, PreparedStatement, StartupInfo } from '../wire/backend.js';
import { systemFunction, type SessionInfo } from './system-functions.js';
import { quoteIdent } from '../types/identifiers.js';
import { bindFunctionArgs, bindFunctionBody, findSqlFunction } from '../sql/bind-function.js';
import type { EngineState, SessionContext } from './context.js';
import { SessionSettings } from './session-settings.js';
import { Transactions, endImplicit, endWithoutWrites } from './transactions.js';
import { runOnCommitActions } from './temp-on-commit.js';
import { Cursors } from './cursors.js';
import { SessionSequenceValues } from './session-sequence-values.js';
import { SqlPreparedStatements } from './sql-prepared.js';
import { DdlState } from './ddl-dispatch.js';
import { prepareStatement, type QuiverStatement } from './prepare.js';
import { runStatement } from './dispatch.js';
import { evalContext, procName, regLookups, relationName, relationOid, sessionFunctions, systemContext, userFunctionOid, type SessionFunctions } from './session-services.js';
import { TimeSlice } from '../executor/suspend.js';
import { StatementRunContext } from './run-context.js';
import { pgPromote, type PromoteCaller } from './promote-function.js';
import { conflictCancel, conflictTerminate } from './recovery-conflicts.js';
import type { Access } from '../sql/bind-select.js';
import type { EvalContext } from '../functions/api.js';
import { StatementControl } from './statement-control.js';
import { Activity } from './activity.js';
import { IndexBuildProgress } from './index-build-progress.js';
import { settingBytes, settingMillis } from './settings.js';
import { SessionNotifications, type Notification } from './notifications.js';
import { databaseOid } from '../catalog/system/relations.js';
import { BOOTSTRAP_ROLE, type Roles } from '../catalog/roles.js';
import { functionPath, parseSearchPath, schemaUsable } from '../catalog/schemas.js';
import { checkConnectPrivilege, currentRoleName, loginRole, syncIsSuperuser } from './session-roles.js';
import { checkConnectionSlot } from './connection-slots.js';
import type { ParseSettings, RegNameLookups } from '../types/text-io.js';
import { READ_TIMESTAMP_SETTING, readsNoData, snapshotAtReadTimestamp, waitForConsistency } from './read-consistency.js';
import { SessionTempSchema, dropTempStorage } from './temp-schema.js';
import { StatementCache, type PlanReads, type StatementCacheSession } from './statement-cache.js';
import { nowMicros } from '../types/datetime.js';

export type { EngineState };

export class Session implements Backend, SessionInfo, SessionContext {
  readonly pid: number;
  readonly secret: number;
  readonly settings = new SessionSettings();
  readonly tx = new Transactions();
  readonly cursors = new Cursors();
  readonly sequenceValues = new SessionSequenceValues();
  readonly sqlPrepared: SqlPreparedStatements;
  readonly ddl = new DdlState();
  /** pg_temp_N: this session's temporary objects */
  readonly temp: SessionTempSchema;
  notices: SqlNotice[] = [];
  /** cancel, statement_timeout and lock_timeout of the running statement */
  readonly control = new StatementControl();
  /** what pg_stat_activity shows of this session */
  readonly activity: Activity;
  /** what pg_stat_progress_create_index shows of this session */
  readonly indexBuild: IndexBuildProgress;
  /** LISTEN / UNLISTEN / NOTIFY of this session's transaction, and what it listens to */
  readonly notifications: SessionNotifications;
  /** idle_in_transaction_session_timeout's timer while idle in a transaction block */
  private idleTimer: NodeJS.Timeout | undefined;
  /**
   * Snapshots the running statement reads at. They stay retained until the statement ends,
   * because a statement yields between batches and compaction may run meanwhile.
   */
  private readonly statementPins: (() => void)[] = [];
  private user = 'postgres';
  private database = 'postgres';
  /** the role that logged in */
  loginRoleOid = BOOTSTRAP_ROLE;
  private db: Catalog | undefined;

  constructor(readonly engine: EngineState, pid: number, secret: number, private readonly connection?: ConnectionHandle) {
    this.pid = pid;
    this.secret = secret;
    this.temp = new SessionTempSchema(engine.tempNumbers);
    this.sqlPrepared = new SqlPreparedStatements(connection?.protocolStatements);
    this.activity = new Activity(pid, { address: connection?.remoteAddress ?? '', port: connection?.remotePort });
    this.indexBuild = new IndexBuildProgress(pid, () => this.database);
    this.notifications = new SessionNotifications(engine.notifications, pid, () => this.database, () => {
      if (this.tx.idle) connection?.notificationsArrived?.();
    });
    this.tx.defaultReadOnly = () => this.settings.get('default_transaction_read_only') === 'on';
  }

  activitySnapshot(): BackendActivity {
    return this.activity.snapshot(this.database, this.user, this.settings.get('application_name') ?? '');
  }

  /** pg_terminate_backend, idle_in_transaction_session_timeout: FATAL, then the connection closes */
  terminate(error = new SqlError(SqlState.adminShutdown, 'terminating connection due to administrator command')): void {
    this.control.cancel();
    this.connection?.terminate(error);
  }

  relationBytes(tableOid: number): { table: number; indexes: ReadonlyMap<string, number> } {
    return this.engine.storage.relationBytes(tableOid);
  }

  commitPosition(): number {
    return this.engine.storage.snapshot().ts;
  }

  databaseNames(): string[] {
    return [...this.engine.databases.keys()];
  }

  databaseBytes(database: string | number): bigint | null {
    const names = [...this.engine.databases.keys()];
    const catalog = typeof database === 'string' ? this.engine.database(database)
      : this.engine.databases.get(names.find((d) => databaseOid({ databases: names }, d) === database) ?? '');
    if (!catalog) return null;
    let n = 0;
    for (const t of catalog.tables.values()) {
      if (!storesRows(t)) continue;
      const sizes = this.engine.storage.relationBytes(t.oid);
      n += sizes.table;
      for (const b of sizes.indexes.values()) n += b;
    }
    return BigInt(n);
  }

  notify(channel: string | null, payload: string | null): void {
    if (this.engine.standby) throw new SqlError('25006', 'cannot execute NOTIFY during recovery');
    this.notifications.notify(channel, payload);
  }

  exportSnapshot(): string {
    const snapshot = this.tx.statementSnapshot(this.engine.storage, this.settings);
    const id = this.engine.exportedSnapshots.export(this.engine.storage, this.pid, snapshot);
    // outside a block the snapshot ends with the statement (PostgreSQL: with its implicit transaction)
    if (!this.tx.idle) this.tx.exported.push(id);
    else queueMicrotask(() => this.engine.exportedSnapshots.forget([id]));
    return id;
  }

  /** a hot standby: the tables this session's transaction has read (recovery-conflicts.ts) */
  readonly heldRelations = new Set<number>();
  /** a statement is running (a recovery conflict cancels it; between statements it ends the connection) */
  private running = false;

  holdRelations(accessed: readonly Access[]): void {
    if (!this.engine.standby) return;
    for (const a of accessed) if ('table' in a && a.table) this.heldRelations.add(a.table.oid);
  }

  recoveryConflict(): void {
    if (this.running) this.control.cancel(conflictCancel());
    else this.terminate(conflictTerminate());
  }

  /** pg_promote's wait in progress (promote-function.ts) */
  promotionWait: PromoteCaller['promotionWait'];

  promote(wait: boolean, waitSeconds: number, ctx: EvalContext): boolean {
    return pgPromote(this, wait, waitSeconds, ctx);
  }

  warn(message: string): void {
    this.notices.push({ severity: 'WARNING', code: SqlState.warning, message });
  }

  // ------------------------------------------------------------------ advisory locks (advisory-lock-calls.ts)

  advisoryWait: AdvisoryCaller['advisoryWait'];

  get advisoryLockTable(): AdvisoryLocks {
    return this.engine.advisoryLocks;
  }

  lockTimeoutMs(): number {
    return settingMillis(this.settings.get('lock_timeout'));
  }

  deadlockTimeoutMs(): number {
    return settingMillis(this.settings.get('deadlock_timeout'));
  }

  databaseOid(name: string): number {
    return databaseOid({ databases: [...this.engine.databases.keys()] }, name);
  }

  waitingForAdvisoryLock(waiting: boolean): void {
    this.activity.waitingForAdvisoryLock(waiting);
  }

  advisoryLock(fn: string, args: readonly Value[], mode: AdvisoryMode, level: AdvisoryLevel, wait: boolean, ctx: EvalContext): boolean {
    return advisoryLock(this, fn, advisoryKey(this.database, args), mode, level, wait, ctx);
  }

  advisoryUnlock(args: readonly Value[], mode: AdvisoryMode): boolean {
    return advisoryUnlock(this, advisoryKey(this.database, args), mode);
  }

  advisoryUnlockAll(): void {
    this.engine.advisoryLocks.releaseAll(this.pid, 'session');
  }

  signalBackend(pid: number, how: 'cancel' | 'terminate'): boolean {
    if (this.engine.signalBackend(pid, how)) return true;
    this.notices.push({ severity: 'WARNING', code: '01000', message: `PID ${pid} is not a PostgreSQL backend process` });
    return false;
  }

  get catalog(): Catalog {
    if (!this.db) throw new SqlError(SqlState.internalError, 'bug: session has no database');
    return this.db;
  }

  get databaseName(): string {
    return this.database;
  }

  // ------------------------------------------------------------------ Backend

  startup(params: Record<string, string>): StartupInfo {
    this.user = params.user ?? 'postgres';
    this.database = params.database ?? this.user;
    checkConnectionSlot(this.engine.sessionCount(), this.engine.maxConnections, this.engine.superuserReservedConnections, this.engine.isSuperuser(this.user));
    this.loginRoleOid = loginRole(this.engine, this.user).oid;
    this.db = this.engine.database(this.database);
    if (!this.db) throw new SqlError(SqlState.invalidCatalogName, `database "${this.database}" does not exist`, { severity: 'FATAL' });
    checkConnectPrivilege(this.engine.roles, this.loginRoleOid, this.database);
    // ALTER ROLE / DATABASE … SET: below the client's own parameters in precedence
    this.settings.startup(params, this.user, this.engine.roles.sessionDefaults(this.database, this.loginRoleOid));
    syncIsSuperuser(this.engine, this.settings);
    this.settings.setRaw('max_connections', String(this.engine.maxConnections));
    this.settings.setRaw('max_prepared_transactions', String(this.engine.maxPreparedTransactions));
    if (this.engine.standby) {
      // PostgreSQL's hot standby: reported to the client (libpq's target_session_attrs reads it)
      this.tx.hotStandby = true;
      this.settings.setRaw('in_hot_standby', 'on');
      this.settings.setRaw('transaction_read_only', 'on');
      this.settings.setRaw('max_standby_streaming_delay', formatDelay(this.engine.maxStandbyStreamingDelayMs));
    }
    this.settings.setRaw('superuser_reserved_connections', String(this.engine.superuserReservedConnections));
    if (this.engine.listenPort !== undefined) this.settings.setRaw('port', String(this.engine.listenPort));
    return { parameterStatus: this.settings.reported(), processId: this.pid, secretKey: this.secret };
  }

  /**
   * The hot standby this session is on was promoted (Engine.promote), as by PostgreSQL's
   * pg_promote(): the session goes on, read-write. in_hot_standby is off at once (SHOW,
   * pg_is_in_recovery()) and reported before the next ReadyForQuery, as PostgreSQL's
   * ReportChangedGUCOptions does; a transaction block begun during recovery stays read-only
   * until it ends (PostgreSQL sets XactReadOnly when a transaction starts).
   */
  endRecovery(): void {
    if (!this.tx.hotStandby) return;
    this.tx.hotStandby = false;
    this.settings.report('in_hot_standby', 'off');
    if (this.tx.idle) this.settings.setRaw('transaction_read_only', this.tx.effectiveReadOnly ? 'on' : 'off');
  }

  splitStatements(sql: string): string[] {
    return splitStatements(sql);
  }

  transactionStatus(): 'I' | 'T' | 'E' {
    return this.tx.status();
  }

  takeNotices(): SqlNotice[] {
    const n = this.notices;
    this.notices = [];
    const min = NOTICE_LEVELS.indexOf(this.settings.get('client_min_messages') ?? 'notice');
    return n.filter((x) => NOTICE_LEVELS.indexOf(x.severity.toLowerCase()) >= min);
  }

  /** notifications to send: only between transactions, as PostgreSQL delivers them */
  takeNotifications(): Notification[] {
    return this.tx.idle ? this.notifications.take() : [];
  }

  takeParameterChanges(): [string, string][] {
    return this.settings.takeParameterChanges();
  }

  setting(name: string): string | undefined {
    return this.settings.get(name);
  }

  cancel(): void {
    this.control.cancel();
  }

  /** a hot standby waited for quiver.consistency before this statement was parsed (cleared at Sync) */
  consistencyWaited = false;

  /**
   * Before a statement is parsed on a hot standby: wait as quiver.consistency asks, so a
   * table the leader created is known to the parse, and the statement's execution (right
   * after, in the same Query or Parse … Sync) does not wait again.
   */
  beforeStatement(sql: string): Promise<void> | undefined {
    const standby = this.engine.standby;
    if (!standby || this.consistencyWaited || readsNoData(sql)) return undefined;
    this.control.begin(settingMillis(this.settings.get('statement_timeout')));
    let shown = false;
    const waiting = (on: boolean) => {
      if (on) shown = true;
      this.activity.waitingForLog(on, sql.trim(), !this.tx.idle);
    };
    return waitForConsistency(standby, (n) => this.settings.get(n), this.control, waiting).then(
      () => { this.consistencyWaited = true; this.control.end(); },
      (e) => {
        this.control.end();
        // failed before it was parsed (57014): no statementEnded follows
        if (shown) this.activity.statementEnded(this.transactionStatus());
        throw e;
      },
    );
  }

  /** Before an executed statement's snapshot (dispatch.ts): the wait, unless the parse just did it. */
  async awaitConsistency(): Promise<void> {
    const clock = this.engine.commitClock;
    if (clock) {
      this.tx.timestampSnapshot = undefined;
      // a REPEATABLE READ block's snapshot is taken already: nothing to wait for
      if (this.tx.snapshot) {
        this.settings.setRaw(READ_TIMESTAMP_SETTING, '');
        return;
      }
      this.tx.timestampSnapshot = await snapshotAtReadTimestamp(clock, (n) => this.settings.get(n), () => this.settings.setRaw(READ_TIMESTAMP_SETTING, ''), this.control,
        (on) => this.activity.waitingForLog(on));
      return;
    }
    const standby = this.engine.standby;
    if (!standby) return;
    if (this.consistencyWaited) {
      this.consistencyWaited = false;
      return;
    }
    await waitForConsistency(standby, (n) => this.settings.get(n), this.control, (on) => this.activity.waitingForLog(on));
  }

  simpleQueryStarted(statements: number): void {
    this.tx.implicitBlock = statements > 1;
    // a single statement commits on its own; several share one implicit block
    this.tx.implicitMode = statements > 1 ? 'query' : undefined;
  }

  extendedExecuteStarted(): void {
    this.tx.implicitMode ??= 'pipeline';
  }

  sync(): Promise<void> | undefined {
    this.consistencyWaited = false;
    this.tx.implicitMode = undefined;
    if (this.tx.implicit) {
      // a read-only one ends at once (ON COMMIT actions of temp tables need the slow path)
      if (this.temp.name !== undefined || !endWithoutWrites(this)) return this.endImplicit();
      this.implicitEnded();
    }
    this.syncEnded();
    return undefined;
  }

  /** Sync ends the implicit transaction: it commits (or rolls back after an error), as a statement's own would. */
  private async endImplicit(): Promise<void> {
    try {
      if (await endImplicit(this)) await runOnCommitActions(this);
    } catch (e) {
      throw this.translateStorageError(e);
    } finally {
      this.syncEnded();
      if (this.tx.idle) this.implicitEnded();
    }
  }

  /** the implicit transaction is over: LISTEN takes effect, NOTIFYs go out, what it read is no longer held */
  private implicitEnded(): void {
    this.notifications.commit();
    this.heldRelations.clear();
    this.engine.advisoryLocks.releaseAll(this.pid, 'xact');
    clearTimeout(this.idleTimer);
    this.activity.statementEnded('I');
  }

  private syncEnded(): void {
    if (this.tx.implicitBlock) {
      this.tx.implicitBlock = false;
      // the implicit block of a multi-statement Query ends: its cursors close (a BEGIN in it made a real block, which goes on)
      if (this.tx.idle) this.cursors.closeImplicit();
    }
    // a Parse that waited for the log, with no Execute after it: the session is idle again
    this.activity.endUnrunStatement(this.transactionStatus());
  }

  checkCancelled(): void {
    this.control.check();
  }

  statementStarted(text: string): void {
    clearTimeout(this.idleTimer);
    this.running = true;
    this.control.begin(settingMillis(this.settings.get('statement_timeout')));
    this.activity.statementStarted(text, !this.tx.idle);
  }

  statementEnded(): void {
    this.running = false;
    this.control.end();
    // (popped, not spliced: no array per statement)
    for (let release = this.statementPins.pop(); release; release = this.statementPins.pop()) release();
    advisoryStatementEnded(this);
    const status = this.transactionStatus();
    // the transaction is over (or failed: PostgreSQL releases its locks at the abort): what it read is no longer held
    if (status !== 'T') {
      this.heldRelations.clear();
      this.engine.advisoryLocks.releaseAll(this.pid, 'xact');
    }
    // outside a block (autocommit, or a COMMIT just done) the transaction is over: LISTEN
    // takes effect and NOTIFYs go out (a failed statement's were discarded already)
    if (status === 'I') {
      this.notifications.commit();
      // (a failed one's ended in dispatch's statementFailed)
      this.settings.endStatement(true, this.tx.effectiveReadOnly);
    }
    this.activity.statementEnded(status);
    const ms = settingMillis(this.settings.get('idle_in_transaction_session_timeout'));
    // (not between the statements of an implicit transaction: the client is not idle before its Sync)
    if (status !== 'I' && ms > 0 && !this.tx.implicit) {
      this.idleTimer = setTimeout(() => {
        this.terminate(new SqlError(SqlState.idleInTransactionSessionTimeout, 'terminating connection due to idle-in-transaction timeout'));
      }, ms);
      this.idleTimer.unref();
    }
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.notifications.close();
    advisoryStatementEnded(this);
    this.engine.advisoryLocks.sessionEnded(this.pid);
    // streaming cursors hold a snapshot and maybe temp files
    this.cursors.clear();
    if (this.tx.txn) this.tx.txn.rollback();
    if (this.ddl.pending) void this.ddl.finish(this, false);
    this.tx.txn = undefined;
    this.tx.state = 'idle';
    // temporary objects end with the session (their storage goes in the background)
    if (this.db) void dropTempStorage(this.engine.storage, this.temp.end(this.db));
  }

  /** A Bind parameter declared as a domain: its NOT NULL and CHECKs, as domain_in applies them. */
  checkParam(oid: number, value: Value): void {
    const type = declaredParamType(oid);
    if (type.domain === undefined) return;
    const check = domainChecker(bindDomainConstraints(this.binder([]), type.domain));
    check(value, this.execEnv([], this.runContext(this.tx.txn)));
  }

  prepare(sql: string, paramTypes: readonly number[]): QuiverStatement {
    // (in a failed block the statement is refused as prepareStatement says)
    const cached = this.tx.state === 'failed' ? undefined : this.statementCache.get(this.cacheView, sql, paramTypes);
    if (cached) return cached;
    const reads: PlanReads = { rowCounts: new Map(), time: false };
    const notices = this.notices.length;
    const generation = this.settings.generation;
    this.planReads = reads;
    let stmt: QuiverStatement;
    try {
      stmt = prepareStatement(this, sql, paramTypes);
    } catch (e) {
      // Like PostgreSQL, an error while parsing or binding aborts the transaction block too.
      this.tx.abort();
      throw e;
    } finally {
      this.planReads = undefined;
    }
    if (this.notices.length === notices && this.settings.generation === generation) this.statementCache.offer(this.cacheView, sql, paramTypes, stmt, reads, generation);
    return stmt;
  }

  /** SELECTs this session prepared, by text: a simple Query or Parse of the same text again is not parsed, bound and planned again */
  private readonly statementCache = new StatementCache();
  /** what planning the statement being prepared reads that may change (costEnvOf, binder) */
  planReads: PlanReads | undefined;
  private readonly cacheView: StatementCacheSession = sessionCacheView(this);

  execute(prepared: PreparedStatement, params: readonly Value[]): Promise<ExecResult> {
    try {
      const result = runStatement(this, prepared as QuiverStatement, params);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** regclass output on the wire: the relation's name, quoted where needed (numbers when unknown) */
  regclassName(oid: number): string | undefined {
    return relationName(this, oid, quoteIdent);
  }

  /** regproc output on the wire: the function's name (numbers when unknown) */
  regprocName(oid: number, signature?: boolean): string | undefined {
    return procName(this, oid, signature);
  }

  /** reg* input of Bind parameters by name (regclass, regproc, regnamespace, regrole) and regnamespace / regrole output */
  regLookups(): RegNameLookups {
    return { relationOid: (name) => relationOid(this, name), ...regLookups(this) };
  }

  /** Describe of a portal that is an SQL cursor (DECLARE): its columns; undefined if there is no such cursor. */
  hasSqlPreparedStatement(name: string): boolean {
    return this.sqlPrepared.peek(name) !== undefined;
  }

  describeCursor(name: string): FieldInfo[] | undefined {
    return this.cursors.fields(name);
  }

  /** An error outside statement execution (e.g. a wire-level Describe/Bind failure) aborts the transaction block, as in PostgreSQL. */
  abortBlock(): void {
    this.tx.abort();
  }

  // ------------------------------------------------------------------ SessionInfo

  get endpoints(): SessionInfo['endpoints'] {
    const c = this.connection;
    return { client: c?.remoteAddress ?? '', clientPort: c?.remotePort, server: c?.localAddress ?? '', serverPort: c?.localPort };
  }

  get roles(): Roles {
    return this.engine.roles;
  }

  /** current_user's role (a role dropped meanwhile by another session: the one that logged in) */
  currentRoleOid(): number {
    return this.engine.roles.find(currentRoleName(this.settings))?.oid ?? this.loginRoleOid;
  }

  setSetting(name: string, value: string, isLocal: boolean): void {
    this.settings.set(name, value, isLocal);
  }

  searchPath(): string[] {
    const raw = this.settings.get('search_path') ?? '"$user", public';
    const roles = this.engine.roles;
    const role = this.currentRoleOid();
    const user = currentRoleName(this.settings);
    // the path as written depends on these three only: parsed again when one changes (each Execute's re-bind check reads it)
    const written = this.writtenPath;
    let path: readonly string[];
    if (written && written.raw === raw && written.user === user && written.temp === this.temp.name) path = written.path;
    else {
      path = this.temp.relationPath(parseSearchPath(raw, user));
      this.writtenPath = { raw, user, temp: this.temp.name, path };
    }
    // which schemas current_user may use changes with GRANTs: checked at each call
    return path.filter((s) => schemaUsable(this.catalog, roles, role, s));
  }

  private writtenPath: { raw: string; user: string; temp: string | undefined; path: readonly string[] } | undefined;

  /**
   * `data` (an image of `catalog`) without this session's uncommitted DDL: what the durable
   * catalog image may hold while the transaction is open.
   */
  withoutUncommittedDdl(catalog: Catalog, data: CatalogData): CatalogData {
    return catalog === this.db ? this.ddl.withoutUncommitted(data) : data;
  }

  // ------------------------------------------------------------------ SessionContext

  binder(paramTypes: number[]): SelectBinder {
    // type names bound from here on resolve in this session's database and path
    setTypeScope(this.catalog.name, this.searchPath(), (s) => this.catalog.schemaExists(s));
    return newSelectBinder((self) => ({
      catalog: this.catalog,
      searchPath: this.searchPath(),
      schemaUsable: (schema) => schemaUsable(this.catalog, this.engine.roles, this.currentRoleOid(), schema),
      paramTypes,
      systemFunction: (name, types) => systemFunction(this, name, types),
      systemRelation: (schema, name) => this.engine.systemRelation(schema, name),
      rowSecurity: { roles: this.engine.roles, role: this.currentRoleOid(), enabled: this.settings.get('row_security') !== 'off' },
      userFunction: (name, args, position, schema) => this.bindUserFunction(self(), name, args, position, schema),
      userFunctionOid: (name, schema) => userFunctionOid(this, name, schema),
      userSetFunction: (name, argc) => (findSqlFunction(this.catalog, name, argc, functionPath(this.searchPath()))?.returns.kind ?? 'scalar') !== 'scalar',
      parseSettings: this.parseSettings(),
      domainConstraints: (domain) => bindDomainConstraints(self(), domain),
    }));
  }

  /** how literals are read while binding */
  private parseSettings(): ParseSettings {
    return new BindParseSettings(this.settings.get('timezone'), this.settings.get('datestyle'), this.tx.idle ? nowMicros() : this.tx.start,
      this.planReads, (name) => relationOid(this, name));
  }

  /** A call of a CREATE FUNCTION … LANGUAGE sql function in an expression (undefined: not one). */
  private bindUserFunction(binder: SelectBinder, name: string, args: Expr[], position?: number, schema?: string): Expr | undefined {
    if (schema) binder.checkSchemaUsage(schema, position);
    const def = findSqlFunction(this.catalog, name, args.length, schema ? [schema] : functionPath(binder.env.searchPath));
    if (!def) return undefined;
    if (def.returns.kind !== 'scalar') {
      throw new SqlError(SqlState.featureNotSupported, `set-returning SQL function ${name}() is only supported in FROM`, position !== undefined ? { position } : {});
    }
    binder.noteFunction(def);
    // the body is optimized on its own (rules do not look inside expressions)
    const plan = optimize(bindFunctionBody(binder, def), { catalog: this.catalog });
    return { kind: 'sqlCall', type: def.returns.type, name, args: bindFunctionArgs(binder.env, def, args), plan, written: args.length };
  }

  /**
   * Sequence values handed out must never be handed out again after a crash: their log
   * records are durable before anything that used them is acknowledged. (A commit that
   * used them is durable only after them anyway: the log is written in order.)
   */
  hasPendingSequenceLogs(): boolean {
    return this.sequenceLogs.length > 0;
  }

  awaitSequenceLogs(): Promise<void> | undefined {
    // nothing pending (most statements): no promise and no turn of the event loop
    if (this.sequenceLogs.length === 0) return undefined;
    const pending = this.sequenceLogs.splice(0);
    return (async () => { for (const p of pending) await p; })();
  }

  private sequenceLogs: Promise<void>[] = [];
  readonly logSequence: SequenceLogger = (seq, state) => {
    const p = this.engine.storage.logSequence(seq.oid, state);
    // awaited (and its failure reported) by awaitSequenceLogs; a record that was not written
    // (disk full) covers nothing: every sequence logs afresh at its next nextval
    p.catch(() => this.engine.forgetSequenceLogs());
    this.sequenceLogs.push(p);
  };

  translateStorageError(e: unknown): SqlError {
    if (e instanceof UniqueViolation) {
      // index names repeat across schemas (each session's tmp_pkey): this session's temp tables first, never another's
      const tables = [...this.catalog.tables.values()].filter((t) => !this.temp.isOther(t.schema));
      tables.sort((a, b) => Number(b.schema === this.temp.name) - Number(a.schema === this.temp.name));
      for (const t of tables) {
        if (t.indexes.some((i) => i.name === e.keyName)) return uniqueViolationError(t, e);
      }
    }
    if (e instanceof WriteConflict) return new SqlError('40001', e.message);
    return toSqlError(e);
  }

  runContext(txn: Transaction | undefined, metrics?: RunContext['metrics'], readsNoTable = false): RunContext {
    const storage = this.engine.storage;
    const snapshot = this.tx.statementSnapshot(storage, this.settings);
    // a plan that reads no table (SELECT 1, SELECT now()) has nothing compaction could take from it
    if (!readsNoTable) this.statementPins.push(storage.retain(snapshot));
    return new StatementRunContext(storage, snapshot, txn, metrics, new TimeSlice(), this.engine.queryWorkers, this,
      settingBytes(this.settings.get('work_mem')), this.engine.tempSpace, this.systemOfStatement);
  }

  /** the system relations' view of this session (made when a statement first reads one) */
  private readonly systemOfStatement = () => systemContext(this, currentRoleName(this.settings));

  /** what every statement's EvalContext shares (functions' services, setting, notice) */
  private functions: SessionFunctions | undefined;

  execEnv(params: readonly Value[], rc: RunContext): ExecEnv {
    const ctx = evalContext(this, currentRoleName(this.settings), (this.functions ??= sessionFunctions(this)));
    ctx.textCorpus = textCorpusOf(ctx, rc);
    const slice = rc.slice;
    if (slice) ctx.sleep = (ms) => slice.sleep(ms);
    const env: ExecEnv = {
      params,
      outer: [],
      ctx,
      runPlan: (plan, outer) => collect(runPlan(plan, rc, { ...env, outer, synchronous: true })),
      checkCancel: this.checkCancel,
    };
    return env;
  }

  private readonly checkCancel = (): void => this.checkCancelled();
}

/**
 * How a statement's literals are read while it is bound ('now' is the statement's time):
 * reading the time marks a statement being prepared as not cacheable (statement-cache.ts).
 */
class BindParseSettings implements ParseSettings {
  constructor(
    readonly timezone: string | undefined,
    readonly dateStyle: string | undefined,
    private readonly now: number,
    private readonly reads: PlanReads | undefined,
    readonly relationOid: (name: string) => number | undefined,
  ) {}

  get nowMicros(): number {
    if (this.reads) this.reads.time = true;
    return this.now;
  }
}

/** The session as its statement cache checks entries against it. */
function sessionCacheView(session: Session): StatementCacheSession {
  return {
    get catalog() { return session.catalog; },
    settings: session.settings,
    searchPath: () => session.searchPath(),
    rowCount: (oid) => session.engine.storage.rowCount(oid),
  };
}

/** max_standby_streaming_delay as SHOW prints it (PostgreSQL's unit choice for a ms setting: 30s, 1min, 500ms, -1) */
function formatDelay(ms: number): string {
  if (ms <= 0) return String(ms);
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** client_min_messages order: a notice is sent when its level is at or above the setting */
const NOTICE_LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];

export type { Row };
