/**
 * Where each shard's data leader is (README "Cluster mode", shards). A sharded cluster
 * splits every table's rows by a hash of the primary key over `shards` shard groups;
 * each group is a set of data nodes (a leader and hot standbys) with its own JetStream
 * stream and its own election, and holds the whole catalog. The proxy's router reads
 * this directory to reach the leaders; the etcd implementation follows the elections,
 * the static one serves tests and fixed deployments.
 */
import { SqlError } from '../errors.js';

export interface ShardDirectory {
  /** how many shards the cluster has (fixed when the cluster is created) */
  readonly shards: number;
  /** the "host:port" of shard `shard`'s leader now, or undefined while it has none */
  leader(shard: number): string | undefined;
  /** the leader of `shard`, waiting up to `waitMs` for one; rejects with 57P03 after that */
  waitLeader(shard: number, waitMs: number): Promise<string>;
  /** hear every leader change; returns the unsubscriber */
  onChange(listener: (shard: number, address: string | undefined) => void): () => void;
  /**
   * `address`, named for `shard`, did not answer a connection: true when asking again may name
   * another node (the read port's directory passes it over for a while), false when not.
   * Absent: no other node to name.
   */
  unreachable?(shard: number, address: string): boolean;
  /** stop following (the etcd one closes its watches) */
  close(): Promise<void>;
}

/** PostgreSQL's "not accepting connections" for a shard without a leader. */
export function noShardLeader(shard: number): SqlError {
  return new SqlError('57P03', `the database system is not accepting connections`, { detail: `Shard ${shard} has no leader.` });
}

/** A fixed directory: shard k's leader is `addresses[k]` for ever. */
export function staticShardDirectory(addresses: readonly string[]): ShardDirectory {
  if (addresses.length === 0) throw new Error('a shard directory needs at least one shard');
  return {
    shards: addresses.length,
    leader: (shard) => addresses[shard],
    waitLeader: async (shard) => {
      const address = addresses[shard];
      if (address === undefined) throw noShardLeader(shard);
      return address;
    },
    onChange: () => () => {},
    close: async () => {},
  };
}
