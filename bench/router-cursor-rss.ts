/**
 * A cursor over a big fanned-out result through the shard router: the router's RSS growth
 * (it runs in this process) while one client walks `DECLARE c CURSOR FOR SELECT * FROM big`
 * with FETCH 1000 to the end, over 2 shards (standalone Quiver servers, child processes).
 *
 *   node --expose-gc dist/bench/router-cursor-rss.js [--rows 1000000] [--dim 16] [--scroll "" | "NO SCROLL" | "SCROLL"] [--order]
 *
 * `--order`: `… ORDER BY id` (the shards' sorted rows merged k ways; NO SCROLL to leave them there)
 *
 * The client keeps no rows (each FETCH's rows are garbage once counted); the memory is
 * sampled every 20 ms, garbage collected first when --expose-gc is given and --live is set.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import pg from 'pg';
import { startQuiver, type QuiverServer } from '../test/support/server.js';
import { startShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, dim: { type: 'string', default: '16' }, scroll: { type: 'string', default: '' }, order: { type: 'boolean', default: false }, live: { type: 'boolean', default: false } } });
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const gc = (globalThis as { gc?: () => void }).gc;
  const shards: QuiverServer[] = await Promise.all([startQuiver(), startQuiver()]);
  const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'warn' }), planFanout });
  try {
    const per = Math.ceil(rows / shards.length);
    const t0 = performance.now();
    await Promise.all(shards.map(async (shard, s) => {
      const c = new pg.Client({ host: '127.0.0.1', port: shard.port, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query(`CREATE TABLE big (id bigint PRIMARY KEY, embedding vector(${dim}))`);
      for (let from = s * per + 1; from <= Math.min(rows, (s + 1) * per); from += 50_000) {
        const to = Math.min(rows, (s + 1) * per, from + 49_999);
        await c.query(`INSERT INTO big SELECT i, array_fill((i % 1000)::real / 7, ARRAY[${dim}])::vector FROM generate_series(${from}, ${to}) i`);
      }
      await c.end();
    }));
    const loadS = (performance.now() - t0) / 1000;
    const c = new pg.Client({ host: '127.0.0.1', port: router.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query('SELECT * FROM big LIMIT 1'); // the router's catalog, warm
    gc?.();
    const before = process.memoryUsage.rss();
    let peak = before;
    const poll = setInterval(() => {
      if (values.live) gc?.();
      peak = Math.max(peak, process.memoryUsage.rss());
    }, values.live ? 200 : 20);
    const start = performance.now();
    await c.query('BEGIN');
    const query = `SELECT * FROM big${values.order ? ' ORDER BY id' : ''}`;
    await c.query(`DECLARE c ${values.scroll} CURSOR FOR ${query}`);
    const declareMs = performance.now() - start;
    let read = 0;
    let firstMs = 0;
    for (;;) {
      const r = await c.query({ text: 'FETCH 1000 FROM c', rowMode: 'array' });
      if (read === 0) firstMs = performance.now() - start;
      read += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) === 0) break;
    }
    await c.query('COMMIT');
    const totalMs = performance.now() - start;
    clearInterval(poll);
    peak = Math.max(peak, process.memoryUsage.rss());
    await c.end();
    console.log(JSON.stringify({
      table: `${rows} x vector(${dim}), 2 Quiver shards, router in this process`, load_s: Math.round(loadS),
      cursor: `DECLARE c ${values.scroll} CURSOR FOR ${query}; FETCH 1000 to the end`.replace(/\s+/g, ' '),
      rows: read, declare_ms: Math.round(declareMs), first_fetch_ms: Math.round(firstMs), total_s: Math.round(totalMs / 100) / 10,
      rss_before_mb: Math.round(before / 2 ** 20), rss_growth_mb: Math.round((peak - before) / 2 ** 20),
    }, null, 2));
  } finally {
    await router.close();
    await Promise.all(shards.map((s) => s.stop()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
