/**
 * `--role proxy`: the connection router (proxy.ts) following the metadata store's election
 * `data`, so clients reach whichever data node leads. The proxy keeps no state of its own:
 * run any number of them; it registers itself (role `proxy`) so operators can list them.
 */
import type { Coordinator } from './coordinator.js';
import { DATA_ELECTION } from './data-role.js';
import { openEtcdCoordinator } from './etcd-coordinator.js';
import { startProxy, type DataNodeState, type ProxyOptions, type RunningProxy } from './proxy.js';

/** What runProxyRole needs; main.ts passes its flags (`--host`, `--port`, `--etcd`). */
export interface ProxyRoleOptions {
  readonly host: string;
  readonly port: number;
  /** etcd client endpoints, e.g. ["http://127.0.0.1:2379"] */
  readonly etcd: readonly string[];
  readonly log?: ProxyOptions['logger'];
  /** its registration's id (default `proxy-<host>:<port>`) */
  readonly nodeId?: string;
  /** the read port (to the hot standbys, round robin over the current ones; undefined: none) */
  readonly readPort?: number;
  /** the read port's bound on a standby's lag (ms; default QUIVER_READ_MAX_LAG_MS, else proxy.ts's READ_MAX_LAG_MS) */
  readonly readMaxLagMs?: number;
  /** how long a client waits for a data leader before 57P03 (default: the proxy's, 15 s) */
  readonly waitMs?: number;
  /** the data election to follow (default DATA_ELECTION; a sharded cluster's shard 0 until the shard router is wired in) */
  readonly election?: string;
  /** a sharded cluster: the read port's standbys are this shard's data nodes only */
  readonly shard?: number;
  /** opens the Coordinator (default: etcd's on `etcd`); for another metadata store */
  readonly openCoordinator?: (endpoints: readonly string[]) => Promise<Coordinator>;
}

/** How often the read port re-reads which data nodes are registered. */
const DATA_NODES_POLL_MS = 1_000;

/** The registered data nodes and their reported lag and load, now and every second (a failed read keeps the last list). */
async function pollDataNodes(coordinator: Coordinator, shard: number | undefined, onChange: (nodes: DataNodeState[]) => void, log?: ProxyOptions['logger']): Promise<() => Promise<void>> {
  const poll = async () => {
    try {
      onChange((await coordinator.nodes('data')).filter((n) => n.shard === shard).map((n) => ({
        address: n.address, ...(n.lagMs !== undefined ? { lagMs: n.lagMs } : {}),
        ...(n.sessions !== undefined ? { sessions: n.sessions } : {}), ...(n.busy !== undefined ? { busy: n.busy } : {}),
      })));
    } catch (e) {
      log?.warn({ err: e }, 'could not read the registered data nodes; keeping the last list');
    }
  };
  await poll();
  const timer = setInterval(() => void poll(), DATA_NODES_POLL_MS);
  timer.unref();
  return async () => clearInterval(timer);
}

function readMaxLagMs(opts: ProxyRoleOptions): number | undefined {
  return opts.readMaxLagMs ?? readMaxLagMsFromEnv();
}

/** QUIVER_READ_MAX_LAG_MS, when set to a number ≥ 0 (the read ports' bound on a standby's lag) */
export function readMaxLagMsFromEnv(): number | undefined {
  const env = Number(process.env.QUIVER_READ_MAX_LAG_MS);
  return process.env.QUIVER_READ_MAX_LAG_MS && env >= 0 ? env : undefined;
}

/**
 * Open the Coordinator, start the proxy on its `data` leader, and register the proxy.
 * close() stops routing, then revokes the registration and disconnects.
 */
export async function runProxyRole(opts: ProxyRoleOptions): Promise<RunningProxy> {
  const open = opts.openCoordinator ?? ((endpoints: readonly string[]) => openEtcdCoordinator({ endpoints }));
  const coordinator = await open(opts.etcd);
  let proxy: RunningProxy | undefined;
  try {
    proxy = await startProxy({
      host: opts.host, port: opts.port,
      leader: (onChange) => coordinator.watchLeader(opts.election ?? DATA_ELECTION, onChange),
      ...(opts.readPort !== undefined ? { readPort: opts.readPort, dataNodes: (onChange: (a: DataNodeState[]) => void) => pollDataNodes(coordinator, opts.shard, onChange, opts.log) } : {}),
      ...(readMaxLagMs(opts) !== undefined ? { readMaxLagMs: readMaxLagMs(opts) } : {}),
      ...(opts.log ? { logger: opts.log } : {}),
      ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
    });
    const address = `${opts.host}:${proxy.port}`;
    await coordinator.register({ id: opts.nodeId ?? `proxy-${address}`, address, role: 'proxy' });
  } catch (e) {
    await proxy?.close();
    await coordinator.close();
    throw e;
  }
  const running = proxy;
  return {
    port: running.port,
    ...(running.readPort !== undefined ? { readPort: running.readPort } : {}),
    async close() {
      await running.close();
      await coordinator.close();
    },
  };
}
