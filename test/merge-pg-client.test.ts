/**
 * MERGE through node-postgres: $n parameters in the extended protocol (a named statement run
 * again with other values), the command tag (`MERGE n`: rows inserted + updated + deleted),
 * 21000 undoing the whole statement, and vectors a MERGE wrote found by an HNSW search.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startQuiver } from './support/server.js';

test('MERGE: parameters, command tag, errors and vectors through node-postgres', { timeout: 120000 }, async (t) => {
  if (process.env.QUIVER_TEST_PORT) return t.skip('needs its own server process');
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-merge-'));
  const server = await startQuiver({ dataDir });
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    await c.query('CREATE TABLE stock (item int PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0))');
    await c.query('INSERT INTO stock VALUES (1, 10), (2, 5)');
    const upsert = {
      name: 'merge_stock',
      text: `MERGE INTO stock s USING (SELECT $1::int AS item, $2::int AS delta) d ON s.item = d.item
             WHEN MATCHED AND s.qty + d.delta = 0 THEN DELETE
             WHEN MATCHED THEN UPDATE SET qty = s.qty + d.delta
             WHEN NOT MATCHED AND d.delta > 0 THEN INSERT VALUES (d.item, d.delta)
             WHEN NOT MATCHED THEN DO NOTHING`,
    };
    const run = async (item: number, delta: number) => {
      const r = await c.query({ ...upsert, values: [item, delta] });
      return `${r.command} ${r.rowCount}`;
    };
    assert.equal(await run(1, 3), 'MERGE 1');
    assert.equal(await run(3, 7), 'MERGE 1');
    assert.equal(await run(4, -1), 'MERGE 0');
    assert.equal(await run(2, -5), 'MERGE 1');
    assert.deepEqual((await c.query('SELECT item, qty FROM stock ORDER BY item')).rows, [{ item: 1, qty: 13 }, { item: 3, qty: 7 }]);
    // a CHECK violation undoes the whole statement (the rows before it too)
    await assert.rejects(
      c.query('MERGE INTO stock s USING (VALUES (1, 1), (5, 5), (3, -100)) d(item, delta) ON s.item = d.item WHEN MATCHED THEN UPDATE SET qty = s.qty + d.delta WHEN NOT MATCHED THEN INSERT VALUES (d.item, d.delta)'),
      (e: pg.DatabaseError) => e.code === '23514',
    );
    // a target row joined by two source rows and changed twice
    await assert.rejects(
      c.query('MERGE INTO stock s USING (VALUES ($1::int), ($1::int)) d(item) ON s.item = d.item WHEN MATCHED THEN UPDATE SET qty = s.qty + 1', [1]),
      (e: pg.DatabaseError) => e.code === '21000' && e.message === 'MERGE command cannot affect row a second time' && e.hint === 'Ensure that not more than one source row matches any one target row.',
    );
    assert.deepEqual((await c.query('SELECT item, qty FROM stock ORDER BY item')).rows, [{ item: 1, qty: 13 }, { item: 3, qty: 7 }]);

    // vectors written by MERGE are found through the HNSW index
    await c.query('CREATE TABLE emb (id int PRIMARY KEY, e vector(3))');
    await c.query('CREATE INDEX ON emb USING hnsw (e vector_l2_ops)');
    const values = Array.from({ length: 200 }, (_, i) => `(${i}, '[${i},${i % 7},1]')`).join(',');
    const merged = await c.query(`MERGE INTO emb USING (VALUES ${values}) s(id, e) ON emb.id = s.id WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.e::vector)`);
    assert.equal(merged.rowCount, 200);
    const r2 = await c.query({ text: 'MERGE INTO emb USING (SELECT $1::int AS id, $2::vector AS e) s ON emb.id = s.id WHEN MATCHED THEN UPDATE SET e = s.e', values: [42, '[1000,1000,1000]'] });
    assert.equal(`${r2.command} ${r2.rowCount}`, 'MERGE 1');
    await c.query('SET enable_seqscan = off');
    const plan = (await c.query("EXPLAIN SELECT id FROM emb ORDER BY e <-> '[1000,1000,1000]' LIMIT 1")).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /hnsw/i);
    assert.deepEqual((await c.query("SELECT id FROM emb ORDER BY e <-> '[1000,1000,1000]' LIMIT 1")).rows, [{ id: 42 }]);
    assert.deepEqual((await c.query("SELECT id FROM emb ORDER BY e <-> '[150,3,1]' LIMIT 1")).rows, [{ id: 150 }]);
  } finally {
    await c.end();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
