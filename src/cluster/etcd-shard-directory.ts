/**
 * The ShardDirectory (shard-directory.ts) on the metadata store: it watches each shard's
 * data election (`data-<K>`, or `data` in an unsharded cluster: dataElection) and keeps
 * the leaders' addresses, so `leader()` answers without a round trip and `waitLeader()`
 * waits for the next election's outcome. The shard count is the cluster's, as recorded
 * in etcd by its first node; a count given by the caller must agree with it.
 */
import type { Coordinator } from './coordinator.js';
import { agreeOnShardCount, dataElection, SHARDS_KEY } from './data-role.js';
import { noShardLeader, type ShardDirectory } from './shard-directory.js';

export interface EtcdShardDirectoryOptions {
  /**
   * the shard count the caller was started with (its --shards): checked against the
   * recorded one, and recorded if there is none yet. Absent: the recorded count (none
   * recorded is an error: no node of the cluster has started).
   */
  readonly shards?: number;
}

/** Follow every shard's election; resolves once each shard's leader (or its absence) has been read. */
export async function openEtcdShardDirectory(coordinator: Coordinator, opts: EtcdShardDirectoryOptions = {}): Promise<ShardDirectory> {
  const shards = await shardCount(coordinator, opts.shards);
  const leaders: (string | undefined)[] = new Array(shards).fill(undefined);
  const listeners = new Set<(shard: number, address: string | undefined) => void>();
  const unwatch: (() => Promise<void>)[] = [];
  let closed = false;
  const changed = (shard: number, address: string | undefined) => {
    if (closed || leaders[shard] === address) return;
    leaders[shard] = address;
    for (const l of [...listeners]) l(shard, address);
  };
  try {
    for (let k = 0; k < shards; k++) unwatch.push(await coordinator.watchLeader(dataElection(k, shards), (address) => changed(k, address)));
  } catch (e) {
    await Promise.all(unwatch.map((u) => u()));
    throw e;
  }
  const onChange = (listener: (shard: number, address: string | undefined) => void) => {
    listeners.add(listener);
    return () => { listeners.delete(listener); };
  };
  return {
    shards,
    leader: (shard) => leaders[shard],
    waitLeader(shard, waitMs) {
      if (!(Number.isInteger(shard) && shard >= 0 && shard < shards)) return Promise.reject(noShardLeader(shard));
      const now = leaders[shard];
      if (now !== undefined) return Promise.resolve(now);
      if (closed) return Promise.reject(noShardLeader(shard));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(noShardLeader(shard));
        }, waitMs);
        const stop = onChange((k, address) => {
          if (k !== shard || address === undefined) return;
          clearTimeout(timer);
          stop();
          resolve(address);
        });
      });
    },
    onChange,
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.all(unwatch.map((u) => u()));
    },
  };
}

/** The cluster's shard count: `mine`, once agreed with the recorded one (agreeOnShardCount), or the recorded one. */
async function shardCount(coordinator: Coordinator, mine: number | undefined): Promise<number> {
  if (mine !== undefined) {
    if (!(Number.isInteger(mine) && mine >= 1)) throw new Error(`a shard count is a positive integer, not ${mine}`);
    await agreeOnShardCount(coordinator, mine);
    return mine;
  }
  const recorded = await coordinator.get(SHARDS_KEY);
  if (recorded === undefined) throw new Error('the cluster\'s shard count is not recorded in etcd yet (no node has started): pass the shard count');
  const n = Number(recorded);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`etcd's shard count is not a positive integer: ${recorded}`);
  return n;
}
