/**
 * Server RSS growth while one client reads a big result through an SQL cursor, FETCH 1000
 * at a time: a NO SCROLL cursor (streams from the running plan) against a SCROLL cursor
 * (its whole result is computed at DECLARE and kept, as every cursor was before).
 *
 *   node dist/bench/cursor-rss.js [--rows 1000000] [--dim 128] [--target quiver|postgresql://…]
 *
 * The table is filled by the server itself (INSERT … SELECT generate_series), so the
 * client's memory and the COPY path play no part.
 */
import { parseArgs } from 'node:util';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { targetFromArg, type SqlTarget } from './targets.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function readThrough(target: SqlTarget, scroll: 'NO SCROLL' | 'SCROLL'): Promise<Record<string, number | string>> {
  const watcher = await target.connect();
  const before = await target.memory(watcher);
  if (typeof before === 'string') throw new Error(before);
  let peak = before.rssBytes;
  const poll = setInterval(() => {
    void target.memory(watcher).then((m) => { if (typeof m !== 'string') peak = Math.max(peak, m.rssBytes); }).catch(() => {});
  }, 50);
  const reader = await target.connect();
  const t0 = performance.now();
  let rows = 0;
  let firstMs = 0;
  await reader.query('BEGIN');
  await reader.query(`DECLARE rss_cur ${scroll} CURSOR FOR SELECT * FROM rss_big`);
  for (;;) {
    const r = await reader.query({ text: 'FETCH 1000 FROM rss_cur', rowMode: 'array' });
    if (rows === 0) firstMs = performance.now() - t0;
    rows += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) === 0) break;
  }
  await reader.query('COMMIT');
  const totalMs = performance.now() - t0;
  clearInterval(poll);
  const after = await target.memory(watcher);
  if (typeof after !== 'string') peak = Math.max(peak, after.rssBytes);
  await reader.end();
  await watcher.end();
  return { cursor: scroll, rows, first_fetch_ms: firstMs, total_s: totalMs / 1000, rss_before_mb: before.rssBytes / 2 ** 20, rss_growth_mb: (peak - before.rssBytes) / 2 ** 20 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    target: { type: 'string', default: 'quiver' },
    rows: { type: 'string', default: '1000000' },
    dim: { type: 'string', default: '128' },
  } });
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const target = await targetFromArg(values.target!, REPO);
  try {
    const c = await target.connect();
    if (target.kind === 'postgres') await c.query('CREATE EXTENSION IF NOT EXISTS vector');
    await c.query('DROP TABLE IF EXISTS rss_big');
    await c.query(`CREATE TABLE rss_big (id bigint, embedding vector(${dim}))`);
    const t0 = performance.now();
    for (let from = 1; from <= rows; from += 100_000) {
      const to = Math.min(rows, from + 99_999);
      await c.query(`INSERT INTO rss_big SELECT i, array_fill((i % 1000)::real / 7, ARRAY[${dim}])::vector FROM generate_series(${from}, ${to}) i`);
    }
    const loadS = (performance.now() - t0) / 1000;
    await c.end();
    // streaming first: the materializing run's heap would raise the next run's baseline
    const results = [await readThrough(target, 'NO SCROLL'), await readThrough(target, 'SCROLL')];
    console.log(JSON.stringify({ target: target.name, table: `${rows} x ${dim}`, load_s: loadS, results }, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v), 2));
    const d = await target.connect();
    await d.query('DROP TABLE rss_big');
    await d.end();
  } finally {
    await target.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
