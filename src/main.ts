#!/usr/bin/env node
/**
 * Command line entry: `quiver --host 127.0.0.1 --port 5433 --data ./data --log-level info`,
 * plus TLS (`--tls-cert FILE --tls-key FILE [--tls-required]`) and password authentication
 * (`--auth trust|password|md5|scram-sha-256` with `--users FILE` and/or `--password PW`).
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startServer } from './server.js';
import { loadSecurity, type SecurityOptions } from './wire/security.js';
import { connectionLimitsError } from './engine/connection-slots.js';
import type { ClusterConfig, ClusterNodeRole, DataNodeServices } from './cluster/roles.js';
import type { QueryWorkerPool } from './query-worker/pool.js';
import { SEGMENTS_DIR } from './storage/data-dir.js';
import { shardTlsFromFlags, type ShardTls } from './cluster/router/shard-tls.js';
import { PEM_CERTIFICATE, peerTlsFromFlags, readPem, type PeerTls } from './cluster/peer-tls.js';

/** "65536", "64kB", "16MB", "1GB" → bytes (PostgreSQL's memory units, 1024-based) */
function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*(B|kB|MB|GB)?\s*$/.exec(text);
  if (!m) return undefined;
  const scale = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] ?? 'B') as 'B' | 'kB' | 'MB' | 'GB'];
  const bytes = Number(m[1]) * scale;
  // 1GB means PostgreSQL's limit, which is one byte less
  return bytes === 1024 ** 3 ? bytes - 1 : bytes;
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|on|yes)$/i.test(v);
}

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QUIVER_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.QUIVER_PORT ?? '5433' },
    data: { type: 'string', default: process.env.QUIVER_DATA ?? './data' },
    'log-level': { type: 'string', default: process.env.QUIVER_LOG_LEVEL ?? 'info' },
    'tls-cert': { type: 'string', default: process.env.QUIVER_TLS_CERT || undefined },
    'tls-key': { type: 'string', default: process.env.QUIVER_TLS_KEY || undefined },
    'tls-required': { type: 'boolean', default: isTrue(process.env.QUIVER_TLS_REQUIRED) },
    auth: { type: 'string', default: process.env.QUIVER_AUTH || 'trust' },
    users: { type: 'string', default: process.env.QUIVER_USERS || undefined },
    password: { type: 'string', default: process.env.QUIVER_PASSWORD },
    'query-workers': { type: 'string', default: process.env.QUIVER_QUERY_WORKERS },
    'max-connections': { type: 'string', default: process.env.QUIVER_MAX_CONNECTIONS },
    'superuser-reserved-connections': { type: 'string', default: process.env.QUIVER_SUPERUSER_RESERVED_CONNECTIONS },
    'max-prepared-transactions': { type: 'string', default: process.env.QUIVER_MAX_PREPARED_TRANSACTIONS },
    hba: { type: 'string', default: process.env.QUIVER_HBA || undefined },
    'max-message-size': { type: 'string', default: process.env.QUIVER_MAX_MESSAGE_SIZE || undefined },
    role: { type: 'string', default: process.env.QUIVER_ROLE || 'standalone' },
    etcd: { type: 'string', default: process.env.QUIVER_ETCD },
    nats: { type: 'string', default: process.env.QUIVER_NATS },
    's3-endpoint': { type: 'string', default: process.env.QUIVER_S3_ENDPOINT || undefined },
    's3-bucket': { type: 'string', default: process.env.QUIVER_S3_BUCKET || 'quiver' },
    stream: { type: 'string', default: process.env.QUIVER_STREAM || 'quiver' },
    replicas: { type: 'string', default: process.env.QUIVER_REPLICAS || '3' },
    shards: { type: 'string', default: process.env.QUIVER_SHARDS || '1' },
    shard: { type: 'string', default: process.env.QUIVER_SHARD || '0' },
    'node-id': { type: 'string', default: process.env.QUIVER_NODE_ID || undefined },
    'read-port': { type: 'string', default: process.env.QUIVER_READ_PORT || undefined },
    'cluster-secret': { type: 'string', default: process.env.QUIVER_CLUSTER_SECRET || undefined },
    'shard-tls': { type: 'string', default: process.env.QUIVER_SHARD_TLS || undefined },
    'shard-tls-ca': { type: 'string', default: process.env.QUIVER_SHARD_TLS_CA || undefined },
    'etcd-user': { type: 'string', default: process.env.QUIVER_ETCD_USER || undefined },
    'nats-user': { type: 'string', default: process.env.QUIVER_NATS_USER || undefined },
    'etcd-tls-ca': { type: 'string', default: process.env.QUIVER_ETCD_TLS_CA || undefined },
    'nats-tls-ca': { type: 'string', default: process.env.QUIVER_NATS_TLS_CA || undefined },
    's3-tls-ca': { type: 'string', default: process.env.QUIVER_S3_TLS_CA || undefined },
    'cluster-tls-cert': { type: 'string', default: process.env.QUIVER_CLUSTER_TLS_CERT || undefined },
    'cluster-tls-key': { type: 'string', default: process.env.QUIVER_CLUSTER_TLS_KEY || undefined },
    'cluster-tls-ca': { type: 'string', default: process.env.QUIVER_CLUSTER_TLS_CA || undefined },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  process.stdout.write('usage: quiver [--host 127.0.0.1] [--port 5433] [--data ./data] [--log-level info]\n' +
    '              [--tls-cert FILE --tls-key FILE [--tls-required]]\n' +
    '              [--auth trust|password|md5|scram-sha-256] [--users FILE] [--password PW]\n' +
    '              [--query-workers N] [--max-connections 100] [--superuser-reserved-connections 3] [--max-prepared-transactions N]\n' +
    '              [--hba FILE] [--max-message-size BYTES]\n' +
    '  --query-workers N: threads serving sealed-segment vector search (default: the cores; 0: in the session thread)\n' +
    '  --max-connections N: sessions at once (PostgreSQL\'s max_connections); one more is refused with 53300\n' +
    '  --superuser-reserved-connections N: of those, slots only superusers may take (every user is one until roles exist)\n' +
    '  --max-prepared-transactions N: transactions prepared at once (PREPARE TRANSACTION); default 0 (off, as PostgreSQL),\n' +
    '    on a cluster data node max_connections (the shard router commits multi-shard transactions in two phases)\n' +
    '  --users FILE: a JSON object {"user": "password"} or user:password lines; --password: for any other user\n' +
    '  --hba FILE: pg_hba.conf-format host rules (host/hostssl/hostnossl; trust, reject, password, md5,\n' +
    '    scram-sha-256), first match wins, re-read on SIGHUP; replaces --auth\n' +
    '  --max-message-size BYTES: largest Query/Parse/Bind/CopyData message (default and at most 1 GB - 1; suffixes kB, MB, GB)\n' +
    'cluster mode: [--role standalone|data|proxy|query|index] --etcd URL[,URL…] [--nats URL[,URL…]] [--s3-endpoint URL] [--s3-bucket quiver]\n' +
    '              [--stream quiver] [--replicas 3] [--node-id ID] [--read-port N (proxy: to the hot standbys)]   (README: Cluster mode)\n' +
    '              [--shards N (every node: the cluster\'s shard groups, default 1)] [--shard K (data: its shard, 0 to N-1)]\n' +
    '              [--cluster-secret S (every node: authenticates the links between nodes; at least 16 characters)]\n' +
    '              [--shard-tls disable|prefer|require|verify-ca|verify-full] [--shard-tls-ca FILE]\n' +
    '              [--etcd-user U (password: QUIVER_ETCD_PASSWORD)] [--nats-user U (password: QUIVER_NATS_PASSWORD)]\n' +
    '              [--etcd-tls-ca FILE (https:// endpoints)] [--nats-tls-ca FILE] [--s3-tls-ca FILE]\n' +
    '              [--cluster-tls-cert FILE --cluster-tls-key FILE --cluster-tls-ca FILE (every node: TLS on the query, index and timestamp-oracle links)]\n' +
    '                (proxy of a sharded cluster: TLS to the shards, as libpq\'s sslmode; default verify-ca with a CA, else prefer)\n' +
    'environment: QUIVER_HOST, QUIVER_PORT, QUIVER_DATA, QUIVER_LOG_LEVEL, QUIVER_TLS_CERT, QUIVER_TLS_KEY,\n' +
    '  QUIVER_TLS_REQUIRED, QUIVER_AUTH, QUIVER_USERS, QUIVER_PASSWORD, QUIVER_QUERY_WORKERS,\n  QUIVER_MAX_CONNECTIONS, QUIVER_MAX_PREPARED_TRANSACTIONS, QUIVER_HBA, QUIVER_MAX_MESSAGE_SIZE,\n  QUIVER_SUPERUSER_RESERVED_CONNECTIONS, QUIVER_ROLE, QUIVER_ETCD, QUIVER_NATS, QUIVER_S3_ENDPOINT,\n  QUIVER_S3_BUCKET, QUIVER_STREAM, QUIVER_REPLICAS, QUIVER_NODE_ID, QUIVER_READ_PORT,\n  QUIVER_SHARDS, QUIVER_SHARD, QUIVER_CLUSTER_SECRET, QUIVER_SHARD_TLS, QUIVER_SHARD_TLS_CA\n');
  process.exit(0);
}

const logger = pino({ level: values['log-level'] }, pino.destination(2));
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  logger.fatal({ port: values.port }, 'invalid --port');
  process.exit(2);
}

const queryWorkers = values['query-workers'] === undefined || values['query-workers'] === '' ? undefined : Number(values['query-workers']);
if (queryWorkers !== undefined && !(Number.isInteger(queryWorkers) && queryWorkers >= 0 && queryWorkers <= 1024)) {
  logger.fatal({ queryWorkers: values['query-workers'] }, 'invalid --query-workers (an integer from 0 to 1024)');
  process.exit(2);
}

const maxConnections = values['max-connections'] === undefined || values['max-connections'] === '' ? undefined : Number(values['max-connections']);
if (maxConnections !== undefined && !(Number.isInteger(maxConnections) && maxConnections >= 1 && maxConnections <= 262143)) {
  logger.fatal({ maxConnections: values['max-connections'] }, 'invalid --max-connections (an integer from 1 to 262143)');
  process.exit(2);
}

const preparedText = values['max-prepared-transactions'];
// a cluster data node takes part in the shard router's two-phase commits: on unless turned off
const maxPreparedTransactions = preparedText === undefined || preparedText === '' ? (values.role === 'data' ? maxConnections ?? 100 : 0) : Number(preparedText);
if (!(Number.isInteger(maxPreparedTransactions) && maxPreparedTransactions >= 0 && maxPreparedTransactions <= 262143)) {
  logger.fatal({ maxPreparedTransactions: preparedText }, 'invalid --max-prepared-transactions (an integer from 0 to 262143)');
  process.exit(2);
}

const reservedText = values['superuser-reserved-connections'];
// default 3 (PostgreSQL's), but less than a small --max-connections so that one still starts
const reserved = reservedText === undefined || reservedText === '' ? Math.min(3, (maxConnections ?? 100) - 1) : Number(reservedText);
const slotsProblem = connectionLimitsError(maxConnections ?? 100, reserved);
if (slotsProblem) {
  logger.fatal(slotsProblem);
  process.exit(2);
}

const security: SecurityOptions = {
  tlsRequired: values['tls-required'] === true,
  auth: values.auth!,
};
if (values['tls-cert'] !== undefined) security.tlsCert = values['tls-cert'];
if (values['tls-key'] !== undefined) security.tlsKey = values['tls-key'];
if (values.users !== undefined) security.usersFile = values.users;
if (values.password !== undefined) security.password = values.password;
if (values.hba !== undefined) security.hbaFile = values.hba;
if (values['cluster-secret'] !== undefined) security.clusterSecret = values['cluster-secret'];
if (values['max-message-size'] !== undefined) {
  const size = parseByteSize(values['max-message-size']);
  if (size === undefined) {
    logger.fatal({ maxMessageSize: values['max-message-size'] }, 'invalid --max-message-size (bytes, or a number with kB, MB or GB)');
    process.exit(2);
  }
  security.maxMessageSize = size;
}
let checkedSecurity: ReturnType<typeof loadSecurity> | undefined;
try {
  const checked = loadSecurity(security); // fail fast, with the flag's name, before touching the data directory
  checkedSecurity = checked;
  // PostgreSQL logs the same for each such line and loads the file
  for (const rule of checked.hba && !checked.tls ? checked.hba.rules : []) {
    if (rule.type === 'hostssl') logger.warn({ file: checked.hba!.path, line: rule.line }, 'hostssl record cannot match because SSL is disabled (no --tls-cert/--tls-key)');
  }
} catch (e) {
  logger.fatal((e as Error).message);
  process.exit(2);
}
if (values.auth === 'trust' && values.hba === undefined && (values.users !== undefined || values.password !== undefined)) {
  logger.warn('--users/--password given but --auth is trust: passwords are not checked');
}

const role = values.role!;
if (!['standalone', 'data', 'proxy', 'query', 'index'].includes(role)) {
  logger.fatal({ role }, 'invalid --role (standalone, data, proxy, query or index)');
  process.exit(2);
}
const replicas = Number(values.replicas);
if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= 5)) {
  logger.fatal({ replicas: values.replicas }, 'invalid --replicas (JetStream allows 1 to 5)');
  process.exit(2);
}
// the cluster's clients (etcd, NATS, S3) are loaded only by a cluster node
const clusterRoles = role === 'standalone' ? undefined : await import('./cluster/roles.js');
const endpointList = (text: string | undefined) => (text ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0);
let shardTls: ShardTls;
let peerTls: PeerTls | undefined;
let etcdTlsCa: Buffer | undefined;
let natsTlsCa: Buffer | undefined;
let s3TlsCa: Buffer | undefined;
try {
  shardTls = shardTlsFromFlags(values['shard-tls'], values['shard-tls-ca']);
  peerTls = peerTlsFromFlags(values['cluster-tls-cert'], values['cluster-tls-key'], values['cluster-tls-ca']);
  if (values['etcd-tls-ca']) etcdTlsCa = readPem('--etcd-tls-ca', values['etcd-tls-ca'], PEM_CERTIFICATE);
  if (values['nats-tls-ca']) natsTlsCa = readPem('--nats-tls-ca', values['nats-tls-ca'], PEM_CERTIFICATE);
  if (values['s3-tls-ca']) s3TlsCa = readPem('--s3-tls-ca', values['s3-tls-ca'], PEM_CERTIFICATE);
} catch (e) {
  logger.fatal((e as Error).message);
  process.exit(2);
}
const cluster: ClusterConfig = {
  etcd: endpointList(values.etcd), nats: endpointList(values.nats), s3Bucket: values['s3-bucket']!, stream: values.stream!, replicas,
  shards: Number(values.shards), shard: Number(values.shard),
  nodeId: values['node-id'] ?? `${role}-${hostname()}-${port}`,
  ...(values['s3-endpoint'] ? { s3Endpoint: values['s3-endpoint'] } : {}),
  ...(values['cluster-secret'] ? { secret: values['cluster-secret'] } : {}),
  shardTls,
  ...(peerTls ? { peerTls } : {}),
  ...(etcdTlsCa ? { etcdTlsCa } : {}),
  ...(natsTlsCa ? { natsTlsCa } : {}),
  ...(s3TlsCa ? { s3TlsCa } : {}),
  // passwords from the environment only: a command line is visible to every user of the host (ps)
  ...(values['etcd-user'] ? { etcdAuth: { username: values['etcd-user'], password: process.env.QUIVER_ETCD_PASSWORD ?? '' } } : {}),
  ...(values['nats-user'] ? { natsAuth: { user: values['nats-user'], pass: process.env.QUIVER_NATS_PASSWORD ?? '' } } : {}),
};
if (role !== 'standalone') {
  const missing = clusterRoles!.missingFlags(role as ClusterNodeRole, cluster);
  if (missing.length > 0) {
    logger.fatal({ role, missing }, `--role ${role} needs ${missing.join(', ')}`);
    process.exit(2);
  }
  if (port === 0) {
    logger.fatal({ role }, `--role ${role} needs a fixed --port (others connect to it)`);
    process.exit(2);
  }
  const badShards = clusterRoles!.badShardFlags(cluster);
  if (badShards !== undefined) {
    logger.fatal({ role, shards: values.shards, shard: values.shard }, badShards);
    process.exit(2);
  }
}
/** A node whose --shards is not the cluster's stops with the reason (no stack: it is the operator's flag). */
const refuseShardMismatch = (e: unknown): never => {
  if (e instanceof Error && e.name === 'ShardCountMismatch') {
    logger.fatal({ role }, e.message);
    process.exit(2);
  }
  throw e;
};

if (role === 'proxy') {
  const readPort = values['read-port'] === undefined ? undefined : Number(values['read-port']);
  if (readPort !== undefined && !(Number.isInteger(readPort) && readPort >= 0 && readPort < 65536)) {
    logger.fatal({ readPort: values['read-port'] }, 'invalid --read-port');
    process.exit(2);
  }
  const proxy = await clusterRoles!.runProxyNode(cluster, values.host!, port, logger, readPort, checkedSecurity).catch(refuseShardMismatch);
  process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', role, host: values.host, port: proxy.port, ...(proxy.readPort !== undefined ? { readPort: proxy.readPort } : {}) }) + '\n');
  stopOnSignals(() => proxy.close());
} else if (role === 'query') {
  // --data: where the segment and index files it serves are cached
  const node = await clusterRoles!.runQueryNode(cluster, values.host!, port, values.data!, queryWorkers ?? availableParallelism(), logger).catch(refuseShardMismatch);
  process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', role, host: values.host, port: node.port, data: values.data }) + '\n');
  stopOnSignals(() => node.close());
} else if (role === 'index') {
  // --data: scratch space for the segments it builds indexes of
  const node = await clusterRoles!.runIndexNode(cluster, values.host!, port, values.data!, logger).catch(refuseShardMismatch);
  process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', role, host: values.host, port: node.port, data: values.data }) + '\n');
  stopOnSignals(() => node.close());
} else {
  mkdirSync(values.data!, { recursive: true });
  const start = (services?: DataNodeServices, standby = false) => startServer({
    host: values.host!, port, dataDir: values.data!, logger, security, ...(queryWorkers !== undefined ? { queryWorkers } : {}), ...(maxConnections !== undefined ? { maxConnections } : {}), superuserReservedConnections: reserved, maxPreparedTransactions,
    ...(services ? { shared: services.shared, searchPool: (local: QueryWorkerPool | undefined) => services.searchPool(local, join(values.data!, SEGMENTS_DIR)) } : {}),
    ...(services?.timestamps ? { commitTimestamps: services.timestamps } : {}),
    ...(standby ? { standby, ...(services?.requestPromotion ? { requestPromotion: services.requestPromotion } : {}) } : {}),
  });
  // a standby data node is a hot standby: read-only sessions on its port until it is elected
  const startStandby = async (services: DataNodeServices) => {
    const s = await start(services, true);
    process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening (hot standby)', role, host: values.host, port: s.port, data: values.data }) + '\n');
    return {
      follow: (signal: AbortSignal) => s.standby!.follow(signal), lagMs: () => s.standby!.lagMs(), sessions: () => s.standby?.sessions() ?? 0, close: () => s.close(),
      // elected: the same server goes on as the leader's (its query-node pool, port and sessions kept)
      promote: async (shared: DataNodeServices['shared']) => { await s.standby!.promote(shared); return s; },
    };
  };
  const server = role === 'data' ? await clusterRoles!.runDataNode(cluster, values.host!, port, values.data!, logger, start, startStandby).catch(refuseShardMismatch) : await start();
  // Always printed (even at --log-level warn): tests and scripts wait for this line.
  process.stderr.write(JSON.stringify({ level: 30, time: Date.now(), msg: 'listening', ...(role !== 'standalone' ? { role } : {}), host: values.host, port: server.port, data: values.data }) + '\n');
  stopOnSignals(() => server.close());
  // PostgreSQL re-reads pg_hba.conf on SIGHUP
  process.on('SIGHUP', () => server.reloadConfig());
}

function stopOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal: sig }, 'shutting down');
      close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}
process.on('uncaughtException', (err) => {
  logger.error({ err }, 'uncaught exception (connection kept serving)');
});
process.on('unhandledRejection', (err) => {
  logger.error({ err }, 'unhandled rejection');
});
