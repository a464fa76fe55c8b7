/**
 * The built-in range types through the wire and across a crash: node-postgres sees
 * PostgreSQL 15's RowDescription OIDs and sends ranges as binary parameters (range_recv
 * canonicalizes them), COPY … (FORMAT binary) writes range_send's bytes (node-postgres
 * decodes binary result fields as UTF-8, so the raw client reads them) and reads them back, and range columns — in sealed segments too, with a PRIMARY KEY on a
 * range — survive kill -9. The expected bytes are PostgreSQL 15's range_send output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { RawClient, summarize } from './wire-fake-backend.js';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { RowDecoder, RowEncoder } from '../src/executor/spill/row-codec.js';
import { hashKey } from '../src/types/compare.js';
import { OID, type Value } from '../src/types/types.js';

async function withClient<T>(server: QuiverServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE, connectionTimeoutMillis: 10000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** every field as its raw bytes (binary results) */

/** PostgreSQL 15: SELECT range_send(…) of the values below */
const SENT: readonly [literal: string, type: string, oid: number, bytes: string][] = [
  ['[1,5)', 'int4range', 3904, '0200000004000000010000000400000005'],
  ['empty', 'int4range', 3904, '01'],
  ['(,)', 'numrange', 3906, '18'],
  ['[1.5,)', 'numrange', 3906, '120000000c000200000000000100011388'],
  ['[2020-01-01,2020-01-03)', 'daterange', 3912, '020000000400001c890000000400001c8b'],
  ['["2020-01-01 00:00:00+00",)', 'tstzrange', 3910, '120000000800023e0786c26000'],
  ['(,11)', 'int8range', 3926, '0800000008000000000000000b'],
];

test('ranges spill to temp files and back, and equal ranges share a hash key', () => {
  const row: Value[] = [
    { flags: 0x02, lower: 1, upper: 5 }, { flags: 0x01, lower: null, upper: null }, { flags: 0x18, lower: null, upper: null },
    { flags: 0x12, lower: 10n, upper: null }, { flags: 0x06, lower: '1.5', upper: '2.50' }, [{ flags: 0x02, lower: 3, upper: 4 }, null],
  ];
  const enc = new RowEncoder();
  enc.write(row);
  assert.deepEqual(RowDecoder.decodeAt(enc.take(), 0), row);
  // numrange [1.0,2] = [1.00,2.0]: range_eq compares the bounds as numerics
  const numrange = { oid: OID.numrange, typmod: -1 };
  assert.equal(hashKey(numrange, { flags: 0x06, lower: '1.0', upper: '2' }), hashKey(numrange, { flags: 0x06, lower: '1.00', upper: '2.0' }));
  assert.notEqual(hashKey(numrange, { flags: 0x06, lower: '1.0', upper: '2' }), hashKey(numrange, { flags: 0x02, lower: '1.0', upper: '2' }));
});

test('node-postgres: range OIDs, text and binary results, binary parameters', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      const text = await c.query("SELECT '[1,5]'::int4range AS a, '[1,5]'::int8range AS b, '[1.5,2]'::numrange AS n, '[2020-01-01,2020-01-02]'::daterange AS d, "
        + "tsrange('2020-01-01', NULL) AS ts, tstzrange(NULL, '2020-01-01 00:00+00') AS tz, ARRAY['[1,2)'::int4range, 'empty'] AS arr");
      assert.deepEqual(text.fields.map((f) => f.dataTypeID), [3904, 3926, 3906, 3912, 3908, 3910, 3905]);
      assert.deepEqual(text.rows[0], {
        a: '[1,6)', b: '[1,6)', n: '[1.5,2]', d: '[2020-01-01,2020-01-03)', ts: '["2020-01-01 00:00:00",)', tz: '(,"2020-01-01 00:00:00+00")', arr: '{"[1,2)",empty}',
      });

      for (const [literal, type, oid, bytes] of SENT) {
        // RowDescription of a parameter's result; the binary bytes are checked through COPY below
        const described = await c.query({ text: `SELECT $1::${type} AS r`, values: [literal] });
        assert.deepEqual(described.fields.map((f) => f.dataTypeID), [oid], literal);
        // range_send's bytes as a binary parameter come back as the literal
        const back = await c.query({ text: `SELECT $1::${type}::text AS r`, values: [Buffer.from(bytes, 'hex')] });
        assert.equal(back.rows[0].r, literal, literal);
      }
      // range_recv canonicalizes ('[1,5]' sent with an inclusive upper bound) and checks the bounds
      const inclusive = Buffer.from('0600000004000000010000000400000005', 'hex');
      assert.equal((await c.query({ text: 'SELECT $1::int4range::text AS r', values: [inclusive] })).rows[0].r, '[1,6)');
      const reversed = Buffer.from('0200000004000000050000000400000001', 'hex');
      await assert.rejects(c.query({ text: 'SELECT $1::int4range AS r', values: [reversed] }),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22000' && e.message === 'range lower bound must be less than or equal to range upper bound');
      // a malformed literal: 22P02 with PostgreSQL's DETAIL
      await assert.rejects(c.query({ text: 'SELECT $1::int4range AS r', values: ['[1,2'] }),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22P02' && e.message === 'malformed range literal: "[1,2"' && e.detail === 'Unexpected end of input.');
    });
  } finally {
    await server.stop();
  }
});

/** the fields of a binary COPY's rows (after the 19-byte header; -1 ends the data) */
function binaryCopyFields(data: Buffer): Buffer[][] {
  const rows: Buffer[][] = [];
  let at = 19;
  for (;;) {
    const n = data.readInt16BE(at);
    at += 2;
    if (n === -1) return rows;
    const row: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const len = data.readInt32BE(at);
      at += 4;
      row.push(data.subarray(at, at + len));
      at += len;
    }
    rows.push(row);
  }
}

test('COPY (FORMAT binary) writes range_send bytes and reads them back', async () => {
  const server = await startQuiver();
  const c = await RawClient.connect(server.port);
  try {
    c.write(serialize.startup({ user: 'postgres', database: TEST_DATABASE }));
    await c.untilReady();
    const values = SENT.map(([literal, type]) => `'${literal}'::${type}`).join(', ');
    c.write(serialize.query(`COPY (SELECT ${values}, ARRAY['[1,2)'::int4range, 'empty']) TO STDOUT (FORMAT binary)`));
    const frames = await c.untilReady();
    const data = Buffer.concat(frames.filter((f) => f.code === 'd').map((f) => f.body));
    const [row] = binaryCopyFields(data);
    assert.deepEqual(row!.map((f) => f.toString('hex')), [
      ...SENT.map(([, , , bytes]) => bytes),
      // array_send of int4range[]: one dimension, element OID 3904, each element range_send's bytes
      '000000010000000000000f4000000002000000010000001102000000040000000100000004000000020000000101',
    ]);

    c.write(serialize.query(`CREATE TABLE copy_ranges (a int4range, b int4range, n numrange, n2 numrange, d daterange, tz tstzrange, e int8range, arr int4range[])`));
    await c.untilReady();
    c.write(serialize.query('COPY copy_ranges FROM STDIN (FORMAT binary)'));
    for (;;) if ((await c.readFrame()).code === 'G') break;
    c.write([serialize.copyData(data), serialize.copyDone()]);
    assert.deepEqual(summarize(await c.untilReady()), ['C:COPY 1', 'Z:I']);
    c.write(serialize.query('SELECT a::text || b::text || n::text || n2::text || d::text || tz::text || e::text || arr::text FROM copy_ranges'));
    const got = await c.untilReady();
    assert.deepEqual(summarize(got).slice(1), [`D:${SENT.map(([literal]) => literal).join('')}{"[1,2)",empty}`, 'C:SELECT 1', 'Z:I']);
    c.write(serialize.query('DROP TABLE copy_ranges'));
    await c.untilReady();
  } finally {
    c.end();
    await server.stop();
  }
});

test('range columns (a range PRIMARY KEY, sealed segments) survive kill -9', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-range-'));
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(16 * 1024) };
  try {
    let server = await startQuiver({ dataDir, env });
    try {
      await withClient(server, async (c) => {
        await c.query('CREATE TABLE dur_ranges (r int4range PRIMARY KEY, d daterange, n numrange, tz tstzrange, many int8range[])');
        await c.query("INSERT INTO dur_ranges SELECT int4range(i, i + 1), daterange('2020-01-01'::date + i, NULL), numrange(i / 10.0, NULL, '()'), "
          + "tstzrange('2020-01-01 00:00+00'::timestamptz + i * interval '1 hour', NULL), ARRAY[int8range(i, i * 2, '[]')] FROM generate_series(1, 3000) i");
        await c.query("INSERT INTO dur_ranges VALUES ('empty', 'empty', '(,)', NULL, '{}')");
      });
    } finally {
      await server.crash();
    }
    server = await startQuiver({ dataDir, env });
    try {
      await withClient(server, async (c) => {
        assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM dur_ranges')).rows, [{ n: 3001 }]);
        const rows = await c.query('SELECT r::text AS r, d::text AS d, n::text AS n, tz::text AS tz, many::text AS many FROM dur_ranges ORDER BY dur_ranges.r LIMIT 2');
        assert.deepEqual(rows.rows, [
          { r: 'empty', d: 'empty', n: '(,)', tz: null, many: '{}' },
          { r: '[1,2)', d: '[2020-01-02,)', n: '(0.10000000000000000000,)', tz: '["2020-01-01 01:00:00+00",)', many: '{"[1,3)"}' },
        ]);
        assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM dur_ranges WHERE r && '[10,20)' AND d @> '2020-01-15'::date")).rows, [{ n: 5 }]);
        await assert.rejects(c.query("INSERT INTO dur_ranges (r) VALUES ('[7,7]')"), (e: unknown) => e instanceof pg.DatabaseError && e.code === '23505');
        await c.query('DROP TABLE dur_ranges');
      });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
