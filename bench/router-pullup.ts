/**
 * What pull-up costs (src/cluster/router/pull-up.ts): two Quiver shards behind a router and
 * one standalone Quiver with the same rows; median latency of statements the fan-out planner
 * refuses, through the router and on the one server.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/router-pullup.js [rows]
 */
import pino from 'pino';
import { loopbackClient } from '../test/support/shard-keys.js';
import { startQuiver } from '../test/support/server.js';
import { startShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';

const ROWS = Number(process.argv[2] ?? 20000);
const RUNS = 9;
const STATEMENTS = [
  ['window over every row', 'SELECT id, rank() OVER (PARTITION BY tenant ORDER BY price, id) FROM items'],
  ['window, WHERE id < 100 pushed', 'SELECT id, rank() OVER (PARTITION BY tenant ORDER BY price, id) FROM items WHERE id < 100'],
  ['IN subquery, both pushed', 'SELECT id FROM items WHERE id IN (SELECT id FROM tags WHERE tag = \'t1\') AND id < 1000'],
  ['UNION of two tables', 'SELECT id FROM items WHERE tenant = 1 UNION SELECT id FROM tags WHERE id < 500'],
] as const;

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1]!;
}

const env = { QUIVER_MAX_PREPARED_TRANSACTIONS: '10' };
const servers = await Promise.all([startQuiver({ env }), startQuiver({ env }), startQuiver({ env })]);
try {
  for (const s of servers) {
    const d = await loopbackClient(s.port);
    await d.query('CREATE TABLE items (id bigint PRIMARY KEY, tenant int, label text, price numeric(10,2))');
    await d.query('CREATE TABLE tags (id bigint PRIMARY KEY, tag text)');
    await d.end();
  }
  const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(servers.slice(0, 2).map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'warn' }), planFanout });
  const c = await loopbackClient(router.port);
  const single = await loopbackClient(servers[2]!.port);
  c.on('error', () => {});
  await c.query('SET quiver.router_pull_rows = 1000000');
  for (let from = 1; from <= ROWS; from += 5000) {
    const ids = Array.from({ length: Math.min(5000, ROWS - from + 1) }, (_, i) => from + i);
    const items = `INSERT INTO items VALUES ${ids.map((id) => `(${id}, ${id % 5}, 'l${id % 7}', ${((id * 37) % 1000) / 10})`).join(', ')}`;
    const tags = `INSERT INTO tags VALUES ${ids.map((id) => `(${id}, 't${id % 3}')`).join(', ')}`;
    for (const client of [c, single]) {
      await client.query(items);
      await client.query(tags);
    }
  }
  console.log(`${ROWS} rows a table, 2 shards, median of ${RUNS} runs (ms): router pull-up / one server`);
  for (const [name, sql] of STATEMENTS) {
    const viaRouter = await median(() => c.query(sql));
    const one = await median(() => single.query(sql));
    console.log(`${name}: ${viaRouter.toFixed(1)} / ${one.toFixed(1)}`);
  }
  await c.end();
  await single.end();
  await router.close();
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
