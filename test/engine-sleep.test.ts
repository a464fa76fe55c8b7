/**
 * pg_sleep, pg_sleep_for, pg_sleep_until: the sleeping statement holds no thread (another
 * session's SELECT 1 answers at once), and a CancelRequest or statement_timeout ends the
 * sleep with 57014 as in PostgreSQL.
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

async function withClients(n: number, body: (clients: pg.Client[]) => Promise<void>): Promise<void> {
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < n; i++) clients.push(await connectClient(server));
    await body(clients);
  } finally {
    for (const c of clients) await c.end();
  }
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t0 };
}

async function expectCanceled(p: Promise<unknown>, message: string): Promise<number> {
  const t0 = performance.now();
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, '57014');
    assert.equal(e.message, message);
    return true;
  });
  return performance.now() - t0;
}

test('pg_sleep(2) sleeps 2 s while another session is answered at once', async () => {
  await withClients(2, async ([sleeper, probe]) => {
    const sleeping = timed(sleeper.query('SELECT pg_sleep(2) AS slept'));
    await new Promise((r) => setTimeout(r, 300));
    let sleepDone = false;
    void sleeping.then(() => { sleepDone = true; });
    const probed = await timed(probe.query('SELECT 1 AS one'));
    assert.equal(probed.value.rows[0].one, 1);
    assert.equal(sleepDone, false, 'pg_sleep(2) ended before the probe was answered');
    assert.ok(probed.ms < 500, `SELECT 1 took ${probed.ms.toFixed(0)} ms while pg_sleep ran`);
    const slept = await sleeping;
    // void prints as an empty string, as PostgreSQL sends it
    assert.equal(slept.value.rows[0].slept, '');
    assert.ok(slept.ms >= 1950 && slept.ms < 3500, `pg_sleep(2) took ${slept.ms.toFixed(0)} ms`);
  });
});

test('CancelRequest ends pg_sleep with 57014 within a second; the session stays usable', async () => {
  await withClients(1, async ([c]) => {
    const q = expectCanceled(c.query('SELECT pg_sleep(30)'), 'canceling statement due to user request');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await sendCancelRequest(c);
    await q;
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `the cancel took ${ms.toFixed(0)} ms`);
    assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
  });
});

test('statement_timeout ends pg_sleep with 57014', async () => {
  await withClients(1, async ([c]) => {
    await c.query('SET statement_timeout = 300');
    const ms = await expectCanceled(c.query('SELECT pg_sleep(30)'), 'canceling statement due to statement timeout');
    assert.ok(ms >= 250 && ms < 1000, `the timeout fired after ${ms.toFixed(0)} ms`);
  });
});

test('pg_sleep_for, pg_sleep_until and pg_sleep with a parameter, per row, NULL or negative', async () => {
  await withClients(1, async ([c]) => {
    const forMs = (await timed(c.query(`SELECT pg_sleep_for('400 milliseconds')`))).ms;
    assert.ok(forMs >= 380 && forMs < 1500, `pg_sleep_for took ${forMs.toFixed(0)} ms`);
    const untilMs = (await timed(c.query(`SELECT pg_sleep_until(clock_timestamp() + interval '400 ms')`))).ms;
    assert.ok(untilMs >= 350 && untilMs < 1500, `pg_sleep_until took ${untilMs.toFixed(0)} ms`);
    // extended protocol: a portal's batches wait too
    const param = await timed(c.query('SELECT pg_sleep($1) AS s', [0.4]));
    assert.ok(param.ms >= 380 && param.ms < 1500, `pg_sleep($1) took ${param.ms.toFixed(0)} ms`);
    const perRow = await timed(c.query('SELECT i, pg_sleep(0.15) FROM generate_series(1, 3) i'));
    assert.equal(perRow.value.rowCount, 3);
    assert.ok(perRow.ms >= 430 && perRow.ms < 2000, `three rows of pg_sleep(0.15) took ${perRow.ms.toFixed(0)} ms`);
    const none = await timed(c.query('SELECT pg_sleep(NULL) AS a, pg_sleep(-1) AS b, pg_sleep_until(now() - interval \'1 hour\') AS c'));
    assert.deepEqual(none.value.rows[0], { a: null, b: '', c: '' });
    assert.ok(none.ms < 300, `a NULL or past sleep took ${none.ms.toFixed(0)} ms`);
  });
});
