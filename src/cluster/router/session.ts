/**
 * The router session: the Backend of one client connection to the shard router. It opens a
 * connection per shard leader lazily (as the client's user, database and startup
 * parameters; SET / RESET / DISCARD replayed on each new one), runs each statement where
 * route.ts says, and decodes the shards' text results into Quiver values for the wire layer.
 * Transactions span the shard connections a block touches (transaction.ts has the commit
 * rule).
 *
 * The Backend seam's prepare() is synchronous, so the async work of preparing (parsing,
 * loading the shard catalog, a Describe on the shard that will run the statement) happens in
 * beforeStatement(), which the wire layer awaits right before prepare() with the same text.
 * That Describe has no client parameter types (beforeStatement does not get them); types the
 * client gave in Parse replace the inferred ones.
 */
import * as pgQuery from 'libpg-query';
import type { Logger } from 'pino';
import type { RekeyingDdl } from './key-ddl.js';
import { SqlError, type SqlNotice } from '../../errors.js';
import { formatTypeWithTypmod, sqlType, type SqlType, type Value } from '../../types/types.js';
import { formatText, parseText } from '../../types/text-io.js';
import type { Backend, ConnectionHandle, ExecResult, FieldInfo, PreparedStatement, StartupInfo } from '../../wire/backend.js';
import type { ShardDirectory } from '../shard-directory.js';
import type { FanoutPlan, PlanFanout, ShardResult } from './fanout-api.js';
import { ShardConnection, splitAddress, type ShardLink, type ShardParam, type ShardReply, type ShardStream } from './shard-connection.js';
import { ShardCatalog, type RouterTable, type TableLookup } from './shard-catalog.js';
import { routeStatement, type KeySource, type Route } from './route.js';
import { coerceKey, shardOfKey } from './shard-hash.js';
import { copyIntoShards } from './copy-in.js';
import { drawnValues, drawQuery, drawRows, type DrawnExpression } from './sequence-draw.js';
import { ALL_TASKS_SETTING, explainAcrossShards, explainDescribed, type ExplainHost } from './fanout-explain.js';
import { mergeBinaryCopyOut } from './copy-binary.js';
import { formatCopyRows } from '../../types/copy-format.js';
import { checkKeysOnce, inRowOrder, insertBatches, type InsertBatch } from './insert-select.js';
import { runKeyUpdate } from './key-update.js';
import { keyText, mergeBatches } from './merge-sharded.js';
import { pullUp, pullUpReadOnly, type PulledStatement } from './pull-up.js';
import { allOrFirstError, decodeReply, encodeParams, fieldInfo, quoteIdent, sqlLiteral, sumTags, type TextSettings } from './shard-values.js';
import { Transaction, commitTransaction, rollbackTransaction, type TwoPhaseContext } from './transaction.js';
import { SqlObjects, type SqlObjectsHost } from './sql-objects.js';
import { decodeInSlices, fanoutRowStream, sentRowStream, shardRowStream, STREAM_BATCH_ROWS } from './stream.js';
import { streamOrder } from './fanout-merge.js';
import { ReadTimestamps } from './read-timestamp.js';
import type { TimestampSource } from '../tso/tso-client.js';

/** What every session of one router shares. */
export interface RouterContext {
  readonly directory: ShardDirectory;
  readonly logger: Logger;
  readonly planFanout: PlanFanout | undefined;
  readonly waitMs: number;
  /** ParameterStatus sent at startup (shard 0's, learned when the router started) */
  readonly startupParameters: [string, string][];
  /** the next two-phase commit gid: quiver_<routerid>_<n> */
  nextGid(): string;
  /** the decision record, in-flight gids and test hooks of two-phase commit */
  readonly twoPhase: TwoPhaseContext;
  /** the next round-robin shard for a table without a key */
  nextRoundRobin(): number;
  /**
   * The shards' catalog, read on `reader()`'s shard 0 connection when not cached; read again
   * in the background on `refreshOn` once older than a second (an idle session's connection).
   */
  catalog(reader: () => Promise<ShardConnection>, refreshOn?: ShardConnection): Promise<ShardCatalog>;
  invalidateCatalog(): void;
  /** moves on with each DDL through the router: statements prepared on shards before it are stale */
  ddlEpoch(): number;
  /** the cluster secret proven to the shards by SCRAM (none: they trust the router) and the TLS spoken to them (shard-connection.ts) */
  readonly link: ShardLink;
  /** the timestamp oracle: each statement reads every shard at one timestamp (read-timestamp.ts) */
  readonly timestamps?: TimestampSource;
}

interface RouterStatement extends PreparedStatement {
  readonly sql: string;
  readonly route: Route;
  /** the parameter types the shards are told in Parse (the client's where it gave them) */
  readonly shardParamTypes: readonly number[];
}

const FAILED_BLOCK = (): SqlError => new SqlError('25P02', 'current transaction is aborted, commands ignored until end of transaction block');

export class RouterSession implements Backend {
  private readonly connections = new Map<number, Promise<ShardConnection>>();
  private params: Record<string, string> = {};
  /** SET / RESET / DISCARD statements replayed on a shard connection opened later */
  private replay: string[] = [];
  private block: Transaction | null = null;
  /** statements in the current simple Query, and how many have run (implicit transaction) */
  private queryParts = 0;
  private queryPartsDone = 0;
  private described: { sql: string; route: Route; paramTypes: number[]; fields: FieldInfo[] | null } | null = null;
  /**
   * Describes of this session's SELECT / INSERT / UPDATE / DELETE texts, so a statement run
   * again costs no Describe round trip to a shard: valid while no DDL went through the router
   * (ddlEpoch) and no SET changed how names resolve; not used in a block that ran DDL.
   */
  private readonly describeCache = new Map<string, { epoch: number; route: Route; paramTypes: number[]; fields: FieldInfo[] | null }>();
  private readonly notices: SqlNotice[] = [];
  private readonly knownParameters = new Map<string, string>();

  private readonly stopFollowing: () => void;
  /** SQL PREPARE statements and cursors over sharded tables (sql-objects.ts) */
  private readonly sqlObjects = new SqlObjects(this.sqlObjectsHost());
  /** the timestamp each statement reads the shards at (read-timestamp.ts) */
  private readonly reads: ReadTimestamps;

  constructor(private readonly ctx: RouterContext, readonly processId: number, readonly secretKey: number, private readonly handle?: ConnectionHandle) {
    // a shard's leader changed: the connection to the old one goes (a block using it fails);
    // the next statement there connects to the new leader, or waits for one (57P03)
    this.stopFollowing = ctx.directory.onChange((shard) => this.settled.get(shard)?.close());
    this.reads = new ReadTimestamps(ctx.timestamps);
  }

  startup(params: Record<string, string>): StartupInfo {
    // the shards get the client's startup parameters (user, database, options, GUCs), not a
    // replication request
    const { replication: _replication, ...forShards } = params;
    this.params = forShards;
    for (const [k, v] of this.ctx.startupParameters) this.knownParameters.set(k, v);
    // shard 0 answers every session's first statement: connect now (errors show at that statement)
    this.connection(0).catch(() => {});
    return { parameterStatus: [...this.ctx.startupParameters], processId: this.processId, secretKey: this.secretKey };
  }

  splitStatements(sql: string): string[] {
    if (sql.trim() === '') return [];
    let stmts;
    try {
      stmts = pgQuery.parseSync(sql).stmts ?? [];
    } catch {
      return [sql]; // the shard reports the syntax error with its position
    }
    // several statements in one Query are one implicit transaction, as in PostgreSQL
    this.queryParts = stmts.length;
    this.queryPartsDone = 0;
    if (stmts.length <= 1) return stmts.length === 0 ? [] : [sql];
    return stmts.map((s, i) => {
      const at = s.stmt_location ?? 0;
      return sql.slice(at, s.stmt_len ? at + s.stmt_len : i === stmts.length - 1 ? sql.length : at);
    });
  }

  /**
   * `paramTypes`: the types a Parse gave, when the wire layer passes them (today's seam passes
   * only the text: the shard then infers every type, and prepare() puts the client's in)
   */
  beforeStatement(sql: string, paramTypes: readonly number[] = []): Promise<void> {
    return this.guard(this.describe(sql, paramTypes));
  }

  private async describe(sql: string, paramTypes: readonly number[]): Promise<void> {
    this.described = null;
    const cacheKey = `${paramTypes.join(',')}\0${sql}`;
    // the router reads the catalog again when it is old (DDL through another proxy): asking for
    // it lets that start before the cached describe is checked against its version
    const shard0 = this.connections.get(0);
    if (shard0 && !this.block?.ranDdl) await shard0.then((c) => this.catalog(c)).catch(() => {});
    const cached = this.block?.ranDdl ? undefined : this.describeCache.get(cacheKey);
    if (cached && cached.epoch === this.ctx.ddlEpoch()) {
      if (this.block?.failed) throw FAILED_BLOCK();
      this.described = { sql, route: cached.route, paramTypes: cached.paramTypes, fields: cached.fields };
      return;
    }
    let route: Route = { kind: 'shard0', write: false };
    let stmt: Record<string, unknown> | undefined;
    try {
      const stmts = pgQuery.parseSync(sql).stmts ?? [];
      if (stmts.length === 1) stmt = stmts[0]!.stmt as Record<string, unknown>;
    } catch {
      // a syntax error: shard 0's Parse reports it as PostgreSQL does
    }
    // transaction control needs no catalog (a ROLLBACK works while shard 0 has no leader)
    if (stmt?.TransactionStmt) route = routeStatement(sql, stmt, { table: () => undefined });
    else if (stmt) route = routeStatement(sql, stmt, this.lookup(await this.catalog(await this.connection(0))));
    type Rel = { relname: string; relpersistence?: string };
    const created = (stmt?.CreateStmt as { relation?: Rel } | undefined)?.relation
      ?? (stmt?.CreateTableAsStmt as { into?: { rel?: Rel } } | undefined)?.into?.rel
      ?? (stmt?.SelectStmt as { intoClause?: { rel?: Rel } } | undefined)?.intoClause?.rel;
    if (created?.relpersistence === 't') this.temporaryTables.add(created.relname);
    const endsBlock = route.kind === 'tx' && (route.verb === 'commit' || route.verb === 'rollback' || route.verb === 'rollbackTo');
    if (this.block?.failed && !endsBlock) throw FAILED_BLOCK();
    if (route.kind === 'unsupported') {
      // a statement PostgreSQL itself would refuse (a missing column, an invalid reference) gets that error
      if (route.analyzeFirst) await this.guard((await this.connection(0)).describe(sql, paramTypes));
      throw route.error;
    }
    this.sqlObjects.checkExplain(stmt);
    if (route.kind === 'tx' || route.kind === 'session' || route.kind === 'copyIn' || route.kind === 'copyOut' || route.kind === 'copyQueryOut') {
      this.described = { sql, route, paramTypes: [], fields: null };
      return;
    }
    const cursorFields = this.sqlObjects.fetchFields(route);
    if (cursorFields !== undefined) {
      this.described = { sql, route, paramTypes: [], fields: cursorFields };
      return;
    }
    const shard = route.kind === 'pinned' ? this.constantShard(route.key, route.table.keyTypes) ?? 0 : 0;
    const conn = await this.connection(shard);
    const epoch = this.ctx.ddlEpoch();
    // EXPLAIN of CREATE TABLE AS: described as the same EXPLAIN of its query (Quiver's own EXPLAIN refuses the CREATE)
    const d = await this.guard(conn.describe(route.kind === 'explain' ? explainDescribed(sql, route) : sql, paramTypes));
    this.described = { sql, route, paramTypes: d.paramTypes, fields: d.fields && d.fields.map(fieldInfo) };
    if (stmt && CACHED_STATEMENTS.some((k) => k in stmt) && !this.block?.ranDdl) {
      if (this.describeCache.size >= DESCRIBE_CACHE_SIZE) this.describeCache.delete(this.describeCache.keys().next().value!);
      this.describeCache.set(cacheKey, { epoch, route, paramTypes: d.paramTypes, fields: this.described.fields });
    }
  }

  prepare(sql: string, paramTypes: readonly number[]): PreparedStatement {
    const d = this.described;
    if (!d || d.sql !== sql) throw new SqlError('XX000', 'the shard router prepared a statement it had not described');
    this.described = null;
    const n = Math.max(d.paramTypes.length, paramTypes.length);
    const types = Array.from({ length: n }, (_, i) => (paramTypes[i] ? paramTypes[i]! : d.paramTypes[i] ?? 25));
    const stmt: RouterStatement = { sql, route: d.route, paramTypes: types, fields: d.fields, shardParamTypes: types };
    return stmt;
  }

  async execute(prepared: PreparedStatement, params: readonly Value[]): Promise<ExecResult> {
    const stmt = prepared as RouterStatement;
    const route = stmt.route;
    if (this.block?.failed && !(route.kind === 'tx' && route.verb !== 'begin' && route.verb !== 'savepoint' && route.verb !== 'release')) throw FAILED_BLOCK();
    const multi = this.queryParts > 1;
    if (multi && !this.block) this.block = new Transaction('BEGIN', true);
    const last = multi && ++this.queryPartsDone === this.queryParts;
    await this.reads.beginStatement(route, this.block);
    // any error of a statement fails the block, as in PostgreSQL (COMMIT / ROLLBACK end it themselves)
    const result = await (route.kind === 'tx' ? this.run(stmt, params) : this.guard(this.runReading(stmt, params)));
    if (!last || !this.block?.implicit) return result;
    if (result.kind !== 'copyIn') {
      await this.endImplicitBlock();
      return result;
    }
    const finish = result.finish;
    return {
      ...result,
      finish: async (data) => {
        const done = await finish(data);
        await this.endImplicitBlock();
        return done;
      },
    };
  }

  /**
   * Run a statement; a read outside a block that a shard refused because its read timestamp
   * predates that shard's leader (72000: the leader changed while the statement was on its
   * way) runs again at a new timestamp (read-timestamp.ts), at most twice more.
   */
  private async runReading(stmt: RouterStatement, params: readonly Value[]): Promise<ExecResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.run(stmt, params, true);
      } catch (e) {
        if (attempt >= 2 || this.block || !(e instanceof SqlError && e.code === '72000') || !this.reads.mayRetry(stmt.route)) throw e;
        await this.reads.beginStatement(stmt.route, this.block);
      }
    }
  }

  /** The last statement of a multi-statement Query ran: its implicit transaction commits. */
  private async endImplicitBlock(): Promise<void> {
    const block = this.block!;
    this.block = null;
    let committed = false;
    try {
      if (block.failed) await rollbackTransaction(block);
      else {
        await commitTransaction(block, this.ctx.nextGid(), this.ctx.twoPhase);
        committed = true;
        this.keepBlockSettings(block);
      }
    } finally {
      this.sqlObjects.cursors.endOfTransaction(committed);
      this.blockEnded(block);
    }
  }

  /** The end of a Query or Sync: an implicit transaction still open failed midway and rolls back. */
  sync(): void {
    this.queryParts = 0;
    this.queryPartsDone = 0;
    const block = this.block;
    if (!block?.implicit) return;
    this.block = null;
    this.sqlObjects.cursors.endOfTransaction(false);
    // queued on each shard connection before anything the client sends next
    void rollbackTransaction(block).finally(() => this.blockEnded(block));
  }

  /** `stream`: the client reads the result (not a statement of the router's own): reads may stream (stream.ts) */
  private async run(stmt: RouterStatement, params: readonly Value[], stream = false): Promise<ExecResult> {
    const route = stmt.route;
    switch (route.kind) {
      case 'tx': return this.transactionStatement(stmt, route.verb, route.savepoint);
      case 'session': return this.sessionStatement(stmt.sql);
      case 'shard0':
        if (stream && this.mayStream(stmt, route.write)) return this.streamFrom([0], stmt, params, undefined);
        return this.rowsOrTag(await this.runOn([0], route.write, stmt, params));
      case 'pinned': {
        const shard = shardOfKey(route.table.keyTypes, this.keyValues(route.key, route.table.keyTypes, stmt, params), this.shards);
        if (stream && this.mayStream(stmt, route.write)) return this.streamFrom([shard], stmt, params, undefined);
        return this.rowsOrTag(await this.runOn([shard], route.write, stmt, params));
      }
      case 'everyShard': {
        if (route.rekeys) await this.refuseRekeyingRows(route.rekeys);
        try {
          // in a block, the shards say that VACUUM and the like cannot run there (25001)
          const replies = route.inBlock || this.block
            ? await this.runOn(this.allShards(), route.write, stmt, params).catch((e: unknown) => {
              if (!route.ddl || this.block || !refusedToPrepare(e)) throw e;
              return this.ddlShardByShard(stmt, params);
            })
            : await allOrFirstError(this.allShards().map(async (s) => {
              const conn = await this.connection(s);
              this.reads.stamp(conn);
              return conn.run(stmt.sql, stmt.shardParamTypes, this.shardParams(stmt, params));
            }));
          return this.rowsOrTag(replies);
        } finally {
          // read again even after a failure: a DDL outside a transaction may have run on some shards
          if (route.ddl) this.catalogChanged();
        }
      }
      case 'insert': return this.insert(stmt, route, params);
      case 'insertSelect': return this.insertSelect(stmt, route, params);
      case 'roundRobin': return this.rowsOrTag(await this.runOn([this.roundRobinShard()], true, stmt, params));
      case 'fanout': return this.fanout(stmt, route.parsed, params, stream);
      case 'pullUp': return this.pullUp(stmt, params, stream);
      case 'keyUpdate': return this.keyUpdate(stmt, route, params);
      case 'mergeSharded': return this.mergeSharded(stmt, route, params);
      case 'createTableAs': return this.createTableAs(stmt, route, params);
      case 'copyIn': return this.copyIn(stmt, route);
      case 'copyOut': return this.copyOut(stmt, route);
      case 'explain': return explainAcrossShards(this.explainHost(stmt, params), route);
      case 'copyQueryOut': return this.copyQueryOut(stmt, route, params);
      case 'sqlPrepare':
      case 'sqlExecute':
      case 'sqlDeallocate':
      case 'declareCursor':
      case 'fetchCursor':
      case 'closeCursor':
        return this.sqlObjects.run(stmt.sql, route, stmt.paramTypes, params, async () => this.rowsOrTag(await this.runOn([0], route.kind === 'sqlExecute', stmt, params)));
      case 'unsupported': throw route.error;
    }
  }

  /**
   * DDL outside a block that changes existing objects (ALTER, DROP, CREATE INDEX): the shards
   * cannot prepare it (its undo does not survive a restart), so it is not atomic across
   * shards. It runs on shard 0 first, which checks it as one server would (an error there
   * leaves every shard unchanged), then on the others; an error on one of those is answered
   * with the shards it did change.
   */
  private async ddlShardByShard(stmt: RouterStatement, params: readonly Value[]): Promise<ShardReply[]> {
    // the attempt in one transaction was rolled back: its notices are not the statement's
    for (const c of this.openConnections()) c.notices.splice(0);
    const on = async (s: number) => (await this.connection(s)).run(stmt.sql, stmt.shardParamTypes, this.shardParams(stmt, params));
    const first = await on(0);
    const rest = await Promise.allSettled(this.allShards().slice(1).map(on));
    const failed = rest.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      const err = (rest[failed] as PromiseRejectedResult).reason;
      const done = [0, ...rest.flatMap((r, i) => (r.status === 'fulfilled' ? [i + 1] : []))];
      this.ctx.logger.error({ sql: stmt.sql, applied: done, err }, 'DDL applied on some shards only');
      if (err instanceof SqlError) throw new SqlError(err.code, err.message, { ...err.fields, detail: `The statement was applied on shards ${done.join(', ')} and not on shard ${failed + 1}: run it again there.` });
      throw err;
    }
    return [first, ...rest.map((r) => (r as PromiseFulfilledResult<ShardReply>).value)];
  }

  describeCursor(name: string): FieldInfo[] | undefined {
    return this.sqlObjects.cursors.fields(name);
  }

  hasSqlPreparedStatement(name: string): boolean {
    return this.sqlObjects.prepared.has(name);
  }

  /** What sql-objects.ts runs statements with: shard 0, routes and runs as the session has them. */
  private sqlObjectsHost(): SqlObjectsHost {
    return {
      inBlock: () => this.block !== null,
      savepointLevel: () => this.block?.savepoints.length ?? 0,
      onShard0: async (sql, types, params) => (await this.onShards([0], false, (c) => c.run(sql, types, params)))[0]!,
      describeOnShard0: async (sql, types) => this.guard((await this.connection(0)).describe(sql, types)),
      route: async (sql, parsed) => routeStatement(sql, parsed, this.lookup(await this.catalog(await this.connection(0)))),
      run: (sql, route, paramTypes, fields, params) => this.run({ sql, route, paramTypes, fields, shardParamTypes: paramTypes }, params),
      textSettings: () => this.textSettings(),
      cursorPlan: async (sql, route) => {
        if (route.kind === 'pinned') {
          const stmt: RouterStatement = { sql, route, paramTypes: [], fields: null, shardParamTypes: [] };
          return { shards: [shardOfKey(route.table.keyTypes, this.keyValues(route.key, route.table.keyTypes, stmt, []), this.shards)], sql };
        }
        if (route.kind !== 'fanout') return null;
        // a shape the planner refuses is pulled up: its rows are shard 0's answer, kept whole
        const plan = await this.planFanout(sql, route.parsed).catch(() => null);
        return plan?.stream ? { shards: this.allShards(), sql: plan.shardSql, order: plan.stream } : null;
      },
      blockShard: (shard) => this.guard(this.join(shard, false)),
      shard0StatementsDropped: () => this.settled.get(0)?.forgetStatements(false),
    };
  }

  transactionStatus(): 'I' | 'T' | 'E' {
    return this.block && !this.block.implicit ? (this.block.failed ? 'E' : 'T') : 'I';
  }

  takeNotices(): SqlNotice[] {
    const out = this.notices.splice(0);
    // a statement run on every shard (DROP … IF EXISTS, DDL) gets the same notice from each:
    // once, but as many times as one shard gave it (one notice a call of a function)
    const emitted = new Map<string, number>();
    for (const c of this.openConnections()) {
      const here = new Map<string, number>();
      for (const n of c.notices.splice(0)) {
        const key = JSON.stringify(n);
        const nth = (here.get(key) ?? 0) + 1;
        here.set(key, nth);
        if ((emitted.get(key) ?? 0) < nth) {
          out.push(n);
          emitted.set(key, nth);
        }
      }
    }
    return out;
  }

  /** LISTEN / NOTIFY run on shard 0: its notifications are the session's. */
  takeNotifications(): { pid: number; channel: string; payload: string }[] {
    return this.settled.get(0)?.notifications.splice(0) ?? [];
  }

  takeParameterChanges(): [string, string][] {
    const shard0 = this.openConnections().find((c) => c.shard === 0);
    if (!shard0) return [];
    const changes: [string, string][] = [];
    for (const [k, v] of shard0.parameterChanges.splice(0)) {
      if (this.knownParameters.get(k) === v) continue;
      this.knownParameters.set(k, v);
      changes.push([k, v]);
    }
    return changes;
  }

  setting(name: string): string | undefined {
    return this.knownParameters.get(name);
  }

  abortBlock(): void {
    if (this.block) this.block.failed = true;
  }

  cancel(): void {
    for (const c of this.openConnections()) if (c.busy) c.cancel();
    void this.pullUpConn?.conn.then((c) => { if (c.busy) c.cancel(); }, () => {});
  }

  close(): void {
    this.stopFollowing();
    if (this.block) this.blockEnded(this.block);
    for (const c of this.openConnections()) c.close();
    for (const p of this.connections.values()) p.then((c) => c.close(), () => {});
    this.connections.clear();
    this.pullUpConn?.conn.then((c) => c.close(), () => {});
    this.pullUpConn = null;
  }

  // ---- the shard catalog ----------------------------------------------------------------

  /** a block that ran DDL sees its own catalog (read inside it on shard 0), not the shared one */
  private blockCatalog: Promise<ShardCatalog> | null = null;

  private catalog(shard0: ShardConnection): Promise<ShardCatalog> {
    if (this.block?.ranDdl) {
      this.blockCatalog ??= ShardCatalog.load(shard0);
      return this.blockCatalog;
    }
    // in a client's block, read on the side connection, outside the block: on shard0 the
    // catalog's queries would run in the block's transaction — in a REPEATABLE READ block
    // maybe before its first statement, taking the block's snapshot on shard 0 at the newest
    // data instead of at the block's read timestamp (a fan-out sum then mixed two snapshots)
    if (this.block) return this.ctx.catalog(() => this.pullUpConnection());
    return this.ctx.catalog(async () => shard0, shard0);
  }

  /** the temporary tables the session created (they live on shard 0) */
  private readonly temporaryTables = new Set<string>();

  /** the schemas unqualified names are looked up in (current_schemas(false) on shard 0) */
  private searchPath: readonly string[] = ['public'];

  private lookup(catalog: ShardCatalog): TableLookup {
    return {
      table: (schema, name) => catalog.table(schema, name, this.searchPath),
      isView: (schema, name) => catalog.isView(schema, name, this.searchPath),
      functionBodies: (schema, name) => catalog.functionBodies(schema, name, this.searchPath),
      isTemporary: (name) => this.temporaryTables.has(name),
    };
  }

  private catalogChanged(): void {
    this.ctx.invalidateCatalog();
    this.blockCatalog = null;
    if (this.block) this.block.ranDdl = true;
  }

  /** The block ended: its DDL is now committed or gone, and the shared catalog is read again. */
  /** A block committed: its session-level SETs hold for connections opened from now on. */
  private keepBlockSettings(block: Transaction): void {
    for (const { sql } of block.sets) if (!/^\s*set\s+(local|transaction)\b/i.test(sql)) this.replay.push(sql);
  }

  private blockEnded(block: Transaction): void {
    // statements prepared under the block's SETs may read constants otherwise after a rollback
    if (block.sets.length > 0) for (const c of this.openConnections()) c.forgetStatements(true);
    if (!block.ranDdl) return;
    this.blockCatalog = null;
    this.ctx.invalidateCatalog();
  }

  // ---- shard connections ---------------------------------------------------------------

  private get shards(): number {
    return this.ctx.directory.shards;
  }

  private allShards(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }

  private settled = new Map<number, ShardConnection>();

  private openConnections(): ShardConnection[] {
    return [...this.settled.values()].filter((c) => !c.closed);
  }

  /** The session's connection to `shard`, opened (and given the session's SETs) on first use. */
  private connection(shard: number): Promise<ShardConnection> {
    const open = this.connections.get(shard);
    const current = this.settled.get(shard);
    if (open && !(current?.closed)) return open;
    if (current?.closed && this.block?.participants.has(shard)) {
      return Promise.reject(new SqlError('08006', `connection to shard ${shard} was lost in the transaction`));
    }
    const opening = (async () => {
      const conn = await this.openShard(shard);
      if (shard === 0) conn.onNotification = () => this.handle?.notificationsArrived?.();
      for (const sql of this.replay) await conn.simple(sql);
      if (shard === 0) await this.readSearchPath(conn);
      conn.notices.splice(0);
      this.settled.set(shard, conn);
      return conn;
    })();
    opening.catch(() => this.connections.delete(shard));
    this.connections.set(shard, opening);
    return opening;
  }

  /**
   * Connect to the node the directory names for `shard`; one that does not answer (08006) is
   * reported, and the directory asked again while it may name another (a read port's standbys).
   */
  private async openShard(shard: number): Promise<ShardConnection> {
    for (;;) {
      const address = await this.ctx.directory.waitLeader(shard, this.ctx.waitMs);
      try {
        return await ShardConnection.open(shard, address, this.params, () => this.ctx.ddlEpoch(), this.ctx.link);
      } catch (e) {
        if (!(e instanceof SqlError && e.code === '08006' && this.ctx.directory.unreachable?.(shard, address))) throw e;
      }
    }
  }

  /** A shard's error fails the block (PostgreSQL: the transaction is aborted). */
  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (e) {
      if (this.block) this.block.failed = true;
      throw e;
    }
  }

  /** `conn` in the block (BEGIN and the block's savepoints on first use), noting a write. */
  private async join(shard: number, write: boolean, block: Transaction = this.block!): Promise<ShardConnection> {
    const conn = await this.connection(shard);
    let p = block.participants.get(shard);
    if (!p) {
      await conn.simple(block.begin);
      // the block's SETs and savepoints in the order they came
      for (let depth = 0; depth <= block.savepoints.length; depth++) {
        for (const set of block.sets) if (set.depth === depth) await conn.simple(set.sql);
        if (depth < block.savepoints.length) await conn.simple(`SAVEPOINT ${quoteIdent(block.savepoints[depth]!)}`);
      }
      p = { conn, wrote: false };
      block.participants.set(shard, p);
    }
    if (write) p.wrote = true;
    return conn;
  }

  /**
   * Run `work` on each shard as one transaction: inside the client's block (joining the
   * shards it touches), else alone (one shard, or reads), else as an implicit block that
   * commits by the commit rule.
   */
  private async onShards<T>(shards: readonly number[], write: boolean, shardWork: (conn: ShardConnection) => Promise<T>): Promise<T[]> {
    // the statement's read timestamp goes ahead of its request on each shard (read-timestamp.ts)
    const work = (conn: ShardConnection) => {
      this.reads.stamp(conn);
      return shardWork(conn);
    };
    if (this.block) {
      return this.guard(allOrFirstError(shards.map(async (s) => work(await this.join(s, write)))));
    }
    if (shards.length === 1 || !write) {
      return allOrFirstError(shards.map(async (s) => work(await this.connection(s))));
    }
    this.block = new Transaction('BEGIN', true);
    try {
      const results = await allOrFirstError(shards.map(async (s) => work(await this.join(s, write))));
      const block = this.block;
      this.block = null;
      await commitTransaction(block, this.ctx.nextGid(), this.ctx.twoPhase);
      return results;
    } catch (e) {
      const block = this.block;
      this.block = null;
      if (block) await rollbackTransaction(block);
      throw e;
    }
  }

  private runOn(shards: readonly number[], write: boolean, stmt: RouterStatement, params: readonly Value[]): Promise<ShardReply[]> {
    const values = this.shardParams(stmt, params);
    return this.onShards(shards, write, (c) => c.run(stmt.sql, stmt.shardParamTypes, values));
  }

  // ---- statements --------------------------------------------------------------------------

  private async transactionStatement(stmt: RouterStatement, verb: string, savepoint: string | undefined): Promise<ExecResult> {
    const block = this.block;
    switch (verb) {
      case 'begin':
        // BEGIN in a multi-statement Query makes its implicit transaction a block (PostgreSQL does too)
        if (block?.implicit) block.implicit = false;
        else if (block) this.notices.push({ severity: 'WARNING', code: '25001', message: 'there is already a transaction in progress' });
        else this.block = new Transaction(stmt.sql, false);
        return { kind: 'command', tag: /^\s*start\b/i.test(stmt.sql) ? 'START TRANSACTION' : 'BEGIN' };
      case 'commit':
        if (block?.implicit) this.notices.push({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        if (!block) {
          this.notices.push({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
          return { kind: 'command', tag: 'COMMIT' };
        }
        this.block = null;
        let committed = false;
        try {
          if (block.failed) {
            await rollbackTransaction(block);
            return { kind: 'command', tag: 'ROLLBACK' };
          }
          await commitTransaction(block, this.ctx.nextGid(), this.ctx.twoPhase);
          committed = true;
          this.keepBlockSettings(block);
          return { kind: 'command', tag: 'COMMIT' };
        } finally {
          this.sqlObjects.cursors.endOfTransaction(committed);
          this.blockEnded(block);
        }
      case 'rollback':
        if (!block || block.implicit) this.notices.push({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        if (block) {
          this.block = null;
          this.sqlObjects.cursors.endOfTransaction(false);
          await rollbackTransaction(block);
          this.blockEnded(block);
          // a search_path SET in the block is undone
          if (block.sets.some((set) => /search_path|\ball\b/i.test(set.sql)) && this.settled.get(0)) await this.readSearchPath(this.settled.get(0)!);
        }
        return { kind: 'command', tag: 'ROLLBACK' };
      case 'twoPhase':
        throw new SqlError('0A000', 'PREPARE TRANSACTION / COMMIT PREPARED through the shard router is not supported (the router runs two-phase commit itself)');
    }
    const word = verb === 'savepoint' ? 'SAVEPOINT' : verb === 'release' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
    if (!block || block.implicit) throw new SqlError('25P01', `${word} can only be used in transaction blocks`);
    const name = savepoint!;
    const at = block.savepoints.lastIndexOf(name);
    if (verb !== 'savepoint' && at < 0) {
      if (verb === 'rollbackTo') block.failed = true;
      throw new SqlError('3B001', `savepoint "${name}" does not exist`);
    }
    await this.guard(allOrFirstError([...block.participants.values()].map((p) => p.conn.simple(stmt.sql))));
    if (verb === 'savepoint') block.savepoints.push(name);
    else if (verb === 'release') {
      block.savepoints.splice(at);
      for (const set of block.sets) set.depth = Math.min(set.depth, at);
      this.sqlObjects.cursors.released(at);
    } else {
      block.savepoints.splice(at + 1);
      block.sets = block.sets.filter((set) => set.depth <= at);
      this.sqlObjects.cursors.rolledBackTo(at);
      block.failed = false;
    }
    return { kind: 'command', tag: verb === 'savepoint' ? 'SAVEPOINT' : verb === 'release' ? 'RELEASE' : 'ROLLBACK' };
  }

  private async sessionStatement(sql: string): Promise<ExecResult> {
    // SET search_path and the like may change how the cached statements' names resolve
    this.describeCache.clear();
    this.reads.noteSessionStatement(sql, this.block);
    await this.connection(0);
    const block = this.block;
    // in a block, SET runs in every shard's transaction (SET LOCAL lasts to its end, a
    // rollback undoes it) and in the transaction of a shard that joins later
    const conns = block ? await this.guard(allOrFirstError(this.openConnections().map((c) => this.join(c.shard, false, block)))) : this.openConnections();
    const replies = await this.guard(allOrFirstError(conns.map((c) => c.simple(sql))));
    const pathMayChange = /search_path|\ball\b/i.test(sql);
    // statements prepared before may now mean otherwise: names (search_path) and constants
    // read at parse time ('05/06/2024'::date under DateStyle, timestamptz under TimeZone…)
    if (!/^\s*discard\s+all\b/i.test(sql)) for (const c of conns) c.forgetStatements(true);
    if (block) {
      block.sets.push({ sql, depth: block.savepoints.length });
    } else if (/^\s*discard\s+all\b/i.test(sql)) {
      // DISCARD ALL dropped the shards' prepared statements too
      for (const c of conns) c.forgetStatements(false);
      this.sqlObjects.discard();
      this.replay = [];
    } else {
      if (!/^\s*set\s+local\b/i.test(sql)) this.replay.push(sql);
    }
    if (pathMayChange) await this.readSearchPath(conns.find((c) => c.shard === 0)!);
    return { kind: 'command', tag: replies[0]?.tag ?? 'SET' };
  }

  private async readSearchPath(shard0: ShardConnection): Promise<void> {
    const reply = await shard0.simple('SELECT pg_catalog.current_schemas(false)');
    const text = reply.rows[0]?.[0];
    this.searchPath = text ? parseText(sqlType(1009), text) as string[] : [];
  }

  private async insert(stmt: RouterStatement, route: Extract<Route, { kind: 'insert' }>, params: readonly Value[]): Promise<ExecResult> {
    const places = new Map<number, number[]>();
    const byShard = await this.insertStatements(stmt, route, params, places);
    const shards = [...byShard.keys()].sort((a, b) => a - b);
    const values = this.shardParams(stmt, params);
    const replies = await this.onShards(shards, true, async (c) => {
      const sql = byShard.get(c.shard)!;
      try {
        return await c.run(sql, stmt.shardParamTypes, values);
      } catch (e) {
        throw sql !== stmt.sql ? withoutPosition(e) : e;
      }
    });
    const result = this.rowsOrTag(replies);
    // RETURNING rows in the order of the VALUES rows, as PostgreSQL answers (clients map them
    // back to their rows by position), unless ON CONFLICT skipped some
    if (result.kind !== 'rows' || shards.length < 2 || replies.some((r, i) => r.rows.length !== places.get(shards[i]!)!.length)) return result;
    const at = shards.flatMap((sh) => places.get(sh)!);
    return { ...result, rows: result.rows.map((row, j) => ({ at: at[j]!, row })).sort((a, b) => a.at - b.at).map((p) => p.row) };
  }

  /**
   * An INSERT … VALUES as each of its shards gets it: that shard's rows, key DEFAULTs and
   * sequence values drawn on shard 0 (sequence-draw.ts) written in. `places`: filled with each
   * shard's rows' places among the statement's rows; `draw` false (EXPLAIN without ANALYZE):
   * nothing but key DEFAULTs is drawn, the other columns' DEFAULTs stay as written.
   */
  private async insertStatements(stmt: RouterStatement, route: Extract<Route, { kind: 'insert' }>, params: readonly Value[], places = new Map<number, number[]>(), draw = true): Promise<Map<number, string>> {
    const { table, added, overriding } = route;
    const defaults = await this.evaluateDefaults(route, draw).catch((e) => this.insertError(stmt, params, e));
    const rewrite = defaults.length > 0;
    const fixed = table.keyColumns.length === 0 ? this.roundRobinShard() : undefined;
    const byShard = new Map<number, string[]>();
    let next = 0;
    for (const [place, row] of route.rows.entries()) {
      const values: Value[] = [];
      const edits: { at: number; text: string; length: number }[] = [];
      const appended: string[] = [];
      const write = (type: SqlType, source: { at?: number; length?: number }): Value => {
        const value = defaults[next++]!;
        const literal = sqlLiteral(type, value);
        if (source.at === undefined) appended.push(literal);
        else edits.push({ at: source.at - row.start, text: literal, length: source.length ?? 'DEFAULT'.length });
        return value;
      };
      row.key.forEach((source, k) => {
        values.push(source.kind === 'default' ? write(table.keyTypes[k]!, source) : this.keyValues([source], [table.keyTypes[k]!], stmt, params)[0]!);
      });
      if (draw) for (const d of row.drawn) write(d.type, d);
      let text = row.text ?? stmt.sql.slice(row.start, row.end);
      for (const e of edits.sort((a, b) => b.at - a.at)) text = text.slice(0, e.at) + e.text + text.slice(e.at + e.length);
      if (appended.length > 0) text = text === '()' ? `(${appended.join(', ')})` : `${text.slice(0, -1)}, ${appended.join(', ')})`;
      const shard = fixed ?? shardOfKey(table.keyTypes, values, this.shards);
      const rows = byShard.get(shard) ?? [];
      rows.push(text);
      byShard.set(shard, rows);
      places.set(shard, [...(places.get(shard) ?? []), place]);
    }
    let head = route.head;
    if (overriding && draw) head = head.slice(0, overriding.at) + overriding.text + head.slice(overriding.at + overriding.length);
    const addedNames = added ? [...added.keys, ...(draw ? added.drawn : [])] : [];
    if (added && addedNames.length > 0) {
      const names = (added.open ? [...added.listed, ...addedNames] : addedNames).map(quoteIdent);
      head = head.slice(0, added.at) + (added.open ? `(${names.join(', ')}) ` : names.map((n) => `, ${n}`).join('')) + head.slice(added.at);
    }
    const whole = byShard.size === 1 && !rewrite;
    return new Map([...byShard].map(([shard, rows]) => [shard, whole ? stmt.sql : head + rows.join(', ') + route.tail]));
  }

  /**
   * INSERT … SELECT (insert-select.ts): the SELECT runs by its own route (shard 0, pinned or
   * fanned out, in the client's block when there is one), then its rows are inserted on their
   * keys' shards in batches, as one transaction under the commit rule. A key column the
   * statement leaves out takes its DEFAULT, evaluated on shard 0 for every row.
   */
  private async insertSelect(stmt: RouterStatement, route: Extract<Route, { kind: 'insertSelect' }>, params: readonly Value[]): Promise<ExecResult> {
    const { table } = route;
    const select: RouterStatement = { sql: route.select, route: route.source, paramTypes: stmt.paramTypes, fields: null, shardParamTypes: stmt.shardParamTypes };
    const result = await this.run(select, params);
    if (result.kind !== 'rows') throw new SqlError('XX000', 'the SELECT of an INSERT … SELECT returned no rows description');
    let fields = [...result.fields];
    let rows: Value[][] = result.rows.map((r) => [...r]);
    let names = route.columns ?? table.columns.slice(0, fields.length).map((c) => c.name);
    if (route.override === 'user') {
      // OVERRIDING USER VALUE: the identity columns' values given are dropped, theirs drawn instead
      const kept = names.flatMap((n, i) => ((table.drawn.find((d) => d.name === n)?.identity ?? '') === '' ? [i] : []));
      fields = kept.map((i) => fields[i]!);
      rows = rows.map((r) => kept.map((i) => r[i]!));
      names = kept.map((i) => names[i]!);
    }
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    const columns = names.map((n) => byName.get(n) ?? { name: n, type: fields[0]!.type });
    // the shard 0 Describe of the whole statement checked the columns; a key left out takes its
    // DEFAULT, and so does a column drawn from a sequence: both drawn on shard 0 for every row
    const keyAt: number[] = [];
    const drawn: { name: string; expr: string; type: SqlType; identity: string }[] = [];
    table.keyColumns.forEach((key, k) => {
      const at = names.indexOf(key);
      if (at >= 0) keyAt.push(at);
      else {
        const expr = table.keyDefaults[k];
        if (expr === undefined) throw new SqlError('0A000', `INSERT into "${table.name}" without its key column "${key}" (it has no default) is not supported by the shard router yet`);
        keyAt.push(columns.length + drawn.length);
        drawn.push({ name: key, expr, type: table.keyTypes[k]!, identity: table.drawn.find((d) => d.name === key)?.identity ?? '' });
      }
    });
    for (const d of table.drawn) if (!names.includes(d.name) && !table.keyColumns.includes(d.name)) drawn.push(d);
    if (rows.length === 0) return route.returning ? { kind: 'rows', fields: stmt.fields ?? [], rows: [], tag: 'INSERT 0 0' } : { kind: 'command', tag: 'INSERT 0 0' };
    if (drawn.length > 0) {
      const shard0 = this.block ? await this.join(0, false) : await this.connection(0);
      const values = await drawRows(shard0, drawn, rows.length, this.textSettings());
      rows.forEach((row, r) => row.push(...values[r]!));
      for (const d of drawn) {
        columns.push({ name: d.name, type: d.type });
        fields.push({ name: d.name, type: d.type, tableOid: 0, columnAttr: 0 });
      }
    }
    await this.castKeys(table, keyAt, fields, rows);
    if (route.conflictOnKey) checkKeysOnce(rows, keyAt, fields, this.textSettings());
    const fixed = table.keyColumns.length === 0 ? this.roundRobinShard() : undefined;
    const clientParams = { types: stmt.shardParamTypes, values: this.shardParams(stmt, params) };
    // a GENERATED ALWAYS identity column takes the values drawn for it only with OVERRIDING SYSTEM VALUE
    const overriding = route.override !== null || drawn.some((d) => d.identity === 'a');
    const batches = insertBatches(table, columns, fields, rows, keyAt, fixed === undefined ? null : () => fixed, this.shards, this.textSettings(), { ...route, clientParams, overriding });
    const shards = [...batches.keys()].sort((a, b) => a - b);
    const returned: { batch: InsertBatch; rows: Value[][] }[] = [];
    let returnedFields: readonly FieldInfo[] | null = null;
    const counts = await this.onShards(shards, true, async (c) => {
      let n = 0;
      for (const b of batches.get(c.shard)!) {
        try {
          const reply = await c.run(b.sql, b.types, b.params);
          n += Number(/(\d+)$/.exec(reply.tag)?.[1] ?? 0);
          if (route.returning) {
            const decoded = this.decode(reply);
            returnedFields = decoded.fields;
            returned.push({ batch: b, rows: decoded.rows.map((r) => [...r]) });
          }
        } catch (e) {
          throw withoutPosition(e);
        }
      }
      return n;
    });
    const tag = `INSERT 0 ${counts.reduce((a, b) => a + b, 0)}`;
    if (!route.returning) return { kind: 'command', tag };
    return { kind: 'rows', fields: returnedFields ?? stmt.fields ?? [], rows: inRowOrder(returned), tag };
  }

  /** UPDATE of a key column (key-update.ts): the UPDATE and the moves of its rows are one transaction. */
  private async keyUpdate(stmt: RouterStatement, route: Extract<Route, { kind: 'keyUpdate' }>, params: readonly Value[], report?: (moved: number, moveMs: number) => void): Promise<ExecResult> {
    const targets = route.key ? [shardOfKey(route.table.keyTypes, this.keyValues(route.key, route.table.keyTypes, stmt, params), this.shards)] : this.allShards();
    const result = await this.inOneTransaction(() => runKeyUpdate(route, targets, stmt.shardParamTypes, this.shardParams(stmt, params), {
      shards: this.shards,
      settings: this.textSettings(),
      onShards: (shards, work) => this.onShards(shards, true, work),
      generatedColumns: async (table) => {
        const reply = await (await this.join(0, false)).run(
          "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated <> ''",
          [26], [String(table.oid)],
        );
        return new Set(reply.rows.map((r) => r[0]!));
      },
    }));
    report?.(result.moved, result.moveMs);
    if (!route.returning) return { kind: 'command', tag: result.tag };
    return { kind: 'rows', fields: result.fields ?? stmt.fields ?? [], rows: result.rows, tag: result.tag };
  }

  /**
   * MERGE INTO a sharded table (merge-sharded.ts): the source read by its own route (in the
   * client's block when there is one, as INSERT … SELECT reads), then each shard's MERGE over
   * its share of the rows, as one transaction under the commit rule; `MERGE n` summed.
   */
  private async mergeSharded(stmt: RouterStatement, route: Extract<Route, { kind: 'mergeSharded' }>, params: readonly Value[]): Promise<ExecResult> {
    const { table } = route;
    const select: RouterStatement = { sql: route.select, route: route.source, paramTypes: stmt.paramTypes, fields: null, shardParamTypes: stmt.shardParamTypes };
    const result = await this.run(select, params);
    if (result.kind !== 'rows') throw new SqlError('XX000', 'the source of a MERGE returned no rows description');
    if (result.rows.length === 0) return { kind: 'command', tag: 'MERGE 0' };
    const names = result.fields.map((f) => f.name);
    if (new Set(names).size !== names.length) throw new SqlError('0A000', 'MERGE into a sharded table from a source with two columns of one name is not supported by the shard router yet');
    const keyAt = route.sourceKeys.map((k) => names.indexOf(k));
    if (keyAt.some((at) => at < 0)) throw new SqlError('42703', `column ${route.sourceName}.${route.sourceKeys[keyAt.findIndex((at) => at < 0)]} does not exist`);
    // the key values as the target's key type has them (assignment casts, on shard 0), hashed
    const keyFields = keyAt.map((at) => ({ ...result.fields[at]! }));
    const keyRows = result.rows.map((r) => keyAt.map((at) => r[at] ?? null));
    await this.castKeys(table, keyFields.map((_, i) => i), keyFields, keyRows);
    for (const row of keyRows) row.forEach((v, i) => { row[i] = coerceKey(v, keyFields[i]!.type, table.keyTypes[i]!); });
    const settings = this.textSettings();
    const batches = mergeBatches(route, result.fields, result.rows, (r) => ({
      shard: shardOfKey(table.keyTypes, keyRows[r]!, this.shards),
      key: keyText(table.keyTypes, keyRows[r]!, settings),
    }), settings, { types: stmt.shardParamTypes, values: this.shardParams(stmt, params) });
    const counts = await this.onShards([...batches.keys()].sort((a, b) => a - b), true, async (c) => {
      let n = 0;
      for (const b of batches.get(c.shard)!) {
        try {
          n += Number(/(\d+)$/.exec((await c.run(b.sql, b.types, b.params)).tag)?.[1] ?? 0);
        } catch (e) {
          throw withoutPosition(e);
        }
      }
      return n;
    });
    return { kind: 'command', tag: `MERGE ${counts.reduce((a, b) => a + b, 0)}` };
  }

  /**
   * CREATE TABLE … AS / SELECT … INTO (create-table-as.ts): the table made on every shard (a
   * temporary one on shard 0), then the query's rows dealt round robin over them, in one
   * transaction; `SELECT n` as PostgreSQL answers (`CREATE TABLE AS` for WITH NO DATA, or
   * when IF NOT EXISTS found the table).
   */
  private async createTableAs(stmt: RouterStatement, route: Extract<Route, { kind: 'createTableAs' }>, params: readonly Value[]): Promise<ExecResult> {
    const targets = route.temporary ? [0] : this.allShards();
    try {
      return await this.inOneTransaction(async () => {
        const values = this.shardParams(stmt, params);
        const skipped = await this.onShards(targets, true, async (c) => {
          const before = c.notices.length;
          // with the client's parameters: the query may use them (their types come from its Describe)
          await c.run(route.create, stmt.shardParamTypes, values);
          return c.notices.slice(before).some((n) => n.code === '42P07');
        });
        this.catalogChanged();
        if (!route.withData || skipped.some((s) => s)) return { kind: 'command', tag: 'CREATE TABLE AS' };
        const select: RouterStatement = { sql: route.select, route: route.source, paramTypes: stmt.paramTypes, fields: null, shardParamTypes: stmt.shardParamTypes };
        const result = await this.run(select, params);
        if (result.kind !== 'rows') throw new SqlError('XX000', 'the query of a CREATE TABLE AS returned no rows description');
        const schema = route.temporary ? 'pg_temp' : route.schema ?? (await (await this.join(0, false)).simple('SELECT pg_catalog.current_schema()')).rows[0]?.[0];
        if (!schema) throw new SqlError('3F000', 'no schema has been selected to create in');
        const columns = result.fields.map((f, i) => ({ name: route.columns[i] ?? f.name, type: f.type }));
        const table: RouterTable = { schema, name: route.name, oid: 0, keyColumns: [], keyTypes: [], keyDefaults: [], columns, drawn: [] };
        let next = route.temporary ? 0 : this.ctx.nextRoundRobin();
        const dealt = () => (route.temporary ? 0 : next++ % this.shards);
        const batches = insertBatches(table, columns, result.fields, result.rows, [], dealt, this.shards, this.textSettings());
        const counts = await this.onShards([...batches.keys()].sort((a, b) => a - b), true, async (c) => {
          let n = 0;
          for (const b of batches.get(c.shard)!) n += Number(/(\d+)$/.exec((await c.run(b.sql, b.types, b.params)).tag)?.[1] ?? 0);
          return n;
        });
        return { kind: 'command', tag: `SELECT ${counts.reduce((a, b) => a + b, 0)}` };
      });
    } finally {
      this.catalogChanged();
    }
  }

  /** `work` in the session's transaction, or in one of its own that commits by the commit rule. */
  private async inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.block) return work();
    const block = new Transaction('BEGIN', true);
    this.block = block;
    try {
      const result = await work();
      this.block = null;
      await commitTransaction(block, this.ctx.nextGid(), this.ctx.twoPhase);
      return result;
    } catch (e) {
      // a failed commit has already finished or left the transaction to recovery
      if (this.block === block) {
        this.block = null;
        await rollbackTransaction(block);
      }
      throw e;
    }
  }

  /**
   * Key values of another type than the key's (numeric 2.5 into an int key) take PostgreSQL's
   * assignment cast (3) before they are hashed: evaluated on shard 0, where every cast is, in
   * one round trip per such column; the rows then carry the key's value and type. Untyped
   * literals (text) are read as the key's type by text I/O, as the INSERT would read them.
   */
  private async castKeys(table: RouterTable, keyAt: readonly number[], fields: FieldInfo[], rows: Value[][]): Promise<void> {
    const settings = this.textSettings();
    for (const [k, at] of keyAt.entries()) {
      const from = fields[at]!.type;
      const to = table.keyTypes[k]!;
      if (from.oid === to.oid || from.oid === 25 || from.oid === 705) continue;
      const texts = rows.map((r) => (r[at] === null ? null : formatText(from, r[at]!, settings)));
      const shard0 = this.block ? await this.join(0, false) : await this.connection(0);
      const reply = await shard0.run(
        `SELECT (u.x::${formatTypeWithTypmod(from)})::${formatTypeWithTypmod(to)} FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY u.n`,
        [1009], encodeParams([1009], [texts], settings),
      );
      reply.rows.forEach((r, i) => { rows[i]![at] = r[0] === null ? null : parseText(to, r[0]!, settings); });
      fields[at] = { ...fields[at]!, type: to };
    }
  }

  /**
   * The key DEFAULTs and drawn values an INSERT needs (nextval…), evaluated on shard 0 in one
   * round trip: for each row its key's, then (`draw`) its other columns', as insertStatements
   * takes them.
   */
  private async evaluateDefaults(route: Extract<Route, { kind: 'insert' }>, draw: boolean): Promise<Value[]> {
    const exprs: DrawnExpression[] = [];
    for (const row of route.rows) {
      row.key.forEach((source, k) => { if (source.kind === 'default') exprs.push({ expr: source.expr, type: route.table.keyTypes[k]! }); });
      if (draw) exprs.push(...row.drawn);
    }
    if (exprs.length === 0) return [];
    const shard0 = this.block ? await this.join(0, false) : await this.connection(0);
    const query = drawQuery(exprs);
    // an expression given in the statement may fail (the INSERT's error, insertError): not the block's shard 0
    const given = route.rows.some((row) => row.key.some((k) => k.kind === 'default' && k.length !== undefined) || (draw && row.drawn.some((d) => d.length !== undefined)));
    const reply = given && this.block ? await undone(shard0, () => shard0.simple(query), false) : await shard0.simple(query);
    return drawnValues(exprs, reply.rows, this.textSettings());
  }

  /** An ALTER TABLE that would re-key rows (key-ddl.ts): 0A000 when any shard holds a row of the table. */
  private async refuseRekeyingRows(rekeys: RekeyingDdl): Promise<void> {
    const replies = await this.onShards(this.allShards(), false, (c) => c.simple(`SELECT 1 FROM ${rekeys.table} LIMIT 1`));
    if (replies.some((r) => r.rows.length > 0)) {
      throw new SqlError('0A000', `${rekeys.what} is not supported by the shard router (${rekeys.why ?? 'rows do not move between shards'})`);
    }
  }

  /**
   * A key expression of an INSERT failed on shard 0 (`e`): the INSERT itself runs there and
   * is undone, so its own error is the client's (PostgreSQL's text and position); should it
   * not fail there, `e`.
   */
  private async insertError(stmt: RouterStatement, params: readonly Value[], e: unknown): Promise<never> {
    if (!(e instanceof SqlError)) throw e;
    const conn = this.block ? await this.join(0, false) : await this.connection(0);
    await undone(conn, () => conn.run(stmt.sql, stmt.shardParamTypes, this.shardParams(stmt, params)), !this.block);
    throw e;
  }

  /** The fan-out planner's plan of a SELECT (0A000 without a planner, or for a shape it cannot run). */
  private async planFanout(sql: string, parsed: unknown): Promise<FanoutPlan> {
    if (!this.ctx.planFanout) throw new SqlError('0A000', 'a SELECT over sharded tables that is not pinned to one shard by its key is not supported by the shard router yet');
    const lookup = this.lookup(await this.catalog(await this.connection(0)));
    const plan = this.ctx.planFanout(sql, parsed, (schema, name) => lookup.table(schema, name));
    if (plan instanceof SqlError) throw plan;
    return plan;
  }

  private async fanout(stmt: RouterStatement, parsed: unknown, params: readonly Value[], stream: boolean): Promise<ExecResult> {
    let plan: FanoutPlan;
    try {
      plan = await this.planFanout(stmt.sql, parsed);
    } catch (e) {
      // a read-only shape the planner refuses runs on shard 0 over the rows it reads (pull-up.ts)
      if (this.ctx.planFanout && e instanceof SqlError && e.code === '0A000' && pullUpReadOnly(parsed as Record<string, unknown>)) return this.pullUp(stmt, params, stream);
      throw e;
    }
    if (stream && plan.stream && this.mayStream(stmt, false)) return this.streamFrom(this.allShards(), { ...stmt, sql: plan.shardSql }, params, plan.stream);
    const values = this.shardParams(stmt, params);
    const replies = await this.onShards(this.allShards(), false, (c) => c.run(plan.shardSql, stmt.shardParamTypes, values));
    const results: ShardResult[] = replies.map((r) => this.decode(r));
    // expressions over aggregates: shard 0 evaluates the client's clauses over the merged groups
    const merged = plan.finish
      ? await plan.finish(results, {
        clientParams: stmt.shardParamTypes.length,
        fields: stmt.fields,
        run: async (sql, types, extra) => {
          const oids = types.map((t) => t.oid);
          const own = encodeParams(oids, extra, this.textSettings());
          const [reply] = await this.onShards([0], false, (c) => c.run(sql, [...stmt.shardParamTypes, ...oids], [...values, ...own]));
          return this.decode(reply!);
        },
      })
      : plan.merge(results);
    const rows = merged.rows.map((r) => [...r]);
    return { kind: 'rows', fields: merged.fields, rows, tag: `SELECT ${rows.length}` };
  }

  /**
   * A read-only statement pulled up (pull-up.ts): the rows of its sharded tables come from
   * every shard through the session's connections (in its block, if any), and shard 0 runs
   * it rewritten to read them; the result columns are those shard 0 described for the
   * client's own text (the tables' oids and attribute numbers as one server gives them).
   */
  private async pullUp(stmt: RouterStatement, params: readonly Value[], stream: boolean): Promise<ExecResult> {
    const values = this.shardParams(stmt, params);
    const pulled = await this.pullRows(stmt, stmt.sql, values, true);
    if (pulled.temporary.length > 0) return this.withTemporaryCopies(pulled, stmt, values);
    return this.pulledRows(stmt, await this.runPulled(stmt, pulled, '', values), stream);
  }

  /** pull-up.ts's rewrite of `sql`, its rows read through the session's connections (`fetchRows` false: none, for EXPLAIN) */
  private async pullRows(stmt: RouterStatement, sql: string, values: readonly ShardParam[], fetchRows: boolean): Promise<PulledStatement> {
    const lookup = this.lookup(await this.catalog(await this.connection(0)));
    return pullUp(sql, {
      shards: this.shards,
      lookup,
      paramTypes: stmt.shardParamTypes,
      params: values,
      run: async (shard, text, types, ps) => (await this.onShards([shard], false, (c) => c.run(text, types, ps)))[0]!,
    }, fetchRows);
  }

  /** `prefix` + a pulled-up statement without temporary copies, on the session's shard 0 connection */
  private async runPulled(stmt: RouterStatement, pulled: PulledStatement, prefix: string, values: readonly ShardParam[]): Promise<ShardReply> {
    const unplaced = (e: unknown): never => { throw pulled.sql === stmt.sql && prefix === '' ? e : withoutPosition(e); };
    const [reply] = await this.onShards([0], false, (c) => c.run(prefix + pulled.sql, [...stmt.shardParamTypes, ...pulled.paramTypes], [...values, ...pulled.params])).catch(unplaced);
    return reply!;
  }

  /** The rows of a pulled-up statement, under the columns shard 0 described for the client's text when they agree. */
  private async pulledRows(stmt: RouterStatement, reply: ShardReply, stream = false): Promise<ExecResult> {
    const fields = (reply.fields ?? []).map(fieldInfo);
    const described = stmt.fields;
    const same = described !== null && described.length === fields.length && described.every((f, i) => f.type.oid === fields[i]!.type.oid);
    const types = fields.map((f) => f.type);
    const tag = reply.tag || `SELECT ${reply.rows.length}`;
    // handed on as shard 0's text a batch at a time as the client takes them (stream.ts), or decoded in slices here
    if (stream) return { kind: 'rows', fields: same ? described : fields, rows: [], tag, more: sentRowStream(reply.rows, null, this.textSettings()), text: true };
    const rows = await decodeInSlices(reply.rows, types, this.textSettings());
    return { kind: 'rows', fields: same ? described : fields, rows, tag };
  }

  /**
   * A pulled-up statement calling SQL functions that read sharded tables: those tables' rows
   * are copied into temporary tables of their names on a shard 0 connection of the
   * session's own, outside any block (PREPARE TRANSACTION is refused after temporary objects,
   * so they must not touch the session's shard 0 transaction), and the statement runs there;
   * its functions find the copies first. The copies are dropped after it.
   */
  private async withTemporaryCopies(pulled: PulledStatement, stmt: RouterStatement, values: readonly ShardParam[], prefix = ''): Promise<ExecResult> {
    const conn = await this.pullUpConnection();
    try {
      for (const sql of pulled.temporary) await conn.simple(sql);
      return await this.pulledRows(stmt, await conn.run(prefix + pulled.sql, [...stmt.shardParamTypes, ...pulled.paramTypes], [...values, ...pulled.params]));
    } catch (e) {
      throw withoutPosition(e);
    } finally {
      await conn.simple(pulled.dropTemporary).catch(() => conn.close());
    }
  }

  /** shard 0 connection for temporary copies, with the session's SETs (opened again when they change) */
  private pullUpConn: { conn: Promise<ShardConnection>; replay: string } | null = null;

  private pullUpConnection(): Promise<ShardConnection> {
    const replay = this.replay.join('\0');
    const open = this.pullUpConn;
    if (open && open.replay === replay) {
      return open.conn.then((c) => (c.closed ? (this.pullUpConn = null, this.pullUpConnection()) : c));
    }
    if (open) void open.conn.then((c) => c.close(), () => {});
    const conn = (async () => {
      const c = await this.openShard(0);
      for (const sql of this.replay) await c.simple(sql);
      c.notices.splice(0);
      return c;
    })();
    conn.catch(() => { if (this.pullUpConn?.conn === conn) this.pullUpConn = null; });
    this.pullUpConn = { conn, replay };
    return conn;
  }

  /** What EXPLAIN through the router (fanout-explain.ts) needs of this session, for one statement. */
  private explainHost(stmt: RouterStatement, params: readonly Value[]): ExplainHost {
    const values = this.shardParams(stmt, params);
    const as = (sql: string, route: Route): RouterStatement => ({ ...stmt, sql, route, fields: null });
    return {
      fields: stmt.fields,
      shards: this.shards,
      address: async (shard) => {
        const { host, port } = splitAddress((await this.connection(shard)).address);
        return `shard=${shard} host=${host} port=${port}`;
      },
      runOnShards: (shards, write, sqlOf) => this.onShards(shards, write, (c) => c.run(sqlOf(c.shard), stmt.shardParamTypes, values)),
      planFanout: (sql, parsed) => this.planFanout(sql, parsed),
      pullsUp: this.ctx.planFanout !== undefined,
      runStatement: (shards, sql, types, ps) => this.onShards(shards, false, (c) => c.run(sql, types, ps)),
      pullUp: (sql, fetchRows) => this.pullRows(stmt, sql, values, fetchRows),
      runPulled: async (pulled, prefix) => {
        if (pulled.temporary.length === 0) return this.runPulled(stmt, pulled, prefix, values);
        const result = await this.withTemporaryCopies(pulled, stmt, values, prefix);
        return { fields: null, rows: result.kind === 'rows' ? result.rows.map((r) => [r[0] === null ? null : String(r[0])]) : [], tag: 'EXPLAIN' };
      },
      keyUpdate: async (sql, route) => {
        let moved = 0;
        let moveMs = 0;
        const result = await this.keyUpdate(as(sql, route), route, params, (n, ms) => { moved = n; moveMs = ms; });
        const tag = result.kind === 'command' || result.kind === 'rows' ? result.tag : '';
        return { updated: Number(/(\d+)$/.exec(tag)?.[1] ?? 0), moved, moveMs };
      },
      execute: (sql, route) => this.run(as(sql, route), params),
      insertStatements: (sql, route, draw) => this.insertStatements(as(sql, route), route, params, undefined, draw),
      pinnedShard: (route) => shardOfKey(route.table.keyTypes, this.keyValues(route.key, route.table.keyTypes, stmt, params), this.shards),
      roundRobinShard: () => this.roundRobinShard(),
      notice: (n) => { this.notices.push(n); },
      allTasks: async () => {
        const reply = await (await this.connection(0)).simple(`SELECT pg_catalog.current_setting('${ALL_TASKS_SETTING}', true)`);
        return /^(on|true|yes|1)$/i.test(reply.rows[0]?.[0] ?? '');
      },
    };
  }

  /**
   * A read whose rows go to the client: not a write (its rows would be kept by the shard
   * anyway), not in a multi-statement Query (its implicit transaction ends before the rows
   * are read).
   */
  private mayStream(stmt: RouterStatement, write: boolean): boolean {
    return !write && stmt.fields !== null && this.queryParts <= 1 && !this.block?.implicit;
  }

  /** Stream the rows of `stmt` from `shards` (stream.ts); `order`: a fan-out's merge. */
  private async streamFrom(shards: readonly number[], stmt: RouterStatement, params: readonly Value[], order: NonNullable<FanoutPlan['stream']> | undefined): Promise<ExecResult> {
    const values = this.shardParams(stmt, params);
    const opened: ShardStream[] = [];
    const open = await this.onShards(shards, false, async (c) => {
      const s = await c.stream(stmt.sql, stmt.shardParamTypes, values, STREAM_BATCH_ROWS);
      opened.push(s);
      return s;
    }).catch((e: unknown) => {
      // a shard that failed to start frees the others' connections too
      for (const s of opened) void s.close().catch(() => {});
      throw e;
    });
    const failed = (): void => { if (this.block) this.block.failed = true; };
    const settings = this.textSettings();
    if (!order) {
      const { fields, stream } = shardRowStream(open[0]!, settings, failed);
      return { kind: 'rows', fields, rows: [], tag: 'SELECT 0', more: stream, text: true };
    }
    const all = open[0]!.fields.map(fieldInfo);
    const merge = streamOrder(all, order);
    return { kind: 'rows', fields: all.slice(0, merge.visibleCount), rows: [], tag: 'SELECT 0', more: fanoutRowStream(open, merge, settings, failed, true), text: true };
  }

  /** COPY … FROM STDIN (copy-in.ts); outside a block it is a transaction of its own under the commit rule. */
  private copyIn(stmt: RouterStatement, route: Extract<Route, { kind: 'copyIn' }>): ExecResult {
    const tx = this.block ?? new Transaction('BEGIN', true);
    const own = tx !== this.block;
    return copyIntoShards(stmt.sql, route, {
      shards: this.shards,
      fixedShard: route.table.keyColumns.length === 0 ? this.roundRobinShard() : undefined,
      connection: (shard) => this.join(shard, true, tx),
      drawRows: async (exprs, count) => drawRows(await this.join(0, true, tx), exprs, count, this.textSettings()),
      commit: async () => {
        if (own) await commitTransaction(tx, this.ctx.nextGid(), this.ctx.twoPhase);
      },
      abandon: async () => {
        if (own) await rollbackTransaction(tx);
        else tx.failed = true;
      },
    });
  }

  private async copyOut(stmt: RouterStatement, route: Extract<Route, { kind: 'copyOut' }>): Promise<ExecResult> {
    const outs = await this.onShards(this.allShards(), false, (c) => c.copyOut(stmt.sql));
    const tag = sumTags(outs.map((o) => o.tag));
    if (route.options.format === 'binary') return { kind: 'copyOut', format: 'binary', columnCount: route.columnCount, chunks: mergeBinaryCopyOut(outs), tag };
    const chunks: Buffer[] = [];
    outs.forEach((o, i) => chunks.push(...(route.options.header && i > 0 ? o.chunks.slice(1) : o.chunks)));
    return { kind: 'copyOut', format: 'text', columnCount: route.columnCount, chunks, tag };
  }

  /** COPY (SELECT over sharded tables) TO STDOUT: the SELECT by its route, its rows formatted as COPY formats them. */
  private async copyQueryOut(stmt: RouterStatement, route: Extract<Route, { kind: 'copyQueryOut' }>, params: readonly Value[]): Promise<ExecResult> {
    const result = await this.run({ sql: route.query, route: route.source, paramTypes: stmt.paramTypes, fields: null, shardParamTypes: stmt.shardParamTypes }, params);
    if (result.kind !== 'rows') throw new SqlError('XX000', 'the query of a COPY returned no rows description');
    const rows = [...result.rows];
    if (result.more) for (let b = await result.more.next(); b; b = await result.more.next()) rows.push(...b);
    const tz = this.setting('TimeZone');
    const chunks = formatCopyRows(rows, result.fields.map((f) => f.type), result.fields.map((f) => f.name), route.options, tz === undefined ? {} : { timezone: tz });
    return { kind: 'copyOut', format: route.options.format === 'binary' ? 'binary' : 'text', columnCount: result.fields.length, chunks, tag: `COPY ${rows.length}` };
  }

  // ---- values ---------------------------------------------------------------------------

  private roundRobinShard(): number {
    if (!this.block) return this.ctx.nextRoundRobin() % this.shards;
    this.block.roundRobin ??= this.ctx.nextRoundRobin() % this.shards;
    return this.block.roundRobin;
  }

  /** The shard of a key made of constants only (for Describe), else undefined. */
  private constantShard(key: readonly KeySource[], types: readonly SqlType[]): number | undefined {
    if (key.some((k) => k.kind !== 'const')) return undefined;
    return shardOfKey(types, key.map((k) => (k as { value: Value }).value), this.shards);
  }

  private keyValues(key: readonly KeySource[], types: readonly SqlType[], stmt: RouterStatement, params: readonly Value[]): Value[] {
    return key.map((k, i) => {
      if (k.kind === 'const') return k.value;
      if (k.kind === 'default') throw new SqlError('XX000', 'a key DEFAULT outside an INSERT');
      const value = params[k.index] ?? null;
      return coerceKey(value, sqlType(stmt.paramTypes[k.index] ?? 25), types[i]!);
    });
  }

  private shardParams(stmt: RouterStatement, params: readonly Value[]): ShardParam[] {
    return encodeParams(stmt.paramTypes, params, this.textSettings());
  }

  private textSettings(): TextSettings {
    const s: TextSettings = {};
    const tz = this.setting('TimeZone');
    const ds = this.setting('DateStyle');
    const is = this.setting('IntervalStyle');
    if (tz !== undefined) s.timezone = tz;
    if (ds !== undefined) s.dateStyle = ds;
    if (is !== undefined) s.intervalStyle = is;
    return s;
  }

  private decode(reply: ShardReply): ShardResult {
    return decodeReply(reply, this.textSettings());
  }

  /** One statement's client result from its shards' replies (rows concatenated in shard order). */
  private rowsOrTag(replies: readonly ShardReply[]): ExecResult {
    const first = replies[0]!;
    const tag = sumTags(replies.map((r) => r.tag));
    if (!first.fields) return { kind: 'command', tag };
    const rows: Value[][] = [];
    let fields: readonly FieldInfo[] = [];
    for (const r of replies) {
      const d = this.decode(r);
      fields = d.fields;
      for (const row of d.rows) rows.push(row);
    }
    return { kind: 'rows', fields, rows, tag };
  }
}

/** A shard's error without its position: a position in a statement the router rewrote would point the client astray. */
function withoutPosition(e: unknown): unknown {
  if (!(e instanceof SqlError) || e.fields.position === undefined) return e;
  const { position: _position, ...fields } = e.fields;
  return new SqlError(e.code, e.message, fields);
}

/** The shards' refusal to PREPARE a transaction whose DDL changed existing objects (engine/two-phase.ts). */
function refusedToPrepare(e: unknown): boolean {
  return e instanceof SqlError && e.code === '0A000' && e.message.startsWith('cannot PREPARE a transaction that has changed existing objects');
}

/** Statements whose Describe is kept per session (they change no session state at Describe). */
const CACHED_STATEMENTS = ['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt'];
const DESCRIBE_CACHE_SIZE = 256;

/**
 * `work` on `conn` in a savepoint (`alone`: a transaction of its own) that is rolled back when
 * it fails, or always when `alone`: a failure leaves the connection's transaction as it was.
 */
async function undone<T>(conn: ShardConnection, work: () => Promise<T>, alone: boolean): Promise<T> {
  await conn.simple(alone ? 'BEGIN' : 'SAVEPOINT quiver_router_key');
  try {
    const result = await work();
    await conn.simple(alone ? 'ROLLBACK' : 'RELEASE SAVEPOINT quiver_router_key');
    return result;
  } catch (e) {
    await conn.simple(alone ? 'ROLLBACK' : 'ROLLBACK TO SAVEPOINT quiver_router_key');
    if (!alone) await conn.simple('RELEASE SAVEPOINT quiver_router_key');
    throw e;
  }
}
