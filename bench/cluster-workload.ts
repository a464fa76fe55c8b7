/**
 * The workload the cluster benchmarks share (bench/cluster.ts, bench/cluster-reads.ts):
 * `rows` seeded 64-d vectors with a label, loaded by COPY with an HNSW index, 100 query
 * vectors, and a throughput loop over several connections.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnQuiverProcess } from './targets.js';
import { repoRoot, seededRandom } from './util.js';

export const DIM = 64;

export interface Workload {
  readonly vectors: readonly number[][];
  /** 100 query vectors as vector text */
  readonly queries: readonly string[];
}

export function workload(rows: number): Workload {
  const rnd = seededRandom(7);
  const vectors = Array.from({ length: rows }, () => Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000));
  const queries = Array.from({ length: 100 }, () => `[${Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000).join(',')}]`);
  return { vectors, queries };
}

export async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
}

/** items(id, label, v) by COPY with an HNSW index, and an empty writes(id, note). */
export async function load(port: number, w: Workload): Promise<void> {
  const c = await client(port);
  await c.query(`CREATE TABLE items (id int PRIMARY KEY, label int, v vector(${DIM}))`);
  await c.query('CREATE TABLE writes (id bigint PRIMARY KEY, note text)');
  await pipeline(Readable.from((function* () {
    for (let i = 0; i < w.vectors.length; i++) yield `${i}\t${i % 100}\t[${w.vectors[i].join(',')}]\n`;
  })()), c.query(copyFrom('COPY items FROM STDIN')));
  await c.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');
  await c.end();
}

/** Run `op` on `connections` clients for `seconds`; operations per second. */
export async function throughput(port: number, connections: number, seconds: number, op: (c: pg.Client, i: number) => Promise<unknown>): Promise<number> {
  const clients = await Promise.all(Array.from({ length: connections }, () => client(port)));
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(clients.map(async (c, k) => {
    for (let i = 0; Date.now() < end; i++) {
      await op(c, k * 1e9 + i);
      done++;
    }
  }));
  await Promise.all(clients.map((c) => c.end()));
  return done / seconds;
}

/** The rows as a Markdown table (first column left-aligned, the numbers right-aligned). */
export function printTable(rows: readonly Record<string, string>[]): void {
  const cols = Object.keys(rows[0]);
  console.log(`\n| ${cols.join(' | ')} |\n|${cols.map((c, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
}

/** Run `fn` against a standalone server started for it (a fresh data directory), then stop it. */
export async function withStandalone<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-standalone-'));
  const { proc, port } = await spawnQuiverProcess([join(repoRoot(), 'dist', 'src', 'main.js'), '--port', '0', '--data', dir, '--log-level', 'warn']);
  try {
    return await fn(port);
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}
