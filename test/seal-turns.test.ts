/**
 * A seal, a bulk commit and a compaction hold the event loop in short pieces only while they encode and
 * write their segment file (src/storage/turns.ts, segment-file-write.ts): no piece of the
 * job holds the session thread for most of its time, as the encoding of the whole segment
 * did (173 of ~250 ms for a seal of 200k × 128). What they wrote reads back whole after a
 * reopen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { blocking } from './support/event-loop-blocks.js';
import { labelledRows, labelledTable } from './support/storage-fill.js';

const TABLE = 16500;
const DIM = 64;
const ROWS = 40_000;
/** no piece may be this share of the job's time or more */
const SHARE = 0.45;
const LAYOUT = labelledTable(TABLE, DIM);

const rows = labelledRows(DIM);

/** Every visible row's id and label, in id order. */
function contents(s: DurableStorage): Map<number, string> {
  const out = new Map<number, string>();
  for (const b of s.scan(TABLE, s.snapshot())) for (const r of b.rows) out.set(Number(r[0]), r[1] as string);
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-seal-turns-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function insert(s: DurableStorage, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 4000) {
    const t = s.begin();
    t.insert(TABLE, rows(i, Math.min(to, i + 4000)));
    await t.commit();
  }
}

test('a seal of 40,000 rows holds the event loop in short pieces only, and its segment reads back after a reopen', async () => {
  await withDir(async (dir) => {
    const s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(LAYOUT);
    await insert(s, 0, ROWS);
    const seal = await blocking(() => s.seal(TABLE));
    assert.ok(seal.share < SHARE, `the seal held the loop ${seal.longest.toFixed(1)} of its ${seal.total.toFixed(1)} ms in one piece`);
    await s.close();
    const again = await DurableStorage.open({ dataDir: dir, background: false });
    const got = contents(again);
    assert.equal(got.size, ROWS);
    for (const i of [0, 1, 12_345, ROWS - 1]) assert.equal(got.get(i), `row ${i}`);
    await again.close();
  });
});

test('a bulk commit and a compaction hold the event loop in short pieces only; deleted rows are gone after a reopen', async () => {
  await withDir(async (dir) => {
    const s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(LAYOUT);
    // one transaction of 40,000 rows, given a batch at a time as COPY does: a bulk load
    const bulk = s.begin();
    for (let i = 0; i < ROWS; i += 4000) bulk.insert(TABLE, rows(i, i + 4000));
    const load = await blocking(async () => { await bulk.commit(); });
    assert.ok(load.share < SHARE, `the bulk commit held the loop ${load.longest.toFixed(1)} of its ${load.total.toFixed(1)} ms in one piece`);
    await insert(s, ROWS, ROWS + 8000);
    await s.seal(TABLE);
    const del = s.begin();
    for (const b of s.scan(TABLE, s.snapshot(), del)) del.delete(TABLE, b.rowIds.filter((_, k) => Number(b.rows[k][0]) % 4 === 0));
    await del.commit();
    const compaction = await blocking(() => s.vacuum(TABLE));
    assert.ok(compaction.share < SHARE, `the compaction held the loop ${compaction.longest.toFixed(1)} of its ${compaction.total.toFixed(1)} ms in one piece`);
    await s.close();
    const again = await DurableStorage.open({ dataDir: dir, background: false });
    const got = contents(again);
    assert.equal(got.size, (ROWS + 8000) * 3 / 4);
    for (const i of [1, 2, 3, 30_001, ROWS + 7999]) assert.equal(got.get(i), `row ${i}`);
    for (const i of [0, 4, 30_000, ROWS + 4]) assert.equal(got.has(i), false, `row ${i} was deleted`);
    await again.close();
  });
});
