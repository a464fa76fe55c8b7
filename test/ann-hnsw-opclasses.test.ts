/**
 * HNSW beyond float vectors of pgvector's sizes: bit strings (bit_hamming_ops,
 * bit_jaccard_ops) get a real usearch b1 index per sealed segment, found with high recall
 * and re-ranked exactly; vector(3072) — over pgvector's 2,000-dimension limit — is indexed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver } from './support/server.js';

const BITS = 256;

function clusteredBits(n: number, clusters: number, seed: number): string[] {
  const rand = seededRandom(seed);
  const centers = Array.from({ length: clusters }, () => Array.from({ length: BITS }, () => (rand() < 0.3 ? 1 : 0)));
  return Array.from({ length: n }, () => {
    const c = centers[Math.floor(rand() * clusters)];
    return c.map((b) => (rand() < 0.1 ? 1 - b : b)).join('');
  });
}

function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

function jaccard(a: string, b: string): number {
  let and = 0, or = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '1' && b[i] === '1') and++;
    if (a[i] === '1' || b[i] === '1') or++;
  }
  return or === 0 ? 0 : 1 - and / or;
}

test('HNSW on bit strings: b1 index files, EXPLAIN, recall ≥ 0.9 for Hamming and Jaccard; vector(3072) indexed', { timeout: 300000 }, async () => {
  if (process.env.QUIVER_TEST_PORT) return; // needs its own server process
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-hnsw-bits-'));
  const server = await startQuiver({ dataDir });
  const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    const rows = clusteredBits(4000, 30, 5);
    const queries = clusteredBits(20, 30, 5).map((q, i) => (i % 2 ? q : rows[i * 7]));
    await c.query(`CREATE TABLE bits (id int PRIMARY KEY, b bit(${BITS}))`);
    for (let s = 0; s < rows.length; s += 500) {
      await c.query(`INSERT INTO bits VALUES ${rows.slice(s, s + 500).map((b, i) => `(${s + i}, '${b}')`).join(',')}`);
    }
    await c.query('CREATE INDEX bits_ham ON bits USING hnsw (b bit_hamming_ops)');
    await c.query('CREATE INDEX bits_jac ON bits USING hnsw (b bit_jaccard_ops)');
    const files = readdirSync(join(dataDir, 'segments'));
    assert.ok(files.some((f) => f.endsWith('.bits_ham.usearch')) && files.some((f) => f.endsWith('.bits_jac.usearch')), files.join(' '));
    for (const [op, dist, name] of [['<~>', hamming, 'bits_ham'], ['<%>', jaccard, 'bits_jac']] as const) {
      const plan = (await c.query(`EXPLAIN SELECT id FROM bits ORDER BY b ${op} '${queries[0]}' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, new RegExp(`hnsw index ${name}, ${op} on b`));
      let good = 0;
      for (const q of queries) {
        const got = (await c.query(`SELECT id, b ${op} '${q}' AS d FROM bits ORDER BY b ${op} '${q}' LIMIT 10`)).rows;
        assert.equal(got.length, 10);
        const kth = rows.map((b) => dist(b, q)).sort((x, y) => x - y)[9];
        // distances come back ascending and exact (re-ranked with pgvector's kernel)
        for (let i = 0; i < got.length; i++) {
          assert.ok(Math.abs(got[i].d - dist(rows[got[i].id], q)) < 1e-12);
          if (i > 0) assert.ok(got[i].d >= got[i - 1].d);
        }
        // ties make ids ambiguous: a hit is a row as near as the exact k-th
        good += got.filter((r) => r.d <= kth + 1e-12).length;
      }
      const recall = good / (10 * queries.length);
      assert.ok(recall >= 0.9, `${op} recall ${recall}`);
    }

    // more dimensions than pgvector's HNSW takes (2,000)
    await c.query('CREATE TABLE wide (id int PRIMARY KEY, v vector(3072))');
    const rand = seededRandom(9);
    const vecs = Array.from({ length: 200 }, () => Array.from({ length: 3072 }, () => Number((rand() - 0.5).toFixed(3))));
    for (let s = 0; s < vecs.length; s += 50) {
      await c.query(`INSERT INTO wide VALUES ${vecs.slice(s, s + 50).map((v, i) => `(${s + i}, '[${v.join(',')}]')`).join(',')}`);
    }
    await c.query('CREATE INDEX wide_idx ON wide USING hnsw (v vector_l2_ops)');
    assert.ok(readdirSync(join(dataDir, 'segments')).some((f) => f.endsWith('.wide_idx.usearch')));
    const nearest = (await c.query(`SELECT id FROM wide ORDER BY v <-> '[${vecs[17].join(',')}]' LIMIT 1`)).rows[0].id;
    assert.equal(nearest, 17);
  } finally {
    await c.end();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
