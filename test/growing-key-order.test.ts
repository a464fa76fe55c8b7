/**
 * The growing segment's key order (storage/growing-key-order.ts): after each batch of
 * appended rows, and after the segment is cut before a seal, the positions are every row's
 * in key order (NULLs last, ties by position), as a sort of all of them gives, and a range
 * holds the rows its conditions bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { growingKeyOrder } from '../src/storage/growing-key-order.js';
import { GrowingSegment } from '../src/storage/segment.js';
import { compareValues } from '../src/types/compare.js';
import { T, type Row, type Value } from '../src/types/types.js';

const TYPES = [T.int4, T.text];
const COLUMNS = [2, 0];

function expectedOrder(seg: GrowingSegment): number[] {
  const key = (pos: number): Value[] => COLUMNS.map((c) => seg.data[pos][c]);
  return Array.from({ length: seg.length }, (_, i) => i).sort((a, b) => {
    const x = key(a), y = key(b);
    for (let k = 0; k < TYPES.length; k++) {
      const d = x[k] === null || y[k] === null ? Number(x[k] === null) - Number(y[k] === null) : compareValues(TYPES[k], x[k], y[k]);
      if (d !== 0) return d;
    }
    return a - b;
  });
}

test('rows appended between scans are merged into the key order; a cut drops the rows past it', () => {
  const seg = new GrowingSegment();
  let id = 0;
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const append = (n: number, ts: number) => {
    for (let i = 0; i < n; i++) {
      const row: Row = [rnd() < 0.05 ? null : 'b' + Math.floor(rnd() * 50), id, rnd() < 0.05 ? null : Math.floor(rnd() * 30)];
      seg.append(id++, row, ts);
    }
  };
  for (const [n, ts] of [[500, 1], [1, 2], [0, 2], [37, 3], [2000, 4], [3, 5]]) {
    append(n, ts);
    assert.deepEqual([...growingKeyOrder(seg, COLUMNS, TYPES).inKeyOrder()], expectedOrder(seg), `after ${seg.length} rows`);
  }
  // a range: c2 = 7 AND c0 >= 'b2' AND c0 < 'b3'
  const got = [...growingKeyOrder(seg, COLUMNS, TYPES).candidates([[{ op: '=', value: 7 }], [{ op: '>=', value: 'b2' }, { op: '<', value: 'b3' }]])];
  const want = expectedOrder(seg).filter((p) => seg.data[p][2] === 7 && seg.data[p][0] !== null && (seg.data[p][0] as string) >= 'b2' && (seg.data[p][0] as string) < 'b3');
  assert.deepEqual(got, want);
  assert.ok(want.length > 0);
  // cut before a seal: the rows committed after ts 3 go to a new segment, this one ends at 538
  const later = seg.cutAfter(3);
  assert.equal(seg.length, 538);
  assert.deepEqual([...growingKeyOrder(seg, COLUMNS, TYPES).inKeyOrder()], expectedOrder(seg));
  assert.deepEqual([...growingKeyOrder(later, COLUMNS, TYPES).inKeyOrder()], expectedOrder(later));
});
