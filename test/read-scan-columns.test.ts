/**
 * Scans decode only the columns the query reads (planner/rules/read-scan-columns.ts); the
 * others come out NULL. Only sealed segments decode, so the same data is kept twice: in a
 * sealed table and in a table whose rows stay in the growing segment (whole rows always),
 * and every query — through projections, filters, sorts, limits, aggregates with FILTER and
 * ORDER BY, windows, inner / outer / semi / anti / LATERAL joins, correlated subqueries,
 * DML with RETURNING — must answer the same on both. The plans are checked to narrow where
 * they should (a scan's estimated width is its columns').
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../src/types/types.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

let s: EngineSession;

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);
const text = (rows: Value[][]) => JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Float32Array ? [...v] : v));

before(async () => {
  s = await openEngineSession('quiver-read-scan-columns-');
  for (const t of ['sealed', 'growing']) {
    await sql(`CREATE TABLE ${t}_t (id int, cat int, name text, note text, v vector(3))`);
    await sql(`CREATE TABLE ${t}_u (cat int, label text, extra text)`);
    await sql(`INSERT INTO ${t}_t SELECT g, g % 7, 'name ' || g, CASE WHEN g % 5 = 0 THEN NULL ELSE repeat('n', g % 13) END, ARRAY[g, g % 3, 1]::float4[]::vector FROM generate_series(1, 3000) g`);
    await sql(`INSERT INTO ${t}_u SELECT g, 'label ' || g, 'x' FROM generate_series(0, 4) g`);
  }
  for (const t of ['sealed_t', 'sealed_u']) await s.storage.seal(Number((await sql(`SELECT '${t}'::regclass::oid`))[0]![0]));
  await s.engine.stopBackground();
});

after(() => s.close());

const QUERIES = [
  'SELECT count(*) FROM $t WHERE cat = 3',
  'SELECT sum(id), max(name) FROM $t WHERE cat < 2',
  'SELECT id, note FROM $t WHERE note IS NULL ORDER BY id DESC LIMIT 7',
  'SELECT cat, count(*) FILTER (WHERE note IS NOT NULL), string_agg(name, \',\' ORDER BY id DESC) FROM $t WHERE id < 40 GROUP BY cat ORDER BY cat',
  'SELECT id, rank() OVER (PARTITION BY cat ORDER BY note, id) FROM $t WHERE id < 30 ORDER BY id',
  'SELECT t.id, u.label FROM $t t JOIN $u u ON t.cat = u.cat WHERE t.id < 20 ORDER BY t.id',
  'SELECT t.id, u.label FROM $t t LEFT JOIN $u u ON t.cat = u.cat AND u.extra = \'x\' WHERE t.id < 20 ORDER BY t.id',
  'SELECT t.name FROM $t t WHERE EXISTS (SELECT 1 FROM $u u WHERE u.cat = t.cat AND u.label <> \'label 1\') AND t.id < 30 ORDER BY t.id',
  'SELECT t.name FROM $t t WHERE NOT EXISTS (SELECT 1 FROM $u u WHERE u.cat = t.cat) AND t.id < 30 ORDER BY t.id',
  'SELECT t.id, (SELECT max(label) FROM $u u WHERE u.cat = t.cat) FROM $t t WHERE t.id < 10 ORDER BY t.id',
  'SELECT t.id, x.name FROM $u u, LATERAL (SELECT id, name FROM $t t WHERE t.cat = u.cat ORDER BY id LIMIT 2) x, $t t WHERE t.id = x.id ORDER BY t.id',
  'SELECT id, v, v <-> \'[1,1,1]\' FROM $t WHERE cat = 1 ORDER BY v <-> \'[1,1,1]\', id LIMIT 3',
  'SELECT DISTINCT cat, note IS NULL FROM $t ORDER BY 1, 2',
  'SELECT name FROM $t WHERE id < 5 UNION SELECT label FROM $u ORDER BY 1',
  'WITH w AS (SELECT id, note FROM $t WHERE cat = 2) SELECT count(*), count(note) FROM w',
  'SELECT * FROM $t WHERE id IN (3, 500, 2999) ORDER BY id',
];

test('every query answers the same over sealed segments (columns decoded on demand) as over whole rows', async () => {
  for (const q of QUERIES) {
    const sealed = await sql(q.replaceAll('$t', 'sealed_t').replaceAll('$u', 'sealed_u'));
    const growing = await sql(q.replaceAll('$t', 'growing_t').replaceAll('$u', 'growing_u'));
    assert.ok(sealed.length > 0, `${q}: no rows`);
    assert.equal(text(sealed), text(growing), q);
  }
});

test('DML reads whole rows: UPDATE … RETURNING and DELETE … RETURNING see every column', async () => {
  for (const t of ['sealed_t', 'growing_t']) {
    const updated = await sql(`UPDATE ${t} SET cat = cat + 10 WHERE id = 7 RETURNING *`);
    assert.equal(text(updated), text([[7, 10, 'name 7', 'nnnnnnn', new Float32Array([7, 1, 1])]]), t);
    const deleted = await sql(`DELETE FROM ${t} WHERE id = 8 RETURNING name, note, v`);
    assert.equal(text(deleted), text([['name 8', 'nnnnnnnn', new Float32Array([8, 2, 1])]]), t);
    assert.equal(text(await sql(`SELECT id, name, note, v FROM ${t} WHERE id = 7`)), text([[7, 'name 7', 'nnnnnnn', new Float32Array([7, 1, 1])]]), t);
  }
});

test('plans narrow their scans: a scan is as wide as the columns it reads', async () => {
  const plan = async (q: string) => (await sql(`EXPLAIN ${q}`)).map((r) => String(r[0])).join('\n');
  // cat is read by the scan's own Filter only: it hands on nothing (width=0, as PostgreSQL's
  // target list); selected, 4 bytes; the whole row is wider (two texts, a vector)
  assert.match(await plan('SELECT count(*) FROM sealed_t WHERE cat = 3'), /Seq Scan on sealed_t .*width=0\)/);
  assert.match(await plan('SELECT cat FROM sealed_t WHERE cat = 3'), /Seq Scan on sealed_t .*width=4\)/);
  assert.match(await plan('SELECT * FROM sealed_t WHERE cat = 3'), /Seq Scan on sealed_t .*width=(\d\d+)\)/);
  // a join: each side its columns, the join as wide as what is read above it
  assert.match(await plan('SELECT u.label FROM sealed_t t JOIN sealed_u u ON t.cat = u.cat'), /Seq Scan on sealed_t t .*width=4\)/);
});
