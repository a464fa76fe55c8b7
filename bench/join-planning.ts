/**
 * How long does the join order search take to plan 8 inner-joined tables, with merge joins
 * considered and without? In one process (a session on a storage, no server): eight analyzed
 * tables of 200-5,000 rows, each with a primary key, joined as a chain (t1.a = t2.id, …) and
 * as a star around t1 (keys and non-keys); each query is EXPLAINed `--plans` times after a
 * warm-up and the process CPU time per plan is printed (min and median of 5 batches).
 *
 *   node dist/bench/join-planning.js [--plans 100]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine.js';
import { loadParser } from '../src/sql/parser.js';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { backendRows } from '../test/support/backend-sql.js';

const { values } = parseArgs({ options: { plans: { type: 'string', default: '100' } } });
const plans = Math.max(5, Number(values.plans));

const SIZES = [5000, 3000, 2000, 1000, 800, 600, 400, 200];
const MODULI = [500, 300, 200, 100, 50, 40, 30, 20];

const QUERIES: [string, string][] = [
  ['chain', 'SELECT count(*) FROM jp_t1 t1 JOIN jp_t2 t2 ON t2.id = t1.a JOIN jp_t3 t3 ON t3.id = t2.a JOIN jp_t4 t4 ON t4.id = t3.a'
    + ' JOIN jp_t5 t5 ON t5.id = t4.a JOIN jp_t6 t6 ON t6.id = t5.a JOIN jp_t7 t7 ON t7.id = t6.a JOIN jp_t8 t8 ON t8.id = t7.a WHERE t8.v = 3'],
  ['star', 'SELECT count(*) FROM jp_t1 t1 JOIN jp_t2 t2 ON t2.a = t1.a JOIN jp_t3 t3 ON t3.a = t1.a JOIN jp_t4 t4 ON t4.a = t1.a'
    + ' JOIN jp_t5 t5 ON t5.id = t1.v JOIN jp_t6 t6 ON t6.id = t2.v JOIN jp_t7 t7 ON t7.a = t3.a JOIN jp_t8 t8 ON t8.id = t4.id'],
];

const dir = await mkdtemp(join(tmpdir(), 'quiver-join-planning-'));
await loadParser();
const storage = await DurableStorage.open({ dataDir: dir, background: false });
try {
  const backend = new Engine(storage).create();
  backend.startup({ user: 'postgres', database: 'postgres' });
  const sql = (text: string) => backendRows(backend, text, []);
  for (let i = 0; i < SIZES.length; i++) {
    await sql(`CREATE TABLE jp_t${i + 1} (id int PRIMARY KEY, a int, v int)`);
    await sql(`INSERT INTO jp_t${i + 1} SELECT g, g % ${MODULI[i]}, g % 7 FROM generate_series(1, ${SIZES[i]}) g`);
    await sql(`ANALYZE jp_t${i + 1}`);
  }
  for (const [name, query] of QUERIES) {
    for (const mergejoin of ['on', 'off']) {
      await sql(`SET enable_mergejoin = ${mergejoin}`);
      for (let i = 0; i < 20; i++) await sql('EXPLAIN ' + query);
      const perPlan: number[] = [];
      for (let batch = 0; batch < 5; batch++) {
        const start = process.cpuUsage();
        for (let i = 0; i < plans / 5; i++) await sql('EXPLAIN ' + query);
        const used = process.cpuUsage(start);
        perPlan.push((used.user + used.system) / 1000 / (plans / 5));
      }
      perPlan.sort((a, b) => a - b);
      console.log(`${name.padEnd(5)} enable_mergejoin ${mergejoin.padEnd(3)}: ${perPlan[0].toFixed(2)} ms CPU a plan (median ${perPlan[2].toFixed(2)})`);
    }
  }
} finally {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
}
