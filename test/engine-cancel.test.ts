/**
 * A long statement never stalls the server, and every way of stopping one works like
 * PostgreSQL: CancelRequest, pg_cancel_backend, statement_timeout (57014), lock_timeout
 * (55P03), idle_in_transaction_session_timeout (FATAL 25P03), pg_terminate_backend
 * (FATAL 57P01); pg_stat_activity shows what each session does.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sendCancelRequest } from '../bench/util.js';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

function client(): Promise<pg.Client> {
  return connectClient(server);
}

/** A query that runs for many seconds unless stopped. */
const LONG = 'SELECT count(*) FROM generate_series(1, 2000000000)';


async function expectError(p: Promise<unknown>, code: string, message: string): Promise<number> {
  const t0 = performance.now();
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
  return performance.now() - t0;
}

test('SELECT 1 is answered while another connection runs a long query', async () => {
  const busy = await client();
  const probe = await client();
  try {
    let longDone = false;
    const long = busy.query('SELECT count(*) FROM generate_series(1, 8000000)').then(() => { longDone = true; });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const r = await probe.query('SELECT 1 AS one');
    const ms = performance.now() - t0;
    assert.equal(r.rows[0].one, 1);
    assert.equal(longDone, false, 'the long query should still be running (make it longer if this machine is fast)');
    assert.ok(ms < 1000, `SELECT 1 took ${ms.toFixed(0)} ms while a long query ran`);
    await long;
  } finally {
    await busy.end();
    await probe.end();
  }
});

test('CancelRequest stops a long scan with 57014; the session stays usable', async () => {
  const c = await client();
  try {
    // the expectation is attached at once: the answer may arrive before the cancel socket closes
    const q = expectError(c.query(LONG), '57014', 'canceling statement due to user request');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await sendCancelRequest(c);
    await q;
    assert.ok(performance.now() - t0 < 1000);
    assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
  } finally {
    await c.end();
  }
});

test('pg_cancel_backend stops a long join over vectors; pg_stat_activity shows it running', async () => {
  const c = await client();
  const admin = await client();
  try {
    await c.query('CREATE TABLE cancel_vecs (id int, v vector(16))');
    await c.query('INSERT INTO cancel_vecs SELECT i, array_fill(i::real / 1000, ARRAY[16])::vector FROM generate_series(1, 20000) i');
    const q = expectError(c.query('SELECT count(*) FROM cancel_vecs a, cancel_vecs b WHERE a.v <-> b.v < 0.001'), '57014', 'canceling statement due to user request');
    await new Promise((r) => setTimeout(r, 300));
    const pid = (c as unknown as { processID: number }).processID;
    const act = await admin.query("SELECT state, wait_event, query, query_start IS NOT NULL AS started, backend_type FROM pg_stat_activity WHERE pid = $1", [pid]);
    assert.deepEqual(act.rows, [{ state: 'active', wait_event: null, query: 'SELECT count(*) FROM cancel_vecs a, cancel_vecs b WHERE a.v <-> b.v < 0.001', started: true, backend_type: 'client backend' }]);
    const t0 = performance.now();
    assert.deepEqual((await admin.query('SELECT pg_cancel_backend($1) AS ok', [pid])).rows, [{ ok: true }]);
    await q;
    assert.ok(performance.now() - t0 < 1000);
    const idle = await admin.query('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
    assert.deepEqual(idle.rows, [{ state: 'idle' }]);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM cancel_vecs')).rows[0].n, 20000);
  } finally {
    await c.query('DROP TABLE IF EXISTS cancel_vecs').catch(() => {});
    await c.end();
    await admin.end();
  }
});

test('pg_cancel_backend of an unknown pid warns and returns false', async () => {
  const c = await client();
  const notices: string[] = [];
  c.on('notice', (n) => notices.push(`${n.severity} ${n.code} ${n.message}`));
  try {
    assert.deepEqual((await c.query('SELECT pg_cancel_backend(1) AS ok')).rows, [{ ok: false }]);
    assert.deepEqual(notices, ['WARNING 01000 PID 1 is not a PostgreSQL backend process']);
  } finally {
    await c.end();
  }
});

test('statement_timeout cancels a long sort and a long query with 57014', async () => {
  const c = await client();
  try {
    await c.query("SET statement_timeout = '300ms'");
    const ms = await expectError(c.query(LONG), '57014', 'canceling statement due to statement timeout');
    assert.ok(ms >= 250 && ms < 1300, `timed out after ${ms.toFixed(0)} ms`);
    await expectError(c.query('SELECT x FROM generate_series(1, 5000000) x ORDER BY x DESC LIMIT 1 OFFSET 10'), '57014', 'canceling statement due to statement timeout');
    await c.query('RESET statement_timeout');
    assert.equal((await c.query('SELECT 3 AS three')).rows[0].three, 3);
  } finally {
    await c.end();
  }
});

test('lock_timeout: waiting for a row lock ends with 55P03', async () => {
  const a = await client();
  const b = await client();
  try {
    await a.query('CREATE TABLE lock_t (id int PRIMARY KEY, v int)');
    await a.query('INSERT INTO lock_t VALUES (1, 0)');
    await a.query('BEGIN');
    await a.query('UPDATE lock_t SET v = 1 WHERE id = 1');
    await b.query("SET lock_timeout = '200ms'");
    const ms = await expectError(b.query('UPDATE lock_t SET v = 2 WHERE id = 1'), '55P03', 'canceling statement due to lock timeout');
    assert.ok(ms >= 150 && ms < 1500, `gave up after ${ms.toFixed(0)} ms`);
    await a.query('ROLLBACK');
    await b.query('UPDATE lock_t SET v = 2 WHERE id = 1');
    assert.deepEqual((await a.query('SELECT v FROM lock_t')).rows, [{ v: 2 }]);
  } finally {
    await a.query('DROP TABLE IF EXISTS lock_t').catch(() => {});
    await a.end();
    await b.end();
  }
});

test('idle_in_transaction_session_timeout and pg_terminate_backend end the connection with FATAL', async () => {
  const idle = await client();
  const errors: { code?: string; message: string }[] = [];
  idle.on('error', (e: Error & { code?: string }) => errors.push({ code: e.code, message: e.message }));
  await idle.query("SET idle_in_transaction_session_timeout = '200ms'");
  await idle.query('BEGIN');
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(errors[0], { code: '25P03', message: 'terminating connection due to idle-in-transaction timeout' });
  await idle.end().catch(() => {});

  const victim = await client();
  const admin = await client();
  const victimErrors: { code?: string; message: string }[] = [];
  victim.on('error', (e: Error & { code?: string }) => victimErrors.push({ code: e.code, message: e.message }));
  try {
    const pid = (victim as unknown as { processID: number }).processID;
    assert.deepEqual((await admin.query('SELECT pg_terminate_backend($1) AS ok', [pid])).rows, [{ ok: true }]);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(victimErrors[0], { code: '57P01', message: 'terminating connection due to administrator command' });
    const left = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid]);
    assert.equal(left.rows[0].n, 0);
  } finally {
    await victim.end().catch(() => {});
    await admin.end();
  }
});
