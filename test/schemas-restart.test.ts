/**
 * User schemas are durable: they travel in the catalog image, so a server killed with -9
 * right after the statements were acknowledged comes back with its schemas (owners, ACLs,
 * default privileges), the objects in them (same table name in two schemas, views,
 * sequences, functions, rows), a renamed schema under its new name, and without the
 * schemas that were dropped or whose transaction rolled back. Also the parsing of
 * search_path (src/catalog/schemas.ts) on its own.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';
import { parseSearchPath } from '../src/catalog/schemas.js';

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

test('search_path parsing: $user, quoted names keep their case, duplicates go', () => {
  assert.deepEqual(parseSearchPath('"$user", public', 'alice'), ['alice', 'public']);
  assert.deepEqual(parseSearchPath('S1, "S2",public , s1', 'x'), ['s1', 'S2', 'public']);
  assert.deepEqual(parseSearchPath('"a""b", ""', 'x'), ['a"b']);
  assert.deepEqual(parseSearchPath('', 'x'), []);
});

test('schemas and their objects survive a kill -9 and restart', { timeout: 60_000 }, async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-schemas-'));
  const first = await startQuiver({ dataDir });
  started.push(first);
  const c = await client(first);
  try {
    for (const sql of [
      'CREATE ROLE rs_reader',
      'CREATE SCHEMA rs_a',
      'CREATE TABLE rs_a.items (id serial PRIMARY KEY, label text, embedding vector(2))',
      "INSERT INTO rs_a.items (label, embedding) VALUES ('a1', '[1,1]'), ('a2', '[2,2]')",
      'CREATE VIEW rs_a.labels AS SELECT id, label FROM rs_a.items',
      'CREATE SEQUENCE rs_a.counter START 100',
      "SELECT nextval('rs_a.counter')",
      "CREATE FUNCTION rs_a.twice(x int) RETURNS int LANGUAGE sql AS 'SELECT 2 * x'",
      'GRANT USAGE ON SCHEMA rs_a TO rs_reader',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA rs_a GRANT SELECT ON TABLES TO rs_reader',
      'CREATE SCHEMA rs_b AUTHORIZATION rs_reader',
      'CREATE TABLE rs_b.items (id int PRIMARY KEY, note text)',
      "INSERT INTO rs_b.items VALUES (7, 'b7')",
      'ALTER SCHEMA rs_b RENAME TO rs_c',
      'CREATE SCHEMA rs_gone CREATE TABLE t (a int)',
      'DROP SCHEMA rs_gone CASCADE',
      'BEGIN', 'CREATE SCHEMA rs_rolled', 'CREATE TABLE rs_rolled.t (a int)', 'ROLLBACK',
      'BEGIN', 'CREATE SCHEMA rs_tx', 'CREATE TABLE rs_tx.t (a int)', 'INSERT INTO rs_tx.t VALUES (1), (2)', 'COMMIT',
    ]) await c.query(sql);
  } finally {
    await c.end();
  }
  await first.crash();

  const second = await startQuiver({ dataDir });
  started.push(second);
  const d = await client(second);
  try {
    assert.deepEqual(await rows(d, "SELECT nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname LIKE 'rs\\_%' ORDER BY 1"), [
      ['rs_a', 'postgres', '{postgres=UC/postgres,rs_reader=U/postgres}'],
      ['rs_c', 'rs_reader', null],
      ['rs_tx', 'postgres', null],
    ]);
    assert.deepEqual(await rows(d, 'SELECT id, label, embedding::text FROM rs_a.items ORDER BY id'), [[1, 'a1', '[1,1]'], [2, 'a2', '[2,2]']]);
    assert.deepEqual(await rows(d, 'SELECT * FROM rs_c.items'), [[7, 'b7']]);
    assert.deepEqual(await rows(d, 'SELECT a FROM rs_tx.t ORDER BY a'), [[1], [2]]);
    assert.deepEqual(await rows(d, 'SELECT label FROM rs_a.labels ORDER BY id'), [['a1'], ['a2']]);
    assert.deepEqual(await rows(d, 'SELECT rs_a.twice(21)'), [[42]]);
    // the sequence resumes after the value handed out; the serial column's default still finds its sequence
    assert.ok(Number((await rows(d, "SELECT nextval('rs_a.counter')"))[0]![0]) > 100);
    assert.deepEqual(await rows(d, "INSERT INTO rs_a.items (label) VALUES ('a3') RETURNING id"), [[3]]);
    assert.deepEqual(await rows(d, "SELECT has_schema_privilege('rs_reader', 'rs_a', 'USAGE'), has_schema_privilege('rs_reader', 'rs_a', 'CREATE')"), [[true, false]]);
    assert.deepEqual(await rows(d, 'SELECT defaclnamespace::regnamespace::text, defaclobjtype, defaclacl::text FROM pg_default_acl'), [['rs_a', 'r', '{rs_reader=r/postgres}']]);
    // relnamespace points at the schema each table is in
    assert.deepEqual(await rows(d, "SELECT c.relname, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'items' ORDER BY 2"), [['items', 'rs_a'], ['items', 'rs_c']]);
    for (const gone of ['rs_b', 'rs_gone', 'rs_rolled']) {
      await assert.rejects(d.query(`CREATE TABLE ${gone}.x (a int)`), { code: '3F000', message: `schema "${gone}" does not exist` });
    }
    await d.query('SET search_path = rs_c, rs_a');
    assert.deepEqual(await rows(d, 'SELECT current_schemas(false)::text, (SELECT count(*) FROM items)::int'), [['{rs_c,rs_a}', 1]]);
    await d.query('RESET search_path');
    await d.query('DROP SCHEMA rs_a, rs_c, rs_tx CASCADE');
    await d.query('DROP ROLE rs_reader');
  } finally {
    await d.end();
  }
});
