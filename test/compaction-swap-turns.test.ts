/**
 * A compaction's swap holds the event loop only in short pieces, however many rows it drops:
 * the dropped rows' unique-key entries go a slice at a time before the swap, and their
 * tombstones a slice at a time once no older reader needs them (DurableStorage.compactTable,
 * dropTombstones). Both used to run in one piece: with a primary key, a compaction dropping
 * 150,000 rows held the loop ~360 ms in one piece (a third of its time), and the release of
 * the last older reader for all of its time. Readers see every row kept and none
 * dropped at every turn in between, and the result reads back after a reopen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { blocking } from './support/event-loop-blocks.js';
import { labelledRows, labelledTable } from './support/storage-fill.js';

const TABLE = 16700;
const ROWS = 160_000;
/** one row in KEEP_EVERY is kept, the others deleted */
const KEEP_EVERY = 16;
const KEPT = ROWS / KEEP_EVERY;
/** no piece may be this share of the compaction's time or more (the old code: 0.33, this one ~0.06 at load 9) */
const SHARE = 0.2;
/**
 * nor this share of the tombstones' deletion (the old code: 1, all of it in one piece; this
 * one 0.35-0.43 at load 9: the tombstone Map rehashes itself as it shrinks, each time in one
 * piece of its size)
 */
const DROP_SHARE = 0.7;
const LAYOUT = labelledTable(TABLE);

const rows = labelledRows();
const keyRows = (s: DurableStorage, i: number) => s.lookupKey(TABLE, 'pk', [BigInt(i)], s.snapshot())?.rows.length ?? 0;

function count(s: DurableStorage): number {
  let n = 0;
  for (const b of s.scan(TABLE, s.snapshot())) n += b.rows.length;
  return n;
}

/** What a reader finds at a turn of the loop: kept rows once each by their key, deleted rows never. */
function readerCheck(s: DurableStorage): () => void {
  return () => {
    for (const i of [0, KEEP_EVERY * 7, ROWS - KEEP_EVERY]) assert.equal(keyRows(s, i), 1, `kept row ${i} by its key`);
    for (const i of [1, KEEP_EVERY * 7 + 3, ROWS - 1]) assert.equal(keyRows(s, i), 0, `deleted row ${i} by its key`);
  };
}

test('a compaction dropping 150,000 rows of a keyed table, and the release of the reader that held their tombstones, hold the loop in short pieces only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-compaction-swap-turns-'));
  try {
    const s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(LAYOUT);
    await s.addUniqueKey(TABLE, { name: 'pk', columns: [0] });
    for (let i = 0; i < ROWS; i += 4000) {
      const t = s.begin();
      t.insert(TABLE, rows(i, i + 4000));
      await t.commit();
    }
    await s.seal(TABLE);
    const del = s.begin();
    for (const b of s.scan(TABLE, s.snapshot(), del)) del.delete(TABLE, b.rowIds.filter((_, k) => Number(b.rows[k][0]) % KEEP_EVERY !== 0));
    await del.commit();
    // a statement that began before the compaction: the dropped rows' tombstones wait for it
    const release = s.retain(s.snapshot());
    const compaction = await blocking(() => s.vacuum(TABLE), readerCheck(s));
    if (process.env.SHOW_SHARE) console.log(JSON.stringify(compaction));
    assert.ok(compaction.share < SHARE, `the compaction held the loop ${compaction.longest.toFixed(1)} of its ${compaction.total.toFixed(1)} ms in one piece`);
    assert.ok(s.rowCount(TABLE) < KEPT, 'the tombstones wait for the older reader');
    const drop = await blocking(async () => {
      release();
      // (rowCount subtracts the tombstones left)
      while (s.rowCount(TABLE) !== KEPT) await nextTurn();
    }, readerCheck(s));
    if (process.env.SHOW_SHARE) console.log(JSON.stringify(drop));
    assert.ok(drop.share < DROP_SHARE, `the tombstones' deletion held the loop ${drop.longest.toFixed(1)} of its ${drop.total.toFixed(1)} ms in one piece`);
    assert.equal(count(s), KEPT);
    await s.close();
    const again = await DurableStorage.open({ dataDir: dir, background: false });
    assert.equal(count(again), KEPT);
    assert.equal(again.rowCount(TABLE), KEPT);
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
