/**
 * The first ordered B-tree index scan (`WHERE c > $1 ORDER BY c LIMIT k`) over a sealed
 * segment whose sorted index is not built yet waits for the sort in the worker thread
 * (RowBatch.wait, storage/index-scan.ts) instead of reading and sorting the segment's rows
 * on the session thread: no piece of the query holds the event loop for most of its time,
 * as the in-thread sort did (a ratio of the query's own time, not a bound in milliseconds:
 * the machine is shared). The rows are those an exact sort gives, in order and descending,
 * with deleted rows left out and the growing segment's rows merged in; a subquery (run
 * synchronously) still sorts in-thread and answers the same. The wait ends with 57014 as
 * soon as the statement is cancelled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/engine.js';
import { loadParser } from '../src/sql/parser.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { cancellable } from '../src/executor/suspend.js';
import type { Backend } from '../src/wire/backend.js';
import type { Value } from '../src/types/types.js';
import { blocking } from './support/event-loop-blocks.js';
import { backendRows } from './support/backend-sql.js';

const ROWS = 150_000;
/** a prime above ROWS: (g * 7919) % P is a different value for every row */
const P = 1_000_003;
const keyOf = (id: number) => (id * 7919) % P;
const deleted = (id: number) => id % 4 === 0;
const SHARE = 0.45;

const dir = mkdtempSync(join(tmpdir(), 'quiver-ordered-scan-turns-'));
let storage: DurableStorage;
let backend: Backend;

const sql = (text: string, params: readonly Value[] = []): Promise<Value[][]> => backendRows(backend, text, params);

/** The ids of the k rows with the smallest (largest) key above `from`, visible, from rows 1..n. */
function expected(n: number, from: number, k: number, desc: boolean): number[] {
  const ids: number[] = [];
  for (let id = 1; id <= n; id++) if (!deleted(id) && keyOf(id) > from) ids.push(id);
  ids.sort((a, b) => (keyOf(a) - keyOf(b)) * (desc ? -1 : 1));
  return ids.slice(0, k);
}

before(async () => {
  await loadParser();
  storage = await DurableStorage.open({ dataDir: dir, background: false });
  backend = new Engine(storage).create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  for (const t of ['asc_t', 'asc2_t', 'desc_t', 'desc2_t', 'sub_t']) {
    await sql(`CREATE TABLE ${t} (id int, c int, label text)`);
    // one transaction: a bulk load, written as one sealed segment
    await sql(`INSERT INTO ${t} SELECT g, (g * 7919) % ${P}, 'row ' || g FROM generate_series(1, ${ROWS}) g`);
    await sql(`CREATE INDEX ${t}_c ON ${t} (c)`);
    // a few rows in the growing segment, and deleted rows
    await sql(`INSERT INTO ${t} SELECT g, (g * 7919) % ${P}, 'row ' || g FROM generate_series(${ROWS + 1}, ${ROWS + 500}) g`);
    await sql(`DELETE FROM ${t} WHERE id % 4 = 0`);
  }
});

after(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

// two fresh tables each: the better of two first scans, so that one garbage collection of
// the big heap (a 75 ms pause was seen) cannot pass for a piece of the scan; the in-thread
// sort held the loop for the whole scan in both
for (const [tables, desc] of [[['asc_t', 'asc2_t'], false], [['desc_t', 'desc2_t'], true]] as const) {
  test(`the first ordered index scan (${desc ? 'DESC' : 'ASC'}) of a fresh ${ROWS.toLocaleString('en-US')}-row segment holds the event loop in short pieces only, and answers as a sort`, async () => {
    const want = expected(ROWS + 500, 1000, 20, desc);
    const tries: { share: number; longest: number; total: number }[] = [];
    for (const table of tables) {
      const query = `SELECT id FROM ${table} WHERE c > 1000 ORDER BY c ${desc ? 'DESC' : ''} LIMIT 20`;
      const plan = (await sql(`EXPLAIN ${query}`)).map((r) => r[0]).join('\n');
      assert.match(plan, /Index (Only )?Scan/, plan);
      const { share, longest, total, result } = await blocking(() => sql(query));
      console.log(`# ${table}: longest piece ${longest.toFixed(1)} of ${total.toFixed(1)} ms (share ${share.toFixed(2)})`);
      tries.push({ share, longest, total });
      assert.deepEqual(result.map((r) => Number(r[0])), want);
      // and again, through the built index
      assert.deepEqual((await sql(query)).map((r) => Number(r[0])), want);
    }
    const best = tries.reduce((a, b) => (b.share < a.share ? b : a));
    assert.ok(best.share < SHARE, `the scan held the loop ${best.longest.toFixed(1)} of its ${best.total.toFixed(1)} ms in one piece`);
  });
}

test('an ordered index scan in a subquery (run synchronously) sorts the fresh segment in-thread and answers the same', async () => {
  const rows = await sql(`SELECT (SELECT id FROM sub_t WHERE c > 1000 ORDER BY c LIMIT 1) AS first, (SELECT label FROM sub_t WHERE c > 1000 ORDER BY c DESC LIMIT 1) AS last`);
  const first = expected(ROWS + 500, 1000, 1, false)[0];
  const last = expected(ROWS + 500, 1000, 1, true)[0];
  assert.deepEqual(rows, [[first, `row ${last}`]]);
});

test('a wait for a worker ends with the cancel error as soon as the statement is cancelled, not when the work is done', async () => {
  let cancelled = false;
  const never = new Promise(() => {});
  const t0 = performance.now();
  setTimeout(() => { cancelled = true; }, 50);
  await assert.rejects(cancellable(never, () => { if (cancelled) throw new Error('canceling statement due to user request'); }), /canceling statement/);
  assert.ok(performance.now() - t0 < 1000);
  // work that is done first answers with its value
  assert.equal(await cancellable(Promise.resolve(7), () => {}), 7);
});
