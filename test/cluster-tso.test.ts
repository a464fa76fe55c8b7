/**
 * The timestamp oracle (src/cluster/tso/): the allocator never hands out a timestamp above
 * the bound it persisted, and a new allocator starts above it; over a real loopback etcd,
 * the client batches concurrent requests but answers each waiter only with a request sent
 * after it arrived, and timestamps stay strictly increasing when the leader is killed -9.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdSkip } from './support/cluster-binaries.js';
import { startEtcdCluster, type EtcdCluster } from '../src/cluster/local/etcd.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import type { Coordinator } from '../src/cluster/coordinator.js';
import { TimestampAllocator, type BoundStore } from '../src/cluster/tso/allocator.js';
import { composeTimestamp, physicalMs } from '../src/cluster/tso/hybrid-timestamp.js';
import { coordinatorBoundStore, startTsoServer, TSO_BOUND_KEY, type TsoServer } from '../src/cluster/tso/tso-server.js';
import { TsoClient } from '../src/cluster/tso/tso-client.js';

const skip = etcdSkip();
const TTL = 2;
const dir = mkdtempSync(join(tmpdir(), 'quiver-tso-'));
let etcd: EtcdCluster | undefined;
const open: { close(): Promise<void> }[] = [];
const quiet = { info: () => {}, warn: () => {} };

function memoryStore(): BoundStore & { saved: bigint[] } {
  const saved: bigint[] = [];
  return { saved, load: async () => saved.at(-1), save: async (b) => { saved.push(b); } };
}

test('the allocator persists its bound ahead in blocks and never hands out past it; the next leader starts above', async () => {
  let now = 1_000_000;
  const store = memoryStore();
  const a = await TimestampAllocator.start(store, { windowMs: 3_000, now: () => now });
  assert.equal(store.saved.length, 1, 'the bound is persisted before the first answer');
  assert.equal(store.saved[0], composeTimestamp(now + 3_000));
  const handed: bigint[] = [];
  for (let i = 0; i < 50; i++) {
    handed.push(await a.allocate(1 + (i % 3)));
    now += 200;
  }
  for (let i = 1; i < handed.length; i++) assert.ok(handed[i]! > handed[i - 1]! + BigInt(i % 3), 'strictly increasing, ranges disjoint');
  // every handed timestamp is below the bound persisted when it was handed; 10 s in 3 s blocks
  assert.ok(handed.at(-1)! + 2n <= store.saved.at(-1)!);
  assert.ok(store.saved.length >= 3 && store.saved.length <= 5, `${store.saved.length} saves for 10 s`);
  // a clock that stands still: the logical part counts on
  const x = await a.allocate();
  const y = await a.allocate();
  assert.equal(y, x + 1n);
  assert.equal(physicalMs(y), now);
  // a new leader whose clock is behind (skew, or the old one handed out ahead) starts above the bound
  now -= 5_000;
  const b = await TimestampAllocator.start(store, { windowMs: 3_000, now: () => now });
  const first = await b.allocate();
  assert.ok(first > y && first > store.saved.at(-2)!, 'above everything the old leader could have handed out');
});

test('a failing bound save hands nothing out', async () => {
  let fail = false;
  const store: BoundStore = { load: async () => undefined, save: async () => { if (fail) throw new Error('etcd down'); } };
  let now = 5_000;
  const a = await TimestampAllocator.start(store, { windowMs: 1_000, now: () => now });
  await a.allocate();
  fail = true;
  now += 2_000;
  await assert.rejects(a.allocate(), /etcd down/);
  fail = false;
  assert.ok((await a.allocate()) >= composeTimestamp(now), "answers again once the bound is saved");
});

async function coordinator(): Promise<Coordinator> {
  const c = await openEtcdCoordinator({ endpoints: [...etcd!.endpoints], leaseTtlSeconds: TTL });
  open.push(c);
  return c;
}

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  if (!skip) etcd = await startEtcdCluster(join(dir, 'etcd'), 3);
});

after(async () => {
  for (const c of open.reverse()) await c.close().catch(() => {});
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the bound in etcd only grows: a deposed leader\'s late save cannot lower it', { skip, timeout: 30_000 }, async () => {
  const c = await coordinator();
  const store = coordinatorBoundStore(c);
  const key = TSO_BOUND_KEY;
  const before = await c.get(key);
  const high = composeTimestamp(Date.now() + 3_600_000);
  await store.save(high);
  // an older leader's save, late
  await store.save(high - 1_000_000n);
  assert.equal(await store.load(), high);
  // saves racing: the greatest wins
  await Promise.all([store.save(high + 5n), store.save(high + 9n), store.save(high + 7n)]);
  assert.equal(await store.load(), high + 9n);
  // (put back what was there: the next tests' leaders start from it)
  if (before !== undefined) await c.put(key, before);
  else await c.delete(key);
});

test('concurrent requests are batched; no waiter is answered by a request sent before it arrived', { skip, timeout: 60_000 }, async (t) => {
  const server: TsoServer = await startTsoServer({ coordinator: await coordinator(), host: '127.0.0.1', logger: quiet });
  open.push(server);
  await until('a leader', () => (server.isLeader() ? true : undefined));
  const client = await TsoClient.open(await coordinator());
  open.push(client);
  await client.timestamp();
  const before = client.requests;
  // 2,000 waiters arriving over time; each records what had been answered when it arrived
  let answeredMax = 0n;
  const checks: Promise<void>[] = [];
  for (let i = 0; i < 2_000; i++) {
    const seenBefore = answeredMax;
    checks.push(client.timestamp().then((ts) => {
      assert.ok(ts > seenBefore, `a waiter got ${ts}, not above ${seenBefore} answered before it arrived`);
      if (ts > answeredMax) answeredMax = ts;
    }));
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  await Promise.all(checks);
  const requests = client.requests - before;
  assert.ok(requests < 500, `2,000 waiters took ${requests} requests`);
  // (the persisted bound in etcd stays above every timestamp handed out)
  const bound = BigInt((await (await coordinator()).get(TSO_BOUND_KEY))!);
  assert.ok(bound >= answeredMax);
  t.diagnostic(`2,000 concurrent waiters: ${requests} requests`);
});

test('with --cluster-secret a caller proves it first: the right secret gets timestamps, a wrong one none', { skip, timeout: 60_000 }, async () => {
  // the previous test's server leads: stop it, so that this one does
  for (const c of open.splice(0)) await c.close();
  const secret = 'tso-test-secret-0123456789';
  const server = await startTsoServer({ coordinator: await coordinator(), host: '127.0.0.1', logger: quiet, secret });
  open.push(server);
  await until('a leader', () => (server.isLeader() ? true : undefined));
  const good = await TsoClient.open(await coordinator(), secret);
  open.push(good);
  const a = await good.timestamp();
  assert.ok((await good.timestamp()) > a);
  const impostor = await TsoClient.open(await coordinator(), 'not-the-secret-0123456789');
  open.push(impostor);
  await assert.rejects(impostor.timestamp(AbortSignal.timeout(3_000)), (e: Error) => e.name === 'TimeoutError');
  const plain = await TsoClient.open(await coordinator());
  open.push(plain);
  await assert.rejects(plain.timestamp(AbortSignal.timeout(3_000)), (e: Error) => e.name === 'TimeoutError');
});

test('timestamps stay strictly increasing when the leader is killed -9', { skip, timeout: 90_000 }, async (t) => {
  const here = dirname(fileURLToPath(import.meta.url));
  const children: ChildProcess[] = [];
  const leaders = new Map<ChildProcess, string>();
  const startChild = () => {
    const child = spawn(process.execPath, [join(here, 'support', 'tso-server-child.js'), etcd!.endpoints.join(','), String(TTL)], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout!.on('data', (d: Buffer) => { const m = /leader (\S+)/.exec(d.toString()); if (m) leaders.set(child, m[1]!); });
    children.push(child);
    return child;
  };
  try {
    // the in-process server of the previous test leads: stop it, so that a child leads
    for (const c of open.splice(0)) await c.close();
    startChild();
    startChild();
    const first = await until('a child to lead', () => (leaders.size > 0 ? [...leaders.keys()][0] : undefined));
    const client = await TsoClient.open(await coordinator());
    open.push(client);
    const got: bigint[] = [];
    let stop = false;
    const asking = (async () => {
      while (!stop) got.push(await client.timestamp());
    })();
    await until('timestamps from the first leader', () => (got.length > 100 ? true : undefined));
    const beforeKill = got.length;
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await until('the second leader', () => (leaders.size > 1 ? true : undefined));
    await until('timestamps from the second leader', () => (got.length > beforeKill + 100 ? true : undefined));
    const gap = Date.now() - killedAt;
    stop = true;
    await asking;
    for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, `timestamp ${i} (${got[i]}) is not above the one before (${got[i - 1]})`);
    t.diagnostic(`${got.length} timestamps in order across a kill -9 of the leader; answers resumed ${gap} ms after the kill (lease TTL ${TTL} s)`);
  } finally {
    for (const c of children) c.kill('SIGKILL');
  }
});
