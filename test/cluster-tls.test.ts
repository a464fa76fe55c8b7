/**
 * `npm run cluster -- --tls` on a sharded loopback cluster (2 shards, one data node each,
 * 1 etcd, 1 nats-server, s3rver): the launcher makes a CA and node certificate in
 * `<dir>/tls`, the data nodes serve TLS only (--tls-required), and the proxy's shard router
 * reaches them over TLS verified against the CA (--shard-tls verify-full). DDL, COPY, a
 * two-phase commit, a fan-out, k-NN and a cursor through the proxy; a plaintext client of a
 * data node is refused; the proxy serves its own clients TLS with the same certificate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { clusterSkip } from './support/cluster-binaries.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { opensslAvailable } from '../src/cluster/local/certs.js';
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

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: 2, dataNodes: 1, queryNodes: 0, indexNodes: 0, logLevel: 'warn', tls: true });
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
