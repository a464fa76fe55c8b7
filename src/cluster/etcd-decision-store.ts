/**
 * The routers' two-phase commit decisions and liveness (router/decision-store.ts) on the
 * cluster's Coordinator (etcd): a decision is the key `twopc/<gid>`, put only if absent (one
 * etcd transaction, so a router's "commit" and recovery's "abort" cannot both land); a router
 * is live while its registration (role `router`, id = router id) stands under the proxy's
 * lease, i.e. until the proxy stops or is cut off for a lease TTL.
 */
import type { Coordinator } from './coordinator.js';
import type { Decision, DecisionStore, RouterLiveness } from './router/decision-store.js';

const PREFIX = 'twopc/';

export class EtcdDecisionStore implements DecisionStore {
  constructor(private readonly coordinator: Coordinator) {}

  async decide(gid: string, decision: Decision): Promise<Decision> {
    return asDecision(await this.coordinator.putIfAbsent(PREFIX + gid, decision), gid);
  }

  async forget(gid: string): Promise<void> {
    await this.coordinator.delete(PREFIX + gid);
  }

  async all(): Promise<Map<string, Decision>> {
    const out = new Map<string, Decision>();
    for (const [key, value] of await this.coordinator.list(PREFIX)) out.set(key.slice(PREFIX.length), asDecision(value, key));
    return out;
  }
}

export class EtcdRouterLiveness implements RouterLiveness {
  /** address: the proxy's, shown with the registration */
  constructor(private readonly coordinator: Coordinator, private readonly address: string) {}

  async announce(routerId: string): Promise<void> {
    await this.coordinator.register({ id: routerId, address: this.address, role: 'router' });
  }

  async live(): Promise<Set<string>> {
    return new Set((await this.coordinator.nodes('router')).map((n) => n.id));
  }
}

function asDecision(value: string, key: string): Decision {
  if (value !== 'commit' && value !== 'abort') throw new Error(`two-phase commit record ${key} holds ${JSON.stringify(value)}, not commit or abort`);
  return value;
}
