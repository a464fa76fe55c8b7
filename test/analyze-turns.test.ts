/**
 * ANALYZE (and auto-analyze, the same code) works a few milliseconds at a time between turns
 * of the event loop (engine/analyze.ts): the sample's scan, and each column's statistics —
 * sorted a piece at a time (types/stepwise-sort.ts), grouped, formatted — where the
 * statistics of a 30,000-row sample of vectors were computed in one piece. No piece holds
 * the loop for most of the statement's time (a ratio, not a bound in milliseconds: the
 * machine is shared). The piecewise sort orders as Array#sort does, and pg_stats is the
 * same as before (sql-tests/analyze_stats.sql compares it with PostgreSQL's).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sortInSteps } from '../src/types/stepwise-sort.js';
import type { Value } from '../src/types/types.js';
import { blocking } from './support/event-loop-blocks.js';
import { openEngineSession, type EngineSession } from './support/engine-session.js';

const ROWS = 30_000;
const DIM = 128;
const SHARE = 0.45;

let s: EngineSession;

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => s.sql(text, params);

before(async () => {
  s = await openEngineSession('quiver-analyze-turns-');
  await sql(`CREATE TABLE docs (id int, label text, v vector(${DIM}))`);
  // two elements vary (8,633 different vectors, most repeated), the rest are constants
  const rest = Array.from({ length: DIM - 2 }, (_, d) => (((d * 37) % 101) / 100).toFixed(2)).join(',');
  await sql(`INSERT INTO docs SELECT g, 'label ' || (g % 5000), ('[' || (g % 97) || ',' || (g % 89) || ',${rest}]')::vector(${DIM}) FROM generate_series(1, ${ROWS}) g`);
  // the auto-analyze after the load is not what is measured
  await s.engine.stopBackground();
});

after(() => s.close());

test('sortInSteps orders as Array#sort, whatever the length', () => {
  let seed = 3;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (const n of [0, 1, 1023, 1024, 1025, 3000, 4096, 10_001]) {
    const values = Array.from({ length: n }, (_, pos) => ({ v: Math.floor(rnd() * 50), pos }));
    const cmp = (a: { v: number; pos: number }, b: { v: number; pos: number }) => a.v - b.v || a.pos - b.pos;
    const want = [...values].sort(cmp);
    const steps = sortInSteps([...values], cmp);
    let step = steps.next();
    while (!step.done) step = steps.next();
    assert.deepEqual(step.value, want, `n = ${n}`);
  }
});

test(`ANALYZE of ${ROWS.toLocaleString('en-US')} rows with a vector(${DIM}) column holds the event loop in short pieces only`, async () => {
  const { share, longest, total } = await blocking(() => sql('ANALYZE docs'));
  console.log(`# longest piece ${longest.toFixed(1)} of ${total.toFixed(1)} ms (share ${share.toFixed(2)})`);
  assert.ok(share < SHARE, `ANALYZE held the loop ${longest.toFixed(1)} of its ${total.toFixed(1)} ms in one piece`);
  const stats = await sql("SELECT attname, null_frac, n_distinct, array_length(most_common_vals::text::text[], 1) IS NOT NULL, correlation FROM pg_stats WHERE tablename = 'docs' ORDER BY attname");
  assert.deepEqual(stats.map((r) => [r[0], r[1]]), [['id', 0], ['label', 0], ['v', 0]]);
  // every id distinct; 5,000 labels and 8,633 vectors, more than 10 % of the rows: a fraction (float4)
  const distinct = stats.map((r) => Number(r[2]));
  assert.equal(distinct[0], -1);
  assert.ok(Math.abs(distinct[1] + 5000 / ROWS) < 1e-6, `label n_distinct ${distinct[1]}`);
  assert.ok(Math.abs(distinct[2] + 8633 / ROWS) < 1e-6, `v n_distinct ${distinct[2]}`);
  // id is stored in its own order: correlation 1
  assert.equal(stats[0][4], 1);
});
