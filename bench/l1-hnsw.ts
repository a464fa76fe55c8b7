/**
 * L1 HNSW (vector_l1_ops) against an exact scan: synthetic clustered rows loaded with
 * binary COPY, `CREATE INDEX … USING hnsw (embedding vector_l1_ops)` timed, then
 * `ORDER BY embedding <+> $1 LIMIT 10` on one connection at several hnsw.ef_search, and
 * with the index dropped (exact): QPS and recall@10 against ground truth computed here.
 *
 *   node dist/bench/l1-hnsw.js [--target quiver] [--target postgres://…/db] [--n 20000]
 *        [--dim 128] [--ef 10,40,100] [--queries 200]
 */
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { targetFromArg } from './targets.js';
import { repoRoot, seededRandom } from './util.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true, default: ['quiver'] },
    n: { type: 'string', default: '20000' },
    dim: { type: 'string', default: '128' },
    ef: { type: 'string', default: '10,40,100' },
    queries: { type: 'string', default: '200' },
  },
});
const TABLE = 'l1_bench';
const N = Number(values.n);
const DIM = Number(values.dim);
const NQ = Number(values.queries);
const K = 10;

// 100 clusters of Gaussian-ish rows (sum of uniforms), queries drawn the same way
const rand = seededRandom(7);
const centers = Array.from({ length: 100 }, () => Float32Array.from({ length: DIM }, () => rand() * 4 - 2));
const point = (out: Float32Array, at: number) => {
  const c = centers[Math.floor(rand() * centers.length)];
  for (let j = 0; j < DIM; j++) out[at + j] = c[j] + (rand() + rand() + rand() - 1.5) * 0.5;
};
const train = new Float32Array(N * DIM);
for (let i = 0; i < N; i++) point(train, i * DIM);
const queries = new Float32Array(NQ * DIM);
for (let q = 0; q < NQ; q++) point(queries, q * DIM);
const sel = new Int32Array(N);

const truth = Array.from({ length: NQ }, (_, q) => {
  const d = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += Math.abs(train[i * DIM + j] - queries[q * DIM + j]);
    d[i] = s;
  }
  return new Set(Array.from(d.keys()).sort((a, b) => d[a] - d[b]).slice(0, K));
});

const text = (q: number) => `[${Array.from(queries.subarray(q * DIM, (q + 1) * DIM)).join(',')}]`;

async function measure(c: pg.Client, label: string): Promise<void> {
  const sql = { name: `l1-knn-${label}`, text: `SELECT id FROM ${TABLE} ORDER BY embedding <+> $1 LIMIT ${K}` };
  for (let q = 0; q < Math.min(NQ, 50); q++) await c.query({ ...sql, values: [text(q)] }); // warm up
  let found = 0;
  const t0 = performance.now();
  for (let q = 0; q < NQ; q++) {
    const r = await c.query({ ...sql, values: [text(q)] });
    for (const row of r.rows) if (truth[q].has(Number(row.id))) found++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`  ${label}: ${(NQ / s).toFixed(0)} QPS, recall@10 ${(found / (K * NQ)).toFixed(3)} (${NQ} queries, 1 connection)`);
}

for (const arg of values.target!) {
  const target = await targetFromArg(arg, repoRoot());
  const c = await target.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${DIM}))`);
    const chunks = function* (): Generator<Buffer> {
      yield copyHeader();
      for (let r = 0; r < N; r += 1000) yield encodeRows(train, DIM, sel, r, Math.min(N, r + 1000));
      yield copyTrailer();
    };
    await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, sel, embedding) FROM STDIN (FORMAT binary)`)));
    const t0 = performance.now();
    await c.query(`CREATE INDEX l1_bench_idx ON ${TABLE} USING hnsw (embedding vector_l1_ops)`);
    console.log(`${target.name}: ${N} × ${DIM} clustered: hnsw vector_l1_ops built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const ef of values.ef!.split(',').map(Number)) {
      await c.query(`SET hnsw.ef_search = ${ef}`);
      await measure(c, `ef_search ${ef}`);
    }
    await c.query('DROP INDEX l1_bench_idx');
    await measure(c, 'exact (no index)');
    await c.query(`DROP TABLE ${TABLE}`);
  } finally {
    await c.end();
    await target.stop();
  }
}
