/**
 * Window functions through the extended protocol ($n in frames and WINDOW clauses), and
 * sliding frames staying linear. Expected values were checked against PostgreSQL 15; the
 * wider behaviour is in sql-tests/window_frames.sql.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE } from './support/server.js';
import type { QuiverServer } from './support/server.js';

let server: QuiverServer;
let client: pg.Client;

before(async () => {
  server = await startQuiver();
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE, connectionTimeoutMillis: 10000 });
  await client.connect();
});

after(async () => {
  await client?.end();
  await server?.stop();
});

const pairs = (rows: { x: number; v: string }[]) => rows.map((r) => [Number(r.x), Number(r.v)]);

test('$n parameters in a WINDOW clause and in frame offsets are counted and bound', async () => {
  const rows = await client.query('SELECT x, sum(x) OVER w AS v FROM generate_series(1,5) x WINDOW w AS (ORDER BY x ROWS BETWEEN $1 PRECEDING AND $2 FOLLOWING) ORDER BY x', [1, 0]);
  assert.deepEqual(pairs(rows.rows), [[1, 1], [2, 3], [3, 5], [4, 7], [5, 9]]);
  const named = await client.query('SELECT x, count(*) OVER (w) AS v FROM generate_series(1,4) x WINDOW w AS (PARTITION BY x % $1 ORDER BY x) ORDER BY x', [2]);
  assert.deepEqual(pairs(named.rows), [[1, 1], [2, 1], [3, 2], [4, 2]]);
  const range = await client.query('SELECT x, sum(x) OVER (ORDER BY x RANGE BETWEEN $1 PRECEDING AND CURRENT ROW) AS v FROM generate_series(1,5) x ORDER BY x', [2]);
  assert.deepEqual(pairs(range.rows), [[1, 1], [2, 3], [3, 6], [4, 9], [5, 12]]);
});

test('a sliding sum over 200k rows is linear (inverse transition), and right', async () => {
  const n = 200_000;
  const t0 = performance.now();
  const r = await client.query(`SELECT sum(s) AS total, max(c) AS c FROM (SELECT sum(x) OVER (ORDER BY x ROWS BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) AS s,
    count(*) OVER (ORDER BY x ROWS BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) AS c FROM generate_series(1, ${n}) x) t`);
  const ms = performance.now() - t0;
  // every row's window sum, added up: each x counts once per row whose window holds it
  let expected = 0n;
  for (let x = 1; x <= n; x++) {
    const rowsHolding = Math.min(n, x + 1000) - Math.max(1, x - 1000) + 1;
    expected += BigInt(x) * BigInt(rowsHolding);
  }
  assert.equal(r.rows[0].total, expected.toString());
  assert.equal(r.rows[0].c, '2001');
  // recomputing each 2001-row frame would be 400M steps; sliding is 400k
  assert.ok(ms < 20_000, `took ${ms} ms`);
});
