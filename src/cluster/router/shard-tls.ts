/**
 * TLS on the router's links to the shards, negotiated as libpq does: SSLRequest, then the
 * shard's one-byte answer ('S': the TLS handshake follows on the same socket, before the
 * startup packet; 'N': plaintext). The modes are libpq's sslmode:
 * - `disable`: no SSLRequest;
 * - `prefer` (the default without a CA): TLS when the shard offers it, its certificate not
 *   checked (encryption against passive listeners only; the cluster secret's SCRAM still
 *   proves the shard is this cluster's node), plaintext when it answers 'N';
 * - `require`: TLS or no connection, the certificate not checked;
 * - `verify-ca` (the default with a CA, as libpq's `require` with a root certificate): TLS,
 *   the certificate chain checked against the CA;
 * - `verify-full`: `verify-ca` and the certificate names the shard's host (its address as
 *   the directory gives it).
 * A failure is 08006 with libpq's words (`SSL error: certificate verify failed`, `server
 * does not support SSL, but SSL was required`). Cancel requests stay plaintext, as libpq's
 * PQcancel sends them.
 */
import { readFileSync } from 'node:fs';
import { isIP, type Socket, connect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { SqlError } from '../../errors.js';

export const SHARD_TLS_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type ShardTlsMode = (typeof SHARD_TLS_MODES)[number];

export interface ShardTls {
  readonly mode: ShardTlsMode;
  /** PEM CA certificate(s) the shards' certificates must chain to (verify-ca, verify-full) */
  readonly ca?: Buffer;
}

/** PostgreSQL's SSLRequest: length 8, code 1234.5679 */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * The router's shard TLS from its flags (`--shard-tls MODE`, `--shard-tls-ca FILE`): the mode
 * defaults to `verify-ca` with a CA, else `prefer`; a verifying mode needs the CA. Throws a
 * plain Error saying which flag is wrong (the caller exits with it).
 */
export function shardTlsFromFlags(mode: string | undefined, caFile: string | undefined): ShardTls {
  const chosen = mode === undefined || mode === '' ? (caFile ? 'verify-ca' : 'prefer') : mode;
  if (!(SHARD_TLS_MODES as readonly string[]).includes(chosen)) {
    throw new Error(`invalid --shard-tls "${chosen}" (one of ${SHARD_TLS_MODES.join(', ')})`);
  }
  const m = chosen as ShardTlsMode;
  if ((m === 'verify-ca' || m === 'verify-full') && !caFile) throw new Error(`--shard-tls ${m} needs --shard-tls-ca FILE (the CA the shards' certificates are signed by)`);
  if (!caFile) return { mode: m };
  let ca: Buffer;
  try {
    ca = readFileSync(caFile);
  } catch (e) {
    throw new Error(`could not read --shard-tls-ca ${caFile}: ${(e as Error).message}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--shard-tls-ca ${caFile} holds no PEM certificate`);
  return { mode: m, ca };
}

/** The mode in force: `prefer` when none was given. */
const modeOf = (tls: ShardTls | undefined): ShardTlsMode => tls?.mode ?? 'prefer';

const failed = (shard: number, address: string, why: string): SqlError =>
  new SqlError('08006', `could not connect to shard ${shard} (${address}): ${why}`);

/**
 * A socket to the shard at host:port ready for the startup packet: TCP, or TLS over it when
 * the mode and the shard's answer say so. Rejects with 08006 (refused, TLS not offered when
 * required, a certificate that does not verify).
 */
export async function openShardSocket(shard: number, address: string, host: string, port: number, tls: ShardTls | undefined): Promise<Socket> {
  const mode = modeOf(tls);
  const raw = connect({ host, port });
  raw.setNoDelay(true);
  if (mode === 'disable') return raw;
  let answer: Buffer;
  try {
    answer = await new Promise<Buffer>((resolve, reject) => {
      raw.once('error', reject);
      raw.once('close', () => reject(new Error('the shard closed the connection during SSL negotiation')));
      raw.once('connect', () => raw.write(SSL_REQUEST));
      raw.once('data', (chunk: Buffer) => {
        raw.removeAllListeners('error');
        raw.removeAllListeners('close');
        raw.pause();
        resolve(chunk);
      });
    });
  } catch (e) {
    raw.destroy();
    throw failed(shard, address, (e as Error).message);
  }
  const code = String.fromCharCode(answer[0]!);
  if (code === 'N') {
    if (mode !== 'prefer') {
      raw.destroy();
      throw failed(shard, address, 'server does not support SSL, but SSL was required');
    }
    raw.resume();
    return raw;
  }
  if (code !== 'S') {
    raw.destroy();
    throw failed(shard, address, `received invalid response to SSL negotiation: ${code}`);
  }
  if (answer.length > 1) {
    // bytes before the handshake could come from anyone on the path (CVE-2021-23222)
    raw.destroy();
    throw failed(shard, address, 'received unencrypted data after SSL response');
  }
  const verify = mode === 'verify-ca' || mode === 'verify-full';
  const options: ConnectionOptions = {
    socket: raw,
    host,
    rejectUnauthorized: verify,
    ...(tls?.ca && verify ? { ca: tls.ca } : {}),
    // verify-ca checks the chain only; verify-full also the name (Node's default check)
    ...(mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
    // SNI carries a host name only, never an address
    ...(isIP(host) === 0 ? { servername: host } : {}),
  };
  const secure = tlsConnect(options);
  try {
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => {
        secure.removeAllListeners('error');
        resolve();
      });
      secure.once('error', reject);
    });
  } catch (e) {
    secure.destroy();
    const err = e as NodeJS.ErrnoException;
    const verifyFailed = /CERT|SIGNATURE|ISSUER|SELF_SIGNED|UNABLE_TO|HOSTNAME|IP_MISMATCH|ERR_TLS_CERT_ALTNAME/i.test(err.code ?? '');
    throw failed(shard, address, verifyFailed ? `SSL error: certificate verify failed: ${err.message}` : `SSL error: ${err.message}`);
  }
  secure.setNoDelay(true);
  return secure;
}
