/**
 * Certificates for a local cluster's links (`npm run cluster -- --tls`): a CA of the cluster's
 * own and one certificate it signed for every node on this machine (names 127.0.0.1 and
 * localhost), made once per directory with the `openssl` command (node:crypto cannot make
 * X.509 certificates). The data nodes serve TLS with the node certificate; the proxy's router
 * checks the shards' certificates against the CA (--shard-tls-ca).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ClusterCerts {
  /** the CA's certificate (PEM): what --shard-tls-ca is given */
  readonly ca: string;
  /** a node certificate signed by the CA, and its key */
  readonly cert: string;
  readonly key: string;
}

/** whether the openssl command can be run */
export function opensslAvailable(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.error) throw new Error(`openssl could not be run (${r.error.message}): install it (Debian: apt-get install openssl)`);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr.trim()}`);
}

/** P-256 keys: quick to make and to handshake with */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA in `dir` (ca.crt, ca.key; the key mode 0600). */
export function makeCa(dir: string, name = 'Quiver cluster CA'): { cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  openssl(['req', '-x509', ...NEW_KEY, '-keyout', key, '-out', cert, '-days', '3650', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  chmodSync(key, 0o600);
  return { cert, key };
}

/**
 * A certificate for `names` (IP addresses and DNS names) signed by the CA, as `<base>.crt` and
 * `<base>.key` in `dir`; for servers and for clients, since NATS routes and etcd peers present
 * theirs on both ends of a link.
 */
export function makeNodeCert(dir: string, ca: { cert: string; key: string }, base: string, names: readonly string[] = ['127.0.0.1', 'localhost']): { cert: string; key: string } {
  const cert = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  const csr = join(dir, `${base}.csr`);
  const ext = join(dir, `${base}.ext`);
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n`);
  try {
    openssl(['req', ...NEW_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${names[0] ?? base}`]);
    openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '3650', '-extfile', ext]);
    chmodSync(key, 0o600);
  } finally {
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
  }
  return { cert, key };
}

/** `<dir>/tls`: the cluster's CA and node certificate, made on first use and kept for restarts. */
export function clusterCerts(dir: string): ClusterCerts {
  const tls = join(dir, 'tls');
  const out = { ca: join(tls, 'ca.crt'), cert: join(tls, 'node.crt'), key: join(tls, 'node.key') };
  if (existsSync(out.ca) && existsSync(out.cert) && existsSync(out.key)) return out;
  const ca = makeCa(tls);
  makeNodeCert(tls, ca, 'node');
  return out;
}
