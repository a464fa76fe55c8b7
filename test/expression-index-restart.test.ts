/**
 * An expression B-tree index survives a restart (kill -9): storage recovers its key before
 * the engine gives the key's function back, and indexes the rows then (attachKeyFunctions).
 * After the restart the unique expression index still refuses duplicates (rows from the
 * replayed log and rows inserted after it) and equality on the expression is still an
 * Index Scan through it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlError } from './support/shard-keys.js';
import { connectClient as client, startQuiver, type QuiverServer } from './support/server.js';

const started: QuiverServer[] = [];
let dataDir: string | undefined;
after(async () => {
  for (const s of started) await s.stop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});


test('a unique expression index is enforced and used after a kill -9 and restart', { timeout: 60_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-exprindex-'));
  // a small seal threshold: most rows are in sealed segments (whose key order is made when first read)
  const env = { QUIVER_SEAL_THRESHOLD_BYTES: '16384' };
  const first = await startQuiver({ dataDir, env });
  started.push(first);
  let c = await client(first);
  await c.query('CREATE TABLE xr_users (id int PRIMARY KEY, email text)');
  await c.query("INSERT INTO xr_users SELECT g, 'User' || g || '@X.com' FROM generate_series(1, 3000) g");
  await c.query('CREATE UNIQUE INDEX xr_users_lower ON xr_users (lower(email))');
  await c.query("INSERT INTO xr_users VALUES (5000, 'Late@X.com')");
  await c.query('ANALYZE xr_users');
  await c.end();
  await first.crash();

  const second = await startQuiver({ dataDir, env });
  started.push(second);
  c = await client(second);
  try {
    for (const [sql, key] of [
      ["INSERT INTO xr_users VALUES (9001, 'USER7@x.COM')", 'user7@x.com'],
      ["INSERT INTO xr_users VALUES (9002, 'late@x.com')", 'late@x.com'],
    ]) {
      const e = await sqlError(c.query(sql));
      assert.equal(e.code, '23505');
      assert.equal(e.detail, `Key (lower(email))=(${key}) already exists.`);
    }
    await c.query("INSERT INTO xr_users VALUES (9003, 'New@X.com')");
    const e = await sqlError(c.query("UPDATE xr_users SET email = 'NEW@x.com' WHERE id = 1"));
    assert.equal(e.code, '23505');
    const plan = (await c.query("EXPLAIN SELECT id FROM xr_users WHERE lower(email) = 'user42@x.com'")).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']);
    assert.match(plan[0], /^Index Scan using xr_users_lower on xr_users/);
    assert.equal(plan[1].trim(), "Index Cond: (lower(email) = 'user42@x.com'::text)");
    assert.deepEqual((await c.query("SELECT id FROM xr_users WHERE lower(email) = 'user42@x.com'")).rows, [{ id: 42 }]);
    assert.deepEqual((await c.query("SELECT id FROM xr_users WHERE lower(email) = 'new@x.com'")).rows, [{ id: 9003 }]);
    // ORDER BY the expression: the index's order over sealed segments, the growing one and the
    // transaction's own rows, the same rows as the Top-K sort gives with index scans off
    await c.query("DELETE FROM xr_users WHERE id % 7 = 0");
    await c.query('BEGIN');
    await c.query("INSERT INTO xr_users VALUES (9004, 'AAA@x.com'), (9005, NULL)");
    for (const order of ['', ' DESC']) {
      const sql = `SELECT id FROM xr_users ORDER BY lower(email)${order} LIMIT 40`;
      const plan = (await c.query(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']);
      assert.match(plan[1], /Index Scan (Backward )?using xr_users_lower on xr_users/);
      const viaIndex = (await c.query(sql)).rows;
      await c.query('SET LOCAL enable_indexscan = off');
      const sorted = (await c.query(sql)).rows;
      await c.query('SET LOCAL enable_indexscan = on');
      assert.deepEqual(viaIndex, sorted);
      assert.equal(viaIndex.length, 40);
    }
    // a range on the key: a Bitmap Heap Scan over the sealed segments' key order, the rows a Seq Scan finds
    const range = "SELECT id FROM xr_users WHERE lower(email) >= 'user12' AND lower(email) < 'user13' ORDER BY id";
    const bitmapPlan = (await c.query(`EXPLAIN ${range}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    assert.match(bitmapPlan, /Bitmap Index Scan on xr_users_lower/);
    const viaBitmap = (await c.query(range)).rows;
    await c.query('SET LOCAL enable_bitmapscan = off');
    assert.deepEqual((await c.query(range)).rows, viaBitmap);
    assert.ok(viaBitmap.some((r: { id: number }) => r.id === 9004) === false && viaBitmap.length > 50, `${viaBitmap.length} rows`);
    await c.query('ROLLBACK');
  } finally {
    await c.end();
  }
});
