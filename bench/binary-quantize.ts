/**
 * pgvector's binary quantization with re-ranking (its README): an HNSW index on
 * `binary_quantize(embedding)::bit(d)`, `CREATE INDEX` timed, then
 *
 *   SELECT id FROM (SELECT id, embedding FROM t ORDER BY binary_quantize(embedding)::bit(d)
 *     <~> binary_quantize($1) LIMIT c) r ORDER BY embedding <-> $1 LIMIT 10
 *
 * on one connection for several candidate counts c: QPS and recall@10 against the exact L2
 * neighbours (bench/dataset.ts's ground truth), on seeded clustered rows.
 *
 *   node dist/bench/binary-quantize.js [--target quiver] [--target postgres://…/db]
 *        [--data synthetic:n=20000,d=128,clusters=100,seed=1] [--candidates 40,100,400] [--queries 100]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { groundTruth, loadDataset, parseDatasetSpec, recallOf, selColumn } from './dataset.js';
import { targetFromArg } from './targets.js';
import { repoRoot, vectorText } from './util.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true, default: ['quiver'] },
    data: { type: 'string', default: 'synthetic:n=20000,d=128,clusters=100,seed=1' },
    candidates: { type: 'string', default: '40,100,400' },
    queries: { type: 'string', default: '100' },
  },
});
const TABLE = 'bq_bench';
const K = 10;
const cache = join(repoRoot(), 'bench', 'cache');
const fallback = { n: 20_000, dim: 128, clusters: 100, seed: 1, queries: Number(values.queries) };
const ds = loadDataset(parseDatasetSpec(values.data!, Number(values.queries), false), cache, fallback);
const truth = groundTruth(ds, 'l2', K, cache);
const n = ds.train.length / ds.dim;

for (const arg of values.target!) {
  const target = await targetFromArg(arg, repoRoot());
  const c = await target.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${ds.dim}))`);
    const sel = selColumn(n);
    const chunks = function* (): Generator<Buffer> {
      yield copyHeader();
      for (let r = 0; r < n; r += 1000) yield encodeRows(ds.train, ds.dim, sel, r, Math.min(n, r + 1000));
      yield copyTrailer();
    };
    await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, sel, embedding) FROM STDIN (FORMAT binary)`)));
    const key = `binary_quantize(embedding)::bit(${ds.dim})`;
    const t0 = performance.now();
    await c.query(`CREATE INDEX bq_bench_idx ON ${TABLE} USING hnsw ((${key}) bit_hamming_ops)`);
    console.log(`${target.name}: ${ds.description}: hnsw on ${key} built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (const candidates of values.candidates!.split(',').map(Number)) {
      const sql = {
        name: `bq-rerank-${candidates}`,
        text: `SELECT id FROM (SELECT id, embedding FROM ${TABLE} ORDER BY ${key} <~> binary_quantize($1::vector) LIMIT ${candidates}) r ORDER BY embedding <-> $1::vector LIMIT ${K}`,
      };
      // hnsw.ef_search below the candidate count would cap it (pgvector returns at most ef_search rows)
      await c.query(`SET hnsw.ef_search = ${Math.max(40, candidates)}`);
      for (let q = 0; q < Math.min(20, ds.queries.length); q++) await c.query({ ...sql, values: [vectorText(ds.queries[q])] }); // warm up
      let recall = 0;
      const t1 = performance.now();
      for (let q = 0; q < ds.queries.length; q++) {
        const r = await c.query({ ...sql, values: [vectorText(ds.queries[q])] });
        recall += recallOf(ds, 'l2', truth, q, K, r.rows.map((x: { id: string }) => Number(x.id)));
      }
      const s = (performance.now() - t1) / 1000;
      console.log(`  ${candidates} candidates (ef_search ${Math.max(40, candidates)}): ${(ds.queries.length / s).toFixed(0)} QPS, recall@10 ${(recall / ds.queries.length).toFixed(3)}`);
    }
    await c.query(`DROP TABLE ${TABLE}`);
  } finally {
    await c.end();
    await target.stop();
  }
}
