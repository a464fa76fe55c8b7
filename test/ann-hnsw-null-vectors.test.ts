/**
 * NULL vectors in HNSW indexes on bit strings and sparse vectors: they are in the graph
 * (as zeros, as empty slots) and may be its nearest nodes to a query, but they sort last,
 * so they must never stand in for the k nearest rows that have a vector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver } from './support/server.js';

test('bit and sparsevec HNSW: NULL vectors near the query do not displace the k nearest rows', { timeout: 120000 }, async (t) => {
  if (process.env.QUIVER_TEST_PORT) return t.skip('needs its own server process');
  const server = await startQuiver();
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    await c.query('CREATE TABLE nv (id int PRIMARY KEY, b bit(8), s sparsevec(8))');
    const bits = (i: number) => ((i * 37) % 255 + 1).toString(2).padStart(8, '0');
    await c.query(`INSERT INTO nv VALUES ${Array.from({ length: 300 }, (_, j) => `(${j + 1}, '${bits(j + 1)}', '{${((j + 1) % 8) + 1}:${1 + ((j + 1) % 5)}}/8')`).join(',')}`);
    await c.query('INSERT INTO nv SELECT i, NULL, NULL FROM generate_series(301, 360) i');
    await c.query('CREATE INDEX ON nv USING hnsw (b bit_hamming_ops)');
    await c.query('CREATE INDEX ON nv USING hnsw (s sparsevec_l2_ops)');
    for (const [col, q] of [['b', "'00000000'"], ['s', "'{1:0.5}/8'"]] as const) {
      const op = col === 'b' ? '<~>' : '<->';
      const got = (await c.query(`SELECT id, ${col} ${op} ${q} AS d FROM nv ORDER BY ${col} ${op} ${q} LIMIT 5`)).rows;
      assert.equal(got.length, 5);
      assert.ok(got.every((r) => r.d !== null), `${col}: ${JSON.stringify(got)}`);
      // the k best distances of an exact scan
      await c.query('SET enable_indexscan = off');
      const exact = (await c.query(`SELECT ${col} ${op} ${q} AS d FROM nv ORDER BY ${col} ${op} ${q} LIMIT 5`)).rows.map((r) => r.d);
      await c.query('RESET enable_indexscan');
      assert.deepEqual(got.map((r) => r.d), exact, col);
    }
  } finally {
    await c.end();
    await server.stop();
  }
});
