/**
 * Does an index build block writers? Loads n × d clustered vectors, then builds an HNSW
 * (or IVFFlat) index while another connection INSERTs single rows back to back; prints the
 * build time, the INSERT latencies during the build (p50/p99/max) and what
 * pg_stat_progress_create_index showed (phases, tuples_done over time).
 *
 *   node dist/bench/index-build.js [--target quiver | postgres://…] [--rows 60000] [--dim 784]
 *       [--method hnsw|ivfflat] [--concurrently] [--no-progress] [--baseline SECONDS]
 *
 * --baseline: no build, the INSERTs run while the first connection sleeps (what the
 * machine gives them without a build, to compare with).
 *
 * Quiver is started by the script on a temporary data directory and stopped at the end.
 */
import { parseArgs } from 'node:util';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSynthetic, selColumn } from './dataset.js';
import { targetFromArg } from './targets.js';
import { summarizeLatencies, round } from './util.js';
import { buildUnderWrites, loadVectors } from './build-under-writes.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: 'quiver' },
      rows: { type: 'string', default: '60000' },
      dim: { type: 'string', default: '784' },
      method: { type: 'string', default: 'hnsw' },
      concurrently: { type: 'boolean', default: false },
      'no-progress': { type: 'boolean', default: false },
      /** no build: the same INSERTs while the first connection sleeps this many seconds (their latency without a build) */
      baseline: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const dim = Number(values.dim);
  const target = await targetFromArg(values.target!, REPO);
  const [builder, writer, watcher] = [await target.connect(), await target.connect(), await target.connect()];
  try {
    await builder.query('DROP TABLE IF EXISTS build_bench');
    await builder.query(`CREATE TABLE build_bench (id bigint, sel int, embedding vector(${dim}))`);
    const t0 = performance.now();
    const { train } = generateSynthetic({ n: rows, dim, clusters: 100, seed: 11, queries: 1 });
    await loadVectors(builder, 'build_bench', train, dim, selColumn(rows));
    // now, not in the background during the build (Quiver's auto-analyze of 60k × 784 holds the session thread ~1 s)
    await builder.query('ANALYZE build_bench');
    console.log(`loaded ${rows} × ${dim} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${target.name})`);
    const method = values.method === 'ivfflat' ? 'ivfflat (embedding vector_l2_ops) WITH (lists = 100)' : 'hnsw (embedding vector_l2_ops)';
    const run = await buildUnderWrites(builder, writer, values['no-progress'] ? undefined : watcher, {
      buildSql: values.baseline ? `SELECT pg_sleep(${Number(values.baseline)})`
        : `CREATE INDEX ${values.concurrently ? 'CONCURRENTLY ' : ''}build_bench_idx ON build_bench USING ${method}`,
      table: 'build_bench', dim, firstId: rows, pollMs: 100,
    });
    if (run.buildError) throw run.buildError;
    const lat = run.inserts.map((i) => i.ms);
    console.log(JSON.stringify({
      target: target.name, rows, dim, method: values.method, concurrently: values.concurrently,
      buildSeconds: round(run.buildMs / 1000, 2), inserts: lat.length, ...summarizeLatencies(lat), maxMs: round(Math.max(...lat), 2),
    }));
    const slowest = [...run.inserts].sort((a, b) => b.ms - a.ms).slice(0, 5);
    console.log(`slowest inserts: ${slowest.map((i) => `${i.ms.toFixed(0)} ms at ${(i.at / 1000).toFixed(1)} s`).join(', ')}`);
    let last = '';
    for (const p of run.progress) {
      const key = `${p.command} | ${p.phase}`;
      if (key !== last || p === run.progress[run.progress.length - 1]) console.log(`${(p.at / 1000).toFixed(1)} s  ${key}  tuples ${p.tuplesDone}/${p.tuplesTotal}`);
      last = key;
    }
    const found = await writer.query('SELECT count(*)::int AS n FROM build_bench WHERE id >= $1', [rows]);
    console.log(`inserted during the build: ${run.inserts.length} acknowledged, ${found.rows[0].n} found after`);
  } finally {
    for (const c of [builder, writer, watcher]) await c.end().catch(() => {});
    await target.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
