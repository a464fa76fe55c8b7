/**
 * The WAL position functions on a hot standby (cluster mode, a loopback cluster with two data
 * nodes: the leader and one standby), as PostgreSQL's: pg_current_wal_lsn() is 55000
 * `recovery is in progress` there, pg_last_wal_receive_lsn() / pg_last_wal_replay_lsn() are
 * the position of the newest commit it applied — the leader's pg_current_wal_lsn() once it
 * has caught up — and they are NULL on the leader.
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
const dir = mkdtempSync(join(tmpdir(), 'quiver-standby-lsn-'));
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

test('a hot standby refuses pg_current_wal_lsn() and replays to the leader\'s position', { skip, timeout: 90_000 }, async () => {
  const c = cluster!;
  const leader = (await c.dataLeader())!;
  const standby = [...c.nodes.values()].find((p) => p.role === 'data' && p !== leader)!;
  const w = await client(leader.port);
  await w.query('CREATE TABLE wl (k int PRIMARY KEY)');
  for (let i = 1; i <= 5; i++) await w.query('INSERT INTO wl VALUES ($1)', [i]);
  const lsnOnLeader = (await w.query('SELECT pg_current_wal_lsn()::text AS l, pg_last_wal_receive_lsn() AS r, pg_last_wal_replay_lsn() AS p')).rows[0];
  assert.equal(lsnOnLeader.r, null);
  assert.equal(lsnOnLeader.p, null);
  // the standby listens once it has caught up: retry the connection until then
  let s: pg.Client | undefined;
  for (let i = 0; i < 120 && !s; i++) {
    try {
      s = await client(standby.port);
      if ((await s.query('SELECT pg_is_in_recovery() AS r')).rows[0].r !== true) throw new Error('not a standby yet');
    } catch {
      await s?.end().catch(() => {});
      s = undefined;
      await new Promise((res) => setTimeout(res, 250));
    }
  }
  assert.ok(s, 'the standby accepts sessions');
  try {
    await assert.rejects(s.query('SELECT pg_current_wal_lsn()'), (e: { code?: string; message?: string; hint?: string }) => {
      assert.equal(e.code, '55000');
      assert.equal(e.message, 'recovery is in progress');
      assert.equal(e.hint, 'WAL control functions cannot be executed during recovery.');
      return true;
    });
    // the standby applies the leader's commits: its replay position reaches the leader's
    let replay = '';
    for (let i = 0; i < 100; i++) {
      const r: { r: string; p: string } = (await s.query('SELECT pg_last_wal_receive_lsn()::text AS r, pg_last_wal_replay_lsn()::text AS p')).rows[0];
      assert.equal(r.r, r.p);
      replay = r.p;
      if (replay === lsnOnLeader.l) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(replay, lsnOnLeader.l);
    await w.query('INSERT INTO wl VALUES (6)');
    const next = (await w.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
    assert.notEqual(next, lsnOnLeader.l);
    for (let i = 0; i < 100 && replay !== next; i++) {
      replay = (await s.query('SELECT pg_last_wal_replay_lsn()::text AS p')).rows[0].p;
      if (replay !== next) await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(replay, next);
  } finally {
    await s.end();
    await w.end();
  }
});
