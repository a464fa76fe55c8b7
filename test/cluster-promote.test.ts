/**
 * A hot standby promoted in place (cluster mode, in one process: a leader and a standby on
 * one in-memory shared log, as in cluster-hot-standby.test.ts). As PostgreSQL's
 * pg_promote(): the standby applies the rest of the log first (every acknowledged write),
 * its sessions stay connected and go on read-write — in_hot_standby off (ParameterStatus
 * before the next ReadyForQuery), pg_is_in_recovery() false — while a transaction block
 * begun during recovery stays read-only until it ends; its writes go to the shared log,
 * where another standby follows them, and its directory opens as a leader's afterwards.
 * (Every expectation checked against PostgreSQL 15: a standby made with pg_basebackup -R,
 * promoted with pg_ctl promote while sessions were connected.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';
import type { SharedSeams } from '../src/storage/log-replica.js';
import { ClassicLevel } from 'classic-level';
import { WAL_DIR } from '../src/storage/data-dir.js';
import { keys } from '../src/storage/wal.js';
import { runDataRole, type StandbyServer } from '../src/cluster/data-role.js';
import type { Coordinator, Leadership } from '../src/cluster/coordinator.js';

const logger = pino({ level: 'silent' });
let dir: string;
let log: MemorySharedLog;
let seams: SharedSeams;
let leader: RunningServer | undefined;
let promoted: RunningServer | undefined;
let follower: RunningServer | undefined;
const servers: RunningServer[] = [];
const clients: pg.Client[] = [];
let goneOid = 0;

/** A client that records the ParameterStatus messages it gets after startup. */
async function connect(port: number): Promise<pg.Client & { statusLog: [string, string][] }> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' }) as pg.Client & { statusLog: [string, string][] };
  c.statusLog = [];
  // (a server closed later ends its sessions with 57P01)
  c.on('error', () => {});
  await c.connect();
  (c as unknown as { connection: { on(ev: string, f: (m: { parameterName: string; parameterValue: string }) => void): void } }).connection
    .on('parameterStatus', (m) => c.statusLog.push([m.parameterName, m.parameterValue]));
  clients.push(c);
  return c;
}

async function failure(c: pg.Client, sql: string | pg.QueryConfig): Promise<string> {
  try {
    await c.query(sql);
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code}: ${err.message}`;
  }
  return 'no error';
}

const one = async (c: pg.Client, sql: string) => Object.values((await c.query(sql)).rows[0])[0];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-promote-'));
  // small segments: the leader and then the promoted node seal while the test runs
  process.env.QUIVER_SEAL_THRESHOLD_BYTES = String(32 << 10);
  log = new MemorySharedLog();
  seams = { log, objects: new DirectoryObjectStore(join(dir, 's3')) };
});

after(async () => {
  for (const c of clients) await c.end().catch(() => {});
  for (const s of servers.reverse()) await s.close().catch(() => {});
  delete process.env.QUIVER_SEAL_THRESHOLD_BYTES;
  await rm(dir, { recursive: true, force: true });
});

test('a promoted hot standby keeps its sessions, which go on read-write; no acknowledged write is lost', async () => {
  leader = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'leader'), logger, queryWorkers: 0, shared: seams });
  servers.push(leader);
  const lw = await connect(leader.port);
  await lw.query('CREATE TABLE items (id int PRIMARY KEY, tag int, v vector(3))');
  await lw.query('CREATE SEQUENCE ids START 5000');
  await lw.query('INSERT INTO items SELECT i, i % 7, ARRAY[i, i % 10, 1]::vector(3) FROM generate_series(1, 500) i');

  const standby = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'standby'), logger, queryWorkers: 0, shared: seams, standby: true });
  servers.push(standby);
  promoted = standby;
  const following = new AbortController();
  const follow = standby.standby!.follow(following.signal);
  // a table dropped while the standby follows: its records stay in the standby's directory
  // (the leader's range deletes are local) until the promotion tidies them away
  await lw.query('CREATE TABLE gone (x int)');
  await lw.query('INSERT INTO gone SELECT generate_series(1, 100)');
  await lw.query('DELETE FROM gone WHERE x < 10');
  goneOid = Number(await one(lw, `SELECT 'gone'::regclass::oid`));
  await lw.query('DROP TABLE gone');
  // seals and an index build the standby applies (segment ids it must not hand out again once promoted)
  await lw.query('INSERT INTO items SELECT i, i % 7, ARRAY[i, i % 10, 1]::vector(3) FROM generate_series(501, 2000) i');
  await lw.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');

  // sessions on the standby before its promotion: idle, in a block that has read, in a
  // block that has not, and a REPEATABLE READ one
  const idle = await connect(standby.port);
  assert.equal(await one(idle, 'SELECT pg_is_in_recovery()'), true);
  assert.equal(await one(idle, 'SELECT count(*)::int FROM items'), 2000);
  const readBlock = await connect(standby.port);
  await readBlock.query('BEGIN');
  assert.equal(await one(readBlock, 'SELECT count(*)::int FROM items'), 2000);
  const emptyBlock = await connect(standby.port);
  await emptyBlock.query('BEGIN');
  const rr = await connect(standby.port);
  await rr.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  assert.equal(await one(rr, 'SELECT count(*)::int FROM items'), 2000);
  assert.deepEqual(idle.statusLog, []);
  // a statement prepared on the standby runs once it is promoted
  const prepared = (id: number) => ({ name: 'ins', text: 'INSERT INTO items VALUES ($1, 9, $2)', values: [id, '[9,9,9]'] });
  assert.equal(await failure(idle, prepared(4100)), '25006: cannot execute INSERT in a read-only transaction');

  // the standby falls behind: the leader's last acknowledged writes are not applied yet
  standby.standby!.pause(true);
  const acked: number[] = [];
  for (let i = 0; i < 40; i++) {
    await lw.query('INSERT INTO items VALUES ($1, 1, $2)', [3000 + i, `[${i},2,3]`]);
    acked.push(3000 + i);
  }
  await lw.query('UPDATE items SET tag = 100 WHERE id <= 10');
  await lw.query('DELETE FROM items WHERE id BETWEEN 11 AND 20');
  // a compaction: the standby deletes the dropped rows' tombstone records in the background (while it is promoted)
  await lw.query('VACUUM items');
  assert.equal(await one(lw, `SELECT nextval('ids')`), '5000');
  const leaderRows = (await lw.query('SELECT count(*)::int AS n, sum(id)::bigint AS s, sum(tag)::bigint AS t FROM items')).rows[0];
  const leaderKnn = (await lw.query(`SELECT id FROM items ORDER BY v <-> '[1500,0,1]' LIMIT 5`)).rows.map((r) => r.id);
  await idle.query('SET quiver.consistency = eventually');
  assert.ok(Number(await one(idle, 'SELECT count(*)::int FROM items WHERE id >= 3000')) < acked.length, 'the standby is behind');
  // the leader stops (its lease is gone); the standby is elected
  await lw.end();
  await leader.close();
  servers.splice(servers.indexOf(leader), 1);
  leader = undefined;
  following.abort();
  await follow;
  const t0 = performance.now();
  await standby.standby!.promote(seams);
  const promoteMs = performance.now() - t0;
  assert.equal(standby.standby, undefined, 'no longer a standby');

  // the idle session: the first answer after the promotion carries in_hot_standby = off
  assert.equal(await one(idle, 'SELECT pg_is_in_recovery()'), false);
  assert.deepEqual(idle.statusLog, [['in_hot_standby', 'off']]);
  assert.equal(await one(idle, 'SHOW in_hot_standby'), 'off');
  assert.equal(await one(idle, 'SHOW transaction_read_only'), 'off');
  // every write the old leader acknowledged is here, once
  assert.deepEqual((await idle.query('SELECT count(*)::int AS n, sum(id)::bigint AS s, sum(tag)::bigint AS t FROM items')).rows[0], leaderRows);
  assert.deepEqual((await idle.query(`SELECT id FROM items WHERE id >= 3000 ORDER BY id`)).rows.map((r) => r.id), acked);
  assert.deepEqual((await idle.query(`SELECT id FROM items ORDER BY v <-> '[1500,0,1]' LIMIT 5`)).rows.map((r) => r.id), leaderKnn);
  // and it writes: rows, DDL, sequences (on from the leader's last logged value), NOTIFY
  await idle.query(`INSERT INTO items VALUES (4000, 4, '[4,4,4]')`);
  await idle.query('UPDATE items SET tag = 5 WHERE id = 1');
  await idle.query('CREATE TABLE after_promotion (k int PRIMARY KEY, note text)');
  await idle.query(`INSERT INTO after_promotion VALUES (1, 'one')`);
  assert.ok(Number(await one(idle, `SELECT nextval('ids')`)) > 5000);
  await idle.query('NOTIFY ch');
  await idle.query(prepared(4100));
  await idle.query('CREATE TEMP TABLE scratch AS SELECT id FROM items WHERE id >= 4000');
  assert.equal(await one(idle, 'SELECT count(*)::int FROM scratch'), 2);
  assert.equal(await failure(idle, `INSERT INTO items VALUES (1, 0, '[0,0,0]')`), '23505: duplicate key value violates unique constraint "items_pkey"');

  // a block begun during recovery stays read-only until it ends (PostgreSQL sets it at the
  // transaction's start); pg_is_in_recovery() and in_hot_standby change at once
  assert.equal(await one(readBlock, 'SELECT pg_is_in_recovery()'), false);
  assert.equal(await one(readBlock, 'SHOW in_hot_standby'), 'off');
  assert.deepEqual(readBlock.statusLog, [['in_hot_standby', 'off']]);
  assert.equal(await one(readBlock, 'SHOW transaction_read_only'), 'on');
  assert.equal(await failure(readBlock, `INSERT INTO items VALUES (4001, 4, '[4,4,4]')`), '25006: cannot execute INSERT in a read-only transaction');
  await readBlock.query('ROLLBACK');
  assert.equal(await one(readBlock, 'SHOW transaction_read_only'), 'off');
  await readBlock.query(`INSERT INTO items VALUES (4001, 4, '[4,4,4]')`);
  // a new block follows default_transaction_read_only
  await readBlock.query('BEGIN');
  assert.equal(await one(readBlock, 'SHOW transaction_read_only'), 'off');
  await readBlock.query(`INSERT INTO items VALUES (4002, 4, '[4,4,4]')`);
  await readBlock.query('COMMIT');
  await readBlock.query('SET default_transaction_read_only = on');
  await readBlock.query('BEGIN');
  assert.equal(await one(readBlock, 'SHOW transaction_read_only'), 'on');
  await readBlock.query('ROLLBACK');
  await readBlock.query('RESET default_transaction_read_only');
  assert.equal(await one(readBlock, `SELECT count(*)::int FROM items WHERE id >= 4000 AND id < 4100`), 3);

  // an open block that has run no query may still turn read-write, as on PostgreSQL (no
  // longer in recovery); the REPEATABLE READ block read already: 25001
  assert.equal(await one(emptyBlock, 'SHOW transaction_read_only'), 'on');
  await emptyBlock.query('SET transaction_read_only = off');
  await emptyBlock.query(`INSERT INTO items VALUES (4003, 4, '[4,4,4]')`);
  await emptyBlock.query('COMMIT');
  assert.equal(await failure(rr, 'SET transaction_read_only = off'), '25001: transaction read-write mode must be set before any query');
  await rr.query('ROLLBACK');
  await rr.query('BEGIN READ WRITE');
  await rr.query(`INSERT INTO items VALUES (4004, 4, '[4,4,4]')`);
  await rr.query('COMMIT');

  // a session that connects now is a leader's
  const fresh = await connect(standby.port);
  assert.equal(await one(fresh, 'SHOW in_hot_standby'), 'off');
  assert.equal(await one(fresh, 'SELECT count(*)::int FROM items WHERE id >= 4000'), 6);
  assert.ok(promoteMs < 5000, `promoted in ${promoteMs} ms`);
});

test('the promoted node writes the shared log: it seals, and a new standby follows it', async () => {
  const p = promoted!;
  const w = await connect(p.port);
  const objects = () => new Set(readdirSync(join(dir, 's3')).filter((f) => !f.startsWith('checkpoint')));
  const before = objects();
  // enough rows to seal several segments on the promoted node (new segment ids: no file is reused)
  await w.query(`INSERT INTO items SELECT i, i % 7, ARRAY[i, i % 10, 2]::vector(3) FROM generate_series(10001, 14000) i`);
  await w.query('DELETE FROM items WHERE id BETWEEN 10001 AND 10500');
  // its seals put new segment files (and their HNSW index files) in the object store
  for (let i = 0; i < 100 && [...objects()].filter((f) => !before.has(f)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok([...objects()].filter((f) => !before.has(f)).length >= 2, 'the promoted node sealed');
  const expected = (await w.query('SELECT count(*)::int AS n, sum(id)::bigint AS s, sum(tag)::bigint AS t FROM items')).rows[0];
  const knn = (await w.query(`SELECT id FROM items ORDER BY v <-> '[12000,0,2]' LIMIT 5`)).rows.map((r) => r.id);
  follower = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'follower'), logger, queryWorkers: 0, shared: seams, standby: true });
  servers.push(follower);
  const following = new AbortController();
  const follow = follower.standby!.follow(following.signal);
  try {
    const r = await connect(follower.port);
    assert.equal(await one(r, 'SELECT pg_is_in_recovery()'), true);
    assert.deepEqual((await r.query('SELECT count(*)::int AS n, sum(id)::bigint AS s, sum(tag)::bigint AS t FROM items')).rows[0], expected);
    assert.deepEqual((await r.query(`SELECT id FROM items ORDER BY v <-> '[12000,0,2]' LIMIT 5`)).rows.map((x) => x.id), knn);
    assert.deepEqual((await r.query('SELECT note FROM after_promotion')).rows, [{ note: 'one' }]);
    // a write after the follower is up reaches it too
    await w.query(`INSERT INTO after_promotion VALUES (2, 'two')`);
    assert.equal(await one(r, 'SELECT count(*)::int FROM after_promotion'), 2);
  } finally {
    following.abort();
    await follow;
  }
  // the promoted node's directory opens as a leader's, with the same rows
  await p.close();
  servers.splice(servers.indexOf(p), 1);
  // (and it holds no records of the table dropped before the promotion any more)
  const db = new ClassicLevel<string, Uint8Array>(join(dir, 'standby', WAL_DIR), { keyEncoding: 'utf8', valueEncoding: 'view' });
  try {
    const left = [...await db.keys({ gte: keys.insertPrefix(goneOid), lt: `${keys.insertPrefix(goneOid)}~` }).all(), ...await db.keys({ gte: keys.tombstonePrefix(goneOid), lt: `${keys.tombstonePrefix(goneOid)}~` }).all()];
    assert.deepEqual(left, []);
  } finally {
    await db.close();
  }
  const again = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'standby'), logger, queryWorkers: 0, shared: seams });
  servers.push(again);
  const a = await connect(again.port);
  assert.deepEqual((await a.query('SELECT count(*)::int AS n, sum(id)::bigint AS s, sum(tag)::bigint AS t FROM items')).rows[0], expected);
  assert.equal(await one(a, 'SELECT count(*)::int FROM after_promotion'), 2);
  await a.query(`INSERT INTO after_promotion VALUES (3, 'three')`);
});

test('an elected data node promotes its hot standby in place; if that fails, it closes it and starts the leader', async () => {
  const run = async (promote: (shared: SharedSeams) => Promise<string>) => {
    let elect: (l: Leadership) => void = () => {};
    const coordinator: Coordinator = {
      campaign: () => new Promise<Leadership>((resolve) => { elect = resolve; }),
      takeover: async () => {},
      leader: async () => undefined,
      watchLeader: async () => async () => {},
      watchNodes: async () => async () => {},
      register: async () => {},
      nodes: async () => [],
      get: async () => undefined,
      put: async () => {},
      putIfAbsent: async (_key, value) => value,
      compareAndPut: async () => true,
    delete: async () => {},
    list: async () => new Map(),
      close: async () => {},
    };
    const events: string[] = [];
    let followed = () => {};
    const following = new Promise<void>((r) => { followed = r; });
    const standby: StandbyServer<string> = {
      follow: (signal) => new Promise<void>((resolve) => {
        followed();
        signal.addEventListener('abort', () => setTimeout(() => { events.push('follow ended'); resolve(); }, 20), { once: true });
      }),
      promote: async (shared) => {
        events.push(`promote${shared.onAppendFailed ? ' (with onAppendFailed)' : ''}`);
        return promote(shared);
      },
      close: async () => { events.push('close'); },
    };
    const abdicated: string[] = [];
    const running = runDataRole<string>({
      nodeId: 'd1', host: '127.0.0.1', port: 7, dataDir: join(dir, 'd1'), coordinator, seams, logger,
      start: async (shared) => { events.push(`start${shared.onAppendFailed ? ' (with onAppendFailed)' : ''}`); return 'restarted'; },
      startStandby: async () => standby,
      abdicate: (reason) => abdicated.push(reason),
    });
    await following;
    elect({ lost: new Promise(() => {}), resign: async () => {} });
    return { server: await running, events, abdicated };
  };
  const inPlace = await run(async (shared) => {
    // the leader's seams: a refused append stops the node
    shared.onAppendFailed!(new Error('fenced'));
    return 'promoted';
  });
  assert.equal(inPlace.server, 'promoted');
  assert.deepEqual(inPlace.events, ['follow ended', 'promote (with onAppendFailed)']);
  assert.deepEqual(inPlace.abdicated, ['the shared log refused a batch: fenced']);
  const fallback = await run(async () => { throw new Error('the log is trimmed past this standby'); });
  assert.equal(fallback.server, 'restarted');
  assert.deepEqual(fallback.events, ['follow ended', 'promote (with onAppendFailed)', 'close', 'start (with onAppendFailed)']);
});
