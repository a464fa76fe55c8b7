/**
 * A client session: the Backend the wire layer talks to. It owns the session's settings,
 * its transaction state (idle / in block / failed), and runs each statement through
 * parse → bind → plan → execute.
 */
import type { QueryWorkerPool } from '../query-worker/pool.js';
import { SqlError, SqlState, toSqlError, type SqlNotice } from '../errors.js';
import type { BackendActivity, Catalog, CatalogData, SystemRelation, SystemRelationContext } from '../catalog/catalog.js';
import type { EvalContext, FunctionServices } from '../functions/api.js';
import { optimize } from '../planner/optimize.js';
import { explainPlan } from '../planner/explain.js';
import type { Expr, Plan } from '../planner/plan.js';
import { SelectBinder, formatRecordOutputs, type SelectEnv } from '../sql/bind-select.js';
import { bindDelete, bindInsert, bindUpdate, type DmlStatement } from '../sql/bind-dml.js';
import { parseSql, splitStatements, type RawNode, type RawStatement } from '../sql/parser.js';
import { runDml } from '../executor/dml.js';
import { uniqueViolationError } from '../executor/dml.js';
import type { ExecEnv } from '../executor/expr.js';
import { collect, runPlan, type RunContext } from '../executor/operators.js';
import { drainAll, TimeSlice } from '../executor/suspend.js';
import { StatementControl } from './statement-control.js';
import { Activity } from './activity.js';
import { RowConflict, UniqueViolation, WriteConflict, type Snapshot, type Storage, type Transaction } from '../storage/api.js';
import { OID, T, formatType, type Row, type SqlType, type Value } from '../types/types.js';
import { Scope } from '../sql/scope.js';
import { parseQualifiedName } from '../sql/names.js';
import { bindExpr, coerce, resolveUnknown } from '../sql/bind-expr.js';
import type { Backend, ConnectionHandle, ExecResult, FieldInfo, PreparedStatement, StartupInfo } from '../wire/backend.js';
import * as ddl from './ddl.js';
import { leafPartitions } from '../catalog/partitions.js';
import { BinaryCopyStream, contextError, copyOptions, copyTarget, formatCopyRows, parseCopyData, withLineText, type ParsedCopy } from './copy.js';
import { compileExpr } from '../executor/expr.js';
import { checkRunner, insertRowsRouted } from '../executor/dml.js';
import { checkOutgoing } from '../executor/foreign-keys.js';
import { bindChecks, defaultExprFor } from '../sql/bind-dml.js';
import { allSettingDefs, checkSettable, normalizeSetting, settingDef, settingMillis } from './settings.js';
import { systemFunction, type SessionInfo } from './system-functions.js';
import { quoteIdent } from '../functions/scalar.js';
import { functionDefinition, storeFunction } from './create-function.js';
import { changedObjects, undoObjects } from './ddl-undo.js';
import { bindFunctionArgs, bindFunctionBody, findSqlFunction } from '../sql/bind-function.js';

export interface EngineState {
  readonly storage: Storage;
  /** sealed-segment vector search in worker threads (undefined: in the session's thread) */
  readonly queryWorkers?: QueryWorkerPool;
  database(name: string): Catalog | undefined;
  readonly databases: ReadonlyMap<string, Catalog>;
  saveCatalog(): Promise<void>;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string, missingOk: boolean, current: string): Promise<boolean>;
  systemRelation(schema: string | undefined, name: string): SystemRelation | undefined;
  allSystemRelations(): readonly SystemRelation[];
  /** every session's pg_stat_activity row */
  activities(): BackendActivity[];
  /** pg_cancel_backend / pg_terminate_backend: false when no session has that pid */
  signalBackend(pid: number, how: 'cancel' | 'terminate'): boolean;
}

type Bound =
  | { kind: 'select'; plan: Plan }
  | { kind: 'dml'; stmt: DmlStatement }
  | { kind: 'explain'; plan: Plan | null; dml: DmlStatement | null; analyze: boolean; verbose: boolean }
  | { kind: 'utility'; node: RawNode; tag: string }
  /** DECLARE name CURSOR … FOR query: the query is bound (with its $n) at prepare time */
  | { kind: 'declare'; name: string; plan: Plan; hold: boolean; statement: string; options: number };

/**
 * DECLARE's CURSOR_OPT_* bits (parsenodes.h: BINARY 0x1, SCROLL 0x2, NO_SCROLL 0x4) for pg_cursors. Without
 * SCROLL / NO SCROLL PostgreSQL reports what the plan can do backwards; as a stand-in: queries reading a relation
 * can (scans, sorts), a bare SELECT of values (a Result node) cannot.
 */
function cursorOptions(n: RawNode): number {
  const opts = Number(n.options ?? 0);
  if ((opts & 0x6) !== 0) return opts;
  const sel = n.query?.SelectStmt;
  return (sel?.fromClause?.length ?? 0) > 0 ? opts | 0x2 : opts | 0x4;
}

/** An open cursor: its result is computed at DECLARE, FETCH and MOVE walk it. */
interface Cursor {
  readonly fields: FieldInfo[];
  readonly rows: Row[];
  /** 0 = before the first row, rows.length + 1 = after the last (PostgreSQL's portal position) */
  pos: number;
  readonly hold: boolean;
  /** declared inside the current transaction block (gone if it rolls back) */
  inTxn: boolean;
  /** for pg_cursors: the DECLARE text, CURSOR_OPT_* bits, creation time (µs since epoch) */
  readonly statement: string;
  readonly options: number;
  readonly created: number;
}

interface QuiverStatement extends PreparedStatement {
  readonly raw: RawStatement;
  readonly bound: Bound;
  readonly catalogVersion: number;
}

type TxState = 'idle' | 'block' | 'failed';

export class Session implements Backend, SessionInfo {
  readonly pid: number;
  readonly secret: number;
  private readonly settings = new Map<string, string>();
  /** what RESET returns to: the defaults overridden by startup parameters */
  private readonly resetValues = new Map<string, string>();
  /** values to restore at the end of the transaction (SET LOCAL) */
  private localRestore = new Map<string, string | undefined>();
  /** values to restore if the transaction rolls back (plain SET inside a transaction) */
  private rollbackRestore = new Map<string, string | undefined>();
  private txState: TxState = 'idle';
  private txn: Transaction | undefined;
  private txnStart = 0;
  private notices: SqlNotice[] = [];
  private parameterChanges: [string, string][] = [];
  /** cancel, statement_timeout and lock_timeout of the running statement */
  private readonly control = new StatementControl();
  private user = 'postgres';
  private database = 'postgres';

  /** what pg_stat_activity shows of this session */
  private readonly activity: Activity;
  /** idle_in_transaction_session_timeout's timer while idle in a transaction block */
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly engine: EngineState, pid: number, secret: number, private readonly connection?: ConnectionHandle) {
    this.pid = pid;
    this.secret = secret;
    for (const d of allSettingDefs()) this.settings.set(d.name.toLowerCase(), d.value);
    this.activity = new Activity(pid, { address: connection?.remoteAddress ?? '', port: connection?.remotePort });
  }

  activitySnapshot(): BackendActivity {
    return this.activity.snapshot(this.database, this.user, this.settings.get('application_name') ?? '');
  }

  /** pg_terminate_backend, idle_in_transaction_session_timeout: FATAL, then the connection closes */
  terminate(error = new SqlError(SqlState.adminShutdown, 'terminating connection due to administrator command')): void {
    this.control.cancel();
    this.connection?.terminate(error);
  }

  signalBackend(pid: number, how: 'cancel' | 'terminate'): boolean {
    if (this.engine.signalBackend(pid, how)) return true;
    this.notices.push({ severity: 'WARNING', code: '01000', message: `PID ${pid} is not a PostgreSQL backend process` });
    return false;
  }

  /** A statement ended: idle (in a transaction block, the idle-in-transaction timeout starts). */
  private statementEnded(): void {
    this.control.end();
    const status = this.transactionStatus();
    this.activity.statementEnded(status);
    const ms = settingMillis(this.setting('idle_in_transaction_session_timeout'));
    if (status !== 'I' && ms > 0) {
      this.idleTimer = setTimeout(() => {
        this.terminate(new SqlError(SqlState.idleInTransactionSessionTimeout, 'terminating connection due to idle-in-transaction timeout'));
      }, ms);
      this.idleTimer.unref();
    }
  }

  private db: Catalog | undefined;

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
    this.db = this.engine.database(this.database);
    if (!this.db) throw new SqlError(SqlState.invalidCatalogName, `database "${this.database}" does not exist`, { severity: 'FATAL' });
    this.settings.set('session_authorization', this.user);
    if (params.application_name) this.settings.set('application_name', params.application_name);
    if (params.client_encoding) this.settings.set('client_encoding', normalizeSetting('client_encoding', params.client_encoding));
    if (params.options) this.applyStartupOptions(params.options);
    for (const [k, v] of Object.entries(params)) {
      if (['user', 'database', 'options', 'replication'].includes(k)) continue;
      const def = settingDef(k);
      if (def && !def.readOnly) this.settings.set(k.toLowerCase(), normalizeSetting(k.toLowerCase(), v));
    }
    for (const [k, v] of this.settings) this.resetValues.set(k, v);
    const parameterStatus: [string, string][] = allSettingDefs().filter((d) => d.report).map((d) => [d.name, this.settings.get(d.name.toLowerCase()) ?? d.value]);
    return { parameterStatus, processId: this.pid, secretKey: this.secret };
  }

  private applyStartupOptions(options: string): void {
    // -c name=value pairs (PGOPTIONS)
    const re = /(?:-c\s*|--)([\w.]+)=((?:\\ |\S)+)/g;
    for (const m of options.matchAll(re)) {
      const key = m[1].toLowerCase().replace(/-/g, '_');
      if (settingDef(key) || key.includes('.')) this.settings.set(key, normalizeSetting(key, m[2].replace(/\\ /g, ' ')));
    }
  }

  splitStatements(sql: string): string[] {
    return splitStatements(sql);
  }

  transactionStatus(): 'I' | 'T' | 'E' {
    return this.txState === 'idle' ? 'I' : this.txState === 'block' ? 'T' : 'E';
  }

  takeNotices(): SqlNotice[] {
    const n = this.notices;
    this.notices = [];
    const min = NOTICE_LEVELS.indexOf(this.settings.get('client_min_messages') ?? 'notice');
    return n.filter((x) => NOTICE_LEVELS.indexOf(x.severity.toLowerCase()) >= min);
  }

  takeParameterChanges(): [string, string][] {
    const c = this.parameterChanges;
    this.parameterChanges = [];
    return c;
  }

  setting(name: string): string | undefined {
    return this.settings.get(name.toLowerCase());
  }

  cancel(): void {
    this.control.cancel();
  }

  close(): void {
    clearTimeout(this.idleTimer);
    if (this.txn) this.txn.rollback();
    if (this.ddlUndo) void this.finishDdl(false);
    this.txn = undefined;
    this.txState = 'idle';
  }

  // ------------------------------------------------------------------ SessionInfo

  setSetting(name: string, value: string, isLocal: boolean): void {
    const key = checkSettable(name);
    const v = normalizeSetting(key, value, this.settings.get(key));
    if (this.txState !== 'idle') {
      // SET LOCAL ends with the transaction; a plain SET is undone if the transaction rolls back
      const restore = isLocal ? this.localRestore : this.rollbackRestore;
      if (!restore.has(key)) restore.set(key, this.settings.get(key));
    }
    this.settings.set(key, v);
    const def = settingDef(key);
    if (def?.report) this.parameterChanges.push([def.name, v]);
  }

  searchPath(): string[] {
    const raw = this.settings.get('search_path') ?? 'public';
    return raw.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')).filter((s) => s !== '$user' && s !== '')
      .filter((s) => ['public', 'pg_catalog', 'information_schema'].includes(s));
  }

  // ------------------------------------------------------------------ prepare

  prepare(sql: string, paramTypes: readonly number[]): QuiverStatement {
    try {
      return this.prepareStatement(sql, paramTypes);
    } catch (e) {
      // Like PostgreSQL, an error while parsing or binding aborts the transaction block too.
      if (this.txState === 'block') this.txState = 'failed';
      throw e;
    }
  }

  /** the query text being prepared (pg_cursors.statement shows the text the client sent, like debug_query_string) */
  private preparingText = '';

  private prepareStatement(sql: string, paramTypes: readonly number[]): QuiverStatement {
    this.preparingText = sql;
    const stmts = parseSql(sql);
    if (this.txState === 'failed' && stmts.length === 1) {
      const kind = Object.keys(stmts[0].node)[0];
      if (!isTransactionEnd(kind, stmts[0].node[kind])) {
        throw new SqlError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
      }
    }
    if (stmts.length === 0) {
      return { raw: { node: {}, text: '', offset: 0 }, bound: { kind: 'utility', node: {}, tag: '' }, paramTypes: [], fields: null, catalogVersion: this.catalog.version };
    }
    if (stmts.length > 1) {
      throw new SqlError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    }
    return this.bindStatement(stmts[0], [...paramTypes]);
  }

  private bindStatement(raw: RawStatement, paramTypes: number[]): QuiverStatement {
    const catalogVersion = this.catalog.version;
    const bound = this.bind(raw, paramTypes);
    const resolved = paramTypes.map((t) => (t === 0 || t === OID.unknown ? OID.text : t));
    return { raw, bound, paramTypes: resolved, fields: this.fieldsOf(bound), catalogVersion };
  }

  private binder(paramTypes: number[]): SelectBinder {
    const env: SelectEnv = {
      catalog: this.catalog,
      searchPath: this.searchPath(),
      paramTypes,
      systemFunction: (name, types) => systemFunction(this, name, types),
      systemRelation: (schema, name) => this.engine.systemRelation(schema, name),
      bindSubquery: (node, parent) => binder.bindSelect(node.SelectStmt ?? node, parent),
      userFunction: (name, args, position) => this.bindUserFunction(binder, name, args, position),
      userFunctionOid: (name, schema) => [...this.catalog.functions.values()].find((f) => f.name === name && (schema === undefined || f.schema === schema))?.oid,
      userSetFunction: (name, argc) => (findSqlFunction(this.catalog, name, argc)?.returns.kind ?? 'scalar') !== 'scalar',
      parseSettings: {
        timezone: this.settings.get('timezone'),
        dateStyle: this.settings.get('datestyle'),
        nowMicros: this.txState === 'idle' ? Date.now() * 1000 : this.txnStart,
        relationOid: (name) => this.relationOid(name),
      },
    };
    const binder = new SelectBinder(env);
    return binder;
  }

  /** A call of a CREATE FUNCTION … LANGUAGE sql function in an expression (undefined: not one). */
  private bindUserFunction(binder: SelectBinder, name: string, args: Expr[], position?: number): Expr | undefined {
    const def = findSqlFunction(this.catalog, name, args.length);
    if (!def) return undefined;
    if (def.returns.kind !== 'scalar') {
      throw new SqlError(SqlState.featureNotSupported, `set-returning SQL function ${name}() is only supported in FROM`, position !== undefined ? { position } : {});
    }
    // the body is optimized on its own (rules do not look inside expressions)
    const plan = optimize(bindFunctionBody(binder, def), { catalog: this.catalog });
    return { kind: 'sqlCall', type: def.returns.type, name, args: bindFunctionArgs(binder.env, def, args), plan };
  }

  private bind(raw: RawStatement, paramTypes: number[]): Bound {
    const kind = Object.keys(raw.node)[0];
    const n = raw.node[kind];
    try {
      switch (kind) {
        case 'SelectStmt': {
          if (n.intoClause) throw new SqlError(SqlState.featureNotSupported, 'SELECT INTO is not supported');
          const plan = this.binder(paramTypes).bindSelect(n, null);
          return { kind: 'select', plan: formatRecordOutputs(optimize(plan, { catalog: this.catalog })) };
        }
        case 'InsertStmt':
          return { kind: 'dml', stmt: optimizeDml(bindInsert(this.binder(paramTypes), n), this.catalog) };
        case 'UpdateStmt':
          return { kind: 'dml', stmt: optimizeDml(bindUpdate(this.binder(paramTypes), n), this.catalog) };
        case 'DeleteStmt':
          return { kind: 'dml', stmt: optimizeDml(bindDelete(this.binder(paramTypes), n), this.catalog) };
        case 'ExplainStmt': {
          const opts = ((n.options ?? []) as RawNode[]).map((o) => o.DefElem.defname as string);
          const inner = this.bind({ node: n.query, text: raw.text, offset: raw.offset }, paramTypes);
          const analyze = opts.includes('analyze');
          const verbose = opts.includes('verbose');
          if (inner.kind === 'select') return { kind: 'explain', plan: inner.plan, dml: null, analyze, verbose };
          if (inner.kind === 'dml') return { kind: 'explain', plan: inner.stmt.source, dml: inner.stmt, analyze, verbose };
          throw new SqlError(SqlState.featureNotSupported, 'EXPLAIN of this statement is not supported');
        }
        case 'DeclareCursorStmt': {
          if (!n.query?.SelectStmt) throw new SqlError(SqlState.featureNotSupported, 'cursors are only supported for SELECT');
          const plan = this.binder(paramTypes).bindSelect(n.query.SelectStmt, null);
          // CURSOR_OPT_HOLD = 0x0020 (parsenodes.h)
          return { kind: 'declare', name: n.portalname as string, plan: formatRecordOutputs(optimize(plan, { catalog: this.catalog })), hold: ((n.options ?? 0) & 0x20) !== 0, statement: this.preparingText.trim() || raw.text, options: cursorOptions(n) };
        }
        default:
          return { kind: 'utility', node: raw.node, tag: utilityTag(kind, n) };
      }
    } catch (e) {
      throw toSqlError(e);
    }
  }

  private fieldsOf(bound: Bound): FieldInfo[] | null {
    const fromSchema = (schema: readonly { name: string; type: { oid: number; typmod: number }; tableOid: number; attnum: number }[]) =>
      schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnAttr: c.attnum > 0 ? c.attnum : 0 }));
    switch (bound.kind) {
      case 'select': return fromSchema(bound.plan.schema);
      case 'dml': return bound.stmt.returning ? fromSchema(bound.stmt.returning.schema) : null;
      case 'explain': return [{ name: 'QUERY PLAN', type: T.text, tableOid: 0, columnAttr: 0 }];
      case 'declare': return null;
      case 'utility': {
        const kind = Object.keys(bound.node)[0];
        if (kind === 'FetchStmt' && !bound.node.FetchStmt.ismove) return this.cursors.get(bound.node.FetchStmt.portalname)?.fields ?? null;
        if (kind === 'VariableShowStmt') {
          const name = bound.node.VariableShowStmt.name as string;
          if (name === 'all') return ['name', 'setting', 'description'].map((c) => ({ name: c, type: T.text, tableOid: 0, columnAttr: 0 }));
          return [{ name: showColumnName(name), type: T.text, tableOid: 0, columnAttr: 0 }];
        }
        return null;
      }
    }
  }

  // ------------------------------------------------------------------ execute

  async execute(prepared: PreparedStatement, params: readonly Value[]): Promise<ExecResult> {
    let stmt = prepared as QuiverStatement;
    clearTimeout(this.idleTimer);
    this.control.begin(settingMillis(this.setting('statement_timeout')));
    this.activity.statementStarted(stmt.raw.text.trim(), this.txState !== 'idle');
    const kind = Object.keys(stmt.raw.node)[0];
    if (kind === undefined) return { kind: 'command', tag: '' };
    if (this.txState === 'failed' && !isTransactionEnd(kind, stmt.raw.node[kind])) {
      throw new SqlError(SqlState.inFailedSqlTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (stmt.catalogVersion !== this.catalog.version && stmt.bound.kind !== 'utility') {
      const rebound = this.bindStatement(stmt.raw, [...stmt.paramTypes]);
      if (JSON.stringify(rebound.fields?.map((f) => f.type)) !== JSON.stringify(stmt.fields?.map((f) => f.type))) {
        throw new SqlError('0A000', 'cached plan must not change result type');
      }
      stmt = rebound;
    }
    try {
      let result: ExecResult;
      try {
        result = await this.run(stmt, params);
      } finally {
        this.noteDdlChanges();
      }
      if (stmt.bound.kind === 'utility' && DDL_KINDS.has(kind) && this.txState === 'idle') {
        await this.engine.saveCatalog();
        // the catalog first, then the storage (a crash in between leaves storage no entry names)
        for (const oid of this.autocommitDrops.splice(0)) await this.engine.storage.dropTable(oid);
      }
      await this.persistCatalogIfDirty();
      return result;
    } catch (e) {
      // a failed autocommit DROP: drop the storage of what did leave the catalog
      for (const oid of this.autocommitDrops.splice(0)) if (!this.catalog.tables.has(oid)) await this.engine.storage.dropTable(oid).catch(() => {});
      const err = this.translateStorageError(e);
      if (this.txState === 'block') this.txState = 'failed';
      throw err;
    } finally {
      this.statementEnded();
    }
  }

  /**
   * Sequence values handed out must never be handed out again after a crash, so the
   * catalog image (which holds sequence state) is made durable before anything that
   * used them is acknowledged.
   */
  private async persistCatalogIfDirty(): Promise<void> {
    if (!this.catalog.sequencesDirty) return;
    this.catalog.sequencesDirty = false;
    await this.engine.saveCatalog();
  }

  private translateStorageError(e: unknown): SqlError {
    if (e instanceof UniqueViolation) {
      for (const t of this.catalog.tables.values()) {
        if (t.indexes.some((i) => i.name === e.keyName)) return uniqueViolationError(t, e);
      }
    }
    if (e instanceof WriteConflict) return new SqlError('40001', e.message);
    return toSqlError(e);
  }

  private evalContext(): EvalContext {
    const now = Date.now() * 1000;
    const services: FunctionServices = {
      nextval: (seq) => this.catalog.nextval(this.sequenceOf(seq)),
      currval: (seq) => {
        const s = this.sequenceOf(seq);
        if (!s.isCalled) throw new SqlError('55000', `currval of sequence "${s.name}" is not yet defined in this session`);
        return s.last;
      },
      setval: (seq, value, isCalled) => {
        const s = this.sequenceOf(seq);
        if (value < s.min || value > s.max) {
          throw new SqlError(SqlState.numericValueOutOfRange, `setval: value ${value} is out of bounds for sequence "${s.name}" (${s.min}..${s.max})`);
        }
        s.last = value;
        s.isCalled = isCalled;
        this.catalog.sequencesDirty = true;
        return value;
      },
      relationOid: (name) => this.relationOid(name),
      relationName: (oid) => this.relationName(oid),
    };
    return {
      setting: (name) => this.settings.get(name.toLowerCase()),
      statementTimestamp: now,
      transactionTimestamp: this.txState === 'idle' ? now : this.txnStart,
      user: this.user,
      database: this.database,
      services,
    };
  }

  private sequenceOf(ref: string) {
    const s = /^\d+$/.test(ref) ? this.catalog.sequences.get(Number(ref)) : this.findSequenceByName(ref);
    if (!s) throw new SqlError(SqlState.undefinedTable, `relation "${ref}" does not exist`);
    return s;
  }

  /** database.schema.name is allowed for the current database only */
  private localName(parts: string[]): string[] {
    if (parts.length < 3) return parts;
    if (parts.length > 3) throw new SqlError('42601', `improper qualified name (too many dotted names): ${parts.join('.')}`);
    if (parts[0] !== this.database) throw new SqlError(SqlState.featureNotSupported, `cross-database references are not implemented: "${parts.join('.')}"`);
    return parts.slice(1);
  }

  private findSequenceByName(name: string) {
    const parts = this.localName(parseQualifiedName(name));
    return this.catalog.findSequence(parts.length > 1 ? parts[0] : undefined, parts[parts.length - 1]);
  }

  private relationOid(name: string): number | undefined {
    const parts = this.localName(parseQualifiedName(name));
    const schema = parts.length > 1 ? parts[0] : undefined;
    const rel = parts[parts.length - 1];
    const t = schema ? this.catalog.findTable(schema, rel) : this.searchPath().map((s) => this.catalog.findTable(s, rel)).find((x) => x);
    if (t) return t.oid;
    const s = this.catalog.findSequence(schema, rel);
    if (s) return s.oid;
    const i = this.catalog.findIndex(schema, rel);
    if (i) return i.oid;
    const sys = this.engine.systemRelation(schema, rel);
    return sys?.oid;
  }

  /** regclass output on the wire: the relation's name, quoted where needed (numbers when unknown) */
  regclassName(oid: number): string | undefined {
    const n = this.relationName(oid);
    return n === undefined ? undefined : quoteIdent(n);
  }

  private relationName(oid: number): string | undefined {
    const t = this.catalog.tables.get(oid);
    if (t) return t.name;
    const s = this.catalog.sequences.get(oid);
    if (s) return s.name;
    for (const tbl of this.catalog.tables.values()) {
      const i = tbl.indexes.find((x) => x.oid === oid);
      if (i) return i.name;
    }
    const sys = this.engine.allSystemRelations().find((r) => r.oid === oid);
    return sys?.name;
  }

  private systemContext(): SystemRelationContext {
    return {
      catalog: this.catalog,
      databases: [...this.engine.databases.keys()],
      setting: (name) => this.settings.get(name.toLowerCase()),
      allSettings: () => allSettingDefs().map((d) => ({ name: d.name, value: this.settings.get(d.name.toLowerCase()) ?? d.value })),
      user: this.user,
      database: this.database,
      rowCount: (oid) => this.engine.storage.rowCount(oid),
      // CURSOR_OPT_BINARY 0x1, CURSOR_OPT_NO_SCROLL 0x4 (parsenodes.h); Quiver's cursors can always scroll back
      activity: () => this.engine.activities(),
      cursors: () => [...this.cursors].map(([name, c]) => ({ name, statement: c.statement, holdable: c.hold, binary: (c.options & 1) !== 0, scrollable: (c.options & 4) === 0, created: c.created })),
    };
  }

  /** Describe of a portal that is an SQL cursor (DECLARE): its columns; undefined if there is no such cursor. */
  describeCursor(name: string): FieldInfo[] | undefined {
    return this.cursors.get(name)?.fields;
  }

  /** An error outside statement execution (e.g. a wire-level Describe/Bind failure) aborts the transaction block, as in PostgreSQL. */
  abortBlock(): void {
    if (this.txState === 'block') this.txState = 'failed';
  }

  /** REPEATABLE READ / SERIALIZABLE: the transaction's one snapshot, taken at its first statement */
  private txnSnapshot: { snapshot: Snapshot; release: () => void } | undefined;

  private statementSnapshot(): Snapshot {
    const iso = this.settings.get('transaction_isolation') ?? 'read committed';
    if (this.txState === 'idle' || iso === 'read committed' || iso === 'read uncommitted') return this.engine.storage.snapshot();
    if (!this.txnSnapshot) {
      const snapshot = this.engine.storage.snapshot();
      this.txnSnapshot = { snapshot, release: this.engine.storage.retain?.(snapshot) ?? (() => {}) };
    }
    return this.txnSnapshot.snapshot;
  }

  private runContext(txn: Transaction | undefined, metrics?: RunContext['metrics']): RunContext {
    return {
      storage: this.engine.storage,
      snapshot: this.statementSnapshot(),
      txn,
      system: this.systemContext(),
      cteResults: new Map(),
      metrics,
      slice: new TimeSlice(),
      queryWorkers: this.engine.queryWorkers,
    };
  }

  private execEnv(params: readonly Value[], rc: RunContext): ExecEnv {
    const ctx = this.evalContext();
    const env: ExecEnv = {
      params,
      outer: [],
      ctx,
      runPlan: (plan, outer) => collect(runPlan(plan, rc, { ...env, outer, synchronous: true })),
      checkCancel: () => this.control.check(),
    };
    return env;
  }

  private async run(stmt: QuiverStatement, params: readonly Value[]): Promise<ExecResult> {
    const bound = stmt.bound;
    switch (bound.kind) {
      case 'select': {
        const rc = this.runContext(this.txn);
        const env = this.execEnv(params, rc);
        const rows = await drainAll(runPlan(bound.plan, rc, env), env.checkCancel, rc.slice);
        return { kind: 'rows', fields: stmt.fields!, rows, tag: `SELECT ${rows.length}` };
      }
      case 'dml':
        return this.runDmlStatement(stmt, bound.stmt, params);
      case 'explain':
        return this.runExplain(bound, params);
      case 'utility':
        return this.runUtility(stmt, bound.node, bound.tag);
      case 'declare':
        return this.declareCursor(bound, params);
    }
  }

  /** CREATE TABLE name [(columns)] AS SELECT … [WITH [NO] DATA] */
  private async createTableAs(stmt: QuiverStatement, n: RawNode): Promise<ExecResult> {
    if (n.objtype !== 'OBJECT_TABLE') throw new SqlError(SqlState.featureNotSupported, 'materialized views are not supported yet');
    if (!n.query?.SelectStmt) throw new SqlError(SqlState.featureNotSupported, 'CREATE TABLE AS needs a SELECT');
    const plan = optimize(this.binder([]).bindSelect(n.query.SelectStmt, null), { catalog: this.catalog });
    const names = ((n.into.colNames ?? []) as RawNode[]).map((c) => c.String.sval as string);
    if (names.length > plan.schema.length) throw new SqlError(SqlState.syntaxError, 'too many column names were specified');
    const columns = plan.schema.map((c, i) => ({ name: names[i] ?? c.name, type: c.type }));
    const table = await ddl.createTableAs(this.ddlContext(stmt.raw.text), n.into.rel, columns, !!n.if_not_exists);
    if (!table) return { kind: 'command', tag: 'CREATE TABLE AS' };
    if (n.into.skipData) return { kind: 'command', tag: 'CREATE TABLE AS' };
    let rows: Row[] = [];
    {
      const implicit = this.txState === 'idle';
      const txn = implicit ? this.engine.storage.begin() : this.txn!;
      try {
        const rc = this.runContext(this.txn);
        const env = this.execEnv([], rc);
        rows = await drainAll(runPlan(plan, rc, env), env.checkCancel, rc.slice);
        if (rows.length) txn.insert(table.oid, rows);
        if (implicit) await txn.commit();
      } catch (e) {
        if (implicit) {
          // outside a block the statement is atomic: no table without its rows
          txn.rollback();
          this.catalog.dropTable(table.oid);
          await this.engine.storage.dropTable(table.oid);
        }
        throw e;
      }
    }
    return { kind: 'command', tag: `SELECT ${rows.length}` };
  }

  // ------------------------------------------------------------------ cursors

  private readonly cursors = new Map<string, Cursor>();

  private async declareCursor(bound: Extract<Bound, { kind: 'declare' }>, params: readonly Value[]): Promise<ExecResult> {
    if (this.txState !== 'block' && !bound.hold) {
      throw new SqlError(SqlState.noActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
    }
    if (this.cursors.has(bound.name)) throw new SqlError(SqlState.duplicateCursor, `cursor "${bound.name}" already exists`);
    const rc = this.runContext(this.txn);
    const env = this.execEnv(params, rc);
    const rows = await drainAll(runPlan(bound.plan, rc, env), env.checkCancel, rc.slice);
    const fields = bound.plan.schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid, columnAttr: c.attnum > 0 ? c.attnum : 0 }));
    this.cursors.set(bound.name, { fields, rows, pos: 0, hold: bound.hold, inTxn: this.txState === 'block', statement: bound.statement, options: bound.options, created: Date.now() * 1000 });
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  /** FETCH / MOVE [FORWARD|BACKWARD|ABSOLUTE|RELATIVE] [n|ALL] [FROM|IN] name */
  private fetch(n: RawNode): ExecResult {
    const c = this.cursors.get(n.portalname);
    if (!c) throw new SqlError(SqlState.invalidCursorName, `cursor "${n.portalname}" does not exist`);
    const len = c.rows.length;
    const howMany = Number(n.howMany ?? 0);
    const out: Row[] = [];
    const at = (p: number): void => {
      c.pos = Math.max(0, Math.min(p, len + 1));
      if (c.pos >= 1 && c.pos <= len) out.push(c.rows[c.pos - 1]);
    };
    switch (n.direction ?? 'FETCH_FORWARD') {
      case 'FETCH_FORWARD':
        if (howMany === 0) at(c.pos); // FETCH 0 / FORWARD 0: the current row again
        else for (let i = 0; i < howMany && c.pos <= len; i++) at(c.pos + 1);
        break;
      case 'FETCH_BACKWARD':
        if (howMany === 0) at(c.pos);
        else for (let i = 0; i < howMany && c.pos >= 1; i++) at(c.pos - 1);
        break;
      case 'FETCH_ABSOLUTE':
        at(howMany >= 0 ? howMany : len + 1 + howMany);
        break;
      case 'FETCH_RELATIVE':
        at(c.pos + howMany);
        break;
    }
    if (n.ismove) return { kind: 'command', tag: `MOVE ${out.length}` };
    return { kind: 'rows', fields: c.fields, rows: out, tag: `FETCH ${out.length}` };
  }

  private closeCursor(name: string | undefined): string {
    if (!name) {
      this.cursors.clear();
      return 'CLOSE CURSOR ALL';
    }
    if (!this.cursors.delete(name)) throw new SqlError(SqlState.invalidCursorName, `cursor "${name}" does not exist`);
    return 'CLOSE CURSOR';
  }

  /** At COMMIT non-holdable cursors close; at ROLLBACK also those declared in the block. */
  private closeCursorsAtEnd(committed: boolean): void {
    for (const [name, c] of this.cursors) {
      if (!c.hold || (!committed && c.inTxn)) this.cursors.delete(name);
      else c.inTxn = false;
    }
  }

  private async runDmlStatement(stmt: QuiverStatement, dml: DmlStatement, params: readonly Value[]): Promise<ExecResult> {
    this.checkWritable(dml.kind.toUpperCase());
    const implicit = this.txState === 'idle';
    let result;
    // READ COMMITTED: a row another transaction is changing is waited for, and the
    // statement then runs again on a fresh snapshot (PostgreSQL re-checks the row instead;
    // the outcome is the same for single-row updates like pgbench's).
    for (let attempt = 0; ; attempt++) {
      const txn = implicit ? this.engine.storage.begin() : this.txn!;
      const mark = txn.mark();
      const rc = this.runContext(txn);
      try {
        result = await runDml(dml, rc, this.execEnv(params, rc), txn);
        if (implicit) {
          await this.persistCatalogIfDirty();
          await txn.commit();
        }
        break;
      } catch (e) {
        if (implicit) txn.rollback();
        else txn.rollbackTo(mark);
        if (!(e instanceof RowConflict) || attempt >= 1000) throw e;
        if (e.waitFor) {
          this.activity.waitingForLock(true);
          try {
            await this.control.waitForLock(e.waitFor, settingMillis(this.setting('lock_timeout')));
          } finally {
            this.activity.waitingForLock(false);
          }
        } else this.control.check();
        // REPEATABLE READ keeps its snapshot: a row changed since then cannot be updated
        if (this.txnSnapshot && !e.waitFor) {
          throw new SqlError('40001', 'could not serialize access due to concurrent update');
        }
      }
    }
    const verb = dml.kind.toUpperCase();
    const tag = dml.kind === 'insert' ? `INSERT 0 ${result.count}` : `${verb} ${result.count}`;
    if (result.returned) return { kind: 'rows', fields: stmt.fields!, rows: result.returned, tag };
    return { kind: 'command', tag };
  }

  private async runExplain(bound: Extract<Bound, { kind: 'explain' }>, params: readonly Value[]): Promise<ExecResult> {
    const plan = bound.plan!;
    let metrics: RunContext['metrics'];
    const vectorStats: RunContext['vectorStats'] = new Map();
    let totalMs = 0;
    if (bound.analyze) {
      metrics = new Map();
      const rc = { ...this.runContext(this.txn, metrics), vectorStats };
      const t0 = performance.now();
      if (bound.dml) {
        const txn = this.txState === 'idle' ? this.engine.storage.begin() : this.txn!;
        await runDml(bound.dml, rc, this.execEnv(params, rc), txn);
        if (this.txState === 'idle') await txn.commit();
      } else {
        const env = this.execEnv(params, rc);
        await drainAll(runPlan(plan, rc, env), env.checkCancel, rc.slice);
      }
      totalMs = performance.now() - t0;
    }
    const lines = explainPlan(plan, { metrics, vectorStats, verbose: bound.verbose, dml: bound.dml, rowCount: (oid) => this.engine.storage.rowCount(oid) });
    if (bound.analyze) lines.push(`Execution Time: ${totalMs.toFixed(3)} ms`);
    return { kind: 'rows', fields: [{ name: 'QUERY PLAN', type: T.text, tableOid: 0, columnAttr: 0 }], rows: lines.map((l) => [l]), tag: `EXPLAIN` };
  }

  // ------------------------------------------------------------------ utility statements

  /** DDL inside a transaction block: undo information, applied at COMMIT / ROLLBACK. */
  private ddlUndo: {
    before: CatalogData; created: number[]; dropLater: number[];
    /** objects this transaction's DDL changed (see ddl-undo.ts) */
    touched: Set<string>;
    /** the catalog as the running DDL statement found it */
    statementBefore?: CatalogData;
  } | undefined;

  /**
   * `data` (an image of `catalog`) without this session's uncommitted DDL: what the durable
   * catalog image may hold while the transaction is open.
   */
  withoutUncommittedDdl(catalog: Catalog, data: CatalogData): CatalogData {
    const undo = this.ddlUndo;
    if (!undo || catalog !== this.catalog) return data;
    const touched = new Set(undo.touched);
    if (undo.statementBefore) for (const k of changedObjects(undo.statementBefore, data)) touched.add(k);
    return undoObjects(undo.before, data, touched);
  }

  /** storage of tables an autocommit DROP removed from the catalog: dropped once that is saved */
  private autocommitDrops: number[] = [];

  /** After a DDL statement in a transaction block (done or failed): note what it changed. */
  private noteDdlChanges(): void {
    const undo = this.ddlUndo;
    if (!undo?.statementBefore) return;
    for (const k of changedObjects(undo.statementBefore, this.catalog.snapshotData())) undo.touched.add(k);
    undo.statementBefore = undefined;
  }

  private ddlContext(sql: string): ddl.DdlContext {
    let txn: ddl.DdlContext['txn'];
    if (this.txState === 'block') {
      if (!this.ddlUndo) this.ddlUndo = { before: this.catalog.snapshotData(), created: [], dropLater: [], touched: new Set() };
      const undo = this.ddlUndo;
      undo.statementBefore ??= this.catalog.snapshotData();
      txn = { created: (oid) => undo.created.push(oid), dropLater: (oid) => undo.dropLater.push(oid) };
    }
    return {
      catalog: this.catalog, storage: this.engine.storage, notices: this.notices, searchPath: this.searchPath(), sql, txn,
      dropAfterSave: txn ? undefined : (oid) => this.autocommitDrops.push(oid),
      dataTxn: this.txState === 'block' ? this.txn : undefined,
      bindQuery: (ast) => this.binder([]).bindSelect((ast as RawNode).SelectStmt, null).schema,
      compileRowExpr: (ast, columns, type) => this.compileRowExpr(ast as RawNode, columns, type),
    };
  }

  /** An expression over one row with these columns, cast (assignment) to `type`, ready to run. */
  private compileRowExpr(ast: RawNode, columns: readonly { name: string; type: SqlType }[], type: SqlType): (row: Row) => Value {
    const binder = this.binder([]);
    const scope = new Scope(null);
    scope.add('', columns.map((c) => ({ name: c.name, type: c.type, tableOid: 0, attnum: 0 })));
    const bound = bindExpr(ast, scope, binder.ctx('DEFAULT expressions'));
    // an unknown literal ('0') takes the column's type directly, as in CREATE TABLE … DEFAULT '0'
    const e = coerce(binder.env, bound, type, 'assignment', () => `default for column of type ${formatType(type)}`);
    const compiled = compileExpr(e);
    const rc = this.runContext(this.txn);
    const env = this.execEnv([], rc);
    return (row) => compiled(row, env);
  }

  private async finishDdl(committed: boolean): Promise<void> {
    const undo = this.ddlUndo;
    if (!undo) return;
    this.ddlUndo = undefined;
    if (!committed) {
      this.noteDdlChanges();
      this.catalog.loadData(undoObjects(undo.before, this.catalog.snapshotData(), undo.touched));
      this.catalog.version++;
    }
    // the catalog first, then the storage: a crash in between leaves only storage that no
    // catalog entry names, which the next start removes
    await this.engine.saveCatalog();
    for (const oid of committed ? undo.dropLater : undo.created) await this.engine.storage.dropTable(oid);
  }

  private async runUtility(stmt: QuiverStatement, node: RawNode, tag: string): Promise<ExecResult> {
    const kind = Object.keys(node)[0];
    const n = node[kind];
    const command = (t = tag): ExecResult => ({ kind: 'command', tag: t });
    if (DDL_KINDS.has(kind) || kind === 'CopyStmt' && n.is_from) this.checkWritable(tag);
    switch (kind) {
      case 'TransactionStmt':
        return command(await this.transaction(n));
      case 'VariableSetStmt':
        this.variableSet(n);
        return command();
      case 'VariableShowStmt':
        return this.show(n.name as string, stmt.fields!);
      case 'CreateStmt':
        await ddl.createTable(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'DropStmt':
        await ddl.drop(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'IndexStmt':
        await ddl.createIndex(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'CreateExtensionStmt':
        ddl.createExtension(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'CreateSeqStmt':
        ddl.createSequence(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'TruncateStmt': {
        const tables = await ddl.truncate(this.ddlContext(stmt.raw.text), n);
        const implicit = this.txState === 'idle';
        const txn = implicit ? this.engine.storage.begin() : this.txn!;
        for (const t of tables) {
          const ids: number[] = [];
          for (const b of this.engine.storage.scan(t.oid, this.engine.storage.snapshot(), txn)) ids.push(...b.rowIds);
          txn.delete(t.oid, ids);
        }
        if (implicit) await txn.commit();
        return command();
      }
      case 'VacuumStmt': {
        // VACUUM [table, …]: compaction of sealed segments (drops deleted rows)
        if (this.txState !== 'idle') throw new SqlError(SqlState.activeSqlTransaction, `${tag} cannot run inside a transaction block`);
        const rels = ((n.rels ?? []) as RawNode[]).map((r) => r.VacuumRelation.relation);
        if (tag === 'VACUUM') {
          if (rels.length === 0) await this.engine.storage.vacuum();
          for (const rv of rels) {
            const t = this.binder([]).lookupTable(rv.schemaname, rv.relname);
            if (!t) throw new SqlError(SqlState.undefinedTable, `relation "${rv.relname}" does not exist`);
            for (const leaf of leafPartitions(this.catalog, t)) await this.engine.storage.vacuum(leaf.oid);
          }
        }
        return command();
      }
      case 'CommentStmt':
        ddl.comment(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'CopyStmt':
        return this.copy(n);
      case 'AlterTableStmt':
        await ddl.alterTable(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'CreateTableAsStmt':
        return this.createTableAs(stmt, n);
      case 'ViewStmt':
        ddl.createView(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'RenameStmt':
        ddl.rename(this.ddlContext(stmt.raw.text), n);
        return command();
      case 'DiscardStmt':
        if (n.target === 'DISCARD_ALL') this.cursors.clear();
        return command();
      case 'FetchStmt':
        return this.fetch(n);
      case 'ClosePortalStmt':
        return command(this.closeCursor(n.portalname));
      case 'DeallocateStmt':
      case 'ListenStmt':
      case 'UnlistenStmt':
      case 'NotifyStmt':
      case 'CheckPointStmt':
      case 'LockStmt':
        return command();
      case 'CreatedbStmt':
        if (this.txState !== 'idle') throw new SqlError(SqlState.activeSqlTransaction, 'CREATE DATABASE cannot run inside a transaction block');
        await this.engine.createDatabase(n.dbname);
        return command();
      case 'DropdbStmt':
        if (this.txState !== 'idle') throw new SqlError(SqlState.activeSqlTransaction, 'DROP DATABASE cannot run inside a transaction block');
        if (!(await this.engine.dropDatabase(n.dbname, !!n.missing_ok, this.database))) {
          this.notices.push({ severity: 'NOTICE', code: '00000', message: `database "${n.dbname}" does not exist, skipping` });
        }
        return command();
      case 'DoStmt':
        throw new SqlError(SqlState.featureNotSupported, 'DO blocks are not supported');
      case 'CreateFunctionStmt': {
        this.ddlContext(stmt.raw.text); // inside a transaction block: snapshot the catalog for ROLLBACK
        const def = functionDefinition(this.catalog, n, this.searchPath());
        // validate now, like PostgreSQL's check_function_bodies: the body must bind
        try {
          bindFunctionBody(this.binder([]), def, true);
        } catch (e) {
          throw bodyErrorPosition(e, stmt.raw.text, def.body.sql);
        }
        storeFunction(this.catalog, def, !!n.replace);
        return command();
      }
      case 'CreateSchemaStmt': {
        const name = n.schemaname as string;
        if (name === 'public' || name === 'pg_catalog' || name === 'information_schema') {
          if (n.if_not_exists) {
            this.notices.push({ severity: 'NOTICE', code: '42P06', message: `schema "${name}" already exists, skipping` });
            return command();
          }
          throw new SqlError('42P06', `schema "${name}" already exists`);
        }
        throw new SqlError(SqlState.featureNotSupported, 'CREATE SCHEMA is not supported yet');
      }
      default:
        throw new SqlError(SqlState.featureNotSupported, `${tag || kind} is not supported`);
    }
  }

  private copy(n: RawNode): ExecResult {
    if (n.filename || n.is_program) {
      throw new SqlError(SqlState.insufficientPrivilege, 'COPY to or from a file is not supported; use COPY … FROM STDIN / TO STDOUT (psql: \\copy)');
    }
    const opts = copyOptions(n);
    const binder = this.binder([]);
    if (!n.is_from) {
      // COPY table TO STDOUT is COPY (SELECT cols FROM table) TO STDOUT
      let plan: Plan;
      if (n.query) {
        plan = optimize(binder.bindSelect(n.query.SelectStmt, null), { catalog: this.catalog });
      } else {
        const table = binder.lookupTable(n.relation.schemaname, n.relation.relname);
        if (!table) throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
        const cols = ((n.attlist ?? []) as RawNode[]).map((a) => a.String.sval as string);
        const list = cols.length ? cols.map((c) => `"${c.replace(/"/g, '""')}"`).join(', ') : '*';
        const q = parseSql(`SELECT ${list} FROM "${table.schema}"."${table.name.replace(/"/g, '""')}"`)[0];
        plan = optimize(binder.bindSelect(q.node.SelectStmt, null), { catalog: this.catalog });
      }
      const rc = this.runContext(this.txn);
      const rows = collect(runPlan(plan, rc, { ...this.execEnv([], rc), synchronous: true }));
      const chunks = formatCopyRows(rows, plan.schema.map((c) => c.type), plan.schema.map((c) => c.name), opts, { timezone: this.setting('timezone') });
      return { kind: 'copyOut', format: opts.format === 'binary' ? 'binary' : 'text', columnCount: plan.schema.length, chunks, tag: `COPY ${rows.length}` };
    }
    const table = binder.lookupTable(n.relation.schemaname, n.relation.relname);
    if (!table) throw new SqlError(SqlState.undefinedTable, `relation "${n.relation.relname}" does not exist`);
    const target = copyTarget(table, n.attlist);
    const missing = table.columns.map((_, i) => i).filter((i) => !target.columns.includes(i));
    const defaults = missing.map((i) => ({ column: i, expr: compileExpr(defaultExprFor(binder, table.columns[i])) }));
    const stream = opts.format === 'binary' ? new BinaryCopyStream(target) : undefined;
    return {
      kind: 'copyIn',
      format: opts.format === 'binary' ? 'binary' : 'text',
      columnCount: target.columns.length,
      accept: stream ? (chunk) => stream.push(chunk) : undefined,
      finish: async (data) => {
        if (data instanceof SqlError) throw data;
        const values = stream ? stream.end() : parseCopyData(data, target, opts);
        const implicit = this.txState === 'idle';
        const txn = implicit ? this.engine.storage.begin() : this.txn!;
        const rc = this.runContext(txn);
        const env = this.execEnv([], rc);
        const width = table.columns.length;
        const rows: Row[] = values.map((v) => {
          const row: Value[] = new Array(width).fill(null);
          target.columns.forEach((c, i) => (row[c] = v[i]));
          for (const d of defaults) row[d.column] = d.expr(row, env);
          return row;
        });
        const mark = txn.mark();
        try {
          const check = checkRunner(table, bindChecks(binder, table));
          const lines = (values as ParsedCopy).lines;
          const hasKeys = table.constraints.some((c) => c.type === 'f');
          rows.forEach((row, i) => {
            try {
              check(row, env);
              if (hasKeys) checkOutgoing(rc, txn, table, row);
            } catch (err) { throw withLineText(contextError(err, table, i + 1), lines?.[i]); }
          });
          insertRowsRouted(rc, txn, table, rows, (i, err) => {
            const e = contextError(err, table, i + 1);
            // constraint errors show the row's text; key conflicts (found in the index) do not
            return e.code === SqlState.uniqueViolation ? e : withLineText(e, lines?.[i]);
          });
          if (implicit) {
            await this.persistCatalogIfDirty();
            await txn.commit();
          }
        } catch (e) {
          if (implicit) txn.rollback();
          else txn.rollbackTo(mark);
          throw this.translateStorageError(e);
        }
        return { tag: `COPY ${rows.length}` };
      },
    };
  }

  private async transaction(n: RawNode): Promise<string> {
    switch (n.kind as string) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        if (this.txState !== 'idle') {
          this.notices.push({ severity: 'WARNING', code: SqlState.activeSqlTransaction, message: 'there is already a transaction in progress' });
          return 'BEGIN';
        }
        this.txn = this.engine.storage.begin();
        this.txnStart = Date.now() * 1000;
        this.txState = 'block';
        this.readOnly = this.settings.get('default_transaction_read_only') === 'on';
        this.settings.set('transaction_isolation', this.settings.get('default_transaction_isolation') ?? 'read committed');
        this.applyTransactionOptions(n.options);
        return n.kind === 'TRANS_STMT_BEGIN' ? 'BEGIN' : 'START TRANSACTION';
      case 'TRANS_STMT_COMMIT': {
        if (this.txState === 'idle') {
          this.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
          return 'COMMIT';
        }
        if (this.txState === 'failed') {
          this.txn?.rollback();
          this.endTransaction(false);
          await this.finishDdl(false);
          return 'ROLLBACK';
        }
        const txn = this.txn!;
        let ok = false;
        try {
          await this.persistCatalogIfDirty();
          await txn.commit();
          ok = true;
        } finally {
          this.endTransaction(ok);
          await this.finishDdl(ok);
        }
        return 'COMMIT';
      }
      case 'TRANS_STMT_ROLLBACK':
        if (this.txState === 'idle') {
          this.notices.push({ severity: 'WARNING', code: SqlState.noActiveSqlTransaction, message: 'there is no transaction in progress' });
          return 'ROLLBACK';
        }
        this.txn?.rollback();
        this.endTransaction(false);
        await this.finishDdl(false);
        return 'ROLLBACK';
      case 'TRANS_STMT_SAVEPOINT': {
        if (this.txState === 'idle') throw new SqlError(SqlState.noActiveSqlTransaction, 'SAVEPOINT can only be used in transaction blocks');
        this.savepoints.push({ name: n.savepoint_name as string, mark: this.txn!.mark() });
        return 'SAVEPOINT';
      }
      case 'TRANS_STMT_RELEASE':
      case 'TRANS_STMT_ROLLBACK_TO': {
        const what = n.kind === 'TRANS_STMT_RELEASE' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
        if (this.txState === 'idle') throw new SqlError(SqlState.noActiveSqlTransaction, `${what} can only be used in transaction blocks`);
        const name = n.savepoint_name as string;
        let i = this.savepoints.length - 1;
        while (i >= 0 && this.savepoints[i].name !== name) i--;
        if (i < 0) {
          throw new SqlError('3B001', `savepoint "${name}" does not exist`);
        }
        if (n.kind === 'TRANS_STMT_RELEASE') {
          this.savepoints.length = i;
          return 'RELEASE';
        }
        this.txn!.rollbackTo(this.savepoints[i].mark);
        this.savepoints.length = i + 1;
        this.txState = 'block';
        return 'ROLLBACK';
      }
      default:
        throw new SqlError(SqlState.featureNotSupported, `${n.kind} is not supported`);
    }
  }

  private readOnly = false;
  private savepoints: { name: string; mark: number }[] = [];

  private applyTransactionOptions(options: RawNode[] | undefined): void {
    for (const o of options ?? []) {
      const d = o.DefElem;
      if (d.defname === 'transaction_read_only') this.readOnly = (d.arg?.A_Const?.ival?.ival ?? 0) === 1;
      if (d.defname === 'transaction_isolation') this.settings.set('transaction_isolation', String(d.arg?.A_Const?.sval?.sval ?? 'read committed'));
    }
    this.settings.set('transaction_read_only', this.readOnly ? 'on' : 'off');
  }

  private checkWritable(what: string): void {
    if (this.txState !== 'idle' && this.readOnly) {
      throw new SqlError('25006', `cannot execute ${what} in a read-only transaction`);
    }
  }

  private endTransaction(committed: boolean): void {
    this.closeCursorsAtEnd(committed);
    if (!committed) {
      for (const [k, v] of this.rollbackRestore) {
        if (v === undefined) this.settings.delete(k);
        else this.settings.set(k, v);
        const def = settingDef(k);
        if (def?.report && v !== undefined) this.parameterChanges.push([def.name, v]);
      }
    }
    this.rollbackRestore.clear();
    this.savepoints = [];
    this.txnSnapshot?.release();
    this.txnSnapshot = undefined;
    this.txn = undefined;
    this.txState = 'idle';
    this.readOnly = false;
    this.settings.set('transaction_read_only', 'off');
    this.settings.set('transaction_isolation', this.settings.get('default_transaction_isolation') ?? 'read committed');
    for (const [k, v] of this.localRestore) {
      if (v === undefined) this.settings.delete(k);
      else this.settings.set(k, v);
    }
    this.localRestore.clear();
  }

  private variableSet(n: RawNode): void {
    const kind = n.kind as string;
    const isLocal = !!n.is_local;
    if (kind === 'VAR_RESET_ALL') {
      for (const d of allSettingDefs()) {
        if (d.readOnly) continue;
        const key = d.name.toLowerCase();
        const v = this.resetValues.get(key) ?? d.value;
        if (this.settings.get(key) !== v) this.setSetting(key, v, !!n.is_local);
      }
      return;
    }
    let name = (n.name as string) ?? '';
    if (kind === 'VAR_SET_MULTI') {
      // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION …
      if (name === 'TRANSACTION' && this.txState !== 'idle') this.applyTransactionOptions(n.args);
      return;
    }
    if (name === 'timezone' || name === 'time zone') name = 'timezone';
    if (kind === 'VAR_RESET' || kind === 'VAR_SET_DEFAULT') {
      const key = checkSettable(name);
      const def = settingDef(key);
      this.setSetting(key, this.resetValues.get(key) ?? def?.value ?? '', isLocal);
      return;
    }
    const args = ((n.args ?? []) as RawNode[]).map((a) => {
      const c = a.A_Const ?? a.TypeCast?.arg?.A_Const;
      if (!c) return '';
      // SET TIME ZONE INTERVAL '…': passed on as PostgreSQL's flatten_set_variable_args does
      if (a.TypeCast && c.sval) {
        const tn = (a.TypeCast.typeName.names as RawNode[]).map((x) => x.String.sval).pop();
        if (tn === 'interval') return `INTERVAL '${c.sval.sval}'`;
      }
      if (c.sval) return c.sval.sval as string;
      if (c.ival) return String(c.ival.ival ?? 0);
      if (c.fval) return c.fval.fval as string;
      if (c.boolval) return c.boolval.boolval ? 'on' : 'off';
      if (c.ival === undefined && c.sval === undefined && c.fval === undefined) return '0';
      return '';
    });
    let value = args.join(', ');
    if (name === 'search_path') value = ((n.args ?? []) as RawNode[]).map((a) => {
      const s = a.A_Const?.sval?.sval as string;
      return /^[a-z_][a-z0-9_]*$/.test(s) ? s : `"${s}"`;
    }).join(', ');
    this.setSetting(name, value, isLocal);
  }

  private show(name: string, fields: readonly FieldInfo[]): ExecResult {
    const key = name.toLowerCase();
    if (key === 'all') {
      const rows = allSettingDefs().map((d) => [d.name, this.settings.get(d.name.toLowerCase()) ?? d.value, '']);
      return { kind: 'rows', fields, rows, tag: 'SHOW' };
    }
    const mapped = key === 'transaction isolation level' ? 'transaction_isolation' : key === 'time zone' ? 'timezone' : key;
    const value = this.settings.get(mapped);
    if (value === undefined) throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    return { kind: 'rows', fields, rows: [[value]], tag: 'SHOW' };
  }
}

/** client_min_messages order: a notice is sent when its level is at or above the setting */
const NOTICE_LEVELS = ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'];

const DDL_KINDS = new Set(['CreateStmt', 'DropStmt', 'IndexStmt', 'CreateExtensionStmt', 'CreateSeqStmt', 'CommentStmt', 'TruncateStmt', 'AlterTableStmt', 'RenameStmt', 'ViewStmt', 'CreateTableAsStmt', 'CreateFunctionStmt']);

/** An error inside an `AS '…'` body points into the CREATE FUNCTION statement, as in PostgreSQL. */
function bodyErrorPosition(e: unknown, statement: string, body: string | undefined): unknown {
  if (!(e instanceof SqlError) || e.fields.position === undefined || body === undefined) return e;
  const at = statement.indexOf(body);
  return at < 0 ? e : new SqlError(e.code, e.message, { ...e.fields, position: e.fields.position + at });
}

function showColumnName(name: string): string {
  const key = name.toLowerCase();
  if (key === 'transaction isolation level') return 'transaction_isolation';
  if (key === 'time zone') return 'TimeZone';
  return settingDef(key)?.name ?? key;
}

function isTransactionEnd(kind: string, n: RawNode): boolean {
  return kind === 'TransactionStmt' && ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_ROLLBACK_TO', 'TRANS_STMT_PREPARE'].includes(n.kind);
}

function optimizeDml(stmt: DmlStatement, catalog: Catalog): DmlStatement {
  return { ...stmt, source: optimize(stmt.source, { catalog }) } as DmlStatement;
}

const TAGS: Record<string, string> = {
  CreateStmt: 'CREATE TABLE', DropStmt: 'DROP', IndexStmt: 'CREATE INDEX', CreateExtensionStmt: 'CREATE EXTENSION',
  VariableSetStmt: 'SET', VariableShowStmt: 'SHOW', TruncateStmt: 'TRUNCATE TABLE', CommentStmt: 'COMMENT',
  CreateSeqStmt: 'CREATE SEQUENCE', DiscardStmt: 'DISCARD ALL', DeallocateStmt: 'DEALLOCATE', ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN', NotifyStmt: 'NOTIFY', VacuumStmt: 'VACUUM', CheckPointStmt: 'CHECKPOINT', LockStmt: 'LOCK TABLE',
  CreateSchemaStmt: 'CREATE SCHEMA', DoStmt: 'DO', AlterTableStmt: 'ALTER TABLE', CopyStmt: 'COPY', ViewStmt: 'CREATE VIEW',
  CreateFunctionStmt: 'CREATE FUNCTION', RenameStmt: 'ALTER TABLE', CreatedbStmt: 'CREATE DATABASE', DropdbStmt: 'DROP DATABASE', PrepareStmt: 'PREPARE', ExecuteStmt: 'EXECUTE', CreateTableAsStmt: 'SELECT',
};

function utilityTag(kind: string, n: RawNode): string {
  if (kind === 'DropStmt') {
    const map: Record<string, string> = {
      OBJECT_TABLE: 'DROP TABLE', OBJECT_INDEX: 'DROP INDEX', OBJECT_SEQUENCE: 'DROP SEQUENCE', OBJECT_EXTENSION: 'DROP EXTENSION',
      OBJECT_VIEW: 'DROP VIEW', OBJECT_SCHEMA: 'DROP SCHEMA', OBJECT_TYPE: 'DROP TYPE', OBJECT_FUNCTION: 'DROP FUNCTION',
    };
    return map[n.removeType] ?? 'DROP';
  }
  if (kind === 'RenameStmt') return n.renameType === 'OBJECT_INDEX' ? 'ALTER INDEX' : n.renameType === 'OBJECT_VIEW' ? 'ALTER VIEW' : 'ALTER TABLE';
  if (kind === 'DiscardStmt') return n.target === 'DISCARD_ALL' ? 'DISCARD ALL' : 'DISCARD';
  if (kind === 'VariableSetStmt' && n.kind === 'VAR_RESET' || n?.kind === 'VAR_RESET_ALL') return 'RESET';
  if (kind === 'VacuumStmt') return n.is_vacuumcmd === false ? 'ANALYZE' : 'VACUUM';
  if (kind === 'TransactionStmt') return '';
  return TAGS[kind] ?? kind.replace(/Stmt$/, '').toUpperCase();
}

export type { Row };

