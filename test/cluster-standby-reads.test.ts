/**
 * Reads on hot standbys through the proxy's read port (cluster mode, a loopback cluster:
 * one etcd member, one JetStream server, s3rver, three data nodes, a proxy with a read
 * port). Sessions on the read port land on the standbys (each reports its lag and load) and are read-only; a
 * write through the proxy's main port is seen by a strong read on a standby at once; an
 * eventually read may miss it for a moment but sees it soon; when the leader is killed a
 * standby is promoted in place: its sessions stay and go on read-write (a block begun
 * before stays read-only until it ends), every acknowledged write is there once, and
 * reads through the read port go on (on the remaining standby, or the new leader). A standby
 * also reads through an expression B-tree index the leader created: its storage rebuilds the
 * key from the leader's manifest and gets the key's function from the leader's catalog image.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { clusterSkip } from './support/cluster-binaries.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import { checkAcked, startAckedWriter } from './support/acked-writer.js';

const skip = clusterSkip();

const dir = mkdtempSync(join(tmpdir(), 'quiver-standby-reads-'));
let cluster: LocalCluster | undefined;

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000 });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** The data node a session is on, by its port (SHOW port). */
const serverPort = async (c: pg.Client) => Number((await c.query('SHOW port')).rows[0].port);

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, dataNodes: 3, queryNodes: 0, indexNodes: 0, logLevel: 'warn' });
}, { timeout: 120_000 });

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the read port spreads sessions over the standbys; they are read-only and strong reads see acknowledged writes', { skip, timeout: 60_000 }, async () => {
  const c = cluster!;
  assert.equal(JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')).readPort, c.readPort);
  const leader = (await c.dataLeader())!;
  const w = await client(c.port);
  await w.query('CREATE TABLE kv (k int PRIMARY KEY, v text)');
  // each data node is a hot standby once it has caught up and listens: wait for both
  const standbyPorts = [...c.nodes.values()].filter((p) => p.role === 'data' && p !== leader).map((p) => p.port).sort();
  // one session on each standby; until a standby has caught up and registered, the read
  // port may send a session to the leader (its fallback): such sessions are not counted
  const onStandby = new Map<number, pg.Client>();
  const others: pg.Client[] = [];
  for (let i = 0; i < 160 && onStandby.size < standbyPorts.length; i++) {
    const r = await client(c.readPort);
    const port = await serverPort(r);
    if (standbyPorts.includes(port) && !onStandby.has(port)) onStandby.set(port, r);
    else others.push(r);
    if (onStandby.size < standbyPorts.length) await new Promise((res) => setTimeout(res, 250));
  }
  assert.deepEqual([...onStandby.keys()].sort(), standbyPorts, 'sessions on the read port reach both standbys');
  // each standby reports its lag in its registration (what the read port weighs them by): caught up, 0
  const coordinator = await openEtcdCoordinator({ endpoints: [...c.etcd.endpoints], auth: c.etcd.auth });
  try {
    const stateOf = async () => new Map((await coordinator.nodes('data')).map((n) => [Number(n.address.split(':').pop()), n]));
    let states = await stateOf();
    // (and its load: its open sessions — one of ours at least — and its busy share)
    for (let i = 0; i < 50 && !standbyPorts.every((p) => states.get(p)?.lagMs === 0 && (states.get(p)?.sessions ?? 0) >= 1); i++) {
      await new Promise((res) => setTimeout(res, 200));
      states = await stateOf();
    }
    assert.deepEqual(standbyPorts.map((p) => states.get(p)?.lagMs), [0, 0]);
    for (const p of standbyPorts) {
      const { sessions, busy } = states.get(p)!;
      assert.ok(sessions! >= 1 && busy! >= 0 && busy! <= 1, `standby ${p} reports its load: ${sessions} sessions, busy ${busy}`);
    }
    assert.equal(states.get(leader.port)?.lagMs, undefined, 'the leader reports none');
    assert.equal(states.get(leader.port)?.sessions, undefined);
  } finally {
    await coordinator.close();
  }
  const readers = [...others, ...onStandby.values()];
  for (const r of readers.slice(-2)) {
    assert.equal((await r.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
    await assert.rejects(r.query(`INSERT INTO kv VALUES (0, 'no')`), (e: { code?: string; message: string }) => e.code === '25006' && e.message === 'cannot execute INSERT in a read-only transaction');
  }
  // read-your-writes across nodes: each acknowledged write is there at once on every standby
  const [r1, r2] = readers.slice(-2);
  for (let i = 1; i <= 25; i++) {
    await w.query('INSERT INTO kv VALUES ($1, $2)', [i, `v${i}`]);
    for (const r of [r1, r2]) assert.deepEqual((await r.query('SELECT v FROM kv WHERE k = $1', [i])).rows, [{ v: `v${i}` }], `k = ${i} on ${await serverPort(r)}`);
  }
  // eventually: no wait — a row written a moment ago may be missing, but shows up
  await r1.query('SET quiver.consistency = eventually');
  await w.query(`INSERT INTO kv VALUES (100, 'late')`);
  let polls = 0;
  while ((await r1.query('SELECT count(*)::int AS n FROM kv WHERE k = 100')).rows[0].n === 0) {
    polls++;
    await new Promise((res) => setTimeout(res, 5));
  }
  assert.ok(polls < 1000, `appeared after ${polls} polls`);
  for (const r of readers) await r.end().catch(() => {});
  await w.end();
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

test('a promoted standby keeps its sessions, read-write now; the read port goes on; no acknowledged write is lost', { skip, timeout: 90_000 }, async (t) => {
  const c = cluster!;
  const leader = (await c.dataLeader())!;
  const standbyPorts = [...c.nodes.values()].filter((p) => p.role === 'data' && p !== leader).map((p) => p.port);
  // sessions connected to each standby before the promotion: an idle one, and one in a block that has read
  const idle = new Map<number, pg.Client>();
  const blocks = new Map<number, pg.Client>();
  for (const port of standbyPorts) {
    idle.set(port, await client(port));
    const b = await client(port);
    await b.query('BEGIN');
    assert.equal((await b.query('SELECT count(*)::int AS n FROM kv')).rows[0].n, 26);
    blocks.set(port, b);
  }
  const r = await client(c.readPort);
  const before = await serverPort(r);
  assert.notEqual(before, leader.port);
  // a writer through the proxy throughout (a table without a key: a write applied twice would show)
  const setup = await client(c.port);
  await setup.query('CREATE TABLE acks (id int)');
  await setup.end();
  const writer = startAckedWriter(() => ({ host: '127.0.0.1', port: c.port, user: 'postgres', database: 'postgres' }), 'acks', 1, (id) => `${id}`);
  try {
    await writer.progress(20, 20_000);
    await leader.kill9();
    // the leader's lease (5 s) expires, a standby is elected
    let next: Awaited<ReturnType<LocalCluster['dataLeader']>>;
    const t0 = Date.now();
    while (!(next = await c.dataLeader()) || next.port === leader.port) {
      assert.ok(Date.now() - t0 < 30_000, 'a standby takes over');
      await new Promise((res) => setTimeout(res, 200));
    }
    const other = standbyPorts.find((p) => p !== next!.port)!;
    // the promoted node's session was never closed: once the rest of the log is applied it is
    // an ordinary read-write session (pg_is_in_recovery() false, in_hot_standby off)
    const s = idle.get(next.port)!;
    while ((await s.query('SELECT pg_is_in_recovery() AS r')).rows[0].r) {
      assert.ok(Date.now() - t0 < 30_000, 'the session sees the promotion');
      await new Promise((res) => setTimeout(res, 100));
    }
    t.diagnostic(`the kept session read-write ${Date.now() - t0} ms after the kill -9 (lease 5 s)`);
    assert.equal((await s.query('SHOW in_hot_standby')).rows[0].in_hot_standby, 'off');
    await s.query(`INSERT INTO kv VALUES (300, 'kept session')`);
    // a block begun during recovery stays read-only until it ends, as on PostgreSQL
    const b = blocks.get(next.port)!;
    await assert.rejects(b.query(`INSERT INTO kv VALUES (301, 'no')`), (e: { code?: string }) => e.code === '25006');
    await b.query('ROLLBACK');
    await b.query(`INSERT INTO kv VALUES (301, 'after the block')`);
    // a read-port session on it goes on too (read-write now); on the other standby it keeps reading
    if (before === next.port) assert.equal((await r.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, false);
    else assert.equal((await r.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
    assert.equal((await r.query('SELECT count(*)::int AS n FROM kv')).rows[0].n, 28);
    // the writer goes on through the proxy, to the new leader
    await writer.progress(20, 30_000);
    await writer.stop();
    // every acknowledged write once, on the new leader and on the standby that follows it
    // (its sessions, connected throughout, still read-only)
    const o = idle.get(other)!;
    assert.equal((await o.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
    await blocks.get(other)!.query('ROLLBACK');
    for (const x of [s, o]) {
      const ids = (await x.query('SELECT id FROM acks')).rows.map((row) => row.id as number);
      assert.deepEqual(checkAcked(ids, writer, 1), [], `on ${await serverPort(x)}`);
      assert.ok(ids.length >= writer.acked.size);
    }
    // the read port: the remaining standby, which follows the new leader
    const w = await client(c.port);
    await w.query(`INSERT INTO kv VALUES (200, 'after')`);
    const r2 = await client(c.readPort);
    assert.equal((await r2.query('SELECT count(*)::int AS n FROM kv')).rows[0].n, 29);
    assert.notEqual(await serverPort(r2), next.port);
    assert.equal((await r2.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
    await r2.end();
    // new sessions on the promoted node's own port are read-write
    const direct = await client(next.port);
    assert.equal((await direct.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, false);
    await direct.query(`INSERT INTO kv VALUES (201, 'direct')`);
    await direct.end();
    await w.end();
  } finally {
    await writer.stop();
    for (const x of [r, ...idle.values(), ...blocks.values()]) await x.end().catch(() => {});
  }
});

test('pg_promote() on a standby takes the leadership from the live leader, which stops; no acknowledged write is lost', { skip, timeout: 60_000 }, async (t) => {
  const c = cluster!;
  const leader = (await c.dataLeader())!;
  // the standby left by the test before (its killed leader is not respawned)
  const standby = [...c.nodes.values()].find((p) => p.role === 'data' && p !== leader && p.child.exitCode === null && p.child.signalCode === null)!;
  const s = await client(standby.port);
  assert.equal((await s.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, true);
  const setup = await client(c.port);
  await setup.query('CREATE TABLE promote_acks (id int)');
  await setup.end();
  const writer = startAckedWriter(() => ({ host: '127.0.0.1', port: c.port, user: 'postgres', database: 'postgres' }), 'promote_acks', 1, (id) => `${id}`);
  try {
    await writer.progress(20, 20_000);
    const t0 = Date.now();
    assert.equal((await s.query('SELECT pg_promote() AS p')).rows[0].p, true);
    const promoted = Date.now() - t0;
    assert.equal((await s.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, false);
    assert.equal((await c.dataLeader())?.port, standby.port);
    // the old leader stops (its key is gone, or its next append is fenced)
    const code = await Promise.race([leader.exited, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
    assert.equal(code, 1);
    // writes go on through the proxy, to the new leader; every acknowledged one is there once
    await writer.progress(20, 30_000);
    await writer.stop();
    const ids = (await s.query('SELECT id FROM promote_acks')).rows.map((row) => row.id as number);
    assert.deepEqual(checkAcked(ids, writer, 1), []);
    t.diagnostic(`pg_promote() returned after ${promoted} ms; the old leader exited`);
  } finally {
    await writer.stop();
    await s.end().catch(() => {});
  }
});
