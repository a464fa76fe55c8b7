/**
 * quiver.target_recall: each HNSW segment's ef comes from the recall-vs-ef curve measured
 * when its index was built. 10k × 64 seeded clustered rows in two sealed segments; for
 * targets 0.9, 0.95 and 0.99, 60 fresh queries from the same distribution must reach a
 * mean recall@10 of at least target − 0.03 against the exact answer (computed here from
 * the same vectors), the chosen ef (EXPLAIN ANALYZE) must grow with the target, and the
 * curves must survive a restart. Plus the setting's SQL surface and the ef rule itself.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { breadthForRecall } from '../src/planner/recall-target.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const N = 10_000;
const DIM = 64;
const K = 10;
const CLUSTERS = 20;
const QUERIES = 60;
const TARGETS = [0.9, 0.95, 0.99];

const rnd = seededRandom(20261205);
const rounded = (x: number) => Number(x.toFixed(4));
const centers = Array.from({ length: CLUSTERS }, () => Float64Array.from({ length: DIM }, () => rnd() * 4 - 2));
/** a point of the data's distribution: a cluster center plus uniform noise */
const sample = () => {
  const c = centers[Math.floor(rnd() * CLUSTERS)];
  return Float32Array.from(c, (x) => rounded(x + rnd() - 0.5));
};
const vectors = Array.from({ length: N }, sample);
/** fresh points of the same distribution, as a held-out test set */
const queries = Array.from({ length: QUERIES }, sample);
const text = (v: Float32Array) => `[${Array.from(v, (x) => x.toFixed(4)).join(',')}]`;
const l2 = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-target-recall-'));
let server: QuiverServer;
let client: pg.Client;

async function connect(): Promise<void> {
  // 1 MiB segments: each half below (5,000 rows, 1.4 MB) is sealed whole and is no small
  // segment for compaction to merge (half the threshold), so the table keeps two
  server = await startQuiver({ dataDir, env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(1 << 20) } });
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
}

async function insert(from: number, to: number, batch = 500): Promise<void> {
  for (let start = from; start < to; start += batch) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(to, start + batch); i++) rows.push(`(${i}, '${text(vectors[i])}')`);
    await client.query(`INSERT INTO items VALUES ${rows.join(',')}`);
  }
}

before(async () => {
  await connect();
  await client.query(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIM}))`);
  // each half in one statement: an indexed table seals at 4,096 rows, and batches would
  // leave a small trailing segment (ranked exactly, not through its index)
  await insert(0, N / 2, N / 2);
  await client.query('CREATE INDEX items_l2 ON items USING hnsw (v vector_l2_ops)');
  await insert(N / 2, N, N / 2);
  await client.query('CREATE INDEX items_cos ON items USING hnsw (v vector_cosine_ops)');
});

after(async () => {
  await client.end();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Mean recall@10 of the queries against the exact answer (ties at the k-th distance count). */
async function achievedRecall(): Promise<number> {
  let sum = 0;
  for (const q of queries) {
    const d = vectors.map((v) => l2(v, q)).sort((a, b) => a - b);
    const kth = d[K - 1] + 1e-4;
    const { rows } = await client.query(`SELECT id FROM items ORDER BY v <-> '${text(q)}' LIMIT ${K}`);
    assert.equal(rows.length, K);
    sum += rows.filter((r: { id: number }) => l2(vectors[r.id], q) <= kth).length / K;
  }
  return sum / queries.length;
}

async function targetLine(): Promise<string | undefined> {
  const { rows } = await client.query(`EXPLAIN ANALYZE SELECT id FROM items ORDER BY v <-> '${text(queries[0])}' LIMIT ${K}`);
  const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Segments: 2 via index/, plan);
  return plan.split('\n').map((l) => l.trim()).find((l) => l.startsWith('Target Recall:'));
}

/** The largest breadth chosen, from `Target Recall: 0.95  ef: 14–17 (est. recall 0.950)`. */
function efOf(line: string): number {
  const m = /(?:ef|probes): (\d+)(?:–(\d+))? \(est\. recall (\d\.\d+)/.exec(line);
  assert.ok(m, line);
  return Number(m[2] ?? m[1]);
}

const chosen = new Map<number, string>();

test('achieved recall@10 reaches each target (within 0.03), and ef grows with it', async (t) => {
  assert.equal(await targetLine(), undefined, 'no target: no line');
  const report: string[] = [];
  for (const target of TARGETS) {
    await client.query(`SET quiver.target_recall = ${target}`);
    const line = await targetLine();
    assert.ok(line, `target ${target}: EXPLAIN ANALYZE shows the chosen ef`);
    assert.ok(line.startsWith(`Target Recall: ${target}  ef: `), line);
    assert.doesNotMatch(line, /without a recall curve/, line);
    chosen.set(target, line);
    const recall = await achievedRecall();
    report.push(`${target}: ${recall.toFixed(3)} (${line})`);
    assert.ok(recall >= target - 0.03, `target ${target}: achieved recall@10 ${recall.toFixed(3)}\n${report.join('\n')}`);
  }
  for (const line of report) t.diagnostic(line);
  const efs = TARGETS.map((x) => efOf(chosen.get(x)!));
  assert.ok(efs[0] <= efs[1] && efs[1] <= efs[2] && efs[0] < efs[2], `ef grows with the target: ${efs.join(', ')}\n${report.join('\n')}`);
});

test('a filtered search starts from the target ef; a segment without a curve keeps hnsw.ef_search', async () => {
  await client.query('SET quiver.target_recall = 0.95');
  const { rows } = await client.query(`EXPLAIN ANALYZE SELECT id FROM items WHERE id % 2 = 0 ORDER BY v <-> '${text(queries[0])}' LIMIT ${K}`);
  const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Target Recall: 0\.95  ef: \d+/, plan);
  assert.match(plan, /Strategy estimate: /, plan);
  // under 200 rows a segment gets no curve (any ef reads most of it)
  await client.query(`CREATE TABLE few (id int PRIMARY KEY, v vector(${DIM}))`);
  await client.query(`INSERT INTO few VALUES ${vectors.slice(0, 100).map((v, i) => `(${i}, '${text(v)}')`).join(',')}`);
  await client.query('CREATE INDEX ON few USING hnsw (v vector_l2_ops)');
  await client.query('SET hnsw.ef_search = 25');
  const few = (await client.query(`EXPLAIN ANALYZE SELECT id FROM few ORDER BY v <-> '${text(queries[0])}' LIMIT ${K}`)).rows
    .map((r: Record<string, string>) => r['QUERY PLAN'].trim()).join('\n');
  assert.match(few, /^Target Recall: 0\.95  1 segment without a recall curve: ef 25$/m, few);
  await client.query('RESET hnsw.ef_search');
  await client.query('DROP TABLE few');
});

test('RESET turns it off: hnsw.ef_search applies again', async () => {
  await client.query('RESET quiver.target_recall');
  assert.equal((await client.query('SHOW quiver.target_recall')).rows[0]['quiver.target_recall'], '0');
  assert.equal(await targetLine(), undefined);
});

test('the curves survive a restart (same ef chosen)', async () => {
  await client.end();
  await server.stop();
  await connect();
  for (const target of TARGETS) {
    await client.query(`SET quiver.target_recall = ${target}`);
    assert.equal(await targetLine(), chosen.get(target), `target ${target} after restart`);
  }
});

test('IVFFlat: probes from the curve measured when its lists were built', async (t) => {
  await client.query('RESET quiver.target_recall');
  await client.query('DROP INDEX items_l2');
  await client.query('CREATE INDEX items_ivf ON items USING ivfflat (v vector_l2_ops) WITH (lists = 40)');
  const report: string[] = [];
  const probes: number[] = [];
  for (const target of TARGETS) {
    await client.query(`SET quiver.target_recall = ${target}`);
    const line = await targetLine();
    assert.ok(line?.startsWith(`Target Recall: ${target}  probes: `), line);
    if (!line) return;
    assert.doesNotMatch(line, /without a recall curve/, line);
    probes.push(efOf(line));
    const recall = await achievedRecall();
    report.push(`${target}: ${recall.toFixed(3)} (${line})`);
    assert.ok(recall >= target - 0.03, `target ${target}: achieved recall@10 ${recall.toFixed(3)}\n${report.join('\n')}`);
  }
  for (const line of report) t.diagnostic(line);
  assert.ok(probes[0] <= probes[1] && probes[1] <= probes[2] && probes[0] < probes[2], `probes grow with the target: ${probes.join(', ')}`);
});

test('SET quiver.target_recall: range (0 .. 1), PostgreSQL messages and SQLSTATE 22023', async () => {
  await client.query('SET quiver.target_recall = 0.95');
  assert.equal((await client.query('SHOW quiver.target_recall')).rows[0]['quiver.target_recall'], '0.95');
  for (const [value, message] of [
    ['1.5', '1.5 is outside the valid range for parameter "quiver.target_recall" (0 .. 1)'],
    ['-0.1', '-0.1 is outside the valid range for parameter "quiver.target_recall" (0 .. 1)'],
    ["'high'", 'invalid value for parameter "quiver.target_recall": "high"'],
  ]) {
    await assert.rejects(client.query(`SET quiver.target_recall = ${value}`), (e: { code: string; message: string }) => {
      assert.equal(e.code, '22023');
      assert.equal(e.message, message);
      return true;
    });
  }
  assert.equal((await client.query('SHOW quiver.target_recall')).rows[0]['quiver.target_recall'], '0.95', 'a rejected SET changes nothing');
});

test('breadthForRecall: interpolated in log breadth, doubled past the curve, capped; HNSW: at least k, scaled for larger k', () => {
  const points = [{ breadth: 10, recall: 0.8 }, { breadth: 40, recall: 0.9 }, { breadth: 160, recall: 0.98 }];
  const curve = { k: 10, samples: 100, points };
  const hnsw = { kind: 'hnsw' as const, max: 1000 };
  assert.deepEqual(breadthForRecall(curve, 0.7, 10, 40, hnsw), { breadth: 10, estRecall: 0.8 });
  assert.deepEqual(breadthForRecall(curve, 0.85, 10, 40, hnsw), { breadth: 20, estRecall: 0.85 });
  assert.deepEqual(breadthForRecall(curve, 0.9, 10, 40, hnsw), { breadth: 40, estRecall: 0.9 });
  assert.deepEqual(breadthForRecall(curve, 0.99, 10, 40, hnsw), { breadth: 320, estRecall: 0.98 });
  assert.deepEqual(breadthForRecall(curve, 0.85, 50, 40, hnsw), { breadth: 100, estRecall: 0.85 });
  assert.deepEqual(breadthForRecall(curve, 0.7, 5, 40, hnsw), { breadth: 10, estRecall: 0.8 });
  assert.deepEqual(breadthForRecall(curve, 0.99, 10, 40, { kind: 'hnsw', max: 200 }), { breadth: 200, estRecall: 0.98 });
  assert.deepEqual(breadthForRecall(undefined, 0.9, 10, 40, hnsw), { breadth: 40 });
  // IVFFlat: probes are not raised to k nor scaled by it; at most every list
  const probes = { k: 10, samples: 100, points: [{ breadth: 1, recall: 0.6 }, { breadth: 4, recall: 0.9 }, { breadth: 9, recall: 0.97 }] };
  const ivf = { kind: 'ivfflat' as const, max: 12 };
  assert.deepEqual(breadthForRecall(probes, 0.75, 50, 1, ivf), { breadth: 2, estRecall: 0.75 });
  assert.deepEqual(breadthForRecall(probes, 0.99, 10, 1, ivf), { breadth: 12, estRecall: 0.97 });
});
