/**
 * Row comparisons through a B-tree index (planner/range-comparison.ts rowRange, storage
 * IndexRowBound): a keyset page starts at its key, not at the first row of the key's first
 * column (no row of the tie before it is read and filtered out), over sealed segments and
 * the growing one, forward and backward, with generic-plan parameters; the same rows as a
 * sequential scan; zone maps skip sealed segments the row's first column excludes.
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
  await c.query('CREATE TABLE rk (id int PRIMARY KEY, created int, note text)');
  await c.query('CREATE INDEX rk_created_id ON rk (created, id)');
  // three sealed segments (commits of 10 000 rows), 1 000 rows a value of created, then the growing segment
  for (let s = 0; s < 3; s++) {
    await c.query(`INSERT INTO rk SELECT i, i / 1000, 'n' || i FROM generate_series($1::int, $2::int) i`, [s * 10000 + 1, (s + 1) * 10000]);
  }
  await c.query(`INSERT INTO rk SELECT i, (i - 30000) / 10, 'g' || i FROM generate_series(30001, 30500) i`);
  await c.query('DELETE FROM rk WHERE id % 11 = 0');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function analyze(sql: string, params: unknown[] = []): Promise<string> {
  return (await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
}

test('a keyset page reads from its key on, not from the first row of the tie before it', async () => {
  const page = 'SELECT id, created FROM rk WHERE (created, id) > ($1, $2) ORDER BY created, id LIMIT 5';
  // the sorted key tuples are built in a worker on first use
  assert.match(await analyze(page, [5, 5990]), /Index Cond: \(ROW\(created, id\) > ROW\(\$1, \$2\)\)/);
  // the Filter's nextval counts the rows read that meet the row comparison: from the key, the
  // scan's first batch (16 rows); from the tie's first row (created >= 5 alone) the batches that
  // reach past the key hold over 100 of them
  await c.query('CREATE SEQUENCE rk_read');
  const read = async () => {
    const before = Number((await c.query("SELECT nextval('rk_read') AS n")).rows[0].n);
    await c.query("SELECT id FROM rk WHERE (created, id) > ($1, $2) AND nextval('rk_read') > 0 ORDER BY created, id LIMIT 5", [5, 5990]);
    return Number((await c.query("SELECT nextval('rk_read') AS n")).rows[0].n) - before - 1;
  };
  for (let i = 0; i < 20 && (await read()) > 100; i++) await new Promise((r) => setTimeout(r, 200));
  const n = await read();
  assert.ok(n >= 5 && n <= 32, `${n} rows read for a page of 5`);
  const rows = (await c.query(page, [5, 5990])).rows.map((r) => r.id);
  assert.deepEqual(rows, [5991, 5992, 5993, 5994, 5996]); // 5995 deleted
  // backward, into the growing segment's rows of the same value
  const back = (await c.query('SELECT id FROM rk WHERE (created, id) < ($1, $2) ORDER BY created DESC, id DESC LIMIT 4', [5, 30052])).rows.map((r) => r.id);
  assert.deepEqual(back, [30051, 30050, 5999, 5998]);
});

test('pages through the whole table give every row once, in order, as a sort of all rows does', async () => {
  const all = (await c.query('SELECT id FROM rk WHERE created IS NOT NULL ORDER BY created, id')).rows.map((r) => r.id);
  const seen: number[] = [];
  let key: [number, number] = [-1, 0];
  for (;;) {
    const r = await c.query('SELECT id, created FROM rk WHERE (created, id) > ($1, $2) ORDER BY created, id LIMIT 997', key);
    if (!r.rows.length) break;
    seen.push(...r.rows.map((x) => x.id));
    const last = r.rows[r.rows.length - 1];
    key = [last.created, last.id];
  }
  assert.deepEqual(seen, all);
});

test('the same rows as a sequential scan, and zone maps skip the segments the first column excludes', async () => {
  const q = 'SELECT count(*), sum(id) FROM rk WHERE (created, id) >= ($1, $2)';
  const viaIndex = (await c.query(q, [25, 25500])).rows[0];
  await c.query('SET enable_indexscan = off');
  await c.query('SET enable_bitmapscan = off');
  try {
    const seq = (await c.query(q, [25, 25500])).rows[0];
    assert.deepEqual(viaIndex, seq);
    assert.match(await analyze('SELECT count(*) FROM rk WHERE (created, id) > (25, 25500)'), /Zone maps: 2 of 3 sealed segments skipped/);
  } finally {
    await c.query('RESET enable_indexscan');
    await c.query('RESET enable_bitmapscan');
  }
});
