/**
 * `WHERE key = value` uses the key index when the value is a constant or parameter of the
 * key's type, a cast of one, or a narrower integer (bigint_id = 5 compares int8 with int4);
 * cross-type equalities that a cast could change (int_id = 2.5) stay a scan. EXPLAIN prints
 * the condition as PostgreSQL does: Index Cond: (id = 5), (id = '5000000000'::bigint).
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
  await c.query('CREATE TABLE kl_big (id bigint PRIMARY KEY, v int)');
  await c.query('INSERT INTO kl_big SELECT i, i * 10 FROM generate_series(1, 1000) i');
  await c.query('CREATE TABLE kl_int (id int PRIMARY KEY, v int)');
  await c.query('INSERT INTO kl_int SELECT i, i * 10 FROM generate_series(1, 1000) i');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function plan(sql: string, params: unknown[] = []): Promise<string> {
  const r = await c.query(`EXPLAIN ${sql}`, params);
  return r.rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN']).join('\n');
}

test('bigint key = int constant, = constant::bigint, = $1 use the key index', async () => {
  // as PostgreSQL prints them: an int4 literal bare, a cast of one or a literal past int4 a typed int8 / int2 constant
  const cases: [string, string, unknown[]][] = [
    ['SELECT v FROM kl_big WHERE id = 5', '(id = 5)', [{ v: 50 }]],
    ['SELECT v FROM kl_big WHERE id = 5::bigint', "(id = '5'::bigint)", [{ v: 50 }]],
    ['SELECT v FROM kl_big WHERE id = 5::smallint', "(id = '5'::smallint)", [{ v: 50 }]],
    ['SELECT v FROM kl_big WHERE id = 5000000000', "(id = '5000000000'::bigint)", []],
  ];
  for (const [sql, cond, rows] of cases) {
    const p = await plan(sql);
    assert.match(p, /Index Scan using kl_big_pkey on kl_big/, sql);
    assert.ok(p.includes(`Index Cond: ${cond}`), `${sql}: ${p}`);
    assert.deepEqual((await c.query(sql)).rows, rows, sql);
  }
  assert.match(await plan('SELECT v FROM kl_big WHERE id = $1', [7]), /Index Scan using kl_big_pkey/);
  assert.deepEqual((await c.query('SELECT v FROM kl_big WHERE id = $1', [7])).rows, [{ v: 70 }]);
});

test('an equality a cast could change stays a scan, with the right answer', async () => {
  assert.match(await plan('SELECT v FROM kl_int WHERE id = 2.5'), /Seq Scan on kl_int/);
  assert.deepEqual((await c.query('SELECT v FROM kl_int WHERE id = 2.5')).rows, []);
  assert.match(await plan('SELECT v FROM kl_int WHERE id = 5000000000'), /Seq Scan on kl_int/);
  assert.deepEqual((await c.query('SELECT v FROM kl_int WHERE id = 5000000000')).rows, []);
  assert.match(await plan('SELECT v FROM kl_int WHERE id = 3::smallint'), /Index Scan using kl_int_pkey/);
  assert.deepEqual((await c.query('SELECT v FROM kl_int WHERE id = 3::smallint')).rows, [{ v: 30 }]);
});
