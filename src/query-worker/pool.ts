/**
 * The coordinator's side of the query workers: N worker threads, one Promise per request,
 * least-loaded dispatch, cancel by request id, and a crashed worker fails only its own
 * in-flight requests (with an error, never a hang) and is replaced.
 *
 * Segments are attached lazily: a request about a segment a worker has not seen is
 * preceded by an `attach` (and `attachIndex`) message on the same port — messages are
 * ordered, so no round trip is needed. Keys are chosen here, per SharedVectors object; when
 * that object is garbage-collected (segment dropped by compaction or DROP TABLE), every
 * worker is told to detach it.
 */
import { Worker } from 'node:worker_threads';
import { SqlError } from '../errors.js';
import { CANCEL_RING } from './protocol.js';
import type {
  AnnSearchRequest, ExactTopKRequest, IndexFileRef, OkResponse, SharedVectors, WorkerInit, WorkerRequest, WorkerResponse,
} from './protocol.js';

/** A segment as the pool needs it: its shared vectors (identity = the segment) and index files. */
export interface SegmentRef {
  readonly vectors: SharedVectors;
  /** index name → file, for ANN requests */
  readonly indexes?: ReadonlyMap<string, IndexFileRef>;
}

/** A request as the executor writes it: the pool adds the id and the segment's key. */
export type Body<R> = R extends WorkerRequest ? Omit<R, 'id' | 'segment'> : never;

interface Pending {
  readonly resolve: (r: OkResponse) => void;
  readonly reject: (e: Error) => void;
  readonly slot: number;
}

interface Slot {
  worker: Worker;
  /** requests sent and not answered */
  inFlight: number;
  /** segment keys attached in this worker, and `${segment}\0${index}\0${path}` of its indexes */
  readonly attached: Set<string>;
  readonly indexes: Set<string>;
}

/** A request in flight: await `done`, or cancel it by `id`. */
export interface PendingRequest {
  readonly id: number;
  readonly done: Promise<OkResponse>;
}

/**
 * What the executor needs of whoever serves sealed-segment vector search: this process's
 * worker threads (QueryWorkerPool), or query nodes on other machines in cluster mode
 * (cluster/query-node-pool.ts), both speaking protocol.ts.
 */
export interface SegmentSearchPool {
  /** how many searches can run at once (an exact scan of a segment is split into up to this many ranges) */
  readonly size: number;
  annSearch(seg: SegmentRef, body: Body<AnnSearchRequest>): PendingRequest;
  exactTopK(seg: SegmentRef, body: Body<ExactTopKRequest>): PendingRequest;
  /** Cancel a request: its Promise rejects now (57014) and its worker stops working on it. */
  cancel(id: number): void;
  close(): Promise<void>;
}

export class QueryWorkerPool implements SegmentSearchPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  /** cancelled request id → slot, until the worker's late answer arrives */
  private readonly cancelled = new Map<number, number>();
  private readonly board: Int32Array;
  /** per slot: where the next cancelled id goes in its ring */
  private readonly boardNext: number[];
  private readonly keys = new WeakMap<SharedVectors, string>();
  private readonly detachOnCollect = new FinalizationRegistry<string>((key) => this.detachKey(key));
  private nextId = 1;
  private nextKey = 1;
  private rr = 0;
  private closing = false;
  /** workers replaced after a crash (for tests and logs) */
  replaced = 0;
  /** requests answered (for tests and logs) */
  served = 0;

  constructor(readonly size: number, private readonly onCrash?: (slot: number, reason: string) => void) {
    if (!(size >= 1)) throw new Error(`bug: a query worker pool needs at least one worker, got ${size}`);
    this.board = new Int32Array(new SharedArrayBuffer(4 * size * CANCEL_RING));
    this.boardNext = new Array<number>(size).fill(0);
  }

  /** Workers start on first use: a server that never searches sealed vectors starts none. */
  private started(): Slot[] {
    while (this.slots.length < this.size) this.slots.push(this.spawn(this.slots.length));
    return this.slots;
  }

  private spawn(slot: number): Slot {
    const init: WorkerInit = { cancelBoard: this.board.buffer as SharedArrayBuffer, slot };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
    // idle workers must not keep the process alive (tests, a server shutting down)
    worker.unref();
    const s: Slot = { worker, inFlight: 0, attached: new Set(), indexes: new Set() };
    worker.on('message', (res: WorkerResponse) => this.settle(slot, res));
    worker.on('error', (e) => this.crashed(slot, worker, `query worker ${slot} failed: ${e.message}`));
    worker.on('exit', (code) => this.crashed(slot, worker, `query worker ${slot} exited with code ${code}`));
    return s;
  }

  private settle(slot: number, res: WorkerResponse): void {
    const p = this.pending.get(res.id);
    if (p) this.pending.delete(res.id);
    else if (!this.cancelled.delete(res.id)) return; // a fire-and-forget attach/detach
    const s = this.slots[slot];
    if (--s.inFlight === 0) s.worker.unref();
    if (!p) return;
    this.served++;
    if (res.ok) p.resolve(res);
    else p.reject(new SqlError(res.error.code, res.error.message, res.error.detail ? { detail: res.error.detail } : {}));
  }

  /** Fail the dead worker's requests and start a fresh one in its slot. */
  private crashed(slot: number, worker: Worker, reason: string): void {
    const s = this.slots[slot];
    if (s.worker !== worker) return; // the 'error' and 'exit' of one crash: handled once
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(new SqlError('XX000', reason));
    }
    for (const [id, at] of this.cancelled) if (at === slot) this.cancelled.delete(id);
    if (this.closing) return;
    this.replaced++;
    this.onCrash?.(slot, reason);
    this.slots[slot] = this.spawn(slot);
    void worker.terminate();
  }

  /** The worker with the fewest requests in flight (round robin among equals). */
  private pick(): number {
    this.started();
    let best = -1;
    for (let i = 0; i < this.size; i++) {
      const j = (this.rr + i) % this.size;
      if (best < 0 || this.slots[j].inFlight < this.slots[best].inFlight) best = j;
    }
    this.rr = (best + 1) % this.size;
    return best;
  }

  keyOf(vectors: SharedVectors): string {
    let key = this.keys.get(vectors);
    if (!key) {
      key = `s${this.nextKey++}`;
      this.keys.set(vectors, key);
      this.detachOnCollect.register(vectors, key);
    }
    return key;
  }

  /** Send attach messages the worker needs before a request about `seg` (fire and forget). */
  private ensureAttached(s: Slot, seg: SegmentRef, key: string, index?: string): void {
    if (!s.attached.has(key)) {
      s.worker.postMessage({ kind: 'attach', id: 0, segment: key, vectors: seg.vectors } satisfies WorkerRequest);
      s.attached.add(key);
    }
    if (index === undefined) return;
    const file = seg.indexes?.get(index);
    if (!file) throw new Error(`bug: segment has no index file for ${index}`);
    const tag = `${key}\0${index}\0${file.path}`;
    if (!s.indexes.has(tag)) {
      s.worker.postMessage({ kind: 'attachIndex', id: 0, segment: key, index, file } satisfies WorkerRequest);
      s.indexes.add(tag);
    }
  }

  private send(seg: SegmentRef, body: Body<AnnSearchRequest> | Body<ExactTopKRequest>): PendingRequest {
    if (this.closing) throw new SqlError('57P01', 'terminating connection due to administrator command');
    const slot = this.pick();
    const s = this.slots[slot];
    const key = this.keyOf(seg.vectors);
    this.ensureAttached(s, seg, key, body.kind === 'annSearch' ? body.index : undefined);
    const id = this.nextId++;
    const done = new Promise<OkResponse>((resolve, reject) => this.pending.set(id, { resolve, reject, slot }));
    if (s.inFlight++ === 0) s.worker.ref();
    s.worker.postMessage({ ...body, id, segment: key } as WorkerRequest);
    return { id, done };
  }

  annSearch(seg: SegmentRef, body: Body<AnnSearchRequest>): PendingRequest {
    return this.send(seg, body);
  }

  exactTopK(seg: SegmentRef, body: Body<ExactTopKRequest>): PendingRequest {
    return this.send(seg, body);
  }

  /**
   * Cancel a request: its Promise rejects now (57014), and the worker, which looks at the
   * cancel board between blocks of rows, stops working on it.
   */
  cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    // the worker still answers (and is busy until then): settle() counts that answer
    this.cancelled.set(id, p.slot);
    Atomics.store(this.board, p.slot * CANCEL_RING + this.boardNext[p.slot], id);
    this.boardNext[p.slot] = (this.boardNext[p.slot] + 1) % CANCEL_RING;
    p.reject(new SqlError('57014', 'canceling statement due to user request'));
  }

  /** Stop a worker as a crash would (tests; a stuck worker). It is replaced. */
  killWorker(slot: number): Promise<number> {
    return this.started()[slot].worker.terminate();
  }

  /** Tell every worker to forget a segment (also done when its vectors are collected). */
  detach(vectors: SharedVectors): void {
    const key = this.keys.get(vectors);
    if (key) this.detachKey(key);
  }

  private detachKey(key: string): void {
    if (this.closing) return;
    for (const s of this.slots) {
      if (!s.attached.delete(key)) continue;
      for (const tag of s.indexes) if (tag.startsWith(`${key}\0`)) s.indexes.delete(tag);
      s.worker.postMessage({ kind: 'detach', id: 0, segment: key } satisfies WorkerRequest);
    }
  }

  /** Fail what is in flight and stop every worker. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new SqlError('57P01', 'terminating connection due to administrator command'));
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
