/**
 * Query nodes (cluster mode's `query` role), in one process: a server whose sealed-segment
 * searches go over TCP to query nodes that load the segment and index files from an
 * object store. Their answers must equal the server's own workers' on the same data, and
 * a query node that dies, or cannot fetch a file, must cost no query its answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startServer, type RunningServer } from '../src/server.js';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import { startQueryNode, type RunningQueryNode } from '../src/cluster/query-node.js';
import { QueryNodePool, rendezvousOwner } from '../src/cluster/query-node-pool.js';
import { FrameReader, encodeFrame } from '../src/cluster/query-node-protocol.js';
import { SEGMENTS_DIR } from '../src/storage/data-dir.js';
import type { ObjectStore } from '../src/storage/shared-log.js';
import { DirectoryObjectStore } from './support/memory-shared-log.js';

const DIM = 24;
const vectorOf = (i: string) => `ARRAY[${Array.from({ length: DIM }, (_, d) => `sin(${i} * ${d + 1}.37)`).join(', ')}]::vector(${DIM})`;
const logger = pino({ level: 'silent' });

/** The data node's segment directory stands in for S3; `refuse`d keys are "not there". */
function directoryStore(dir: string, refuse: (key: string) => boolean = () => false): ObjectStore {
  const store = new DirectoryObjectStore(dir);
  return {
    put: (key, file) => store.put(key, file),
    get: async (key, file) => !refuse(key) && store.get(key, file),
    has: async (key) => !refuse(key) && store.has(key),
    delete: (key) => store.delete(key),
    list: (prefix) => store.list(prefix),
  };
}

const QUERIES = [
  ...['<->', '<=>', '<#>'].map((op) => `SELECT id FROM plain ORDER BY v ${op} ${vectorOf('7.5')} LIMIT 10`),
  `SELECT id, v <-> ${vectorOf('3.1')} AS d FROM plain WHERE tag = 4 ORDER BY v <-> ${vectorOf('3.1')} LIMIT 25`,
  `SELECT id FROM items ORDER BY v <-> ${vectorOf('42.5')} LIMIT 10`,
  `SELECT id FROM items WHERE tag < 5 ORDER BY v <-> ${vectorOf('9.9')} LIMIT 10`,
  `SELECT id FROM items WHERE tag = 3 ORDER BY v <=> ${vectorOf('1.25')} LIMIT 7`,
];

let dir: string;
let server: RunningServer;
let pool: QueryNodePool;
let client: pg.Client;
const nodes: RunningQueryNode[] = [];
const nodePools: QueryWorkerPool[] = [];

async function addNode(refuse?: (key: string) => boolean): Promise<string> {
  const cacheDir = join(dir, `node-${nodes.length}`);
  await mkdir(cacheDir);
  const workers = new QueryWorkerPool(1);
  nodePools.push(workers);
  const node = await startQueryNode({ host: '127.0.0.1', port: 0, cacheDir, objects: directoryStore(join(dir, 'data', SEGMENTS_DIR), refuse), pool: workers, logger });
  nodes.push(node);
  return `127.0.0.1:${node.port}`;
}

const answers = async () => {
  const out = [];
  for (const q of QUERIES) out.push((await client.query(q)).rows);
  return out;
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'quiver-query-node-'));
  // small segments: several sealed segments a table, so searches fan out
  process.env.QUIVER_SEAL_THRESHOLD_BYTES = String(96 << 10);
  server = await startServer({
    host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger, queryWorkers: 1,
    searchPool: (local) => (pool = new QueryNodePool({ local, segmentDir: join(dir, 'data', SEGMENTS_DIR), logger })),
  });
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  for (const t of ['items', 'plain']) {
    await client.query(`CREATE TABLE ${t} (id int PRIMARY KEY, tag int, v vector(${DIM}))`);
    for (let from = 1; from <= 4000; from += 500) {
      await client.query(`INSERT INTO ${t} SELECT i, i % 10, ${vectorOf('i')} FROM generate_series(${from}, ${from + 499}) i`);
    }
  }
  await client.query('CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops)');
  await client.query('CREATE INDEX items_c ON items USING hnsw (v vector_cosine_ops)');
  await client.query(`INSERT INTO items SELECT i, i % 10, ${vectorOf('i')} FROM generate_series(4001, 4100) i`);
  await client.query('DELETE FROM plain WHERE id % 13 = 0');
});

after(async () => {
  await client?.end();
  await server?.close();
  for (const n of nodes) await n.close();
  for (const p of nodePools) await p.close();
  delete process.env.QUIVER_SEAL_THRESHOLD_BYTES;
  await rm(dir, { recursive: true, force: true });
});

test('frames: split and joined messages come back whole', () => {
  const r = new FrameReader();
  const a = encodeFrame({ kind: 'stats', id: 1 });
  const b = encodeFrame({ kind: 'cancel', id: 2 });
  const both = Buffer.concat([a, b]);
  assert.deepEqual(r.push(both.subarray(0, 3)), []);
  assert.deepEqual(r.push(both.subarray(3, a.length + 5)), [{ kind: 'stats', id: 1 }]);
  assert.deepEqual(r.push(both.subarray(a.length + 5)), [{ kind: 'cancel', id: 2 }]);
  const huge = Buffer.alloc(8);
  huge.writeUInt32BE(0xffffffff, 0);
  assert.throws(() => new FrameReader().push(huge), /frame of 4294967295 bytes/);
  // a large frame (an IVFFlat training sample) arriving as a socket delivers it, then a small one in the same chunk
  const sample = Float32Array.from({ length: 5_000_000 }, (_, i) => i * 0.5);
  const stream = Buffer.concat([encodeFrame({ kind: 'train', samples: sample }), encodeFrame({ kind: 'cancel', id: 3 })]);
  const big = new FrameReader();
  const got: unknown[] = [];
  for (let at = 0; at < stream.length; at += 65536) got.push(...big.push(stream.subarray(at, at + 65536)));
  assert.equal(got.length, 2);
  assert.deepEqual((got[0] as { samples: Float32Array }).samples, sample);
  assert.deepEqual(got[1], { kind: 'cancel', id: 3 });
});

test('query nodes answer as the local workers do, and serve the sealed segments', async () => {
  const local = await answers(); // no nodes yet: the server's own worker
  assert.ok(local.every((rows) => rows.length > 0));
  const a = await addNode();
  const b = await addNode();
  pool.setNodes([a, b]);
  const localBefore = pool.localServed;
  const remote = await answers();
  QUERIES.forEach((q, i) => assert.deepEqual(remote[i], local[i], q.slice(0, 90)));
  assert.ok(pool.remoteServed > 0, 'query nodes answered');
  assert.equal(pool.localServed, localBefore, 'nothing fell back to the local workers');
  // the nodes' ports are random, so which node owns which segment is too: a node serves
  // exactly when rendezvous hashing gives it a segment (all of them land on one node now and
  // then: 17 and 0 in one run)
  const stats = [nodes[0].stats(), nodes[1].stats()];
  const files = (await readdir(join(dir, 'data', SEGMENTS_DIR))).filter((f) => f.endsWith('.arrow'));
  assert.ok(files.length >= 2, `sealed segments: ${files.join(' ')}`);
  [a, b].forEach((address, i) => {
    const owns = files.some((f) => rendezvousOwner([a, b], f) === address);
    assert.equal(stats[i].served > 0, owns, `node ${i} served ${stats[i].served}, owns segments: ${owns}`);
    assert.equal(stats[i].segments > 0, owns);
  });
  // over the protocol too
  assert.equal((await pool.stats(a)).served, nodes[0].stats().served);
});

test('a query node that dies costs no answer: its share moves', async () => {
  const expected = await answers();
  const served = nodes[0].stats().served;
  await nodes[1].close(); // mid-life: its connection drops, later connects are refused
  for (let round = 0; round < 3; round++) {
    const got = await answers();
    QUERIES.forEach((q, i) => assert.deepEqual(got[i], expected[i], `round ${round}: ${q.slice(0, 80)}`));
  }
  assert.ok(nodes[0].stats().served > served, 'the surviving node took the work');
});

test('a node that cannot fetch a file sends the work back: served locally, same answer', async () => {
  const expected = await answers();
  const blind = await addNode(() => true);
  pool.setNodes([blind]);
  const localBefore = pool.localServed;
  const got = await answers();
  QUERIES.forEach((q, i) => assert.deepEqual(got[i], expected[i], q.slice(0, 90)));
  assert.ok(pool.localServed > localBefore, 'served by the local workers');
  assert.equal(nodes[nodes.length - 1].stats().served, 0);
});
