/**
 * `--role proxy` in a sharded cluster (--shards N > 1): the shard router (router/server.ts)
 * on the proxy's port, reaching every shard's leader through the etcd shard directory, with
 * the fan-out planner for SELECTs no key pins to one shard. Like the piping proxy it keeps no
 * state and registers itself (role `proxy`). The read port, when asked for, serves a second
 * router over the read directory (read-shard-directory.ts): each session's shard connections go
 * to that shard's hot standby the unsharded read port would choose, else to its leader.
 * Each router records its two-phase commit decisions in etcd, registers its router id
 * (role `router`) under the proxy's lease, and recovers the prepared transactions of routers
 * gone (router/recovery.ts). Each proxy also runs a timestamp oracle server (the one elected
 * in etcd answers: tso/tso-server.ts): the router's statements read every shard at one
 * timestamp, and the shards' commits take theirs from it (engine/commit-clock.ts).
 */
import type { Logger } from 'pino';
import type { Coordinator } from './coordinator.js';
import type { ConnectionSecurity } from '../wire/connection.js';
import { openEtcdShardDirectory } from './etcd-shard-directory.js';
import { openReadShardDirectory } from './read-shard-directory.js';
import { readMaxLagMsFromEnv } from './proxy-role.js';
import type { ShardDirectory } from './shard-directory.js';
import type { RunningProxy } from './proxy.js';
import { startShardRouter, type ShardRouter } from './router/server.js';
import { planFanout } from './router/fanout-plan.js';
import { EtcdDecisionStore, EtcdRouterLiveness } from './etcd-decision-store.js';
import { startTsoServer, type TsoServer } from './tso/tso-server.js';
import { TsoClient } from './tso/tso-client.js';
import type { ShardTls } from './router/shard-tls.js';
import type { PeerTls } from './peer-tls.js';

export interface ShardRouterRoleOptions {
  readonly host: string;
  readonly port: number;
  readonly readPort?: number;
  /** the read port's bound on a standby's lag (ms; default QUIVER_READ_MAX_LAG_MS, else proxy.ts's READ_MAX_LAG_MS) */
  readonly readMaxLagMs?: number;
  readonly shards: number;
  readonly nodeId?: string;
  readonly logger: Logger;
  readonly openCoordinator: () => Promise<Coordinator>;
  /** TLS and password authentication of the router's clients (the standalone server's flags) */
  readonly security?: ConnectionSecurity;
  /** --cluster-secret: proven to the shards (without it they must trust the router) */
  readonly secret?: string;
  /** --cluster-tls-*: the timestamp oracle's link over TLS (peer-tls.ts) */
  readonly tls?: PeerTls;
  /** --shard-tls / --shard-tls-ca: the TLS spoken to the shards (router/shard-tls.ts); default prefer */
  readonly shardTls?: ShardTls;
}

export async function runShardRouterRole(opts: ShardRouterRoleOptions): Promise<RunningProxy> {
  const coordinator = await opts.openCoordinator();
  const routers: ShardRouter[] = [];
  const directory = await openEtcdShardDirectory(coordinator, { shards: opts.shards }).catch(async (e: unknown) => {
    await coordinator.close();
    throw e;
  });
  let reads: ShardDirectory | undefined;
  let tso: TsoServer | undefined;
  let timestamps: TsoClient | undefined;
  const closeAll = async () => {
    for (const r of routers) await r.close().catch(() => {});
    await timestamps?.close().catch(() => {});
    await tso?.close().catch(() => {});
    await reads?.close().catch(() => {});
    await directory.close().catch(() => {});
    await coordinator.close().catch(() => {});
  };
  try {
    const security = { ...(opts.security ? { security: opts.security } : {}), ...(opts.secret ? { secret: opts.secret } : {}), ...(opts.shardTls ? { shardTls: opts.shardTls } : {}) };
    const twoPhase = { decisions: new EtcdDecisionStore(coordinator), liveness: new EtcdRouterLiveness(coordinator, `${opts.host}:${opts.port}`) };
    // the timestamp oracle: every proxy runs a server, the elected one answers (tso/tso-server.ts)
    tso = await startTsoServer({ coordinator, host: opts.host, logger: opts.logger, ...(opts.secret ? { secret: opts.secret } : {}), ...(opts.tls ? { tls: opts.tls } : {}) });
    timestamps = await TsoClient.open(coordinator, opts.secret, opts.tls);
    const main = await startShardRouter({ host: opts.host, port: opts.port, directory, logger: opts.logger, planFanout, twoPhase, timestamps, ...security });
    routers.push(main);
    if (opts.readPort !== undefined) {
      const maxLagMs = opts.readMaxLagMs ?? readMaxLagMsFromEnv();
      reads = await openReadShardDirectory(coordinator, { leaders: directory, logger: opts.logger, ...(maxLagMs !== undefined ? { maxLagMs } : {}) });
      // recovery of prepared transactions asks the leaders, whatever the sessions read from; DDL
      // through the main port makes the read port read the catalog again (on its standby of shard 0)
      routers.push(await startShardRouter({ host: opts.host, port: opts.readPort, directory: reads, logger: opts.logger, planFanout, twoPhase: { ...twoPhase, leaders: directory },
        catalogFollows: main.ddlEpoch, ...security }));
      opts.logger.info({ readPort: routers[1]!.port }, 'sharded cluster: the read port routes each shard to its hot standbys');
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
