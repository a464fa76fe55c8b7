/**
 * Index nodes (cluster mode's `index` role), in one process with the in-memory seams: the
 * data node's storage has an index node build each sealed segment's HNSW index from the
 * segment file in the object store, fetches the index file and searches it; a fresh node
 * opens the same files; when the index node is gone, or cannot fetch a segment, the data
 * node builds the index itself.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DurableStorage } from '../src/storage/durable-storage.js';
import { startIndexNode, type RunningIndexNode } from '../src/cluster/index-node.js';
import { IndexNodeClient } from '../src/cluster/index-node-client.js';
import { OID, type Row } from '../src/types/types.js';
import type { ObjectStore } from '../src/storage/shared-log.js';
import { DirectoryObjectStore, MemorySharedLog } from './support/memory-shared-log.js';

const DIM = 8;
const LAYOUT = { id: 16500, columns: [{ name: 'id', type: { oid: OID.int8, typmod: -1 } }, { name: 'v', type: { oid: OID.vector, typmod: DIM } }] };
const SPEC = { name: 'items_v', column: 1, op: '<->' as const, m: 16, efConstruction: 64 };
const logger = pino({ level: 'silent' });
const item = (i: number): Row => [BigInt(i), Float32Array.from({ length: DIM }, (_, d) => Math.sin(i * (d + 1.37)))];

const dirs: string[] = [];
const nodes: RunningIndexNode[] = [];
after(async () => {
  for (const n of nodes) await n.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const dir = async () => { const d = await mkdtemp(join(tmpdir(), 'quiver-index-node-')); dirs.push(d); return d; };

async function load(s: DurableStorage, from: number, to: number): Promise<void> {
  const t = s.begin();
  t.insert(LAYOUT.id, Array.from({ length: to - from }, (_, i) => item(from + i)));
  await t.commit();
  await s.seal(LAYOUT.id);
}

/** The ids an index search of every indexed segment finds nearest to row `q`'s vector. */
function nearest(s: DurableStorage, q: number): number[] {
  const query = item(q)[1] as Float32Array;
  const out: number[] = [];
  for (const seg of s.annSegments(LAYOUT.id, SPEC.name, s.snapshot())) {
    for (const hit of seg.index.search(query, 3, 40)) out.push(Number(seg.visibleRow(hit.position)!.row[0]));
  }
  return out;
}

async function indexNode(objects: ObjectStore): Promise<{ client: IndexNodeClient; node: RunningIndexNode }> {
  const node = await startIndexNode({ host: '127.0.0.1', port: 0, workDir: await dir(), objects, logger });
  nodes.push(node);
  const client = new IndexNodeClient(logger);
  client.setNodes([`127.0.0.1:${node.port}`]);
  return { client, node };
}

test('an index node builds each sealed segment\'s HNSW index; the data node searches it, a fresh node opens it', async () => {
  const [a, b, store] = [await dir(), await dir(), await dir()];
  const objects = new DirectoryObjectStore(store);
  const log = new MemorySharedLog();
  const { client, node } = await indexNode(objects);
  const s = await DurableStorage.open({ dataDir: a, background: false, shared: { log, objects, indexBuilder: client } });
  await s.createTable(LAYOUT);
  await load(s, 0, 1500);
  await load(s, 1500, 3000);
  await s.createVectorIndex(LAYOUT.id, SPEC);
  assert.equal(node.built(), 2, 'the index node built both segments\' indexes');
  assert.equal(client.builtRemotely, 2);
  const segments = s.annSegments(LAYOUT.id, SPEC.name, s.snapshot());
  assert.equal(segments.length, 2);
  // each row finds itself first through the index the index node built
  for (const q of [7, 1499, 1500, 2999]) assert.ok(nearest(s, q).includes(q), `row ${q} found`);
  assert.ok(segments.every((seg) => seg.index.recallCurve), 'the recall calibration came along');
  const indexFiles = (await objects.list('')).filter((k) => k.endsWith('.usearch'));
  assert.equal(indexFiles.length, 2, `index files in the object store: ${indexFiles}`);
  // a new segment after CREATE INDEX is indexed by the node too
  await load(s, 3000, 4000);
  assert.equal(node.built(), 3);
  await s.close();
  const fresh = await DurableStorage.open({ dataDir: b, background: false, shared: { log, objects } });
  assert.equal(fresh.annSegments(LAYOUT.id, SPEC.name, fresh.snapshot()).length, 3);
  assert.ok(nearest(fresh, 3500).includes(3500));
  for (const f of indexFiles) assert.ok(existsSync(join(b, 'segments', f)), `${f} fetched by the fresh node`);
  await fresh.close();
});

test('no index node, one that cannot fetch the segment, or one that is gone: the data node builds it itself', async () => {
  const [a, store] = [await dir(), await dir()];
  const objects = new DirectoryObjectStore(store);
  const blindStore: ObjectStore = { ...objects, get: async () => false, put: (k, f) => objects.put(k, f), list: (p) => objects.list(p), has: async () => false, delete: (k) => objects.delete(k) };
  const { client: blind, node: blindNode } = await indexNode(blindStore);
  const s = await DurableStorage.open({ dataDir: a, background: false, shared: { log: new MemorySharedLog(), objects, indexBuilder: blind } });
  await s.createTable(LAYOUT);
  await load(s, 0, 1200);
  await s.createVectorIndex(LAYOUT.id, SPEC);
  assert.equal(blindNode.built(), 0);
  assert.ok(nearest(s, 600).includes(600), 'built here instead');
  // the node goes away: the next segment's index is built here too
  await blindNode.close();
  await load(s, 1200, 2400);
  assert.equal(s.annSegments(LAYOUT.id, SPEC.name, s.snapshot()).length, 2);
  assert.ok(nearest(s, 1800).includes(1800));
  blind.setNodes([]);
  await load(s, 2400, 3000);
  assert.equal(s.annSegments(LAYOUT.id, SPEC.name, s.snapshot()).length, 3);
  await s.close();
});
