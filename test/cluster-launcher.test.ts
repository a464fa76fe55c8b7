/**
 * The local cluster launcher's bookkeeping, without data nodes (the whole cluster is
 * cluster-failover.test.ts'): etcd, JetStream, s3rver and the proxy start and are listed in
 * cluster.json with live pids and listening ports; a second launcher on the same directory
 * is refused; the proxy routes to whoever leads election `data` in the cluster's etcd, and
 * follows a change of leader;
 * stop() leaves none of the processes alive, and a start on the same directory finds the
 * same infrastructure again; a node that fails to start stops the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Etcd3 } from 'etcd3';
import { startLocalCluster } from '../src/cluster/launcher.js';
import { listening } from '../src/cluster/local/processes.js';
import { selectOne } from '../src/cluster/local/sql-probe.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import type { Coordinator } from '../src/cluster/coordinator.js';
import { startQuiver, type QuiverServer } from './support/server.js';

interface Listed { role: string; name: string; pid: number; port: number; log: string }

const readListed = (dir: string) => JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { stopped?: boolean; processes: Listed[] };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('infrastructure and proxy are listed with live pids, route to the data leader as it changes, and all stop', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-cluster-'));
  const t0 = Date.now();
  const cluster = await startLocalCluster({ dir, nodes: 3, dataNodes: 0, queryNodes: 0, indexNodes: 0, logLevel: 'warn' });
  const startMs = Date.now() - t0;
  let listed: Listed[] = [];
  let server: QuiverServer | undefined;
  let next: QuiverServer | undefined;
  let candidate: Coordinator | undefined;
  let nextCandidate: Coordinator | undefined;
  try {
    listed = readListed(dir).processes;
    const count = (role: string) => listed.filter((p) => p.role === role).length;
    assert.deepEqual([count('etcd'), count('nats'), count('s3'), count('proxy'), count('data')], [3, 3, 1, 1, 0]);
    assert.deepEqual(listed.map((p) => p.pid).sort(), cluster.processes().map((p) => p.pid).sort());
    assert.equal(new Set(listed.map((p) => p.port)).size, listed.length);
    for (const p of listed) {
      assert.ok(alive(p.pid), `${p.name} (pid ${p.pid}) is alive`);
      assert.ok(await listening(p.port), `${p.name} listens on ${p.port}`);
      assert.ok(existsSync(join(dir, 'logs', `${p.name}.log`)), `${p.name}'s log is in logs/`);
    }
    assert.equal(listed.find((p) => p.role === 'proxy')!.port, cluster.port);

    // the nodes log in to etcd as their own user, read-write on Quiver's keys only (root is the launcher's)
    const proxyEnv = readFileSync(`/proc/${listed.find((p) => p.role === 'proxy')!.pid}/environ`, 'utf8').split('\0');
    assert.ok(proxyEnv.includes('QUIVER_ETCD_USER=quiver'), 'the proxy logs in to etcd as "quiver"');
    assert.ok(!proxyEnv.includes(`QUIVER_ETCD_PASSWORD=${cluster.etcd.auth!.password}`), 'the proxy has not root\'s password');
    const asNode = new Etcd3({ hosts: [...cluster.etcd.endpoints], auth: { username: cluster.etcd.nodeAuth!.username, password: cluster.etcd.nodeAuth!.password } });
    try {
      await asNode.put('quiver/launcher-test').value('yes');
      assert.equal(await asNode.get('quiver/launcher-test').string(), 'yes');
      await asNode.delete().key('quiver/launcher-test');
      await assert.rejects(asNode.put('elsewhere/key').value('no').exec(), /permission denied/);
      await assert.rejects(asNode.get('elsewhere/key').string(), /permission denied/);
      await assert.rejects(asNode.user('intruder').create('pw-of-the-intruder'), /permission denied/);
    } finally {
      asNode.close();
    }

    await assert.rejects(startLocalCluster({ dir, nodes: 1, dataNodes: 0, queryNodes: 0, indexNodes: 0 }), /still runs/);

    // a standalone server stands in for the data leader: the proxy follows the election
    server = await startQuiver();
    candidate = await openEtcdCoordinator({ endpoints: cluster.etcd.endpoints, auth: cluster.etcd.auth });
    const leadership = await candidate.campaign('data', `127.0.0.1:${server.port}`);
    await candidate.put('kept', 'across restarts');
    await selectOne('127.0.0.1', cluster.port, 10_000);
    const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query('CREATE TABLE made_through_the_proxy (x int)');
    await c.end();
    const direct = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
    await direct.connect();
    assert.equal((await direct.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'made_through_the_proxy'`)).rows[0].n, 1);
    await direct.end();
    assert.deepEqual((await candidate.nodes('proxy')).map((n) => n.address), [`127.0.0.1:${cluster.port}`]);

    // the leader resigns, a standby is elected: open sessions end, new ones reach it
    next = await startQuiver();
    nextCandidate = await openEtcdCoordinator({ endpoints: cluster.etcd.endpoints, auth: cluster.etcd.auth });
    const elected = nextCandidate.campaign('data', `127.0.0.1:${next.port}`);
    const old = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
    await old.connect();
    const ended = new Promise<void>((resolve) => old.once('error', () => resolve()).once('end', () => resolve()));
    await leadership.resign();
    await elected;
    await ended;
    const fresh = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
    await fresh.connect();
    assert.equal((await fresh.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'made_through_the_proxy'`)).rows[0].n, 0);
    await fresh.end();
  } finally {
    await nextCandidate?.close();
    await candidate?.close();
    await Promise.all([server?.stop(), next?.stop()]);
    const t1 = Date.now();
    await cluster.stop();
    console.log(`started in ${startMs} ms, stopped in ${Date.now() - t1} ms`);
  }
  for (const p of listed) assert.ok(!alive(p.pid), `${p.name} (pid ${p.pid}) has exited`);
  assert.equal(readListed(dir).stopped, true);

  // started again on the same directory: the same ports (etcd's members know their peers
  // by them), the same metadata; another member count is refused up front
  await assert.rejects(startLocalCluster({ dir, nodes: 1, dataNodes: 0, queryNodes: 0, indexNodes: 0 }), /--nodes 3/);
  const again = await startLocalCluster({ dir, nodes: 3, dataNodes: 0, queryNodes: 0, indexNodes: 0, logLevel: 'warn' });
  let reader: Coordinator | undefined;
  try {
    assert.deepEqual(again.etcd.endpoints, cluster.etcd.endpoints);
    assert.deepEqual(again.nats.urls, cluster.nats.urls);
    reader = await openEtcdCoordinator({ endpoints: again.etcd.endpoints, auth: again.etcd.auth });
    assert.equal(await reader.get('kept'), 'across restarts');
  } finally {
    await reader?.close();
    await again.stop();
  }
  for (const p of readListed(dir).processes) assert.ok(!alive(p.pid), `${p.name} (pid ${p.pid}) has exited`);
  await rm(dir, { recursive: true, force: true });
});

test('a node that fails to start stops the rest, and the reason names it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-cluster-'));
  const failing = join(dir, 'fails.mjs');
  writeFileSync(failing, "console.error('unknown option --role'); process.exit(3);\n");
  await assert.rejects(startLocalCluster({ dir, nodes: 1, dataNodes: 0, queryNodes: 0, indexNodes: 0, entry: failing }),
    (e: Error) => /proxy-1 exited \(3\)/.test(e.message) && /unknown option --role/.test(e.message));
  const listed = readListed(dir);
  assert.equal(listed.stopped, true);
  assert.deepEqual(listed.processes.map((p) => p.role).sort(), ['etcd', 'nats', 'proxy', 's3']);
  for (const p of listed.processes) assert.ok(!alive(p.pid), `${p.name} (pid ${p.pid}) has exited`);
  await rm(dir, { recursive: true, force: true });
});
