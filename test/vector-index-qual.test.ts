/**
 * The vector index's implied conditions (planner rule choose-vector-index, scan-condition.ts):
 * with the index forced (enable_seqscan = off) no path returns a row the index cannot hold —
 * a NULL vector, or under a cosine class a zero one — whether the search runs in this
 * thread or in query workers, on a plain or a partitioned table, with or without LIMIT;
 * and with sequential scans allowed those rows still come last, as an exact scan returns
 * them. Tables have two sealed, indexed segments and a growing one, all holding such rows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, runPlan, type RunContext } from '../src/executor/operators.js';
import { compileExpr, type ExecEnv } from '../src/executor/expr.js';
import { findTopK, insertRows, openSession, seededVectors, sessionPlan } from './support/session-plans.js';
import { parallelIndexedVectorTopK, type VectorKey } from '../src/executor/parallel-vector-search.js';
import type { Plan } from '../src/planner/plan.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import type { DurableStorage } from '../src/storage/durable-storage.js';
import type { Backend } from '../src/wire/backend.js';
import type { Row } from '../src/types/types.js';
import type { DistanceOp } from '../src/ann/api.js';

const DIM = 16;
const dir = mkdtempSync(join(tmpdir(), 'quiver-iq-'));
let storage: DurableStorage;
let backend: Backend;
let pool: QueryWorkerPool;

const vec = seededVectors(7, DIM);
const ZERO = `[${new Array(DIM).fill(0).join(',')}]`;
/** every 9th row a zero vector, every 13th (not 9th) NULL */
const value = (i: number) => (i % 9 === 0 ? `'${ZERO}'` : i % 13 === 0 ? 'NULL' : `'${vec()}'`);
const excluded = (id: number) => id % 9 === 0 || id % 13 === 0;
const ROWS = 1700;

let sql: (text: string) => Promise<void>;
const insert = (table: string, from: number, to: number) => insertRows(sql, table, from, to, (i) => `(${i}, ${value(i)})`);

before(async () => {
  ({ storage, backend, sql } = await openSession(dir));
  pool = new QueryWorkerPool(2);
  await sql(`CREATE TABLE iq (id int PRIMARY KEY, v vector(${DIM}))`);
  await sql(`CREATE TABLE iqp (id int, v vector(${DIM})) PARTITION BY RANGE (id)`);
  await sql('CREATE TABLE iqp1 PARTITION OF iqp FOR VALUES FROM (0) TO (800)');
  await sql('CREATE TABLE iqp2 PARTITION OF iqp FOR VALUES FROM (800) TO (10000)');
  // zero vectors but no NULL: segment bitmaps would allow every position
  await sql(`CREATE TABLE iz (id int PRIMARY KEY, v vector(${DIM}))`);
  await sql(`INSERT INTO iz VALUES ${Array.from({ length: 1200 }, (_, i) => `(${i}, '${i % 9 === 0 ? ZERO : vec()}')`).join(',')}`);
  await sql('CREATE INDEX ON iz USING hnsw (v vector_cosine_ops)');
  for (const t of ['iq', 'iqp']) {
    await insert(t, 0, 900);
    await sql(`CREATE INDEX ON ${t} USING hnsw (v vector_cosine_ops)`); // seals segment 1
    await insert(t, 900, 1500);
    await sql(`CREATE INDEX ON ${t} USING hnsw (v vector_l2_ops)`); // seals segment 2, indexed by both
    await insert(t, 1500, ROWS); // stays growing
  }
});

after(async () => {
  await pool.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A query's plan, its Top-K, and a run context as the session makes them. */
function prepare(text: string): { plan: Plan; topk: Extract<Plan, { kind: 'topk' }>; rc: RunContext; env: ExecEnv } {
  const { plan, rc, env } = sessionPlan(backend, text);
  const topk = findTopK(plan);
  assert.ok(topk, `no Top-K in the plan of ${text}`);
  return { plan, topk, rc, env };
}

const ids = (rows: readonly Row[]) => rows.map((r) => Number(r[0]));

for (const table of ['iq', 'iqp']) {
  test(`${table}, index forced: cosine LIMIT beyond the rows leaves out NULL and zero vectors, in this thread and in workers`, async () => {
    await sql('SET enable_seqscan = off');
    try {
      const q = vec();
      const { topk, rc, env } = prepare(`SELECT id FROM ${table} ORDER BY v <=> '${q}' LIMIT 5000`);
      assert.ok(topk.vectorSearch?.index, 'the index is used');
      const inThread = ids(collect(runPlan(topk, rc, env)));
      assert.ok(inThread.length > 1000, `rows: ${inThread.length}`);
      assert.deepEqual(inThread.filter(excluded), []);
      const e = topk.keys[0].expr;
      assert.ok(e.kind === 'call' && e.args[0].kind === 'column');
      const key: VectorKey = { column: e.args[0].index, query: e.args[1], op: e.name as DistanceOp, half: false };
      const k = Number(compileExpr(topk.limit!)([], env));
      const viaWorkers = await parallelIndexedVectorTopK(topk, key, k, 0, rc, env, pool);
      assert.ok(viaWorkers, 'the workers served the query');
      assert.deepEqual(ids(viaWorkers).filter(excluded), []);
      assert.equal(viaWorkers.length, inThread.length);
      // the ten nearest are those an exact scan finds
      const exact = ids(collect(runPlan(prepare(`SELECT id FROM ${table} WHERE v IS NOT NULL ORDER BY v <=> '${q}' LIMIT 10`).plan, rc, env)));
      assert.deepEqual(inThread.slice(0, 10), exact);
    } finally {
      await sql('RESET enable_seqscan');
    }
  });

  test(`${table}, index forced: L2 leaves out NULL vectors only (zero vectors are indexed)`, async () => {
    await sql('SET enable_seqscan = off');
    try {
      const { topk, rc, env } = prepare(`SELECT id FROM ${table} ORDER BY v <-> '${vec()}' LIMIT 5000`);
      const got = ids(collect(runPlan(topk, rc, env)));
      assert.deepEqual(got.filter((id) => id % 13 === 0 && id % 9 !== 0), []);
      assert.ok(got.some((id) => id % 9 === 0), 'zero vectors are returned');
    } finally {
      await sql('RESET enable_seqscan');
    }
  });

  test(`${table}, index forced, no LIMIT: iterative scan returns every indexed row nearest first, up to hnsw.max_scan_tuples; without it hnsw.ef_search rows (a partition)`, async () => {
    await sql('SET enable_seqscan = off');
    try {
      const q = vec();
      await sql('SET hnsw.iterative_scan = strict_order');
      const all = prepare(`SELECT id, v <=> '${q}' AS d FROM ${table} ORDER BY v <=> '${q}'`);
      const rows = collect(runPlan(all.plan, all.rc, all.env));
      const expected = Array.from({ length: ROWS }, (_, i) => i).filter((i) => !excluded(i));
      assert.deepEqual(ids(rows).sort((a, b) => a - b), expected);
      const d = rows.map((r) => r[1] as number);
      assert.ok(d.every((x, i) => i === 0 || d[i - 1] <= x), 'nearest first');
      // hnsw.max_scan_tuples bounds it (each partition's scan, as pgvector's Merge Append of them)
      await sql('SET hnsw.max_scan_tuples = 100');
      const bounded = prepare(`SELECT id, v <=> '${q}' AS d FROM ${table} ORDER BY v <=> '${q}'`);
      const some = collect(runPlan(bounded.plan, bounded.rc, bounded.env));
      assert.equal(some.length, table === 'iqp' ? 200 : 100);
      assert.deepEqual(ids(some).filter(excluded), []);
      const bd = some.map((r) => r[1] as number);
      assert.ok(bd.every((x, i) => i === 0 || bd[i - 1] <= x), 'nearest first');
      await sql('RESET hnsw.max_scan_tuples');
      // and by work_mem × hnsw.scan_mem_multiplier: 64 kB holds 512 candidates of 16 floats (128 bytes each)
      await sql("SET work_mem = '64kB'");
      const inMemory = async () => {
        const p = prepare(`SELECT id FROM ${table} ORDER BY v <=> '${q}'`);
        return collect(runPlan(p.plan, p.rc, p.env)).length;
      };
      const perIndex = (n: number) => (table === 'iqp' ? 2 * n : n);
      assert.equal(await inMemory(), perIndex(512));
      await sql('SET hnsw.scan_mem_multiplier = 1.5');
      assert.equal(await inMemory(), Math.min(perIndex(768), expected.length));
      await sql('RESET hnsw.scan_mem_multiplier');
      await sql('RESET work_mem');
      await sql('RESET hnsw.iterative_scan');
      await sql('SET hnsw.ef_search = 25');
      const capped = prepare(`SELECT id FROM ${table} ORDER BY v <=> '${q}'`);
      const few = ids(collect(runPlan(capped.plan, capped.rc, capped.env)));
      // a partitioned table: each partition's index yields ef_search rows (pgvector's Merge Append)
      assert.equal(few.length, table === 'iqp' ? 50 : 25);
      assert.deepEqual(few.filter(excluded), []);
      const filtered = prepare(`SELECT id FROM ${table} WHERE id % 2 = 0 ORDER BY v <=> '${q}'`);
      const even = ids(collect(runPlan(filtered.plan, filtered.rc, filtered.env)));
      assert.deepEqual(even, few.filter((id) => id % 2 === 0), 'the filter applies to what one search yields');
    } finally {
      await sql('RESET hnsw.ef_search');
      await sql('RESET hnsw.max_scan_tuples');
      await sql('RESET hnsw.scan_mem_multiplier');
      await sql('RESET work_mem');
      await sql('RESET hnsw.iterative_scan');
      await sql('RESET enable_seqscan');
    }
  });

  test(`${table}, sequential scans allowed: NULL vectors come last, zero vectors are returned`, async () => {
    const { topk, rc, env } = prepare(`SELECT id FROM ${table} ORDER BY v <=> '${vec()}' LIMIT 5000`);
    assert.equal(topk.input.kind === 'scan' && topk.input.indexQual, undefined);
    const got = ids(collect(runPlan(topk, rc, env)));
    assert.equal(got.length, ROWS);
    const nulls = got.filter((id) => id % 13 === 0 && id % 9 !== 0);
    assert.deepEqual(got.slice(-nulls.length), nulls);
  });
}

test('iz, index forced: a segment with zero vectors and no NULL leaves them out, in this thread and in workers', async () => {
  await sql('SET enable_seqscan = off');
  try {
    const q = vec();
    const { topk, rc, env } = prepare(`SELECT id FROM iz ORDER BY v <=> '${q}' LIMIT 2000`);
    const inThread = ids(collect(runPlan(topk, rc, env)));
    assert.deepEqual(inThread.filter((id) => id % 9 === 0), []);
    assert.ok(inThread.length > 1000);
    const e = topk.keys[0].expr;
    assert.ok(e.kind === 'call' && e.args[0].kind === 'column');
    const key: VectorKey = { column: e.args[0].index, query: e.args[1], op: e.name as DistanceOp, half: false };
    const viaWorkers = await parallelIndexedVectorTopK(topk, key, 2000, 0, rc, env, pool);
    // one segment: the workers may leave it to this thread (undefined)
    if (viaWorkers) assert.deepEqual(ids(viaWorkers).filter((id) => id % 9 === 0), []);
    const near = prepare(`SELECT id FROM iz ORDER BY v <=> '${q}' LIMIT 10`);
    await sql('RESET enable_seqscan');
    const exact = prepare(`SELECT id FROM iz ORDER BY v <=> '${q}' LIMIT 10`);
    assert.deepEqual(ids(collect(runPlan(near.plan, near.rc, near.env))), ids(collect(runPlan(exact.plan, exact.rc, exact.env))));
  } finally {
    await sql('RESET enable_seqscan');
  }
});
