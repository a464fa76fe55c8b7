/**
 * Server CPU per prepared k-NN query of two Quiver builds, measured side by side so that a
 * busy shared machine weighs on both alike: both servers run at once (each on its own copy
 * of one data directory) and one client sends their queries alternately, A, B, A, B, … —
 * each build's CPU over a block is taken over the same wall-clock window as the other's.
 * (Run one after the other, A and B moved ±20 % between rounds at load 12-17, far more than
 * the 10-30 µs a change to the per-query path is worth.) Per block it prints each server's
 * user + system CPU per query from /proc (all threads, and the main thread alone) and checks
 * that both answered the same ids.
 *
 *   node dist/bench/knn-cpu-paired.js --entry A/dist/src/main.js --entry B/dist/src/main.js
 *        --data DIR_A --data DIR_B [--blocks 5] [--queries 2000] [--warmup 1000] [--ef 40]
 *        [--sql 'SELECT id FROM qoh_items ORDER BY embedding <-> $1 LIMIT 10']
 *
 * The data directories are bench/query-overhead.ts's (Fashion-MNIST, HNSW l2), copied once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadDataset, parseDatasetSpec } from './dataset.js';
import { spawnQuiverProcess } from './targets.js';
import { repoRoot, vectorText } from './util.js';

const { values } = parseArgs({ options: {
  entry: { type: 'string', multiple: true },
  data: { type: 'string', multiple: true },
  blocks: { type: 'string', default: '5' },
  queries: { type: 'string', default: '2000' },
  warmup: { type: 'string', default: '1000' },
  ef: { type: 'string', default: '40' },
  sql: { type: 'string', default: 'SELECT id FROM qoh_items ORDER BY embedding <-> $1 LIMIT 10' },
} });

const entries = values.entry ?? [];
const dirs = values.data ?? [];
if (entries.length !== 2 || dirs.length !== 2) throw new Error('two --entry and two --data');
const ds = loadDataset(parseDatasetSpec('fashion-mnist', 1000, false), join(repoRoot(), 'bench', 'cache'), { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: 1000 });
const texts = Array.from({ length: ds.queries.length }, (_, i) => vectorText(ds.queries[i]!));

/** user + system CPU, µs, of the process (all threads) or of its main thread */
function cpuUs(pid: number, mainOnly: boolean): number {
  const path = mainOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = readFileSync(path, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4; // clock ticks of 10 ms
}

const servers = await Promise.all(entries.map((entry, i) => spawnQuiverProcess([entry, '--host', '127.0.0.1', '--port', '0', '--data', dirs[i]!, '--log-level', 'warn'])));
try {
  const clients = await Promise.all(servers.map(async (s) => {
    const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query(`SET hnsw.ef_search = ${Number(values.ef)}`);
    return c;
  }));
  const run = async (c: pg.Client, i: number): Promise<string> =>
    (await c.query({ name: 'knn', text: values.sql!, values: [texts[i % texts.length]], rowMode: 'array' })).rows.map((r) => String(r[0])).join(',');
  for (let i = 0; i < Number(values.warmup); i++) for (const c of clients) await run(c, i);
  const n = Number(values.queries);
  const rows: string[] = [];
  const perQuery: number[][] = [[], []];
  for (let b = 0; b < Number(values.blocks); b++) {
    const pids = servers.map((s) => s.proc.pid!);
    const before = pids.map((p) => [cpuUs(p, false), cpuUs(p, true)]);
    const t0 = performance.now();
    let differ = 0;
    for (let i = 0; i < n; i++) {
      const a = await run(clients[0]!, b * n + i);
      const bb = await run(clients[1]!, b * n + i);
      if (a !== bb) differ++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = pids.map((p) => [cpuUs(p, false), cpuUs(p, true)]);
    const us = after.map((x, s) => [(x[0]! - before[s]![0]!) / n, (x[1]! - before[s]![1]!) / n]);
    perQuery[0]!.push(us[0]![0]!);
    perQuery[1]!.push(us[1]![0]!);
    rows.push(`block ${b + 1}: A ${us[0]![0]!.toFixed(0)} µs (main ${us[0]![1]!.toFixed(0)}), B ${us[1]![0]!.toFixed(0)} µs (main ${us[1]![1]!.toFixed(0)}), B/A ${(us[1]![0]! / us[0]![0]!).toFixed(3)}, ${(2 * n / seconds).toFixed(0)} queries/s both, answers differing ${differ}, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
    console.log(rows[rows.length - 1]);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(`median CPU per query: A ${median(perQuery[0]!).toFixed(0)} µs, B ${median(perQuery[1]!).toFixed(0)} µs; median of B/A per block ${median(perQuery[0]!.map((a, i) => perQuery[1]![i]! / a)).toFixed(3)}`);
  for (const c of clients) await c.end();
} finally {
  for (const s of servers) s.proc.kill('SIGTERM');
}
