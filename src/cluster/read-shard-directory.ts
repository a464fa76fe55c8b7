/**
 * The sharded read port's ShardDirectory (README "Cluster mode", reads on standbys): for each
 * shard it names the hot standby the unsharded read port would send a session to — proxy.ts
 * readTargets over the shard's registered data nodes other than its leader (the least behind
 * within the lag bound, then the least busy, then the fewest sessions; equally loaded ones in
 * turn) — else the shard's leader. A router on this directory opens each session's shard
 * connections there, so its reads run on the standbys (read-only: a write fails with the
 * standby's own 25006) and follow the session's `quiver.consistency`.
 *
 * A session keeps the node it got for a shard until that connection ends (as a read-port
 * session stays on its standby): onChange never fires. A node that does not answer
 * (`unreachable`) is passed over for `skipMs` — a standby killed -9 stays registered until
 * its lease expires — so the session's next try gets the next one.
 */
import type { Coordinator } from './coordinator.js';
import { READ_MAX_LAG_MS, readTargets, type DataNodeState } from './proxy.js';
import type { ShardDirectory } from './shard-directory.js';

interface Logger {
  warn(obj: object, msg?: string): void;
}

export interface ReadShardDirectoryOptions {
  /** the shards' leaders (the etcd shard directory): the fallback, and never a read target as a standby */
  readonly leaders: ShardDirectory;
  /** a standby further behind than this (ms) is chosen only when none is within it (default READ_MAX_LAG_MS) */
  readonly maxLagMs?: number;
  /** how often the registered data nodes are read again (default 1000 ms, as the unsharded read port) */
  readonly pollMs?: number;
  /** how long a node that did not answer is passed over (default 5000 ms: the data nodes' lease TTL) */
  readonly skipMs?: number;
  readonly logger?: Logger;
}

/** The read port's directory over `opts.leaders`; resolves once the data nodes have been read. */
export async function openReadShardDirectory(coordinator: Coordinator, opts: ReadShardDirectoryOptions): Promise<ShardDirectory> {
  const { leaders } = opts;
  const shards = leaders.shards;
  const maxLagMs = opts.maxLagMs ?? READ_MAX_LAG_MS;
  const skipMs = opts.skipMs ?? 5_000;
  /** each shard's registered data nodes (leader included), in address order */
  let nodes: DataNodeState[][] = Array.from({ length: shards }, () => []);
  /** nodes that did not answer, until when they are passed over */
  const skipped = new Map<string, number>();
  let turn = 0;

  const poll = async () => {
    try {
      const next: DataNodeState[][] = Array.from({ length: shards }, () => []);
      for (const n of await coordinator.nodes('data')) {
        const shard = n.shard ?? 0;
        if (shard < 0 || shard >= shards) continue;
        next[shard]!.push({
          address: n.address, ...(n.lagMs !== undefined ? { lagMs: n.lagMs } : {}),
          ...(n.sessions !== undefined ? { sessions: n.sessions } : {}), ...(n.busy !== undefined ? { busy: n.busy } : {}),
        });
      }
      for (const list of next) list.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
      nodes = next;
    } catch (e) {
      opts.logger?.warn({ err: e }, 'could not read the registered data nodes; keeping the last list');
    }
  };
  await poll();
  const timer = setInterval(() => void poll(), opts.pollMs ?? 1_000);
  timer.unref();

  /** shard's best standby now (`at`: the round-robin position among equally loaded ones), or undefined */
  const standby = (shard: number, at: number): string | undefined => {
    const leader = leaders.leader(shard);
    const now = Date.now();
    const candidates = (nodes[shard] ?? []).filter((n) => n.address !== leader && !((skipped.get(n.address) ?? 0) > now));
    return readTargets(candidates, maxLagMs, at)[0];
  };

  return {
    shards,
    leader: (shard) => standby(shard, turn) ?? leaders.leader(shard),
    waitLeader(shard, waitMs) {
      const target = Number.isInteger(shard) && shard >= 0 && shard < shards ? standby(shard, turn++) : undefined;
      return target !== undefined ? Promise.resolve(target) : leaders.waitLeader(shard, waitMs);
    },
    onChange: () => () => {},
    unreachable(shard, address) {
      if (address === leaders.leader(shard)) return false;
      skipped.set(address, Date.now() + skipMs);
      return true;
    },
    async close() {
      clearInterval(timer);
    },
  };
}
