/**
 * What TLS on the router's links to the shards costs (router/shard-tls.ts): 2 Quiver shards
 * serving TLS (not required, so every mode reaches them), a router in this process per mode.
 *
 *   node dist/bench/router-shard-tls.js [--sessions 100] [--queries 500] [--rows 20000]
 *
 * Per mode: `connect` — a new client session's first fan-out `SELECT count(*)` (the router
 * opens both shard connections: TCP, SSLRequest, TLS handshake, SCRAM with the cluster
 * secret, startup), median / p95 ms over --sessions; `query` — the same statement again on an
 * open session, median / p95 ms over --queries; `rows` — `SELECT * FROM t` (every row through
 * both links), median ms over 20 runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import pg from 'pg';
import { startQuiver, type QuiverServer } from '../test/support/server.js';
import { startShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';
import { planFanout } from '../src/cluster/router/fanout-plan.js';
import { shardTlsFromFlags, type ShardTls } from '../src/cluster/router/shard-tls.js';
import { makeCa, makeNodeCert } from '../src/cluster/local/certs.js';

const SECRET = 'a-cluster-secret-of-32-characters';

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '100' }, queries: { type: 'string', default: '500' }, rows: { type: 'string', default: '20000' } } });
  const dir = mkdtempSync(join(tmpdir(), 'quiver-bench-tls-'));
  const ca = makeCa(dir);
  const cert = makeNodeCert(dir, ca, 'node');
  const shards: QuiverServer[] = await Promise.all([0, 1].map(() => startQuiver({ args: ['--tls-cert', cert.cert, '--tls-key', cert.key, '--cluster-secret', SECRET], env: { QUIVER_MAX_PREPARED_TRANSACTIONS: '10' } })));
  try {
    for (const s of shards) {
      const c = new pg.Client({ host: '127.0.0.1', port: s.port, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query('CREATE TABLE t (id int PRIMARY KEY, label text)');
      await c.end();
    }
    const modes: [string, ShardTls][] = [['disable', { mode: 'disable' }], ['prefer', { mode: 'prefer' }], ['verify-full', shardTlsFromFlags('verify-full', ca.cert)]];
    let loaded = false;
    for (const [name, shardTls] of modes) {
      const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory: staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`)), logger: pino({ level: 'warn' }), planFanout, secret: SECRET, shardTls });
      const client = async () => {
        const c = new pg.Client({ host: '127.0.0.1', port: router.port, user: 'postgres', database: 'postgres' });
        c.on('error', () => {}); // a shard stopped under an open client (a failed run) must not end the process before the shards stop
        await c.connect();
        return c;
      };
      try {
        if (!loaded) {
          const c = await client();
          await c.query(`INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, ${Number(values.rows)}) g`);
          await c.end();
          loaded = true;
        }
        const connect: number[] = [];
        for (let i = 0; i < Number(values.sessions); i++) {
          const c = await client();
          const t0 = performance.now();
          await c.query('SELECT count(*) FROM t');
          connect.push(performance.now() - t0);
          await c.end();
        }
        const c = await client();
        const query: number[] = [];
        for (let i = 0; i < Number(values.queries); i++) {
          const t0 = performance.now();
          await c.query('SELECT count(*) FROM t');
          query.push(performance.now() - t0);
        }
        const rows: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t0 = performance.now();
          await c.query('SELECT * FROM t');
          rows.push(performance.now() - t0);
        }
        await c.end();
        const f = (x: number) => x.toFixed(2);
        process.stdout.write(`${name.padEnd(12)} connect ${f(quantile(connect, 0.5))} / ${f(quantile(connect, 0.95))} ms   query ${f(quantile(query, 0.5))} / ${f(quantile(query, 0.95))} ms   ${values.rows} rows ${f(quantile(rows, 0.5))} ms\n`);
      } finally {
        await router.close();
      }
    }
  } finally {
    await Promise.all(shards.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
