/**
 * RowIdMap (storage/row-id-map.ts) answers as a Map of the same entries would, across its
 * chunk boundaries, while entries come and go, and while it is iterated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowIdMap } from '../src/storage/row-id-map.js';

test('RowIdMap agrees with a Map through sets, overwrites and deletes across chunks', () => {
  const m = new RowIdMap<number>();
  const ref = new Map<number, number>();
  let seed = 11;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 60_000; i++) {
    // runs (a DELETE in scan order) and jumps, around chunk edges and far apart
    const rowId = i % 3 === 0 ? rnd(50_000) : i % 3 === 1 ? 4095 + rnd(3) : 2 ** 40 + rnd(9000);
    if (rnd(4) === 0) assert.equal(m.delete(rowId), ref.delete(rowId), `delete ${rowId}`);
    else {
      m.set(rowId, i);
      ref.set(rowId, i);
    }
    assert.equal(m.size, ref.size);
  }
  for (const id of [0, 4095, 4096, 4097, 49_999, 2 ** 40, 2 ** 40 + 8999, 7]) {
    assert.equal(m.get(id), ref.get(id), `get ${id}`);
    assert.equal(m.has(id), ref.has(id), `has ${id}`);
  }
  const sorted = (it: Iterable<[number, number]>) => [...it].sort((a, b) => a[0] - b[0]);
  assert.deepEqual(sorted(m), sorted(ref));
  assert.deepEqual([...m.keys()].sort((a, b) => a - b), [...ref.keys()].sort((a, b) => a - b));
  m.clear();
  assert.equal(m.size, 0);
  assert.equal(m.get(7), undefined);
  assert.deepEqual([...m.entries()], []);
});

test('RowIdMap iteration visits every entry not deleted meanwhile, also when chunks empty out', () => {
  const m = new RowIdMap<boolean>();
  for (let id = 0; id < 20_000; id++) m.set(id, true);
  const seen: number[] = [];
  for (const id of m.keys()) {
    seen.push(id);
    // the rest of its chunk and of the next one go
    if (id === 100) for (let gone = 101; gone < 8192; gone++) m.delete(gone);
  }
  assert.equal(seen.length, 20_000 - (8192 - 101));
  assert.equal(m.size, seen.length);
  assert.equal(m.has(8191), false);
  assert.equal(m.has(8192), true);
});
