/**
 * Merge Join results (executor/merge-join.ts) over tables with a bulk-loaded sealed segment,
 * rows in the growing segment and deleted rows; keys repeated on both sides and NULL keys;
 * inputs ordered by an Index Scan (sealed and growing segments merged in key order) or by a
 * Sort. Every join type is checked against the same query planned as a hash join and
 * against rows counted here in JavaScript.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.js';
import { loadParser } from '../src/sql/parser.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import type { Backend } from '../src/wire/backend.js';
import type { Value } from '../src/types/types.js';
import { backendRows } from './support/backend-sql.js';

const dir = mkdtempSync(join(tmpdir(), 'quiver-merge-join-'));
let storage: DurableStorage;
let backend: Backend;
const sql = (text: string): Promise<Value[][]> => backendRows(backend, text, []);

/** left: ids 1..6000 (sealed) and 6001..6300 (growing), key g % 700 (NULL every 17th), minus deleted */
const leftKey = (g: number) => (g % 17 === 0 ? null : g % 700);
/** right: ids 1..3000 (sealed) and 3001..3200 (growing), key g % 900 (NULL every 23rd) */
const rightKey = (g: number) => (g % 23 === 0 ? null : g % 900);
const leftIds = [...Array(6300).keys()].map((i) => i + 1).filter((g) => g % 10 !== 3);
const rightIds = [...Array(3200).keys()].map((i) => i + 1).filter((g) => g % 9 !== 4);

before(async () => {
  await loadParser();
  storage = await DurableStorage.open({ dataDir: dir, background: false });
  backend = new Engine(storage).create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  await sql('CREATE TABLE mjl (id int, k int, v int)');
  await sql('CREATE TABLE mjr (id int, k int, w int)');
  await sql('INSERT INTO mjl SELECT g, CASE WHEN g % 17 = 0 THEN NULL ELSE g % 700 END, g FROM generate_series(1, 6000) g');
  await sql('INSERT INTO mjr SELECT g, CASE WHEN g % 23 = 0 THEN NULL ELSE g % 900 END, g FROM generate_series(1, 3000) g');
  await sql('CREATE INDEX mjl_k ON mjl (k)');
  await sql('CREATE INDEX mjr_k ON mjr (k)');
  await sql('INSERT INTO mjl SELECT g, CASE WHEN g % 17 = 0 THEN NULL ELSE g % 700 END, g FROM generate_series(6001, 6300) g');
  await sql('INSERT INTO mjr SELECT g, CASE WHEN g % 23 = 0 THEN NULL ELSE g % 900 END, g FROM generate_series(3001, 3200) g');
  await sql('DELETE FROM mjl WHERE id % 10 = 3');
  await sql('DELETE FROM mjr WHERE id % 9 = 4');
  await sql('ANALYZE mjl');
  await sql('ANALYZE mjr');
});

after(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

/** count, and sums of the ids on each side (NULL-extended sides count 0) */
function expected(kind: 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti'): [number, number, number] {
  const byKey = new Map<number, number[]>();
  for (const g of rightIds) {
    const k = rightKey(g);
    if (k !== null) byKey.set(k, [...(byKey.get(k) ?? []), g]);
  }
  let count = 0, sumL = 0, sumR = 0;
  const matchedRight = new Set<number>();
  for (const l of leftIds) {
    const k = leftKey(l);
    const ms = k === null ? [] : byKey.get(k) ?? [];
    if (kind === 'semi' || kind === 'anti') {
      if ((ms.length > 0) === (kind === 'semi')) { count++; sumL += l; }
      continue;
    }
    for (const r of ms) { count++; sumL += l; sumR += r; matchedRight.add(r); }
    if (!ms.length && (kind === 'left' || kind === 'full')) { count++; sumL += l; }
  }
  if (kind === 'right' || kind === 'full') for (const r of rightIds) if (!matchedRight.has(r)) { count++; sumR += r; }
  return [count, sumL, sumR];
}

const QUERIES: Record<string, string> = {
  inner: 'SELECT count(*), coalesce(sum(l.id), 0), coalesce(sum(r.id), 0) FROM mjl l JOIN mjr r ON l.k = r.k',
  left: 'SELECT count(*), coalesce(sum(l.id), 0), coalesce(sum(r.id), 0) FROM mjl l LEFT JOIN mjr r ON l.k = r.k',
  right: 'SELECT count(*), coalesce(sum(l.id), 0), coalesce(sum(r.id), 0) FROM mjl l RIGHT JOIN mjr r ON l.k = r.k',
  full: 'SELECT count(*), coalesce(sum(l.id), 0), coalesce(sum(r.id), 0) FROM mjl l FULL JOIN mjr r ON l.k = r.k',
  semi: 'SELECT count(*), coalesce(sum(l.id), 0), 0 FROM mjl l WHERE EXISTS (SELECT 1 FROM mjr r WHERE r.k = l.k)',
  anti: 'SELECT count(*), coalesce(sum(l.id), 0), 0 FROM mjl l WHERE NOT EXISTS (SELECT 1 FROM mjr r WHERE r.k = l.k)',
};

async function plan(query: string): Promise<string> {
  return (await sql(`EXPLAIN (COSTS OFF) ${query}`)).map((r) => String(r[0])).join('\n');
}

for (const [kind, query] of Object.entries(QUERIES)) {
  test(`merge ${kind} join over sealed and growing segments, duplicates and NULL keys`, async () => {
    await sql('SET enable_hashjoin = off');
    await sql('SET enable_nestloop = off');
    const shown = await plan(query);
    assert.match(shown, /Merge (\w+ )?Join/, shown);
    const merged = (await sql(query))[0].map(Number);
    await sql('RESET enable_hashjoin');
    await sql('SET enable_mergejoin = off');
    assert.doesNotMatch(await plan(query), /Merge/);
    const hashed = (await sql(query))[0].map(Number);
    await sql('RESET enable_mergejoin');
    await sql('RESET enable_nestloop');
    assert.deepEqual(merged, hashed);
    assert.deepEqual(merged, expected(kind as Parameters<typeof expected>[0]));
  });
}

// the same joins on key expressions (l.k + 1 = r.k + 1 matches as l.k = r.k): each input
// sorted on its expression, computed once per row; hashed on the expressions when merging is off
for (const [kind, query] of Object.entries(QUERIES)) {
  const onExpressions = query.replace('l.k = r.k', 'l.k + 1 = r.k + 1').replace('r.k = l.k', 'r.k + 1 = l.k + 1');
  test(`merge ${kind} join on key expressions, duplicates and NULL keys`, async () => {
    await sql('SET enable_hashjoin = off');
    await sql('SET enable_nestloop = off');
    const shown = await plan(onExpressions);
    assert.match(shown, /Merge (\w+ )?Join/, shown);
    assert.match(shown, /Sort Key: \(\([lr]\.k \+ 1\)\)/, shown);
    const merged = (await sql(onExpressions))[0].map(Number);
    await sql('RESET enable_hashjoin');
    await sql('SET enable_mergejoin = off');
    const hashedPlan = await plan(onExpressions);
    assert.match(hashedPlan, /Hash Cond: .*k \+ 1\) = \(.*k \+ 1\)/, hashedPlan);
    const hashed = (await sql(onExpressions))[0].map(Number);
    await sql('RESET enable_mergejoin');
    await sql('RESET enable_nestloop');
    assert.deepEqual(merged, hashed);
    assert.deepEqual(merged, expected(kind as Parameters<typeof expected>[0]));
  });
}

test('an inner merge join through both indexes hands on every pair of equal keys, in key order', async () => {
  await sql('SET enable_hashjoin = off');
  await sql('SET enable_nestloop = off');
  await sql('SET enable_sort = off');
  const query = 'SELECT l.k, l.id, r.id FROM mjl l JOIN mjr r ON l.k = r.k';
  const shown = await plan(query);
  assert.match(shown, /Merge Join/);
  assert.match(shown, /Index Scan using mjl_k/);
  assert.match(shown, /Index Scan using mjr_k/);
  const rows = (await sql(query)).map((r) => r.map(Number));
  await sql('RESET enable_sort');
  await sql('RESET enable_hashjoin');
  await sql('RESET enable_nestloop');
  assert.equal(rows.length, expected('inner')[0]);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1][0] <= rows[i][0], `key order at row ${i}`);
  const pairs = new Set(rows.map((r) => `${r[1]}:${r[2]}`));
  assert.equal(pairs.size, rows.length);
});

test('ORDER BY the merge keys over a merge join: no Sort, rows in key order with NULL keys last', async () => {
  await sql('SET enable_hashjoin = off');
  await sql('SET enable_nestloop = off');
  const query = 'SELECT l.k, l.id, r.id FROM mjl l LEFT JOIN mjr r ON l.k = r.k ORDER BY l.k';
  const shown = await plan(query);
  assert.match(shown, /^Merge Left Join/, shown);
  const rows = await sql(query);
  await sql('RESET enable_hashjoin');
  await sql('RESET enable_nestloop');
  assert.equal(rows.length, expected('left')[0]);
  const keys = rows.map((r) => (r[0] === null ? null : Number(r[0])));
  const firstNull = keys.indexOf(null);
  assert.ok(firstNull > 0 && keys.slice(firstNull).every((k) => k === null), 'NULL keys last');
  for (let i = 1; i < firstNull; i++) assert.ok(keys[i - 1]! <= keys[i]!, `key order at row ${i}`);
});

test('a merge join over many equal keys whose other conditions fail stops at statement_timeout (57014)', async () => {
  await sql('CREATE TABLE mjt_l (k int, v int)');
  await sql('CREATE TABLE mjt_r (k int, w int)');
  await sql('INSERT INTO mjt_l SELECT 1, g FROM generate_series(1, 20000) g');
  await sql('INSERT INTO mjt_r SELECT 1, g FROM generate_series(1, 20000) g');
  await sql('SET enable_hashjoin = off');
  await sql('SET enable_nestloop = off');
  // a condition on both sides (one on l alone would filter l's scan first)
  const query = 'SELECT count(*) FROM mjt_l l JOIN mjt_r r ON l.k = r.k AND l.v + r.w < 0';
  assert.match(await plan(query), /Merge Join/);
  await sql("SET statement_timeout = '300ms'");
  const started = Date.now();
  // 400 million pairs of equal keys, none passing l.v + r.w < 0
  await assert.rejects(sql(query), (e: Error & { code?: string }) => e.code === '57014');
  const took = Date.now() - started;
  await sql('RESET statement_timeout');
  await sql('RESET enable_hashjoin');
  await sql('RESET enable_nestloop');
  assert.ok(took < 5000, `stopped after ${took} ms`);
  await sql('DROP TABLE mjt_l, mjt_r');
});

test('a merge join over a merge join below it in key order (no Sort between) answers as the hash joins do', async () => {
  await sql('CREATE TABLE mj3_a (id int PRIMARY KEY, x int)');
  await sql('CREATE TABLE mj3_b (id int PRIMARY KEY, y int)');
  await sql('CREATE TABLE mj3_c (id int PRIMARY KEY, z int)');
  await sql('INSERT INTO mj3_a SELECT g, g % 10 FROM generate_series(1, 1000) g');
  await sql('INSERT INTO mj3_b SELECT g, g % 10 FROM generate_series(1, 200) g');
  await sql('INSERT INTO mj3_c SELECT g, g % 10 FROM generate_series(1, 500) g');
  await sql('ANALYZE mj3_a');
  await sql('ANALYZE mj3_b');
  await sql('ANALYZE mj3_c');
  const query = 'SELECT count(*), sum(a.x), sum(b.y), sum(c.z) FROM mj3_a a JOIN mj3_c c ON a.id = c.id JOIN mj3_b b ON a.id = b.id';
  // PostgreSQL's plan: Merge Join (Merge Join (Index Scan, Index Scan), Sort)
  const shown = await plan(query);
  assert.match(shown, /Merge Join[\s\S]*->  Merge Join[\s\S]*Index Scan[\s\S]*Index Scan[\s\S]*Sort/, shown);
  const merged = (await sql(query))[0].map(Number);
  await sql('SET enable_mergejoin = off');
  const hashed = (await sql(query))[0].map(Number);
  await sql('RESET enable_mergejoin');
  assert.deepEqual(merged, hashed);
  assert.deepEqual(merged, [200, 900, 900, 900]);
  await sql('DROP TABLE mj3_a, mj3_b, mj3_c');
});

test('ORDER BY the merge keys DESC: inputs read backward, rows in descending key order with NULL keys first', async () => {
  await sql('SET enable_hashjoin = off');
  await sql('SET enable_nestloop = off');
  const left = 'SELECT l.k, l.id, r.id FROM mjl l LEFT JOIN mjr r ON l.k = r.k ORDER BY l.k DESC';
  const shownLeft = await plan(left);
  assert.match(shownLeft, /^Merge Left Join[\s\S]*Index Scan Backward using mjl_k[\s\S]*Sort Key: r.k DESC/, shownLeft);
  const rows = await sql(left);
  await sql('SET enable_sort = off');
  const inner = 'SELECT l.k, l.id, r.id FROM mjl l JOIN mjr r ON l.k = r.k ORDER BY l.k DESC';
  const shownInner = await plan(inner);
  assert.match(shownInner, /^Merge Join[\s\S]*Index Scan Backward using mj[lr]_k[\s\S]*Index Scan Backward using mj[lr]_k/, shownInner);
  const innerRows = (await sql(inner)).map((r) => r.map(Number));
  await sql('RESET enable_sort');
  await sql('RESET enable_hashjoin');
  await sql('RESET enable_nestloop');
  const [count, sumL, sumR] = expected('left');
  assert.equal(rows.length, count);
  assert.equal(rows.reduce((s, r) => s + Number(r[1]), 0), sumL);
  assert.equal(rows.reduce((s, r) => s + Number(r[2] ?? 0), 0), sumR);
  const keys = rows.map((r) => (r[0] === null ? null : Number(r[0])));
  const firstKey = keys.findIndex((k) => k !== null);
  assert.ok(firstKey > 0 && keys.slice(firstKey).every((k) => k !== null), 'NULL keys first');
  for (let i = firstKey + 1; i < keys.length; i++) assert.ok(keys[i - 1]! >= keys[i]!, `descending at row ${i}`);
  assert.equal(innerRows.length, expected('inner')[0]);
  for (let i = 1; i < innerRows.length; i++) assert.ok(innerRows[i - 1][0] >= innerRows[i][0], `descending at row ${i}`);
  assert.equal(new Set(innerRows.map((r) => `${r[1]}:${r[2]}`)).size, innerRows.length);
});

test('a merge on one of two key equalities (the index order), the other a Join Filter, answers as the hash join does', async () => {
  await sql('SET enable_hashjoin = off');
  await sql('SET enable_nestloop = off');
  await sql('SET enable_sort = off');
  // v and w are the rows' ids: pairs of equal key and equal id
  const query = 'SELECT count(*), coalesce(sum(l.id), 0), coalesce(sum(r.w), 0) FROM mjl l JOIN mjr r ON l.k = r.k AND l.v = r.w';
  const shown = await plan(query);
  assert.match(shown, /Merge Cond: \((l\.k = r\.k|r\.k = l\.k)\)\n\s+Join Filter: \(l\.v = r\.w\)/, shown);
  const merged = (await sql(query))[0].map(Number);
  await sql('RESET enable_sort');
  await sql('RESET enable_nestloop');
  await sql('RESET enable_hashjoin');
  await sql('SET enable_mergejoin = off');
  const hashed = (await sql(query))[0].map(Number);
  await sql('RESET enable_mergejoin');
  assert.deepEqual(merged, hashed);
  const right = new Set(rightIds);
  const both = leftIds.filter((g) => right.has(g) && leftKey(g) !== null && leftKey(g) === rightKey(g));
  const sum = both.reduce((s, g) => s + g, 0);
  assert.deepEqual(merged, [both.length, sum, sum]);
});
