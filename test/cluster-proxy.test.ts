/**
 * The proxy role's router between two standalone servers standing in for data nodes,
 * with a leader source the test controls: sessions reach the leader through it, a
 * leader change closes the old sessions and new ones reach the new leader, a cancel
 * request goes through, a leader that does not listen yet is waited for, and with no
 * leader the client gets 57P03.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import pg from 'pg';
import { startProxy, type RunningProxy } from '../src/cluster/proxy.js';
import { freePort } from '../src/cluster/local/processes.js';
import { startQuiver, type QuiverServer } from './support/server.js';

let a: QuiverServer;
let b: QuiverServer;
let proxy: RunningProxy;
let setLeader: (address: string | undefined) => void = () => {};

before(async () => {
  [a, b] = await Promise.all([startQuiver(), startQuiver()]);
  proxy = await startProxy({
    host: '127.0.0.1', port: 0, waitMs: 2000,
    leader: async (onChange) => {
      setLeader = onChange;
      onChange(undefined);
      return async () => {};
    },
  });
  for (const [s, name] of [[a, 'on_a'], [b, 'on_b']] as const) {
    const c = new pg.Client({ host: s.host, port: s.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query(`CREATE TABLE ${name} (x int)`);
    await c.end();
  }
});

after(async () => {
  await proxy?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

const client = () => new pg.Client({ host: '127.0.0.1', port: proxy.port, user: 'postgres', database: 'postgres' });
const tables = async (c: pg.Client) => (await c.query(`SELECT relname FROM pg_class WHERE relname LIKE 'on\\_%' ORDER BY 1`)).rows.map((r) => r.relname);

test('with no leader the client gets 57P03, after SSLRequest too', async () => {
  setLeader(undefined);
  const c = client();
  await assert.rejects(c.connect(), (e: { code?: string; message: string }) => e.code === '57P03' && /not accepting connections/.test(e.message));
  const ssl = new pg.Client({ host: '127.0.0.1', port: proxy.port, user: 'postgres', database: 'postgres', ssl: { rejectUnauthorized: false } });
  await assert.rejects(ssl.connect());
});

test('sessions reach the leader; a leader change closes them and new ones reach the next', async () => {
  setLeader(`127.0.0.1:${a.port}`);
  const c1 = client();
  await c1.connect();
  assert.deepEqual(await tables(c1), ['on_a']);
  const ended = new Promise<void>((resolve) => c1.once('error', () => resolve()).once('end', () => resolve()));
  setLeader(`127.0.0.1:${b.port}`);
  await ended;
  const c2 = client();
  await c2.connect();
  assert.deepEqual(await tables(c2), ['on_b']);
  await c2.end();
});

test('a cancel request goes through to the session it names', async () => {
  setLeader(`127.0.0.1:${b.port}`);
  const c = client();
  await c.connect();
  const sleeping = c.query('SELECT count(*) FROM generate_series(1, 500000000)');
  await new Promise((r) => setTimeout(r, 300));
  // CancelRequest on a new connection through the proxy, with the session's key
  const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(80877102, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  await new Promise<void>((resolve, reject) => {
    const s = connect(proxy.port, '127.0.0.1', () => s.end(packet));
    s.on('close', () => resolve()).on('error', reject);
  });
  await assert.rejects(sleeping, (e: { code?: string }) => e.code === '57014');
  await c.end();
});

test('a leader elected before it listens is waited for', async () => {
  const port = await freePort();
  setLeader(`127.0.0.1:${port}`);
  const c = client();
  const connecting = c.connect();
  await new Promise((r) => setTimeout(r, 500));
  const late = await startQuiver({ args: ['--port', String(port)] });
  try {
    await connecting;
    assert.deepEqual(await tables(c), []);
    await c.end();
  } finally {
    await late.stop();
  }
});
