/**
 * COPY FROM STDIN inserts its rows a batch (4,096 rows) at a time while the data still comes
 * (copy-statement.ts CopyInserts), as PostgreSQL inserts each row as it reads it: the first
 * error is the first row's that fails, whether it fails a key or its own parse, and a COPY
 * that ends in an error, a CopyFail or a cancel after batches went in leaves none of them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../src/errors.js';
import type { Value } from '../src/types/types.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

let s: EngineSession;
const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);

before(async () => {
  s = await openEngineSession('quiver-copy-streamed-');
  await sql('CREATE TABLE streamed (id bigint PRIMARY KEY, name text NOT NULL)');
  await sql("INSERT INTO streamed VALUES (5, 'five')");
});
after(() => s.close());

const lines = (from: number, to: number, line: (i: number) => string) => Array.from({ length: to - from }, (_, k) => line(from + k)).join('');

/** COPY with `payloads` as CopyData messages, then CopyDone (or `fail` as CopyFail); the result or error */
async function copyIn(payloads: string[], fail?: SqlError): Promise<{ tag: string } | { code?: string; message?: string; fields?: { where?: string } }> {
  const r = await s.backend.execute(s.backend.prepare('COPY streamed FROM STDIN', []), []);
  if (r.kind !== 'copyIn') throw new Error('no COPY');
  for (const p of payloads) {
    const parsing = r.accept!(Buffer.from(p));
    if (parsing) await parsing;
  }
  return r.finish(fail ?? []).then((x) => x, (e: { code?: string; message?: string; fields?: { where?: string } }) => e);
}

const count = async () => (await sql('SELECT count(*)::int FROM streamed'))[0]![0];

test('a duplicate key in the first batch is the error, not a bad line that comes after it (PostgreSQL stops at the first)', async () => {
  const first = lines(0, 5000, (i) => (i === 10 ? '5\tdup\n' : `${1000 + i}\tn${i}\n`));
  const later = lines(5000, 6000, (i) => (i === 5900 ? 'x\tbad\n' : `${1000 + i}\tn${i}\n`));
  const e = await copyIn([first, later]) as { code?: string; message?: string; fields?: { where?: string } };
  assert.equal(e.code, '23505');
  assert.equal(e.message, 'duplicate key value violates unique constraint "streamed_pkey"');
  assert.match(e.fields?.where ?? '', /line 11\b/);
  assert.equal(await count(), 1, 'all or nothing');
});

test('a bad line before the first whole batch is the error (nothing was inserted yet)', async () => {
  const e = await copyIn([lines(0, 100, (i) => (i === 50 ? 'x\tbad\n' : `${1000 + i}\tn${i}\n`)), lines(100, 5000, (i) => (i === 4000 ? '5\tdup\n' : `${1000 + i}\tn${i}\n`))]) as { code?: string; fields?: { where?: string } };
  assert.equal(e.code, '22P02');
  assert.match(e.fields?.where ?? '', /line 51\b/);
  assert.equal(await count(), 1);
});

test('rows of batches inserted before a CopyFail or a cancel are gone; the next COPY loads', async () => {
  const e = await copyIn([lines(0, 9000, (i) => `${1000 + i}\tn${i}\n`)], new SqlError('57014', 'canceling statement due to user request'));
  assert.equal((e as { code?: string }).code, '57014');
  assert.equal(await count(), 1);
  // in a transaction block: the rows before the COPY stay until the transaction ends
  await sql('BEGIN');
  await sql("INSERT INTO streamed VALUES (6, 'six')");
  const f = await copyIn([lines(0, 9000, (i) => `${1000 + i}\tn${i}\n`)], new SqlError('57014', 'COPY from stdin failed: client gave up'));
  assert.equal((f as { code?: string }).code, '57014');
  await sql('ROLLBACK');
  assert.equal(await count(), 1);
  assert.deepEqual(await copyIn([lines(0, 9000, (i) => `${1000 + i}\tn${i}\n`)]), { tag: 'COPY 9000' });
  assert.equal(await count(), 9001);
  // the keys of the undone rows were free again
  assert.deepEqual(await sql('SELECT count(DISTINCT id)::int FROM streamed'), [[9001]]);
});
