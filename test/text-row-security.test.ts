/**
 * Row-level security holds for keyword and hybrid queries as for vector ones: a tenant's
 * policy is a filter of the scan, so `@@` through the GIN index (Bitmap Heap Scan), the
 * BM25 top-k pruned per segment, and pgvector's RRF hybrid query return only the rows the
 * user may see — the same rows an owner gets by adding the policy's condition to the query
 * by hand. Sealed segments (GIN lists, HNSW) and growing rows both take part.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver, type QuiverServer } from './support/server.js';

const WORDS = ['vector', 'search', 'index', 'graph', 'query', 'tenant', 'policy', 'table', 'segment', 'row', 'keyword', 'rank'];
const rnd = seededRandom(99);
const N = 3000;
const dataDir = mkdtempSync(join(tmpdir(), 'quiver-text-rls-'));
let server: QuiverServer;
let owner: pg.Client;
let alice: pg.Client;

const vec = () => `[${Array.from({ length: 8 }, () => (rnd() * 2 - 1).toFixed(3)).join(',')}]`;
const sentence = () => Array.from({ length: 3 + Math.floor(rnd() * 6) }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(' ');

before(async () => {
  server = await startQuiver({ dataDir });
  owner = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await owner.connect();
  await owner.query(`CREATE TABLE docs (id int PRIMARY KEY, tenant text NOT NULL, body text, embedding vector(8))`);
  const insert = async (from: number, to: number) => {
    const rows: string[] = [];
    for (let i = from; i < to; i++) rows.push(`(${i}, '${i % 3 === 0 ? 'alice' : 'bob'}', '${sentence()}', '${vec()}')`);
    await owner.query(`INSERT INTO docs VALUES ${rows.join(',')}`);
  };
  await insert(0, 2500);
  // sealed: the GIN lists and the HNSW graph; the rest stays growing
  await owner.query(`CREATE INDEX docs_fts ON docs USING gin (to_tsvector('english', body))`);
  await owner.query('CREATE INDEX docs_vec ON docs USING hnsw (embedding vector_cosine_ops)');
  await insert(2500, N);
  await owner.query('ALTER TABLE docs ENABLE ROW LEVEL SECURITY');
  await owner.query(`CREATE POLICY own ON docs FOR SELECT USING (tenant = current_user)`);
  await owner.query(`CREATE ROLE alice LOGIN PASSWORD 'a'`);
  await owner.query('GRANT SELECT ON docs TO alice');
  alice = new pg.Client({ host: server.host, port: server.port, user: 'alice', password: 'a', database: 'postgres' });
  await alice.connect();
});

after(async () => {
  await alice?.end();
  await owner?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const ids = async (c: pg.Client, sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows.map((r) => Number(r.id));

test('@@ through the GIN index returns exactly the rows the policy shows', async () => {
  for (const q of ['vector & graph', 'tenant | policy', 'keyword & !rank']) {
    const sql = (extra: string) => `SELECT id FROM docs WHERE to_tsvector('english', body) @@ to_tsquery('english', $1)${extra} ORDER BY id`;
    const plan = (await alice.query(`EXPLAIN SELECT id FROM docs WHERE to_tsvector('english', body) @@ to_tsquery('english', '${q}')`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Bitmap Index Scan on docs_fts/, plan);
    const seen = await ids(alice, sql(''), [q]);
    const expected = await ids(owner, sql(` AND tenant = 'alice'`), [q]);
    assert.ok(expected.length > 0, q);
    assert.deepEqual(seen, expected, q);
    assert.ok(seen.every((id) => id % 3 === 0), q);
  }
});

test('BM25 top-k (pruned per segment) ranks only the visible rows', async () => {
  const sql = (extra: string) => `SELECT id FROM docs${extra} ORDER BY bm25_rank(to_tsvector('english', body), to_tsquery('english', 'segment | row')) DESC, id LIMIT 15`;
  const seen = await ids(alice, sql(''));
  assert.equal(seen.length, 15);
  assert.ok(seen.every((id) => id % 3 === 0), `${seen}`);
  // the owner ranks over the whole table (corpus statistics differ), so compare the scores'
  // order through alice's own exact evaluation: every row she sees outranks the rows she does not get
  const all = (await alice.query(`SELECT id, bm25_rank(to_tsvector('english', body), to_tsquery('english', 'segment | row')) AS s FROM docs`)).rows
    .map((r) => ({ id: Number(r.id), s: Number(r.s) })).sort((a, b) => b.s - a.s || a.id - b.id);
  assert.deepEqual(seen, all.slice(0, 15).map((r) => r.id));
});

test("pgvector's RRF hybrid query returns only the rows the policy shows", async () => {
  const rrf = (where: string) => `WITH semantic_search AS (
      SELECT id, RANK () OVER (ORDER BY embedding <=> $1) AS rank FROM docs ${where} ORDER BY embedding <=> $1 LIMIT 20
    ), keyword_search AS (
      SELECT id, RANK () OVER (ORDER BY ts_rank_cd(to_tsvector('english', body), query) DESC)
      FROM docs, plainto_tsquery('english', $2) query
      WHERE to_tsvector('english', body) @@ query ${where ? `AND ${where.replace('WHERE ', '')}` : ''}
      ORDER BY ts_rank_cd(to_tsvector('english', body), query) DESC LIMIT 20
    )
    SELECT COALESCE(semantic_search.id, keyword_search.id) AS id,
      COALESCE(1.0 / (60 + semantic_search.rank), 0.0) + COALESCE(1.0 / (60 + keyword_search.rank), 0.0) AS score
    FROM semantic_search FULL OUTER JOIN keyword_search ON semantic_search.id = keyword_search.id
    ORDER BY score DESC, id LIMIT 10`;
  for (let i = 0; i < 5; i++) {
    const params = [vec(), 'graph index'];
    const seen = await ids(alice, rrf(''), params);
    assert.equal(seen.length, 10);
    assert.ok(seen.every((id) => id % 3 === 0), `${seen}`);
    await owner.query('SET enable_indexscan = off'); // exact semantic side: the ground truth
    await alice.query('SET enable_indexscan = off');
    const exact = await ids(alice, rrf(''), params);
    const byHand = await ids(owner, rrf(`WHERE tenant = 'alice'`), params);
    await owner.query('RESET enable_indexscan');
    await alice.query('RESET enable_indexscan');
    assert.deepEqual(exact, byHand);
    // through the indexes the semantic side is approximate: nearly the same answer
    assert.ok(seen.filter((id) => exact.includes(id)).length >= 8, `${seen} vs ${exact}`);
  }
});
