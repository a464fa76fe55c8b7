/**
 * Recovery of a dead router's prepared transactions (src/cluster/router/recovery.ts): two
 * Quiver servers as shards, routers over a static directory with the in-memory decision
 * store and liveness (then with the etcd ones). A router "dies" at a point of its two-phase
 * commit through a commit hook; recovery, as another router runs it, finishes the prepared
 * transactions it left: committed where the decision was recorded, rolled back where not,
 * and a live router's are left alone; at once when it sees the router go away (the liveness
 * watch), and within the lease TTL and a little when a router process is killed -9
 * (support/router-2pc-child.ts; QUIVER_TEST_LEASE_TTL_S sets the TTL, default 2 s).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { startQuiver, type QuiverServer } from './support/server.js';
import { startShardRouter, type ShardRouter } from '../src/cluster/router/server.js';
import { staticShardDirectory, type ShardDirectory } from '../src/cluster/shard-directory.js';
import { shardOfKey } from '../src/cluster/router/shard-hash.js';
import { T } from '../src/types/types.js';
import { MemoryDecisionStore, MemoryRouterLiveness, type DecisionStore, type RouterLiveness } from '../src/cluster/router/decision-store.js';
import { recoverPreparedTransactions, routerOfGid, type RecoveryPass } from '../src/cluster/router/recovery.js';
import type { CommitHooks } from '../src/cluster/router/transaction.js';
import { ensureBinary, waitUntil } from '../src/cluster/local/processes.js';
import { startEtcdCluster, type EtcdCluster } from '../src/cluster/local/etcd.js';
import { openEtcdCoordinator } from '../src/cluster/etcd-coordinator.js';
import type { Coordinator } from '../src/cluster/coordinator.js';
import { EtcdDecisionStore, EtcdRouterLiveness } from '../src/cluster/etcd-decision-store.js';
import type { TimestampSource } from '../src/cluster/tso/tso-client.js';

const SHARDS = 2;
const logger = pino({ level: process.env.QUIVER_TEST_LOG_LEVEL ?? 'warn' });
const shardOf = (id: number): number => shardOfKey([T.int4], [id], SHARDS);
let nextId = 1;
/** a fresh id on each shard: a transaction writing both is a two-phase commit */
function idPerShard(): [number, number] {
  const out: number[] = [];
  for (const shard of [0, 1]) {
    while (shardOf(nextId) !== shard) nextId++;
    out.push(nextId++);
  }
  return out as [number, number];
}

async function client(port: number): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** The router dies where the test says (hooks replaced per test). */
class Crash {
  hooks: CommitHooks = {};
  readonly forRouter: CommitHooks = {
    afterPrepare: (gid) => this.hooks.afterPrepare?.(gid),
    beforeCommitPrepared: (gid, shard) => this.hooks.beforeCommitPrepared?.(gid, shard),
  };
}

const died = () => new Error('the router died (test hook)');

describe('two-phase commit recovery', () => {
  let shards: QuiverServer[] = [];
  let directory: ShardDirectory;

  async function onShard<T = any>(shard: number, sql: string): Promise<T[]> {
    const d = await client(shards[shard]!.port);
    try {
      return (await d.query(sql)).rows as T[];
    } finally {
      await d.end();
    }
  }
  const preparedOn = async (shard: number) => (await onShard<{ gid: string }>(shard, "SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'quiver%' ORDER BY gid")).map((r) => r.gid);
  const labelsOf = async (ids: number[]) => Promise.all(ids.map(async (id) => (await onShard<{ label: string }>(shardOf(id), `SELECT label FROM items WHERE id = ${id}`)).map((r) => r.label)));

  /** A router that may die (hooks), its stores, and a client on it. */
  async function routerA(decisions: DecisionStore, liveness: RouterLiveness, crash: Crash, timestamps?: TimestampSource): Promise<{ router: ShardRouter; c: pg.Client }> {
    // its own recovery loop stays out of the way (an hour): the tests run recovery as another router
    const router = await startShardRouter({ host: '127.0.0.1', port: 0, directory, logger, twoPhase: { decisions, liveness, hooks: crash.forRouter, recoveryIntervalMs: 3_600_000 }, ...(timestamps ? { timestamps } : {}) });
    return { router, c: await client(router.port) };
  }

  /** one pass of recovery as router "b" (live, committing nothing) */
  const recoverAsB = (decisions: DecisionStore, liveness: RouterLiveness, graceMs = 0): Promise<RecoveryPass> =>
    recoverPreparedTransactions({ directory, decisions, liveness, routerId: 'b', inFlight: new Set(), graceMs, logger });

  /** BEGIN; one row on each shard; COMMIT: the error, if any */
  async function writeBoth(c: pg.Client, ids: [number, number], label: string): Promise<pg.DatabaseError | undefined> {
    await c.query('BEGIN');
    for (const id of ids) await c.query('INSERT INTO items VALUES ($1, $2)', [id, label]);
    try {
      await c.query('COMMIT');
      return undefined;
    } catch (e) {
      return e as pg.DatabaseError;
    }
  }

  before(async () => {
    shards = await Promise.all(Array.from({ length: SHARDS }, () => startQuiver({ env: { QUIVER_MAX_PREPARED_TRANSACTIONS: '10' } })));
    for (let k = 0; k < SHARDS; k++) await onShard(k, 'CREATE TABLE items (id int PRIMARY KEY, label text)');
    directory = staticShardDirectory(shards.map((s) => `127.0.0.1:${s.port}`));
  });

  after(async () => {
    await Promise.all(shards.map((s) => s.stop()));
  });

  it('commits on every shard and drops the decision record when nothing fails', async () => {
    const decisions = new MemoryDecisionStore();
    const { router, c } = await routerA(decisions, new MemoryRouterLiveness(), new Crash());
    try {
      const ids = idPerShard();
      assert.equal(await writeBoth(c, ids, 'plain'), undefined);
      assert.deepEqual(await labelsOf(ids), [['plain'], ['plain']]);
      assert.deepEqual(decisions.records, new Map());
      assert.deepEqual([await preparedOn(0), await preparedOn(1)], [[], []]);
    } finally {
      await c.end();
      await router.close();
    }
  });

  it('a router dead after recording commit and committing on shard 0 only: recovery commits shard 1', async () => {
    const decisions = new MemoryDecisionStore();
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    const { router, c } = await routerA(decisions, liveness, crash);
    try {
      crash.hooks.beforeCommitPrepared = (_gid, shard) => { if (shard === 1) throw died(); };
      const ids = idPerShard();
      // recorded: the client's COMMIT stands (recovery owes shard 1 its COMMIT PREPARED)
      assert.equal(await writeBoth(c, ids, 'half'), undefined);
      const [gid] = await preparedOn(1);
      assert.ok(gid && routerOfGid(gid) === router.routerId, `shard 1 holds the router's prepared transaction (${gid})`);
      assert.deepEqual(await preparedOn(0), []);
      assert.deepEqual(decisions.records, new Map([[gid, 'commit']]));
      assert.deepEqual(await labelsOf(ids), [['half'], []]);
      // while the router is live, another router's recovery leaves it alone
      assert.deepEqual(await recoverAsB(decisions, liveness), { committed: [], rolledBack: [], forgotten: [] });
      liveness.die(router.routerId);
      assert.deepEqual(await recoverAsB(decisions, liveness), { committed: [`${gid}@1`], rolledBack: [], forgotten: [gid] });
      assert.deepEqual(await labelsOf(ids), [['half'], ['half']]);
      assert.deepEqual([await preparedOn(0), await preparedOn(1)], [[], []]);
      assert.deepEqual(decisions.records, new Map());
      // a second pass (or another router's at once) finds nothing left to do
      assert.deepEqual(await recoverAsB(decisions, liveness), { committed: [], rolledBack: [], forgotten: [] });
    } finally {
      await c.end();
      await router.close();
    }
  });

  it('with a timestamp oracle the commit timestamp is recorded with the decision, and recovery commits at it', async () => {
    const decisions = new MemoryDecisionStore();
    const asked: string[] = [];
    const recorded = decisions.commitTimestamp.bind(decisions);
    decisions.commitTimestamp = async (gid) => { asked.push(gid); return recorded(gid); };
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    let next = 1000n;
    const { router, c } = await routerA(decisions, liveness, crash, { timestamp: async () => ++next, close: async () => {} });
    try {
      crash.hooks.beforeCommitPrepared = (_gid, shard) => { if (shard === 1) throw died(); };
      const ids = idPerShard();
      assert.equal(await writeBoth(c, ids, 'stamped'), undefined);
      const [gid] = await preparedOn(1);
      // asked once every shard prepared; shard 0 committed with it (quiver.commit_timestamp)
      assert.equal(decisions.timestamps.get(gid!), 1001n);
      liveness.die(router.routerId);
      assert.deepEqual(await recoverAsB(decisions, liveness), { committed: [`${gid}@1`], rolledBack: [], forgotten: [gid] });
      assert.deepEqual(asked, [gid], 'recovery read the recorded timestamp to commit shard 1 at it');
      assert.deepEqual(await labelsOf(ids), [['stamped'], ['stamped']]);
    } finally {
      await c.end();
      await router.close();
    }
  });

  it('a router dead after preparing on both shards, before the decision: recovery rolls both back', async () => {
    const decisions = new MemoryDecisionStore();
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    const { router, c } = await routerA(decisions, liveness, crash);
    try {
      crash.hooks.afterPrepare = () => { throw died(); };
      const ids = idPerShard();
      assert.ok(await writeBoth(c, ids, 'undecided'), 'the client\'s COMMIT fails');
      const held = [await preparedOn(0), await preparedOn(1)];
      assert.equal(held[0]!.length, 1);
      assert.deepEqual(held[1], held[0]);
      const gid = held[0]![0]!;
      assert.deepEqual(decisions.records, new Map());
      liveness.die(router.routerId);
      // prepared too recently for the grace period: not yet
      assert.deepEqual(await recoverAsB(decisions, liveness, 60_000), { committed: [], rolledBack: [], forgotten: [] });
      assert.deepEqual(await recoverAsB(decisions, liveness), { committed: [], rolledBack: [`${gid}@0`, `${gid}@1`], forgotten: [] });
      assert.deepEqual(await labelsOf(ids), [[], []]);
      assert.deepEqual([await preparedOn(0), await preparedOn(1)], [[], []]);
      // recovery claimed the abort; the next pass drops that record
      assert.deepEqual(decisions.records, new Map([[gid, 'abort']]));
      assert.deepEqual((await recoverAsB(decisions, liveness)).forgotten, [gid]);
      assert.deepEqual(decisions.records, new Map());
    } finally {
      await c.end();
      await router.close();
    }
  });

  it('a live router\'s prepared transaction is not touched; its own recovery finishes it once it is not committing it', async () => {
    const decisions = new MemoryDecisionStore();
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    const { router, c } = await routerA(decisions, liveness, crash);
    try {
      crash.hooks.afterPrepare = () => { throw died(); };
      const ids = idPerShard();
      assert.ok(await writeBoth(c, ids, 'live'));
      const [gid] = await preparedOn(0);
      assert.ok(gid);
      assert.deepEqual(await recoverAsB(decisions, liveness), { committed: [], rolledBack: [], forgotten: [] });
      assert.deepEqual([await preparedOn(0), await preparedOn(1)], [[gid], [gid]]);
      // the router's own pass, with the gid in flight: still untouched
      const own = (inFlight: Set<string>) => recoverPreparedTransactions({ directory, decisions, liveness, routerId: router.routerId, inFlight, graceMs: 0, logger });
      assert.deepEqual(await own(new Set([gid])), { committed: [], rolledBack: [], forgotten: [] });
      assert.deepEqual((await own(new Set())).rolledBack, [`${gid}@0`, `${gid}@1`]);
      assert.deepEqual(await labelsOf(ids), [[], []]);
    } finally {
      await c.end();
      await router.close();
    }
  });

  it('a router only slow (taken for dead) finds recovery\'s abort and rolls back: never half-applied', async () => {
    const decisions = new MemoryDecisionStore();
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    const { router, c } = await routerA(decisions, liveness, crash);
    try {
      let pass: RecoveryPass | undefined;
      crash.hooks.afterPrepare = async () => {
        // its registration lapsed while it was between PREPARE and its decision
        liveness.die(router.routerId);
        pass = await recoverAsB(decisions, liveness);
      };
      const ids = idPerShard();
      const err = await writeBoth(c, ids, 'slow');
      assert.equal(err?.code, '40000');
      assert.equal(pass?.rolledBack.length, 2);
      assert.deepEqual(await labelsOf(ids), [[], []]);
      assert.deepEqual([await preparedOn(0), await preparedOn(1)], [[], []]);
    } finally {
      await c.end();
      await router.close();
    }
  });

  /** router B, with its recovery loop but no polling to speak of (an hour): only the liveness watch makes it act */
  const watchingRouterB = (decisions: DecisionStore, liveness: RouterLiveness): Promise<ShardRouter> =>
    startShardRouter({ host: '127.0.0.1', port: 0, directory, logger, twoPhase: { decisions, liveness, recoveryIntervalMs: 3_600_000 } });

  it('a router seen going away: another router finishes its prepared transactions at once, without the grace period', async () => {
    const decisions = new MemoryDecisionStore();
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    const { router, c } = await routerA(decisions, liveness, crash);
    const b = await watchingRouterB(decisions, liveness);
    try {
      crash.hooks.afterPrepare = () => { throw died(); };
      const ids = idPerShard();
      assert.ok(await writeBoth(c, ids, 'gone'));
      const [gid] = await preparedOn(0);
      assert.ok(gid);
      assert.deepEqual(await preparedOn(1), [gid]);
      const goneAt = Date.now();
      liveness.die(router.routerId);
      // well within the grace period (10 s) and without any polling pass
      await waitUntil('B rolls the gone router\'s transaction back', async () => (await preparedOn(0)).length + (await preparedOn(1)).length === 0, 5_000, 20);
      assert.ok(Date.now() - goneAt < 5_000);
      assert.deepEqual(await labelsOf(ids), [[], []]);
      assert.deepEqual(decisions.records, new Map([[gid, 'abort']]));
    } finally {
      await c.end();
      await router.close();
      await b.close();
    }
  });

  it('a router taken for gone between recording commit and COMMIT PREPARED: recovery commits by the record, never rolls it back', async () => {
    const decisions = new MemoryDecisionStore();
    const liveness = new MemoryRouterLiveness();
    const crash = new Crash();
    const { router, c } = await routerA(decisions, liveness, crash);
    const b = await watchingRouterB(decisions, liveness);
    try {
      let gid: string | undefined;
      // cut off (its registration lapsed) after recording "commit", before any COMMIT PREPARED;
      // it goes on once recovery finished both shards: its own COMMIT PREPAREDs find them done
      let recovered: Promise<void> | undefined;
      crash.hooks.beforeCommitPrepared = (g) => {
        gid = g;
        recovered ??= (async () => {
          assert.deepEqual(decisions.records, new Map([[g, 'commit']]));
          liveness.die(router.routerId);
          await waitUntil('recovery commits both shards', async () => (await preparedOn(0)).length + (await preparedOn(1)).length === 0, 5_000, 20);
        })();
        return recovered;
      };
      const ids = idPerShard();
      // the client's COMMIT stands: the transaction is committed on every shard
      assert.equal(await writeBoth(c, ids, 'cut-off'), undefined);
      assert.ok(gid);
      assert.deepEqual(await labelsOf(ids), [['cut-off'], ['cut-off']]);
      assert.deepEqual([await preparedOn(0), await preparedOn(1)], [[], []]);
    } finally {
      await c.end();
      await router.close();
      await b.close();
    }
  });

  describe('with etcd', () => {
    let available = true;
    try {
      ensureBinary('etcd', 'etcd-server');
    } catch {
      available = false;
    }
    const dir = mkdtempSync(join(tmpdir(), 'quiver-2pc-recovery-'));
    let etcd: EtcdCluster | undefined;
    const coordinators: Coordinator[] = [];
    // the lease TTL of the routers here (QUIVER_TEST_LEASE_TTL_S: to measure with the default 5 s)
    const LEASE_TTL_S = Number(process.env.QUIVER_TEST_LEASE_TTL_S ?? 2);
    const coordinator = async () => {
      const c = await openEtcdCoordinator({ endpoints: [...etcd!.endpoints], prefix: 'twopc-test/', leaseTtlSeconds: LEASE_TTL_S });
      coordinators.push(c);
      return c;
    };

    before(async () => {
      if (available) etcd = await startEtcdCluster(join(dir, 'etcd'), 1);
    });

    after(async () => {
      for (const c of coordinators) await c.close().catch(() => {});
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('records decisions put-if-absent, lists and drops them; a router is live while its proxy\'s lease is', { skip: available ? false : 'etcd is not installed and could not be' }, async () => {
      const a = await coordinator();
      const store = new EtcdDecisionStore(a);
      assert.equal(await store.decide('quiver_aa_1', 'commit'), 'commit');
      assert.equal(await store.decide('quiver_aa_1', 'abort'), 'commit');
      assert.equal(await store.decide('quiver_aa_2', 'abort'), 'abort');
      // a commit with its timestamp (a cluster with the timestamp oracle)
      assert.equal(await store.decide('quiver_aa_3', 'commit', 1234567890123456789n), 'commit');
      assert.equal(await store.decide('quiver_aa_3', 'abort'), 'commit');
      assert.equal(await store.commitTimestamp('quiver_aa_3'), 1234567890123456789n);
      assert.equal(await store.commitTimestamp('quiver_aa_1'), undefined);
      assert.deepEqual(await store.all(), new Map([['quiver_aa_1', 'commit'], ['quiver_aa_2', 'abort'], ['quiver_aa_3', 'commit']]));
      await store.forget('quiver_aa_1');
      await store.forget('quiver_aa_2');
      await store.forget('quiver_aa_3');
      assert.deepEqual(await store.all(), new Map());
      const b = await coordinator();
      await new EtcdRouterLiveness(b, 'b:1').announce('bbbb');
      assert.deepEqual(await new EtcdRouterLiveness(a, 'a:1').live(), new Set(['bbbb']));
      await b.close();
      assert.deepEqual(await new EtcdRouterLiveness(a, 'a:1').live(), new Set());
    });

    it('a second router\'s recovery loop finishes a dead router\'s half-committed transaction', { skip: available ? false : 'etcd is not installed and could not be' }, async () => {
      const ca = await coordinator();
      const crash = new Crash();
      crash.hooks.beforeCommitPrepared = (_gid, shard) => { if (shard === 1) throw died(); };
      const { router, c } = await routerA(new EtcdDecisionStore(ca), new EtcdRouterLiveness(ca, 'a:1'), crash);
      const cb = await coordinator();
      let b: ShardRouter | undefined;
      try {
        const ids = idPerShard();
        assert.equal(await writeBoth(c, ids, 'etcd'), undefined);
        const [gid] = await preparedOn(1);
        assert.ok(gid);
        assert.deepEqual(await cb.list('twopc/'), new Map([[`twopc/${gid}`, 'commit']]));
        b = await startShardRouter({ host: '127.0.0.1', port: 0, directory, logger, twoPhase: { decisions: new EtcdDecisionStore(cb), liveness: new EtcdRouterLiveness(cb, 'b:1'), recoveryIntervalMs: 200, graceMs: 0 } });
        // router A is live: B's passes leave its transaction prepared
        await new Promise((r) => setTimeout(r, 1000));
        assert.deepEqual(await preparedOn(1), [gid]);
        // A's proxy stops: its lease (and router registration) goes with it
        await c.end();
        await router.close();
        await ca.close();
        await waitUntil('recovery commits shard 1 and drops the record', async () => (await preparedOn(1)).length === 0 && (await cb.list('twopc/')).size === 0, 20_000);
        assert.deepEqual(await labelsOf(ids), [['etcd'], ['etcd']]);
      } finally {
        await c.end().catch(() => {});
        await router.close().catch(() => {});
        await b?.close();
      }
    });

    /**
     * A router in another process holding prepared transactions is killed -9: the other
     * router (defaults: its recovery loop's interval and grace) finishes them within the lease
     * TTL and a little — committed on every shard where "commit" was recorded, rolled back where not.
     */
    for (const stopAt of ['commit', 'prepare'] as const) {
      it(`a router killed -9 ${stopAt === 'commit' ? 'after recording commit (shard 0 committed)' : 'after preparing, before the decision'}: finished within the lease TTL and a little`,
        { skip: available ? false : 'etcd is not installed and could not be' }, async (t) => {
          const cb = await coordinator();
          const b = await startShardRouter({ host: '127.0.0.1', port: 0, directory, logger, twoPhase: { decisions: new EtcdDecisionStore(cb), liveness: new EtcdRouterLiveness(cb, 'b:1') } });
          const child = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'support', 'router-2pc-child.js'), etcd!.endpoints.join(','), 'twopc-test/', String(LEASE_TTL_S),
            shards.map((s) => `127.0.0.1:${s.port}`).join(','), stopAt], { stdio: ['ignore', 'pipe', 'inherit'] });
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          const c: pg.Client[] = [];
          try {
            const [port, routerId] = await new Promise<[number, string]>((resolve, reject) => {
              let out = '';
              child.stdout!.setEncoding('utf8').on('data', (s: string) => {
                out += s;
                const m = /listening (\d+) ([0-9a-f]+)/.exec(out);
                if (m) resolve([Number(m[1]), m[2]!]);
              });
              void exited.then(() => reject(new Error('the router child exited')));
            });
            // two transactions left prepared by the router (the client's COMMIT never answers)
            const written: [number, number][] = [];
            for (let k = 0; k < 2; k++) {
              const ck = await client(port);
              c.push(ck);
              const ids = idPerShard();
              written.push(ids);
              void writeBoth(ck, ids, `killed-${stopAt}`);
            }
            const gids = async (shard: number) => (await preparedOn(shard)).filter((g) => routerOfGid(g) === routerId);
            await waitUntil('the router holds its transactions prepared', async () => (await gids(1)).length === 2 && (await gids(0)).length === (stopAt === 'commit' ? 0 : 2), 20_000);
            if (stopAt === 'commit') assert.deepEqual(await labelsOf(written[0]!), [[`killed-${stopAt}`], []]);
            const killedAt = Date.now();
            child.kill('SIGKILL');
            await exited;
            await waitUntil('recovery finishes the dead router\'s transactions', async () => (await gids(0)).length + (await gids(1)).length === 0, 60_000, 50);
            const tookMs = Date.now() - killedAt;
            t.diagnostic(`kill -9 to finished on every shard: ${tookMs} ms (lease TTL ${LEASE_TTL_S} s)`);
            const expected = stopAt === 'commit' ? [`killed-${stopAt}`] : [];
            for (const ids of written) assert.deepEqual(await labelsOf(ids), [expected, expected]);
            assert.ok(tookMs <= LEASE_TTL_S * 1000 + 2_500, `finished ${tookMs} ms after the kill`);
          } finally {
            child.kill('SIGKILL');
            for (const ck of c) await ck.end().catch(() => {});
            await b.close();
          }
        });
    }
  });
});
