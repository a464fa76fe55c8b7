/**
 * The session's SQL-level objects over sharded tables: statements of SQL PREPARE
 * (sql-prepared.ts) and cursors of DECLARE (router-cursors.ts). Each statement here either
 * reaches an object the router keeps or, when the router has none of that name, runs on
 * shard 0 as before (objects over no sharded table live there).
 */
import { SqlError } from '../../errors.js';
import { formatTypeWithTypmod, sqlType, type Value } from '../../types/types.js';
import type { ExecResult, FieldInfo } from '../../wire/backend.js';
import { parseOne, type Route } from './route.js';
import { CURSOR_OPT, duplicateCursor, RouterCursors, scrollable } from './router-cursors.js';
import type { ShardConnection, ShardDescription, ShardParam, ShardReply } from './shard-connection.js';
import type { FanoutPlan } from './fanout-api.js';
import { streamOrder } from './fanout-merge.js';
import { ConcatenatedShardCursors, ForwardShardCursors, shardCursorStream, type CursorSource } from './shard-cursors.js';
import { fanoutRowStream } from './stream.js';
import { encodeParams, fieldInfo, quoteIdent, shardValue, type TextSettings } from './shard-values.js';
import { argumentsQuery, checkArgumentCount, duplicatePrepared, PARAMETER_TYPES_QUERY, SqlPreparedStatements } from './sql-prepared.js';

type FanoutStreamSpec = NonNullable<FanoutPlan['stream']>;

/** What these statements need of the router session. */
export interface SqlObjectsHost {
  /** the client is in a transaction block (explicit, or a multi-statement Query's) */
  inBlock(): boolean;
  /** how many savepoints the block has */
  savepointLevel(): number;
  /** run on shard 0, in the session's block when there is one */
  onShard0(sql: string, types: readonly number[], params: readonly ShardParam[]): Promise<ShardReply>;
  describeOnShard0(sql: string, types: readonly number[]): Promise<ShardDescription>;
  /** the route of a statement's text, with the session's catalog and search_path */
  route(sql: string, parsed: Record<string, unknown>): Promise<Route>;
  /** run a statement by its route, as a client's Bind/Execute of it */
  run(sql: string, route: Route, paramTypes: readonly number[], fields: readonly FieldInfo[] | null, params: readonly Value[]): Promise<ExecResult>;
  textSettings(): TextSettings;
  /**
   * Where a cursor's query can be read from cursors on the shards (shard-cursors.ts): the
   * shards and the statement each runs, and a fan-out's merge; null when it cannot (the
   * router then keeps the whole result).
   */
  cursorPlan(sql: string, route: Route): Promise<ShardCursorPlan | null>;
  /** the block's connection to a shard (the shard joins the block) */
  blockShard(shard: number): Promise<ShardConnection>;
  /** shard 0 dropped every statement prepared on it (DEALLOCATE ALL), the router's own too */
  shard0StatementsDropped(): void;
}

export interface ShardCursorPlan {
  readonly shards: readonly number[];
  readonly sql: string;
  /** a fan-out's merge (stream.ts); undefined: the rows are one shard's */
  readonly order?: FanoutStreamSpec;
}

type Of<K extends Route['kind']> = Extract<Route, { kind: K }>;
export type SqlObjectRoute = Of<'sqlPrepare'> | Of<'sqlExecute'> | Of<'sqlDeallocate'> | Of<'declareCursor'> | Of<'fetchCursor'> | Of<'closeCursor'>;

export class SqlObjects {
  readonly prepared = new SqlPreparedStatements();
  readonly cursors = new RouterCursors();

  constructor(private readonly host: SqlObjectsHost) {}

  /** the row shape of a FETCH from a router cursor (Describe), else undefined: shard 0 describes it */
  fetchFields(route: Route): FieldInfo[] | null | undefined {
    if (route.kind !== 'fetchCursor' || !this.cursors.has(route.name)) return undefined;
    return route.move ? null : this.cursors.fields(route.name)!;
  }

  /** EXPLAIN EXECUTE of a statement the router keeps: shard 0 would explain (and ANALYZE run) it alone */
  checkExplain(stmt: Record<string, unknown> | undefined): void {
    const name = (stmt?.ExplainStmt as { query?: { ExecuteStmt?: { name: string } } } | undefined)?.query?.ExecuteStmt?.name;
    if (name !== undefined && this.prepared.has(name)) throw new SqlError('0A000', 'EXPLAIN EXECUTE of a statement prepared over sharded tables is not supported by the shard router yet');
  }

  /** DISCARD ALL */
  discard(): void {
    this.prepared.remove(null);
    this.cursors.clear();
  }

  /**
   * `sql` with `route`; `paramTypes` / `params` are the statement's own ($n of an EXECUTE's
   * arguments or of a DECLARE's query). `onShard0Alone` runs the statement on shard 0 as sent.
   */
  async run(sql: string, route: SqlObjectRoute, paramTypes: readonly number[], params: readonly Value[], onShard0Alone: () => Promise<ExecResult>): Promise<ExecResult> {
    switch (route.kind) {
      case 'sqlPrepare': return this.prepare(sql, route);
      case 'sqlExecute':
        if (!this.prepared.has(route.name)) return onShard0Alone();
        return this.execute(route, paramTypes, params);
      case 'sqlDeallocate': {
        // shard 0 prepared it too (and answers 26000 for a name neither has)
        const result = await onShard0Alone();
        this.prepared.remove(route.name);
        if (route.name === null) this.host.shard0StatementsDropped();
        return result;
      }
      case 'declareCursor':
        // PostgreSQL's order: the block first, then the name
        if (!this.host.inBlock() && (route.options & CURSOR_OPT.hold) === 0) throw new SqlError('25P01', 'DECLARE CURSOR can only be used in transaction blocks');
        if (this.cursors.has(route.name)) throw duplicateCursor(route.name);
        if (!route.sharded) return onShard0Alone();
        return this.declare(route, paramTypes, params);
      case 'fetchCursor':
        if (!this.cursors.has(route.name)) return onShard0Alone();
        return await this.cursors.fetch(route.name, route.direction, route.howMany, route.move);
      case 'closeCursor':
        if (route.name === null) {
          await this.cursors.closeAll();
          return onShard0Alone();
        }
        if (!this.cursors.has(route.name)) return onShard0Alone();
        await this.cursors.close(route.name);
        return { kind: 'command', tag: 'CLOSE CURSOR' };
    }
  }

  private async prepare(sql: string, route: Of<'sqlPrepare'>): Promise<ExecResult> {
    if (this.prepared.has(route.name)) throw duplicatePrepared(route.name);
    // shard 0 checks the statement and its parameter types, and lists it in pg_prepared_statements
    await this.host.onShard0(sql, [], []);
    const reply = await this.host.onShard0(PARAMETER_TYPES_QUERY, [25], [route.name]);
    const declared = (reply.rows[0]?.[0] ?? '').split(',').filter((t) => t !== '').map(Number);
    const d = await this.host.describeOnShard0(route.statement, declared);
    const paramTypes = d.paramTypes.length >= declared.length ? d.paramTypes : declared;
    this.prepared.add(route.name, { sql: route.statement, paramTypes, fields: d.fields && d.fields.map(fieldInfo) });
    return { kind: 'command', tag: 'PREPARE' };
  }

  private async execute(route: Of<'sqlExecute'>, outerTypes: readonly number[], outerParams: readonly Value[]): Promise<ExecResult> {
    const p = this.prepared.get(route.name)!;
    checkArgumentCount(route.name, p.paramTypes.length, route.args.length);
    const settings = this.host.textSettings();
    let values: Value[] = [];
    if (route.args.length > 0) {
      const types = p.paramTypes.map((t) => sqlType(t));
      const query = argumentsQuery(route.args, types.map((t) => formatTypeWithTypmod(t)));
      const reply = await withoutPosition(this.host.onShard0(query, outerTypes, encodeParams(outerTypes, outerParams, settings)));
      values = (reply.rows[0] ?? []).map((text, i) => (text === null ? null : shardValue(types[i]!, text, settings)));
    }
    const parsed = parseOne(p.sql);
    if (!parsed) throw new SqlError('XX000', `prepared statement "${route.name}" no longer parses`);
    const inner = await this.host.route(p.sql, parsed);
    if (inner.kind === 'unsupported') throw inner.error;
    return this.host.run(p.sql, inner, p.paramTypes, p.fields, values);
  }

  private async declare(route: Of<'declareCursor'>, paramTypes: readonly number[], params: readonly Value[]): Promise<ExecResult> {
    const hold = (route.options & CURSOR_OPT.hold) !== 0;
    // a name shard 0 has a cursor of (DECLARE over no sharded table) is taken too
    const taken = await this.host.onShard0('SELECT 1 FROM pg_catalog.pg_cursors WHERE name = $1', [25], [route.name]);
    if (taken.rows.length > 0) throw duplicateCursor(route.name);
    const parsed = parseOne(route.query);
    if (!parsed?.SelectStmt) throw new SqlError('0A000', 'this DECLARE CURSOR form over sharded tables is not supported by the shard router yet');
    const inner = await this.host.route(route.query, parsed);
    if (inner.kind === 'unsupported') throw inner.error;
    const scroll = scrollable(route.options, route.locksRows);
    const opts = { scroll, hold, inTxn: this.host.inBlock(), level: this.host.savepointLevel() };
    // rows left on the shards: in a block (the shards' cursors live in its transaction), not
    // held past it, reading no $n (a shard's DECLARE would need them bound), not locking rows
    const plan = this.host.inBlock() && !hold && paramTypes.length === 0 && !route.locksRows ? await this.host.cursorPlan(route.query, inner) : null;
    const merges = plan?.order !== undefined && (plan.order.sort.length > 0 || plan.order.limit.kind !== 'none' || plan.order.offset.kind !== 'none' || plan.order.hiddenCount > 0);
    if (plan && (!scroll || !merges)) {
      const { fields, source } = await withoutPosition(this.shardCursors(plan, scroll, merges));
      this.cursors.declare(route.name, fields, source, opts);
      return { kind: 'command', tag: 'DECLARE CURSOR' };
    }
    const result = await withoutPosition(this.host.run(route.query, inner, paramTypes, null, params));
    if (result.kind !== 'rows') throw new SqlError('XX000', 'the query of a cursor returned no rows description');
    const rows = [...result.rows];
    if (result.more) {
      for (let batch = await result.more.next(); batch; batch = await result.more.next()) rows.push(...batch);
    }
    this.cursors.declare(route.name, result.fields, rows, opts);
    return { kind: 'command', tag: 'DECLARE CURSOR' };
  }

  private shardCursorCount = 0;

  /** DECLARE of the plan's statement on each of its shards, in the block (shard-cursors.ts) */
  private async shardCursors(plan: ShardCursorPlan, scroll: boolean, merges: boolean): Promise<{ fields: FieldInfo[]; source: CursorSource }> {
    const name = `quiver_router_cursor_${++this.shardCursorCount}`;
    const conns = await Promise.all(plan.shards.map((s) => this.host.blockShard(s)));
    // the row shape: the shard's Describe of the statement (as a streamed read gets it)
    const shape = await conns[0]!.describe(plan.sql, []);
    const declared: ShardConnection[] = [];
    try {
      await Promise.all(conns.map(async (c) => {
        await c.simple(`DECLARE ${quoteIdent(name)} ${scroll ? 'SCROLL' : 'NO SCROLL'} CURSOR FOR ${plan.sql}`);
        declared.push(c);
      }));
    } catch (e) {
      await Promise.all(declared.map((c) => c.simple(`CLOSE ${quoteIdent(name)}`).catch(() => {})));
      throw e;
    }
    const all = (shape.fields ?? []).map(fieldInfo);
    const settings = this.host.textSettings();
    if (!merges) return { fields: all, source: new ConcatenatedShardCursors(conns, name, all.map((f) => f.type), settings) };
    const order = streamOrder(all, plan.order!);
    const streams = conns.map((c) => shardCursorStream(c, name, shape.fields ?? []));
    return { fields: all.slice(0, order.visibleCount), source: new ForwardShardCursors(fanoutRowStream(streams, order, settings, () => {}), conns, name) };
  }
}

/** An error's position in a statement the router wrote (or cut from the client's) would point astray. */
async function withoutPosition<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof SqlError && e.fields.position !== undefined) {
      const { position: _position, ...rest } = e.fields;
      throw new SqlError(e.code, e.message, rest);
    }
    throw e;
  }
}
