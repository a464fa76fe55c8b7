/**
 * A sharded loopback cluster end to end (`--shards 2`, one data node a shard, one query
 * node, 1 etcd, 1 nats-server, s3rver): SQL through the proxy's shard router only.
 * DDL reaches both shards; COPY and INSERT place each row on its key's shard (checked on
 * the shards' leaders directly); k-NN, filtered k-NN, aggregates and key lookups through
 * the proxy answer as one server holding all the rows would (checked against exact answers
 * computed here); a transaction writing on both shards is all or nothing (ROLLBACK leaves
 * neither row, COMMIT both, by two-phase commit); UPDATE and DELETE by key touch their shard.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { withClientOn } from './support/server.js';
import { from as copyFrom } from 'pg-copy-streams';
import { clusterSkip } from './support/cluster-binaries.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';
import { seededRandom } from '../bench/util.js';

const skip = clusterSkip();

const SHARDS = 2;
const DIM = 8;
const ROWS = 3000;
const rnd = seededRandom(2026);
const rows = Array.from({ length: ROWS }, (_, id) => ({
  id, tag: id % 7, emb: Float32Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000),
}));
const queries = Array.from({ length: 5 }, () => Float32Array.from({ length: DIM }, () => Math.round(rnd() * 1000) / 1000));
const text = (v: Float32Array) => `[${Array.from(v).join(',')}]`;
const shardOf = (id: number) => shardOfKey([T.int4], [id], SHARDS);

const dir = mkdtempSync(join(tmpdir(), 'quiver-sharded-sql-'));
let cluster: LocalCluster | undefined;

const withClient = withClientOn;

const proxy = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(cluster!.port, fn);

async function onShard<T>(shard: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const leader = await cluster!.dataLeader(shard);
  assert.ok(leader, `shard ${shard} has a leader`);
  return withClient(leader.port, fn);
}

/** The ids of the k rows nearest to q by L2 (ties by id), among those `keep` admits. */
function exact(q: Float32Array, k: number, keep: (r: (typeof rows)[number]) => boolean = () => true): number[] {
  const d = (v: Float32Array) => Math.sqrt(v.reduce((s, x, i) => s + (Math.fround(x) - Math.fround(q[i]!)) ** 2, 0));
  return rows.filter(keep).map((r) => ({ id: r.id, d: d(r.emb) })).sort((a, b) => a.d - b.d || a.id - b.id).slice(0, k).map((r) => r.id);
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: SHARDS, dataNodes: 1, queryNodes: 1, indexNodes: 0, logLevel: 'warn' });
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('DDL through the proxy reaches every shard; COPY places each row on its key\'s shard', { skip, timeout: 180_000 }, async () => {
  await proxy(async (c) => {
    await c.query('CREATE TABLE docs (id int PRIMARY KEY, tag int NOT NULL, emb vector(8))');
    const stream = c.query(copyFrom('COPY docs (id, tag, emb) FROM STDIN'));
    await pipeline(Readable.from(rows.map((r) => `${r.id}\t${r.tag}\t${text(r.emb)}\n`)), stream);
    assert.equal((await c.query('SELECT count(*)::int AS n FROM docs')).rows[0].n, ROWS);
  });
  let total = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    const ids = await onShard(shard, async (c) => (await c.query('SELECT id FROM docs ORDER BY id')).rows.map((r) => r.id as number));
    assert.ok(ids.length > ROWS / 4, `shard ${shard} holds a share of the rows (${ids.length})`);
    assert.ok(ids.every((id) => shardOf(id) === shard), `every row of shard ${shard} hashes to it`);
    total += ids.length;
  }
  assert.equal(total, ROWS, 'each row is on exactly one shard');
});

test('k-NN, filtered k-NN and aggregates through the proxy answer as over all the rows', { skip, timeout: 180_000 }, async () => {
  await proxy(async (c) => {
    await c.query('SET enable_indexscan = off'); // exact search on every shard: answers to compare exactly
    for (const q of queries) {
      const got = (await c.query(`SELECT id FROM docs ORDER BY emb <-> $1 LIMIT 10`, [text(q)])).rows.map((r) => r.id as number);
      assert.deepEqual(got, exact(q, 10));
      const filtered = (await c.query(`SELECT id FROM docs WHERE tag = 3 ORDER BY emb <-> $1 LIMIT 10`, [text(q)])).rows.map((r) => r.id as number);
      assert.deepEqual(filtered, exact(q, 10, (r) => r.tag === 3));
    }
    await c.query('RESET enable_indexscan');
    // an expression over an aggregate (a cast): computed by shard 0 over the merged groups
    const groups = (await c.query('SELECT tag, count(*)::int AS n, max(id) AS hi FROM docs GROUP BY tag ORDER BY tag')).rows;
    assert.deepEqual(groups, Array.from({ length: 7 }, (_, tag) => ({
      tag, n: rows.filter((r) => r.tag === tag).length, hi: Math.max(...rows.filter((r) => r.tag === tag).map((r) => r.id)),
    })));
    // a shape the fan-out planner refuses (a window function): pulled up to shard 0 over every shard's rows
    const ranked = (await c.query('SELECT id, row_number() OVER (PARTITION BY tag ORDER BY id)::int AS rn FROM docs WHERE id <= 60 ORDER BY id')).rows;
    const sample = rows.filter((r) => r.id <= 60).sort((a, b) => a.id - b.id);
    assert.ok(sample.length > 0);
    assert.deepEqual(ranked, sample.map((r) => ({ id: r.id, rn: sample.filter((o) => o.tag === r.tag && o.id <= r.id).length })));
    // an HNSW index on every shard: approximate answers, mostly the exact ones
    await c.query('CREATE INDEX ON docs USING hnsw (emb vector_l2_ops)');
    let found = 0;
    for (const q of queries) {
      const truth = new Set(exact(q, 10));
      found += (await c.query(`SELECT id FROM docs ORDER BY emb <-> $1 LIMIT 10`, [text(q)])).rows.filter((r) => truth.has(r.id as number)).length;
    }
    assert.ok(found / (10 * queries.length) >= 0.9, `HNSW recall@10 over both shards ${found / (10 * queries.length)}`);
  });
  for (let shard = 0; shard < SHARDS; shard++) {
    const indexes = await onShard(shard, async (c) => (await c.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'docs' AND indexdef LIKE '%hnsw%'`)).rows[0].n);
    assert.equal(indexes, 1, `shard ${shard} has the index`);
  }
});

test('a key lookup, UPDATE and DELETE by key run on the key\'s shard', { skip, timeout: 120_000 }, async () => {
  const [a, b] = [17, 18];
  await proxy(async (c) => {
    assert.deepEqual((await c.query('SELECT tag FROM docs WHERE id = $1', [a])).rows, [{ tag: rows[a]!.tag }]);
    assert.equal((await c.query('UPDATE docs SET tag = 99 WHERE id = $1', [a])).rowCount, 1);
    assert.equal((await c.query('DELETE FROM docs WHERE id = $1', [b])).rowCount, 1);
    assert.equal(Number((await c.query('SELECT count(*) AS n FROM docs')).rows[0].n), ROWS - 1);
  });
  await onShard(shardOf(a), async (c) => assert.deepEqual((await c.query('SELECT tag FROM docs WHERE id = $1', [a])).rows, [{ tag: 99 }]));
  await onShard(shardOf(b), async (c) => assert.equal((await c.query('SELECT count(*)::int AS n FROM docs WHERE id = $1', [b])).rows[0].n, 0));
});

test('a transaction writing on both shards is all or nothing', { skip, timeout: 120_000 }, async () => {
  // two new keys on different shards
  const fresh = Array.from({ length: 100 }, (_, i) => ROWS + i);
  const x = fresh.find((id) => shardOf(id) === 0)!;
  const y = fresh.find((id) => shardOf(id) === 1)!;
  const count = (c: pg.Client) => c.query('SELECT count(*) AS n FROM docs WHERE id = $1 OR id = $2', [x, y]).then((r) => Number(r.rows[0].n));
  await proxy(async (c) => {
    await c.query('BEGIN');
    await c.query(`INSERT INTO docs VALUES ($1, 1, '[0,0,0,0,0,0,0,0]'), ($2, 1, '[1,1,1,1,1,1,1,1]')`, [x, y]);
    assert.equal(await count(c), 2, 'the block sees its own rows on both shards');
    await c.query('ROLLBACK');
    assert.equal(await count(c), 0, 'rolled back on both shards');
    await c.query('BEGIN');
    await c.query(`INSERT INTO docs VALUES ($1, 1, '[0,0,0,0,0,0,0,0]')`, [x]);
    await c.query(`INSERT INTO docs VALUES ($1, 1, '[1,1,1,1,1,1,1,1]')`, [y]);
    await c.query('COMMIT');
    assert.equal(await count(c), 2, 'committed on both shards');
  });
  for (const [id, shard] of [[x, 0], [y, 1]] as const) {
    await onShard(shard, async (c) => assert.equal((await c.query('SELECT count(*)::int AS n FROM docs WHERE id = $1', [id])).rows[0].n, 1));
    await onShard(shard, async (c) => assert.equal((await c.query('SELECT count(*)::int AS n FROM pg_prepared_xacts')).rows[0].n, 0, 'no prepared transaction left behind'));
  }
});

test('DDL that changes existing objects runs on shard 0, then the others; an error on shard 0 changes no shard', { skip, timeout: 120_000 }, async () => {
  const columns = (c: pg.Client) => c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'docs' ORDER BY ordinal_position`).then((r) => r.rows.map((x) => x.column_name as string));
  await proxy(async (c) => {
    await c.query('ALTER TABLE docs ADD COLUMN note text');
    await c.query(`UPDATE docs SET note = 'seen' WHERE id = $1`, [5]);
    assert.deepEqual((await c.query('SELECT note FROM docs WHERE id = $1', [5])).rows, [{ note: 'seen' }]);
    await assert.rejects(c.query('ALTER TABLE docs DROP COLUMN nosuch'), { code: '42703' });
    await c.query('CREATE TABLE scratch (id int PRIMARY KEY)');
    await c.query('INSERT INTO scratch SELECT generate_series(1, 10)').catch(() => c.query('INSERT INTO scratch VALUES (1), (2), (3), (4)'));
    await c.query('DROP TABLE scratch');
    await assert.rejects(c.query('SELECT * FROM scratch'), { code: '42P01' });
  });
  for (let shard = 0; shard < SHARDS; shard++) {
    await onShard(shard, async (c) => {
      assert.deepEqual(await columns(c), ['id', 'tag', 'emb', 'note'], `shard ${shard}'s docs has the new column`);
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'scratch'`)).rows[0].n, 0, `shard ${shard} dropped scratch`);
    });
  }
});
