/**
 * Reads at a timestamp across a shard leader's kill -9 (README "Cluster mode", timestamp
 * oracle): two shards of two data nodes each; writers move money between accounts on both
 * shards (two-phase commit and single-shard commits) and readers sum every balance through
 * the proxy, while shard 1's leader is killed -9 and its hot standby is promoted. Statements
 * may fail while the shard has no leader (they are retried); no sum read is ever wrong, the
 * promoted leader commits with the oracle's timestamps (transfers touching shard 1 go on),
 * and no money is made or lost.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { clusterSkip } from './support/cluster-binaries.js';
import { startLocalCluster, type LocalCluster } from '../src/cluster/launcher.js';
import type { ManagedProcess } from '../src/cluster/local/processes.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';
import { seededRandom } from '../bench/util.js';

const skip = clusterSkip();
const SHARDS = 2;
const ACCOUNTS = 16;
const TOTAL = ACCOUNTS * 1000;
const dir = mkdtempSync(join(tmpdir(), 'quiver-snapshot-failover-'));
let cluster: LocalCluster | undefined;
const shardOf = (id: number) => shardOfKey([T.int4], [id], SHARDS);
const alive = (p: ManagedProcess | undefined) => p !== undefined && p.child.exitCode === null && p.child.signalCode === null;

async function client(): Promise<pg.Client> {
  // a statement that never answers shows up in the errors counted (not as the test's timeout)
  const c = new pg.Client({ host: '127.0.0.1', port: cluster!.port, user: 'postgres', database: 'postgres', query_timeout: 30_000 });
  c.on('error', () => {});
  await c.connect();
  return c;
}

before(async () => {
  if (skip) return;
  cluster = await startLocalCluster({ dir, nodes: 1, port: 0, shards: SHARDS, dataNodes: 2, queryNodes: 0, indexNodes: 0, logLevel: 'warn' });
  const c = await client();
  try {
    await c.query('CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)');
    await c.query(`INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, ${ACCOUNTS}) g`);
  } finally {
    await c.end();
  }
});

after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('no wrong sum across a shard leader\'s kill -9; the promoted leader commits with the oracle\'s timestamps', { skip, timeout: 240_000 }, async (t) => {
  const rnd = seededRandom(7);
  let stop = false;
  let phase: 'before' | 'after' = 'before';
  const wrong: string[] = [];
  const errors = new Map<string, number>();
  const counts = { before: { sums: 0, shard1Transfers: 0 }, after: { sums: 0, shard1Transfers: 0 } };
  const failed = (e: unknown) => {
    const key = `${(e as { code?: string }).code ?? '?'} ${(e as Error).message.slice(0, 60)}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };
  /** a loop on a client of its own, reconnecting after an error */
  const loop = async (step: (c: pg.Client) => Promise<void>) => {
    let c: pg.Client | undefined;
    while (!stop) {
      try {
        c ??= await client();
        await step(c);
      } catch (e) {
        failed(e);
        await c?.end().catch(() => {});
        c = undefined;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await c?.end().catch(() => {});
  };
  const transfer = async (c: pg.Client) => {
    const a = 1 + Math.floor(rnd() * ACCOUNTS);
    let b = 1 + Math.floor(rnd() * (ACCOUNTS - 1));
    if (b >= a) b++;
    const [lo, hi] = a < b ? [[a, -7], [b, 7]] : [[b, 7], [a, -7]];
    await c.query('BEGIN');
    try {
      await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', lo);
      await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', hi);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {});
      throw e;
    }
    if (shardOf(a) === 1 || shardOf(b) === 1) counts[phase].shard1Transfers++;
  };
  const sum = async (c: pg.Client) => {
    const s = Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s);
    counts[phase].sums++;
    if (s !== TOTAL) wrong.push(`${phase}: ${s}`);
  };
  const running = Promise.all([loop(transfer), loop(transfer), loop(sum), loop(sum)]);
  await new Promise((r) => setTimeout(r, 3_000));
  const l1 = (await cluster!.dataLeader(1))!;
  const t0 = Date.now();
  await l1.kill9();
  let next: ManagedProcess | undefined;
  for (;;) {
    next = await cluster!.dataLeader(1);
    if (next && next.name !== l1.name && alive(next)) break;
    assert.ok(Date.now() - t0 < 60_000, 'shard 1 has a new leader within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  // counted from the moment a new leader is elected
  phase = 'after';
  const electedMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 15_000));
  stop = true;
  await running;
  t.diagnostic(`new leader of shard 1 ${electedMs} ms after the kill; before: ${JSON.stringify(counts.before)}, after: ${JSON.stringify(counts.after)}; errors: ${JSON.stringify([...errors])}`);
  assert.deepEqual(wrong, [], 'no sum read was wrong');
  assert.ok(counts.after.shard1Transfers > 10, `transfers touching shard 1 went on after the failover: ${counts.after.shard1Transfers}`);
  assert.ok(counts.after.sums > 10, `sums were read after the failover: ${counts.after.sums}`);
  const c = await client();
  try {
    assert.equal(Number((await c.query('SELECT sum(balance) AS s FROM accounts')).rows[0].s), TOTAL, 'no money made or lost');
  } finally {
    await c.end();
  }
});
