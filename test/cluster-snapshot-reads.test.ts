/**
 * Reads at a timestamp in a sharded cluster (README "Cluster mode", timestamp oracle): two
 * shards, accounts spread over both, writers moving money between them — by two-phase commit
 * when the two accounts are on different shards, by a local commit when on one — while
 * readers sum every balance through the proxy (a fan-out read) and read the sum twice in a
 * REPEATABLE READ block. With the timestamp oracle (quiver.consistency = strong, the default)
 * every sum is the total. With quiver.consistency = eventually each shard reads its newest
 * data, as before the oracle: a two-phase commit seen on one shard and not yet on the other
 * shows as a wrong sum, which the test counts (and expects to see: it shows the first part
 * tests something). And a read waits for a transaction prepared on a shard before it
 * began (its commit timestamp unknown), ending with statement_timeout (57014).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { clusterSkip } from './support/cluster-binaries.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';
import { seededRandom } from '../bench/util.js';

const skip = clusterSkip();
const SHARDS = 2;
const ACCOUNTS = 16;
const START = 1000;
const TOTAL = ACCOUNTS * START;
const dir = mkdtempSync(join(tmpdir(), 'quiver-snapshot-reads-'));
let cluster: LocalCluster | undefined;
const shardOf = (id: number) => shardOfKey([T.int4], [id], SHARDS);

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: cluster!.port, user: 'postgres', database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: SHARDS, dataNodes: 1, queryNodes: 1, indexNodes: 0, logLevel: 'warn' });
  const c = await client();
  try {
    await c.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)');
    await c.query(`INSERT INTO accounts SELECT g, ${START} FROM generate_series(1, ${ACCOUNTS}) g`);
  } finally {
    await c.end();
  }
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  sums: number;
  wrongSums: number[];
  repeatable: number;
  wrongRepeatable: string[];
  transfers: { crossShard: number; oneShard: number; retried: number };
}

/** Writers and readers for `ms`; readers with `consistency` set. */
async function run(ms: number, consistency: 'strong' | 'eventually', seed: number): Promise<Outcome> {
  const rnd = seededRandom(seed);
  const out: Outcome = { sums: 0, wrongSums: [], repeatable: 0, wrongRepeatable: [], transfers: { crossShard: 0, oneShard: 0, retried: 0 } };
  const until = Date.now() + ms;
  const writer = async () => {
    const c = await client();
    try {
      while (Date.now() < until) {
        const a = 1 + Math.floor(rnd() * ACCOUNTS);
        let b = 1 + Math.floor(rnd() * (ACCOUNTS - 1));
        if (b >= a) b++;
        const amount = 1 + Math.floor(rnd() * 50);
        // rows locked in id order: no deadlock across shards (nothing would detect it)
        const [lo, hi] = a < b ? [[a, -amount], [b, amount]] : [[b, amount], [a, -amount]];
        try {
          await c.query('BEGIN');
          await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', lo);
          await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', hi);
          await c.query('COMMIT');
          if (shardOf(a) === shardOf(b)) out.transfers.oneShard++;
          else out.transfers.crossShard++;
        } catch (e) {
          await c.query('ROLLBACK').catch(() => {});
          if ((e as { code?: string }).code !== '40001') throw e;
          out.transfers.retried++;
        }
      }
    } finally {
      await c.end();
    }
  };
  const reader = async () => {
    const c = await client();
    try {
      await c.query(`SET quiver.consistency = ${consistency}`);
      while (Date.now() < until) {
        const sum = Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s);
        out.sums++;
        if (sum !== TOTAL) out.wrongSums.push(sum);
      }
    } finally {
      await c.end();
    }
  };
  const repeatableReader = async () => {
    const c = await client();
    try {
      await c.query(`SET quiver.consistency = ${consistency}`);
      while (Date.now() < until) {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        const first = Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s);
        // a little time for commits in between
        await new Promise((r) => setTimeout(r, 5));
        const second = Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s);
        await c.query('COMMIT');
        out.repeatable++;
        if (first !== TOTAL || second !== TOTAL) out.wrongRepeatable.push(`${first}/${second}`);
      }
    } finally {
      await c.end();
    }
  };
  await Promise.all([writer(), writer(), writer(), reader(), reader(), repeatableReader()]);
  return out;
}

test('with the timestamp oracle every fan-out sum is the total, and a REPEATABLE READ block reads one snapshot', { skip, timeout: 180_000 }, async (t) => {
  const o = await run(12_000, 'strong', 1);
  t.diagnostic(`strong: ${o.sums} sums, ${o.repeatable} repeatable-read blocks; transfers ${JSON.stringify(o.transfers)}; wrong: ${o.wrongSums.length} sums (${o.wrongSums.slice(0, 3).join(', ')}), ${o.wrongRepeatable.length} blocks (${o.wrongRepeatable.slice(0, 3).join(', ')})`);
  assert.ok(o.transfers.crossShard > 50 && o.transfers.oneShard > 50, `both kinds of transfer ran: ${JSON.stringify(o.transfers)}`);
  assert.ok(o.sums > 50 && o.repeatable > 10, `the readers read: ${o.sums} sums, ${o.repeatable} blocks`);
  assert.deepEqual(o.wrongSums, [], 'every sum is the total');
  assert.deepEqual(o.wrongRepeatable, [], 'both reads of every block are the total');
});

test('without it (quiver.consistency = eventually) a fan-out read can see a two-phase commit on one shard only', { skip, timeout: 180_000 }, async (t) => {
  const o = await run(12_000, 'eventually', 2);
  t.diagnostic(`eventually: ${o.sums} sums, ${o.repeatable} repeatable-read blocks; transfers ${JSON.stringify(o.transfers)}; wrong: ${o.wrongSums.length} sums (e.g. ${o.wrongSums.slice(0, 3).join(', ')}), ${o.wrongRepeatable.length} blocks`);
  assert.ok(o.wrongSums.length + o.wrongRepeatable.length > 0, 'some read saw a transfer half done');
  const c = await client();
  try {
    assert.equal(Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s), TOTAL, 'no money made or lost');
  } finally {
    await c.end();
  }
});

test('a read waits for a transaction prepared before it began; statement_timeout ends the wait (57014)', { skip, timeout: 120_000 }, async () => {
  const leader = await cluster!.dataLeader(0);
  assert.ok(leader, 'shard 0 has a leader');
  const shard = new pg.Client({ host: '127.0.0.1', port: leader.port, user: 'postgres', database: 'postgres' });
  shard.on('error', () => {});
  await shard.connect();
  const c = await client();
  try {
    const id = Array.from({ length: ACCOUNTS }, (_, i) => i + 1).find((i) => shardOf(i) === 0)!;
    // prepared on shard 0 directly: registered there until COMMIT / ROLLBACK PREPARED
    await shard.query('BEGIN');
    await shard.query('UPDATE accounts SET balance = balance WHERE id = $1', [id]);
    await shard.query("PREPARE TRANSACTION 'tso_test_stuck'");
    await c.query("SET statement_timeout = '500ms'");
    const t0 = Date.now();
    await assert.rejects(c.query('SELECT sum(balance) AS s FROM accounts'), (e: { code?: string }) => e.code === '57014');
    const waited = Date.now() - t0;
    assert.ok(waited >= 450, `waited ${waited} ms`);
    // eventually does not wait
    await c.query('SET quiver.consistency = eventually');
    assert.equal(Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s), TOTAL);
    await c.query('RESET quiver.consistency');
    await shard.query("ROLLBACK PREPARED 'tso_test_stuck'");
    assert.equal(Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s), TOTAL);
  } finally {
    await shard.query("ROLLBACK PREPARED 'tso_test_stuck'").catch(() => {});
    await shard.end();
    await c.end();
  }
});
