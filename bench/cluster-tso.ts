/**
 * What reads at a timestamp cost (README "Cluster mode", timestamp oracle), on this
 * machine's loopback (`npm run build && node dist/bench/cluster-tso.js [--n 500]`): a 2-shard
 * cluster (one data node per shard, 1 etcd, 1 nats-server, s3rver, no query nodes), one
 * connection to the proxy, N statements of each kind one after another, latency median and
 * p95 in ms:
 *
 * - a fan-out read (`SELECT sum(balance) FROM accounts`) with quiver.consistency strong (the
 *   oracle's timestamp, each shard's snapshot at it) and eventually (each shard's newest data);
 * - a single-shard autocommit UPDATE (the shard asks the oracle for its commit timestamp);
 * - a two-shard transfer (BEGIN; two UPDATEs; COMMIT: two-phase commit, one timestamp);
 * - autocommit UPDATEs from 16 connections for 5 s: commits per second.
 *
 * Run on a build without the oracle for the commits' "without" numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startLocalCluster } from '../src/cluster/launcher.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';

const { values } = parseArgs({ options: { n: { type: 'string', default: '500' } } });
const N = Number(values.n);
const ACCOUNTS = 1000;

async function timed(n: number, op: (i: number) => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < 50; i++) await op(i); // warm-up
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await op(i);
    ms.push(performance.now() - t0);
  }
  return summary(ms);
}

function summary(ms: number[]): string {
  ms.sort((a, b) => a - b);
  const q = (p: number) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]!.toFixed(2);
  return `median ${q(0.5)} ms, p95 ${q(0.95)} ms`;
}

const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-tso-'));
const cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: 2, dataNodes: 1, queryNodes: 0, indexNodes: 0, logLevel: 'warn' });
try {
  const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
  await c.connect();
  await c.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)');
  await c.query(`INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, ${ACCOUNTS}) g`);
  // the two levels on two connections, one statement each in turn (the machine's noise shared alike)
  const e = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
  await e.connect();
  await e.query('SET quiver.consistency = eventually');
  const strong: number[] = [];
  const eventually: number[] = [];
  for (let i = 0; i < N + 50; i++) {
    for (const [conn, into] of [[c, strong], [e, eventually]] as const) {
      const t0 = performance.now();
      await conn.query('SELECT sum(balance) FROM accounts');
      if (i >= 50) into.push(performance.now() - t0);
    }
  }
  console.log(`fan-out SELECT sum, strong: ${summary(strong)}`);
  console.log(`fan-out SELECT sum, eventually: ${summary(eventually)}`);
  await e.end();
  console.log(`single-shard UPDATE (autocommit): ${await timed(N, (i) => c.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [1 + (i % ACCOUNTS)]))}`);
  // pairs of accounts on different shards: every transfer is a two-phase commit
  const pairs: [number, number][] = [];
  for (let a = 1; pairs.length < 50 && a < ACCOUNTS; a++) {
    if (shardOfKey([T.int4], [a], 2) !== shardOfKey([T.int4], [a + 1], 2)) pairs.push([a, a + 1]);
  }
  console.log(`two-shard transfer (BEGIN; 2 UPDATEs; COMMIT): ${await timed(N, async (i) => {
    const [a, b] = pairs[i % pairs.length]!;
    await c.query('BEGIN');
    await c.query('UPDATE accounts SET balance = balance - 1 WHERE id = $1', [a]);
    await c.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [b]);
    await c.query('COMMIT');
  })}`);
  // commits from 16 connections at once for 5 s (group commit; the clock admits one at a time)
  const conns = await Promise.all(Array.from({ length: 16 }, async () => {
    const x = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database: 'postgres' });
    await x.connect();
    return x;
  }));
  let commits = 0;
  const end = Date.now() + 5_000;
  await Promise.all(conns.map(async (x, k) => {
    for (let i = 0; Date.now() < end; i++) {
      await x.query('UPDATE accounts SET balance = balance + 1 WHERE id = $1', [1 + ((k * 61 + i) % ACCOUNTS)]);
      commits++;
    }
  }));
  console.log(`single-shard UPDATEs from 16 connections: ${(commits / 5).toFixed(0)} commits/s`);
  await Promise.all(conns.map((x) => x.end()));
  await c.end();
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
