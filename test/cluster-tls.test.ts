/**
 * `npm run cluster -- --tls` on a sharded loopback cluster (2 shards, one data node each,
 * 1 etcd, 1 nats-server, s3rver): the launcher makes a CA and node certificate in
 * `<dir>/tls`, the data nodes serve TLS only (--tls-required), and the proxy's shard router
 * reaches them over TLS verified against the CA (--shard-tls verify-full). DDL, COPY, a
 * two-phase commit, a fan-out, k-NN and a cursor through the proxy; a plaintext client of a
 * data node is refused; the proxy serves its own clients TLS with the same certificate.
 * The links between Quiver nodes (query, index, timestamp oracle) are TLS as well
 * (--cluster-tls-*), and NATS, etcd and S3 refuse a client without the directory's logins
 * (<dir>/credentials.json), which no log or cluster.json shows.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { connect } from 'nats';
import pino from 'pino';
import { from as copyFrom } from 'pg-copy-streams';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { clusterSkip } from './support/cluster-binaries.js';
import { clusterSecret, startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { opensslAvailable } from '../src/cluster/local/certs.js';
import { clusterCredentials } from '../src/cluster/local/credentials.js';
import { waitUntil } from '../src/cluster/local/processes.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import { QueryNodePool } from '../src/cluster/query-node-pool.js';
import { shardOfInt, sqlError } from './support/shard-keys.js';

const skip = clusterSkip() || (!opensslAvailable() && 'the openssl command is not installed');
const dir = mkdtempSync(join(tmpdir(), 'quiver-cluster-tls-'));
let cluster: LocalCluster | undefined;

/** a client on `port`; `ssl`: TLS checked against the cluster's CA (verify-full: 127.0.0.1 is in the certificate) */
async function client(port: number, ssl: boolean): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', ...(ssl ? { ssl: { ca: readFileSync(join(dir, 'tls', 'ca.crt')) } } : {}) });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** an https request's status, its certificate checked against `ca` */
function s3Status(method: string, url: string, ca: Buffer, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: 2, dataNodes: 1, queryNodes: 1, indexNodes: 1, queryNodeWorkers: 1, logLevel: 'info', tls: true });
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a --tls sharded cluster: the router reaches --tls-required data nodes over verified TLS', { skip, timeout: 180_000 }, async () => {
  for (const f of ['ca.crt', 'node.crt', 'node.key']) assert.ok(existsSync(join(dir, 'tls', f)), f);
  const leaders = await Promise.all([0, 1].map((k) => cluster!.dataLeader(k)));
  // a data node refuses plaintext, takes TLS
  for (const leader of leaders) {
    assert.ok(leader);
    const e = await sqlError(client(leader.port, false));
    assert.equal(e.code, '28000');
    assert.match(e.message, /no encryption/);
    const direct = await client(leader.port, true);
    assert.equal((await direct.query('SELECT 1 AS one')).rows[0].one, 1);
    await direct.end();
  }
  const c = await client(cluster!.port, true);
  try {
    await c.query('CREATE TABLE docs (id int PRIMARY KEY, tag int, emb vector(2))');
    // a block over both shards: two-phase commit
    await c.query('BEGIN');
    await c.query("INSERT INTO docs SELECT g, g % 4, ARRAY[g, 0]::vector FROM generate_series(1, 200) g");
    await c.query('COMMIT');
    assert.equal((await c.query('SELECT count(*)::int AS n FROM docs')).rows[0].n, 200);
    for (const [k, leader] of leaders.entries()) {
      const direct = await client(leader!.port, true);
      const n = (await direct.query('SELECT count(*)::int AS n FROM docs')).rows[0].n as number;
      await direct.end();
      assert.equal(n, Array.from({ length: 200 }, (_, i) => i + 1).filter((id) => shardOfInt(id, 2) === k).length);
    }
    assert.deepEqual((await c.query("SELECT id FROM docs WHERE tag = 1 ORDER BY emb <-> '[50,0]' LIMIT 3")).rows.map((r) => r.id), [49, 53, 45]);
    assert.deepEqual((await c.query('SELECT tag, count(*)::int AS n FROM docs GROUP BY tag ORDER BY tag')).rows, [0, 1, 2, 3].map((tag) => ({ tag, n: 50 })));
    await c.query('BEGIN');
    await c.query('DECLARE cur CURSOR FOR SELECT id FROM docs WHERE id <= 10 ORDER BY id');
    assert.deepEqual((await c.query('FETCH 4 FROM cur')).rows.map((r) => r.id), [1, 2, 3, 4]);
    assert.deepEqual((await c.query('FETCH ALL FROM cur')).rows.map((r) => r.id), [5, 6, 7, 8, 9, 10]);
    await c.query('COMMIT');
    // the proxy's own clients are served TLS too
    assert.equal((await c.query('SELECT count(*)::int AS n FROM docs WHERE id = 7')).rows[0].n, 1);
    assert.ok((c as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted, 'the client\'s connection to the proxy is TLS');
  } finally {
    await c.end();
  }
});

test('the internal links are TLS; NATS, etcd and S3 refuse clients without the cluster\'s logins', { skip, timeout: 120_000 }, async (t) => {
  const credentials = clusterCredentials(dir);
  const indexBuilds = () => readFileSync(join(dir, 'logs', 'index-1.log'), 'utf8').split('\n').filter((l) => l.includes('built an index for a data node')).length;
  assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
  // NATS over TLS: a client not trusting the CA fails the handshake; no user, or a wrong
  // password, is an authorization violation; the cluster's login is served
  const natsTls = { tls: { caFile: cluster!.nats.tlsCa! } };
  await assert.rejects(connect({ servers: [...cluster!.nats.urls], timeout: 2000, reconnect: false, ...cluster!.nats.auth }), /certificate|self.signed|unable to verify/i);
  await assert.rejects(connect({ servers: [...cluster!.nats.urls], timeout: 2000, reconnect: false, ...natsTls }), /authorization/i);
  await assert.rejects(connect({ servers: [...cluster!.nats.urls], timeout: 2000, reconnect: false, ...natsTls, user: credentials.nats.user, pass: 'wrong' }), /authorization/i);
  const nc = await connect({ servers: [...cluster!.nats.urls], ...natsTls, ...cluster!.nats.auth });
  const streams: string[] = [];
  for await (const s of (await nc.jetstreamManager()).streams.list()) streams.push(s.config.name);
  await nc.close();
  assert.deepEqual(streams.sort(), ['quiver-s0', 'quiver-s1']);
  // etcd over https: an anonymous client and a wrong password are refused; root with its password reads the catalog
  assert.ok(cluster!.etcd.endpoints.every((e) => e.startsWith('https://')));
  const ca = cluster!.etcd.ca!;
  await assert.rejects(openEtcdCoordinator({ endpoints: [...cluster!.etcd.endpoints], ca }), /user name is empty/);
  await assert.rejects(openEtcdCoordinator({ endpoints: [...cluster!.etcd.endpoints], ca, auth: { username: 'root', password: 'wrong' } }), /authentication failed/);
  const etcd = await openEtcdCoordinator({ endpoints: [...cluster!.etcd.endpoints], ca, auth: cluster!.etcd.auth });
  assert.equal(await etcd.get('shards'), '2');
  await etcd.close();
  // S3 over https (checked against the CA): anonymous reads and writes are refused, plain http is not served
  assert.ok(cluster!.s3.endpoint.startsWith('https://'));
  assert.equal(await s3Status('GET', `${cluster!.s3.endpoint}/${cluster!.s3.bucket}?list-type=2`, ca), 403);
  assert.equal(await s3Status('PUT', `${cluster!.s3.endpoint}/${cluster!.s3.bucket}/quiver-s0/planted`, ca, 'x'), 403);
  await assert.rejects(fetch(`${cluster!.s3.endpoint.replace('https:', 'http:')}/${cluster!.s3.bucket}?list-type=2`, { signal: AbortSignal.timeout(3000) }));
  await assert.rejects(fetch(`${cluster!.s3.endpoint}/${cluster!.s3.bucket}?list-type=2`), 'the system CAs do not know the cluster CA');

  // the cluster works with them: segments sealed on both shards, HNSW built on the index node,
  // k-NN searched on the query node, each over TLS
  const c = await client(cluster!.port, true);
  try {
    await c.query('CREATE TABLE items (id int PRIMARY KEY, v vector(2))');
    await c.query('CREATE INDEX ON items USING hnsw (v vector_l2_ops)');
    // an indexed table seals every 4,096 rows: two sealed segments on each shard
    const ROWS = 20_000;
    for (const from of [1, ROWS / 2 + 1]) {
      const rows = Array.from({ length: ROWS / 2 }, (_, i) => `${from + i}\t[${from + i},${(from + i) % 7}]\n`).join('');
      await pipeline(Readable.from([rows]), c.query(copyFrom('COPY items FROM STDIN')));
    }
    // the 5 nearest of (i, i % 7) to (120.3, 3.1), no ties
    const truth = Array.from({ length: ROWS }, (_, i) => i + 1).sort((a, b) => Math.hypot(a - 120.3, (a % 7) - 3.1) - Math.hypot(b - 120.3, (b % 7) - 3.1)).slice(0, 5);
    await waitUntil('the index node to build the sealed segments\' indexes', () => indexBuilds() >= 4, 30_000, 200);
    assert.deepEqual((await c.query("SELECT id FROM items ORDER BY v <-> '[120.3,3.1]' LIMIT 5")).rows.map((r) => r.id as number), truth);
  } finally {
    await c.end();
  }
  const queryNode = [...cluster!.nodes.values()].find((p) => p.role === 'query')!;
  const asker = new QueryNodePool({ local: undefined, segmentDir: '', logger: pino({ level: 'silent' }), secret: clusterSecret(dir), tls: { ca: readFileSync(join(dir, 'tls', 'ca.crt')) } });
  const stats = await asker.stats(`127.0.0.1:${queryNode.port}`).finally(() => asker.close());
  assert.ok(stats.served > 0, 'the query node served searches over TLS');
  const built = indexBuilds();
  // a plaintext caller of the query node gets nothing: it serves TLS only
  const plain = new QueryNodePool({ local: undefined, segmentDir: '', logger: pino({ level: 'silent' }), secret: clusterSecret(dir) });
  await assert.rejects(Promise.race([plain.stats(`127.0.0.1:${queryNode.port}`), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer')), 1500))]));
  await plain.close();

  // no password in cluster.json or in any log
  const secrets = [credentials.nats.pass, credentials.etcd.password, credentials.etcdNode.password, credentials.s3.secretAccessKey];
  for (const file of ['cluster.json', ...readdirSync(join(dir, 'logs')).map((f) => join('logs', f))]) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const s of secrets) assert.ok(!text.includes(s), `${file} shows a password`);
  }
  t.diagnostic(`query node served ${stats.served} requests; index node built ${built} indexes`);
});
