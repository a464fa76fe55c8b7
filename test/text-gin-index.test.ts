/**
 * GIN indexes over tsvector (a column, or to_tsvector('english', body)): `@@` through the
 * per-segment inverted index returns exactly the rows a sequential scan returns, over a few
 * thousand generated documents spread over sealed segments and the growing one, for plain,
 * AND / OR / NOT, prefix, phrase and weighted queries; after deletes, inside a transaction
 * with its own writes, and after a restart. EXPLAIN shows Bitmap Heap Scan / Bitmap Index Scan.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const WORDS = ('cat dog bird fish mouse horse cow sheep goat pig duck goose rabbit fox wolf bear deer lion tiger zebra '
  + 'run jump swim fly walk sleep eat drink play sing read write build paint cook drive ride climb dance hide '
  + 'red green blue yellow black white quick slow happy sad big small old young bright dark warm cold loud quiet '
  + 'house garden river forest mountain city road bridge tower castle market school library kitchen window door '
  + 'catalog category catch cattle dogma doghouse fisher fishing birdsong housing').split(' ');

/** a deterministic generator (mulberry32) */
function rng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function documents(n: number, from = 1): { id: number; title: string; body: string | null }[] {
  const r = rng(from * 7919);
  // Zipf-like: low word indexes are frequent
  const word = () => WORDS[Math.floor(WORDS.length * r() * r())];
  const text = (len: number) => Array.from({ length: len }, word).join(' ');
  return Array.from({ length: n }, (_, i) => ({ id: from + i, title: text(2 + Math.floor(r() * 3)), body: r() < 0.02 ? null : text(5 + Math.floor(r() * 30)) }));
}

const QUERIES = [
  "to_tsquery('english', 'cat')",
  "to_tsquery('english', 'zebra')",
  "to_tsquery('english', 'cat & dog')",
  "to_tsquery('english', 'tiger | zebra')",
  "to_tsquery('english', 'cat & !dog')",
  "to_tsquery('english', '!cat')",
  "to_tsquery('english', 'cat:*')",
  "to_tsquery('english', 'fish:* & (red | blue)')",
  "to_tsquery('english', 'quick <-> fox')",
  "to_tsquery('english', 'cat:A')",
  "to_tsquery('english', 'cat:A & dog:D')",
  "to_tsquery('english', 'nosuchword')",
  "to_tsquery('english', 'nosuchword | cow')",
  "plainto_tsquery('english', 'happy dancing bears')",
  "websearch_to_tsquery('english', '\"big house\" or castle -river')",
  "to_tsquery('english', 'the')",
  "'cat'::tsquery",
];

let server: QuiverServer;
let dataDir: string;
let c: pg.Client;

async function connect(): Promise<void> {
  c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  c.on('notice', () => {});
  await c.connect();
}

async function insert(docs: { id: number; title: string; body: string | null }[]): Promise<void> {
  await c.query('INSERT INTO gdocs (id, title, body) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])',
    [docs.map((d) => d.id), docs.map((d) => d.title), docs.map((d) => d.body)]);
}

before(async () => {
  // a small seal threshold: most rows end up in several sealed segments, the rest in the growing one
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-gin-'));
  server = await startQuiver({ dataDir, env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(96 * 1024) } });
  await connect();
  await c.query(`CREATE TABLE gdocs (id int PRIMARY KEY, title text, body text,
    tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A') || to_tsvector('english', coalesce(body, ''))) STORED)`);
  await c.query('CREATE INDEX gdocs_tsv_idx ON gdocs USING gin (tsv)');
  await c.query("CREATE INDEX gdocs_body_idx ON gdocs USING gin (to_tsvector('english', body))");
  const docs = documents(3000);
  for (let i = 0; i < docs.length; i += 500) await insert(docs.slice(i, i + 500));
});

after(async () => {
  await c?.end();
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function plan(sql: string): Promise<string> {
  return (await c.query(`EXPLAIN ${sql}`)).rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN']).join('\n');
}

async function ids(sql: string): Promise<number[]> {
  return (await c.query(sql)).rows.map((r: { id: number }) => r.id);
}

/** every query: the index's answer (plan checked) equals the sequential scan's */
async function indexEqualsScan(label: string, keys = ['tsv', "to_tsvector('english', body)"]): Promise<number> {
  let total = 0;
  for (const q of QUERIES) {
    for (const key of keys) {
      const sql = `SELECT id FROM gdocs WHERE ${key} @@ ${q} ORDER BY id`;
      await c.query('SET enable_seqscan = off');
      assert.match(await plan(sql), /Bitmap Heap Scan on gdocs[\s\S]*Bitmap Index Scan on gdocs_(tsv|body)_idx/, `${label}: ${sql}`);
      const viaIndex = await ids(sql);
      await c.query('RESET enable_seqscan');
      await c.query('SET enable_bitmapscan = off');
      assert.match(await plan(sql), /Seq Scan on gdocs/);
      const viaScan = await ids(sql);
      await c.query('RESET enable_bitmapscan');
      assert.deepEqual(viaIndex, viaScan, `${label}: ${sql}`);
      total += viaScan.length;
    }
  }
  return total;
}

test('the rows are spread over sealed segments and the growing one', async () => {
  // seals run in the background: wait for them (each seal also writes the GIN indexes'
  // files, so rows arriving meanwhile make fewer, larger segments)
  let files: string[] = [];
  for (let i = 0; i < 100 && files.length < 2; i++) {
    files = readdirSync(join(server.dataDir, 'segments')).filter((f) => f.endsWith('.arrow'));
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(files.length >= 2, `sealed segments: ${files.length}`);
  const n = await c.query('SELECT count(*)::int AS n FROM gdocs');
  assert.equal(n.rows[0].n, 3000);
});

test('index answers equal sequential answers', async () => {
  const total = await indexEqualsScan('fresh');
  assert.ok(total > 1000, `queries match many rows (${total})`);
});

test('a selective query plans the index without settings; other conditions stay a Filter', async () => {
  // the statistics the choice rests on: without them (auto-analyze after a background seal
  // may not have run yet) `id > 10` is guessed at a third of the rows and the key's range
  // scan looks cheaper; with them it matches nearly all, and the GIN index is the way
  await c.query('ANALYZE gdocs');
  const p = await plan("SELECT id FROM gdocs WHERE tsv @@ to_tsquery('english', 'zebra') AND id > 10");
  assert.match(p, /Bitmap Heap Scan on gdocs {2}\(cost=[\d.]+ rows=\d+ width=\d+\)/);
  // the constant query is shown folded, as PostgreSQL does
  assert.match(p, /Recheck Cond: \(tsv @@ '''zebra'''::tsquery\)/);
  assert.match(p, /Filter: \(id > 10\)/);
  assert.match(p, /Bitmap Index Scan on gdocs_tsv_idx {2}\(cost=[\d.]+ rows=\d+ width=0\)/);
  assert.match(p, /Index Cond: \(tsv @@ '''zebra'''::tsquery\)/);
  // a parameter works too
  const r = await c.query('SELECT count(*)::int AS n FROM gdocs WHERE tsv @@ $1::tsquery', ['zebra']);
  const s = await c.query("SELECT count(*)::int AS n FROM gdocs WHERE strip(tsv) @@ 'zebra'::tsquery");
  assert.equal(r.rows[0].n, s.rows[0].n);
  assert.deepEqual(await ids("SELECT id FROM gdocs WHERE tsv @@ NULL::tsquery"), []);
  // EXPLAIN ANALYZE: the index scan's rows are the candidates, the heap scan's the rows left after the recheck
  const a = (await c.query("EXPLAIN ANALYZE SELECT id FROM gdocs WHERE tsv @@ to_tsquery('english', 'quick <-> fox')")).rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN']).join('\n');
  const heap = Number(/Bitmap Heap Scan.*actual .*rows=(\d+)/.exec(a)![1]);
  const index = Number(/Bitmap Index Scan.*actual .*rows=(\d+)/.exec(a)![1]);
  const both = await c.query("SELECT count(*)::int AS n FROM gdocs WHERE tsv @@ to_tsquery('english', 'quick & fox')");
  assert.ok(index >= both.rows[0].n && heap < index, a);
});

test('deletes and a transaction\'s own writes are respected', async () => {
  await c.query('DELETE FROM gdocs WHERE id % 7 = 0');
  await c.query("UPDATE gdocs SET body = 'zebra zebra castle' WHERE id % 11 = 0");
  await indexEqualsScan('after deletes');
  await c.query('BEGIN');
  await c.query('DELETE FROM gdocs WHERE id % 5 = 0');
  await insert(documents(300, 10001));
  await indexEqualsScan('in a transaction', ['tsv']);
  await c.query('ROLLBACK');
});

test('after a restart (and a vacuum) the index answers the same', async () => {
  const before = await ids("SELECT id FROM gdocs WHERE tsv @@ to_tsquery('english', 'cat & dog') ORDER BY id");
  await c.end();
  await server.stop();
  server = await startQuiver({ dataDir, env: { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(96 * 1024) } });
  await connect();
  assert.deepEqual(await ids("SELECT id FROM gdocs WHERE tsv @@ to_tsquery('english', 'cat & dog') ORDER BY id"), before);
  await indexEqualsScan('after restart');
  await c.query('VACUUM gdocs');
  await indexEqualsScan('after vacuum', ['tsv']);
});

test('gin index errors as in PostgreSQL', async () => {
  await assert.rejects(c.query('CREATE INDEX ON gdocs USING gin (id)'), (e: pg.DatabaseError) => e.code === '42704' && e.message === 'data type integer has no default operator class for access method "gin"');
  await assert.rejects(c.query('CREATE INDEX ON gdocs USING gin (body)'), (e: pg.DatabaseError) => e.code === '42704' && e.message === 'data type text has no default operator class for access method "gin"');
  await assert.rejects(c.query('CREATE INDEX ON gdocs USING gin (tsv int4_ops)'), (e: pg.DatabaseError) => e.code === '42704');
  const def = await c.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'gdocs' AND indexname LIKE '%body%'");
  assert.deepEqual(def.rows, [{ indexdef: "CREATE INDEX gdocs_body_idx ON public.gdocs USING gin (to_tsvector('english'::regconfig, body))" }]);
});

test('CREATE INDEX … USING gin seals the rows there are, so the index covers them', async () => {
  await c.query("CREATE TABLE gsmall (id int, tsv tsvector)");
  await c.query("INSERT INTO gsmall SELECT i, to_tsvector('english', 'row number ' || i) FROM generate_series(1, 200) i");
  const files = () => readdirSync(join(server.dataDir, 'segments')).filter((f) => f.endsWith('.arrow')).length;
  const before = files();
  await c.query('CREATE INDEX gsmall_idx ON gsmall USING gin (tsv)');
  assert.equal(files(), before + 1);
  await c.query('SET enable_seqscan = off');
  const r = await c.query("EXPLAIN ANALYZE SELECT id FROM gsmall WHERE tsv @@ '17'::tsquery");
  await c.query('RESET enable_seqscan');
  assert.match(r.rows.map((x: { 'QUERY PLAN': string }) => x['QUERY PLAN']).join('\n'), /Bitmap Index Scan on gsmall_idx .*actual .*rows=1 /);
  await c.query('DROP TABLE gsmall');
});
