/**
 * planner/pg-memory.ts against figures PostgreSQL 15.20 printed for the same rows (EXPLAIN
 * (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) at work_mem 4MB, hash_mem 8MB).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AllocSetModel, TupleShapes, addHashAggGroup, allocSetChunkSpace, chooseHashTableSize, generationChunkSpace,
  hashAggPeakBytes, hashTableInfo, hashTupleSpace, kilobytes, minimalTupleLength, sortSpaceUsed, type HashAggRun,
} from '../src/planner/pg-memory.js';
import { T, type Value } from '../src/types/types.js';

const WORK_MEM = 4 * 1024 * 1024;
const HASH_MEM = 2 * WORK_MEM;

function shapes(types: typeof T.int4[], rows: Value[][]): TupleShapes {
  const s = new TupleShapes(types);
  for (const r of rows) s.add(r);
  return s;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('MinimalTuple lengths: alignment, short varlena headers, the null bitmap', () => {
  assert.equal(minimalTupleLength([1, 2], [T.int4, T.int4]), 24);
  assert.equal(minimalTupleLength([1, 'x1'], [T.int4, T.text]), 23);
  // a text first: the int after it aligned to 4
  assert.equal(minimalTupleLength(['x100', 1], [T.text, T.int4]), 28);
  assert.equal(minimalTupleLength([1, 2n], [T.int4, T.int8]), 32);
  // a NULL among 9 columns: two bitmap bytes, the header 24
  assert.equal(minimalTupleLength([null, 1, 1, 1, 1, 1, 1, 1, 1], Array(9).fill(T.int4)), 24 + 32);
  // past 126 bytes a text has a 4-byte header, aligned
  assert.equal(minimalTupleLength([true, 'q'.repeat(130)], [T.bool, T.text]), 16 + 4 + 4 + 130);
});

test('chunks as aset.c and generation.c count them', () => {
  assert.equal(allocSetChunkSpace(24), 48);
  assert.equal(allocSetChunkSpace(33), 80);
  assert.equal(allocSetChunkSpace(24576), 24592);
  assert.equal(generationChunkSpace(24), 48);
  assert.equal(generationChunkSpace(53), 80);
});

test('sorts: quicksort of 1,000 (int, int) rows 71kB, a top-N heap of 5 25kB, one int column as datums 25kB', () => {
  const rows = range(1000).map((g) => [g, g % 10]);
  const all = shapes([T.int4, T.int4], rows);
  assert.equal(kilobytes(sortSpaceUsed({ method: 'quicksort', tuples: all, count: 1000, bounded: false }, WORK_MEM)), 71);
  const kept = shapes([T.int4, T.int4], rows.slice(0, 5));
  assert.equal(kilobytes(sortSpaceUsed({ method: 'top-N heapsort', tuples: kept, count: 11, bounded: true }, WORK_MEM)), 25);
  assert.equal(kilobytes(sortSpaceUsed({ method: 'quicksort', tuples: all, count: 1000, bounded: false }, WORK_MEM, [0])), 25);
});

test('hash joins: buckets and batches planned from the estimate, grown at run time', () => {
  assert.deepEqual(chooseHashTableSize(500, 8, HASH_MEM, true), { buckets: 1024, batches: 1 });
  assert.deepEqual(chooseHashTableSize(5000, 8, HASH_MEM, true), { buckets: 8192, batches: 1 });
  // 500 rows (text, int) in PostgreSQL's order: 30kB
  const b = shapes([T.text, T.int4], range(500).map((g) => [`x${g}`, g]));
  const info = hashTableInfo({ buckets: 1024, batches: 1 }, b.rows, b.bytes(hashTupleSpace), 1);
  assert.deepEqual([info.buckets, kilobytes(info.peakBytes)], [1024, 30]);
  // estimated 25, 2,500 came: Buckets: 4096 (originally 1024), 134kB
  const m = shapes([T.int4, T.text], range(2500).map((g) => [g * 2, `z${g * 2}`]));
  const grown = hashTableInfo(chooseHashTableSize(25, 9, HASH_MEM, true), m.rows, m.bytes(hashTupleSpace), 1);
  assert.deepEqual([grown.buckets, grown.originalBuckets, kilobytes(grown.peakBytes)], [4096, 1024, 134]);
});

test('hashed aggregates: 10 groups 24kB, 20,000 groups in blocks of work_mem / 16 2577kB', () => {
  const aggregate = (groups: number, estimate: number): number => {
    const cxt = AllocSetModel.forWorkMem(WORK_MEM);
    for (let g = 0; g < groups; g++) addHashAggGroup(cxt, [g], [T.int4], 1, []);
    const run: HashAggRun = { groupsBeforeLast: groups, tableBytes: cxt.allocated, transitions: 1 };
    return kilobytes(hashAggPeakBytes(run, estimate, HASH_MEM, 12));
  };
  assert.equal(aggregate(10, 10), 24);
  assert.equal(aggregate(1000, 1000), 193);
  assert.equal(aggregate(8000, 7976), 1169);
  assert.equal(aggregate(20000, 20025), 2577);
});
