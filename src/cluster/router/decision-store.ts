/**
 * Where the routers keep two-phase commit decisions and who of them is alive (README
 * "Cluster mode", shard router). A router that prepared a transaction on several shards
 * records "commit" for its gid before the first COMMIT PREPARED, and forgets the record once
 * every shard committed; recovery (recovery.ts) finishes a dead router's prepared
 * transactions by the record: commit if one says so, else abort (presumed abort). A record
 * is put only if the gid has none, so the router and recovery cannot decide differently:
 * recovery claims "abort" before it rolls back, and a router that finds that claim rolls
 * back too. Implementations: the in-memory one here (tests, one process) and the etcd one
 * (../etcd-decision-store.ts).
 */

export type Decision = 'commit' | 'abort';

export interface DecisionStore {
  /**
   * Record `decision` for `gid` unless one is recorded; the recorded one afterwards (durable
   * once this resolves). `commitTimestamp`: a commit's cluster timestamp (the timestamp
   * oracle's), recorded with it so that recovery commits every shard at the same one.
   */
  decide(gid: string, decision: Decision, commitTimestamp?: bigint): Promise<Decision>;
  /** The commit timestamp recorded with `gid`'s commit decision, if any. */
  commitTimestamp(gid: string): Promise<bigint | undefined>;
  /** Drop the record of a transaction no shard holds prepared any more. */
  forget(gid: string): Promise<void>;
  /** Every recorded gid and its decision. */
  all(): Promise<Map<string, Decision>>;
}

/** Which routers are alive: recovery leaves the prepared transactions of a live router alone. */
export interface RouterLiveness {
  /** `routerId` counts as live from now on, while this process keeps its registration (etcd: its lease) */
  announce(routerId: string): Promise<void>;
  /** the ids of the live routers */
  live(): Promise<Set<string>>;
  /**
   * Call `onGone` with the id of each router that stops being live from now on (etcd: its
   * registration went away, its lease expired or it shut down); returns the unsubscriber.
   */
  watchGone(onGone: (routerId: string) => void): Promise<() => Promise<void>>;
}

/** Decisions in this process's memory (tests, a single proxy without etcd). */
export class MemoryDecisionStore implements DecisionStore {
  readonly records = new Map<string, Decision>();
  readonly timestamps = new Map<string, bigint>();

  async decide(gid: string, decision: Decision, commitTimestamp?: bigint): Promise<Decision> {
    const found = this.records.get(gid);
    if (found) return found;
    this.records.set(gid, decision);
    if (decision === 'commit' && commitTimestamp !== undefined) this.timestamps.set(gid, commitTimestamp);
    return decision;
  }

  async commitTimestamp(gid: string): Promise<bigint | undefined> {
    return this.timestamps.get(gid);
  }

  async forget(gid: string): Promise<void> {
    this.records.delete(gid);
    this.timestamps.delete(gid);
  }

  async all(): Promise<Map<string, Decision>> {
    return new Map(this.records);
  }
}

/** Liveness in this process's memory; `die` stands for a router whose registration expired. */
export class MemoryRouterLiveness implements RouterLiveness {
  readonly routers = new Set<string>();

  async announce(routerId: string): Promise<void> {
    this.routers.add(routerId);
  }

  private readonly watchers = new Set<(routerId: string) => void>();

  die(routerId: string): void {
    if (!this.routers.delete(routerId)) return;
    for (const onGone of this.watchers) onGone(routerId);
  }

  async live(): Promise<Set<string>> {
    return new Set(this.routers);
  }

  async watchGone(onGone: (routerId: string) => void): Promise<() => Promise<void>> {
    const watcher = (routerId: string) => onGone(routerId);
    this.watchers.add(watcher);
    return async () => { this.watchers.delete(watcher); };
  }
}
