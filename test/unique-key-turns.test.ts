/**
 * Adding a unique key to a big table (CREATE UNIQUE INDEX, ADD PRIMARY KEY) indexes its rows
 * a step at a time between turns of the event loop (DurableStorage.addUniqueKey), where it
 * held the loop for the whole table in one piece. It stays all-or-nothing: no reader or
 * commit sees the key half-built, a duplicate found at the end leaves no key (23505 through
 * the engine), a commit started meanwhile waits and is checked against the finished key, and
 * the key survives a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { UniqueViolation } from '../src/storage/api.js';
import { OID, type Row } from '../src/types/types.js';
import { blocking } from './support/event-loop-blocks.js';
import { openEngineSession } from './support/engine-session.js';
import { fillSealedDeletedGrowing } from './support/storage-fill.js';

const TABLE = 16900;
const SEALED = 200_000;
const GROWING = 40_000;
const DELETED = 20_000;
/** no piece may be this share of the build's time or more (the old code: 1.0, one piece) */
const SHARE = 0.25;
const LAYOUT = {
  id: TABLE,
  columns: [
    { name: 'id', type: { oid: OID.int8, typmod: -1 } },
    { name: 'label', type: { oid: OID.text, typmod: -1 } },
  ],
};

const rows = (from: number, to: number, label = (i: number) => `row ${i}`): Row[] =>
  Array.from({ length: to - from }, (_, k) => [BigInt(from + k), label(from + k)]);

async function withTable(fn: (s: DurableStorage, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-unique-key-turns-'));
  let s = await DurableStorage.open({ dataDir: dir, background: false });
  try {
    await s.createTable(LAYOUT);
    // tombstones, and rows in the growing segment
    await fillSealedDeletedGrowing(s, TABLE, rows, { sealed: SEALED, deleted: DELETED, growing: GROWING, batch: 10_000 });
    await fn(s, dir);
    await s.close();
    s = await DurableStorage.open({ dataDir: dir, background: false });
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a unique key over 240,000 rows is built between turns of the event loop, and put in place whole', async () => {
  await withTable(async (s) => {
    // a deleted row's key is free: a live row with it does not collide
    const reuse = s.begin();
    reuse.insert(TABLE, rows(0, 1));
    await reuse.commit();
    let halfBuilt = false;
    let committed: Promise<unknown> | undefined;
    const built = await blocking(() => s.addUniqueKey(TABLE, { name: 'pk', columns: [0] }), () => {
      // readers never see a key being built
      if (s.lookupUnique(TABLE, 'pk', [BigInt(SEALED + 5)]) !== undefined) halfBuilt = true;
      // a commit of a duplicate key started meanwhile waits for the key, and is refused
      if (!committed) {
        const t = s.begin();
        t.insert(TABLE, rows(SEALED + 7, SEALED + 8, () => 'a second one'));
        committed = t.commit().then(() => 'committed', (e) => e);
      }
    });
    if (process.env.SHOW_SHARE) console.log(JSON.stringify({ share: built.share, longest: built.longest, total: built.total, turns: built.turns }));
    assert.equal(halfBuilt, false, 'a reader saw the key before it was complete');
    assert.ok(built.share < SHARE, `the build held the loop ${built.longest.toFixed(1)} ms of ${built.total.toFixed(1)} in one piece (share ${built.share.toFixed(2)})`);
    assert.ok(await committed instanceof UniqueViolation, 'the commit that waited for the key was checked against it');
    assert.notEqual(s.lookupUnique(TABLE, 'pk', [BigInt(SEALED + 5)]), undefined);
    assert.notEqual(s.lookupUnique(TABLE, 'pk', [0n]), undefined);
    assert.equal(s.lookupUnique(TABLE, 'pk', [1n]), undefined, 'a deleted row is not live');
    const dup = s.begin();
    assert.throws(() => dup.insert(TABLE, rows(100_000, 100_001)), UniqueViolation);
  });
});

test('a duplicate found late in a sliced build leaves no key, and the loop was not held meanwhile', async () => {
  await withTable(async (s) => {
    const t = s.begin();
    // a second row with a growing row's key: the last rows the build reaches
    t.insert(TABLE, rows(SEALED + 3, SEALED + 4));
    await t.commit();
    const failed = await blocking(() => s.addUniqueKey(TABLE, { name: 'pk', columns: [0] }).then(() => 'built', (e) => e));
    assert.ok(failed.result instanceof UniqueViolation);
    assert.deepEqual((failed.result as UniqueViolation).values.slice(0, 1), [BigInt(SEALED + 3)]);
    assert.ok(failed.share < SHARE, `held the loop ${failed.longest.toFixed(1)} ms of ${failed.total.toFixed(1)} in one piece`);
    // no key: the same value goes in again, and a lookup finds nothing
    const again = s.begin();
    again.insert(TABLE, rows(SEALED + 3, SEALED + 4));
    await again.commit();
    assert.equal(s.lookupUnique(TABLE, 'pk', [BigInt(SEALED + 3)]), undefined);
  });
});

test('CREATE UNIQUE INDEX over duplicates answers 23505 after a sliced build, and ADD PRIMARY KEY persists', async () => {
  const db = await openEngineSession('quiver-unique-key-turns-engine-');
  try {
    await db.sql('CREATE TABLE t (id int8, label text)');
    await db.sql("INSERT INTO t SELECT i, 'l' || (i % 150000) FROM generate_series(1, 150001) i");
    await assert.rejects(db.sql('CREATE UNIQUE INDEX t_label_key ON t (label)'), (e: { code?: string; message?: string; fields?: { detail?: string } }) => {
      assert.equal(e.code, '23505');
      assert.equal(e.message, 'could not create unique index "t_label_key"');
      assert.equal(e.fields?.detail, 'Key (label)=(l1) is duplicated.');
      return true;
    });
    assert.deepEqual(await db.sql("SELECT count(*) FROM pg_indexes WHERE tablename = 't'"), [[0n]]);
    await db.sql("INSERT INTO t VALUES (0, 'l1')");
    const added = await blocking(() => db.sql('ALTER TABLE t ADD PRIMARY KEY (id)'));
    assert.ok(added.share < 0.5, `ADD PRIMARY KEY held the loop ${added.longest.toFixed(1)} ms of ${added.total.toFixed(1)} in one piece`);
    await db.restart();
    await assert.rejects(db.sql("INSERT INTO t VALUES (7, 'x')"), (e: { code?: string }) => e.code === '23505');
  } finally {
    await db.close();
  }
});

test('statement_timeout stops a CREATE UNIQUE INDEX between its steps: 57014, and no key is left', async () => {
  const db = await openEngineSession('quiver-unique-key-turns-cancel-');
  try {
    await db.sql('CREATE TABLE big (id int8, label text)');
    await db.sql("INSERT INTO big SELECT i, 'l' || i FROM generate_series(1, 400000) i");
    await db.sql("SET statement_timeout = '20ms'");
    await assert.rejects(db.sql('CREATE UNIQUE INDEX big_id_key ON big (id)'), (e: { code?: string }) => e.code === '57014');
    await db.sql('SET statement_timeout = 0');
    assert.deepEqual(await db.sql("SELECT count(*) FROM pg_indexes WHERE tablename = 'big'"), [[0n]]);
    // no key in storage either: a duplicate goes in
    await db.sql("INSERT INTO big VALUES (1, 'again')");
    assert.deepEqual(await db.sql('SELECT count(*) FROM big WHERE id = 1'), [[2n]]);
  } finally {
    await db.close();
  }
});
