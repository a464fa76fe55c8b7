/**
 * pg_relation_size, pg_table_size, pg_indexes_size, pg_total_relation_size and
 * pg_database_size report the bytes of Quiver's files: a table's sealed segment files (plus
 * the rows not sealed yet), each vector index's files. psql's \dt+, \di+ and \l+ read them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-relation-size-'));
let server: QuiverServer;
let client: pg.Client;

before(async () => {
  server = await startQuiver({ dataDir });
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await client.connect();
});

after(async () => {
  await client?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** bytes of the segment files whose names match */
function filesBytes(match: RegExp): number {
  const dir = join(dataDir, 'segments');
  return readdirSync(dir).filter((f) => match.test(f)).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

async function sizes(): Promise<Record<string, number | null>> {
  const r = await client.query(`SELECT pg_relation_size('sz') AS rel, pg_table_size('sz') AS tab, pg_indexes_size('sz') AS idx,
      pg_total_relation_size('sz') AS total, pg_relation_size('sz_hnsw') AS hnsw, pg_relation_size('sz_pkey') AS pkey`);
  return Object.fromEntries(Object.entries(r.rows[0]).map(([k, v]) => [k, v === null ? null : Number(v)]));
}

test('table and vector index sizes are the sizes of their files', async () => {
  await client.query('CREATE TABLE sz (id int PRIMARY KEY, v vector(32))');
  const rows = Array.from({ length: 2000 }, (_, i) => `(${i}, '[${Array.from({ length: 32 }, (_, d) => ((i * 31 + d * 7) % 101) / 101).join(',')}]')`);
  await client.query(`INSERT INTO sz VALUES ${rows.join(',')}`);
  const unsealed = Number((await client.query("SELECT pg_relation_size('sz') AS n")).rows[0].n);
  assert.ok(unsealed > 2000 * 32 * 4, `rows not sealed yet count too (${unsealed})`);

  await client.query('CREATE INDEX sz_hnsw ON sz USING hnsw (v vector_l2_ops)'); // seals the rows
  const oid = Number((await client.query("SELECT 'sz'::regclass::oid AS oid")).rows[0].oid);
  const s = await sizes();
  const tableFiles = filesBytes(new RegExp(`^t${oid}-s\\d+\\.arrow$`));
  const indexFiles = filesBytes(new RegExp(`^t${oid}-s\\d+\\.sz_hnsw\\.`));
  assert.ok(tableFiles > 0 && indexFiles > 0);
  assert.deepEqual(s, { rel: tableFiles, tab: tableFiles, idx: indexFiles, total: tableFiles + indexFiles, hnsw: indexFiles, pkey: 0 });

  const db = Number((await client.query('SELECT pg_database_size(current_database()) AS n')).rows[0].n);
  assert.ok(db >= s.total!, `database ${db} ≥ table ${s.total}`);

  await client.query('DROP INDEX sz_hnsw');
  const after = await sizes().catch(() => undefined);
  assert.equal(after, undefined, 'sz_hnsw no longer resolves as a regclass');
  const r = await client.query("SELECT pg_indexes_size('sz') AS idx, pg_total_relation_size('sz') AS total");
  assert.equal(Number(r.rows[0].idx), 0);
  assert.equal(Number(r.rows[0].total), tableFiles);
});

test('partitioned parents and views have no files; an unknown OID is NULL; another fork is 0', async () => {
  await client.query('CREATE TABLE szp (id int, v vector(3)) PARTITION BY RANGE (id)');
  await client.query('CREATE TABLE szp1 PARTITION OF szp FOR VALUES FROM (0) TO (10)');
  await client.query("INSERT INTO szp VALUES (1, '[1,2,3]')");
  await client.query('CREATE VIEW szv AS SELECT 1 AS one');
  const r = await client.query(`SELECT pg_total_relation_size('szp') AS parent, pg_relation_size('szp1') > 0 AS leaf,
      pg_relation_size('szv') AS view, pg_relation_size(0) AS none, pg_relation_size('szp1', 'fsm') AS fsm,
      pg_database_size('no_such_database') AS nodb`);
  assert.deepEqual(r.rows[0], { parent: '0', leaf: true, view: '0', none: null, fsm: '0', nodb: null });
});
