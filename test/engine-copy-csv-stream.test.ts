/**
 * COPY FROM STDIN in CSV format is parsed as the CopyData payloads arrive
 * (src/engine/copy.ts CsvCopyStream): a record split anywhere between two payloads —
 * inside a quoted field, between the two quotes of a doubled quote, between \r and \n,
 * inside a multi-byte character — parses as if it came whole, and only the unfinished
 * record is held, never the whole input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TableDef } from '../src/catalog/catalog.js';
import { CsvCopyStream, type CopyOptions } from '../src/engine/copy.js';
import { T, type Value } from '../src/types/types.js';
import { startQuiver } from './support/server.js';

const table = { name: 't', columns: [{ name: 'id', type: T.int4 }, { name: 'label', type: T.text }, { name: 'note', type: T.text }] } as unknown as TableDef;
const target = { table, columns: [0, 1, 2] };
const csv: CopyOptions = { format: 'csv', delimiter: ',', null: '', header: false, quote: '"', escape: '"', forceNotNull: [] };

function parse(chunks: Buffer[], opts = csv): Value[][] {
  const s = new CsvCopyStream(target, opts);
  for (const c of chunks) s.push(c);
  return [...s.end()];
}

const AWKWARD = Buffer.from([
  '1,plain,',
  '2,"quoted, with comma","two\nlines"',
  '3,"a ""doubled"" quote",""',
  '4,"é ✓ 𝄞 multi-byte",x',
  '5,"\r\nCRLF inside",tail\r',
  '6,"ends with quote""","""starts with quote"',
  '7,,"empty vs NULL"',
  '',
].join('\n').replace('tail\r\n', 'tail\r\n'));

test('a CSV record split at every byte between two payloads parses the same', () => {
  const whole = parse([AWKWARD]);
  assert.equal(whole.length, 7);
  assert.deepEqual(whole[1], [2, 'quoted, with comma', 'two\nlines']);
  assert.deepEqual(whole[2], [3, 'a "doubled" quote', '']);
  assert.deepEqual(whole[4], [5, '\r\nCRLF inside', 'tail']);
  assert.deepEqual(whole[5], [6, 'ends with quote"', '"starts with quote']);
  assert.deepEqual(whole[6], [7, null, 'empty vs NULL']);
  for (let k = 0; k <= AWKWARD.length; k++) {
    assert.deepEqual(parse([AWKWARD.subarray(0, k), AWKWARD.subarray(k)]), whole, `split at byte ${k}`);
  }
  // and one byte per payload
  assert.deepEqual(parse([...AWKWARD].map((b) => Buffer.from([b]))), whole);
  // a different escape character, split everywhere too
  const esc = { ...csv, escape: '\\' };
  const text = Buffer.from('1,"back\\"slash",\\\n2,"x\\\\y",\n');
  const expected = parse([text], esc);
  // as in PostgreSQL: inside quotes the escape takes a quote or itself literally
  assert.deepEqual(expected, [[1, 'back"slash', '\\'], [2, 'x\\y', null]]);
  for (let k = 0; k <= text.length; k++) assert.deepEqual(parse([text.subarray(0, k), text.subarray(k)], esc), expected, `split at ${k}`);
});

test('an unterminated quoted field fails with its line; the stream holds only the unfinished record', () => {
  assert.throws(() => parse([Buffer.from('1,a,b\n2,"never closed\n3,c,d\n')]), (e: Error & { code?: string; fields?: { where?: string } }) => {
    assert.equal(e.code, '22P04');
    assert.equal(e.message, 'unterminated CSV quoted field');
    assert.equal(e.fields?.where, 'COPY t, line 2');
    return true;
  });
  const s = new CsvCopyStream(target, csv);
  let rows = 0;
  for (let i = 0; i < 20000; i++) {
    s.push(Buffer.from(`${i},"label ${i}\nsecond line","${'n'.repeat(500)}"\n${i},`));
    s.push(Buffer.from(`"rest of ${i}",x\n`));
    rows += 2;
    assert.ok(s.pendingChars < 100, `holds ${s.pendingChars} characters after ${i + 1} payloads`);
  }
  assert.equal(s.end().length, rows);
});

test('COPY … FROM STDIN (FORMAT csv) through the server: many payloads split at awkward places give the same rows', async () => {
  const server = await startQuiver({ args: ['--query-workers', '0'] });
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  try {
    await c.query('CREATE TABLE csvs (id int, label text, note text)');
    const lines: string[] = [];
    for (let i = 0; i < 30000; i++) lines.push(`${i},"label ${i}, with ""quotes""\nand a newline","${i % 7 === 0 ? '' : `note ${i}\r\n`}"`);
    const data = Buffer.from(lines.join('\n') + '\n');
    const stream = c.query(copyFrom('COPY csvs FROM STDIN (FORMAT csv)'));
    const done = new Promise<void>((resolve, reject) => { stream.on('finish', resolve); stream.on('error', reject); });
    // payloads of 1 to 97 bytes: boundaries fall inside quotes, doubled quotes and \r\n
    for (let at = 0, n = 1; at < data.length; at += n, n = (n * 31 + 7) % 97 + 1) stream.write(data.subarray(at, at + n));
    stream.end();
    await done;
    const rows = (await c.query('SELECT id, label, note FROM csvs ORDER BY id')).rows;
    assert.equal(rows.length, 30000);
    for (const r of [rows[0], rows[1], rows[29999]]) {
      assert.equal(r.label, `label ${r.id}, with "quotes"\nand a newline`);
      assert.equal(r.note, r.id % 7 === 0 ? '' : `note ${r.id}\r\n`);
    }
    assert.equal(rows.filter((r, i) => r.id === i && r.label === `label ${i}, with "quotes"\nand a newline`).length, 30000);
  } finally {
    await c.end();
    await server.stop();
  }
});
