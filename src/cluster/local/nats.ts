/**
 * A loopback NATS JetStream cluster of `n` nats-server processes (Debian's nats-server),
 * routed to each other, each with its own store directory: the cluster's log. Ready once
 * JetStream has a meta leader (a stream with num_replicas 3 can then be created). With
 * `auth`, clients and the servers' routes to each other must give that user and password
 * (the configuration files holding it are readable by their owner only); with `tls`, the
 * client port speaks TLS only, and so do the routes between the servers: each presents the
 * node certificate and checks its peer's against the CA (nats-server verifies both ends of a
 * route).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'nats';
import { ensureBinary, freePorts, spawnManaged, waitUntil, type ManagedProcess } from './processes.js';

/** A NATS user and password, as the nats client's connect() takes them. */
export interface NatsAuth {
  readonly user: string;
  readonly pass: string;
}

/** Certificate files for a server's client port (PEM paths; `ca` is what its clients check it against). */
export interface InfraTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

export interface NatsSecurity {
  readonly auth?: NatsAuth;
  readonly tls?: InfraTls;
}

export interface NatsCluster {
  /** client URLs, one per server ("nats://127.0.0.1:port") */
  readonly urls: readonly string[];
  /** what clients must give (absent: no authentication) */
  readonly auth?: NatsAuth;
  /** the CA file clients check the servers against (absent: plaintext) */
  readonly tlsCa?: string;
  readonly servers: readonly ManagedProcess[];
  /** start server i again after it was stopped or killed (same ports and store) */
  restart(i: number): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/** Largest message: a log batch is split below it (jetstream-log.ts); NATS allows up to 64 MB. */
export const NATS_MAX_PAYLOAD = 8 * 1024 * 1024;

/** `ports`: the n client ports, then the n route ports (default: free ones). */
export async function startNatsCluster(dir: string, n = 3, ports?: readonly number[], security: NatsSecurity = {}): Promise<NatsCluster> {
  const { auth, tls } = security;
  const bin = ensureBinary('nats-server', 'nats-server');
  mkdirSync(dir, { recursive: true });
  if (ports && ports.length !== 2 * n) throw new Error(`nats needs ${2 * n} ports, not ${ports.length}`);
  ports ??= await freePorts(2 * n);
  const clientPorts = ports.slice(0, n);
  const routePorts = ports.slice(n);
  const confs = clientPorts.map((port, i) => {
    const conf = join(dir, `nats-${i + 1}.conf`);
    const login = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';
    const routes = routePorts.filter((_, j) => j !== i).map((p) => `nats-route://${login}127.0.0.1:${p}`);
    const authorization = auth ? `authorization { user: ${JSON.stringify(auth.user)}, password: ${JSON.stringify(auth.pass)} }` : '';
    const routeTls = tls ? `tls { cert_file: ${JSON.stringify(tls.cert)}, key_file: ${JSON.stringify(tls.key)}, ca_file: ${JSON.stringify(tls.ca)}, timeout: 5 }, ` : '';
    writeFileSync(conf, [
      `server_name: nats-${i + 1}`,
      `host: 127.0.0.1`,
      `port: ${port}`,
      `max_payload: ${NATS_MAX_PAYLOAD}`,
      authorization,
      tls ? `tls { cert_file: ${JSON.stringify(tls.cert)}, key_file: ${JSON.stringify(tls.key)} }` : '',
      `jetstream { store_dir: "${join(dir, `nats-${i + 1}`)}", max_memory_store: 256MB, max_file_store: 8GB }`,
      n > 1 ? `cluster { name: quiver, host: 127.0.0.1, port: ${routePorts[i]}, ${authorization ? `${authorization}, ` : ''}${routeTls}routes: [${routes.join(', ')}] }` : '',
    ].join('\n') + '\n', { mode: 0o600 });
    chmodSync(conf, 0o600);
    return conf;
  });
  const start = (i: number) => spawnManaged('nats', `nats-${i + 1}`, clientPorts[i], bin, ['-c', confs[i]], join(dir, `nats-${i + 1}.log`));
  const servers: ManagedProcess[] = clientPorts.map((_, i) => start(i));
  const urls = clientPorts.map((p) => `nats://127.0.0.1:${p}`);
  try {
    await waitUntil('JetStream to elect a meta leader', async () => {
      const nc = await connect({ servers: urls[0], timeout: 1000, ...auth, ...(tls ? { tls: { caFile: tls.ca } } : {}) });
      try {
        const jsm = await nc.jetstreamManager({ timeout: 2000 });
        await jsm.getAccountInfo();
        return true;
      } finally {
        await nc.close();
      }
    }, 60_000, 250);
  } catch (e) {
    await Promise.all(servers.map((s) => s.stop()));
    throw e;
  }
  return {
    urls,
    ...(auth ? { auth } : {}),
    ...(tls ? { tlsCa: tls.ca } : {}),
    get servers() { return servers; },
    async restart(i: number) {
      await servers[i].stop();
      servers[i] = start(i);
      return servers[i];
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
