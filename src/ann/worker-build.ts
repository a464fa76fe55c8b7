/**
 * One index build in a fresh worker thread that writes one file: the pattern HNSW builds
 * (build.ts), IVFFlat builds (ivf-build.ts) and GIN posting files (executor/
 * text-index-build.ts) share, so that seconds of CPU never block the session thread.
 *
 * The worker writes a private temporary file, renamed to the index's own name only when the
 * build succeeded: an aborted build's worker may still be in native code for a moment, and
 * its late write must not land on the file a later build of the same index makes. The
 * worker runs at a lower priority than the session thread (background-priority.ts) unless
 * its service says otherwise.
 */
import { rename, unlink } from 'node:fs/promises';
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { lowerThreadPriority } from './background-priority.js';

/** The build was given up (its signal aborted): no file was left behind. */
export class IndexBuildAborted extends Error {
  constructor() {
    super('index build aborted');
  }
}

/** A build worker's answer: its result, or why it failed. */
export type BuildOutcome<R extends object> = ({ ok: true } & R) | { ok: false; error: string };

/** One build for runFileBuild. */
export interface FileBuild<Req> {
  /** names the build in its errors ("HNSW build failed: …") */
  readonly what: string;
  /** the worker's module (it calls serveFileBuilds) */
  readonly script: URL;
  /** the file the build makes */
  readonly path: string;
  /** the request the worker is sent, given the temporary file it is to write */
  readonly request: (temp: string) => Req;
  /** buffers of the request handed over instead of copied */
  readonly transfer?: readonly TransferListItem[];
  /** told of every other message the worker sends before its answer (progress) */
  readonly onMessage?: (message: unknown) => void;
  /** suffixes of files the worker may leave beside the temporary one: removed when the build fails */
  readonly leftovers?: readonly string[];
}

let nextTemp = 1;

/**
 * Run `build` in a new worker thread; resolves with the worker's answer once its file is
 * renamed to `build.path`. Rejects with IndexBuildAborted when `signal` aborts, with the
 * worker's error otherwise; either way no file is left (the temporary one goes once the
 * thread stopped).
 */
export async function runFileBuild<Req, R extends object>(build: FileBuild<Req>, signal?: AbortSignal): Promise<R> {
  if (signal?.aborted) throw new IndexBuildAborted();
  const temp = `${build.path}.building-${process.pid}-${nextTemp++}`;
  const worker = new Worker(build.script);
  let onAbort: (() => void) | undefined;
  let reply: R;
  try {
    reply = await new Promise<R>((resolve, reject) => {
      worker.on('message', (m: BuildOutcome<R> | unknown) => {
        const outcome = m as BuildOutcome<R>;
        if (typeof outcome?.ok !== 'boolean') build.onMessage?.(m);
        else if (outcome.ok) resolve(outcome);
        else reject(new Error(`${build.what} build failed: ${outcome.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => { if (code !== 0) reject(new Error(`${build.what} build worker exited with code ${code}`)); });
      onAbort = () => reject(new IndexBuildAborted());
      signal?.addEventListener('abort', onAbort);
      worker.postMessage(build.request(temp), build.transfer);
    });
    await rename(temp, build.path);
  } catch (e) {
    // the answer does not wait for the thread to stop; its files go once it has
    const files = [temp, ...(build.leftovers ?? []).map((s) => `${temp}${s}`)];
    void worker.terminate().then(() => Promise.all(files.map((f) => unlink(f).catch(() => {})))).catch(() => {});
    throw e;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  await worker.terminate();
  return reply;
}

/** How serveFileBuilds answers. */
export interface BuildService<Req, R extends object> {
  /** does the build (writing the request's file); its result goes back with `ok: true` */
  readonly build: (req: Req) => R;
  /** the error text of a failed build (default: the error's message) */
  readonly describe?: (e: unknown, req: Req) => string;
  /** buffers of a result handed back instead of copied */
  readonly transfer?: (result: R) => TransferListItem[];
  /**
   * Run at the session thread's priority instead of below it: for a build of one thread,
   * which leaves the session thread a core of its own anyway
   */
  readonly normalPriority?: boolean;
}

/**
 * The worker's side of runFileBuild: lower this thread's priority and answer every request.
 * Does nothing outside a worker thread (a module that calls it can still be imported).
 */
export function serveFileBuilds<Req, R extends object>(service: BuildService<Req, R>): void {
  const port = parentPort;
  if (!port) return;
  if (!service.normalPriority) lowerThreadPriority();
  port.on('message', (req: Req) => {
    let result: R;
    try {
      result = service.build(req);
    } catch (e) {
      const error = service.describe ? service.describe(e, req) : e instanceof Error ? e.message : String(e);
      port.postMessage({ ok: false, error } satisfies BuildOutcome<R>);
      return;
    }
    port.postMessage({ ok: true, ...result }, service.transfer?.(result) ?? []);
  });
}
