/**
 * Recovery conflicts on a hot standby (cluster mode in one process: a leader and a hot
 * standby on one in-memory shared log), as PostgreSQL 15's on relation locks: a
 * transaction on the standby that read a table the leader then rewrites (ALTER TABLE …
 * TYPE: new storage under a new OID) or drops is given max_standby_streaming_delay to end
 * while the standby holds that part of the log back; past it, a running statement is
 * cancelled (ERROR 40001 'canceling statement due to conflict with recovery', DETAIL 'User
 * was holding a relation lock for too long.') and a session idle in its transaction is
 * ended (FATAL 40001 'terminating connection due to conflict with recovery', with the
 * HINT) — instead of reading the rewritten table with its old snapshot. Transactions that
 * end in time, or hold other tables, go on. (Messages: postgres.c ProcessInterrupts.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';
import type { SharedSeams } from '../src/storage/log-replica.js';

const logger = pino({ level: 'silent' });
const DELAY_MS = 800;
let dir: string;
let seams: SharedSeams;
const servers: RunningServer[] = [];
const clients: pg.Client[] = [];
let following: AbortController;
let follow: Promise<void>;

type Client = pg.Client & { fatal?: { code?: string; message: string; detail?: string; hint?: string } };

async function connect(port: number): Promise<Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' }) as Client;
  // an ErrorResponse while idle (the FATAL of a conflict) comes as an 'error' event
  c.on('error', (e) => { c.fatal ??= e as Client['fatal']; });
  await c.connect();
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; message: string; detail?: string };
    return `${err.code}: ${err.message}${err.detail ? ` (DETAIL: ${err.detail})` : ''}`;
  }
  return 'no error';
}

const one = async (c: pg.Client, sql: string) => Object.values((await c.query(sql)).rows[0])[0];

let leader: Client;
let standby: RunningServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-recovery-conflict-'));
  seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(join(dir, 's3')) };
  const l = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'leader'), logger, queryWorkers: 0, shared: seams });
  servers.push(l);
  leader = await connect(l.port);
  await leader.query('CREATE TABLE t (id int, note text)');
  await leader.query(`INSERT INTO t SELECT i, 'n' || i FROM generate_series(1, 50) i`);
  await leader.query('CREATE TABLE u (id int)');
  await leader.query('INSERT INTO u VALUES (1), (2)');
  standby = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'standby'), logger, queryWorkers: 0, shared: seams, standby: true, maxStandbyStreamingDelayMs: DELAY_MS });
  servers.push(standby);
  following = new AbortController();
  follow = standby.standby!.follow(following.signal);
});

after(async () => {
  following?.abort();
  await follow?.catch(() => {});
  for (const c of clients) await c.end().catch(() => {});
  for (const s of servers.reverse()) await s.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

test('a table rewritten on the leader: transactions on the standby holding it end with 40001 after max_standby_streaming_delay', async () => {
  const idleInTx = await connect(standby.port);
  assert.equal(await one(idleInTx, 'SHOW max_standby_streaming_delay'), '800ms');
  await idleInTx.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  assert.equal(await one(idleInTx, 'SELECT count(*)::int FROM t'), 50);
  // a transaction that ends within the delay is not touched
  const quick = await connect(standby.port);
  await quick.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  assert.equal(await one(quick, 'SELECT count(*)::int FROM t'), 50);
  // one holding another table only, and one that read t outside any block, go on
  const other = await connect(standby.port);
  await other.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  assert.equal(await one(other, 'SELECT count(*)::int FROM u'), 2);
  const autocommit = await connect(standby.port);
  assert.equal(await one(autocommit, 'SELECT count(*)::int FROM t'), 50);

  const t0 = performance.now();
  await leader.query('ALTER TABLE t ALTER COLUMN id TYPE bigint');
  await leader.query(`INSERT INTO t VALUES (51, 'after')`);
  await new Promise((r) => setTimeout(r, 200));
  await quick.query('COMMIT');
  // a strong read waits for the rewrite to be applied: after the delay, once the holder is gone
  assert.equal(await one(autocommit, 'SELECT count(*)::int FROM t'), 51);
  const waited = performance.now() - t0;
  assert.ok(waited >= DELAY_MS - 50, `the standby held the rewrite back for ${Math.round(waited)} ms`);
  // the idle holder was ended with PostgreSQL's FATAL
  for (let i = 0; i < 40 && !idleInTx.fatal; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(idleInTx.fatal && { code: idleInTx.fatal.code, message: idleInTx.fatal.message, detail: idleInTx.fatal.detail, hint: idleInTx.fatal.hint }, {
    code: '40001', message: 'terminating connection due to conflict with recovery', detail: 'User was holding a relation lock for too long.',
    hint: 'In a moment you should be able to reconnect to the database and repeat your command.',
  });
  // the others go on
  assert.equal(await one(quick, 'SELECT count(*)::int FROM t'), 51);
  assert.equal(await one(other, 'SELECT count(*)::int FROM u'), 2);
  await other.query('COMMIT');
  assert.equal(await one(quick, `SELECT pg_typeof(id)::text FROM t LIMIT 1`), 'bigint');
  // counted as PostgreSQL counts it: one relation-lock conflict in this database
  assert.equal(await one(quick, 'SELECT confl_lock::int FROM pg_stat_database_conflicts WHERE datname = current_database()'), 1);
});

test('a statement running on the standby over a table the leader drops is cancelled with 40001; its block is aborted', async () => {
  const running = await connect(standby.port);
  await running.query('BEGIN');
  const slow = running.query('SELECT count(*), pg_sleep(5) FROM t');
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await leader.query('DROP TABLE t');
  assert.equal(await failure(slow), "40001: canceling statement due to conflict with recovery (DETAIL: User was holding a relation lock for too long.)");
  const ms = performance.now() - t0;
  assert.ok(ms >= DELAY_MS - 50 && ms < 4000, `cancelled after ${Math.round(ms)} ms`);
  assert.equal(await failure(running.query('SELECT 1')), '25P02: current transaction is aborted, commands ignored until end of transaction block');
  await running.query('ROLLBACK');
  assert.equal(await failure(running.query('SELECT count(*) FROM t')), '42P01: relation "t" does not exist');
  assert.equal(await one(running, 'SELECT (confl_lock + confl_snapshot + confl_tablespace)::int FROM pg_stat_database_conflicts WHERE datname = current_database()'), 2);
});
