/**
 * COPY FROM STDIN parses its CopyData a time slice at a time (engine/copy-statement.ts,
 * the streams' push/resume in engine/copy.ts). A busy socket hands the connection
 * megabytes of CopyData at once, and the connection hands each message to the COPY without
 * a turn of the event loop in between: they were parsed in one piece (40–85 ms, with GC,
 * for binary rows of 128-d vectors, through the server) that every other session waited
 * out. Here the messages are handed over the way the connection does (wire/connection.ts
 * receiveCopyData: the next one once the COPY's promise for the last one settled), all
 * of them waiting at once. No piece holds the loop for most of that time (a ratio, not a
 * bound in milliseconds: the machine is shared); the rows, the count and the errors are
 * the same whatever the pieces (test/engine-copy-stream-slices.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyHeader, copyTrailer, encodeRows } from '../bench/copy-binary.js';
import type { Value } from '../src/types/types.js';
import { blocking } from './support/event-loop-blocks.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

const DIM = 128;
/** no piece may be this share of the parse's time or more (the old code: one piece, 1.00; this one 0.04-0.22 at load 6-13) */
const SHARE = 0.5;

let s: EngineSession;

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);

before(async () => {
  s = await openEngineSession('quiver-copy-turns-');
});

after(() => s.close());

function vectors(n: number): Float32Array {
  const v = new Float32Array(n * DIM);
  let s = 7;
  for (let i = 0; i < v.length; i++) v[i] = ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  return v;
}

/** The COPY's CopyData messages handed over as the connection does, timed; then CopyDone. */
async function copied(table: string, rows: number, format: string, payloads: readonly Buffer[]): Promise<void> {
  await sql(`CREATE TABLE ${table} (id bigint, sel int, embedding vector(${DIM}))`);
  const r = await s.backend.execute(s.backend.prepare(`COPY ${table} FROM STDIN (FORMAT ${format})`, []), []);
  assert.equal(r.kind, 'copyIn');
  if (r.kind !== 'copyIn') return;
  const { share, longest, total } = await blocking(async () => {
    for (const p of payloads) {
      const parsing = r.accept!(p);
      if (parsing) await parsing;
    }
  });
  console.log(`# ${format}: CopyData parsed in ${total.toFixed(0)} ms, longest piece ${longest.toFixed(1)} ms (share ${share.toFixed(2)})`);
  assert.ok(share < SHARE, `${format}: the CopyData held the loop ${longest.toFixed(1)} of its ${total.toFixed(0)} ms in one piece`);
  assert.deepEqual(await r.finish([]), { tag: `COPY ${rows}` });
  const [[n, ids, sels, first]] = await sql(`SELECT count(*)::int, sum(id)::float8, sum(sel)::int, (SELECT embedding FROM ${table} WHERE id = 1) FROM ${table}`);
  assert.deepEqual([n, ids, sels], [rows, (rows * (rows - 1)) / 2, rows * 3]);
  assert.equal((first as Float32Array).length, DIM);
  await sql(`DROP TABLE ${table}`);
}

test('binary COPY of 128-d vectors: CopyData waiting at once is parsed in short pieces', async () => {
  const n = 100_000;
  const v = vectors(n);
  const sel = new Int32Array(n).fill(3);
  // 1,000 rows (~0.5 MB) a message
  const payloads = [copyHeader()];
  for (let from = 0; from < n; from += 1000) payloads.push(encodeRows(v, DIM, sel, from, Math.min(n, from + 1000)));
  payloads.push(copyTrailer());
  await copied('copy_turns_binary', n, 'binary', payloads);
});

for (const format of ['text', 'csv'] as const) {
  test(`${format} COPY of 128-d vectors: CopyData waiting at once is parsed in short pieces`, async () => {
    const n = 20_000;
    const v = vectors(n);
    const sep = format === 'csv' ? ',' : '\t';
    const line = (i: number) => {
      const vec = `[${Array.from(v.subarray(i * DIM, (i + 1) * DIM)).join(',')}]`;
      return `${i}${sep}3${sep}${format === 'csv' ? `"${vec}"` : vec}\n`;
    };
    // 500 rows a message, one of them split inside a row
    const text = Array.from({ length: n }, (_, i) => line(i)).join('');
    const payloads: Buffer[] = [];
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; at += 700_001) payloads.push(bytes.subarray(at, Math.min(bytes.length, at + 700_001)));
    await copied(`copy_turns_${format}`, n, format, payloads);
  });
}
