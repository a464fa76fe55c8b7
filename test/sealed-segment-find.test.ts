/**
 * SealedSegment.find(rowId) → the row's position, or -1: O(1) when the segment holds every
 * RowId of its span (a bulk load's or a quiet seal's segment), a binary search over the
 * record batches otherwise. Both paths against a linear scan, over segments of several record
 * batches, with gaps, at the span's ends and outside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arraySource, decodeSegment, encodeSegment } from '../src/storage/segment.js';
import type { StoredColumn } from '../src/storage/api.js';
import { OID } from '../src/types/types.js';

const COLUMNS: StoredColumn[] = [{ name: 'n', type: { oid: OID.int4, typmod: -1 } }];

async function segmentOf(rowIds: number[]) {
  const enc = await encodeSegment(COLUMNS, arraySource(rowIds, rowIds.map(() => 1), rowIds.map((id) => [id % 1000])), {});
  const bytes = new Uint8Array(enc.byteLength);
  let at = 0;
  for (const c of enc.chunks) { bytes.set(c, at); at += c.byteLength; }
  return decodeSegment(1, 'test.arrow', bytes, COLUMNS);
}

function checkAgainstScan(seg: Awaited<ReturnType<typeof segmentOf>>, rowIds: number[], probes: number[]): void {
  const where = new Map(rowIds.map((id, pos) => [id, pos]));
  for (const id of probes) assert.equal(seg.find(id), where.get(id) ?? -1, `find(${id})`);
}

test('find on a segment holding every RowId of its span (three record batches) is the offset', async () => {
  const first = 1_000;
  const rowIds = Array.from({ length: 140_000 }, (_, i) => first + i);
  const seg = await segmentOf(rowIds);
  assert.equal(seg.length, rowIds.length);
  const probes = [first - 1, first, first + 1, 65_535 + first, 65_536 + first, 131_072 + first, first + 139_999, first + 140_000, 0, -5];
  for (let i = 0; i < 2_000; i++) probes.push(first + ((i * 7919) % 140_000));
  checkAgainstScan(seg, rowIds, probes);
});

test('find on a segment with gaps in its RowIds searches, and misses the gaps', async () => {
  // every third RowId missing, and one long gap: the span is longer than the segment
  const rowIds: number[] = [];
  for (let id = 10; rowIds.length < 100_000; id++) if (id % 3 !== 0 && !(id > 50_000 && id < 60_000)) rowIds.push(id);
  const seg = await segmentOf(rowIds);
  const last = rowIds[rowIds.length - 1]!;
  const probes = [9, 10, 11, 12, 50_000, 50_001, 55_555, 59_999, 60_000, 60_001, last, last + 1];
  for (let i = 0; i < 3_000; i++) probes.push(10 + ((i * 104_729) % (last - 9)));
  checkAgainstScan(seg, rowIds, probes);
});

test('find on a segment of one row, and on one whose only gap is at its end', async () => {
  checkAgainstScan(await segmentOf([42]), [42], [41, 42, 43]);
  // as many rows as the span minus one: not "every RowId", so the search decides
  const rowIds = [...Array.from({ length: 999 }, (_, i) => i), 1_000];
  checkAgainstScan(await segmentOf(rowIds), rowIds, [0, 500, 998, 999, 1_000, 1_001]);
});
