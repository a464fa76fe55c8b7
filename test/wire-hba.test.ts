/**
 * --hba end to end with node-postgres and psql: each line's method (trust, reject, password,
 * md5, scram-sha-256), hostssl vs hostnossl over TLS and plain TCP, PostgreSQL 15's refusal
 * wording (28000), first match wins, reload on SIGHUP (a bad file keeps the old rules and is
 * logged), QUIVER_HBA, and a bad file at start stopping the server before it listens with
 * the file and line named. The parser itself: wire-hba-rules.test.ts.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { psqlAvailable, PSQL_MISSING, regressEnv } from './support/psql.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
const OPENSSL_MISSING = 'the openssl CLI is not installed: cannot make a throwaway certificate, hostssl tests skipped';
const havePsql = psqlAvailable();

let dir = '';
let certFile = '';
let keyFile = '';
let hbaFile = '';
let usersFile = '';

const RULES = [
  '# TYPE    DATABASE  USER       ADDRESS        METHOD',
  'hostssl   all       sslonly    127.0.0.1/32   trust',
  'hostnossl all       plainonly  127.0.0.1/32   trust',
  'host      all       bob        127.0.0.1/32   reject',
  'host      all       alice      127.0.0.1/32   md5',
  'host      all       carol      127.0.0.1/32   scram-sha-256',
  'host      all       dave       127.0.0.1      255.255.255.255 password',
  'host      postgres  eve,+team  127.0.0.1/32   trust',
  'host      all       all        10.0.0.0/8     trust',
  'local     all       all                       trust',
].join('\n');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'quiver-hba-'));
  certFile = join(dir, 'server.crt');
  keyFile = join(dir, 'server.key');
  hbaFile = join(dir, 'hba.conf');
  usersFile = join(dir, 'users.txt');
  if (openssl) {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  writeFileSync(hbaFile, RULES);
  writeFileSync(usersFile, 'alice:a-pw\ncarol:c-pw\ndave:d-pw\nbob:b-pw\n');
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface As {
  user: string;
  password?: string;
  ssl?: boolean;
  database?: string;
}

async function connect(server: QuiverServer, o: As): Promise<pg.Client> {
  const config: pg.ClientConfig = { host: server.host, port: server.port, user: o.user, database: o.database ?? 'postgres', connectionTimeoutMillis: 10000 };
  if (o.password !== undefined) config.password = o.password;
  if (o.ssl) config.ssl = { rejectUnauthorized: false };
  const client = new pg.Client(config);
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function whoAmI(server: QuiverServer, o: As): Promise<string> {
  const client = await connect(server, o);
  try {
    return (await client.query('SELECT current_user AS u')).rows[0].u as string;
  } finally {
    await client.end();
  }
}

async function refused(server: QuiverServer, o: As): Promise<{ code: string; message: string; severity: string }> {
  try {
    const client = await connect(server, o);
    await client.end();
  } catch (e) {
    const err = e as Error & { code: string; severity: string };
    return { code: err.code, message: err.message, severity: err.severity };
  }
  assert.fail(`connection as ${o.user} unexpectedly succeeded`);
}

const noEntry = (user: string, enc = 'no encryption', db = 'postgres'): { code: string; message: string; severity: string } =>
  ({ code: '28000', message: `no pg_hba.conf entry for host "127.0.0.1", user "${user}", database "${db}", ${enc}`, severity: 'FATAL' });

describe('--hba rules over TCP and TLS', () => {
  let server: QuiverServer;
  before(async () => {
    const tlsArgs = openssl ? ['--tls-cert', certFile, '--tls-key', keyFile] : [];
    server = await startQuiver({ args: ['--hba', hbaFile, '--users', usersFile, ...tlsArgs] });
  });
  after(async () => server?.stop());

  test('md5, scram-sha-256 and password lines ask for that method and check the password', async () => {
    assert.equal(await whoAmI(server, { user: 'alice', password: 'a-pw' }), 'alice');
    assert.equal(await whoAmI(server, { user: 'carol', password: 'c-pw' }), 'carol');
    assert.equal(await whoAmI(server, { user: 'dave', password: 'd-pw' }), 'dave');
    for (const user of ['alice', 'carol', 'dave']) {
      assert.deepEqual(await refused(server, { user, password: 'wrong' }), { code: '28P01', message: `password authentication failed for user "${user}"`, severity: 'FATAL' });
    }
  });

  test('a reject line refuses even with the right password; trust lines ask for none', async () => {
    assert.deepEqual(await refused(server, { user: 'bob', password: 'b-pw' }),
      { code: '28000', message: 'pg_hba.conf rejects connection for host "127.0.0.1", user "bob", database "postgres", no encryption', severity: 'FATAL' });
    assert.equal(await whoAmI(server, { user: 'eve' }), 'eve');
    assert.equal(await whoAmI(server, { user: 'team' }), 'team');
    assert.equal(await whoAmI(server, { user: 'plainonly' }), 'plainonly');
  });

  test('no matching line: database, user or encryption not covered', async () => {
    assert.deepEqual(await refused(server, { user: 'eve', database: 'other' }), noEntry('eve', 'no encryption', 'other'));
    assert.deepEqual(await refused(server, { user: 'mallory' }), noEntry('mallory'));
    assert.deepEqual(await refused(server, { user: 'sslonly' }), noEntry('sslonly'));
  });

  test('hostssl matches only TLS connections, hostnossl only plain ones', { skip: openssl ? false : OPENSSL_MISSING }, async () => {
    assert.equal(await whoAmI(server, { user: 'sslonly', ssl: true }), 'sslonly');
    assert.deepEqual(await refused(server, { user: 'plainonly', ssl: true }), noEntry('plainonly', 'SSL encryption'));
    assert.deepEqual(await refused(server, { user: 'mallory', ssl: true }), noEntry('mallory', 'SSL encryption'));
    assert.equal(await whoAmI(server, { user: 'alice', password: 'a-pw', ssl: true }), 'alice');
  });

  test('pg_hba_file_rules shows the file line by line', async () => {
    const client = await connect(server, { user: 'eve' });
    try {
      const rows = (await client.query('SELECT line_number, type, database, user_name, address, netmask, auth_method, options, error FROM pg_hba_file_rules ORDER BY line_number')).rows;
      assert.equal(rows.length, 9);
      assert.deepEqual(rows[0], { line_number: 2, type: 'hostssl', database: ['all'], user_name: ['sslonly'], address: '127.0.0.1', netmask: '255.255.255.255', auth_method: 'trust', options: null, error: null });
      assert.deepEqual(rows[6], { line_number: 8, type: 'host', database: ['postgres'], user_name: ['eve', '+team'], address: '127.0.0.1', netmask: '255.255.255.255', auth_method: 'trust', options: null, error: null });
      assert.deepEqual(rows[8], { line_number: 10, type: 'local', database: ['all'], user_name: ['all'], address: null, netmask: null, auth_method: 'trust', options: null, error: null });
      assert.deepEqual(rows.map((r) => r.auth_method), ['trust', 'trust', 'reject', 'md5', 'scram-sha-256', 'password', 'trust', 'trust', 'trust']);
    } finally {
      await client.end();
    }
  });

  test('psql: an md5 line with PGPASSWORD, and the refusal it prints', { skip: havePsql ? false : PSQL_MISSING }, () => {
    const run = (user: string, password?: string): { status: number | null; stdout: string; stderr: string } => {
      const env = regressEnv('wire-hba');
      if (password !== undefined) env['PGPASSWORD'] = password;
      return spawnSync('psql', ['-X', '-w', '-At', '-c', 'SELECT current_user', `host=${server.host} port=${server.port} user=${user} dbname=postgres sslmode=disable`], { encoding: 'utf8', env, timeout: 20000 });
    };
    const ok = run('alice', 'a-pw');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'alice');
    const no = run('mallory');
    assert.equal(no.status, 2);
    assert.match(no.stderr, /FATAL: {2}no pg_hba\.conf entry for host "127\.0\.0\.1", user "mallory", database "postgres", no encryption/);
  });
});

describe('--hba reload on SIGHUP', () => {
  let server: QuiverServer;
  let file = '';
  before(async () => {
    file = join(dir, 'reload.conf');
    writeFileSync(file, 'host all bob 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 trust\n');
    server = await startQuiver({ args: ['--users', usersFile], env: { QUIVER_HBA: file }, logLevel: 'info' });
  });
  after(async () => server?.stop());

  /** Sends SIGHUP and waits for the server to log the outcome (the count of `marker` lines grows). */
  async function hangUp(marker: RegExp): Promise<void> {
    const count = (): number => server.stderr().split('\n').filter((l) => marker.test(l)).length;
    const before = count();
    process.kill(server.pid!, 'SIGHUP');
    const deadline = Date.now() + 10000;
    while (count() === before) {
      assert.ok(Date.now() < deadline, `no ${marker} in the log after SIGHUP:\n${server.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('QUIVER_HBA is read, a reload applies new rules, a bad file keeps the old ones', async () => {
    assert.equal((await refused(server, { user: 'bob' })).code, '28000');
    assert.equal(await whoAmI(server, { user: 'carol' }), 'carol');

    writeFileSync(file, 'host all carol 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 md5\n');
    await hangUp(/hba file reloaded/);
    assert.equal(await whoAmI(server, { user: 'bob', password: 'b-pw' }), 'bob');
    assert.equal((await refused(server, { user: 'bob', password: 'nope' })).code, '28P01');
    assert.equal((await refused(server, { user: 'carol', password: 'c-pw' })).message,
      'pg_hba.conf rejects connection for host "127.0.0.1", user "carol", database "postgres", no encryption');

    // a session opened before the reload is not affected by it
    const open = await connect(server, { user: 'bob', password: 'b-pw' });
    writeFileSync(file, 'host all all 127.0.0.1/32 trust\nhost all all all kerberos\n');
    await hangUp(/was not reloaded/);
    const logged = server.stderr().split('\n').find((l) => /was not reloaded/.test(l))!;
    assert.match(logged, /invalid authentication method \\"kerberos\\" \(line 2 of configuration file \\".*reload\.conf\\"\)/);
    // still the md5 rules; pg_hba_file_rules shows the file as it is now, error included
    assert.equal((await refused(server, { user: 'bob', password: 'nope' })).code, '28P01');
    const view = (await open.query('SELECT line_number, auth_method, error FROM pg_hba_file_rules ORDER BY 1')).rows;
    assert.deepEqual(view, [{ line_number: 1, auth_method: 'trust', error: null }, { line_number: 2, auth_method: null, error: 'invalid authentication method "kerberos"' }]);
    assert.equal((await open.query('SELECT 1 AS one')).rows[0].one, 1);
    await open.end();
  });
});

test('a bad --hba file stops the server before it listens, naming file and line', async () => {
  const bad = join(dir, 'bad.conf');
  writeFileSync(bad, '# ok\nhost all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/33 trust\n');
  await assert.rejects(startQuiver({ args: ['--hba', bad] }), (e: Error) => {
    assert.match(e.message, /exited before listening \(code 2/);
    assert.match(e.message, /invalid CIDR mask in address \\"127\.0\.0\.1\/33\\" \(line 3 of configuration file \\".*bad\.conf\\"\)/);
    return true;
  });
  await assert.rejects(startQuiver({ args: ['--hba', join(dir, 'missing.conf')] }), /could not open configuration file/);
  await assert.rejects(startQuiver({ args: ['--hba', bad, '--auth', 'md5', '--password', 'x'] }), /--auth and --hba exclude each other/);
});
