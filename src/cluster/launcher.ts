/**
 * `npm run cluster -- --nodes 3 --port 5433 --dir ./cluster`: a whole cluster on this
 * machine's loopback — etcd and NATS JetStream with `--nodes` members each, s3rver, two
 * data nodes (a leader and a standby) and a proxy on `--port` — each a child process
 * with its log in `<dir>/logs/`, all listed in `<dir>/cluster.json`. Prints
 * `cluster ready on port N` once a query through the proxy is answered; SIGINT or
 * SIGTERM stops everything it started (Quiver nodes first, then the infrastructure).
 * On real machines run the same roles with `quiver --role …` and real endpoints.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEtcdCluster, type EtcdCluster } from './local/etcd.js';
import { startNatsCluster, type NatsCluster } from './local/nats.js';
import { startLocalS3, type LocalS3 } from './local/s3.js';
import { answersQueries } from './local/postgres-probe.js';
import { freePorts, spawnManaged, waitUntil, type ManagedProcess } from './local/processes.js';

export interface LocalClusterOptions {
  readonly dir: string;
  /** etcd members and JetStream servers (default 3) */
  readonly nodes?: number;
  /** the proxy's port (0: a free one) */
  readonly port?: number;
  /** data nodes: one leads, the others stand by (default 2; 0: none) */
  readonly dataNodes?: number;
  readonly logLevel?: string;
  /** extra environment for the Quiver nodes (e.g. QUIVER_SEAL_THRESHOLD_BYTES) */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LocalCluster {
  readonly dir: string;
  /** the proxy's port: where clients connect */
  readonly port: number;
  readonly etcd: EtcdCluster;
  readonly nats: NatsCluster;
  readonly s3: LocalS3;
  /** Quiver nodes by name ("data-1", "data-2", "proxy-1") */
  readonly nodes: Map<string, ManagedProcess>;
  /** every process, as cluster.json lists them */
  processes(): ManagedProcess[];
  /** start a Quiver node again under its name (after it was stopped or killed) */
  respawn(name: string): ManagedProcess;
  /** the data node leading now (by the election's value), if any */
  dataLeader(): Promise<ManagedProcess | undefined>;
  stop(): Promise<void>;
}

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const dir = resolve(opts.dir);
  const n = opts.nodes ?? 3;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const [etcd, nats, s3] = await Promise.all([
    startEtcdCluster(join(dir, 'etcd'), n),
    startNatsCluster(join(dir, 'nats'), n),
    startLocalS3(join(dir, 's3')),
  ]);
  const nodes = new Map<string, ManagedProcess>();
  const specs = new Map<string, { port: number; args: string[] }>();
  const env: NodeJS.ProcessEnv = {
    ...process.env, ...opts.env,
    AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: 'us-east-1',
  };
  const common = ['--etcd', etcd.endpoints.join(','), '--nats', nats.urls.join(','), '--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket,
    '--replicas', String(Math.min(3, n)), '--log-level', opts.logLevel ?? 'info'];
  const spawnNode = (name: string) => {
    const spec = specs.get(name)!;
    const role = name.startsWith('proxy') ? 'proxy' : 'data';
    const p = spawnManaged(role, name, spec.port, process.execPath, [MAIN, ...spec.args], join(dir, 'logs', `${name}.log`), env);
    nodes.set(name, p);
    return p;
  };
  const dataCount = opts.dataNodes ?? 2;
  const ports = await freePorts(dataCount + 1);
  const proxyPort = opts.port && opts.port > 0 ? opts.port : ports[dataCount];
  for (let i = 1; i <= dataCount; i++) {
    specs.set(`data-${i}`, { port: ports[i - 1], args: ['--role', 'data', '--port', String(ports[i - 1]), '--data', join(dir, `data-${i}`), '--node-id', `data-${i}`, ...common] });
  }
  specs.set('proxy-1', { port: proxyPort, args: ['--role', 'proxy', '--port', String(proxyPort), '--node-id', 'proxy-1', ...common] });
  for (const name of specs.keys()) spawnNode(name);

  const cluster: LocalCluster = {
    dir, port: proxyPort, etcd, nats, s3, nodes,
    processes: () => [...etcd.members, ...nats.servers, s3.process, ...nodes.values()],
    respawn: (name) => {
      const p = spawnNode(name);
      writeClusterJson(dir, cluster.processes());
      return p;
    },
    async dataLeader() {
      const { openEtcdCoordinator } = await import('./etcd-coordinator.js');
      const c = await openEtcdCoordinator({ endpoints: [...etcd.endpoints] });
      try {
        const address = await c.leader('data');
        return [...nodes.values()].find((p) => p.role === 'data' && address === `127.0.0.1:${p.port}` && p.child.exitCode === null && p.child.signalCode === null);
      } finally {
        await c.close();
      }
    },
    async stop() {
      const data = [...nodes.values()].filter((p) => p.role === 'data');
      await Promise.all(data.map((p) => p.stop()));
      await Promise.all([...nodes.values()].filter((p) => p.role !== 'data').map((p) => p.stop()));
      await Promise.all([etcd.stop(), nats.stop(), s3.stop()]);
    },
  };
  writeClusterJson(dir, cluster.processes());
  try {
    await waitUntil('the proxy to answer queries', async () => {
      for (const p of nodes.values()) {
        if (p.child.exitCode !== null) throw new Error(`${p.name} exited with code ${p.child.exitCode} (log: ${p.log})`);
      }
      return dataCount === 0 ? true : answersQueries('127.0.0.1', proxyPort);
    }, 90_000, 250);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

function writeClusterJson(dir: string, processes: readonly ManagedProcess[]): void {
  const list = processes.map((p) => ({ role: p.role, name: p.name, pid: p.pid, port: p.port, log: p.log }));
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ processes: list }, null, 2) + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '3' },
      port: { type: 'string', default: '5433' },
      dir: { type: 'string', default: './cluster' },
      'data-nodes': { type: 'string', default: '2' },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({ dir: values.dir!, nodes: Number(values.nodes), port: Number(values.port), dataNodes: Number(values['data-nodes']), logLevel: values['log-level']! });
  } catch (e) {
    process.stderr.write(`cluster did not start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`cluster ready on port ${cluster.port}\n`);
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('stopping the cluster\n');
      cluster.stop().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
