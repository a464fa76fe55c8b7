/**
 * AWS Signature Version 4 checked on the server side, for the local S3 stand-in (s3-server.ts):
 * s3rver 3.7 accepts a request that carries no signature at all, and of a V4 signature checks
 * only that the access key exists ("V4 calculation is unimplemented"), so anyone on the host
 * could write segment files. This recomputes the signature of the Authorization header as S3
 * does (canonical request → string to sign → HMAC with the key derived from the secret) and
 * refuses anything else. The payload hash is the one the client declared
 * (x-amz-content-sha256), as S3 signs it; presigned URLs and V2 signatures are refused (the
 * AWS SDK that Quiver uses sends neither).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Request {
  readonly method: string;
  /** the path and query as sent (`req.url`) */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/** S3 refuses requests dated further than this from its clock. */
const MAX_SKEW_MS = 15 * 60_000;

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();

/** RFC 3986 unreserved characters kept, every other byte %XX (the SDK's escapeUri). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query.split('&').filter((p) => p.length > 0).map((p) => {
    const eq = p.indexOf('=');
    const [k, v] = eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
    return [escape(decodeURIComponent(k.replace(/\+/g, ' '))), escape(decodeURIComponent(v.replace(/\+/g, ' ')))];
  }).sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x! < y! ? -1 : x! > y! ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
}

const headerValue = (h: string | string[] | undefined) => (Array.isArray(h) ? h.join(',') : h ?? '').trim().replace(/\s+/g, ' ');

/** "20261207T140000Z" → milliseconds, or NaN. */
function amzTime(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

/**
 * Why the request is not signed by `accessKeyId`'s secret (undefined: it is). The reason is
 * the server's log line; the client gets S3's AccessDenied.
 */
export function sigV4Refusal(req: SigV4Request, accessKeyId: string, secretAccessKey: string, now = Date.now()): string | undefined {
  const auth = headerValue(req.headers.authorization);
  if (!auth) return 'no Authorization header (anonymous requests are refused)';
  const m = AUTH.exec(auth);
  if (!m) return 'not an AWS4-HMAC-SHA256 Authorization header';
  const [, keyId, day, region, service, signedHeaders, signature] = m as unknown as string[];
  if (keyId !== accessKeyId) return `unknown access key ${keyId}`;
  const stamp = headerValue(req.headers['x-amz-date']);
  const at = amzTime(stamp);
  if (Number.isNaN(at) || !stamp.startsWith(day!)) return 'no valid x-amz-date';
  if (Math.abs(now - at) > MAX_SKEW_MS) return 'the request is dated more than 15 minutes from now';
  const names = signedHeaders!.split(';');
  if (!names.includes('host')) return 'the host header is not signed';
  const q = req.url.indexOf('?');
  const canonical = [
    req.method,
    q < 0 ? req.url : req.url.slice(0, q),
    canonicalQuery(q < 0 ? '' : req.url.slice(q + 1)),
    names.map((n) => `${n}:${headerValue(req.headers[n])}\n`).join(''),
    signedHeaders,
    headerValue(req.headers['x-amz-content-sha256']) || 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${sha256(canonical)}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day!), region!), service!), 'aws4_request');
  const expected = hmac(key, toSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, 'hex'))) return 'the signature does not match (wrong secret key)';
  return undefined;
}
