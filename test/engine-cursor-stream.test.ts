/**
 * A NO SCROLL cursor streams (src/engine/cursors.ts): FETCH pulls rows from the running
 * plan instead of DECLARE computing the whole result. It reads DECLARE's snapshot, each
 * FETCH runs under its own cancel and statement_timeout, and the plan's resources (temp
 * files of a spilling sort) go when the cursor closes, with its transaction or with the
 * connection. Forward-only answers are in sql-tests/cursors_no_scroll.sql.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver({ args: ['--query-workers', '0'] });
});

after(async () => {
  await server?.stop();
});

function client(): Promise<pg.Client> {
  return connectClient(server, 'postgres');
}

const tempFiles = (): string[] => readdirSync(join(server.dataDir, 'tmp'));
const ids = (r: pg.QueryResult): number[] => r.rows.map((x) => Number(Object.values(x)[0]));

test('FETCH pulls from the running plan: a result far too big to compute is read 100 rows at a time', async () => {
  const c = await client();
  try {
    await c.query('BEGIN');
    // 10^11 rows: computed at DECLARE this would fail (54000) or run for hours
    await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT x FROM generate_series(1, 100000000000) x');
    assert.deepEqual(ids(await c.query('FETCH 100 FROM c')), Array.from({ length: 100 }, (_, i) => i + 1));
    assert.deepEqual(ids(await c.query('FETCH 3 FROM c')), [101, 102, 103]);
    await c.query('MOVE FORWARD 5000 FROM c');
    assert.deepEqual(ids(await c.query('FETCH NEXT FROM c')), [5104]);
    await c.query('CLOSE c');
    await c.query('COMMIT');
  } finally {
    await c.end();
  }
});

test('a streaming cursor reads the snapshot of its DECLARE', async () => {
  const c = await client();
  const other = await client();
  try {
    await c.query('CREATE TABLE cs_t (id int)');
    await c.query('INSERT INTO cs_t SELECT g FROM generate_series(1, 10) g');
    await c.query('BEGIN');
    await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT id FROM cs_t');
    assert.deepEqual(ids(await c.query('FETCH 2 FROM c')), [1, 2]);
    await other.query('INSERT INTO cs_t SELECT g FROM generate_series(11, 15) g');
    await other.query('DELETE FROM cs_t WHERE id = 5');
    assert.deepEqual(ids(await c.query('FETCH ALL FROM c')), [3, 4, 5, 6, 7, 8, 9, 10]);
    await c.query('COMMIT');
  } finally {
    await c.query('DROP TABLE IF EXISTS cs_t').catch(() => {});
    await c.end();
    await other.end();
  }
});

test('each FETCH has its own statement_timeout; the failed FETCH fails the block', async () => {
  const c = await client();
  try {
    await c.query('BEGIN');
    await c.query('DECLARE c NO SCROLL CURSOR FOR SELECT x FROM generate_series(1, 100000000000) x WHERE x < 0');
    await c.query("SET LOCAL statement_timeout = '300ms'");
    const t0 = performance.now();
    await assert.rejects(c.query('FETCH 1 FROM c'), (e: Error & { code?: string }) => {
      assert.equal(e.code, '57014');
      assert.equal(e.message, 'canceling statement due to statement timeout');
      return true;
    });
    assert.ok(performance.now() - t0 < 3000);
    await assert.rejects(c.query('FETCH 1 FROM c'), (e: Error & { code?: string }) => e.code === '25P02');
    await c.query('ROLLBACK');
    await assert.rejects(c.query('FETCH 1 FROM c'), (e: Error & { code?: string }) => e.code === '34000');
  } finally {
    await c.end();
  }
});

test('a cursor over a spilling sort keeps its temp files while open; CLOSE, COMMIT or the connection\'s end removes them', async () => {
  const sql = 'SELECT x, md5(x::text) FROM generate_series(1, 100000) x ORDER BY md5(x::text)';
  const ends: [string, (c: pg.Client) => Promise<void>][] = [
    ['CLOSE', async (c) => { await c.query('CLOSE c'); await c.query('COMMIT'); }],
    ['COMMIT', async (c) => { await c.query('COMMIT'); }],
    ['disconnect', async (c) => { await c.end(); }],
  ];
  for (const [how, end] of ends) {
    const c = await client();
    try {
      await c.query("SET work_mem = '64kB'");
      const expected = (await c.query({ text: `${sql} LIMIT 5 OFFSET 50000`, rowMode: 'array' })).rows;
      await c.query('BEGIN');
      await c.query(`DECLARE c NO SCROLL CURSOR FOR ${sql}`);
      await c.query('MOVE 50000 FROM c');
      assert.deepEqual((await c.query({ text: 'FETCH 5 FROM c', rowMode: 'array' })).rows, expected, how);
      assert.ok(tempFiles().length > 0, `${how}: the sort did not spill`);
      await end(c);
      for (let i = 0; i < 40 && tempFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.deepEqual(tempFiles(), [], `${how}: temp files left`);
    } finally {
      await c.end().catch(() => {});
    }
  }
});
