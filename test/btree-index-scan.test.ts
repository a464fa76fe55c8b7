/**
 * B-tree range and ordered scans (planner/rules/use-index-range.ts, storage/index-scan.ts):
 * the same rows as a sequential scan (enable_indexscan = off) over sealed segments, the
 * growing segment, deleted and updated rows, NULLs, parameters and a transaction's own
 * uncommitted changes; ORDER BY the column with LIMIT / OFFSET returns the same values in
 * the same order, ascending and descending.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

let server: QuiverServer;
let c: pg.Client;

before(async () => {
  server = await startQuiver();
  c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await c.connect();
  await c.query('CREATE TABLE bt (id bigint PRIMARY KEY, k int, d date, note text)');
  await c.query('CREATE INDEX bt_k ON bt (k)');
  await c.query('CREATE INDEX bt_d ON bt (d)');
  // commits of 10 000 rows are written as sealed segments; k is scattered, with NULLs and repeats
  for (let s = 0; s < 3; s++) {
    await c.query(`INSERT INTO bt SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE (i * 7919) % 5003 END, date '2020-01-01' + (i * 31) % 2000, 'n' || i
                   FROM generate_series($1::int, $2::int) i`, [s * 10000 + 1, (s + 1) * 10000]);
  }
  // the growing segment, deletes and updates across segments
  await c.query(`INSERT INTO bt SELECT i, (i * 13) % 5003, date '2021-06-01' + i % 50, 'g' || i FROM generate_series(30001, 30500) i`);
  await c.query('DELETE FROM bt WHERE id % 11 = 0');
  await c.query('UPDATE bt SET k = k + 1 WHERE id % 13 = 0');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

async function plan(sql: string, params: unknown[] = []): Promise<string> {
  return (await c.query(`EXPLAIN ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
}

/** rows as JSON text, both ways: through the index and with enable_indexscan = off */
async function bothWays(sql: string, params: unknown[] = []): Promise<{ index: string[]; seq: string[] }> {
  const index = (await c.query(sql, params)).rows.map((r) => JSON.stringify(r));
  await c.query('SET enable_indexscan = off');
  try {
    const seq = (await c.query(sql, params)).rows.map((r) => JSON.stringify(r));
    return { index, seq };
  } finally {
    await c.query('RESET enable_indexscan');
  }
}

const RANGES: [string, unknown[]][] = [
  ['SELECT id, k FROM bt WHERE k BETWEEN 100 AND 140', []],
  ['SELECT id FROM bt WHERE k = $1', [4242]],
  ['SELECT id, k FROM bt WHERE k > 4990 AND note LIKE $1', ['n%']],
  ['SELECT id FROM bt WHERE id >= 29990 AND id < 30010', []],
  ['SELECT id, d FROM bt WHERE d = $1::date', ['2020-03-01']],
  ['SELECT count(*) FROM bt WHERE k < 50', []],
];

test('range scans go through the index and return the sequential scan\'s rows', async () => {
  for (const [sql, params] of RANGES) {
    assert.match(await plan(sql, params), /Index Scan using bt_/, sql);
    // twice: the first query may start the sorted column's build and read segments whole
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual([...index].sort(), [...seq].sort(), sql);
      assert.ok(seq.length > 0, `${sql}: the comparison is not empty`);
    }
  }
});

const ORDERED: [string, unknown[]][] = [
  ['SELECT id FROM bt ORDER BY id LIMIT 25', []],
  ['SELECT id FROM bt ORDER BY id DESC LIMIT 25 OFFSET 3', []],
  ['SELECT id, note FROM bt WHERE id > $1 ORDER BY id LIMIT 40', [9990]],
  ['SELECT k FROM bt WHERE k >= 5000 ORDER BY k LIMIT 30', []],
  ['SELECT k FROM bt WHERE k < 20 ORDER BY k DESC LIMIT 30', []],
  ['SELECT d FROM bt WHERE d > $1::date ORDER BY d LIMIT 20', ['2021-06-20']],
];

test('ORDER BY an indexed column with LIMIT reads the index in order: same values, same order', async () => {
  for (const [sql, params] of ORDERED) {
    const p = await plan(sql, params);
    assert.match(p, /Limit/, sql);
    assert.match(p, /Index Scan( Backward)? using bt_/, sql);
    assert.doesNotMatch(p, /Sort/, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      // ties in k / d may come in another order: compare the ordered values (ids are unique)
      assert.deepEqual(index, seq, sql);
    }
  }
});

test('a nullable column without a range keeps the Top-K (the index order has no NULLs)', async () => {
  const p = await plan('SELECT k FROM bt ORDER BY k LIMIT 5');
  assert.doesNotMatch(p, /Index Scan/);
  const { index, seq } = await bothWays('SELECT k FROM bt ORDER BY k DESC LIMIT 5');
  assert.deepEqual(index, seq);
  assert.equal(JSON.parse(index[0]).k, null, 'DESC puts NULLs first');
});

test('a transaction sees its own inserts and deletes through the index', async () => {
  await c.query('BEGIN');
  try {
    await c.query('DELETE FROM bt WHERE id BETWEEN 20001 AND 20010');
    await c.query("INSERT INTO bt VALUES (90001, 7, date '2020-01-02', 'mine'), (90002, 5002, date '2020-01-02', 'mine')");
    for (const [sql, params] of [...RANGES, ...ORDERED, ['SELECT id FROM bt WHERE id > 20000 ORDER BY id LIMIT 5', []] as [string, unknown[]]]) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual(sql.includes('ORDER BY') ? index : [...index].sort(), sql.includes('ORDER BY') ? seq : [...seq].sort(), sql);
    }
    const own = (await c.query('SELECT id FROM bt WHERE k >= 5002 ORDER BY k DESC LIMIT 50')).rows.map((r) => Number(r.id));
    assert.ok(own.includes(90002), 'the uncommitted row is in the ordered scan');
    const after = (await c.query('SELECT id FROM bt WHERE id > 20000 ORDER BY id LIMIT 1')).rows[0].id;
    assert.equal(Number(after), 20011, 'the deleted rows are not');
  } finally {
    await c.query('ROLLBACK');
  }
});
