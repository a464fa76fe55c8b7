/**
 * Filtered vector search narrowed by a sorted column: a sealed segment finds the rows of
 * `col op value` conjuncts on integer and date/time columns (B-tree'd or not) in its sorted
 * column index (storage/sorted-column.ts) instead of testing every row. The answers must be
 * exactly those of an exact scan (enable_indexscan = off), with deleted rows, NULL filter
 * values, NULL vectors, int8 values beyond 2^53, timestamps, parameters and several
 * conjuncts; EXPLAIN ANALYZE says when the sorted order was used.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const N = 4000;
const DIM = 8;
let server: QuiverServer;
let client: pg.Client;
const rand = seededRandom(7);
const vec = () => `[${Array.from({ length: DIM }, () => (rand() * 2 - 1).toFixed(4)).join(',')}]`;

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-btree-filter-'));

async function connect(): Promise<void> {
  server = await startQuiver({ dataDir });
  client = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await client.connect();
}

before(async () => {
  await connect();
  await client.query('CREATE TABLE items (id int PRIMARY KEY, f int, big bigint, ts timestamp, g int, v vector(8))');
  for (let start = 0; start < N; start += 500) {
    const rows: string[] = [];
    for (let i = start; i < start + 500; i++) {
      const f = i % 97 === 0 ? 'NULL' : String((i * 7919) % N);
      const v = i % 211 === 0 ? 'NULL' : `'${vec()}'`;
      // int8 values past 2^53 that differ by less than a double can tell apart
      const big = `${9007199254740000n + BigInt(i % 500)}`;
      const ts = `'2026-01-01'::timestamp + interval '${i} minutes'`;
      rows.push(`(${i}, ${f}, ${big}, ${ts}, ${i % 10}, ${v})`);
    }
    await client.query(`INSERT INTO items VALUES ${rows.join(',')}`);
  }
  await client.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)'); // seals the rows
  await client.query('CREATE INDEX ON items (f)');
  await client.query('CREATE INDEX ON items (big)');
  await client.query('CREATE INDEX ON items (ts)');
  await client.query('DELETE FROM items WHERE id % 13 = 0');
});

after(async () => {
  await client?.end();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Every matching row in distance order: with a LIMIT above the matching count any strategy
 * must return all of them, so the comparison checks the bitmap itself (with LIMIT 10 a wide
 * filter may be answered by the approximate in-graph walk)
 */
async function ids(where: string, params: unknown[], exact: boolean): Promise<number[]> {
  await client.query(`SET enable_indexscan = ${exact ? 'off' : 'on'}`);
  const r = await client.query(`SELECT id FROM items WHERE ${where} ORDER BY v <-> $1 LIMIT ${N}`, params);
  return r.rows.map((row) => row.id);
}

const FILTERS: [string, unknown[]][] = [
  ['f < 40', []],
  ['f >= 100 AND f < 160', []],
  ['f = 777', []],
  ['f BETWEEN 10 AND 30 AND g = 3', []],
  ['f < $2', [25]],
  ['f > 3990', []],
  ['f < 0', []],
  ['big <= 9007199254740010', []],
  ['big = 9007199254740007', []],
  ["ts < '2026-01-01 00:30'", []],
  ['f < 200 OR g = 1', []], // not a conjunct: every row is tested
  // strict and inclusive bounds where the filter is only the B-tree'd column (no re-test)
  ['f < 777', []],
  ['f <= 777', []],
  ['f > 777 AND f < 779', []],
  ['f >= 778 AND f <= 778', []],
  ['f > 1000 AND f < 1000', []],
  ['f < 3000', []],
  ['f < 3000 AND g >= 0', []],
  // g has no B-tree
  ['g = 3', []],
  ['g < 2 AND f < 1000', []],
];

test('sorted-column-narrowed filters answer exactly as an exact scan does', async () => {
  for (let q = 0; q < 5; q++) {
    const query = vec();
    for (const [where, extra] of FILTERS) {
      const params = [query, ...extra];
      const exact = await ids(where, params, true);
      const viaIndex = await ids(where, params, false);
      assert.deepEqual(viaIndex, exact, `${where}`);
    }
  }
  await client.query('RESET enable_indexscan');
});

test('EXPLAIN ANALYZE says when the sorted column chose the rows, and only then', async () => {
  const q = vec();
  const plan = async (where: string) =>
    (await client.query(`EXPLAIN ANALYZE SELECT id FROM items WHERE ${where} ORDER BY v <-> '${q}' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(await plan('f < 40'), /Filter rows from sorted column: 1 of 1 filtered segments/);
  // the filter is only the column's range: its sorted positions are the rows, however many
  assert.match(await plan('f < 3000'), /Filter rows from sorted column: 1 of 1 filtered segments/);
  // g has no B-tree: sorted all the same (10 % of the rows)
  assert.match(await plan('g = 3'), /Filter rows from sorted column: 1 of 1 filtered segments/);
  // with another conjunct to test, a wide range is not worth the random reads
  assert.doesNotMatch(await plan('f < 3000 AND g >= 0'), /sorted column/);
  // not a conjunct, or not an integer or date/time column: every row is tested
  assert.doesNotMatch(await plan('f < 200 OR g = 1'), /sorted column/);
  assert.doesNotMatch(await plan('id::text = \'5\''), /sorted column/);
  assert.deepEqual(await ids('g = 3', [q], false), await ids('g = 3', [q], true));
  assert.deepEqual(await ids('g < 3 AND id > 100', [q], false), await ids('g < 3 AND id > 100', [q], true));
  await client.query('RESET enable_indexscan');
});

test('after a restart the sorted index is built again (in a worker thread) and answers the same', async () => {
  await client.end();
  await server.stop();
  await connect();
  const query = vec();
  // the first query asks for the index and is answered without it (every row tested)
  assert.deepEqual(await ids('f < 40', [query], false), await ids('f < 40', [query], true));
  await client.query('RESET enable_indexscan');
  // the index is sorted in a worker thread meanwhile: later queries use it
  let plan = '';
  for (let tries = 0; tries < 200 && !/sorted column/.test(plan); tries++) {
    if (tries > 0) await new Promise((r) => setTimeout(r, 25));
    plan = (await client.query(`EXPLAIN ANALYZE SELECT id FROM items WHERE f < 40 ORDER BY v <-> '${query}' LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  assert.match(plan, /Filter rows from sorted column: 1 of 1 filtered segments/);
  assert.deepEqual(await ids('f < 40', [query], false), await ids('f < 40', [query], true));
  await client.query('RESET enable_indexscan');
});
