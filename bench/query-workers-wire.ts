/**
 * Exact k-NN over the wire with 0 (in-thread), 1 and 2 query workers on the same data
 * directory: `SELECT id FROM items ORDER BY v <-> $1 LIMIT 10`, one connection, median
 * latency. Data: n × d uniform random vectors, loaded once with COPY (sealed in ~32 MiB
 * segments).
 *
 *   node dist/bench/query-workers-wire.js [--n 200000] [--dim 128] [--queries 20] [--workers 0,1,2]
 *                                          [--index] [--connections 8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({ options: {
  n: { type: 'string', default: '200000' }, dim: { type: 'string', default: '128' },
  queries: { type: 'string', default: '20' }, workers: { type: 'string', default: '0,1,2' },
  /** build an HNSW index (l2) after the load: the queries then search it */
  index: { type: 'boolean', default: false },
  /** connections running queries at once (QPS over all of them) */
  connections: { type: 'string', default: '1' },
} });
const n = Number(values.n);
const dim = Number(values.dim);
const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'quiver-qw-wire-'));
const vecText = () => `[${Array.from({ length: dim }, () => Math.random().toFixed(5)).join(',')}]`;

async function start(workers: number): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [MAIN, '--port', '0', '--data', dir, '--log-level', 'warn', '--query-workers', String(workers)], {
    stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(32 * 2 ** 20) },
  });
  let err = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr!.on('data', (s: Buffer) => {
      err += s.toString();
      const m = /"msg":"listening".*?"port":(\d+)/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  return { proc, port };
}

async function stop(s: { proc: ChildProcess }): Promise<void> {
  await new Promise<void>((done) => { s.proc.once('exit', () => done()); s.proc.kill('SIGTERM'); });
}

const server0 = await start(0);
const c0 = new pg.Client({ host: '127.0.0.1', port: server0.port, user: 'postgres' });
await c0.connect();
await c0.query(`CREATE TABLE items (id int PRIMARY KEY, v vector(${dim}))`);
const t0 = performance.now();
for (let start = 0; start < n; start += 20_000) {
  const lines: string[] = [];
  for (let i = start; i < Math.min(n, start + 20_000); i++) lines.push(`${i}\t${vecText()}\n`);
  await pipeline(Readable.from([lines.join('')]), c0.query(copyFrom('COPY items FROM STDIN')));
}
process.stderr.write(`loaded ${n} × ${dim} in ${Math.round(performance.now() - t0)} ms\n`);
await new Promise((r) => setTimeout(r, 5000)); // background seals
if (values.index) {
  const ti = performance.now();
  await c0.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');
  process.stderr.write(`HNSW index built in ${Math.round(performance.now() - ti)} ms\n`);
}
await c0.end();
await stop(server0);

const queries = Array.from({ length: Number(values.queries) }, vecText);
for (const w of values.workers!.split(',').map(Number)) {
  const s = await start(w);
  const conns = Number(values.connections);
  const clients = await Promise.all(Array.from({ length: conns }, async () => {
    const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'postgres' });
    await c.connect();
    return c;
  }));
  const sql = 'SELECT id FROM items ORDER BY v <-> $1 LIMIT 10';
  for (const c of clients) for (let i = 0; i < 3; i++) await c.query(sql, [queries[i]]);
  const lat: number[] = [];
  let next = 0;
  const tStart = performance.now();
  await Promise.all(clients.map(async (c) => {
    while (next < queries.length) {
      const q = queries[next++];
      const t = performance.now();
      await c.query(sql, [q]);
      lat.push(performance.now() - t);
    }
  }));
  const qps = queries.length / ((performance.now() - tStart) / 1000);
  lat.sort((a, b) => a - b);
  process.stderr.write(`${w} workers, ${conns} connection(s): median ${lat[lat.length >> 1].toFixed(1)} ms, min ${lat[0].toFixed(1)} ms, ${qps.toFixed(0)} QPS\n`);
  for (const c of clients) await c.end();
  await stop(s);
}
rmSync(dir, { recursive: true, force: true });
