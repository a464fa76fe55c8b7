/**
 * `--role data|proxy|query|index`: a cluster node (README "Cluster mode"). The infrastructure's
 * addresses come from flags or QUIVER_* variables; `standalone` (the default) needs none
 * of them and does not come here.
 */
import type { Logger } from 'pino';
import { openEtcdCoordinator, type EtcdAuth } from './etcd-coordinator.js';
import { openJetStreamLog } from './jetstream-log.js';
import { openS3ObjectStore } from './s3-object-store.js';
import { agreeOnShardCount, dataElection, runDataRole, shardStream, type StandbyServer } from './data-role.js';
import { runProxyRole } from './proxy-role.js';
import { runShardRouterRole } from './shard-router-role.js';
import type { ConnectionSecurity } from '../wire/connection.js';
import type { RunningProxy } from './proxy.js';
import type { SharedSeams } from '../storage/log-replica.js';
import type { ObjectStore } from '../storage/shared-log.js';
import { QueryWorkerPool, type SegmentSearchPool } from '../query-worker/pool.js';
import { startQueryNode, type RunningQueryNode } from './query-node.js';
import { QueryNodePool } from './query-node-pool.js';
import type { Coordinator } from './coordinator.js';
import { TsoClient, type TimestampSource } from './tso/tso-client.js';
import { IndexNodeClient } from './index-node-client.js';
import { startIndexNode, type RunningIndexNode } from './index-node.js';
import type { ShardTls } from './router/shard-tls.js';
import { missingPeerTls, type PeerTls } from './peer-tls.js';

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
  /** the log's JetStream stream, and the S3 key prefix; a sharded cluster's shard K uses `<stream>-s<K>` (shardStream) */
  readonly stream: string;
  /** the cluster's shard groups (1: unsharded, today's names); recorded in etcd by the first node */
  readonly shards: number;
  /** a data node's shard (0 to shards - 1) */
  readonly shard: number;
  /** the stream's replicas when it is created */
  readonly replicas: number;
  readonly nodeId: string;
  /**
   * --cluster-secret (QUIVER_CLUSTER_SECRET): proven on every link between Quiver nodes —
   * query and index node protocols (peer-handshake.ts), the router's connections to the
   * shards (SCRAM, shard-connection.ts); undefined: those links are not authenticated
   */
  readonly secret?: string;
  /** --shard-tls / --shard-tls-ca (a sharded cluster's proxy): the TLS its router speaks to the shards (router/shard-tls.ts) */
  readonly shardTls?: ShardTls;
  /** --etcd-user / QUIVER_ETCD_PASSWORD: etcd's login when it has authentication on */
  readonly etcdAuth?: EtcdAuth;
  /** --nats-user / QUIVER_NATS_PASSWORD: the NATS servers' login (a URL's own user:password@ works too) */
  readonly natsAuth?: { readonly user: string; readonly pass: string };
  /** --etcd-tls-ca (PEM): etcd's https:// endpoints are checked against it */
  readonly etcdTlsCa?: Buffer;
  /** --nats-tls-ca (PEM): the NATS servers speak TLS, checked against it */
  readonly natsTlsCa?: Buffer;
  /** --s3-tls-ca (PEM): an https:// S3 endpoint is checked against it instead of the system's CAs */
  readonly s3TlsCa?: Buffer;
  /** --cluster-tls-cert/-key/-ca: TLS on the query-node, index-node and timestamp-oracle links (peer-tls.ts) */
  readonly peerTls?: PeerTls;
}

/** The links' secret and TLS, as the node servers and clients take them (absent when not given). */
const linkSecurity = (c: ClusterConfig): { secret?: string; tls?: PeerTls } => ({ ...(c.secret ? { secret: c.secret } : {}), ...(c.peerTls ? { tls: c.peerTls } : {}) });

/** The flags a role lacks (empty: none). */
export function missingFlags(role: ClusterNodeRole, c: ClusterConfig): string[] {
  const out: string[] = [];
  if (c.etcd.length === 0) out.push('--etcd');
  if (role === 'data' && c.nats.length === 0) out.push('--nats');
  if (role !== 'proxy' && !c.s3Bucket) out.push('--s3-bucket');
  if (c.etcdAuth && !c.etcdAuth.password) out.push('QUIVER_ETCD_PASSWORD (with --etcd-user)');
  if (c.natsAuth && !c.natsAuth.pass) out.push('QUIVER_NATS_PASSWORD (with --nats-user)');
  // the proxy of a sharded cluster serves and calls the timestamp oracle; a data node calls the query, index and oracle links
  const tls = missingPeerTls(c.peerTls, role === 'query' || role === 'index' || (role === 'proxy' && c.shards > 1), role === 'data' || (role === 'proxy' && c.shards > 1));
  if (tls) out.push(tls);
  return out;
}

/** Why a shard flag is wrong (undefined: they are right). */
export function badShardFlags(c: ClusterConfig): string | undefined {
  if (!(Number.isInteger(c.shards) && c.shards >= 1 && c.shards <= 64)) return `invalid --shards ${c.shards} (1 to 64)`;
  if (!(Number.isInteger(c.shard) && c.shard >= 0 && c.shard < c.shards)) return `invalid --shard ${c.shard} (0 to ${c.shards - 1} with --shards ${c.shards})`;
  return undefined;
}

/** The data node's stream and S3 prefix: its shard's (shardStream). */
const ownStream = (c: ClusterConfig) => shardStream(c.stream, c.shard, c.shards);

const objectStore = (c: ClusterConfig, prefix: string) => openS3ObjectStore({ bucket: c.s3Bucket, prefix, ...(c.s3Endpoint ? { endpoint: c.s3Endpoint } : {}), ...(c.s3TlsCa ? { tlsCa: c.s3TlsCa } : {}) });

/**
 * The object stores a query or index node reads, by key prefix (a shard's stream): one
 * client each, opened on first use. Requests of an unsharded cluster name no prefix:
 * theirs is `--stream`.
 */
function objectStores(c: ClusterConfig): { objects: ObjectStore; objectsAt(prefix: string): ObjectStore; close(): void } {
  const stores = new Map<string, ReturnType<typeof openS3ObjectStore>>();
  const at = (prefix: string) => {
    let s = stores.get(prefix);
    if (!s) stores.set(prefix, (s = objectStore(c, prefix)));
    return s;
  };
  return { objects: at(c.stream), objectsAt: at, close: () => { for (const s of stores.values()) s.close(); } };
}

/**
 * The request prefix a data node names its files with: its stream when sharded (query and
 * index nodes serve every shard), none when not (the one-shard wire format, unchanged).
 */
const requestPrefix = (c: ClusterConfig) => (c.shards > 1 ? ownStream(c) : undefined);

async function openSeams(c: ClusterConfig, coordinator: Coordinator, logger: Logger): Promise<SharedSeams> {
  const log = await openJetStreamLog({ servers: [...c.nats], ...c.natsAuth, ...(c.natsTlsCa ? { tlsCa: c.natsTlsCa.toString('utf8') } : {}), stream: ownStream(c), replicas: c.replicas });
  const prefix = requestPrefix(c);
  const indexBuilder = new IndexNodeClient(logger, prefix, c.secret, c.peerTls);
  followRegistrations(coordinator, 'index', logger, (nodes) => indexBuilder.setNodes(nodes));
  return { log, objects: objectStore(c, ownStream(c)), indexBuilder };
}

/** Open the coordinator and check this node's --shards against the cluster's (recording it if first). */
async function openCoordinator(c: ClusterConfig): Promise<Coordinator> {
  const coordinator = await openEtcdCoordinator({ endpoints: [...c.etcd], ...(c.etcdAuth ? { auth: c.etcdAuth } : {}), ...(c.etcdTlsCa ? { ca: c.etcdTlsCa } : {}) });
  try {
    await agreeOnShardCount(coordinator, c.shards);
  } catch (e) {
    await coordinator.close();
    throw e;
  }
  return coordinator;
}

/** What a data node's server is started with in cluster mode. */
export interface DataNodeServices {
  readonly shared: SharedSeams;
  /** sealed-segment search on the query nodes, this node's workers standing in (server.ts searchPool) */
  searchPool(local: QueryWorkerPool | undefined, segmentDir: string): SegmentSearchPool;
  /** a hot standby's pg_promote: make this node the leader now (data-role.ts) */
  readonly requestPromotion?: () => Promise<void>;
  /** a sharded cluster: the timestamp oracle its commits take timestamps from (engine/commit-clock.ts) */
  readonly timestamps?: TimestampSource;
}

/**
 * A data node: campaigns, follows the log as a standby, and once elected starts the
 * server (`start`, given the seams and the query nodes) on its caught-up directory.
 */
export async function runDataNode<S>(c: ClusterConfig, host: string, port: number, dataDir: string, logger: Logger, start: (services: DataNodeServices) => Promise<S>, startStandby?: (services: DataNodeServices) => Promise<StandbyServer<S>>): Promise<S> {
  const coordinator = await openCoordinator(c);
  const seams = await openSeams(c, coordinator, logger);
  const prefix = requestPrefix(c);
  // a shard's commits take the timestamp oracle's timestamps (the proxies run it: tso/tso-server.ts)
  const timestamps = c.shards > 1 ? await TsoClient.open(coordinator, c.secret, c.peerTls) : undefined;
  const services = (shared: SharedSeams): DataNodeServices => ({ shared, searchPool: (local, segmentDir) => followQueryNodes(coordinator, local, segmentDir, logger, prefix, c),
    ...(timestamps ? { timestamps } : {}) });
  return runDataRole({
    nodeId: c.nodeId, host, port, dataDir, coordinator, seams, logger,
    election: dataElection(c.shard, c.shards), ...(c.shards > 1 ? { shard: c.shard } : {}),
    start: (shared) => start(services(shared)),
    ...(startStandby ? { startStandby: (shared: SharedSeams, requestPromotion: () => Promise<void>) => startStandby({ ...services(shared), requestPromotion }) } : {}),
  });
}

/** A QueryNodePool whose node list follows the registered query nodes (until it closes). */
function followQueryNodes(coordinator: Coordinator, local: QueryWorkerPool | undefined, segmentDir: string, logger: Logger, prefix: string | undefined, c: ClusterConfig): SegmentSearchPool {
  let stop = () => {};
  const pool = new QueryNodePool({ local, segmentDir, logger, onClose: () => stop(), ...(prefix !== undefined ? { prefix } : {}), ...linkSecurity(c) });
  stop = followRegistrations(coordinator, 'query', logger, (nodes) => pool.setNodes(nodes));
  return pool;
}

/**
 * A query node: serves sealed-segment vector search for the data nodes on `port` with
 * `workers` threads, loading segments from the object store into `cacheDir`, and
 * registers itself so data nodes find it (it is dropped when its lease expires).
 */
export async function runQueryNode(c: ClusterConfig, host: string, port: number, cacheDir: string, workers: number, logger: Logger): Promise<RunningQueryNode> {
  const coordinator = await openCoordinator(c);
  const pool = new QueryWorkerPool(Math.max(1, workers), (slot, reason) => logger.error({ slot, reason }, 'query worker crashed; replaced'));
  const stores = objectStores(c);
  const node = await startQueryNode({ host, port, cacheDir, objects: stores.objects, objectsAt: stores.objectsAt, pool, logger, ...linkSecurity(c) });
  await coordinator.register({ id: c.nodeId, address: `${host}:${node.port}`, role: 'query' });
  return {
    port: node.port,
    stats: () => node.stats(),
    async close() {
      await coordinator.close();
      await node.close();
      await pool.close();
      stores.close();
    },
  };
}

/**
 * A proxy: routes client connections to the data node that leads (proxy-role.ts); in a
 * sharded cluster (--shards N > 1) the shard router runs each statement on the shards'
 * leaders (shard-router-role.ts).
 */
export function runProxyNode(c: ClusterConfig, host: string, port: number, logger: Logger, readPort?: number, security?: ConnectionSecurity): Promise<RunningProxy> {
  if (c.shards > 1) {
    // the router answers clients itself: TLS and passwords are the proxy's (the piping proxy leaves them to the data node)
    return runShardRouterRole({
      host, port, shards: c.shards, nodeId: c.nodeId, logger, openCoordinator: () => openCoordinator(c),
      ...(readPort !== undefined ? { readPort } : {}), ...(security ? { security } : {}), ...linkSecurity(c),
      ...(c.shardTls ? { shardTls: c.shardTls } : {}),
    });
  }
  return runProxyRole({
    host, port, etcd: c.etcd, log: logger, nodeId: c.nodeId, ...(readPort !== undefined ? { readPort } : {}),
    openCoordinator: () => openCoordinator(c),
  });
}

/**
 * An index node: builds sealed segments' ANN indexes (every kind) and trains IVFFlat centers
 * for the data leader on `port` (index-node.ts), with `workDir` as scratch space, and registers itself.
 */
export async function runIndexNode(c: ClusterConfig, host: string, port: number, workDir: string, logger: Logger): Promise<RunningIndexNode> {
  const coordinator = await openCoordinator(c);
  const stores = objectStores(c);
  const node = await startIndexNode({ host, port, workDir, objects: stores.objects, objectsAt: stores.objectsAt, logger, ...linkSecurity(c) });
  await coordinator.register({ id: c.nodeId, address: `${host}:${node.port}`, role: 'index' });
  return {
    port: node.port,
    built: () => node.built(),
    trained: () => node.trained(),
    async close() {
      await coordinator.close();
      await node.close();
      stores.close();
    },
  };
}
