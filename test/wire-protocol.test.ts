import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serialize } from 'pg-protocol';
import type { WireServer } from '../src/wire/server.js';
import { FakeRegistry, RawClient, TYPED_VALUES, dataRowValues, errorFields, rawSession, startFakeServer, summarize } from './wire-fake-backend.js';

const startup = (): Buffer => serialize.startup({ user: 'alice', database: 'db' });

describe('wire protocol (raw sockets)', () => {
  let server: WireServer;
  let registry: FakeRegistry;
  before(async () => ({ server, registry } = await startFakeServer()));
  after(async () => server.close());

  it('completes startup: AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery', async () => {
    const { client, frames } = await rawSession(server.port, startup());
    const codes = frames.map((f) => f.code);
    assert.equal(codes[0], 'R');
    assert.equal(frames[0]!.body.readInt32BE(0), 0);
    assert.ok(summarize(frames).includes('S:server_version'));
    const key = frames.find((f) => f.code === 'K')!;
    const backend = registry.backends.at(-1)!;
    assert.equal(key.body.readInt32BE(0), backend.processId);
    assert.equal(key.body.readInt32BE(4), backend.secretKey);
    assert.deepEqual(summarize(frames).at(-1), 'Z:I');
    assert.equal(backend.calls[0], 'startup alice@db');
    client.end();
  });

  it('copes with a session written one byte at a time', async () => {
    const client = await RawClient.connect(server.port);
    const all = Buffer.concat([startup(), serialize.query('series 3')]);
    for (const b of all) {
      client.write(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    await client.untilReady();
    assert.deepEqual(summarize(await client.untilReady()), ['T', 'D:1', 'D:2', 'D:3', 'C:SELECT 3', 'Z:I']);
    client.end();
  });

  it('copes with startup, queries and Terminate merged into one packet', async () => {
    const client = await RawClient.connect(server.port);
    client.write([startup(), serialize.query('series 1'), serialize.query('series 2'), serialize.end()]);
    const frames = summarize(await client.untilClosed());
    assert.deepEqual(frames.slice(-9), ['Z:I', 'T', 'D:1', 'C:SELECT 1', 'Z:I', 'T', 'D:1', 'D:2', 'C:SELECT 2'].concat(['Z:I']).slice(-9));
    assert.equal(frames.filter((f) => f === 'Z:I').length, 3);
    assert.equal(registry.backends.at(-1)!.closed, true);
  });

  it("answers SSLRequest and GSSENCRequest with 'N', then accepts the StartupMessage", async () => {
    const client = await RawClient.connect(server.port);
    client.write(serialize.requestSsl());
    assert.equal(await client.readByte(), 'N');
    const gss = Buffer.alloc(8);
    gss.writeInt32BE(8, 0);
    gss.writeInt32BE(80877104, 4);
    client.write(gss);
    assert.equal(await client.readByte(), 'N');
    client.write(startup());
    assert.equal(summarize(await client.untilReady()).at(-1), 'Z:I');
    client.end();
  });

  it('rejects protocol 2.0 with FATAL 0A000 and closes', async () => {
    const client = await RawClient.connect(server.port);
    const packet = Buffer.alloc(8 + 5);
    packet.writeInt32BE(packet.length, 0);
    packet.writeInt32BE(2 << 16, 4);
    packet.write('user\0', 8);
    client.write(packet);
    const frames = await client.untilClosed();
    const e = errorFields(frames[0]!.body);
    assert.equal(e['S'], 'FATAL');
    assert.equal(e['C'], '0A000');
    assert.equal(e['M'], 'unsupported frontend protocol 2.0: server supports 3.0 to 3.0');
  });

  it('reports a failing Backend.startup as FATAL with its SQLSTATE', async () => {
    const client = await RawClient.connect(server.port);
    client.write(serialize.startup({ user: 'alice', database: 'nodb' }));
    const frames = await client.untilClosed();
    assert.deepEqual(summarize(frames), ['E:3D000']);
    assert.equal(errorFields(frames[0]!.body)['S'], 'FATAL');
  });

  it('closes only the offending connection on an unknown message type (FATAL 08P01)', async () => {
    const other = await rawSession(server.port, startup());
    const { client } = await rawSession(server.port, startup());
    client.write(Buffer.from([0x7a, 0, 0, 0, 4]));
    const frames = await client.untilClosed();
    const e = errorFields(frames[0]!.body);
    assert.deepEqual([e['S'], e['C'], e['M']], ['FATAL', '08P01', 'invalid frontend message type 122']);
    other.client.write(serialize.query('series 1'));
    assert.deepEqual(summarize(await other.client.untilReady()), ['T', 'D:1', 'C:SELECT 1', 'Z:I']);
    other.client.end();
  });

  it('rejects a bad message length and a bad startup length with FATAL 08P01', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write(Buffer.from([0x51, 0, 0, 0, 2]));
    assert.equal(errorFields((await client.untilClosed())[0]!.body)['M'], 'invalid message length');
    const c2 = await RawClient.connect(server.port);
    c2.write(Buffer.from([0, 0, 0, 3]));
    assert.equal(errorFields((await c2.untilClosed())[0]!.body)['M'], 'invalid length of startup packet');
  });

  it('refuses invalid UTF-8 in a startup parameter with FATAL 22021, not as a bad layout', async () => {
    const value = Buffer.from([0x76, 0xc3, 0x28]);
    const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), Buffer.from('user\0alice\0application_name\0'), value, Buffer.from([0, 0])]);
    const packet = Buffer.concat([Buffer.alloc(4), body]);
    packet.writeInt32BE(packet.length, 0);
    const client = await RawClient.connect(server.port);
    client.write(packet);
    const e = errorFields((await client.untilClosed())[0]!.body);
    assert.deepEqual([e['S'], e['C'], e['M']], ['FATAL', '22021', 'invalid byte sequence for encoding "UTF8": 0xc3 0x28']);
  });

  it('runs several statements of one simple Query and stops at the first error', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write(serialize.query('series 1; bad stuff; series 2'));
    const frames = await client.untilReady();
    assert.deepEqual(summarize(frames), ['T', 'D:1', 'C:SELECT 1', 'E:42601', 'Z:I']);
    // the position is shifted to the whole query string: "series 1; bad stuff" → "stuff" at 15
    assert.equal(errorFields(frames[3]!.body)['P'], '15');
    client.write(serialize.query('  ;  '));
    assert.deepEqual(summarize(await client.untilReady()), ['I', 'Z:I']);
    client.end();
  });

  it('sends notices, ParameterStatus changes and the transaction status', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write(serialize.query('notice; set application_name foo; begin'));
    assert.deepEqual(summarize(await client.untilReady()), ['N:hello notice', 'C:DO', 'C:SET', 'C:BEGIN', 'S:application_name', 'Z:T']);
    client.write(serialize.query('fail'));
    assert.deepEqual(summarize(await client.untilReady()), ['E:23505', 'Z:E']);
    client.write(serialize.query('commit'));
    assert.deepEqual(summarize(await client.untilReady()), ['C:ROLLBACK', 'Z:I']);
    client.end();
  });

  it('sends every SqlError field in ErrorResponse, and internal errors as XX000', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write(serialize.query('fail'));
    const e = errorFields((await client.untilReady())[0]!.body);
    assert.deepEqual(e, {
      S: 'ERROR', V: 'ERROR', C: '23505', M: 'duplicate key value violates unique constraint "t_pkey"',
      D: 'Key (id)=(1) already exists.', H: 'some hint', W: 'somewhere', s: 'public', t: 't', c: 'id', d: 'integer', n: 't_pkey',
    });
    client.write(serialize.query('crash'));
    const x = errorFields((await client.untilReady())[0]!.body);
    assert.deepEqual([x['C'], x['M']], ['XX000', 'boom']);
    client.end();
  });

  it('executes portals with a row limit (PortalSuspended, continue, SELECT n of the last piece)', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write([
      serialize.parse({ text: 'series 5' }), serialize.bind({ portal: 'p' }), serialize.describe({ type: 'P', name: 'p' }),
      serialize.execute({ portal: 'p', rows: 2 }), serialize.execute({ portal: 'p', rows: 2 }),
      serialize.execute({ portal: 'p', rows: 2 }), serialize.execute({ portal: 'p', rows: 2 }), serialize.sync(),
    ]);
    assert.deepEqual(summarize(await client.untilReady()), ['1', '2', 'T', 'D:1', 'D:2', 's', 'D:3', 'D:4', 's', 'D:5', 'C:SELECT 1', 'C:SELECT 0', 'Z:I']);
    // executed only once: the rows were materialized by the first Execute
    assert.equal(registry.backends.at(-1)!.calls.filter((c) => c.startsWith('execute')).length, 1);
    // portals end with the implicit transaction
    client.write([serialize.execute({ portal: 'p' }), serialize.sync()]);
    assert.deepEqual(summarize(await client.untilReady()), ['E:34000', 'Z:I']);
    client.end();
  });

  it('keeps portals across Sync inside a transaction block', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write([serialize.query('begin')]);
    await client.untilReady();
    client.write([serialize.parse({ text: 'series 3' }), serialize.bind({ portal: 'c' }), serialize.execute({ portal: 'c', rows: 1 }), serialize.sync()]);
    assert.deepEqual(summarize(await client.untilReady()), ['1', '2', 'D:1', 's', 'Z:T']);
    client.write([serialize.execute({ portal: 'c' }), serialize.sync()]);
    assert.deepEqual(summarize(await client.untilReady()), ['D:2', 'D:3', 'C:SELECT 2', 'Z:T']);
    client.end();
  });

  it('discards messages after an error until Sync', async () => {
    const { client } = await rawSession(server.port, startup());
    const backend = registry.backends.at(-1)!;
    client.write([
      serialize.parse({ text: 'bad x' }), serialize.bind({}), serialize.execute({}),
      serialize.parse({ text: 'series 1' }), serialize.query('series 1'), serialize.sync(),
      serialize.parse({ text: 'series 1' }), serialize.bind({}), serialize.execute({}), serialize.sync(),
    ]);
    assert.deepEqual(summarize(await client.untilReady()), ['E:42601', 'Z:I']);
    assert.deepEqual(summarize(await client.untilReady()), ['1', '2', 'D:1', 'C:SELECT 1', 'Z:I']);
    assert.deepEqual(backend.calls.slice(1), ['prepare bad x', 'prepare series 1', 'execute series 1']);
    client.end();
  });

  it('reports extended-protocol errors like PostgreSQL', async () => {
    const { client } = await rawSession(server.port, startup());
    const expectError = async (messages: Buffer[], code: string, message: string): Promise<void> => {
      client.write([...messages, serialize.sync()]);
      const frames = await client.untilReady();
      const err = frames.find((f) => f.code === 'E');
      assert.ok(err, `expected an error for ${message}`);
      assert.deepEqual([errorFields(err.body)['C'], errorFields(err.body)['M']], [code, message]);
    };
    await expectError([serialize.bind({ statement: 'nope' })], '26000', 'prepared statement "nope" does not exist');
    await expectError([serialize.execute({ portal: 'nope' })], '34000', 'portal "nope" does not exist');
    await expectError([serialize.describe({ type: 'P', name: 'nope' })], '34000', 'portal "nope" does not exist');
    await expectError([serialize.describe({ type: 'S', name: 'nope' })], '26000', 'prepared statement "nope" does not exist');
    await expectError([serialize.parse({ text: 'echo $1 $2' }), serialize.bind({ values: ['1'] })], '08P01', 'bind message supplies 1 parameters, but prepared statement "" requires 2');
    await expectError([serialize.parse({ name: 'x', text: 'series 1' }), serialize.parse({ name: 'x', text: 'series 1' })], '42P05', 'prepared statement "x" already exists');
    await expectError([serialize.parse({ text: 'series 1; series 2' })], '42601', 'cannot insert multiple commands into a prepared statement');
    await expectError([serialize.parse({ text: 'echo $1', types: [23] }), serialize.bind({ values: [Buffer.from([0, 1])], valueMapper: (v: unknown) => v, binary: true })], '08P01', 'insufficient data left in message');
    await expectError([serialize.parse({ text: 'echo $1', types: [23] }), serialize.bind({ values: [Buffer.from([0, 0, 0, 1, 2])], valueMapper: (v: unknown) => v, binary: true })], '22P03', 'incorrect binary data format in bind parameter 1');
    // a named statement survives; closing it makes it unknown
    client.write([serialize.close({ type: 'S', name: 'x' }), serialize.sync()]);
    assert.deepEqual(summarize(await client.untilReady()), ['3', 'Z:I']);
    await expectError([serialize.bind({ statement: 'x' })], '26000', 'prepared statement "x" does not exist');
    client.end();
  });

  it('describes statements and portals; empty queries answer EmptyQueryResponse', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write([
      serialize.parse({ name: 's', text: 'echo $1 $2', types: [23, 0] }), serialize.describe({ type: 'S', name: 's' }),
      serialize.parse({ name: 'c', text: 'begin' }), serialize.describe({ type: 'S', name: 'c' }),
      serialize.parse({ text: '' }), serialize.bind({}), serialize.describe({ type: 'P' }), serialize.execute({}),
      serialize.sync(),
    ]);
    const frames = await client.untilReady();
    assert.deepEqual(summarize(frames), ['1', 't', 'T', '1', 't', 'n', '1', '2', 'n', 'I', 'Z:I']);
    const pd = frames[1]!.body;
    assert.deepEqual([pd.readInt16BE(0), pd.readInt32BE(2), pd.readInt32BE(6)], [2, 23, 25]);
    client.end();
  });

  it('encodes binary results byte for byte like PostgreSQL 15, per-column formats', async () => {
    const { client } = await rawSession(server.port, startup());
    client.write([serialize.parse({ text: 'types' }), serialize.bind({ binary: true }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]);
    const frames = await client.untilReady();
    const rd = frames.find((f) => f.code === 'T')!;
    assert.equal(rd.body.readInt16BE(0), TYPED_VALUES.length);
    const row = dataRowValues(frames.find((f) => f.code === 'D')!.body);
    TYPED_VALUES.forEach((t, i) => assert.equal(row[i]!.toString('hex'), t.pgHex, `binary of ${t.text} (oid ${t.type.oid})`));
    client.end();
  });

  it('decodes binary parameters (round trip through echo)', async () => {
    const { client } = await rawSession(server.port, startup());
    const ps = TYPED_VALUES.map((_, i) => `$${i + 1}`).join(' ');
    client.write([
      serialize.parse({ text: `echo ${ps}`, types: TYPED_VALUES.map((t) => t.type.oid) }),
      serialize.bind({ values: TYPED_VALUES.map((t) => Buffer.from(t.pgHex, 'hex')), valueMapper: (v: unknown) => v, binary: true }),
      serialize.execute({}), serialize.sync(),
    ]);
    const frames = await client.untilReady();
    const row = dataRowValues(frames.find((f) => f.code === 'D')!.body);
    TYPED_VALUES.forEach((t, i) => assert.equal(row[i]!.toString('hex'), t.pgHex, `round trip of ${t.text}`));
    client.end();
  });

  it('runs COPY FROM STDIN (CopyData…CopyDone, CopyFail) and COPY TO STDOUT', async () => {
    const { client } = await rawSession(server.port, startup());
    const backend = registry.backends.at(-1)!;
    client.write(serialize.query('copy in'));
    const g = await client.readFrame();
    assert.equal(g.code, 'G');
    assert.deepEqual([g.body.readInt8(0), g.body.readInt16BE(1)], [0, 2]);
    client.write([serialize.copyData(Buffer.from('1\ta\n2\t')), serialize.flush(), serialize.copyData(Buffer.from('b\n')), serialize.copyDone()]);
    assert.deepEqual(summarize(await client.untilReady()), ['C:COPY 2', 'Z:I']);
    assert.equal(Buffer.concat(backend.copied as Buffer[]).toString(), '1\ta\n2\tb\n');

    client.write(serialize.query('copy in'));
    assert.equal((await client.readFrame()).code, 'G');
    client.write([serialize.copyData(Buffer.from('x')), serialize.copyFail('client gave up')]);
    const frames = await client.untilReady();
    assert.deepEqual(summarize(frames), ['E:57014', 'Z:I']);
    assert.equal(errorFields(frames[0]!.body)['M'], 'COPY from stdin failed: client gave up');

    client.write(serialize.query('copy out'));
    const out = await client.untilReady();
    assert.deepEqual(summarize(out), ['H', 'd', 'd', 'c', 'C:COPY 2', 'Z:I']);
    assert.equal(Buffer.concat(out.filter((f) => f.code === 'd').map((f) => f.body)).toString(), '1\ta\n2\tb\n');
    client.end();
  });

  it('stops reading the socket while COPY is still parsing a CopyData (no unbounded buffering)', async () => {
    const { client } = await rawSession(server.port, startup());
    const backend = registry.backends.at(-1)!;
    client.write(serialize.query('copy held'));
    assert.equal((await client.readFrame()).code, 'G');
    const chunk = serialize.copyData(Buffer.alloc(64 << 10, 0x61));
    const total = 768;
    let sent = 0;
    /** write until the socket stays full for 300 ms (true) or everything went (false) */
    const sendUntilStalled = async (): Promise<boolean> => {
      while (sent < total) {
        sent++;
        if (client.socket.write(chunk)) continue;
        const drained = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), 300);
          client.socket.once('drain', () => { clearTimeout(t); resolve(true); });
        });
        if (!drained) return true;
      }
      return false;
    };
    // the first CopyData's parse waits: the server reads a few MB (its input buffer and the
    // kernel's) and no more, where it read all 48 MB into memory before
    assert.equal(await sendUntilStalled(), true, `all ${total} CopyData messages were taken while the first one was still being parsed`);
    assert.ok(sent < total / 2, `${sent} of ${total} CopyData messages taken while the first one was still being parsed`);
    // (the first piece of the first CopyData: its bytes as they arrived, not joined first)
    assert.ok(backend.acceptedBytes > 0 && backend.acceptedBytes <= 64 << 10, `${backend.acceptedBytes} bytes accepted while the first piece was parsed`);
    backend.releaseCopy!();
    while (await sendUntilStalled());
    client.write(serialize.copyDone());
    assert.deepEqual(summarize(await client.untilReady()), ['C:COPY ' + total * (64 << 10), 'Z:I']);
    client.end();
  });

  it('forwards a CancelRequest to the registry', async () => {
    const { client, frames } = await rawSession(server.port, startup());
    const key = frames.find((f) => f.code === 'K')!.body;
    client.write(serialize.query('sleep'));
    await new Promise((r) => setTimeout(r, 50));
    const canceller = await RawClient.connect(server.port);
    canceller.write(serialize.cancel(key.readInt32BE(0), key.readInt32BE(4)));
    assert.deepEqual(await canceller.untilClosed(), []);
    const result = await client.untilReady();
    assert.deepEqual(summarize(result), ['E:57014', 'Z:I']);
    client.end();
  });

  it('close() tells open sessions FATAL 57P01 and stops listening', async () => {
    const own = await startFakeServer();
    const { client } = await rawSession(own.server.port, startup());
    await own.server.close();
    const frames = await client.untilClosed();
    const e = errorFields(frames[0]!.body);
    assert.deepEqual([e['S'], e['C'], e['M']], ['FATAL', '57P01', 'terminating connection due to administrator command']);
    assert.equal(own.registry.backends[0]!.closed, true);
    await assert.rejects(RawClient.connect(own.server.port));
  });

  it('cancels the running statement and closes the backend when the client disappears', async () => {
    const { client } = await rawSession(server.port, startup());
    const backend = registry.backends.at(-1)!;
    client.write(serialize.query('sleep'));
    await new Promise((r) => setTimeout(r, 30));
    client.socket.destroy();
    for (let i = 0; i < 50 && !backend.closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(backend.cancelled, true);
    assert.equal(backend.closed, true);
  });
});
