/**
 * What the shard router adds to one statement (`node dist/bench/router-overhead.js`): two
 * standalone servers as shards behind an in-process router (static directory), the same
 * rows split by key; one connection runs each query shape sequentially through the router
 * and directly against shard 0 (which holds half the rows), median and p90 latency.
 */
import pg from 'pg';
import pino from 'pino';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { startQuiver } from '../test/support/server.js';
import { startShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';
import { seededRandom } from './util.js';

const ROWS = Number(process.env.ROWS ?? 10000);
const N = Number(process.env.N ?? 300);
const DIM = 32;
const rnd = seededRandom(3);
const vec = () => `[${Array.from({ length: DIM }, () => (rnd() * 1000 | 0) / 1000).join(',')}]`;
const shards = await Promise.all([0, 1].map(() => startQuiver({ env: { QUIVER_MAX_PREPARED_TRANSACTIONS: '10' } })));
const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'silent' }), planFanout });
const client = async (port: number) => { const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' }); await c.connect(); return c; };
const r = await client(router.port);
await r.query(`CREATE TABLE items (id int PRIMARY KEY, label int, v vector(${DIM}))`);
await pipeline(Readable.from((function* () { for (let i = 0; i < ROWS; i++) yield `${i}\t${i % 100}\t${vec()}\n`; })()), r.query(copyFrom('COPY items FROM STDIN')));
await r.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');
const d = await client(shards[0]!.port);
const queries = Array.from({ length: 50 }, vec);
const shapes: [string, (c: pg.Client, i: number) => Promise<unknown>][] = [
  ['SELECT 1', (c) => c.query('SELECT 1')],
  ['key lookup $1', (c, i) => c.query('SELECT label FROM items WHERE id = $1', [i % ROWS])],
  ['k-NN literal', (c, i) => c.query(`SELECT id FROM items ORDER BY v <-> '${queries[i % 50]}' LIMIT 10`)],
  ['k-NN $1', (c, i) => c.query('SELECT id FROM items ORDER BY v <-> $1 LIMIT 10', [queries[i % 50]])],
  ['count(*)', (c) => c.query('SELECT count(*) FROM items')],
];
const stats = (xs: number[]) => { xs.sort((a, b) => a - b); return `${xs[xs.length >> 1]!.toFixed(2)} / ${xs[Math.floor(xs.length * 0.9)]!.toFixed(2)}`; };
console.log('| shape | direct to a shard, ms p50 / p90 | through the router, ms p50 / p90 |\n|---|---:|---:|');
for (const [name, op] of shapes) {
  const time = async (c: pg.Client) => { for (let i = 0; i < 30; i++) await op(c, i); const out: number[] = []; for (let i = 0; i < N; i++) { const t = performance.now(); await op(c, i); out.push(performance.now() - t); } return out; };
  console.log(`| ${name} | ${stats(await time(d))} | ${stats(await time(r))} |`);
}
await r.end(); await d.end(); await router.close(); await Promise.all(shards.map((s) => s.stop()));
