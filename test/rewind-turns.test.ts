/**
 * A log refusal (full disk) takes the refused commits back out of memory in time bounded by
 * what they wrote, not by the table (DurableStorage.rewindTo): the refused rows are the
 * growing segment's tail, frozen off without copying the rows kept, and the refused
 * tombstones the tail of the table's recent ones. It used to copy every row of the growing
 * segment and pass over every tombstone in one piece: with 150,000 growing rows (id, label)
 * and 50,000 tombstones, a refused one-row commit held the loop 43 ms, now under 1 ms. All of the refused commit
 * is gone at once all the same, and what was kept is sealed and reads back after a reopen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import type { Wal } from '../src/storage/wal.js';
import { blocking } from './support/event-loop-blocks.js';
import { fillSealedDeletedGrowing, labelledRows, labelledTable } from './support/storage-fill.js';

const TABLE = 16800;
const SEALED = 60_000;
const DELETED = 50_000;
const GROWING = 150_000;
const TRIES = 3;
const LAYOUT = labelledTable(TABLE);

const rows = labelledRows();

function ids(s: DurableStorage): Set<number> {
  const out = new Set<number>();
  for (const b of s.scan(TABLE, s.snapshot())) for (const r of b.rows) out.add(Number(r[0]));
  return out;
}

test('a refused commit on a table with 150,000 growing rows and 50,000 tombstones is taken back whole, in time bounded by what it wrote', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-rewind-turns-'));
  let s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(LAYOUT);
    await s.addUniqueKey(TABLE, { name: 'pk', columns: [0] });
    await fillSealedDeletedGrowing(s, TABLE, rows, { sealed: SEALED, deleted: DELETED, growing: GROWING, batch: 4000 });
    const rowIdOf = (id: number) => s.lookupUnique(TABLE, 'pk', [BigInt(id)]);

    // Fault injection: the next single batch fails for lack of space (the log reopens after it).
    const db = (s as unknown as { wal: Wal }).wal.db;
    const write = db.batch.bind(db) as (...args: unknown[]) => unknown;
    let refuse = false;
    Object.assign(db, {
      batch: (...args: unknown[]) => {
        if (args.length === 0 || !refuse) return write(...args);
        refuse = false;
        return Promise.reject(new Error(`IO error: ${join(dir, 'wal', '000003.log')}: No space left on device`));
      },
    });
    // a one-row insert and a delete of a growing and a sealed row: refused, then accepted
    const change = (n: number) => {
      const t = s.begin();
      t.insert(TABLE, rows(1_000_000 + n, 1_000_001 + n));
      t.delete(TABLE, [rowIdOf(SEALED + n)!, rowIdOf(DELETED + n)!]);
      return t.commit();
    };
    let refusedBest = Number.POSITIVE_INFINITY;
    let acceptedBest = Number.POSITIVE_INFINITY;
    for (let n = 0; n < TRIES; n++) {
      refuse = true;
      const refused = await blocking(() => change(n).then(() => 'accepted', (e: { code?: string }) => e.code));
      assert.equal(refused.result, '53100');
      // nothing of it: its row, its key, its deletes
      assert.equal(rowIdOf(1_000_000 + n), undefined, 'the refused row\'s key is free');
      const seen = ids(s);
      assert.equal(seen.has(1_000_000 + n), false);
      assert.ok(seen.has(SEALED + n) && seen.has(DELETED + n), 'the rows the refused commit deleted are there');
      assert.equal(seen.size, SEALED - DELETED + GROWING - n);
      // the same commit goes through once the log is writable again
      await (s as unknown as { wal: Wal }).wal.ready();
      const accepted = await blocking(() => change(n));
      refusedBest = Math.min(refusedBest, refused.longest);
      acceptedBest = Math.min(acceptedBest, accepted.longest);
    }
    if (process.env.SHOW_SHARE) console.log(JSON.stringify({ refusedBest, acceptedBest }));
    assert.ok(refusedBest < 5 * acceptedBest + 15,
      `a refused one-row commit held the loop ${refusedBest.toFixed(1)} ms in one piece, an accepted one ${acceptedBest.toFixed(1)} ms (best of ${TRIES})`);

    const expected = ids(s);
    assert.equal(expected.size, SEALED - DELETED + GROWING - TRIES);
    // the rows kept (frozen by the rewinds) are sealed with the rest and read back after a reopen
    await s.seal(TABLE);
    assert.deepEqual(ids(s), expected);
    await s.close();
    s = await DurableStorage.open({ dataDir: dir, background: false });
    assert.deepEqual(ids(s), expected);
    for (let n = 0; n < TRIES; n++) assert.notEqual(rowIdOf(1_000_000 + n), undefined);
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
});
