/**
 * Zone maps: a scan whose filter compares an integer or date/time column with a constant
 * or parameter skips sealed segments whose min/max exclude it (EXPLAIN ANALYZE says how
 * many), and returns exactly the rows a full scan returns — with NULLs, deletes, own
 * uncommitted rows and parameters.
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
  await c.query('CREATE TABLE zm (id bigint, d date, n int, v int)');
  // commits of 10 000 rows are written as sealed segments: 10 segments with disjoint id ranges
  for (let k = 0; k < 10; k++) {
    await c.query(`INSERT INTO zm SELECT i, date '2020-01-01' + i / 100, CASE WHEN $1::int < 2 THEN NULL ELSE i END, i % 7
                   FROM generate_series($2::int, $3::int) i`, [k, k * 10000 + 1, (k + 1) * 10000]);
  }
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function zoneLine(sql: string, params: unknown[] = []): Promise<string | undefined> {
  const r = await c.query(`EXPLAIN ANALYZE ${sql}`, params);
  return r.rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN'].trim()).find((l: string) => l.startsWith('Zone maps:'));
}

const count = async (sql: string, params: unknown[] = []): Promise<number> => Number((await c.query(sql, params)).rows[0].count);

test('segments outside the range are skipped; counts equal a full scan', async () => {
  assert.equal(await zoneLine('SELECT count(*) FROM zm WHERE id > 95000'), 'Zone maps: 9 of 10 sealed segments skipped');
  assert.equal(await count('SELECT count(*) FROM zm WHERE id > 95000'), 5000);
  assert.equal(await count('SELECT count(*) FROM zm WHERE id + 0 > 95000'), 5000);
  assert.equal(await zoneLine('SELECT count(*) FROM zm WHERE 25000 >= id AND id >= 15000'), 'Zone maps: 8 of 10 sealed segments skipped');
  assert.equal(await count('SELECT count(*) FROM zm WHERE 25000 >= id AND id >= 15000'), 10001);
  assert.equal(await zoneLine("SELECT count(*) FROM zm WHERE d = date '2020-01-05'"), 'Zone maps: 9 of 10 sealed segments skipped');
  assert.equal(await count("SELECT count(*) FROM zm WHERE d = date '2020-01-05'"), 100);
  assert.equal(await zoneLine('SELECT count(*) FROM zm WHERE id = $1', [42]), 'Zone maps: 9 of 10 sealed segments skipped');
  assert.equal(await count('SELECT count(*) FROM zm WHERE id = $1', [42]), 1);
  // no useful bounds: nothing skipped
  assert.equal(await zoneLine('SELECT count(*) FROM zm WHERE v = 3'), 'Zone maps: 0 of 10 sealed segments skipped');
});

test('all-NULL segments are skipped by any comparison; IS NULL is not a zone condition', async () => {
  assert.equal(await zoneLine('SELECT count(*) FROM zm WHERE n > 0'), 'Zone maps: 2 of 10 sealed segments skipped');
  assert.equal(await count('SELECT count(*) FROM zm WHERE n > 0'), 80000);
  assert.equal(await count('SELECT count(*) FROM zm WHERE n IS NULL'), 20000);
});

test('deleted rows, updated rows and the transaction\'s own rows are seen as without zone maps', async () => {
  await c.query('DELETE FROM zm WHERE id BETWEEN 95001 AND 95100');
  assert.equal(await count('SELECT count(*) FROM zm WHERE id > 95000'), 4900);
  await c.query('BEGIN');
  await c.query('INSERT INTO zm VALUES (99999999, NULL, NULL, 1)');
  await c.query('UPDATE zm SET id = 5 WHERE id = 99999');
  assert.equal(await count('SELECT count(*) FROM zm WHERE id > 95000'), 4900);
  assert.equal(await count('SELECT count(*) FROM zm WHERE id < 10'), 10);
  await c.query('ROLLBACK');
  assert.equal(await count('SELECT count(*) FROM zm WHERE id < 10'), 9);
});
