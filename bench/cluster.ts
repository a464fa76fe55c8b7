/**
 * Cluster mode against the standalone server, on this machine's loopback
 * (`npm run build && node dist/bench/cluster.js [--rows 50000] [--seconds 8]`):
 *
 * - write throughput: single-row autocommit INSERTs from 1 and 16 connections, standalone
 *   vs a cluster whose JetStream stream has 1 replica (1 etcd, 1 nats-server) vs 3 (3 + 3),
 *   all through the proxy for the clusters;
 * - k-NN and filtered k-NN QPS (HNSW, k = 10, 8 connections) and exact k-NN QPS
 *   (`enable_indexscan = off`) on the same rows: standalone vs through the proxy to the
 *   data leader, with 0, 1 and 2 query nodes serving the sealed segments' searches.
 *
 * Every process shares this machine's cores: cluster numbers include etcd, JetStream,
 * s3rver and the proxy running beside the data node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { client, printTable, withStandalone, load as loadWorkload, throughput as runThroughput, workload } from './cluster-workload.js';
import { startLocalCluster } from '../src/cluster/launcher.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '50000' }, seconds: { type: 'string', default: '8' } } });
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const w = workload(ROWS);
const { queries } = w;
const throughput = (port: number, connections: number, op: (c: pg.Client, i: number) => Promise<unknown>) => runThroughput(port, connections, SECONDS, op);
const load = (port: number) => loadWorkload(port, w);

let nextWrite = 1;
async function measure(name: string, port: number): Promise<Record<string, string>> {
  await load(port);
  const row: Record<string, string> = { target: name };
  for (const conns of [1, 16]) {
    row[`insert ${conns} conn/s`] = (await throughput(port, conns, (c) => c.query(`INSERT INTO writes VALUES (${nextWrite++}, 'x')`))).toFixed(0);
  }
  row['k-NN QPS'] = (await throughput(port, 8, (c, i) => c.query(`SELECT id FROM items ORDER BY v <-> '${queries[i % 100]}' LIMIT 10`))).toFixed(0);
  row['filtered QPS'] = (await throughput(port, 8, (c, i) => c.query(`SELECT id FROM items WHERE label = ${i % 100} ORDER BY v <-> '${queries[i % 100]}' LIMIT 10`))).toFixed(0);
  row['exact k-NN QPS'] = (await throughput(port, 8, (c, i) => (i % 1e9 === 0 ? c.query('SET enable_indexscan = off') : Promise.resolve())
    .then(() => c.query(`SELECT id FROM items ORDER BY v <-> '${queries[i % 100]}' LIMIT 10`)))).toFixed(0);
  console.log(JSON.stringify(row));
  return row;
}

const rows: Record<string, string>[] = [];
rows.push(await withStandalone((port) => measure('standalone', port)));
for (const [nodes, queryNodes] of [[1, 0], [1, 1], [1, 2], [3, 2]]) {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-cluster-'));
  const cluster = await startLocalCluster({ dir, nodes, port: 0, dataNodes: 2, queryNodes, logLevel: 'warn' }).catch((e: Error) => {
    throw new Error(`${e.message} (logs kept in ${dir})`);
  });
  try {
    rows.push(await measure(`cluster, JetStream replicas ${nodes} (${nodes} etcd, ${nodes} nats, 2 data nodes, ${queryNodes} query nodes, proxy)`, cluster.port));
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
printTable(rows);
