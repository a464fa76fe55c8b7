/**
 * The Coordinator on a real loopback etcd cluster (3 members): one leader at a time, a
 * takeover after the leader resigns and after its process is killed -9 (within the lease
 * TTL and a little), leader changes reported to watchers, registrations that end with
 * their node's lease, and the coordinator working on while one etcd member is down.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBinary } from '../src/cluster/local/processes.js';
import { startEtcdCluster, type EtcdCluster } from '../src/cluster/local/etcd.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import type { Coordinator } from '../src/cluster/coordinator.js';

let available = true;
try {
  ensureBinary('etcd', 'etcd-server');
} catch {
  available = false;
}
const skip = available ? false : 'etcd is not installed and could not be';
const TTL = 2;
const dir = mkdtempSync(join(tmpdir(), 'quiver-etcd-'));
let etcd: EtcdCluster | undefined;
const open: Coordinator[] = [];

async function coordinator(): Promise<Coordinator> {
  const c = await openEtcdCoordinator({ endpoints: [...etcd!.endpoints], leaseTtlSeconds: TTL });
  open.push(c);
  return c;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  if (available) etcd = await startEtcdCluster(join(dir, 'etcd'), 3);
});

after(async () => {
  for (const c of open) await c.close().catch(() => {});
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('one leader at a time; the next takes over when it resigns; watchers see each change', { skip }, async () => {
  const [a, b, watcher] = [await coordinator(), await coordinator(), await coordinator()];
  const seen: (string | undefined)[] = [];
  const unwatch = await watcher.watchLeader('e1', (v) => seen.push(v));
  const la = await a.campaign('e1', 'node-a');
  let bElected = false;
  const bCampaign = b.campaign('e1', 'node-b').then((l) => { bElected = true; return l; });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(bElected, false, 'only one leader');
  assert.equal(await watcher.leader('e1'), 'node-a');
  const t0 = Date.now();
  await la.resign();
  const lb = await bCampaign;
  assert.ok(Date.now() - t0 < 3000, `took over ${Date.now() - t0} ms after the resignation`);
  assert.equal(await watcher.leader('e1'), 'node-b');
  await until('the watcher to see node-b', async () => (seen.includes('node-b') ? true : undefined));
  assert.deepEqual(seen.filter((v) => v !== undefined), ['node-a', 'node-b']);
  await lb.resign();
  await unwatch();
});

test('a leader killed -9 is replaced once its lease expires; its registration goes too', { skip }, async (t) => {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, [join(here, 'support', 'etcd-candidate.js'), etcd!.endpoints.join(','), 'e2', 'node-child', String(TTL)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('elected')) resolve(); });
      child.once('exit', (code) => reject(new Error(`candidate exited with ${code}`)));
    });
    const c = await coordinator();
    assert.deepEqual((await c.nodes('candidate')).map((n) => n.id), ['node-child']);
    const lost = { at: 0 };
    const mine = c.campaign('e2', 'node-here').then((l) => { lost.at = Date.now(); return l; });
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const l = await mine;
    const takeover = lost.at - killedAt;
    assert.ok(takeover <= (TTL + 3) * 1000, `took over ${takeover} ms after the kill (TTL ${TTL} s)`);
    assert.equal(await c.leader('e2'), 'node-here');
    await until('the registration to expire', async () => ((await c.nodes('candidate')).length === 0 ? true : undefined));
    t.diagnostic(`leader killed -9, TTL ${TTL} s: the next candidate elected ${takeover} ms later`);
    await l.resign();
  } finally {
    child.kill('SIGKILL');
  }
});

test('registrations and keys; a closed coordinator\'s registrations end at once', { skip }, async () => {
  const a = await coordinator();
  const b = await coordinator();
  await a.register({ id: 'q1', address: '127.0.0.1:7001', role: 'query' });
  await b.register({ id: 'q2', address: '127.0.0.1:7002', role: 'query' });
  await b.register({ id: 'd1', address: '127.0.0.1:7003', role: 'data' });
  assert.deepEqual((await a.nodes('query')).map((n) => n.id).sort(), ['q1', 'q2']);
  assert.equal((await a.nodes()).length, 3);
  await a.put('checkpoint', '42');
  assert.equal(await b.get('checkpoint'), '42');
  assert.equal(await b.get('nothing'), undefined);
  await b.close();
  open.splice(open.indexOf(b), 1);
  assert.deepEqual((await a.nodes()).map((n) => n.id), ['q1']);
});

test('elections and keys keep working with one of three etcd members killed', { skip }, async () => {
  const a = await coordinator();
  await etcd!.members[0].kill9();
  try {
    await a.put('k', 'v');
    assert.equal(await a.get('k'), 'v');
    const l = await a.campaign('e3', 'node-a');
    assert.equal(await a.leader('e3'), 'node-a');
    await l.resign();
  } finally {
    await etcd!.restart(0);
  }
});
