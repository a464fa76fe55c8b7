/**
 * The proxy's read port weighs hot standbys by their lag and load (cluster mode, in one
 * process): each standby measures how far behind the log it is, its open sessions and its
 * busy share, and puts them in its registration (data-role.ts); the read port sends
 * sessions to the least loaded current standby (equal loads round robin), to the least
 * lagging one when none is current, and skips one that does not answer.
 * Three standalone servers stand in for the data nodes (the lag comes from a source the
 * test controls); the loopback NATS/etcd cluster is in cluster-standby-reads.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { readTargets, startProxy, type DataNodeState, type RunningProxy } from '../src/cluster/proxy.js';
import { runDataRole, type StandbyServer } from '../src/cluster/data-role.js';
import type { Coordinator, Leadership, NodeInfo } from '../src/cluster/coordinator.js';
import { AppliedPosition, measureLag } from '../src/storage/replica-position.js';
import { freePort } from '../src/cluster/local/processes.js';
import { MemorySharedLog, DirectoryObjectStore } from './support/memory-shared-log.js';

const logger = pino({ level: 'silent' });
let dir: string;
let servers: RunningServer[] = [];
let proxy: RunningProxy;
let setNodes: (nodes: DataNodeState[]) => void = () => {};
const addr = (s: RunningServer) => `127.0.0.1:${s.port}`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-read-lag-'));
  servers = await Promise.all(['a', 'b', 'leader'].map((n) => startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, n), logger, queryWorkers: 0 })));
  const leader = addr(servers[2]);
  proxy = await startProxy({
    host: '127.0.0.1', port: 0, readPort: 0, waitMs: 2000, readMaxLagMs: 1000,
    leader: async (onChange) => { onChange(leader); return async () => {}; },
    dataNodes: async (onChange) => { setNodes = onChange; return async () => {}; },
  });
});

after(async () => {
  await proxy?.close();
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

/** The ports `n` read-port sessions land on, in order. */
async function landings(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = new pg.Client({ host: '127.0.0.1', port: proxy.readPort, user: 'postgres', database: 'postgres' });
    await c.connect();
    ports.push(Number((await c.query('SHOW port')).rows[0].port));
    await c.end();
  }
  return ports;
}

const count = (ports: number[], s: RunningServer) => ports.filter((p) => p === s.port).length;

test('the read port sends sessions to the current standbys only; the least lagging when none is current', async () => {
  const [a, b, leader] = servers;
  // both current (or not reporting): round robin over both, never the leader
  setNodes([{ address: addr(a), lagMs: 0 }, { address: addr(b) }, { address: addr(leader), lagMs: 0 }]);
  let got = await landings(6);
  assert.deepEqual([count(got, a), count(got, b), count(got, leader)], [3, 3, 0]);
  // b stalled past the bound: every session to a
  setNodes([{ address: addr(a), lagMs: 300 }, { address: addr(b), lagMs: 5000 }, { address: addr(leader) }]);
  got = await landings(4);
  assert.deepEqual([count(got, a), count(got, b)], [4, 0]);
  // both past it: the one least behind
  setNodes([{ address: addr(a), lagMs: 9000 }, { address: addr(b), lagMs: 5000 }, { address: addr(leader) }]);
  got = await landings(3);
  assert.deepEqual([count(got, a), count(got, b)], [0, 3]);
  // the current one does not answer: the lagging one, rather than none
  const dead = `127.0.0.1:${await freePort()}`;
  setNodes([{ address: dead, lagMs: 0 }, { address: addr(b), lagMs: 5000 }, { address: addr(leader) }]);
  got = await landings(2);
  assert.deepEqual([count(got, b)], [2]);
  // no standby: the leader
  setNodes([{ address: addr(leader) }]);
  assert.deepEqual(await landings(2), [leader.port, leader.port]);
});

test('readTargets: current ones in turn, then the lagging ones least behind first', () => {
  const nodes: DataNodeState[] = [{ address: 'a', lagMs: 0 }, { address: 'b', lagMs: 4000 }, { address: 'c' }, { address: 'd', lagMs: 2500 }, { address: 'e', lagMs: 2000 }];
  assert.deepEqual(readTargets(nodes, 2000, 0), ['a', 'c', 'e', 'd', 'b']);
  assert.deepEqual(readTargets(nodes, 2000, 1), ['c', 'e', 'a', 'd', 'b']);
  assert.deepEqual(readTargets(nodes, 100, 7), ['c', 'a', 'e', 'd', 'b']);
  assert.deepEqual(readTargets([], 2000, 3), []);
});

test('readTargets: the least loaded current standby first (busy share, then sessions), equal loads in turn', () => {
  const nodes: DataNodeState[] = [
    { address: 'a', lagMs: 0, busy: 0.5, sessions: 1 }, { address: 'b', lagMs: 0, busy: 0.1, sessions: 9 },
    { address: 'c', lagMs: 0, busy: 0.1, sessions: 2 }, { address: 'd', lagMs: 5000, busy: 0 }, { address: 'e', busy: 0.1, sessions: 2 },
  ];
  // c and e tie (0.1 busy, 2 sessions): in turn; then b (more sessions), a (busier); the lagging one last
  assert.deepEqual(readTargets(nodes, 2000, 0), ['c', 'e', 'b', 'a', 'd']);
  assert.deepEqual(readTargets(nodes, 2000, 1), ['e', 'c', 'b', 'a', 'd']);
  // the sessions this proxy holds open count when more than the (older) report
  assert.deepEqual(readTargets(nodes, 2000, 0, new Map([['c', 3]])), ['e', 'c', 'b', 'a', 'd']);
  assert.deepEqual(readTargets(nodes, 2000, 0, new Map([['c', 1]])), ['c', 'e', 'b', 'a', 'd']);
  // unreported load counts as none
  assert.deepEqual(readTargets([{ address: 'x', busy: 0.2 }, { address: 'y' }], 2000, 0), ['y', 'x']);
});

test('the read port sends sessions to the least loaded standby; open sessions spread a burst', async () => {
  const [a, b, leader] = servers;
  // a busy: every session to b
  setNodes([{ address: addr(a), lagMs: 0, busy: 0.9, sessions: 0 }, { address: addr(b), lagMs: 0, busy: 0.2, sessions: 4 }, { address: addr(leader) }]);
  let got = await landings(4);
  assert.deepEqual([count(got, a), count(got, b)], [0, 4]);
  // as busy as each other: the one with fewer sessions
  setNodes([{ address: addr(a), lagMs: 0, busy: 0.2, sessions: 1 }, { address: addr(b), lagMs: 0, busy: 0.2, sessions: 4 }, { address: addr(leader) }]);
  got = await landings(3);
  assert.deepEqual([count(got, a), count(got, b)], [3, 0]);
  // a burst of sessions kept open, reports unchanged: the ones opened here count, so they alternate
  setNodes([{ address: addr(a), lagMs: 0, busy: 0, sessions: 0 }, { address: addr(b), lagMs: 0, busy: 0, sessions: 0 }, { address: addr(leader) }]);
  const held: pg.Client[] = [];
  try {
    for (let i = 0; i < 6; i++) {
      const c = new pg.Client({ host: '127.0.0.1', port: proxy.readPort, user: 'postgres', database: 'postgres' });
      await c.connect();
      held.push(c);
    }
    const ports = await Promise.all(held.map(async (c) => Number((await c.query('SHOW port')).rows[0].port)));
    assert.deepEqual([count(ports, a), count(ports, b)], [3, 3]);
  } finally {
    await Promise.all(held.map((c) => c.end()));
  }
});

test('a hot standby data node reports its sessions and busy share with its lag, when they change', async () => {
  const registered: NodeInfo[] = [];
  let elect: (l: Leadership) => void = () => {};
  const coordinator: Coordinator = {
    campaign: () => new Promise<Leadership>((resolve) => { elect = resolve; }),
    takeover: async () => {},
    leader: async () => undefined,
    watchLeader: async () => async () => {},
    watchNodes: async () => async () => {},
    register: async (node) => { registered.push(node); },
    nodes: async () => registered,
    get: async () => undefined,
    put: async () => {},
    putIfAbsent: async (_key, value) => value,
    compareAndPut: async () => true,
    delete: async () => {},
    list: async () => new Map(),
    close: async () => {},
  };
  let sessions = 3;
  let busy = 0.04;
  const standby: StandbyServer = {
    follow: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    lagMs: async () => 0,
    sessions: () => sessions,
    close: async () => {},
  };
  const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(join(dir, 's3')) };
  const running = runDataRole({
    nodeId: 'd2', host: '127.0.0.1', port: 8, dataDir: join(dir, 'd2'), coordinator, seams, logger,
    start: async () => 'leader', startStandby: async () => standby, abdicate: () => {}, busyShare: () => busy,
  });
  const loads = () => registered.map((n) => (n.sessions === undefined ? '-' : `${n.lagMs}/${n.sessions}/${n.busy}`));
  const until = async (ok: () => boolean) => { for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50)); };
  await until(() => registered.length >= 2);
  assert.deepEqual(loads(), ['-', '0/3/0']);
  // 0.04 → 0.03 is noise below a step (0.1): not written; a session more is
  busy = 0.03;
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(registered.length, 2);
  sessions = 5;
  busy = 0.72;
  await until(() => registered.length >= 3);
  assert.deepEqual(loads(), ['-', '0/3/0', '0/5/0.7']);
  elect({ lost: new Promise(() => {}), resign: async () => {} });
  assert.equal(await running, 'leader');
  await until(() => registered.length >= 4);
  assert.equal(loads()[3], '-', 'elected: no load in its registration');
});

test('a standby\'s lag: the time since it last had all the log held', async () => {
  const position = new AppliedPosition(5);
  let end = 5;
  let clock = 10_000;
  const reads = {
    applied: () => position.applied, freshAt: () => position.freshAt, logEnd: async () => end,
    waitApplied: (seq: number) => position.wait(seq), noteLogEnd: (seq: number, at: number) => position.noteLogEnd(seq, at),
  };
  assert.equal(await measureLag(reads, () => clock), 0, 'caught up');
  end = 9;
  clock = 11_000;
  assert.equal(await measureLag(reads, () => clock), 1000, 'behind since the last check that found it current');
  clock = 14_000;
  assert.equal(await measureLag(reads, () => clock), 4000);
  position.advance(9);
  clock = 14_500;
  // applying up to the end seen at 14,000 makes it fresh as of then
  assert.equal(await measureLag(reads, () => clock), 0, 'caught up again');
});

test('a hot standby data node reports its lag in its registration, and drops it once elected', async () => {
  const registered: NodeInfo[] = [];
  let elect: (l: Leadership) => void = () => {};
  const coordinator: Coordinator = {
    campaign: () => new Promise<Leadership>((resolve) => { elect = resolve; }),
    takeover: async () => {},
    leader: async () => undefined,
    watchLeader: async () => async () => {},
    watchNodes: async () => async () => {},
    register: async (node) => { registered.push(node); },
    nodes: async () => registered,
    get: async () => undefined,
    put: async () => {},
    putIfAbsent: async (_key, value) => value,
    compareAndPut: async () => true,
    delete: async () => {},
    list: async () => new Map(),
    close: async () => {},
  };
  let lag = 30;
  const standby: StandbyServer = {
    follow: (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
    lagMs: async () => lag,
    close: async () => {},
  };
  const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(join(dir, 's3')) };
  const running = runDataRole({
    nodeId: 'd1', host: '127.0.0.1', port: 7, dataDir: join(dir, 'd1'), coordinator, seams, logger,
    start: async () => 'leader', startStandby: async () => standby, abdicate: () => {},
  });
  const lags = () => registered.map((n) => n.lagMs);
  const until = async (ok: () => boolean) => { for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50)); };
  // registered at start without a lag; then 30 ms reads as 0 (steps of 100 ms)
  await until(() => registered.length >= 2);
  assert.deepEqual(lags(), [undefined, 0]);
  // unchanged: not written again; a stalled standby's growing lag is
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(registered.length, 2);
  lag = 4321;
  await until(() => registered.length >= 3);
  assert.deepEqual(lags(), [undefined, 0, 4300]);
  elect({ lost: new Promise(() => {}), resign: async () => {} });
  assert.equal(await running, 'leader');
  await until(() => registered.length >= 4);
  assert.deepEqual(lags(), [undefined, 0, 4300, undefined], 'elected: the lag is gone from its registration');
  assert.ok(registered.every((n) => n.id === 'd1' && n.role === 'data' && n.address === '127.0.0.1:7'));
});
