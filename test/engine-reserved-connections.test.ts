/**
 * superuser_reserved_connections: the last slots below max_connections are kept for
 * superusers (FATAL 53300 `remaining connection slots are reserved for non-replication
 * superuser connections`), as PostgreSQL 15's InitPostgres decides: by the role's superuser
 * flag from the catalog (a user no CREATE ROLE made logs in as a superuser).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { checkConnectionSlot, connectionLimitsError } from '../src/engine/connection-slots.js';
import { TEST_DATABASE, connectClient, startQuiver, type QuiverServer } from './support/server.js';

const refusal = (f: () => void): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    const err = e as Error & { code: string; severity?: string; fields?: { severity?: string } };
    assert.equal(err.code, '53300');
    return err.message;
  }
};

const RESERVED = 'remaining connection slots are reserved for non-replication superuser connections';
const FULL = 'sorry, too many clients already';

test('slot decision: reserved slots for superusers, none past max_connections', () => {
  // max_connections 10, 3 reserved: non-superusers get 7 sessions, superusers all 10
  for (let open = 1; open <= 7; open++) assert.equal(refusal(() => checkConnectionSlot(open, 10, 3, false)), undefined, `open ${open}`);
  assert.equal(refusal(() => checkConnectionSlot(8, 10, 3, false)), RESERVED);
  assert.equal(refusal(() => checkConnectionSlot(10, 10, 3, false)), RESERVED);
  assert.equal(refusal(() => checkConnectionSlot(10, 10, 3, true)), undefined);
  assert.equal(refusal(() => checkConnectionSlot(11, 10, 3, true)), FULL);
  assert.equal(refusal(() => checkConnectionSlot(11, 10, 3, false)), FULL);
  assert.equal(refusal(() => checkConnectionSlot(10, 10, 0, false)), undefined);
  assert.equal(connectionLimitsError(100, 3), undefined);
  assert.equal(connectionLimitsError(3, 3), 'superuser_reserved_connections (3) must be less than max_connections (3)');
  assert.match(connectionLimitsError(10, -1)!, /invalid superuser_reserved_connections -1/);
});

let server: QuiverServer;
before(async () => {
  server = await startQuiver({ args: ['--max-connections', '4', '--superuser-reserved-connections', '2'] });
});
after(async () => server?.stop());

test('a NOSUPERUSER role is refused the reserved slots; a superuser still gets them', async () => {
  const admin = await connectClient(server);
  const open: pg.Client[] = [];
  const asApp = async (): Promise<pg.Client> => {
    const c = new pg.Client({ host: server.host, port: server.port, user: 'app', database: TEST_DATABASE });
    c.on('error', () => {});
    await c.connect();
    return c;
  };
  try {
    await admin.query('CREATE ROLE app LOGIN');
    open.push(await asApp()); // 2 of 4 open: 2 free, as many as reserved
    await assert.rejects(asApp(), (e: Error & { code?: string }) => {
      assert.equal(e.code, '53300');
      assert.equal(e.message, RESERVED);
      return true;
    });
    open.push(await connectClient(server)); // the superuser takes a reserved slot
  } finally {
    for (const c of open) await c.end();
    await admin.query('DROP ROLE app');
    await admin.end();
  }
});

test('the setting is shown and fixed; superusers take the reserved slots', async () => {
  const open: pg.Client[] = [];
  try {
    for (let i = 0; i < 4; i++) open.push(await connectClient(server));
    assert.equal((await open[0]!.query('SHOW superuser_reserved_connections')).rows[0].superuser_reserved_connections, '2');
    await assert.rejects(open[0]!.query('SET superuser_reserved_connections = 1'), /parameter "superuser_reserved_connections" cannot be changed without restarting the server/);
    await assert.rejects(connectClient(server), (e: Error & { code?: string }) => {
      assert.equal(e.code, '53300');
      assert.equal(e.message, FULL);
      return true;
    });
  } finally {
    for (const c of open) await c.end();
  }
});

test('reserved slots must be fewer than max_connections, or the server does not start', async () => {
  await assert.rejects(startQuiver({ args: ['--max-connections', '5', '--superuser-reserved-connections', '5'] }),
    /superuser_reserved_connections \(5\) must be less than max_connections \(5\)/);
});
