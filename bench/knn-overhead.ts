/**
 * Per-query overhead of the prepared k-NN path: one connection runs
 *   SELECT id FROM quiver_bench_items ORDER BY embedding <-> $1 LIMIT 10
 * (node-pg, named prepared statement, the vector as a text parameter exactly as
 * `npm run bench` sends it, hnsw.ef_search 40) against a Quiver server holding
 * Fashion-MNIST with an HNSW l2 index, and prints QPS, recall and median latency.
 * With --cpu-prof the server runs under `node --cpu-prof` and the top self-time entries
 * of its profile are printed. The loaded data directory is kept (--data) so reruns
 * start at once. With --target-recall 0.9,0.95,0.99 it runs the queries once per target
 * (SET quiver.target_recall) instead of at a fixed ef, and prints per target the achieved
 * recall, QPS and the ef EXPLAIN ANALYZE shows as chosen (the index must have been built
 * by a Quiver that measures recall curves: else the line says the segment has none);
 * a target of 0 is the fixed --ef, measured the same way, for comparison.
 *
 *   node dist/bench/knn-overhead.js [--data DIR] [--queries 3000] [--ef 40]
 *        [--query-workers N] [--connections 1] [--cpu-prof] [--top 25] [--entry dist/src/main.js]
 *        [--target-recall 0,0.9,0.95,0.99] [--where "id < 60"]
 *
 * With --where the query is filtered (`WHERE <cond> ORDER BY …`; id is the primary key,
 * sel an integer column): its per-query cost is profiled the same way, and recall is not
 * computed (the ground truth is unfiltered).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { groundTruth, loadDataset, parseDatasetSpec, recallOf } from './dataset.js';
import { spawnQuiverProcess } from './targets.js';
import { repoRoot, vectorText } from './util.js';

const { values } = parseArgs({ options: {
  data: { type: 'string', default: '/tmp/quiver-knn-overhead-data' },
  queries: { type: 'string', default: '3000' },
  ef: { type: 'string', default: '40' },
  'query-workers': { type: 'string' },
  'cpu-prof': { type: 'boolean', default: false },
  top: { type: 'string', default: '25' },
  connections: { type: 'string', default: '1' },
  /** the server's main.js (default: this checkout's dist), e.g. an older build for a before/after */
  entry: { type: 'string' },
  /** comma-separated quiver.target_recall values: one measured run each */
  'target-recall': { type: 'string' },
  /** a filter for the query (no recall then) */
  where: { type: 'string' },
} });
const root = repoRoot();
const MAIN = values.entry ?? join(root, 'dist', 'src', 'main.js');
const TABLE = 'quiver_bench_items';
const cacheDir = join(root, 'bench', 'cache');
const ds = loadDataset(parseDatasetSpec('fashion-mnist', 1000, false), cacheDir, { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: 1000 });
const gt = groundTruth(ds, 'l2', 10, cacheDir);
const profDir = join(values.data!, '..', 'quiver-knn-overhead-prof');

function start(prof: boolean): Promise<{ proc: ChildProcess; port: number }> {
  const args = [...(prof ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), MAIN, '--host', '127.0.0.1', '--port', '0', '--data', values.data!, '--log-level', 'warn'];
  if (values['query-workers'] !== undefined) args.push('--query-workers', values['query-workers']);
  return spawnQuiverProcess(args);
}

async function stop(s: { proc: ChildProcess }): Promise<void> {
  await new Promise<void>((done) => { s.proc.once('exit', () => done()); s.proc.kill('SIGTERM'); });
}

async function connect(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
}

/** Loads Fashion-MNIST with binary COPY and builds the HNSW l2 index, once per --data dir. */
async function loadOnce(): Promise<void> {
  if (existsSync(`${values.data!}.loaded`)) return;
  rmSync(values.data!, { recursive: true, force: true });
  mkdirSync(values.data!, { recursive: true });
  const s = await start(false);
  const c = await connect(s.port);
  await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${ds.dim}))`);
  const chunks = function* (): Generator<Buffer> {
    yield copyHeader();
    for (let r = 0; r < ds.n; r += 1000) yield encodeRows(ds.train, ds.dim, ds.sel, r, Math.min(ds.n, r + 1000));
    yield copyTrailer();
  };
  await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, sel, embedding) FROM STDIN (FORMAT binary)`)));
  await c.query(`CREATE INDEX ${TABLE}_l2_hnsw ON ${TABLE} USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)`);
  await c.end();
  await stop(s);
  writeFileSync(`${values.data!}.loaded`, ''); // complete: reruns skip the load
}

/**
 * Top self-time entries of a .cpuprofile within the measured window (µs of the monotonic
 * clock, which V8's profile timestamps and process.hrtime share on Linux), so server
 * start and recovery do not count: [ms, share, function url:line].
 */
function topSelfTime(file: string, top: number, fromUs: number, toUs: number): string[] {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[]; timeDeltas: number[]; startTime: number;
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  let at = prof.startTime;
  prof.samples.forEach((id, i) => {
    at += prof.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) return;
    const f = byId.get(id)!;
    const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`;
    const dt = prof.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const line = (k: string, us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`;
  const groups = new Map<string, number>();
  for (const [k, us] of self) {
    const g = k.startsWith('(idle)') ? 'idle (waiting for the client)' : k.startsWith('search dist/esm/usearch') ? 'usearch search (native)'
      : k.startsWith('writeBuffer') || k.startsWith('writev') ? 'socket writes' : k.startsWith('postMessage') ? 'postMessage (worker hop)'
      : k.includes('dist/src/') ? 'Quiver JS' : k.startsWith('(garbage') ? 'GC' : 'other (node, libraries)';
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  return [...[...groups].sort((a, b) => b[1] - a[1]).map(([g, us]) => line(`[${g}]`, us)), '',
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => line(k, us))];
}

await loadOnce();
if (values['cpu-prof']) rmSync(profDir, { recursive: true, force: true });
const server = await start(values['cpu-prof']!);
const clients = await Promise.all(Array.from({ length: Number(values.connections) }, () => connect(server.port)));
for (const c of clients) await c.query(`SET hnsw.ef_search = ${Number(values.ef)}`);
const texts = Array.from({ length: ds.queries.length }, (_, i) => vectorText(ds.queries[i]!));
const sql = `SELECT id FROM ${TABLE}${values.where ? ` WHERE ${values.where}` : ''} ORDER BY embedding <-> $1 LIMIT 10`;
const runOne = async (client: pg.Client, qi: number): Promise<number[]> =>
  (await client.query<{ id: string }>({ name: 'knn', text: sql, values: [texts[qi]] })).rows.map((r) => Number(r.id));
for (const c of clients) for (let i = 0; i < 100; i++) await runOne(c, i % texts.length);
const count = Number(values.queries);

/** One measured run of `count` queries over the clients: QPS, mean recall@10, latencies. */
async function measure(): Promise<{ qps: number; recall: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let recall = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => {
    while (next < count) {
      const qi = next++ % texts.length;
      const s = performance.now();
      const ids = await runOne(c, qi);
      lat.push(performance.now() - s);
      if (!values.where) recall += recallOf(ds, 'l2', gt, qi, 10, ids);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { qps: count / seconds, recall: recall / count, p50: lat[lat.length >> 1]!, p99: lat[Math.floor(lat.length * 0.99)]! };
}
const shown = (r: Awaited<ReturnType<typeof measure>>): string =>
  `${r.qps.toFixed(0)} QPS, recall ${values.where ? 'n/a (filtered)' : r.recall.toFixed(4)}, p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms`;

const windowFrom = Number(process.hrtime.bigint() / 1000n);
if (values['target-recall']) {
  // a discarded pass first: the first queries after start pay the index file's first
  // touches (the first target measured ran at half the QPS of the same target run last)
  await measure();
  for (const target of values['target-recall'].split(',').map(Number)) {
    for (const c of clients) await c.query(`SET quiver.target_recall = ${target}`);
    const plan = await clients[0]!.query(`EXPLAIN ANALYZE ${sql.replace('$1', `'${texts[0]}'`)}`);
    const line = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']!.trim()).find((l) => l.startsWith('Target Recall:'))
      ?? (target === 0 ? `off: hnsw.ef_search ${values.ef}` : 'no Target Recall line');
    process.stdout.write(`target recall ${target}, ${values.connections} connection(s): ${shown(await measure())}; ${line}\n`);
  }
} else {
  process.stdout.write(`prepared k-NN, ${values.connections} connection(s), ef ${values.ef}, workers ${values['query-workers'] ?? 'default'}: ${shown(await measure())}\n`);
}
const windowTo = Number(process.hrtime.bigint() / 1000n);
for (const c of clients) await c.end();
await stop(server);
if (values['cpu-prof']) {
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${profDir} (did the server exit cleanly?)`);
  process.stdout.write(`server profile ${join(profDir, file)}, top self time per query group, then per function (${count} queries):\n${topSelfTime(join(profDir, file), Number(values.top), windowFrom, windowTo).join('\n')}\n`);
}
