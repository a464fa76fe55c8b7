/**
 * The sharded read port's directory (read-shard-directory.ts) on a fake metadata store: per
 * shard the standby readTargets ranks first (never the leader, nor another shard's node), the
 * leader when the shard has no standby; a node reported unreachable is passed over for
 * skipMs; the data nodes are read again every pollMs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Coordinator, NodeInfo } from '../src/cluster/coordinator.js';
import { openReadShardDirectory } from '../src/cluster/read-shard-directory.js';
import { staticShardDirectory } from '../src/cluster/shard-directory.js';

/** A Coordinator whose only answer is `nodes('data')`: the list `registered` holds now. */
function fakeCoordinator(registered: { nodes: NodeInfo[] }): Coordinator {
  return { nodes: async (role?: string) => registered.nodes.filter((n) => role === undefined || n.role === role) } as unknown as Coordinator;
}

const node = (address: string, shard: number, more: Partial<NodeInfo> = {}): NodeInfo => ({ id: address, address, role: 'data', shard, ...more });

test('each shard reads from its least loaded current standby, never its leader; the leader when it has no standby', async () => {
  const registered = {
    nodes: [
      node('h:1', 0), node('h:2', 0, { lagMs: 0, busy: 0.5 }), node('h:3', 0, { lagMs: 0, busy: 0.1 }), node('h:4', 0, { lagMs: 9_000 }),
      node('h:11', 1),
    ],
  };
  const dir = await openReadShardDirectory(fakeCoordinator(registered), { leaders: staticShardDirectory(['h:1', 'h:11']), maxLagMs: 2_000 });
  try {
    assert.equal(dir.shards, 2);
    assert.equal(await dir.waitLeader(0, 10), 'h:3', 'the least busy current standby');
    assert.equal(dir.leader(0), 'h:3');
    assert.equal(await dir.waitLeader(1, 10), 'h:11', 'shard 1 has no standby: its leader');
    // unreachable: passed over, in ranking order, down to the lagging one, then the leader
    assert.equal(dir.unreachable!(0, 'h:3'), true);
    assert.equal(await dir.waitLeader(0, 10), 'h:2');
    assert.equal(dir.unreachable!(0, 'h:2'), true);
    assert.equal(await dir.waitLeader(0, 10), 'h:4', 'a lagging standby only when no current one answers');
    assert.equal(dir.unreachable!(0, 'h:4'), true);
    assert.equal(await dir.waitLeader(0, 10), 'h:1', 'then the leader');
    assert.equal(dir.unreachable!(0, 'h:1'), false, 'nothing else to name');
    await assert.rejects(dir.waitLeader(2, 10), (e: { code?: string }) => e.code === '57P03');
  } finally {
    await dir.close();
  }
});

test('equally loaded standbys in turn; a skipped node comes back after skipMs; new registrations are read every pollMs', async () => {
  const registered = { nodes: [node('h:1', 0), node('h:2', 0), node('h:3', 0)] };
  const dir = await openReadShardDirectory(fakeCoordinator(registered), { leaders: staticShardDirectory(['h:1']), pollMs: 20, skipMs: 100 });
  try {
    const picks = [];
    for (let i = 0; i < 4; i++) picks.push(await dir.waitLeader(0, 10));
    assert.deepEqual(new Set(picks), new Set(['h:2', 'h:3']), 'both standbys get sessions');
    dir.unreachable!(0, 'h:2');
    for (let i = 0; i < 3; i++) assert.equal(await dir.waitLeader(0, 10), 'h:3');
    await new Promise((r) => setTimeout(r, 150));
    registered.nodes = [node('h:1', 0), node('h:2', 0, { busy: 0.2 }), node('h:3', 0, { busy: 0.3 }), node('h:5', 0, { busy: 0 })];
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await dir.waitLeader(0, 10), 'h:5', 'a new idle standby is seen');
    registered.nodes = [node('h:1', 0), node('h:2', 0, { busy: 0.2 }), node('h:3', 0, { busy: 0.3 })];
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await dir.waitLeader(0, 10), 'h:2', 'the skip is over');
  } finally {
    await dir.close();
  }
});
