/**
 * The local S3 stand-in in a child process (s3-server.ts: s3rver behind a signature check):
 * S3's API on loopback, standing in for S3 or MinIO, with one bucket made at start. Its
 * files live in `dir`. Only requests signed with its key pair are served: the cluster's
 * (the launcher keeps it in `<dir>/credentials.json`), or a fresh random one. With `tls` it
 * serves https:// only, with that certificate.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, listening, spawnManaged, waitUntil, type ManagedProcess } from './processes.js';

export interface S3Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface LocalS3 extends S3Keys {
  readonly endpoint: string;
  readonly bucket: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** A new key pair: an access key id shaped as AWS's (20 characters), a 40-character secret. */
export function newS3Keys(): S3Keys {
  return { accessKeyId: `QV${randomBytes(9).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

const SERVER_JS = join(dirname(fileURLToPath(import.meta.url)), 's3-server.js');

export async function startLocalS3(dir: string, bucket = 'quiver', keys: S3Keys = newS3Keys(), tls?: { readonly cert: string; readonly key: string }): Promise<LocalS3> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = spawnManaged('s3', 's3', port, process.execPath, [
    // s3rver's list continuation tokens use DES, which Node's OpenSSL 3 keeps in its legacy provider
    '--openssl-legacy-provider', SERVER_JS, join(dir, 'data'), '127.0.0.1', String(port), bucket], join(dir, 's3rver.log'),
  { ...process.env, S3_ACCESS_KEY_ID: keys.accessKeyId, S3_SECRET_ACCESS_KEY: keys.secretAccessKey, ...(tls ? { S3_TLS_CERT: tls.cert, S3_TLS_KEY: tls.key } : {}) });
  try {
    await waitUntil('s3rver to listen', () => listening(port), 30_000);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    endpoint: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, bucket, ...keys, process: proc,
    stop: () => proc.stop(),
  };
}
