/**
 * Storage as a replica of a shared log (cluster mode, src/storage/log-replica.ts), with the
 * in-memory seams of test/support/memory-shared-log.ts: a node's acknowledged commits,
 * catalog, deletes and sealed segments are rebuilt by a fresh node from the log and the
 * object store alone; the writer whose log moved on is fenced; a non-empty directory that
 * is not from the log is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { LogFenced } from '../src/storage/shared-log.js';
import { decodeBatch } from '../src/storage/log-replica.js';
import { OID, type Row } from '../src/types/types.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';

const LAYOUT = {
  id: 16400,
  columns: [
    { name: 'id', type: { oid: OID.int8, typmod: -1 } },
    { name: 'v', type: { oid: OID.vector, typmod: 3 } },
  ],
};

const item = (i: number): Row => [BigInt(i), new Float32Array([i, i + 0.5, -i])];

async function dirs(n: number): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, () => mkdtemp(join(tmpdir(), 'quiver-shared-'))));
}

function ids(s: DurableStorage): number[] {
  return [...s.scan(LAYOUT.id, s.snapshot())].flatMap((b) => b.rows.map((r) => Number(r[0]))).sort((a, b) => a - b);
}

async function insert(s: DurableStorage, from: number, to: number): Promise<void> {
  const txn = s.begin();
  txn.insert(LAYOUT.id, Array.from({ length: to - from }, (_, i) => item(from + i)));
  await txn.commit();
}

test('a fresh node rebuilds catalog, rows, deletes and sealed segments from the shared log and object store', async () => {
  const [a, b, store] = await dirs(3);
  const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(store) };
  try {
    const s1 = await DurableStorage.open({ dataDir: a, background: false, shared: seams });
    await s1.saveCatalog('{"catalog":1}');
    await s1.createTable(LAYOUT);
    await s1.addUniqueKey(LAYOUT.id, { name: 'pk', columns: [0] });
    await insert(s1, 0, 100);
    await s1.seal(LAYOUT.id);
    await insert(s1, 100, 120);
    const del = s1.begin();
    const victims = [...s1.scan(LAYOUT.id, s1.snapshot())].flatMap((x) => x.rowIds.filter((_, i) => Number(x.rows[i][0]) % 10 === 0));
    del.delete(LAYOUT.id, victims);
    await del.commit();
    const expected = ids(s1);
    assert.equal(expected.length, 108);
    // the sealed segment's file went to the object store before the manifest naming it was logged
    const stored = await seams.objects.list('t16400-');
    assert.ok(stored.some((f) => f.endsWith('.arrow')), `object store has ${stored.join(', ')}`);
    const manifestBatch = seams.log.batches.findIndex((x) => decodeBatch(x.payload).some((op) => op.key === 'T/00004010' && op.type === 'put'));
    assert.ok(manifestBatch >= 0);
    // no close: the first node is simply gone (its directory is never read again)
    const s2 = await DurableStorage.open({ dataDir: b, background: false, shared: seams });
    assert.deepEqual(ids(s2), expected);
    assert.equal(s2.loadCatalog(), '{"catalog":1}');
    assert.equal(s2.segments(LAYOUT.id).length, 1, 'the sealed segment came from the object store');
    assert.ok((await readdir(join(b, 'segments'))).some((f) => f.endsWith('.arrow')));
    // the unique key was rebuilt too
    const dup = s2.begin();
    assert.throws(() => dup.insert(LAYOUT.id, [item(5)]), /duplicate key/);
    dup.rollback();
    // the new node writes on; the old one is fenced and acknowledges nothing more
    await insert(s2, 200, 201);
    const stale = s1.begin();
    stale.insert(LAYOUT.id, [item(300)]);
    await assert.rejects(stale.commit(), (e: Error) => /shared log moved on/.test(e.message) || e instanceof LogFenced);
    await s2.close();
    // a third node sees the second one's write, not the fenced one's
    const s3 = await DurableStorage.open({ dataDir: a + '-3', background: false, shared: seams });
    assert.deepEqual(ids(s3), [...expected, 200]);
    await s3.close();
    await s1.close().catch(() => {});
  } finally {
    for (const d of [a, b, store, a + '-3']) await rm(d, { recursive: true, force: true });
  }
});

test('a node restarted on its own directory applies only the batches it missed', async () => {
  const [a, b, store] = await dirs(3);
  const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(store) };
  try {
    const s1 = await DurableStorage.open({ dataDir: a, background: false, shared: seams });
    await s1.createTable(LAYOUT);
    await insert(s1, 0, 10);
    await s1.close();
    const s2 = await DurableStorage.open({ dataDir: b, background: false, shared: seams });
    await insert(s2, 10, 20);
    await s2.close();
    const before = seams.log.batches.length;
    const again = await DurableStorage.open({ dataDir: a, background: false, shared: seams });
    assert.deepEqual(ids(again), Array.from({ length: 20 }, (_, i) => i));
    await insert(again, 20, 21);
    assert.equal(seams.log.batches.length, before + 1);
    await again.close();
  } finally {
    for (const d of [a, b, store]) await rm(d, { recursive: true, force: true });
  }
});

test('a directory with data that is not from the shared log is refused', async () => {
  const [a, store] = await dirs(2);
  try {
    const local = await DurableStorage.open({ dataDir: a, background: false });
    await local.saveCatalog('{"x":1}');
    await local.close();
    const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(store) };
    await assert.rejects(DurableStorage.open({ dataDir: a, background: false, shared: seams }), /not from the shared log/);
  } finally {
    for (const d of [a, store]) await rm(d, { recursive: true, force: true });
  }
});

test('checkpoints: the log is trimmed to the previous one, a fresh or fallen-behind node starts from the newest, unnamed files are collected', async () => {
  const [a, b, c, store] = await dirs(4);
  const log = new MemorySharedLog();
  const objects = new DirectoryObjectStore(store);
  const seams = { log, objects };
  process.env.QUIVER_CHECKPOINT_BATCHES = '1000000'; // by hand here
  process.env.QUIVER_CHECKPOINT_GRACE_MS = '0';
  try {
    const s1 = await DurableStorage.open({ dataDir: a, background: false, shared: seams });
    await s1.saveCatalog('{"catalog":1}');
    await s1.createTable(LAYOUT);
    await insert(s1, 0, 50);
    await s1.seal(LAYOUT.id);
    // a node that follows up to here, then stops for a while
    const behind = await DurableStorage.open({ dataDir: c, background: false, shared: seams });
    await behind.close();
    await s1.checkpoint();
    const first = log.batches.length;
    assert.equal(log.trimmed, 0, 'no previous checkpoint: nothing trimmed yet');
    await insert(s1, 50, 80);
    await s1.checkpoint();
    assert.equal(log.trimmed, first, 'trimmed to the first checkpoint');
    // a table dropped: its segment file is named by no manifest any more
    const other = { ...LAYOUT, id: 16401 };
    await s1.createTable(other);
    const t = s1.begin();
    t.insert(other.id, [item(1), item(2)]);
    await t.commit();
    await s1.seal(other.id);
    const filesBefore = (await objects.list('')).filter((k) => !k.startsWith('checkpoint-'));
    await s1.dropTable(other.id);
    await insert(s1, 80, 90);
    await s1.checkpoint();
    const second = (await objects.list('checkpoint-')).sort();
    assert.equal(second.length, 2, `the two newest checkpoints are kept: ${second}`);
    assert.ok(log.trimmed > first);
    const filesAfter = (await objects.list('')).filter((k) => !k.startsWith('checkpoint-'));
    assert.equal(filesAfter.length, filesBefore.length - 1, `the dropped table's segment file is collected (${filesBefore} → ${filesAfter})`);
    const expected = ids(s1);
    assert.equal(expected.length, 90);
    await s1.close();

    // a fresh node: the log no longer starts at 1, so it restores the newest checkpoint
    const fresh = await DurableStorage.open({ dataDir: b, background: false, shared: seams });
    assert.deepEqual(ids(fresh), expected);
    assert.equal(fresh.loadCatalog(), '{"catalog":1}');
    await insert(fresh, 90, 95);
    await fresh.close();
    // the node that stopped early: its position is trimmed away, it restores too
    const back = await DurableStorage.open({ dataDir: c, background: false, shared: seams });
    assert.deepEqual(ids(back), [...expected, 90, 91, 92, 93, 94]);
    await back.close();
  } finally {
    delete process.env.QUIVER_CHECKPOINT_BATCHES;
    delete process.env.QUIVER_CHECKPOINT_GRACE_MS;
    for (const d of [a, b, c, store]) await rm(d, { recursive: true, force: true });
  }
});
