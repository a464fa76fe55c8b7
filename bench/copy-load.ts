/**
 * Server-side COPY rate: the binary COPY stream is encoded before the clock starts, so the
 * figure is the server's (the main harness encodes rows while it sends, on the same cores).
 *
 *   node dist/bench/copy-load.js [--target quiver | postgres://…] [--dataset fashion-mnist | synthetic:n=…,d=…] [--runs 7]
 *
 * Each run loads the whole dataset into a freshly created table (id bigint primary key, sel
 * int, embedding vector(d)) with one COPY … FROM STDIN (FORMAT binary) and checks count(*).
 * Quiver is started by the script on a temporary data directory and stopped at the end.
 */
import { parseArgs } from 'node:util';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import copyStreams from 'pg-copy-streams';
import type pg from 'pg';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { loadDataset, parseDatasetSpec } from './dataset.js';
import { targetFromArg } from './targets.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function copyOnce(client: pg.Client, chunks: readonly Buffer[], dim: number, rows: number): Promise<number> {
  await client.query('DROP TABLE IF EXISTS copy_load_items');
  await client.query(`CREATE TABLE copy_load_items (id bigint PRIMARY KEY, sel int, embedding vector(${dim}))`);
  const t0 = performance.now();
  const stream = client.query(copyStreams.from('COPY copy_load_items (id, sel, embedding) FROM STDIN (FORMAT binary)'));
  const done = new Promise<void>((res, rej) => { stream.on('finish', res); stream.on('error', rej); });
  const write = (b: Buffer): Promise<void> => (stream.write(b) ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r())));
  await write(copyHeader());
  for (const c of chunks) await write(c);
  stream.end(copyTrailer());
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM copy_load_items');
  if (Number(count.rows[0]!.n) !== rows) throw new Error(`count(*) is ${count.rows[0]!.n}, expected ${rows}`);
  await client.query('DROP TABLE copy_load_items');
  return rows / seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    target: { type: 'string', default: 'quiver' },
    dataset: { type: 'string', default: 'fashion-mnist' },
    runs: { type: 'string', default: '7' },
  } });
  const ds = loadDataset(parseDatasetSpec(values.dataset!, 1, false), join(REPO, 'bench', 'cache'), { n: 60_000, dim: 784, clusters: 100, seed: 1, queries: 1 });
  const chunks: Buffer[] = [];
  for (let from = 0; from < ds.n; from += 1000) chunks.push(encodeRows(ds.train, ds.dim, ds.sel, from, Math.min(ds.n, from + 1000)));
  const target = await targetFromArg(values.target!, REPO);
  try {
    const client = await target.connect();
    if (target.kind === 'postgres') await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    const rates: number[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const rate = await copyOnce(client, chunks, ds.dim, ds.n);
      rates.push(rate);
      console.log(`run ${i + 1}: ${Math.round(rate)} rows/s`);
    }
    await client.end();
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(`${target.name}: COPY binary ${ds.n} × ${ds.dim}: median ${Math.round(sorted[sorted.length >> 1])} rows/s (min ${Math.round(sorted[0])}, max ${Math.round(sorted[sorted.length - 1])}, ${rates.length} runs)`);
  } finally {
    await target.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
