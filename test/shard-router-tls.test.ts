/**
 * The shard router speaks TLS to the shards (router/shard-tls.ts, README "Cluster mode",
 * links between nodes): Quiver data nodes started with --tls-required and a password for
 * everyone but the cluster's peers, a router given their CA (--shard-tls-ca): queries,
 * two-phase commits and cursors run over the encrypted links with the cluster secret's SCRAM
 * inside them; a shard whose certificate another CA signed is refused with 08006, and the
 * libpq modes (prefer, require, verify-ca, verify-full) behave as libpq's sslmode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext, TLSSocket } from 'node:tls';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import pino from 'pino';
import { startQuiver, type QuiverServer } from './support/server.js';
import { startShardRouter, type ShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';
import { openShardSocket, shardTlsFromFlags, type ShardTls } from '../src/cluster/router/shard-tls.js';
import { makeCa, makeNodeCert, opensslAvailable } from '../src/cluster/local/certs.js';
import { idsOn, shardOfInt, sqlError } from './support/shard-keys.js';

const SECRET = 'a-cluster-secret-of-32-characters';
const PASSWORD = 'user-pw-not-the-secret';
const logger = pino({ level: process.env.QUIVER_TEST_LOG_LEVEL ?? 'warn' });
const OPENSSL_MISSING = !opensslAvailable() && 'the openssl command is not installed: no certificates, TLS tests skipped';

describe('shard router over TLS to --tls-required shards', { skip: OPENSSL_MISSING }, () => {
  let dir = '';
  let ca = { cert: '', key: '' };
  let node = { cert: '', key: '' };
  let rogueCa = { cert: '', key: '' };
  let rogueNode = { cert: '', key: '' };
  let shards: QuiverServer[] = [];
  let rogue: QuiverServer | undefined;
  const routers: ShardRouter[] = [];
  const clients: pg.Client[] = [];
  const shardArgs = (cert: { cert: string; key: string }) => ['--tls-cert', cert.cert, '--tls-key', cert.key, '--tls-required',
    '--auth', 'scram-sha-256', '--password', PASSWORD, '--cluster-secret', SECRET];
  /** a client of a shard directly: TLS checked against the cluster's CA, the user's password */
  const direct = async (port: number, caCert = ca.cert): Promise<pg.Client> => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', password: PASSWORD, ssl: { ca: readFileSync(caCert) } });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  };
  /** a client of a router (which trusts its clients here) */
  const client = async (router: ShardRouter): Promise<pg.Client> => {
    const c = new pg.Client({ host: '127.0.0.1', port: router.port, user: 'postgres', database: 'postgres' });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  };
  const router = async (addresses: string[], shardTls?: ShardTls): Promise<ShardRouter> => {
    const r = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(addresses), logger, planFanout, secret: SECRET, ...(shardTls ? { shardTls } : {}) });
    routers.push(r);
    return r;
  };
  const addresses = () => shards.map((s) => `127.0.0.1:${s.port}`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quiver-router-tls-'));
    ca = makeCa(join(dir, 'ca'));
    node = makeNodeCert(join(dir, 'ca'), ca, 'node');
    rogueCa = makeCa(join(dir, 'rogue'), 'Not the cluster CA');
    rogueNode = makeNodeCert(join(dir, 'rogue'), rogueCa, 'node');
    const env = { QUIVER_MAX_PREPARED_TRANSACTIONS: '10' };
    [shards, rogue] = await Promise.all([
      Promise.all([0, 1].map(() => startQuiver({ args: shardArgs(node), env }))),
      startQuiver({ args: shardArgs(rogueNode), env }),
    ]);
    for (const s of [...shards, rogue]) {
      const c = await direct(s.port, s === rogue ? rogueCa.cert : ca.cert);
      await c.query('CREATE TABLE items (id int PRIMARY KEY, label text, emb vector(3))');
    }
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    for (const r of routers) await r.close();
    await Promise.all([...shards, ...(rogue ? [rogue] : [])].map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a shard refuses a plaintext router (--tls-required)', async () => {
    const c = await client(await router(addresses(), { mode: 'disable' }));
    const e = await sqlError(c.query('SELECT count(*) FROM items'));
    assert.equal(e.code, '28000');
    assert.match(e.message, /no encryption/);
  });

  it('runs queries, two-phase commits and cursors over verified TLS (--shard-tls-ca)', async () => {
    const tls = shardTlsFromFlags(undefined, ca.cert);
    assert.equal(tls.mode, 'verify-ca', 'a CA alone means verify-ca, as libpq\'s require with a root certificate');
    const c = await client(await router(addresses(), tls));
    // one block writing both shards: committed by two-phase commit
    const ids = [...idsOn(0, 5, 2), ...idsOn(1, 5, 2)];
    await c.query('BEGIN');
    for (const id of ids) await c.query('INSERT INTO items VALUES ($1, $2, $3)', [id, `item ${id}`, `[${id},${id % 3},1]`]);
    await c.query('COMMIT');
    for (const [k, s] of shards.entries()) {
      const d = await direct(s.port);
      const onShard = (await d.query('SELECT id FROM items ORDER BY id')).rows.map((r) => r.id as number);
      assert.deepEqual(onShard, ids.filter((id) => shardOfInt(id, 2) === k).sort((a, b) => a - b));
      assert.equal((await d.query('SELECT count(*)::int AS n FROM pg_prepared_xacts')).rows[0].n, 0, 'no transaction left prepared');
    }
    // pinned, fanned out, k-NN and aggregates
    assert.deepEqual((await c.query('SELECT label FROM items WHERE id = $1', [ids[7]])).rows, [{ label: `item ${ids[7]}` }]);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM items')).rows[0].n, ids.length);
    const distance = (id: number): number => Math.hypot(id - 3, id % 3);
    const knn = (await c.query("SELECT id FROM items ORDER BY emb <-> '[3,0,1]' LIMIT 3")).rows.map((r) => distance(r.id as number));
    assert.deepEqual(knn, ids.map(distance).sort((a, b) => a - b).slice(0, 3));
    // a cursor left on the shards, walked across their boundary
    const sorted = [...ids].sort((a, b) => a - b);
    await c.query('BEGIN');
    await c.query('DECLARE cur NO SCROLL CURSOR FOR SELECT id FROM items ORDER BY id');
    const first = (await c.query('FETCH 4 FROM cur')).rows.map((r) => r.id as number);
    const rest = (await c.query('FETCH ALL FROM cur')).rows.map((r) => r.id as number);
    await c.query('COMMIT');
    assert.deepEqual([...first, ...rest], sorted);
    // an UPDATE on every shard, committed in two phases
    await c.query('BEGIN');
    await c.query("UPDATE items SET label = label || ' (seen)'");
    await c.query('COMMIT');
    assert.equal((await c.query("SELECT count(*)::int AS n FROM items WHERE label LIKE '% (seen)'")).rows[0].n, ids.length);
    // a cancel request still reaches the shard (plaintext, as libpq's PQcancel; a shard takes it before its TLS check)
    const sleeping = c.query('SELECT pg_sleep(20)');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { processID, secretKey } = c as unknown as { processID: number; secretKey: number };
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: routers.at(-1)!.port }, () => s.end(serialize.cancel(processID, secretKey)));
      s.on('error', reject).on('close', () => resolve());
    });
    const t0 = Date.now();
    assert.equal((await sqlError(sleeping)).code, '57014');
    assert.ok(Date.now() - t0 < 10_000);
  });

  it('prefer (the default without a CA) speaks TLS to shards that offer it', async () => {
    const c = await client(await router(addresses()));
    assert.ok((await c.query('SELECT count(*)::int AS n FROM items')).rows[0].n > 0);
  });

  it('a shard whose certificate the CA did not sign is refused with 08006', async () => {
    const c = await client(await router([addresses()[0]!, `127.0.0.1:${rogue!.port}`], shardTlsFromFlags(undefined, ca.cert)));
    // shard 0 is the cluster's: statements pinned there still run
    assert.deepEqual((await c.query('SELECT label FROM items WHERE id = $1', [idsOn(0, 1, 2)[0]])).rows, [{ label: `item ${idsOn(0, 1, 2)[0]} (seen)` }]);
    const e = await sqlError(c.query('SELECT count(*) FROM items'));
    assert.equal(e.code, '08006');
    assert.match(e.message, /shard 1 .*SSL error: certificate verify failed/);
    // without a CA (prefer) the same shard is encrypted to but not authenticated by its certificate
    const p = await client(await router([addresses()[0]!, `127.0.0.1:${rogue!.port}`], { mode: 'require' }));
    assert.equal((await p.query('SELECT count(*)::int AS n FROM items')).rows[0].n, 5);
  });
});

describe('libpq sslmode semantics of the shard links (shard-tls.ts)', { skip: OPENSSL_MISSING }, () => {
  let dir = '';
  let ca = { cert: '', key: '' };
  const servers: Server[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'quiver-shard-tls-'));
    ca = makeCa(dir);
  });
  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * A server answering the SSLRequest with `answer` (then TLS with `cert` when 'S'), and with
   * `extra` bytes in the same write; over TLS it echoes the first bytes back.
   */
  function negotiator(answer: 'S' | 'N', cert?: { cert: string; key: string }, extra = ''): Promise<number> {
    const server = createServer((socket: Socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write(answer + extra);
        if (answer === 'N' || !cert) return;
        const secure = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }) });
        secure.on('error', () => {});
        secure.on('data', (d: Buffer) => secure.write(d));
      });
    });
    servers.push(server);
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  }
  const open = (port: number, tls: ShardTls) => openShardSocket(1, `127.0.0.1:${port}`, '127.0.0.1', port, tls);
  const echo = async (s: Socket): Promise<string> => {
    const got = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
    s.write('ping');
    const text = await got;
    s.destroy();
    return text;
  };
  const refused = (e: { code?: string; message: string }, message: RegExp): boolean => {
    assert.equal(e.code, '08006', e.message);
    assert.match(e.message, message);
    return true;
  };

  it('verify-ca checks the chain only; verify-full also the name', async () => {
    const named = makeNodeCert(dir, ca, 'named', ['shard.example']);
    const port = await negotiator('S', named);
    const tls = { mode: 'verify-ca' as const, ca: readFileSync(ca.cert) };
    assert.equal(await echo(await open(port, tls)), 'ping');
    await assert.rejects(open(port, { ...tls, mode: 'verify-full' }), (e: Error) => refused(e, /certificate verify failed.*127\.0\.0\.1/));
    const local = makeNodeCert(dir, ca, 'local', ['127.0.0.1']);
    assert.equal(await echo(await open(await negotiator('S', local), { ...tls, mode: 'verify-full' })), 'ping');
  });

  it('prefer goes on in plaintext when the shard declines; require and verify-* refuse', async () => {
    const port = await negotiator('N');
    const plain = await open(port, { mode: 'prefer' });
    assert.equal(plain.constructor.name, 'Socket');
    plain.destroy();
    for (const mode of ['require', 'verify-ca', 'verify-full'] as const) {
      await assert.rejects(open(port, { mode, ca: readFileSync(ca.cert) }), (e: Error) => refused(e, /server does not support SSL, but SSL was required/));
    }
  });

  it('refuses bytes sent after the SSL answer, before the handshake', async () => {
    const port = await negotiator('S', undefined, 'injected');
    await assert.rejects(open(port, { mode: 'prefer' }), (e: Error) => refused(e, /received unencrypted data after SSL response/));
  });

  it('proves the cluster secret with channel binding (SCRAM-SHA-256-PLUS) over TLS when the shard offers it', async () => {
    const cert = makeNodeCert(dir, ca, 'plus', ['127.0.0.1']);
    let initial = '';
    const server = createServer((socket: Socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write('S');
        const secure = new TLSSocket(socket, { isServer: true, secureContext: createSecureContext({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }) });
        secure.on('error', () => {});
        let startup = true;
        secure.on('data', (d: Buffer) => {
          if (startup) {
            startup = false;
            // AuthenticationSASL offering both mechanisms, as a Quiver or PostgreSQL shard does over TLS
            const body = Buffer.from('\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0', 'latin1');
            const head = Buffer.alloc(5);
            head.write('R');
            head.writeInt32BE(body.length + 4, 1);
            secure.write(Buffer.concat([head, body]));
          } else {
            initial = d.subarray(5).toString('latin1');
            secure.destroy();
          }
        });
      });
    });
    servers.push(server);
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    const { ShardConnection } = await import('../src/cluster/router/shard-connection.js');
    await assert.rejects(ShardConnection.open(1, `127.0.0.1:${port}`, { user: 'postgres', database: 'postgres' }, undefined, { secret: SECRET, tls: { mode: 'verify-ca', ca: readFileSync(ca.cert) } }));
    assert.match(initial, /^SCRAM-SHA-256-PLUS\0.{4}p=tls-server-end-point,,n=\*,r=/s);
  });

  it('flags: the mode defaults to verify-ca with a CA, prefer without; verify-* need a CA', () => {
    assert.equal(shardTlsFromFlags(undefined, undefined).mode, 'prefer');
    assert.equal(shardTlsFromFlags('require', ca.cert).mode, 'require');
    assert.throws(() => shardTlsFromFlags('verify-full', undefined), /needs --shard-tls-ca/);
    assert.throws(() => shardTlsFromFlags('allow', undefined), /invalid --shard-tls "allow"/);
    assert.throws(() => shardTlsFromFlags(undefined, join(dir, 'missing.crt')), /could not read --shard-tls-ca/);
  });
});
