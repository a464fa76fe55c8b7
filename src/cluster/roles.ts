/**
 * `--role data|proxy`: a cluster node (README "Cluster mode"). The infrastructure's
 * addresses come from flags or QUIVER_* variables; `standalone` (the default) needs none
 * of them and does not come here.
 */
import type { Logger } from 'pino';
import { openEtcdCoordinator } from './etcd-coordinator.js';
import { openJetStreamLog } from './jetstream-log.js';
import { openS3ObjectStore } from './s3-object-store.js';
import { runDataRole } from './data-role.js';
import { runProxyRole } from './proxy-role.js';
import type { RunningProxy } from './proxy.js';
import type { SharedSeams } from '../storage/log-replica.js';

export type ClusterNodeRole = 'data' | 'proxy';

export interface ClusterConfig {
  readonly etcd: readonly string[];
  readonly nats: readonly string[];
  readonly s3Endpoint?: string;
  readonly s3Bucket: string;
  /** the log's JetStream stream (one shard: one stream) */
  readonly stream: string;
  /** the stream's replicas when it is created */
  readonly replicas: number;
  readonly nodeId: string;
}

/** The flags a role lacks (empty: none). */
export function missingFlags(role: ClusterNodeRole, c: ClusterConfig): string[] {
  const out: string[] = [];
  if (c.etcd.length === 0) out.push('--etcd');
  if (role === 'data' && c.nats.length === 0) out.push('--nats');
  if (role === 'data' && !c.s3Bucket) out.push('--s3-bucket');
  return out;
}

async function openSeams(c: ClusterConfig): Promise<SharedSeams> {
  const log = await openJetStreamLog({ servers: [...c.nats], stream: c.stream, replicas: c.replicas });
  const objects = openS3ObjectStore({ bucket: c.s3Bucket, prefix: c.stream, ...(c.s3Endpoint ? { endpoint: c.s3Endpoint } : {}) });
  return { log, objects };
}

/**
 * A data node: campaigns, follows the log as a standby, and once elected starts the
 * server (`start`, given the seams) on its caught-up directory.
 */
export async function runDataNode<S>(c: ClusterConfig, host: string, port: number, dataDir: string, logger: Logger, start: (shared: SharedSeams) => Promise<S>): Promise<S> {
  const coordinator = await openEtcdCoordinator({ endpoints: [...c.etcd] });
  const seams = await openSeams(c);
  return runDataRole({ nodeId: c.nodeId, host, port, dataDir, coordinator, seams, logger, start });
}

/** A proxy: routes client connections to the data node that leads (proxy-role.ts). */
export function runProxyNode(c: ClusterConfig, host: string, port: number, logger: Logger): Promise<RunningProxy> {
  return runProxyRole({ host, port, etcd: c.etcd, log: logger, nodeId: c.nodeId });
}
