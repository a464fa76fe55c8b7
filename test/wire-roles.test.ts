/**
 * Roles created in SQL log in over the wire like PostgreSQL's: with their stored SCRAM
 * secret (scram-sha-256, md5 — which runs SCRAM for a SCRAM secret — and password auth),
 * NOLOGIN refused (28000), CONNECTION LIMIT (53300), VALID UNTIL past (28P01), and the
 * roles survive a restart. The bootstrap superuser keeps logging in with --password.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

let dataDir: string;
let server: QuiverServer | undefined;

async function start(auth: string): Promise<QuiverServer> {
  await server?.stop();
  server = await startQuiver({ dataDir, args: ['--auth', auth, '--password', 'boot-secret'] });
  return server;
}

async function connect(user: string, password: string): Promise<pg.Client> {
  const c = new pg.Client({ host: server!.host, port: server!.port, user, password, database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function refused(user: string, password: string, code: string, message: string): Promise<void> {
  await assert.rejects(connect(user, password), (e: Error & { code?: string; severity?: string }) => {
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    assert.equal(e.severity, 'FATAL');
    return true;
  });
}

async function whoami(user: string, password: string): Promise<string> {
  const c = await connect(user, password);
  try {
    return (await c.query('SELECT current_user AS u')).rows[0].u;
  } finally {
    await c.end();
  }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-roles-'));
  await start('scram-sha-256');
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('roles made in SQL log in with their password; NOLOGIN, CONNECTION LIMIT and VALID UNTIL refuse as PostgreSQL does', async () => {
  const admin = await connect('postgres', 'boot-secret');
  try {
    await admin.query(`CREATE ROLE regress_wire_alice LOGIN PASSWORD 'alice-pw' CONNECTION LIMIT 1`);
    await admin.query(`CREATE ROLE regress_wire_shut NOLOGIN PASSWORD 'shut-pw'`);
    await admin.query(`CREATE ROLE regress_wire_old LOGIN PASSWORD 'old-pw' VALID UNTIL '2001-01-01'`);
    // md5 secret of 'md5-pw' for this user name: md5('md5-pw' || 'regress_wire_md5')
    await admin.query(`CREATE ROLE regress_wire_md5 LOGIN PASSWORD 'md551648669a541dc30cc6fcb29486db6d0'`);
    const stored = (await admin.query(`SELECT rolpassword FROM pg_authid WHERE rolname = 'regress_wire_alice'`)).rows[0].rolpassword as string;
    assert.match(stored, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    assert.ok(!stored.includes('alice-pw'));
  } finally {
    await admin.end();
  }
  const alice = await connect('regress_wire_alice', 'alice-pw');
  try {
    assert.equal((await alice.query('SELECT current_user AS u, session_user AS s')).rows[0].u, 'regress_wire_alice');
    await refused('regress_wire_alice', 'alice-pw', '53300', 'too many connections for role "regress_wire_alice"');
  } finally {
    await alice.end();
  }
  await new Promise((r) => setTimeout(r, 100));
  // the stored secret is the password now: --password no longer lets anyone in as alice
  await refused('regress_wire_alice', 'boot-secret', '28P01', 'password authentication failed for user "regress_wire_alice"');
  await refused('regress_wire_alice', 'wrong', '28P01', 'password authentication failed for user "regress_wire_alice"');
  await refused('regress_wire_shut', 'shut-pw', '28000', 'role "regress_wire_shut" is not permitted to log in');
  await refused('regress_wire_old', 'old-pw', '28P01', 'password authentication failed for user "regress_wire_old"');
  assert.equal(await whoami('regress_wire_alice', 'alice-pw'), 'regress_wire_alice');
});

test('roles survive a restart, and log in with md5 and password auth too', async () => {
  await start('md5');
  // a SCRAM secret: md5 auth runs SCRAM instead (node-postgres follows)
  assert.equal(await whoami('regress_wire_alice', 'alice-pw'), 'regress_wire_alice');
  assert.equal(await whoami('regress_wire_md5', 'md5-pw'), 'regress_wire_md5');
  await refused('regress_wire_md5', 'nope', '28P01', 'password authentication failed for user "regress_wire_md5"');
  await start('password');
  assert.equal(await whoami('regress_wire_alice', 'alice-pw'), 'regress_wire_alice');
  assert.equal(await whoami('regress_wire_md5', 'md5-pw'), 'regress_wire_md5');
  await refused('regress_wire_alice', 'alice-PW', '28P01', 'password authentication failed for user "regress_wire_alice"');
  const admin = await connect('postgres', 'boot-secret');
  try {
    const r = await admin.query(`SELECT rolname, rolcanlogin, rolconnlimit FROM pg_roles WHERE rolname LIKE 'regress_wire_%' ORDER BY 1`);
    assert.deepEqual(r.rows.map((x) => [x.rolname, x.rolcanlogin, x.rolconnlimit]), [
      ['regress_wire_alice', true, 1], ['regress_wire_md5', true, -1], ['regress_wire_old', true, -1], ['regress_wire_shut', false, -1],
    ]);
    await admin.query('DROP ROLE regress_wire_alice, regress_wire_md5, regress_wire_old, regress_wire_shut');
  } finally {
    await admin.end();
  }
});
