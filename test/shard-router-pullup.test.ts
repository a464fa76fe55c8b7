/**
 * Pull-up through the shard router (src/cluster/router/pull-up.ts): two Quiver shards behind a
 * router with the fan-out planner, and one standalone Quiver holding every row. Each read
 * shape the planner refuses (window functions, set operations, WITH, subqueries, joins not on
 * the keys, views, COPY (SELECT) TO, k-NN in a subquery …) must answer through the router as
 * the one server does: the same column names, type OIDs and modifiers, table OIDs and
 * attribute numbers (the servers made the same objects in the same order), and rows. Then the bound on pulled
 * rows (54000), a WHERE pushed to the shards under that bound, and a transaction block that
 * sees its own uncommitted rows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { rowsOnEach, sqlError } from './support/shard-keys.js';
import type { QuiverServer } from './support/server.js';
import { startShardedRouter, type ShardedRouter } from './support/shard-router-harness.js';

const ROWS = 200;
const SCHEMA = [
  'CREATE TABLE items (id bigint PRIMARY KEY, tenant int, label text, price numeric(10,2), qty int, emb vector(4))',
  'CREATE INDEX items_emb ON items USING hnsw (emb vector_l2_ops)',
  'CREATE TABLE tags (id bigint PRIMARY KEY, tag text)',
  'CREATE TABLE tenants (tenant int PRIMARY KEY, name varchar(20))',
  'CREATE SCHEMA other',
  'CREATE TABLE other.items (id bigint PRIMARY KEY, note text)',
  'CREATE VIEW cheap AS SELECT id, label, price FROM items WHERE price < 20',
  'CREATE VIEW cheap_tagged AS SELECT c.id, c.label, t.tag FROM cheap c JOIN tags t ON t.id = c.id',
  'CREATE VIEW renamed (item, name) AS SELECT id, label FROM items WHERE id < 30',
  'CREATE FUNCTION item_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM items $$',
  'CREATE FUNCTION items_of(t int) RETURNS SETOF bigint LANGUAGE sql AS $$ SELECT id FROM items WHERE tenant = t ORDER BY id LIMIT 3 $$',
  'CREATE FUNCTION tag_of(x bigint) RETURNS text LANGUAGE sql AS $$ SELECT tag FROM tags WHERE id = x $$',
  'CREATE FUNCTION qualified_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM public.items $$',
];

/** a deterministic pseudo-random number in [0, 1) from an integer */
function noise(n: number): number {
  let x = (n * 2654435761) >>> 0;
  x ^= x >>> 13;
  x = Math.imul(x, 1274126177) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

function itemRow(id: number): string {
  const qty = id % 11 === 0 ? 'NULL' : String(id % 13);
  const emb = `[${[1, 2, 3, 4].map((k) => (noise(id * 10 + k) * 2 - 1).toFixed(4)).join(',')}]`;
  return `(${id}, ${id % 5}, 'l${id % 7}', ${((id * 37) % 1000) / 10}, ${qty}, '${emb}')`;
}

const INSERTS = [
  `INSERT INTO items VALUES ${Array.from({ length: ROWS }, (_, i) => itemRow(i + 1)).join(', ')}`,
  `INSERT INTO tags VALUES ${Array.from({ length: ROWS }, (_, i) => i + 1).filter((id) => id % 4 !== 0).map((id) => `(${id}, 't${id % 3}')`).join(', ')}`,
  'INSERT INTO other.items VALUES (1, \'o1\'), (2, \'o2\'), (3, \'o3\'), (4, \'o4\')',
  `INSERT INTO tenants VALUES ${[0, 1, 2, 3].map((t) => `(${t}, 'tenant ${t}')`).join(', ')}`,
];

const rawText = { getTypeParser: () => (v: string) => v };

interface Answer {
  columns: string[];
  rows: string[];
}

/** names, type oids and rows (as text) of a query's answer; rows sorted unless `ordered` */
async function answer(c: pg.Client, text: string, values: unknown[] = [], ordered = false): Promise<Answer> {
  const r = await c.query({ text, values, rowMode: 'array', types: rawText } as never) as unknown as pg.QueryResult<(string | null)[]>;
  const rows = r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v)).join(' | '));
  return { columns: r.fields.map((f) => `${f.name}:${f.dataTypeID}:${f.dataTypeModifier}:${f.tableID}:${f.columnID}`), rows: ordered ? rows : rows.sort() };
}

/** read shapes the fan-out planner refuses; `ordered`: the ORDER BY fixes the row order */
const SHAPES: { sql: string; values?: unknown[]; ordered?: boolean }[] = [
  { sql: 'SELECT id, tenant, row_number() OVER (PARTITION BY tenant ORDER BY id) AS rn FROM items WHERE id < 60' },
  { sql: 'SELECT tenant, sum(price) OVER (PARTITION BY tenant) AS s, rank() OVER (ORDER BY price DESC, id) FROM items ORDER BY id LIMIT 20', ordered: true },
  { sql: 'SELECT id, lag(label) OVER w, lead(price, 2) OVER w FROM items WINDOW w AS (ORDER BY id) ORDER BY id', ordered: true },
  { sql: 'SELECT id FROM items WHERE tenant = 1 UNION SELECT id FROM tags WHERE tag = \'t2\'' },
  { sql: 'SELECT label FROM items UNION ALL SELECT tag FROM tags' },
  { sql: 'SELECT id FROM items INTERSECT SELECT id FROM tags' },
  { sql: 'SELECT id FROM items EXCEPT SELECT id FROM tags ORDER BY 1', ordered: true },
  { sql: 'WITH t AS (SELECT tenant, count(*) AS n FROM items GROUP BY tenant) SELECT * FROM t WHERE n > 30' },
  { sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT r.n, i.label FROM r JOIN items i ON i.id = r.n' },
  { sql: 'WITH a AS (SELECT id, price FROM items WHERE qty IS NULL), b AS (SELECT id FROM tags) SELECT a.* FROM a LEFT JOIN b USING (id)' },
  // column aliases of a join rename by position: the pulled tables keep every column (sql-tests/join_alias.sql)
  { sql: 'SELECT x.a, x.b, x.tag, a + b AS s FROM (items JOIN tags USING (id)) x(a, b) WHERE x.a < 40 ORDER BY 1', ordered: true },
  // a WITH query named as a table: its body reads the table, the statement reads the WITH query
  { sql: 'WITH items AS (SELECT id, label FROM items WHERE id < 10) SELECT * FROM items' },
  { sql: 'WITH tags AS (SELECT 1 AS id, \'x\' AS tag) SELECT t.*, (SELECT count(*) FROM tags) FROM tags t' },
  { sql: 'SELECT id, label FROM items WHERE id IN (SELECT id FROM tags WHERE tag = \'t1\') AND id < 100' },
  { sql: 'SELECT id FROM items i WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = i.id)' },
  { sql: 'SELECT id, (SELECT tag FROM tags t WHERE t.id = i.id) AS tag FROM items i WHERE id <= 30' },
  { sql: 'SELECT (SELECT count(*) FROM tags) AS tags, (SELECT max(price) FROM items) AS top' },
  { sql: 'SELECT s.tenant, s.n FROM (SELECT tenant, count(*) AS n FROM items GROUP BY tenant) s JOIN tenants t ON t.tenant = s.tenant' },
  { sql: 'SELECT i.id, t.name FROM items i JOIN tenants t ON t.tenant = i.tenant WHERE i.id < 50' },
  { sql: 'SELECT i.id, t.name FROM items i LEFT JOIN tenants t ON t.tenant = i.tenant + 2 WHERE i.id BETWEEN 10 AND 40' },
  { sql: 'SELECT a.id, b.id FROM items a JOIN items b ON a.qty = b.tenant AND a.id < 10 AND b.id < 12' },
  { sql: 'SELECT * FROM cheap WHERE id < 100' },
  { sql: 'SELECT label, count(*) FROM cheap_tagged GROUP BY label' },
  { sql: 'SELECT r.name, x.* FROM renamed r JOIN renamed AS x (a, b) ON x.a = r.item + 1 WHERE r.item > 20' },
  { sql: 'SELECT c.id, t.tag FROM cheap c, tags t WHERE t.id = c.id AND c.id > $1', values: [150] },
  { sql: 'SELECT id FROM (SELECT id FROM items ORDER BY emb <-> \'[0.1,0.2,0.3,0.4]\' LIMIT 5) k ORDER BY id', ordered: true },
  { sql: 'SELECT k.id, t.tag FROM (SELECT id, emb <-> $1 AS d FROM items WHERE tenant = $2 ORDER BY emb <-> $1 LIMIT 7) k LEFT JOIN tags t USING (id) ORDER BY k.d', values: ['[0.5,-0.5,0.5,-0.5]', 3], ordered: true },
  { sql: 'SELECT string_agg(label, \',\' ORDER BY id) FROM items WHERE id < 20' },
  { sql: 'SELECT tenant, array_agg(id ORDER BY id) FROM items WHERE id < 30 GROUP BY tenant HAVING count(*) > 5' },
  { sql: 'SELECT count(DISTINCT label), count(DISTINCT qty) FROM items' },
  { sql: 'SELECT * FROM items WHERE id < 5 ORDER BY id', ordered: true },
  { sql: 'SELECT row_to_json(t) FROM tags t WHERE t.id < 6' },
  { sql: 'SELECT id, price FROM items ORDER BY price DESC, id FETCH FIRST 3 ROWS WITH TIES', ordered: true },
  { sql: 'SELECT i.id FROM items i WHERE i.price > (SELECT avg(price) FROM items j WHERE j.tenant = i.tenant) AND i.id < 80' },
  // SQL functions reading sharded tables: they read temporary copies of the tables' rows
  { sql: 'SELECT item_count() AS n, tag_of(7) AS t' },
  { sql: 'SELECT x FROM items_of(2) x' },
  { sql: 'SELECT id, tag_of(id) FROM items WHERE id < 20 AND tenant <> 3' },
  // qualified, quoted and ONLY names; text before them that is not ASCII (libpg-query counts bytes)
  { sql: 'SELECT \'é€\' AS x, "id" FROM public."tags" WHERE tag = \'t0\' UNION SELECT \'ü\', id FROM ONLY items WHERE id < 3' },
  // conjuncts with parentheses, IN lists, BETWEEN … AND, casts, LIKE and a CASE holding AND: split where one server would
  { sql: 'SELECT id, dense_rank() OVER (ORDER BY label) FROM items WHERE (id < 150) AND label IN (\'l1\', \'l2\') AND NOT (qty IS NULL) AND price BETWEEN 1 AND 90 AND tenant::text LIKE \'1%\' AND CASE WHEN qty > 3 AND tenant = 1 THEN true ELSE false END IS NOT TRUE ORDER BY id', ordered: true },
  // abs() cannot go to the shards, so neither may the division after it (no 22012 on tenant 0)
  { sql: 'SELECT id, rank() OVER (ORDER BY id) FROM items WHERE abs(tenant) > 0 AND 10 / tenant > 3 AND id < 90' },
  { sql: 'SELECT CASE WHEN qty IS NULL AND tenant = 1 THEN \'none\' ELSE label END FROM items WHERE id < 40 AND (qty IS NULL OR qty > 5)' },
];

describe('shard router pull-up', () => {
  let cluster: ShardedRouter | undefined;
  let shards: QuiverServer[] = [];
  let c: pg.Client;
  let single: pg.Client;

  before(async () => {
    // the single server made the same objects in the same order: the same table OIDs
    cluster = await startShardedRouter({ shards: 2, ddl: SCHEMA, standalone: true });
    ({ shards, client: c } = cluster);
    single = cluster.alone!;
    for (const sql of INSERTS) {
      await c.query(sql);
      await single.query(sql);
    }
    const counts = (await rowsOnEach(shards, 'SELECT count(*)::int FROM items')).map((r) => r[0]![0] as number);
    assert.ok(counts.every((n) => n > ROWS / 4), `each shard holds part of the rows (${counts})`);
  });

  after(async () => {
    await cluster?.close();
  });

  for (const shape of SHAPES) {
    it(`answers as one server: ${shape.sql}`, async () => {
      const expected = await answer(single, shape.sql, shape.values, shape.ordered);
      assert.ok(expected.rows.length > 0, 'the shape has rows to compare');
      assert.deepEqual(await answer(c, shape.sql, shape.values, shape.ordered), expected);
    });
  }

  it('runs a statement calling SQL functions again (the copies are made anew), and refuses a body naming its table by schema', async () => {
    for (let i = 0; i < 2; i++) assert.deepEqual(await answer(c, 'SELECT item_count(), tag_of(5)'), await answer(single, 'SELECT item_count(), tag_of(5)'));
    const err = await sqlError(c.query('SELECT qualified_count()'));
    assert.equal(err.code, '0A000');
    assert.match(err.message, /"public\.items" with its schema/);
  });

  it('reads the tables the session\'s search_path finds, and a view\'s own tables whatever the path', async () => {
    for (const client of [c, single]) await client.query('SET search_path = other, public');
    try {
      for (const sql of ['SELECT id, note, rank() OVER (ORDER BY id DESC) FROM items', 'SELECT count(*) FROM cheap WHERE id < 50 UNION ALL SELECT count(*) FROM items']) {
        assert.deepEqual(await answer(c, sql), await answer(single, sql), sql);
      }
    } finally {
      for (const client of [c, single]) await client.query('RESET search_path');
    }
  });

  it('runs a cursor and an SQL-prepared statement over a shape the planner refuses by pull-up', async () => {
    const sql = 'SELECT id, rank() OVER (ORDER BY price DESC, id) AS r FROM items WHERE id < 30 ORDER BY id';
    const want = await answer(single, sql, [], true);
    await c.query('BEGIN');
    try {
      await c.query(`DECLARE pulled CURSOR FOR ${sql}`);
      assert.deepEqual((await answer(c, 'FETCH ALL FROM pulled', [], true)).rows, want.rows);
    } finally {
      await c.query('COMMIT');
    }
    for (const client of [c, single]) await client.query('PREPARE pulled_q (int) AS SELECT id, rank() OVER (ORDER BY price DESC, id) AS r FROM items WHERE id < $1 ORDER BY id');
    try {
      assert.deepEqual((await answer(c, 'EXECUTE pulled_q(30)', [], true)).rows, want.rows);
    } finally {
      for (const client of [c, single]) await client.query('DEALLOCATE pulled_q');
    }
    // over a view and a SQL function: the query is routed when it runs, and pulled up then
    const overView = 'SELECT id, label, item_count() AS n FROM cheap WHERE id < 60 ORDER BY id';
    const viewRows = (await answer(single, overView, [], true)).rows;
    assert.ok(viewRows.length > 0);
    await c.query('BEGIN');
    try {
      await c.query(`DECLARE pulled_v CURSOR FOR ${overView}`);
      assert.deepEqual((await answer(c, 'FETCH ALL FROM pulled_v', [], true)).rows, viewRows);
    } finally {
      await c.query('COMMIT');
    }
    await c.query(`PREPARE pulled_vq AS ${overView}`);
    try {
      assert.deepEqual((await answer(c, 'EXECUTE pulled_vq', [], true)).rows, viewRows);
    } finally {
      await c.query('DEALLOCATE pulled_vq');
    }
  });

  it('gives the same errors as one server', async () => {
    for (const sql of ['SELECT id / (tenant - tenant) FROM items UNION SELECT 1', 'SELECT (SELECT id FROM items) AS one', 'SELECT nosuch FROM items i WHERE EXISTS (SELECT 1 FROM tags)']) {
      const want = await sqlError(single.query(sql));
      const got = await sqlError(c.query(sql));
      assert.deepEqual([got.code, got.message], [want.code, want.message], sql);
    }
  });

  it('copies a query over sharded tables out as one server does', async () => {
    const sql = 'COPY (SELECT i.id, i.label, t.tag FROM items i LEFT JOIN tags t USING (id) WHERE i.id <= 25 ORDER BY i.id) TO STDOUT WITH (FORMAT csv, HEADER)';
    const copy = async (client: pg.Client, text = sql) => {
      const chunks: Buffer[] = [];
      const stream = client.query(copyTo(text));
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString();
    };
    const want = await copy(single);
    assert.equal(want.split('\n').length, 27);
    assert.equal(await copy(c), want);
    const view = await copy(single, 'COPY (SELECT * FROM cheap_tagged ORDER BY id) TO STDOUT');
    assert.ok(view.length > 0);
    assert.equal(await copy(c, 'COPY (SELECT * FROM cheap_tagged ORDER BY id) TO STDOUT'), view);
  });

  it('bounds the rows it pulls with quiver.router_pull_rows (54000), counting only rows a pushed WHERE keeps', async () => {
    await c.query('SET quiver.router_pull_rows = 50');
    try {
      const err = await sqlError(c.query('SELECT id, rank() OVER (ORDER BY price) FROM items'));
      assert.equal(err.code, '54000');
      assert.match(err.message, /more than 50 rows/);
      assert.match(err.hint ?? '', /quiver\.router_pull_rows/);
      // `id < 40` is pushed to the shards: 39 rows pulled, under the bound
      const sql = 'SELECT id, rank() OVER (ORDER BY price, id) FROM items WHERE id < 40 AND label <> \'l3\'';
      assert.deepEqual(await answer(c, sql), await answer(single, sql));
      const joined = 'SELECT i.id, t.tag FROM items i JOIN tags t ON t.id = i.id WHERE i.id <= $1 AND t.id BETWEEN 10 AND 25 EXCEPT SELECT id, \'x\' FROM tags WHERE id = 2';
      assert.deepEqual(await answer(c, joined, [30]), await answer(single, joined, [30]));
    } finally {
      await c.query('RESET quiver.router_pull_rows');
    }
  });

  it('inserts the rows of a SELECT the planner refuses (INSERT … SELECT over pulled rows)', async () => {
    const sql = 'INSERT INTO tags SELECT id + 5000, label || \'/\' || rank() OVER (PARTITION BY tenant ORDER BY id) FROM items WHERE id < 25 UNION SELECT 6000, \'u\'';
    try {
      assert.equal((await c.query(sql)).rowCount, (await single.query(sql)).rowCount);
      const check = 'SELECT * FROM tags WHERE id > 5000';
      const want = await answer(single, check);
      assert.equal(want.rows.length, 25);
      assert.deepEqual(await answer(c, check), want);
    } finally {
      for (const client of [c, single]) await client.query('DELETE FROM tags WHERE id > 5000');
    }
  });

  it('commits a block that wrote on both shards after a function read copies of its rows (no temporary object in its transaction)', async () => {
    await c.query('BEGIN');
    await c.query('INSERT INTO items (id, tenant, label) VALUES (3001, 1, \'c\'), (3002, 1, \'c\'), (3003, 1, \'c\'), (3004, 1, \'c\')');
    assert.deepEqual((await answer(c, 'SELECT item_count()')).rows, ['204']);
    await c.query('COMMIT');
    const [on0, on1] = await rowsOnEach(shards, 'SELECT count(*)::int FROM items WHERE id > 3000');
    assert.ok(on0![0]![0] > 0 && on1![0]![0] > 0, 'the block wrote on both shards');
    assert.equal((await c.query('DELETE FROM items WHERE id > 3000')).rowCount, 4);
  });

  it('fills a CREATE TABLE … AS from a SELECT the planner refuses', async () => {
    const sql = 'CREATE TABLE ranked AS SELECT id, rank() OVER (PARTITION BY tenant ORDER BY price, id) AS r FROM items WHERE id < 40';
    try {
      for (const client of [c, single]) await client.query(sql);
      const want = await answer(single, 'SELECT * FROM ranked');
      assert.equal(want.rows.length, 39);
      assert.deepEqual((await answer(c, 'SELECT * FROM ranked')).rows, want.rows);
    } finally {
      for (const client of [c, single]) await client.query('DROP TABLE IF EXISTS ranked');
    }
  });

  it('sees its own uncommitted rows in a transaction block, and nothing of them after ROLLBACK', async () => {
    const sql = 'SELECT count(*) AS n, max(id) AS top FROM (SELECT id FROM items UNION SELECT id FROM tags) u';
    const before = await answer(c, sql);
    await c.query('BEGIN');
    try {
      await c.query('INSERT INTO items VALUES (1001, 1, \'new\', 1.00, 1, \'[0,0,0,1]\'), (1002, 2, \'new\', 2.00, 2, \'[0,0,1,0]\')');
      await c.query('DELETE FROM tags WHERE id = 3');
      assert.deepEqual((await answer(c, sql)).rows, ['202 | 1002']);
      // a function reads copies of the block's own rows (made on another connection, outside the block)
      assert.deepEqual((await answer(c, 'SELECT item_count(), tag_of(3)')).rows, ['202 | NULL']);
      assert.deepEqual((await answer(c, 'SELECT id FROM cheap WHERE label = \'new\'')).rows, ['1001', '1002']);
      assert.deepEqual((await answer(c, 'SELECT tag FROM tags WHERE id IN (SELECT id FROM items WHERE id < 4) AND id > 1')).rows, ['t2']);
    } finally {
      await c.query('ROLLBACK');
    }
    assert.deepEqual(await answer(c, sql), before);
  });
});
