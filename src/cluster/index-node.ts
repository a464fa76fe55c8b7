/**
 * The `index` role: builds sealed segments' HNSW indexes for the data leader, so the
 * leader's cores keep serving while a big index is built (Milvus' index nodes). A request
 * names the segment by its file in the object store; the node fetches it, builds the index
 * in a worker thread with the standalone server's build code (recall calibration and the
 * stranded-region rebuild included), puts the index file in the object store under the
 * name the leader chose, and answers with what the leader needs to open it (quantizer
 * parameters, recall curve). One connection may send several builds; a build whose
 * connection closes, or that is cancelled, is abandoned.
 *
 * Frames as in query-node-protocol.ts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { buildIndexFile } from '../ann/build.js';
import type { HnswIndex } from '../ann/hnsw.js';
import type { ObjectStore, RemoteHnswBuild, RemoteHnswResult } from '../storage/shared-log.js';
import { sharedVectorsOfFile } from '../storage/segment.js';
import { checkFileKey, encodeFrame, FrameReader, NotHere } from './query-node-protocol.js';

export type IndexNodeRequest =
  | { readonly kind: 'build'; readonly id: number; readonly build: RemoteHnswBuild }
  | { readonly kind: 'cancel'; readonly id: number };

export type IndexNodeResponse =
  | { readonly id: number; readonly ok: true; readonly result: RemoteHnswResult }
  /** `elsewhere`: this node cannot build it (a file it cannot fetch): the leader builds it itself */
  | { readonly id: number; readonly ok: false; readonly message: string; readonly elsewhere?: boolean };

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface IndexNodeOptions {
  readonly host: string;
  readonly port: number;
  /** scratch space for fetched segments and built indexes (emptied as builds finish) */
  readonly workDir: string;
  readonly objects: ObjectStore;
  readonly logger: Logger;
}

export interface RunningIndexNode {
  readonly port: number;
  /** builds finished (tests, logs) */
  built(): number;
  close(): Promise<void>;
}


/** The segment's vectors as one contiguous array (the build worker takes it over). */
function denseVectors(file: string, bytes: Uint8Array, column: number, dim: number): Float32Array {
  const shared = sharedVectorsOfFile(file, bytes, column);
  if (!shared || shared.dim !== dim) throw new NotHere(`${file} has no ${dim}-dimensional vector column ${column}`);
  const out = new Float32Array(shared.count * dim);
  let at = 0;
  for (const c of shared.chunks) {
    out.set(new Float32Array(c.buffer, c.byteOffset, c.rows * dim), at);
    at += c.rows * dim;
  }
  return out;
}

export async function startIndexNode(opts: IndexNodeOptions): Promise<RunningIndexNode> {
  mkdirSync(opts.workDir, { recursive: true });
  let built = 0;
  let nextTemp = 1;

  async function build(req: RemoteHnswBuild, signal: AbortSignal): Promise<RemoteHnswResult> {
    const key = req.segmentFile;
    checkFileKey(key);
    checkFileKey(req.indexFile);
    const t0 = performance.now();
    const work = join(opts.workDir, `build-${nextTemp++}`);
    mkdirSync(work, { recursive: true });
    try {
      const segPath = join(work, key);
      if (!(await opts.objects.get(key, segPath))) throw new NotHere(`${key} is not in the object store`);
      const vectors = denseVectors(key, await readFile(segPath), req.column, req.dim);
      if (vectors.length / req.dim !== req.count) throw new NotHere(`${key} has ${vectors.length / req.dim} rows, the request says ${req.count}`);
      const indexPath = join(work, req.indexFile);
      const index = await buildIndexFile(req.op, vectors, req.count, req.dim, req.options, indexPath, signal) as HnswIndex;
      const ref = index.fileRef();
      const result: RemoteHnswResult = { ...(ref.quantizerParams ? { params: ref.quantizerParams } : {}), ...(index.recallCurve ? { curve: index.recallCurve } : {}) };
      index.close();
      await opts.objects.put(req.indexFile, indexPath);
      built++;
      opts.logger.info({ segment: key, index: req.indexFile, rows: req.count, ms: Math.round(performance.now() - t0) }, 'built an index for a data node');
      return result;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  function serve(socket: Socket): void {
    socket.setNoDelay(true);
    const reader = new FrameReader();
    const running = new Map<number, AbortController>();
    const send = (res: IndexNodeResponse) => { if (!socket.destroyed) socket.write(encodeFrame(res)); };
    socket.on('data', (chunk: Buffer) => {
      let messages: unknown[];
      try {
        messages = reader.push(chunk);
      } catch (e) {
        opts.logger.warn({ err: e }, 'index node: broken frame; closing the connection');
        socket.destroy();
        return;
      }
      for (const m of messages as IndexNodeRequest[]) {
        if (m.kind === 'cancel') {
          running.get(m.id)?.abort();
          continue;
        }
        const ac = new AbortController();
        running.set(m.id, ac);
        build(m.build, ac.signal).then((result) => send({ id: m.id, ok: true, result }), (e: Error) => {
          if (!ac.signal.aborted) opts.logger.warn({ segment: m.build.segmentFile, err: e.message }, 'index build for a data node failed');
          send({ id: m.id, ok: false, message: e.message, ...(e instanceof NotHere ? { elsewhere: true } : {}) });
        }).finally(() => running.delete(m.id));
      }
    });
    // the data node is gone: its builds are of no use
    socket.on('close', () => { for (const ac of running.values()) ac.abort(); });
    socket.on('error', () => {});
  }

  const sockets = new Set<Socket>();
  const server = createServer(serve);
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    built: () => built,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
