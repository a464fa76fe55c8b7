/**
 * Reads on hot standbys (`npm run build && node dist/bench/cluster-reads.js [--rows 30000] [--seconds 5]`):
 *
 * - k-NN QPS (HNSW, k = 10, 8 connections) through the proxy's read port with 1, 2 and 3
 *   data nodes (the leader alone; 1 standby; 2 standbys), strong and eventually, and
 *   through the main port (the leader) on the same cluster for comparison;
 * - what `quiver.consistency = strong` costs a statement on a standby: latency of a point
 *   SELECT on the read port, one connection, strong vs eventually (p50 / p99), with the
 *   cluster idle and with a writer inserting through the main port meanwhile.
 *
 * Each cluster: 1 etcd, 1 nats-server (JetStream replicas 1), s3rver, no query or index
 * nodes, a proxy. Every process shares this machine's cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { client, printTable, load as loadWorkload, throughput as runThroughput, workload } from './cluster-workload.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '30000' }, seconds: { type: 'string', default: '5' } } });
const ROWS = Number(values.rows);
const SECONDS = Number(values.seconds);
const w = workload(ROWS);
const { queries } = w;
const throughput = (port: number, connections: number, op: (c: pg.Client, i: number) => Promise<unknown>) => runThroughput(port, connections, SECONDS, op);
const load = (port: number) => loadWorkload(port, w);

/** Every standby has caught up and listens: a strong read on each answers with the index in place. */
async function standbysReady(cluster: LocalCluster, standbys: number): Promise<void> {
  const seen = new Set<string>();
  for (let i = 0; seen.size < standbys; i++) {
    if (i > 600) throw new Error(`only ${seen.size} of ${standbys} standbys answer on the read port`);
    const c = await client(cluster.readPort).catch(() => undefined);
    if (c) {
      const port = (await c.query('SHOW port')).rows[0].port as string;
      const ok = await c.query('SELECT count(*)::int AS n FROM items').then((r) => r.rows[0].n === ROWS, () => false);
      if (ok && (await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r) seen.add(port);
      await c.end();
    }
    if (seen.size < standbys) await new Promise((r) => setTimeout(r, 200));
  }
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** Latencies (ms) of point SELECTs on one read-port connection at `level` for SECONDS. */
async function latencies(port: number, level: string): Promise<number[]> {
  const c = await client(port);
  await c.query(`SET quiver.consistency = ${level}`);
  const out: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  for (let i = 0; Date.now() < end; i++) {
    const t0 = performance.now();
    await c.query('SELECT label FROM items WHERE id = $1', [i % ROWS]);
    out.push(performance.now() - t0);
  }
  await c.end();
  return out;
}

const rows: Record<string, string>[] = [];
const waits: string[] = [];
let nextWrite = 1;
for (const dataNodes of [1, 2, 3]) {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-reads-'));
  const cluster = await startLocalCluster({ dir, nodes: 1, port: 0, dataNodes, queryNodes: 0, indexNodes: 0, logLevel: 'warn' }).catch((e: Error) => {
    throw new Error(`${e.message} (logs kept in ${dir})`);
  });
  try {
    await load(cluster.port);
    await standbysReady(cluster, dataNodes - 1);
    const knn = (c: pg.Client, i: number) => c.query(`SELECT id FROM items ORDER BY v <-> '${queries[i % 100]}' LIMIT 10`);
    // warm both ports (JIT, connections, the standbys' first reads of segments and indexes)
    await throughput(cluster.port, 8, knn);
    await throughput(cluster.readPort, 8, knn);
    const load0 = loadavg()[0].toFixed(1);
    const row: Record<string, string> = { 'data nodes': `${dataNodes} (${dataNodes - 1} standby${dataNodes === 2 ? '' : 's'})` };
    row['k-NN QPS, main port (leader)'] = (await throughput(cluster.port, 8, knn)).toFixed(0);
    row['k-NN QPS, read port (strong)'] = (await throughput(cluster.readPort, 8, knn)).toFixed(0);
    row['k-NN QPS, read port (eventually)'] = (await throughput(cluster.readPort, 8, (c, i) => (i % 1e9 === 0 ? c.query('SET quiver.consistency = eventually') : Promise.resolve()).then(() => knn(c, i)))).toFixed(0);
    row['load before'] = load0;
    rows.push(row);
    console.log(JSON.stringify(row));
    if (dataNodes === 2) {
      for (const writing of [false, true]) {
        let stop = false;
        const writer = writing ? (async () => {
          const w = await client(cluster.port);
          while (!stop) await w.query(`INSERT INTO writes VALUES (${nextWrite++}, 'x')`);
          await w.end();
        })() : Promise.resolve();
        const eventually = await latencies(cluster.readPort, 'eventually');
        const strong = await latencies(cluster.readPort, 'strong');
        stop = true;
        await writer;
        const line = `${writing ? 'writer inserting' : 'idle'}: point SELECT on a standby, eventually p50 ${percentile(eventually, 0.5).toFixed(2)} / p99 ${percentile(eventually, 0.99).toFixed(2)} ms, ` +
          `strong p50 ${percentile(strong, 0.5).toFixed(2)} / p99 ${percentile(strong, 0.99).toFixed(2)} ms (${strong.length} statements; load ${loadavg()[0].toFixed(1)})`;
        waits.push(line);
        console.log(line);
      }
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
printTable(rows);
for (const w of waits) console.log(w);
