/**
 * Text a client sends is checked as UTF-8 the way PostgreSQL's pg_verify_mbstr does: an
 * invalid sequence in a query string, a Parse or a text-format Bind parameter is refused
 * with 22021 naming the bytes (never stored with U+FFFD), and the session goes on; a query
 * too deep for the stack is 54001, not an internal error.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serialize } from 'pg-protocol';
import { RawClient, errorFields, summarize } from './wire-fake-backend.js';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

let server: QuiverServer;

before(async () => {
  server = await startQuiver();
});

after(async () => {
  await server?.stop();
});

/** a Query message carrying these raw bytes */
function rawQuery(bytes: Buffer): Buffer {
  const body = Buffer.concat([bytes, Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('Q', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

async function session(): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  c.write(serialize.startup({ user: 'postgres', database: TEST_DATABASE }));
  await c.untilReady();
  return c;
}

function errorOf(frames: { code: string; body: Buffer }[]): Record<string, string> {
  const e = frames.find((f) => f.code === 'E');
  assert.ok(e, `an ErrorResponse in ${summarize(frames as never).join(' ')}`);
  return errorFields(e.body);
}

test('a query string with invalid UTF-8 is 22021 with the bytes PostgreSQL names', async () => {
  const c = await session();
  try {
    const cases: [Buffer, string][] = [
      [Buffer.concat([Buffer.from("SELECT 'a"), Buffer.from([0xc3, 0x28]), Buffer.from("b'")]), '0xc3 0x28'],
      [Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xff]), Buffer.from("'")]), '0xff'],
      [Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from("'")]), '0xed 0xa0 0x80'], // a surrogate
      [Buffer.concat([Buffer.from("SELECT 'x"), Buffer.from([0xe2, 0x82])]), '0xe2 0x82'], // cut short at the end
    ];
    for (const [bytes, shown] of cases) {
      c.write(rawQuery(bytes));
      const frames = await c.untilReady();
      const e = errorOf(frames);
      assert.equal(e['C'], '22021');
      assert.equal(e['M'], `invalid byte sequence for encoding "UTF8": ${shown}`);
      assert.equal(summarize(frames).at(-1), 'Z:I');
    }
    c.write(rawQuery(Buffer.from("SELECT 'ünïcödé ✓' AS ok")));
    assert.ok(summarize(await c.untilReady()).includes('C:SELECT 1'));
  } finally {
    c.end();
  }
});

test('a text-format Bind parameter with invalid UTF-8 is 22021; nothing is stored', async () => {
  const c = await session();
  try {
    c.write(rawQuery(Buffer.from('CREATE TABLE utf (t text)')));
    await c.untilReady();
    c.write([
      serialize.parse({ text: 'INSERT INTO utf VALUES ($1)', types: [25] }),
      serialize.bind({ values: [Buffer.from([0x61, 0xc3, 0x28])], valueMapper: undefined, binary: false } as never),
      serialize.execute({}),
      serialize.sync(),
    ]);
    const e = errorOf(await c.untilReady());
    assert.equal(e['C'], '22021');
    assert.match(e['M'], /^invalid byte sequence for encoding "UTF8": 0xc3 0x28/);
    c.write(rawQuery(Buffer.from('SELECT count(*) FROM utf')));
    assert.ok(summarize(await c.untilReady()).includes('D:0'));
  } finally {
    c.end();
  }
});

test('a 100k-term expression is 54001 stack depth limit exceeded, and the session goes on', async () => {
  const c = await session();
  try {
    c.write(rawQuery(Buffer.from(`SELECT ${Array(100000).fill('1').join('+')}`)));
    const frames = await c.untilReady();
    const e = errorOf(frames);
    assert.equal(e['C'], '54001');
    assert.equal(e['M'], 'stack depth limit exceeded');
    assert.match(e['H'], /^Increase the configuration parameter "max_stack_depth"/);
    c.write(rawQuery(Buffer.from('SELECT 1')));
    assert.ok(summarize(await c.untilReady()).includes('C:SELECT 1'));
  } finally {
    c.end();
  }
});
