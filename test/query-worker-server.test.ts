/**
 * Over the wire: a server with query workers answers vector top-k queries over sealed
 * segments through the workers, with the same rows a server without workers (0) returns
 * on the same data directory — exact k-NN for every operator, with and without filters,
 * and HNSW search without a filter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';

const DIM = 40;
const vectorOf = (i: string) => `ARRAY[${Array.from({ length: DIM }, (_, d) => `sin(${i} * ${d + 1}.37)`).join(', ')}]::vector(${DIM})`;

async function withServer<T>(dataDir: string, queryWorkers: number, fn: (c: pg.Client, s: RunningServer) => Promise<T>): Promise<T> {
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, logger: pino({ level: 'silent' }), queryWorkers });
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return await fn(client, server);
  } finally {
    await client.end();
    await server.close();
  }
}

const QUERIES = [
  ...['<->', '<=>', '<#>', '<+>'].flatMap((op) => [
    `SELECT id FROM plain ORDER BY v ${op} ${vectorOf('7.5')} LIMIT 10`,
    `SELECT id, v ${op} ${vectorOf('3.1')} AS d FROM plain WHERE tag = 4 ORDER BY v ${op} ${vectorOf('3.1')} LIMIT 25`,
  ]),
  `SELECT id FROM plain WHERE id > 2500 ORDER BY v <-> ${vectorOf('11')} LIMIT 5 OFFSET 3`,
  `SELECT id FROM items ORDER BY v <-> ${vectorOf('42.5')} LIMIT 10`,
  // a subplan inside an expression runs synchronously: in-thread, not through the workers
  `SELECT (SELECT id FROM plain ORDER BY v <-> ${vectorOf('5.5')} LIMIT 1) AS nearest`,
  `WITH near AS (SELECT id FROM plain ORDER BY v <=> ${vectorOf('8.25')} LIMIT 3) SELECT * FROM near ORDER BY id`,
];
const FILTERED_ANN = `SELECT id, tag FROM items WHERE tag < 5 ORDER BY v <-> ${vectorOf('9.9')} LIMIT 10`;

test('vector top-k through query workers = without workers, on the same data', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-qw-server-'));
  try {
    const withWorkers = await withServer(dir, 2, async (c, server) => {
      for (const t of ['items', 'plain']) {
        await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, tag int, v vector(${DIM}))`);
        await c.query(`INSERT INTO ${t} SELECT i, i % 10, ${vectorOf('i')} FROM generate_series(1, 3000) i`);
        await c.query(`CREATE INDEX ${t}_v ON ${t} USING hnsw (v vector_l2_ops)`); // seals the rows
        await c.query(`INSERT INTO ${t} SELECT i, i % 10, ${vectorOf('i')} FROM generate_series(3001, 3400) i`);
        await c.query(`DELETE FROM ${t} WHERE id % 13 = 0`);
      }
      await c.query('DROP INDEX plain_v');
      const served = server.queryWorkers!.served;
      const rows = [];
      for (const q of QUERIES) rows.push((await c.query(q)).rows);
      assert.ok(server.queryWorkers!.served > served, 'the workers answered requests');
      const filtered = (await c.query(FILTERED_ANN)).rows;
      assert.equal(filtered.length, 10);
      assert.ok(filtered.every((r) => r.tag < 5));
      return rows;
    });
    const inThread = await withServer(dir, 0, async (c, server) => {
      assert.equal(server.queryWorkers, undefined);
      const rows = [];
      for (const q of QUERIES) rows.push((await c.query(q)).rows);
      return rows;
    });
    QUERIES.forEach((q, i) => assert.deepEqual(withWorkers[i], inThread[i], q.slice(0, 80)));
    assert.ok(withWorkers.every((r) => r.length > 0));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
