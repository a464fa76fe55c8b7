/**
 * EXPLAIN through the shard router of the statements it runs in steps (src/cluster/router/
 * fanout-explain.ts), over two standalone Quiver servers as shards and the real fan-out
 * planner: a pulled-up SELECT (`Merge: Pull-up`, one `->  Pull on <table>` per table mention
 * with the shards' EXPLAINs of its pull statement, then shard 0's EXPLAIN of the rewritten
 * statement), an UPDATE of a key column (its UPDATE tasks and `->  Move Rows`) and CREATE
 * TABLE AS (the CREATE on the shards over the INSERT … SELECT that fills it). Every task is
 * checked against the shard's own EXPLAIN of the statement the router sends it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { rowsOnEach, shardOfInt, sqlError } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';
import { ROUTER_NODE, explainChecks, fanout, type TaskText } from './support/router-explain.js';

const SHARDS = 2;
const TABLES = [
  'CREATE TABLE items (id int PRIMARY KEY, cat int, label text, emb vector(3))',
  'CREATE TABLE copies (id int PRIMARY KEY, cat int, label text, emb vector(3))',
];
/** through the router, once the tables are made */
const SETUP = [
  "INSERT INTO items SELECT g, g % 5, 'item ' || g, ARRAY[g, g % 7, 1]::vector FROM generate_series(1, 200) g",
  "INSERT INTO copies SELECT g, g % 3, 'copy ' || g, ARRAY[1, g, 1]::vector FROM generate_series(1, 60) g",
  'CREATE VIEW cheap AS SELECT id, label FROM items WHERE cat = 1',
  'SET quiver.explain_all_tasks = on',
];
const TOP = ROUTER_NODE;
const EMPTY = '{}';

interface PlanNode { title: string; props: Map<string, string>; subs: PlanNode[]; tasks: TaskText[]; rest: string[] }

const depthOf = (line: string): number => line.length - line.trimStart().length;

/** a text EXPLAIN as the router prints it: a node's properties, its sub-nodes (`->  …`) and tasks */
function parseNode(lines: readonly string[], indent = 0, arrow = false): PlanNode {
  const at = arrow ? indent + 6 : indent + 2;
  const node: PlanNode = { title: lines[0]!.slice(indent + (arrow ? 4 : 0)), props: new Map(), subs: [], tasks: [], rest: [] };
  let i = 1;
  while (i < lines.length) {
    const line = lines[i]!;
    if (depthOf(line) < at) {
      node.rest.push(...lines.slice(i));
      break;
    }
    let j = i + 1;
    while (j < lines.length && depthOf(lines[j]!) > at) j++;
    const own = line.slice(at);
    if (own === '->  Task') {
      const task: TaskText = { node: '', plan: [] };
      for (const l of lines.slice(i + 1, j)) {
        if (l.startsWith(`${' '.repeat(at + 6)}Node: `)) task.node = l.slice(at + 12);
        else task.plan.push(l.slice(at + 10));
      }
      node.tasks.push(task);
    } else if (own.startsWith('->  ')) node.subs.push(parseNode(lines.slice(i, j), at, true));
    else {
      const colon = own.indexOf(': ');
      node.props.set(own.slice(0, colon), own.slice(colon + 2));
    }
    i = j;
  }
  return node;
}

describe('shard router: EXPLAIN of pull-up, key UPDATE and CREATE TABLE AS', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let c: pg.Client;

  const { explain, onShard, count, assertTasks } = explainChecks(() => cluster!);
  const plan = async (sql: string, values?: unknown[]): Promise<PlanNode> => parseNode(await explain(sql, values));

  /** a Pull node: its tasks are each shard's EXPLAIN of the pull statement it shows */
  async function assertPull(pull: PlanNode, title: string, options: string, values?: unknown[]): Promise<string> {
    assert.equal(pull.title, title);
    const sql = pull.props.get('Pull Statement')!;
    assert.ok(sql, 'the pull statement is shown');
    assert.equal(pull.props.get('Task Count'), '2');
    await assertTasks(pull.tasks, options, () => sql, [0, 1], () => values);
    return sql;
  }

  before(async () => {
    cluster = await startShardedRouter({ shards: SHARDS, ddl: TABLES, direct: true, setup: SETUP });
    ({ shards, client: c } = cluster);
  });

  after(async () => {
    await cluster?.close();
  });

  it('shows a pulled-up SELECT as Merge: Pull-up over its pulls, and shard 0\'s plan of the rewritten statement over empty arrays', async () => {
    const sql = 'SELECT id, rank() OVER (PARTITION BY cat ORDER BY id DESC) FROM items WHERE id < 50';
    const top = await plan(`EXPLAIN (COSTS OFF, VERBOSE) ${sql}`);
    assert.equal(top.title, TOP);
    assert.equal(top.props.get('Merge'), 'Pull-up');
    assert.match(top.props.get('Pulled Rows')!, /^none without ANALYZE/);
    assert.equal(top.subs.length, 1);
    const pull = top.subs[0]!;
    assert.equal(pull.props.get('Columns'), 'id, cat');
    assert.equal(pull.props.get('Pushed Filter'), '(id < 50)');
    const pullSql = await assertPull(pull, 'Pull on items', 'COSTS OFF, VERBOSE');
    assert.match(pullSql, /^SELECT "id", "cat" FROM "public"\."items" AS "items" WHERE \(id < 50\) LIMIT /);
    // one task: shard 0's own EXPLAIN of the statement the router rewrote, its two arrays empty
    const rewritten = top.props.get('Rewritten Statement')!;
    assert.match(rewritten, /unnest\(\$1::pg_catalog\.text\[\], \$2::pg_catalog\.text\[\]\)/);
    assert.equal(top.props.get('Task Count'), '1');
    await assertTasks(top.tasks, 'COSTS OFF, VERBOSE', () => rewritten, [0], () => [EMPTY, EMPTY]);
    assert.deepEqual(top.rest, []);
    // without VERBOSE the statement is not printed; the same nodes
    const plain = await plan(`EXPLAIN (COSTS OFF) ${sql}`);
    assert.equal(plain.props.get('Rewritten Statement'), undefined);
    assert.equal(plain.subs[0]!.title, 'Pull on items');
    await assertTasks(plain.tasks, 'COSTS OFF', () => rewritten, [0], () => [EMPTY, EMPTY]);
    // with costs: the router's estimate is shard 0's
    const costed = await plan(`EXPLAIN ${sql}`);
    const rows = /rows=(\d+) width=(\d+)/.exec(costed.tasks[0]!.plan[0]!)!;
    assert.equal(costed.title, `${TOP}  (cost=0.00..0.00 rows=${rows[1]} width=${rows[2]})`);
  });

  it('shows one Pull per table mention (aliases, joins not on the keys, parameters pushed down)', async () => {
    const sql = 'SELECT a.id, b.id FROM items a JOIN copies b ON a.cat = b.cat WHERE a.id < $1 AND b.id < 5 ORDER BY 1, 2';
    const top = await plan(`EXPLAIN (COSTS OFF, VERBOSE) ${sql}`, [6]);
    assert.equal(top.props.get('Merge'), 'Pull-up');
    assert.deepEqual(top.subs.map((s) => s.title), ['Pull on items a', 'Pull on copies b']);
    assert.equal(top.subs[0]!.props.get('Pushed Filter'), '(a.id < $1)');
    assert.equal(top.subs[1]!.props.get('Pushed Filter'), '(b.id < 5)');
    await assertPull(top.subs[0]!, 'Pull on items a', 'COSTS OFF, VERBOSE', [6]);
    await assertPull(top.subs[1]!, 'Pull on copies b', 'COSTS OFF, VERBOSE');
    await assertTasks(top.tasks, 'COSTS OFF, VERBOSE', () => top.props.get('Rewritten Statement')!, [0], () => [6, EMPTY, EMPTY, EMPTY, EMPTY]);
    // the SELECT of an INSERT … SELECT that the planner refuses: its pull-up under the INSERT; nothing inserted
    const insert = await plan('EXPLAIN (COSTS OFF) INSERT INTO copies SELECT id + 5000, rank() OVER (ORDER BY id) FROM items WHERE id < 5');
    assert.equal(insert.props.get('Insert Into'), 'copies');
    assert.equal(insert.subs[0]!.props.get('Merge'), 'Pull-up');
    assert.equal(insert.subs[0]!.subs[0]!.props.get('Pushed Filter'), '(id < 5)');
    assert.equal(await count('SELECT count(*) AS n FROM copies WHERE id > 5000'), 0);
    // a view is expanded, then pulled
    const view = await plan('EXPLAIN (COSTS OFF) SELECT * FROM cheap WHERE id < 20');
    assert.equal(view.props.get('Merge'), 'Pull-up');
    assert.equal(view.subs[0]!.title, 'Pull on items');
    // the view's text is pg_get_viewdef's, PostgreSQL's deparsed form (its columns qualified)
    assert.equal(view.subs[0]!.props.get('Pushed Filter'), '(items.cat = 1)');
  });

  it('runs a pulled-up SELECT under ANALYZE: the rows are pulled, each pull and shard 0\'s statement analyzed', async () => {
    const sql = 'SELECT count(*) FROM (SELECT id, row_number() OVER (ORDER BY id) FROM items WHERE id <= 30) s';
    const options = 'ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF';
    const top = await plan(`EXPLAIN (${options}, VERBOSE) ${sql}`);
    assert.equal(top.title, `${TOP} (actual rows=1 loops=1)`);
    assert.equal(top.props.get('Pulled Rows'), undefined);
    const pull = top.subs[0]!;
    assert.equal(pull.title, 'Pull on items (actual rows=30 loops=1)');
    await assertPull(pull, pull.title, `${options}, VERBOSE`);
    // shard 0 analyzed the statement over the 30 pulled ids (their order does not change its numbers)
    const ids = `{${Array.from({ length: 30 }, (_, i) => i + 1).join(',')}}`;
    await assertTasks(top.tasks, `${options}, VERBOSE`, () => top.props.get('Rewritten Statement')!, [0], () => [ids]);
    assert.match(top.tasks[0]!.plan[0]!, /actual rows=1 loops=1/);
    const timed = await explain(`EXPLAIN ANALYZE ${sql}`);
    assert.match(timed[timed.length - 2]!, /^Planning Time: [\d.]+ ms$/);
    assert.match(timed[timed.length - 1]!, /^Execution Time: [\d.]+ ms$/);
  });

  it('explains a pull-up with temporary copies for a SQL function, and sees a block\'s own rows under ANALYZE', async () => {
    await c.query("CREATE FUNCTION nitems() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM items'");
    const sql = 'SELECT id, nitems() FROM items WHERE id < 3';
    const top = await plan(`EXPLAIN (COSTS OFF, VERBOSE) ${sql}`);
    assert.equal(top.props.get('Merge'), 'Pull-up');
    assert.equal(top.props.get('Temporary Copies'), 'pg_temp.items');
    assert.deepEqual(top.subs.map((s) => s.title), ['Pull on items', 'Pull on items']);
    assert.equal(top.subs[0]!.props.get('Copied Into'), undefined);
    assert.equal(top.subs[1]!.props.get('Copied Into'), 'pg_temp.items');
    assert.equal(top.subs[1]!.props.get('Columns'), 'id, cat, label, emb');
    await assertPull(top.subs[1]!, 'Pull on items', 'COSTS OFF, VERBOSE');
    await assertTasks(top.tasks, 'COSTS OFF, VERBOSE', () => top.props.get('Rewritten Statement')!, [0], () => [EMPTY]);
    const analyzed = await plan(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`);
    assert.equal(analyzed.title, `${TOP} (actual rows=2 loops=1)`);
    assert.equal(analyzed.subs[1]!.title, 'Pull on items (actual rows=200 loops=1)');
    await c.query('DROP FUNCTION nitems()');

    await c.query('BEGIN');
    await c.query("INSERT INTO items VALUES (901, 4, 'new', '[1,1,1]'), (902, 4, 'new', '[1,1,1]')");
    const block = await plan('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT id, rank() OVER (ORDER BY id) FROM items WHERE id > 900');
    assert.equal(block.title, `${TOP} (actual rows=2 loops=1)`);
    assert.equal(block.subs[0]!.title, 'Pull on items (actual rows=2 loops=1)');
    await c.query('ROLLBACK');
  });

  it('gives FORMAT JSON of a pull-up as one valid document, the pulls under Plans as InitPlans', async () => {
    const sql = 'SELECT id, lag(id) OVER (ORDER BY id) FROM items WHERE cat = 2 AND id < 40';
    const [text] = await explain(`EXPLAIN (FORMAT JSON, COSTS OFF) ${sql}`);
    const doc = JSON.parse(text!);
    const top = doc[0].Plan;
    assert.equal(top['Node Type'], 'Custom Scan');
    assert.equal(top['Custom Plan Provider'], 'Quiver Router');
    assert.equal(top.Merge, 'Pull-up');
    const pull = top.Plans[0];
    assert.equal(pull['Node Type'], 'Pull');
    assert.equal(pull['Parent Relationship'], 'InitPlan');
    assert.equal(pull['Relation Name'], 'items');
    assert.deepEqual(pull.Columns, ['id', 'cat']);
    assert.equal(pull['Pushed Filter'], '(cat = 2) AND (id < 40)');
    for (const [k, t] of pull['Distributed Query'].Job.Tasks.entries()) {
      const [own] = await onShard(k, `EXPLAIN (FORMAT JSON, COSTS OFF) ${pull['Pull Statement']}`);
      assert.deepEqual(t['Remote Plan'], JSON.parse(own!));
    }
    const job = top['Distributed Query'].Job;
    assert.equal(job['Task Count'], 1);
    assert.equal(job.Tasks[0].Node, `shard=0 host=127.0.0.1 port=${shards[0]!.port}`);
    assert.ok(Array.isArray(job.Tasks[0]['Remote Plan']));
    const [analyzed] = await explain(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
    const a = JSON.parse(analyzed!)[0];
    assert.equal(a.Plan['Actual Rows'], await count('SELECT count(*) AS n FROM items WHERE cat = 2 AND id < 40'));
    assert.equal(a.Plan.Plans[0]['Actual Rows'], a.Plan['Actual Rows']);
    // YAML: the same tree, the pulls under Plans
    const yaml = (await explain(`EXPLAIN (FORMAT YAML, COSTS OFF) ${sql}`))[0]!.split('\n');
    for (const line of ['    Merge: "Pull-up"', '    Plans: ', '      - Node Type: "Pull"', '        Parent Relationship: "InitPlan"', '        Relation Name: "items"', '        Pushed Filter: "(cat = 2) AND (id < 40)"']) {
      assert.ok(yaml.includes(line), `${line} in\n${yaml.join('\n')}`);
    }
  });

  it('explains an UPDATE of the key: its UPDATE … RETURNING on the shards and the move step; ANALYZE moves the rows once', async () => {
    const sql = 'UPDATE items SET id = id + 1000 WHERE cat = 3';
    const top = await plan(`EXPLAIN (COSTS OFF) ${sql}`);
    assert.equal(top.title, TOP);
    assert.equal(top.props.get('Key Update'), 'id');
    await assertTasks(top.tasks, 'COSTS OFF', () => `${sql} RETURNING "items".*`);
    assert.equal(top.subs.length, 1);
    const move = top.subs[0]!;
    assert.equal(move.title, 'Move Rows');
    assert.match(move.props.get('Delete')!, /^DELETE FROM "public"\."items" WHERE \("id"\) IN/);
    assert.match(move.props.get('Insert')!, /^INSERT INTO "public"\."items"/);
    assert.equal(await count('SELECT count(*) AS n FROM items WHERE id > 1000'), 0, 'EXPLAIN alone writes nothing');

    const ids = (await c.query('SELECT id FROM items WHERE cat = 3 ORDER BY id')).rows.map((r) => r.id as number);
    const moving = ids.filter((id) => shardOfInt(id, SHARDS) !== shardOfInt(id + 1000, SHARDS)).length;
    assert.ok(moving > 0);
    await c.query('BEGIN');
    const analyzed = await plan(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`);
    assert.equal(analyzed.title, `${TOP} (actual rows=0 loops=1)`);
    assert.equal(analyzed.props.get('Rows Updated'), String(ids.length));
    assert.equal(analyzed.subs[0]!.title, `Move Rows (actual rows=${moving} loops=1)`);
    const placed = await rowsOnEach(shards, 'SELECT id FROM items WHERE id > 1000 ORDER BY id');
    assert.equal(placed.flat().length, 0, 'not committed yet');
    assert.equal(await count('SELECT count(*) AS n FROM items WHERE id > 1000'), ids.length);
    await c.query('ROLLBACK');
    assert.equal(await count('SELECT count(*) AS n FROM items WHERE id > 1000'), 0);
    // outside a block it commits, every row on its new key's shard
    await explain(`EXPLAIN ANALYZE ${sql}`);
    const after = await rowsOnEach(shards, 'SELECT id FROM items WHERE id > 1000 ORDER BY id');
    after.forEach((rows, k) => rows.forEach((r) => assert.equal(shardOfInt(Number(r[0]), SHARDS), k)));
    assert.equal(after.flat().length, ids.length);
    await c.query('UPDATE items SET id = id - 1000 WHERE id > 1000');

    // pinned by its WHERE: one task
    const pinned = await plan('EXPLAIN (COSTS OFF) UPDATE items SET id = 5000 WHERE id = 7');
    assert.equal(pinned.props.get('Task Count'), '1');
    assert.equal(pinned.tasks[0]!.node, `shard=${shardOfInt(7, SHARDS)} host=127.0.0.1 port=${shards[shardOfInt(7, SHARDS)]!.port}`);
    const [json] = await explain('EXPLAIN (FORMAT JSON, COSTS OFF) UPDATE items SET id = 5000 WHERE id = 7');
    assert.equal(JSON.parse(json!)[0].Plan.Plans[0]['Node Type'], 'Move Rows');
  });

  it('explains CREATE TABLE AS: the CREATE on every shard over the INSERT … SELECT that fills it; ANALYZE creates and fills it', async () => {
    const select = 'SELECT id, cat FROM items WHERE cat = 1';
    const sql = `CREATE TABLE made AS ${select}`;
    const top = await plan(`EXPLAIN (COSTS OFF) ${sql}`);
    assert.equal(top.title, TOP);
    assert.equal(top.props.get('Create Table'), 'made');
    assert.equal(top.props.get('Create Statement'), `${sql} WITH NO DATA`);
    assert.equal(top.props.get('Created On'), 'shard=0, shard=1');
    const insert = top.subs[0]!;
    assert.equal(insert.props.get('Insert Into'), 'made');
    assert.match(insert.props.get('Insert Method')!, /^pull to router/);
    const source = insert.subs[0]!;
    assert.equal(source.props.get('Merge'), 'Concatenate');
    await assertTasks(source.tasks, 'COSTS OFF', () => fanout(select).shardSql);
    assert.equal((await c.query("SELECT pg_catalog.to_regclass('made') AS r")).rows[0].r, null, 'EXPLAIN alone creates nothing');

    const analyzed = await plan(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`);
    const n = await count('SELECT count(*) AS n FROM items WHERE cat = 1');
    assert.equal(analyzed.title, `${TOP} (actual rows=${n} loops=1)`);
    assert.equal(await count('SELECT count(*) AS n FROM made'), n);
    const perShard = await rowsOnEach(shards, 'SELECT count(*) FROM made');
    assert.ok(perShard.every((rows) => Number(rows[0]![0]) > 0), 'dealt over both shards');

    // extended protocol, parameters, FORMAT JSON (shard 0 cannot describe this EXPLAIN: the router types its column)
    const withParam = await c.query({ text: 'EXPLAIN (FORMAT JSON, COSTS OFF) CREATE TABLE made2 AS SELECT id FROM items WHERE cat = $1', values: [2] });
    // the column typed as the shards type EXPLAIN's (PostgreSQL: json)
    assert.equal(withParam.fields[0]!.dataTypeID, (await cluster!.direct[0]!.query({ text: 'EXPLAIN (FORMAT JSON) SELECT 1', values: [] })).fields[0]!.dataTypeID);
    const doc = withParam.rows[0]['QUERY PLAN'];
    const parsed = typeof doc === 'string' ? JSON.parse(doc) : doc;
    assert.equal(parsed[0].Plan['Create Table'], 'made2');
    assert.equal(parsed[0].Plan.Plans[0].Plans[0]['Distributed Query'].Job['Task Count'], 2);

    // a query the planner refuses: its pull-up under the INSERT
    const pulled = await plan('EXPLAIN (COSTS OFF) CREATE TABLE made3 AS SELECT id, rank() OVER (ORDER BY id) FROM items WHERE id < 10');
    assert.equal(pulled.subs[0]!.subs[0]!.props.get('Merge'), 'Pull-up');
    assert.equal(pulled.subs[0]!.subs[0]!.subs[0]!.title, 'Pull on items');
    // WITH NO DATA: nothing to insert
    const empty = await plan(`EXPLAIN (COSTS OFF) CREATE TABLE made4 AS ${select} WITH NO DATA`);
    assert.equal(empty.subs.length, 0);
    // YAML and XML: the same tree (the shards explain in JSON, the router writes the format)
    const yaml = (await explain('EXPLAIN (FORMAT YAML, COSTS OFF) CREATE TABLE made5 AS SELECT id FROM items WHERE cat = 3'))[0]!.split('\n');
    for (const line of ['    Create Table: "made5"', '        Insert Into: "made5"', '            Merge: "Concatenate"', '                Task Count: 2']) assert.ok(yaml.includes(line), `${line} in\n${yaml.join('\n')}`);
    const xml = (await explain('EXPLAIN (FORMAT XML, COSTS OFF) CREATE TABLE made5 AS SELECT id FROM items WHERE cat = 3'))[0]!.split('\n');
    for (const line of ['      <Create-Table>made5</Create-Table>', '          <Insert-Into>made5</Insert-Into>']) assert.ok(xml.includes(line), `${line} in\n${xml.join('\n')}`);
    assert.equal((await c.query("SELECT pg_catalog.to_regclass('made5') AS r")).rows[0].r, null);
    // a table that exists: as PostgreSQL, 42P07, or IF NOT EXISTS's notice and no plan
    assert.equal((await sqlError(c.query(`EXPLAIN ${sql}`))).code, '42P07');
    const notices: string[] = [];
    c.on('notice', (n) => notices.push(`${n.code} ${n.message}`));
    assert.deepEqual(await explain(`EXPLAIN CREATE TABLE IF NOT EXISTS made AS ${select}`), []);
    const dummy = (await explain(`EXPLAIN (FORMAT JSON) CREATE TABLE IF NOT EXISTS made AS ${select}`))[0];
    assert.deepEqual(typeof dummy === 'string' ? JSON.parse(dummy) : dummy, ['CREATE TABLE AS']);
    // PostgreSQL's ExplainDummyGroup in YAML and XML
    assert.deepEqual(await explain(`EXPLAIN (FORMAT YAML) CREATE TABLE IF NOT EXISTS made AS ${select}`), ['- "CREATE TABLE AS"']);
    assert.deepEqual(await explain(`EXPLAIN (FORMAT XML) CREATE TABLE IF NOT EXISTS made AS ${select}`), ['<explain xmlns="http://www.postgresql.org/2009/explain">\n  <CREATE-TABLE-AS />\n</explain>']);
    c.removeAllListeners('notice');
    assert.deepEqual(notices, Array(4).fill('42P07 relation "made" already exists, skipping'));
    assert.equal(await count('SELECT count(*) AS n FROM made'), n, 'left as it was');
    await c.query('DROP TABLE made');
  });
});
