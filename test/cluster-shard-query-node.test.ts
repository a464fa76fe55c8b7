/**
 * One query node serving two shards' leaders, in one process: two servers stand in for
 * shard 0's and shard 1's leaders (the same DDL, so their segment and index files have
 * the same names, but different rows); each names its files' object store prefix in its
 * requests (`quiver-s0`, `quiver-s1`), and the node fetches each from its own store. Both
 * must get their local workers' answers, through the node, with nothing falling back; a
 * prefix that is no stream name is sent back (served locally), never walked into.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import { startQueryNode, type RunningQueryNode } from '../src/cluster/query-node.js';
import { QueryNodePool } from '../src/cluster/query-node-pool.js';
import { FramedConnection, type NodeResponse } from '../src/cluster/query-node-protocol.js';
import { SEGMENTS_DIR } from '../src/storage/data-dir.js';
import type { ObjectStore } from '../src/storage/shared-log.js';
import { DirectoryObjectStore } from './support/memory-shared-log.js';

const DIM = 16;
const logger = pino({ level: 'silent' });
/** shard K's rows: different vectors on each shard (the same ids) */
const vectorOf = (shard: number, i: string) => `ARRAY[${Array.from({ length: DIM }, (_, d) => `sin(${i} * ${d + 1}.37 + ${shard * 0.71})`).join(', ')}]::vector(${DIM})`;
const queries = (shard: number) => [
  `SELECT id FROM items ORDER BY v <-> ${vectorOf(shard, '7.5')} LIMIT 10`,
  `SELECT id FROM items WHERE tag = 3 ORDER BY v <-> ${vectorOf(shard, '2.5')} LIMIT 10`,
  `SELECT id FROM plain ORDER BY v <=> ${vectorOf(shard, '11.5')} LIMIT 10`,
];

interface Shard {
  readonly prefix: string;
  readonly dataDir: string;
  server: RunningServer;
  pool: QueryNodePool;
  client: pg.Client;
}

let dir: string;
const shards: Shard[] = [];
let node: RunningQueryNode;
let nodeWorkers: QueryWorkerPool;
const asked: string[] = [];

const answers = async (s: Shard, k: number) => {
  const out = [];
  for (const q of queries(k)) out.push((await s.client.query(q)).rows.map((r) => r.id as number));
  return out;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-shard-query-node-'));
  // small segments: several sealed segments a table
  process.env.QUIVER_SEAL_THRESHOLD_BYTES = String(64 << 10);
  for (const k of [0, 1]) {
    const dataDir = join(dir, `shard-${k}`);
    const prefix = `quiver-s${k}`;
    const s = { prefix, dataDir } as Shard;
    s.server = await startServer({
      host: '127.0.0.1', port: 0, dataDir, logger, queryWorkers: 1,
      searchPool: (local) => (s.pool = new QueryNodePool({ local, segmentDir: join(dataDir, SEGMENTS_DIR), logger, prefix })),
    });
    s.client = new pg.Client({ host: '127.0.0.1', port: s.server.port, user: 'postgres', database: 'postgres' });
    await s.client.connect();
    for (const t of ['items', 'plain']) {
      await s.client.query(`CREATE TABLE ${t} (id int PRIMARY KEY, tag int, v vector(${DIM}))`);
      for (let from = 1; from <= 3000; from += 500) {
        await s.client.query(`INSERT INTO ${t} SELECT i, i % 10, ${vectorOf(k, 'i')} FROM generate_series(${from}, ${from + 499}) i`);
      }
    }
    await s.client.query('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)');
    shards.push(s);
  }
  // the node's stores: one per shard's prefix (the shards' segment directories stand in for S3)
  const stores = new Map(shards.map((s) => [s.prefix, new DirectoryObjectStore(join(s.dataDir, SEGMENTS_DIR))]));
  const noUnprefixed: ObjectStore = {
    put: async () => { throw new Error('no unprefixed store'); },
    get: async (key) => { asked.push(`(none)/${key}`); return false; },
    has: async () => false,
    delete: async () => {},
    list: async () => [],
  };
  const cacheDir = join(dir, 'node');
  await mkdir(cacheDir);
  nodeWorkers = new QueryWorkerPool(1);
  node = await startQueryNode({
    host: '127.0.0.1', port: 0, cacheDir, objects: noUnprefixed, pool: nodeWorkers, logger,
    objectsAt: (prefix) => {
      asked.push(prefix);
      const store = stores.get(prefix);
      if (!store) throw new Error(`no store for ${prefix}`);
      return store;
    },
  });
});

after(async () => {
  for (const s of shards) {
    await s.client?.end();
    await s.server?.close();
  }
  await node?.close();
  await nodeWorkers?.close();
  delete process.env.QUIVER_SEAL_THRESHOLD_BYTES;
  await rm(dir, { recursive: true, force: true });
});

test('one query node answers both shards as their local workers do; equal file names stay apart', async () => {
  const local = [await answers(shards[0], 0), await answers(shards[1], 1)];
  assert.notDeepEqual(local[0], local[1], 'the shards hold different rows');
  const address = `127.0.0.1:${node.port}`;
  for (const s of shards) s.pool.setNodes([address]);
  const before = shards.map((s) => s.pool.localServed);
  const remote = [await answers(shards[0], 0), await answers(shards[1], 1)];
  for (const k of [0, 1]) {
    queries(k).forEach((q, i) => assert.deepEqual(remote[k][i], local[k][i], `shard ${k}: ${q.slice(0, 70)}`));
    assert.ok(shards[k].pool.remoteServed > 0, `shard ${k}'s searches went to the node`);
    assert.equal(shards[k].pool.localServed, before[k], `shard ${k}: nothing fell back to the local workers`);
  }
  // the same names on both shards, cached apart under each prefix
  const sealed = await Promise.all(shards.map(async (s) => (await readdir(join(s.dataDir, SEGMENTS_DIR))).filter((f) => f.endsWith('.arrow')).sort()));
  assert.ok(sealed[0].length >= 2);
  // (how many segments each seals depends on when background seals run; the names they share are the point)
  const shared = sealed[0].filter((f) => sealed[1].includes(f));
  assert.ok(shared.length >= 2, `the shards' segment files have equal names (${JSON.stringify(sealed)})`);
  const cached = await Promise.all(shards.map(async (s) => (await readdir(join(dir, 'node', s.prefix))).filter((f) => f.endsWith('.arrow')).sort()));
  assert.ok(cached[0].length > 0 && cached[1].length > 0, `cached per prefix: ${JSON.stringify(cached)}`);
  assert.ok(!asked.some((a) => a.startsWith('(none)')), 'no request went to the unprefixed store');
  assert.equal(node.stats().segments, cached[0].length + cached[1].length, 'a segment a prefix and file');
});

test('a prefix that is no stream name is sent back, not fetched', async () => {
  const address = `127.0.0.1:${node.port}`;
  const file = (await readdir(join(shards[0].dataDir, SEGMENTS_DIR))).find((f) => f.endsWith('.arrow'))!;
  const answer = await new Promise<NodeResponse>((resolve, reject) => {
    const conn = new FramedConnection(address, (m) => { resolve(m as NodeResponse); conn.end(); }, (why) => reject(new Error(why)));
    conn.send({ kind: 'search', id: 1, prefix: '../shard-0', segment: { file, column: 2 }, body: { kind: 'exactTopK', query: new Float32Array(DIM), k: 1, op: 'l2', ranges: [[0, 1]] } });
  });
  assert.equal(answer.ok, false);
  assert.ok(!answer.ok && answer.elsewhere, 'served elsewhere (by the data node itself)');
  assert.ok(!answer.ok && /not a stream name/.test(answer.error.message));
  assert.ok(!asked.includes('../shard-0'));
});
