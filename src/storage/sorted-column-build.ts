/**
 * Sorted column indexes (sorted-column.ts) built in a worker thread: the first filtered
 * vector search on a segment's column asks for one, and the sort (tens of milliseconds for
 * 200,000 rows) would otherwise hold up every other session. One worker, started when first
 * needed, sorts the columns one after another; it does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { SortedKeys } from './sorted-column.js';

/** One record batch's values of a numeric column, as plain memory. */
export interface NumberChunk {
  /** the chunk's first position in the segment */
  readonly start: number;
  readonly length: number;
  /** values[i] is the value at position start + i (int64: bigints) */
  readonly values: Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;
  /** Arrow's validity bitmap (1: not NULL), from bit `bitOffset`; absent: no NULLs */
  readonly validity?: Uint8Array;
  readonly bitOffset: number;
}

/** What the worker is sent (sorted-column-worker.ts). */
export interface SortRequest {
  readonly id: number;
  readonly length: number;
  readonly chunks: readonly NumberChunk[];
}

/** sorted: undefined when a value is not a number (sortKeys) */
export type SortReply = { readonly id: number; readonly sorted: SortedKeys | undefined } | { readonly id: number; readonly error: string };

let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (s: SortedKeys | undefined) => void; reject: (e: Error) => void }>();
let idleWaiters: (() => void)[] = [];

function sorter(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./sorted-column-worker.js', import.meta.url));
  const failAll = (e: Error) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    settleIdle();
  };
  w.on('message', (reply: SortReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('error' in reply) p.reject(new Error(`sorted column build failed: ${reply.error}`));
    else p.resolve(reply.sorted);
    if (pending.size === 0) w.unref();
    settleIdle();
  });
  w.on('error', failAll);
  w.on('exit', (code) => failAll(new Error(`sorted column worker exited with code ${code}`)));
  w.unref();
  worker = w;
  return w;
}

/**
 * The sorted keys of a column of `length` rows given as its record batches' values (a
 * SharedArrayBuffer's views are shared with the worker, other buffers copied); undefined
 * when a value is not a number.
 */
export function sortColumnInWorker(length: number, chunks: readonly NumberChunk[]): Promise<SortedKeys | undefined> {
  const w = sorter();
  const id = nextId++;
  const done = new Promise<SortedKeys | undefined>((resolve, reject) => pending.set(id, { resolve, reject }));
  // a build in flight keeps the process alive until it answers
  w.ref();
  w.postMessage({ id, length, chunks } satisfies SortRequest);
  return done;
}

function settleIdle(): void {
  if (pending.size > 0) return;
  const waiters = idleWaiters;
  idleWaiters = [];
  for (const w of waiters) w();
}

/** Resolves when no sort is in flight (tests: the indexes asked for so far are there). */
export function sortedColumnBuildsIdle(): Promise<void> {
  if (pending.size === 0) return Promise.resolve();
  return new Promise((resolve) => idleWaiters.push(resolve));
}
