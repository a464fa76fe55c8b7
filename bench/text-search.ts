/**
 * Full-text and hybrid search against PostgreSQL (issue 15): a corpus of short documents
 * made from the manual pages Debian ships (/usr/share/man/man1, roff stripped, split into
 * paragraphs), each with a 64-dimensional hashed bag-of-words embedding, loaded into
 *
 *   docs(id int PRIMARY KEY, body text,
 *        tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED, embedding vector(64))
 *
 * then, per target: the GIN index build (time; size by pg_relation_size), an HNSW index on
 * the embedding, and on one connection with prepared statements
 *   - `@@` + ts_rank top 10:  WHERE tsv @@ plainto_tsquery('english', $1) ORDER BY ts_rank(tsv, q) DESC LIMIT 10
 *   - BM25 top 10 (Quiver only; PostgreSQL has no BM25): ORDER BY bm25_rank(tsv, to_tsquery('english', 'a | b')) DESC LIMIT 10
 *   - the reciprocal-rank-fusion hybrid query of pgvector's examples/hybrid_search/rrf.py
 * over random 1–3 word queries drawn from the corpus, each with QPS, latency and the server's
 * CPU per query (Quiver's process, PostgreSQL's backend, from /proc: steadier than QPS on a
 * shared machine); then Quiver is restarted and the first `@@` + ts_rank answer timed. The
 * `@@` answers are compared between the targets (same ids as a set: ties may order differently).
 *
 *   node dist/bench/text-search.js [--target quiver] [--target postgres://…/db] [--docs 60000] [--queries 300] [--keep]
 */
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import { targetFromArg, type SqlTarget } from './targets.js';
import { formatBytes, percentile, repoRoot, seededRandom } from './util.js';
import { manCorpus } from './man-corpus.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true, default: ['quiver'] },
    docs: { type: 'string', default: '60000' },
    queries: { type: 'string', default: '300' },
    man: { type: 'string', default: '/usr/share/man/man1' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.docs);
const NQ = Number(values.queries);
const DIM = 64;

function corpus(): string[] {
  return manCorpus(values.man!, N);
}

const words = (s: string): string[] => s.toLowerCase().match(/[a-z]{3,}/g) ?? [];

/** a 64-dimensional signed feature hash of the words: similar texts, similar vectors */
function embed(s: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  for (const w of words(s)) {
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    v[(h >>> 0) % DIM] += h & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1e4) / 1e4);
}

const STOP = new Set(['the', 'and', 'for', 'that', 'this', 'with', 'are', 'not', 'from', 'can', 'will', 'which', 'use', 'used', 'option', 'file', 'default']);
function queryTexts(docs: string[]): string[] {
  const rand = seededRandom(15);
  const out: string[] = [];
  while (out.length < NQ) {
    const ws = words(docs[Math.floor(rand() * docs.length)]!).filter((w) => !STOP.has(w));
    if (ws.length < 3) continue;
    const n = 1 + Math.floor(rand() * 3);
    const start = Math.floor(rand() * (ws.length - n + 1));
    out.push(ws.slice(start, start + n).join(' '));
  }
  return out;
}

async function load(c: pg.Client, docs: string[]): Promise<number> {
  await c.query('CREATE EXTENSION IF NOT EXISTS vector');
  await c.query('DROP TABLE IF EXISTS docs');
  await c.query(`CREATE TABLE docs (id int PRIMARY KEY, body text,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED, embedding vector(${DIM}))`);
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\t/g, ' ').replace(/\n/g, ' ');
  const t0 = performance.now();
  await pipeline(Readable.from((function* () {
    for (let i = 0; i < docs.length; i += 1000) {
      yield docs.slice(i, i + 1000).map((d, j) => `${i + j}\t${esc(d)}\t[${embed(d).join(',')}]\n`).join('');
    }
  })()), c.query(copyFrom('COPY docs (id, body, embedding) FROM STDIN')));
  return (performance.now() - t0) / 1000;
}

/** `cpuMs`: the server's CPU per query (Quiver's process, PostgreSQL's backend): steadier than QPS on a shared machine */
interface Timed { qps: number; p50: number; p99: number; cpuMs: number | undefined; answers: number[][] }

async function timed(target: SqlTarget, c: pg.Client, name: string, text: string, params: (q: string, i: number) => unknown[], qs: string[]): Promise<Timed> {
  for (let i = 0; i < Math.min(20, qs.length); i++) await c.query({ name, text, values: params(qs[i]!, i) });
  const lat: number[] = [];
  const answers: number[][] = [];
  const cpu0 = await target.serverCpuMs(c);
  const t0 = performance.now();
  for (let i = 0; i < qs.length; i++) {
    const s = performance.now();
    const r = await c.query({ name, text, values: params(qs[i]!, i) });
    lat.push(performance.now() - s);
    answers.push(r.rows.map((row) => Number(row.id)));
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = await target.serverCpuMs(c);
  lat.sort((a, b) => a - b);
  const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / qs.length;
  return { qps: qs.length / secs, p50: percentile(lat, 50), p99: percentile(lat, 99), cpuMs, answers };
}

const RRF = `WITH semantic_search AS (
  SELECT id, RANK () OVER (ORDER BY embedding <=> $1) AS rank FROM docs ORDER BY embedding <=> $1 LIMIT 20
), keyword_search AS (
  SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', body), query) DESC)
  FROM docs, plainto_tsquery('english', $2) query
  WHERE to_tsvector('english', body) @@ query
  ORDER BY ts_rank_cd(to_tsvector('english', body), query) DESC LIMIT 20
)
SELECT COALESCE(semantic_search.id, keyword_search.id) AS id,
  COALESCE(1.0 / (60 + semantic_search.rank), 0.0) + COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC LIMIT 5`;

/**
 * The RRF query's latency with the vector side started in the query workers before the join
 * runs the keyword side, and without: two connections, one with quiver.early_vector_search
 * off, taking turns query by query (so a change in the machine's load hits both alike).
 */
async function earlyVersusNot(target: SqlTarget, qs: readonly string[], vecs: readonly string[]): Promise<string> {
  const on = await target.connect();
  const off = await target.connect();
  try {
    await off.query('SET quiver.early_vector_search = off');
    const lat: [number[], number[]] = [[], []];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < qs.length; i++) {
        for (const [side, c] of (i % 2 ? [[0, on], [1, off]] : [[1, off], [0, on]]) as [0 | 1, pg.Client][]) {
          const t0 = performance.now();
          await c.query({ name: 'rrf', text: RRF, values: [vecs[i], qs[i]] });
          if (round > 0) lat[side].push(performance.now() - t0);
        }
      }
    }
    const show = (l: number[]) => {
      l.sort((a, b) => a - b);
      return `p50 ${percentile(l, 50).toFixed(2)} ms, mean ${(l.reduce((a, b) => a + b, 0) / l.length).toFixed(2)} ms`;
    };
    return `early ${show(lat[0])}; not ${show(lat[1])}`;
  } finally {
    await on.end();
    await off.end();
  }
}

const fmt = (t: Timed | undefined) => (t ? `${t.qps.toFixed(0)} QPS, p50 ${t.p50.toFixed(2)} ms, p99 ${t.p99.toFixed(2)} ms${t.cpuMs === undefined ? '' : `, server CPU ${t.cpuMs.toFixed(2)} ms/query`}` : '—');

async function main(): Promise<void> {
  const docs = corpus();
  const qs = queryTexts(docs);
  const vecs = qs.map((q) => `[${embed(q).join(',')}]`);
  console.log(`corpus: ${docs.length} paragraphs from ${values.man}, ${qs.length} queries, e.g. ${JSON.stringify(qs.slice(0, 4))}`);
  const results: { target: string; matchAnswers?: number[][] }[] = [];
  for (const arg of values.target!) {
    const target = await targetFromArg(arg, repoRoot());
    const c = await target.connect();
    c.on('error', () => {}); // the restart below ends this connection
    try {
      console.log(`\n[${target.name}] ${target.url}`);
      const loadS = await load(c, docs);
      console.log(`  COPY ${docs.length} docs (tsvector generated): ${loadS.toFixed(1)} s`);
      let t0 = performance.now();
      await c.query('CREATE INDEX docs_tsv ON docs USING gin (tsv)');
      // Quiver builds its per-segment lists in the background after CREATE INDEX: the first
      // query that needs them waits for them, so the build is timed up to its answer
      await c.query(`SELECT count(*) FROM docs WHERE tsv @@ to_tsquery('english', 'zzzunused')`);
      const ginS = (performance.now() - t0) / 1000;
      const size = (await c.query(`SELECT pg_relation_size('docs_tsv') AS b`)).rows[0].b as string;
      console.log(`  GIN build: ${ginS.toFixed(2)} s, size ${formatBytes(Number(size))}`);
      t0 = performance.now();
      await c.query('CREATE INDEX docs_emb ON docs USING hnsw (embedding vector_cosine_ops)');
      console.log(`  HNSW build: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      await c.query('ANALYZE docs');
      await c.query(`CREATE INDEX docs_body_tsv ON docs USING gin (to_tsvector('english', body))`);
      await c.query(`SELECT count(*) FROM docs WHERE to_tsvector('english', body) @@ to_tsquery('english', 'zzzunused')`);
      const match = await timed(target, c, 'fts-rank', `SELECT id FROM docs, plainto_tsquery('english', $1) q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 10`, (q) => [q], qs);
      console.log(`  @@ + ts_rank top 10: ${fmt(match)}; mean rows ${(match.answers.reduce((a, r) => a + r.length, 0) / qs.length).toFixed(1)}`);
      if (target.kind === 'quiver') {
        const bm25 = await timed(target, c, 'bm25', `SELECT id FROM docs ORDER BY bm25_rank(tsv, to_tsquery('english', $1)) DESC, id LIMIT 10`, (q) => [q.split(' ').join(' | ')], qs);
        console.log(`  BM25 top 10 (terms OR'ed, no @@ filter): ${fmt(bm25)}`);
        const bm25f = await timed(target, c, 'bm25f', `SELECT id FROM docs, to_tsquery('english', $1) q WHERE tsv @@ q ORDER BY bm25_rank(tsv, q) DESC, id LIMIT 10`, (q) => [q.split(' ').join(' | ')], qs);
        console.log(`  BM25 top 10 with tsv @@ q: ${fmt(bm25f)}`);
      }
      const rrf = await timed(target, c, 'rrf', RRF, (q, i) => [vecs[i], q], qs);
      console.log(`  RRF hybrid (HNSW + GIN, top 5): ${fmt(rrf)}`);
      if (target.kind === 'quiver') console.log(`  RRF, vector side started early vs not (quiver.early_vector_search, queries interleaved): ${await earlyVersusNot(target, qs, vecs)}`);
      // restart to the first answers that need the GIN lists (Quiver only: the harness cannot
      // restart an external PostgreSQL): @@ + ts_rank, then BM25 (corpus statistics of every segment)
      const restart = await target.restart(async (rc) => {
        await rc.query(`SELECT id FROM docs, plainto_tsquery('english', $1) q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 10`, [qs[0]]);
      });
      console.log(`  restart to the first @@ + ts_rank answer: ${typeof restart === 'number' ? `${restart.toFixed(2)} s` : restart}`);
      if (typeof restart === 'number') {
        const rc = await target.connect();
        try {
          t0 = performance.now();
          await rc.query(`SELECT id FROM docs ORDER BY bm25_rank(tsv, to_tsquery('english', $1)) DESC, id LIMIT 10`, [qs[1]!.split(' ').join(' | ')]);
          console.log(`  then the first BM25 top 10: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
        } finally {
          await rc.end();
        }
      }
      results.push({ target: target.name, matchAnswers: match.answers });
      // a Quiver target's data directory goes with it; its first connection died with the restart
      if (!values.keep && target.kind === 'postgres') await c.query('DROP TABLE docs');
    } finally {
      await c.end().catch(() => {});
      await target.stop();
    }
  }
  if (results.length === 2) {
    const [a, b] = results;
    let same = 0;
    for (let i = 0; i < qs.length; i++) {
      const x = new Set(a!.matchAnswers![i]);
      if (x.size === b!.matchAnswers![i]!.length && b!.matchAnswers![i]!.every((id) => x.has(id))) same++;
    }
    console.log(`\n@@ + ts_rank answers identical (as id sets, ORDER BY rank, id): ${same} of ${qs.length}`);
  }
}

if (process.argv[1]?.endsWith('text-search.js')) await main();
