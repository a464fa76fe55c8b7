/**
 * What cluster nodes agree on through the metadata store (etcd): who leads (the one data
 * node that writes the log), which nodes are alive (registered under a lease that expires
 * when the node stops renewing it), and small shared keys. Implementation:
 * etcd-coordinator.ts.
 */

/** A won election: held until resigned, or until the lease is lost (the node was cut off). */
export interface Leadership {
  /** resolves if the lease is lost (expired, revoked) or another candidate took over: the node must stop acting as leader at once */
  readonly lost: Promise<void>;
  /** once `lost` resolved: why (the lease's renewals unacknowledged past its TTL, another candidate…), for the log */
  readonly lostBecause?: () => string;
  /** give leadership up (another candidate is elected) */
  resign(): Promise<void>;
}

export interface NodeInfo {
  readonly id: string;
  /** the role's address for others, e.g. "127.0.0.1:7001" */
  readonly address: string;
  readonly role: string;
  /** a data node of a sharded cluster: the shard it serves (absent: an unsharded cluster's) */
  readonly shard?: number;
  /** a hot standby data node: how far behind the log it is (ms since it last had all the log held), as of its last report */
  readonly lagMs?: number;
  /** a hot standby data node: its open sessions, as of its last report (the read port weighs standbys by load) */
  readonly sessions?: number;
  /** a hot standby data node: the share of the last report interval its event loop was busy (0–1, in steps of 0.1) */
  readonly busy?: number;
}

export interface Coordinator {
  /**
   * Campaign for leadership of `election`, announcing `value` (e.g. the node's address);
   * resolves once elected. Rejects if `signal` aborts first.
   */
  campaign(election: string, value: string, signal?: AbortSignal): Promise<Leadership>;
  /**
   * pg_promote: this coordinator's candidate in `election` (its campaign is waiting) leads
   * now. The candidates before it are removed in one transaction, so its campaign resolves;
   * a removed leader's Leadership.lost resolves (it must stop at once), a removed waiting
   * candidate campaigns again behind it. Rejects when this coordinator has no candidate there.
   */
  takeover(election: string): Promise<void>;
  /** The current leader's value (undefined: nobody leads now). */
  leader(election: string): Promise<string | undefined>;
  /** Call `onChange` with the leader's value now and at every change; returns the unsubscriber. */
  watchLeader(election: string, onChange: (value: string | undefined) => void): Promise<() => Promise<void>>;
  /** Register a live node (kept while this coordinator's lease is renewed). */
  register(node: NodeInfo): Promise<void>;
  /** The live nodes, optionally of one role. */
  nodes(role?: string): Promise<NodeInfo[]>;
  /**
   * Call `onChange` with the live nodes of `role` now and whenever they may have changed (a
   * registration put, or gone with its lease); returns the unsubscriber.
   */
  watchNodes(role: string, onChange: (nodes: NodeInfo[]) => void): Promise<() => Promise<void>>;
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  /** Put `value` unless the key has one; the key's value afterwards (the one found, or `value`). */
  putIfAbsent(key: string, value: string): Promise<string>;
  /** Put `value` only if the key's value is `expected` (undefined: it has none); whether it was put. */
  compareAndPut(key: string, expected: string | undefined, value: string): Promise<boolean>;
  /** Remove the key (nothing if it has no value). */
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix`, with its value (keys as given to put). */
  list(prefix: string): Promise<Map<string, string>>;
  /** Revoke the lease (registrations, leadership) and disconnect. */
  close(): Promise<void>;
}
