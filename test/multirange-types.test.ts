/**
 * The built-in multirange types through the wire and across a crash: node-postgres sees
 * PostgreSQL 15's RowDescription OIDs and sends multiranges as binary parameters
 * (multirange_recv sorts and merges them), COPY … (FORMAT binary) writes multirange_send's
 * bytes and reads them back, and multirange columns — in sealed segments too, with a UNIQUE
 * index on one — survive kill -9. The expected bytes are PostgreSQL 15's multirange_send output.
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

/** PostgreSQL 15: SELECT multirange_send(…) of the values below */
const SENT: readonly [literal: string, type: string, oid: number, bytes: string][] = [
  ['{[1,5),[7,9)}', 'int4multirange', 4451, '00000002000000110200000004000000010000000400000005000000110200000004000000070000000400000009'],
  ['{}', 'int4multirange', 4451, '00000000'],
  ['{(,1.5],[3,)}', 'nummultirange', 4532, '00000002000000110c0000000c0002000000000001000113880000000f120000000a00010000000000000003'],
  ['{[2020-01-01,2020-01-03)}', 'datemultirange', 4535, '0000000100000011020000000400001c890000000400001c8b'],
];

test('multiranges spill to temp files and back, and equal multiranges share a hash key', () => {
  const row: Value[] = [
    { ranges: [{ flags: 0x02, lower: 1, upper: 5 }, { flags: 0x12, lower: 7, upper: null }] }, { ranges: [] },
    [{ ranges: [{ flags: 0x06, lower: '1.5', upper: '2.50' }] }, null],
  ];
  const enc = new RowEncoder();
  enc.write(row);
  assert.deepEqual(RowDecoder.decodeAt(enc.take(), 0), row);
  // {[1.0,2]} = {[1.00,2.0]}: multirange_eq compares the bounds as numerics
  const nummultirange = { oid: OID.nummultirange, typmod: -1 };
  const m = (lower: string, upper: string, flags = 0x06): Value => ({ ranges: [{ flags, lower, upper }] });
  assert.equal(hashKey(nummultirange, m('1.0', '2')), hashKey(nummultirange, m('1.00', '2.0')));
  assert.notEqual(hashKey(nummultirange, m('1.0', '2')), hashKey(nummultirange, m('1.0', '2', 0x02)));
});

test('node-postgres: multirange OIDs, text results, binary parameters', async () => {
  const server = await startQuiver();
  try {
    await withClient(server, async (c) => {
      const text = await c.query("SELECT '{[3,4], [1,2]}'::int4multirange AS a, int8multirange() AS b, '{[1.5,2], (2,3)}'::nummultirange AS n, "
        + "datemultirange(daterange('2020-01-01', '2020-01-02', '[]')) AS d, '{[2020-01-01,)}'::tsmultirange AS ts, tstzmultirange(tstzrange(NULL, '2020-01-01 00:00+00')) AS tz, "
        + "ARRAY['{[1,2)}'::int4multirange, '{}'] AS arr, range_agg(int4range(1, 2)) AS agg");
      assert.deepEqual(text.fields.map((f) => f.dataTypeID), [4451, 4536, 4532, 4535, 4533, 4534, 6150, 4451]);
      assert.deepEqual(text.rows[0], {
        a: '{[1,5)}', b: '{}', n: '{[1.5,3)}', d: '{[2020-01-01,2020-01-03)}', ts: '{["2020-01-01 00:00:00",)}',
        tz: '{(,"2020-01-01 00:00:00+00")}', arr: '{"{[1,2)}","{}"}', agg: '{[1,2)}',
      });

      for (const [literal, type, oid, bytes] of SENT) {
        const described = await c.query({ text: `SELECT $1::${type} AS r`, values: [literal] });
        assert.deepEqual(described.fields.map((f) => f.dataTypeID), [oid], literal);
        // multirange_send's bytes as a binary parameter come back as the literal
        const back = await c.query({ text: `SELECT $1::${type}::text AS r`, values: [Buffer.from(bytes, 'hex')] });
        assert.equal(back.rows[0].r, literal, literal);
      }
      // multirange_recv sorts and merges: [7,9) then [1,8) sent
      const int4 = (n: number): string => n.toString(16).padStart(8, '0');
      // range_send of [lower,upper): flags 0x02, each bound with its length
      const range = (lower: number, upper: number): string => `${int4(17)}02${int4(4)}${int4(lower)}${int4(4)}${int4(upper)}`;
      const unsorted = Buffer.from(`00000002${range(7, 9)}${range(1, 8)}`, 'hex');
      assert.equal((await c.query({ text: 'SELECT $1::int4multirange::text AS r', values: [unsorted] })).rows[0].r, '{[1,9)}');
      // a range inside with its bounds reversed: range_recv's 22000
      const reversed = Buffer.from('00000001000000110200000004000000050000000400000001', 'hex');
      await assert.rejects(c.query({ text: 'SELECT $1::int4multirange AS r', values: [reversed] }),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22000' && e.message === 'range lower bound must be less than or equal to range upper bound');
      // a malformed literal: 22P02 with PostgreSQL's DETAIL
      await assert.rejects(c.query({ text: 'SELECT $1::int4multirange AS r', values: ['{[1,2)'] }),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22P02' && e.message === 'malformed multirange literal: "{[1,2)"' && e.detail === 'Unexpected end of input.');
      await assert.rejects(c.query({ text: 'SELECT $1::int4multirange AS r', values: ['[1,2)'] }),
        (e: unknown) => e instanceof pg.DatabaseError && e.code === '22P02' && e.detail === 'Missing left brace.');
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

test('COPY (FORMAT binary) writes multirange_send bytes and reads them back', async () => {
  const server = await startQuiver();
  const c = await RawClient.connect(server.port);
  try {
    c.write(serialize.startup({ user: 'postgres', database: TEST_DATABASE }));
    await c.untilReady();
    const values = SENT.map(([literal, type]) => `'${literal}'::${type}`).join(', ');
    c.write(serialize.query(`COPY (SELECT ${values}) TO STDOUT (FORMAT binary)`));
    const frames = await c.untilReady();
    const data = Buffer.concat(frames.filter((f) => f.code === 'd').map((f) => f.body));
    const [row] = binaryCopyFields(data);
    assert.deepEqual(row!.map((f) => f.toString('hex')), SENT.map(([, , , bytes]) => bytes));

    c.write(serialize.query('CREATE TABLE copy_multiranges (a int4multirange, b int4multirange, n nummultirange, d datemultirange)'));
    await c.untilReady();
    c.write(serialize.query('COPY copy_multiranges FROM STDIN (FORMAT binary)'));
    for (;;) if ((await c.readFrame()).code === 'G') break;
    c.write([serialize.copyData(data), serialize.copyDone()]);
    assert.deepEqual(summarize(await c.untilReady()), ['C:COPY 1', 'Z:I']);
    c.write(serialize.query('SELECT a::text || b::text || n::text || d::text FROM copy_multiranges'));
    assert.deepEqual(summarize(await c.untilReady()).slice(1), [`D:${SENT.map(([literal]) => literal).join('')}`, 'C:SELECT 1', 'Z:I']);
    c.write(serialize.query('DROP TABLE copy_multiranges'));
    await c.untilReady();
  } finally {
    c.end();
    await server.stop();
  }
});

test('multirange columns (a UNIQUE multirange, sealed segments) survive kill -9', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-multirange-'));
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(16 * 1024) };
  try {
    let server = await startQuiver({ dataDir, env });
    try {
      await withClient(server, async (c) => {
        await c.query('CREATE TABLE dur_mr (id int PRIMARY KEY, m int4multirange UNIQUE, d datemultirange, n nummultirange, many int8multirange[])');
        await c.query("INSERT INTO dur_mr SELECT i, int4multirange(int4range(i * 10, i * 10 + 2), int4range(i * 10 + 5, i * 10 + 7)), "
          + "datemultirange(daterange('2020-01-01'::date + i, '2020-01-01'::date + i + 3)), nummultirange(numrange(i / 10.0, NULL, '()')), "
          + "ARRAY[int8multirange(int8range(i, i * 2, '[]'))] FROM generate_series(1, 3000) i");
        await c.query("INSERT INTO dur_mr VALUES (0, '{}', '{}', '{(,)}', '{}')");
      });
    } finally {
      await server.crash();
    }
    server = await startQuiver({ dataDir, env });
    try {
      await withClient(server, async (c) => {
        assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM dur_mr')).rows, [{ n: 3001 }]);
        const rows = await c.query('SELECT m::text AS m, d::text AS d, n::text AS n, many::text AS many FROM dur_mr ORDER BY dur_mr.m LIMIT 2');
        assert.deepEqual(rows.rows, [
          { m: '{}', d: '{}', n: '{(,)}', many: '{}' },
          { m: '{[10,12),[15,17)}', d: '{[2020-01-02,2020-01-05)}', n: '{(0.10000000000000000000,)}', many: '{"{[1,3)}"}' },
        ]);
        assert.deepEqual((await c.query('SELECT count(*)::int AS n FROM dur_mr WHERE m @> 1001')).rows, [{ n: 1 }]);
        assert.deepEqual((await c.query("SELECT count(*)::int AS n FROM dur_mr WHERE d && daterange('2020-02-01', '2020-02-03')")).rows, [{ n: 4 }]);
        assert.deepEqual((await c.query("SELECT range_agg(d)::text AS r FROM dur_mr WHERE id BETWEEN 1 AND 10")).rows, [{ r: '{[2020-01-02,2020-01-14)}' }]);
        await assert.rejects(c.query("INSERT INTO dur_mr (id, m) VALUES (-1, '{[10,11], [15,17)}')"), (e: unknown) => e instanceof pg.DatabaseError && e.code === '23505');
        await c.query('DROP TABLE dur_mr');
      });
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
