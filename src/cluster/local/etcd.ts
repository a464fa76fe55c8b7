/**
 * A loopback etcd cluster of `n` members (Debian's etcd-server): the cluster's metadata
 * store. Ready once every member reports healthy. With `auth`, authentication is enabled
 * (once: its user made with the root role) and every client must log in — with `nodeUser`,
 * also a user for the Quiver nodes whose role reads and writes Quiver's keys only
 * (`quiver/…`), so a node's login cannot change etcd's users or other tenants' keys; with `tls`, the
 * client URLs are https:// and serve that certificate, and the members' peer links are https://
 * with the same certificate on both ends, each checked against the CA (--peer-client-cert-auth).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { Etcd3, Range } from 'etcd3';
import type { EtcdAuth } from '../etcd-coordinator.js';
import type { InfraTls } from './nats.js';
import { ensureBinary, freePorts, spawnManaged, waitUntil, type ManagedProcess } from './processes.js';

export interface EtcdCluster {
  /** client endpoints ("http://127.0.0.1:port") */
  readonly endpoints: readonly string[];
  /** what clients must log in with (absent: no authentication): etcd's root */
  readonly auth?: EtcdAuth;
  /** the Quiver nodes' login (read-write on NODE_KEY_PREFIX only), when asked for */
  readonly nodeAuth?: EtcdAuth;
  /** the CA clients check the members against (absent: plaintext) */
  readonly ca?: Buffer;
  readonly members: readonly ManagedProcess[];
  restart(i: number): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/**
 * `ports`: the n client ports, then the n peer ports (default: free ones). A member's data
 * directory remembers its peers' addresses, so starting again on the same `dir` needs the
 * same ports.
 */
export interface EtcdSecurity {
  readonly auth?: EtcdAuth;
  /** made (or its password set again) with NODE_ROLE, with `auth` */
  readonly nodeUser?: EtcdAuth;
  readonly tls?: InfraTls;
}

/** the keys Quiver's nodes use (etcd-coordinator.ts's default prefix) */
export const NODE_KEY_PREFIX = 'quiver/';
/** the role of the nodes' user: read-write on NODE_KEY_PREFIX, nothing else */
export const NODE_ROLE = 'quiver-node';

export async function startEtcdCluster(dir: string, n = 3, ports?: readonly number[], security: EtcdSecurity = {}): Promise<EtcdCluster> {
  const { auth, nodeUser, tls } = security;
  if (nodeUser && (!auth || nodeUser.username === auth.username)) throw new Error('the nodes\' etcd user needs authentication on, under another name than root');
  const ca = tls ? readFileSync(tls.ca) : undefined;
  const bin = ensureBinary('etcd', 'etcd-server');
  mkdirSync(dir, { recursive: true });
  if (ports && ports.length !== 2 * n) throw new Error(`etcd needs ${2 * n} ports, not ${ports.length}`);
  ports ??= await freePorts(2 * n);
  const clientPorts = ports.slice(0, n);
  const peerPorts = ports.slice(n);
  const scheme = tls ? 'https' : 'http';
  const peerUrls = peerPorts.map((p) => `${scheme}://127.0.0.1:${p}`);
  const initial = peerUrls.map((u, i) => `etcd-${i + 1}=${u}`).join(',');
  const endpoints = clientPorts.map((p) => `${scheme}://127.0.0.1:${p}`);
  let started = 0;
  const start = (i: number) => {
    const args = [
      '--name', `etcd-${i + 1}`,
      '--data-dir', join(dir, `etcd-${i + 1}`),
      '--listen-client-urls', endpoints[i], '--advertise-client-urls', endpoints[i],
      ...(tls ? ['--cert-file', tls.cert, '--key-file', tls.key] : []),
      '--listen-peer-urls', peerUrls[i], '--initial-advertise-peer-urls', peerUrls[i],
      ...(tls ? ['--peer-cert-file', tls.cert, '--peer-key-file', tls.key, '--peer-trusted-ca-file', tls.ca, '--peer-client-cert-auth'] : []),
      '--initial-cluster', initial, '--initial-cluster-token', 'quiver', '--initial-cluster-state', started >= n ? 'existing' : 'new',
      // loopback: elections in well under a second, and a small store
      '--heartbeat-interval', '100', '--election-timeout', '1000', '--quota-backend-bytes', String(2 * 1024 ** 3),
    ];
    started++;
    // etcd 3.4 on arm64 and other platforms refuses to start without this (amd64 ignores it)
    return spawnManaged('etcd', `etcd-${i + 1}`, clientPorts[i], bin, args, join(dir, `etcd-${i + 1}.log`), { ...process.env, ETCD_UNSUPPORTED_ARCH: process.arch === 'arm64' ? 'arm64' : '' });
  };
  const members: ManagedProcess[] = clientPorts.map((_, i) => start(i));
  try {
    for (const e of endpoints) {
      await waitUntil(`etcd at ${e} to be healthy`, async () => {
        return healthy(e, ca);
      }, 60_000, 200);
    }
    if (auth) await enableAuth(endpoints, auth, ca);
    if (auth && nodeUser) await ensureNodeUser(endpoints, auth, nodeUser, ca);
  } catch (e) {
    await Promise.all(members.map((m) => m.stop()));
    throw e;
  }
  return {
    endpoints,
    ...(auth ? { auth } : {}),
    ...(auth && nodeUser ? { nodeAuth: nodeUser } : {}),
    ...(ca ? { ca } : {}),
    get members() { return members; },
    async restart(i: number) {
      await members[i].stop();
      members[i] = start(i);
      return members[i];
    },
    async stop() {
      // one at a time: a leader stopped while its peers live hands leadership over at once;
      // stopped together, one waited for peers already gone until SIGKILL (measured: 5 s
      // in parallel, 70-120 ms in turn for 3 members)
      for (const m of members) await m.stop();
    },
  };
}

/**
 * etcd's authentication on, with `auth` as its root user (etcd wants a user named root with
 * the root role first). Already on (a restart): an anonymous client is refused as having no
 * user name, and the credentials are checked instead.
 */
async function enableAuth(endpoints: readonly string[], auth: EtcdAuth, ca: Buffer | undefined): Promise<void> {
  if (auth.username !== 'root') throw new Error('the local etcd\'s user is root (the one that can enable authentication)');
  const anonymous = new Etcd3({ hosts: [...endpoints], dialTimeout: 3000, ...(ca ? { credentials: { rootCertificate: ca } } : {}) });
  try {
    try {
      await anonymous.auth.roleAdd({ name: 'root' });
    } catch (e) {
      const message = (e as Error).message;
      if (/user name is empty|permission denied/.test(message)) {
        await checkLogin(endpoints, auth, ca);
        return;
      }
      if (!/role name already exists/.test(message)) throw e;
    }
    await anonymous.auth.userAdd({ name: auth.username, password: auth.password }).catch((e: Error) => {
      if (!/user name already exists/.test(e.message)) throw e;
    });
    await anonymous.auth.userGrantRole({ user: auth.username, role: 'root' });
    await anonymous.auth.authEnable();
  } finally {
    anonymous.close();
  }
}

/**
 * The nodes' user, logged in as root: NODE_ROLE with read-write on NODE_KEY_PREFIX only,
 * the user with that role alone and its password as given (set again on every start, so the
 * credentials file is what counts). Each step tolerates having been done by an earlier start.
 */
async function ensureNodeUser(endpoints: readonly string[], root: EtcdAuth, node: EtcdAuth, ca: Buffer | undefined): Promise<void> {
  const client = new Etcd3({ hosts: [...endpoints], dialTimeout: 3000, auth: { username: root.username, password: root.password }, ...(ca ? { credentials: { rootCertificate: ca } } : {}) });
  const unlessDone = (pattern: RegExp) => (e: Error) => {
    if (!pattern.test(e.message)) throw e;
  };
  try {
    const role = client.role(NODE_ROLE);
    await role.create().catch(unlessDone(/role name already exists/));
    await role.grant({ permission: 'Readwrite', range: Range.prefix(NODE_KEY_PREFIX) });
    const user = client.user(node.username);
    await user.create(node.password).catch(async (e: Error) => {
      unlessDone(/user name already exists/)(e);
      await user.setPassword(node.password);
    });
    await user.addRole(NODE_ROLE).catch(unlessDone(/already/));
  } finally {
    client.close();
  }
}

/** A read with the credentials: rejects when etcd refuses them. */
async function checkLogin(endpoints: readonly string[], auth: EtcdAuth, ca: Buffer | undefined): Promise<void> {
  const client = new Etcd3({ hosts: [...endpoints], dialTimeout: 3000, auth: { username: auth.username, password: auth.password }, ...(ca ? { credentials: { rootCertificate: ca } } : {}) });
  try {
    await client.get('quiver/ping');
  } finally {
    client.close();
  }
}

/** Whether the member at `endpoint` says it is healthy (over https checked against `ca` when given). */
async function healthy(endpoint: string, ca: Buffer | undefined): Promise<boolean> {
  if (!ca) {
    const r = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    return r.ok && (await r.json() as { health?: string }).health === 'true';
  }
  // fetch takes no CA of its own: node:https does
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsGet(`${endpoint}/health`, { ca, timeout: 1000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { text += d; });
      res.on('end', () => resolve(res.statusCode === 200 ? text : ''));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
  return body !== '' && (JSON.parse(body) as { health?: string }).health === 'true';
}
