/**
 * Sorts, hash aggregates and hash joins past work_mem spill to temp files in
 * `<data dir>/tmp` (src/executor/spill/) and answer exactly what they answer in memory;
 * their files are gone when the statement ends, however it ends (done, cancelled, timed
 * out). DISTINCT, set operations, nested loops, ordered aggregates and window aggregates
 * still fail with 53200 naming work_mem.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sendCancelRequest } from '../bench/util.js';
import { RowDecoder, RowEncoder } from '../src/executor/spill/row-codec.js';
import { SpillFile } from '../src/executor/spill/temp-files.js';
import type { Value } from '../src/types/types.js';
import { connectClient, startQuiver, type QuiverServer } from './support/server.js';

let server: QuiverServer;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'quiver-spill-'));
  // a crashed server's temp file: the next start removes it
  mkdirSync(join(dataDir, 'tmp'));
  writeFileSync(join(dataDir, 'tmp', 'quiver_tmp.1.0.sort'), 'left over');
  server = await startQuiver({ dataDir, args: ['--query-workers', '0'] });
});

after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function client(): Promise<pg.Client> {
  return connectClient(server, 'postgres');
}

const tempFiles = (): string[] => readdirSync(join(dataDir, 'tmp'));

test('rows of every runtime value kind come back from a temp file as they went in', () => {
  const segment = new Float32Array(64).map((_, i) => i / 3);
  const rows: Value[][] = [
    [null, true, false, 0, -0, 1.5, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 53, 12n, -(2n ** 100n)],
    ['', 'héllo ✓ 𝄞', Buffer.from([0, 1, 255]), segment.subarray(5, 13), new Float32Array([1.25, -0])],
    [{ months: 1, days: -2, micros: 3.5e12 }, { dim: 10, indices: new Int32Array([1, 7]), values: new Float32Array([0.5, -2]) }],
    [[1, [2, null], 'a'], [], [[new Float32Array([3])]]],
    [],
  ];
  const dir = mkdtempSync(join(tmpdir(), 'quiver-codec-'));
  try {
    const f = new SpillFile(join(dir, 'f'));
    // a row bigger than the read buffer sits in the middle
    const huge = ['y'.repeat(700_000), 1];
    for (let i = 0; i < 2000; i++) {
      for (const r of rows) f.append(r);
      if (i === 1000) f.append(huge);
    }
    const reader = f.reader(7);
    let n = 0;
    let sawHuge = false;
    for (let batch = reader.next(); batch; batch = reader.next()) {
      for (const r of batch) {
        if (n === 1001 * rows.length && !sawHuge) { assert.deepEqual(r, huge); sawHuge = true; continue; }
        assert.deepEqual(r, rows[n++ % rows.length]);
      }
    }
    assert.ok(sawHuge);
    assert.equal(n, 2000 * rows.length);
    const back = reader.next();
    assert.equal(back, null);
    // a vector read back owns its memory (not the segment's)
    const enc = new RowEncoder();
    enc.write([segment.subarray(5, 13)]);
    const v = RowDecoder.decodeAt(enc.take(), 0)[0] as Float32Array;
    assert.equal(v.buffer.byteLength, 32);
    assert.ok(Object.is((RowDecoder.decodeAt((enc.write([-0]), enc.take()), 0)[0]), -0));
    f.remove();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the server clears a crashed server\'s temp files at start', () => {
  assert.deepEqual(tempFiles(), []);
});

test('past work_mem a sort, a hash aggregate and a hash join spill and answer exactly as in memory', async () => {
  const c = await client();
  try {
    await c.query('CREATE TABLE sp (id int, label text, v vector(4), n numeric, big bigint, k int, ts timestamp)');
    await c.query(`INSERT INTO sp SELECT i, 'label ' || (i * 7919 % 200000), ARRAY[i, -i, i / 3.0, 0]::vector(4), (i % 977) / 7.0, (i::bigint * 1000003) % 100000, i * 7 % 250000, '2024-01-01'::timestamp + i * interval '1 minute'
      FROM generate_series(1, 200000) i`);
    await c.query("INSERT INTO sp (id, label) VALUES (NULL, 'no id'), (200001, NULL)");
    // a spilled hash join's Hash shows PostgreSQL's "Buckets: n  Batches: n (originally m)  Memory Usage: …"
    const queries: [string, string, string, number][] = [
      ['sort', 'SELECT id, label, v, n, ts FROM sp ORDER BY label DESC, n, id', 'Sort Method: external merge  Disk: ', 200002],
      // ties (n has 977 values) keep their input order: the sort is stable
      ['stable sort', 'SELECT id, n FROM sp ORDER BY n', '', 200002],
      ['hash aggregate', 'SELECT big, count(*), sum(id), max(label), avg(n) FROM sp GROUP BY big', 'Batches: ', 100001],
      ['hash join', 'SELECT a.id, b.label, b.v, b.ts FROM sp a JOIN sp b ON b.id = a.k', 'Buckets: ', 0],
      // the smaller input is hashed, here the left one (EXPLAIN: Hash over sp a)
      ['hash join, left input hashed', 'SELECT a.id, a.label, b.id, b.n FROM sp a JOIN sp b ON b.k = a.id WHERE a.id <= 120000', 'Buckets: ', 0],
      // unmatched rows of both sides, NULL keys among them
      ['full join', 'SELECT a.id, b.id FROM sp a FULL JOIN sp b ON b.id = a.k', '', 0],
      // a key computed per row on its side (join-keys.ts)
      ['hash join on an expression key', 'SELECT a.id, b.id, b.label FROM sp a JOIN sp b ON b.id = a.k + 1', 'Buckets: ', 0],
      // a LEFT JOIN hashing its left input (b.k + 1 has no statistics): Hash Right Join, the
      // hashed side's unmatched rows NULL-extended last, partition by partition
      ['left join, left input hashed', 'SELECT a.id, a.label, b.id FROM sp a LEFT JOIN sp b ON a.id = b.k + 1', 'Buckets: ', 0],
    ];
    const expected: unknown[][][] = [];
    for (const [, sql] of queries) expected.push((await c.query({ text: sql, rowMode: 'array' })).rows);
    await c.query("SET work_mem = '1MB'");
    for (let i = 0; i < queries.length; i++) {
      const [what, sql, detail, count] = queries[i];
      const rows = (await c.query({ text: sql, rowMode: 'array' })).rows;
      assert.equal(rows.length, count || expected[i].length, what);
      const sorted = (x: unknown[][]) => what.includes('sort') ? x : x.map((r) => JSON.stringify(r)).sort();
      assert.deepEqual(sorted(rows), sorted(expected[i]), what);
      assert.deepEqual(tempFiles(), [], `${what}: temp files left`);
      if (!detail) continue;
      const plan = (await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sql}`)).rows.map((r) => r['QUERY PLAN'] as string);
      assert.ok(plan.some((l) => l.trim().startsWith(detail)), `${what}:\n${plan.join('\n')}`);
      if (what === 'left join, left input hashed') assert.ok(plan.some((l) => l.trim().startsWith('Hash Right Join')), plan.join('\n'));
      if (what.includes('left input hashed')) {
        const hash = plan.findIndex((l) => /^->  Hash\b/.test(l.trim()));
        assert.match(plan.slice(hash + 1).find((l) => l.includes(' Scan ')) ?? '', /Seq Scan on sp a\b/, plan.join('\n'));
      }
    }
    // in memory, EXPLAIN ANALYZE says so too
    await c.query('RESET work_mem');
    const plan = (await c.query('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM sp WHERE id < 100 ORDER BY label')).rows.map((r) => r['QUERY PLAN'] as string);
    assert.ok(plan.some((l) => /^ +Sort Method: quicksort {2}Memory: \d+kB$/.test(l)), plan.join('\n'));
  } finally {
    await c.query('DROP TABLE IF EXISTS sp').catch(() => {});
    await c.end();
  }
});

test('a spilling sort stops at cancel and statement_timeout with 57014 and leaves no temp files', async () => {
  const c = await client();
  const other = await client();
  try {
    await c.query("SET work_mem = '64kB'");
    const sql = 'SELECT x FROM generate_series(1, 3000000) x ORDER BY x % 1000, x DESC';
    const q = c.query(sql).then(() => assert.fail('the sort was not cancelled'), (e: Error & { code?: string }) => e);
    // wait until it has spilled
    for (let i = 0; i < 200 && tempFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(tempFiles().length > 0, 'the sort did not spill');
    // other sessions are served meanwhile
    const t0 = performance.now();
    assert.equal((await other.query('SELECT 1 AS one')).rows[0].one, 1);
    assert.ok(performance.now() - t0 < 500, `a short query waited ${(performance.now() - t0).toFixed(0)} ms`);
    await sendCancelRequest(c);
    const e = await q;
    assert.equal(e.code, '57014', e.message);
    assert.deepEqual(tempFiles(), []);
    await c.query("SET statement_timeout = '700ms'");
    await assert.rejects(c.query(sql), (err: Error & { code?: string }) => {
      assert.equal(err.code, '57014');
      assert.equal(err.message, 'canceling statement due to statement timeout');
      return true;
    });
    assert.deepEqual(tempFiles(), []);
    await c.query('RESET statement_timeout');
    assert.equal((await c.query('SELECT count(*)::int AS n FROM (SELECT x FROM generate_series(1, 100000) x ORDER BY x DESC) s')).rows[0].n, 100000);
  } finally {
    await c.end();
    await other.end();
  }
});

test('a window over more rows than work_mem holds: its Sort spills, the window holds one partition at a time', async () => {
  const c = await client();
  try {
    await c.query("SET work_mem = '1MB'");
    const plan = (await c.query('EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT sum(rn), count(*) FROM (SELECT row_number() OVER (PARTITION BY x % 1000 ORDER BY x DESC) AS rn FROM generate_series(1, 200000) x) s')).rows.map((r) => r['QUERY PLAN'] as string);
    assert.ok(plan.some((l) => /Sort Method: external merge/.test(l)), plan.join('\n'));
    // 1000 partitions of 200 rows: row numbers 1..200 in each
    const r = await c.query('SELECT sum(rn)::int8 AS s, count(*)::int AS n, max(rn)::int AS m FROM (SELECT row_number() OVER (PARTITION BY x % 1000 ORDER BY x DESC) AS rn FROM generate_series(1, 200000) x) s');
    assert.deepEqual(r.rows[0], { s: String(1000 * (200 * 201) / 2), n: 200000, m: 200 });
    assert.deepEqual(tempFiles(), []);
  } finally {
    await c.end();
  }
});

test('what cannot spill yet fails with 53200 naming work_mem', async () => {
  const c = await client();
  const queries: [string, string][] = [
    ['DISTINCT', 'SELECT count(*) FROM (SELECT DISTINCT x FROM generate_series(1, 200000) x) s'],
    ['set operation', 'SELECT count(*) FROM (SELECT x FROM generate_series(1, 200000) x UNION SELECT 1) s'],
    ['join', 'SELECT count(*) FROM generate_series(1, 10) a JOIN generate_series(1, 200000) b ON a < b'],
    ['hash aggregate', "SELECT count(*) FROM (SELECT x % 10 AS g, string_agg(x::text, ',' ORDER BY x) FROM generate_series(1, 200000) x GROUP BY 1) s"],
    // (the window's result read: an unread one is not computed, unread-window-functions.ts)
    ['window aggregate', 'SELECT count(w) FROM (SELECT x, sum(x) OVER (PARTITION BY x % 2) AS w FROM generate_series(1, 200000) x) s'],
  ];
  try {
    await c.query("SET work_mem = '1MB'");
    for (const [what, sql] of queries) {
      await assert.rejects(c.query(sql), (e: Error & { code?: string; detail?: string }) => {
        assert.equal(e.code, '53200', `${what}: ${e.message}`);
        assert.match(e.detail ?? '', new RegExp(`^The ${what} needs more than work_mem \\(1MB\\)`));
        return true;
      });
    }
    assert.deepEqual(tempFiles(), []);
  } finally {
    await c.end();
  }
});
