/**
 * Server-side COPY rate: the binary COPY stream is encoded before the clock starts, so the
 * figure is the server's (the main harness encodes rows while it sends, on the same cores).
 *
 *   node dist/bench/copy-load.js [--target quiver | postgres://…] [--dataset fashion-mnist | synthetic:n=…,d=…] [--runs 7] [--encode-while-sending]
 *
 * `--encode-while-sending` encodes each 1,000-row chunk just before it is written, as the main
 * harness (`bench/workload.ts`) does, so client and server share the cores as they do there.
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
import { targetFromArg, type SqlTarget } from './targets.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The COPY payload in 1,000-row chunks: pre-encoded, or encoded as each is asked for. */
type Chunks = () => Iterable<Buffer>;

interface Load {
  rowsPerSec: number;
  /** CPU the server spent on the COPY (Quiver's process, PostgreSQL's backend), ms; undefined if /proc cannot tell */
  serverCpuMs: number | undefined;
}

async function copyOnce(target: SqlTarget, client: pg.Client, chunks: Chunks, dim: number, rows: number): Promise<Load> {
  await client.query('DROP TABLE IF EXISTS copy_load_items');
  await client.query(`CREATE TABLE copy_load_items (id bigint PRIMARY KEY, sel int, embedding vector(${dim}))`);
  const cpu0 = await target.serverCpuMs(client);
  const t0 = performance.now();
  const stream = client.query(copyStreams.from('COPY copy_load_items (id, sel, embedding) FROM STDIN (FORMAT binary)'));
  const done = new Promise<void>((res, rej) => { stream.on('finish', res); stream.on('error', rej); });
  const write = (b: Buffer): Promise<void> => (stream.write(b) ? Promise.resolve() : new Promise((r) => stream.once('drain', () => r())));
  await write(copyHeader());
  for (const c of chunks()) await write(c);
  stream.end(copyTrailer());
  await done;
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = await target.serverCpuMs(client);
  const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM copy_load_items');
  if (Number(count.rows[0]!.n) !== rows) throw new Error(`count(*) is ${count.rows[0]!.n}, expected ${rows}`);
  await client.query('DROP TABLE copy_load_items');
  return { rowsPerSec: rows / seconds, serverCpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    target: { type: 'string', default: 'quiver' },
    dataset: { type: 'string', default: 'fashion-mnist' },
    runs: { type: 'string', default: '7' },
    'encode-while-sending': { type: 'boolean', default: false },
  } });
  const ds = loadDataset(parseDatasetSpec(values.dataset!, 1, false), join(REPO, 'bench', 'cache'), { n: 60_000, dim: 784, clusters: 100, seed: 1, queries: 1 });
  const encodeAll = function* (): Iterable<Buffer> {
    for (let from = 0; from < ds.n; from += 1000) yield encodeRows(ds.train, ds.dim, ds.sel, from, Math.min(ds.n, from + 1000));
  };
  const encoded = values['encode-while-sending'] ? undefined : [...encodeAll()];
  const chunks: Chunks = encoded ? () => encoded : encodeAll;
  const target = await targetFromArg(values.target!, REPO);
  try {
    const client = await target.connect();
    if (target.kind === 'postgres') await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    const rates: number[] = [];
    const cpus: number[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const load = await copyOnce(target, client, chunks, ds.dim, ds.n);
      rates.push(load.rowsPerSec);
      if (load.serverCpuMs !== undefined) cpus.push(load.serverCpuMs);
      console.log(`run ${i + 1}: ${Math.round(load.rowsPerSec)} rows/s, server CPU ${load.serverCpuMs ?? '?'} ms`);
    }
    await client.end();
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(`${target.name}: COPY binary ${ds.n} × ${ds.dim}${encoded ? '' : ' (encoded while sending)'}: median ${Math.round(sorted[sorted.length >> 1])} rows/s (min ${Math.round(sorted[0])}, max ${Math.round(sorted[sorted.length - 1])}, ${rates.length} runs)${cpus.length ? `; server CPU median ${[...cpus].sort((a, b) => a - b)[cpus.length >> 1]} ms` : ''}`);
  } finally {
    await target.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
