/**
 * TLS on the cluster's own links (src/cluster/peer-tls.ts, README "Cluster mode", security):
 * a query node and an index node given a certificate serve TLS only; a caller given the CA
 * checks the node's certificate (chain and address) and runs the --cluster-secret handshake
 * inside the TLS channel. A caller trusting another CA, or a certificate without the
 * address dialled, is refused; the bytes on the wire carry neither the handshake nor the
 * frames in clear.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { makeCa, makeNodeCert, opensslAvailable } from '../src/cluster/local/certs.js';
import { FramedConnection } from '../src/cluster/query-node-protocol.js';
import { startQueryNode, type RunningQueryNode } from '../src/cluster/query-node.js';
import { startIndexNode, type RunningIndexNode } from '../src/cluster/index-node.js';
import type { PeerTls } from '../src/cluster/peer-tls.js';
import type { SegmentSearchPool } from '../src/query-worker/pool.js';
import type { ObjectStore } from '../src/storage/shared-log.js';

const skip = !opensslAvailable() && 'the openssl command is not installed';
const SECRET = 'a-cluster-secret-of-32-characters';
/** a string sent in a frame: seen on the wire only when the link is plaintext */
const MARKER = 'MARKER-plaintext-7f3a9c';
const logger = pino({ level: process.env.QUIVER_TEST_LOG_LEVEL ?? 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'quiver-peer-tls-'));

/** an object store holding nothing: requests naming files are answered "not here" */
const emptyStore: ObjectStore = {
  put: async () => {}, get: async () => false, has: async () => false, delete: async () => {}, list: async () => [],
} as unknown as ObjectStore;
/** stats is all the test asks a query node: it only reads the pool's size */
const pool = { size: 1 } as unknown as SegmentSearchPool;

let serving: PeerTls;
let rightCa: PeerTls;
let otherCa: PeerTls;
/** a certificate of the right CA naming only "localhost": dialled at 127.0.0.1, verify-full refuses it */
let nameOnly: PeerTls;
let plainNode: RunningQueryNode;
let tlsNode: RunningQueryNode;
let indexNode: RunningIndexNode;

before(async () => {
  if (skip) return;
  const ca = makeCa(join(dir, 'ca'));
  const node = makeNodeCert(join(dir, 'ca'), ca, 'node');
  const localhostOnly = makeNodeCert(join(dir, 'ca'), ca, 'localhost-only', ['localhost']);
  const other = makeCa(join(dir, 'other'), 'Another CA');
  serving = { cert: readFileSync(node.cert), key: readFileSync(node.key) };
  rightCa = { ca: readFileSync(ca.cert) };
  otherCa = { ca: readFileSync(other.cert) };
  nameOnly = { cert: readFileSync(localhostOnly.cert), key: readFileSync(localhostOnly.key) };
  const common = { host: '127.0.0.1', port: 0, objects: emptyStore, logger, secret: SECRET };
  plainNode = await startQueryNode({ ...common, cacheDir: join(dir, 'plain'), pool });
  tlsNode = await startQueryNode({ ...common, cacheDir: join(dir, 'tls'), pool, tls: serving });
  indexNode = await startIndexNode({ ...common, workDir: join(dir, 'index'), tls: serving });
});

after(async () => {
  await plainNode?.close();
  await tlsNode?.close();
  await indexNode?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `message` and resolves with the first answer, or with the reason the connection ended. */
function exchange(port: number, message: unknown, tls: PeerTls | undefined, secret = SECRET): Promise<{ answer?: unknown; ended?: string }> {
  return new Promise((resolve) => {
    const conn: FramedConnection = new FramedConnection(`127.0.0.1:${port}`, (m) => {
      resolve({ answer: m });
      conn.end();
    }, (why) => resolve({ ended: why }), secret, tls);
    conn.send(message);
  });
}

/** A TCP relay to `port` that records every byte it passes, both ways. */
async function relay(port: number): Promise<{ port: number; seen(): Buffer; close(): void }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = connect({ host: '127.0.0.1', port });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => { inbound.destroy(); outbound.destroy(); });
    }
    inbound.on('data', (b: Buffer) => { chunks.push(b); outbound.write(b); });
    outbound.on('data', (b: Buffer) => { chunks.push(b); inbound.write(b); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    seen: () => Buffer.concat(chunks),
    close: () => { for (const s of sockets) s.destroy(); server.close(); },
  };
}

describe('TLS on the query-node and index-node links', { skip }, () => {
  it('a caller trusting the cluster CA is answered, through TLS and the secret handshake', async () => {
    const r = await exchange(tlsNode.port, { kind: 'stats', id: 1 }, rightCa);
    assert.deepEqual(r.answer, { id: 1, ok: true, stats: { served: 0, segments: 0, workers: 1 } }, `no answer: ${r.ended}`);
    // the index node: a build of a segment its store lacks is answered "not here", over TLS
    const b = await exchange(indexNode.port, { kind: 'build', id: 2, build: { segmentFile: 'seg-1.qseg', column: 0, index: 'i', kind: 'hnsw', options: {}, indexFile: 'seg-1.i.hnsw' } }, rightCa);
    assert.ok(b.answer, `no answer from the index node: ${b.ended}`);
    assert.equal((b.answer as { id: number; ok: boolean }).id, 2);
    assert.equal((b.answer as { ok: boolean }).ok, false);
  });

  it('a caller trusting another CA is refused before any frame', async () => {
    for (const port of [tlsNode.port, indexNode.port]) {
      const r = await exchange(port, { kind: 'stats', id: 1 }, otherCa);
      assert.equal(r.answer, undefined);
      assert.match(r.ended ?? '', /self.signed|unable to (verify|get)|certificate/i);
    }
  });

  it('verify-full: a certificate of the right CA without the address dialled is refused', async () => {
    const node = await startQueryNode({ host: '127.0.0.1', port: 0, objects: emptyStore, logger, secret: SECRET, cacheDir: join(dir, 'name-only'), pool, tls: nameOnly });
    try {
      const r = await exchange(node.port, { kind: 'stats', id: 1 }, rightCa);
      assert.equal(r.answer, undefined);
      assert.match(r.ended ?? '', /IP: 127\.0\.0\.1 is not in the cert's list|altnames/i);
    } finally {
      await node.close();
    }
  });

  it('a caller with the right secret but no TLS gets nothing in clear and no answer', async () => {
    // a raw TCP client: a plaintext node greets it with the handshake's magic at once, a TLS node says nothing
    const firstBytes = (port: number) => new Promise<Buffer>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      const got: Buffer[] = [];
      s.on('data', (b: Buffer) => got.push(b));
      s.on('error', () => {});
      setTimeout(() => { s.destroy(); resolve(Buffer.concat(got)); }, 300);
    });
    assert.equal((await firstBytes(plainNode.port)).subarray(0, 4).toString('latin1'), 'QVRP');
    assert.equal((await firstBytes(tlsNode.port)).length, 0);
    // plaintext frames to a TLS node: the TLS server drops the connection
    const s = connect({ host: '127.0.0.1', port: tlsNode.port });
    s.on('error', () => {});
    s.write(Buffer.alloc(64, 1));
    await new Promise<void>((resolve) => s.on('close', () => resolve()));
  });

  it('the bytes on the wire carry neither the handshake nor the frames (they do without TLS)', async () => {
    const message = { kind: 'stats', id: 3, note: MARKER };
    const clear = await relay(plainNode.port);
    try {
      const r = await exchange(clear.port, message, undefined);
      assert.ok(r.answer, `no answer: ${r.ended}`);
      // the test can see plaintext: the handshake's magic and the frame's string
      assert.ok(clear.seen().includes('QVRP'));
      assert.ok(clear.seen().includes(MARKER));
    } finally {
      clear.close();
    }
    const secure = await relay(tlsNode.port);
    try {
      const r = await exchange(secure.port, message, rightCa);
      assert.deepEqual(r.answer, { id: 3, ok: true, stats: { served: 0, segments: 0, workers: 1 } }, `no answer: ${r.ended}`);
      assert.ok(secure.seen().length > 0);
      assert.ok(!secure.seen().includes('QVRP'), 'the handshake went in clear');
      assert.ok(!secure.seen().includes(MARKER), 'a frame went in clear');
    } finally {
      secure.close();
    }
  });
});
