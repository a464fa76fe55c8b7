/**
 * --cluster-secret: the links between Quiver nodes prove a shared secret (README "Cluster
 * mode", security). The framed query/index-node protocol runs a mutual HMAC handshake
 * (src/cluster/peer-handshake.ts) before any frame is read; the shard router proves the
 * secret to a shard by SCRAM-SHA-256 when it connects as the client's user, so a shard
 * can require passwords of everyone else (src/wire/connection.ts, shard-connection.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { behindHandshake } from '../src/cluster/peer-handshake.js';
import { encodeFrame, FrameReader, FramedConnection } from '../src/cluster/query-node-protocol.js';
import { startQuiver, type QuiverServer } from './support/server.js';
import { startShardRouter, type ShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { shardOfInt } from './support/shard-keys.js';

const SECRET = 'a-cluster-secret-of-32-characters';
const USER_PASSWORD = 'user-pw-not-the-secret';
const logger = pino({ level: process.env.QUIVER_TEST_LOG_LEVEL ?? 'warn' });

/** A framed echo server behind the handshake; `refused` collects why it refused peers. */
async function echoServer(secret: string | undefined): Promise<{ server: { close(): void }; port: number; refused: string[] }> {
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const serve = (socket: Socket) => {
    const reader = new FrameReader();
    socket.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) socket.write(encodeFrame({ echo: m }));
    });
  };
  const server: Server = createServer(behindHandshake(secret, serve, (_s, e) => refused.push(e.message)));
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const close = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return { server: { close }, port: typeof address === 'object' && address ? address.port : 0, refused };
}

/** Sends `message` and resolves with the first answer, or with the reason the connection ended. */
function exchange(port: number, secret: string | undefined, message: unknown): Promise<{ answer?: unknown; ended?: string }> {
  return new Promise((resolve) => {
    const conn: FramedConnection = new FramedConnection(`127.0.0.1:${port}`, (m) => {
      resolve({ answer: m });
      conn.end();
    }, (why) => resolve({ ended: why }), secret);
    conn.send(message);
  });
}

describe('cluster handshake of the framed node protocols', () => {
  it('lets a caller that knows the secret through, frames sent before the handshake included', async () => {
    const { server, port, refused } = await echoServer(SECRET);
    try {
      // a frame large enough to arrive with the proof in one chunk, and a small one
      const big = { kind: 'search', body: new Float32Array(4096).fill(1.5) };
      const r1 = await exchange(port, SECRET, big);
      assert.ok(r1.answer, `no answer: ${r1.ended}`);
      assert.deepEqual((r1.answer as { echo: typeof big }).echo.body, big.body);
      const r2 = await exchange(port, SECRET, { kind: 'stats', id: 7 });
      assert.deepEqual(r2.answer, { echo: { kind: 'stats', id: 7 } });
      assert.deepEqual(refused, []);
    } finally {
      server.close();
    }
  });

  it('refuses a caller with another secret, and the caller learns the node refused', async () => {
    const { server, port, refused } = await echoServer(SECRET);
    try {
      const r = await exchange(port, 'another-secret-of-enough-length', { kind: 'stats', id: 1 });
      assert.equal(r.answer, undefined);
      assert.ok(r.ended, 'the connection ended');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(refused.length, 1);
      assert.match(refused[0]!, /failed the cluster handshake/);
    } finally {
      server.close();
    }
  });

  it('refuses a caller without a secret before deserializing anything it sent', async () => {
    const { server, port, refused } = await echoServer(SECRET);
    try {
      // 64 bytes or more of frames: taken as a (wrong) proof, never as a frame
      const r = await exchange(port, undefined, { kind: 'search', padding: 'x'.repeat(200) });
      assert.equal(r.answer, undefined);
      assert.ok(r.ended);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(refused[0] ?? '', /failed the cluster handshake/);
    } finally {
      server.close();
    }
  });

  it('without a secret on either side the protocol is as before', async () => {
    const { server, port } = await echoServer(undefined);
    const reply = await new Promise<{ answer?: unknown; ended?: string }>((resolve) => {
      const raw: FramedConnection = new FramedConnection(`127.0.0.1:${port}`, (m) => {
        resolve({ answer: m });
        raw.end();
      }, (why) => resolve({ ended: why }));
      raw.send({ hello: 1 });
    });
    assert.deepEqual(reply.answer, { echo: { hello: 1 } }, 'without secrets on either side the protocol is as before');
    server.close();
  });
});

describe('the shard router proves the cluster secret to password-protected shards', () => {
  let shards: QuiverServer[] = [];
  const routers: ShardRouter[] = [];
  const directory = () => staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`));
  const connect = async (port: number, password?: string) => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', ...(password ? { password } : {}) });
    await c.connect();
    return c;
  };

  before(async () => {
    shards = await Promise.all([0, 1].map(() => startQuiver({
      args: ['--auth', 'scram-sha-256', '--password', USER_PASSWORD, '--cluster-secret', SECRET],
    })));
    for (const s of shards) {
      const c = await connect(s.port, USER_PASSWORD);
      await c.query('CREATE TABLE items (id int PRIMARY KEY, label text)');
      await c.end();
    }
  });

  after(async () => {
    for (const r of routers) await r.close();
    await Promise.all(shards.map((s) => s.stop()));
  });

  it('runs statements on every shard as the client\'s user', async () => {
    const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: directory(), logger, secret: SECRET });
    routers.push(router);
    const c = await connect(router.port);
    try {
      const ids = [1, 2, 3, 4, 5, 6, 7, 8];
      for (const id of ids) await c.query('INSERT INTO items VALUES ($1, $2)', [id, `item ${id}`]);
      for (const id of ids) assert.deepEqual((await c.query('SELECT label FROM items WHERE id = $1', [id])).rows, [{ label: `item ${id}` }]);
      // both shards hold rows: the router authenticated to each
      for (const [k, s] of shards.entries()) {
        const d = await connect(s.port, USER_PASSWORD);
        const onShard = (await d.query('SELECT id FROM items ORDER BY id')).rows.map((r) => r.id as number);
        await d.end();
        assert.deepEqual(onShard, ids.filter((id) => shardOfInt(id, 2) === k));
      }
      assert.equal((await c.query('SELECT current_user AS u')).rows[0].u, 'postgres');
    } finally {
      await c.end();
    }
  });

  it('a router without the secret is refused by the shards, saying what to do', async () => {
    const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: directory(), logger });
    routers.push(router);
    const c = await connect(router.port);
    try {
      await assert.rejects(c.query('SELECT label FROM items WHERE id = 1'), (e: pg.DatabaseError) => {
        assert.equal(e.code, '28000');
        assert.match(e.message, /--cluster-secret/);
        return true;
      });
    } finally {
      await c.end().catch(() => {});
    }
  });

  it('a router with another secret fails SCRAM on the shard (28P01)', async () => {
    const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: directory(), logger, secret: 'not-the-cluster-secret-at-all' });
    routers.push(router);
    const c = await connect(router.port);
    try {
      await assert.rejects(c.query('SELECT label FROM items WHERE id = 1'), (e: pg.DatabaseError) => {
        assert.equal(e.code, '28P01');
        return true;
      });
    } finally {
      await c.end().catch(() => {});
    }
  });

  it('the shard still asks everyone else for their own password', async () => {
    await assert.rejects(connect(shards[0]!.port, SECRET), (e: pg.DatabaseError) => e.code === '28P01');
    await assert.rejects(connect(shards[0]!.port, 'wrong'), (e: pg.DatabaseError) => e.code === '28P01');
    const c = await connect(shards[0]!.port, USER_PASSWORD);
    assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
    await c.end();
  });

  it('a client claiming to be a cluster peer must prove the secret, not a user password', async () => {
    // node-postgres sends only its own startup keys: speak the startup packet directly
    const { connect: raw } = await import('node:net');
    const { serialize, parse } = await import('pg-protocol');
    const messages: string[] = [];
    await new Promise<void>((resolve) => {
      const s = raw({ host: '127.0.0.1', port: shards[0]!.port }, () => s.write(serialize.startup({ user: 'postgres', database: 'postgres', 'quiver.cluster_peer': 'router' })));
      void parse(s, (m) => {
        messages.push(m.name);
        if (m.name === 'authenticationSASL') s.write(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=abcdefghijklmnopqrstuvwx'));
        if (m.name === 'authenticationSASLContinue') s.write(serialize.sendSCRAMClientFinalMessage('c=biws,r=wrong,p=AAAA'));
        if (m.name === 'error') s.end();
      });
      s.on('close', () => resolve());
    });
    assert.equal(messages[0], 'authenticationSASL', 'the secret is checked by SCRAM');
    assert.ok(messages.includes('error'), 'a wrong proof ends in an error');
    assert.ok(!messages.includes('authenticationOk'));
  });
});

describe('the router checks the shard proves the secret too', () => {
  /** a PostgreSQL-speaking impostor: SCRAM up to its final message, whose server signature it cannot make */
  function impostor(): Promise<Server> {
    const server = createServer((socket: Socket) => {
      let buffered = Buffer.alloc(0);
      let started = false;
      let clientNonce = '';
      const send = (type: string, body: Buffer): void => {
        const head = Buffer.alloc(5);
        head.write(type, 0);
        head.writeInt32BE(body.length + 4, 1);
        socket.write(Buffer.concat([head, body]));
      };
      const auth = (code: number, data: string): void => {
        const b = Buffer.alloc(4);
        b.writeInt32BE(code);
        send('R', Buffer.concat([b, Buffer.from(data)]));
      };
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        for (;;) {
          if (!started) {
            if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
            // an SSLRequest (the router prefers TLS): declined, as by a server without TLS
            const sslRequest = buffered.readInt32BE(0) === 8 && buffered.readInt32BE(4) === 80877103;
            buffered = buffered.subarray(buffered.readInt32BE(0));
            if (sslRequest) {
              socket.write('N');
              continue;
            }
            started = true;
            auth(10, 'SCRAM-SHA-256\0\0');
            continue;
          }
          if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
          const body = buffered.subarray(5, 1 + buffered.readInt32BE(1)).toString('latin1');
          buffered = buffered.subarray(1 + buffered.readInt32BE(1));
          if (!clientNonce) {
            clientNonce = /r=([^,]+)/.exec(body)![1]!;
            auth(11, `r=${clientNonce}impostor,s=${Buffer.from('salt-of-nobody').toString('base64')},i=4096`);
          } else {
            auth(12, `v=${Buffer.alloc(32, 7).toString('base64')}`);
          }
        }
      });
      socket.on('error', () => {});
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
  }

  it('a shard that cannot prove the secret is refused with 28000, not a lost connection', async () => {
    const server = await impostor();
    try {
      const { ShardConnection } = await import('../src/cluster/router/shard-connection.js');
      const port = (server.address() as { port: number }).port;
      await assert.rejects(ShardConnection.open(0, `127.0.0.1:${port}`, { user: 'postgres', database: 'postgres' }, undefined, { secret: SECRET }), (e: { code?: string; message: string }) => {
        assert.equal(e.code, '28000', e.message);
        return true;
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
