/**
 * A binary COPY big enough to be a bulk load decodes its vectors into column blocks
 * (storage/column-blocks.ts) and the segment written at commit takes them as its vector
 * column: the vectors read back are views of that very memory (not copied a second time).
 * Where the run breaks — a NULL vector, rows of the transaction before the COPY — the
 * segment copies as before; the values are the same either way. The blocks' crc is taken
 * in a worker as they fill (storage/column-block-crc.ts) and combined into the file's: a
 * wrong one would make the restart refuse the segment file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { blockCrcsIdle } from '../src/storage/column-block-crc.js';
import { isColumnBlock } from '../src/storage/column-blocks.js';
import { crc32Combine } from '../src/storage/crc32-combine.js';
import type { Value } from '../src/types/types.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

const DIM = 16;
const ROWS = 10_000;
let s: EngineSession;

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);

before(async () => {
  s = await openEngineSession('quiver-copy-blocks-');
});

after(() => s.close());

const element = (i: number, d: number) => Math.fround(Math.sin(i * 0.7 + d));

/** binary COPY data of (id int, v vector(dim)); `nullAt` has a NULL vector */
function copyData(nullAt?: number, DIM = 16): Buffer[] {
  const out = [Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)])];
  for (let from = 0; from < ROWS; from += 1000) {
    const parts: Buffer[] = [];
    for (let i = from; i < from + 1000; i++) {
      const b = Buffer.alloc(2 + 8 + 4 + (i === nullAt ? 0 : 4 + 4 * DIM));
      let o = b.writeInt16BE(2, 0);
      o = b.writeInt32BE(4, o);
      o = b.writeInt32BE(i, o);
      if (i === nullAt) {
        b.writeInt32BE(-1, o);
      } else {
        o = b.writeInt32BE(4 + 4 * DIM, o);
        o = b.writeInt16BE(DIM, o);
        o = b.writeInt16BE(0, o);
        for (let d = 0; d < DIM; d++) o = b.writeFloatBE(element(i, d), o);
      }
      parts.push(b);
    }
    out.push(Buffer.concat(parts));
  }
  out.push(Buffer.from([0xff, 0xff]));
  return out;
}

async function copy(table: string, data: Buffer[], beforeFinish?: () => Promise<void>): Promise<void> {
  const r = await s.backend.execute(s.backend.prepare(`COPY ${table} FROM STDIN (FORMAT binary)`, []), []);
  assert.equal(r.kind, 'copyIn');
  if (r.kind !== 'copyIn') return;
  for (const p of data) {
    const parsing = r.accept!(p);
    if (parsing) await parsing;
  }
  await beforeFinish?.();
  assert.deepEqual(await r.finish([]), { tag: `COPY ${ROWS}` });
}

/** every row's vector as stored, and how many of them are views of a column block */
async function stored(table: string, nullAt?: number, DIM = 16): Promise<number> {
  const rows = await sql(`SELECT id, v FROM ${table} ORDER BY id`);
  let inBlocks = 0;
  const ids = rows.map((r) => r[0] as number).filter((id) => id >= 0);
  assert.equal(ids.length, ROWS);
  for (const [id, v] of rows) {
    if ((id as number) < 0) continue;
    if (id === nullAt) {
      assert.equal(v, null);
      continue;
    }
    const vec = v as Float32Array;
    assert.deepEqual(Array.from(vec), Array.from({ length: DIM }, (_, d) => element(id as number, d)), `row ${id}`);
    if (isColumnBlock(vec.buffer)) inBlocks++;
  }
  return inBlocks;
}

test('a bulk binary COPY: the segment\'s vector column is the memory the COPY decoded into', async () => {
  await sql(`CREATE TABLE blocks_plain (id int, v vector(${DIM}))`);
  await copy('blocks_plain', copyData());
  assert.equal(await stored('blocks_plain'), ROWS);
  // the segment file written from them holds the same vectors
  await s.restart();
  assert.equal(await stored('blocks_plain'), 0);
});

test('a NULL vector or earlier rows of the transaction: copied as before, same values', async () => {
  await sql(`CREATE TABLE blocks_null (id int, v vector(${DIM}))`);
  await copy('blocks_null', copyData(4321));
  assert.equal(await stored('blocks_null', 4321), 0);

  await sql(`CREATE TABLE blocks_tx (id int, v vector(${DIM}))`);
  await sql('BEGIN');
  await sql(`INSERT INTO blocks_tx VALUES (-1, '[${Array(DIM).fill(1).join(',')}]')`);
  await copy('blocks_tx', copyData());
  await sql('COMMIT');
  assert.equal(await stored('blocks_tx'), 0);
  assert.equal((await sql('SELECT count(*)::int FROM blocks_tx'))[0][0], ROWS + 1);
});

test('crc32Combine is the crc32 of the concatenation (zlib\'s crc32_combine)', () => {
  const bytes = Buffer.alloc(300_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 9)) & 255;
  for (const [a, n] of [[0, 0], [0, 1], [1, 0], [3, 5], [100, 1000], [12_345, 250_000], [1, 299_999]]) {
    const whole = crc32(bytes.subarray(0, a + n));
    assert.equal(crc32Combine(crc32(bytes.subarray(0, a)), crc32(bytes.subarray(a, a + n)), n), whole, `${a} + ${n}`);
  }
});

test('a bulk COPY whose block crc was taken while it came: the file\'s crc is right (the restart checks it)', async () => {
  // 10,000 × vector(512): 20 MB of block, past the first crc step (16 MB)
  const dim = 512;
  await sql(`CREATE TABLE blocks_crc (id int, v vector(${dim}))`);
  await copy('blocks_crc', copyData(undefined, dim), blockCrcsIdle);
  assert.equal(await stored('blocks_crc', undefined, dim), ROWS);
  await s.restart();
  assert.equal(await stored('blocks_crc', undefined, dim), 0);
});
