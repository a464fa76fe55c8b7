/**
 * The query-worker protocol end to end through real worker threads: attach (shared
 * vectors, index views), exact top-k over ranges, bitmap filters, ANN search with
 * widening and its exact fallback, cancel, a crashed worker (its requests fail, it is
 * replaced), and shutdown. Answers are compared with the same computation in this thread.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HnswIndex } from '../src/ann/hnsw.js';
import { QueryWorkerPool, type SegmentRef } from '../src/query-worker/pool.js';
import { BestPositions, candidateCap, rankKernel } from '../src/query-worker/kernels.js';
import { bitmapHas, bitmapSet, newBitmap, type SharedVectors } from '../src/query-worker/protocol.js';
import { WorkerState } from '../src/query-worker/worker.js';
import type { DistanceOp } from '../src/ann/api.js';

const DIM = 48;
const dir = mkdtempSync(join(tmpdir(), 'quiver-qw-'));
const pools: QueryWorkerPool[] = [];

after(async () => {
  for (const p of pools) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

function pool(n: number): QueryWorkerPool {
  const p = new QueryWorkerPool(n);
  pools.push(p);
  return p;
}

/** Deterministic pseudo-random vectors in shared memory, split in two chunks like two record batches. */
function sharedVectors(count: number, seed = 1): { vectors: SharedVectors; data: Float32Array } {
  let x = seed;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  const first = Math.floor(count / 3);
  const a = new Float32Array(new SharedArrayBuffer(first * DIM * 4));
  const b = new Float32Array(new SharedArrayBuffer(16 + (count - first) * DIM * 4), 16, (count - first) * DIM);
  const data = new Float32Array(count * DIM);
  for (let i = 0; i < data.length; i++) data[i] = rnd();
  a.set(data.subarray(0, first * DIM));
  b.set(data.subarray(first * DIM));
  return {
    data,
    vectors: { dim: DIM, count, chunks: [{ buffer: a.buffer as SharedArrayBuffer, byteOffset: 0, rows: first }, { buffer: b.buffer as SharedArrayBuffer, byteOffset: 16, rows: count - first }] },
  };
}

/** The top-keep positions computed in this thread with the same kernel. */
function expectedTopK(data: Float32Array, query: Float32Array, op: DistanceOp, keep: number, start: number, end: number, allowed?: Uint8Array): number[] {
  const { rank } = rankKernel(op, false, DIM);
  const best = new BestPositions(keep);
  for (let p = start; p < end; p++) {
    if (allowed && !bitmapHas(allowed, p)) continue;
    best.offer(rank(data.subarray(p * DIM, (p + 1) * DIM), query), p);
  }
  return [...best.result().positions];
}

const N = 5000;
const seg = sharedVectors(N);
const query = seg.data.slice(7 * DIM, 8 * DIM);
const ref: SegmentRef = { vectors: seg.vectors };

test('exact top-k over ranges equals the in-thread computation, for every operator', async () => {
  const p = pool(2);
  for (const op of ['<->', '<=>', '<#>', '<+>'] as const) {
    const keep = candidateCap(10, rankKernel(op, false, DIM).twoStep);
    const ranges = [[0, 1200], [1200, 1800], [1800, N]] as const;
    const answers = await Promise.all(ranges.map(([start, end]) => p.exactTopK(ref, { kind: 'exactTopK', query, op, half: false, keep, start, end }).done));
    ranges.forEach(([start, end], i) => {
      assert.deepEqual([...answers[i].hits!.positions], expectedTopK(seg.data, query, op, keep, start, end), `${op} ${start}-${end}`);
    });
  }
});

test('an allowed-positions bitmap restricts exact top-k', async () => {
  const p = pool(2);
  const allowed = newBitmap(N);
  for (let i = 0; i < N; i += 3) bitmapSet(allowed, i);
  const r = await p.exactTopK(ref, { kind: 'exactTopK', query, op: '<->', half: false, keep: 20, start: 0, end: N, allowed }).done;
  assert.ok(r.hits!.positions.every((pos) => pos % 3 === 0));
  assert.deepEqual([...r.hits!.positions], expectedTopK(seg.data, query, '<->', 20, 0, N, allowed));
  assert.ok(!r.hits!.positions.includes(7), 'the query row itself is filtered out');
});

test('ANN search in a worker equals the same index searched in this thread; widening and exact fallback', async () => {
  const p = pool(2);
  const index = HnswIndex.build('<->', seg.data, N, DIM, { m: 16, efConstruction: 64 });
  const path = join(dir, 'seg.usearch');
  index.save(path);
  const ann: SegmentRef = { vectors: seg.vectors, indexes: new Map([['idx', index.fileRef()]]) };
  const body = { kind: 'annSearch' as const, index: 'idx', query, k: 10, ef: 40, want: 10, op: '<->' as const, half: false, keep: 26 };
  const r = await p.annSearch(ann, body).done;
  assert.deepEqual([...r.hits!.positions], index.search(query, 10, 40).map((h) => h.position));
  assert.equal(r.exhausted, undefined);

  // every 50th position allowed: k = 10 needs widening beyond the first 10 candidates
  const sparse = newBitmap(N);
  for (let i = 0; i < N; i += 50) bitmapSet(sparse, i);
  const w = await p.annSearch(ann, { ...body, allowed: sparse }).done;
  assert.ok(w.widenings! > 0);
  assert.ok(w.hits!.positions.length >= 10 && w.hits!.positions.every((pos) => pos % 50 === 0));

  // 3 allowed positions: the index cannot deliver 10, the worker scans exactly
  const three = newBitmap(N);
  for (const i of [5, 500, 4999]) bitmapSet(three, i);
  const e = await p.annSearch(ann, { ...body, allowed: three }).done;
  assert.equal(e.exhausted, true);
  assert.deepEqual([...e.hits!.positions].sort((a, b) => a - b), [5, 500, 4999]);
  index.close();
});

test('cancel rejects with 57014 at once and the worker stops; the pool keeps serving', async () => {
  const p = pool(1);
  const big = sharedVectors(200_000, 3);
  const req = p.exactTopK({ vectors: big.vectors }, { kind: 'exactTopK', query, op: '<+>', half: false, keep: 10, start: 0, end: 200_000 });
  const t0 = performance.now();
  p.cancel(req.id);
  await assert.rejects(req.done, (e: { code?: string }) => e.code === '57014');
  const next = await p.exactTopK(ref, { kind: 'exactTopK', query, op: '<->', half: false, keep: 5, start: 0, end: N }).done;
  assert.equal(next.hits!.positions[0], 7);
  // the cancelled scan (~0.1 s of L1 over 200k×48 in a worker) did not run to the end first
  assert.ok(performance.now() - t0 < 5000);
});

test('a crashed worker fails its in-flight requests with an error and is replaced', async () => {
  const p = pool(1);
  const big = sharedVectors(200_000, 5);
  const inFlight = p.exactTopK({ vectors: big.vectors }, { kind: 'exactTopK', query, op: '<+>', half: false, keep: 10, start: 0, end: 200_000 });
  await p.killWorker(0);
  await assert.rejects(inFlight.done, (e: { code?: string; message: string }) => e.code === 'XX000' && /query worker 0/.test(e.message));
  assert.equal(p.replaced, 1);
  // the replacement has nothing attached: the pool attaches again before the request
  const r = await p.exactTopK(ref, { kind: 'exactTopK', query, op: '<->', half: false, keep: 5, start: 0, end: N }).done;
  assert.equal(r.hits!.positions[0], 7);
});

test('shutdown fails what is in flight and refuses new requests', async () => {
  const p = new QueryWorkerPool(2);
  const big = sharedVectors(100_000, 9);
  const inFlight = p.exactTopK({ vectors: big.vectors }, { kind: 'exactTopK', query, op: '<+>', half: false, keep: 10, start: 0, end: 100_000 });
  const failed = assert.rejects(inFlight.done, (e: { code?: string }) => e.code === '57P01');
  await p.close();
  await failed;
  assert.throws(() => p.exactTopK(ref, { kind: 'exactTopK', query, op: '<->', half: false, keep: 5, start: 0, end: N }), (e: { code?: string }) => e.code === '57P01');
});

test('worker state: requests about unknown segments or indexes are errors, not crashes', () => {
  const w = new WorkerState();
  const r = w.handle({ kind: 'exactTopK', id: 1, segment: 'nope', query, op: '<->', half: false, keep: 1, start: 0, end: 1 });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.error.code === 'XX000' && /not attached/.test(r.error.message));
  w.handle({ kind: 'attach', id: 2, segment: 's', vectors: seg.vectors });
  const bad = w.handle({ kind: 'attachIndex', id: 3, segment: 's', index: 'i', file: { path: join(dir, 'missing.usearch'), op: '<->', dim: DIM, size: N, m: 16, efConstruction: 64 } });
  assert.equal(bad.ok, false);
  const s = w.handle({ kind: 'annSearch', id: 4, segment: 's', index: 'i', query, k: 1, ef: 10, want: 1, op: '<->', half: false, keep: 1 });
  assert.ok(!s.ok && /not attached: /.test(s.error.message), 'the attach failure is reported with the request');
  w.handle({ kind: 'detach', id: 5, segment: 's' });
  assert.equal(w.attachedCount, 0);
});
