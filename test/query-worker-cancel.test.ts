/**
 * A cancelled statement may have many requests queued on one query worker: every one of
 * them stops (the worker does not work through the queue before serving the next query).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { QueryWorkerPool } from '../src/query-worker/pool.js';
import type { SharedVectors } from '../src/query-worker/protocol.js';

const DIM = 48;
const pools: QueryWorkerPool[] = [];

after(async () => {
  for (const p of pools) await p.close();
});

function sharedVectors(count: number): SharedVectors {
  const data = new Float32Array(new SharedArrayBuffer(count * DIM * 4));
  let x = 7;
  for (let i = 0; i < data.length; i++) data[i] = ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) - 0.5;
  return { dim: DIM, count, chunks: [{ buffer: data.buffer as SharedArrayBuffer, byteOffset: 0, rows: count }] };
}

test('cancelling every queued request of a statement frees the worker at once', async () => {
  const p = new QueryWorkerPool(1);
  pools.push(p);
  const rows = 200_000;
  const seg = { vectors: sharedVectors(rows) };
  const query = new Float32Array(DIM).fill(0.1);
  const body = { kind: 'exactTopK' as const, query, op: '<+>' as const, half: false, keep: 10, start: 0, end: rows };
  // warm up (attach, JIT), then the cost of one full scan
  await p.exactTopK(seg, body).done;
  let t0 = performance.now();
  await p.exactTopK(seg, body).done;
  const oneScan = performance.now() - t0;

  const queued = Array.from({ length: 20 }, () => p.exactTopK(seg, body));
  for (const r of queued) p.cancel(r.id);
  for (const r of queued) await assert.rejects(r.done, (e: { code?: string }) => e.code === '57014');
  t0 = performance.now();
  const next = await p.exactTopK(seg, { ...body, end: 1000 }).done;
  const waited = performance.now() - t0;
  assert.equal(next.hits!.positions.length, 10);
  // 20 scans run to the end would take 20 × oneScan; each cancelled one stops within 4096 rows
  assert.ok(waited < Math.max(5 * oneScan, 200), `the next request waited ${waited.toFixed(0)} ms (one scan: ${oneScan.toFixed(0)} ms)`);
});
