/**
 * INSERT … SELECT, UPDATE and DELETE write their rows a time slice at a time
 * (executor/dml.ts, turnIfDue): a statement over tens of thousands of rows gives the event
 * loop a turn between slices, so the other sessions' statements (and a cancel request) are
 * not held for the whole statement. What is measured is the share of the statement's time
 * the longest piece took (a ratio, not a bound in milliseconds: the machine is shared).
 * The statements' results are checked too: slicing changes when the work is done, not what.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Value } from '../src/types/types.js';
import { blocking } from './support/event-loop-blocks.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

const ROWS = 40_000;
const DIM = 32;
/** no piece may be this share of the statement's time or more (measured 0.09–0.11; with turnIfDue a no-op 0.30–0.40) */
const SHARE = 0.2;

let s: EngineSession;

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);
const countOf = async (text: string): Promise<number> => Number((await sql(text))[0]![0]);

before(async () => {
  s = await openEngineSession('quiver-dml-turns-');
  await sql(`CREATE TABLE src (id int, label text, v vector(${DIM}))`);
  await sql(`INSERT INTO src SELECT g, 'row ' || g, array_fill(g::real / ${ROWS}, ARRAY[${DIM}])::vector(${DIM}) FROM generate_series(1, ${ROWS}) g`);
  await sql(`CREATE TABLE dst (id int, label text, v vector(${DIM}))`);
  await s.engine.stopBackground();
});

after(() => s.close());

async function statementBlocks(text: string): Promise<void> {
  const b = await blocking(() => sql(text));
  if (process.env.SHOW_SHARE) console.log(text, JSON.stringify({ share: b.share, longest: b.longest, total: b.total, turns: b.turns }));
  assert.ok(b.share < SHARE, `${text}: held the loop ${b.longest.toFixed(1)} of its ${b.total.toFixed(1)} ms in one piece`);
}

test('INSERT … SELECT of 40,000 rows holds the loop only in short pieces', async () => {
  await statementBlocks('INSERT INTO dst SELECT * FROM src');
  assert.equal(await countOf('SELECT count(*) FROM dst'), ROWS);
});

test('UPDATE of 40,000 rows holds the loop only in short pieces', async () => {
  await statementBlocks("UPDATE dst SET label = label || '!'");
  assert.equal(await countOf("SELECT count(*) FROM dst WHERE label LIKE '%!'"), ROWS);
});

test('DELETE of 40,000 rows holds the loop only in short pieces', async () => {
  await statementBlocks('DELETE FROM dst WHERE id > 0');
  assert.equal(await countOf('SELECT count(*) FROM dst'), 0);
  assert.equal(await countOf('SELECT count(*) FROM src'), ROWS);
});
