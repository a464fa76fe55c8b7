/**
 * What promoting a hot standby in place costs, against the old way (closing its sessions
 * and starting the leader's server on its directory). In one process on the in-memory
 * shared log of the tests: a leader loads `rows` × vector(32) with an HNSW index (4 MB
 * segments), two standbys follow it, both fall `behind` single-row commits behind, the
 * leader stops; then standby b is elected, closed and started as a leader (recovery from
 * its directory), and standby a is elected and promoted (DurableStorage.promote +
 * Engine.promote). Each is timed from its election to serving as the leader.
 *
 *   node dist/bench/promote.js [--rows 50000] [--behind 200]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { DirectoryObjectStore, MemorySharedLog } from '../test/support/memory-shared-log.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '50000' }, behind: { type: 'string', default: '200' } } });
const rows = Number(values.rows);
const behind = Number(values.behind);
const logger = pino({ level: 'silent' });
process.env.QUIVER_SEAL_THRESHOLD_BYTES = String(4 << 20);
const dir = await mkdtemp(join(tmpdir(), 'quiver-promote-bench-'));
const seams = { log: new MemorySharedLog(), objects: new DirectoryObjectStore(join(dir, 's3')) };
const client = async (port: number) => {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await c.connect();
  return c;
};
const vector = (i: string) => `(SELECT array_agg(((${i} * 31 + j * 17) % 97)::real) FROM generate_series(1, 32) j)::vector(32)`;
try {
  const leader = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'leader'), logger, queryWorkers: 0, shared: seams });
  const w = await client(leader.port);
  await w.query('CREATE TABLE t (id int PRIMARY KEY, v vector(32))');
  for (let i = 0; i < rows; i += 5000) await w.query(`INSERT INTO t SELECT i, ${vector('i')} FROM generate_series(${i + 1}, ${Math.min(rows, i + 5000)}) i`);
  await w.query('CREATE INDEX ON t USING hnsw (v vector_l2_ops)');
  const standbys: { server: RunningServer; stop: AbortController; follow: Promise<void> }[] = [];
  for (const name of ['a', 'b']) {
    const server = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, name), logger, queryWorkers: 0, shared: seams, standby: true });
    const stop = new AbortController();
    standbys.push({ server, stop, follow: server.standby!.follow(stop.signal) });
    // a strong read: caught up
    const r = await client(server.port);
    await r.query('SELECT count(*) FROM t');
    await r.end();
  }
  for (const s of standbys) s.server.standby!.pause(true);
  for (let i = 0; i < behind; i++) await w.query(`INSERT INTO t VALUES (${rows + 1 + i}, ${vector(String(i))})`);
  await w.end();
  await leader.close();
  // each timed from its election (the follow loop stopped) to serving as the leader: both apply the `behind` batches
  let t0 = performance.now();
  standbys[1].stop.abort();
  await standbys[1].follow;
  await standbys[1].server.close();
  const restarted = await startServer({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'b'), logger, queryWorkers: 0, shared: seams });
  const restartMs = performance.now() - t0;
  await restarted.close();
  t0 = performance.now();
  standbys[0].stop.abort();
  await standbys[0].follow;
  await standbys[0].server.standby!.promote(seams);
  const promoteMs = performance.now() - t0;
  await standbys[0].server.close();
  console.log(JSON.stringify({ rows, behind, restartMs: Math.round(restartMs), promoteMs: Math.round(promoteMs), load: loadavg()[0].toFixed(1) }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
