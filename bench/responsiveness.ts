/**
 * Does a long query stall the server? Three scenarios, the same on Quiver and PostgreSQL:
 *
 *   select1-under-load  p50/p99 of `SELECT 1` on a fifth connection while 4 connections run
 *                       heavy queries (exact k-NN over n × d without an index, a big sort,
 *                       a hash join, an aggregate over a join)
 *   cancel-latency      time from a CancelRequest to the 57014 error, p50/p99 over 20 tries
 *                       of a long scan
 *   stream-rss          server RSS growth while one client reads `SELECT * FROM big`
 *   first-filtered      SELECT 1 in a loop on one connection while another runs the first
 *                       filtered HNSW search (0.1 % of the rows) on each of five integer
 *                       columns of a fresh table of n rows (Quiver sorts a segment's column
 *                       for its first filtered search)
 *   expression-index    SELECT 1 in a loop while another connection creates an IVFFlat
 *                       index on `embedding::halfvec(d)` over the whole table (every row's
 *                       key computed by the engine's cast)
 *
 *   node dist/bench/responsiveness.js [--target quiver | postgres://…] [--rows 200000] [--dim 128]
 *        [--scenarios select1,cancel,stream,first-filtered,expression-index]
 *
 * Quiver is started by the script on a temporary data directory and stopped at the end.
 * The table `resp_big (id int, sel int, embedding vector(d))` is loaded with binary COPY.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import copyStreams from 'pg-copy-streams';
import type pg from 'pg';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { generateSynthetic, selColumn } from './dataset.js';
import { sendCancelRequest } from './util.js';
import { targetFromArg, type SqlTarget } from './targets.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;


/** (id, sel, embedding) rows into `table` by binary COPY, 1,000 rows a message. */
async function copyBinary(c: pg.Client, table: string, train: Float32Array, dim: number, sel: Int32Array, rows: number): Promise<void> {
  const stream = c.query(copyStreams.from(`COPY ${table} (id, sel, embedding) FROM STDIN (FORMAT binary)`));
  const done = new Promise<void>((res, rej) => { stream.on('finish', res); stream.on('error', rej); });
  const write = (b: Buffer): Promise<void> => (stream.write(b) ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r())));
  await write(copyHeader());
  for (let from = 0; from < rows; from += 1000) await write(encodeRows(train, dim, sel, from, Math.min(rows, from + 1000)));
  stream.end(copyTrailer());
  await done;
}

async function load(client: pg.Client, rows: number, dim: number): Promise<Float32Array> {
  const { train, queries } = generateSynthetic({ n: rows, dim, clusters: 100, seed: 7, queries: 1 });
  const sel = selColumn(rows);
  await client.query('DROP TABLE IF EXISTS resp_big');
  await client.query(`CREATE TABLE resp_big (id bigint, sel int, embedding vector(${dim}))`);
  await copyBinary(client, 'resp_big', train, dim, sel, rows);
  await client.query('ANALYZE resp_big');
  return queries.subarray(0, dim);
}

const vectorText = (v: Float32Array): string => `[${Array.from(v).join(',')}]`;

/** p50/p99 of SELECT 1 every 20 ms for `seconds` while 4 heavy queries loop. */
async function select1UnderLoad(target: SqlTarget, query: Float32Array, seconds: number): Promise<Record<string, number>> {
  const q = vectorText(query);
  const heavy = [
    { sql: 'SELECT id FROM resp_big ORDER BY embedding <-> $1 LIMIT 10', params: [q] },
    { sql: 'SELECT id FROM resp_big ORDER BY sel DESC, id LIMIT 5 OFFSET 1000', params: [] },
    { sql: 'SELECT count(*) FROM resp_big a JOIN resp_big b ON a.id = b.id WHERE a.sel < 500', params: [] },
    { sql: 'SELECT sel % 100, count(*), avg(id) FROM resp_big GROUP BY 1 ORDER BY 1 LIMIT 3', params: [] },
  ];
  const clients = await Promise.all(heavy.map(() => target.connect()));
  const probe = await target.connect();
  let stop = false;
  let heavyDone = 0;
  const loops = clients.map(async (c, i) => {
    while (!stop) {
      await c.query(heavy[i]!.sql, heavy[i]!.params);
      heavyDone++;
    }
  });
  await new Promise((r) => setTimeout(r, 500));
  const lat: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const s = performance.now();
    await probe.query('SELECT 1');
    lat.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 20));
  }
  stop = true;
  await Promise.all(loops);
  await Promise.all([...clients, probe].map((c) => c.end()));
  lat.sort((a, b) => a - b);
  return { samples: lat.length, p50_ms: quantile(lat, 0.5), p99_ms: quantile(lat, 0.99), max_ms: lat[lat.length - 1]!, heavy_queries: heavyDone };
}


/** Time from CancelRequest to the 57014 error of a long scan, over `tries` tries. */
async function cancelLatency(target: SqlTarget, tries: number): Promise<Record<string, number>> {
  const c = await target.connect();
  const lat: number[] = [];
  for (let i = 0; i < tries; i++) {
    let failedAt = 0;
    let code: string | undefined;
    const q = c.query('SELECT count(*) FROM resp_big a, resp_big b WHERE a.id < b.id').then(
      () => { failedAt = performance.now(); },
      (e: { code?: string }) => { failedAt = performance.now(); code = e.code; },
    );
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await sendCancelRequest(c);
    await q;
    if (code !== '57014') throw new Error(`try ${i}: expected 57014, got ${code ?? 'success'}`);
    lat.push(failedAt - t0);
  }
  await c.end();
  lat.sort((a, b) => a - b);
  return { tries, p50_ms: quantile(lat, 0.5), p99_ms: quantile(lat, 0.99), max_ms: lat[lat.length - 1]! };
}

/** Server RSS growth while one client streams the whole table (rows counted, not kept). */
async function streamRss(target: SqlTarget): Promise<Record<string, number>> {
  const c = await target.connect();
  const before = await target.memory(c);
  if (typeof before === 'string') throw new Error(before);
  let peak = before.rssBytes;
  let rows = 0;
  const poll = setInterval(() => {
    void target.memory(c).then((m) => { if (typeof m !== 'string') peak = Math.max(peak, m.rssBytes); }).catch(() => {});
  }, 100);
  const reader = await target.connect();
  const t0 = performance.now();
  // a portal read 1000 rows at a time, as JDBC setFetchSize / psql FETCH_COUNT do
  await reader.query('BEGIN');
  await reader.query('DECLARE resp_cur NO SCROLL CURSOR FOR SELECT * FROM resp_big');
  for (;;) {
    const r = await reader.query('FETCH 1000 FROM resp_cur');
    rows += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) === 0) break;
  }
  await reader.query('COMMIT');
  const viaCursorMs = performance.now() - t0;
  const t1 = performance.now();
  const all = await reader.query({ text: 'SELECT * FROM resp_big', rowMode: 'array' });
  const plainMs = performance.now() - t1;
  clearInterval(poll);
  await reader.end();
  await c.end();
  return { rows, plain_select_rows: all.rowCount ?? 0, cursor_s: viaCursorMs / 1000, plain_select_s: plainMs / 1000, rss_before_mb: before.rssBytes / 2 ** 20, rss_growth_mb: (peak - before.rssBytes) / 2 ** 20 };
}

/** SELECT 1 back to back on `probe` until `work` settles: how long each waited. */
async function probeDuring(probe: pg.Client, work: Promise<unknown>): Promise<number[]> {
  let done = false;
  const settled = work.then(() => { done = true; }, (e: unknown) => { done = true; throw e; });
  const lat: number[] = [];
  while (!done) {
    const s = performance.now();
    await probe.query('SELECT 1');
    lat.push(performance.now() - s);
  }
  await settled;
  return lat.sort((a, b) => a - b);
}

const latencies = (lat: readonly number[]) => ({ samples: lat.length, p50_ms: quantile(lat, 0.5), p99_ms: quantile(lat, 0.99), max_ms: lat[lat.length - 1] ?? 0 });

/**
 * The first filtered HNSW search on each of five integer columns of a fresh table (rows × 16,
 * an HNSW index; each filter 0.1 % of the rows): SELECT 1 latency on another connection
 * meanwhile, and the searches' times, first and second.
 */
async function firstFilteredSearch(target: SqlTarget, rows: number): Promise<Record<string, number>> {
  const dim = 16;
  const c = await target.connect();
  const { train, queries } = generateSynthetic({ n: rows, dim, clusters: 50, seed: 11, queries: 1 });
  const sel = selColumn(rows);
  await c.query('DROP TABLE IF EXISTS resp_fresh_load');
  await c.query('DROP TABLE IF EXISTS resp_fresh');
  await c.query(`CREATE TABLE resp_fresh_load (id bigint, sel int, embedding vector(${dim}))`);
  await copyBinary(c, 'resp_fresh_load', train, dim, sel, rows);
  await c.query(`CREATE TABLE resp_fresh (id bigint, sel int, a int, b int, c int, embedding vector(${dim}))`);
  await c.query('INSERT INTO resp_fresh SELECT id, sel, (id * 7) % 1000, (id * 13) % 1000, (id * 31) % 1000, embedding FROM resp_fresh_load');
  await c.query('DROP TABLE resp_fresh_load');
  const t0 = performance.now();
  // a small graph: the 0.1 % filters are answered exactly from the bitmap anyway
  await c.query('CREATE INDEX ON resp_fresh USING hnsw (embedding vector_l2_ops) WITH (m = 4, ef_construction = 16)');
  const buildS = (performance.now() - t0) / 1000;
  await c.query('ANALYZE resp_fresh');
  const probe = await target.connect();
  const q = vectorText(queries.subarray(0, dim));
  const filters = ['sel < 1', 'a < 1', 'b < 1', 'c < 1', `id < ${Math.floor(rows / 1000)}`];
  const search = async (where: string) => {
    const s = performance.now();
    await c.query(`SELECT id FROM resp_fresh WHERE ${where} ORDER BY embedding <-> $1 LIMIT 10`, [q]);
    return performance.now() - s;
  };
  const firsts: number[] = [];
  const lat = await probeDuring(probe, (async () => {
    for (const where of filters) firsts.push(await search(where));
  })());
  // Quiver sorts the columns in a worker thread meanwhile: give it time, then search again
  await new Promise((r) => setTimeout(r, 3000));
  const seconds: number[] = [];
  for (const where of filters) seconds.push(await search(where));
  await Promise.all([c.query('DROP TABLE resp_fresh'), probe.end()]);
  await c.end();
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  return { ...latencies(lat), hnsw_build_s: buildS, first_search_median_ms: median(firsts), first_search_max_ms: Math.max(...firsts), second_search_median_ms: median(seconds) };
}

/** CREATE INDEX on embedding::halfvec(dim) over the whole table while another connection runs SELECT 1. */
async function expressionIndexBuild(target: SqlTarget, dim: number): Promise<Record<string, number>> {
  const c = await target.connect();
  const probe = await target.connect();
  const t0 = performance.now();
  const lat = await probeDuring(probe, c.query(`CREATE INDEX resp_half ON resp_big USING ivfflat ((embedding::halfvec(${dim})) halfvec_l2_ops) WITH (lists = 20)`));
  const buildS = (performance.now() - t0) / 1000;
  await c.query('DROP INDEX resp_half');
  await Promise.all([c.end(), probe.end()]);
  return { ...latencies(lat), build_s: buildS };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    target: { type: 'string', default: 'quiver' },
    rows: { type: 'string', default: '200000' },
    dim: { type: 'string', default: '128' },
    seconds: { type: 'string', default: '10' },
    tries: { type: 'string', default: '20' },
    scenarios: { type: 'string', default: 'select1,cancel,stream,first-filtered,expression-index' },
  } });
  const run = new Set(values.scenarios!.split(','));
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const target = await targetFromArg(values.target!, REPO);
  try {
    const client = await target.connect();
    if (target.kind === 'postgres') await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    const query = await load(client, rows, dim);
    await client.end();
    const result = {
      target: target.name,
      table: `${rows} x ${dim}`,
      load_average: loadavg().map((x) => Math.round(x * 10) / 10).join(' '),
      ...(run.has('select1') ? { select1_under_load: await select1UnderLoad(target, query, Number(values.seconds)) } : {}),
      ...(run.has('cancel') ? { cancel_latency: await cancelLatency(target, Number(values.tries)) } : {}),
      ...(run.has('stream') ? { stream_rss: await streamRss(target) } : {}),
      ...(run.has('first-filtered') ? { first_filtered_search: await firstFilteredSearch(target, rows) } : {}),
      ...(run.has('expression-index') ? { expression_index_build: await expressionIndexBuild(target, dim) } : {}),
      load_average_after: loadavg().map((x) => Math.round(x * 10) / 10).join(' '),
    };
    console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v), 2));
    const c = await target.connect();
    await c.query('DROP TABLE resp_big');
    await c.end();
  } finally {
    await target.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
