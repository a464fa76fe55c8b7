/**
 * A range past the values ANALYZE saw, on a column a B-tree leads with, is estimated from
 * the column's true ends now (PostgreSQL's get_actual_variable_range): the histogram's last
 * bin is stretched to the largest value, so rows appended since ANALYZE (`id > <largest id
 * then>`, the newest rows of a growing table) are not estimated as one row. Without the index the histogram's end stands, as in PostgreSQL. The exact
 * figures against PostgreSQL's are sql-tests/histogram_ends.sql.
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
  await c.query('SET enable_indexscan = off');
  await c.query('SET enable_bitmapscan = off');
  await c.query('CREATE TABLE he_grow (id int PRIMARY KEY, n int, big bigint)');
  await c.query('CREATE INDEX ON he_grow (big)');
  await c.query('INSERT INTO he_grow SELECT g, g, g * 10000000000 FROM generate_series(1, 2000) g');
  await c.query('ANALYZE he_grow');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function estimate(sql: string): Promise<number> {
  const r = await c.query(`EXPLAIN ${sql}`);
  const m = /rows=(\d+)/.exec(r.rows[0]['QUERY PLAN'] as string);
  assert.ok(m, sql);
  return Number(m[1]);
}

test('rows appended after ANALYZE are estimated through the index, not as one row', async () => {
  assert.equal(await estimate('SELECT * FROM he_grow WHERE id > 2000'), 1, 'nothing past the end yet');
  await c.query('INSERT INTO he_grow SELECT g, g, g * 10000000000 FROM generate_series(2001, 3000) g');
  // the last bin now reaches to 3000: 1 % of the histogram's rows spread over 1,980 .. 3,000
  // (PostgreSQL 15 estimates 30 here; its row count, from the table's pages, is 3,082)
  const past = await estimate('SELECT * FROM he_grow WHERE id > 2000');
  assert.ok(past >= 25 && past <= 35, `id > 2000 after 1,000 more rows: ${past}`);
  const pastBig = await estimate('SELECT * FROM he_grow WHERE big > 20000000000000');
  assert.ok(pastBig >= 25 && pastBig <= 35, `big past the end: ${pastBig}`);
  // without a B-tree on the column the histogram's own end stands
  assert.equal(await estimate('SELECT * FROM he_grow WHERE n > 2000'), 1);
  // the growing rows' ends are followed as more arrive
  await c.query('INSERT INTO he_grow SELECT g, g, g * 10000000000 FROM generate_series(3001, 4000) g');
  const further = await estimate('SELECT * FROM he_grow WHERE id > 2000');
  assert.ok(further > past, `after 1,000 more: ${further} > ${past}`);
  // and the answers are the rows themselves
  assert.equal((await c.query('SELECT count(*)::int AS n FROM he_grow WHERE id > 2000')).rows[0].n, 2000);
});
