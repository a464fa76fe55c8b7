/**
 * B-tree range and ordered scans through a multi-column index, and keyset pagination over
 * a table whose rows are partly in the growing (unsealed) segment: median latency of each
 * query over a few parameter values, through node-pg (wire round trips included).
 *
 *   node dist/bench/btree-ranges.js [--rows 500000] [--sealed-batch 50000] [--growing 0]
 *        [--runs 7] [--entry dist/src/main.js] [--pg postgres://…]
 *
 * The table mc_bench(id, a, b, k, flag, f4, pad) has an index on (a, b) and one on each of k,
 * flag (true in 1 % of the rows) and f4; `--rows` rows
 * are committed `--sealed-batch` at a time (each commit its own sealed segment), then
 * `--growing` more in commits of 1,000 rows, which stay in the growing segment. With
 * `--entry` another build's server is measured (a before/after); with `--pg` a PostgreSQL
 * server is measured instead (after ANALYZE).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { spawnQuiverProcess } from './targets.js';
import { repoRoot } from './util.js';

const { values } = parseArgs({ options: {
  rows: { type: 'string', default: '500000' },
  'sealed-batch': { type: 'string', default: '50000' },
  growing: { type: 'string', default: '0' },
  runs: { type: 'string', default: '7' },
  entry: { type: 'string' },
  pg: { type: 'string' },
} });
const ROWS = Number(values.rows);
const BATCH = Number(values['sealed-batch']);
const GROWING = Number(values.growing);
const RUNS = Number(values.runs);

const QUERIES: { name: string; sql: string; params: (i: number) => unknown[] }[] = [
  { name: 'range  a = $1 AND b >= $2 AND b < $3', sql: 'SELECT id FROM mc_bench WHERE a = $1 AND b >= $2 AND b < $3', params: (i) => [i * 7 % 100, i * 10000, i * 10000 + 20000] },
  { name: 'range  a = $1 AND b > $2 (1 %)', sql: 'SELECT id FROM mc_bench WHERE a = $1 AND b > $2', params: (i) => [i * 7 % 100, 990000] },
  { name: 'keyset a = $1 AND b > $2 ORDER BY b LIMIT 100', sql: 'SELECT id, b FROM mc_bench WHERE a = $1 AND b > $2 ORDER BY b LIMIT 100', params: (i) => [i * 7 % 100, i * 50000] },
  { name: 'keyset (a, b) > ($1, $2) ORDER BY a, b LIMIT 100', sql: 'SELECT id, a, b FROM mc_bench WHERE (a, b) > ($1, $2) ORDER BY a, b LIMIT 100', params: (i) => [i * 7 % 100, i * 50000] },
  { name: 'keyset (a, b) < ($1, $2) ORDER BY a DESC, b DESC LIMIT 100', sql: 'SELECT id, a, b FROM mc_bench WHERE (a, b) < ($1, $2) ORDER BY a DESC, b DESC LIMIT 100', params: (i) => [i * 7 % 100, i * 50000] },
  { name: 'order  ORDER BY a, b LIMIT 100', sql: 'SELECT a, b FROM mc_bench ORDER BY a, b LIMIT 100', params: () => [] },
  { name: 'keyset k > $1 ORDER BY k LIMIT 100', sql: 'SELECT id, k FROM mc_bench WHERE k > $1 ORDER BY k LIMIT 100', params: (i) => [i * 37_000] },
  { name: 'range  k >= $1 AND k < $2 (500 wide)', sql: 'SELECT id FROM mc_bench WHERE k >= $1 AND k < $2', params: (i) => [i * 41_000, i * 41_000 + 500] },
  { name: 'bool   count(*) WHERE flag (1 %)', sql: 'SELECT count(*) FROM mc_bench WHERE flag', params: () => [] },
  { name: 'order  ORDER BY f4 DESC LIMIT 100 (nullable)', sql: 'SELECT id, f4 FROM mc_bench ORDER BY f4 DESC LIMIT 100', params: () => [] },
  { name: 'float4 f4 = 12.25 (a float8 constant)', sql: 'SELECT id FROM mc_bench WHERE f4 = 12.25', params: () => [] },
];

async function load(c: pg.Client): Promise<void> {
  await c.query('DROP TABLE IF EXISTS mc_bench');
  await c.query('CREATE TABLE mc_bench (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, k int NOT NULL, flag bool, f4 real, pad text)');
  await c.query('CREATE INDEX mc_bench_ab ON mc_bench (a, b)');
  await c.query('CREATE INDEX mc_bench_k ON mc_bench (k)');
  await c.query('CREATE INDEX mc_bench_flag ON mc_bench (flag)');
  await c.query('CREATE INDEX mc_bench_f4 ON mc_bench (f4)');
  const insert = (from: number, to: number) => c.query(
    `INSERT INTO mc_bench SELECT i, i % 100, ((i::bigint * 7919) % 1000003)::int, ((i::bigint * 104729) % ($3::int * 2))::int,
       i % 100 = 0, (i % 40000) / 4.0, 'pad' || i FROM generate_series($1::int, $2::int) i`,
    [from, to, ROWS + GROWING]);
  for (let s = 1; s <= ROWS; s += BATCH) await insert(s, Math.min(ROWS, s + BATCH - 1));
  for (let s = ROWS + 1; s <= ROWS + GROWING; s += 1000) await insert(s, Math.min(ROWS + GROWING, s + 999));
  await c.query('ANALYZE mc_bench');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function measure(c: pg.Client): Promise<void> {
  // warm up: sealed segments' sorted indexes are built on first use, in a worker
  for (let round = 0; round < 3; round++) {
    for (const q of QUERIES) await c.query(q.sql, q.params(round));
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const q of QUERIES) {
    const plan = (await c.query(`EXPLAIN (COSTS OFF) ${q.sql}`, q.params(0))).rows.map((r) => r['QUERY PLAN']).join(' / ');
    const times: number[] = [];
    let rows = 0;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      rows += (await c.query(q.sql, q.params(run + 1))).rowCount ?? 0;
      times.push(performance.now() - t0);
    }
    console.log(`${q.name.padEnd(48)} ${median(times).toFixed(2).padStart(8)} ms  rows/run ${(rows / RUNS).toFixed(0).padStart(6)}  ${plan}`);
  }
  // keyset pages while rows keep coming: a 10-row commit (not timed) before each page
  const times: number[] = [];
  let next = 10_000_000;
  for (let run = 0; run < RUNS; run++) {
    await c.query(`INSERT INTO mc_bench SELECT i, i % 100, i % 1000003, (i * 7) % 1000000, false, 0, 'pad' FROM generate_series($1::int, $2::int) i`, [next, next + 9]);
    next += 10;
    const t0 = performance.now();
    await c.query('SELECT id, k FROM mc_bench WHERE k > $1 ORDER BY k LIMIT 100', [run * 37_000]);
    times.push(performance.now() - t0);
  }
  console.log(`${'keyset k > $1 … LIMIT 100 after a 10-row commit'.padEnd(48)} ${median(times).toFixed(2).padStart(8)} ms`);
  await pageThrough(c);
}

/** Keyset pagination as an API pages: 50 pages of 100 rows, each after the last (a, b) of the one before, forward then back. */
async function pageThrough(c: pg.Client): Promise<void> {
  const pages = [
    { name: 'forward', sql: 'SELECT id, a, b FROM mc_bench WHERE (a, b) > ($1, $2) ORDER BY a, b LIMIT 100', from: [42, 500000] },
    { name: 'backward', sql: 'SELECT id, a, b FROM mc_bench WHERE (a, b) < ($1, $2) ORDER BY a DESC, b DESC LIMIT 100', from: [42, 500000] },
  ];
  for (const p of pages) {
    const times: number[] = [];
    let key = p.from;
    for (let page = 0; page < 50; page++) {
      const t0 = performance.now();
      const r = await c.query(p.sql, key);
      times.push(performance.now() - t0);
      const last = r.rows[r.rows.length - 1];
      if (!last) break;
      key = [last.a, last.b];
    }
    console.log(`${`page through (a, b) ${p.name}, 50 pages of 100`.padEnd(48)} ${median(times).toFixed(2).padStart(8)} ms/page (median)`);
  }
}

async function main(): Promise<void> {
  if (values.pg) {
    const c = new pg.Client({ connectionString: values.pg });
    await c.connect();
    try {
      await load(c);
      await measure(c);
      await c.query('DROP TABLE mc_bench');
    } finally {
      await c.end();
    }
    return;
  }
  const data = mkdtempSync(join(tmpdir(), 'quiver-btree-ranges-'));
  const main = values.entry ?? join(repoRoot(), 'dist', 'src', 'main.js');
  let server: { proc: ChildProcess; port: number } | undefined;
  try {
    server = await spawnQuiverProcess([main, '--host', '127.0.0.1', '--port', '0', '--data', data, '--log-level', 'warn']);
    const c = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    try {
      await load(c);
      await measure(c);
    } finally {
      await c.end();
    }
  } finally {
    if (server) await new Promise<void>((done) => { server!.proc.once('exit', () => done()); server!.proc.kill('SIGTERM'); });
    rmSync(data, { recursive: true, force: true });
  }
}

await main();
