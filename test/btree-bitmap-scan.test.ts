/**
 * Bitmap Heap Scans over B-tree indexes (planner/rules/use-bitmap-scan.ts,
 * storage/bitmap-scan.ts): BitmapOr, BitmapAnd and a single index's bitmap return the rows
 * of a sequential scan (enable_bitmapscan and enable_indexscan off) over sealed segments,
 * the growing segment, deleted and updated rows, NULLs, parameters and a transaction's own
 * uncommitted rows.
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
  await c.query('CREATE TABLE bb (id bigint PRIMARY KEY, k int, m int, note text)');
  await c.query('CREATE INDEX bb_k ON bb (k)');
  await c.query('CREATE INDEX bb_m ON bb (m)');
  // commits of 10 000 rows are written as sealed segments; k and m scattered, with NULLs and repeats
  for (let s = 0; s < 3; s++) {
    await c.query(`INSERT INTO bb SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7919) % 500 END, (i * 31) % 1000, 'n' || i
                   FROM generate_series($1::int, $2::int) i`, [s * 10000 + 1, (s + 1) * 10000]);
  }
  await c.query(`INSERT INTO bb SELECT i, (i * 13) % 500, i % 1000, 'g' || i FROM generate_series(30001, 30500) i`);
  await c.query('DELETE FROM bb WHERE id % 11 = 0');
  await c.query('UPDATE bb SET k = k + 1 WHERE id % 13 = 0');
  await c.query('ANALYZE bb');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function plan(sql: string, params: unknown[] = []): Promise<string> {
  return (await c.query(`EXPLAIN (COSTS OFF) ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
}

async function sequential(sql: string, params: unknown[]): Promise<string[]> {
  await c.query('SET enable_bitmapscan = off');
  await c.query('SET enable_indexscan = off');
  try {
    assert.match(await plan(sql, params), /Seq Scan/, sql);
    return (await c.query(sql, params)).rows.map((r) => JSON.stringify(r)).sort();
  } finally {
    await c.query('RESET enable_bitmapscan');
    await c.query('RESET enable_indexscan');
  }
}

const CASES: [string, unknown[], RegExp][] = [
  ['SELECT id, k, m FROM bb WHERE k = 1 OR k = 5 OR m = 7', [], /BitmapOr/],
  ['SELECT id, k, m FROM bb WHERE (k = $1 OR m = $2) AND note LIKE $3', [17, 300, 'n1%'], /BitmapOr/],
  ['SELECT id, k FROM bb WHERE k BETWEEN 100 AND 104', [], /Bitmap Index Scan on bb_k/],
  ['SELECT id, k, m FROM bb WHERE k = 3 AND m < 500', [], /Bitmap Heap Scan/],
  ['SELECT id FROM bb WHERE k = 1 OR k IS NULL OR m = 2', [], /Bitmap Heap Scan|Seq Scan/],
  ['SELECT id FROM bb WHERE k = 1 AND k = 2', [], /./],
];

test('bitmap scans return the sequential scan\'s rows', async () => {
  for (const [sql, params, shape] of CASES) {
    assert.match(await plan(sql, params), shape, sql);
    const seq = await sequential(sql, params);
    // twice: the first query may start the sorted columns' builds and read segments whole
    for (let round = 0; round < 2; round++) {
      const rows = (await c.query(sql, params)).rows.map((r) => JSON.stringify(r)).sort();
      assert.deepEqual(rows, seq, sql);
    }
  }
  assert.ok((await sequential(CASES[0][0], [])).length > 100, 'the OR matches rows');
});

test('a transaction\'s own rows and deletes are seen through the bitmap', async () => {
  const sql = 'SELECT id, k, m FROM bb WHERE k = 1 OR k = 5 OR m = 7';
  await c.query('BEGIN');
  try {
    await c.query(`INSERT INTO bb VALUES (40001, 1, 0, 'mine'), (40002, 2, 7, 'mine'), (40003, 2, 8, 'not')`);
    await c.query('DELETE FROM bb WHERE id IN (SELECT id FROM bb WHERE k = 5 LIMIT 3)');
    assert.match(await plan(sql), /BitmapOr/);
    const rows = (await c.query(sql)).rows.map((r) => JSON.stringify(r)).sort();
    assert.deepEqual(rows, await sequential(sql, []));
    assert.ok(rows.some((r) => r.includes('40002')) && !rows.some((r) => r.includes('40003')));
  } finally {
    await c.query('ROLLBACK');
  }
});

test('EXPLAIN ANALYZE counts each Bitmap Index Scan\'s rows', async () => {
  const sql = 'SELECT id FROM bb WHERE k = 1 OR m = 7';
  const explain = async () => (await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
  const rowsOf = (text: string, name: string) => Number(new RegExp(`Bitmap Index Scan on ${name} \\(actual rows=(\\d+)`).exec(text)?.[1]);
  // a sealed segment whose sorted index is still being built hands on all its positions: wait for the builds
  let text = await explain();
  for (let i = 0; i < 100 && !(rowsOf(text, 'bb_k') < 1000 && rowsOf(text, 'bb_m') < 1000); i++) {
    await new Promise((r) => setTimeout(r, 100));
    text = await explain();
  }
  const count = async (where: string) => Number((await c.query(`SELECT count(*) AS n FROM bb WHERE ${where}`)).rows[0].n);
  const leaf = (name: string) => rowsOf(text, name);
  assert.match(text, /BitmapOr \(actual rows=0 loops=1\)/);
  // positions handed on include deleted and updated rows' old versions (PostgreSQL's TIDs too), never fewer than the live matches
  assert.ok(leaf('bb_k') >= await count('k = 1') && leaf('bb_k') < 1000, text);
  assert.ok(leaf('bb_m') >= await count('m = 7') && leaf('bb_m') < 1000, text);
});
