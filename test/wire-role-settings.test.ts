/**
 * At login, over the wire: a role without CONNECT on the database is refused with
 * PostgreSQL's FATAL 42501 and its DETAIL; ALTER ROLE / ALTER DATABASE … SET take effect in
 * the role's next session (below the client's own parameters); both survive a restart.
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

async function start(): Promise<void> {
  await server?.stop();
  server = await startQuiver({ dataDir, args: ['--auth', 'scram-sha-256', '--password', 'boot-secret'] });
}

async function connect(user: string, password: string, database = 'postgres', options?: string): Promise<pg.Client> {
  const c = new pg.Client({ host: server!.host, port: server!.port, user, password, database, ...(options ? { options } : {}) });
  c.on('error', () => {});
  await c.connect();
  return c;
}

async function asAdmin(sql: string[]): Promise<void> {
  const admin = await connect('postgres', 'boot-secret');
  try {
    for (const s of sql) await admin.query(s);
  } finally {
    await admin.end();
  }
}

async function show(c: pg.Client, name: string): Promise<string> {
  return (await c.query(`SHOW ${name}`)).rows[0][name.toLowerCase()];
}

/** SHOW each of `names` in a new session of `user` (closed again). */
async function settingsOf(user: string, database: string, names: string[], options?: string): Promise<string[]> {
  const c = await connect(user, 'pw', database, options);
  try {
    const out: string[] = [];
    for (const n of names) out.push(await show(c, n));
    return out;
  } finally {
    await c.end();
  }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-role-settings-'));
  await start();
});

after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function refusedConnect(): Promise<void> {
  await assert.rejects(connect('regress_rs_user', 'pw', 'regress_rs_db'), (e: Error & { code?: string; severity?: string; detail?: string }) => {
    assert.equal(e.code, '42501');
    assert.equal(e.severity, 'FATAL');
    assert.equal(e.message, 'permission denied for database "regress_rs_db"');
    assert.equal(e.detail, 'User does not have CONNECT privilege.');
    return true;
  });
}

test('REVOKE CONNECT … FROM PUBLIC refuses a login without CONNECT; GRANT CONNECT lets it in; superusers always connect', async () => {
  await asAdmin([
    `CREATE ROLE regress_rs_user LOGIN PASSWORD 'pw'`,
    `CREATE ROLE regress_rs_other LOGIN PASSWORD 'pw'`,
    'CREATE DATABASE regress_rs_db',
  ]);
  const before = await connect('regress_rs_user', 'pw', 'regress_rs_db');
  await before.end();
  await asAdmin(['REVOKE CONNECT ON DATABASE regress_rs_db FROM PUBLIC', 'GRANT CONNECT ON DATABASE regress_rs_db TO regress_rs_other']);
  await refusedConnect();
  const other = await connect('regress_rs_other', 'pw', 'regress_rs_db');
  assert.equal((await other.query('SELECT current_database() AS d')).rows[0].d, 'regress_rs_db');
  await other.end();
  const boot = await connect('postgres', 'boot-secret', 'regress_rs_db');
  await boot.end();
  // the database's ACL is durable
  await start();
  await refusedConnect();
  const again = await connect('regress_rs_other', 'pw', 'regress_rs_db');
  await again.end();
  await asAdmin(['GRANT CONNECT ON DATABASE regress_rs_db TO PUBLIC']);
  const now = await connect('regress_rs_user', 'pw', 'regress_rs_db');
  await now.end();
});

test('ALTER ROLE [IN DATABASE] / ALTER DATABASE … SET apply at the role\'s next login, with the client\'s parameters above them, after a restart too', async () => {
  await asAdmin([
    `ALTER ROLE regress_rs_user SET lock_timeout = '9s'`,
    `ALTER ROLE regress_rs_user SET app.tenant = 'acme'`,
    `ALTER ROLE regress_rs_user IN DATABASE regress_rs_db SET search_path = tenant_acme, public`,
    `ALTER DATABASE regress_rs_db SET statement_timeout = '11s'`,
    `ALTER DATABASE regress_rs_db SET lock_timeout = '1s'`,
  ]);
  const check = async (): Promise<void> => {
    const c = await connect('regress_rs_user', 'pw', 'regress_rs_db');
    try {
      // the role's own setting wins over the database's
      assert.equal(await show(c, 'lock_timeout'), '9s');
      assert.equal(await show(c, 'statement_timeout'), '11s');
      assert.equal(await show(c, 'search_path'), 'tenant_acme, public');
      assert.equal((await c.query(`SELECT current_setting('app.tenant') AS t`)).rows[0].t, 'acme');
      // RESET returns to the stored value, not the built-in default
      await c.query(`SET lock_timeout = '2s'`);
      await c.query('RESET lock_timeout');
      assert.equal(await show(c, 'lock_timeout'), '9s');
    } finally {
      await c.end();
    }
    // in another database only the role-wide settings apply
    assert.deepEqual(await settingsOf('regress_rs_user', 'postgres', ['lock_timeout', 'statement_timeout', 'search_path']),
      ['9s', '0', '"$user", public']);
    // what the client sends (options -c) wins over all of them
    assert.deepEqual(await settingsOf('regress_rs_user', 'regress_rs_db', ['lock_timeout'], '-c lock_timeout=3s'), ['3s']);
    // another role gets only the database's
    assert.deepEqual(await settingsOf('regress_rs_other', 'regress_rs_db', ['lock_timeout']), ['1s']);
  };
  await check();
  await start();
  await check();
  await asAdmin(['ALTER ROLE regress_rs_user RESET ALL', 'ALTER DATABASE regress_rs_db RESET ALL']);
  const plain = await connect('regress_rs_user', 'pw', 'regress_rs_db');
  try {
    assert.equal(await show(plain, 'lock_timeout'), '0');
    assert.equal(await show(plain, 'search_path'), 'tenant_acme, public');
  } finally {
    await plain.end();
  }
  await asAdmin(['DROP DATABASE regress_rs_db', 'DROP ROLE regress_rs_user, regress_rs_other']);
  const admin = await connect('postgres', 'boot-secret');
  try {
    assert.equal((await admin.query('SELECT count(*)::int AS n FROM pg_db_role_setting')).rows[0].n, 0);
  } finally {
    await admin.end();
  }
});

test('column privileges, function ACLs and default privileges survive a restart and keep being enforced', async () => {
  await asAdmin([
    `CREATE ROLE regress_rs_reader LOGIN PASSWORD 'pw'`,
    'CREATE TABLE rs_cols (a int, secret text)',
    `INSERT INTO rs_cols VALUES (1, 'hidden')`,
    'GRANT SELECT (a) ON rs_cols TO regress_rs_reader',
    `CREATE FUNCTION rs_fn() RETURNS int LANGUAGE sql AS 'SELECT 7'`,
    'REVOKE EXECUTE ON FUNCTION rs_fn() FROM PUBLIC',
    'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO regress_rs_reader',
  ]);
  await start();
  await asAdmin(['CREATE TABLE rs_later (x int)', 'INSERT INTO rs_later VALUES (3)']);
  const c = await connect('regress_rs_reader', 'pw');
  try {
    assert.deepEqual((await c.query('SELECT a FROM rs_cols')).rows, [{ a: 1 }]);
    await assert.rejects(c.query('SELECT secret FROM rs_cols'), (e: Error & { code?: string }) => e.code === '42501' && e.message === 'permission denied for table rs_cols');
    await assert.rejects(c.query('SELECT rs_fn()'), (e: Error & { code?: string }) => e.code === '42501' && e.message === 'permission denied for function rs_fn');
    assert.deepEqual((await c.query('SELECT x FROM rs_later')).rows, [{ x: 3 }]);
  } finally {
    await c.end();
  }
  await asAdmin([
    'DROP TABLE rs_cols, rs_later', 'DROP FUNCTION rs_fn()',
    'ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM regress_rs_reader', 'DROP ROLE regress_rs_reader',
  ]);
});
