/**
 * An autocommit DDL statement whose catalog save a full disk refuses (53100) is undone in
 * memory as well as on disk: the session and the server after a restart see the catalog as
 * it was before — not only for CREATE (which was undone before), but for RENAME, ALTER and
 * DROP, and storage's keys and indexes follow (ddl-dispatch.ts undoStatement,
 * ddl/storage-undo.ts). The refusal is made by the catalog save itself (the tmpfs tests in
 * storage-disk-full.test.ts fill a real file system, where which write fails first varies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { Engine } from '../src/engine/engine.js';
import { SqlError, SqlState } from '../src/errors.js';
import { loadParser } from '../src/sql/parser.js';
import type { Backend } from '../src/wire/backend.js';
import { keys } from '../src/storage/wal.js';

type Session = { run(sql: string): Promise<unknown[][]>; state(sql: string): Promise<string | undefined> };

function sessionOf(s: Backend): Session {
  const run = async (sql: string) => {
    const r = await s.execute(s.prepare(sql, []), []);
    return r.kind === 'rows' ? r.rows : [];
  };
  return {
    run,
    state: async (sql) => {
      try {
        await run(sql);
        return undefined;
      } catch (e) {
        return (e as SqlError).code;
      }
    },
  };
}

/**
 * Open the data directory (again: a restart), with the catalog save refused while `full()`
 * says so; with `logWrites`, every log write that carries a catalog image is refused
 * instead, the way LevelDB reports a full disk (the log's own handling then runs).
 */
async function open(dir: string, full: () => boolean, logWrites = false): Promise<{ s: Session; close(): Promise<void> }> {
  const storage = await DurableStorage.open({ dataDir: dir, background: false });
  if (logWrites) {
    const db = (storage as unknown as { db: { batch(ops: { key: string }[], o: unknown): Promise<void> } }).db;
    const batch = db.batch.bind(db);
    db.batch = async (ops, o) => {
      if (full() && ops.some((op) => op.key === keys.catalog)) throw new Error('IO error: /data/wal/000009.log: No space left on device');
      return batch(ops, o);
    };
  } else {
    const save = storage.saveCatalog.bind(storage);
    storage.saveCatalog = async (image: string) => {
      if (full()) throw new SqlError(SqlState.diskFull, 'could not extend file "catalog": No space left on device', { hint: 'Check free disk space.' });
      return save(image);
    };
  }
  const engine = new Engine(storage);
  const image = storage.loadCatalog();
  if (image) engine.restoreCatalog(image);
  const backend = engine.create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  return {
    s: sessionOf(backend),
    close: async () => {
      backend.close();
      await storage.close();
    },
  };
}

const columns = (s: Session, table: string) =>
  s.run(`SELECT attname FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`).then((r) => r.map((x) => x[0]));
const relations = (s: Session) =>
  s.run(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY relname`).then((r) => r.map((x) => x[0]));

test('RENAME, ALTER and DROP refused at the catalog save leave the catalog and its keys as they were', async () => {
  await loadParser();
  const dir = await mkdtemp(join(tmpdir(), 'quiver-ddl-full-'));
  let full = false;
  let server = await open(dir, () => full);
  try {
    let s = server.s;
    await s.run('CREATE TABLE items (id int, pad text, v vector(2))');
    await s.run('CREATE UNIQUE INDEX items_id ON items (id)');
    await s.run(`INSERT INTO items SELECT i, 'p' || i, ARRAY[i, i]::vector FROM generate_series(1, 100) i`);
    await s.run('CREATE TABLE other (a int)');
    const before = await relations(s);
    assert.deepEqual(before, ['items', 'items_id', 'other']);

    full = true;
    for (const sql of [
      'ALTER TABLE items RENAME COLUMN pad TO padding',
      'ALTER TABLE items RENAME TO renamed',
      'ALTER TABLE items ADD COLUMN z int',
      'ALTER TABLE items DROP COLUMN pad',
      'ALTER INDEX items_id RENAME TO items_key',
      'DROP INDEX items_id',
      'DROP TABLE other',
      'CREATE UNIQUE INDEX items_pad ON items (pad)',
      'CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)',
    ]) {
      assert.equal(await s.state(sql), SqlState.diskFull, sql);
    }
    full = false;

    // the same session sees everything as before, and the unique key still holds
    const check = async (phase: string, rows: number) => {
      assert.deepEqual(await relations(s), before, phase);
      assert.deepEqual(await columns(s, 'items'), ['id', 'pad', 'v'], phase);
      assert.equal(await s.state('INSERT INTO items VALUES (1, \'dup\', \'[0,0]\')'), SqlState.uniqueViolation, phase);
      assert.deepEqual(await s.run('SELECT count(*)::int FROM items'), [[rows]], phase);
      assert.deepEqual(await s.run('SELECT count(*)::int FROM other'), [[0]], phase);
    };
    await check('after the refusals', 100);
    // the refused CREATE UNIQUE INDEX refuses nothing
    await s.run(`INSERT INTO items VALUES (101, 'p1', '[1,1]')`);
    await server.close();
    server = await open(dir, () => false);
    s = server.s;
    await check('after a restart', 101);
    // and each statement works once there is room
    await s.run('ALTER TABLE items RENAME COLUMN pad TO padding');
    await s.run('DROP INDEX items_id');
    await s.run(`INSERT INTO items VALUES (1, 'dup', '[0,0]')`);
    assert.deepEqual(await columns(s, 'items'), ['id', 'padding', 'v']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('GRANT / REVOKE, ALTER DEFAULT PRIVILEGES and role statements refused at the catalog save are undone in memory', async () => {
  await loadParser();
  const dir = await mkdtemp(join(tmpdir(), 'quiver-ddl-full-'));
  let full = false;
  let server = await open(dir, () => full);
  try {
    let s = server.s;
    await s.run('CREATE TABLE items (id int)');
    await s.run('CREATE ROLE reader');
    const acls = () => s.run(`SELECT (SELECT relacl::text FROM pg_class WHERE relname = 'items'), (SELECT proacl::text FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure),
      (SELECT typacl::text FROM pg_type WHERE typname = 'int8'), (SELECT count(*)::int FROM pg_default_acl), (SELECT datacl::text FROM pg_database WHERE datname = 'postgres'),
      (SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname !~ '^pg_')`);
    const before = await acls();
    assert.deepEqual(before, [[null, null, null, 0, null, 'postgres,reader']]);
    full = true;
    for (const sql of [
      'GRANT SELECT ON items TO reader',
      'REVOKE EXECUTE ON FUNCTION abs(integer) FROM PUBLIC',
      'REVOKE USAGE ON TYPE int8 FROM PUBLIC',
      'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader',
      'GRANT CONNECT ON DATABASE postgres TO reader',
      'CREATE ROLE writer',
      'DROP ROLE reader',
    ]) {
      assert.equal(await s.state(sql), SqlState.diskFull, sql);
    }
    full = false;
    assert.deepEqual(await acls(), before, 'after the refusals');
    await server.close();
    server = await open(dir, () => false);
    s = server.s;
    assert.deepEqual(await acls(), before, 'after a restart');
    await s.run('REVOKE EXECUTE ON FUNCTION abs(integer) FROM PUBLIC');
    assert.deepEqual(await s.run(`SELECT proacl::text FROM pg_proc WHERE oid = 'abs(integer)'::regprocedure`), [['{postgres=X/postgres}']]);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a transaction block with DDL commits its rows and its catalog in one write: refused, neither is kept', async () => {
  await loadParser();
  const dir = await mkdtemp(join(tmpdir(), 'quiver-commit-full-'));
  let full = false;
  let server = await open(dir, () => full, true);
  try {
    let s = server.s;
    await s.run('CREATE TABLE base (id int PRIMARY KEY)');
    await s.run('INSERT INTO base VALUES (1)');
    const block = async () => {
      await s.run('BEGIN');
      await s.run('CREATE TABLE fresh (a int)');
      await s.run('INSERT INTO fresh VALUES (1)');
      await s.run('INSERT INTO base VALUES (2)');
      await s.run('ALTER TABLE base ADD COLUMN note text');
      return s.state('COMMIT');
    };
    full = true;
    assert.equal(await block(), SqlState.diskFull);
    full = false;
    const check = async (phase: string) => {
      assert.deepEqual(await relations(s), ['base', 'base_pkey'], phase);
      assert.deepEqual(await columns(s, 'base'), ['id'], phase);
      assert.deepEqual(await s.run('SELECT id FROM base ORDER BY id'), [[1]], phase);
    };
    await check('after the refused COMMIT');
    await server.close();
    server = await open(dir, () => false, true);
    s = server.s;
    await check('after a restart');
    // with room, the same block commits whole
    assert.equal(await block(), undefined);
    await server.close();
    server = await open(dir, () => false, true);
    s = server.s;
    assert.deepEqual(await relations(s), ['base', 'base_pkey', 'fresh']);
    assert.deepEqual(await columns(s, 'base'), ['id', 'note']);
    assert.deepEqual(await s.run('SELECT id FROM base ORDER BY id'), [[1], [2]]);
    assert.deepEqual(await s.run('SELECT a FROM fresh'), [[1]]);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
