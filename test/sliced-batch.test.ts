/**
 * writeSliced (storage/sliced-batch.ts): a big LevelDB batch is handed over a slice at a
 * time between turns of the event loop, and written at once. Checked: every op lands; a
 * reader between the slices sees none of them (the batch is still one atomic write); the
 * loop is held only in short pieces; a failed write leaves nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { writeSliced } from '../src/storage/sliced-batch.js';
import type { WalOp } from '../src/storage/wal.js';
import { blocking } from './support/event-loop-blocks.js';

const OPS = 120_000;
const VALUE = new Uint8Array(48).fill(7);
const key = (i: number) => `T/${String(i).padStart(8, '0')}`;

async function withDb(fn: (db: ClassicLevel<string, Uint8Array>) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-sliced-batch-'));
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function countKeys(db: ClassicLevel<string, Uint8Array>): Promise<number> {
  let n = 0;
  for await (const _ of db.keys({ gte: 'T/', lt: 'T0' })) n++;
  return n;
}

test('a batch of 120,000 puts lands whole, unseen until written, the loop held in short pieces', async () => {
  await withDb(async (db) => {
    const ops: WalOp[] = Array.from({ length: OPS }, (_, i) => ({ type: 'put', key: key(i), value: VALUE }));
    // a reader that looks at the first and the last key at every turn of the loop
    const seen: string[] = [];
    let looking = true;
    const look = async () => {
      while (looking) {
        const [a, b] = await db.getMany([key(0), key(OPS - 1)]);
        if (!looking) break;
        if ((a === undefined) !== (b === undefined)) seen.push(`first ${a !== undefined}, last ${b !== undefined}`);
        await new Promise((r) => setImmediate(r));
      }
    };
    const reader = look();
    const w = await blocking(() => writeSliced(db, ops, false));
    looking = false;
    await reader;
    assert.deepEqual(seen, [], 'a reader saw part of the batch');
    assert.equal(await countKeys(db), OPS);
    assert.ok(w.turns > 5, `the loop came round ${w.turns} times only`);
    // one piece: db.batch(ops) of 120,000 ops holds the loop ~0.9 of the write's time
    assert.ok(w.share < 0.5, `held the loop ${w.longest.toFixed(1)} of ${w.total.toFixed(1)} ms in one piece`);
  });
});

test('deletes and puts mixed, and a small batch in one go, give the same keys as db.batch', async () => {
  await withDb(async (db) => {
    await writeSliced(db, Array.from({ length: 10_000 }, (_, i) => ({ type: 'put' as const, key: key(i), value: VALUE })), true);
    const mixed: WalOp[] = [];
    for (let i = 0; i < 10_000; i += 2) mixed.push({ type: 'del', key: key(i) });
    for (let i = 10_000; i < 12_000; i++) mixed.push({ type: 'put', key: key(i), value: VALUE });
    await writeSliced(db, mixed, true);
    assert.equal(await countKeys(db), 5_000 + 2_000);
    assert.equal(await db.get(key(2)), undefined);
    assert.deepEqual(Uint8Array.from((await db.get(key(3)))!), VALUE);
    await writeSliced(db, [{ type: 'del', key: key(3) }], false);
    assert.equal(await db.get(key(3)), undefined);
  });
});

test('a batch whose write fails leaves no key behind', async () => {
  await withDb(async (db) => {
    const ops: WalOp[] = Array.from({ length: 5_000 }, (_, i) => ({ type: 'put', key: key(i), value: VALUE }));
    // a value LevelDB refuses: the chained batch throws while the ops are handed over
    ops[4_500] = { type: 'put', key: key(4_500), value: undefined as unknown as Uint8Array };
    await assert.rejects(writeSliced(db, ops, false));
    assert.equal(await countKeys(db), 0);
  });
});
