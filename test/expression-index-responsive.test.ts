/**
 * An expression index's keys are computed by the engine's function on the session thread,
 * a few milliseconds at a time between turns of the event loop (storage/index-key-column.ts):
 * a CREATE INDEX over 20,000 rows of a 768-d halfvec cast (seconds of key computation) must
 * not stall other connections. While it runs, `SELECT 1` on another connection answers, again
 * and again, before the CREATE INDEX does; and the index is then built and searched.
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
  let answeredDuring = 0;
  let slowest = 0;
  const t0 = performance.now();
  while (!finished) {
    const s = performance.now();
    const r = await probe.query('SELECT 1 AS one');
    slowest = Math.max(slowest, performance.now() - s);
    assert.equal(r.rows[0].one, 1);
    if (!finished) answeredDuring++;
  }
  await build;
  console.log(`# SELECT 1 answered ${answeredDuring} times during the build (${Math.round(performance.now() - t0)} ms), slowest ${slowest.toFixed(1)} ms`);
  // the keys' computation alone is seconds of CPU: SELECT 1 answered many times meanwhile, not
  // once in a pause between two long blocks of it
  assert.ok(answeredDuring >= 10, `SELECT 1 answered ${answeredDuring} times during the build`);
  // the index was built over every row and answers through the index
  await builder.query('SET enable_seqscan = off');
  const q = vector();
  const plan = (await builder.query(`EXPLAIN SELECT id FROM docs ORDER BY embedding::halfvec(${DIM}) <-> '${q}' LIMIT 3`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /docs_half/);
  const viaIndex = await builder.query(`SELECT id FROM docs ORDER BY embedding::halfvec(${DIM}) <-> '${q}', id LIMIT 3`);
  assert.equal(viaIndex.rows.length, 3);
});
