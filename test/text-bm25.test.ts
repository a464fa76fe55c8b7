/**
 * bm25_rank(tsvector, tsquery) against a straightforward BM25 written here from the
 * documented formula (k1 = 1.2, b = 0.75, IDF = ln(1 + (N − n + 0.5) / (n + 0.5))), over the
 * live rows the test reads back as text: rows spread over sealed segments and the growing
 * one, after deletes, inside a transaction with its own rows, with and without a GIN index,
 * for a column and for to_tsvector('english', body).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const WORDS = 'cat dog bird fish fox quick slow brown lazy jump run catalog category river house tree'.split(' ');

let server: QuiverServer;
let c: pg.Client;

before(async () => {
  server = await startQuiver({ env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(24 * 1024) } });
  c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  c.on('notice', () => {});
  await c.connect();
  await c.query("CREATE TABLE bm (id int PRIMARY KEY, body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)");
  let seed = 7;
  const r = () => { seed = (seed * 16807) % 2147483647; return seed / 2147483647; };
  const ids: number[] = [], bodies: (string | null)[] = [];
  for (let i = 1; i <= 800; i++) {
    ids.push(i);
    bodies.push(i % 97 === 0 ? null : Array.from({ length: 3 + Math.floor(r() * 25) }, () => WORDS[Math.floor(WORDS.length * r() * r())]).join(' '));
  }
  for (let i = 0; i < ids.length; i += 100) {
    await c.query('INSERT INTO bm (id, body) SELECT * FROM unnest($1::int[], $2::text[])', [ids.slice(i, i + 100), bodies.slice(i, i + 100)]);
  }
});

after(async () => {
  await c?.end();
  await server?.stop();
});

/** lexeme → frequency (position count, 1 without positions), from tsvector's text form */
function parseVector(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/'((?:[^']|'')*)'(?::([0-9A-D,]+))?/g)) out.set(m[1].replace(/''/g, "'"), m[2] ? m[2].split(',').length : 1);
  return out;
}

/** a query's terms as the test states them: [lexeme, prefix] */
type Terms = [string, boolean][];

function reference(docs: Map<number, Map<string, number>>, terms: Terms): Map<number, number> {
  const N = docs.size;
  let total = 0;
  for (const d of docs.values()) for (const tf of d.values()) total += tf;
  const avgdl = total / N;
  const tfOf = (d: Map<string, number>, [w, prefix]: [string, boolean]) => {
    let tf = 0;
    for (const [lex, f] of d) if (prefix ? lex.startsWith(w) : lex === w) tf += f;
    return tf;
  };
  const out = new Map<number, number>();
  for (const [id, d] of docs) {
    let dl = 0;
    for (const f of d.values()) dl += f;
    let score = 0;
    for (const t of terms) {
      const tf = tfOf(d, t);
      if (!tf) continue;
      let n = 0;
      for (const o of docs.values()) if (tfOf(o, t) > 0) n++;
      const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * dl) / avgdl));
    }
    out.set(id, score);
  }
  return out;
}

const QUERIES: [string, Terms][] = [
  ["to_tsquery('english', 'cat')", [['cat', false]]],
  ["to_tsquery('english', 'cat | fox')", [['cat', false], ['fox', false]]],
  ["to_tsquery('english', 'quick & brown & dog')", [['quick', false], ['brown', false], ['dog', false]]],
  ["to_tsquery('english', 'cat:*')", [['cat', true]]],
  ["to_tsquery('english', 'lazy & !fox')", [['lazi', false]]],
  ["to_tsquery('english', 'quick <-> fox')", [['quick', false], ['fox', false]]],
  ["to_tsquery('english', 'nosuchword | river')", [['nosuchword', false], ['river', false]]],
];

async function check(label: string, key: string): Promise<void> {
  const rows = (await c.query('SELECT id, tsv::text AS tsv FROM bm WHERE tsv IS NOT NULL')).rows as { id: number; tsv: string }[];
  const docs = new Map(rows.map((r) => [r.id, parseVector(r.tsv)]));
  for (const [q, terms] of QUERIES) {
    const want = reference(docs, terms);
    const got = (await c.query(`SELECT id, bm25_rank(${key}, ${q}) AS s FROM bm WHERE body IS NOT NULL`)).rows as { id: number; s: number }[];
    assert.equal(got.length, docs.size, `${label} ${q}`);
    for (const g of got) {
      const w = want.get(g.id)!;
      assert.ok(Math.abs(g.s - w) <= 1e-6 * Math.max(1, w), `${label} ${key} ${q} id ${g.id}: ${g.s} vs ${w}`);
    }
    assert.ok(got.some((g) => g.s > 0), `${label} ${q} scores something`);
  }
}

test('bm25_rank equals the reference BM25 over the live rows', async () => {
  await check('fresh', 'tsv');
  await check('fresh', "to_tsvector('english', body)");
});

test('with GIN indexes, after deletes, and inside a transaction with its own rows', async () => {
  await c.query('CREATE INDEX bm_tsv ON bm USING gin (tsv)');
  await c.query("CREATE INDEX bm_body ON bm USING gin (to_tsvector('english', body))");
  await check('indexed', 'tsv');
  await c.query('DELETE FROM bm WHERE id % 3 = 0');
  await check('after deletes', 'tsv');
  await c.query('BEGIN');
  await c.query("INSERT INTO bm (id, body) VALUES (5001, 'cat cat cat fox'), (5002, 'river river')");
  await c.query('DELETE FROM bm WHERE id % 5 = 0');
  await check('in a transaction', 'tsv');
  await check('in a transaction', "to_tsvector('english', body)");
  await c.query('ROLLBACK');
});

test('top-k by bm25_rank through the GIN index, and the unbound call', async () => {
  const sql = "SELECT id, bm25_rank(tsv, q) AS s FROM bm, to_tsquery('english', 'fox | river') q WHERE tsv @@ to_tsquery('english', 'fox | river') ORDER BY s DESC, id LIMIT 5";
  const direct = "SELECT id FROM bm WHERE tsv @@ to_tsquery('english', 'fox | river') ORDER BY bm25_rank(tsv, to_tsquery('english', 'fox | river')) DESC, id LIMIT 5";
  const plan = (await c.query(`EXPLAIN ${direct}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Bitmap Index Scan on bm_tsv/);
  const top = (await c.query(direct)).rows.map((r: { id: number }) => r.id);
  assert.equal(top.length, 5);
  const all = (await c.query("SELECT id, bm25_rank(tsv, to_tsquery('english', 'fox | river')) AS s FROM bm ORDER BY s DESC NULLS LAST, id LIMIT 5")).rows.map((r: { id: number }) => r.id);
  assert.deepEqual(top, all);
  // a constant query in FROM is inlined (inline-scalar-function-scan): the corpus is still bm's
  const viaFrom = (await c.query(sql)).rows.map((r: { id: number }) => r.id);
  assert.deepEqual(viaFrom, top);
  // a join hides the table: the call is refused rather than scored over a guessed corpus
  const joined = "SELECT a.id, bm25_rank(a.tsv, to_tsquery('english', 'fox')) FROM bm a JOIN bm b ON a.id = b.id + 1 LIMIT 1";
  await assert.rejects(c.query(joined), (e: pg.DatabaseError) => e.code === '0A000');
  await assert.rejects(c.query("SELECT bm25_rank('a b'::tsvector, 'a'::tsquery)"), (e: pg.DatabaseError) => e.code === '0A000');
});

test('ORDER BY bm25_rank DESC LIMIT k without a filter prunes by the inverted lists and returns the exact top k', async () => {
  // several terms of very different frequencies: MaxScore stops visiting the rows of the frequent ones
  const queries = ["to_tsquery('english', 'fox | river')", "to_tsquery('english', 'cat:*')", "to_tsquery('english', 'nosuchword')", "to_tsquery('english', 'quick & !lazy')",
    "to_tsquery('english', 'cat | house | tree')", "to_tsquery('english', 'catalog | category | cat | dog | bird')", "to_tsquery('english', 'ca:* | river | fish')"];
  for (const q of queries) {
    for (const [k, nulls] of [[5, ''], [40, ''], [10, ' NULLS LAST'], [3, ' NULLS LAST']] as const) {
      const sql = `SELECT id, bm25_rank(tsv, ${q}) AS s FROM bm WHERE id % 4 <> 1 ORDER BY s DESC${nulls}, id LIMIT ${k}`;
      const plan = (await c.query(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Top-K Pruning: bm25_rank from inverted lists/, sql);
      const full = (await c.query(`SELECT id, bm25_rank(tsv, ${q}) AS s FROM bm WHERE id % 4 <> 1 ORDER BY s DESC${nulls}, id`)).rows;
      assert.deepEqual((await c.query(sql)).rows, full.slice(0, k), sql);
    }
  }
  // the select list without the score, and OFFSET
  const q = "to_tsquery('english', 'bird | tree')";
  const full = (await c.query(`SELECT id FROM bm ORDER BY bm25_rank(tsv, ${q}) DESC NULLS LAST, id`)).rows;
  assert.deepEqual((await c.query(`SELECT id FROM bm ORDER BY bm25_rank(tsv, ${q}) DESC NULLS LAST, id LIMIT 7 OFFSET 3`)).rows, full.slice(3, 10));
});

test('over a partitioned table the corpus is the whole table, whichever partitions the query reads', async () => {
  // three partitions, the third one partitioned again; rows in sealed segments and growing ones
  await c.query('CREATE TABLE bmp (id int, cat int, body text, tsv tsvector) PARTITION BY LIST (cat)');
  await c.query('CREATE TABLE bmp_1 PARTITION OF bmp FOR VALUES IN (1)');
  await c.query('CREATE TABLE bmp_2 PARTITION OF bmp FOR VALUES IN (2)');
  await c.query('CREATE TABLE bmp_3 PARTITION OF bmp FOR VALUES IN (3) PARTITION BY RANGE (id)');
  await c.query('CREATE TABLE bmp_3a PARTITION OF bmp_3 FOR VALUES FROM (MINVALUE) TO (400)');
  await c.query('CREATE TABLE bmp_3b PARTITION OF bmp_3 FOR VALUES FROM (400) TO (MAXVALUE)');
  // partition 1 gets few rows with other words: its own statistics differ from the table's
  await c.query("INSERT INTO bmp SELECT id, CASE WHEN id % 10 = 0 THEN 1 ELSE 2 + id % 2 END, body, tsv FROM bm WHERE body IS NOT NULL");
  // CREATE INDEX seals every partition's rows so far: the rows below stay in growing segments
  await c.query('CREATE INDEX bmp_tsv ON bmp USING gin (tsv)');
  await c.query("INSERT INTO bmp VALUES (9001, 1, 'fox fox river', to_tsvector('english', 'fox fox river')), (9002, 1, NULL, NULL)");
  const read = async (table: string) => {
    const rows = (await c.query(`SELECT id, tsv::text AS tsv FROM ${table} WHERE tsv IS NOT NULL`)).rows as { id: number; tsv: string }[];
    return new Map(rows.map((r) => [r.id, parseVector(r.tsv)]));
  };
  const scores = async (sql: string) => new Map(((await c.query(sql)).rows as { id: number; s: number }[]).map((r) => [r.id, r.s]));
  const same = (got: Map<number, number>, want: Map<number, number>, label: string) => {
    assert.ok(got.size > 0, label);
    for (const [id, s] of got) {
      const w = want.get(id)!;
      assert.ok(Math.abs(s - w) <= 1e-6 * Math.max(1, w), `${label} id ${id}: ${s} vs ${w}`);
    }
  };
  for (const step of ['fresh', 'after deletes']) {
    const whole = await read('bmp');
    assert.ok(whole.size > 300, `${whole.size} rows`);
    for (const [q, terms] of QUERIES.slice(0, 4)) {
      const want = reference(whole, terms);
      same(await scores(`SELECT id, bm25_rank(tsv, ${q}) AS s FROM bmp WHERE tsv IS NOT NULL`), want, `${step} bmp ${q}`);
      // WHERE prunes to one partition, or two levels down: the statistics stay the table's
      same(await scores(`SELECT id, bm25_rank(tsv, ${q}) AS s FROM bmp WHERE cat = 1 AND tsv IS NOT NULL`), want, `${step} bmp cat = 1 ${q}`);
      same(await scores(`SELECT id, bm25_rank(tsv, ${q}) AS s FROM bmp WHERE cat = 3 AND id >= 400 AND tsv IS NOT NULL`), want, `${step} bmp_3b ${q}`);
      // a partition named in FROM is a table of its own: its own statistics
      same(await scores(`SELECT id, bm25_rank(tsv, ${q}) AS s FROM bmp_1 WHERE tsv IS NOT NULL`), reference(await read('bmp_1'), terms), `${step} bmp_1 ${q}`);
      // top-k over the parent: the reference's order
      const top = (await c.query(`SELECT id FROM bmp WHERE tsv IS NOT NULL ORDER BY bm25_rank(tsv, ${q}) DESC, id LIMIT 5`)).rows.map((r: { id: number }) => r.id);
      assert.deepEqual(top, [...want].sort((a, b) => Math.fround(b[1]) - Math.fround(a[1]) || a[0] - b[0]).slice(0, 5).map(([id]) => id), `${step} top 5 ${q}`);
    }
    // ORDER BY bm25_rank DESC LIMIT k: every partition's segments prune with the table's statistics
    for (const [q] of QUERIES.slice(0, 5)) {
      for (const [where, k] of [['', 5], ['', 40], [' WHERE cat <> 2', 7]] as const) {
        const sql = `SELECT id, bm25_rank(tsv, ${q}) AS s FROM bmp${where} ORDER BY s DESC NULLS LAST, id LIMIT ${k}`;
        const plan = (await c.query(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
        assert.match(plan, /Top-K Pruning: bm25_rank from inverted lists/, sql);
        const full = (await c.query(`SELECT id, bm25_rank(tsv, ${q}) AS s FROM bmp${where} ORDER BY s DESC NULLS LAST, id`)).rows;
        assert.deepEqual((await c.query(sql)).rows, full.slice(0, k), `${step} ${sql}`);
      }
    }
    await c.query('DELETE FROM bmp WHERE id % 4 = 1');
  }
  await c.query('DROP TABLE bmp');
});
