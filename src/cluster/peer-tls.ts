/**
 * TLS on the cluster's own links — the query-node and index-node protocols and the
 * timestamp oracle's (README "Cluster mode", security): `--cluster-tls-cert/--cluster-tls-key`
 * make a node serve those links over TLS only, `--cluster-tls-ca` makes a node that calls
 * them speak TLS and check the serving node's certificate against that CA and against the
 * address it dialled (verify-full: a loopback or IP address needs an IP SAN). TLS only
 * encrypts and proves the server; the `--cluster-secret` handshake (peer-handshake.ts) still
 * runs, inside the TLS channel, and proves both sides. Without these flags the links are
 * plain TCP, as before.
 */
import { readFileSync } from 'node:fs';
import { connect, createServer as createTcpServer, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';

export interface PeerTls {
  /** the serving side's certificate chain and key (PEM); absent: it serves plain TCP */
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** the CA the serving side's certificate must chain to (PEM); absent: the calling side dials plain TCP */
  readonly ca?: Buffer;
}

/** TLS 1.2 is the oldest the links accept (Node's default minimum, stated so a change of default cannot lower it). */
const MIN_VERSION = 'TLSv1.2';

export const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----/;

/** A PEM file named by `flag`, with a message naming the flag when it cannot be read or holds no `what`. */
export function readPem(flag: string, file: string, what: RegExp): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    throw new Error(`could not read ${flag} ${file}: ${(e as Error).message}`);
  }
  if (!what.test(pem.toString('latin1'))) throw new Error(`${flag} ${file} holds no PEM ${what.source.includes('KEY') ? 'private key' : 'certificate'}`);
  return pem;
}

/**
 * The links' TLS from `--cluster-tls-cert FILE --cluster-tls-key FILE --cluster-tls-ca FILE`
 * (undefined: none given). Throws a plain Error naming the wrong flag (the caller exits with it).
 */
export function peerTlsFromFlags(certFile: string | undefined, keyFile: string | undefined, caFile: string | undefined): PeerTls | undefined {
  if (!certFile && !keyFile && !caFile) return undefined;
  if (!certFile !== !keyFile) throw new Error('--cluster-tls-cert and --cluster-tls-key go together');
  return {
    ...(certFile && keyFile ? {
      cert: readPem('--cluster-tls-cert', certFile, PEM_CERTIFICATE),
      key: readPem('--cluster-tls-key', keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    } : {}),
    ...(caFile ? { ca: readPem('--cluster-tls-ca', caFile, PEM_CERTIFICATE) } : {}),
  };
}

/**
 * What a role lacks of the links' TLS once some of it is given: a node that serves the links
 * (query, index, a sharded cluster's proxy: the timestamp oracle) needs the certificate and
 * key, a node that calls them (data nodes; the proxy calls the oracle too) the CA. Undefined: nothing.
 */
export function missingPeerTls(tls: PeerTls | undefined, serves: boolean, calls: boolean): string | undefined {
  if (!tls) return undefined;
  if (serves && !tls.cert) return '--cluster-tls-cert and --cluster-tls-key (this node serves cluster links; every node gets the same TLS flags)';
  if (calls && !tls.ca) return '--cluster-tls-ca (this node calls cluster links and must check their certificates)';
  return undefined;
}

/**
 * A server for one of the links: TLS with a certificate (`onConnection` gets the socket once
 * the TLS handshake is done), else plain TCP. Its 'connection' event still gives the raw
 * sockets (what a close() destroys); `onTlsError` hears of callers that failed TLS.
 */
export function createPeerServer(tls: PeerTls | undefined, onConnection: (socket: Socket) => void, onTlsError?: (e: Error, socket: Socket) => void): Server {
  if (!tls?.cert || !tls.key) return createTcpServer(onConnection);
  const server = createTlsServer({ cert: tls.cert, key: tls.key, minVersion: MIN_VERSION }, onConnection);
  server.on('tlsClientError', (e, socket) => onTlsError?.(e, socket));
  return server;
}

/**
 * A connection to one of the links at host:port: TLS with a CA (the server's certificate
 * checked against it and against `host`; a failure is the socket's 'error'), else plain TCP.
 * Writes made before the TLS handshake ends are sent once it has.
 */
export function dialPeer(host: string, port: number, tls: PeerTls | undefined): Socket {
  if (!tls?.ca) return connect({ host, port });
  return tlsConnect({
    host, port, ca: tls.ca, minVersion: MIN_VERSION, rejectUnauthorized: true,
    // SNI carries a host name only, never an address (Node's identity check covers both)
    ...(isIP(host) === 0 ? { servername: host } : {}),
  });
}
