/**
 * What a freshly loaded server spends on the filtered sweep's first queries: the sweep
 * (bench/filtered-sweep.ts) measures each filter's 20 + 200 queries right after the load,
 * bench/query-overhead.ts the same query after 1,000 unmeasured ones. This loads the
 * sweep's table (binary COPY of Fashion-MNIST with `f` and `label`, B-tree on both,
 * ANALYZE, HNSW l2 m 16 ef_construction 64) into a Quiver it starts (or a PostgreSQL URL),
 * optionally waits `--idle` seconds (background work after the load has time to finish),
 * then runs `--blocks` × `--per` queries of `WHERE f < T ORDER BY embedding <-> $1 LIMIT 10`
 * on one connection and prints per block: p50, mean, QPS, the server's CPU per query (all
 * threads, and its main thread / PostgreSQL's backend, from /proc/PID/task/TID/schedstat:
 * nanoseconds, unlike /proc/PID/stat's 10 ms ticks) and this client's CPU per query.
 *
 *   node dist/bench/warmup-timeline.js [--entry dist/src/main.js | --pg postgres://…/db]
 *        [--filter 60] [--blocks 10] [--per 220] [--idle 0]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeIntRows } from './copy-binary.js';
import { loadDataset, parseDatasetSpec } from './dataset.js';
import { filterColumns } from './filter-design.js';
import { QuiverTarget, type SqlTarget, PostgresTarget } from './targets.js';
import { repoRoot, vectorText } from './util.js';

const { values } = parseArgs({ options: {
  entry: { type: 'string' },
  pg: { type: 'string' },
  filter: { type: 'string', default: '60' },
  blocks: { type: 'string', default: '10' },
  per: { type: 'string', default: '220' },
  idle: { type: 'string', default: '0' },
} });

const root = repoRoot();
const TABLE = 'quiver_bench_filtered';
const ds = loadDataset(parseDatasetSpec('fashion-mnist', 1000, false), join(root, 'bench', 'cache'), { n: 100_000, dim: 128, clusters: 100, seed: 1, queries: 1000 });
const texts = ds.queries.map((q) => vectorText(q));

/** CPU ms of a process's threads (all, and its main thread) from schedstat; NaN when unreadable */
function threadCpuMs(pid: number | undefined): { all: number; main: number } {
  if (pid === undefined) return { all: NaN, main: NaN };
  const ms = (tid: string): number => Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  try {
    let all = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) all += ms(tid);
    return { all, main: ms(String(pid)) };
  } catch {
    return { all: NaN, main: NaN };
  }
}

async function load(c: pg.Client): Promise<void> {
  const cols = filterColumns(ds);
  await c.query('CREATE EXTENSION IF NOT EXISTS vector').catch(() => undefined);
  await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, f integer NOT NULL, label integer NOT NULL, embedding vector(${ds.dim}))`);
  const chunks = function* (): Generator<Buffer> {
    yield copyHeader();
    for (let r = 0; r < ds.n; r += 1000) yield encodeIntRows(ds.train, ds.dim, [cols.f, cols.label], r, Math.min(ds.n, r + 1000));
    yield copyTrailer();
  };
  await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, f, label, embedding) FROM STDIN (FORMAT binary)`)));
  for (const col of ['f', 'label']) await c.query(`CREATE INDEX ${TABLE}_${col}_idx ON ${TABLE} (${col})`);
  await c.query(`ANALYZE ${TABLE}`);
  await c.query(`CREATE INDEX ${TABLE}_hnsw ON ${TABLE} USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)`);
}

async function main(): Promise<void> {
  const target: SqlTarget = values.pg
    ? new PostgresTarget(values.pg)
    : (await QuiverTarget.start({ entry: values.entry ?? join(root, 'dist', 'src', 'main.js'), database: 'postgres', user: 'postgres', logLevel: 'warn', startTimeoutMs: 30_000, cwd: root })).target;
  const c = await target.connect();
  try {
    const t0 = performance.now();
    await load(c);
    process.stdout.write(`${target.name}: loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s, load average ${loadavg()[0]!.toFixed(2)}\n`);
    if (Number(values.idle) > 0) await new Promise((r) => setTimeout(r, Number(values.idle) * 1000));
    const pid = values.pg
      ? (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
      : (target as QuiverTarget).pid;
    const sql = `SELECT id FROM ${TABLE} WHERE f < ${Number(values.filter)} ORDER BY embedding <-> $1 LIMIT 10`;
    const per = Number(values.per);
    let qi = 0;
    for (let b = 0; b < Number(values.blocks); b++) {
      const lat: number[] = [];
      const s0 = threadCpuMs(pid);
      const u0 = process.cpuUsage();
      const w0 = performance.now();
      for (let i = 0; i < per; i++) {
        const s = performance.now();
        await c.query({ name: 'warmup_timeline', text: sql, values: [texts[qi++ % texts.length]] });
        lat.push(performance.now() - s);
      }
      const wall = performance.now() - w0;
      const s1 = threadCpuMs(pid);
      const u = process.cpuUsage(u0);
      lat.sort((x, y) => x - y);
      const us = (ms: number): string => ((ms * 1000) / per).toFixed(0);
      process.stdout.write(
        `queries ${String(b * per).padStart(5)}-${(b + 1) * per - 1}: p50 ${lat[per >> 1]!.toFixed(3)} ms, mean ${(lat.reduce((x, y) => x + y, 0) / per).toFixed(3)} ms, ` +
        `${Math.round((per * 1000) / wall)} QPS; server CPU ${us(s1.all - s0.all)} µs/query (main thread ${us(s1.main - s0.main)}), client CPU ${us((u.user + u.system) / 1000)} µs/query\n`,
      );
    }
  } finally {
    if (values.pg) await c.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => undefined);
    await c.end();
    await target.stop();
  }
}

await main();
