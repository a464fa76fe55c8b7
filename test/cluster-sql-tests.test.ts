/**
 * A handful of sql-tests files (expected output from real PostgreSQL) through a 2-shard
 * loopback cluster's shard router (issue 14): k-NN with filters, partitions, COPY-free DML
 * and errors, transactions with savepoints and SET LOCAL, multi-statement Queries, cursors, views, SET and RESET.
 * The whole suite through a cluster: scripts/sql-tests-sharded.sh (too slow for npm test).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterSkip } from './support/cluster-binaries.js';
import { psqlAvailable, PSQL_MISSING } from './support/psql.js';
import { runSqlTestFile } from './support/sql-test-file.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';

const skip = clusterSkip() || (!psqlAvailable() && PSQL_MISSING);
const FILES = ['vector_knn', 'hybrid_rrf', 'partitions', 'errors', 'implicit_block', 'transaction_read_only', 'savepoint_unique_keys', 'cursors', 'views', 'settings'];

const dir = mkdtempSync(join(tmpdir(), 'quiver-cluster-sql-tests-'));
let cluster: LocalCluster | undefined;

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: 2, dataNodes: 1, queryNodes: 1, indexNodes: 0, logLevel: 'warn' });
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const name of FILES) {
  test(`sql-tests through 2 shards: ${name}`, { skip, timeout: 120_000 }, async () => {
    const { diff, status } = await runSqlTestFile('127.0.0.1', cluster!.port, name);
    if (diff !== undefined) assert.fail(`${name}: output through the shard router differs from PostgreSQL's (psql exit ${status})\n${diff}`);
  });
}
