/**
 * Shard groups on a loopback cluster (1 etcd, 1 nats-server, s3rver, `--shards 2` with two
 * data nodes per shard, one query node): each shard has its own leader, stream
 * (`quiver-s<K>`), election (`data-<K>`) and S3 prefix; rows written on shard 1's leader
 * are in stream quiver-s1 only; the proxy runs the shard router, whose catalog is shard 0's
 * (a table made on shard 1's leader alone is unknown to it: 42P01); the one query node serves sealed segments of both shards'
 * leaders (exact k-NN answers as exact search gives them); shard 1's standby takes over
 * when its leader is killed -9 while shard 0 goes on answering; cluster.json lists each
 * data node with its shard, and a start on the same directory with another --shards is
 * refused, as is a node started with another --shards than the one etcd recorded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { withClientOn } from './support/server.js';
import { from as copyFrom } from 'pg-copy-streams';
import { connect } from 'nats';
import pino from 'pino';
import { clusterSkip } from './support/cluster-binaries.js';
import { clusterSecret, startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { clusterCredentials, credentialsEnv } from '../src/cluster/local/credentials.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import { QueryNodePool } from '../src/cluster/query-node-pool.js';
import type { ManagedProcess } from '../src/cluster/local/processes.js';
import { seededRandom } from '../bench/util.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';

const skip = clusterSkip();

const DIM = 8;
/** each shard gets two COPYs of 8,192 rows: a COPY that large is a sealed segment of its own (BULK_ROWS) */
const ROWS = 4 * 8192;
const rnd = seededRandom(1414);
const vectors = Array.from({ length: ROWS }, () => Float32Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000));
const queries = Array.from({ length: 4 }, () => Float32Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000));
const text = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

const dir = mkdtempSync(join(tmpdir(), 'quiver-shards-'));
let cluster: LocalCluster | undefined;

const alive = (p: ManagedProcess | undefined) => p !== undefined && p.child.exitCode === null && p.child.signalCode === null;

const withClient = withClientOn;

async function leaderOf(shard: number): Promise<ManagedProcess> {
  const p = await cluster!.dataLeader(shard);
  assert.ok(p, `shard ${shard} has a leader`);
  return p;
}

/** The last sequence of each JetStream stream by name. */
async function streams(): Promise<Map<string, number>> {
  const nc = await connect({ servers: [...cluster!.nats.urls], ...cluster!.nats.auth });
  try {
    const out = new Map<string, number>();
    for await (const s of (await nc.jetstreamManager()).streams.list()) out.set(s.config.name, s.state.last_seq);
    return out;
  } finally {
    await nc.close();
  }
}

/** The exact k nearest ids (L2) of rows [from, to). */
function exact(q: Float32Array, k: number, from: number, to: number): number[] {
  const d: { id: number; d: number }[] = [];
  for (let id = from; id < to; id++) {
    let s = 0;
    for (let j = 0; j < DIM; j++) s += (vectors[id][j] - q[j]) ** 2;
    d.push({ id, d: s });
  }
  return d.sort((a, b) => a.d - b.d || a.id - b.id).slice(0, k).map((x) => x.id);
}

/** Load rows [from, to) into `items` on a leader, in `segments` COPYs (one sealed segment each). */
async function load(port: number, from: number, to: number, segments: number): Promise<void> {
  await withClient(port, async (c) => {
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, v vector(${DIM}))`);
    const lines = function* (a: number, b: number) {
      for (let id = a; id < b; id++) yield `${id}\t${text(vectors[id])}\n`;
    };
    const step = Math.ceil((to - from) / segments);
    for (let a = from; a < to; a += step) await pipeline(Readable.from(lines(a, Math.min(to, a + step))), c.query(copyFrom('COPY items FROM STDIN')));
  });
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: 2, dataNodes: 2, queryNodes: 1, indexNodes: 1, queryNodeWorkers: 1, logLevel: 'info' });
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('each shard has its own leader, stream and election; cluster.json and etcd name each data node\'s shard', { skip, timeout: 120_000 }, async () => {
  const listed = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { shards: number; processes: { role: string; name: string; shard?: number }[] };
  assert.equal(listed.shards, 2);
  assert.deepEqual(listed.processes.filter((p) => p.role === 'data').map((p) => [p.name, p.shard]).sort(),
    [['data-s0-1', 0], ['data-s0-2', 0], ['data-s1-1', 1], ['data-s1-2', 1]]);
  assert.ok(listed.processes.filter((p) => p.role !== 'data').every((p) => p.shard === undefined));

  const [l0, l1] = [await leaderOf(0), await leaderOf(1)];
  assert.equal(cluster!.shardOf(l0.name), 0);
  assert.equal(cluster!.shardOf(l1.name), 1);

  const c = await openEtcdCoordinator({ endpoints: [...cluster!.etcd.endpoints], auth: cluster!.etcd.auth });
  try {
    assert.equal(await c.get('shards'), '2');
    assert.equal(await c.leader('data'), undefined, 'no unsharded election');
    assert.equal(await c.leader('data-0'), `127.0.0.1:${l0.port}`);
    assert.equal(await c.leader('data-1'), `127.0.0.1:${l1.port}`);
    const data = await c.nodes('data');
    assert.deepEqual(data.map((n) => [n.id, n.shard]).sort(), [['data-s0-1', 0], ['data-s0-2', 0], ['data-s1-1', 1], ['data-s1-2', 1]]);
  } finally {
    await c.close();
  }
  const names = [...(await streams()).keys()].sort();
  assert.deepEqual(names, ['quiver-s0', 'quiver-s1'], 'one stream a shard, no unsharded one');
});

test('rows written on shard 1\'s leader are in stream quiver-s1 only; shard 0 has none of them', { skip, timeout: 120_000 }, async () => {
  const [l0, l1] = [await leaderOf(0), await leaderOf(1)];
  // a table on shard 0 too: the shards' next tables get equal OIDs, so their segment files equal names
  await withClient(l0.port, (c) => c.query('CREATE TABLE elsewhere (id int PRIMARY KEY, note text)'));
  const before = await streams();
  await withClient(l1.port, async (c) => {
    await c.query('CREATE TABLE only_here (id int PRIMARY KEY, note text)');
    for (let i = 0; i < 20; i++) await c.query('INSERT INTO only_here VALUES ($1, $2)', [i, `row ${i}`]);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM only_here')).rows[0].n, 20);
  });
  const afterWrites = await streams();
  assert.ok(afterWrites.get('quiver-s1')! >= before.get('quiver-s1')! + 21, `stream quiver-s1 grew by the DDL and 20 commits (${before.get('quiver-s1')} → ${afterWrites.get('quiver-s1')})`);
  assert.equal(afterWrites.get('quiver-s0'), before.get('quiver-s0'), 'stream quiver-s0 did not move');
  await withClient(l0.port, async (c) => {
    await assert.rejects(c.query('SELECT * FROM only_here'), { code: '42P01' });
  });
  // the proxy's shard router reads the catalog of shard 0, where the table made on shard 1's
  // leader alone does not exist; statements reading no sharded table run on shard 0 — on
  // its leader through the main port, on a standby (or the leader, before one is current)
  // through the read port
  for (const port of [cluster!.port, cluster!.readPort]) {
    await withClient(port, async (c) => {
      await assert.rejects(c.query('SELECT * FROM only_here'), { code: '42P01' });
      if (port === cluster!.port) assert.equal((await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r, false, 'a leader');
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'elsewhere'`)).rows[0].n, 1, 'of shard 0');
    });
  }
});

test('one query node and one index node serve both shards\' leaders: k-NN answers as exact search, files of equal names kept apart', { skip, timeout: 300_000 }, async (t) => {
  const half = ROWS / 2;
  const [l0, l1] = [await leaderOf(0), await leaderOf(1)];
  // each shard holds half of the rows, in several sealed segments; their files have the same names
  await load(l0.port, 0, half, 2);
  await load(l1.port, half, ROWS, 2);
  for (const [shard, port, from, to] of [[0, l0.port, 0, half], [1, l1.port, half, ROWS]] as const) {
    await withClient(port, async (c) => {
      assert.equal((await c.query('SELECT count(*)::int AS n FROM items')).rows[0].n, to - from);
      for (const q of queries) {
        const got = (await c.query(`SELECT id FROM items ORDER BY v <-> '${text(q)}' LIMIT 10`)).rows.map((r) => r.id as number);
        assert.deepEqual(got, exact(q, 10, from, to), `shard ${shard}'s exact k-NN`);
      }
    });
  }
  // HNSW indexes, built by the index node for both leaders, searched on the query node
  for (const [shard, port, from, to] of [[0, l0.port, 0, half], [1, l1.port, half, ROWS]] as const) {
    await withClient(port, async (c) => {
      await c.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');
      let found = 0;
      for (const q of queries) {
        const truth = new Set(exact(q, 10, from, to));
        const got = (await c.query(`SELECT id FROM items ORDER BY v <-> '${text(q)}' LIMIT 10`)).rows.map((r) => r.id as number);
        assert.ok(got.every((id) => id >= from && id < to), `shard ${shard}'s index answers with its own rows`);
        found += got.filter((id) => truth.has(id)).length;
      }
      assert.ok(found / (10 * queries.length) >= 0.9, `shard ${shard}'s HNSW recall@10 ${found / (10 * queries.length)}`);
    });
  }
  const built = readFileSync(join(dir, 'logs', 'index-1.log'), 'utf8').split('\n').filter((l) => l.includes('built an index for a data node')).map((l) => (JSON.parse(l) as { prefix?: string }).prefix);
  assert.ok(built.includes('quiver-s0') && built.includes('quiver-s1'), `the index node built for both shards (${built.join(', ')})`);
  const queryNode = [...cluster!.nodes.values()].find((p) => p.role === 'query')!;
  const asker = new QueryNodePool({ local: undefined, segmentDir: '', logger: pino({ level: 'silent' }), secret: clusterSecret(cluster!.dir) });
  const stats = await asker.stats(`127.0.0.1:${queryNode.port}`).finally(() => asker.close());
  assert.ok(stats.served > 0, 'the query node served searches');
  // its cache holds each shard's files under the shard's stream: equal names are two files
  const cache = join(dir, 'query-1');
  const files = (prefix: string) => (existsSync(join(cache, prefix)) ? readdirSync(join(cache, prefix)) : []);
  assert.ok(files('quiver-s0').length > 0, 'it fetched shard 0\'s segments');
  assert.ok(files('quiver-s1').length > 0, 'it fetched shard 1\'s segments');
  assert.ok(files('quiver-s0').some((f) => files('quiver-s1').includes(f)), 'the shards have files of equal names (and answered with their own rows)');
  assert.ok(files('quiver-s1').some((f) => f.endsWith('.usearch')), `it fetched shard 1's index files too (${files('quiver-s1').join(' ')})`);
  t.diagnostic(`query node served ${stats.served} requests, ${stats.segments} segments loaded; cached: s0 ${files('quiver-s0').join(' ')}; s1 ${files('quiver-s1').join(' ')}`);
});

test('shard 1\'s standby takes over when its leader is killed -9, while shard 0 keeps answering', { skip, timeout: 120_000 }, async (t) => {
  const [l0, l1] = [await leaderOf(0), await leaderOf(1)];
  const count1 = await withClient(l1.port, async (c) => (await c.query('SELECT count(*)::int AS n FROM only_here')).rows[0].n as number);
  // a writer through the proxy's shard router throughout: rows on both shards, each acknowledged one kept
  await withClient(cluster!.port, (c) => c.query('CREATE TABLE acked (id int PRIMARY KEY)'));
  const acked: number[] = [];
  let writing = true;
  const writer = (async () => {
    let next = 0;
    while (writing) {
      const id = next++;
      try {
        await withClient(cluster!.port, (c) => c.query('INSERT INTO acked VALUES ($1)', [id]));
        acked.push(id);
      } catch {
        // shard 1 between leaders: this write is in doubt (57P03, a broken connection)
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  // shard 0, directly and through the proxy (a statement reading no sharded table runs there), throughout: every query answered
  let stop = false;
  let answered = 0;
  const failures: string[] = [];
  const reader = (async () => {
    while (!stop) {
      try {
        await withClient(l0.port, async (c) => {
          assert.equal((await c.query('SELECT count(*)::int AS n FROM items')).rows[0].n, ROWS / 2);
        });
        await withClient(cluster!.port, async (c) => {
          assert.equal((await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'items'`)).rows[0].n, 1);
        });
        answered++;
      } catch (e) {
        failures.push((e as Error).message);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const t0 = Date.now();
  l1.child.kill('SIGKILL');
  await l1.exited;
  let next: ManagedProcess | undefined;
  for (;;) {
    next = await cluster!.dataLeader(1);
    if (next && next.name !== l1.name && alive(next)) {
      try {
        const n = await withClient(next.port, async (c) => (await c.query('SELECT count(*)::int AS n FROM only_here')).rows[0].n as number);
        if (n === count1 && !(await withClient(next.port, async (c) => (await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r as boolean))) break;
      } catch {
        // promoting: try again
      }
    }
    assert.ok(Date.now() - t0 < 60_000, 'shard 1 has a new leader within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  const takeoverMs = Date.now() - t0;
  stop = true;
  await reader;
  // writes through the router reach the new leader of shard 1 again
  const ackedAtTakeover = acked.length;
  const writesBack = Date.now();
  while (!acked.some((id, i) => i >= ackedAtTakeover && shardOfKey([T.int4], [id], 2) === 1)) {
    assert.ok(Date.now() - writesBack < 30_000, 'a write to shard 1 through the proxy succeeds within 30 s of the takeover');
    await new Promise((r) => setTimeout(r, 100));
  }
  writing = false;
  await writer;
  const stored = await withClient(cluster!.port, async (c) => (await c.query('SELECT id FROM acked ORDER BY id')).rows.map((r) => r.id as number));
  assert.equal(new Set(stored).size, stored.length, 'no row twice');
  const missing = acked.filter((id) => !stored.includes(id));
  assert.deepEqual(missing, [], 'every acknowledged write through the proxy is there');
  t.diagnostic(`writer through the proxy: ${acked.length} acknowledged, ${stored.length} stored, writes to shard 1 again ${Date.now() - writesBack} ms after the takeover was seen`);
  assert.equal(cluster!.shardOf(next.name), 1, 'shard 1\'s standby took over');
  assert.equal((await leaderOf(0)).name, l0.name, 'shard 0\'s leader is unchanged');
  assert.deepEqual(failures, [], 'shard 0 answered throughout');
  assert.ok(answered > 0);
  // the new leader writes its shard's stream
  const before = await streams();
  await withClient(next.port, (c) => c.query(`INSERT INTO only_here VALUES (1000, 'after the takeover')`));
  const afterInsert = await streams();
  assert.ok(afterInsert.get('quiver-s1')! > before.get('quiver-s1')!);
  assert.equal(afterInsert.get('quiver-s0'), before.get('quiver-s0'));
  t.diagnostic(`shard 1 led again by ${next.name} ${takeoverMs} ms after the kill -9 of ${l1.name}; shard 0 answered ${answered} queries meanwhile`);
});

test('a node started with another --shards than etcd recorded refuses to start, saying why', { skip, timeout: 60_000 }, async () => {
  const main = fileURLToPath(new URL('../src/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--role', 'query', '--port', '1', '--data', join(dir, 'wrong'), '--etcd', cluster!.etcd.endpoints.join(','),
    '--s3-bucket', cluster!.s3.bucket, '--s3-endpoint', cluster!.s3.endpoint, '--shards', '3', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...credentialsEnv(clusterCredentials(cluster!.dir)) } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2);
  assert.match(err, /this cluster has 2 shards \(recorded in etcd\), but this node was started with --shards 3: start it with --shards 2/);
});

test('the directory keeps its shard count: a start with another --shards is refused', { skip, timeout: 60_000 }, async () => {
  await cluster!.stop();
  await assert.rejects(startLocalCluster({ dir, nodes: 1, shards: 1, dataNodes: 1, queryNodes: 0, indexNodes: 0 }), /has 2 shards: start it with --shards 2/);
});
