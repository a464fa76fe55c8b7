/**
 * One long-lived worker thread that answers requests one after another: for work that is
 * short but too long for the session thread (tens of milliseconds to seconds) and asked for
 * now and then, so that a thread per request (ann/worker-build.ts) would cost more in
 * start-up than the work. Started when first needed; it keeps the process alive only while a
 * request is in flight. Its death fails the requests in flight; the next one starts another.
 *
 * Users: sorted column indexes (sorted-column-build.ts), expression index keys
 * (executor/vector-index-key-build.ts).
 */
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { SqlError, type SqlErrorFields } from '../errors.js';

/** A failed request as it crosses threads: a SqlError keeps its SQLSTATE and fields. */
interface Failure {
  readonly message: string;
  readonly code?: string;
  readonly fields?: SqlErrorFields;
}

type Envelope<R> = { readonly id: number; readonly ok: true; readonly reply: R } | { readonly id: number; readonly ok: false; readonly error: Failure };

export class SerialWorker<Req, R> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  private idleWaiters: (() => void)[] = [];

  /** `script`: the worker's module (it calls serveSerially); `what` names it in errors */
  constructor(private readonly script: URL, private readonly what: string) {}

  /**
   * Starts the worker now if it is not running, so that a request expected soon (a bulk
   * load's segment file) does not wait for its start-up (~50-100 ms: a thread, its modules).
   */
  warm(): void {
    this.started();
  }

  /** The worker's reply to `request` (`transfer`: buffers handed over instead of copied). */
  run(request: Req, transfer: readonly TransferListItem[] = []): Promise<R> {
    const w = this.started();
    const id = this.nextId++;
    const done = new Promise<R>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    w.ref();
    w.postMessage({ id, request }, transfer);
    return done;
  }

  /** Resolves when no request is in flight (tests: what was asked for so far is done). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.script);
    const failAll = (e: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.settleIdle();
    };
    w.on('message', (m: Envelope<R>) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.reply);
      else p.reject(m.error.code ? new SqlError(m.error.code, m.error.message, m.error.fields) : new Error(`${this.what} failed: ${m.error.message}`));
      if (this.pending.size === 0) w.unref();
      this.settleIdle();
    });
    w.on('error', failAll);
    w.on('exit', (code) => failAll(new Error(`${this.what} worker exited with code ${code}`)));
    w.unref();
    this.worker = w;
    return w;
  }

  private settleIdle(): void {
    if (this.pending.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * The worker's side of SerialWorker: answer each request with `handle`'s reply (`transfer`:
 * its buffers handed back instead of copied). A handler may return a promise (it waits on
 * the thread pool's I/O meanwhile): the requests are still answered one after another, a
 * request starting when the one before it is answered. Does nothing outside a worker thread.
 */
export function serveSerially<Req, R>(handle: (request: Req) => R | Promise<R>, transfer: (reply: R) => TransferListItem[] = () => []): void {
  const port = parentPort;
  if (!port) return;
  let queue: Promise<void> = Promise.resolve();
  const answer = async (id: number, request: Req): Promise<void> => {
    let envelope: Envelope<R>;
    let handOver: TransferListItem[] = [];
    try {
      const reply = await handle(request);
      envelope = { id, ok: true, reply };
      handOver = transfer(reply);
    } catch (e) {
      const error: Failure = e instanceof SqlError ? { message: e.message, code: e.code, fields: e.fields } : { message: e instanceof Error ? e.message : String(e) };
      envelope = { id, ok: false, error };
    }
    port.postMessage(envelope, handOver);
  };
  port.on('message', ({ id, request }: { id: number; request: Req }) => {
    queue = queue.then(() => answer(id, request));
  });
}
