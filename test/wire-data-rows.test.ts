/**
 * DataRows (wire/writer.ts): a result's DataRow frames written into one buffer must be the
 * bytes dataRow() makes frame by frame — text values of any UTF-8 length, NULLs, binary
 * values, rows past the first buffer — and a row whose value failed to encode is not sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataRows, dataRow } from '../src/wire/writer.js';

type Cell = string | Uint8Array | null;

function expected(rows: Cell[][]): Buffer {
  return Buffer.concat(rows.map((r) => dataRow(r.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)))));
}

function written(rows: Cell[][]): Buffer {
  const out = new DataRows();
  for (const r of rows) {
    out.beginRow(r.length);
    for (const c of r) {
      if (typeof c === 'string') out.text(c);
      else out.bytes(c);
    }
    out.endRow();
  }
  return out.take();
}

test('frames equal dataRow() for text, NULL, binary and multi-byte values', () => {
  const rows: Cell[][] = [
    ['1', null, new Uint8Array([0, 1, 2, 255])],
    ['', 'é', '日本語', '😀 x'],
    [],
    [null],
    ['\ud800 lone surrogate'],
  ];
  assert.deepEqual(written(rows), expected(rows));
});

test('many rows grow the buffer and stay byte-identical', () => {
  const rows: Cell[][] = Array.from({ length: 3000 }, (_, i) => [String(i * 7919), i % 5 === 0 ? null : 'x'.repeat(i % 97), new Uint8Array(i % 13).fill(i & 255)]);
  const w = written(rows);
  assert.equal(w.length, expected(rows).length);
  assert.deepEqual(w, expected(rows));
});

test('take() hands on finished rows only; writing goes on in a new buffer', () => {
  const out = new DataRows();
  out.beginRow(1);
  out.text('42');
  out.endRow();
  assert.equal(out.size, 13); // 'D', length, column count, value length, '42'
  // a row abandoned midway (its value failed to encode) is not in the frames
  out.beginRow(2);
  out.text('half');
  const first = out.take();
  assert.deepEqual(first, dataRow([Buffer.from('42')]));
  assert.equal(out.size, 0);
  out.beginRow(1);
  out.bytes(null);
  out.endRow();
  assert.deepEqual(out.take(), dataRow([null]));
  // the first buffer was not written over
  assert.deepEqual(first, dataRow([Buffer.from('42')]));
});
