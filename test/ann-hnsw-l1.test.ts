/**
 * L1 HNSW (vector_l1_ops, halfvec_l1_ops): a real graph built by native/filtered-hnsw with
 * its own L1 kernels (usearch has no L1 metric), saved with the segment and viewed again
 * after a restart. Recall rises with hnsw.ef_search (a graph walk, not an exact scan),
 * distances come back exact, and a filter is searched inside the graph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { filteredHnswAvailable } from '../src/ann/filtered-hnsw.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const N = 5000;
const DIM = 32;
const K = 10;
const QUERIES = 40;

function l1(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s;
}

const text = (v: readonly number[]) => `[${v.join(',')}]`;

async function planOf(c: pg.Client, sql: string): Promise<string> {
  return (await c.query(`EXPLAIN ANALYZE ${sql}`)).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
}

/**
 * Mean recall@K over the queries, a hit being a row as near as the exact K-th among the
 * rows `keep` allows; checks every returned distance against L1 computed here.
 */
async function recall(c: pg.Client, col: string, rows: number[][], queries: number[][], where = '', keep: (id: number) => boolean = () => true): Promise<number> {
  let good = 0;
  for (const q of queries) {
    const got = (await c.query(`SELECT id, ${col} <+> '${text(q)}' AS d FROM items ${where} ORDER BY ${col} <+> '${text(q)}' LIMIT ${K}`)).rows as { id: number; d: number }[];
    assert.equal(got.length, K);
    const kth = rows.map((r, id) => (keep(id) ? l1(r, q) : Infinity)).sort((x, y) => x - y)[K - 1];
    for (let i = 0; i < got.length; i++) {
      assert.ok(keep(got[i].id), `row ${got[i].id} is outside the filter`);
      assert.ok(Math.abs(got[i].d - l1(rows[got[i].id], q)) < 1e-3, `distance ${got[i].d} of row ${got[i].id}`);
      if (i > 0) assert.ok(got[i].d >= got[i - 1].d);
    }
    good += got.filter((r) => r.d <= kth + 1e-3).length;
  }
  return good / (K * queries.length);
}

test('vector_l1_ops / halfvec_l1_ops: a real HNSW graph (recall rises with ef_search), exact distances, filtered in graph, kept over a restart', { timeout: 600000 }, async (t) => {
  if (process.env.QUIVER_TEST_PORT) return t.skip('needs its own server process');
  if (!filteredHnswAvailable()) return t.skip('native/filtered-hnsw is not built');
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-hnsw-l1-'));
  let server: QuiverServer | undefined = await startQuiver({ dataDir });
  let c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    const rand = seededRandom(11);
    // halfvec stores half floats: the rows are rounded to them so both columns hold the same values
    const half = (x: number) => Math.round(x * 1024) / 1024;
    // clustered, as embeddings are: 20 centers, rows and queries spread around them
    const centers = Array.from({ length: 20 }, () => Array.from({ length: DIM }, () => rand()));
    const near = () => centers[Math.floor(rand() * centers.length)].map((x) => half(x + (rand() - 0.5) * 0.6));
    const rows = Array.from({ length: N }, near);
    const queries = Array.from({ length: QUERIES }, near);
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, cat int, v vector(${DIM}), h halfvec(${DIM}))`);
    for (let s = 0; s < N; s += 500) {
      await c.query(`INSERT INTO items VALUES ${rows.slice(s, s + 500).map((r, i) => `(${s + i}, ${(s + i) % 10}, '${text(r)}', '${text(r)}')`).join(',')}`);
    }
    await c.query('CREATE INDEX items_v_l1 ON items USING hnsw (v vector_l1_ops)');
    await c.query('CREATE INDEX items_h_l1 ON items USING hnsw (h halfvec_l1_ops) WITH (m = 16, ef_construction = 64)');
    const files = readdirSync(join(dataDir, 'segments'));
    assert.ok(files.some((f) => f.endsWith('.items_v_l1.usearch')) && files.some((f) => f.endsWith('.items_h_l1.usearch')), files.join(' '));

    for (const [col, name] of [['v', 'items_v_l1'], ['h', 'items_h_l1']] as const) {
      const plan = await planOf(c, `SELECT id FROM items ORDER BY ${col} <+> '${text(queries[0])}' LIMIT ${K}`);
      assert.match(plan, new RegExp(`hnsw index ${name}, <\\+> on ${col}`), plan);
      await c.query('SET hnsw.ef_search = 10');
      const low = await recall(c, col, rows, queries);
      await c.query('SET hnsw.ef_search = 40');
      const mid = await recall(c, col, rows, queries);
      await c.query('SET hnsw.ef_search = 200');
      const high = await recall(c, col, rows, queries);
      t.diagnostic(`${col}: recall@10 ef 10 ${low}, ef 40 ${mid}, ef 200 ${high}`);
      assert.ok(mid >= 0.9, `${col} recall at ef 40: ${mid}`);
      assert.ok(low < mid && mid <= high, `${col} recall rises with ef_search: ${low} ${mid} ${high}`);
    }

    // the build measured L1's recall-vs-ef curve: quiver.target_recall picks the ef from it
    await c.query('SET quiver.target_recall = 0.99');
    const targeted = await planOf(c, `SELECT id FROM items ORDER BY v <+> '${text(queries[0])}' LIMIT ${K}`);
    assert.match(targeted, /Target Recall: 0\.99  ef: \d+/, targeted);
    assert.ok(await recall(c, 'v', rows, queries) >= 0.96, 'recall at target 0.99');
    await c.query('RESET quiver.target_recall');

    // a 50 % filter walks the graph skipping the other rows (an expression: its bitmap is
    // made row by row; cat < 5, the same rows, is counted by its sorted column and tested
    // after an unfiltered walk instead)
    await c.query('SET hnsw.ef_search = 40');
    for (const [where, strategy] of [['WHERE id % 10 < 5', 'in-graph'], ['WHERE cat < 5', 'post-filter']] as const) {
      // cat's sort index is built in a worker thread after the first query asks for it
      let filtered = '';
      for (let tries = 0; tries < 200 && !filtered.includes(`→ ${strategy}`); tries++) {
        if (tries > 0) await new Promise((r) => setTimeout(r, 25));
        filtered = await planOf(c, `SELECT id FROM items ${where} ORDER BY v <+> '${text(queries[0])}' LIMIT ${K}`);
      }
      assert.match(filtered, new RegExp(`→ ${strategy}`), filtered);
      const fr = await recall(c, 'v', rows, queries, where, (id) => id % 10 < 5);
      assert.ok(fr >= 0.9, `${where}: filtered recall ${fr}`);
    }

    // the index files are viewed again after a restart
    const before = await recall(c, 'v', rows, queries.slice(0, 10));
    await c.end();
    await server.stop();
    server = await startQuiver({ dataDir });
    c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query('SET hnsw.ef_search = 40');
    assert.match(await planOf(c, `SELECT id FROM items ORDER BY v <+> '${text(queries[0])}' LIMIT ${K}`), /hnsw index items_v_l1/);
    assert.equal(await recall(c, 'v', rows, queries.slice(0, 10)), before);
    assert.doesNotMatch(server.stderr(), /unusable; rebuilding/);
  } finally {
    await c.end().catch(() => {});
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
