/**
 * Message size limits, as PostgreSQL 15's SocketBackend sets them: 1 GB - 1 for the message
 * types that carry data (Query, Parse, Bind, CopyData, FunctionCall), 10000 bytes for the
 * others, 10000 for the startup packet; --max-message-size lowers the first. A length word
 * past the limit is refused (FATAL 08P01 `invalid message length`) as soon as the 5-byte
 * header is in, without waiting for (or buffering) the body the client announced; other
 * sessions carry on. PostgreSQL closes such a connection with the same error in its log
 * only (COMMERROR); Quiver also sends it, so the client learns why.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, test } from 'node:test';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { WireServer } from '../src/wire/server.js';
import { RawClient, errorFields, rawSession, startFakeServer, summarize } from './wire-fake-backend.js';
import { startQuiver } from './support/server.js';

const startup = (): Buffer => serialize.startup({ user: 'alice', database: 'db' });

/** A message header (type + length word) with no body. */
function header(code: string, length: number): Buffer {
  const b = Buffer.alloc(5);
  b.write(code, 0, 'latin1');
  b.writeUInt32BE(length >>> 0, 1);
  return b;
}

async function refusedAfter(port: number, bytes: Buffer): Promise<Record<string, string>> {
  const { client } = await rawSession(port, startup());
  client.write(bytes);
  const frames = await client.untilClosed();
  assert.equal(frames.length, 1, `expected one ErrorResponse, got ${summarize(frames).join(' ')}`);
  return errorFields(frames[0]!.body);
}

describe('default limits', () => {
  let server: WireServer;
  before(async () => ({ server } = await startFakeServer()));
  after(async () => server.close());

  it('refuses 2 GB and 1 GB length words at once, without waiting for the body', async () => {
    for (const length of [0x7fffffff, 0xffffffff, 0x40000000]) {
      const e = await refusedAfter(server.port, header('Q', length));
      assert.deepEqual([e['S'], e['C'], e['M']], ['FATAL', '08P01', 'invalid message length'], `length ${length}`);
    }
  });

  it('holds messages without user data to 10000 bytes', async () => {
    for (const code of ['S', 'H', 'E', 'D', 'C', 'X', 'c', 'f']) {
      const e = await refusedAfter(server.port, header(code, 10001));
      assert.equal(e['M'], 'invalid message length', `type ${code}`);
    }
    // a CopyData of 100 kB outside COPY is ignored, like PostgreSQL: large types may be large
    const { client } = await rawSession(server.port, startup());
    client.write([serialize.copyData(Buffer.alloc(100_000, 0x61)), serialize.query('series 1')]);
    assert.deepEqual(summarize(await client.untilReady()), ['T', 'D:1', 'C:SELECT 1', 'Z:I']);
    client.end();
  });

  it('refuses a startup packet over 10000 bytes; other sessions carry on', async () => {
    const { client: other } = await rawSession(server.port, startup());
    const c = await RawClient.connect(server.port);
    const big = Buffer.alloc(4);
    big.writeInt32BE(10001);
    c.write(big);
    const frames = await c.untilClosed();
    assert.equal(errorFields(frames[0]!.body)['M'], 'invalid length of startup packet');
    other.write(serialize.query('series 2'));
    assert.deepEqual(summarize(await other.untilReady()), ['T', 'D:1', 'D:2', 'C:SELECT 2', 'Z:I']);
    other.end();
  });
});

describe('maxMessageSize 64 kB', () => {
  let server: WireServer;
  before(async () => ({ server } = await startFakeServer({ maxMessageSize: 65536 })));
  after(async () => server.close());

  it('accepts a Query up to the limit and refuses one past it', async () => {
    const { client } = await rawSession(server.port, startup());
    const fits = serialize.query('series 1' + ' '.repeat(65536 - 4 - 'series 1'.length - 1));
    assert.equal(fits.length, 65537); // type byte + a length word of exactly 65536
    client.write(fits);
    assert.deepEqual(summarize(await client.untilReady()), ['T', 'D:1', 'C:SELECT 1', 'Z:I']);
    client.write(serialize.query('series 1' + ' '.repeat(65536)));
    const frames = await client.untilClosed();
    assert.deepEqual(summarize(frames), ['E:08P01']);
    assert.equal(errorFields(frames[0]!.body)['M'], 'invalid message length');
  });

  it('applies to Parse, Bind and CopyData too', async () => {
    for (const code of ['P', 'B', 'd', 'F']) {
      const e = await refusedAfter(server.port, header(code, 65537));
      assert.equal(e['M'], 'invalid message length', `type ${code}`);
    }
  });
});

test('--max-message-size through main.js: units, node-postgres sees 08P01, bad values stop the start', async () => {
  const server = await startQuiver({ args: ['--max-message-size', '64kB'] });
  try {
    const client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
    client.on('error', () => {});
    await client.connect();
    assert.equal((await client.query(`SELECT length('${'x'.repeat(60_000)}') AS n`)).rows[0].n, 60000);
    await assert.rejects(client.query(`SELECT length('${'x'.repeat(70_000)}')`), (e: Error & { code?: string }) => {
      assert.equal(e.code, '08P01');
      assert.equal(e.message, 'invalid message length');
      return true;
    });
    await client.end().catch(() => {});
    const again = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
    await again.connect();
    assert.equal((await again.query('SELECT 1 AS one')).rows[0].one, 1);
    await again.end();
  } finally {
    await server.stop();
  }
  await assert.rejects(startQuiver({ args: ['--max-message-size', '2GB'] }), /invalid --max-message-size 2147483648/);
  await assert.rejects(startQuiver({ args: ['--max-message-size', 'lots'] }), /invalid --max-message-size/);
});
