/**
 * An expression index's keys are computed by the engine's function off the session thread
 * (executor/vector-index-key-build.ts: in a worker thread; a few milliseconds at a time
 * between turns of the event loop where the column is not in shared memory): a CREATE INDEX
 * over 20,000 rows of a 768-d halfvec cast (seconds of key computation) must not stall other
 * connections. While the keys are computed (pg_stat_progress_create_index's k-means phase,
 * which with one list is nothing else), `SELECT 1` on another connection answers again and
 * again, before the CREATE INDEX does; the index is then searched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { seededRandom } from '../bench/util.js';
import { startQuiver, TEST_DATABASE, type QuiverServer } from './support/server.js';

const N = 20_000;
const DIM = 768;
let server: QuiverServer;
const clients: pg.Client[] = [];

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: TEST_DATABASE });
  await c.connect();
  clients.push(c);
  return c;
}

const rnd = seededRandom(99);
const vector = () => `[${Array.from({ length: DIM }, () => (rnd() * 2 - 1).toFixed(3)).join(',')}]`;

before(async () => {
  server = await startQuiver();
  const c = await connect();
  await c.query(`CREATE TABLE docs (id int, embedding vector(${DIM}))`);
  // 20 distinct vectors, each shifted by the row's number: the key function's cost is per row
  const base = Array.from({ length: 20 }, vector);
  for (let i = 0; i < 20; i++) {
    await c.query(`INSERT INTO docs SELECT g, $1::vector(${DIM}) FROM generate_series($2::int, $3::int) g`, [base[i], i * (N / 20) + 1, (i + 1) * (N / 20)]);
  }
});

after(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await server?.stop();
});

test('SELECT 1 on another connection answers, again and again, while an expression index over 20,000 rows is built', async () => {
  const builder = await connect();
  const probe = await connect();
  let finished = false;
  const build = builder.query(`CREATE INDEX docs_half ON docs USING ivfflat ((embedding::halfvec(${DIM})) halfvec_l2_ops) WITH (lists = 1)`)
    .finally(() => { finished = true; });
  // the CREATE INDEX is on its way before the first probe
  await new Promise((r) => setImmediate(r));
  // SELECT 1, with the build's phase as another session sees it (pg_stat_progress_create_index)
  let answeredDuring = 0;
  let answeredComputingKeys = 0;
  while (!finished) {
    const r = await probe.query("SELECT 1 AS one, (SELECT phase FROM pg_stat_progress_create_index LIMIT 1) AS phase");
    assert.equal(r.rows[0].one, 1);
    if (finished) break;
    answeredDuring++;
    // an IVFFlat build computes every row's key before its k-means (one center: no time at all)
    if (r.rows[0].phase === 'building index: performing k-means') answeredComputingKeys++;
  }
  await build;
  console.log(`# SELECT 1 answered ${answeredDuring} times during the build, ${answeredComputingKeys} while the keys were computed`);
  // the keys' computation alone is seconds of CPU: SELECT 1 answered many times meanwhile, not
  // once in a pause after it
  assert.ok(answeredComputingKeys >= 30, `SELECT 1 answered ${answeredComputingKeys} times while the keys were computed`);
  // the index was built over every row and answers through the index
  await builder.query('SET enable_seqscan = off');
  const q = vector();
  const plan = (await builder.query(`EXPLAIN SELECT id FROM docs ORDER BY embedding::halfvec(${DIM}) <-> '${q}' LIMIT 3`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /docs_half/);
  const viaIndex = await builder.query(`SELECT id FROM docs ORDER BY embedding::halfvec(${DIM}) <-> '${q}', id LIMIT 3`);
  assert.equal(viaIndex.rows.length, 3);
});

test('REINDEX of the expression index past statement_timeout fails with 57014 while the keys are computed, and the session goes on', async () => {
  const c = await connect();
  await c.query("SET statement_timeout = '200ms'");
  await assert.rejects(c.query('REINDEX INDEX docs_half'), (e: { code?: string; message?: string }) => {
    assert.equal(e.code, '57014');
    assert.equal(e.message, 'canceling statement due to statement timeout');
    return true;
  });
  await c.query('RESET statement_timeout');
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
});
