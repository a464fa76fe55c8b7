/**
 * `npm run cluster -- --nodes 3 --port 5433 --dir ./cluster`: a whole cluster on this
 * machine's loopback (the README's "Cluster mode"). The infrastructure first (etcd and NATS JetStream with `--nodes`
 * members each, s3rver; local/*.ts), then Quiver nodes as child processes of main.js: two
 * `--role data` nodes (one leads, one stands by), two `--role query` nodes (sealed-segment
 * search for the leader), a `--role index` node (index builds for the leader) and a `--role proxy` on `--port`, each
 * given the endpoints as flags. Every process is listed in `<dir>/cluster.json`; the Quiver
 * nodes log to `<dir>/logs/NAME.log`, where links to the infrastructure's logs sit too.
 * `cluster ready on port N` is printed once `SELECT 1` through the proxy answers. SIGINT,
 * SIGTERM or SIGHUP stops the data nodes, then the proxy, then the infrastructure, and
 * exits 0; a process that fails to start stops the rest and exits 1 with the reason.
 * With `--shards N` (N > 1) every shard group gets `--data-nodes` data nodes of its own
 * (data-s<K>-<i>: stream `<stream>-s<K>`, election `data-<K>`); the query and index nodes
 * serve every shard; the proxy runs the shard router over the shards' leaders. A directory
 * keeps the shard count it was created with.
 * On real machines, run the same roles with `quiver --role …` and real endpoints.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEtcdCluster, type EtcdCluster } from './local/etcd.js';
import { startNatsCluster, type NatsCluster } from './local/nats.js';
import { startLocalS3, type LocalS3 } from './local/s3.js';
import { childProcessGroups, freePorts, listening, spawnManaged, waitUntil, type ManagedProcess } from './local/processes.js';
import { selectOne } from './local/sql-probe.js';
import { clusterCerts } from './local/certs.js';
import { clusterCredentials, credentialsEnv, credentialsFile } from './local/credentials.js';
import { dataElection } from './data-role.js';

/** What startLocalCluster starts, and where. */
export interface LocalClusterOptions {
  /** everything lives below it: data, logs, cluster.json */
  readonly dir: string;
  /** etcd members and JetStream servers (default 3) */
  readonly nodes?: number;
  /** the proxy's port (default 0: a free one) */
  readonly port?: number;
  /** the proxy's read port, to the hot standbys (default 0: a free one) */
  readonly readPort?: number;
  /** shard groups (default 1: unsharded, today's names); a directory keeps the count it was created with */
  readonly shards?: number;
  /** data nodes of each shard: one leads, the others stand by (default 2; 0: infrastructure and proxy only) */
  readonly dataNodes?: number;
  /** query nodes: they serve sealed-segment vector search for the leader (default 2) */
  readonly queryNodes?: number;
  /** each query node's worker threads (default: its --query-workers default, the cores) */
  readonly queryNodeWorkers?: number;
  /** index nodes: they build sealed segments' ANN indexes (every kind) for the leader (default 1) */
  readonly indexNodes?: number;
  /** the Quiver nodes' --log-level (default info) */
  readonly logLevel?: string;
  /** more environment for the Quiver nodes */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * TLS on the links to the data nodes (default false): a CA and a node certificate made once
   * in `<dir>/tls` (local/certs.ts); the data nodes serve TLS only (--tls-required), the proxy
   * serves TLS to clients too, a sharded cluster's router checks the shards against the CA,
   * and the query-node, index-node and timestamp-oracle links are TLS (--cluster-tls-*)
   */
  readonly tls?: boolean;
  /** the script Quiver nodes run (default dist/src/main.js) */
  readonly entry?: string;
  /** how long the proxy may take to answer SELECT 1 (default 120 s) */
  readonly readyTimeoutMs?: number;
  /** aborting stops what has started and rejects (a Ctrl-C during start-up) */
  readonly signal?: AbortSignal;
}

/** A running local cluster. */
export interface LocalCluster {
  readonly dir: string;
  /** shard groups */
  readonly shards: number;
  /** the proxy's port: where clients connect */
  readonly port: number;
  /** the proxy's read port: read-only sessions, spread over the standbys (the leader when there is none) */
  readonly readPort: number;
  readonly etcd: EtcdCluster;
  readonly nats: NatsCluster;
  readonly s3: LocalS3;
  /** the Quiver nodes by name: data-1, data-2, … (sharded: data-s0-1, data-s0-2, data-s1-1, …), query-1, query-2, …, proxy-1 */
  readonly nodes: ReadonlyMap<string, ManagedProcess>;
  /** a data node's shard, by name */
  shardOf(name: string): number | undefined;
  /** every process now running for the cluster, as cluster.json lists them */
  processes(): ManagedProcess[];
  /** start a Quiver node that exited (or was killed) again under its name, with the same flags */
  respawn(name: string): ManagedProcess;
  /** the data node leading `shard` (default 0) now (by its election's value), if any */
  dataLeader(shard?: number): Promise<ManagedProcess | undefined>;
  /** data nodes, then the proxy, then the infrastructure; cluster.json then says `"stopped": true` */
  stop(): Promise<void>;
}

/** dist/src/main.js: this file runs from dist/src/cluster/. */
const MAIN_JS = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const HOST = '127.0.0.1';

/** Start the cluster; on any failure, stop what was started and reject with the reason. */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const dir = resolve(opts.dir);
  const n = opts.nodes ?? 3;
  const dataCount = opts.dataNodes ?? 2;
  const shards = opts.shards ?? 1;
  const entry = opts.entry ?? MAIN_JS;
  if (!(Number.isInteger(shards) && shards >= 1)) throw new Error(`shards must be a positive integer, not ${shards}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`nodes must be a positive integer, not ${n}`);
  if (!(Number.isInteger(dataCount) && dataCount >= 0)) throw new Error(`dataNodes must be an integer ≥ 0, not ${dataCount}`);
  if (!existsSync(entry)) throw new Error(`${entry} not found: build first (npm run build)`);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const previous = readRecord(dir);
  await refuseIfRunning(dir, previous);
  // its data nodes' directories, streams and etcd's record are of that many shards
  if (previous && (previous.shards ?? 1) !== shards) throw new Error(`the cluster in ${dir} has ${previous.shards ?? 1} shard${(previous.shards ?? 1) === 1 ? '' : 's'}: start it with --shards ${previous.shards ?? 1}, or use another --dir`);
  if (opts.port && (await listening(opts.port))) throw new Error(`port ${opts.port} is already in use`);
  const infraPorts = await choosePorts(dir, n, previous?.ports, opts.port);
  // recorded before anything starts: a launcher that dies during start-up leaves them too
  writeRecord(dir, { shards, port: opts.port ?? 0, ports: infraPorts, processes: [] });
  const aborted = () => opts.signal?.aborted === true;
  // NATS, etcd and S3 each require the directory's logins (local/credentials.ts)
  const credentials = clusterCredentials(dir);
  // --tls: the data nodes serve TLS only; the router checks their certificates against the CA
  // (unsharded, the proxy pipes the client's own TLS through); NATS's and etcd's client ports are TLS
  const certs = opts.tls ? clusterCerts(dir) : undefined;
  const infraTls = certs ? { tls: { cert: certs.cert, key: certs.key, ca: certs.ca } } : {};

  // the starters run in parallel; each stops its own processes if it fails
  const [etcdR, natsR, s3R] = await Promise.allSettled([
    startEtcdCluster(join(dir, 'etcd'), n, infraPorts.etcd, { auth: credentials.etcd, nodeUser: credentials.etcdNode, ...infraTls }),
    startNatsCluster(join(dir, 'nats'), n, infraPorts.nats, { auth: credentials.nats, ...infraTls }),
    startLocalS3(join(dir, 's3'), 'quiver', credentials.s3, certs),
  ]);
  const infra = [etcdR, natsR, s3R].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = [etcdR, natsR, s3R].flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failed.length > 0 || aborted()) {
    await Promise.all(infra.map((x) => x.stop()));
    throw new Error(failed.length > 0 ? `the infrastructure did not start: ${failed.join('; ')}` : 'start-up aborted');
  }
  const etcd = (etcdR as PromiseFulfilledResult<EtcdCluster>).value;
  const nats = (natsR as PromiseFulfilledResult<NatsCluster>).value;
  const s3 = (s3R as PromiseFulfilledResult<LocalS3>).value;

  const queryCount = opts.queryNodes ?? 2;
  const indexCount = opts.indexNodes ?? 1;
  if (opts.readPort && (await listening(opts.readPort))) throw new Error(`port ${opts.readPort} is already in use`);
  const dataTotal = dataCount * shards;
  const ports = (await freePorts(dataTotal + queryCount + indexCount + 2)).filter((p) => p !== opts.port && p !== opts.readPort);
  const proxyPort = opts.port || ports[dataTotal + queryCount + indexCount];
  const readPort = opts.readPort || ports[dataTotal + queryCount + indexCount + 1];
  const endpoints = ['--etcd', etcd.endpoints.join(','), '--nats', nats.urls.join(','), '--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket];
  // a stream cannot have more replicas than JetStream has servers
  const common = [...endpoints, ...(certs ? ['--etcd-tls-ca', certs.ca, '--nats-tls-ca', certs.ca, '--s3-tls-ca', certs.ca] : []), '--replicas', String(Math.min(3, n)), '--shards', String(shards), '--host', HOST, '--log-level', opts.logLevel ?? 'info'];
  const specs = new Map<string, { role: 'data' | 'proxy' | 'query' | 'index'; port: number; args: string[]; shard?: number }>();
  for (let k = 0; k < shards; k++) {
    for (let i = 1; i <= dataCount; i++) {
      const port = ports[k * dataCount + i - 1];
      // unsharded: today's names (data-1, data-2), so an existing directory is found again
      const name = shards > 1 ? `data-s${k}-${i}` : `data-${i}`;
      specs.set(name, { role: 'data', port, shard: k, args: ['--role', 'data', '--port', String(port), '--data', join(dir, name), '--node-id', name, '--shard', String(k), ...common] });
    }
  }
  for (let i = 1; i <= queryCount; i++) {
    const port = ports[dataTotal + i - 1];
    const workers = opts.queryNodeWorkers !== undefined ? ['--query-workers', String(opts.queryNodeWorkers)] : [];
    // --data: the node's cache of segment and index files
    specs.set(`query-${i}`, { role: 'query', port, args: ['--role', 'query', '--port', String(port), '--data', join(dir, `query-${i}`), '--node-id', `query-${i}`, ...workers, ...common] });
  }
  for (let i = 1; i <= indexCount; i++) {
    const port = ports[dataTotal + queryCount + i - 1];
    specs.set(`index-${i}`, { role: 'index', port, args: ['--role', 'index', '--port', String(port), '--data', join(dir, `index-${i}`), '--node-id', `index-${i}`, ...common] });
  }
  const served = certs ? ['--tls-cert', certs.cert, '--tls-key', certs.key] : [];
  for (const spec of specs.values()) if (spec.role === 'data') spec.args.push(...served, ...(certs ? ['--tls-required'] : []));
  const shardTls = certs && shards > 1 ? ['--shard-tls', 'verify-full', '--shard-tls-ca', certs.ca] : [];
  // and the links between the Quiver nodes (query, index, timestamp oracle) are TLS, checked against the CA (peer-tls.ts)
  const links = certs ? ['--cluster-tls-cert', certs.cert, '--cluster-tls-key', certs.key, '--cluster-tls-ca', certs.ca] : [];
  for (const spec of specs.values()) spec.args.push(...links);
  specs.set('proxy-1', { role: 'proxy', port: proxyPort, args: ['--role', 'proxy', '--port', String(proxyPort), '--read-port', String(readPort), '--node-id', 'proxy-1', ...served, ...shardTls, ...links, ...common] });
  const env: NodeJS.ProcessEnv = {
    ...process.env, ...opts.env,
    ...credentialsEnv(credentials), AWS_REGION: 'us-east-1',
  };
  // every link between the Quiver nodes proves the directory's secret (README "Cluster mode")
  env.QUIVER_CLUSTER_SECRET ||= clusterSecret(dir);
  const nodes = new Map<string, ManagedProcess>();
  const spawnNode = (name: string) => {
    const spec = specs.get(name)!;
    const p = spawnManaged(spec.role, name, spec.port, process.execPath, [entry, ...spec.args], join(logs, `${name}.log`), env);
    nodes.set(name, p);
    return p;
  };

  let stopping: Promise<void> | undefined;
  const processes = () => [...etcd.members, ...nats.servers, s3.process, ...nodes.values()];
  const cluster: LocalCluster = {
    dir, shards, port: proxyPort, readPort, etcd, nats, s3, nodes, processes,
    shardOf: (name) => specs.get(name)?.shard,
    respawn(name) {
      if (!specs.has(name)) throw new Error(`no Quiver node ${name} (${[...specs.keys()].join(', ')})`);
      const old = nodes.get(name)!;
      if (old.child.exitCode === null && old.child.signalCode === null) throw new Error(`${name} (pid ${old.pid}) still runs`);
      const p = spawnNode(name);
      record();
      return p;
    },
    async dataLeader(shard = 0) {
      const { openEtcdCoordinator } = await import('./etcd-coordinator.js');
      const c = await openEtcdCoordinator({ endpoints: [...etcd.endpoints], auth: credentials.etcdNode, ...(etcd.ca ? { ca: etcd.ca } : {}) });
      try {
        const address = await c.leader(dataElection(shard, shards));
        return [...nodes.values()].find((p) => p.role === 'data' && address === `${HOST}:${p.port}` && p.child.exitCode === null && p.child.signalCode === null);
      } finally {
        await c.close();
      }
    },
    stop() {
      stopping ??= (async () => {
        const quiver = [...nodes.values()];
        // data nodes first: a leader resigns while etcd and the log still answer
        await Promise.all(quiver.filter((p) => p.role === 'data').map((p) => p.stop()));
        await Promise.all(quiver.filter((p) => p.role !== 'data').map((p) => p.stop()));
        await Promise.all([etcd.stop(), nats.stop(), s3.stop()]);
        record(true);
      })();
      return stopping;
    },
  };
  const record = (stopped = false) => writeRecord(dir, {
    ...(stopped ? { stopped } : {}),
    shards, port: proxyPort, readPort, ports: infraPorts, etcd: etcd.endpoints, nats: nats.urls, s3: { endpoint: s3.endpoint, bucket: s3.bucket },
    processes: processes().map((p) => ({ role: p.role, name: p.name, pid: p.pid, port: p.port, log: p.log, ...(specs.get(p.name)?.shard !== undefined ? { shard: specs.get(p.name)!.shard } : {}) })),
  });
  for (const p of [...etcd.members, ...nats.servers, s3.process]) linkLog(logs, p);
  try {
    for (const name of specs.keys()) spawnNode(name);
    record();
    await untilReady(cluster, dataCount > 0, opts.readyTimeoutMs ?? 120_000, opts.signal);
    // sharded: the router answered SELECT 1 from shard 0's leader; the other shards must lead too
    for (let k = 1; k < shards && dataCount > 0; k++) {
      await waitUntil(`shard ${k} to elect a data leader`, async () => (await cluster.dataLeader(k)) !== undefined, opts.readyTimeoutMs ?? 120_000, 250);
    }
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

/**
 * Ready once SELECT 1 through the proxy answers (with no data nodes: once the proxy
 * listens). Rejects at once when one of the processes exits, with its log's last lines.
 */
async function untilReady(cluster: LocalCluster, answers: boolean, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const quit = new AbortController();
  const exited = Promise.race(cluster.processes().map((p) => p.exited.then((code) => ({ p, code }))));
  const aborted = new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await Promise.race([
      waitUntil(answers ? `SELECT 1 through the proxy on port ${cluster.port}` : `the proxy to listen on port ${cluster.port}`,
        async () => {
          if (quit.signal.aborted) return true;
          if (!answers) return listening(cluster.port);
          await selectOne(HOST, cluster.port);
          return true;
        }, timeoutMs, 250),
      exited.then(({ p, code }) => {
        throw new Error(`${p.name} exited (${code ?? p.child.signalCode}) while the cluster started; the end of ${p.log}:\n${tail(p.log, 15)}`);
      }),
      aborted.then(() => { throw new Error('start-up aborted'); }),
    ]);
  } finally {
    quit.abort();
  }
}

/** The last `lines` lines of a log file. */
function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** `<dir>/logs/NAME.log` → the infrastructure process's own log, so one folder has them all. */
function linkLog(logs: string, p: ManagedProcess): void {
  const link = join(logs, `${p.name}.log`);
  if (link === p.log) return;
  rmSync(link, { force: true });
  symlinkSync(relative(logs, p.log), link);
}

/** What cluster.json holds for each process. */
interface ListedProcess {
  readonly role: string;
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  readonly log: string;
  /** a data node's shard */
  readonly shard?: number;
}

/** The infrastructure's ports: clients' and peers' (etcd: client, then peer; NATS: client, then route). */
interface InfraPorts {
  readonly etcd: readonly number[];
  readonly nats: readonly number[];
}

/** `<dir>/cluster.json`: the processes, and the ports a later start on the same directory reuses. */
interface ClusterRecord {
  readonly stopped?: boolean;
  /** shard groups (absent: 1, a record from before shards) */
  readonly shards?: number;
  /** the proxy's */
  readonly port: number;
  /** the proxy's read port (to the hot standbys) */
  readonly readPort?: number;
  readonly ports: InfraPorts;
  readonly etcd?: readonly string[];
  readonly nats?: readonly string[];
  readonly s3?: { readonly endpoint: string; readonly bucket: string };
  readonly processes: readonly ListedProcess[];
}

/** Written whole and renamed into place: a reader never sees half. Kept after a stop, marked stopped. */
function writeRecord(dir: string, r: ClusterRecord): void {
  const file = join(dir, 'cluster.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(r, null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
}

function readRecord(dir: string): Partial<ClusterRecord> | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as Partial<ClusterRecord>;
  } catch {
    return undefined; // none, or unreadable: nothing to go by
  }
}

/**
 * The previous run's ports when the directory has one (etcd members remember their peers'
 * addresses in their data: new ports leave them without a quorum, waiting forever),
 * else free ones.
 */
async function choosePorts(dir: string, n: number, previous: InfraPorts | undefined, proxyPort: number | undefined): Promise<InfraPorts> {
  if (previous) {
    const before = previous.etcd.length / 2;
    if (before !== n || previous.nats.length !== 2 * n) throw new Error(`the cluster in ${dir} has ${before} etcd members and JetStream servers: start it with --nodes ${before}, or use another --dir`);
    for (const port of [...previous.etcd, ...previous.nats]) {
      if (await listening(port)) throw new Error(`port ${port}, which the cluster in ${dir} uses, is taken by another process`);
    }
    return previous;
  }
  const fresh = (await freePorts(4 * n + 1)).filter((p) => p !== proxyPort);
  return { etcd: fresh.slice(0, 2 * n), nats: fresh.slice(2 * n, 4 * n) };
}

/**
 * A cluster.json left by a launcher that is still running (or was killed -9, leaving its
 * children) names processes that hold the directory: starting a second cluster on the same
 * data would corrupt both. A listed process counts when its pid lives and its port answers.
 */
async function refuseIfRunning(dir: string, previous: Partial<ClusterRecord> | undefined): Promise<void> {
  const alive: ListedProcess[] = [];
  for (const p of previous?.processes ?? []) if (pidAlive(p.pid) && (await listening(p.port))) alive.push(p);
  if (alive.length > 0) {
    throw new Error(`a cluster in ${dir} still runs (${alive.map((p) => `${p.name} pid ${p.pid}`).join(', ')}): stop its launcher, or those pids, or use another --dir`);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const USAGE = 'usage: npm run cluster -- [--nodes 3] [--port 5433] [--read-port 0] [--dir ./cluster] [--shards 1] [--data-nodes 2] [--query-nodes 2] [--index-nodes 1] [--tls] [--log-level info]\n' +
  '  --nodes N: etcd members and JetStream servers; --data-nodes N: data nodes of each shard (one leads, the others stand by)\n' +
  '  --shards N: shard groups, each with its own stream and election (1: unsharded; more: the proxy routes statements to the shards)\n' +
  '  --read-port N: the proxy\'s port for read-only sessions, spread over the hot standbys (0: a free one)\n' +
  '  --query-nodes N: query nodes serving sealed-segment vector search (0: the data leader serves it alone)\n' +
  '  --index-nodes N: index nodes building sealed segments\' HNSW indexes (0: the data leader builds them)\n' +
  '  --tls: a CA and node certificate in <dir>/tls (openssl); data nodes serve TLS only, the proxy checks the shards\' certificates,\n' +
  '         the links between Quiver nodes (query, index, timestamp oracle) are TLS too\n';

/** The command line: start, print the ready line, stop everything on a signal. */
async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        nodes: { type: 'string', default: '3' },
        port: { type: 'string', default: '5433' },
        'read-port': { type: 'string', default: '0' },
        dir: { type: 'string', default: './cluster' },
        'data-nodes': { type: 'string', default: '2' },
        shards: { type: 'string', default: '1' },
        'query-nodes': { type: 'string', default: '2' },
        'index-nodes': { type: 'string', default: '1' },
        'log-level': { type: 'string', default: 'info' },
        tls: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const nodes = Number(values.nodes);
  const port = Number(values.port);
  const readPort = Number(values['read-port']);
  const dataNodes = Number(values['data-nodes']);
  const shards = Number(values.shards);
  const queryNodes = Number(values['query-nodes']);
  const indexNodes = Number(values['index-nodes']);
  const bad = [
    !(Number.isInteger(indexNodes) && indexNodes >= 0 && indexNodes <= 9) && '--index-nodes (0 to 9)',
    !(Number.isInteger(queryNodes) && queryNodes >= 0 && queryNodes <= 9) && '--query-nodes (0 to 9)',
    !(Number.isInteger(nodes) && nodes >= 1 && nodes <= 7) && '--nodes (1 to 7)',
    !(Number.isInteger(port) && port >= 0 && port <= 65535) && '--port (0: a free one, up to 65535)',
    !(Number.isInteger(readPort) && readPort >= 0 && readPort <= 65535 && (readPort === 0 || readPort !== port)) && '--read-port (0: a free one, up to 65535; not --port)',
    !(Number.isInteger(dataNodes) && dataNodes >= 1 && dataNodes <= 9) && '--data-nodes (1 to 9)',
    !(Number.isInteger(shards) && shards >= 1 && shards <= 8) && '--shards (1 to 8)',
  ].filter(Boolean);
  if (bad.length > 0) {
    process.stderr.write(`invalid ${bad.join(', ')}\n${USAGE}`);
    process.exit(2);
  }

  // children in their own process groups: a Ctrl-C reaches only this process, which stops
  // them in order (data nodes before the etcd and NATS they use)
  childProcessGroups.own = true;
  const abort = new AbortController();
  let cluster: LocalCluster | undefined;
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${sig}: stopping the cluster\n`);
      abort.abort();
      // during start-up, startLocalCluster stops what it started and rejects
      cluster?.stop().then(() => process.exit(0), (e: Error) => {
        process.stderr.write(`stopping failed: ${e.message}\n`);
        process.exit(1);
      });
    });
  }
  // the children outlive this process (process groups of their own): stop them on a bug too
  let exitCode = 0;
  process.on('uncaughtException', (e) => {
    process.stderr.write(`launcher failed: ${e.stack ?? e.message}\n`);
    exitCode = 1;
    stopping = true;
    abort.abort();
    // during start-up, the aborted start stops what it started and exits below
    void cluster?.stop().finally(() => process.exit(1));
  });
  try {
    cluster = await startLocalCluster({ dir: values.dir!, nodes, port, readPort, shards, dataNodes, queryNodes, indexNodes, logLevel: values['log-level']!, tls: values.tls === true, signal: abort.signal });
  } catch (e) {
    if (stopping) process.exit(exitCode);
    process.stderr.write(`cluster did not start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (stopping) {
    // stopped while start-up finished
    await cluster.stop();
    process.exit(exitCode);
  }
  for (const p of cluster.processes()) {
    void p.exited.then((code) => {
      if (!stopping) process.stderr.write(`${p.name} (pid ${p.pid}) exited (${code ?? p.child.signalCode}); its log: ${p.log}\n`);
    });
  }
  process.stdout.write(`etcd ${cluster.etcd.endpoints.join(',')}\nnats ${cluster.nats.urls.join(',')}\ns3 ${cluster.s3.endpoint} bucket ${cluster.s3.bucket}\n` +
    `processes and logs: ${join(cluster.dir, 'cluster.json')}, ${join(cluster.dir, 'logs')}\n` +
    `NATS, etcd and S3 logins (owner-only file): ${credentialsFile(cluster.dir)}\n` +
    `connect: psql -h ${HOST} -p ${cluster.port} -U postgres\n` +
    `read-only (hot standbys, round robin over the current ones): psql -h ${HOST} -p ${cluster.readPort} -U postgres\n` +
    `read port ${cluster.readPort}\n` +
    (cluster.shards > 1 ? `shards ${cluster.shards}: data nodes ${[...cluster.nodes.keys()].filter((k) => cluster!.shardOf(k) !== undefined).join(', ')}; the proxy routes each statement to the shards' leaders\n` : ''));
  process.stdout.write(`cluster ready on port ${cluster.port}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

/**
 * The cluster's secret (--cluster-secret of every node it starts): `<dir>/cluster-secret`,
 * made once with 32 random bytes and readable by its owner only, so a restart of the same
 * directory keeps it.
 */
export function clusterSecret(dir: string): string {
  const file = join(dir, 'cluster-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
