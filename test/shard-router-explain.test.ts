/**
 * EXPLAIN through the shard router (src/cluster/router/fanout-explain.ts) over two standalone
 * Quiver servers as shards, static directory, the real fan-out planner: a statement run on
 * several shards is shown as `Custom Scan (Quiver Router)` with the router's merge step, its
 * task count and, under each task, the shard's own EXPLAIN of the statement the router sends
 * it — checked against that shard's EXPLAIN of the same statement, asked directly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { idsOn, shardOfInt, sqlError, rowsOnEach } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { ROUTER_NODE, explainChecks, fanout, type TaskText } from './support/router-explain.js';

const SHARDS = 2;
const TABLES = [
  'CREATE TABLE items (id int PRIMARY KEY, cat int, label text, emb vector(3))',
  'CREATE TABLE copies (id int PRIMARY KEY, cat int, label text, emb vector(3))',
  'CREATE TABLE serials (id serial PRIMARY KEY, v text)',
  'CREATE TABLE notes (body text)',
];
/** through the router, once the tables are made */
const SETUP = [
  "INSERT INTO items SELECT g, g % 5, 'item ' || g, ARRAY[g, g % 7, 1]::vector FROM generate_series(1, 400) g",
  'SET quiver.explain_all_tasks = on',
];
const TOP = ROUTER_NODE;


/** a text EXPLAIN's top node's properties and tasks (the node at `indent`, as the router prints it) */
function parseText(lines: readonly string[], indent = 0): { top: string; props: Map<string, string>; tasks: TaskText[]; rest: string[] } {
  const at = indent === 0 ? 2 : indent + 6;
  const pad = ' '.repeat(at);
  const top = lines[0]!.trim().replace(/^->\s+/, '');
  const props = new Map<string, string>();
  const tasks: TaskText[] = [];
  const rest: string[] = [];
  let task: TaskText | null = null;
  for (const line of lines.slice(1)) {
    if (line === `${pad}->  Task`) {
      task = { node: '', plan: [] };
      tasks.push(task);
    } else if (task && line.startsWith(`${pad}      Node: `)) task.node = line.slice(at + 12);
    else if (task && line.startsWith(`${pad}      ->  `)) task.plan.push(line.slice(at + 10));
    else if (task && line.startsWith(`${pad}          `)) task.plan.push(line.slice(at + 10));
    else if (!task && line.startsWith(pad) && !line.startsWith(`${pad} `) && !line.startsWith(`${pad}->`)) {
      const colon = line.indexOf(': ');
      props.set(line.slice(at, colon), line.slice(colon + 2));
    } else {
      task = null;
      rest.push(line);
    }
  }
  return { top, props, tasks, rest };
}

/** the lines nested under each `key:` line of a YAML document, less that line's indent and two spaces */
function yamlBlocks(lines: readonly string[], key: string): string[][] {
  const out: string[][] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== key) return;
    const indent = line.length - line.trimStart().length;
    const block: string[] = [];
    for (const l of lines.slice(i + 1)) {
      if (l.length - l.trimStart().length <= indent) break;
      block.push(l.slice(indent + 2));
    }
    out.push(block);
  });
  return out;
}

/** the lines inside each `<tag>` … `</tag>` of an XML document, less the tag's indent and two spaces */
function xmlBlocks(lines: readonly string[], tag: string): string[][] {
  const out: string[][] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== `<${tag}>`) return;
    const pad = line.slice(0, line.length - line.trimStart().length);
    const end = lines.indexOf(`${pad}</${tag}>`, i + 1);
    out.push(lines.slice(i + 1, end).map((l) => l.slice(pad.length + 2)));
  });
  return out;
}

describe('shard router: EXPLAIN', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let c: pg.Client;

  const { explain, onShard, count, assertTasks } = explainChecks(() => cluster!);

  before(async () => {
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES, direct: true, setup: SETUP });
    ({ shards, client: c } = cluster);
  });

  after(async () => {
    await cluster?.close();
  });

  it('shows a fan-out SELECT as the router\'s node over one task per shard, each the shard\'s own plan of the statement it is sent', async () => {
    const sql = 'SELECT id, label FROM items WHERE cat = 2';
    const lines = await explain(`EXPLAIN (COSTS OFF) ${sql}`);
    const { top, props, tasks, rest } = parseText(lines);
    assert.equal(top, TOP);
    assert.equal(props.get('Merge'), 'Concatenate');
    assert.equal(props.get('Task Count'), '2');
    assert.equal(props.get('Tasks Shown'), 'All');
    assert.deepEqual(rest, []);
    await assertTasks(tasks, 'COSTS OFF', () => fanout(sql).shardSql);
    // with costs: the router's estimate is the shards' rows together
    const costed = parseText(await explain(`EXPLAIN ${sql}`));
    const shardRows = costed.tasks.map((t) => Number(/rows=(\d+)/.exec(t.plan[0]!)![1]));
    assert.match(costed.top, new RegExp(`^Custom Scan \\(Quiver Router\\)  \\(cost=0\\.00\\.\\.0\\.00 rows=${shardRows[0]! + shardRows[1]!} width=\\d+\\)$`));
  });

  it('shows the merge of ORDER BY … LIMIT (k-NN) and the LIMIT each shard runs', async () => {
    const sql = "SELECT id FROM items ORDER BY emb <-> '[3,3,1]', id DESC LIMIT 5 OFFSET 1";
    const plan = fanout(sql);
    assert.match(plan.shardSql, /LIMIT 6$/);
    const { props, tasks } = parseText(await explain(`EXPLAIN (COSTS OFF) ${sql}`));
    assert.equal(props.get('Merge Sort Key'), "emb <-> '[3,3,1]', id DESC");
    assert.equal(props.get('Limit'), '5');
    assert.equal(props.get('Offset'), '1');
    await assertTasks(tasks, 'COSTS OFF', () => plan.shardSql);
  });

  it('shows partial aggregates combined by the router, DISTINCT, and a final statement on shard 0', async () => {
    const agg = 'SELECT cat, count(*), avg(id) FROM items GROUP BY cat HAVING count(*) > 3 ORDER BY cat';
    const plan = fanout(agg);
    assert.match(plan.shardSql, /sum\(id\)/);
    const a = parseText(await explain(`EXPLAIN (COSTS OFF) ${agg}`));
    assert.equal(a.props.get('Merge'), 'Aggregate (combine)');
    assert.equal(a.props.get('Group Key'), 'cat');
    assert.equal(a.props.get('Filter'), '(count(*) > 3)');
    assert.equal(a.props.get('Merge Sort Key'), 'cat');
    await assertTasks(a.tasks, 'COSTS OFF', () => plan.shardSql);

    const distinct = 'SELECT DISTINCT cat FROM items';
    const d = parseText(await explain(`EXPLAIN (COSTS OFF) ${distinct}`));
    assert.equal(d.props.get('Distinct'), 'all columns');
    await assertTasks(d.tasks, 'COSTS OFF', () => fanout(distinct).shardSql);

    const final = 'SELECT cat, count(*) + 1 AS n FROM items GROUP BY cat ORDER BY n DESC';
    const f = parseText(await explain(`EXPLAIN (COSTS OFF) ${final}`));
    assert.equal(f.props.get('Merge'), 'Aggregate (combine)');
    assert.match(f.props.get('Final Statement')!, /on shard 0$/);
    await assertTasks(f.tasks, 'COSTS OFF', () => fanout(final).shardSql);
  });

  it('shows one of the tasks when their plans differ only in numbers, unless quiver.explain_all_tasks is on', async () => {
    const sql = 'SELECT id FROM items WHERE cat = 1';
    await c.query('RESET quiver.explain_all_tasks');
    assert.equal((await c.query('SHOW quiver.explain_all_tasks')).rows[0]['quiver.explain_all_tasks'], 'off');
    const one = parseText(await explain(`EXPLAIN ${sql}`));
    assert.equal(one.props.get('Task Count'), '2');
    assert.equal(one.props.get('Tasks Shown'), 'One of 2');
    assert.equal(one.tasks.length, 1);
    assert.equal(one.tasks[0]!.node, `shard=0 host=127.0.0.1 port=${shards[0]!.port}`);
    await c.query('SET quiver.explain_all_tasks = on');
    const all = parseText(await explain(`EXPLAIN ${sql}`));
    assert.equal(all.props.get('Tasks Shown'), 'All');
    assert.equal(all.tasks.length, 2);
  });

  it('runs a fan-out under ANALYZE: the router\'s rows and time on its node, the shards\' actual plans in the tasks', async () => {
    const sql = 'SELECT id FROM items WHERE cat = 3 ORDER BY id LIMIT 7';
    const lines = await explain(`EXPLAIN (ANALYZE) ${sql}`);
    const { top, tasks, rest } = parseText(lines);
    assert.match(top, /^Custom Scan \(Quiver Router\)  \(cost=[^)]*\) \(actual time=[\d.]+\.\.[\d.]+ rows=7 loops=1\)$/);
    assert.equal(tasks.length, 2);
    for (const t of tasks) {
      assert.match(t.plan[0]!, /\(actual time=[\d.]+\.\.[\d.]+ rows=7 loops=1\)/);
      assert.ok(t.plan.some((l) => l.startsWith('Execution Time: ')), 'each shard\'s own summary');
    }
    assert.match(rest[0]!, /^Planning Time: [\d.]+ ms$/);
    assert.match(rest[1]!, /^Execution Time: [\d.]+ ms$/);
    const quiet = parseText(await explain(`EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF) ${sql}`));
    assert.equal(quiet.top, 'Custom Scan (Quiver Router) (actual rows=7 loops=1)');
    assert.deepEqual(quiet.rest, []);
    // the plans of the analyzed shards have the same shape as the shards' own, numbers aside
    const shape = (l: readonly string[]) => l.map((x) => x.replace(/\d+(\.\d+)?/g, '#'));
    for (const [k, t] of quiet.tasks.entries()) {
      assert.deepEqual(shape(t.plan), shape(await onShard(k, `EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF) ${fanout(sql).shardSql}`)));
    }
  });

  it('explains UPDATE and DELETE on every shard; ANALYZE runs the writes (and a ROLLBACK undoes them)', async () => {
    const update = "UPDATE items SET label = 'x' WHERE cat = 1";
    const u = parseText(await explain(`EXPLAIN (COSTS OFF, VERBOSE) ${update}`));
    assert.equal(u.top, TOP);
    await assertTasks(u.tasks, 'COSTS OFF, VERBOSE', () => update);
    assert.equal(await count("SELECT count(*) AS n FROM items WHERE label = 'x'"), 0, 'EXPLAIN alone writes nothing');

    const del = 'DELETE FROM items WHERE cat = 4';
    const before = await count('SELECT count(*) AS n FROM items WHERE cat = 4');
    assert.ok(before > 0);
    await c.query('BEGIN');
    const d = parseText(await explain(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${del}`));
    const shardRows = d.tasks.map((t) => Number(/actual rows=(\d+)/.exec(t.plan[0]!)![1]));
    assert.equal(d.top, `${TOP} (actual rows=${shardRows[0]! + shardRows[1]!} loops=1)`);
    assert.equal(await count('SELECT count(*) AS n FROM items WHERE cat = 4'), 0);
    await c.query('ROLLBACK');
    assert.equal(await count('SELECT count(*) AS n FROM items WHERE cat = 4'), before);

    // outside a block, the shards' writes commit together
    await explain(`EXPLAIN ANALYZE ${update}`);
    const perShard = await rowsOnEach(shards, "SELECT count(*) FROM items WHERE label = 'x'");
    assert.ok(perShard.every((rows) => Number(rows[0]![0]) > 0));
    assert.equal(await count("SELECT count(*) AS n FROM items WHERE label = 'x'"), await count('SELECT count(*) AS n FROM items WHERE cat = 1'));
  });

  it('explains INSERT … VALUES as each shard gets its rows; ANALYZE inserts them on their keys\' shards', async () => {
    const [a, b] = idsOn(0, 2, SHARDS, 2000);
    const [z] = idsOn(1, 1, SHARDS, 2000);
    const row = (id: number) => `(${id}, 9, 'new ${id}', '[1,1,1]')`;
    const sql = `INSERT INTO items VALUES ${row(a!)}, ${row(z!)}, ${row(b!)}`;
    const { props, tasks } = parseText(await explain(`EXPLAIN (COSTS OFF) ${sql}`));
    assert.equal(props.get('Rows Split By Key'), 'id');
    await assertTasks(tasks, 'COSTS OFF', (k) => `INSERT INTO items VALUES ${k === 0 ? `${row(a!)}, ${row(b!)}` : row(z!)}`);
    assert.equal(await count('SELECT count(*) AS n FROM items WHERE cat = 9'), 0);
    await explain(`EXPLAIN ANALYZE ${sql}`);
    const placed = await rowsOnEach(shards, 'SELECT id FROM items WHERE cat = 9 ORDER BY id');
    placed.forEach((rows, k) => rows.forEach((r) => assert.equal(shardOfInt(r[0], SHARDS), k)));
    assert.equal(placed.flat().length, 3);

    // a key DEFAULT (nextval) is a write: only ANALYZE evaluates it
    const seq = "INSERT INTO serials (v) VALUES ('a'), ('b'), ('c')";
    assert.equal((await sqlError(c.query(`EXPLAIN ${seq}`))).code, '0A000');
    const analyzed = parseText(await explain(`EXPLAIN (ANALYZE, COSTS OFF) ${seq}`));
    assert.ok(analyzed.tasks.length >= 1);
    assert.equal(await count('SELECT count(*) AS n FROM serials'), 3);

    // a table without a key: one task, on the shard the router picks
    const note = parseText(await explain("EXPLAIN (COSTS OFF) INSERT INTO notes VALUES ('n')"));
    assert.equal(note.props.get('Task Count'), '1');
    assert.match(note.tasks[0]!.plan[0]!, /^Insert on notes/);
  });

  it('explains INSERT … SELECT: co-located on every shard, or pulled to the router under its own node', async () => {
    const colocated = 'INSERT INTO copies SELECT * FROM items WHERE cat = 2';
    const co = parseText(await explain(`EXPLAIN (COSTS OFF) ${colocated}`));
    assert.equal(co.props.get('Task Count'), '2');
    await assertTasks(co.tasks, 'COSTS OFF', () => colocated);

    const pulled = 'INSERT INTO copies (id, cat) SELECT cat + 5000, count(*) FROM items GROUP BY cat';
    const lines = await explain(`EXPLAIN (COSTS OFF) ${pulled}`);
    const p = parseText(lines);
    assert.equal(p.props.get('Insert Into'), 'copies');
    assert.equal(p.props.get('Insert Method'), 'pull to router');
    const childAt = lines.findIndex((l) => l === `  ->  ${TOP}`);
    assert.ok(childAt > 0, lines.join('\n'));
    const child = parseText(lines.slice(childAt), 2);
    assert.equal(child.props.get('Merge'), 'Aggregate (combine)');
    await assertTasks(child.tasks, 'COSTS OFF', () => fanout('SELECT cat + 5000, count(*) FROM items GROUP BY cat').shardSql);
    assert.equal(await count('SELECT count(*) AS n FROM copies WHERE id >= 5000'), 0);
    const analyzed = await explain(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${pulled}`);
    assert.equal(analyzed[0], `${TOP} (actual rows=0 loops=1)`);
    assert.equal(await count('SELECT count(*) AS n FROM copies WHERE id >= 5000'), (await c.query('SELECT DISTINCT cat FROM items')).rowCount);
  });

  it('gives FORMAT JSON as one valid document with the shards\' plans under Tasks', async () => {
    const sql = 'SELECT id FROM items WHERE cat = 0 ORDER BY id LIMIT 3';
    const [text] = await explain(`EXPLAIN (FORMAT JSON, COSTS OFF) ${sql}`);
    const doc = JSON.parse(text!);
    const top = doc[0].Plan;
    assert.equal(top['Node Type'], 'Custom Scan');
    assert.equal(top['Custom Plan Provider'], 'Quiver Router');
    assert.deepEqual(top['Merge Sort Key'], ['id']);
    assert.equal(top.Limit, '3');
    const job = top['Distributed Query'].Job;
    assert.equal(job['Task Count'], 2);
    assert.equal(job['Tasks Shown'], 'All');
    for (const [k, t] of job.Tasks.entries()) {
      assert.equal(t.Node, `shard=${k} host=127.0.0.1 port=${shards[k]!.port}`);
      const [own] = await onShard(k, `EXPLAIN (FORMAT JSON, COSTS OFF) ${fanout(sql).shardSql}`);
      assert.deepEqual(t['Remote Plan'], JSON.parse(own!));
    }
    // the column typed as the shards type it (PostgreSQL: json)
    const typeOf = async (cl: pg.Client) => (await cl.query(`EXPLAIN (FORMAT JSON) ${sql}`)).fields[0]!.dataTypeID;
    assert.equal(await typeOf(c), await typeOf(cluster!.direct[0]!));
    const [analyzed] = await explain(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
    const a = JSON.parse(analyzed!)[0];
    assert.equal(a.Plan['Actual Rows'], 3);
    assert.equal(typeof a['Execution Time'], 'number');
    assert.equal(typeof a.Plan['Distributed Query'].Job.Tasks[0]['Remote Plan'][0]['Execution Time'], 'number');
  });

  it('gives FORMAT YAML and XML in one row, each task\'s plan as its shard writes it in that format', async () => {
    const sql = 'SELECT id FROM items WHERE cat = 0 ORDER BY id LIMIT 3';
    const shardSql = fanout(sql).shardSql;
    const [yaml] = await explain(`EXPLAIN (FORMAT YAML) ${sql}`);
    const y = yaml!.split('\n');
    assert.equal(y[0], '- Plan: ');
    for (const line of ['    Node Type: "Custom Scan"', '    Custom Plan Provider: "Quiver Router"', '    Startup Cost: 0.00', '    Total Cost: 0.00',
      '    Merge: "Concatenate"', '    Merge Sort Key: ', '      - "id"', '    Limit: "3"', '    Distributed Query: ', '        Task Count: 2', '        Tasks Shown: "All"']) {
      assert.ok(y.includes(line), `${line} in\n${yaml}`);
    }
    // the router's rows: its tasks' estimates together, as in JSON
    const [json] = await explain(`EXPLAIN (FORMAT JSON) ${sql}`);
    assert.ok(y.includes(`    Plan Rows: ${JSON.parse(json!)[0].Plan['Plan Rows']}`), yaml);
    const yamlTasks = yamlBlocks(y, 'Remote Plan:');
    assert.equal(yamlTasks.length, 2);
    for (const [k, block] of yamlTasks.entries()) {
      assert.ok(y.some((l) => l.trim() === `- Node: "shard=${k} host=127.0.0.1 port=${shards[k]!.port}"`), yaml);
      // the shard's own document, `- Plan: …`, is the task's query without the list's dash
      const [own] = await onShard(k, `EXPLAIN (FORMAT YAML) ${shardSql}`);
      const ownLines = own!.split('\n');
      assert.deepEqual(block, ['  ' + ownLines[0]!.slice(2), ...ownLines.slice(1)].map((l) => l.slice(2)));
    }

    const [xml] = await explain(`EXPLAIN (FORMAT XML, VERBOSE) ${sql}`);
    const x = xml!.split('\n');
    assert.equal(x[0], '<explain xmlns="http://www.postgresql.org/2009/explain">');
    assert.equal(x.at(-1), '</explain>');
    for (const line of ['      <Node-Type>Custom Scan</Node-Type>', '      <Startup-Cost>0.00</Startup-Cost>', '      <Merge-Sort-Key>', '        <Item>id</Item>',
      '      <Distributed-Query>', '          <Task-Count>2</Task-Count>', '          <Tasks>', '            <Task>']) {
      assert.ok(x.includes(line), `${line} in\n${xml}`);
    }
    const xmlTasks = xmlBlocks(x, 'Remote-Plan');
    assert.equal(xmlTasks.length, 2);
    for (const [k, block] of xmlTasks.entries()) {
      assert.ok(x.some((l) => l.trim() === `<Node>shard=${k} host=127.0.0.1 port=${shards[k]!.port}</Node>`), xml);
      // the shard's <Query> element's content, escaped as the shard escapes it (VERBOSE Output: `&lt;`)
      const [own] = await onShard(k, `EXPLAIN (FORMAT XML, VERBOSE) ${shardSql}`);
      assert.deepEqual(block, xmlBlocks(own!.split('\n'), 'Query')[0]);
    }
    // every element closed in order
    const open: string[] = [];
    for (const line of x.slice(1, -1)) {
      const tag = /^\s*<(\/?)([A-Za-z0-9\-_.:]+)>(?:.*<\/\2>)?$/.exec(line);
      assert.ok(tag, line);
      if (line.includes('</') && !line.trim().startsWith('</')) continue;
      if (tag[1]) assert.equal(open.pop(), tag[2]);
      else open.push(tag[2]!);
    }
    assert.deepEqual(open, []);

    // ANALYZE: the router's rows and times with PostgreSQL's three decimals
    const [analyzed] = await explain(`EXPLAIN (ANALYZE, FORMAT YAML) ${sql}`);
    const a = analyzed!.split('\n');
    assert.ok(a.includes('    Actual Rows: 3'), analyzed);
    assert.ok(a.some((l) => /^  Execution Time: \d+\.\d{3}$/.test(l)), analyzed);
    assert.ok(a.some((l) => /^    Actual Total Time: \d+\.\d{3}$/.test(l)), analyzed);
    // the column typed as the shards type it (text for both)
    for (const f of ['YAML', 'XML']) {
      const typeOf = async (cl: pg.Client) => (await cl.query({ text: `EXPLAIN (FORMAT ${f}) ${sql}`, values: [] })).fields[0]!.dataTypeID;
      assert.equal(await typeOf(c), await typeOf(cluster!.direct[0]!));
    }
    // a pinned statement is its shard's own XML
    const [id] = idsOn(0, 1, SHARDS, 1);
    assert.deepEqual(await explain(`EXPLAIN (FORMAT XML) SELECT label FROM items WHERE id = ${id}`), await onShard(0, `EXPLAIN (FORMAT XML) SELECT label FROM items WHERE id = ${id}`));
  });

  it('explains a statement with parameters (extended protocol), and refuses EXPLAIN EXECUTE of a statement the router keeps', async () => {
    const sql = 'SELECT id FROM items WHERE cat = $1 ORDER BY id LIMIT $2';
    const { tasks, props } = parseText(await explain(`EXPLAIN (COSTS OFF) ${sql}`, [2, 4]));
    assert.equal(props.get('Merge Sort Key'), 'id');
    await assertTasks(tasks, 'COSTS OFF', () => fanout(sql).shardSql, [0, 1], () => [2, 4]);
    // SQL PREPARE over sharded tables is the router's (sql-prepared.ts): shard 0 alone cannot explain it
    await c.query('PREPARE p AS SELECT id FROM items WHERE cat = 1');
    assert.equal((await sqlError(c.query('EXPLAIN EXECUTE p'))).code, '0A000');
    await c.query('DEALLOCATE p');
    // options as PostgreSQL checks them
    assert.equal((await sqlError(c.query('EXPLAIN (TIMING) SELECT id FROM items'))).code, '22023');
    const badFormat = await sqlError(c.query('EXPLAIN (FORMAT html) SELECT id FROM items'));
    assert.equal(badFormat.code, '22023');
    assert.equal(badFormat.message, 'unrecognized value for EXPLAIN option "format": "html"');
    // the old syntax: EXPLAIN ANALYZE VERBOSE
    const old = parseText(await explain('EXPLAIN ANALYZE VERBOSE SELECT id FROM items WHERE cat = 2 LIMIT 2'));
    assert.match(old.top, /\(actual time=[\d.]+\.\.[\d.]+ rows=2 loops=1\)$/);
    assert.ok(old.tasks.every((t) => t.plan.some((l) => l.trim().startsWith('Output: '))));
    assert.equal(old.props.get('Output'), 'id', 'VERBOSE: the router\'s node outputs the client\'s columns');
    // a pinned statement is still explained by its shard alone
    const [id] = idsOn(1, 1, SHARDS, 1);
    assert.deepEqual(await explain(`EXPLAIN (COSTS OFF) SELECT label FROM items WHERE id = ${id}`), await onShard(1, `EXPLAIN (COSTS OFF) SELECT label FROM items WHERE id = ${id}`));
  });
});
