/**
 * A transaction that deleted many rows holds a row lock on each (DurableStorage.rowLocks).
 * When it ended, every entry was deleted in one piece: a DELETE of 250,000 rows of a
 * 1M-row table held the event loop 40–78 ms at its commit's end (bench/seal-stall.ts --jobs
 * delete). Now the transaction is marked ended (its entries lock nothing, waiters go on at
 * once) and the entries go a slice at a time between turns of the event loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { RowConflict, type Transaction } from '../src/storage/api.js';
import { blocking } from './support/event-loop-blocks.js';
import { labelledRows, labelledTable } from './support/storage-fill.js';

const TABLE = 17400;
const ROWS = 300_000;
/**
 * no piece may be this share of the release's time or more (the old code: 1.0, one piece;
 * the sliced release: 0.11–0.26 at load 10–14, where the whole release is only ~100–300 ms)
 */
const SHARE = 0.4;

const deleteWhere = (s: DurableStorage, txn: Transaction, keep: (id: number) => boolean): void => {
  for (const b of s.scan(TABLE, s.snapshot(), txn)) txn.delete(TABLE, b.rowIds.filter((_, k) => keep(Number(b.rows[k][0]))));
};

test(`the row locks of a transaction that deleted ${ROWS.toLocaleString('en-US')} rows are released between turns, and lock nothing once it ended`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-row-lock-turns-'));
  const s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(labelledTable(TABLE));
    const rows = labelledRows();
    for (let i = 0; i < ROWS; i += 20_000) {
      const t = s.begin();
      t.insert(TABLE, rows(i, i + 20_000));
      await t.commit();
    }
    const rowIds = new Map<number, number>();
    for (const b of s.scan(TABLE, s.snapshot())) b.rows.forEach((r, k) => rowIds.set(Number(r[0]), b.rowIds[k]));
    const rowIdOf = (id: number): number => rowIds.get(id)!;
    // `big` deletes every row, `other` waits for row `row`; `end` ends big; the waiter then retries
    const release = async (row: number, end: (big: Transaction) => Promise<void>) => {
      const big = s.begin();
      deleteWhere(s, big, () => true);
      const locked = s.rowLocks.size;
      assert.ok(locked > ROWS - 10);
      const other = s.begin();
      let waitFor: Promise<void> | undefined;
      try {
        other.delete(TABLE, [rowIdOf(row)]);
      } catch (e) {
        assert.ok(e instanceof RowConflict && e.waitFor);
        waitFor = e.waitFor;
      }
      assert.ok(waitFor, 'the row was not locked');
      const released = await blocking(async () => {
        await end(big);
        await waitFor;
        // entries may still be there: they lock nothing
        const left = s.rowLocks.size;
        const retried = (() => {
          try {
            other.delete(TABLE, [rowIdOf(row)]);
            return 'deleted';
          } catch (e) {
            return e;
          }
        })();
        // the waiter's own lock (its delete went through) stays
        const own = retried === 'deleted' ? 1 : 0;
        while (s.rowLocks.size > own) await nextTurn();
        return { left, retried };
      });
      console.log(`# longest piece ${released.longest.toFixed(1)} of ${released.total.toFixed(1)} ms (share ${released.share.toFixed(2)}, ${released.turns} turns), ${released.result.left} of ${locked} entries left when the waiter went on`);
      return { other, retried: released.result.retried, released };
    };
    // rolled back: the waiter deletes the row. The best of three (a garbage collection can
    // fall in one piece; the old code's one piece is the whole release every time)
    let best = 1;
    for (const row of [5, 6, 7]) {
      const afterRollback = await release(row, async (big) => big.rollback());
      assert.equal(afterRollback.retried, 'deleted');
      assert.equal(s.rowLocks.size, 1, 'the waiter holds its row');
      await afterRollback.other.commit();
      assert.equal(s.rowLocks.size, 0);
      best = Math.min(best, afterRollback.released.share);
    }
    assert.ok(best < SHARE, `the rollback's lock release held the loop in one piece of share ${best.toFixed(2)} at best`);
    // committed: the waiter's retry meets the tombstone (a serialization failure), not a lock
    const afterCommit = await release(8, async (big) => { await big.commit(); });
    assert.ok(afterCommit.released.share < SHARE, `the commit's lock release held the loop ${afterCommit.released.longest.toFixed(1)} ms of ${afterCommit.released.total.toFixed(1)} in one piece`);
    assert.ok(afterCommit.retried instanceof RowConflict && afterCommit.retried.waitFor === undefined, `the retry met ${String(afterCommit.retried)}`);
    afterCommit.other.rollback();
    assert.equal(s.rowLocks.size, 0);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
