/**
 * A big result through the shard router: RSS growth of the process running the router,
 * time to the first row and rows/s, for a fanned-out `SELECT *` (concatenated) and a
 * fanned-out `ORDER BY … LIMIT` (merged), over 2 shards (standalone Quiver servers,
 * child processes) on loopback.
 *
 *   node --expose-gc dist/bench/router-stream.js [--rows 200000] [--dim 128] [--live]
 *
 * `--live` collects garbage before each memory sample (every 200 ms), so the heap growth is
 * what the router still references, not garbage V8 has not collected yet; its timings are
 * then not the ones to compare.
 *
 * The router runs in this process; the client is a raw socket that counts DataRows and
 * keeps none, so this process's RSS is the router's. Rows are split between the shards by
 * id range (the reads measured are fanned out, so where a key hashes does not matter).
 */
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import pino from 'pino';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { startQuiver, type QuiverServer } from '../test/support/server.js';
import { startShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';

/** run `sql` as a simple Query on a new connection, counting rows without keeping them */
async function readAll(port: number, sql: string): Promise<{ rows: number; firstRowMs: number; totalMs: number; error?: string }> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  let pending = Buffer.alloc(0);
  let readies = 0;
  let rows = 0;
  let t0 = 0;
  let firstRowMs = 0;
  let error: string | undefined;
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (buf.length - at >= 5) {
        const len = buf.readInt32BE(at + 1);
        if (buf.length - at < 1 + len) break;
        const code = String.fromCharCode(buf[at]!);
        if (code === 'D') {
          if (rows++ === 0) firstRowMs = performance.now() - t0;
        } else if (code === 'E') {
          error = buf.toString('utf8', at + 5, at + 1 + len).replace(/\0/g, ' ');
        } else if (code === 'Z' && ++readies === 2) {
          resolve();
        }
        at += 1 + len;
      }
      buf = buf.subarray(at);
      pending = Buffer.from(buf);
    });
  });
  let started!: () => void;
  const ready = new Promise<void>((resolve) => { started = resolve; });
  const check = setInterval(() => { if (readies === 1) { clearInterval(check); started(); } }, 1);
  socket.write(serialize.startup({ user: 'postgres', database: 'postgres' }));
  await ready;
  t0 = performance.now();
  socket.write(serialize.query(sql));
  await done;
  const totalMs = performance.now() - t0;
  socket.end(serialize.end());
  return { rows, firstRowMs, totalMs, ...(error ? { error } : {}) };
}

let live = false;

async function measure(port: number, sql: string): Promise<Record<string, number | string>> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const poll = setInterval(() => {
    // --live: collect first, so heapUsed is what is still referenced (slows the run down)
    if (live) (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, live ? 200 : 20);
  const r = await readAll(port, sql);
  clearInterval(poll);
  peak = Math.max(peak, process.memoryUsage.rss());
  return {
    sql, rows: r.rows, first_row_ms: Math.round(r.firstRowMs), total_s: Math.round(r.totalMs / 100) / 10,
    rows_per_s: Math.round(r.rows / (r.totalMs / 1000)), rss_before_mb: Math.round(before / 2 ** 20), rss_growth_mb: Math.round((peak - before) / 2 ** 20),
    heap_used_growth_mb: Math.round((heapPeak - heapBefore) / 2 ** 20),
    ...(r.error ? { error: r.error } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, dim: { type: 'string', default: '128' }, live: { type: 'boolean', default: false } } });
  live = values.live === true;
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const shards: QuiverServer[] = await Promise.all([startQuiver(), startQuiver()]);
  const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'warn' }), planFanout });
  try {
    const per = Math.ceil(rows / shards.length);
    for (const [s, shard] of shards.entries()) {
      const c = new pg.Client({ host: '127.0.0.1', port: shard.port, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query(`CREATE TABLE big (id bigint PRIMARY KEY, embedding vector(${dim}))`);
      for (let from = s * per + 1; from <= (s + 1) * per; from += 50_000) {
        const to = Math.min((s + 1) * per, from + 49_999);
        await c.query(`INSERT INTO big SELECT i, array_fill((i % 1000)::real / 7, ARRAY[${dim}])::vector FROM generate_series(${from}, ${to}) i`);
      }
      await c.end();
    }
    // the router's first statement loads the shard catalog, and vector text I/O warms up: not what is measured
    await readAll(router.port, 'SELECT * FROM big ORDER BY id LIMIT 2000');
    const results = [
      // the reference: one shard's half read directly (no router)
      { ...(await measure(shards[0]!.port, 'SELECT * FROM big')), via: 'shard 0 directly' },
      await measure(router.port, 'SELECT * FROM big'),
      await measure(router.port, `SELECT * FROM big ORDER BY id LIMIT ${Math.floor(rows / 2)}`),
    ];
    console.log(JSON.stringify({ table: `${rows} x vector(${dim}), 2 shards`, results }, null, 2));
  } finally {
    await router.close();
    await Promise.all(shards.map((s) => s.stop()));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
