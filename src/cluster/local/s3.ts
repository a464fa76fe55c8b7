/**
 * s3rver (npm) in a child process: S3's API on loopback, standing in for S3 or MinIO, with
 * one bucket made at start. Its files live in `dir`.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort, listening, spawnManaged, waitUntil, type ManagedProcess } from './processes.js';

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** s3rver's fixed credentials */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export async function startLocalS3(dir: string, bucket = 'quiver'): Promise<LocalS3> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const cli = join(createRequire(import.meta.url).resolve('s3rver/package.json'), '..', 'bin', 's3rver.js');
  const proc = spawnManaged('s3', 's3', port, process.execPath, [
    // s3rver's list continuation tokens use DES, which Node's OpenSSL 3 keeps in its legacy provider
    '--openssl-legacy-provider', cli, '-d', join(dir, 'data'), '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', bucket], join(dir, 's3rver.log'));
  try {
    await waitUntil('s3rver to listen', () => listening(port), 30_000);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', process: proc,
    stop: () => proc.stop(),
  };
}
