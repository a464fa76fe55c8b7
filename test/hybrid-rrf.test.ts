/**
 * pgvector's hybrid search query (examples/hybrid_search/rrf.py: a vector ranking and a
 * keyword ranking fused by reciprocal rank, k = 60, with FULL OUTER JOIN) with each side
 * served by its index: the ranking window no longer forces a full scan under the vector
 * Top-K (push-top-k-below-window), and `FROM docs, plainto_tsquery(…) query` lets
 * `@@ query` reach the GIN index (inline-scalar-function-scan). The answers equal the same
 * query on a copy of the table without indexes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const WORDS = 'cat dog bird fish fox quick slow brown lazy jump run river house tree stone cloud rain wind'.split(' ');
const N = 3000;
const DIM = 8;

let server: QuiverServer;
let c: pg.Client;

const rrf = (table: string, q: string, words: string): string => `
WITH semantic_search AS (
    SELECT id, RANK () OVER (ORDER BY embedding <=> '${q}') AS rank
    FROM ${table}
    ORDER BY embedding <=> '${q}'
    LIMIT 20
),
keyword_search AS (
    SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC)
    FROM ${table}, plainto_tsquery('english', '${words}') query
    WHERE to_tsvector('english', content) @@ query
    ORDER BY ts_rank_cd(to_tsvector('english', content), query) DESC, id
    LIMIT 20
)
SELECT
    COALESCE(semantic_search.id, keyword_search.id) AS id,
    COALESCE(1.0 / (60 + semantic_search.rank), 0.0) +
    COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
FROM semantic_search
FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
ORDER BY score DESC, id
LIMIT 10`;

before(async () => {
  server = await startQuiver({ env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(64 * 1024) } });
  c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  c.on('notice', () => {});
  await c.connect();
  let seed = 11;
  const r = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const contents: string[] = [];
  const vectors: string[] = [];
  for (let i = 0; i < N; i++) {
    contents.push(Array.from({ length: 4 + Math.floor(r() * 8) }, () => WORDS[Math.floor(WORDS.length * r() * r())]).join(' '));
    vectors.push(`[${Array.from({ length: DIM }, () => (r() * 2 - 1).toFixed(4)).join(',')}]`);
  }
  for (const t of ['rrf_docs', 'rrf_plain']) {
    await c.query(`CREATE TABLE ${t} (id int PRIMARY KEY, content text, embedding vector(${DIM}))`);
    for (let i = 0; i < N; i += 500) {
      await c.query(`INSERT INTO ${t} SELECT * FROM unnest($1::int[], $2::text[], $3::vector[])`,
        [contents.slice(i, i + 500).map((_, j) => i + j + 1), contents.slice(i, i + 500), vectors.slice(i, i + 500)]);
    }
  }
  await c.query('CREATE INDEX ON rrf_docs USING hnsw (embedding vector_cosine_ops)');
  await c.query("CREATE INDEX ON rrf_docs USING gin (to_tsvector('english', content))");
  // wide enough that the graph search finds the exact 20 nearest on 3,000 rows
  await c.query('SET hnsw.ef_search = 400');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

test('each side of the fusion query is served by its index', async () => {
  const { rows } = await c.query(`EXPLAIN ${rrf('rrf_docs', '[1,0,0,0,0,0,0,0]', 'fox river')}`);
  const plan = rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n');
  assert.match(plan, /WindowAgg[\s\S]*Vector Top-K \(hnsw index rrf_docs_embedding_idx, <=> on embedding\)/, plan);
  assert.match(plan, /Bitmap Index Scan on rrf_docs_to_tsvector_idx/, plan);
  assert.doesNotMatch(plan, /Nested Loop/, plan);
});

test('the fused answers equal the same query without indexes', async () => {
  for (const [q, words] of [['[1,0,0,0,0,0,0,0]', 'fox river'], ['[0.5,-0.5,0,0,0.2,0,0,0.1]', 'quick brown'], ['[0,0,0,0,0,0,0,1]', 'stone']]) {
    const indexed = (await c.query(rrf('rrf_docs', q, words))).rows;
    const plain = (await c.query(rrf('rrf_plain', q, words))).rows;
    assert.equal(indexed.length, 10);
    assert.deepEqual(indexed, plain, `${q} / ${words}`);
  }
});

test('a ranking window over a sum is not cut to the Top-K (its frame includes peers past k)', async () => {
  const { rows } = await c.query(`EXPLAIN SELECT id, sum(id) OVER (ORDER BY embedding <=> '[1,0,0,0,0,0,0,0]') FROM rrf_docs ORDER BY embedding <=> '[1,0,0,0,0,0,0,0]' LIMIT 5`);
  const plan = rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n');
  assert.match(plan, /Top-K[\s\S]*WindowAgg/, plan);
});

test('the vector side starts in the query workers before the join runs the keyword side, with the same answers', async () => {
  const { rows } = await c.query(`EXPLAIN (ANALYZE, COSTS OFF) ${rrf('rrf_docs', '[1,0,0,0,0,0,0,0]', 'fox river')}`);
  const plan = rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n');
  // the line is among the Vector Top-K's own details (before the next node's arrow)
  const topk = plan.slice(plan.indexOf('Vector Top-K (hnsw index'));
  assert.match(topk.slice(0, topk.indexOf('->')), /Started: in query workers, before the join ran its sides/, plan);
  // parameters are evaluated when the search starts, before the operator runs
  const text = rrf('rrf_docs', 'QV', 'QW').replace(/'QV'/g, '$1::vector').replace(/'QW'/g, '$2');
  const plainText = text.replace(/rrf_docs/g, 'rrf_plain');
  for (const [q, words] of [['[0,1,0,0,0,0,0,0]', 'bird cloud'], ['[0.3,0.3,-0.3,0,0,0,0,0.1]', 'lazy'], ['[1,1,1,1,1,1,1,1]', 'nothing matches this']]) {
    const indexed = (await c.query({ name: 'rrf-early', text, values: [q, words] })).rows;
    const plain = (await c.query({ name: 'rrf-plain', text: plainText, values: [q, words] })).rows;
    assert.ok(indexed.length > 0);
    assert.deepEqual(indexed, plain, `${q} / ${words}`);
  }
  // the same CTE read twice: one search (its rows are cached for the second scan)
  const twice = await c.query(`WITH s AS (SELECT id FROM rrf_docs ORDER BY embedding <-> '[1,0,0,0,0,0,0,0]' LIMIT 5)
    SELECT a.id FROM s a JOIN s b ON a.id = b.id UNION ALL SELECT id FROM s ORDER BY 1`);
  assert.equal(twice.rows.length, 10);
});

test("an error of the vector side started early is the statement's error; the session goes on", async () => {
  await assert.rejects(c.query(rrf('rrf_docs', '[1,0,0]', 'fox')), (e: Error & { code?: string }) => {
    assert.equal(e.code, '22000');
    assert.equal(e.message, 'different vector dimensions 8 and 3');
    return true;
  });
  // an error on the keyword side while the vector side runs in the workers
  await assert.rejects(c.query(rrf('rrf_docs', '[1,0,0,0,0,0,0,0]', 'fox').replace("plainto_tsquery('english', 'fox')", "to_tsquery('english', 'fox &')")), /no operand in tsquery/);
  assert.equal((await c.query(rrf('rrf_docs', '[1,0,0,0,0,0,0,0]', 'fox river'))).rows.length, 10);
});
