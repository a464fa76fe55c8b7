/**
 * A DDL statement outside a transaction block whose catalog save a full disk refuses (53100)
 * leaves the catalog as it found it, as its rollback would in PostgreSQL: ALTER, DROP,
 * RENAME, DROP INDEX and GRANT are put back in memory (and their storage kept), so the
 * session, the next save and a restart all see the old definitions. The storage here
 * refuses exactly the catalog saves the test asks it to, with the error a full disk gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { diskFullError } from '../src/storage/disk-full.js';
import { Engine } from '../src/engine/engine.js';
import { loadParser } from '../src/sql/parser.js';
import type { Backend, ExecResult } from '../src/wire/backend.js';
import type { Value } from '../src/types/types.js';

/** A server's storage and engine on `dir`, whose catalog saves fail while `full` is set. */
async function open(dir: string) {
  const storage = await DurableStorage.open({ dataDir: dir, background: false });
  const state = { full: false, refused: 0 };
  const save = storage.saveCatalog.bind(storage);
  storage.saveCatalog = async (image: string) => {
    if (state.full) {
      state.refused++;
      throw diskFullError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), dir, join(dir, 'wal'));
    }
    return save(image);
  };
  const engine = new Engine(storage);
  const image = storage.loadCatalog();
  if (image) engine.restoreCatalog(image);
  const session: Backend = engine.create();
  session.startup({ user: 'postgres', database: 'postgres' });
  const run = async (sql: string): Promise<ExecResult> => session.execute(session.prepare(sql, []), []);
  const rows = async (sql: string): Promise<Value[][]> => {
    const r = await run(sql);
    assert.equal(r.kind, 'rows', sql);
    return (r as Extract<ExecResult, { kind: 'rows' }>).rows;
  };
  const close = async () => {
    session.close();
    await engine.stopBackground();
    await storage.close();
  };
  return { state, run, rows, close };
}

test('ALTER, DROP, RENAME, DROP INDEX and GRANT refused at the catalog save are undone in memory', async () => {
  await loadParser();
  const dir = await mkdtemp(join(tmpdir(), 'quiver-refused-save-'));
  let db = await open(dir);
  try {
    await db.run('CREATE TABLE rs_items (id int PRIMARY KEY, label text, v vector(2))');
    await db.run('CREATE UNIQUE INDEX rs_label ON rs_items (label)');
    await db.run(`INSERT INTO rs_items VALUES (1, 'a', '[1,2]'), (2, 'b', '[3,4]')`);
    await db.run('CREATE TABLE rs_gone (x int)');
    await db.run('INSERT INTO rs_gone VALUES (7)');
    await db.run('CREATE ROLE rs_reader');
    const definition = 'SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = \'rs_items\'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum';
    const columnsBefore = await db.rows(definition);

    db.state.full = true;
    const refused = [
      'ALTER TABLE rs_items RENAME TO rs_renamed',
      'ALTER TABLE rs_items RENAME COLUMN label TO title',
      'ALTER TABLE rs_items ADD COLUMN extra int',
      'ALTER TABLE rs_items DROP COLUMN v',
      'ALTER TABLE rs_items ALTER COLUMN label SET NOT NULL',
      'DROP INDEX rs_label',
      'DROP TABLE rs_gone',
      'COMMENT ON TABLE rs_items IS \'refused\'',
      'GRANT SELECT ON rs_items TO rs_reader',
      'REVOKE EXECUTE ON FUNCTION abs(integer) FROM PUBLIC',
    ];
    for (const sql of refused) {
      await assert.rejects(db.run(sql), (e: Error & { code?: string }) => e.code === '53100' && /No space left on device/.test(e.message), sql);
    }
    assert.equal(db.state.refused, refused.length, 'each statement tried to save the catalog');
    // nothing of them shows in this session
    assert.deepEqual(await db.rows(definition), columnsBefore);
    assert.deepEqual(await db.rows('SELECT id, label FROM rs_items ORDER BY id'), [[1, 'a'], [2, 'b']]);
    assert.deepEqual(await db.rows('SELECT x FROM rs_gone'), [[7]]);
    assert.deepEqual(await db.rows(`SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'rs_items'::regclass ORDER BY 1`), [['rs_items_pkey'], ['rs_label']]);
    assert.deepEqual(await db.rows(`SELECT relacl, obj_description('rs_items'::regclass) FROM pg_class WHERE relname = 'rs_items'`), [[null, null]]);
    assert.deepEqual(await db.rows(`SELECT proacl FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure`), [[null]]);
    // the dropped index's storage is still there: it still refuses a duplicate label
    await assert.rejects(db.run(`INSERT INTO rs_items VALUES (3, 'a', '[5,6]')`), (e: Error & { code?: string }) => e.code === '23505');

    // once space is back the same statements go through, and a restart sees them
    db.state.full = false;
    await db.run('ALTER TABLE rs_items RENAME COLUMN label TO title');
    await db.run('DROP TABLE rs_gone');
    await db.run('DROP INDEX rs_label');
    await db.run(`INSERT INTO rs_items VALUES (3, 'a', '[5,6]')`);
    await db.close();
    db = await open(dir);
    assert.deepEqual(await db.rows('SELECT id, title FROM rs_items ORDER BY id'), [[1, 'a'], [2, 'b'], [3, 'a']]);
    await assert.rejects(db.run('SELECT x FROM rs_gone'), (e: Error & { code?: string }) => e.code === '42P01');
  } finally {
    await db.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});

test('a refused save after a storage-changing ALTER keeps the old table readable, and a failing DROP of two tables drops neither', async () => {
  await loadParser();
  const dir = await mkdtemp(join(tmpdir(), 'quiver-refused-save-'));
  const db = await open(dir);
  try {
    await db.run('CREATE TABLE rs_t (id int, n text)');
    await db.run(`INSERT INTO rs_t VALUES (1, '10'), (2, '20')`);
    db.state.full = true;
    // a rewrite into new storage under a new OID: the catalog points at the old one again
    await assert.rejects(db.run('ALTER TABLE rs_t ALTER COLUMN n TYPE int USING n::int'), (e: Error & { code?: string }) => e.code === '53100');
    await assert.rejects(db.run('ALTER TABLE rs_t ADD CONSTRAINT rs_t_id UNIQUE (id)'), (e: Error & { code?: string }) => e.code === '53100');
    db.state.full = false;
    assert.deepEqual(await db.rows(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'rs_t'::regclass AND attname = 'n'`), [['text']]);
    assert.deepEqual(await db.rows('SELECT id, n FROM rs_t ORDER BY id'), [[1, '10'], [2, '20']]);
    // the refused UNIQUE left no key behind in storage: a duplicate id goes in
    await db.run(`INSERT INTO rs_t VALUES (1, '30')`);
    // outside a block a statement is atomic: DROP TABLE rs_t, nosuch drops nothing
    await assert.rejects(db.run('DROP TABLE rs_t, rs_nosuch'), (e: Error & { code?: string }) => e.code === '42P01');
    assert.deepEqual(await db.rows('SELECT count(*) FROM rs_t'), [[3n]]);
  } finally {
    await db.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
});
