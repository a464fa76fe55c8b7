/**
 * The window operator gives the thread up like the other operators: a long window query
 * (one big partition, an aggregate re-computed per frame) neither stalls other
 * connections nor ignores cancel and statement_timeout.
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

/** EXCLUDE CURRENT ROW re-aggregates every frame: 10^10 steps, minutes unless stopped. */
const QUADRATIC_WINDOW =
  'SELECT count(m) FROM (SELECT max(x) OVER (ORDER BY x DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) AS m FROM generate_series(1, 100000) x) s';

async function expect57014(p: Promise<unknown>, message: string): Promise<number> {
  const t0 = performance.now();
  await assert.rejects(p, (e: Error & { code?: string }) => {
    assert.equal(e.code, '57014');
    assert.equal(e.message, message);
    return true;
  });
  return performance.now() - t0;
}

test('SELECT 1 is answered while a long window query runs; statement_timeout stops the window query', async () => {
  const busy = await client();
  const probe = await client();
  try {
    await busy.query("SET statement_timeout = '2500ms'");
    const long = expect57014(busy.query(QUADRATIC_WINDOW), 'canceling statement due to statement timeout');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    assert.equal((await probe.query('SELECT 1 AS one')).rows[0].one, 1);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `SELECT 1 took ${ms.toFixed(0)} ms while a window query ran`);
    const total = await long;
    assert.ok(total < 4000, `statement_timeout 2.5 s answered after ${total.toFixed(0)} ms`);
    assert.equal((await busy.query('SELECT 2 AS two')).rows[0].two, 2);
  } finally {
    await busy.end();
    await probe.end();
  }
});

test('CancelRequest stops a window query inside one big partition at once', async () => {
  const c = await client();
  try {
    const q = expect57014(c.query(QUADRATIC_WINDOW), 'canceling statement due to user request');
    await new Promise((r) => setTimeout(r, 400));
    const t0 = performance.now();
    await sendCancelRequest(c);
    await q;
    // well within a second on a quiet machine; the bound leaves room for a loaded one (the
    // query itself would run for minutes)
    const ms = performance.now() - t0;
    assert.ok(ms < 3000, `cancel answered after ${ms.toFixed(0)} ms`);
    // the session stays usable and windows still answer correctly
    const r = await c.query(
      'SELECT x, sum(x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM generate_series(1, 4) x ORDER BY x',
    );
    assert.deepEqual(r.rows.map((row) => Number(row.s)), [1, 3, 5, 7]);
  } finally {
    await c.end();
  }
});

test('a window over 200k rows sorted in slices gives the same answer as a small one computed by hand', async () => {
  const c = await client();
  try {
    // row_number over a descending sort of 200k rows (sorted in runs and merged) and a sliding sum
    const r = await c.query(
      `SELECT min(rn) AS min_rn, max(rn) AS max_rn, sum(CASE WHEN rn = 200001 - x THEN 1 ELSE 0 END) AS ordered,
              max(s) AS max_s
         FROM (SELECT x, row_number() OVER (ORDER BY x DESC) AS rn,
                      sum(x) OVER (ORDER BY x ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS s
                 FROM generate_series(1, 200000) x) t`,
    );
    assert.equal(Number(r.rows[0].min_rn), 1);
    assert.equal(Number(r.rows[0].max_rn), 200000);
    assert.equal(Number(r.rows[0].ordered), 200000);
    assert.equal(Number(r.rows[0].max_s), 200000 + 199999 + 199998);
  } finally {
    await c.end();
  }
});
