/**
 * Ordered-set aggregates with $n parameters (extended protocol; sql-tests/ only uses the
 * simple protocol): the fraction and the hypothetical row are typed from their aggregate,
 * and checked per execution. Expected values were checked against PostgreSQL 15.
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

const FROM = 'FROM (VALUES (1), (2), (3), (4), (NULL)) t(x)';

test('percentile_cont / percentile_disc take the fraction as a float8 parameter', async () => {
  const r = await client.query(`SELECT percentile_cont($1) WITHIN GROUP (ORDER BY x) AS c, percentile_disc($1) WITHIN GROUP (ORDER BY x) AS d ${FROM}`, [0.5]);
  assert.deepEqual(r.rows, [{ c: 2.5, d: 2 }]);
  const arr = await client.query(`SELECT percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY x) AS d ${FROM}`, [[0, 0.75, 1]]);
  assert.deepEqual(arr.rows, [{ d: [1, 3, 4] }]);
});

test('a fraction outside [0, 1] from a parameter is 22003 at execution', async () => {
  await assert.rejects(
    client.query(`SELECT percentile_cont($1) WITHIN GROUP (ORDER BY x) ${FROM}`, [1.5]),
    (e: pg.DatabaseError) => e.code === '22003' && e.message === 'percentile value 1.5 is not between 0 and 1',
  );
});

test('hypothetical-set aggregates type their parameter from the ordering column', async () => {
  const r = await client.query(`SELECT rank($1) WITHIN GROUP (ORDER BY x) AS r, cume_dist($1) WITHIN GROUP (ORDER BY x) AS c ${FROM}`, [3]);
  // rank(3) among 1,2,3,4,NULL (NULLs last) is 3; cume_dist = (3 + 1) / 6
  assert.deepEqual(r.rows, [{ r: '3', c: 4 / 6 }]);
});
