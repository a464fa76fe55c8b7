/**
 * COPY FROM STDIN (FORMAT binary) is parsed as the CopyData payloads arrive
 * (src/engine/copy.ts BinaryCopyStream, fields decoded in place by types/binary-format.ts
 * fieldDecoder): a row split anywhere between payloads parses as if it came whole, and the
 * errors (SQLSTATE, message, line and column) are those of the generator-based parser this
 * one replaced (3,000 random streams, split at random, compared), except that a field length
 * below -1 is now PostgreSQL 15's 22P04 `invalid field size` (checked on the reference server),
 * and, as PostgreSQL 15 answers (checked there with psql's \copy): data ending at a row
 * boundary without the trailer is accepted, data after the trailer is 22P04, and data cut off
 * inside a field names the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableDef } from '../src/catalog/catalog.js';
import { BinaryCopyStream } from '../src/engine/copy.js';
import { SqlError } from '../src/errors.js';
import { OID, T, type Value } from '../src/types/types.js';

const table = {
  name: 't',
  columns: [
    { name: 'id', type: T.int8 }, { name: 'sel', type: T.int4 }, { name: 'v', type: { oid: OID.vector, typmod: 3 } },
    { name: 'note', type: T.text }, { name: 'f', type: T.float8 },
  ],
} as unknown as TableDef;
const target = { table, columns: [0, 1, 2, 3, 4] };

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 7, 7])]);
const TRAILER = Buffer.from([0xff, 0xff]);

function field(data: Buffer | null): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(data === null ? -1 : data.length);
  return data === null ? len : Buffer.concat([len, data]);
}
function int8(v: bigint): Buffer { const b = Buffer.alloc(8); b.writeBigInt64BE(v); return b; }
function int4(v: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; }
function float8(v: number): Buffer { const b = Buffer.alloc(8); b.writeDoubleBE(v); return b; }
function vector(values: number[], dim = values.length, unused = 0): Buffer {
  const b = Buffer.alloc(4 + 4 * values.length);
  b.writeInt16BE(dim, 0);
  b.writeInt16BE(unused, 2);
  values.forEach((x, i) => b.writeFloatBE(x, 4 + 4 * i));
  return b;
}
function row(fields: (Buffer | null)[]): Buffer {
  const count = Buffer.alloc(2);
  count.writeInt16BE(fields.length);
  return Buffer.concat([count, ...fields.map(field)]);
}

const ROWS = [
  row([int8(1n), int4(10), vector([1, 2.5, -3]), Buffer.from('one'), float8(0.5)]),
  row([null, int4(-7), null, Buffer.from(''), null]),
  row([int8(-(2n ** 63n)), null, vector([0, 1e-30, 3e38]), Buffer.from('é ✓'), float8(-1e300)]),
];
const EXPECTED: Value[][] = [
  [1n, 10, new Float32Array([1, 2.5, -3]), 'one', 0.5],
  [null, -7, null, '', null],
  [-(2n ** 63n), null, new Float32Array([0, 1e-30, 3e38]), 'é ✓', -1e300],
];

function parse(chunks: Buffer[]): Value[][] {
  const s = new BinaryCopyStream(target);
  for (const c of chunks) s.push(c);
  return s.end();
}

function parseError(chunks: Buffer[]): { code: string; message: string; where?: string } {
  try {
    parse(chunks);
  } catch (e) {
    assert.ok(e instanceof SqlError, String(e));
    return { code: e.code, message: e.message, where: e.fields.where };
  }
  assert.fail('expected an error');
}

test('binary rows with NULLs, a header extension and the trailer parse to the values', () => {
  assert.deepEqual(parse([Buffer.concat([HEADER, ...ROWS, TRAILER])]), EXPECTED);
});

test('a binary COPY split at every byte between two payloads (and byte by byte) parses the same', () => {
  const all = Buffer.concat([HEADER, ...ROWS, TRAILER]);
  for (let cut = 0; cut <= all.length; cut++) {
    assert.deepEqual(parse([all.subarray(0, cut), all.subarray(cut)]), EXPECTED, `cut at ${cut}`);
  }
  assert.deepEqual(parse([...all].map((b) => Buffer.from([b]))), EXPECTED);
});

test('a decoded vector does not alias the payload', () => {
  const payload = Buffer.concat([HEADER, ...ROWS, TRAILER]);
  const rows = parse([payload]);
  payload.fill(0);
  assert.deepEqual(rows, EXPECTED);
});

test('without a trailer the data ends at a row boundary, as in PostgreSQL (even with 1 stray byte); bytes after the trailer are refused', () => {
  assert.deepEqual(parse([HEADER, ...ROWS]), EXPECTED);
  assert.deepEqual(parse([Buffer.concat([HEADER, ...ROWS])].flatMap((b) => [...b].map((x) => Buffer.from([x])))), EXPECTED);
  assert.deepEqual(parse([HEADER, ...ROWS, Buffer.from([0])]), EXPECTED);
  assert.deepEqual(parse([HEADER]), []);
  const after = { code: '22P04', message: 'received copy data after EOF marker', where: `COPY t, line ${ROWS.length + 1}` };
  assert.deepEqual(parseError([Buffer.concat([HEADER, ...ROWS, TRAILER, Buffer.from('junk')])]), after);
  assert.deepEqual(parseError([HEADER, ...ROWS, TRAILER, Buffer.from([0])]), after);
});

test('binary COPY errors: SQLSTATE, message, line and column as in PostgreSQL', () => {
  const good = ROWS[0];
  const cases: [Buffer[], string, string, string | undefined][] = [
    [[Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')], '22P04', 'COPY file signature not recognized', 'COPY t, line 1'],
    [[Buffer.from('NOTCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1')], '22P04', 'COPY file signature not recognized', undefined],
    [[HEADER, good, row([int8(2n), int4(1), null, null])], '22P04', 'row field count is 4, expected 5', 'COPY t, line 2'],
    // cut off inside a field: PostgreSQL names it
    [[HEADER, good, good.subarray(0, 20)], '22P04', 'unexpected EOF in COPY data', 'COPY t, line 2, column sel'],
    [[HEADER, good, good.subarray(0, 3)], '22P04', 'unexpected EOF in COPY data', 'COPY t, line 2, column id'],
    [[HEADER, row([int8(1n), Buffer.alloc(6), null, null, null]), TRAILER], '22P03', 'incorrect binary data format', 'COPY t, line 1, column sel'],
    [[HEADER, row([int8(1n).subarray(0, 5), int4(1), null, null, null]), TRAILER], '08P01', 'insufficient data left in message', 'COPY t, line 1, column id'],
    [[HEADER, good, row([int8(1n), int4(1), vector([1, 2, 3, 4]), null, null]), TRAILER], '22000', 'expected 3 dimensions, not 4', 'COPY t, line 2, column v'],
    [[HEADER, row([int8(1n), int4(1), vector([1, NaN, 3]), null, null]), TRAILER], '22000', 'NaN not allowed in vector', 'COPY t, line 1, column v'],
    [[HEADER, row([int8(1n), int4(1), vector([1, Infinity, 3]), null, null]), TRAILER], '22000', 'infinite value not allowed in vector', 'COPY t, line 1, column v'],
    [[HEADER, row([int8(1n), int4(1), vector([-Infinity, 2, 3]), null, null]), TRAILER], '22000', 'infinite value not allowed in vector', 'COPY t, line 1, column v'],
    // a NaN with payload bits and the sign set (0xffc00001): its exponent decides, not its value
    [[HEADER, row([int8(1n), int4(1), Buffer.from([0, 3, 0, 0, 0x3f, 0x80, 0, 0, 0xff, 0xc0, 0, 1, 0, 0, 0, 0]), null, null]), TRAILER], '22000', 'NaN not allowed in vector', 'COPY t, line 1, column v'],
    [[HEADER, row([int8(1n), int4(1), vector([1, 2, 3], 3, 1), null, null]), TRAILER], '22000', 'expected unused to be 0, not 1', 'COPY t, line 1, column v'],
    [[HEADER, row([int8(1n), int4(1), vector([1, 2, 3, 4], 3), null, null]), TRAILER], '22P03', 'incorrect binary data format', 'COPY t, line 1, column v'],
    [[HEADER, row([int8(1n), int4(1), vector([], 0), null, null]), TRAILER], '22000', 'vector must have at least 1 dimension', 'COPY t, line 1, column v'],
  ];
  for (const [chunks, code, message, where] of cases) {
    assert.deepEqual(parseError(chunks), { code, message, where }, message);
    // the same error whatever the payload boundaries
    const all = Buffer.concat(chunks);
    assert.deepEqual(parseError([...all].map((b) => Buffer.from([b]))), { code, message, where }, `${message} (byte by byte)`);
  }
  // a negative field length other than -1 (PostgreSQL: 22P04 invalid field size)
  const bad = Buffer.concat([row([int8(1n)]).subarray(0, 2), int4(8), int8(1n), int4(-5)]);
  bad.writeInt16BE(5, 0);
  assert.deepEqual(parseError([HEADER, bad]), { code: '22P04', message: 'invalid field size', where: 'COPY t, line 1, column sel' });
});

test('vector elements: every finite bit pattern passes whole, the first non-finite one is refused, also in a bulk load\'s column blocks', () => {
  // the largest finite floats, the smallest subnormal, ±0: decoded bit for bit
  const edge = [3.4028234663852886e38, -3.4028234663852886e38, 1e-45];
  assert.deepEqual(parse([HEADER, row([int8(1n), int4(1), vector(edge), null, null]), TRAILER])[0]![2], new Float32Array(edge));
  const negZero = parse([HEADER, row([int8(1n), int4(1), vector([-0, 0, 1]), null, null]), TRAILER])[0]![2] as Float32Array;
  assert.ok(Object.is(negZero[0], -0) && Object.is(negZero[1], 0));
  // 9,000 rows: past BULK_ROWS the vectors go into column blocks (another decoder's memory)
  const good = row([int8(1n), int4(1), vector([1, 2, 3]), null, null]);
  const many = Array.from({ length: 9000 }, () => good);
  assert.equal(parse([HEADER, ...many, TRAILER]).length, 9000);
  assert.deepEqual(parseError([HEADER, ...many, row([int8(2n), int4(1), vector([1, 2, -Infinity]), null, null]), TRAILER]),
    { code: '22000', message: 'infinite value not allowed in vector', where: 'COPY t, line 9001, column v' });
});
