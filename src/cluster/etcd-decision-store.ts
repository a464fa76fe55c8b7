/**
 * The routers' two-phase commit decisions and liveness (router/decision-store.ts) on the
 * cluster's Coordinator (etcd): a decision is the key `twopc/<gid>` ("commit@<timestamp>" or
 * "abort"; "commit" from routers without a timestamp oracle), put only if absent (one
 * etcd transaction, so a router's "commit" and recovery's "abort" cannot both land); a router
 * is live while its registration (role `router`, id = router id) stands under the proxy's
 * lease, i.e. until the proxy stops or is cut off for a lease TTL; its going away is watched
 * (recovery finishes that router's prepared transactions at once).
 */
import type { Coordinator } from './coordinator.js';
import type { Decision, DecisionStore, RouterLiveness } from './router/decision-store.js';

const PREFIX = 'twopc/';

export class EtcdDecisionStore implements DecisionStore {
  constructor(private readonly coordinator: Coordinator) {}

  async decide(gid: string, decision: Decision, commitTimestamp?: bigint): Promise<Decision> {
    // a commit's timestamp rides with it: "commit@<ts>"
    const value = decision === 'commit' && commitTimestamp !== undefined ? `commit@${commitTimestamp}` : decision;
    return asDecision(await this.coordinator.putIfAbsent(PREFIX + gid, value), gid);
  }

  async commitTimestamp(gid: string): Promise<bigint | undefined> {
    const value = await this.coordinator.get(PREFIX + gid);
    const m = value === undefined ? null : /^commit@(\d+)$/.exec(value);
    return m ? BigInt(m[1]!) : undefined;
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

  async watchGone(onGone: (routerId: string) => void): Promise<() => Promise<void>> {
    // the routers of the last report: one missing from the next is gone
    let known: Set<string> | undefined;
    return this.coordinator.watchNodes('router', (nodes) => {
      const now = new Set(nodes.map((n) => n.id));
      for (const id of known ?? []) if (!now.has(id)) onGone(id);
      known = now;
    });
  }
}

function asDecision(value: string, key: string): Decision {
  if (/^commit@\d+$/.test(value)) return 'commit';
  if (value !== 'commit' && value !== 'abort') throw new Error(`two-phase commit record ${key} holds ${JSON.stringify(value)}, not commit or abort`);
  return value;
}
