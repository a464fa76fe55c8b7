/**
 * EXPLAIN of a statement the shard router runs on several shards (README "Cluster mode"),
 * shown as Citus shows a distributed plan: a top node `Custom Scan (Quiver Router)` with the
 * router's own step (the merge of a fan-out: `Merge Sort Key`, `Limit`, `Aggregate
 * (combine)`…), `Task Count`, `Tasks Shown` and, under each `->  Task`, the shard it runs on
 * and that shard's own EXPLAIN of the statement the router sends it (its pushed-down form:
 * the fan-out statement with its LIMIT and partial aggregates, the INSERT with that shard's
 * rows). The shards explain with the client's options; ANALYZE runs the statement (writes
 * included, as PostgreSQL does) and puts the router's own rows and time on the top node.
 *
 * Statements the router runs in steps show them as nodes of the same kind: a pulled-up
 * statement (pull-up.ts) is `Merge: Pull-up` over one `->  Pull on <table>` per table mention
 * (its pushed-down conjuncts, the statement every shard is sent and their EXPLAINs) and one
 * task, shard 0's EXPLAIN of the rewritten statement over the pulled rows; a key UPDATE
 * (key-update.ts) its UPDATE tasks and a `->  Move Rows` step; CREATE TABLE AS
 * (create-table-as.ts) the table's CREATE on the shards over the INSERT … SELECT that fills it.
 *
 * FORMAT JSON is built here; YAML and XML are the same tree, the shards asked for JSON and the
 * whole written in the client's format (explain-structured.ts).
 *
 * Statements pinned to one shard (or run on shard 0) are not routed here: their shard
 * explains them as a standalone server does.
 */
import * as pgQuery from 'libpg-query';
import { SqlError, type SqlNotice } from '../../errors.js';
import { T } from '../../types/types.js';
import type { ExecResult, FieldInfo } from '../../wire/backend.js';
import type { FanoutPlan, MergeSteps } from './fanout-api.js';
import type { KeySource, Route } from './route.js';
import type { ShardParam, ShardReply } from './shard-connection.js';
import type { RouterTable } from './shard-catalog.js';
import { pullUpReadOnly, type PulledStatement, type PullSummary } from './pull-up.js';
import { moveStatements } from './key-update.js';
import { quoteIdent } from './shard-values.js';
import { matchParen, skipBlank } from './sql-text.js';
import { dummyGroup, fixed, numberOf, parseExplainJson, writeStructured, type StructuredFormat } from './explain-structured.js';

type N = Record<string, any>;

/** the top node's custom plan provider, as Citus names its `Custom Scan (Citus Adaptive)` */
export const ROUTER_NODE = 'Quiver Router';

/** the session setting that shows every task even when their plans are alike (citus.explain_all_tasks) */
export const ALL_TASKS_SETTING = 'quiver.explain_all_tasks';

export interface ExplainOptions {
  readonly analyze: boolean;
  readonly verbose: boolean;
  readonly costs: boolean;
  readonly timing: boolean;
  readonly summary: boolean;
  readonly format: 'text' | 'json' | StructuredFormat;
  /** the options as the client wrote them (`analyze true`, `format 'json'`…); the shards get them with FORMAT JSON for YAML and XML */
  readonly written: readonly { name: string; text: string }[];
}

export type ExplainRoute = { kind: 'explain'; sql: string; inner: Route; options: ExplainOptions };

/** The statements the router explains itself: those it runs on several shards (or one it picks). */
const ROUTER_EXPLAINED = new Set<Route['kind']>(['everyShard', 'fanout', 'insert', 'insertSelect', 'roundRobin', 'pullUp', 'keyUpdate', 'createTableAs']);

/**
 * EXPLAIN's route: the explained statement's text, routed as if sent alone (`route`), with
 * the options; undefined when the router does not explain it itself.
 */
export function explainRoute(sql: string, node: N, route: (sql: string, stmt: N) => Route): ExplainRoute | Route | undefined {
  const text = explainedText(sql);
  if (text === undefined) return undefined;
  let stmt: N | undefined;
  try {
    const stmts = pgQuery.parseSync(text).stmts ?? [];
    stmt = stmts.length === 1 ? stmts[0]!.stmt as N : undefined;
  } catch {
    return undefined;
  }
  if (!stmt) return undefined;
  const inner = route(text, stmt);
  if (inner.kind === 'unsupported') return inner;
  if (!ROUTER_EXPLAINED.has(inner.kind) || (inner.kind === 'everyShard' && inner.ddl)) return undefined;
  const options = explainOptions(node.options ?? []);
  if (options instanceof SqlError) return { kind: 'unsupported', error: options };
  return { kind: 'explain', sql: text, inner, options };
}

/** The text after `EXPLAIN [ANALYZE] [VERBOSE]` or `EXPLAIN ( … )`, without a trailing `;`. */
export function explainedText(sql: string): string | undefined {
  let i = skipBlank(sql, 0);
  if (!/^explain\b/i.test(sql.slice(i))) return undefined;
  i = skipBlank(sql, i + 'explain'.length);
  if (sql[i] === '(') {
    const close = matchParen(sql, i);
    if (close < 0) return undefined;
    i = skipBlank(sql, close + 1);
  } else {
    for (;;) {
      const word = /^(analy[sz]e|verbose)\b/i.exec(sql.slice(i));
      if (!word) break;
      i = skipBlank(sql, i + word[0].length);
    }
  }
  return sql.slice(i).replace(/[\s;]+$/, '');
}

function explainOptions(defs: N[]): ExplainOptions | SqlError {
  const o = { analyze: false, verbose: false, costs: true, timing: undefined as boolean | undefined, summary: undefined as boolean | undefined, format: 'text' as ExplainOptions['format'] };
  const written: { name: string; text: string }[] = [];
  for (const d of defs) {
    const { defname, arg } = d.DefElem as N;
    const value: string | undefined = arg?.String?.sval ?? (arg?.Boolean ? String(arg.Boolean.boolval ?? false) : arg?.Integer ? String(arg.Integer.ival ?? 0) : arg?.Float?.fval);
    const on = value === undefined || /^(true|on|1|yes)$/i.test(value);
    if (defname === 'analyze') o.analyze = on;
    else if (defname === 'verbose') o.verbose = on;
    else if (defname === 'costs') o.costs = on;
    else if (defname === 'timing') o.timing = on;
    else if (defname === 'summary') o.summary = on;
    else if (defname === 'format') {
      const f = (value ?? '').toLowerCase();
      if (f !== 'text' && f !== 'json' && f !== 'yaml' && f !== 'xml') return new SqlError('22023', `unrecognized value for EXPLAIN option "format": "${value ?? ''}"`);
      o.format = f;
    }
    written.push({ name: defname, text: value === undefined ? defname : `${defname} '${value.replace(/'/g, "''")}'` });
  }
  if (o.timing && !o.analyze) return new SqlError('22023', 'EXPLAIN option TIMING requires ANALYZE');
  return { ...o, timing: o.timing ?? o.analyze, summary: o.summary ?? o.analyze, written };
}

/**
 * What shard 0 describes for an EXPLAIN it cannot describe itself (of CREATE TABLE AS, which
 * Quiver's EXPLAIN refuses): the same EXPLAIN of its query, whose column and parameters are the same.
 */
export function explainDescribed(sql: string, route: ExplainRoute): string {
  return route.inner.kind === 'createTableAs' ? explainPrefix(route.options.written) + route.inner.select : sql;
}

/** the options without ANALYZE (and TIMING, which needs it) */
function withoutAnalyze(o: ExplainOptions): ExplainOptions {
  return { ...o, analyze: false, timing: false, written: o.written.filter((w) => w.name !== 'analyze' && w.name !== 'timing') };
}

/** What explaining needs of the router session (the statement's parameters are bound in). */
export interface ExplainHost {
  /** the EXPLAIN's result column as shard 0 describes it (null: not described) */
  readonly fields: readonly FieldInfo[] | null;
  /** the node a shard's tasks run on, as `host=… port=…` */
  address(shard: number): Promise<string>;
  readonly shards: number;
  /** run `sqlOf(shard)` on each shard, as one statement (a write: under the commit rule) */
  runOnShards(shards: readonly number[], write: boolean, sqlOf: (shard: number) => string): Promise<ShardReply[]>;
  planFanout(sql: string, parsed: unknown): Promise<FanoutPlan>;
  /** whether a SELECT the planner refuses is pulled up (the router has a planner) */
  readonly pullsUp: boolean;
  /** run one statement with its own parameters on each shard, reading */
  runStatement(shards: readonly number[], sql: string, types: readonly number[], params: readonly ShardParam[]): Promise<ShardReply[]>;
  /** the pull-up of a SELECT (pull-up.ts); `fetchRows` false: no rows are read, the statement reads empty arrays */
  pullUp(sql: string, fetchRows: boolean): Promise<PulledStatement>;
  /** `prefix` + the pulled-up statement on shard 0, as the router runs it (with its temporary copies) */
  runPulled(pulled: PulledStatement, prefix: string): Promise<ShardReply>;
  /** run a key UPDATE as the router runs it: the rows updated and moved */
  keyUpdate(sql: string, route: Extract<Route, { kind: 'keyUpdate' }>): Promise<{ updated: number; moved: number; moveMs: number }>;
  /** run the statement as the router runs it (ANALYZE of a fan-out or INSERT … SELECT) */
  execute(sql: string, route: Route): Promise<ExecResult>;
  /** an INSERT … VALUES as each of its shards gets it (key DEFAULTs evaluated on shard 0) */
  /** `draw` false: no sequence value drawn for a column that is not the key, each shard gets the statement as it is */
  insertStatements(sql: string, route: Extract<Route, { kind: 'insert' }>, draw?: boolean): Promise<Map<number, string>>;
  /** the shard of a key (a pinned statement's) */
  pinnedShard(route: { table: RouterTable; key: readonly KeySource[] }): number;
  roundRobinShard(): number;
  /** `quiver.explain_all_tasks` as the session has it */
  allTasks(): Promise<boolean>;
  /** a notice for the client, after the statement */
  notice(n: SqlNotice): void;
}

/** One shard's part: the statement it is sent and its EXPLAIN output. */
interface Task {
  readonly shard: number;
  readonly node: string;
  /** the shard's EXPLAIN: text lines, or its JSON document */
  readonly lines: readonly string[];
  readonly json: unknown;
}

interface Property { readonly label: string; readonly value: string | number | readonly string[] }

interface RouterNode {
  /** the router's own node (default), a pull of a table mention, the move of a key UPDATE's rows */
  readonly kind?: 'pull' | 'move';
  /** a pull's table mention, as `on items i` */
  readonly relation?: { schema: string; name: string; alias: string | undefined };
  readonly properties: Property[];
  /** steps that run before the node's tasks (a pull-up's pulls), shown first */
  readonly subplans?: readonly RouterNode[];
  readonly tasks: Task[];
  readonly child?: RouterNode | undefined;
  /** what the router itself returned and how long it took (ANALYZE) */
  actual?: { rows: number; ms: number };
  /** estimated rows and width: from the tasks' top nodes */
  readonly rows: number;
  readonly width: number;
}

/** EXPLAIN through the router: the statement's tasks explained by their shards, under the router's node. */
export async function explainAcrossShards(host: ExplainHost, route: ExplainRoute): Promise<ExecResult> {
  const started = performance.now();
  // as PostgreSQL's ExplainOneUtility: a CREATE TABLE AS whose table exists is not planned (42P07, or IF NOT EXISTS's notice)
  if (route.inner.kind === 'createTableAs' && await tableExists(host, route.inner)) {
    if (!route.inner.ifNotExists) throw new SqlError('42P07', `relation "${route.inner.name}" already exists`);
    host.notice({ severity: 'NOTICE', code: '42P07', message: `relation "${route.inner.name}" already exists, skipping` });
    const f = route.options.format;
    const rows = f === 'json' ? [[JSON.stringify(['CREATE TABLE AS'], null, 2)]] : f === 'text' ? [] : [[dummyGroup(f, 'CREATE TABLE AS')]];
    return { kind: 'rows', fields: host.fields ?? [planField(f)], rows, tag: 'EXPLAIN' };
  }
  const planned: { ms?: number } = {};
  const node = await explainNode(host, route.sql, route.inner, route.options, planned);
  const planningMs = planned.ms ?? 0;
  const executionMs = performance.now() - started - planningMs;
  const showAll = await host.allTasks();
  const o = route.options;
  const f = o.format;
  const lines = f === 'json'
    ? [JSON.stringify([{ Plan: jsonNode(node, o, showAll), ...(o.summary ? { 'Planning Time': round(planningMs) } : {}), ...(o.summary && o.analyze ? { 'Execution Time': round(executionMs) } : {}) }], null, 2)]
    : f !== 'text'
    ? [writeStructured(f, [{ Plan: jsonNode(node, o, showAll), ...(o.summary ? { 'Planning Time': fixed(planningMs, 3) } : {}), ...(o.summary && o.analyze ? { 'Execution Time': fixed(executionMs, 3) } : {}) }])]
    : [
      ...textNode(node, o, showAll, 0, false),
      ...(o.summary ? [`Planning Time: ${planningMs.toFixed(3)} ms`] : []),
      ...(o.summary && o.analyze ? [`Execution Time: ${executionMs.toFixed(3)} ms`] : []),
    ];
  // the column as shard 0 described the EXPLAIN (PostgreSQL types FORMAT JSON's json)
  const fields = host.fields ?? [planField(f)];
  return { kind: 'rows', fields, rows: lines.map((l) => [l]), tag: 'EXPLAIN' };
}

/** whether the table a CREATE TABLE AS makes exists in the schema it would be made in (shard 0's catalog) */
async function tableExists(host: ExplainHost, route: Extract<Route, { kind: 'createTableAs' }>): Promise<boolean> {
  const sql = 'SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = $1::text AND c.relnamespace = ';
  const [reply] = route.temporary
    ? await host.runStatement([0], `${sql}pg_catalog.pg_my_temp_schema()`, [25], [route.name])
    : await host.runStatement([0], `${sql}(SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = COALESCE($2::text, pg_catalog.current_schema()))`, [25, 25], [route.name, route.schema ?? null]);
  return (reply?.rows.length ?? 0) > 0;
}

const allShards = (host: ExplainHost): number[] => Array.from({ length: host.shards }, (_, i) => i);

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

async function explainNode(host: ExplainHost, sql: string, route: Route, o: ExplainOptions, planned: { ms?: number }): Promise<RouterNode> {
  const start = performance.now();
  const plannedNow = (): void => { planned.ms ??= performance.now() - start; };
  switch (route.kind) {
    case 'fanout': {
      let plan: FanoutPlan;
      try {
        plan = await host.planFanout(sql, route.parsed);
      } catch (e) {
        // a read-only shape the planner refuses runs by pull-up, and is explained as one
        if (host.pullsUp && e instanceof SqlError && e.code === '0A000' && pullUpReadOnly(route.parsed as N)) return pullUpNode(host, sql, o, plannedNow);
        throw e;
      }
      plannedNow();
      const output = o.verbose && plan.steps && plan.steps.output.length > 0 ? [{ label: 'Output', value: plan.steps.output }] : [];
      const node = await tasksNode(host, allShards(host), false, () => plan.shardSql, o, [...output, ...mergeProperties(plan.steps)]);
      if (o.analyze) {
        // the router's own rows: the statement run as the router runs it (the shards run it again)
        const t0 = performance.now();
        const result = await host.execute(sql, route);
        node.actual = { rows: result.kind === 'rows' ? result.rows.length : 0, ms: performance.now() - t0 };
      }
      return limitEstimate(node, plan.steps);
    }
    case 'everyShard':
      plannedNow();
      return tasksNode(host, allShards(host), o.analyze, () => sql, o, []);
    case 'roundRobin':
      plannedNow();
      return tasksNode(host, [host.roundRobinShard()], o.analyze, () => sql, o, []);
    case 'pinned':
    case 'shard0': {
      plannedNow();
      return tasksNode(host, [route.kind === 'pinned' ? host.pinnedShard(route) : 0], o.analyze && route.write, () => sql, o, []);
    }
    case 'insert': {
      // the shards' rows follow from the key DEFAULTs (nextval…): evaluating them is a write
      if (!o.analyze && route.rows.some((r) => r.key.some((k) => k.kind === 'default'))) {
        throw new SqlError('0A000', 'EXPLAIN of an INSERT whose key is its DEFAULT is not supported by the shard router yet (EXPLAIN ANALYZE is)');
      }
      // EXPLAIN alone draws nothing from a sequence: the shards explain the statement as it is
      const byShard = await host.insertStatements(sql, route, o.analyze);
      plannedNow();
      const shards = [...byShard.keys()].sort((a, b) => a - b);
      const keys = route.table.keyColumns;
      return tasksNode(host, shards, o.analyze, (s) => byShard.get(s)!, o, keys.length > 0 ? [{ label: 'Rows Split By Key', value: keys }] : []);
    }
    case 'insertSelect': {
      // the SELECT is explained as the router runs it alone; its rows go to the router, which inserts them by key
      const child = await explainNode(host, route.select, route.source, withoutAnalyze(o), planned);
      const properties: Property[] = [
        { label: 'Insert Into', value: route.table.name },
        { label: 'Insert Method', value: 'pull to router' },
      ];
      const node: RouterNode = { properties, tasks: [], child, rows: 0, width: 0 };
      if (o.analyze) {
        const t0 = performance.now();
        await host.execute(sql, route);
        // as PostgreSQL's Insert node without RETURNING: 0 rows
        node.actual = { rows: 0, ms: performance.now() - t0 };
      }
      return node;
    }
    case 'pullUp':
      return pullUpNode(host, sql, o, plannedNow);
    case 'keyUpdate':
      return keyUpdateNode(host, sql, route, o, plannedNow);
    case 'createTableAs': {
      // the shards' CREATE … WITH NO DATA is DDL (no plan): shown as the statement and where it runs
      const shards = route.temporary ? [0] : allShards(host);
      const properties: Property[] = [
        { label: 'Create Table', value: route.schema === undefined ? route.name : `${route.schema}.${route.name}` },
        { label: 'Create Statement', value: route.create },
        { label: 'Created On', value: shards.map((s) => `shard=${s}`) },
      ];
      // the INSERT … SELECT that fills it, as an INSERT … SELECT pulled to the router is shown
      const child = route.withData ? {
        properties: [
          { label: 'Insert Into', value: route.name },
          { label: 'Insert Method', value: route.temporary ? 'pull to router, all rows on shard 0' : 'pull to router, rows dealt round robin' },
        ],
        tasks: [],
        child: await explainNode(host, route.select, route.source, withoutAnalyze(o), planned),
        rows: 0,
        width: 0,
      } : undefined;
      plannedNow();
      const node: RouterNode = { properties, tasks: [], child, rows: child?.child?.rows ?? 0, width: child?.child?.width ?? 0 };
      if (o.analyze) {
        const t0 = performance.now();
        const result = await host.execute(sql, route);
        // as PostgreSQL's EXPLAIN ANALYZE CREATE TABLE AS: the query's rows
        node.actual = { rows: Number(/^SELECT (\d+)$/.exec(result.kind === 'command' ? result.tag : '')?.[1] ?? 0), ms: performance.now() - t0 };
      }
      return node;
    }
    default:
      throw new SqlError('XX000', `the shard router cannot explain a ${route.kind} statement`);
  }
}

/**
 * A pulled-up statement: each pull explained on every shard (with ANALYZE the rows are
 * pulled, and each shard's pull statement is analyzed as well), then shard 0's EXPLAIN of the
 * statement rewritten to read them — without ANALYZE no rows are read and shard 0 plans the
 * statement over empty arrays.
 */
async function pullUpNode(host: ExplainHost, sql: string, o: ExplainOptions, plannedNow: () => void): Promise<RouterNode> {
  const pulled = await host.pullUp(sql, o.analyze);
  plannedNow();
  const prefix = shardExplainPrefix(o);
  const shards = allShards(host);
  const subplans: RouterNode[] = [];
  for (const p of pulled.pulls) subplans.push(await pullNode(host, shards, p, o));
  const t0 = performance.now();
  const final = await host.runPulled(pulled, prefix);
  const ms = performance.now() - t0;
  const properties: Property[] = [{ label: 'Merge', value: 'Pull-up' }];
  if (!o.analyze) properties.push({ label: 'Pulled Rows', value: 'none without ANALYZE (shard 0 plans the statement over empty arrays)' });
  if (pulled.temporary.length > 0) properties.push({ label: 'Temporary Copies', value: pulled.pulls.filter((p) => p.alias === undefined).map((p) => `pg_temp.${shownName(p.table.name)}`) });
  if (o.verbose) properties.push({ label: 'Rewritten Statement', value: pulled.sql });
  const node = await nodeOf(host, [0], [final], o, properties, ms, o.analyze);
  return { ...node, subplans };
}

/** `(w)`, unless w is one parenthesized expression already (a view's deparsed WHERE is) */
function parenthesized(w: string): string {
  if (!w.startsWith('(')) return `(${w})`;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!;
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === w.length - 1 ? w : `(${w})`;
  }
  return `(${w})`;
}

/** One pull: the statement every shard is sent for a table mention, explained there. */
async function pullNode(host: ExplainHost, shards: readonly number[], p: PullSummary, o: ExplainOptions): Promise<RouterNode> {
  const properties: Property[] = [{ label: 'Columns', value: p.columns }];
  if (p.where.length > 0) properties.push({ label: 'Pushed Filter', value: p.where.map(parenthesized).join(' AND ') });
  if (p.alias === undefined) properties.push({ label: 'Copied Into', value: `pg_temp.${shownName(p.table.name)}` });
  properties.push({ label: 'Pull Statement', value: p.sql });
  const t0 = performance.now();
  const replies = await host.runStatement(shards, shardExplainPrefix(o) + p.sql, p.paramTypes, p.params);
  const node = await nodeOf(host, shards, replies, o, properties, performance.now() - t0, false);
  // the pull as it ran for the statement (its tasks are a second run, analyzed)
  if (o.analyze) node.actual = { rows: p.rows.reduce((a, b) => a + b, 0), ms: p.ms };
  return { ...node, kind: 'pull', relation: { schema: p.table.schema, name: p.table.name, alias: p.alias } };
}

/**
 * A key UPDATE: its UPDATE … RETURNING on the shards it targets, then the move of the rows
 * whose new key hashes elsewhere. A shard's EXPLAIN ANALYZE would not return the rows the
 * router must move, so under ANALYZE the tasks show their plans (taken before it runs) and the
 * router runs the statement once, as it runs it; the top node has the rows updated, the move
 * step the rows moved.
 */
async function keyUpdateNode(host: ExplainHost, sql: string, route: Extract<Route, { kind: 'keyUpdate' }>, o: ExplainOptions, plannedNow: () => void): Promise<RouterNode> {
  const shards = route.key ? [host.pinnedShard({ table: route.table, key: route.key })] : allShards(host);
  plannedNow();
  const shardOptions = withoutAnalyze(o);
  const properties: Property[] = [{ label: 'Key Update', value: route.table.keyColumns }];
  if (o.analyze) properties.push({ label: 'Task Plans', value: 'not analyzed (the router runs the UPDATE … RETURNING once to move its rows)' });
  const node = await tasksNode(host, shards, false, () => route.update, shardOptions, properties);
  const statements = moveStatements(route.table);
  const move: RouterNode = {
    kind: 'move',
    properties: [
      { label: 'Delete', value: `${statements.delete} on the shard each row was updated on` },
      { label: 'Insert', value: `${statements.insert} on the shard of its new key` },
    ],
    tasks: [],
    rows: 0,
    width: 0,
  };
  if (o.analyze) {
    const t0 = performance.now();
    const { updated, moved, moveMs } = await host.keyUpdate(sql, route);
    const ms = performance.now() - t0;
    // as PostgreSQL's Update node: 0 rows without RETURNING
    node.actual = { rows: route.returning ? updated : 0, ms };
    properties.push({ label: 'Rows Updated', value: String(updated) });
    move.actual = { rows: moved, ms: moveMs };
  }
  return { ...node, child: move };
}

async function tasksNode(host: ExplainHost, shards: readonly number[], write: boolean, sqlOf: (shard: number) => string, o: ExplainOptions, properties: Property[]): Promise<RouterNode> {
  const prefix = shardExplainPrefix(o);
  const t0 = performance.now();
  const replies = await host.runOnShards(shards, write, (s) => prefix + sqlOf(s));
  return nodeOf(host, shards, replies, o, properties, performance.now() - t0, o.analyze && write);
}

/** The node over the shards' EXPLAIN replies; `actual`: its rows are its tasks' actual rows together. */
async function nodeOf(host: ExplainHost, shards: readonly number[], replies: readonly ShardReply[], o: ExplainOptions, properties: Property[], ms: number, actual: boolean): Promise<RouterNode> {
  const tasks: Task[] = [];
  for (const [i, r] of replies.entries()) {
    const shard = shards[i]!;
    const lines = r.rows.map((row) => row[0] ?? '');
    const json = o.format === 'json' ? JSON.parse(lines.join('\n')) : o.format !== 'text' ? parseExplainJson(lines.join('\n')) : undefined;
    tasks.push({ shard, node: await host.address(shard), lines, json });
  }
  const tops = tasks.map((t) => topNumbers(t, o));
  const node: RouterNode = {
    properties, tasks,
    rows: tops.reduce((a, t) => a + t.rows, 0),
    width: tops[0]?.width ?? 0,
  };
  // DML: the router's rows are the shards' (a ModifyTable without RETURNING reports 0)
  if (actual) node.actual = { rows: tops.reduce((a, t) => a + t.actualRows, 0), ms };
  return node;
}

/** the EXPLAIN the shards run: the client's options, as written, but FORMAT JSON for YAML and XML (the router writes those) */
function shardExplainPrefix(o: ExplainOptions): string {
  return explainPrefix(o.format === 'yaml' || o.format === 'xml' ? o.written.map((w) => (w.name === 'format' ? { ...w, text: "format 'json'" } : w)) : o.written);
}

function explainPrefix(written: ExplainOptions['written']): string {
  return written.length === 0 ? 'EXPLAIN ' : `EXPLAIN (${written.map((w) => w.text).join(', ')}) `;
}

/** EXPLAIN's column when shard 0 did not describe it: json for FORMAT JSON, else text (as engine/prepare.ts) */
function planField(format: ExplainOptions['format']): FieldInfo {
  return { name: 'QUERY PLAN', type: format === 'json' ? T.json : T.text, tableOid: 0, columnAttr: 0 };
}

/** a task's top node's estimated rows and width, and actual rows (ANALYZE) */
function topNumbers(t: Task, o: ExplainOptions): { rows: number; width: number; actualRows: number } {
  if (o.format !== 'text') {
    const plan = ((t.json as N[] | undefined)?.[0]?.Plan ?? {}) as N;
    return { rows: numberOf(plan['Plan Rows']), width: numberOf(plan['Plan Width']), actualRows: numberOf(plan['Actual Rows']) };
  }
  const first = t.lines[0] ?? '';
  const cost = /\(cost=[\d.]+\.\.[\d.]+ rows=(\d+) width=(\d+)\)/.exec(first);
  const actual = /\(actual (?:time=[\d.]+\.\.[\d.]+ )?rows=(\d+)/.exec(first);
  return { rows: Number(cost?.[1] ?? 0), width: Number(cost?.[2] ?? 0), actualRows: Number(actual?.[1] ?? 0) };
}

/** a constant LIMIT caps the router's estimate; aggregates without GROUP BY give one row */
function limitEstimate(node: RouterNode, steps: MergeSteps | undefined): RouterNode {
  let rows = node.rows;
  if (steps?.merge === 'combine' && steps.groupKeys.length === 0) rows = 1;
  if (steps?.limit !== undefined && /^\d+$/.test(steps.limit)) rows = Math.min(rows, Number(steps.limit));
  return { ...node, rows };
}

function mergeProperties(steps: MergeSteps | undefined): Property[] {
  if (!steps) return [];
  const p: Property[] = [{ label: 'Merge', value: steps.merge === 'combine' ? 'Aggregate (combine)' : 'Concatenate' }];
  if (steps.groupKeys.length > 0) p.push({ label: 'Group Key', value: steps.groupKeys });
  if (steps.having !== undefined) p.push({ label: 'Filter', value: `(${steps.having})` });
  if (steps.distinct) p.push({ label: 'Distinct', value: 'all columns' });
  if (steps.distinctOn.length > 0) p.push({ label: 'Distinct On', value: steps.distinctOn });
  if (steps.sortKeys.length > 0) p.push({ label: 'Merge Sort Key', value: steps.sortKeys });
  if (steps.offset !== undefined) p.push({ label: 'Offset', value: steps.offset });
  if (steps.limit !== undefined) p.push({ label: 'Limit', value: steps.limit });
  if (steps.finalOnShard0) p.push({ label: 'Final Statement', value: 'the select list, HAVING, ORDER BY and LIMIT over the combined groups, on shard 0' });
  return p;
}

/** the tasks shown: all, or the first when every task's plan is alike but for its numbers */
function shownTasks(node: RouterNode, showAll: boolean): { tasks: readonly Task[]; label: string } {
  if (showAll || node.tasks.length < 2) return { tasks: node.tasks, label: 'All' };
  const shape = (t: Task): string => (t.json !== undefined ? JSON.stringify(t.json, (_k, v) => (typeof v === 'number' ? 0 : v)) : t.lines.join('\n')).replace(/\d+(\.\d+)?/g, '#');
  const first = shape(node.tasks[0]!);
  if (node.tasks.some((t) => shape(t) !== first)) return { tasks: node.tasks, label: 'All' };
  return { tasks: node.tasks.slice(0, 1), label: `One of ${node.tasks.length}` };
}

/** a node's title: the router's Custom Scan, `Pull on items i`, `Move Rows` */
function nodeTitle(node: RouterNode): string {
  if (node.kind === 'move') return 'Move Rows';
  if (node.kind === 'pull') {
    const r = node.relation!;
    return `Pull on ${shownName(r.name)}${r.alias !== undefined && r.alias !== r.name ? ` ${shownName(r.alias)}` : ''}`;
  }
  return `Custom Scan (${ROUTER_NODE})`;
}

/** a name as EXPLAIN prints one: quoted only when it must be */
const shownName = (name: string): string => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name));

function textNode(node: RouterNode, o: ExplainOptions, showAll: boolean, indent: number, arrow: boolean): string[] {
  let title = nodeTitle(node);
  if (o.costs) title += `  (cost=0.00..0.00 rows=${node.rows} width=${node.width})`;
  if (o.analyze && node.actual) {
    title += o.timing
      ? ` (actual time=${node.actual.ms.toFixed(3)}..${node.actual.ms.toFixed(3)} rows=${node.actual.rows} loops=1)`
      : ` (actual rows=${node.actual.rows} loops=1)`;
  }
  const pad = (n: number): string => ' '.repeat(n);
  const out = [pad(indent) + (arrow ? '->  ' : '') + title];
  const at = arrow ? indent + 6 : indent + 2;
  for (const p of node.properties) out.push(`${pad(at)}${p.label}: ${Array.isArray(p.value) ? p.value.join(', ') : p.value}`);
  for (const sub of node.subplans ?? []) out.push(...textNode(sub, o, showAll, at, true));
  if (node.tasks.length > 0) {
    const { tasks, label } = shownTasks(node, showAll);
    out.push(`${pad(at)}Task Count: ${node.tasks.length}`, `${pad(at)}Tasks Shown: ${label}`);
    for (const t of tasks) {
      out.push(`${pad(at)}->  Task`, `${pad(at + 6)}Node: ${t.node}`);
      t.lines.forEach((l, i) => out.push(i === 0 ? `${pad(at + 6)}->  ${l}` : `${pad(at + 10)}${l}`));
    }
  }
  if (node.child) out.push(...textNode(node.child, o, showAll, at, true));
  return out;
}

function jsonNode(node: RouterNode, o: ExplainOptions, showAll: boolean, parent?: string): N {
  const j: N = { 'Node Type': node.kind === 'pull' ? 'Pull' : node.kind === 'move' ? 'Move Rows' : 'Custom Scan' };
  if (parent) j['Parent Relationship'] = parent;
  if (!node.kind) j['Custom Plan Provider'] = ROUTER_NODE;
  if (node.kind === 'pull') {
    j['Relation Name'] = node.relation!.name;
    if (o.verbose) j.Schema = node.relation!.schema;
    if (node.relation!.alias !== undefined) j.Alias = node.relation!.alias;
  }
  Object.assign(j, { 'Parallel Aware': false, 'Async Capable': false });
  // YAML and XML write numbers with PostgreSQL's digits (0.00, 3 decimals of ms); JSON as before
  const json = o.format === 'json';
  const cost = json ? 0 : fixed(0, 2);
  if (o.costs) Object.assign(j, { 'Startup Cost': cost, 'Total Cost': cost, 'Plan Rows': node.rows, 'Plan Width': node.width });
  if (o.analyze && node.actual) {
    const ms = json ? round(node.actual.ms) : fixed(node.actual.ms, 3);
    if (o.timing) Object.assign(j, { 'Actual Startup Time': ms, 'Actual Total Time': ms });
    Object.assign(j, { 'Actual Rows': node.actual.rows, 'Actual Loops': 1 });
  }
  for (const p of node.properties) j[p.label] = p.value;
  if (node.tasks.length > 0) {
    const { tasks, label } = shownTasks(node, showAll);
    j['Distributed Query'] = {
      Job: {
        'Task Count': node.tasks.length,
        'Tasks Shown': label,
        // JSON: the shard's document (a list of one query), as Citus; YAML and XML: that query, so no anonymous list item wraps it
        Tasks: tasks.map((t) => ({ Node: t.node, 'Remote Plan': json ? t.json : (t.json as N[])[0] })),
      },
    };
  }
  const plans = [...(node.subplans ?? []).map((sub) => jsonNode(sub, o, showAll, 'InitPlan')), ...(node.child ? [jsonNode(node.child, o, showAll, 'Outer')] : [])];
  if (plans.length > 0) j.Plans = plans;
  return j;
}

