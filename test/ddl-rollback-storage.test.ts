/**
 * ROLLBACK of index DDL takes back storage's side too (src/engine/ddl/storage-undo.ts):
 * a rolled-back DROP INDEX leaves a unique index that is still enforced and an HNSW index
 * that is still searched (and built for segments sealed later), a rolled-back CREATE UNIQUE
 * INDEX refuses nothing, a rolled-back HNSW index is not built at seal, and ALTER TABLE's
 * keys come and go with the transaction. Each holds after a restart as well.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, type QuiverServer } from './support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-ddl-rollback-'));
let server: QuiverServer;
let client: pg.Client;

async function connect(): Promise<void> {
  server = await startQuiver({ dataDir });
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
}

async function restart(): Promise<void> {
  await client.end();
  await server.stop();
  await connect();
}

before(connect);
after(async () => {
  await client.end();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function sqlState(sql: string): Promise<string | undefined> {
  try {
    await client.query(sql);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

/** HNSW index files of `index` in the data directory */
const indexFiles = (index: string) => readdirSync(join(dataDir, 'segments')).filter((f) => f.endsWith(`.${index}.usearch`));

/** How many sealed segments the k-NN query searched through `index` (EXPLAIN ANALYZE). */
async function searchedViaIndex(table: string): Promise<number> {
  const { rows } = await client.query(`EXPLAIN ANALYZE SELECT id FROM ${table} ORDER BY v <-> '[3,3]' LIMIT 2`);
  const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  const m = /Segments: (\d+) via index/.exec(plan);
  assert.ok(m, plan);
  return Number(m[1]);
}

async function fillAndSeal(table: string, from: number, to: number): Promise<void> {
  await client.query(`INSERT INTO ${table} SELECT i, ARRAY[i, i]::vector FROM generate_series(${from}, ${to}) i`);
  await client.query(`VACUUM ${table}`);
}

test('a rolled-back DROP INDEX leaves its unique index enforced', async () => {
  await client.query('CREATE TABLE u (id int)');
  await client.query('CREATE UNIQUE INDEX u_id ON u (id)');
  await client.query('INSERT INTO u VALUES (1)');
  await client.query('BEGIN');
  await client.query('DROP INDEX u_id');
  await client.query('ROLLBACK');
  assert.equal(await sqlState('INSERT INTO u VALUES (1)'), '23505');
  await restart();
  assert.equal(await sqlState('INSERT INTO u VALUES (1)'), '23505');
  assert.deepEqual((await client.query('SELECT id FROM u')).rows, [{ id: 1 }]);
});

test('a rolled-back CREATE UNIQUE INDEX refuses nothing', async () => {
  await client.query('CREATE TABLE w (id int)');
  await client.query('BEGIN');
  await client.query('CREATE UNIQUE INDEX w_id ON w (id)');
  await client.query('ROLLBACK');
  await client.query('INSERT INTO w VALUES (1), (1)');
  await restart();
  await client.query('INSERT INTO w VALUES (1)');
  assert.equal((await client.query('SELECT count(*)::int AS n FROM w')).rows[0].n, 3);
});

test('ALTER TABLE ADD / DROP CONSTRAINT rolled back: the keys are as before', async () => {
  await client.query('CREATE TABLE a (id int CONSTRAINT a_id UNIQUE, x int)');
  await client.query('INSERT INTO a VALUES (1, 1)');
  await client.query('BEGIN');
  await client.query('ALTER TABLE a DROP CONSTRAINT a_id');
  await client.query('ALTER TABLE a ADD CONSTRAINT a_x UNIQUE (x)');
  await client.query('ROLLBACK');
  assert.equal(await sqlState('INSERT INTO a VALUES (1, 2)'), '23505');
  await client.query('INSERT INTO a VALUES (2, 1)');
  await restart();
  assert.equal(await sqlState('INSERT INTO a VALUES (1, 3)'), '23505');
  await client.query('INSERT INTO a VALUES (3, 1)');
});

test('a rolled-back DROP INDEX of an HNSW index: still searched, and built for later segments', async () => {
  await client.query('CREATE TABLE t (id int, v vector(2))');
  await client.query('CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops)');
  await fillAndSeal('t', 1, 5000);
  assert.ok(await searchedViaIndex('t') >= 1);
  await client.query('BEGIN');
  await client.query('DROP INDEX t_v');
  await client.query('ROLLBACK');
  assert.ok(await searchedViaIndex('t') >= 1);
  await fillAndSeal('t', 5001, 10000);
  assert.ok(indexFiles('t_v').length >= 1);
  await restart();
  assert.ok(await searchedViaIndex('t') >= 1);
  assert.deepEqual((await client.query(`SELECT id FROM t ORDER BY v <-> '[3.1,3.1]' LIMIT 2`)).rows.map((r) => r.id), [3, 4]);
});

test('a rolled-back CREATE INDEX … USING hnsw is not built when segments seal', async () => {
  await client.query('CREATE TABLE r (id int, v vector(2))');
  await client.query('BEGIN');
  await client.query('CREATE INDEX r_v ON r USING hnsw (v vector_l2_ops)');
  await client.query('ROLLBACK');
  await fillAndSeal('r', 1, 5000);
  assert.deepEqual(indexFiles('r_v'), []);
  assert.deepEqual((await client.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'r'`)).rows, []);
});
