/**
 * The post-filter vector strategy (executor/vector-search.ts): a filter its sorted column
 * counts is tested on an unfiltered walk's candidates only, with no bitmap. Whatever the
 * walk finds, a query returns k rows whenever k rows match: deleted rows and zero vectors
 * (cosine) are not counted as matches, and a filter whose matches lie away from the query
 * (the candidates hold fewer than k) switches to the exact scan. Answers are checked
 * against the exact scan (enable_indexscan = off).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const N = 4000;
const DIM = 8;
const K = 10;
let server: QuiverServer;
let client: pg.Client;
const rand = seededRandom(11);
/** rows with id < 2000 lie around +1 in every coordinate, the others around -1 */
const vec = (side: number) => `[${Array.from({ length: DIM }, () => (side + rand() - 0.5).toFixed(4)).join(',')}]`;

before(async () => {
  server = await startQuiver();
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await client.connect();
  for (const t of ['pf_l2', 'pf_cos']) await client.query(`CREATE TABLE ${t} (id int PRIMARY KEY, f int, v vector(${DIM}))`);
  for (let start = 0; start < N; start += 500) {
    const rows: string[] = [];
    // f = id % 4: f < 2 is half the rows, on both sides; every 50th row of pf_cos has a zero vector
    for (let i = start; i < start + 500; i++) rows.push(`(${i}, ${i % 4}, '${vec(i < N / 2 ? 1 : -1)}')`);
    await client.query(`INSERT INTO pf_l2 VALUES ${rows.join(',')}`);
    await client.query(`INSERT INTO pf_cos VALUES ${rows.map((r, j) => ((start + j) % 50 === 0 ? r.replace(/'\[.*\]'/, `'[${Array(DIM).fill(0).join(',')}]'`) : r)).join(',')}`);
  }
  await client.query('CREATE INDEX ON pf_l2 USING hnsw (v vector_l2_ops)'); // seals the rows
  await client.query('CREATE INDEX ON pf_cos USING hnsw (v vector_cosine_ops)');
  await client.query('DELETE FROM pf_l2 WHERE id % 7 = 0');
  // the first filter on a column asks for its sort index (sorted in a worker thread) and is
  // answered without it: wait until each table's id and f are sorted
  for (const [t, where] of [['pf_l2', 'f < 2'], ['pf_l2', 'id >= 2000'], ['pf_cos', 'f < 2']]) {
    let plan = '';
    for (let tries = 0; tries < 200 && !/sorted column/.test(plan); tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 25));
      plan = (await client.query(`EXPLAIN ANALYZE SELECT id FROM ${t} WHERE ${where} ORDER BY v <-> '${vec(1)}' LIMIT ${K}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    }
  }
});

after(async () => {
  await client?.end();
  await server?.stop();
});

async function ids(sql: string, exact: boolean): Promise<number[]> {
  await client.query(`SET enable_indexscan = ${exact ? 'off' : 'on'}`);
  return (await client.query(sql)).rows.map((r) => r.id as number);
}

async function plan(sql: string): Promise<string> {
  await client.query('SET enable_indexscan = on');
  return (await client.query(`EXPLAIN ANALYZE ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
}

test('k rows per query, none deleted, recall ≥ 0.95 against the exact scan (l2 and cosine)', async () => {
  for (const [table, op] of [['pf_l2', '<->'], ['pf_cos', '<=>']] as const) {
    let recall = 0;
    const queries = 12;
    for (let q = 0; q < queries; q++) {
      const sql = `SELECT id FROM ${table} WHERE f < 2 ORDER BY v ${op} '${vec(q % 2 ? 1 : -1)}' LIMIT ${K}`;
      if (q === 0) assert.match(await plan(sql), /1 filtered after the walk/, `${table}: post-filter chosen`);
      const got = await ids(sql, false);
      const want = await ids(sql, true);
      assert.equal(got.length, K, `${table}: rows returned`);
      for (const id of got) {
        assert.ok(id % 4 < 2, `${table}: row ${id} passes the filter`);
        if (table === 'pf_l2') assert.notEqual(id % 7, 0, `deleted row ${id} returned`);
        if (table === 'pf_cos') assert.notEqual(id % 50, 0, `zero vector ${id} returned`);
      }
      recall += got.filter((id) => want.includes(id)).length / K;
    }
    assert.ok(recall / queries >= 0.95, `${table}: recall ${recall / queries}`);
  }
});

test('matches away from the query: the candidates hold fewer than k, the exact scan answers', async () => {
  // id >= 2000 is half the rows (post-filter by its count), all on the side away from the query
  const sql = `SELECT id FROM pf_l2 WHERE id >= 2000 ORDER BY v <-> '${vec(1)}' LIMIT ${K}`;
  const p = await plan(sql);
  assert.match(p, /→ post-filter/, p);
  assert.match(p, /switches to exact: 1/, p);
  assert.deepEqual(await ids(sql, false), await ids(sql, true));
});

test('fewer matching rows than k: all of them', async () => {
  // 2000 ≤ id < 2004: four rows, one of them deleted
  const sql = `SELECT id FROM pf_l2 WHERE id >= 2000 AND id < 2004 ORDER BY v <-> '${vec(1)}' LIMIT ${K}`;
  assert.deepEqual((await ids(sql, false)).sort(), (await ids(sql, true)).sort());
  assert.equal((await ids(sql, false)).length, 3); // 2002 = 7 · 286 is deleted
  await client.query('RESET enable_indexscan');
});
