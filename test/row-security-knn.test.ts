/**
 * Row-level security inside vector search: on a table with two sealed segments (each with
 * its HNSW index), a growing segment and deleted rows, `ORDER BY v <-> $1 LIMIT k` run by
 * a user under a selective policy returns exactly the k nearest rows that user may see —
 * the policy is part of the filter the Top-K evaluates per segment, not a post-filter that
 * would return fewer rows (checked against an exact computation in the test). A prepared
 * statement follows SET ROLE; WITH CHECK options and the policy quals of UPDATE hold.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.js';
import type { Plan } from '../src/planner/plan.js';
import { loadParser } from '../src/sql/parser.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import type { Backend, PreparedStatement } from '../src/wire/backend.js';
import type { Value } from '../src/types/types.js';
import { SqlError } from '../src/errors.js';
import { parseVector } from '../src/types/vector.js';

const DIM = 16;
const K = 10;
const dir = mkdtempSync(join(tmpdir(), 'quiver-rls-knn-'));
let storage: DurableStorage;
let backend: Backend;

let seed = 7;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
const randomVector = () => Array.from({ length: DIM }, () => Number(rnd().toFixed(4)));
const vectors = new Map<number, number[]>();

async function run(stmt: PreparedStatement, params: readonly Value[] = []): Promise<Value[][]> {
  const r = await backend.execute(stmt, params);
  if (r.kind !== 'rows') return [];
  const rows = [...r.rows];
  for (let more = await r.more?.next(); more; more = await r.more!.next()) rows.push(...more);
  return rows;
}

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => run(backend.prepare(text, []), params);

async function insert(from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 500) {
    const values: string[] = [];
    for (let i = start; i < Math.min(to, start + 500); i++) {
      const v = randomVector();
      vectors.set(i, v);
      values.push(`(${i}, ${i % 37}, '[${v.join(',')}]')`);
    }
    await sql(`INSERT INTO docs VALUES ${values.join(',')}`);
  }
}

/** Visible to the reader: the policy below, on the rows still there. */
const visible = (id: number) => id % 37 === 5 || id % 37 === 11;
const deleted = (id: number) => id % 9 === 0;

before(async () => {
  await loadParser();
  storage = await DurableStorage.open({ dataDir: dir, background: false });
  backend = new Engine(storage).create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  await sql(`CREATE TABLE docs (id int PRIMARY KEY, tenant int, v vector(${DIM}))`);
  await insert(0, 3000);
  await sql('CREATE INDEX docs_v ON docs USING hnsw (v vector_l2_ops)'); // seals segment 1
  await insert(3000, 6000);
  await sql('DROP INDEX docs_v');
  await sql('CREATE INDEX docs_v ON docs USING hnsw (v vector_l2_ops)'); // seals segment 2
  await insert(6000, 6300); // stays growing
  await sql('DELETE FROM docs WHERE id % 9 = 0');
  await sql('CREATE ROLE rls_reader');
  await sql('GRANT SELECT, UPDATE ON docs TO rls_reader');
  await sql('ALTER TABLE docs ENABLE ROW LEVEL SECURITY');
  // about 5% of the rows: a post-filter over the 10 nearest would almost always come up short
  await sql('CREATE POLICY tenant_5 ON docs FOR SELECT TO rls_reader USING (tenant = 5)');
  await sql('CREATE POLICY tenant_11 ON docs FOR SELECT TO rls_reader USING (tenant = 11)');
  await sql('CREATE POLICY edit_5 ON docs FOR UPDATE TO rls_reader USING (tenant = 5) WITH CHECK (tenant = 5)');
});

after(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function exactNearest(q: readonly number[], allowed: (id: number) => boolean, k: number): number[] {
  const dist = (v: readonly number[]) => Math.sqrt(v.reduce((s, x, i) => s + (Math.fround(x) - Math.fround(q[i])) ** 2, 0));
  return [...vectors].filter(([id]) => allowed(id) && !deleted(id))
    .map(([id, v]) => ({ id, d: dist(v) }))
    .sort((a, b) => a.d - b.d || a.id - b.id)
    .slice(0, k)
    .map((x) => x.id);
}

function findScan(plan: Plan): Extract<Plan, { kind: 'scan' }> | undefined {
  if (plan.kind === 'scan') return plan;
  return 'input' in plan ? findScan(plan.input) : undefined;
}

test('the policy is the scan filter under the vector Top-K, and the table has two sealed segments', async () => {
  await sql('SET ROLE rls_reader');
  try {
    const stmt = backend.prepare(`SELECT id FROM docs ORDER BY v <-> $1 LIMIT ${K}`, []) as unknown as { bound: { plan: Plan } };
    let plan = stmt.bound.plan;
    while (plan.kind !== 'topk' && 'input' in plan) plan = plan.input;
    assert.equal(plan.kind, 'topk');
    assert.ok(plan.kind === 'topk' && plan.vectorSearch, 'a vector Top-K');
    const scan = findScan(plan);
    assert.ok(scan?.filter, 'the security qual is the scan filter');
    const segs = storage.searchSegments(scan.table.oid, storage.snapshot());
    assert.equal(segs.length, 2);
  } finally {
    await sql('RESET ROLE');
  }
});

test('k-NN under a selective policy returns exactly the k nearest visible rows', async () => {
  await sql('SET ROLE rls_reader');
  try {
    const stmt = backend.prepare(`SELECT id, tenant FROM docs ORDER BY v <-> $1 LIMIT ${K}`, []);
    for (let i = 0; i < 20; i++) {
      const q = randomVector();
      const rows = await run(stmt, [parseVector(`[${q.join(',')}]`)]);
      assert.equal(rows.length, K, 'k rows, not fewer');
      assert.ok(rows.every((r) => r[1] === 5 || r[1] === 11), 'only rows the policy lets through');
      assert.deepEqual(rows.map((r) => r[0]), exactNearest(q, visible, K));
    }
    // a condition of the query's own narrows the visible rows further
    const q = randomVector();
    const rows = await sql(`SELECT id FROM docs WHERE id > 3000 ORDER BY v <-> $1 LIMIT ${K}`, [parseVector(`[${q.join(',')}]`)]);
    assert.deepEqual(rows.map((r) => r[0]), exactNearest(q, (id) => visible(id) && id > 3000, K));
  } finally {
    await sql('RESET ROLE');
  }
});

test('a prepared k-NN statement follows SET ROLE', async () => {
  const stmt = backend.prepare(`SELECT id FROM docs ORDER BY v <-> $1 LIMIT ${K}`, []);
  const q = randomVector();
  const param = [parseVector(`[${q.join(',')}]`)];
  const asSuperuser = (await run(stmt, param)).map((r) => r[0]);
  // a superuser is not subject to the policy (HNSW answers approximately: no exact comparison here)
  assert.equal(asSuperuser.length, K);
  assert.ok(asSuperuser.some((id) => !visible(id as number)));
  await sql('SET ROLE rls_reader');
  try {
    assert.deepEqual((await run(stmt, param)).map((r) => r[0]), exactNearest(q, visible, K));
  } finally {
    await sql('RESET ROLE');
  }
  assert.deepEqual((await run(stmt, param)).map((r) => r[0]), asSuperuser);
});

test('EXPLAIN shows the policy inside the vector search', async () => {
  await sql('SET ROLE rls_reader');
  try {
    const plan = (await sql(`EXPLAIN SELECT id FROM docs ORDER BY v <-> '[${randomVector().join(',')}]' LIMIT ${K}`)).map((r) => r[0]).join('\n');
    assert.match(plan, /tenant = 5/);
    assert.match(plan, /tenant = 11/);
    assert.doesNotMatch(plan, /^\s*->\s*Filter/m);
  } finally {
    await sql('RESET ROLE');
  }
});

test('UPDATE sees only the rows its policy allows, and new rows must pass WITH CHECK', async () => {
  await sql('SET ROLE rls_reader');
  try {
    // tenant 11 rows are visible but not updatable: skipped, as in PostgreSQL
    await sql('UPDATE docs SET v = v WHERE id IN (5, 11)');
    await assert.rejects(sql('UPDATE docs SET tenant = 6 WHERE id = 5'), (e: unknown) => {
      assert.ok(e instanceof SqlError);
      assert.equal(e.code, '42501');
      assert.equal(e.message, 'new row violates row-level security policy for table "docs"');
      return true;
    });
    const r = await sql('SELECT count(*) FROM docs WHERE tenant NOT IN (5, 11)');
    assert.equal(Number(r[0][0]), 0);
  } finally {
    await sql('RESET ROLE');
  }
});
