/**
 * The Coordinator (coordinator.ts) on etcd (npm etcd3): elections are etcd's election
 * recipe (etcd3's Election: candidates' keys under the election's prefix, bound to their
 * leases, the oldest key leads), node registrations are keys bound to this coordinator's
 * lease, so both vanish when a node stops renewing (killed, cut off) — after the lease's
 * TTL. Every key lives under `prefix` (default "quiver/").
 */
import { Etcd3, type Lease, type Namespace } from 'etcd3';
import type { Coordinator, Leadership, NodeInfo } from './coordinator.js';

export interface EtcdCoordinatorOptions {
  /** client endpoints, e.g. ["http://127.0.0.1:2379"] */
  readonly endpoints: readonly string[];
  readonly prefix?: string;
  /** seconds until a silent node's lease (registrations, leadership) expires; default 5 */
  readonly leaseTtlSeconds?: number;
}

export class EtcdCoordinator implements Coordinator {
  private readonly client: Etcd3;
  private readonly ns: Namespace;
  private lease: Lease | undefined;
  private readonly ttl: number;
  private readonly campaigns = new Set<{ resign(): Promise<void> }>();

  constructor(opts: EtcdCoordinatorOptions) {
    this.client = new Etcd3({ hosts: [...opts.endpoints], dialTimeout: 3000 });
    this.ns = this.client.namespace(opts.prefix ?? 'quiver/');
    this.ttl = opts.leaseTtlSeconds ?? 5;
  }

  /** This node's lease for its registrations (granted on first use). */
  private nodeLease(): Lease {
    if (!this.lease) {
      this.lease = this.ns.lease(this.ttl);
      this.lease.on('lost', () => { this.lease = undefined; });
    }
    return this.lease;
  }

  async campaign(election: string, value: string, signal?: AbortSignal): Promise<Leadership> {
    const campaign = this.ns.election(`elections/${election}`, this.ttl).campaign(value);
    this.campaigns.add(campaign);
    let onLost: () => void = () => {};
    const lost = new Promise<void>((resolve) => { onLost = resolve; });
    campaign.on('error', () => onLost());
    const abort = () => { void campaign.resign().catch(() => {}); };
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await new Promise<void>((resolve, reject) => {
        campaign.on('elected', () => resolve());
        campaign.on('error', (e) => reject(e));
        signal?.addEventListener('abort', () => reject(new Error('campaign aborted')), { once: true });
      });
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return {
      lost,
      resign: async () => {
        this.campaigns.delete(campaign);
        await campaign.resign();
      },
    };
  }

  async leader(election: string): Promise<string | undefined> {
    return this.ns.election(`elections/${election}`, this.ttl).leader();
  }

  async watchLeader(election: string, onChange: (value: string | undefined) => void): Promise<() => Promise<void>> {
    const observer = await this.ns.election(`elections/${election}`, this.ttl).observe();
    let last: string | undefined | null = null;
    const report = (v: string | undefined) => {
      if (v === last) return;
      last = v;
      onChange(v);
    };
    observer.on('change', report);
    // a watch error is retried by the observer itself; the value stays as it was until then
    observer.on('error', () => {});
    report(observer.leader());
    return () => observer.cancel();
  }

  async register(node: NodeInfo): Promise<void> {
    await this.nodeLease().put(`nodes/${node.role}/${node.id}`).value(JSON.stringify(node));
  }

  async nodes(role?: string): Promise<NodeInfo[]> {
    const all = await this.ns.getAll().prefix(role ? `nodes/${role}/` : 'nodes/').strings();
    return Object.values(all).map((v) => JSON.parse(v) as NodeInfo);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.ns.get(`keys/${key}`).string()) ?? undefined;
  }

  async put(key: string, value: string): Promise<void> {
    await this.ns.put(`keys/${key}`).value(value);
  }

  async close(): Promise<void> {
    for (const c of this.campaigns) await c.resign().catch(() => {});
    this.campaigns.clear();
    await this.lease?.revoke().catch(() => {});
    this.client.close();
  }
}

export async function openEtcdCoordinator(opts: EtcdCoordinatorOptions): Promise<Coordinator> {
  const c = new EtcdCoordinator(opts);
  // fail fast with the reason when no endpoint answers
  await c.get('ping');
  return c;
}
