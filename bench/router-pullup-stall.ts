/**
 * Does a big pull-up (src/cluster/router/pull-up.ts) stall the router's other sessions? Two
 * throw-away PostgreSQL 15 shards (a process per connection, so shard 0 answering `SELECT 1`
 * never waits on the pulled statement there) behind a router running in this process; one
 * session pulls up every row of a 100,000-row table again and again while another sends
 * `SELECT 1` (through the router to shard 0) every 5 ms: its latencies' p50 / p99 / max,
 * and the longest time this process's event loop was held (perf_hooks' delay histogram).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/router-pullup-stall.js [--rows 100000] [--seconds 20]
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import pino from 'pino';
import { loopbackClient } from '../test/support/shard-keys.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres.js';
import { startShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';

const STATEMENTS = {
  // no pull-up: what the machine's load alone does to SELECT 1
  none: '',
  // the pulled rows go in, one row comes out: the router's encoding of the rows alone
  small: 'SELECT count(*), max(r) FROM (SELECT id, rank() OVER (ORDER BY price, id) AS r FROM items) s',
  // and every row comes back
  all: 'SELECT id, label, rank() OVER (PARTITION BY tenant ORDER BY price, id) FROM items',
} as const;

const PG = createRequire(import.meta.url).resolve('pg');
const PULLER = `
const { workerData, parentPort } = require('node:worker_threads');
const pg = require(${JSON.stringify(PG)});
(async () => {
  const c = new pg.Client({ host: '127.0.0.1', port: workerData.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  await c.query('SET quiver.router_pull_rows = 1000000');
  const end = performance.now() + workerData.ms;
  const ms = [];
  while (performance.now() < end) {
    const t = performance.now();
    await c.query({ text: workerData.sql, rowMode: 'array' });
    ms.push(performance.now() - t);
  }
  await c.end();
  parentPort.postMessage(ms);
})();
`;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '20' } } });
  const rows = Number(values.rows);
  const seconds = Number(values.seconds);
  const shards: PostgresServer[] = [];
  for (let i = 0; i < 2; i++) {
    const s = await startPostgres();
    if (typeof s === 'string') throw new Error(s);
    shards.push(s);
  }
  const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'warn' }), planFanout });
  try {
    const per = Math.ceil(rows / 2);
    for (const [s, shard] of shards.entries()) {
      const d = await loopbackClient(shard.port);
      await d.query('CREATE TABLE items (id bigint PRIMARY KEY, tenant int, label text, price numeric(10,2))');
      await d.query(`INSERT INTO items SELECT i, i % 5, 'label ' || (i % 97), ((i * 37) % 1000) / 10.0 FROM generate_series(${s * per + 1}, ${Math.min(rows, (s + 1) * per)}) i`);
      await d.end();
    }
    const results: Record<string, unknown>[] = [];
    for (const [name, sql] of Object.entries(STATEMENTS)) {
      const puller = await loopbackClient(router.port);
      const prober = await loopbackClient(router.port);
      await puller.query('SET quiver.router_pull_rows = 1000000');
      if (sql) await puller.query(sql); // warm: the catalog, the shards' caches
      await puller.end();
      await prober.query('SELECT 1');
      const latencies: number[] = [];
      const pulls: number[] = [];
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      // the router's garbage collection pauses (this thread's): a stall no slicing removes
      const gcPauses: number[] = [];
      /** the longest pause of each kind (1 scavenge, 2 mark-compact, 4 incremental marking, 8 weak callbacks) */
      const gcByKind: Record<number, number> = {};
      const gc = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          gcPauses.push(e.duration);
          const kind = ((e as unknown as { detail?: { kind?: number } }).detail)?.kind ?? 0;
          gcByKind[kind] = Math.max(gcByKind[kind] ?? 0, Math.round(e.duration));
        }
      });
      gc.observe({ entryTypes: ['gc'] });
      const end = performance.now() + seconds * 1000;
      // the pulling client runs in a worker thread: its own parsing of 100,000 rows is not the router's
      const pulling = !sql ? new Promise<void>((resolve) => setTimeout(resolve, end - performance.now())) : new Promise<void>((resolve, reject) => {
        const w = new Worker(PULLER, { eval: true, workerData: { port: router.port, sql, ms: end - performance.now() } });
        w.on('message', (ms: number[]) => { pulls.push(...ms); resolve(); });
        w.on('error', reject);
      });
      const probing = (async () => {
        while (performance.now() < end) {
          const t = performance.now();
          await prober.query('SELECT 1');
          latencies.push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await Promise.all([pulling, probing]);
      loop.disable();
      gc.disconnect();
      gcPauses.sort((a, b) => a - b);
      latencies.sort((a, b) => a - b);
      pulls.sort((a, b) => a - b);
      results.push({
        statement: name, sql, pulls: pulls.length, pull_median_ms: Math.round(quantile(pulls, 0.5)),
        select1: latencies.length, select1_p50_ms: +quantile(latencies, 0.5).toFixed(1), select1_p99_ms: +quantile(latencies, 0.99).toFixed(1), select1_max_ms: +latencies[latencies.length - 1]!.toFixed(1),
        gc_pause_max_ms: Math.round(gcPauses[gcPauses.length - 1] ?? 0), gc_pauses_over_20ms: gcPauses.filter((d) => d > 20).length, gc_max_ms_by_kind: gcByKind,
        loop_delay_max_ms: Math.round(loop.max / 1e6), loop_delay_p99_ms: Math.round(loop.percentile(99) / 1e6),
      });
      await prober.end();
    }
    console.log(JSON.stringify({ table: `${rows} rows, 2 PostgreSQL 15 shards, router in this process`, results }, null, 2));
  } finally {
    await router.close();
    await Promise.all(shards.map((s) => s.stop()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
