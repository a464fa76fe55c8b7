/**
 * The object store on S3's API against s3rver (npm) on loopback: a 20 MB file round trip,
 * missing keys, listing past one page (1,000 keys), delete and overwrite, and a download
 * that fails midway leaves no file at its destination; requests not signed with the server's
 * key pair (anonymous, s3rver's well-known pair, a wrong secret) are refused.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalS3, type LocalS3 } from '../src/cluster/local/s3.js';
import { waitUntil } from '../src/cluster/local/processes.js';
import { S3ObjectStore } from '../src/cluster/s3-object-store.js';

const dir = mkdtempSync(join(tmpdir(), 'quiver-s3-'));
let s3: LocalS3;
let store: S3ObjectStore;

before(async () => {
  s3 = await startLocalS3(join(dir, 's3'));
  store = new S3ObjectStore({ endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'node-a', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
});

after(async () => {
  store?.close();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a 20 MB file goes up and comes back byte for byte', async (t) => {
  const src = join(dir, 'big.arrow');
  const bytes = Buffer.alloc(20 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(src, bytes);
  let t0 = performance.now();
  await store.put('t1-s1.arrow', src);
  const up = performance.now() - t0;
  assert.equal(await store.has('t1-s1.arrow'), true);
  const dst = join(dir, 'copy.arrow');
  t0 = performance.now();
  assert.equal(await store.get('t1-s1.arrow', dst), true);
  const down = performance.now() - t0;
  assert.ok(readFileSync(dst).equals(bytes));
  assert.equal(existsSync(`${dst}.part`), false);
  t.diagnostic(`20 MB on loopback s3rver: put ${(20 / (up / 1000)).toFixed(0)} MB/s, get ${(20 / (down / 1000)).toFixed(0)} MB/s`);
});

test('a missing key: get says false and writes nothing, has says false, delete is fine', async () => {
  const dst = join(dir, 'none');
  assert.equal(await store.get('no-such-file', dst), false);
  assert.equal(existsSync(dst) || existsSync(`${dst}.part`), false);
  assert.equal(await store.has('no-such-file'), false);
  await store.delete('no-such-file');
});

test('list pages past 1,000 keys and strips the prefix; delete and overwrite', async () => {
  const small = join(dir, 'small');
  writeFileSync(small, 'v1');
  const names = Array.from({ length: 1005 }, (_, i) => `t2-s${String(i).padStart(4, '0')}.arrow`);
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => store.put(n, small)));
  const listed = (await store.list('t2-')).sort();
  assert.deepEqual(listed, names);
  await store.delete(names[0]);
  assert.equal((await store.list('t2-')).length, 1004);
  writeFileSync(small, 'v2');
  await store.put(names[1], small);
  const dst = join(dir, 'over');
  await store.get(names[1], dst);
  assert.equal(readFileSync(dst, 'utf8'), 'v2');
  // another prefix does not see them
  const other = new S3ObjectStore({ endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'node-b', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  assert.deepEqual(await other.list('t2-'), []);
  other.close();
});

test('only requests signed with the server\'s key pair are served (s3rver alone takes any)', async () => {
  const src = join(dir, 'guarded');
  writeFileSync(src, 'guarded');
  await store.put('guarded', src);
  const url = `${s3.endpoint}/${s3.bucket}/node-a/guarded`;
  // anonymous: no Authorization header at all
  assert.equal((await fetch(url)).status, 403);
  assert.equal((await fetch(url, { method: 'PUT', body: 'overwritten' })).status, 403);
  // the well-known s3rver key pair, and the right key id with another secret
  for (const keys of [{ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' }]) {
    const intruder = new S3ObjectStore({ endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'node-a', ...keys });
    await assert.rejects(intruder.put('guarded', src), /denied|403/i);
    await assert.rejects(intruder.get('guarded', join(dir, 'stolen')), /denied|403/i);
    intruder.close();
  }
  const dst = join(dir, 'guarded-copy');
  assert.equal(await store.get('guarded', dst), true);
  assert.equal(readFileSync(dst, 'utf8'), 'guarded');
});

test('a download cut off midway leaves nothing at the destination', async () => {
  const src = join(dir, 'mid.arrow');
  writeFileSync(src, Buffer.alloc(64 * 1024 * 1024, 7));
  await store.put('mid.arrow', src);
  const dst = join(dir, 'mid-copy.arrow');
  const getting = store.get('mid.arrow', dst);
  // its failure is looked at below: caught now, so a rejection during the kill is not "unhandled"
  const outcome = getting.then(() => undefined, (e: unknown) => e);
  // stopped once the download is under way: bytes have reached the temporary file
  await waitUntil('the download to start', () => existsSync(`${dst}.part`) && statSync(`${dst}.part`).size > 0, 10_000, 2);
  await s3.process.kill9();
  assert.ok((await outcome) instanceof Error, 'the download failed');
  assert.equal(existsSync(dst), false, 'no half-written file at the destination');
  assert.equal(existsSync(`${dst}.part`), false);
});
