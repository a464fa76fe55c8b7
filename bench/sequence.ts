/**
 * Sequence throughput: N connections (default 16) for a fixed time each run
 *   - `INSERT INTO seq_bench DEFAULT VALUES` on a bigserial table (one nextval per commit)
 *   - `SELECT nextval('seq_bench_s')` in autocommit
 * and report ops/s. Either against a Quiver child server started on a temporary data
 * directory (the default), or against any PostgreSQL URL for comparison:
 *
 *   npm run bench:sequence -- [--seconds 5] [--connections 16] [--url postgres://…]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN_JS = join(REPO, 'dist', 'src', 'main.js');

async function startQuiver(dataDir: string): Promise<{ proc: ChildProcess; port: number }> {
  const proc = spawn(process.execPath, [MAIN_JS, '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  const port = await new Promise<number>((res, rej) => {
    proc.stderr!.on('data', (s: string) => {
      stderr += s;
      const m = /"msg":"listening".*?"port":(\d+)/.exec(stderr);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`server exited ${code}: ${stderr}`)));
  });
  return { proc, port };
}

/** Run `sql` back to back on every client for `seconds`; the total rate in ops/s. */
async function rate(clients: readonly pg.Client[], sql: string, seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let ops = 0;
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => {
    while (performance.now() < until) {
      await c.query(sql);
      ops++;
    }
  }));
  return ops / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    url: { type: 'string' },
  } });
  const seconds = Number(values.seconds);
  const n = Number(values.connections);
  let server: { proc: ChildProcess; port: number } | undefined;
  let dataDir: string | undefined;
  let config: pg.ClientConfig;
  if (values.url) {
    config = { connectionString: values.url };
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'quiver-seq-bench-'));
    server = await startQuiver(dataDir);
    config = { host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' };
  }
  const clients = await Promise.all(Array.from({ length: n }, async () => {
    const c = new pg.Client(config);
    await c.connect();
    return c;
  }));
  try {
    await clients[0]!.query('DROP TABLE IF EXISTS seq_bench');
    await clients[0]!.query('DROP SEQUENCE IF EXISTS seq_bench_s');
    await clients[0]!.query('CREATE TABLE seq_bench (id bigserial PRIMARY KEY)');
    await clients[0]!.query('CREATE SEQUENCE seq_bench_s');
    const insert = await rate(clients, 'INSERT INTO seq_bench DEFAULT VALUES', seconds);
    const nextval = await rate(clients, "SELECT nextval('seq_bench_s')", seconds);
    const count = await clients[0]!.query<{ n: string }>('SELECT count(*) AS n FROM seq_bench');
    console.log(`${values.url ? 'postgres' : 'quiver'}, ${n} connections, ${seconds} s each:`);
    console.log(`  INSERT … DEFAULT VALUES (bigserial): ${insert.toFixed(0)} ops/s (${count.rows[0]!.n} rows)`);
    console.log(`  SELECT nextval(…) autocommit:       ${nextval.toFixed(0)} ops/s`);
    await clients[0]!.query('DROP TABLE seq_bench');
    await clients[0]!.query('DROP SEQUENCE seq_bench_s');
  } finally {
    await Promise.all(clients.map((c) => c.end()));
    if (server && server.proc.exitCode === null) {
      await new Promise<void>((done) => { server!.proc.once('exit', () => done()); server!.proc.kill('SIGTERM'); });
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
