/**
 * Sparse vector HNSW (sparsevec_*_ops) against an exact scan: synthetic learned-sparse
 * rows (a latent point in R^8 scored against 2,000 terms, the top 40 kept: SPLADE-like
 * rows of a 30,522-term vocabulary) inserted as text, `CREATE INDEX … USING hnsw (s
 * sparsevec_<op>_ops)` timed, then `ORDER BY s <op> $1 LIMIT 10` at hnsw.ef_search 40 and
 * with the index dropped: QPS and recall@10 against the exact answer.
 *
 *   node dist/bench/sparse-hnsw.js [--target quiver] [--target postgres://…/db] [--n 20000] [--op l2|ip|cosine|l1] [--queries 200]
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { targetFromArg } from './targets.js';
import { repoRoot, seededRandom } from './util.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true, default: ['quiver'] },
    n: { type: 'string', default: '20000' },
    op: { type: 'string', default: 'l2' },
    queries: { type: 'string', default: '200' },
  },
});
const TABLE = 'sparse_bench';
const DIM = 30522;
const N = Number(values.n);
const NQ = Number(values.queries);
const K = 10;
const OPS: Record<string, string> = { l2: '<->', ip: '<#>', cosine: '<=>', l1: '<+>' };
const op = OPS[values.op!];

const rand = seededRandom(5);
const gauss = () => { let g = 0; for (let j = 0; j < 6; j++) g += rand(); return g - 3; };
const terms = Array.from({ length: 2000 }, () => ({ index: 1 + Math.floor(rand() * DIM), dir: Array.from({ length: 8 }, gauss) }));
const draw = (): string => {
  const z = Array.from({ length: 8 }, gauss);
  const kept = new Map<number, number>();
  for (const t of terms.map((t) => ({ i: t.index, w: t.dir.reduce((acc, x, j) => acc + x * z[j], 0) })).sort((a, b) => b.w - a.w).slice(0, 40)) {
    if (t.w > 0 && !kept.has(t.i)) kept.set(t.i, Math.round(t.w * 1000) / 1000);
  }
  return `{${[...kept].sort((a, b) => a[0] - b[0]).map(([i, w]) => `${i}:${w}`).join(',')}}/${DIM}`;
};
const rows = Array.from({ length: N }, draw);
const queries = Array.from({ length: NQ }, draw);

async function answers(c: pg.Client, label: string): Promise<number[][]> {
  const sql = { name: `sparse-knn-${label}`, text: `SELECT id FROM ${TABLE} ORDER BY s ${op} $1 LIMIT ${K}` };
  for (let q = 0; q < Math.min(NQ, 20); q++) await c.query({ ...sql, values: [queries[q]] }); // warm up
  const out: number[][] = [];
  const t0 = performance.now();
  for (const q of queries) out.push((await c.query({ ...sql, values: [q] })).rows.map((r) => Number(r.id)));
  console.log(`  ${label}: ${(NQ / ((performance.now() - t0) / 1000)).toFixed(0)} QPS (${NQ} queries, 1 connection)`);
  return out;
}

for (const arg of values.target!) {
  const target = await targetFromArg(arg, repoRoot());
  const c = await target.connect();
  try {
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, s sparsevec(${DIM}))`);
    for (let at = 0; at < N; at += 500) {
      await c.query(`INSERT INTO ${TABLE} VALUES ${rows.slice(at, at + 500).map((s, i) => `(${at + i}, '${s}')`).join(',')}`);
    }
    const t0 = performance.now();
    await c.query(`CREATE INDEX sparse_bench_idx ON ${TABLE} USING hnsw (s sparsevec_${values.op}_ops)`);
    console.log(`${target.name}: ${N} rows sparsevec(${DIM}), ≤ 40 non-zero: hnsw sparsevec_${values.op}_ops built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await c.query('SET hnsw.ef_search = 40');
    const ann = await answers(c, 'ef_search 40');
    await c.query('DROP INDEX sparse_bench_idx');
    const exact = await answers(c, 'exact (no index)');
    let found = 0;
    ann.forEach((ids, q) => { const truth = new Set(exact[q]); found += ids.filter((id) => truth.has(id)).length; });
    console.log(`  recall@10 at ef_search 40: ${(found / (K * NQ)).toFixed(3)}`);
    await c.query(`DROP TABLE ${TABLE}`);
  } finally {
    await c.end();
    await target.stop();
  }
}
