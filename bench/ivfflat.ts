/**
 * IVFFlat side by side: the same data (Fashion-MNIST by default) loaded with binary COPY
 * into Quiver and into PostgreSQL + pgvector, `CREATE INDEX … USING ivfflat (embedding
 * vector_l2_ops) WITH (lists = N)` timed, then `ORDER BY embedding <-> $1 LIMIT 10` at
 * several ivfflat.probes on one connection: QPS and recall@10 against exact ground truth.
 *
 *   node dist/bench/ivfflat.js [--target quiver] [--target postgres://…/db] [--lists 100]
 *        [--probes 1,10,40] [--queries 200] [--dataset fashion-mnist|synthetic:…]
 *
 * A PostgreSQL target gets a table `ivfflat_bench` in the given database (dropped after).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyHeader, copyTrailer, encodeRows } from './copy-binary.js';
import { groundTruth, loadDataset, parseDatasetSpec, recallOf } from './dataset.js';
import { targetFromArg } from './targets.js';
import { repoRoot } from './util.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true, default: ['quiver'] },
    lists: { type: 'string', default: '100' },
    probes: { type: 'string', default: '1,10,40' },
    queries: { type: 'string', default: '200' },
    dataset: { type: 'string', default: 'fashion-mnist' },
  },
});
const TABLE = 'ivfflat_bench';
const repo = repoRoot();
const cache = join(repo, 'bench', 'cache');
const ds = loadDataset(parseDatasetSpec(values.dataset!, 1000, false), cache, { n: 100000, dim: 128, clusters: 100, seed: 1, queries: 1000 });
const gt = groundTruth(ds, 'l2', 10, cache);
const nq = Math.min(Number(values.queries), ds.queries.length);
const probes = values.probes!.split(',').map(Number);
const lists = Number(values.lists);

const text = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

async function load(c: pg.Client): Promise<void> {
  await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await c.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, sel integer NOT NULL, embedding vector(${ds.dim}))`);
  const chunks = function* (): Generator<Buffer> {
    yield copyHeader();
    for (let r = 0; r < ds.n; r += 1000) yield encodeRows(ds.train, ds.dim, ds.sel, r, Math.min(ds.n, r + 1000));
    yield copyTrailer();
  };
  await pipeline(Readable.from(chunks()), c.query(copyFrom(`COPY ${TABLE} (id, sel, embedding) FROM STDIN (FORMAT binary)`)));
}

async function measure(c: pg.Client, p: number): Promise<{ qps: number; recall: number }> {
  await c.query(`SET ivfflat.probes = ${p}`);
  const sql = { name: `ivf-knn`, text: `SELECT id FROM ${TABLE} ORDER BY embedding <-> $1 LIMIT 10` };
  await c.query({ ...sql, values: [text(ds.queries[0])] }); // warm up
  let recall = 0;
  const t0 = performance.now();
  for (let q = 0; q < nq; q++) {
    const r = await c.query({ ...sql, values: [text(ds.queries[q])] });
    recall += recallOf(ds, 'l2', gt, q, 10, r.rows.map((x) => Number(x.id)));
  }
  const s = (performance.now() - t0) / 1000;
  return { qps: nq / s, recall: recall / nq };
}

for (const arg of values.target!) {
  const target = await targetFromArg(arg, repo);
  const c = await target.connect();
  try {
    await load(c);
    const t0 = performance.now();
    await c.query(`CREATE INDEX ON ${TABLE} USING ivfflat (embedding vector_l2_ops) WITH (lists = ${lists})`);
    const build = (performance.now() - t0) / 1000;
    console.log(`${target.name}: ${ds.description}: ivfflat lists ${lists} built in ${build.toFixed(1)} s`);
    for (const p of probes) {
      const m = await measure(c, p);
      console.log(`${target.name}: probes ${p}: ${m.qps.toFixed(0)} QPS, recall@10 ${m.recall.toFixed(3)} (${nq} queries, 1 connection)`);
    }
    await c.query(`DROP TABLE ${TABLE}`);
  } finally {
    await c.end();
    await target.stop();
  }
}
