/**
 * `--role proxy` in a sharded cluster (--shards N > 1): the shard router (router/server.ts)
 * on the proxy's port, reaching every shard's leader through the etcd shard directory, with
 * the fan-out planner for SELECTs no key pins to one shard. Like the piping proxy it keeps no
 * state and registers itself (role `proxy`). The read port, when asked for, serves the same
 * router: a sharded cluster's reads on standbys are not routed yet, so it reads from the leaders.
 */
import type { Logger } from 'pino';
import type { Coordinator } from './coordinator.js';
import type { ConnectionSecurity } from '../wire/connection.js';
import { openEtcdShardDirectory } from './etcd-shard-directory.js';
import type { RunningProxy } from './proxy.js';
import { startShardRouter, type ShardRouter } from './router/server.js';
import { planFanout } from './router/fanout-plan.js';

export interface ShardRouterRoleOptions {
  readonly host: string;
  readonly port: number;
  readonly readPort?: number;
  readonly shards: number;
  readonly nodeId?: string;
  readonly logger: Logger;
  readonly openCoordinator: () => Promise<Coordinator>;
  /** TLS and password authentication of the router's clients (the standalone server's flags) */
  readonly security?: ConnectionSecurity;
}

export async function runShardRouterRole(opts: ShardRouterRoleOptions): Promise<RunningProxy> {
  const coordinator = await opts.openCoordinator();
  const routers: ShardRouter[] = [];
  const directory = await openEtcdShardDirectory(coordinator, { shards: opts.shards }).catch(async (e: unknown) => {
    await coordinator.close();
    throw e;
  });
  const closeAll = async () => {
    for (const r of routers) await r.close().catch(() => {});
    await directory.close().catch(() => {});
    await coordinator.close().catch(() => {});
  };
  try {
    const security = opts.security ? { security: opts.security } : {};
    routers.push(await startShardRouter({ host: opts.host, port: opts.port, directory, logger: opts.logger, planFanout, ...security }));
    if (opts.readPort !== undefined) {
      routers.push(await startShardRouter({ host: opts.host, port: opts.readPort, directory, logger: opts.logger, planFanout, ...security }));
      opts.logger.info({ readPort: routers[1]!.port }, 'sharded cluster: the read port routes to the shards\' leaders (standby reads are not routed yet)');
    }
    const address = `${opts.host}:${routers[0]!.port}`;
    await coordinator.register({ id: opts.nodeId ?? `proxy-${address}`, address, role: 'proxy' });
  } catch (e) {
    await closeAll();
    throw e;
  }
  return {
    port: routers[0]!.port,
    ...(routers[1] ? { readPort: routers[1].port } : {}),
    close: closeAll,
  };
}
