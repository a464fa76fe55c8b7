/**
 * ROLLBACK TO SAVEPOINT takes back exactly the DDL after the savepoint, also on disk: a
 * server killed with -9 right after the COMMIT comes back without the undone tables, columns,
 * indexes, views, types, functions, schemas and grants, with the rows of the tables that
 * stayed, and with no index file of a vector index built after the savepoint. psql's
 * ON_ERROR_ROLLBACK (a savepoint around each statement) is run as psql sends it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

const started: QuiverServer[] = [];
let dataDir: string | undefined;
after(async () => {
  for (const s of started) await s.stop().catch(() => {});
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function client(server: QuiverServer): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
}

const rows = async (c: pg.Client, sql: string): Promise<unknown[][]> => (await c.query({ text: sql, rowMode: 'array' })).rows;
const indexFiles = async (dir: string): Promise<string[]> => (await readdir(join(dir, 'segments'))).filter((n) => n.endsWith('.usearch')).sort();

/** psql's ON_ERROR_ROLLBACK: each statement of a block inside its own savepoint, rolled back to when it fails. */
async function psqlOnErrorRollback(c: pg.Client, sql: string): Promise<boolean> {
  await c.query('SAVEPOINT pg_psql_temporary_savepoint');
  try {
    await c.query(sql);
    await c.query('RELEASE pg_psql_temporary_savepoint');
    return true;
  } catch {
    await c.query('ROLLBACK TO pg_psql_temporary_savepoint');
    return false;
  }
}

test('ROLLBACK TO SAVEPOINT undoes the DDL after it, and a kill -9 after COMMIT does not bring it back', { timeout: 120_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-savepoint-ddl-'));
  const first = await startQuiver({ dataDir });
  started.push(first);
  const c = await client(first);
  let filesBefore: string[];
  try {
    await c.query('CREATE TABLE spk_base (id int PRIMARY KEY, e vector(3))');
    await c.query("INSERT INTO spk_base SELECT i, ARRAY[i, i + 1, i + 2]::vector FROM generate_series(1, 300) i");
    await c.query('CREATE ROLE spk_reader');
    filesBefore = await indexFiles(dataDir);
    for (const sql of [
      'BEGIN',
      'CREATE TABLE spk_kept (id int)',
      'SAVEPOINT s1',
      'CREATE TABLE spk_gone (id int PRIMARY KEY, e vector(3))',
      "INSERT INTO spk_gone SELECT i, ARRAY[i, 0, 0]::vector FROM generate_series(1, 50) i",
      'CREATE INDEX spk_gone_e ON spk_gone USING hnsw (e vector_l2_ops)',
      // built over spk_base's sealed rows: its file must go with the rollback
      'CREATE INDEX spk_base_e ON spk_base USING hnsw (e vector_l2_ops)',
      'CHECK-FILES',
      'ALTER TABLE spk_base ADD COLUMN extra int DEFAULT 1',
      'CREATE VIEW spk_view AS SELECT id FROM spk_base',
      'CREATE SEQUENCE spk_seq',
      "CREATE TYPE spk_mood AS ENUM ('a', 'b')",
      'CREATE DOMAIN spk_pos AS int CHECK (VALUE > 0)',
      "CREATE FUNCTION spk_f(int) RETURNS int LANGUAGE sql AS 'SELECT $1'",
      'CREATE SCHEMA spk_schema',
      "COMMENT ON TABLE spk_base IS 'gone'",
      'GRANT SELECT ON spk_base TO spk_reader',
      'DELETE FROM spk_base WHERE id > 200',
      'ROLLBACK TO SAVEPOINT s1',
      'INSERT INTO spk_kept VALUES (1), (2)',
      'SAVEPOINT s2',
      'DROP TABLE spk_base',
      'ROLLBACK TO s2',
      'COMMIT',
    ]) {
      if (sql === 'CHECK-FILES') assert.ok((await indexFiles(dataDir)).length > filesBefore.length, 'the index was built');
      else await c.query(sql);
    }
    // the index built after the savepoint left no file behind
    assert.deepEqual(await indexFiles(dataDir), filesBefore);
    assert.deepEqual(await rows(c, "SELECT relname FROM pg_class WHERE relname LIKE 'spk%' ORDER BY 1"), [['spk_base'], ['spk_base_pkey'], ['spk_kept']]);

    // psql's ON_ERROR_ROLLBACK: the failed statement's DDL goes, the others' stays
    await c.query('BEGIN');
    assert.equal(await psqlOnErrorRollback(c, 'CREATE TABLE spk_psql (id int)'), true);
    assert.equal(await psqlOnErrorRollback(c, 'CREATE TABLE spk_psql (id int)'), false);
    assert.equal(await psqlOnErrorRollback(c, 'ALTER TABLE spk_psql ADD COLUMN a int, ADD COLUMN a text'), false);
    assert.equal(await psqlOnErrorRollback(c, 'ALTER TABLE spk_psql ADD COLUMN b text'), true);
    assert.equal(await psqlOnErrorRollback(c, "INSERT INTO spk_psql VALUES (1, 'x')"), true);
    await c.query('COMMIT');
  } finally {
    await c.end();
  }
  await first.crash();

  const second = await startQuiver({ dataDir });
  started.push(second);
  const d = await client(second);
  try {
    assert.deepEqual(await rows(d, "SELECT relname FROM pg_class WHERE relname LIKE 'spk%' ORDER BY 1"), [['spk_base'], ['spk_base_pkey'], ['spk_kept'], ['spk_psql']]);
    assert.deepEqual(await rows(d, "SELECT typname FROM pg_type WHERE typname IN ('spk_mood', 'spk_pos')"), []);
    assert.deepEqual(await rows(d, "SELECT proname FROM pg_proc WHERE proname = 'spk_f'"), []);
    assert.deepEqual(await rows(d, "SELECT nspname FROM pg_namespace WHERE nspname = 'spk_schema'"), []);
    assert.deepEqual(await rows(d, "SELECT obj_description('spk_base'::regclass, 'pg_class'), relacl FROM pg_class WHERE relname = 'spk_base'"), [[null, null]]);
    assert.deepEqual(await rows(d, "SELECT attname FROM pg_attribute WHERE attrelid = 'spk_base'::regclass AND attnum > 0 ORDER BY attnum"), [['id'], ['e']]);
    assert.deepEqual(await rows(d, 'SELECT count(*)::int, max(id) FROM spk_base'), [[300, 300]]);
    assert.deepEqual(await rows(d, 'SELECT id FROM spk_kept ORDER BY id'), [[1], [2]]);
    assert.deepEqual(await rows(d, 'SELECT * FROM spk_psql'), [[1, 'x']]);
    assert.deepEqual(await indexFiles(dataDir), filesBefore);
    // the undone names are free
    await d.query('CREATE TABLE spk_gone (x text)');
    await d.query('CREATE INDEX spk_base_e ON spk_base USING hnsw (e vector_l2_ops)');
    assert.deepEqual(await rows(d, "SELECT id FROM spk_base ORDER BY e <-> '[5,6,7]' LIMIT 1"), [[5]]);
    await d.query('DROP TABLE spk_gone, spk_kept, spk_psql, spk_base');
    await d.query('DROP ROLE spk_reader');
  } finally {
    await d.end();
  }
});
