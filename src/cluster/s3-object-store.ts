/**
 * The object store (src/storage/shared-log.ts) on S3's API (@aws-sdk/client-s3): sealed
 * segment files, index files and IVFFlat centers, by their file names, under an optional
 * key prefix. Any S3-compatible service works (MinIO, s3rver in tests): path-style
 * addressing when an endpoint is given. A download is written next to its destination
 * and renamed into place once complete and fsynced, so a reader never sees half a file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Agent as HttpsAgent } from 'node:https';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../storage/shared-log.js';

/** Where the objects live and how to reach them. */
export interface S3StoreOptions {
  readonly bucket: string;
  /** an S3-compatible endpoint (absent: AWS, region and credentials from the environment) */
  readonly endpoint?: string;
  /** keys are `prefix/name` */
  readonly prefix?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** bucket in the path, not the host name (default: true when an endpoint is given, as MinIO and s3rver need) */
  readonly forcePathStyle?: boolean;
  /** the CA an https:// endpoint's certificate is checked against (absent: the system's CAs) */
  readonly tlsCa?: Buffer;
}

function notFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

/** The ObjectStore on one S3 bucket (and key prefix). */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;

  constructor(private readonly opts: S3StoreOptions) {
    // package.json pins the SDK to a release that supports Node 20: its warning that later
    // releases will not is noise in every node's log
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
      // checksums only where S3 requires them: the SDK's default sends a streamed body
      // aws-chunked with a trailing CRC, which S3-compatible servers such as s3rver store
      // as it came, chunk headers and all (measured: a 20 MB round trip came back altered)
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      forcePathStyle: opts.forcePathStyle ?? opts.endpoint !== undefined,
      ...(opts.accessKeyId && opts.secretAccessKey ? { credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey } } : {}),
      ...(opts.tlsCa ? { requestHandler: { httpsAgent: new HttpsAgent({ ca: opts.tlsCa, keepAlive: true }) } } : {}),
    });
  }

  private key(name: string): string {
    return this.opts.prefix ? `${this.opts.prefix}/${name}` : name;
  }

  private fail(what: string, name: string, e: unknown): Error {
    const err = e as { name?: string; message?: string };
    return new Error(`S3 ${what} of ${this.key(name)} in bucket ${this.opts.bucket} failed: ${err?.name ?? 'Error'}: ${err?.message ?? e}`);
  }

  async put(name: string, file: string): Promise<void> {
    const { size } = await stat(file);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name), Body: createReadStream(file), ContentLength: size }));
    } catch (e) {
      throw this.fail('upload', name, e);
    }
  }

  async get(name: string, file: string): Promise<boolean> {
    const part = `${file}.part`;
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name) }));
      await pipeline(r.Body as Readable, createWriteStream(part));
      const fh = await open(part, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(part, file);
      return true;
    } catch (e) {
      await unlink(part).catch(() => {});
      if (notFound(e)) return false;
      throw this.fail('download', name, e);
    }
  }

  async has(name: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name) }));
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw this.fail('lookup', name, e);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.key(name) }));
    } catch (e) {
      if (!notFound(e)) throw this.fail('delete', name, e);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const strip = this.opts.prefix ? this.opts.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.key(prefix), ContinuationToken: token }));
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  close(): void {
    this.client.destroy();
  }
}

/** The object store in `opts.bucket` (call `close()` to release its connections). */
export function openS3ObjectStore(opts: S3StoreOptions): S3ObjectStore {
  return new S3ObjectStore(opts);
}
