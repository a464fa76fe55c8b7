/**
 * Advisory locks between sessions, as PostgreSQL 15 answers them (checked against it with the
 * same steps): a blocked pg_advisory_lock waits without holding the server's thread and gets
 * the lock when its holder unlocks, shows in pg_locks (granted false) and pg_stat_activity
 * (Lock / advisory); lock_timeout ends the wait with 55P03, a CancelRequest (pg_cancel_backend)
 * with 57014, and neither leaves a lock behind; the first of two sessions waiting on each other
 * fails with 40P01 after deadlock_timeout; transaction-level locks end with the transaction,
 * shared ones share, and a session's locks end with it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const one = async (c: pg.Client, sql: string): Promise<unknown> => Object.values((await c.query(sql)).rows[0] ?? {})[0];
const sqlState = async (p: Promise<unknown>): Promise<string | undefined> => p.then(() => undefined, (e: { code?: string }) => e.code);

async function withClients(body: (a: pg.Client, b: pg.Client) => Promise<void>): Promise<void> {
  const a = await connectClient(server), b = await connectClient(server);
  try {
    await body(a, b);
  } finally {
    await a.end();
    await b.end();
  }
}

test('a blocked pg_advisory_lock waits, is listed, and gets the lock at the unlock', async () => {
  await withClients(async (a, b) => {
    await a.query('SELECT pg_advisory_lock(1)');
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(1)'), false);
    const t0 = performance.now();
    const waiting = b.query('SELECT pg_advisory_lock(1)');
    await sleep(300);
    // the server answers meanwhile; the wait is shown as PostgreSQL shows it
    const locks = (await a.query("SELECT locktype, classid, objid, objsubid, mode, granted, pid = pg_backend_pid() AS mine FROM pg_locks ORDER BY granted DESC")).rows;
    assert.deepEqual(locks, [
      { locktype: 'advisory', classid: 0, objid: 1, objsubid: 1, mode: 'ExclusiveLock', granted: true, mine: true },
      { locktype: 'advisory', classid: 0, objid: 1, objsubid: 1, mode: 'ExclusiveLock', granted: false, mine: false },
    ]);
    assert.deepEqual((await a.query("SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active'")).rows,
      [{ wait_event_type: 'Lock', wait_event: 'advisory' }]);
    assert.equal(await one(a, 'SELECT pg_advisory_unlock(1)'), true);
    await waiting;
    assert.ok(performance.now() - t0 >= 250);
    assert.equal(await one(b, 'SELECT pg_advisory_unlock(1)'), true);
    const warnings: string[] = [];
    b.on('notice', (n) => warnings.push(`${n.severity} ${n.message}`));
    assert.equal(await one(b, 'SELECT pg_advisory_unlock(1)'), false);
    await sleep(50);
    assert.deepEqual(warnings, ["WARNING you don't own a lock of type ExclusiveLock"]);
  });
});

test('lock_timeout (55P03) and a cancel (57014) end a wait and leave no lock', async () => {
  await withClients(async (a, b) => {
    await a.query('SELECT pg_advisory_lock(2)');
    await b.query("SET lock_timeout = '200ms'");
    assert.equal(await sqlState(b.query('SELECT pg_advisory_lock(2)')), '55P03');
    await b.query('RESET lock_timeout');
    const waiting = sqlState(b.query('SELECT pg_advisory_lock(2)'));
    await sleep(200);
    assert.equal(await one(a, "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE wait_event = 'advisory'"), true);
    assert.equal(await waiting, '57014');
    assert.equal(await one(a, 'SELECT count(*)::int FROM pg_locks'), 1);
    assert.equal(await one(a, 'SELECT pg_advisory_unlock(2)'), true);
    // the session is usable and the lock free
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(2)'), true);
    assert.equal(await one(b, 'SELECT pg_advisory_unlock(2)'), true);
  });
});

test('two sessions waiting on each other: the first waiter fails with 40P01', async () => {
  await withClients(async (a, b) => {
    await a.query("SET deadlock_timeout = '300ms'");
    await a.query('SELECT pg_advisory_lock(10)');
    await b.query('SELECT pg_advisory_lock(11)');
    const first = a.query('SELECT pg_advisory_lock(11)').then(() => undefined, (e: { code?: string; detail?: string }) => e);
    await sleep(100);
    const second = b.query('SELECT pg_advisory_lock(10)');
    const e = await first;
    assert.equal(e?.code, '40P01');
    assert.match(e?.detail ?? '', /^Process \d+ waits for ExclusiveLock on advisory lock \[\d+,0,11,1\]; blocked by process \d+\.\nProcess \d+ waits for ExclusiveLock on advisory lock \[\d+,0,10,1\]; blocked by process \d+\.$/);
    // a keeps lock 10 (session level): b waits until a lets it go
    assert.equal(await one(a, 'SELECT pg_advisory_unlock(10)'), true);
    await second;
    await b.query('SELECT pg_advisory_unlock_all()');
  });
});

test('transaction-level locks end with the transaction; shared locks share; two-int keys are their own space', async () => {
  await withClients(async (a, b) => {
    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock(5)');
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(5)'), false);
    await a.query('COMMIT');
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(5)'), true);
    assert.equal(await one(b, 'SELECT pg_advisory_unlock(5)'), true);
    await a.query('BEGIN');
    await a.query('SELECT pg_advisory_xact_lock_shared(6)');
    await assert.rejects(a.query('SELECT 1/0'));
    // the failed transaction released it, as PostgreSQL's abort does
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(6)'), true);
    await a.query('ROLLBACK');
    assert.equal(await one(b, 'SELECT pg_advisory_unlock(6)'), true);
    await a.query('SELECT pg_advisory_lock_shared(7)');
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock_shared(7)'), true);
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(7)'), false);
    await b.query('SELECT pg_advisory_unlock_shared(7)');
    await a.query('SELECT pg_advisory_unlock_shared(7)');
    await a.query('SELECT pg_advisory_lock(1, 2)');
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(4294967298)'), true, 'bigint 1<<32 | 2 is another lock than (1, 2)');
    assert.deepEqual((await a.query('SELECT classid, objid, objsubid FROM pg_locks ORDER BY objsubid')).rows,
      [{ classid: 1, objid: 2, objsubid: 1 }, { classid: 1, objid: 2, objsubid: 2 }]);
    await b.query('SELECT pg_advisory_unlock_all()');
  });
});

test("a session's locks end with it", async () => {
  const a = await connectClient(server), b = await connectClient(server);
  try {
    await a.query('SELECT pg_advisory_lock(42)');
    assert.equal(await one(b, 'SELECT pg_try_advisory_lock(42)'), false);
    const waiting = b.query('SELECT pg_advisory_lock(42)');
    await a.end();
    await waiting;
    assert.equal(await one(b, 'SELECT count(*)::int FROM pg_locks WHERE granted'), 1);
  } finally {
    await b.end();
  }
});
