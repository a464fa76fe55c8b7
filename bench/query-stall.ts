/**
 * How long do a query's own pieces of work hold the event loop? In one process (a session on
 * a storage, no server, two query workers as on the 2-core machine): a fresh table of
 * rows × (id int, a int, b int, c int, v vector(dim)) loaded in one bulk transaction (one
 * sealed segment), with an HNSW index; then each job runs while a 1 ms interval timer records
 * the longest gap between its ticks (the longest time the loop was not free to answer
 * another connection).
 *
 *   node dist/bench/query-stall.js [--rows 200000] [--dim 16] [--jobs first-filtered,filtered,ordered,analyze]
 *
 *   first-filtered  the first filtered HNSW search on column a (0.1 %): its sorted column is
 *                   not built yet, so the bitmap tests every row
 *   filtered        a filtered search no sorted column answers ((a + b) % 1000 = 3): every
 *                   row tested, on every search
 *   ordered         the first ordered B-tree index scan on column c (ORDER BY c LIMIT 10),
 *                   whose sorted column is not built yet
 *   analyze         ANALYZE of the table (what auto-analyze runs after a seal)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine.js';
import { loadParser } from '../src/sql/parser.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import type { Backend } from '../src/wire/backend.js';
import type { Value } from '../src/types/types.js';

/** The longest gap between ticks of a 1 ms timer while `job` runs, and the job's time (ms). */
async function stall(job: () => Promise<unknown>): Promise<{ longest_ms: number; total_ms: number }> {
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  last = t0;
  try {
    await job();
  } finally {
    clearInterval(tick);
  }
  const end = performance.now();
  longest = Math.max(longest, end - last);
  return { longest_ms: Math.round(longest * 10) / 10, total_ms: Math.round((end - t0) * 10) / 10 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    rows: { type: 'string', default: '200000' },
    dim: { type: 'string', default: '16' },
    jobs: { type: 'string', default: 'first-filtered,filtered,ordered,analyze' },
  } });
  const rows = Number(values.rows);
  const DIM = Number(values.dim);
  const jobs = values.jobs!.split(',');
  const dir = await mkdtemp(join(tmpdir(), 'quiver-query-stall-'));
  await loadParser();
  const storage = await DurableStorage.open({ dataDir: dir, background: false });
  const pool = new QueryWorkerPool(2);
  const engine = new Engine(storage, pool);
  const backend: Backend = engine.create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  const sql = async (text: string, params: readonly Value[] = []): Promise<number> => {
    const r = await backend.execute(backend.prepare(text, []), params);
    if (r.kind !== 'rows') return 0;
    let n = r.rows.length;
    for (let more = await r.more?.next(); more; more = await r.more!.next()) n += more.length;
    return n;
  };
  try {
    await sql(`CREATE TABLE t (id int, a int, b int, c int, v vector(${DIM}))`);
    // one transaction (written as one sealed segment at its commit); each row's vector sin(g · f_d)
    await sql('BEGIN');
    const batch = Math.max(1, Math.floor(200_000 / DIM));
    for (let from = 1; from <= rows; from += batch) {
      const values: string[] = [];
      for (let g = from; g < Math.min(rows + 1, from + batch); g++) {
        const v = Array.from({ length: DIM }, (_, d) => Math.sin(g * (0.37 + d * 1.13)).toFixed(4)).join(',');
        values.push(`(${g}, ${(g * 7) % 1000}, ${(g * 13) % 1000}, ${(g * 31) % 1000}, '[${v}]')`);
      }
      await sql(`INSERT INTO t VALUES ${values.join(',')}`);
    }
    await sql('COMMIT');
    if (jobs.some((j) => j.includes('filtered'))) await sql('CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16)');
    if (jobs.includes('ordered')) await sql('CREATE INDEX t_c ON t (c)');
    // the background auto-analyze after the load is done before any job is measured
    await new Promise((r) => setTimeout(r, 3000));
    const q = `[${Array.from({ length: DIM }, (_, d) => Math.sin(0.5 + d).toFixed(3)).join(',')}]`;
    const result: Record<string, unknown> = { rows, dim: DIM, load_average: loadavg().map((x) => x.toFixed(1)).join(' ') };
    // QUERY_STALL_PROFILE=file: a CPU profile of the jobs only
    const profile = process.env.QUERY_STALL_PROFILE;
    const inspector = profile ? new Session() : undefined;
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    for (const job of jobs) {
      if (job === 'first-filtered') result[job] = await stall(() => sql(`SELECT id FROM t WHERE a < 1 ORDER BY v <-> '${q}' LIMIT 10`));
      else if (job === 'filtered') result[job] = await stall(() => sql(`SELECT id FROM t WHERE (a + b) % 1000 = 3 ORDER BY v <-> '${q}' LIMIT 10`));
      else if (job === 'ordered') result[job] = await stall(() => sql('SELECT id FROM t WHERE c > 5 ORDER BY c LIMIT 10'));
      else if (job === 'analyze') result[job] = await stall(() => sql('ANALYZE t'));
      else throw new Error(`unknown job ${job}`);
    }
    if (inspector) {
      const { profile: taken } = await inspector.post('Profiler.stop');
      await writeFile(profile!, JSON.stringify(taken));
      inspector.disconnect();
    }
    result.load_average_after = loadavg().map((x) => x.toFixed(1)).join(' ');
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await engine.stopBackground();
    await storage.close();
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
