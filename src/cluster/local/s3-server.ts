/**
 * The local S3 stand-in's process (s3.ts starts it): s3rver (npm) on loopback with one
 * bucket, behind a gate that lets through only requests signed with the cluster's own key
 * pair (sigv4.ts): s3rver alone takes anonymous requests and any V4 signature of a known
 * key. The well-known S3RVER/S3RVER pair is revoked. Arguments: directory, address, port,
 * bucket; the key pair comes in the environment (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY),
 * never on the command line where `ps` shows it; S3_TLS_CERT and S3_TLS_KEY (PEM files), when
 * set, make it serve https:// only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sigV4Refusal } from './sigv4.js';

interface KoaContext {
  readonly method: string;
  readonly url: string;
  readonly req: { headers: import('node:http').IncomingHttpHeaders };
  status: number;
  type: string;
  body: unknown;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (opts: object) => { middleware: Middleware[]; run(): Promise<unknown> };
const AWSAccount = require('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { revokeAccessKey(id: string): void; createKeyPair(id: string, secret: string): void } };

const [directory, address, port, bucket] = process.argv.slice(2);
const accessKeyId = process.env.S3_ACCESS_KEY_ID;
const secretAccessKey = process.env.S3_SECRET_ACCESS_KEY;
if (!directory || !address || !port || !bucket || !accessKeyId || !secretAccessKey) {
  process.stderr.write('usage: S3_ACCESS_KEY_ID=… S3_SECRET_ACCESS_KEY=… node s3-server.js DIRECTORY ADDRESS PORT BUCKET\n');
  process.exit(2);
}
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);

const gate: Middleware = async (ctx, next) => {
  const why = sigV4Refusal({ method: ctx.method, url: ctx.url, headers: ctx.req.headers }, accessKeyId, secretAccessKey);
  if (why === undefined) return next();
  process.stderr.write(`refused ${ctx.method} ${ctx.url.split('?')[0]}: ${why}\n`);
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
};

const tls = process.env.S3_TLS_CERT && process.env.S3_TLS_KEY ? { cert: readFileSync(process.env.S3_TLS_CERT), key: readFileSync(process.env.S3_TLS_KEY) } : {};
const server = new S3rver({ directory, address, port: Number(port), silent: true, configureBuckets: [{ name: bucket, configs: [] }], ...tls });
// ahead of s3rver's own middleware (Koa composes the list when the server starts listening)
server.middleware.unshift(gate);
await server.run();
