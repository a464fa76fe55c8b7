/**
 * TLS and password authentication, end to end with node-postgres and psql:
 * - default server: trust, SSLRequest answered 'N' (sslmode=require fails cleanly);
 * - TLS + SCRAM-SHA-256 (users file): TLS sessions, SCRAM-SHA-256-PLUS channel binding,
 *   SCRAM over plain TCP, wrong password / unknown user → 28P01, plaintext injected after
 *   SSLRequest → 08P01 (CVE-2021-23214), GSSENCRequest → 'N';
 * - md5 with --password (any user);
 * - cleartext password configured through the environment, with --tls-required (→ 28000
 *   with PostgreSQL's pg_hba wording for a plain connection).
 * Messages and codes were checked against PostgreSQL 15 with ssl=on and hostssl/password/
 * md5/scram-sha-256 pg_hba lines. Unit tests: the RFC 7677 SCRAM vector, md5 hashing, the
 * users file formats and the tls-server-end-point hash.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { ScramExchange, md5Response, parseUsersFile, scramVerifierOf, tlsServerEndPoint } from '../src/wire/auth.js';
import { psqlAvailable, PSQL_MISSING, regressEnv } from './support/psql.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const openssl = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
const OPENSSL_MISSING = 'the openssl CLI is not installed: cannot make a throwaway certificate, TLS tests skipped';
const havePsql = psqlAvailable();

let dir = '';
let certFile = '';
let keyFile = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'quiver-tls-'));
  certFile = join(dir, 'server.crt');
  keyFile = join(dir, 'server.key');
  if (openssl) {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  writeFileSync(join(dir, 'users.txt'), '# user:password\nalice:s3cret\nbob:pa:ss:wörd\n');
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- helpers ----------------------------------------------------------------------------

interface ConnectOptions {
  user: string;
  password?: string;
  ssl?: boolean;
  channelBinding?: boolean;
}

function clientConfig(server: QuiverServer, o: ConnectOptions): pg.ClientConfig {
  const c: pg.ClientConfig = { host: server.host, port: server.port, user: o.user, database: 'postgres', connectionTimeoutMillis: 10000 };
  if (o.password !== undefined) c.password = o.password;
  if (o.ssl) c.ssl = { rejectUnauthorized: false };
  if (o.channelBinding) (c as pg.ClientConfig & { enableChannelBinding: boolean }).enableChannelBinding = true;
  return c;
}

/** Connects, runs one query, returns its first row. */
async function queryAs(server: QuiverServer, o: ConnectOptions, sql: string): Promise<Record<string, unknown>> {
  const client = new pg.Client(clientConfig(server, o));
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql)).rows[0] as Record<string, unknown>;
  } finally {
    await client.end();
  }
}

/** Whether the pg client's socket is TLS once connected. */
async function usesTls(server: QuiverServer, o: ConnectOptions): Promise<boolean> {
  const client = new pg.Client(clientConfig(server, o));
  await client.connect();
  try {
    await client.query('SELECT 1');
    const stream = (client as unknown as { connection: { stream: net.Socket } }).connection.stream;
    return stream instanceof tls.TLSSocket && stream.encrypted === true;
  } finally {
    await client.end();
  }
}

async function connectError(server: QuiverServer, o: ConnectOptions): Promise<Error & { code?: string; severity?: string }> {
  const client = new pg.Client(clientConfig(server, o));
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    return e as Error & { code?: string };
  }
  await client.end();
  assert.fail(`connection as ${o.user} unexpectedly succeeded`);
}

async function rejectsWith(server: QuiverServer, o: ConnectOptions, code: string, message: string): Promise<void> {
  const e = await connectError(server, o);
  assert.equal(e.code, code, `${e.message}`);
  assert.equal(e.message, message);
  assert.equal(e.severity, 'FATAL');
}

function psql(server: QuiverServer, user: string, conn: string, sql: string, password?: string): { status: number | null; stdout: string; stderr: string } {
  const env = regressEnv('wire-tls-auth');
  if (password !== undefined) env['PGPASSWORD'] = password;
  const r = spawnSync('psql', ['-X', '-w', '-At', '-c', sql, `host=${server.host} port=${server.port} user=${user} dbname=postgres ${conn}`], { encoding: 'utf8', env, timeout: 20000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const failed = (user: string): string => `password authentication failed for user "${user}"`;

/** Raw protocol: SSLRequest (+ optional bytes in the same write); resolves with the answer byte. */
function sslRequest(server: QuiverServer, extra: Buffer = Buffer.alloc(0), code = 80877103): Promise<{ socket: net.Socket; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, server.host, () => {
      const req = Buffer.alloc(8);
      req.writeInt32BE(8, 0);
      req.writeInt32BE(code, 4);
      socket.write(Buffer.concat([req, extra]));
    });
    socket.once('error', reject);
    socket.once('data', (b) => {
      socket.pause();
      resolve({ socket, answer: b.toString('latin1', 0, 1) });
    });
  });
}

function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.resume();
  });
}

/** ErrorResponse fields of the first message in `buf`. */
function errorFields(buf: Buffer): Record<string, string> {
  assert.equal(String.fromCharCode(buf[0]!), 'E', `expected ErrorResponse, got ${JSON.stringify(buf.toString('latin1'))}`);
  const fields: Record<string, string> = {};
  let i = 5;
  const end = 1 + buf.readInt32BE(1);
  while (i < end && buf[i] !== 0) {
    const type = String.fromCharCode(buf[i]!);
    const z = buf.indexOf(0, i + 1);
    fields[type] = buf.toString('utf8', i + 1, z);
    i = z + 1;
  }
  return fields;
}

// ---- unit ------------------------------------------------------------------------------

describe('auth primitives', () => {
  test('SCRAM-SHA-256 RFC 7677 test vector', () => {
    const verifier = scramVerifierOf('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    const x = new ScramExchange('user', 'SCRAM-SHA-256', verifier, true, undefined);
    assert.equal(x.clientFirst('n,,n=user,r=rOprNGfwEbeRWgbNEkqO', '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0'),
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    assert.equal(x.clientFinal('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='),
      'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  test('SCRAM: wrong proof → 28P01, malformed messages → 08P01 like PostgreSQL', () => {
    const verifier = scramVerifierOf('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    const nonce = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const x = new ScramExchange('user', 'SCRAM-SHA-256', verifier, true, undefined);
    x.clientFirst('n,,n=,r=rOprNGfwEbeRWgbNEkqO', nonce);
    assert.throws(() => x.clientFinal(`c=biws,r=rOprNGfwEbeRWgbNEkqO${nonce},p=${Buffer.alloc(32, 1).toString('base64')}`),
      { code: '28P01', message: failed('user') });
    const y = new ScramExchange('user', 'SCRAM-SHA-256', verifier, true, undefined);
    y.clientFirst('n,,n=,r=abc', nonce);
    assert.throws(() => y.clientFinal('junk!'), { code: '08P01', message: 'malformed SCRAM message', fields: { detail: 'Expected attribute "c" but found "j".', severity: 'FATAL' } });
    const z = new ScramExchange('user', 'SCRAM-SHA-256', verifier, true, undefined);
    z.clientFirst('n,,n=,r=abc', nonce);
    assert.throws(() => z.clientFinal(`c=biws,r=abcX,p=${Buffer.alloc(32).toString('base64')}`), { code: '08P01', fields: { detail: 'Nonce does not match.', severity: 'FATAL' } });
    assert.throws(() => new ScramExchange('u', 'SCRAM-SHA-256', verifier, true, undefined).clientFirst('p=tls-server-end-point,,n=,r=abc'),
      { code: '08P01', message: 'malformed SCRAM message' });
  });

  test('md5 response is md5(md5(password + user) + salt)', () => {
    const salt = Buffer.from([1, 2, 3, 4]);
    const inner = createHash('md5').update('pwmd5u').digest('hex');
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
    assert.equal(md5Response('md5u', 'pw', salt), expected);
  });

  test('users file: user:password lines (first colon splits, # comments) or a JSON object', () => {
    assert.deepEqual([...parseUsersFile('# c\n\nalice:x:y\r\nbob:\n')], [['alice', 'x:y'], ['bob', '']]);
    assert.deepEqual([...parseUsersFile('{"alice": "x", "bob": "y"}')], [['alice', 'x'], ['bob', 'y']]);
    assert.throws(() => parseUsersFile('nocolon\n', 'f'), /f:1: expected user:password/);
    assert.throws(() => parseUsersFile('{"a": 1}', 'f'), /not a string/);
  });

  test('tls-server-end-point is the SHA-256 of the certificate (sha256WithRSAEncryption)', { skip: !openssl && OPENSSL_MISSING }, () => {
    const pem = readFileSync(certFile);
    const binding = tlsServerEndPoint(pem);
    assert.ok(binding);
    assert.deepEqual(binding.data, createHash('sha256').update(new X509Certificate(pem).raw).digest());
  });
});

describe('configuration errors stop the server before it listens', () => {
  test('--auth without passwords, half a TLS pair, an unknown method', async () => {
    const cases: [string[], RegExp][] = [
      [['--auth', 'md5'], /--auth md5 needs --users FILE or --password/],
      [['--tls-cert', '/nonexistent.pem'], /--tls-cert and --tls-key must be given together/],
      [['--auth', 'kerberos', '--password', 'x'], /invalid --auth .?"kerberos/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(startQuiver({ args, timeoutMs: 10000 }), (e: Error) => {
        assert.match(e.message, /exited before listening \(code 2/);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});

// ---- default server: trust, no TLS ------------------------------------------------------

describe('default server (trust, no TLS)', () => {
  let server: QuiverServer;
  before(async () => {
    server = await startQuiver();
  });
  after(async () => {
    await server?.stop();
  });

  test('trust: any user connects without a password', async () => {
    assert.deepEqual(await queryAs(server, { user: 'whoever' }, 'SELECT 1 AS one'), { one: 1 });
  });

  test('SSLRequest and GSSENCRequest are answered N', async () => {
    for (const code of [80877103, 80877104]) {
      const { socket, answer } = await sslRequest(server, Buffer.alloc(0), code);
      assert.equal(answer, 'N');
      socket.destroy();
    }
  });

  test('node-postgres with ssl fails cleanly', async () => {
    const e = await connectError(server, { user: 'postgres', ssl: true });
    assert.match(e.message, /does not support SSL/);
  });

  test('psql sslmode=require fails cleanly, sslmode=prefer falls back to plain', { skip: !havePsql && PSQL_MISSING }, () => {
    const r = psql(server, 'postgres', 'sslmode=require', 'SELECT 1');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /server does not support SSL, but SSL was required/);
    const ok = psql(server, 'postgres', 'sslmode=prefer', 'SELECT 41 + 1');
    assert.equal(ok.stdout, '42\n', ok.stderr);
  });
});

// ---- TLS + SCRAM-SHA-256 ------------------------------------------------------------------

describe('TLS + scram-sha-256 (users file)', { skip: !openssl && OPENSSL_MISSING }, () => {
  let server: QuiverServer;
  before(async () => {
    server = await startQuiver({ args: ['--tls-cert', certFile, '--tls-key', keyFile, '--auth', 'scram-sha-256', '--users', join(dir, 'users.txt')] });
  });
  after(async () => {
    await server?.stop();
  });

  test('node-postgres over TLS: the right password works end to end', async () => {
    assert.equal(await usesTls(server, { user: 'alice', password: 's3cret', ssl: true }), true);
    const client = new pg.Client(clientConfig(server, { user: 'alice', password: 's3cret', ssl: true }));
    await client.connect();
    try {
      await client.query('CREATE TABLE t (id int, v vector(3))');
      await client.query('INSERT INTO t VALUES ($1, $2), ($3, $4)', [1, '[1,2,3]', 2, '[0,0,1]']);
      const r = await client.query('SELECT id FROM t ORDER BY v <-> $1 LIMIT 1', ['[0,0,0.9]']);
      assert.deepEqual(r.rows, [{ id: 2 }]);
      // a large result crosses many TLS records
      const big = await client.query("SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 20000) g");
      assert.equal(big.rowCount, 20000);
    } finally {
      await client.end();
    }
  });

  test('SCRAM-SHA-256-PLUS (tls-server-end-point channel binding) works', async () => {
    assert.deepEqual(await queryAs(server, { user: 'bob', password: 'pa:ss:wörd', ssl: true, channelBinding: true }, 'SELECT 2 AS two'), { two: 2 });
  });

  test('SCRAM over plain TCP works (TLS is optional here)', async () => {
    assert.equal(await usesTls(server, { user: 'alice', password: 's3cret' }), false);
  });

  test('wrong password and unknown user → 28P01 with the same message', async () => {
    await rejectsWith(server, { user: 'alice', password: 'nope', ssl: true }, '28P01', failed('alice'));
    await rejectsWith(server, { user: 'alice', password: 'nope', ssl: true, channelBinding: true }, '28P01', failed('alice'));
    await rejectsWith(server, { user: 'alice', password: 'nope' }, '28P01', failed('alice'));
    await rejectsWith(server, { user: 'mallory', password: 's3cret', ssl: true }, '28P01', failed('mallory'));
  });

  test('psql sslmode=require with PGPASSWORD: TLS session, channel binding, wrong password', { skip: !havePsql && PSQL_MISSING }, () => {
    const ok = psql(server, 'alice', 'sslmode=require', 'SELECT 6 * 7', 's3cret');
    assert.equal(ok.stdout, '42\n', ok.stderr);
    const info = psql(server, 'alice', 'sslmode=require', '\\conninfo', 's3cret');
    assert.match(info.stdout, /SSL connection \(protocol: TLSv1\.[23]/, info.stderr);
    const bound = psql(server, 'bob', 'sslmode=require channel_binding=require', 'SELECT 1', 'pa:ss:wörd');
    assert.equal(bound.stdout, '1\n', bound.stderr);
    const bad = psql(server, 'alice', 'sslmode=require', 'SELECT 1', 'wrong');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /FATAL: {2}password authentication failed for user "alice"/);
    const none = psql(server, 'alice', 'sslmode=require', 'SELECT 1');
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /no password supplied/);
  });

  test('plaintext sent right after SSLRequest is refused after the handshake (CVE-2021-23214)', async () => {
    const { socket, answer } = await sslRequest(server, Buffer.from('garbage!'));
    assert.equal(answer, 'S');
    const secure = tls.connect({ socket, rejectUnauthorized: false });
    const fields = errorFields(await readAll(secure));
    assert.equal(fields['C'], '08P01');
    assert.equal(fields['S'], 'FATAL');
    assert.equal(fields['M'], 'received unencrypted data after SSL request');
  });

  test('GSSENCRequest is answered N, a second SSLRequest after TLS is an unknown protocol', async () => {
    const { socket, answer } = await sslRequest(server, Buffer.alloc(0), 80877104);
    assert.equal(answer, 'N');
    socket.destroy();
    const s = await sslRequest(server);
    assert.equal(s.answer, 'S');
    const secure = tls.connect({ socket: s.socket, rejectUnauthorized: false }, () => {
      const again = Buffer.alloc(8);
      again.writeInt32BE(8, 0);
      again.writeInt32BE(80877103, 4);
      secure.write(again);
    });
    const fields = errorFields(await readAll(secure));
    assert.equal(fields['C'], '0A000');
    assert.equal(fields['M'], 'unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0');
  });
});

// ---- md5 ----------------------------------------------------------------------------------

describe('md5 with --password', () => {
  let server: QuiverServer;
  before(async () => {
    server = await startQuiver({ args: ['--auth', 'md5', '--password', 'hunter2'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('node-postgres: any user with the password; a wrong one → 28P01', async () => {
    assert.deepEqual(await queryAs(server, { user: 'carol', password: 'hunter2' }, 'SELECT 3 AS three'), { three: 3 });
    assert.deepEqual(await queryAs(server, { user: 'dave', password: 'hunter2' }, 'SELECT 4 AS four'), { four: 4 });
    await rejectsWith(server, { user: 'carol', password: 'hunter3' }, '28P01', failed('carol'));
  });

  test('psql with PGPASSWORD', { skip: !havePsql && PSQL_MISSING }, () => {
    assert.equal(psql(server, 'carol', 'sslmode=prefer', 'SELECT 5', 'hunter2').stdout, '5\n');
    const bad = psql(server, 'carol', 'sslmode=prefer', 'SELECT 5', 'x');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /password authentication failed for user "carol"/);
  });
});

// ---- cleartext, TLS required, configured through the environment -------------------------

describe('password (cleartext) + --tls-required, from QUIVER_* environment variables', { skip: !openssl && OPENSSL_MISSING }, () => {
  let server: QuiverServer;
  before(async () => {
    server = await startQuiver({
      env: { QUIVER_TLS_CERT: certFile, QUIVER_TLS_KEY: keyFile, QUIVER_AUTH: 'password', QUIVER_PASSWORD: 'open sesame' },
      args: ['--tls-required'],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('node-postgres over TLS: right password works, wrong → 28P01', async () => {
    assert.equal(await usesTls(server, { user: 'erin', password: 'open sesame', ssl: true }), true);
    await rejectsWith(server, { user: 'erin', password: 'open', ssl: true }, '28P01', failed('erin'));
  });

  test('a plain connection is refused like a hostssl-only pg_hba.conf (28000)', async () => {
    await rejectsWith(server, { user: 'erin', password: 'open sesame' }, '28000',
      'no pg_hba.conf entry for host "127.0.0.1", user "erin", database "postgres", no encryption');
  });

  test('psql: sslmode=require works, sslmode=disable is refused', { skip: !havePsql && PSQL_MISSING }, () => {
    assert.equal(psql(server, 'erin', 'sslmode=require', 'SELECT 7', 'open sesame').stdout, '7\n');
    const plain = psql(server, 'erin', 'sslmode=disable', 'SELECT 7', 'open sesame');
    assert.notEqual(plain.status, 0);
    assert.match(plain.stderr, /no pg_hba\.conf entry for host "127\.0\.0\.1", user "erin", database "postgres", no encryption/);
  });
});
