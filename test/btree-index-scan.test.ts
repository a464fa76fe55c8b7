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
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
let c: pg.Client;

before(async () => {
  server = await startQuiver();
  c = await connectClient(server);
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
  return asIndexScan((await c.query(`EXPLAIN ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n'));
}

/**
 * PostgreSQL's Bitmap Heap Scan on one index (rules/use-bitmap-scan.ts; an uncorrelated
 * column after auto-analyze) written as the Index Scan it reads like: `Index Scan using idx`,
 * its Index Cond, then the heap scan's Filter, so the shapes below hold for both.
 */
function asIndexScan(text: string): string {
  const index = /Bitmap Index Scan on (\S+)/.exec(text);
  if (!index) return text;
  // under another node (an Aggregate): the index named
  if (!text.startsWith('Bitmap Heap Scan')) return `${text}\n(Index Scan using ${index[1]} as a bitmap)`;
  const cond = /Index Cond: (.*)/.exec(text)![1];
  const filter = /^ {2}Filter: (.*)$/m.exec(text)?.[1];
  return [`Index Scan using ${index[1]} (bitmap)`, `  Index Cond: ${cond}`, ...(filter ? [`  Filter: ${filter}`] : [])].join('\n');
}

/** rows as JSON text, both ways: through the index and with enable_indexscan and enable_bitmapscan off */
async function bothWays(sql: string, params: unknown[] = []): Promise<{ index: string[]; seq: string[] }> {
  const index = (await c.query(sql, params)).rows.map((r) => JSON.stringify(r));
  await c.query('SET enable_indexscan = off');
  await c.query('SET enable_bitmapscan = off');
  try {
    const seq = (await c.query(sql, params)).rows.map((r) => JSON.stringify(r));
    return { index, seq };
  } finally {
    await c.query('RESET enable_indexscan');
    await c.query('RESET enable_bitmapscan');
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
    assert.match(await plan(sql, params), /Index (Only )?Scan using bt_/, sql);
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
    assert.match(p, /Index (Only )?Scan( Backward)? using bt_/, sql);
    assert.doesNotMatch(p, /Sort/, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      // ties in k / d may come in another order: compare the ordered values (ids are unique)
      assert.deepEqual(index, seq, sql);
    }
  }
});

test('a nullable column without a range: its NULLs last forward, first backward, as the btree has them', async () => {
  for (const sql of ['SELECT k FROM bt ORDER BY k LIMIT 5', 'SELECT k FROM bt ORDER BY k DESC LIMIT 5', 'SELECT k FROM bt ORDER BY k DESC LIMIT 400 OFFSET 100',
    'SELECT k FROM bt ORDER BY k LIMIT 400 OFFSET 27400', 'SELECT k FROM bt WHERE id > 25000 ORDER BY k DESC LIMIT 50']) {
    assert.match(await plan(sql), /Index (Only )?Scan( Backward)? using bt_k/, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql);
      assert.deepEqual(index, seq, sql);
    }
  }
  const first = (await c.query('SELECT k FROM bt ORDER BY k DESC LIMIT 1')).rows[0].k;
  assert.equal(first, null, 'DESC puts NULLs first');
  const rows = Number((await c.query('SELECT count(*) AS n FROM bt')).rows[0].n);
  const last = (await c.query('SELECT k FROM bt ORDER BY k LIMIT 5 OFFSET $1', [rows - 5])).rows.map((r) => r.k);
  assert.deepEqual(last, [null, null, null, null, null], 'ASC puts NULLs last');
  // NULLS FIRST ascending is not the index's order: the Top-K stays
  const p = await plan('SELECT k FROM bt ORDER BY k NULLS FIRST LIMIT 5');
  assert.doesNotMatch(p, /Index (Only )?Scan/);
  const { index, seq } = await bothWays('SELECT k FROM bt ORDER BY k NULLS FIRST LIMIT 5');
  assert.deepEqual(index, seq);
});

test('IS NULL / IS NOT NULL are Index Conds: a sealed segment reads only its NULL rows, the same rows as a sequential scan', async () => {
  const isNull = 'SELECT id FROM bt WHERE k IS NULL';
  // an Index Scan, or (by PostgreSQL's costs, rules/use-bitmap-scan.ts) a Bitmap Heap Scan on the index
  assert.match(await plan(isNull), /Index (Only )?Scan using bt_k[^\n]*\n\s+Index Cond: \(k IS NULL\)/);
  for (let round = 0; round < 2; round++) {
    const { index, seq } = await bothWays(isNull);
    assert.deepEqual([...index].sort(), [...seq].sort());
    assert.ok(seq.length > 200, 'NULLs in every sealed segment');
  }
  for (const sql of ['SELECT k FROM bt WHERE k IS NOT NULL ORDER BY k LIMIT 20', 'SELECT k FROM bt WHERE k IS NOT NULL ORDER BY k DESC LIMIT 20',
    'SELECT id FROM bt WHERE k IS NULL AND id > 20000 ORDER BY id LIMIT 10']) {
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql);
      assert.deepEqual(index, seq, sql);
    }
  }
  assert.match(await plan('SELECT k FROM bt WHERE k IS NOT NULL ORDER BY k DESC LIMIT 20'), /Index (Only )?Scan Backward using bt_k on bt[^\n]*\n\s+Index Cond: \(k IS NOT NULL\)/);
  // a transaction's own NULL row and its deleted one
  await c.query('BEGIN');
  try {
    await c.query('INSERT INTO bt VALUES (99001, NULL, NULL, \'own\')');
    await c.query('DELETE FROM bt WHERE id = 97');
    const { index, seq } = await bothWays(isNull);
    assert.deepEqual([...index].sort(), [...seq].sort());
    assert.ok(index.includes(JSON.stringify({ id: '99001' })) && !index.includes(JSON.stringify({ id: '97' })));
  } finally {
    await c.query('ROLLBACK');
  }
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

// ---------------------------------------------------------------------------------------
// float4/float8 (NaN, -0, ±Infinity), numeric, text/varchar (the C collation: code point
// order), LIKE 'prefix%', and a multi-column index (a, b): ranges bounded by a = x and a
// range on b, ORDER BY a, b and WHERE a = x ORDER BY b

async function loadTyped(): Promise<void> {
  await c.query('CREATE TABLE bty (id bigint PRIMARY KEY, t text, v varchar(30), f4 real, f8 float8, n numeric, a int, b text)');
  for (const col of ['t', 'v', 'f4', 'f8', 'n']) await c.query(`CREATE INDEX bty_${col} ON bty (${col})`);
  await c.query('CREATE INDEX bty_ab ON bty (a, b)');
  // sealed segments: scattered values with repeats, NULLs, NaN, -0, Infinity and non-ASCII text
  for (let s = 0; s < 2; s++) {
    await c.query(`INSERT INTO bty SELECT i,
        CASE WHEN i % 89 = 0 THEN NULL WHEN i % 7 = 0 THEN 'é' || (i % 50) WHEN i % 11 = 0 THEN '😀' || (i % 30) ELSE 'k' || ((i * 7919) % 3001) END,
        CASE WHEN i % 83 = 0 THEN NULL ELSE 'v' || ((i * 31) % 2003) END,
        CASE WHEN i % 101 = 0 THEN 'NaN'::real WHEN i % 103 = 0 THEN NULL WHEN i % 107 = 0 THEN '-0'::real ELSE ((i * 7919) % 4001) / 8.0 - 200 END,
        CASE WHEN i % 97 = 0 THEN 'NaN'::float8 WHEN i % 109 = 0 THEN 'Infinity'::float8 WHEN i % 113 = 0 THEN '-Infinity'::float8
             WHEN i % 127 = 0 THEN '-0'::float8 WHEN i % 131 = 0 THEN NULL ELSE ((i * 7919) % 4001) / 3.0 - 500 END,
        CASE WHEN i % 79 = 0 THEN NULL WHEN i % 137 = 0 THEN 'NaN'::numeric ELSE round(((i * 7919) % 5003) / 7.0, (i % 4)) END,
        i % 40, 'b' || ((i * 13) % 500)
      FROM generate_series($1::int, $2::int) i`, [s * 10000 + 1, (s + 1) * 10000]);
  }
  // the growing segment, deletes and updates across segments
  await c.query(`INSERT INTO bty SELECT i, 'k' || (i % 3001), 'v' || (i % 2003), (i % 400) - 200.5, (i % 3000) / 3.0 - 500, (i % 5003) / 7.0, i % 40, 'b' || (i % 500)
                 FROM generate_series(20001, 20400) i`);
  await c.query(`INSERT INTO bty VALUES (20401, 'k1', 'v1', 'NaN', 'NaN', 'NaN', 1, 'b1'), (20402, NULL, NULL, '-0', '-0', NULL, 1, NULL)`);
  await c.query('DELETE FROM bty WHERE id % 17 = 0');
  await c.query("UPDATE bty SET t = t || 'u', f8 = f8 + 1, n = n + 1 WHERE id % 19 = 0");
  // statistics now, not whenever the background ANALYZE gets to it: with PostgreSQL's index
  // costs an unanalyzed table's default third of the rows (t > 'é4') is a Seq Scan, as there
  await c.query('ANALYZE bty');
}

const TYPED_RANGES: [string, unknown[], RegExp][] = [
  ["SELECT id, t FROM bty WHERE t >= 'k10' AND t < 'k12'", [], /Index Cond: \(\(t >= 'k10'::text\) AND \(t < 'k12'::text\)\)/],
  ['SELECT id FROM bty WHERE t = $1', ['k100'], /bty_t/],
  // `=` through a text column's sorted values (a LIKE without a wildcard is `t = 'k100'`)
  ["SELECT id FROM bty WHERE t LIKE 'k100'", [], /Index Cond: \(t = 'k100'::text\)/],
  ["SELECT id, t FROM bty WHERE t > 'é4'", [], /bty_t/],
  ["SELECT id, t FROM bty WHERE t LIKE 'k12%'", [], /Index Cond: \(\(t >= 'k12'::text\) AND \(t < 'k13'::text\)\)\n\s+Filter: \(t ~~ 'k12%'::text\)/],
  ["SELECT id, t FROM bty WHERE t LIKE 'k1_0%'", [], /Index Cond: \(\(t >= 'k1'::text\) AND \(t < 'k2'::text\)\)/],
  ["SELECT id, t FROM bty WHERE t LIKE '😀1%'", [], /bty_t/],
  ["SELECT id, v FROM bty WHERE v BETWEEN 'v100' AND 'v1005'", [], /Index Cond: \(\(\(v\)::text >= 'v100'::text\) AND \(\(v\)::text <= 'v1005'::text\)\)/],
  ["SELECT id, v FROM bty WHERE v LIKE 'v199%'", [], /bty_v/],
  ['SELECT id, f4 FROM bty WHERE f4 > 290 AND f4 <= 300', [], /Index Cond: \(\(f4 > '290'::double precision\) AND \(f4 <= '300'::double precision\)\)/],
  ['SELECT id, f4 FROM bty WHERE f4 >= -0.1 AND f4 <= 0', [], /bty_f4/],
  ['SELECT id, f8 FROM bty WHERE f8 > 830', [], /bty_f8/],
  ["SELECT id, f8 FROM bty WHERE f8 >= 'Infinity'", [], /bty_f8/],
  ["SELECT id FROM bty WHERE f8 >= 'NaN'", [], /bty_f8/],
  ['SELECT id, f8 FROM bty WHERE f8 < -499', [], /bty_f8/],
  ['SELECT id FROM bty WHERE f8 >= 0 AND f8 <= -0', [], /bty_f8/],
  ['SELECT id, n FROM bty WHERE n BETWEEN 100 AND 101.5', [], /Index Cond: \(\(n >= '100'::numeric\) AND \(n <= 101.5\)\)/],
  // (a parameter's range alone is a third of the rows: a Seq Scan, as PostgreSQL's)
  ['SELECT id, n FROM bty WHERE n > $1 AND n < $2', ['714', '730'], /bty_n/],
  ["SELECT id FROM bty WHERE n >= 'NaN'", [], /bty_n/],
  // a multi-column index (a, b): every condition on a key column is in the Index Cond
  ["SELECT id, b FROM bty WHERE a > 37 AND b LIKE 'b4%'", [], /Index Cond: \(\(a > 37\) AND \(b >= 'b4'::text\) AND \(b < 'b5'::text\)\)\n\s+Filter: \(b ~~ 'b4%'::text\)/],
  ["SELECT id, b FROM bty WHERE a = 7 AND b > 'b3'", [], /Index Cond: \(\(a = 7\) AND \(b > 'b3'::text\)\)/],
  ["SELECT id, b FROM bty WHERE b < 'b2' AND a = 7 AND b >= 'b1'", [], /Index Cond: \(\(a = 7\) AND \(b < 'b2'::text\) AND \(b >= 'b1'::text\)\)/],
  ['SELECT id, b FROM bty WHERE a = $1 AND b >= $2 AND b < $3', [7, 'b2', 'b3'], /bty_ab/],
  ["SELECT id, b FROM bty WHERE a = 1 AND b LIKE 'b4%'", [], /Index Cond: \(\(a = 1\) AND \(b >= 'b4'::text\) AND \(b < 'b5'::text\)\)/],
  ['SELECT id, b FROM bty WHERE a = 1', [], /Index Cond: \(a = 1\)/],
  ["SELECT id, b FROM bty WHERE a BETWEEN 3 AND 4 AND b < 'b2'", [], /Index Cond: \(\(a >= 3\) AND \(a <= 4\) AND \(b < 'b2'::text\)\)/],
];

test('text, varchar, float, numeric and LIKE ranges return the sequential scan\'s rows', async () => {
  await loadTyped();
  for (const [sql, params, shape] of TYPED_RANGES) {
    assert.match(await plan(sql, params), shape, sql);
    assert.match(await plan(sql, params), /Index (Only )?Scan using bty_/, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual([...index].sort(), [...seq].sort(), sql);
      assert.ok(seq.length > 0, `${sql}: the comparison is not empty`);
    }
  }
});

const TYPED_ORDERED: [string, unknown[]][] = [
  ["SELECT t FROM bty WHERE t > 'k2' ORDER BY t LIMIT 40", []],
  ["SELECT t FROM bty WHERE t >= '' ORDER BY t DESC LIMIT 60", []],
  ['SELECT t, id FROM bty WHERE t > $1 ORDER BY t LIMIT 30 OFFSET 5', ['k999']],
  ["SELECT v FROM bty WHERE v < 'v2' ORDER BY v DESC LIMIT 30", []],
  ["SELECT f8 FROM bty WHERE f8 > 800 ORDER BY f8 DESC LIMIT 40", []],
  ["SELECT f8 FROM bty WHERE f8 > 800 ORDER BY f8 LIMIT 400", []],
  ["SELECT f8 FROM bty WHERE f8 <= -400 ORDER BY f8 LIMIT 40", []],
  ["SELECT f4 FROM bty WHERE f4 > -1 ORDER BY f4 LIMIT 40", []],
  ["SELECT f4 FROM bty WHERE f4 > 299 ORDER BY f4 DESC LIMIT 40", []],
  ["SELECT n FROM bty WHERE n > 700 ORDER BY n DESC LIMIT 40", []],
  ["SELECT n FROM bty WHERE n < 2 ORDER BY n LIMIT 40", []],
  ["SELECT a FROM bty WHERE a >= 38 ORDER BY a LIMIT 40", []],
  // a multi-column index (a, b) in its order: b's NULLs last forward, first backward
  ['SELECT a, b FROM bty ORDER BY a, b LIMIT 50', []],
  ['SELECT a, b FROM bty ORDER BY a DESC, b DESC LIMIT 50 OFFSET 7', []],
  ['SELECT a, b FROM bty WHERE a = 1 ORDER BY b LIMIT 700', []],
  ['SELECT a, b FROM bty WHERE a = 1 ORDER BY b DESC LIMIT 30', []],
  ['SELECT b FROM bty WHERE a = $1 ORDER BY a, b LIMIT 20', [3]],
  ["SELECT b FROM bty WHERE a = 5 AND b > 'b3' ORDER BY b LIMIT 20", []],
  ["SELECT a, b FROM bty WHERE a >= 38 AND b < 'b3' ORDER BY a, b LIMIT 60", []],
];

test('ORDER BY a text, float or numeric indexed column with LIMIT: same values, same order (NaN last)', async () => {
  for (const [sql, params] of TYPED_ORDERED) {
    const p = await plan(sql, params);
    assert.match(p, /Index (Only )?Scan( Backward)? using bty_/, sql);
    assert.doesNotMatch(p, /Sort/, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual(index, seq, sql);
      assert.ok(seq.length > 0, sql);
    }
  }
  const top = (await c.query("SELECT f8::text AS f FROM bty WHERE f8 > 0 ORDER BY f8 DESC LIMIT 1")).rows[0].f;
  assert.equal(top, 'NaN', 'NaN sorts above Infinity');
});

test('a transaction sees its own text and float rows through the index', async () => {
  await c.query('BEGIN');
  try {
    await c.query("DELETE FROM bty WHERE t LIKE 'k10%'");
    await c.query(`INSERT INTO bty VALUES (90001, 'k101x', 'v1000', 299.5, 'NaN', 'NaN', 39, 'b4x'),
                                          (90002, 'k2', 'v19', 'NaN', 801, 700.5, 38, 'b49')`);
    for (const [sql, params] of [...TYPED_RANGES.map(([s, p]) => [s, p] as [string, unknown[]]), ...TYPED_ORDERED]) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual(sql.includes('ORDER BY') ? index : [...index].sort(), sql.includes('ORDER BY') ? seq : [...seq].sort(), sql);
    }
    const mine = (await c.query("SELECT id FROM bty WHERE t LIKE 'k10%'")).rows.map((r) => Number(r.id));
    assert.deepEqual(mine, [90001], 'the deleted rows are gone, the inserted one is there');
  } finally {
    await c.query('ROLLBACK');
  }
});

// ---------------------------------------------------------------------------------------
// the growing segment read through its rows' key order (storage/growing-key-order.ts),
// brought up to date between commits, deletes and updates

test('ranges and keyset pages over the growing segment while rows keep coming', async () => {
  await c.query('CREATE TABLE btg (id int PRIMARY KEY, k int, a int, b text)');
  await c.query('CREATE INDEX btg_k ON btg (k)');
  await c.query('CREATE INDEX btg_ab ON btg (a, b)');
  const queries: [string, unknown[]][] = [
    ['SELECT k FROM btg WHERE k > $1 ORDER BY k LIMIT 20', [500]],
    ['SELECT k FROM btg WHERE k >= $1 ORDER BY k DESC LIMIT 15', [0]],
    ['SELECT id, k FROM btg WHERE k BETWEEN $1 AND $2', [100, 160]],
    ["SELECT a, b FROM btg WHERE a = 3 AND b > 'b4' ORDER BY b LIMIT 10", []],
    ['SELECT a, b FROM btg ORDER BY a, b LIMIT 25', []],
    ['SELECT a, b FROM btg WHERE a = 4 ORDER BY b DESC LIMIT 12', []],
    ["SELECT id, b FROM btg WHERE a = 5 AND b >= 'b1' AND b < 'b3'", []],
  ];
  for (let round = 0; round < 6; round++) {
    const from = round * 300 + 1;
    await c.query(`INSERT INTO btg SELECT i, CASE WHEN i % 23 = 0 THEN NULL ELSE (i * 7919) % 1000 END, i % 10,
                     CASE WHEN i % 31 = 0 THEN NULL ELSE 'b' || ((i * 13) % 97) END FROM generate_series($1::int, $2::int) i`, [from, from + 299]);
    if (round % 2 === 1) {
      await c.query('DELETE FROM btg WHERE id % 7 = $1', [round]);
      await c.query("UPDATE btg SET k = k + 1, b = b || 'u' WHERE id % 11 = $1", [round]);
    }
    for (const [sql, params] of queries) {
      assert.match(await plan(sql, params), /Index (Only )?Scan( Backward)? using btg_/, sql);
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual(sql.includes('ORDER BY') ? index : [...index].sort(), sql.includes('ORDER BY') ? seq : [...seq].sort(), `${sql} (round ${round})`);
      assert.ok(seq.length > 0, sql);
    }
  }
  await c.query('DROP TABLE btg');
});

// ---------------------------------------------------------------------------------------
// boolean columns (`flag`, `NOT flag`, `flag IS TRUE` as PostgreSQL's btree takes them) and
// float equality, a float4 column against a float8 value included

test('boolean and float equality through the index return the sequential scan\'s rows', async () => {
  await c.query('CREATE TABLE btb (id int PRIMARY KEY, flag bool, n int, f4 real)');
  await c.query('CREATE INDEX btb_flag ON btb (flag)');
  await c.query('CREATE INDEX btb_n_flag ON btb (n, flag)');
  await c.query('CREATE INDEX btb_f4 ON btb (f4)');
  for (let s = 0; s < 2; s++) {
    await c.query(`INSERT INTO btb SELECT i, CASE WHEN i % 211 = 0 THEN NULL ELSE i % 97 = 0 END, i % 1000,
                     CASE WHEN i % 101 = 0 THEN '-0'::real ELSE (i % 800) / 4.0 END FROM generate_series($1::int, $2::int) i`, [s * 10000 + 1, (s + 1) * 10000]);
  }
  await c.query(`INSERT INTO btb SELECT i, i % 50 = 0, i % 1000, (i % 800) / 4.0 FROM generate_series(20001, 20400) i`);
  await c.query('DELETE FROM btb WHERE id % 17 = 0');
  await c.query('UPDATE btb SET flag = NOT flag WHERE id % 29 = 0');
  await c.query('ANALYZE btb');
  const queries: [string, unknown[], RegExp][] = [
    ['SELECT id FROM btb WHERE flag', [], /Index Cond: \(flag = true\)\n?$/],
    ['SELECT id FROM btb WHERE flag IS TRUE AND id > 5000', [], /Index Cond: \(flag = true\)\n\s+Filter: \(id > 5000\)/],
    ['SELECT id FROM btb WHERE flag = $1', [true], /btb_flag/],
    ['SELECT id, flag FROM btb WHERE n = 97 AND NOT flag', [], /Index Cond: \(\(n = 97\) AND \(flag = false\)\)/],
    ['SELECT id FROM btb WHERE n = 194 AND flag IS FALSE', [], /Index Cond: \(\(n = 194\) AND \(flag = false\)\)/],
    ['SELECT id FROM btb WHERE n = 194 AND flag', [], /Index Cond: \(\(n = 194\) AND \(flag = true\)\)/],
    ['SELECT id, f4 FROM btb WHERE f4 = 3.25', [], /Index Cond: \(f4 = '3.25'::double precision\)/],
    ['SELECT id, f4 FROM btb WHERE f4 = 0', [], /btb_f4/],
    ["SELECT id, f4 FROM btb WHERE f4 = '-0'::real", [], /btb_f4/],
  ];
  for (const [sql, params, shape] of queries) {
    assert.match(await plan(sql, params), shape, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual([...index].sort(), [...seq].sort(), sql);
      assert.ok(seq.length > 0, `${sql}: the comparison is not empty`);
    }
  }
  const ordered: [string, unknown[]][] = [
    ['SELECT n, flag FROM btb WHERE n >= 990 ORDER BY n, flag LIMIT 40', []],
    ['SELECT n, flag FROM btb WHERE n <= 3 ORDER BY n DESC, flag DESC LIMIT 40', []],
    ['SELECT flag FROM btb WHERE flag >= false ORDER BY flag DESC LIMIT 300', []],
    ['SELECT flag FROM btb WHERE flag ORDER BY flag LIMIT 5', []],
  ];
  for (const [sql, params] of ordered) {
    const p = await plan(sql, params);
    assert.match(p, /Index (Only )?Scan( Backward)? using btb_/, sql);
    assert.doesNotMatch(p, /Sort/, sql);
    for (let round = 0; round < 2; round++) {
      const { index, seq } = await bothWays(sql, params);
      assert.deepEqual(index, seq, sql);
      assert.ok(seq.length > 0, sql);
    }
  }
  await c.query('DROP TABLE btb');
});
