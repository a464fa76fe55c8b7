/**
 * Where a prepared query's fixed cost goes: one connection (node-pg, named prepared
 * statements, parameters as text exactly as `npm run bench` sends them) runs a ladder of
 * statements against Fashion-MNIST (60k × vector(784), B-tree on `f`, HNSW l2), from
 * protocol-only to the filtered and unfiltered k-NN the benchmarks time:
 *
 *   select1       SELECT 1
 *   select1-simple  SELECT 1 as a simple Query (no Parse / Bind: the text is parsed at every run)
 *   pk            SELECT id FROM t WHERE id = $1
 *   pk-simple     SELECT id FROM t WHERE id = <literal> as a simple Query (a new literal each time)
 *   pk-simple-same  SELECT id FROM t WHERE id = 4711 as a simple Query (the same text each time: psql scripts, health checks)
 *   pk-unnamed    SELECT id FROM t WHERE id = $1 as an unnamed Parse at every run (node-pg's query(text, values) without a name)
 *   vecparam      SELECT id FROM t WHERE id = $2 AND $1::vector IS NOT NULL   (784 floats parsed, no distance)
 *   filter        SELECT id FROM t WHERE f < 60 LIMIT 10                     (the filter's lookup and 10 rows)
 *   filtered-knn  SELECT id FROM t WHERE f < 60 ORDER BY embedding <-> $1 LIMIT 10   (0.1 %: ~60 exact distances)
 *   knn           SELECT id FROM t ORDER BY embedding <-> $1 LIMIT 10        (HNSW, ef_search 40)
 *
 * Each target is a Quiver build (`--entry path/to/dist/src/main.js`, repeatable: the
 * builds run alternately, A/B/A/B for --rounds, each as its own server process on the
 * same data directory) or a PostgreSQL URL (`--pg`, a scratch database: the table is made
 * there once). Per case it prints QPS, p50 and a digest of every answer's ids, so two
 * builds can be checked to answer the same. With --cpu-prof each Quiver server runs under
 * `node --cpu-prof` and the top self-time entries and inclusive time per phase of its
 * measured window are printed (bench/cpu-profile.ts). With --gc-alloc each Quiver server runs
 * under `node --trace-gc-nvp` (and a 1 MB young generation, so collections come often and
 * the window's edges miss little) and the bytes it allocated per query are printed: the sum
 * of every collection's `allocated=` in the measured window.
 *
 *   node dist/bench/query-overhead.js [--entry A/dist/src/main.js --entry B/dist/src/main.js]
 *        [--pg postgres://postgres@127.0.0.1:55432/qoh_bench] [--rounds 2] [--queries 3000]
 *        [--cases select1,pk,vecparam,filter,filtered-knn,knn] [--warmup 300] [--cpu-prof] [--top 20]
 *        [--gc-alloc] [--data /tmp/quiver-query-overhead-data]
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeIntRows } from './copy-binary.js';
import { profileSummary } from './cpu-profile.js';
import { loadDataset, parseDatasetSpec } from './dataset.js';
import { permutationColumn } from './filter-design.js';
import { spawnQuiverProcess } from './targets.js';
import { repoRoot, vectorText } from './util.js';

const { values } = parseArgs({ options: {
  entry: { type: 'string', multiple: true },
  pg: { type: 'string' },
  data: { type: 'string', default: '/tmp/quiver-query-overhead-data' },
  queries: { type: 'string', default: '3000' },
  /** unmeasured queries of each case first (the first ones after a start build a segment's sorted column) */
  warmup: { type: 'string', default: '300' },
  rounds: { type: 'string', default: '1' },
  cases: { type: 'string', default: 'select1,pk,vecparam,filter,filtered-knn,knn' },
  ef: { type: 'string', default: '40' },
  'cpu-prof': { type: 'boolean', default: false },
  'gc-alloc': { type: 'boolean', default: false },
  top: { type: 'string', default: '20' },
} });

const root = repoRoot();
const TABLE = 'qoh_items';
const FILTER = 'f < 60';
const ds = loadDataset(parseDatasetSpec('fashion-mnist', 1000, false), join(root, 'bench', 'cache'), { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: 1000 });
const texts = Array.from({ length: ds.queries.length }, (_, i) => vectorText(ds.queries[i]!));
const count = Number(values.queries);

/**
 * `simple`: sent as a simple Query (node-pg does so for a text without name and values); `sql` may then vary per run.
 * `unnamed`: Parse of the unnamed statement at every run (node-pg's query without a name, with values).
 */
interface Case { name: string; sql: string | ((i: number) => string); params(i: number): unknown[]; simple?: boolean; unnamed?: boolean }
const CASES: Case[] = [
  { name: 'select1', sql: 'SELECT 1', params: () => [] },
  { name: 'select1-simple', sql: 'SELECT 1', params: () => [], simple: true },
  { name: 'pk', sql: `SELECT id FROM ${TABLE} WHERE id = $1`, params: (i) => [(i * 7919) % ds.n] },
  { name: 'pk-simple', sql: (i) => `SELECT id FROM ${TABLE} WHERE id = ${(i * 7919) % ds.n}`, params: () => [], simple: true },
  { name: 'pk-simple-same', sql: `SELECT id FROM ${TABLE} WHERE id = 4711`, params: () => [], simple: true },
  { name: 'pk-unnamed', sql: `SELECT id FROM ${TABLE} WHERE id = $1`, params: (i) => [(i * 7919) % ds.n], unnamed: true },
  { name: 'vecparam', sql: `SELECT id FROM ${TABLE} WHERE id = $2 AND $1::vector IS NOT NULL`, params: (i) => [texts[i % texts.length], (i * 7919) % ds.n] },
  { name: 'filter', sql: `SELECT id FROM ${TABLE} WHERE ${FILTER} LIMIT 10`, params: () => [] },
  { name: 'filtered-knn', sql: `SELECT id FROM ${TABLE} WHERE ${FILTER} ORDER BY embedding <-> $1 LIMIT 10`, params: (i) => [texts[i % texts.length]] },
  { name: 'knn', sql: `SELECT id FROM ${TABLE} ORDER BY embedding <-> $1 LIMIT 10`, params: (i) => [texts[i % texts.length]] },
];
const wanted = values.cases!.split(',');
const cases = CASES.filter((c) => wanted.includes(c.name));

async function connect(config: pg.ClientConfig): Promise<pg.Client> {
  const c = new pg.Client(config);
  await c.connect();
  return c;
}

/** The table, its rows (binary COPY: id, f = a seeded permutation, embedding), B-tree on f, ANALYZE, HNSW. */
async function load(c: pg.Client): Promise<void> {
  const f = permutationColumn(ds.n);
  await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, f integer NOT NULL, embedding vector(${ds.dim}))`);
  const chunks = function* (): Generator<Buffer> {
    yield copyHeader();
    for (let r = 0; r < ds.n; r += 1000) yield encodeIntRows(ds.train, ds.dim, [f], r, Math.min(ds.n, r + 1000));
    yield copyTrailer();
  };
  await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, f, embedding) FROM STDIN (FORMAT binary)`)));
  await c.query(`CREATE INDEX ${TABLE}_f_idx ON ${TABLE} (f)`);
  await c.query(`ANALYZE ${TABLE}`);
  await c.query(`CREATE INDEX ${TABLE}_l2_hnsw ON ${TABLE} USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)`);
}

/** bytes the running server has allocated so far, as its GC trace reports them (--gc-alloc) */
let gcAllocated = 0;

async function startQuiver(entry: string, profDir: string | undefined, gcTrace = false): Promise<{ proc: ChildProcess; port: number }> {
  const prof = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const gc = gcTrace ? ['--trace-gc-nvp', '--max-semi-space-size=1'] : [];
  const s = await spawnQuiverProcess([...prof, ...gc, entry, '--host', '127.0.0.1', '--port', '0', '--data', values.data!, '--log-level', 'warn']);
  if (gcTrace) {
    gcAllocated = 0;
    let partial = '';
    s.proc.stdout!.on('data', (b: Buffer) => {
      const lines = (partial + b.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        const m = / allocated=(\d+)/.exec(line);
        if (m) gcAllocated += Number(m[1]);
      }
    });
  }
  return s;
}

async function stop(proc: ChildProcess): Promise<void> {
  await new Promise<void>((done) => { proc.once('exit', () => done()); proc.kill('SIGTERM'); });
}

/** Loads the data directory once (the first Quiver build given makes it). */
async function loadQuiverOnce(entry: string): Promise<void> {
  if (existsSync(`${values.data!}.loaded`)) return;
  rmSync(values.data!, { recursive: true, force: true });
  mkdirSync(values.data!, { recursive: true });
  const s = await startQuiver(entry, undefined);
  const c = await connect({ host: '127.0.0.1', port: s.port, user: 'postgres', database: 'postgres' });
  await load(c);
  await c.end();
  await stop(s.proc);
  writeFileSync(`${values.data!}.loaded`, '');
}

async function loadPostgresOnce(c: pg.Client): Promise<void> {
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  const have = await c.query(`SELECT 1 FROM pg_class WHERE relname = '${TABLE}'`);
  if (have.rowCount === 0) await load(c);
}

interface CaseResult { qps: number; p50: number; digest: string; window: [number, number]; cpuUs?: number; allocBytes?: number }

/**
 * CPU time (user + system, all threads) the process has used, µs, from /proc (Linux);
 * per query it is the server's cost, which other jobs on a busy machine do not inflate as
 * they do QPS. Undefined elsewhere or for another user's process.
 */
function processCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** count queries of one case, after 100 unmeasured ones; the digest covers every answer's ids in order. */
async function runCase(c: pg.Client, k: Case, name: string, serverPid?: number): Promise<CaseResult> {
  const text = (i: number): string => (typeof k.sql === 'string' ? k.sql : k.sql(i));
  const run = async (i: number): Promise<unknown[][]> => (await c.query(k.simple ? { text: text(i), rowMode: 'array' }
    : k.unnamed ? { text: text(i), values: k.params(i), rowMode: 'array' } : { name, text: text(i), values: k.params(i), rowMode: 'array' })).rows;
  for (let i = 0; i < Number(values.warmup); i++) await run(i);
  const from = nowUs();
  const cpu0 = processCpuUs(serverPid);
  const alloc0 = gcAllocated;
  const hash = createHash('sha1');
  const lat = new Float64Array(count);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    const rows = await run(i);
    lat[i] = performance.now() - s;
    hash.update(rows.map((r) => String(r[0])).join(',') + ';');
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = processCpuUs(serverPid);
  if (values['gc-alloc'] && serverPid !== undefined) await new Promise((r) => setTimeout(r, 100)); // the last trace lines
  const alloc1 = gcAllocated;
  lat.sort();
  const result: CaseResult = { qps: count / seconds, p50: lat[count >> 1]!, digest: hash.digest('hex').slice(0, 10), window: [from, nowUs()] };
  if (cpu0 !== undefined && cpu1 !== undefined) result.cpuUs = (cpu1 - cpu0) / count;
  if (values['gc-alloc'] && serverPid !== undefined) result.allocBytes = (alloc1 - alloc0) / count;
  return result;
}

async function runCases(c: pg.Client, serverPid?: number): Promise<Map<string, CaseResult>> {
  await c.query(`SET hnsw.ef_search = ${Number(values.ef)}`);
  const out = new Map<string, CaseResult>();
  for (const k of cases) out.set(k.name, await runCase(c, k, `qoh_${k.name.replace('-', '_')}`, serverPid));
  return out;
}

const table = new Map<string, Map<string, CaseResult[]>>();
function record(target: string, results: Map<string, CaseResult>): void {
  const per = table.get(target) ?? new Map<string, CaseResult[]>();
  table.set(target, per);
  for (const [k, r] of results) per.set(k, [...(per.get(k) ?? []), r]);
  const load1 = loadavg()[0]!.toFixed(2);
  const cpu = (r: CaseResult): string => (r.cpuUs === undefined ? '' : ` cpu ${r.cpuUs.toFixed(0)} us`) + (r.allocBytes === undefined ? '' : ` alloc ${(r.allocBytes / 1024).toFixed(1)} KB`);
  process.stdout.write(`${target} (load ${load1}): ${[...results].map(([k, r]) => `${k} ${r.qps.toFixed(0)} QPS p50 ${r.p50.toFixed(3)} ms${cpu(r)} [${r.digest}]`).join(' | ')}\n`);
}

/**
 * Until the server has been idle for a second (at most 60 s): after a start it builds its
 * primary key index and recovers in steps between statements, which would count as the
 * first case's CPU.
 */
async function settled(pid: number | undefined): Promise<void> {
  const deadline = performance.now() + 60_000;
  let last = processCpuUs(pid);
  while (last !== undefined && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = processCpuUs(pid)!;
    if (now - last < 20_000) return; // under 2 % of a core
    last = now;
  }
}

async function runQuiver(entry: string, label: string, round: number): Promise<void> {
  const profDir = values['cpu-prof'] ? join(values.data!, '..', `quiver-query-overhead-prof-${String.fromCharCode(65 + entries.indexOf(entry))}-${round}`) : undefined;
  if (profDir) rmSync(profDir, { recursive: true, force: true });
  const s = await startQuiver(entry, profDir, values['gc-alloc']);
  await settled(s.proc.pid);
  const c = await connect({ host: '127.0.0.1', port: s.port, user: 'postgres', database: 'postgres' });
  const results = await runCases(c, s.proc.pid);
  await c.end();
  await stop(s.proc);
  record(label, results);
  if (profDir) {
    // the session thread's profile (query and build workers write their own: .1.002 and on)
    const file = readdirSync(profDir).find((f) => f.endsWith('.0.001.cpuprofile'));
    const windows = [...results.values()].map((r) => r.window);
    writeFileSync(join(profDir, 'windows.json'), JSON.stringify(windows)); // for other readers of the profile
    if (file) process.stdout.write(`${profileSummary(join(profDir, file), Number(values.top), windows, cases.length * count)}\n`);
  }
}

// Quiver builds: those given, else this checkout's (none when only --pg is given)
const entries = values.entry ?? (values.pg ? [] : [join(root, 'dist', 'src', 'main.js')]);
if (entries.length > 0) await loadQuiverOnce(entries[0]!);
const labels = entries.map((e, i) => (entries.length === 1 ? 'quiver' : `quiver ${String.fromCharCode(65 + i)} (${e})`));
const pgClient = values.pg ? await connect({ connectionString: values.pg }) : undefined;
if (pgClient) await loadPostgresOnce(pgClient);
// the connection's backend process: its CPU per query (a local server; else no CPU column)
const pgBackendPid = pgClient ? Number((await pgClient.query('SELECT pg_backend_pid() AS pid')).rows[0].pid) : undefined;
for (let round = 0; round < Number(values.rounds); round++) {
  for (let i = 0; i < entries.length; i++) await runQuiver(entries[i]!, labels[i]!, round);
  if (pgClient) record('postgres', await runCases(pgClient, pgBackendPid));
}
await pgClient?.end();

process.stdout.write(`\nmedian over rounds: QPS (p50 ms; server CPU µs per query${values['gc-alloc'] ? '; allocated per query' : ''})\n`);
const names = cases.map((k) => k.name);
process.stdout.write(`| target | ${names.join(' | ')} |\n|:---|${names.map(() => '---:').join('|')}|\n`);
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
for (const [target, per] of table) {
  process.stdout.write(`| ${target} | ${names.map((n) => {
    const rs = per.get(n) ?? [];
    const cpu = rs.every((r) => r.cpuUs !== undefined) ? `; ${median(rs.map((r) => r.cpuUs!)).toFixed(0)}` : '';
    const alloc = rs.every((r) => r.allocBytes !== undefined) ? `; ${(median(rs.map((r) => r.allocBytes!)) / 1024).toFixed(1)} KB` : '';
    return `${median(rs.map((r) => r.qps)).toFixed(0)} (${median(rs.map((r) => r.p50)).toFixed(3)}${cpu}${alloc})`;
  }).join(' | ')} |\n`);
}
