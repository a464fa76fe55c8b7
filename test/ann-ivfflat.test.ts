/**
 * IVFFlat is a real inverted-file index: k-means centers (pgvector's Elkan port) and lists
 * per sealed segment. Recall on clustered seeded data rises with ivfflat.probes and is
 * exact at probes = lists; every operator's ranking matches brute force when all lists are
 * probed; through a server: EXPLAIN names the index, rows inserted later (growing, then
 * sealed into lists over the same centers) are found, deletes are respected, the index
 * survives a restart, and pgvector's NOTICE comes with little data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DistanceOp } from '../src/ann/api.js';
import { runIvfBuild } from '../src/ann/ivf-build-worker.js';
import { IvfIndex, readCenters } from '../src/ann/ivfflat.js';
import { kmeans } from '../src/ann/kmeans.js';
import { seededRandom, gaussian } from '../bench/util.js';
import { startQuiver } from './support/server.js';

const DIM = 64;

/** `n` points around `clusters` random centers (σ 0.15), 4 decimals (as their SQL text). */
function clustered(n: number, clusters: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const g = gaussian(rand);
  const centers = Array.from({ length: clusters }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
  const out = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = centers[Math.floor(rand() * clusters)];
    for (let d = 0; d < DIM; d++) out[i * DIM + d] = Number((c[d] + 0.15 * g()).toFixed(4));
  }
  return out;
}

function distance(op: DistanceOp, a: Float32Array, b: Float32Array): number {
  let dot = 0, aa = 0, bb = 0, l2 = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; l2 += (a[i] - b[i]) ** 2;
  }
  return op === '<->' ? l2 : op === '<#>' ? -dot : 1 - dot / Math.sqrt(aa * bb);
}

function row(data: Float32Array, i: number): Float32Array {
  return data.subarray(i * DIM, (i + 1) * DIM);
}

function exactTopK(op: DistanceOp, data: Float32Array, q: Float32Array, k: number): number[] {
  const n = data.length / DIM;
  return Array.from({ length: n }, (_, i) => i).map((i) => ({ i, d: distance(op, row(data, i), q) }))
    .sort((x, y) => x.d - y.d || x.i - y.i).slice(0, k).map((x) => x.i);
}

function recall(found: readonly number[][], truth: readonly number[][]): number {
  let hit = 0, all = 0;
  truth.forEach((t, qi) => { const f = new Set(found[qi]); all += t.length; for (const x of t) if (f.has(x)) hit++; });
  return hit / all;
}

/** Train and assign in this thread (the worker runs the same function) and open the index. */
function buildIndex(dir: string, op: DistanceOp, data: Float32Array, lists: number): IvfIndex {
  const n = data.length / DIM;
  runIvfBuild({ kind: 'train', samples: data.slice(), count: n, dim: DIM, op, lists, path: join(dir, `${op}.centers`) });
  const { centers } = readCenters(join(dir, `${op}.centers`));
  // two chunks, as a segment of two record batches has
  const half = Math.floor(n / 2) ;
  const chunks = [{ start: 0, rows: half, data: data.subarray(0, half * DIM) }, { start: half, rows: n - half, data: data.subarray(half * DIM) }];
  runIvfBuild({ kind: 'assign', chunks, count: n, dim: DIM, op, centers, lists, path: join(dir, `${op}.ivf`) });
  return IvfIndex.open(join(dir, `${op}.ivf`), chunks);
}

test('k-means: centers are finite, distinct and normalised for spherical k-means', () => {
  const data = clustered(2000, 8, 3);
  const l2 = kmeans(data, 2000, DIM, 8, 'l2');
  assert.equal(l2.length, 8 * DIM);
  assert.ok(l2.every(Number.isFinite));
  const sph = kmeans(data, 2000, DIM, 8, 'spherical');
  for (let c = 0; c < 8; c++) {
    let n = 0;
    for (let d = 0; d < DIM; d++) n += sph[c * DIM + d] ** 2;
    assert.ok(Math.abs(n - 1) < 1e-4, `center ${c} has norm² ${n}`);
  }
  // every center attracts some points on clustered data (no degenerate duplicates)
  const seen = new Set<string>();
  for (let c = 0; c < 8; c++) seen.add(Array.from(l2.subarray(c * DIM, c * DIM + 4)).join());
  assert.equal(seen.size, 8);
});

test('IVFFlat recall on 10k × 64 clustered vectors rises with probes and is exact with every list', { timeout: 120000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-ivf-'));
  try {
    const data = clustered(10000, 40, 7);
    const queries = clustered(20, 40, 7 + 1);
    const index = buildIndex(dir, '<->', data, 100);
    const truth = Array.from({ length: 20 }, (_, qi) => exactTopK('<->', data, row(queries, qi), 10));
    const at = (probes: number) => recall(Array.from({ length: 20 }, (_, qi) => index.search(row(queries, qi), 10, probes).map((h) => h.position)), truth);
    const r1 = at(1), r10 = at(10), rAll = at(100);
    assert.ok(r1 < r10, `recall at probes 1 (${r1}) < probes 10 (${r10})`);
    assert.ok(r10 <= rAll, `recall at probes 10 (${r10}) ≤ probes 100 (${rAll})`);
    assert.equal(rAll, 1);
    assert.ok(r1 < 0.999, `probes 1 is approximate (${r1}): a real IVF, not an exact scan`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('IVFFlat with every list probed ranks as brute force for <->, <#> and <=>', { timeout: 120000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-ivf-ops-'));
  try {
    const data = clustered(1500, 10, 11);
    const queries = clustered(5, 10, 12);
    for (const op of ['<->', '<#>', '<=>'] as DistanceOp[]) {
      const index = buildIndex(dir, op, data, 12);
      for (let qi = 0; qi < 5; qi++) {
        const q = row(queries, qi);
        assert.deepEqual(index.search(q, 10, 12).map((h) => h.position), exactTopK(op, data, q, 10), `${op} query ${qi}`);
        // fewer probes still deliver k candidates (further lists are probed when needed)
        assert.equal(index.search(q, 200, 1).length, 200);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function withClient<T>(port: number, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

const text = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

async function insertRows(c: pg.Client, data: Float32Array, from: number, to: number, idBase = 0): Promise<void> {
  for (let s = from; s < to; s += 500) {
    const values: string[] = [];
    for (let i = s; i < Math.min(to, s + 500); i++) values.push(`(${idBase + i}, '${text(row(data, i))}')`);
    await c.query(`INSERT INTO items VALUES ${values.join(',')}`);
  }
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(cond(), what);
}

test('ivfflat through SQL: EXPLAIN, probes, later rows, deletes, restart, little-data NOTICE', { timeout: 300000 }, async () => {
  if (process.env.QUIVER_TEST_PORT) return; // needs its own server processes
  const dataDir = await mkdtemp(join(tmpdir(), 'quiver-ivf-server-'));
  // small segments: several sealed segments before CREATE INDEX, and more sealed after it
  const env = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(1 << 20) };
  const data = clustered(14000, 40, 21);
  const queries = clustered(20, 40, 22);
  const base = data.subarray(0, 10000 * DIM);
  const ivfFiles = () => readdirSync(join(dataDir, 'segments')).filter((f) => f.endsWith('.ivf')).length;
  const search = (c: pg.Client, q: Float32Array) => c.query(`SELECT id FROM items ORDER BY embedding <-> '${text(q)}' LIMIT 10`).then((r) => r.rows.map((x) => Number(x.id)));
  const recallAt = async (c: pg.Client, probes: number, truth: number[][]) => {
    await c.query(`SET ivfflat.probes = ${probes}`);
    const found: number[][] = [];
    for (let qi = 0; qi < 20; qi++) found.push(await search(c, row(queries, qi)));
    return recall(found, truth);
  };
  try {
    let server = await startQuiver({ dataDir, env });
    const truth = Array.from({ length: 20 }, (_, qi) => exactTopK('<->', base, row(queries, qi), 10));
    let r10 = 0;
    await withClient(server.port, async (c) => {
      await c.query(`CREATE TABLE items (id int PRIMARY KEY, embedding vector(${DIM}))`);
      await insertRows(c, data, 0, 10000);
      const notices: string[] = [];
      c.on('notice', (n) => notices.push(n.message ?? ''));
      await c.query('CREATE INDEX items_ivf ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 50)');
      assert.deepEqual(notices, [], 'no NOTICE with enough data');
      const plan = (await c.query(`EXPLAIN SELECT id FROM items ORDER BY embedding <-> '${text(row(queries, 0))}' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Vector Top-K \(ivfflat index items_ivf, <-> on embedding\)/);
      const r1 = await recallAt(c, 1, truth);
      r10 = await recallAt(c, 10, truth);
      const rAll = await recallAt(c, 50, truth);
      assert.ok(r1 < r10 && r10 <= rAll && rAll === 1, `recall rises with probes: ${r1} < ${r10} ≤ ${rAll} = 1`);

      // rows inserted later: found at once (growing), and after their segments are sealed
      const before = ivfFiles();
      await insertRows(c, data, 10000, 14000);
      await waitFor(() => ivfFiles() > before, 'segments sealed after CREATE INDEX get IVFFlat lists');
      await c.query('SET ivfflat.probes = 50');
      const all = data.subarray(0, 14000 * DIM);
      const truthAll = Array.from({ length: 20 }, (_, qi) => exactTopK('<->', all, row(queries, qi), 10));
      assert.equal(await recallAt(c, 50, truthAll), 1, 'every row, old and new, is in some list');

      // deletes are respected: the nearest row of each query is gone from its answer
      const nearest = truthAll.map((t) => t[0]);
      await c.query(`DELETE FROM items WHERE id IN (${nearest.join(',')})`);
      for (let qi = 0; qi < 20; qi++) assert.ok(!(await search(c, row(queries, qi))).includes(nearest[qi]));
      await c.query(`SET ivfflat.probes = 10`);
      const afterDelete: number[][] = [];
      for (let qi = 0; qi < 20; qi++) afterDelete.push(await search(c, row(queries, qi)));
      assert.ok(afterDelete.every((r) => r.length === 10), 'still k rows after deletes');

      // little data: pgvector's NOTICE
      await c.query('CREATE TABLE few (id int, v vector(3))');
      await c.query(`INSERT INTO few VALUES (1, '[1,2,3]'), (2, '[3,2,1]')`);
      await c.query('CREATE INDEX ON few USING ivfflat (v vector_cosine_ops) WITH (lists = 10)');
      assert.deepEqual(notices, ['ivfflat index created with little data']);
      assert.deepEqual((await c.query(`SELECT id FROM few ORDER BY v <=> '[1,2,3]' LIMIT 5`)).rows.map((r) => r.id), [1, 2]);
    });
    await server.stop();

    server = await startQuiver({ dataDir, env });
    await withClient(server.port, async (c) => {
      const plan = (await c.query(`EXPLAIN SELECT id FROM items ORDER BY embedding <-> '[${new Array(DIM).fill(0).join(',')}]' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /ivfflat index items_ivf/);
      await c.query('SET ivfflat.probes = 50');
      const all = data.subarray(0, 14000 * DIM);
      const deleted = new Set(Array.from({ length: 20 }, (_, qi) => exactTopK('<->', all, row(queries, qi), 1)[0]));
      for (let qi = 0; qi < 20; qi++) {
        const want = exactTopK('<->', all, row(queries, qi), 40).filter((i) => !deleted.has(i)).slice(0, 10);
        assert.deepEqual(await search(c, row(queries, qi)), want, `after restart, query ${qi}`);
      }
    });
    await server.stop();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
