/**
 * Index Only Scan (planner/index-only.ts, rules/use-index-only-scan.ts, storage/index-scan.ts):
 * over sealed segments, the growing segment, deleted and updated rows, the same answers as a
 * sequential scan; EXPLAIN ANALYZE's Heap Fetches count the rows whose visibility needed the
 * row store (growing segment, tombstoned, fetched by key), none for a sealed row never deleted;
 * VACUUM records the all-visible rows the cost model prices with.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
let c: pg.Client;

before(async () => {
  server = await startQuiver();
  c = await connectClient(server);
  await c.query('CREATE TABLE io (id int PRIMARY KEY, k int, note text)');
  await c.query('CREATE INDEX io_k ON io (k)');
  // commits of 10 000 rows are written as sealed segments
  for (let s = 0; s < 3; s++) {
    await c.query(`INSERT INTO io SELECT i, CASE WHEN i % 101 = 0 THEN NULL ELSE (i * 7919) % 5003 END, 'n' || i FROM generate_series($1::int, $2::int) i`, [s * 10000 + 1, (s + 1) * 10000]);
  }
  await c.query('ANALYZE io');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function explain(sql: string, options = 'COSTS OFF'): Promise<string> {
  // the plan's text as sent (FORMAT JSON's column is json, which node-pg would parse)
  return (await c.query({ text: `EXPLAIN (${options}) ${sql}`, types: { getTypeParser: () => (text: string) => text } })).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
}

function heapFetches(plan: string): number {
  const m = /Heap Fetches: (\d+)/.exec(plan);
  assert.ok(m, plan);
  return Number(m[1]);
}

async function rows(sql: string): Promise<string[]> {
  return (await c.query(sql)).rows.map((r) => JSON.stringify(r));
}

/** the answer through the index and with index and bitmap scans off (a sequential scan) */
async function sameAsSeqScan(sql: string): Promise<void> {
  const index = await rows(sql);
  await c.query('SET enable_indexscan = off');
  await c.query('SET enable_bitmapscan = off');
  try {
    assert.match(await explain(sql), /Seq Scan/, sql);
    assert.deepEqual(index, await rows(sql), sql);
  } finally {
    await c.query('RESET enable_indexscan');
    await c.query('RESET enable_bitmapscan');
  }
}

const QUERIES = [
  'SELECT id FROM io WHERE id BETWEEN 9990 AND 10020',
  'SELECT count(*) FROM io WHERE id > 25000',
  'SELECT id FROM io WHERE id > 29990 ORDER BY id LIMIT 30',
  'SELECT id FROM io ORDER BY id DESC LIMIT 15',
  'SELECT k FROM io WHERE k > 100 ORDER BY k LIMIT 25',
  'SELECT k FROM io WHERE k IS NOT NULL ORDER BY k DESC LIMIT 12',
  'SELECT max(id), min(id) FROM io',
  'SELECT id FROM io WHERE id = 20002',
];

/** checked for their answers only: PostgreSQL's plan is a Bitmap Heap Scan (never index-only) */
const ANSWERS_ONLY = ['SELECT count(*) FROM io WHERE k IS NULL', 'SELECT count(*) FROM io WHERE k BETWEEN 100 AND 1000'];

test('a scan reading only key columns is an Index Only Scan, with the sequential scan\'s answers', async () => {
  for (const sql of QUERIES) {
    assert.match(await explain(sql), /Index Only Scan( Backward)? using io_/, sql);
    await sameAsSeqScan(sql);
  }
  // another column read: an Index Scan
  assert.match(await explain('SELECT id, note FROM io WHERE id BETWEEN 10 AND 20'), /^Index Scan using io_pkey/);
});

test('Heap Fetches: none for sealed rows never deleted, one per row of the growing segment or fetched by key', async () => {
  assert.equal(heapFetches(await explain('SELECT id FROM io WHERE id BETWEEN 100 AND 300', 'ANALYZE, COSTS OFF, TIMING OFF')), 0);
  // FORMAT JSON: a number, as PostgreSQL writes it
  const json = JSON.parse(await explain('SELECT id FROM io WHERE id BETWEEN 100 AND 300', 'ANALYZE, TIMING OFF, FORMAT JSON'));
  assert.equal(json[0].Plan['Node Type'], 'Index Only Scan');
  assert.equal(json[0].Plan['Heap Fetches'], 0);
  // never run (its one-time filter is false): still shown, 0, as PostgreSQL shows it
  const never = await explain('SELECT id FROM io WHERE id BETWEEN 1 AND 5 AND now() < \'2000-01-01\'', 'ANALYZE, COSTS OFF, TIMING OFF');
  assert.match(never, /never executed/, never);
  assert.equal(heapFetches(never), 0);
  // a key lookup fetches its row by RowId
  assert.equal(heapFetches(await explain('SELECT id FROM io WHERE id = 77', 'ANALYZE, COSTS OFF, TIMING OFF')), 1);
  // 40 rows in the growing segment, 30 of them in the range
  await c.query('INSERT INTO io SELECT i, i % 5003, \'g\' || i FROM generate_series(30001, 30040) i');
  const plan = await explain('SELECT id FROM io WHERE id > 29990 AND id <= 30030', 'ANALYZE, COSTS OFF, TIMING OFF');
  assert.match(plan, /Index Only Scan using io_pkey/);
  assert.match(plan, /actual rows=40 /);
  assert.equal(heapFetches(plan), 30);
});

test('deletes and updates over sealed and growing rows: the same answers; the moved rows are fetched', async () => {
  await c.query('DELETE FROM io WHERE id % 7 = 0');
  await c.query('UPDATE io SET k = k + 1 WHERE id % 13 = 0');
  for (const sql of [...QUERIES, ...ANSWERS_ONLY]) await sameAsSeqScan(sql);
  // ids 1..1000 not deleted, of which the updated ones (id % 13 = 0) live in the growing segment now;
  // the statistics as of an ANALYZE here (not whenever auto-analyze ran), and no bitmap plan,
  // which the deletes' correlation can make cheaper: the Heap Fetches are the Index Only Scan's
  await c.query('ANALYZE io');
  await c.query('SET enable_bitmapscan = off');
  const plan = await explain('SELECT id FROM io WHERE id BETWEEN 1 AND 1000', 'ANALYZE, COSTS OFF, TIMING OFF');
  await c.query('RESET enable_bitmapscan');
  const expected = Array.from({ length: 1000 }, (_, i) => i + 1).filter((i) => i % 7 !== 0);
  assert.match(plan, new RegExp(`actual rows=${expected.length} `));
  assert.equal(heapFetches(plan), expected.filter((i) => i % 13 === 0).length);
  // a transaction's own rows are fetched too, and seen
  await c.query('BEGIN');
  await c.query('INSERT INTO io VALUES (50001, 1, \'own\'), (50002, 2, \'own\')');
  assert.deepEqual(await rows('SELECT id FROM io WHERE id > 50000 ORDER BY id'), ['{"id":50001}', '{"id":50002}']);
  assert.equal(heapFetches(await explain('SELECT id FROM io WHERE id > 50000', 'ANALYZE, COSTS OFF, TIMING OFF')), 2);
  await c.query('ROLLBACK');
});

test('VACUUM records the all-visible rows: the Index Only Scan is priced below the Index Scan', async () => {
  const cost = async (sql: string) => Number(/Index Only Scan[^\n]*cost=[\d.]+\.\.([\d.]+)/.exec(await explain(sql, 'COSTS ON'))![1]);
  const sql = 'SELECT count(*) FROM io WHERE id > 29000';
  await c.query('SET enable_bitmapscan = off');
  const before = await cost(sql);
  await c.query('VACUUM io');
  assert.ok(await cost(sql) < before, `${before}`);
  await c.query('RESET enable_bitmapscan');
  for (const q of [...QUERIES, ...ANSWERS_ONLY]) await sameAsSeqScan(q);
});
