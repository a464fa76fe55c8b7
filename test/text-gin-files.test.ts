/**
 * GIN indexes keep each sealed segment's inverted index in a file beside the segment
 * (storage/inverted-index-file.ts). The files round-trip exactly; a restart and a kill -9
 * read them back and give the same answers (`@@`, ts_rank, BM25 top-k with its scores)
 * without tokenizing the rows again; a missing or damaged file is rebuilt from its segment
 * with a warning and never answers wrongly; compaction writes the merged segment's file and
 * removes its inputs'; DROP INDEX removes the index's files; pg_relation_size,
 * pg_indexes_size and pg_total_relation_size report the files' bytes. An old data directory
 * (sealed segments, no GIN files in its manifest) gets its files when the engine attaches
 * its GIN indexes. In cluster mode the files reach the object store and a fresh node reads them.
 */
import { seededRandom } from '../bench/util.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';
import { InvertedIndex } from '../src/storage/inverted-index.js';
import { decodeInvertedIndex, encodeInvertedIndex } from '../src/storage/inverted-index-file.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { parseTsquery } from '../src/types/tsquery.js';
import { T } from '../src/types/types.js';
import type { TsVector } from '../src/types/tsvector.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';

const WORDS = ('cat dog bird fish mouse horse cow sheep goat pig duck goose rabbit fox wolf bear deer lion tiger zebra '
  + 'run jump swim fly walk sleep eat drink play sing read write build paint cook drive ride climb dance hide '
  + 'red green blue yellow black white quick slow happy sad big small old young bright dark warm cold loud quiet '
  + 'catalog category catch cattle dogma doghouse fisher fishing birdsong housing naïve café ünïcode 日本').split(' ');

function bodies(n: number, seed: number): (string | null)[] {
  const r = seededRandom(seed);
  const word = () => WORDS[Math.floor(WORDS.length * r() * r())];
  return Array.from({ length: n }, () => (r() < 0.03 ? null : Array.from({ length: 3 + Math.floor(r() * 25) }, word).join(' ')));
}

test('the file holds the same index: lexemes, lengths, posting lists and their bounds', () => {
  const docs = bodies(3000, 5);
  // a tsvector per row from the words (positions give frequencies), NULL rows as null
  const vectors: (TsVector | null)[] = docs.map((d) => {
    if (d === null) return null;
    const pos = new Map<string, number[]>();
    d.split(' ').forEach((w, i) => pos.set(w, [...(pos.get(w) ?? []), i + 1]));
    return [...pos.keys()].sort().map((word) => ({ word, pos: pos.get(word)! }));
  });
  const built = InvertedIndex.build(vectors.length, (p) => vectors[p]!);
  const bytes = encodeInvertedIndex(built);
  const read = decodeInvertedIndex(bytes, vectors.length);
  assert.equal(read.size, built.size);
  assert.deepEqual([...read.docLength], [...built.docLength]);
  for (let i = 0; i < built.size; i++) {
    assert.equal(read.wordAt(i), built.wordAt(i));
    const a = built.postingAt(i), b = read.postingAt(i);
    assert.deepEqual([...b.rows], [...a.rows]);
    assert.deepEqual([...b.freqs], [...a.freqs]);
    assert.equal(b.maxFreq, a.maxFreq);
    assert.equal(b.minLength, a.minLength);
  }
  for (const q of ['cat', 'cat & dog', 'fish:*', 'caf:*', 'tiger | !zebra', 'nosuch', '日本']) {
    assert.deepEqual([...(read.candidates(parseTsquery(q)) ?? [])], [...(built.candidates(parseTsquery(q)) ?? [])], q);
  }
  // a changed byte, a cut file, a file for another segment: refused, never read
  const flipped = Uint8Array.from(bytes);
  flipped[bytes.length >> 1] ^= 1;
  assert.throws(() => decodeInvertedIndex(flipped, vectors.length), /checksum/);
  assert.throws(() => decodeInvertedIndex(bytes.subarray(0, bytes.length - 8), vectors.length));
  assert.throws(() => decodeInvertedIndex(bytes, vectors.length + 1), /rows/);
  // an unaligned copy reads the same
  const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
  unaligned.set(bytes);
  assert.equal(decodeInvertedIndex(unaligned, vectors.length).postingAt(3).rows.length, built.postingAt(3).rows.length);
});

const SEAL = { ...process.env, QUIVER_SEAL_THRESHOLD_BYTES: String(64 * 1024) };
let server: QuiverServer;
let dataDir: string;
let c: pg.Client;

async function start(): Promise<void> {
  server = await startQuiver({ dataDir, env: SEAL, logLevel: 'info' });
  c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  c.on('error', () => {}); // kill -9 below
  await c.connect();
}

const segDir = () => join(dataDir, 'segments');
const files = (re: RegExp) => readdirSync(segDir()).filter((f) => re.test(f)).sort();
const bytesOf = (names: string[]) => names.reduce((n, f) => n + statSync(join(segDir(), f)).size, 0);

async function insert(n: number, seed: number, from: number): Promise<void> {
  const b = bodies(n, seed);
  await c.query('INSERT INTO fdocs (id, body) SELECT * FROM unnest($1::int[], $2::text[])', [b.map((_, i) => from + i), b]);
}

/** waits until background seals and compactions are done, each segment with its two files */
async function settle(): Promise<void> {
  let last = '';
  let stableSince = Date.now();
  for (let i = 0; i < 200; i++) {
    const arrows = files(/\.arrow$/).length;
    const gins = files(/\.gin$/).length;
    const state = `${readdirSync(segDir()).join(' ')} ${logged('sealed growing segment').length} ${logged('compacted sealed segments').length}`;
    if (state !== last) { last = state; stableSince = Date.now(); }
    if (arrows > 0 && gins === 2 * arrows && Date.now() - stableSince >= 700) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`GIN files not written: ${readdirSync(segDir()).join(' ')}`);
}

const QUERIES = ['cat', 'cat & dog', 'fish:* & (red | blue)', 'quick <-> fox', 'tiger | zebra', 'cat & !dog', 'café', 'nosuch'];

/** what the indexes answer: ids per query for both keys, ts_rank and BM25 top 10 with scores */
async function answers(): Promise<unknown> {
  await c.query('SET enable_seqscan = off');
  const out: unknown[] = [];
  for (const q of QUERIES) {
    for (const key of ['tsv', "to_tsvector('english', body)"]) {
      const sql = `SELECT id FROM fdocs WHERE ${key} @@ to_tsquery('english', $1) ORDER BY id`;
      const plan = (await c.query(`EXPLAIN ${sql.replace('$1', `'${q}'`)}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Bitmap Index Scan/, sql);
      out.push((await c.query(sql, [q])).rows.map((r) => r.id));
    }
    out.push((await c.query(`SELECT id, ts_rank(tsv, q) AS r FROM fdocs, to_tsquery('english', $1) q WHERE tsv @@ q ORDER BY r DESC, id LIMIT 10`, [q])).rows);
    out.push((await c.query(`SELECT id, bm25_rank(tsv, to_tsquery('english', $1)) AS r FROM fdocs ORDER BY r DESC, id LIMIT 10`, [q.replace(/ & /g, ' | ')])).rows);
  }
  await c.query('RESET enable_seqscan');
  return out;
}

/** the same answers from sequential scans */
async function plainAnswers(): Promise<unknown> {
  await c.query('SET enable_bitmapscan = off');
  const out: unknown[] = [];
  for (const q of QUERIES) {
    for (const key of ['tsv', "to_tsvector('english', body)"]) {
      out.push((await c.query(`SELECT id FROM fdocs WHERE ${key} @@ to_tsquery('english', $1) ORDER BY id`, [q])).rows.map((r) => r.id));
    }
    out.push((await c.query(`SELECT id, ts_rank(tsv, q) AS r FROM fdocs, to_tsquery('english', $1) q WHERE tsv @@ q ORDER BY r DESC, id LIMIT 10`, [q])).rows);
    out.push((await c.query(`SELECT id, bm25_rank(tsv, to_tsquery('english', $1)) AS r FROM fdocs ORDER BY r DESC, id LIMIT 10`, [q.replace(/ & /g, ' | ')])).rows);
  }
  await c.query('RESET enable_bitmapscan');
  return out;
}

/** log lines (JSON) of the running server with this message */
const logged = (msg: string) => server.stderr().split('\n').filter((l) => l.includes(`"msg":"${msg}`));

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'quiver-gin-files-'));
  await start();
  await c.query(`CREATE TABLE fdocs (id int PRIMARY KEY, body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(body, ''))) STORED)`);
  await insert(1500, 1, 1);
  await c.query('CREATE INDEX fdocs_tsv ON fdocs USING gin (tsv)');
  await c.query("CREATE INDEX fdocs_body ON fdocs USING gin (to_tsvector('english', body))");
  for (let i = 0; i < 4; i++) await insert(500, 10 + i, 2001 + i * 500);
  await c.query('VACUUM fdocs'); // settles the segments: merged small ones, each with its files
  await settle();
});

after(async () => {
  await c?.end().catch(() => {});
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('every sealed segment has a file per GIN key; the index sizes are their bytes', async () => {
  const oid = Number((await c.query("SELECT 'fdocs'::regclass::oid AS oid")).rows[0].oid);
  const segs = files(new RegExp(`^t${oid}-s\\d+\\.arrow$`));
  assert.ok(segs.length >= 1);
  const tsvFiles = files(new RegExp(`^t${oid}-s\\d+\\.tsvector_2_\\.gin$`));
  const bodyFiles = files(new RegExp(`^t${oid}-s\\d+\\.tsvector_1_\\d+\\.gin$`));
  assert.equal(tsvFiles.length, segs.length);
  assert.equal(bodyFiles.length, segs.length);
  const r = (await c.query(`SELECT pg_relation_size('fdocs_tsv') AS tsv, pg_relation_size('fdocs_body') AS body, pg_table_size('fdocs_tsv') AS tsv_table,
    pg_indexes_size('fdocs') AS idx, pg_total_relation_size('fdocs') AS total, pg_relation_size('fdocs') AS rel`)).rows[0];
  assert.equal(Number(r.tsv), bytesOf(tsvFiles));
  assert.equal(Number(r.body), bytesOf(bodyFiles));
  assert.equal(Number(r.tsv_table), bytesOf(tsvFiles)); // what psql's \di+ shows
  assert.ok(Number(r.tsv) > 0);
  assert.equal(Number(r.idx), bytesOf(tsvFiles) + bytesOf(bodyFiles));
  assert.equal(Number(r.total), Number(r.rel) + Number(r.idx));
});

test('a restart reads the files back (nothing rebuilt) and answers the same', async () => {
  const before = await answers();
  assert.deepEqual(before, await plainAnswers());
  await c.end();
  await server.stop();
  await start();
  assert.deepEqual(await answers(), before);
  assert.deepEqual(logged('wrote inverted index file'), [], 'no file written again');
  assert.deepEqual(logged('inverted index file unusable'), []);
});

test('after kill -9 the files written before it give the same answers', async () => {
  const seals = logged('sealed growing segment').length;
  await insert(800, 30, 5001); // sealed in the background, with its files
  for (let i = 0; i < 100 && logged('sealed growing segment').length === seals; i++) await new Promise((r) => setTimeout(r, 100));
  await settle();
  const before = await answers();
  const lastLog = server.stderr();
  await server.crash();
  await start();
  assert.deepEqual(await answers(), before);
  assert.deepEqual(logged('wrote inverted index file'), [], `before the crash:\n${lastLog.split('\n').slice(-30).join('\n')}\nafter:\n${server.stderr()}`);
});

test('a missing or damaged file is rebuilt from its segment with a warning, answers unchanged', async () => {
  const before = await answers();
  await c.end();
  await server.stop();
  const gins = files(/\.gin$/);
  unlinkSync(join(segDir(), gins[0]!));
  const damaged = join(segDir(), gins[gins.length - 1]!);
  const bytes = readFileSync(damaged);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(damaged, bytes);
  await start();
  assert.deepEqual(await answers(), before);
  const warnings = logged('inverted index file unusable');
  assert.equal(warnings.length, 2, server.stderr());
  assert.match(warnings.join('\n'), /checksum mismatch/);
  // written again in the background: whole files again, and read back after the next restart
  await settle();
  for (let i = 0; i < 50 && logged('wrote inverted index file').length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(logged('wrote inverted index file').length, 2);
  await c.end();
  await server.stop();
  await start();
  assert.deepEqual(logged('inverted index file unusable'), []);
  assert.deepEqual(await answers(), before);
});

test('compaction writes the merged segment\'s files and removes its inputs\'', async () => {
  const before = new Set(files(/\.gin$/));
  await c.query('DELETE FROM fdocs WHERE id % 3 = 0');
  await c.query('VACUUM fdocs');
  await settle();
  const now = files(/\.gin$/);
  assert.ok(now.some((f) => !before.has(f)), 'a new segment has its files');
  for (const f of before) if (!now.includes(f)) assert.ok(!readdirSync(segDir()).includes(f));
  assert.equal(now.length, 2 * files(/\.arrow$/).length);
  assert.deepEqual(await answers(), await plainAnswers());
});

test('a Bitmap Heap Scan decoding only the columns the query reads answers as a sequential scan', async () => {
  const queries = [
    `SELECT id FROM fdocs, plainto_tsquery('english', 'cat dog') q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, id LIMIT 10`,
    `SELECT body FROM fdocs WHERE tsv @@ to_tsquery('english', 'zebra') ORDER BY id`,
    `SELECT * FROM fdocs WHERE tsv @@ to_tsquery('english', 'tiger') ORDER BY id LIMIT 5`,
    `SELECT id, length(body) AS n FROM fdocs WHERE tsv @@ to_tsquery('english', 'fox') AND body LIKE '%red%' ORDER BY n DESC, id`,
    `SELECT id FROM fdocs WHERE tsv @@ to_tsquery('english', 'fox') AND body LIKE '%red%' ORDER BY id`,
    `SELECT id, (SELECT count(*) FROM fdocs f2 WHERE f2.body = fdocs.body) AS same FROM fdocs WHERE tsv @@ to_tsquery('english', 'lion') ORDER BY id LIMIT 20`,
    `SELECT upper(body) FROM (SELECT body, id FROM fdocs WHERE tsv @@ to_tsquery('english', 'wolf') ORDER BY id LIMIT 7) s`,
    `SELECT count(*), max(body) FROM fdocs WHERE to_tsvector('english', body) @@ to_tsquery('english', 'cow')`,
    `WITH m AS (SELECT id, body FROM fdocs WHERE tsv @@ to_tsquery('english', 'bear')) SELECT body FROM m ORDER BY id DESC LIMIT 3`,
  ];
  for (const sql of queries) {
    await c.query('SET enable_seqscan = off');
    const plan = (await c.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, /Bitmap Heap Scan/, sql);
    const viaIndex = (await c.query(sql)).rows;
    await c.query('RESET enable_seqscan');
    await c.query('SET enable_bitmapscan = off');
    const viaScan = (await c.query(sql)).rows;
    await c.query('RESET enable_bitmapscan');
    assert.ok(viaScan.length > 0, sql);
    assert.deepEqual(viaIndex, viaScan, sql);
  }
  // an UPDATE through the index keeps the columns it does not set
  const before = (await c.query(`SELECT id, body FROM fdocs WHERE tsv @@ to_tsquery('english', 'deer') ORDER BY id`)).rows;
  await c.query('SET enable_seqscan = off');
  await c.query(`UPDATE fdocs SET id = id + 100000 WHERE tsv @@ to_tsquery('english', 'deer')`);
  await c.query('RESET enable_seqscan');
  const after = (await c.query(`SELECT id - 100000 AS id, body FROM fdocs WHERE id > 100000 ORDER BY id`)).rows;
  assert.deepEqual(after, before);
});

test('a renamed index keeps its size; DROP INDEX removes its files, the other index keeps its own', async () => {
  await c.query('ALTER INDEX fdocs_body RENAME TO fdocs_words');
  assert.equal(Number((await c.query("SELECT pg_relation_size('fdocs_words') AS n")).rows[0].n), bytesOf(files(/\.tsvector_1_\d+\.gin$/)));
  await c.query('DROP INDEX fdocs_words');
  assert.deepEqual(files(/\.tsvector_1_\d+\.gin$/), []);
  assert.equal(files(/\.tsvector_2_\.gin$/).length, files(/\.arrow$/).length);
  assert.equal(Number((await c.query("SELECT pg_indexes_size('fdocs') AS n")).rows[0].n), bytesOf(files(/\.gin$/)));
  await c.query('DROP TABLE fdocs');
  assert.deepEqual(files(/\.gin$/), []);
});

test('an old data directory (no GIN files in its manifest) gets them when the GIN indexes are attached', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'quiver-gin-old-'));
  try {
    const layout = { id: 7, columns: [{ name: 'id', type: T.int4 }, { name: 'tsv', type: T.text }] };
    let s = await DurableStorage.open({ dataDir: dir, background: false });
    await s.createTable(layout);
    const txn = s.begin();
    txn.insert(7, Array.from({ length: 300 }, (_, i) => [i, `'cat':1 'n${i % 17}':2`]));
    await txn.commit();
    await s.seal(7);
    await s.close();
    assert.deepEqual(readdirSync(join(dir, 'segments')).filter((f) => f.endsWith('.gin')), []);

    s = await DurableStorage.open({ dataDir: dir, background: false });
    const toVector = (v: unknown): TsVector | null => (v === null ? null : (v as string).split(' ').map((x) => ({ word: /'(.*)'/.exec(x)![1]!, pos: [] })));
    s.attachTextIndexes(7, [{ spec: { name: 'old_gin', key: 'k', column: 1 }, toVector }]);
    for (let i = 0; i < 50 && s.relationBytes(7).indexes.get('old_gin') === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const gins = readdirSync(join(dir, 'segments')).filter((f) => f.endsWith('.gin'));
    assert.equal(gins.length, 1);
    assert.equal(s.relationBytes(7).indexes.get('old_gin'), statSync(join(dir, 'segments', gins[0]!)).size);
    await s.close();
    // read back: the file is the index
    s = await DurableStorage.open({ dataDir: dir, background: false });
    const seg = s.searchSegments(7, s.snapshot())[0]!;
    const index = seg.invertedIndex!('k', 1, () => { throw new Error('rebuilt instead of read'); });
    assert.equal(index.posting('cat')!.rows.length, 300);
    assert.equal(index.posting('n3')!.rows.length, 18);
    // the index is gone from the catalog: its files go at the next attach
    s.attachTextIndexes(7, []);
    await s.seal(7); // waits for the maintenance queue
    assert.deepEqual(readdirSync(join(dir, 'segments')).filter((f) => f.endsWith('.gin')), []);
    await s.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('cluster mode: the files go to the object store with the manifest naming them, and a fresh node reads them', async () => {
  const [a, b, store] = await Promise.all([0, 1, 2].map(() => mkdtemp(join(tmpdir(), 'quiver-gin-shared-'))));
  const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(store!) };
  try {
    const layout = { id: 9, columns: [{ name: 'id', type: T.int4 }, { name: 'tsv', type: T.text }] };
    const toVector = (v: unknown): TsVector | null => (v === null ? null : (v as string).split(' ').map((word) => ({ word, pos: [] })));
    const s1 = await DurableStorage.open({ dataDir: a!, background: false, shared: seams });
    await s1.createTable(layout);
    const txn = s1.begin();
    txn.insert(9, Array.from({ length: 200 }, (_, i) => [i, i % 2 ? 'bird cat' : 'cat dog']));
    await txn.commit();
    await s1.createTextIndex(9, { name: 'g', key: 'k', column: 1 }, toVector);
    assert.equal((await seams.objects.list('t9-')).filter((f) => f.endsWith('.gin')).length, 1);
    const s2 = await DurableStorage.open({ dataDir: b!, background: false, shared: seams });
    const seg = s2.searchSegments(9, s2.snapshot())[0]!;
    const index = seg.invertedIndex!('k', 1, () => { throw new Error('rebuilt instead of read'); });
    assert.deepEqual([index.posting('cat')!.rows.length, index.posting('dog')!.rows.length], [200, 100]);
    assert.equal(s2.relationBytes(9).indexes.get('g'), s1.relationBytes(9).indexes.get('g'));
    await s2.close();
    await s1.close().catch(() => {});
  } finally {
    for (const d of [a!, b!, store!]) await rm(d, { recursive: true, force: true });
  }
});
