/**
 * Cluster mode end to end (issue 14's test, on this 2-core machine's loopback): a local
 * cluster (3 etcd, 3 JetStream servers, s3rver, two data nodes, two query nodes, a proxy)
 * is loaded with 100,000 rows with vectors through the proxy; k-NN and filtered k-NN
 * answers are checked against the exact answers, and the query nodes must have served
 * sealed segments; then, while a writer keeps writing, a query node, the leading data
 * node, the JetStream stream's leader and the proxy are killed -9 in turn. After each, queries
 * answer again within 15 s and the writer goes on; at the end every acknowledged write
 * is present exactly once, and the loaded rows and answers are unchanged.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connect } from 'nats';
import { clusterSkip } from './support/cluster-binaries.js';
import { withClientOn } from './support/server.js';
import { clusterSecret, startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { seededRandom } from '../bench/util.js';
import { checkAcked, startAckedWriter } from './support/acked-writer.js';
import { QueryNodePool } from '../src/cluster/query-node-pool.js';
import pino from 'pino';

const skip = clusterSkip();

const ROWS = 100_000;
const DIM = 16;
const LABELS = 50;
const rnd = seededRandom(14);
const vectors = Array.from({ length: ROWS }, () => Float32Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000));
const queries = Array.from({ length: 6 }, () => Float32Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000));
const text = (v: Float32Array) => `[${Array.from(v).join(',')}]`;
const label = (id: number) => id % LABELS;

const dir = mkdtempSync(join(tmpdir(), 'quiver-cluster-'));
let cluster: LocalCluster | undefined;

const config = () => ({ host: '127.0.0.1', port: cluster!.port, user: 'postgres', database: 'postgres' });

/** A client of the proxy for `fn` (a connection attempt gives up after 5 s: the failover waits count on it). */
const withClient = <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => withClientOn(cluster!.port, fn, undefined, 5000);

/** The exact k nearest ids (L2), optionally of one label. */
function exact(q: Float32Array, k: number, onlyLabel?: number): number[] {
  const d: { id: number; d: number }[] = [];
  for (let id = 0; id < ROWS; id++) {
    if (onlyLabel !== undefined && label(id) !== onlyLabel) continue;
    let s = 0;
    for (let j = 0; j < DIM; j++) s += (vectors[id][j] - q[j]) ** 2;
    d.push({ id, d: s });
  }
  return d.sort((a, b) => a.d - b.d || a.id - b.id).slice(0, k).map((x) => x.id);
}

/** recall@10 of the cluster's k-NN and filtered k-NN answers against the exact ones */
async function recall(c: pg.Client): Promise<{ plain: number; filtered: number }> {
  let plain = 0;
  let filtered = 0;
  for (const [i, q] of queries.entries()) {
    const truth = new Set(exact(q, 10));
    const got = (await c.query(`SELECT id FROM items ORDER BY v <-> '${text(q)}' LIMIT 10`)).rows.map((r) => r.id as number);
    assert.equal(got.length, 10);
    plain += got.filter((id) => truth.has(id)).length / 10;
    const l = i * 7 % LABELS;
    const ftruth = new Set(exact(q, 10, l));
    const fgot = (await c.query(`SELECT id, label FROM items WHERE label = ${l} ORDER BY v <-> '${text(q)}' LIMIT 10`)).rows;
    assert.equal(fgot.length, 10, 'a filtered k-NN returns k rows');
    assert.ok(fgot.every((r) => r.label === l));
    filtered += fgot.filter((r) => ftruth.has(r.id as number)).length / 10;
  }
  return { plain: plain / queries.length, filtered: filtered / queries.length };
}

/** Queries through the proxy answer again (the count is the loaded one) within `ms`; returns the wait. */
async function answersWithin(ms: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    try {
      const n = await withClient(async (c) => Number((await c.query('SELECT count(*) AS n FROM items')).rows[0].n));
      assert.equal(n, ROWS);
      return Date.now() - t0;
    } catch (e) {
      if (e instanceof assert.AssertionError || Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function streamInfo() {
  const nc = await connect({ servers: [...cluster!.nats.urls], ...cluster!.nats.auth });
  try {
    return await (await nc.jetstreamManager()).streams.info('quiver');
  } finally {
    await nc.close();
  }
}

async function streamLeader(): Promise<string | undefined> {
  return (await streamInfo()).cluster?.leader;
}

/** Requests each query node has served (asked over the query-node protocol). */
async function queryNodeServed(): Promise<number[]> {
  const asker = new QueryNodePool({ local: undefined, segmentDir: '', logger: pino({ level: 'silent' }), secret: clusterSecret(cluster!.dir) });
  try {
    const nodes = [...cluster!.nodes.values()].filter((p) => p.role === 'query' && p.child.exitCode === null && p.child.signalCode === null);
    return await Promise.all(nodes.map(async (p) => (await asker.stats(`127.0.0.1:${p.port}`)).served));
  } finally {
    await asker.close();
  }
}

before(async () => {
  if (skip) return;
  // a checkpoint every 40 batches: the stream is trimmed during the test, and the data
  // node killed and started again comes back from a checkpoint when its position is gone
  cluster = await startLocalCluster({ dir, nodes: 3, port: 0, dataNodes: 2, queryNodes: 2, logLevel: 'warn', env: { QUIVER_CHECKPOINT_BATCHES: '40' } });
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('100,000 rows load through the proxy; k-NN and filtered k-NN answer as exact search does', { skip }, async (t) => {
  const t0 = Date.now();
  await withClient(async (c) => {
    await c.query(`CREATE TABLE items (id int PRIMARY KEY, label int, v vector(${DIM}))`);
    await c.query('CREATE TABLE writes (id int PRIMARY KEY, at timestamptz DEFAULT now())');
    const lines = function* (from: number, to: number) {
      for (let id = from; id < to; id++) yield `${id}\t${label(id)}\t${text(vectors[id])}\n`;
    };
    // one COPY is one sealed segment: ten make ten, so searches fan out over both query nodes
    for (let from = 0; from < ROWS; from += ROWS / 10) {
      await pipeline(Readable.from(lines(from, from + ROWS / 10)), c.query(copyFrom('COPY items FROM STDIN')));
    }
  });
  const loadMs = Date.now() - t0;
  const r = await withClient((c) => recall(c));
  assert.deepEqual(r, { plain: 1, filtered: 1 }, 'no index yet: exact answers');
  const t1 = Date.now();
  await withClient((c) => c.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)'));
  const indexMs = Date.now() - t1;
  const ri = await withClient((c) => recall(c));
  assert.ok(ri.plain >= 0.9 && ri.filtered >= 0.9, `recall with the HNSW index ${JSON.stringify(ri)}`);
  // exact search of the sealed segments runs on the query nodes
  const re = await withClient(async (c) => {
    await c.query('SET enable_indexscan = off');
    return recall(c);
  });
  assert.deepEqual(re, { plain: 1, filtered: 1 }, 'exact answers through the query nodes');
  const served = await queryNodeServed();
  assert.equal(served.length, 2);
  assert.ok(served.every((n) => n > 0), `both query nodes served sealed segments (${served.join(', ')})`);
  t.diagnostic(`COPY of ${ROWS} rows through the proxy ${loadMs} ms; CREATE INDEX ${indexMs} ms; recall@10 with the index ${JSON.stringify(ri)}; query nodes served ${served.join(' + ')} requests`);
});

test('a writer keeps writing while a query node, the data leader, the JetStream leader and the proxy are killed -9; nothing acknowledged is lost', { skip }, async (t) => {
  const writer = startAckedWriter(config, 'writes', 1, (id) => `${id}`);
  try {
    await writer.progress(30, 15_000);

    // a query node: its segments are served by the data leader's workers, then by the other node
    const queryNode = cluster!.nodes.get('query-1')!;
    await queryNode.kill9();
    const t0 = Date.now();
    const exactAfter = await withClient(async (c) => {
      await c.query('SET enable_indexscan = off');
      return recall(c);
    });
    assert.deepEqual(exactAfter, { plain: 1, filtered: 1 }, 'exact answers right after a query node was killed');
    const queryMs = Date.now() - t0;
    await writer.progress(30, 15_000);
    cluster!.respawn('query-1');
    t.diagnostic(`query node killed: exact k-NN and filtered k-NN answered correctly ${queryMs} ms later (6 + 6 queries)`);

    // the leading data node
    const leader = await cluster!.dataLeader();
    assert.ok(leader, 'a data node leads');
    await leader.kill9();
    const dataMs = await answersWithin(15_000);
    await writer.progress(30, 15_000);
    cluster!.respawn(leader.name); // back as a standby
    t.diagnostic(`data leader ${leader.name} killed: queries answered again after ${dataMs} ms`);

    // the JetStream stream's leader
    const natsLeader = await streamLeader();
    const victim = cluster!.nats.servers.findIndex((s) => s.name === natsLeader);
    assert.ok(victim >= 0, `stream leader ${natsLeader}`);
    await cluster!.nats.servers[victim].kill9();
    const natsMs = await answersWithin(15_000);
    await writer.progress(30, 15_000);
    await cluster!.nats.restart(victim);
    t.diagnostic(`JetStream leader ${natsLeader} killed: queries answered again after ${natsMs} ms`);

    // the proxy
    const proxy = cluster!.nodes.get('proxy-1')!;
    await proxy.kill9();
    cluster!.respawn('proxy-1');
    const proxyMs = await answersWithin(15_000);
    await writer.progress(30, 15_000);
    t.diagnostic(`proxy killed and started again: queries answered after ${proxyMs} ms`);
  } finally {
    await writer.stop();
  }
  const ids = await withClient(async (c) => (await c.query('SELECT id FROM writes')).rows.map((r) => r.id as number));
  assert.deepEqual(checkAcked(ids, writer, 1), []);
  t.diagnostic(`${writer.acked.size} writes acknowledged, ${writer.inDoubt.size} in doubt; client errors: ${JSON.stringify([...writer.errors])}`);
  const r = await withClient((c) => recall(c));
  assert.ok(r.plain >= 0.9 && r.filtered >= 0.9, `recall after the failures ${JSON.stringify(r)}`);
  const state = (await streamInfo()).state;
  assert.ok(state.first_seq > 1, `checkpoints trimmed the stream (first ${state.first_seq}, last ${state.last_seq})`);
  t.diagnostic(`stream trimmed by checkpoints: messages ${state.first_seq}..${state.last_seq} kept`);
});
