/**
 * An expression B-tree index on a hot standby (cluster mode, a loopback cluster with two
 * data nodes): the standby's storage rebuilds the key from the leader's manifest and gets its
 * function from the leader's catalog image, whichever comes first, and keeps it when a seal or
 * compaction on the leader rebuilds the table's state there, so a read on the standby through
 * the index finds the rows written on the leader, also those written after the index.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { clusterSkip } from './support/cluster-binaries.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';

const skip = clusterSkip();
const dir = mkdtempSync(join(tmpdir(), 'quiver-standby-exprindex-'));
let cluster: LocalCluster | undefined;

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
  c.on('error', () => {});
  await c.connect();
  return c;
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, dataNodes: 2, queryNodes: 0, indexNodes: 0, logLevel: 'warn' });
}, { timeout: 120_000 });

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a hot standby reads through an expression index the leader created', { skip, timeout: 90_000 }, async () => {
  const c = cluster!;
  const leader = (await c.dataLeader())!;
  const standby = [...c.nodes.values()].find((p) => p.role === 'data' && p !== leader)!;
  const w = await client(c.port);
  // a standby listens once it has caught up with the log
  let r: pg.Client | undefined;
  for (let i = 0; i < 150 && !r; i++) r = await client(standby.port).catch(async () => void await new Promise((res) => setTimeout(res, 200)));
  assert.ok(r, 'the standby listens');
  try {
    await w.query('CREATE TABLE xs_users (id int PRIMARY KEY, email text)');
    await w.query("INSERT INTO xs_users SELECT g, 'User' || g || '@X.com' FROM generate_series(1, 2000) g");
    await w.query('CREATE UNIQUE INDEX xs_users_lower ON xs_users (lower(email))');
    await w.query("INSERT INTO xs_users VALUES (5000, 'Late@X.com')");
    await w.query('ANALYZE xs_users');
    const find = async (email: string) => {
      for (let i = 0; i < 100; i++) {
        const plan = (await r!.query(`EXPLAIN SELECT id FROM xs_users WHERE lower(email) = '${email}'`).catch(() => ({ rows: [] }))).rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN']);
        const rows = plan.length ? (await r!.query(`SELECT id FROM xs_users WHERE lower(email) = '${email}'`)).rows : [];
        if (plan[0]?.startsWith('Index Scan using xs_users_lower') && rows.length) return rows.map((x: { id: number }) => x.id);
        await new Promise((res) => setTimeout(res, 200));
      }
      return undefined;
    };
    assert.deepEqual(await find('user42@x.com'), [42]);
    assert.deepEqual(await find('late@x.com'), [5000]);
    await w.query("INSERT INTO xs_users VALUES (5001, 'Later@X.com')");
    assert.deepEqual(await find('later@x.com'), [5001]);
    // a seal on the leader: the standby rebuilds the table's state from the new manifest, keys included
    await w.query('CHECKPOINT');
    await w.query("DELETE FROM xs_users WHERE id <= 1500");
    await w.query('VACUUM xs_users');
    await w.query("INSERT INTO xs_users VALUES (5002, 'Last@X.com')");
    assert.deepEqual(await find('last@x.com'), [5002]);
    assert.deepEqual(await find('user1999@x.com'), [1999]);
    assert.deepEqual(await find('later@x.com'), [5001]);
  } finally {
    await w.end();
    await r!.end();
  }
});
