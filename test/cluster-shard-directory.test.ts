/**
 * The ShardDirectory on etcd (one loopback member): it follows each shard's election
 * (`data-<K>`; `data` unsharded), so leader changes of one shard are seen as that shard's,
 * waitLeader waits for the next leader and fails with 57P03 when none comes in time; and
 * the cluster's shard count is recorded once, by the first node, and a different count
 * is refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { etcdSkip } from './support/cluster-binaries.js';
import { startEtcdCluster, type EtcdCluster } from '../src/cluster/local/etcd.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import type { Coordinator } from '../src/cluster/coordinator.js';
import { agreeOnShardCount, dataElection, shardStream, ShardCountMismatch } from '../src/cluster/data-role.js';
import { openEtcdShardDirectory } from '../src/cluster/etcd-shard-directory.js';
import type { ShardDirectory } from '../src/cluster/shard-directory.js';

const skip = etcdSkip();
const dir = mkdtempSync(join(tmpdir(), 'quiver-shard-dir-'));
let etcd: EtcdCluster | undefined;
const open: Coordinator[] = [];
let nextPrefix = 0;

/** A coordinator under a prefix of its own per test (`prefix`: share one test's cluster). */
async function coordinator(prefix: string): Promise<Coordinator> {
  const c = await openEtcdCoordinator({ endpoints: [...etcd!.endpoints], prefix, leaseTtlSeconds: 2 });
  open.push(c);
  return c;
}

const freshPrefix = () => `shard-dir-${nextPrefix++}/`;

before(async () => {
  if (!skip) etcd = await startEtcdCluster(join(dir, 'etcd'), 1);
});

after(async () => {
  for (const c of open) await c.close().catch(() => {});
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('shard names: N = 1 keeps today\'s stream and election, N > 1 names them per shard', () => {
  assert.equal(dataElection(0, 1), 'data');
  assert.equal(shardStream('quiver', 0, 1), 'quiver');
  assert.equal(dataElection(1, 2), 'data-1');
  assert.equal(shardStream('quiver', 1, 2), 'quiver-s1');
  assert.equal(shardStream('quiver', 0, 2), 'quiver-s0');
});

test('the shard count is recorded by the first node; another count is refused, the same one accepted', { skip, timeout: 60_000 }, async () => {
  const prefix = freshPrefix();
  const [a, b] = [await coordinator(prefix), await coordinator(prefix)];
  // two nodes starting at once: one records, the other finds its value
  const [x, y] = await Promise.all([a.putIfAbsent('race', 'from a'), b.putIfAbsent('race', 'from b')]);
  assert.equal(x, y);
  assert.ok(x === 'from a' || x === 'from b');
  assert.equal(await a.get('race'), x);

  await agreeOnShardCount(a, 2);
  await agreeOnShardCount(b, 2);
  await assert.rejects(agreeOnShardCount(b, 1), (e: Error) => e instanceof ShardCountMismatch && /this cluster has 2 shards .*--shards 1: start it with --shards 2/.test(e.message));
  assert.equal(await a.get('shards'), '2');
  await assert.rejects(openEtcdShardDirectory(b, { shards: 3 }), ShardCountMismatch);
  // without a count of its own the directory takes the recorded one
  const directory = await openEtcdShardDirectory(b);
  assert.equal(directory.shards, 2);
  await directory.close();
  // nothing recorded and no count given: an error, not a guess
  await assert.rejects(openEtcdShardDirectory(await coordinator(freshPrefix())), /not recorded/);
});

test('each shard\'s leader is followed on its own election; waitLeader waits, then fails with 57P03', { skip, timeout: 60_000 }, async () => {
  const prefix = freshPrefix();
  const router = await coordinator(prefix);
  const directory: ShardDirectory = await openEtcdShardDirectory(router, { shards: 2 });
  const seen: [number, string | undefined][] = [];
  const unsubscribe = directory.onChange((shard, address) => seen.push([shard, address]));
  try {
    assert.equal(directory.shards, 2);
    assert.equal(directory.leader(0), undefined);
    assert.equal(directory.leader(1), undefined);

    // no leader within the wait: PostgreSQL's "not accepting connections", naming the shard
    const t0 = Date.now();
    await assert.rejects(directory.waitLeader(1, 300), (e: { code?: string; message: string; fields?: { detail?: string } }) =>
      e.code === '57P03' && /not accepting connections/.test(e.message) && e.fields?.detail === 'Shard 1 has no leader.');
    assert.ok(Date.now() - t0 >= 290, 'it waited');
    await assert.rejects(directory.waitLeader(2, 100), { code: '57P03' });

    // a wait that begins before the election ends with its leader
    const waiting = directory.waitLeader(1, 10_000);
    const s1a = await coordinator(prefix);
    const lead1a = await s1a.campaign('data-1', '127.0.0.1:7101');
    assert.equal(await waiting, '127.0.0.1:7101');
    assert.equal(directory.leader(1), '127.0.0.1:7101');
    assert.equal(directory.leader(0), undefined, 'shard 1\'s leader is not shard 0\'s');
    // a known leader answers at once
    assert.equal(await directory.waitLeader(1, 0), '127.0.0.1:7101');

    const s0 = await coordinator(prefix);
    await s0.campaign('data-0', '127.0.0.1:7001');
    await until(() => directory.leader(0) === '127.0.0.1:7001', 'shard 0\'s leader');

    // shard 1's leader resigns with a standby waiting: the standby is seen leading, shard 0 unchanged
    const s1b = await coordinator(prefix);
    const standby = s1b.campaign('data-1', '127.0.0.1:7102');
    const raw = new Etcd3({ hosts: [...etcd!.endpoints] });
    try {
      await untilAsync(async () => (await raw.getAll().prefix(`${prefix}election/data-1/`).keys()).length === 2, 'the standby\'s candidacy');
    } finally {
      raw.close();
    }
    await lead1a.resign();
    await standby;
    await until(() => directory.leader(1) === '127.0.0.1:7102', 'shard 1\'s standby to lead');
    assert.equal(directory.leader(0), '127.0.0.1:7001');

    // the last leader of shard 1 goes: no leader, and a wait fails again
    await s1b.close();
    await until(() => directory.leader(1) === undefined, 'shard 1 without a leader');
    await assert.rejects(directory.waitLeader(1, 200), { code: '57P03' });

    const ofShard = (k: number) => seen.filter(([s]) => s === k).map(([, a]) => a);
    assert.deepEqual(ofShard(1), ['127.0.0.1:7101', '127.0.0.1:7102', undefined]);
    assert.deepEqual(ofShard(0), ['127.0.0.1:7001']);
  } finally {
    unsubscribe();
    await directory.close();
  }
  // closed: it hears nothing more and waits for nothing
  assert.equal(directory.leader(1), undefined);
  await assert.rejects(directory.waitLeader(1, 5_000), { code: '57P03' });
});

test('an unsharded cluster\'s directory follows election `data`', { skip, timeout: 60_000 }, async () => {
  const prefix = freshPrefix();
  const directory = await openEtcdShardDirectory(await coordinator(prefix), { shards: 1 });
  try {
    const leader = await coordinator(prefix);
    await leader.campaign('data', '127.0.0.1:5433');
    assert.equal(await directory.waitLeader(0, 10_000), '127.0.0.1:5433');
  } finally {
    await directory.close();
  }
});

async function untilAsync(ok: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
