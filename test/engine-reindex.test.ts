/**
 * REINDEX builds vector index files again: of a partition named alone (its copy of the
 * parent's index), of every index in the database (a partition's own index too, each once),
 * and the index is searched through after.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-reindex-'));
let server: QuiverServer;
let client: pg.Client;

before(async () => {
  server = await startQuiver({ dataDir });
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await client.connect();
  await client.query('CREATE TABLE rp (id int, v vector(3)) PARTITION BY RANGE (id)');
  await client.query('CREATE TABLE rp1 PARTITION OF rp FOR VALUES FROM (0) TO (500)');
  await client.query('CREATE TABLE rp2 PARTITION OF rp FOR VALUES FROM (500) TO (1000)');
  await client.query("INSERT INTO rp SELECT g, ARRAY[g % 13, g % 7, g % 5]::vector FROM generate_series(0, 999) g");
  await client.query('CREATE INDEX rp_v ON rp USING hnsw (v vector_l2_ops)');
  await client.query('CREATE INDEX rp2_own ON rp2 USING hnsw (v vector_cosine_ops)');
});

after(async () => {
  await client?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** index file name → modification time, for the files of one table */
async function indexFiles(table: string): Promise<Map<string, number>> {
  const oid = Number((await client.query(`SELECT '${table}'::regclass::oid AS oid`)).rows[0].oid);
  const dir = join(dataDir, 'segments');
  const files = readdirSync(dir).filter((f) => f.startsWith(`t${oid}-`) && !f.endsWith('.arrow'));
  return new Map(files.map((f) => [f, statSync(join(dir, f)).mtimeMs]));
}

function rebuilt(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after].filter(([f, t]) => before.has(f) ? t > before.get(f)! : true).map(([f]) => f);
}

test('REINDEX TABLE of a partition rebuilds its copy of the parent index, and only that table', async () => {
  const [p1, p2] = [await indexFiles('rp1'), await indexFiles('rp2')];
  assert.ok(p1.size > 0 && p2.size > 0);
  await new Promise((r) => setTimeout(r, 20));
  await client.query('REINDEX TABLE rp1');
  assert.deepEqual(rebuilt(p1, await indexFiles('rp1')).length, p1.size);
  assert.deepEqual(rebuilt(p2, await indexFiles('rp2')), []);
});

test('REINDEX DATABASE rebuilds every vector index, a partition\'s own included', async () => {
  const [p1, p2] = [await indexFiles('rp1'), await indexFiles('rp2')];
  await new Promise((r) => setTimeout(r, 20));
  await client.query(`REINDEX DATABASE ${TEST_DATABASE}`);
  assert.equal(rebuilt(p1, await indexFiles('rp1')).length, p1.size);
  assert.equal(rebuilt(p2, await indexFiles('rp2')).length, p2.size);
  // a 500-row segment is ranked exactly at the default breadth (cheaper than the walk):
  // a breadth of 1 makes the walk the cheaper plan, so the rebuilt index answers
  await client.query('SET hnsw.ef_search = 1');
  const plan = (await client.query("EXPLAIN ANALYZE SELECT id FROM rp2 ORDER BY v <=> '[1,2,3]' LIMIT 3")).rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Segments: 1 via index/);
});
