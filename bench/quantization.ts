/**
 * Quantized HNSW storage, per setting (f32, f16, i8, b1): CREATE INDEX time, index size on
 * disk (the usearch files), then QPS and recall@10 at a few hnsw.ef_search values, one
 * connection running
 *   SELECT id FROM quiver_quant_items ORDER BY embedding <-> $1 LIMIT 10
 * (prepared, the vector as a text parameter) against a Quiver server holding the dataset
 * (Fashion-MNIST by default; --dataset synthetic:n=100000,d=1536 for wide vectors). With
 * --pgvector the same against pgvector's halfvec index on the PostgreSQL peer
 * (CREATE INDEX … USING hnsw ((embedding::halfvec(D)) halfvec_l2_ops), queries ordered by
 * embedding::halfvec(D) <-> $1::halfvec(D)). Recall is against exact float32 L2.
 *
 *   node dist/bench/quantization.js [--dataset fashion-mnist] [--queries 1000] [--ef 20,40,100]
 *        [--settings f32,f16,i8,b1] [--pgvector] [--pg-port 55432] [--data DIR] [--cache DIR]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { groundTruth, loadDataset, parseDatasetSpec, recallOf, type Dataset, type GroundTruth } from './dataset.js';
import { qpsAtRecall } from './report.js';
import { spawnQuiverProcess } from './targets.js';
import { repoRoot, vectorText } from './util.js';

const { values } = parseArgs({ options: {
  dataset: { type: 'string', default: 'fashion-mnist' },
  queries: { type: 'string', default: '1000' },
  ef: { type: 'string', default: '20,40,100' },
  settings: { type: 'string', default: 'f32,f16,i8,b1' },
  pgvector: { type: 'boolean', default: false },
  'pg-port': { type: 'string', default: '55432' },
  data: { type: 'string', default: '/tmp/quiver-quant-bench-data' },
  cache: { type: 'string' },
} });
const root = repoRoot();
const TABLE = 'quiver_quant_items';
const K = 10;
const cacheDir = values.cache ?? join(root, 'bench', 'cache');
const ds = loadDataset(parseDatasetSpec(values.dataset!, Number(values.queries), false), cacheDir, { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: Number(values.queries) });
const gt = groundTruth(ds, 'l2', K, cacheDir);
const efs = values.ef!.split(',').map(Number);
const texts = ds.queries.map((q) => vectorText(q));

interface Row { target: string; buildS: number; bytes: number; ef: number; qps: number; recall: number }
const results: Row[] = [];

function startQuiver(dataDir: string): Promise<{ proc: ChildProcess; port: number }> {
  return spawnQuiverProcess([join(root, 'dist', 'src', 'main.js'), '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warn']);
}

async function connect(port: number, database = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database });
  await c.connect();
  return c;
}

async function copyIn(c: pg.Client, d: Dataset): Promise<void> {
  const chunks = function* (): Generator<Buffer> {
    yield copyHeader();
    for (let r = 0; r < d.n; r += 1000) yield encodeRows(d.train, d.dim, d.sel, r, Math.min(d.n, r + 1000));
    yield copyTrailer();
  };
  await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, sel, embedding) FROM STDIN (FORMAT binary)`)));
}

/**
 * QPS and recall@10 of the prepared query per ef. Every query runs once first (the first
 * searches after CREATE INDEX touch the freshly mapped file: about half the later QPS);
 * then ROUNDS rounds over the ef values, keeping each ef's best QPS (the machine is shared:
 * a round can lose half its speed to other work).
 */
const ROUNDS = 3;
async function measure(c: pg.Client, sql: string, truth: GroundTruth): Promise<{ ef: number; qps: number; recall: number }[]> {
  const run = async (ef: number, qi: number): Promise<number[]> =>
    (await c.query<{ id: string }>({ name: `knn${ef}`, text: sql, values: [texts[qi]] })).rows.map((r) => Number(r.id));
  await c.query(`SET hnsw.ef_search = ${efs[0]}`);
  for (let qi = 0; qi < texts.length; qi++) await run(efs[0], qi);
  const best = efs.map((ef) => ({ ef, qps: 0, recall: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of best) {
      await c.query(`SET hnsw.ef_search = ${b.ef}`);
      let recall = 0;
      const t0 = performance.now();
      for (let qi = 0; qi < texts.length; qi++) recall += recallOf(ds, 'l2', truth, qi, K, await run(b.ef, qi));
      const qps = texts.length / ((performance.now() - t0) / 1000);
      b.qps = Math.max(b.qps, qps);
      b.recall = recall / texts.length;
    }
  }
  return best;
}

/** Bytes of an index's usearch files (one per sealed segment) in the data directory. */
function indexBytes(dir: string, name: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(`.${name}.usearch`)) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

function report(r: Row): void {
  results.push(r);
  process.stdout.write(`${r.target.padEnd(22)} build ${r.buildS.toFixed(1).padStart(6)} s  index ${(r.bytes / 2 ** 20).toFixed(1).padStart(7)} MiB  ef ${String(r.ef).padStart(4)}  ${r.qps.toFixed(0).padStart(6)} QPS  recall@10 ${r.recall.toFixed(4)}\n`);
}

async function benchQuiver(): Promise<void> {
  rmSync(values.data!, { recursive: true, force: true });
  mkdirSync(values.data!, { recursive: true });
  const s = await startQuiver(values.data!);
  const c = await connect(s.port);
  try {
    await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${ds.dim}))`);
    await copyIn(c, ds);
    const sql = `SELECT id FROM ${TABLE} ORDER BY embedding <-> $1 LIMIT ${K}`;
    for (const q of values.settings!.split(',')) {
      const name = `${TABLE}_${q}`;
      const t0 = performance.now();
      await c.query(`CREATE INDEX ${name} ON ${TABLE} USING hnsw (embedding vector_l2_ops) WITH (quantization = '${q}')`);
      const buildS = (performance.now() - t0) / 1000;
      const bytes = indexBytes(values.data!, name);
      for (const m of await measure(c, sql, gt)) report({ target: `Quiver ${q}`, buildS, bytes, ...m });
      await c.query(`DROP INDEX ${name}`);
    }
  } finally {
    await c.end();
    await new Promise<void>((done) => { s.proc.once('exit', () => done()); s.proc.kill('SIGTERM'); });
  }
}

async function benchPgvector(): Promise<void> {
  const port = Number(values['pg-port']);
  const db = 'quiver_quant_bench';
  const admin = await connect(port);
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const c = await connect(port, db);
  try {
    await c.query('CREATE EXTENSION vector');
    await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${ds.dim}))`);
    await copyIn(c, ds);
    await c.query('VACUUM ANALYZE');
    const t0 = performance.now();
    await c.query(`CREATE INDEX ${TABLE}_half ON ${TABLE} USING hnsw ((embedding::halfvec(${ds.dim})) halfvec_l2_ops)`);
    const buildS = (performance.now() - t0) / 1000;
    const bytes = Number((await c.query(`SELECT pg_relation_size('${TABLE}_half') AS b`)).rows[0].b);
    const sql = `SELECT id FROM ${TABLE} ORDER BY embedding::halfvec(${ds.dim}) <-> $1::halfvec(${ds.dim}) LIMIT ${K}`;
    for (const m of await measure(c, sql, gt)) report({ target: 'pgvector halfvec', buildS, bytes, ...m });
  } finally {
    await c.end();
    const drop = await connect(port);
    await drop.query(`DROP DATABASE IF EXISTS ${db}`);
    await drop.end();
  }
}

process.stdout.write(`${ds.description}: ${ds.n} × ${ds.dim}, ${texts.length} queries, k ${K}, l2; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start\n`);
await benchQuiver();
if (values.pgvector) await benchPgvector();
process.stdout.write(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at end\n\n`);
process.stdout.write('| index | build (s) | index size (MiB) | ef_search | QPS | recall@10 |\n|---|---:|---:|---:|---:|---:|\n');
for (const r of results) process.stdout.write(`| ${r.target} | ${r.buildS.toFixed(1)} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.ef} | ${r.qps.toFixed(0)} | ${r.recall.toFixed(3)} |\n`);
process.stdout.write('\n| index | QPS at recall@10 0.95 | QPS at recall@10 0.99 |\n|---|---:|---:|\n');
const atLevel = (points: Row[], level: number): string => {
  const at = qpsAtRecall(points, level);
  if (!at) return `not reached (max ${Math.max(...points.map((p) => p.recall)).toFixed(3)})`;
  return at.interpolated ? at.qps.toFixed(0) : `≥ ${at.qps.toFixed(0)} (lowest ef)`;
};
for (const target of [...new Set(results.map((r) => r.target))]) {
  const points = results.filter((r) => r.target === target);
  process.stdout.write(`| ${target} | ${atLevel(points, 0.95)} | ${atLevel(points, 0.99)} |\n`);
}
