/**
 * Expression vector indexes (pgvector's half-precision, binary-quantized and subvector
 * indexes) on 5,000 seeded random 64-d rows: each kind is built, its plan uses it, and its
 * top 10 has recall ≥ 0.9 against the exact answer of the same expression (enable_indexscan
 * = off). Recall counts the returned rows whose exact distance is within the exact 10th
 * distance, so ties (64 bits give Hamming distances of few values) count fairly. Then the
 * same after a restart (the index files are opened, not rebuilt) and after deletes and a
 * VACUUM (compacted segments indexed again, deleted rows gone), the re-ranking query of
 * pgvector's README, an expression of operators, ALTER INDEX … RENAME (the index is still
 * searched), and the expressions Quiver refuses with 0A000.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const N = 5_000;
const DIM = 64;
const K = 10;
const QUERIES = 12;
const MIN_RECALL = 0.9;

const rnd = seededRandom(20261206);
const rounded = (x: number) => Number(x.toFixed(4));
const vectors = Array.from({ length: N }, () => Array.from({ length: DIM }, () => rounded(rnd() * 2 - 1)));
const queries = Array.from({ length: QUERIES }, () => Array.from({ length: DIM }, () => rounded(rnd() * 2 - 1)));
const text = (v: readonly number[]) => `[${v.join(',')}]`;

/**
 * One expression index: how it is created, its ORDER BY key for a query vector, and the
 * search breadth: uniform random 64-d rows are hard for a graph (a plain vector_l2_ops
 * index measured recall 0.78 at the default ef_search of 40, as the halfvec one), so HNSW
 * searches with ef_search 100, IVFFlat with 15 of its 20 lists (10 gave 0.79 on the halfvec key).
 */
interface Kind { name: string; create: string; key: (q: string) => string; breadth: string }
const HNSW = 'hnsw.ef_search = 100';
const IVF = 'ivfflat.probes = 15';
const KINDS: Kind[] = [
  { name: 'ex_half', create: `USING hnsw ((v::halfvec(${DIM})) halfvec_l2_ops)`, key: (q) => `v::halfvec(${DIM}) <-> '${q}'`, breadth: HNSW },
  { name: 'ex_bq', create: `USING hnsw ((binary_quantize(v)::bit(${DIM})) bit_hamming_ops)`, key: (q) => `binary_quantize(v)::bit(${DIM}) <~> binary_quantize('${q}'::vector)`, breadth: HNSW },
  { name: 'ex_sub', create: 'USING hnsw ((subvector(v, 1, 16)::vector(16)) vector_cosine_ops)', key: (q) => `subvector(v, 1, 16)::vector(16) <=> subvector('${q}'::vector, 1, 16)`, breadth: HNSW },
  { name: 'ex_half_ivf', create: `USING ivfflat ((v::halfvec(${DIM})) halfvec_cosine_ops) WITH (lists = 20)`, key: (q) => `v::halfvec(${DIM}) <=> '${q}'`, breadth: IVF },
  {
    name: 'ex_bq_ivf', create: 'USING ivfflat ((binary_quantize(subvector(v, 1, 32))::bit(32)) bit_hamming_ops) WITH (lists = 20)',
    key: (q) => `binary_quantize(subvector(v, 1, 32))::bit(32) <~> binary_quantize(subvector('${q}'::vector, 1, 32))`, breadth: IVF,
  },
];

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-exprindex-'));
let server: QuiverServer | undefined;
let client: pg.Client | undefined;

async function connect(): Promise<pg.Client> {
  server = await startQuiver({ dataDir });
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  return client;
}

async function disconnect(): Promise<void> {
  await client?.end();
  client = undefined;
  await server?.stop();
  server = undefined;
}

before(async () => {
  const c = await connect();
  await c.query(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIM}))`);
  for (let start = 0; start < N; start += 500) {
    const rows: string[] = [];
    for (let i = start; i < start + 500; i++) rows.push(`(${i}, '${text(vectors[i])}')`);
    await c.query(`INSERT INTO items VALUES ${rows.join(',')}`);
  }
});

after(async () => {
  await disconnect();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The index's top k: ids and exact distances. */
async function topK(c: pg.Client, kind: Kind, q: string, exact: boolean): Promise<{ id: number; d: number }[]> {
  await c.query('BEGIN');
  try {
    await c.query(`SET LOCAL ${kind.breadth}`);
    if (exact) await c.query('SET LOCAL enable_indexscan = off');
    const r = await c.query(`SELECT id, ${kind.key(q)} AS d FROM items ORDER BY ${kind.key(q)} LIMIT ${K}`);
    return r.rows.map((x: { id: number; d: number }) => ({ id: x.id, d: Number(x.d) }));
  } finally {
    await c.query('COMMIT');
  }
}

/** Mean recall@k of the index over the queries (rows within the exact k-th distance count). */
async function recall(c: pg.Client, kind: Kind): Promise<number> {
  let found = 0;
  for (const v of queries) {
    const q = text(v);
    const exact = await topK(c, kind, q, true);
    const got = await topK(c, kind, q, false);
    assert.equal(got.length, K);
    const bound = exact[K - 1].d + 1e-6;
    found += got.filter((x) => x.d <= bound).length;
  }
  return found / (K * QUERIES);
}

async function plan(c: pg.Client, kind: Kind): Promise<string> {
  const r = await c.query(`EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY ${kind.key(text(queries[0]))} LIMIT ${K}`);
  return r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n');
}

const measured = new Map<string, { buildMs: number; recall: number[] }>();

test('each expression index kind is built, planned and has recall ≥ 0.9', async () => {
  const c = client!;
  for (const kind of KINDS) {
    const t0 = performance.now();
    await c.query(`CREATE INDEX ${kind.name} ON items ${kind.create}`);
    const buildMs = Math.round(performance.now() - t0);
    assert.match(await plan(c, kind), new RegExp(`index ${kind.name},`), `${kind.name} is not planned`);
    const r = await recall(c, kind);
    measured.set(kind.name, { buildMs, recall: [r] });
    assert.ok(r >= MIN_RECALL, `${kind.name}: recall ${r}`);
  }
});

test('binary quantization with re-ranking finds the exact nearest rows', async () => {
  const c = client!;
  let found = 0;
  for (const v of queries) {
    const q = text(v);
    const exact = await c.query(`SELECT id FROM items ORDER BY v <-> '${q}' LIMIT ${K}`);
    const reranked = await c.query(`SELECT id FROM (SELECT * FROM items ORDER BY binary_quantize(v)::bit(${DIM}) <~> binary_quantize('${q}'::vector) LIMIT 400) c
      ORDER BY v <-> '${q}' LIMIT ${K}`);
    const want = new Set(exact.rows.map((x: { id: number }) => x.id));
    found += reranked.rows.filter((x: { id: number }) => want.has(x.id)).length;
  }
  // 400 of 5,000 candidates by Hamming distance on 64 bits (measured 0.88): quantization's loss, not the index's
  assert.ok(found / (K * QUERIES) >= 0.7, `re-ranked recall ${found / (K * QUERIES)}`);
});

test('after a restart the indexes are opened (not rebuilt), planned and as good', async () => {
  await disconnect();
  const c = await connect();
  for (const kind of KINDS) {
    assert.match(await plan(c, kind), new RegExp(`index ${kind.name},`));
    const r = await recall(c, kind);
    measured.get(kind.name)?.recall.push(r);
    assert.ok(r >= MIN_RECALL, `${kind.name} after restart: recall ${r}`);
  }
  assert.doesNotMatch(server!.stderr(), /unusable; rebuilding/);
  const defs = await c.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'ex_bq'`);
  assert.equal(defs.rows[0].indexdef, `CREATE INDEX ex_bq ON public.items USING hnsw (((binary_quantize(v))::bit(${DIM})) bit_hamming_ops)`);
});

test('after deletes and VACUUM (compaction) deleted rows are gone and recall holds', async () => {
  const c = client!;
  await c.query('DELETE FROM items WHERE id % 3 = 0');
  await c.query('VACUUM items');
  for (const kind of KINDS) {
    const r = await recall(c, kind);
    measured.get(kind.name)?.recall.push(r);
    assert.ok(r >= MIN_RECALL, `${kind.name} after VACUUM: recall ${r}`);
    for (const v of queries.slice(0, 3)) {
      for (const row of await topK(c, kind, text(v), false)) assert.notEqual(row.id % 3, 0, `${kind.name} returned deleted row ${row.id}`);
    }
  }
  // build times and recall (after creation, after restart, after VACUUM), for the record
  console.log(JSON.stringify(Object.fromEntries(measured)));
});

test('an expression with operators and nested functions is indexed too', async () => {
  const c = client!;
  await c.query('CREATE TABLE items3 (id int, a vector(3))');
  try {
    await c.query(`INSERT INTO items3 VALUES (1, '[1,2,3]'), (2, '[-1,0,2]'), (3, '[3,-1,0]'), (4, NULL)`);
    await c.query(`CREATE INDEX items3_expr ON items3 USING hnsw ((l2_normalize(a * '[1,2,1]')::vector(3)) vector_l2_ops)`);
    const key = `l2_normalize(a * '[1,2,1]')::vector(3) <-> '[1,0,0]'`;
    const explained = await c.query(`EXPLAIN (COSTS OFF) SELECT id FROM items3 ORDER BY ${key} LIMIT 2`);
    assert.match(String(explained.rows[0]['QUERY PLAN']), /hnsw index items3_expr,/);
    const exact = await c.query(`SELECT id FROM items3 ORDER BY ${key}, id`);
    await c.query('SET enable_seqscan = off');
    const forced = await c.query(`SELECT id FROM items3 ORDER BY ${key} LIMIT 10`);
    await c.query('RESET enable_seqscan');
    // the forced index leaves the NULL key out, as pgvector's index scan
    assert.deepEqual(forced.rows.map((r: { id: number }) => r.id), exact.rows.map((r: { id: number }) => r.id).filter((id: number) => id !== 4));
    const def = await c.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'items3_expr'`);
    assert.equal(def.rows[0].indexdef, `CREATE INDEX items3_expr ON public.items3 USING hnsw (((l2_normalize((a * '[1,2,1]'::vector)))::vector(3)) vector_l2_ops)`);
  } finally {
    await c.query('DROP TABLE items3');
  }
});

/** How many sealed segments a query searched through its index (EXPLAIN ANALYZE). */
async function segmentsViaIndex(c: pg.Client, kind: Kind): Promise<number> {
  const r = await c.query(`EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM items ORDER BY ${kind.key(text(queries[0]))} LIMIT ${K}`);
  const line = r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).find((l: string) => /Segments: \d+ via index/.test(l));
  return Number(/Segments: (\d+) via index/.exec(line ?? '')?.[1] ?? 0);
}

test('a renamed index is still searched, also after a rolled-back rename and a restart', async () => {
  const kind = KINDS[0];
  let c = client!;
  assert.ok(await segmentsViaIndex(c, kind) > 0);
  await c.query(`ALTER INDEX ${kind.name} RENAME TO ${kind.name}_renamed`);
  assert.ok(await segmentsViaIndex(c, kind) > 0, 'not searched through the renamed index');
  await c.query('BEGIN');
  await c.query(`ALTER INDEX ${kind.name}_renamed RENAME TO ${kind.name}_again`);
  await c.query('ROLLBACK');
  assert.ok(await segmentsViaIndex(c, kind) > 0, 'not searched after the rename was rolled back');
  await disconnect();
  c = await connect();
  assert.ok(await segmentsViaIndex(c, kind) > 0, 'not searched after a restart');
  assert.doesNotMatch(server!.stderr(), /unusable; rebuilding/);
  await c.query(`ALTER INDEX ${kind.name}_renamed RENAME TO ${kind.name}`);
});

test('expressions Quiver cannot index are refused with 0A000', async () => {
  const c = client!;
  await c.query(`CREATE TABLE items2 (id int, a vector(3), b vector(3), s sparsevec(3))`);
  try {
    const refused = async (sql: string, message: RegExp) => {
      await assert.rejects(c.query(sql), (e: { code?: string; message: string }) => e.code === '0A000' && message.test(e.message));
    };
    await refused('CREATE INDEX ON items2 USING hnsw (((a + b)::vector(3)) vector_l2_ops)', /more than one column/);
    await refused(`CREATE INDEX ON items2 USING hnsw ((CASE WHEN a IS NULL THEN a ELSE a END) vector_l2_ops)`, /CASE expressions in vector index expressions are not supported yet/);
    // (a B-tree index on one expression is real: sql-tests/expression_indexes.sql)
    await refused('CREATE INDEX ON items2 USING btree ((id + 1), id)', /expression indexes of more than one column are not supported yet/);
    await refused('CREATE INDEX ON items2 USING hnsw ((a::sparsevec(3)) sparsevec_l2_ops)', /sparsevec index expressions/);
    await refused('CREATE INDEX ON items2 USING hnsw ((s::vector(3)) vector_l2_ops)', /sparsevec index expressions/);
  } finally {
    await c.query('DROP TABLE items2');
  }
});
