/**
 * The Coordinator on a real loopback etcd cluster (3 members): one leader at a time, a
 * takeover after the leader resigns and after its process is killed -9 (within the lease
 * TTL and a little), leader changes reported to watchers, registrations that end with
 * their node's lease, leadership reported lost when the lease is revoked and when etcd
 * cannot be reached (within the TTL, before anyone else can be elected), and the
 * coordinator working on while one etcd member (a follower) is down.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { etcdSkip } from './support/cluster-binaries.js';
import { startEtcdCluster, type EtcdCluster } from '../src/cluster/local/etcd.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import type { Coordinator, Leadership } from '../src/cluster/coordinator.js';

const skip = etcdSkip();
const TTL = 2;
const dir = mkdtempSync(join(tmpdir(), 'quiver-etcd-'));
let etcd: EtcdCluster | undefined;
const open: Coordinator[] = [];

async function coordinator(ttl = TTL): Promise<Coordinator> {
  const c = await openEtcdCoordinator({ endpoints: [...etcd!.endpoints], leaseTtlSeconds: ttl });
  open.push(c);
  return c;
}

async function closeOne(c: Coordinator): Promise<void> {
  open.splice(open.indexOf(c), 1);
  await c.close();
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

/**
 * Campaign in an election nobody leads, so elected at once: fails at once, naming the
 * leader, when the election is held (each test has its own election: a leader another
 * test left behind made a campaign wait for good, see the raft leader's test), and after
 * `ms` instead of waiting out the test's timeout.
 */
async function lead(c: Coordinator, election: string, value: string, ms = 10_000): Promise<Leadership> {
  const held = await c.leader(election);
  assert.equal(held, undefined, `election ${election} is already led by ${held}`);
  const signal = AbortSignal.timeout(ms);
  try {
    return await c.campaign(election, value, signal);
  } catch (e) {
    if (!signal.aborted) throw e;
    throw new Error(`${value} not elected in ${election} within ${ms} ms (leader now: ${await c.leader(election)})`);
  }
}

/** `p`, or a rejection naming `what` after `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds from now until `p` settles. */
async function timed(p: Promise<unknown>): Promise<number> {
  const t0 = Date.now();
  await p;
  return Date.now() - t0;
}

before(async () => {
  if (!skip) etcd = await startEtcdCluster(join(dir, 'etcd'), 3);
});

after(async () => {
  for (const c of open) await c.close().catch(() => {});
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('one leader at a time; the next takes over when it resigns; watchers see each change', { skip, timeout: 60_000 }, async (t) => {
  const [a, b, watcher] = [await coordinator(), await coordinator(), await coordinator()];
  const seen: (string | undefined)[] = [];
  const unwatch = await watcher.watchLeader('e1', (v) => seen.push(v));
  assert.deepEqual([...seen], [undefined]);
  const la = await lead(a, 'e1', 'node-a');
  let bElected = false;
  const bCampaign = b.campaign('e1', 'node-b').then((l) => { bElected = true; return l; });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(bElected, false, 'only one leader');
  assert.equal(await watcher.leader('e1'), 'node-a');
  await assert.rejects(a.campaign('e1', 'node-a again'), /already campaigning/);
  const t0 = Date.now();
  await la.resign();
  const lb = await bCampaign;
  const takeover = Date.now() - t0;
  assert.ok(takeover < (TTL + 2) * 1000, `took over ${takeover} ms after the resignation`);
  assert.equal(await watcher.leader('e1'), 'node-b');
  await until('the watcher to see node-b', async () => (seen.includes('node-b') ? true : undefined));
  await lb.resign();
  await until('the watcher to see nobody', async () => (seen.at(-1) === undefined ? true : undefined));
  assert.deepEqual(seen, [undefined, 'node-a', 'node-b', undefined]);
  assert.equal(await watcher.leader('e1'), undefined);
  await unwatch();
  t.diagnostic(`resigned: the next candidate elected ${takeover} ms later`);
});

test('a campaign aborted by its signal withdraws', { skip, timeout: 60_000 }, async () => {
  const [a, b] = [await coordinator(), await coordinator()];
  const la = await lead(a, 'e5', 'node-a');
  const abort = new AbortController();
  const bCampaign = b.campaign('e5', 'node-b', abort.signal);
  await new Promise((r) => setTimeout(r, 200));
  abort.abort();
  await assert.rejects(bCampaign, /aborted/);
  // aborted while its lease is granted, before its key is put: the abort is not lost
  const c = await coordinator();
  const early = new AbortController();
  const cCampaign = c.campaign('e5', 'node-c', early.signal);
  early.abort();
  await assert.rejects(within(cCampaign, 10_000, 'the campaign to end'), { message: 'campaign aborted' });
  await la.resign();
  assert.equal(await b.leader('e5'), undefined, 'the aborted candidates left no key behind');
});

test('a leader killed -9 is replaced once its lease expires; its registration goes too', { skip, timeout: 60_000 }, async (t) => {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = spawn(process.execPath, [join(here, 'support', 'etcd-candidate.js'), etcd!.endpoints.join(','), 'e2', 'node-child', String(TTL)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('elected')) resolve(); });
      child.once('exit', (code) => reject(new Error(`candidate exited with ${code}`)));
    });
    const c = await coordinator();
    assert.deepEqual((await c.nodes('candidate')).map((n) => n.id), ['node-child']);
    const elected = { at: 0 };
    const mine = c.campaign('e2', 'node-here').then((l) => { elected.at = Date.now(); return l; });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(elected.at, 0, 'not elected while the child leads');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    const l = await mine;
    const takeover = elected.at - killedAt;
    assert.ok(takeover <= (TTL + 2) * 1000, `took over ${takeover} ms after the kill (TTL ${TTL} s)`);
    assert.equal(await c.leader('e2'), 'node-here');
    await until('the registration to expire', async () => ((await c.nodes('candidate')).length === 0 ? true : undefined));
    t.diagnostic(`leader killed -9, TTL ${TTL} s: the next candidate elected ${takeover} ms later`);
    await l.resign();
  } finally {
    child.kill('SIGKILL');
  }
});

test('registrations and keys; a closed coordinator\'s registrations and leadership end at once', { skip, timeout: 60_000 }, async () => {
  const a = await coordinator();
  const b = await coordinator();
  await a.register({ id: 'q1', address: '127.0.0.1:7001', role: 'query' });
  await b.register({ id: 'q2', address: '127.0.0.1:7002', role: 'query' });
  await b.register({ id: 'd1', address: '127.0.0.1:7003', role: 'data' });
  assert.deepEqual((await a.nodes('query')).map((n) => n.id).sort(), ['q1', 'q2']);
  assert.deepEqual((await a.nodes('data')).map((n) => n.address), ['127.0.0.1:7003']);
  assert.equal((await a.nodes()).length, 3);
  await a.put('checkpoint', '42');
  assert.equal(await b.get('checkpoint'), '42');
  assert.equal(await b.get('nothing'), undefined);
  const lb = await lead(b, 'e6', 'node-b');
  const aCampaign = a.campaign('e6', 'node-a');
  await closeOne(b);
  await lb.lost;
  const la = await aCampaign;
  assert.deepEqual((await a.nodes()).map((n) => n.id), ['q1']);
  await la.resign();
});

test('takeover (pg_promote): the last candidate leads at once, the deposed leader is told, a skipped candidate waits behind it', { skip, timeout: 60_000 }, async (t) => {
  const [a, b, c] = [await coordinator(), await coordinator(), await coordinator()];
  const la = await lead(a, 'e7', 'node-a');
  let bElected = false;
  const bCampaign = b.campaign('e7', 'node-b').then((l) => { bElected = true; return l; });
  const cCampaign = c.campaign('e7', 'node-c');
  await new Promise((r) => setTimeout(r, 300));
  await assert.rejects(a.takeover('e8'), /not a candidate/);
  const t0 = Date.now();
  await c.takeover('e7');
  const lc = await within(cCampaign, 5_000, 'node-c to be elected');
  const elected = Date.now() - t0;
  const deposed = await within(timed(la.lost), 5_000, 'node-a to hear it was deposed');
  assert.match(la.lostBecause?.() ?? '', /election key is gone or another candidate is ahead/);
  assert.equal(await a.leader('e7'), 'node-c');
  // node-b lost its place: it campaigns again behind node-c, and is not elected meanwhile
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(bElected, false, 'only one leader');
  await lc.resign();
  const lb = await within(bCampaign, 5_000, 'node-b to be elected after node-c resigned');
  assert.equal(await b.leader('e7'), 'node-b');
  await lb.resign();
  t.diagnostic(`takeover: elected after ${elected} ms, the old leader told ${deposed} ms later`);
});

test('leadership is lost when etcd revokes the lease; the next candidate takes over', { skip, timeout: 60_000 }, async (t) => {
  const [a, b] = [await coordinator(), await coordinator()];
  const la = await lead(a, 'e4', 'node-a');
  const bCampaign = b.campaign('e4', 'node-b');
  const raw = new Etcd3({ hosts: [...etcd!.endpoints] });
  try {
    const [key] = await raw.getAll().prefix('quiver/election/e4/').sort('Create', 'Ascend').keys();
    await raw.leaseClient.leaseRevoke({ ID: key.slice('quiver/election/e4/'.length) });
  } finally {
    raw.close();
  }
  const noticed = await timed(la.lost);
  // (the watch may see the key deleted before the lease's renewal fails)
  assert.match(la.lostBecause?.() ?? '', /^its lease: |election key is gone/);
  const lb = await bCampaign;
  assert.equal(await a.leader('e4'), 'node-b');
  // b's coordinator stays open (closed after the last test): its leadership must not
  await lb.resign();
  t.diagnostic(`lease revoked: the leader noticed ${noticed} ms later`);
});

test('leadership is lost within the TTL when etcd cannot be reached; registrations come back after', { skip, timeout: 60_000 }, async (t) => {
  const a = await coordinator();
  await a.register({ id: 'cut-off', address: '127.0.0.1:7009', role: 'data' });
  const la = await lead(a, 'e7', 'node-a');
  let lostEarly = false;
  void la.lost.then(() => { lostEarly = true; });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(lostEarly, false);
  const pids = etcd!.members.map((m) => m.pid);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  let noticed: number;
  try {
    noticed = await timed(la.lost);
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
  // etcd restarted the TTL when it got our last acknowledged renewal, before the stop
  assert.ok(noticed <= TTL * 1000 + 500, `noticed ${noticed} ms after etcd stopped (TTL ${TTL} s)`);
  t.diagnostic(`etcd unreachable: the leader gave up ${noticed} ms later (TTL ${TTL} s; etcd3 alone says 'lost' after 2 × TTL)`);
  const other = await coordinator();
  await until('the registration under a new lease', async () => ((await other.nodes('data')).some((n) => n.id === 'cut-off') ? true : undefined));
  // a new campaign works on the new lease
  await (await lead(a, 'e7', 'node-a')).resign();
});

/** Until every member answers (one restarted by the test before may still be rejoining). */
async function allMembersAnswer(): Promise<void> {
  await until('every etcd member to answer', async () => {
    const answers = await Promise.all(etcd!.endpoints.map(async (e) => {
      const one = new Etcd3({ hosts: [e], defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 2000 }) });
      try {
        const st = await one.maintenance.status();
        return st.leader !== '0';
      } catch {
        return false;
      } finally {
        one.close();
      }
    }));
    return answers.every(Boolean) ? true : undefined;
  }, 30_000);
}

/** The index of the member that is etcd's raft leader now. */
async function raftLeader(): Promise<number> {
  // each member asked with a deadline, and asked again until one answers as the leader: a
  // member just restarted by the test before may not answer its first call
  return until('a raft leader', async () => {
    const statuses = await Promise.all(etcd!.endpoints.map(async (e) => {
      const one = new Etcd3({ hosts: [e], defaultCallOptions: (c) => (c.isStream ? {} : { deadline: Date.now() + 2000 }) });
      try {
        return await one.maintenance.status();
      } catch {
        return undefined;
      } finally {
        one.close();
      }
    }));
    const i = statuses.findIndex((s) => s !== undefined && s.header.member_id === s.leader);
    return i >= 0 ? i : undefined;
  });
}

// A member that is not etcd's raft leader (the raft leader's own test follows).
test('with an etcd follower killed -9: the lease, leadership and registrations hold; elections and keys work', { skip, timeout: 60_000 }, async (t) => {
  const a = await coordinator();
  const b = await coordinator();
  await a.register({ id: 'survivor', address: '127.0.0.1:7010', role: 'query' });
  const la = await lead(a, 'e3', 'node-a');
  let lost = false;
  void la.lost.then(() => { lost = true; });
  const victim = ((await raftLeader()) + 1) % 3;
  await etcd!.members[victim].kill9();
  const killedAt = Date.now();
  try {
    await b.put('k', 'v');
    const firstWrite = Date.now() - killedAt;
    assert.equal(await a.get('k'), 'v');
    // past a whole TTL: the lease was renewed through the surviving members
    await new Promise((r) => setTimeout(r, TTL * 1000 + 500));
    assert.equal(lost, false, 'leadership held');
    assert.ok((await b.nodes('query')).some((n) => n.id === 'survivor'), 'the registration held');
    const bCampaign = b.campaign('e3', 'node-b');
    assert.equal(await b.leader('e3'), 'node-a');
    await la.resign();
    await (await bCampaign).resign();
    t.diagnostic(`etcd follower (member ${victim + 1}) killed: first write acknowledged ${firstWrite} ms later`);
  } finally {
    await etcd!.restart(victim);
  }
});

// etcd's raft leader killed: a put in flight waits for etcd's own request timeout (7 s)
// unless the client gives up on it first; with a 2 s deadline it is retried once a new
// raft leader is elected (~1 s): 2.0-2.8 s measured, against 7.0 s before.
test('with etcd\'s raft leader killed -9: writes go on within seconds; the lease and leadership hold', { skip, timeout: 60_000 }, async (t) => {
  // which step a hang is in, should one outlast its own deadline (the CI hangs were the
  // campaign: this test used the lease-revocation test's election e4, which that test left
  // led by a coordinator that stays open, so the campaign waited for good)
  let step = 'all members answer';
  const watchdog = setTimeout(() => console.error(`raft leader test still in step: ${step}`), 50_000);
  await allMembersAnswer();
  step = 'coordinator';
  // the nodes' default TTL (5 s): a raft election and the retried keep-alive fit in it, 2 s need not
  const a = await coordinator(5);
  step = 'campaign';
  const la = await lead(a, 'e8', 'node-a');
  let lost = false;
  void la.lost.then(() => { lost = true; });
  step = 'raftLeader';
  const victim = await raftLeader();
  step = 'kill9';
  await etcd!.members[victim].kill9();
  const killedAt = Date.now();
  try {
    step = 'put';
    await a.put('k4', 'v');
    step = 'after put';
    const firstWrite = Date.now() - killedAt;
    assert.ok(firstWrite < 5000, `first write ${firstWrite} ms after the kill`);
    await new Promise((r) => setTimeout(r, 5500));
    assert.equal(lost, false, 'leadership held');
    assert.equal(await a.leader('e8'), 'node-a');
    step = 'resign';
    await la.resign();
    t.diagnostic(`etcd raft leader (member ${victim + 1}) killed: first write acknowledged ${firstWrite} ms later`);
  } finally {
    step = 'restart';
    await etcd!.restart(victim);
    clearTimeout(watchdog);
  }
});
