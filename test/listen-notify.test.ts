/**
 * LISTEN / NOTIFY between connections, as PostgreSQL delivers them: at the sender's
 * commit, to idle listeners at once, to a listener inside a transaction block only after
 * its block ends; never from a rolled-back transaction; never across databases.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

async function client(database = TEST_DATABASE): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database });
  await c.connect();
  return c;
}

/** collects the notifications a client receives */
function inbox(c: pg.Client): pg.Notification[] {
  const got: pg.Notification[] = [];
  c.on('notification', (n) => got.push(n));
  return got;
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('an idle listener gets a committed NOTIFY at once, with the sender pid, channel and payload', async () => {
  const listener = await client();
  const sender = await client();
  try {
    const got = inbox(listener);
    await listener.query('LISTEN jobs');
    const senderPid = (await sender.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await sender.query("NOTIFY jobs, 'one'");
    await sender.query("SELECT pg_notify('jobs', 'two')");
    await until(() => got.length === 2);
    assert.deepEqual(got.map((n) => [n.channel, n.payload, n.processId]), [['jobs', 'one', senderPid], ['jobs', 'two', senderPid]]);
  } finally {
    await listener.end();
    await sender.end();
  }
});

test('NOTIFY waits for the sender to commit and is dropped on rollback; duplicates are folded', async () => {
  const listener = await client();
  const sender = await client();
  try {
    const got = inbox(listener);
    await listener.query('LISTEN q');
    await sender.query('BEGIN');
    await sender.query("NOTIFY q, 'x'");
    await sender.query("NOTIFY q, 'x'");
    await sender.query("NOTIFY q, 'y'");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.length, 0, 'nothing before COMMIT');
    await sender.query('COMMIT');
    await until(() => got.length === 2);
    assert.deepEqual(got.map((n) => n.payload), ['x', 'y']);
    await sender.query('BEGIN');
    await sender.query("NOTIFY q, 'rolled back'");
    await sender.query('ROLLBACK');
    await assert.rejects(sender.query("SELECT pg_notify('q', 'failed'), 1 / 0"), { code: '22012' });
    await sender.query("NOTIFY q, 'last'");
    await until(() => got.length === 3);
    assert.equal(got[2].payload, 'last');
  } finally {
    await listener.end();
    await sender.end();
  }
});

test('a listener in a transaction block receives after its block ends; other databases hear nothing', async () => {
  const admin = await client();
  await admin.query('CREATE DATABASE notify_other');
  const listener = await client();
  const elsewhere = await client('notify_other');
  const sender = await client();
  try {
    const got = inbox(listener);
    const gotElsewhere = inbox(elsewhere);
    await listener.query('LISTEN ch');
    await elsewhere.query('LISTEN ch');
    await listener.query('BEGIN');
    await sender.query("NOTIFY ch, 'while in block'");
    await listener.query('SELECT 1');
    assert.equal(got.length, 0, 'not delivered inside the block');
    await listener.query('COMMIT');
    await until(() => got.length === 1);
    assert.equal(got[0].payload, 'while in block');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(gotElsewhere.length, 0);
    // UNLISTEN inside a rolled-back block does not take effect
    await listener.query('BEGIN');
    await listener.query('UNLISTEN ch');
    await listener.query('ROLLBACK');
    await sender.query("NOTIFY ch, 'still listening'");
    await until(() => got.length === 2);
    await listener.query('UNLISTEN *');
    await sender.query("NOTIFY ch, 'nobody'");
    await listener.query('SELECT 1');
    assert.equal(got.length, 2);
  } finally {
    await listener.end();
    await elsewhere.end();
    await sender.end();
    await admin.query('DROP DATABASE notify_other');
    await admin.end();
  }
});

test("a closed listener is forgotten: NOTIFY to its channel still works for the others", async () => {
  const gone = await client();
  const stays = await client();
  const sender = await client();
  try {
    await gone.query('LISTEN bye');
    const got = inbox(stays);
    await stays.query('LISTEN bye');
    await gone.end();
    await sender.query("NOTIFY bye, 'after close'");
    await until(() => got.length === 1);
    assert.equal(got[0].payload, 'after close');
  } finally {
    await stays.end();
    await sender.end();
  }
});
