/**
 * Durable storage: MVCC visibility, unique keys across seal and restart, recovery,
 * sealing and compaction, group commit, and clear startup errors for damaged files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir, readFile, writeFile, appendFile, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { DurableStorage, type DurableStorageOptions } from '../src/storage/durable-storage.js';
import { UniqueViolation, WriteConflict, RowConflict, type Storage, type Snapshot, type Transaction } from '../src/storage/api.js';
import { StorageStartupError } from '../src/storage/data-dir.js';
import { OID, type Row } from '../src/types/types.js';
import { frame, keys } from '../src/storage/wal.js';
import { droppedTombstonesRecord } from '../src/storage/dropped-tombstones.js';

const LAYOUT = {
  id: 16400,
  columns: [
    { name: 'id', type: { oid: OID.int8, typmod: -1 } },
    { name: 'label', type: { oid: OID.text, typmod: -1 } },
    { name: 'v', type: { oid: OID.vector, typmod: 3 } },
  ],
};

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-storage-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function open(dir: string, extra: Partial<DurableStorageOptions> = {}): Promise<DurableStorage> {
  return DurableStorage.open({ dataDir: dir, background: false, ...extra });
}

async function createItems(s: Storage): Promise<void> {
  await s.createTable(LAYOUT);
  await s.addUniqueKey(LAYOUT.id, { name: 'items_pkey', columns: [0] });
}

function item(i: number, label = `item ${i}`): Row {
  return [BigInt(i), label, new Float32Array([i, i + 0.5, -i])];
}

async function insertCommitted(s: Storage, rows: Row[]): Promise<number> {
  const txn = s.begin();
  txn.insert(LAYOUT.id, rows);
  return txn.commit();
}

function scanAll(s: Storage, snap: Snapshot = s.snapshot(), txn?: Transaction): { ids: number[]; rows: Row[] } {
  const ids: number[] = [];
  const rows: Row[] = [];
  for (const b of s.scan(LAYOUT.id, snap, txn)) {
    ids.push(...b.rowIds);
    rows.push(...b.rows);
  }
  return { ids, rows };
}

function keysOf(rows: Row[]): number[] {
  return rows.map((r) => Number(r[0])).sort((a, b) => a - b);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

test('commit indexes own rows by the key strings computed at insert; a key added after the inserts is computed per row', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    // a bulk-ingested commit (8192 rows or more) with rows rolled back, deleted and re-inserted
    const t = s.begin();
    t.insert(LAYOUT.id, range(0, 5000).map((i) => item(i)));
    const mark = t.mark();
    t.insert(LAYOUT.id, [item(900000)]);
    t.rollbackTo(mark);
    const ids = t.insert(LAYOUT.id, range(5000, 10000).map((i) => item(i)));
    t.delete(LAYOUT.id, [ids[0]]);
    t.insert(LAYOUT.id, [item(5000, 'again')]);
    await t.commit();
    assert.equal(s.lookupUnique(LAYOUT.id, 'items_pkey', [900000n]), undefined, 'the rolled-back row has no key');
    for (const k of [0, 4999, 5000, 9999]) {
      const id = s.lookupUnique(LAYOUT.id, 'items_pkey', [BigInt(k)]);
      assert.ok(id !== undefined, `key ${k}`);
      assert.equal(s.fetch(LAYOUT.id, id, s.snapshot())?.[1], k === 5000 ? 'again' : `item ${k}`);
    }
    assert.throws(() => s.begin().insert(LAYOUT.id, [item(7777)]), UniqueViolation);
    // a conflicting commit meanwhile is still found at commit
    const a = s.begin();
    const b = s.begin();
    b.insert(LAYOUT.id, [item(20000), item(20001)]);
    a.insert(LAYOUT.id, [item(20001)]);
    await a.commit();
    await assert.rejects(b.commit(), UniqueViolation);
    // a unique key added while a transaction has rows: its keys are computed from the rows
    const c = s.begin();
    c.insert(LAYOUT.id, [item(30000, 'x'), item(30001, 'y')]);
    await s.addUniqueKey(LAYOUT.id, { name: 'items_label_key', columns: [1] });
    c.insert(LAYOUT.id, [item(30002, 'z')]);
    await c.commit();
    assert.ok(s.lookupUnique(LAYOUT.id, 'items_label_key', ['x']) !== undefined);
    assert.ok(s.lookupUnique(LAYOUT.id, 'items_label_key', ['z']) !== undefined);
    assert.throws(() => s.begin().insert(LAYOUT.id, [item(30003, 'y')]), UniqueViolation);
    await s.close();
  });
});

test('uncommitted writes are visible only to their transaction; snapshots see exactly earlier commits', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    await insertCommitted(s, [item(1), item(2)]);
    const before = s.snapshot();
    const txn = s.begin();
    txn.insert(LAYOUT.id, [item(3)]);
    assert.deepEqual(keysOf(scanAll(s).rows), [1, 2], 'other readers do not see uncommitted rows');
    assert.deepEqual(keysOf(scanAll(s, s.snapshot(), txn).rows), [1, 2, 3], 'own writes are visible');
    const ids = scanAll(s).ids;
    txn.delete(LAYOUT.id, [ids[0]]);
    assert.deepEqual(keysOf(scanAll(s, s.snapshot(), txn).rows), [2, 3]);
    assert.deepEqual(keysOf(scanAll(s).rows), [1, 2]);
    await txn.commit();
    assert.deepEqual(keysOf(scanAll(s).rows), [2, 3]);
    assert.deepEqual(keysOf(scanAll(s, before).rows), [1, 2], 'an older snapshot still sees the deleted row and not the new one');
    assert.equal(s.fetch(LAYOUT.id, ids[0], before)?.[1], 'item 1');
    assert.equal(s.fetch(LAYOUT.id, ids[0], s.snapshot()), undefined);
    await s.close();
  });
});

test('mark / rollbackTo / rollback undo buffered writes', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    const txn = s.begin();
    txn.insert(LAYOUT.id, [item(1)]);
    const m = txn.mark();
    txn.insert(LAYOUT.id, [item(2)]);
    txn.rollbackTo(m);
    // the key of the rolled-back row is free again
    txn.insert(LAYOUT.id, [item(2, 'again')]);
    await txn.commit();
    assert.deepEqual(scanAll(s).rows.map((r) => r[1]).sort(), ['again', 'item 1']);
    const t2 = s.begin();
    t2.insert(LAYOUT.id, [item(5)]);
    t2.rollback();
    assert.deepEqual(keysOf(scanAll(s).rows), [1, 2]);
    await s.close();
  });
});

test('unique keys: within a transaction, against commits, across seal and restart; delete frees the key', async () => {
  await withDir(async (dir) => {
    let s = await open(dir);
    await createItems(s);
    await insertCommitted(s, [item(1), item(2)]);
    const t1 = s.begin();
    assert.throws(() => t1.insert(LAYOUT.id, [item(1)]), UniqueViolation);
    t1.insert(LAYOUT.id, [item(3)]);
    assert.throws(() => t1.insert(LAYOUT.id, [item(3)]), UniqueViolation);
    t1.rollback();
    // two concurrent transactions inserting the same key: the second commit fails
    const a = s.begin();
    const b = s.begin();
    a.insert(LAYOUT.id, [item(7)]);
    b.insert(LAYOUT.id, [item(7)]);
    await a.commit();
    await assert.rejects(b.commit(), UniqueViolation);
    await s.seal();
    assert.equal(s.segments(LAYOUT.id).length, 1);
    assert.throws(() => s.begin().insert(LAYOUT.id, [item(2)]), UniqueViolation, 'sealed rows still hold their keys');
    const id2 = s.lookupUnique(LAYOUT.id, 'items_pkey', [2n]);
    assert.ok(id2 !== undefined);
    assert.equal(s.fetch(LAYOUT.id, id2, s.snapshot())?.[1], 'item 2');
    // delete + reinsert the same key in one transaction (an UPDATE)
    const up = s.begin();
    up.delete(LAYOUT.id, [id2]);
    up.insert(LAYOUT.id, [item(2, 'updated')]);
    await up.commit();
    await s.close();

    s = await open(dir);
    assert.throws(() => s.begin().insert(LAYOUT.id, [item(1)]), UniqueViolation, 'keys survive restart');
    assert.throws(() => s.begin().insert(LAYOUT.id, [item(2)]), UniqueViolation);
    const id = s.lookupUnique(LAYOUT.id, 'items_pkey', [2n]);
    assert.equal(s.fetch(LAYOUT.id, id!, s.snapshot())?.[1], 'updated');
    // adding a unique key over duplicate live values fails
    await insertCommitted(s, [item(10, 'dup'), item(11, 'dup')]);
    await assert.rejects(s.addUniqueKey(LAYOUT.id, { name: 'items_label_key', columns: [1] }), UniqueViolation);
    await s.close();
  });
});

test('a row being deleted by another transaction is locked: wait, then the row is gone', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    await insertCommitted(s, [item(1)]);
    const [id] = scanAll(s).ids;
    const a = s.begin();
    const b = s.begin();
    a.delete(LAYOUT.id, [id]);
    let conflict: unknown;
    try { b.delete(LAYOUT.id, [id]); } catch (e) { conflict = e; }
    assert.ok(conflict instanceof RowConflict, 'the second deleter must be told to wait');
    let waited = false;
    const wait = (conflict as RowConflict).waitFor!.then(() => { waited = true; });
    await a.commit();
    await wait;
    assert.equal(waited, true);
    // after the first one committed, the row has a tombstone: the statement must restart
    assert.throws(() => b.delete(LAYOUT.id, [id]), RowConflict);
    b.rollback();
    await s.close();
  });
});

test('two transactions waiting for each other: deadlock detected (40P01)', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    await insertCommitted(s, [item(1), item(2)]);
    const [id1, id2] = scanAll(s).ids;
    const a = s.begin();
    const b = s.begin();
    a.delete(LAYOUT.id, [id1]);
    b.delete(LAYOUT.id, [id2]);
    assert.throws(() => a.delete(LAYOUT.id, [id2]), RowConflict);
    assert.throws(() => b.delete(LAYOUT.id, [id1]), (e: unknown) => (e as { code?: string }).code === '40P01');
    b.rollback();
    a.rollback();
    await s.close();
  });
});

test('recovery after close and reopen: rows, tombstones, catalog image, row ids never reused', async () => {
  await withDir(async (dir) => {
    let s = await open(dir);
    assert.equal(s.loadCatalog(), undefined);
    await createItems(s);
    await insertCommitted(s, range(0, 50).map((i) => item(i)));
    const ids = scanAll(s).ids;
    const del = s.begin();
    del.delete(LAYOUT.id, ids.slice(0, 10));
    await del.commit();
    await s.saveCatalog('{"image":1}');
    await s.saveCatalog('{"image":2}');
    const maxId = Math.max(...ids);
    await s.close();

    s = await open(dir);
    assert.equal(s.loadCatalog(), '{"image":2}');
    assert.deepEqual(keysOf(scanAll(s).rows), range(10, 50));
    const v = scanAll(s).rows.find((r) => r[0] === 20n)![2] as Float32Array;
    assert.deepEqual([...v], [20, 20.5, -20]);
    const [newId] = s.begin().insert(LAYOUT.id, [item(100)]);
    assert.ok(newId > maxId, 'row ids are not reused after restart');
    assert.ok(s.snapshot().ts >= 2, 'the clock survives restart');
    await s.close();
  });
});

test('values of every kind survive the log, a seal and a restart', async () => {
  await withDir(async (dir) => {
    const layout = {
      id: 16500,
      columns: [
        { name: 'i2', type: { oid: OID.int2, typmod: -1 } }, { name: 'i4', type: { oid: OID.int4, typmod: -1 } },
        { name: 'i8', type: { oid: OID.int8, typmod: -1 } }, { name: 'f4', type: { oid: OID.float4, typmod: -1 } },
        { name: 'f8', type: { oid: OID.float8, typmod: -1 } }, { name: 'b', type: { oid: OID.bool, typmod: -1 } },
        { name: 'n', type: { oid: OID.numeric, typmod: -1 } }, { name: 't', type: { oid: OID.text, typmod: -1 } },
        { name: 'by', type: { oid: OID.bytea, typmod: -1 } }, { name: 'd', type: { oid: OID.date, typmod: -1 } },
        { name: 'ts', type: { oid: OID.timestamptz, typmod: -1 } }, { name: 'iv', type: { oid: OID.interval, typmod: -1 } },
        { name: 'arr', type: { oid: OID._int4, typmod: -1 } }, { name: 'v', type: { oid: OID.vector, typmod: 2 } },
        { name: 'vv', type: { oid: OID.vector, typmod: -1 } }, { name: 'j', type: { oid: OID.jsonb, typmod: -1 } },
      ],
    };
    const full: Row = [-3, 2147483647, -9007199254740993n, 1.5, Math.PI, true, '12.50', 'héllo ✓', Buffer.from([0, 255, 7]),
      -Infinity, 1700000000123456, { months: 14, days: -3, micros: 1234567 }, [[1, null], [3, 4]],
      new Float32Array([0.25, -1]), new Float32Array([1, 2, 3, 4]), '{"a": [1, 2]}'];
    const nulls: Row = layout.columns.map(() => null);
    const norm = (r: Row) => r.map((v) => (v instanceof Uint8Array ? [...v] : v));
    let s = await open(dir);
    await s.createTable(layout);
    const txn = s.begin();
    txn.insert(layout.id, [full, nulls]);
    await txn.commit();
    const read = (st: Storage) => [...st.scan(layout.id, st.snapshot())].flatMap((b) => b.rows).map(norm);
    assert.deepEqual(read(s), [norm(full), norm(nulls)], 'growing segment');
    await s.close();
    s = await open(dir);
    assert.deepEqual(read(s), [norm(full), norm(nulls)], 'replayed from the log');
    await s.seal();
    assert.deepEqual(read(s), [norm(full), norm(nulls)], 'sealed segment');
    const stats = s.segments(layout.id)[0].stats;
    assert.equal(stats.find((c) => c.name === 'i4')!.max, 2147483647);
    assert.equal(stats.find((c) => c.name === 't')!.nullCount, 1);
    await s.close();
    s = await open(dir);
    assert.deepEqual(read(s), [norm(full), norm(nulls)], 'sealed segment after restart');
    await s.close();
  });
});

test('seal: rows move to an Arrow file, log is trimmed, old snapshots still read correctly', async () => {
  await withDir(async (dir) => {
    let s = await open(dir);
    await createItems(s);
    for (let i = 0; i < 20; i++) await insertCommitted(s, range(i * 10, i * 10 + 10).map((k) => item(k)));
    const early = s.snapshot();
    await insertCommitted(s, [item(1000)]);
    const midScan = s.scan(LAYOUT.id, s.snapshot())[Symbol.iterator]();
    const first = midScan.next();
    await s.seal();
    assert.equal(s.segments(LAYOUT.id).length, 1);
    assert.equal(s.segments(LAYOUT.id)[0].rows, 201);
    const files = (await readdir(join(dir, 'segments'))).filter((f) => f.endsWith('.arrow'));
    assert.equal(files.length, 1);
    // a scan that started before the seal finishes over the rows it started with
    let n = (first.value as { rows: Row[] }).rows.length;
    for (let r = midScan.next(); !r.done; r = midScan.next()) n += r.value.rows.length;
    assert.equal(n, 201);
    assert.deepEqual(keysOf(scanAll(s, early).rows), range(0, 200), 'a snapshot from before the last insert');
    // vectors from a sealed segment are views into the file buffer
    const v = scanAll(s).rows[0][2] as Float32Array;
    assert.ok(v.buffer.byteLength > v.byteLength * 100, 'zero-copy view');
    await insertCommitted(s, [item(2000)]);
    await s.close();
    // the log now holds only the commit after the seal point
    const db = new ClassicLevel<string, Uint8Array>(join(dir, 'wal'), { keyEncoding: 'utf8', valueEncoding: 'view' });
    const logKeys: string[] = [];
    for await (const k of db.keys({ gte: 'L/', lt: 'L0' })) logKeys.push(k);
    await db.close();
    assert.equal(logKeys.length, 1);
    s = await open(dir);
    assert.deepEqual(keysOf(scanAll(s).rows), [...range(0, 200), 1000, 2000]);
    await s.close();
  });
});

test('compaction merges small segments, drops deleted rows and their tombstones; VACUUM triggers it', async () => {
  await withDir(async (dir) => {
    let s = await open(dir, { sealThresholdBytes: 1 << 20 });
    await createItems(s);
    for (let seg = 0; seg < 3; seg++) {
      await insertCommitted(s, range(seg * 100, seg * 100 + 100).map((k) => item(k)));
      await s.seal();
    }
    assert.equal(s.segments(LAYOUT.id).length, 3);
    const all = scanAll(s);
    const doomed = all.ids.filter((_, i) => Number(all.rows[i][0]) % 2 === 0);
    const before = s.snapshot();
    const del = s.begin();
    del.delete(LAYOUT.id, doomed);
    await del.commit();
    // a reader that started before VACUUM keeps its segments
    const it = s.scan(LAYOUT.id, before)[Symbol.iterator]();
    let n = it.next().value!.rows.length;
    await s.vacuum(LAYOUT.id);
    for (let r = it.next(); !r.done; r = it.next()) n += r.value.rows.length;
    assert.equal(n, 300);
    const segs = s.segments(LAYOUT.id);
    assert.equal(segs.length, 1);
    assert.equal(segs[0].rows, 150, 'dead rows dropped');
    assert.equal((await readdir(join(dir, 'segments'))).filter((f) => f.endsWith('.arrow')).length, 1, 'old files removed');
    assert.deepEqual(keysOf(scanAll(s).rows), range(0, 300).filter((k) => k % 2 === 1));
    // the keys of dropped rows are free, the others are not
    await insertCommitted(s, [item(0, 'reborn')]);
    assert.throws(() => s.begin().insert(LAYOUT.id, [item(1)]), UniqueViolation);
    await s.close();
    s = await open(dir);
    const db = s as unknown as { db: ClassicLevel<string, Uint8Array> };
    let tombstones = 0;
    for await (const _ of db.db.keys({ gte: 'D/', lt: 'D0' })) tombstones++;
    assert.equal(tombstones, 0, 'tombstones of dropped rows are gone');
    assert.equal(scanAll(s).rows.length, 151);
    await s.close();
  });
});

test('a compaction\'s dropped tombstone records go after its manifest; a list a stop left is honoured and finished at the next start', async () => {
  await withDir(async (dir) => {
    let s = await open(dir, { sealThresholdBytes: 1 << 20 });
    await createItems(s);
    for (let seg = 0; seg < 2; seg++) {
      await insertCommitted(s, range(seg * 3000, seg * 3000 + 3000).map((k) => item(k)));
      await s.seal();
    }
    const all = scanAll(s);
    const doomed = all.ids.filter((_, i) => Number(all.rows[i][0]) % 3 === 0);
    const del = s.begin();
    del.delete(LAYOUT.id, doomed);
    await del.commit();
    const db = (x: DurableStorage) => (x as unknown as { db: ClassicLevel<string, Uint8Array> }).db;
    const count = async (x: DurableStorage, from: string, to: string) => {
      let n = 0;
      for await (const _ of db(x).keys({ gte: from, lt: to })) n++;
      return n;
    };
    assert.equal(await count(s, 'D/', 'D0'), doomed.length);
    await s.vacuum(LAYOUT.id);
    assert.equal(s.rowCount(LAYOUT.id), 4000);
    await s.close();
    s = await open(dir);
    assert.equal(await count(s, 'D/', 'D0'), 0, 'every dropped tombstone record deleted (more than one chunk)');
    assert.equal(await count(s, 'G/', 'G0'), 0, 'and the list with them');
    // as a stop mid-way leaves it: the list, and tombstone records it names for rows no
    // segment holds any more; beside them a real tombstone of a live row
    const live = scanAll(s);
    const victim = live.ids[0];
    const del2 = s.begin();
    del2.delete(LAYOUT.id, [victim]);
    await del2.commit();
    const ghosts = doomed.slice(0, 2500);
    const stamp = frame(Buffer.from('5'));
    await db(s).batch([
      ...ghosts.map((rowId) => ({ type: 'put' as const, key: keys.tombstone(LAYOUT.id, rowId), value: stamp })),
      droppedTombstonesRecord(LAYOUT.id, 999, Float64Array.from(ghosts)) as { type: 'put'; key: string; value: Uint8Array },
    ]);
    await s.close();
    s = await open(dir);
    assert.equal(s.rowCount(LAYOUT.id), 3999, 'the listed tombstones are not counted; the real one is');
    assert.equal(scanAll(s).rows.length, 3999);
    assert.equal(await count(s, 'D/', 'D0'), 1, 'only the real tombstone record is left');
    assert.equal(await count(s, 'G/', 'G0'), 0);
    await s.close();
  });
});

test('background seal and compaction while writers keep committing', async () => {
  await withDir(async (dir) => {
    const s = await open(dir, { background: true, sealThresholdBytes: 16 * 1024 });
    await createItems(s);
    const writers = range(0, 4).map(async (w) => {
      for (let i = 0; i < 100; i++) await insertCommitted(s, [item(w * 1000 + i)]);
    });
    await Promise.all(writers);
    await s.close(); // waits for background work
    const r = await open(dir);
    assert.equal(scanAll(r).rows.length, 400);
    assert.ok(r.segments(LAYOUT.id).length >= 1, 'something was sealed');
    await r.close();
  });
});

test('group commit: concurrent commits share synced writes', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    const c0 = s.walCounters();
    await Promise.all(range(0, 64).map((i) => insertCommitted(s, [item(i)])));
    const c1 = s.walCounters();
    assert.equal(c1.commits - c0.commits, 64);
    assert.ok(c1.batches - c0.batches < 16, `64 commits in ${c1.batches - c0.batches} synced batches`);
    await s.close();
  });
});

test('startup errors: lock, format version, missing or damaged segment, corrupt log record', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    await insertCommitted(s, range(0, 10).map((k) => item(k)));
    await s.seal();
    await insertCommitted(s, [item(99)]);
    await assert.rejects(open(dir), (e: Error) => e instanceof StorageStartupError && /in use by another Quiver server \(pid \d+\)/.test(e.message));
    await s.close();

    // damaged segment file
    const [file] = (await readdir(join(dir, 'segments'))).filter((f) => f.endsWith('.arrow'));
    const path = join(dir, 'segments', file);
    const good = await readFile(path);
    const bad = Buffer.from(good);
    bad[bad.length >> 1] ^= 0x55;
    await writeFile(path, bad);
    await assert.rejects(open(dir), (e: Error) => e instanceof StorageStartupError && e.message.includes(path) && /damaged/.test(e.message));
    await truncate(path, 100);
    await assert.rejects(open(dir), (e: Error) => e.message.includes(path) && /damaged/.test(e.message));
    // missing segment file
    await rm(path);
    await assert.rejects(open(dir), (e: Error) => e instanceof StorageStartupError && e.message.includes(path) && /missing/.test(e.message));
    await writeFile(path, good);
    const ok = await open(dir);
    assert.equal(scanAll(ok).rows.length, 11);
    await ok.close();

    // a corrupt record (checksum mismatch) stops the start and names it
    const db = new ClassicLevel<string, Uint8Array>(join(dir, 'wal'), { keyEncoding: 'utf8', valueEncoding: 'view' });
    let logKey = '';
    for await (const k of db.keys({ gte: 'L/', lt: 'L0' })) logKey = k;
    const v = Buffer.from((await db.get(logKey))!);
    v[v.length - 1] ^= 1;
    await db.put(logKey, v, { sync: true });
    await db.close();
    await assert.rejects(open(dir), (e: Error) => e instanceof StorageStartupError && e.message.includes(logKey));

    // another format version
    await writeFile(join(dir, 'QUIVER_VERSION'), '2\n');
    await assert.rejects(open(dir), (e: Error) => /format version "2"/.test(e.message));
  });
  // not a Quiver directory
  await withDir(async (dir) => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'wal'));
    await assert.rejects(open(dir), (e: Error) => /no QUIVER_VERSION/.test(e.message));
  });
});

test('LevelDB log: a torn final write is cut off, a damaged record in the middle stops the start', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    for (let i = 0; i < 40; i++) await insertCommitted(s, [item(i, 'x'.repeat(2000))]);
    await s.close();
    const wal = join(dir, 'wal');
    const [log] = (await readdir(wal)).filter((f) => f.endsWith('.log'));
    const logPath = join(wal, log);
    const size = (await stat(logPath)).size;
    assert.ok(size > 40 * 2000, 'the records are still in the LevelDB log file');
    const original = await readFile(logPath);

    // torn tail: half a record at the end
    await appendFile(logPath, original.subarray(original.length - 1500, original.length - 500));
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (_o: object, msg: string) => { warnings.push(msg); } };
    const t = await open(dir, { logger });
    assert.equal(scanAll(t).rows.length, 40);
    assert.ok(warnings.some((w) => /torn/.test(w)), 'the torn tail is reported');
    await t.close();
  });
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    for (let i = 0; i < 40; i++) await insertCommitted(s, [item(i, 'x'.repeat(2000))]);
    await s.close();
    const wal = join(dir, 'wal');
    const [log] = (await readdir(wal)).filter((f) => f.endsWith('.log'));
    const logPath = join(wal, log);
    const b = await readFile(logPath);
    b[10000] ^= 0xff;
    await writeFile(logPath, b);
    await assert.rejects(open(dir), (e: Error) => e instanceof StorageStartupError && e.message.includes(logPath) && /damaged/.test(e.message));
  });
});

test('tables unknown to storage read as empty; pruneTables drops tables the catalog lost', async () => {
  await withDir(async (dir) => {
    let s = await open(dir);
    assert.deepEqual(scanAll(s).rows, []);
    assert.equal(s.rowCount(LAYOUT.id), 0);
    await createItems(s);
    await insertCommitted(s, [item(1)]);
    await s.seal();
    await s.pruneTables(new Set([1]));
    assert.deepEqual(scanAll(s).rows, []);
    await s.close();
    s = await open(dir);
    assert.deepEqual(scanAll(s).rows, []);
    assert.equal((await readdir(join(dir, 'segments'))).filter((f) => f.endsWith('.arrow')).length, 0);
    await s.close();
  });
});

test('a large commit is logged in bounded chunks and replays completely', async () => {
  await withDir(async (dir) => {
    const layout = { id: 16600, columns: [{ name: 'id', type: { oid: OID.int4, typmod: -1 } }, { name: 'v', type: { oid: OID.vector, typmod: 1024 } }] };
    let s = await open(dir);
    await s.createTable(layout);
    const txn = s.begin();
    txn.insert(layout.id, range(0, 3000).map((i) => [i, new Float32Array(1024).fill(i)]));
    await txn.commit();
    await s.close();
    const db = new ClassicLevel<string, Uint8Array>(join(dir, 'wal'), { keyEncoding: 'utf8', valueEncoding: 'view' });
    const logKeys: string[] = [];
    for await (const k of db.keys({ gte: 'L/', lt: 'L0' })) logKeys.push(k);
    await db.close();
    assert.ok(logKeys.length >= 3, `${logKeys.length} chunks for 12 MB`);
    s = await open(dir);
    const rows = [...s.scan(layout.id, s.snapshot())].flatMap((b) => b.rows);
    assert.deepEqual(rows.map((r) => r[0]), range(0, 3000));
    assert.equal((rows[2999][1] as Float32Array)[1023], 2999);
    await s.seal();
    await s.close();
    s = await open(dir);
    assert.equal([...s.scan(layout.id, s.snapshot())].reduce((n, b) => n + b.rows.length, 0), 3000);
    await s.close();
  });
});

test('sealed segments\' deleted-position bitmaps: an older snapshot still sees rows deleted after it; a newer one does not; a delete in the transaction hides its row', async () => {
  await withDir(async (dir) => {
    const s = await open(dir);
    await createItems(s);
    await insertCommitted(s, range(0, 100).map((i) => item(i)));
    await s.seal(LAYOUT.id);
    const visibleIds = (snap: Snapshot, txn?: Transaction) => {
      const [seg] = s.searchSegments(LAYOUT.id, snap, txn);
      const m = seg.matchBitmap!(2, null, 10);
      const ids = [...seg.visibleRows()].map((r) => Number(r.row[0]));
      return { count: m.count, bits: m.bits ? range(0, seg.length).filter((p) => (m.bits![p >> 3] >> (p & 7)) & 1).length : seg.length, ids };
    };
    const deleteIds = async (ids: number[]) => {
      const txn = s.begin();
      txn.delete(LAYOUT.id, scanAll(s).ids.filter((_, i) => ids.includes(Number(scanAll(s).rows[i][0]))));
      await txn.commit();
    };
    assert.deepEqual(visibleIds(s.snapshot()).count, 100); // made with no tombstone
    await deleteIds([3, 4]);
    const old = s.snapshot();
    const release = s.retain(old);
    await deleteIds([5, 6, 7]); // noted in the made bitmap one by one
    const now = visibleIds(s.snapshot());
    assert.equal(now.count, 95);
    assert.equal(now.bits, 95);
    assert.deepEqual(now.ids.filter((i) => i >= 3 && i <= 7), []);
    const then = visibleIds(old);
    assert.equal(then.count, 98, 'deletes after the snapshot leave their rows visible to it');
    assert.equal(then.bits, 98);
    assert.deepEqual(then.ids.filter((i) => i >= 3 && i <= 7), [5, 6, 7]);
    // the transaction's own delete, not committed
    const txn = s.begin();
    const target = scanAll(s).ids[scanAll(s).rows.findIndex((r) => Number(r[0]) === 10)];
    txn.delete(LAYOUT.id, [target]);
    assert.equal(visibleIds(s.snapshot(), txn).count, 94);
    assert.equal(visibleIds(s.snapshot()).count, 95);
    await txn.rollback();
    release();
    await s.close();
  });
});
