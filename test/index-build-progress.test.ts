/**
 * An HNSW build over three sealed segments (24,576 × 128) while the table is in use:
 * pg_stat_progress_create_index shows the build with PostgreSQL's command and phase texts
 * and tuples_done rising to tuples_total; single-row INSERTs from another connection go
 * through during the build and are found afterwards; a cancelled CREATE INDEX CONCURRENTLY
 * leaves no index; REINDEX CONCURRENTLY shows as such. The INSERT latencies are printed
 * (bench/index-build.ts measures them at 60,000 × 784), never asserted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';
import { generateSynthetic, selColumn } from '../bench/dataset.js';
import { buildUnderWrites, insertedVector, loadVectors, type BuildUnderWrites } from '../bench/build-under-writes.js';
import { summarizeLatencies } from '../bench/util.js';
import { waitUntil } from '../src/cluster/local/processes.js';

const DIM = 128;
/** rows per COPY: each bulk-ingests one sealed segment */
const SEGMENT_ROWS = 8192;
const SEGMENTS = 3;
const ROWS = SEGMENT_ROWS * SEGMENTS;
const LOADING = 'building index: loading tuples';

let server: QuiverServer;
let builder: pg.Client;
let writer: pg.Client;
let watcher: pg.Client;

before(async () => {
  server = await startQuiver();
  [builder, writer, watcher] = [await connectClient(server), await connectClient(server), await connectClient(server)];
  await builder.query(`CREATE TABLE items (id bigint, sel int, embedding vector(${DIM}))`);
  const { train } = generateSynthetic({ n: ROWS, dim: DIM, clusters: 20, seed: 5, queries: 1 });
  const sel = selColumn(ROWS);
  for (let s = 0; s < SEGMENTS; s++) await loadVectors(builder, 'items', train, DIM, sel, s * SEGMENT_ROWS, (s + 1) * SEGMENT_ROWS);
});

after(async () => {
  for (const c of [builder, writer, watcher]) await c?.end().catch(() => {});
  await server?.stop();
});

/** the samples taken while the build was loading tuples */
function loading(run: BuildUnderWrites) {
  return run.progress.filter((p) => p.phase === LOADING);
}

function assertRisingTuples(run: BuildUnderWrites): void {
  const samples = loading(run);
  assert.ok(samples.length > 0, `no sample in '${LOADING}': ${JSON.stringify(run.progress.slice(0, 5))}`);
  for (const p of samples) {
    assert.ok(p.tuplesTotal >= ROWS, `tuples_total ${p.tuplesTotal} covers the loaded rows`);
    assert.ok(p.tuplesDone <= p.tuplesTotal, `tuples_done ${p.tuplesDone} ≤ tuples_total ${p.tuplesTotal}`);
  }
  for (let i = 1; i < samples.length; i++) assert.ok(samples[i].tuplesDone >= samples[i - 1].tuplesDone, 'tuples_done never goes back');
  const distinct = new Set(samples.map((p) => p.tuplesDone));
  assert.ok(distinct.size >= 3, `tuples_done moved during the build: ${[...distinct].join(', ')}`);
}

let nextId = ROWS;

test('CREATE INDEX CONCURRENTLY shows its progress and lets single-row INSERTs through', async (t) => {
  const firstId = nextId;
  const run = await buildUnderWrites(builder, writer, watcher, {
    buildSql: 'CREATE INDEX CONCURRENTLY items_hnsw ON items USING hnsw (embedding vector_l2_ops)',
    table: 'items', dim: DIM, firstId, insertGapMs: 2, pollMs: 20,
  });
  assert.equal(run.buildError, undefined);
  nextId = firstId + run.inserts.length + 1;

  assert.ok(run.progress.length > 0, 'the build showed in pg_stat_progress_create_index');
  assert.deepEqual([...new Set(run.progress.map((p) => p.command))], ['CREATE INDEX CONCURRENTLY']);
  const { rows: [oids] } = await watcher.query("SELECT 'items'::regclass::oid AS relid, 'items_hnsw'::regclass::oid AS index_relid");
  assert.deepEqual([...new Set(run.progress.map((p) => `${p.relid} ${p.indexRelid}`))], [`${oids.relid} ${oids.index_relid}`]);
  for (const p of run.progress) assert.ok(['initializing', LOADING].includes(p.phase), `phase ${p.phase}`);
  assertRisingTuples(run);
  for (const p of run.progress) assert.deepEqual([p.partitionsTotal, p.partitionsDone], [0, 0]);

  const lat = summarizeLatencies(run.inserts.map((i) => i.ms));
  t.diagnostic(`build ${(run.buildMs / 1000).toFixed(1)} s; ${run.inserts.length} INSERTs during it: p50 ${lat.p50Ms} ms, p99 ${lat.p99Ms} ms`);
  assert.ok(run.inserts.length >= 10, `INSERTs went through during the build (${run.inserts.length})`);

  // every acknowledged row is there, and a k-NN query finds it by its own vector
  const { rows: [{ n }] } = await writer.query('SELECT count(*)::int AS n FROM items WHERE id >= $1', [firstId]);
  assert.ok(n >= run.inserts.length, `${n} rows found of ${run.inserts.length} inserted`);
  for (const i of [run.inserts[0], run.inserts[run.inserts.length >> 1], run.inserts[run.inserts.length - 1]]) {
    const r = await writer.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 1', [insertedVector(i.id, DIM)]);
    assert.equal(Number(r.rows[0].id), i.id);
  }
  const after = await watcher.query('SELECT count(*)::int AS n FROM pg_stat_progress_create_index');
  assert.equal(after.rows[0].n, 0, 'no row once the build ended');
  const idx = await watcher.query("SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = 'items_hnsw'::regclass");
  assert.deepEqual(idx.rows, [{ indisvalid: true, indisready: true }]);
});

test('a cancelled CREATE INDEX CONCURRENTLY leaves no index, in the catalog or on disk', async () => {
  const pid = Number((await builder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
  const build = builder.query('CREATE INDEX CONCURRENTLY items_cancelled ON items USING hnsw (embedding vector_cosine_ops)').then(
    () => undefined,
    (e: Error & { code?: string }) => e,
  );
  await waitUntil('the build to load tuples', async () => {
    const r = await watcher.query('SELECT phase, tuples_done FROM pg_stat_progress_create_index WHERE pid = $1', [pid]);
    return r.rows.length === 1 && r.rows[0].phase === LOADING;
  }, 20_000, 20);
  // meanwhile the index is listed, neither valid nor ready (PostgreSQL's state during the build)
  const state = await watcher.query("SELECT indisvalid, indisready FROM pg_index WHERE indexrelid = 'items_cancelled'::regclass");
  assert.deepEqual(state.rows, [{ indisvalid: false, indisready: false }]);
  await watcher.query('SELECT pg_cancel_backend($1)', [pid]);
  const error = await build;
  assert.equal(error?.code, '57014');
  assert.equal(error?.message, 'canceling statement due to user request');

  const left = await watcher.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'items_cancelled'");
  assert.equal(left.rows[0].n, 0);
  const indexes = await watcher.query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1");
  assert.deepEqual(indexes.rows.map((r) => r.indexname), ['items_hnsw']);
  assert.equal((await watcher.query('SELECT count(*)::int AS n FROM pg_stat_progress_create_index')).rows[0].n, 0);
  // the worker's temporary file goes once its thread stopped
  await waitUntil('the cancelled build\'s files to go', () => !readdirSync(join(server.dataDir, 'segments')).some((f) => f.includes('items_cancelled')), 10_000, 50);
});

test('REINDEX INDEX CONCURRENTLY shows as such while its segments are built again', async () => {
  const firstId = nextId;
  const run = await buildUnderWrites(builder, writer, watcher, {
    buildSql: 'REINDEX INDEX CONCURRENTLY items_hnsw', table: 'items', dim: DIM, firstId, insertGapMs: 2, pollMs: 20,
  });
  assert.equal(run.buildError, undefined);
  nextId = firstId + run.inserts.length + 1;
  assert.deepEqual([...new Set(run.progress.map((p) => p.command))], ['REINDEX CONCURRENTLY']);
  const { rows: [oids] } = await watcher.query("SELECT 'items'::regclass::oid AS relid, 'items_hnsw'::regclass::oid AS index_relid");
  assert.deepEqual([...new Set(run.progress.map((p) => `${p.relid} ${p.indexRelid}`))], [`${oids.relid} ${oids.index_relid}`]);
  assertRisingTuples(run);
  const r = await writer.query('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 1', [insertedVector(firstId, DIM)]);
  assert.equal(Number(r.rows[0].id), firstId);
});

test('CREATE INDEX CONCURRENTLY refuses to run inside a transaction block, and on a partitioned table', async () => {
  await builder.query('BEGIN');
  await assert.rejects(builder.query('CREATE INDEX CONCURRENTLY ON items USING hnsw (embedding vector_l2_ops)'), {
    code: '25001', message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block',
  });
  await builder.query('ROLLBACK');
  await builder.query('CREATE TABLE parted (id int, v vector(3)) PARTITION BY RANGE (id)');
  await assert.rejects(builder.query('CREATE INDEX CONCURRENTLY ON parted USING hnsw (v vector_l2_ops)'), {
    code: '0A000', message: 'cannot create index on partitioned table "parted" concurrently',
  });
});
