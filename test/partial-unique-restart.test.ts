/**
 * A partial UNIQUE index survives a kill -9 and restart: storage recovers its key before the
 * engine gives the WHERE's test back (attachKeyPredicates), and indexes the rows then. After
 * the restart uniqueness still holds among the rows meeting the WHERE only — in sealed
 * segments and the replayed log — and a lookup of the key column still finds every row.
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

test('a partial unique index is enforced among its rows only after a kill -9 and restart', { timeout: 60_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-partialunique-'));
  // a small seal threshold: most rows are in sealed segments
  const env = { QUIVER_SEAL_THRESHOLD_BYTES: '16384' };
  const first = await startQuiver({ dataDir, env });
  started.push(first);
  let c = await client(first);
  await c.query('CREATE TABLE pur_accounts (id int PRIMARY KEY, handle int, deleted_at date)');
  // handles 1..1000 live once, and each also twice deleted
  await c.query("INSERT INTO pur_accounts SELECT g, (g - 1) % 1000 + 1, CASE WHEN g > 1000 THEN date '2020-01-01' END FROM generate_series(1, 3000) g");
  await c.query('CREATE UNIQUE INDEX pur_live_handle ON pur_accounts (handle) WHERE deleted_at IS NULL');
  await c.query('INSERT INTO pur_accounts VALUES (5000, 5000, NULL)');
  await c.end();
  await first.crash();

  const second = await startQuiver({ dataDir, env });
  started.push(second);
  c = await client(second);
  try {
    for (const [sql, key] of [['INSERT INTO pur_accounts VALUES (9001, 7, NULL)', 7], ['INSERT INTO pur_accounts VALUES (9002, 5000, NULL)', 5000]] as const) {
      const e = await sqlError(c.query(sql));
      assert.equal(e.code, '23505');
      assert.equal(e.detail, `Key (handle)=(${key}) already exists.`);
    }
    // a deleted row is outside the index: no conflict
    await c.query("INSERT INTO pur_accounts VALUES (9003, 7, date '2021-01-01')");
    // reviving a deleted row whose handle is live again conflicts; after deleting the live one it does not
    const e = await sqlError(c.query('UPDATE pur_accounts SET deleted_at = NULL WHERE id = 1001'));
    assert.equal(e.code, '23505');
    await c.query("UPDATE pur_accounts SET deleted_at = date '2022-01-01' WHERE id = 1");
    await c.query('UPDATE pur_accounts SET deleted_at = NULL WHERE id = 1001');
    const upsert = await c.query("INSERT INTO pur_accounts VALUES (9004, 1, NULL) ON CONFLICT (handle) WHERE deleted_at IS NULL DO UPDATE SET id = 9999 RETURNING id");
    assert.deepEqual(upsert.rows, [{ id: 9999 }]);
    assert.deepEqual((await c.query('SELECT id FROM pur_accounts WHERE handle = 1 ORDER BY id')).rows.map((r: { id: number }) => r.id), [1, 2001, 9999]);
  } finally {
    await c.end();
  }
});
