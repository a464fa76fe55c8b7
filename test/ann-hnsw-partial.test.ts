/**
 * Partial HNSW indexes (`CREATE INDEX … USING hnsw (e vector_l2_ops) WHERE category_id = 7`):
 * the index holds only the matching rows (its file is a fraction of a full index's), the
 * planner takes it only for a query whose WHERE has the index's conditions (EXPLAIN names
 * it), answers match an exact scan, and rows sealed later and a restart keep it so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const DIM = 16;
const K = 10;

async function plan(c: pg.Client, sql: string): Promise<string> {
  return (await c.query(`EXPLAIN ${sql}`)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
}

const ids = async (c: pg.Client, sql: string) => (await c.query(sql)).rows.map((r: { id: number }) => r.id);

test('partial HNSW index: only matching rows, used only when the WHERE implies its predicate', { timeout: 300000 }, async (t) => {
  if (process.env.QUIVER_TEST_PORT) return t.skip('needs its own server process');
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-hnsw-partial-'));
  let server: QuiverServer | undefined = await startQuiver({ dataDir });
  let c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    const rand = seededRandom(3);
    const vec = () => `[${Array.from({ length: DIM }, () => (rand() * 2 - 1).toFixed(4)).join(',')}]`;
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, category_id int, e vector(${DIM}))`);
    for (let at = 0; at < 6000; at += 500) {
      await c.query(`INSERT INTO items VALUES ${Array.from({ length: 500 }, (_, i) => `(${at + i}, ${(at + i) % 2}, '${vec()}')`).join(',')}`);
    }
    await c.query('CREATE INDEX items_cat1 ON items USING hnsw (e vector_l2_ops) WHERE category_id = 1');
    await c.query('CREATE INDEX items_cosine ON items USING hnsw (e vector_cosine_ops)');
    await c.query('CREATE INDEX items_cosine_cat1 ON items USING hnsw (e vector_cosine_ops) WHERE 1 = category_id');

    // the partial index's file holds half the rows
    const files = readdirSync(join(dataDir, 'segments'));
    const size = (suffix: string) => files.filter((f) => f.endsWith(suffix)).reduce((n, f) => n + statSync(join(dataDir, 'segments', f)).size, 0);
    assert.ok(size('.items_cat1.usearch') > 0 && size('.items_cat1.usearch') < 0.65 * size('.items_cosine.usearch'), `${size('.items_cat1.usearch')} vs ${size('.items_cosine.usearch')}`);

    const q = vec();
    const check = async (phase: string) => {
      // taken when the WHERE has the predicate (alone or with more), not otherwise
      assert.match(await plan(c, `SELECT id FROM items WHERE category_id = 1 ORDER BY e <-> '${q}' LIMIT ${K}`), /hnsw index items_cat1, <-> on e/, phase);
      assert.match(await plan(c, `SELECT id FROM items WHERE id > 100 AND category_id = 1 ORDER BY e <-> '${q}' LIMIT ${K}`), /hnsw index items_cat1/, phase);
      // the index holds just the rows the filter wants: its segments are searched through it
      const analyzed = await plan(c, `ANALYZE SELECT id FROM items WHERE category_id = 1 ORDER BY e <-> '${q}' LIMIT ${K}`);
      assert.match(analyzed, /Segments: [1-9]\d* via index/, `${phase}\n${analyzed}`);
      assert.match(await plan(c, `SELECT id FROM items WHERE category_id = 0 ORDER BY e <-> '${q}' LIMIT ${K}`), /Vector Top-K \(exact/, phase);
      assert.match(await plan(c, `SELECT id FROM items ORDER BY e <-> '${q}' LIMIT ${K}`), /Vector Top-K \(exact/, phase);
      assert.match(await plan(c, `SELECT id FROM items WHERE category_id < 5 ORDER BY e <-> '${q}' LIMIT ${K}`), /Vector Top-K \(exact/, phase);
      // with a full index too: the partial one when implied, the full one otherwise
      assert.match(await plan(c, `SELECT id FROM items WHERE category_id = 1 ORDER BY e <=> '${q}' LIMIT ${K}`), /hnsw index items_cosine_cat1/, phase);
      assert.match(await plan(c, `SELECT id FROM items WHERE category_id = 0 ORDER BY e <=> '${q}' LIMIT ${K}`), /hnsw index items_cosine, /, phase);
      // answers: as an exact scan (recall@10 ≥ 0.9 over a few queries, only category 1)
      let good = 0;
      for (let i = 0; i < 10; i++) {
        const query = vec();
        const sql = (op: string) => `SELECT id FROM items WHERE category_id = 1 ORDER BY e ${op} '${query}' LIMIT ${K}`;
        for (const op of ['<->', '<=>']) {
          const got = await ids(c, sql(op));
          assert.equal(got.length, K);
          assert.ok(got.every((id) => id % 2 === 1), phase);
          await c.query('SET enable_indexscan = off');
          const truth = new Set(await ids(c, sql(op)));
          await c.query('RESET enable_indexscan');
          good += got.filter((id) => truth.has(id)).length;
        }
      }
      assert.ok(good / (20 * K) >= 0.9, `${phase}: recall ${good / (20 * K)}`);
    };
    await check('fresh');

    // rows sealed later are indexed the same way
    for (let at = 6000; at < 9000; at += 500) {
      await c.query(`INSERT INTO items VALUES ${Array.from({ length: 500 }, (_, i) => `(${at + i}, ${(at + i) % 2}, '${vec()}')`).join(',')}`);
    }
    await check('more rows');

    await c.end();
    await server.stop();
    server = await startQuiver({ dataDir });
    c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await check('after a restart');
    assert.doesNotMatch(server.stderr(), /unusable; rebuilding/);
  } finally {
    await c.end().catch(() => {});
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
