/**
 * `--role data|proxy|query|index`: a cluster node (README "Cluster mode"). The infrastructure's
 * addresses come from flags or QUIVER_* variables; `standalone` (the default) needs none
 * of them and does not come here.
 */
import type { Logger } from 'pino';
import { openEtcdCoordinator } from './etcd-coordinator.js';
import { openJetStreamLog } from './jetstream-log.js';
import { openS3ObjectStore } from './s3-object-store.js';
import { runDataRole, type StandbyServer } from './data-role.js';
import { runProxyRole } from './proxy-role.js';
import type { RunningProxy } from './proxy.js';
import type { SharedSeams } from '../storage/log-replica.js';
import { QueryWorkerPool, type SegmentSearchPool } from '../query-worker/pool.js';
import { startQueryNode, type RunningQueryNode } from './query-node.js';
import { QueryNodePool } from './query-node-pool.js';
import type { Coordinator } from './coordinator.js';
import { IndexNodeClient } from './index-node-client.js';
import { startIndexNode, type RunningIndexNode } from './index-node.js';

export type ClusterNodeRole = 'data' | 'proxy' | 'query' | 'index';

/** How often a data node re-reads which query and index nodes are registered. */
const NODES_POLL_MS = 1_000;

/** Call `onNodes` with the addresses of the registered nodes of `role`, now and every second; returns the stopper. */
function followRegistrations(coordinator: Coordinator, role: string, logger: Logger, onNodes: (addresses: string[]) => void): () => void {
  const poll = async () => {
    try {
      onNodes((await coordinator.nodes(role)).map((n) => n.address));
    } catch (e) {
      logger.warn({ err: e, role }, 'could not read the registered nodes; keeping the last list');
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), NODES_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

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
  if (role !== 'proxy' && !c.s3Bucket) out.push('--s3-bucket');
  return out;
}

const objectStore = (c: ClusterConfig) => openS3ObjectStore({ bucket: c.s3Bucket, prefix: c.stream, ...(c.s3Endpoint ? { endpoint: c.s3Endpoint } : {}) });

async function openSeams(c: ClusterConfig, coordinator: Coordinator, logger: Logger): Promise<SharedSeams> {
  const log = await openJetStreamLog({ servers: [...c.nats], stream: c.stream, replicas: c.replicas });
  const indexBuilder = new IndexNodeClient(logger);
  followRegistrations(coordinator, 'index', logger, (nodes) => indexBuilder.setNodes(nodes));
  return { log, objects: objectStore(c), indexBuilder };
}

/** What a data node's server is started with in cluster mode. */
export interface DataNodeServices {
  readonly shared: SharedSeams;
  /** sealed-segment search on the query nodes, this node's workers standing in (server.ts searchPool) */
  searchPool(local: QueryWorkerPool | undefined, segmentDir: string): SegmentSearchPool;
  /** a hot standby's pg_promote: make this node the leader now (data-role.ts) */
  readonly requestPromotion?: () => Promise<void>;
}

/**
 * A data node: campaigns, follows the log as a standby, and once elected starts the
 * server (`start`, given the seams and the query nodes) on its caught-up directory.
 */
export async function runDataNode<S>(c: ClusterConfig, host: string, port: number, dataDir: string, logger: Logger, start: (services: DataNodeServices) => Promise<S>, startStandby?: (services: DataNodeServices) => Promise<StandbyServer<S>>): Promise<S> {
  const coordinator = await openEtcdCoordinator({ endpoints: [...c.etcd] });
  const seams = await openSeams(c, coordinator, logger);
  const services = (shared: SharedSeams): DataNodeServices => ({ shared, searchPool: (local, segmentDir) => followQueryNodes(coordinator, local, segmentDir, logger) });
  return runDataRole({
    nodeId: c.nodeId, host, port, dataDir, coordinator, seams, logger,
    start: (shared) => start(services(shared)),
    ...(startStandby ? { startStandby: (shared: SharedSeams, requestPromotion: () => Promise<void>) => startStandby({ ...services(shared), requestPromotion }) } : {}),
  });
}

/** A QueryNodePool whose node list follows the registered query nodes (until it closes). */
function followQueryNodes(coordinator: Coordinator, local: QueryWorkerPool | undefined, segmentDir: string, logger: Logger): SegmentSearchPool {
  let stop = () => {};
  const pool = new QueryNodePool({ local, segmentDir, logger, onClose: () => stop() });
  stop = followRegistrations(coordinator, 'query', logger, (nodes) => pool.setNodes(nodes));
  return pool;
}

/**
 * A query node: serves sealed-segment vector search for the data nodes on `port` with
 * `workers` threads, loading segments from the object store into `cacheDir`, and
 * registers itself so data nodes find it (it is dropped when its lease expires).
 */
export async function runQueryNode(c: ClusterConfig, host: string, port: number, cacheDir: string, workers: number, logger: Logger): Promise<RunningQueryNode> {
  const coordinator = await openEtcdCoordinator({ endpoints: [...c.etcd] });
  const pool = new QueryWorkerPool(Math.max(1, workers), (slot, reason) => logger.error({ slot, reason }, 'query worker crashed; replaced'));
  const node = await startQueryNode({ host, port, cacheDir, objects: objectStore(c), pool, logger });
  await coordinator.register({ id: c.nodeId, address: `${host}:${node.port}`, role: 'query' });
  return {
    port: node.port,
    stats: () => node.stats(),
    async close() {
      await coordinator.close();
      await node.close();
      await pool.close();
    },
  };
}

/** A proxy: routes client connections to the data node that leads (proxy-role.ts). */
export function runProxyNode(c: ClusterConfig, host: string, port: number, logger: Logger, readPort?: number): Promise<RunningProxy> {
  return runProxyRole({ host, port, etcd: c.etcd, log: logger, nodeId: c.nodeId, ...(readPort !== undefined ? { readPort } : {}) });
}

/**
 * An index node: builds sealed segments' ANN indexes (every kind) and trains IVFFlat centers
 * for the data leader on `port` (index-node.ts), with `workDir` as scratch space, and registers itself.
 */
export async function runIndexNode(c: ClusterConfig, host: string, port: number, workDir: string, logger: Logger): Promise<RunningIndexNode> {
  const coordinator = await openEtcdCoordinator({ endpoints: [...c.etcd] });
  const node = await startIndexNode({ host, port, workDir, objects: objectStore(c), logger });
  await coordinator.register({ id: c.nodeId, address: `${host}:${node.port}`, role: 'index' });
  return {
    port: node.port,
    built: () => node.built(),
    trained: () => node.trained(),
    async close() {
      await coordinator.close();
      await node.close();
    },
  };
}
