/**
 * COPY into a table with unique keys inserts each 4,096-row batch a piece at a time between
 * time slices (copy-statement.ts, insertRowsRoutedInPieces in executor/dml.ts), where the
 * batch's NOT NULL checks and its row-by-row inserts were one piece, kept whole so that the
 * first error stays the one PostgreSQL reports. The steps keep their order within a batch
 * (every row's CHECK constraints, then NOT NULL, then the inserts that meet the keys), so
 * the first error is still the same: a NULL late in a batch wins over a duplicate early in
 * it, a duplicate in one batch over a NULL in the next.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../src/types/types.js';
import { blocking } from './support/event-loop-blocks.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

/** no piece may be this share of the COPY's checks and inserts or more (the old code: about 0.9, the batch in one piece) */
const SHARE = 0.5;

let s: EngineSession;
const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);

before(async () => {
  s = await openEngineSession('quiver-copy-keyed-turns-');
});
after(() => s.close());

/**
 * COPY FROM STDIN with `text` as one CopyData message; its parse, checks and inserts (whole
 * batches are inserted as they are parsed, the rest at the finish) and commit timed
 */
async function copyIn(table: string, text: string) {
  const r = await s.backend.execute(s.backend.prepare(`COPY ${table} FROM STDIN`, []), []);
  assert.equal(r.kind, 'copyIn');
  if (r.kind !== 'copyIn') throw new Error('no COPY');
  return blocking(async () => {
    const parsing = r.accept!(Buffer.from(text));
    if (parsing) await parsing;
    return r.finish([]).then((x) => x, (e: { code?: string; message?: string; fields?: { where?: string } }) => e);
  });
}

const lines = (from: number, to: number, line: (i: number) => string) => Array.from({ length: to - from }, (_, k) => line(from + k)).join('');

const RUNS = 6;

test('a 4,096-row batch into a table with four unique keys is inserted between time slices', async () => {
  await sql('CREATE TABLE keyed (id bigint PRIMARY KEY, name text UNIQUE NOT NULL, code text UNIQUE, pair int, note text, UNIQUE (pair, note))');
  let best = Number.POSITIVE_INFINITY;
  // best of 6: a batch is ~40 ms, so one garbage collection or a busy machine's scheduling
  // can double a piece's share (a fresh-clone CI at load ~6 had 0.57 as its best of 3; the
  // unsliced insert holds 0.99-1.00 every time)
  for (let run = 0; run < RUNS; run++) {
    const base = run * 4096;
    // in a transaction block: the COPY is the batch's parse, checks and inserts (the commit,
    // sliced on its own, comes with COMMIT)
    await sql('BEGIN');
    const done = await copyIn('keyed', lines(base, base + 4096, (i) => `${i}\tname ${i}\tcode-${i * 7}\t${i}\tnote ${i % 97}\n`));
    await sql('COMMIT');
    assert.deepEqual(done.result, { tag: 'COPY 4096' });
    console.log(`# batch of 4096 keyed rows: ${done.total.toFixed(0)} ms, longest piece ${done.longest.toFixed(1)} ms (share ${done.share.toFixed(2)})`);
    best = Math.min(best, done.share);
  }
  assert.ok(best < SHARE, `the batch held the loop for ${best.toFixed(2)} of the COPY in one piece (best of ${RUNS})`);
  assert.deepEqual(await sql('SELECT count(*)::int, count(DISTINCT name)::int, count(DISTINCT code)::int FROM keyed'), [[RUNS * 4096, RUNS * 4096, RUNS * 4096]]);
  await sql('DROP TABLE keyed');
});

test('the first error of a keyed COPY is the same: NOT NULL late in a batch before a duplicate early in it; a duplicate before a NULL in the next batch', async () => {
  await sql('CREATE TABLE keyed_err (id bigint PRIMARY KEY, name text NOT NULL)');
  await sql("INSERT INTO keyed_err VALUES (5, 'five')");
  // batch 1: id 5 again at line 11, a NULL name at line 3001
  const nullLate = await copyIn('keyed_err', lines(0, 4096, (i) => (i === 10 ? '5\tdup\n' : i === 3000 ? `${1000 + i}\t\\N\n` : `${1000 + i}\tn${i}\n`)));
  const e1 = nullLate.result as { code?: string; message?: string; fields?: { where?: string } };
  assert.equal(e1.code, '23502');
  assert.match(e1.fields?.where ?? '', /line 3001/);
  // a duplicate at line 11 in batch 1, a NULL at line 4101 in batch 2
  const dupFirst = await copyIn('keyed_err', lines(0, 6000, (i) => (i === 10 ? '5\tdup\n' : i === 4100 ? `${1000 + i}\t\\N\n` : `${1000 + i}\tn${i}\n`)));
  const e2 = dupFirst.result as { code?: string; message?: string; fields?: { where?: string } };
  assert.equal(e2.code, '23505');
  assert.equal(e2.message, 'duplicate key value violates unique constraint "keyed_err_pkey"');
  assert.match(e2.fields?.where ?? '', /line 11\b/);
  // all or nothing
  assert.deepEqual(await sql('SELECT count(*)::int FROM keyed_err'), [[1]]);
  await sql('DROP TABLE keyed_err');
});

test('a keyed COPY into a partitioned table: rows routed to their partitions, a duplicate refused, all or nothing', async () => {
  await sql('CREATE TABLE parted (id bigint PRIMARY KEY, name text NOT NULL) PARTITION BY RANGE (id)');
  await sql('CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (5000)');
  await sql('CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (5000) TO (20000)');
  const ok = await copyIn('parted', lines(0, 9000, (i) => `${(i * 7919) % 10000}\tn${i}\n`));
  assert.deepEqual(ok.result, { tag: 'COPY 9000' });
  const low = Array.from({ length: 9000 }, (_, i) => (i * 7919) % 10000).filter((id) => id < 5000).length;
  assert.deepEqual(await sql('SELECT (SELECT count(*)::int FROM parted_low), (SELECT count(*)::int FROM parted_high)'), [[low, 9000 - low]]);
  const dup = await copyIn('parted', lines(0, 5000, (i) => (i === 4000 ? '7\tagain\n' : `${10000 + i}\tm${i}\n`)));
  const e = dup.result as { code?: string; fields?: { where?: string } };
  assert.equal(e.code, '23505');
  assert.match(e.fields?.where ?? '', /line 4001\b/);
  assert.deepEqual(await sql('SELECT count(*)::int FROM parted'), [[9000]]);
  await sql('DROP TABLE parted');
});
