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
 * Statements pinned to one shard (or run on shard 0) are not routed here: their shard
 * explains them as a standalone server does.
 */
import * as pgQuery from 'libpg-query';
import { SqlError } from '../../errors.js';
import { T } from '../../types/types.js';
import type { ExecResult, FieldInfo } from '../../wire/backend.js';
import type { FanoutPlan, MergeSteps } from './fanout-api.js';
import type { Route } from './route.js';
import type { ShardReply } from './shard-connection.js';

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
  readonly format: 'text' | 'json';
  /** the options as the shards are given them (`analyze true`, `format 'json'`…) */
  readonly written: readonly { name: string; text: string }[];
}

export type ExplainRoute = { kind: 'explain'; sql: string; inner: Route; options: ExplainOptions };

/** The statements the router explains itself: those it runs on several shards (or one it picks). */
const ROUTER_EXPLAINED = new Set<Route['kind']>(['everyShard', 'fanout', 'insert', 'insertSelect', 'roundRobin']);

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
    const close = closingParen(sql, i);
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
  const o = { analyze: false, verbose: false, costs: true, timing: undefined as boolean | undefined, summary: undefined as boolean | undefined, format: 'text' as 'text' | 'json' };
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
      if (f !== 'text' && f !== 'json') return new SqlError('0A000', `EXPLAIN (FORMAT ${f.toUpperCase()}) through the shard router is not supported yet`);
      o.format = f;
    }
    written.push({ name: defname, text: value === undefined ? defname : `${defname} '${value.replace(/'/g, "''")}'` });
  }
  if (o.timing && !o.analyze) return new SqlError('22023', 'EXPLAIN option TIMING requires ANALYZE');
  return { ...o, timing: o.timing ?? o.analyze, summary: o.summary ?? o.analyze, written };
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
  /** run the statement as the router runs it (ANALYZE of a fan-out or INSERT … SELECT) */
  execute(sql: string, route: Route): Promise<ExecResult>;
  /** an INSERT … VALUES as each of its shards gets it (key DEFAULTs evaluated on shard 0) */
  insertStatements(sql: string, route: Extract<Route, { kind: 'insert' }>): Promise<Map<number, string>>;
  /** the shard of a pinned statement */
  pinnedShard(route: Extract<Route, { kind: 'pinned' }>): number;
  roundRobinShard(): number;
  /** `quiver.explain_all_tasks` as the session has it */
  allTasks(): Promise<boolean>;
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
  readonly properties: Property[];
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
  const planned: { ms?: number } = {};
  const node = await explainNode(host, route.sql, route.inner, route.options, planned);
  const planningMs = planned.ms ?? 0;
  const executionMs = performance.now() - started - planningMs;
  const showAll = await host.allTasks();
  const o = route.options;
  const lines = o.format === 'json'
    ? [JSON.stringify([{ Plan: jsonNode(node, o, showAll), ...(o.summary ? { 'Planning Time': round(planningMs) } : {}), ...(o.summary && o.analyze ? { 'Execution Time': round(executionMs) } : {}) }], null, 2)]
    : [
      ...textNode(node, o, showAll, 0, false),
      ...(o.summary ? [`Planning Time: ${planningMs.toFixed(3)} ms`] : []),
      ...(o.summary && o.analyze ? [`Execution Time: ${executionMs.toFixed(3)} ms`] : []),
    ];
  // the column as shard 0 described the EXPLAIN (PostgreSQL types FORMAT JSON's json)
  const fields = host.fields ?? [{ name: 'QUERY PLAN', type: T.text, tableOid: 0, columnAttr: 0 }];
  return { kind: 'rows', fields, rows: lines.map((l) => [l]), tag: 'EXPLAIN' };
}

const allShards = (host: ExplainHost): number[] => Array.from({ length: host.shards }, (_, i) => i);

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

async function explainNode(host: ExplainHost, sql: string, route: Route, o: ExplainOptions, planned: { ms?: number }): Promise<RouterNode> {
  const start = performance.now();
  const plannedNow = (): void => { planned.ms ??= performance.now() - start; };
  switch (route.kind) {
    case 'fanout': {
      const plan = await host.planFanout(sql, route.parsed);
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
      const byShard = await host.insertStatements(sql, route);
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
    default:
      throw new SqlError('XX000', `the shard router cannot explain a ${route.kind} statement`);
  }
}

async function tasksNode(host: ExplainHost, shards: readonly number[], write: boolean, sqlOf: (shard: number) => string, o: ExplainOptions, properties: Property[]): Promise<RouterNode> {
  const prefix = shardExplainPrefix(o);
  const t0 = performance.now();
  const replies = await host.runOnShards(shards, write, (s) => prefix + sqlOf(s));
  const ms = performance.now() - t0;
  const tasks: Task[] = [];
  for (const [i, r] of replies.entries()) {
    const shard = shards[i]!;
    const lines = r.rows.map((row) => row[0] ?? '');
    tasks.push({ shard, node: await host.address(shard), lines, json: o.format === 'json' ? JSON.parse(lines.join('\n')) : undefined });
  }
  const tops = tasks.map((t) => topNumbers(t, o));
  const node: RouterNode = {
    properties, tasks,
    rows: tops.reduce((a, t) => a + t.rows, 0),
    width: tops[0]?.width ?? 0,
  };
  // DML: the router's rows are the shards' (a ModifyTable without RETURNING reports 0)
  if (o.analyze && write) node.actual = { rows: tops.reduce((a, t) => a + t.actualRows, 0), ms };
  return node;
}

/** the EXPLAIN the shards run: the client's options, as written */
function shardExplainPrefix(o: ExplainOptions): string {
  return o.written.length === 0 ? 'EXPLAIN ' : `EXPLAIN (${o.written.map((w) => w.text).join(', ')}) `;
}

/** a task's top node's estimated rows and width, and actual rows (ANALYZE) */
function topNumbers(t: Task, o: ExplainOptions): { rows: number; width: number; actualRows: number } {
  if (o.format === 'json') {
    const plan = ((t.json as N[] | undefined)?.[0]?.Plan ?? {}) as N;
    return { rows: Number(plan['Plan Rows'] ?? 0), width: Number(plan['Plan Width'] ?? 0), actualRows: Number(plan['Actual Rows'] ?? 0) };
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

function textNode(node: RouterNode, o: ExplainOptions, showAll: boolean, indent: number, arrow: boolean): string[] {
  let title = `Custom Scan (${ROUTER_NODE})`;
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
  const j: N = { 'Node Type': 'Custom Scan' };
  if (parent) j['Parent Relationship'] = parent;
  Object.assign(j, { 'Custom Plan Provider': ROUTER_NODE, 'Parallel Aware': false, 'Async Capable': false });
  if (o.costs) Object.assign(j, { 'Startup Cost': 0, 'Total Cost': 0, 'Plan Rows': node.rows, 'Plan Width': node.width });
  if (o.analyze && node.actual) {
    if (o.timing) Object.assign(j, { 'Actual Startup Time': round(node.actual.ms), 'Actual Total Time': round(node.actual.ms) });
    Object.assign(j, { 'Actual Rows': node.actual.rows, 'Actual Loops': 1 });
  }
  for (const p of node.properties) j[p.label] = p.value;
  if (node.tasks.length > 0) {
    const { tasks, label } = shownTasks(node, showAll);
    j['Distributed Query'] = {
      Job: {
        'Task Count': node.tasks.length,
        'Tasks Shown': label,
        Tasks: tasks.map((t) => ({ Node: t.node, 'Remote Plan': t.json })),
      },
    };
  }
  if (node.child) j.Plans = [jsonNode(node.child, o, showAll, 'Outer')];
  return j;
}

function skipBlank(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else return i;
  }
}

/** the ')' closing the '(' at `open` (EXPLAIN's options: words, numbers and quoted strings) */
function closingParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const close = sql.indexOf(ch, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}
