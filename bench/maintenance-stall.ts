/**
 * Do big writes and maintenance stall other sessions? Through the server, on Quiver and
 * PostgreSQL alike: a table of n × (id bigint, sel int, embedding vector(d)) loaded by binary
 * COPY, then each job in turn on one connection while another sends `SELECT 1` every 5 ms:
 *
 *   delete   DELETE of a quarter of the rows (a tombstone each)
 *   vacuum   VACUUM (Quiver: the compaction that drops those rows)
 *   update   UPDATE of a tenth of the rows
 *   copy     binary COPY of n / 2 more rows in one statement (Quiver: a bulk load, sealed)
 *
 * Per job: its time, and SELECT 1's p50 / p99 / max while it ran (and for --settle ms after
 * it: the auto-analyze that a bulk load starts a second later).
 *
 *   node dist/bench/maintenance-stall.js [--target quiver | postgres://…] [--rows 200000] [--dim 128]
 *     [--jobs delete,vacuum,update,copy] [--settle 0]
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { copyRowsBinary } from './copy-binary.js';
import { generateSynthetic, selColumn } from './dataset.js';
import { targetFromArg, type SqlTarget } from './targets.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TABLE = 'maint_big';

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;

/** The job's time and SELECT 1's latencies on another connection while it ran. */
async function probed(target: SqlTarget, job: () => Promise<unknown>, settleMs = 0): Promise<Record<string, number>> {
  const probe = await target.connect();
  await probe.query('SELECT 1');
  let done = false;
  const lat: number[] = [];
  const probing = (async () => {
    while (!done) {
      const s = performance.now();
      await probe.query('SELECT 1');
      lat.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const t0 = performance.now();
  await job();
  const ms = performance.now() - t0;
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  done = true;
  await probing;
  await probe.end();
  lat.sort((a, b) => a - b);
  return { job_ms: ms, select1_samples: lat.length, select1_p50_ms: quantile(lat, 0.5), select1_p99_ms: quantile(lat, 0.99), select1_max_ms: lat[lat.length - 1] ?? 0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    target: { type: 'string', default: 'quiver' },
    rows: { type: 'string', default: '200000' },
    dim: { type: 'string', default: '128' },
    jobs: { type: 'string', default: 'delete,vacuum,update,copy' },
    settle: { type: 'string', default: '0' },
  } });
  const jobs = new Set(values.jobs!.split(','));
  const settle = Number(values.settle);
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const target = await targetFromArg(values.target!, REPO);
  try {
    const c: pg.Client = await target.connect();
    if (target.kind === 'postgres') await c.query('CREATE EXTENSION IF NOT EXISTS vector');
    const { train } = generateSynthetic({ n: rows + (rows >> 1), dim, clusters: 100, seed: 11, queries: 1 });
    const sel = selColumn(rows + (rows >> 1));
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(`CREATE TABLE ${TABLE} (id bigint, sel int, embedding vector(${dim}))`);
    await copyRowsBinary(c, TABLE, train, dim, sel, 0, rows);
    const result: Record<string, unknown> = { target: target.name, table: `${rows} x ${dim}`, load_average: loadavg().map((x) => x.toFixed(1)).join(' ') };
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    if (jobs.has('delete')) result.delete = await probed(target, () => c.query(`DELETE FROM ${TABLE} WHERE id % 4 = 0`), settle);
    if (jobs.has('vacuum')) result.vacuum = await probed(target, () => c.query(`VACUUM ${TABLE}`), settle);
    if (jobs.has('update')) result.update = await probed(target, () => c.query(`UPDATE ${TABLE} SET sel = sel + 1 WHERE id % 10 = 1`), settle);
    if (jobs.has('copy')) result.copy = await probed(target, () => copyRowsBinary(c, TABLE, train, dim, sel, rows, rows + (rows >> 1)), settle);
    const n = Number((await c.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n);
    const expected = rows - (jobs.has('delete') ? Math.ceil(rows / 4) : 0) + (jobs.has('copy') ? rows >> 1 : 0);
    if (n !== expected) throw new Error(`${TABLE} holds ${n} rows, expected ${expected}`);
    result.load_average_after = loadavg().map((x) => x.toFixed(1)).join(' ');
    console.log(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v), 2));
    await c.query(`DROP TABLE ${TABLE}`);
    await c.end();
  } finally {
    await target.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
