/**
 * A sealed segment's sorted column index (storage/sorted-column.ts) is built in a worker
 * thread when first asked for (storage/sorted-column-build.ts): the first filtered bitmap
 * is made without it, by testing every row, and the later ones with it. Both must be the
 * same bitmap, for every kind of condition, with NULLs in the column and in the vectors,
 * deleted rows, int8 values past 2^53 and several record batches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { SortedColumn } from '../src/storage/sorted-column.js';
import { sortedColumnBuildsIdle } from '../src/storage/sorted-column-build.js';
import type { BitmapFilter, ZoneCondition } from '../src/storage/api.js';
import { OID, type Row } from '../src/types/types.js';

const LAYOUT = {
  id: 16500,
  columns: [
    { name: 'id', type: { oid: OID.int8, typmod: -1 } },
    { name: 'f', type: { oid: OID.int4, typmod: -1 } },
    { name: 'big', type: { oid: OID.int8, typmod: -1 } },
    { name: 'ts', type: { oid: OID.timestamp, typmod: -1 } },
    { name: 'v', type: { oid: OID.vector, typmod: 2 } },
  ],
};
// more than one Arrow record batch (65,536 rows each)
const N = 70_000;

function row(i: number): Row {
  return [
    BigInt(i),
    i % 97 === 0 ? null : (i * 7919) % 5000,
    9007199254740000n + BigInt(i % 500),
    i % 89 === 0 ? null : 1e12 + (i % 1000) * 60e6,
    i % 211 === 0 ? null : new Float32Array([i, -i]),
  ];
}

const meets = (v: unknown, c: ZoneCondition): boolean => {
  if (v === null) return false;
  const x = v as number | bigint;
  switch (c.op) {
    case '=': return x === c.value;
    case '<': return x < c.value;
    case '<=': return x <= c.value;
    case '>': return x > c.value;
    case '>=': return x >= c.value;
  }
};

/** A filter of `conditions` only (onlyIndexed), or with one more conjunct the sorted column cannot answer. */
function filterOf(conditions: ZoneCondition[], extra?: (r: Row) => boolean): BitmapFilter {
  const columns = [...new Set([...conditions.map((c) => c.column), ...(extra ? [0] : [])])];
  return {
    columns,
    test: (r) => conditions.every((c) => meets(r[c.column], c)) && (!extra || extra(r)),
    indexed: conditions,
    onlyIndexed: !extra,
  };
}

const FILTERS: [string, BitmapFilter][] = [
  ['f < 40', filterOf([{ column: 1, op: '<', value: 40 }])],
  ['f >= 100 AND f < 160', filterOf([{ column: 1, op: '>=', value: 100 }, { column: 1, op: '<', value: 160 }])],
  ['f = 777', filterOf([{ column: 1, op: '=', value: 777 }])],
  ['f <= 777', filterOf([{ column: 1, op: '<=', value: 777 }])],
  ['f > 1000 AND f < 1000', filterOf([{ column: 1, op: '>', value: 1000 }, { column: 1, op: '<', value: 1000 }])],
  ['f < 3000', filterOf([{ column: 1, op: '<', value: 3000 }])],
  ['f < 300 AND id % 3 = 0', filterOf([{ column: 1, op: '<', value: 300 }], (r) => (r[0] as bigint) % 3n === 0n)],
  ['big <= 9007199254740010', filterOf([{ column: 2, op: '<=', value: 9007199254740010n }])],
  ['big = 9007199254740007', filterOf([{ column: 2, op: '=', value: 9007199254740007n }])],
  ['ts < 1e12 + 30 min', filterOf([{ column: 3, op: '<', value: 1e12 + 30 * 60e6 }])],
];

test('a filtered bitmap is the same before the sorted column index is built (rows tested) and after (rows found by binary search)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-sorted-build-'));
  const s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(LAYOUT);
    const txn = s.begin();
    txn.insert(LAYOUT.id, Array.from({ length: N }, (_, i) => row(i)));
    await txn.commit();
    await s.seal(LAYOUT.id);
    const del = s.begin();
    const ids: number[] = [];
    for (const b of s.scan(LAYOUT.id, s.snapshot())) b.rows.forEach((r, i) => { if (Number(r[0]) % 13 === 0) ids.push(b.rowIds[i]); });
    del.delete(LAYOUT.id, ids);
    await del.commit();

    const segs = s.searchSegments(LAYOUT.id, s.snapshot()).filter((x) => x.matchBitmap);
    assert.deepEqual(segs.map((x) => x.length), [N], 'one sealed segment of every row');
    const seg = segs[0]!;
    // the first asks start the builds and are answered without them (no turn of the event
    // loop between them, so no build can have come back)
    const before = FILTERS.map(([, filter]) => seg.matchBitmap!(4, filter, 10));
    for (const [i, b] of before.entries()) assert.equal(b.narrowed, undefined, `${FILTERS[i]![0]}: not narrowed while the index is being built`);
    await sortedColumnBuildsIdle();
    FILTERS.forEach(([name, filter], i) => {
      const { narrowed: _, ...after } = seg.matchBitmap!(4, filter, 10);
      assert.deepEqual(after, before[i], name);
      assert.ok(after.count > 0 || name.includes('AND f < 1000'), `${name} matches rows`);
    });
    // the sorted conjuncts chose the rows once built
    assert.equal(seg.matchBitmap!(4, FILTERS[0]![1], 10).narrowed, true);
    assert.equal(seg.matchBitmap!(4, FILTERS[7]![1], 10).narrowed, true);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the worker\'s sorted keys equal an in-thread sort of the same values', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-sorted-build-'));
  const s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(LAYOUT);
    const rows = Array.from({ length: 5000 }, (_, i) => row(i));
    const txn = s.begin();
    txn.insert(LAYOUT.id, rows);
    await txn.commit();
    await s.seal(LAYOUT.id);
    const sealed = (s as unknown as { tables: Map<number, { sealed: { sortedColumnBuilt(c: number): Promise<SortedColumn | undefined> }[] }> }).tables.get(LAYOUT.id)!.sealed[0]!;
    for (const column of [1, 2, 3]) {
      const built = await sealed.sortedColumnBuilt(column);
      const inThread = SortedColumn.build(rows.length, (pos) => rows[pos]![column]);
      assert.deepEqual(built, inThread, `column ${column}`);
    }
    // a vector column holds no numbers: no index
    assert.equal(await sealed.sortedColumnBuilt(4), undefined);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
