/**
 * Query workers, measured in one process (no wire, no SQL parsing in the timings): the
 * vector Top-K of `SELECT … ORDER BY v <-> q LIMIT 10` run by the in-thread operator and
 * by the async coordinator with 1, 2, … query workers.
 *
 *   node dist/bench/query-workers.js --mode exact --dataset synthetic:n=200000,d=128
 *   node dist/bench/query-workers.js --mode ann --dataset fashion-mnist --concurrency 8
 *
 * exact: sealed segments without an index, one query at a time: median latency.
 * ann:   an HNSW index per sealed segment, `--concurrency` queries in flight: QPS, recall@10.
 * Also prints the process RSS with idle workers and after they have attached the segments.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine.js';
import { collect, runPlan, type RunContext } from '../src/executor/operators.js';
import type { ExecEnv } from '../src/executor/expr.js';
import { parallelExactVectorTopK, parallelIndexedVectorTopK, type VectorKey } from '../src/executor/parallel-vector-search.js';
import type { Plan } from '../src/planner/plan.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import { loadParser } from '../src/sql/parser.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import type { Row, Value } from '../src/types/types.js';
import type { Backend } from '../src/wire/backend.js';
import { groundTruth, loadDataset, parseDatasetSpec } from './dataset.js';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'exact' },
    dataset: { type: 'string', default: 'synthetic:n=200000,d=128,clusters=100,seed=1' },
    workers: { type: 'string', default: '1,2' },
    queries: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '8' },
    ef: { type: 'string', default: '40' },
    /** rows per commit (a large commit is ingested as one sealed segment) */
    batch: { type: 'string', default: '10000' },
  },
});
const mode = values.mode === 'ann' ? 'ann' : 'exact';
const nq = Number(values.queries);
const concurrency = Number(values.concurrency);
const mb = (b: number) => Math.round(b / 2 ** 20);
const rss = () => { globalThis.gc?.(); return process.memoryUsage().rss; };
/** anonymous (heap, SharedArrayBuffer) vs file-backed (mmap'd index views) resident memory */
const rssParts = (): { anon: number; file: number; pssFile: number } => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const pssFile = Number(/Pss_File:\s+(\d+) kB/.exec(rollup)?.[1] ?? 0) * 1024;
  return { anon: kb('RssAnon') + kb('RssShmem'), file: kb('RssFile'), pssFile };
};
const say = (m: string) => process.stderr.write(`${m}\n`);

interface SessionInternals { runContext(txn: undefined): RunContext; execEnv(params: readonly Value[], rc: RunContext): ExecEnv }
type TopK = Extract<Plan, { kind: 'topk' }>;

function findTopK(plan: Plan): TopK {
  if (plan.kind === 'topk') return plan;
  if ('input' in plan) return findTopK(plan.input);
  throw new Error(`no Top-K in ${plan.kind}`);
}

const ds = loadDataset(parseDatasetSpec(values.dataset!, nq, true), join(process.cwd(), 'bench', 'cache'), { n: 200_000, dim: 128, clusters: 100, seed: 1, queries: nq });
say(`dataset ${ds.description}`);
const dir = mkdtempSync(join(tmpdir(), 'quiver-qw-bench-'));
await loadParser();
// seal every ~16 MiB of rows, in the background as the server does
const storage = await DurableStorage.open({ dataDir: dir, sealThresholdBytes: 16 * 2 ** 20 });
const backend: Backend = new Engine(storage).create();
backend.startup({ user: 'postgres', database: 'postgres' });
const session = backend as unknown as SessionInternals;
const sql = async (text: string) => backend.execute(backend.prepare(text, []), []);

await sql(`CREATE TABLE items (id int PRIMARY KEY, v vector(${ds.dim}))`);
const prepare = (q: Float32Array): { topk: TopK; key: VectorKey; rc: RunContext; env: ExecEnv } => {
  const stmt = backend.prepare(`SELECT id FROM items ORDER BY v <-> '[${Array.from(q).join(',')}]' LIMIT 10`, []) as unknown as { bound: { plan: Plan } };
  const topk = findTopK(stmt.bound.plan);
  const e = topk.keys[0].expr;
  if (e.kind !== 'call' || e.args[0].kind !== 'column') throw new Error('unexpected plan');
  const rc = session.runContext(undefined);
  const env = session.execEnv([], rc);
  return { topk, key: { column: e.args[0].index, query: e.args[1], op: '<->' }, rc, env };
};
const tableOid = (() => { const t = prepare(ds.queries[0]).topk.input; if (t.kind !== 'scan') throw new Error('no scan'); return t.table.oid; })();

const t0 = performance.now();
const batch = Number(values.batch);
for (let start = 0; start < ds.n; start += batch) {
  const txn = storage.begin();
  const rows: Row[] = [];
  for (let i = start; i < Math.min(ds.n, start + batch); i++) rows.push([i, ds.train.slice(i * ds.dim, (i + 1) * ds.dim)]);
  txn.insert(tableOid, rows);
  await txn.commit();
}
if (mode === 'ann') await sql(`CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 64)`);
// wait until the background seals are done (the sealed row count stops changing)
const sealedRows = () => storage.searchSegments(tableOid, storage.snapshot()).reduce((n, s) => n + s.length, 0);
for (let last = -1; sealedRows() !== last;) {
  last = sealedRows();
  await new Promise((r) => setTimeout(r, 1500));
}
say(`loaded ${ds.n} rows, ${sealedRows()} sealed in ${storage.searchSegments(tableOid, storage.snapshot()).length} segments, ${Math.round(performance.now() - t0)} ms`);

const truth = groundTruth(ds, 'l2', 10, join(process.cwd(), 'bench', 'cache'));
const recallOf = (qi: number, rows: readonly Row[]) => {
  const want = new Set(Array.from(truth.ids.subarray(qi * 10, qi * 10 + 10)));
  return rows.filter((r) => want.has(r[0] as number)).length / 10;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(label: string, one: (qi: number) => Promise<Row[]>): Promise<void> {
  for (let i = 0; i < 3; i++) await one(i % ds.queries.length); // warm up (attach, page in)
  const lat: number[] = [];
  let recall = 0;
  const tStart = performance.now();
  let next = 0;
  const lanes = mode === 'ann' ? concurrency : 1;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < nq) {
      const qi = next++ % ds.queries.length;
      const t = performance.now();
      const rows = await one(qi);
      lat.push(performance.now() - t);
      recall += recallOf(qi, rows);
    }
  }));
  const secs = (performance.now() - tStart) / 1000;
  say(`${label}: median ${median(lat).toFixed(1)} ms, ${(nq / secs).toFixed(0)} QPS (${lanes} in flight), recall@10 ${(recall / nq).toFixed(3)}`);
}

await sql(`SET hnsw.ef_search = ${Number(values.ef)}`);
const rss0 = rss();
await run('in-thread', async (qi) => { const p = prepare(ds.queries[qi]); return collect(runPlan(p.topk, p.rc, p.env)); });
for (const w of values.workers!.split(',').map(Number)) {
  const pool = new QueryWorkerPool(w);
  const search = mode === 'ann' ? parallelIndexedVectorTopK : parallelExactVectorTopK;
  const one = async (qi: number) => { const p = prepare(ds.queries[qi]); return (await search(p.topk, p.key, 10, 0, p.rc, p.env, pool))!; };
  // idle: a request on an empty segment list starts the threads without attaching anything
  const before = rss();
  await Promise.all(Array.from({ length: w }, (_, i) => pool.exactTopK({ vectors: { dim: 1, count: 0, chunks: [] } }, { kind: 'exactTopK', query: new Float32Array(1), op: '<->', half: false, keep: 1, start: 0, end: 0 }).done.catch(() => i)));
  const idle = rss();
  const idleParts = rssParts();
  await run(`${w} worker${w > 1 ? 's' : ''}`, one);
  const attached = rss();
  const attachedParts = rssParts();
  say(`  RSS after attaching: anonymous +${mb(attachedParts.anon - idleParts.anon)} MiB, file-backed (index views) +${mb(attachedParts.file - idleParts.file)} MiB RSS, +${mb(attachedParts.pssFile - idleParts.pssFile)} MiB PSS (pages mapped twice count once)`);
  say(`  RSS: +${mb(idle - before)} MiB for ${w} idle worker(s) (${mb((idle - before) / w)} MiB each); +${mb(attached - idle)} MiB after attaching and searching; process ${mb(attached)} MiB (before workers ${mb(rss0)} MiB)`);
  await pool.close();
}
await storage.close();
rmSync(dir, { recursive: true, force: true });
