/**
 * A big commit applies itself to memory in pieces between turns of the event loop
 * (DurableStorage.applyInTurn): a DELETE of tens of thousands of rows no longer holds the
 * session thread for most of its commit (~100 ms of ~200 ms for 50,000 tombstones). It stays
 * one commit all the same: later commits wait for it in the commit queue and see it whole
 * (a unique key it inserts, a row it deletes), and readers see all of it or nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { RowConflict, UniqueViolation } from '../src/storage/api.js';
import { blocking } from './support/event-loop-blocks.js';
import { labelledRows, labelledTable } from './support/storage-fill.js';

const TABLE = 16600;
const DIM = 8;
const ROWS = 120_000;
/** no piece may be this share of the commit's time or more (the old code: 0.50-0.54, this one 0.07-0.14) */
const SHARE = 0.3;
const LAYOUT = labelledTable(TABLE, DIM);

const rows = labelledRows(DIM);

async function withStorage(fn: (s: DurableStorage, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-commit-turns-'));
  try {
    const s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(LAYOUT);
    await s.addUniqueKey(TABLE, { name: 'items_pkey', columns: [0] });
    for (let i = 0; i < ROWS; i += 4000) {
      const t = s.begin();
      t.insert(TABLE, rows(i, i + 4000));
      await t.commit();
    }
    await s.seal(TABLE);
    await fn(s, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function count(s: DurableStorage): number {
  let n = 0;
  for (const b of s.scan(TABLE, s.snapshot())) n += b.rows.length;
  return n;
}

const keyRows = (s: DurableStorage, i: number) => s.lookupKey(TABLE, 'items_pkey', [BigInt(i)], s.snapshot())!.rows.length;

test('the commit of an UPDATE-like DELETE of half of 120,000 sealed rows and 8,000 inserts holds the loop only in short pieces', async () => {
  await withStorage(async (s, dir) => {
    const del = s.begin();
    for (const b of s.scan(TABLE, s.snapshot(), del)) del.delete(TABLE, b.rowIds.filter((_, k) => Number(b.rows[k][0]) % 2 === 0));
    // (fewer than a bulk-ingested segment's rows: they take the log path, a unique key each)
    del.insert(TABLE, rows(ROWS, ROWS + 8000));
    const commit = await blocking(async () => { await del.commit(); });
    if (process.env.SHOW_SHARE) console.log(JSON.stringify(commit));
    assert.ok(commit.share < SHARE, `the commit held the loop ${commit.longest.toFixed(1)} of its ${commit.total.toFixed(1)} ms in one piece`);
    assert.equal(count(s), ROWS / 2 + 8000);
    await s.close();
    const again = await DurableStorage.open({ dataDir: dir, background: false });
    assert.equal(count(again), ROWS / 2 + 8000);
    assert.equal(keyRows(again, ROWS + 7999), 1);
    assert.equal(keyRows(again, 2), 0);
    assert.equal(keyRows(again, 3), 1);
    await again.close();
  });
});

test('commits during a sliced big commit wait for it and see it whole; readers see all of it or nothing', async () => {
  await withStorage(async (s, dir) => {
    const NEW = 1_000_000;
    // the big commit deletes every even row and inserts 4,000 new keys (applied after the deletes)
    const big = s.begin();
    for (const b of s.scan(TABLE, s.snapshot(), big)) big.delete(TABLE, b.rowIds.filter((_, k) => Number(b.rows[k][0]) % 2 === 0));
    big.insert(TABLE, rows(NEW, NEW + 4000));
    // inserted before the big commit starts, so only the commit can find the conflict
    const dupe = s.begin();
    dupe.insert(TABLE, rows(NEW + 3999, NEW + 4000));
    const small = s.begin();
    small.insert(TABLE, rows(2_000_000, 2_000_001));

    const victim = s.lookupKey(TABLE, 'items_pkey', [0n], s.snapshot())!.rowIds[0];
    const before = ROWS;
    const after = ROWS / 2 + 4000;
    const seen = new Set<number>();
    let bigDone = false;
    let started = false;
    const order: string[] = [];
    const others: Promise<void>[] = [];
    const checks: Promise<void>[] = [];
    const res = await blocking(async () => {
      await big.commit();
      bigDone = true;
      order.push('big');
    }, () => {
      // every turn the big commit gives: what a reader sees now
      const n = count(s);
      seen.add(n);
      assert.ok(n === before || n === after || n === after + 1, `a reader saw ${n} rows`);
      const newKey = keyRows(s, NEW + 3999);
      const oldKey = keyRows(s, 0);
      assert.equal(newKey + oldKey, 1, 'a reader saw the big commit partly (its insert without its delete, or neither)');
      // a vector search's bitmaps of the sealed rows (the dead-positions cache the commit updates)
      let searchable = 0;
      for (const seg of s.searchSegments(TABLE, s.snapshot())) searchable += seg.matchBitmap!(2, null, 0).count;
      assert.equal(searchable, oldKey === 1 ? ROWS : ROWS / 2, 'a vector search saw the big commit partly');
      if (started || bigDone) return;
      started = true;
      // a delete of a row the big commit deletes waits for it, then finds the row gone
      const other = s.begin();
      let conflict: unknown;
      try { other.delete(TABLE, [victim]); } catch (e) { conflict = e; }
      assert.ok(conflict instanceof RowConflict && conflict.waitFor, 'a delete of a row the big commit deletes waits for it');
      checks.push(conflict.waitFor.then(() => {
        assert.equal(bigDone, true);
        assert.throws(() => other.delete(TABLE, [victim]), RowConflict);
        other.rollback();
      }));
      others.push(dupe.commit().then(
        () => assert.fail('a key the big commit inserts was inserted again'),
        (e) => {
          assert.ok(e instanceof UniqueViolation, String(e));
          // it validated after the big commit had applied itself whole (its last key too)
          assert.notEqual(s.lookupUnique(TABLE, 'items_pkey', [BigInt(NEW + 3999)]), undefined);
          assert.equal(s.lookupUnique(TABLE, 'items_pkey', [0n]), undefined);
          order.push('dupe');
        },
      ));
      others.push(small.commit().then(() => { order.push('small'); }));
    });
    await Promise.all([...others, ...checks]);
    assert.ok(res.turns > 3 && started, `the big commit gave ${res.turns} turns`);
    assert.deepEqual(order.filter((c) => c !== 'dupe'), ['big', 'small'], `commits finished in the order ${order.join(', ')}`);
    assert.ok(order.includes('dupe'));
    assert.ok(seen.has(before), 'readers during the commit saw it not yet applied');
    assert.equal(count(s), after + 1);
    await s.close();
    const again = await DurableStorage.open({ dataDir: dir, background: false });
    assert.equal(count(again), after + 1);
    assert.equal(keyRows(again, NEW + 3999), 1);
    assert.equal(keyRows(again, 2_000_000), 1);
    assert.equal(keyRows(again, 0), 0);
    await again.close();
  });
});
