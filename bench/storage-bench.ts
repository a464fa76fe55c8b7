/**
 * Storage benchmarks (figures go to src/storage/README.md; not timed tests):
 *
 *   node dist/bench/storage-bench.js commit  [--seconds 3]
 *       single-row autocommit INSERTs through the wire, 1 connection vs 16 connections
 *   node dist/bench/storage-bench.js restart [--rows 1000000] [--dims 128]
 *       load rows × dims straight into the storage, then time a server start on that data
 *       directory until it answers a query, and compare its resident memory to the data
 *
 * Each run uses its own temporary data directory and child server, removed at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { OID } from '../src/types/types.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN_JS = join(REPO, 'dist', 'src', 'main.js');

interface Child { proc: ChildProcess; port: number; startMs: number }

async function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [MAIN_JS, '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  const port = await new Promise<number>((res, rej) => {
    proc.stderr!.on('data', (s: string) => {
      stderr += s;
      const m = /"msg":"listening".*?"port":(\d+)/.exec(stderr);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`server exited ${code}: ${stderr}`)));
  });
  const recovered = /"msg":"storage recovered"/.test(stderr) ? stderr.split('\n').find((l) => l.includes('storage recovered')) : undefined;
  if (recovered) console.log(`  ${recovered}`);
  return { proc, port, startMs: performance.now() - t0 };
}

async function stopServer(c: Child): Promise<void> {
  if (c.proc.exitCode !== null) return;
  await new Promise<void>((done) => { c.proc.once('exit', () => done()); c.proc.kill('SIGTERM'); });
}

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
}

async function insertRate(port: number, connections: number, seconds: number, base: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: connections }, () => client(port)));
  let n = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(clients.map(async (c, w) => {
    let i = 0;
    while (performance.now() < until) {
      await c.query({ name: 'bench_insert', text: 'INSERT INTO bench_commit (id, w, v) VALUES ($1, $2, $3)', values: [base + w * 10_000_000 + i++, w, '[1,2,3,4]'] });
      n++;
    }
  }));
  await Promise.all(clients.map((c) => c.end()));
  return n / seconds;
}

async function benchCommit(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-bench-commit-'));
  const server = await startServer(dir);
  try {
    const c = await client(server.port);
    await c.query('CREATE TABLE bench_commit (id bigint PRIMARY KEY, w int, v vector(4))');
    await c.end();
    const one = await insertRate(server.port, 1, seconds, 0);
    const sixteen = await insertRate(server.port, 16, seconds, 1_000_000_000);
    console.log(`single-row autocommit INSERT: 1 connection ${one.toFixed(0)}/s, 16 connections ${sixteen.toFixed(0)}/s, ratio ${(sixteen / one).toFixed(1)}×`);
  } finally {
    await stopServer(server);
    await rm(dir, { recursive: true, force: true });
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) n += (await stat(join(dir, f))).size;
  return n;
}

async function benchRestart(rows: number, dims: number, keep?: string): Promise<void> {
  const dir = keep ?? await mkdtemp(join(tmpdir(), 'quiver-bench-restart-'));
  try {
    if (!keep || !(await readdir(dir).catch(() => [] as string[])).includes('QUIVER_VERSION')) await loadRestartData(dir, rows, dims);
    const segBytes = await dirBytes(join(dir, 'segments'));
    const server = await startServer(dir);
    const q0 = performance.now();
    const c2 = await client(server.port);
    const count = (await c2.query('SELECT count(*) AS n FROM bench_restart')).rows[0].n;
    const readyMs = server.startMs + (performance.now() - q0);
    const rss = rssMb(server.proc.pid!);
    console.log(`restart: listening after ${(server.startMs / 1000).toFixed(2)} s, first query answered after ${(readyMs / 1000).toFixed(2)} s (count = ${count})`);
    console.log(`resident memory after restart: ${rss.toFixed(0)} MiB for ${((segBytes) / 2 ** 20).toFixed(0)} MiB of sealed files + the growing segment (raw vectors ${(rows * dims * 4 / 2 ** 20).toFixed(0)} MiB)`);
    await c2.end();
    await stopServer(server);
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

async function loadRestartData(dir: string, rows: number, dims: number): Promise<void> {
  {
    // Load through a server once so the catalog knows the table, then bulk-load directly.
    const server = await startServer(dir);
    const c = await client(server.port);
    await c.query(`CREATE TABLE bench_restart (id bigint PRIMARY KEY, v vector(${dims}))`);
    const oid = Number((await c.query(`SELECT 'bench_restart'::regclass::oid AS oid`)).rows[0].oid);
    await c.end();
    await stopServer(server);

    const t0 = performance.now();
    const storage = await DurableStorage.open({ dataDir: dir });
    const BATCH = 10_000;
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
    for (let start = 0; start < rows; start += BATCH) {
      const txn = storage.begin();
      const batch = [];
      for (let i = start; i < Math.min(rows, start + BATCH); i++) {
        const v = new Float32Array(dims);
        for (let d = 0; d < dims; d++) v[d] = rand();
        batch.push([BigInt(i), v]);
      }
      txn.insert(oid, batch);
      await txn.commit();
    }
    await storage.close();
    const segBytes = await dirBytes(join(dir, 'segments'));
    const walBytes = await dirBytes(join(dir, 'wal'));
    console.log(`loaded ${rows} rows × ${dims} dims in ${((performance.now() - t0) / 1000).toFixed(1)} s; sealed files ${(segBytes / 2 ** 20).toFixed(0)} MiB, log ${(walBytes / 2 ** 20).toFixed(0)} MiB`);
  }
}

/** The same at the storage API (no SQL, no wire): isolates group commit. */
async function benchGroupCommit(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-bench-group-'));
  const storage = await DurableStorage.open({ dataDir: dir });
  try {
    const layout = { id: 1, columns: [{ name: 'id', type: { oid: OID.int8, typmod: -1 } }, { name: 'v', type: { oid: OID.vector, typmod: 4 } }] };
    await storage.createTable(layout);
    await storage.addUniqueKey(1, { name: 'pk', columns: [0] });
    let next = 0n;
    const run = async (writers: number) => {
      const c0 = storage.walCounters();
      let n = 0;
      const until = performance.now() + seconds * 1000;
      await Promise.all(Array.from({ length: writers }, async () => {
        while (performance.now() < until) {
          const txn = storage.begin();
          txn.insert(1, [[next++, new Float32Array([1, 2, 3, 4])]]);
          await txn.commit();
          n++;
        }
      }));
      const c1 = storage.walCounters();
      return { rate: n / seconds, perBatch: (c1.commits - c0.commits) / (c1.batches - c0.batches) };
    };
    const one = await run(1);
    const sixteen = await run(16);
    console.log(`storage API commits: 1 writer ${one.rate.toFixed(0)}/s, 16 writers ${sixteen.rate.toFixed(0)}/s (${sixteen.perBatch.toFixed(1)} commits per fsync), ratio ${(sixteen.rate / one.rate).toFixed(1)}×`);
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { keep: { type: 'string' }, seconds: { type: 'string', default: '3' }, rows: { type: 'string', default: '1000000' }, dims: { type: 'string', default: '128' } },
});
const what = positionals[0] ?? 'commit';
if (what === 'commit' || what === 'all') {
  await benchGroupCommit(Number(values.seconds));
  await benchCommit(Number(values.seconds));
}
if (what === 'restart' || what === 'all') await benchRestart(Number(values.rows), Number(values.dims), values.keep);
