/**
 * The async, query-worker version of vector top-k returns what the in-thread operators
 * return, on a table with two sealed segments, a growing segment, deleted rows and a NULL
 * vector: exact k-NN (no index) row for row, and ANN (HNSW) row for row without a filter
 * and with the same recall with one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, runPlan, type RunContext } from '../src/executor/operators.js';
import { drainAll } from '../src/executor/suspend.js';
import { compileExpr, type ExecEnv } from '../src/executor/expr.js';
import { parallelExactVectorTopK, parallelIndexedVectorTopK, type VectorKey } from '../src/executor/parallel-vector-search.js';
import type { Plan } from '../src/planner/plan.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import type { DurableStorage } from '../src/storage/durable-storage.js';
import type { Backend } from '../src/wire/backend.js';
import type { Row } from '../src/types/types.js';
import type { DistanceOp } from '../src/ann/api.js';
import { findTopK, insertRows, openSession, seededVectors, sessionPlan } from './support/session-plans.js';

const DIM = 64;
const dir = mkdtempSync(join(tmpdir(), 'quiver-pvs-'));
let storage: DurableStorage;
let backend: Backend;
let pool: QueryWorkerPool;

const vec = seededVectors(42, DIM);

let sql: (text: string) => Promise<void>;
const insert = (table: string, from: number, to: number) => insertRows(sql, table, from, to, (i) => `(${i}, ${i % 10}, '${vec()}')`);

before(async () => {
  ({ storage, backend, sql } = await openSession(dir));
  pool = new QueryWorkerPool(2);
  for (const t of ['items', 'plain']) {
    await sql(`CREATE TABLE ${t} (id int PRIMARY KEY, tag int, v vector(${DIM}))`);
    await insert(t, 0, 3000);
    await sql(`CREATE INDEX ${t}_v ON ${t} USING hnsw (v vector_l2_ops)`); // seals segment 1
    await insert(t, 3000, 5500);
    await sql(`DROP INDEX ${t}_v`);
    await sql(`CREATE INDEX ${t}_v ON ${t} USING hnsw (v vector_l2_ops)`); // seals segment 2
    await insert(t, 5500, 5700); // stays growing
    await sql(`INSERT INTO ${t} VALUES (9999, 1, NULL)`);
    await sql(`DELETE FROM ${t} WHERE id % 7 = 0`);
  }
  await sql('DROP INDEX plain_v');
});

test('the fixture has two sealed segments per table, with shared vectors', () => {
  const { topk, rc } = prepare(`SELECT * FROM plain ORDER BY v <-> '${vec()}' LIMIT 5`);
  assert.ok(topk.input.kind === 'scan');
  const segs = storage.searchSegments(topk.input.table.oid, rc.snapshot);
  assert.equal(segs.length, 2);
  assert.ok(segs.every((s) => s.sharedVectors?.(2)?.dim === DIM));
});

after(async () => {
  await pool.close();
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The Top-K node of a query, its distance key, and a run context as the session makes them. */
function prepare(text: string): { topk: Extract<Plan, { kind: 'topk' }>; key: VectorKey; k: number; rc: RunContext; env: ExecEnv } {
  const { plan, rc, env } = sessionPlan(backend, text);
  const topk = findTopK(plan);
  assert.ok(topk, `no Top-K in ${plan.kind}`);
  const e = topk.keys[0].expr;
  assert.ok(e.kind === 'call' && e.args[0].kind === 'column');
  const key: VectorKey = { column: e.args[0].index, query: e.args[1], op: e.name as DistanceOp, half: false };
  const k = Number(compileExpr(topk.limit!)([], env));
  return { topk, key, k, rc, env };
}

const ids = (rows: readonly Row[]) => rows.map((r) => r[0]);

for (const op of ['<->', '<=>', '<#>', '<+>'] as const) {
  for (const where of ['', 'WHERE tag = 3', 'WHERE id > 5000', 'WHERE id < 40']) {
    test(`exact k-NN in workers = in-thread Top-K: ${op} ${where || '(no filter)'}`, async () => {
      const q = vec();
      for (const k of [10, 100]) {
        const { topk, key, rc, env } = prepare(`SELECT * FROM plain ${where} ORDER BY v ${op} '${q}' LIMIT ${k}`);
        const inThread = collect(runPlan(topk, rc, env));
        const viaWorkers = await parallelExactVectorTopK(topk, key, k, 0, rc, env, pool);
        assert.ok(viaWorkers, 'the workers served the query');
        assert.deepEqual(ids(viaWorkers), ids(inThread));
        assert.ok(viaWorkers.length === inThread.length && viaWorkers.length > 0);
      }
    });
  }
}

test('exact k-NN with more k than non-NULL rows ends with the NULL vector, as in-thread', async () => {
  const { topk, key, rc, env } = prepare(`SELECT * FROM plain WHERE tag = 1 AND id > 5600 ORDER BY v <-> '${vec()}' LIMIT 50`);
  const inThread = collect(runPlan(topk, rc, env));
  const viaWorkers = (await parallelExactVectorTopK(topk, key, 50, 0, rc, env, pool))!;
  assert.deepEqual(ids(viaWorkers), ids(inThread));
  assert.equal(viaWorkers.at(-1)![0], 9999);
});

function recall(found: readonly Row[], truth: readonly Row[]): number {
  const t = new Set(ids(truth));
  return found.filter((r) => t.has(r[0])).length / truth.length;
}

test('ANN in workers: same rows as in-thread without a filter, same recall with one', async () => {
  let inThreadRecall = 0;
  let workerRecall = 0;
  let n = 0;
  for (let i = 0; i < 20; i++) {
    const q = vec();
    for (const where of ['', 'WHERE tag = 3', 'WHERE tag < 8', 'WHERE id < 300']) {
      const { topk, key, k, rc, env } = prepare(`SELECT * FROM items ${where} ORDER BY v <-> '${q}' LIMIT 10`);
      // (a filter on a B-tree'd column may wait for its sorted column: drained as the engine does)
      const inThread = await drainAll(runPlan(topk, rc, env), () => env.checkCancel());
      const viaWorkers = await parallelIndexedVectorTopK(topk, key, k, 0, rc, env, pool);
      assert.ok(viaWorkers, 'the workers served the query');
      const truth = (await parallelExactVectorTopK(topk, key, k, 0, rc, env, pool))!;
      if (!where) assert.deepEqual(ids(viaWorkers), ids(inThread));
      assert.equal(viaWorkers.length, 10, 'a filtered query returns k rows when k rows match');
      inThreadRecall += recall(inThread, truth);
      workerRecall += recall(viaWorkers, truth);
      n++;
    }
  }
  assert.ok(workerRecall / n >= inThreadRecall / n - 0.01, `recall ${workerRecall / n} vs in-thread ${inThreadRecall / n}`);
  assert.ok(workerRecall / n >= 0.95, `recall ${workerRecall / n}`);
});

test('without a pool, or with a subquery in the filter, the caller keeps the in-thread path', async () => {
  const { topk, key, k, rc, env } = prepare(`SELECT * FROM plain ORDER BY v <-> '${vec()}' LIMIT 5`);
  assert.equal(await parallelExactVectorTopK(topk, key, k, 0, rc, env, undefined), undefined);
  const sub = prepare(`SELECT * FROM plain WHERE id IN (SELECT id FROM items WHERE tag = 2) ORDER BY v <-> '${vec()}' LIMIT 5`);
  if (sub.topk.input.kind === 'scan' && sub.topk.input.filter) {
    assert.equal(await parallelExactVectorTopK(sub.topk, sub.key, sub.k, 0, sub.rc, sub.env, pool), undefined);
  }
});
