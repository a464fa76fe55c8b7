/**
 * The sharded read port reads from each shard's hot standbys (a loopback cluster: 1 etcd,
 * 1 nats-server, s3rver, `--shards 2` with two data nodes a shard, no query or index node):
 * a table made and filled through the main port answers the same k-NN, count and key lookups
 * through the read port, at once (strong consistency); the shard connections of read-port
 * sessions are on the standbys (pg_is_in_recovery() pinned to each shard, the standbys'
 * pg_stat_activity); a write through the read port fails with the standby's own 25006; a
 * table made through the main port later is read on every shard (the read port follows the
 * main port's DDL); a standby killed -9 moves its shard's reads to the other node at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { waitUntil, type ManagedProcess } from '../src/cluster/local/processes.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { seededRandom } from '../bench/util.js';
import { clusterSkip } from './support/cluster-binaries.js';
import { withClientOn as withClient } from './support/server.js';
import { idsOn } from './support/shard-keys.js';

const skip = clusterSkip();
const DIM = 4;
const ROWS = 300;
const rnd = seededRandom(2718);
const vec = () => `[${Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000).join(',')}]`;
const dir = mkdtempSync(join(tmpdir(), 'quiver-shard-reads-'));
let cluster: LocalCluster | undefined;
const APP = 'shardreads-probe';

/** every query's rows, one after another */
async function answers(c: pg.Client): Promise<Record<string, unknown>[][]> {
  const out: Record<string, unknown>[][] = [];
  for (const q of QUERIES) out.push((await c.query(q)).rows);
  return out;
}

/** A session on `port` named `application` (its shard connections carry the name). */
const withNamedClient = <R>(port: number, application: string, fn: (c: pg.Client) => Promise<R>): Promise<R> => withClient(port, fn, application);

/** A key of each shard (the router's hash). */
const keyOf = (shard: number): number => idsOn(shard, 1, 2)[0]!;

async function standbyOf(shard: number): Promise<ManagedProcess> {
  const leader = await cluster!.dataLeader(shard);
  const standby = cluster!.processes().find((p) => p.role === 'data' && cluster!.shardOf(p.name) === shard && p.name !== leader?.name);
  assert.ok(leader && standby, `shard ${shard} has a leader and a standby`);
  return standby;
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: 2, dataNodes: 2, queryNodes: 0, indexNodes: 0, logLevel: 'info' });
  const values = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, '${vec()}', ${i % 7})`).join(',');
  await withClient(cluster.port, async (c) => {
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIM}), g int)`);
    await c.query(`INSERT INTO items VALUES ${values}`);
  });
  // the standbys start after the leaders (the launcher waits for leaders only): until both
  // are registered and current, the read port reads a shard from its leader
  await waitUntil('each shard\'s standby to serve the read port', async () => withClient(cluster!.readPort, async (r) => {
    for (const shard of [0, 1]) {
      if (!(await r.query(`SELECT pg_is_in_recovery() AS r FROM items WHERE id = ${keyOf(shard)}`)).rows[0].r) return false;
    }
    return true;
  }), 60_000, 250);
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const QUERIES = [
  `SELECT id FROM items ORDER BY v <-> '[0.5,0.5,0.5,0.5]' LIMIT 10`,
  'SELECT count(*)::int AS n FROM items',
  'SELECT g, count(*)::int AS n FROM items GROUP BY g ORDER BY g',
  `SELECT id, v::text, g FROM items WHERE id = ${keyOf(0)}`,
  `SELECT id, v::text, g FROM items WHERE id = ${keyOf(1)}`,
];

test('the read port answers as the main port, from each shard\'s standby, and a write acknowledged on the main port is read at once', { skip, timeout: 120_000 }, async () => {
  const main = await withClient(cluster!.port, answers);
  assert.equal(main[1]![0]!.n, ROWS);
  await withNamedClient(cluster!.readPort, APP, async (r) => {
    for (const [i, q] of QUERIES.entries()) assert.deepEqual((await r.query(q)).rows, main[i], q);
    // each shard's statements run on a standby
    for (const shard of [0, 1]) {
      const { rows } = await r.query(`SELECT pg_is_in_recovery() AS r FROM items WHERE id = ${keyOf(shard)}`);
      assert.deepEqual(rows, [{ r: true }], `shard ${shard} is read on a standby`);
    }
    // this session's shard connections (its application_name) are on the standbys, none on a leader
    for (const shard of [0, 1]) {
      const leader = (await cluster!.dataLeader(shard))!;
      const standby = await standbyOf(shard);
      const count = (port: number) => withClient(port, async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = '${APP}'`)).rows[0].n as number);
      assert.equal(await count(standby.port), 1, `shard ${shard}'s standby serves the session`);
      assert.equal(await count(leader.port), 0, `shard ${shard}'s leader does not`);
    }
    // strong consistency: acknowledged on the main port, read at once on the read port
    for (let i = 0; i < 5; i++) {
      const id = 10_000 + i;
      await withClient(cluster!.port, (c) => c.query(`INSERT INTO items VALUES (${id}, '[1,1,1,1]', 99)`));
      assert.deepEqual((await r.query(`SELECT id, g FROM items WHERE id = ${id}`)).rows, [{ id, g: 99 }]);
      assert.equal((await r.query('SELECT count(*)::int AS n FROM items')).rows[0].n, ROWS + i + 1);
    }
    assert.deepEqual((await r.query('SHOW quiver.consistency')).rows, [{ 'quiver.consistency': 'strong' }]);
    // each shard connection follows the session's quiver.consistency
    await r.query(`SET quiver.consistency = 'eventually'`);
    for (const shard of [0, 1]) {
      assert.deepEqual((await r.query(`SELECT current_setting('quiver.consistency') AS c, pg_is_in_recovery() AS r FROM items WHERE id = ${keyOf(shard)}`)).rows,
        [{ c: 'eventually', r: true }], `shard ${shard}'s standby connection`);
    }
    await r.query('RESET quiver.consistency');
    assert.deepEqual((await r.query(`SELECT current_setting('quiver.consistency') AS c FROM items WHERE id = ${keyOf(1)}`)).rows, [{ c: 'strong' }]);
  });
});

test('a write through the read port fails with the standby\'s 25006', { skip, timeout: 60_000 }, async () => {
  await withClient(cluster!.readPort, async (r) => {
    for (const shard of [0, 1]) {
      await assert.rejects(r.query(`INSERT INTO items VALUES (${20_000 + keyOf(shard)}, '[0,0,0,0]', 1)`), (e: pg.DatabaseError) => {
        assert.equal(e.code, '25006');
        assert.equal(e.message, 'cannot execute INSERT in a read-only transaction');
        return true;
      });
    }
    await assert.rejects(r.query(`UPDATE items SET g = 5 WHERE id = ${keyOf(1)}`), (e: pg.DatabaseError) => e.code === '25006' && e.message === 'cannot execute UPDATE in a read-only transaction');
    // the session goes on reading
    assert.equal((await r.query('SELECT count(*)::int AS n FROM items')).rows[0].n > 0, true);
  });
});

test('DDL through the main port: the read port reads its catalog again (a table made after its first statement is read on every shard)', { skip, timeout: 60_000 }, async () => {
  await withClient(cluster!.readPort, async (r) => {
    assert.ok((await r.query('SELECT count(*)::int AS n FROM items')).rows[0].n > 0, 'the read port has its catalog');
    await withClient(cluster!.port, async (c) => {
      await c.query('CREATE TABLE later (id int PRIMARY KEY, note text)');
      await c.query(`INSERT INTO later VALUES ${Array.from({ length: 20 }, (_, i) => `(${i + 1}, 'n${i + 1}')`).join(',')}`);
    });
    assert.deepEqual((await r.query('SELECT count(*)::int AS n FROM later')).rows, [{ n: 20 }], 'both shards\' rows, this session');
    assert.deepEqual((await r.query(`SELECT note FROM later WHERE id = ${keyOf(1)}`)).rows, [{ note: `n${keyOf(1)}` }]);
    await withClient(cluster!.readPort, async (n) => assert.deepEqual((await n.query('SELECT count(*)::int AS n FROM later')).rows, [{ n: 20 }], 'a new session'));
  });
});

test('a standby killed -9: the read port reads that shard from the other node at once', { skip, timeout: 60_000 }, async () => {
  const expected = await withClient(cluster!.port, answers);
  await withClient(cluster!.readPort, async (r) => {
    assert.deepEqual((await r.query(`SELECT pg_is_in_recovery() AS r FROM items WHERE id = ${keyOf(1)}`)).rows, [{ r: true }]);
    const standby = await standbyOf(1);
    const t0 = Date.now();
    standby.child.kill('SIGKILL');
    await standby.exited;
    // this session (its shard 1 connection gone with the standby) and a new one read shard 1 on its leader now
    const fresh = (c: pg.Client) => c.query(`SELECT pg_is_in_recovery() AS r FROM items WHERE id = ${keyOf(1)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual((await fresh(r)).rows, [{ r: false }], 'the old session reads shard 1 on its leader');
    await withClient(cluster!.readPort, async (n) => {
      assert.deepEqual((await fresh(n)).rows, [{ r: false }], 'a new session reads shard 1 on its leader');
      assert.deepEqual((await n.query(`SELECT pg_is_in_recovery() AS r FROM items WHERE id = ${keyOf(0)}`)).rows, [{ r: true }], 'shard 0 still on its standby');
      for (const [i, q] of QUERIES.entries()) assert.deepEqual((await n.query(q)).rows, expected[i], q);
    });
    const ms = Date.now() - t0;
    assert.ok(ms < 5_000, `answered within the dead standby's lease (${ms} ms)`);
  });
});
