/**
 * A COPY stream parsed in slices (push/resume stopping whenever `due` says so, as the COPY
 * statement does between turns of the event loop) gives the same rows, the same row texts
 * for error context, and the same first error (SQLSTATE, message, context line) as the
 * same stream parsed whole, whatever the payload boundaries: text, CSV and binary, with
 * good input and with bad values, bad UTF-8, missing and extra columns, the end marker,
 * a bad field count and a truncated binary stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TableDef } from '../src/catalog/catalog.js';
import { BinaryCopyStream, CsvCopyStream, TextCopyStream, type CopyOptions } from '../src/engine/copy.js';
import { SqlError } from '../src/errors.js';
import { OID, T } from '../src/types/types.js';

const table = { name: 't', columns: [{ name: 'id', type: T.int4 }, { name: 'label', type: T.text }, { name: 'v', type: { oid: OID.vector, typmod: 3 } }] } as unknown as TableDef;
const target = { table, columns: [0, 1, 2] };
const text: CopyOptions = { format: 'text', delimiter: '\t', null: '\\N', header: false, quote: '"', escape: '"', forceNotNull: [] };
const csv: CopyOptions = { format: 'csv', delimiter: ',', null: '', header: true, quote: '"', escape: '"', forceNotNull: [] };

type Stream = { push(chunk: Buffer, due?: () => boolean): boolean; resume(due?: () => boolean): boolean; end(): unknown[] & { lines?: string[] } };

/** rows and row texts, or the error's code, message and context */
function outcome(make: () => Stream, chunks: readonly Buffer[], sliced: boolean): unknown {
  const s = make();
  let checks = 0;
  // stop at every look at the clock
  const due = () => ++checks > 0;
  try {
    for (const c of chunks) {
      if (!sliced) {
        assert.equal(s.push(c), false);
        continue;
      }
      for (let more = s.push(c, due); more; more = s.resume(due));
    }
    const rows = s.end();
    return { rows: [...rows], lines: rows.lines };
  } catch (e) {
    if (!(e instanceof SqlError)) throw e;
    return { code: e.code, message: e.message, where: e.fields.where };
  }
}

/** payloads of `size` bytes (the last shorter) */
function split(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, Math.min(data.length, at + size)));
  return out;
}

function compare(name: string, make: () => Stream, data: Buffer, expectError: boolean): void {
  const whole = outcome(make, [data], false);
  assert.equal('code' in (whole as object), expectError, `${name}: ${JSON.stringify(whole)}`);
  for (const size of [1, 7, 333, 4096, data.length]) {
    assert.deepEqual(outcome(make, split(data, size), true), whole, `${name}, sliced, payloads of ${size} bytes`);
    assert.deepEqual(outcome(make, split(data, size), false), whole, `${name}, whole, payloads of ${size} bytes`);
  }
}

const vec = (i: number) => `[${i},${i / 2},-${i}]`;
const textRows = (n: number, bad?: (i: number) => string | undefined) =>
  Array.from({ length: n }, (_, i) => bad?.(i) ?? `${i}\tlabel ${i}\\twith tab\t${vec(i)}`).join('\n') + '\n';

test('text COPY parsed in slices = parsed whole', () => {
  const make = () => new TextCopyStream(target, text);
  compare('good', make, Buffer.from(textRows(500)), false);
  compare('crlf and no final newline', make, Buffer.from(textRows(300).replace(/\n/g, '\r\n').slice(0, -2)), false);
  compare('end marker', make, Buffer.from(textRows(200) + '\\.\nignored\tjunk\n'), false);
  compare('bad vector at row 377', make, Buffer.from(textRows(500, (i) => (i === 376 ? `376\tx\t[1,2]` : undefined))), true);
  compare('missing column at row 250', make, Buffer.from(textRows(500, (i) => (i === 249 ? `249\tx` : undefined))), true);
  compare('extra column at row 2', make, Buffer.from(textRows(500, (i) => (i === 1 ? `1\tx\t${vec(1)}\textra` : undefined))), true);
  const badUtf8 = Buffer.from(textRows(400));
  badUtf8[Math.floor(badUtf8.length * 0.7)] = 0xff;
  compare('bad UTF-8 at 70 %', make, badUtf8, true);
});

test('CSV COPY parsed in slices = parsed whole', () => {
  const make = () => new CsvCopyStream(target, csv);
  const rows = (n: number, bad?: (i: number) => string | undefined) =>
    'id,label,v\n' + Array.from({ length: n }, (_, i) => bad?.(i) ?? `${i},"label ${i}, ""quoted""\nsecond line","${vec(i)}"`).join('\r\n') + '\n';
  compare('good', make, Buffer.from(rows(500)), false);
  compare('end marker', make, Buffer.from(rows(200) + '\\.\nignored\n'), false);
  compare('bad vector at row 377', make, Buffer.from(rows(500, (i) => (i === 376 ? `376,x,"[1,2]"` : undefined))), true);
  compare('missing column at row 250', make, Buffer.from(rows(500, (i) => (i === 249 ? '249,x' : undefined))), true);
  compare('unterminated quote', make, Buffer.from(rows(300) + '7,"open'), true);
  const badUtf8 = Buffer.from(rows(400));
  badUtf8[Math.floor(badUtf8.length * 0.6)] = 0xfe;
  compare('bad UTF-8 at 60 %', make, badUtf8, true);
});

test('binary COPY parsed in slices = parsed whole', () => {
  const make = () => new BinaryCopyStream(target);
  const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3])]);
  const field = (data: Buffer | null) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(data === null ? -1 : data.length);
    return data === null ? len : Buffer.concat([len, data]);
  };
  const row = (i: number, count = 3, dim = 3) => {
    const c = Buffer.alloc(2);
    c.writeInt16BE(count);
    const id = Buffer.alloc(4);
    id.writeInt32BE(i);
    const v = Buffer.alloc(4 + 4 * dim);
    v.writeInt16BE(dim, 0);
    for (let d = 0; d < dim; d++) v.writeFloatBE(i + d / 4, 4 + 4 * d);
    return Buffer.concat([c, field(id), field(i % 5 === 0 ? null : Buffer.from(`label ${i}`)), field(v)].slice(0, count + 1));
  };
  const trailer = Buffer.from([0xff, 0xff]);
  const rows = (n: number, bad?: (i: number) => Buffer | undefined) => Buffer.concat([header, ...Array.from({ length: n }, (_, i) => bad?.(i) ?? row(i)), trailer]);
  compare('good', make, rows(500), false);
  compare('wrong dimensions at row 301', make, rows(500, (i) => (i === 300 ? row(i, 3, 2) : undefined)), true);
  compare('field count at row 129', make, rows(500, (i) => (i === 128 ? row(i, 2) : undefined)), true);
  const whole = rows(400);
  compare('truncated', make, whole.subarray(0, Math.floor(whole.length * 0.8)), true);
  compare('bad signature', make, Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\x01'), whole.subarray(11)]), true);
});
