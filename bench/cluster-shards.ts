/**
 * Shards on this machine's loopback (`npm run build && node dist/bench/cluster-shards.js
 * [--rows 30000] [--seconds 5]`): the standalone server, an unsharded cluster (the proxy
 * pipes to the data leader) and a 2-shard cluster (the proxy's shard router runs each
 * statement on the shards' leaders), one data node per shard, 1 etcd, 1 nats-server,
 * s3rver, no query nodes:
 *
 * - single-row autocommit INSERTs from 1 and 16 connections (one shard each: no 2PC);
 * - key lookups (`WHERE id = $1`, pinned to one shard), 8 connections;
 * - HNSW k-NN and filtered k-NN (k = 10, 8 connections; fanned out to every shard and
 *   merged), with recall@10 against exact answers computed here, so the QPS are compared at
 *   the recall each target gives.
 *
 * Every process shares this machine's cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { client, printTable, withStandalone, load as loadWorkload, throughput as runThroughput, workload } from './cluster-workload.js';
import { startLocalCluster } from '../src/cluster/launcher.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '30000' }, seconds: { type: 'string', default: '5' } } });
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const w = workload(ROWS);
const { queries } = w;
const throughput = (port: number, connections: number, op: (c: pg.Client, i: number) => Promise<unknown>) => runThroughput(port, connections, SECONDS, op);

/** the exact top 10 ids by L2 for the first 20 queries (ties by id) */
const truth = queries.slice(0, 20).map((q) => {
  const qv = JSON.parse(q) as number[];
  return w.vectors.map((v, id) => ({ id, d: v.reduce((s, x, i) => s + (Math.fround(x) - Math.fround(qv[i]!)) ** 2, 0) }))
    .sort((a, b) => a.d - b.d || a.id - b.id).slice(0, 10).map((r) => r.id);
});

async function recall(port: number): Promise<number> {
  const c = await client(port);
  let found = 0;
  for (let i = 0; i < truth.length; i++) {
    const ids = (await c.query(`SELECT id FROM items ORDER BY v <-> '${queries[i]}' LIMIT 10`)).rows.map((r) => r.id as number);
    found += ids.filter((id) => truth[i]!.includes(id)).length;
  }
  await c.end();
  return found / (10 * truth.length);
}

let nextWrite = 1;
async function measure(name: string, port: number): Promise<Record<string, string>> {
  await loadWorkload(port, w);
  const row: Record<string, string> = { target: name };
  for (const conns of [1, 16]) {
    row[`insert ${conns} conn/s`] = (await throughput(port, conns, (c) => c.query('INSERT INTO writes VALUES ($1, $2)', [nextWrite++, 'x']))).toFixed(0);
  }
  row['key lookup QPS'] = (await throughput(port, 8, (c, i) => c.query('SELECT label FROM items WHERE id = $1', [i % ROWS]))).toFixed(0);
  row['k-NN QPS'] = (await throughput(port, 8, (c, i) => c.query(`SELECT id FROM items ORDER BY v <-> '${queries[i % 100]}' LIMIT 10`))).toFixed(0);
  row['recall@10'] = (await recall(port)).toFixed(3);
  row['filtered QPS'] = (await throughput(port, 8, (c, i) => c.query(`SELECT id FROM items WHERE label = ${i % 100} ORDER BY v <-> '${queries[i % 100]}' LIMIT 10`))).toFixed(0);
  console.log(JSON.stringify(row));
  return row;
}

const rows: Record<string, string>[] = [];
rows.push(await withStandalone((port) => measure('standalone', port)));
for (const shards of [1, 2]) {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-shards-'));
  const cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards, dataNodes: 1, queryNodes: 0, indexNodes: 0, logLevel: 'warn' }).catch((e: Error) => {
    throw new Error(`${e.message} (logs kept in ${dir})`);
  });
  try {
    rows.push(await measure(shards === 1 ? 'cluster, 1 shard (proxy pipes)' : `cluster, ${shards} shards (proxy's shard router)`, cluster.port));
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
printTable(rows);
