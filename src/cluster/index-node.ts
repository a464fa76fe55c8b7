/**
 * The `index` role: builds sealed segments' ANN indexes for the data leader, so the
 * leader's cores keep serving while a big index is built (Milvus' index nodes). Every
 * kind the leader builds per segment: HNSW (quantized, L1, partial, of bit strings or of
 * sparse vectors) and IVFFlat (the segment's rows assigned to the lists of the centers
 * trained at CREATE INDEX, by an index node or the leader). A request names the segment, and an IVFFlat
 * index's centers, by their files in the object store; the node fetches them, builds the
 * index in a worker thread with the leader's own build code (segment-index-build.ts:
 * recall calibration and the stranded-region rebuild included), puts the index file in
 * the object store under the name the leader chose, and answers with what the leader
 * needs to open it (the rows it holds, quantizer parameters, recall curve). One
 * connection may send several builds; a build whose connection closes, or that is
 * cancelled, is abandoned.
 *
 * It also trains IVFFlat centers at CREATE INDEX: the leader sends the sample it drew and
 * the parameters, the node runs the leader's k-means (ivf-build.ts, in a worker thread,
 * the same seed: the same centers) and puts the centers file in the object store under
 * the name the leader chose.
 *
 * In a sharded cluster a request names the object store prefix its files are under (the
 * shard's stream): one index node builds for every shard's leader. An unsharded cluster's
 * name none (the node's own `--stream`), as before shards.
 *
 * Frames as in query-node-protocol.ts.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { ObjectStore, RemoteCentersTraining, RemoteIndexBuild, RemoteIndexResult } from '../storage/shared-log.js';
import { trainBitCentersFile, trainCentersFile } from '../ann/ivf-build.js';
import { ivfflatSupports } from '../ann/ivfflat.js';
import { bytesPerRow } from '../ann/bit-ivf.js';
import { storedColumn } from '../storage/index-key-column.js';
import { decodeSegment } from '../storage/segment.js';
import { buildSegmentIndex, canBuildSegmentIndex } from '../storage/segment-index-build.js';
import { checkFileKey, checkPrefix, encodeFrame, FrameReader, NotHere } from './query-node-protocol.js';
import { behindHandshake } from './peer-handshake.js';
import { createPeerServer, type PeerTls } from './peer-tls.js';

export type IndexNodeRequest =
  /** `prefix`: the object store prefix of the files named (a shard's stream); absent: the node's own */
  | { readonly kind: 'build'; readonly id: number; readonly prefix?: string; readonly build: RemoteIndexBuild }
  | { readonly kind: 'train'; readonly id: number; readonly prefix?: string; readonly train: RemoteCentersTraining }
  | { readonly kind: 'cancel'; readonly id: number };

export type IndexNodeResponse =
  | { readonly id: number; readonly ok: true; readonly result: RemoteIndexResult }
  /** the centers are in the object store */
  | { readonly id: number; readonly ok: true; readonly trained: true }
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
  /** where requests that name no prefix (an unsharded cluster's) find and put their files */
  readonly objects: ObjectStore;
  /** where requests naming `prefix` (a shard's stream) do (absent: the leader builds those itself) */
  readonly objectsAt?: (prefix: string) => ObjectStore;
  readonly logger: Logger;
  /** --cluster-secret: a caller must prove it before its first request (peer-handshake.ts) */
  readonly secret?: string;
  /** --cluster-tls-cert/--cluster-tls-key: the node serves TLS only (peer-tls.ts) */
  readonly tls?: PeerTls;
}

export interface RunningIndexNode {
  readonly port: number;
  /** builds finished (tests, logs) */
  built(): number;
  /** IVFFlat centers trained (tests, logs) */
  trained(): number;
  close(): Promise<void>;
}


export async function startIndexNode(opts: IndexNodeOptions): Promise<RunningIndexNode> {
  mkdirSync(opts.workDir, { recursive: true });
  let built = 0;
  let trained = 0;
  let nextTemp = 1;

  /** The object store of a request's prefix; NotHere when this node has none for it (the leader builds the index itself). */
  function storeOf(prefix: string | undefined): ObjectStore {
    if (prefix === undefined) return opts.objects;
    checkPrefix(prefix);
    if (!opts.objectsAt) throw new NotHere(`this node serves no object store prefix ${prefix}`);
    return opts.objectsAt(prefix);
  }

  /** Fetch `key` from the object store into `dir`; NotHere when it is not there (the leader builds the index itself). */
  async function fetchObject(objects: ObjectStore, key: string, dir: string): Promise<string> {
    checkFileKey(key);
    const path = join(dir, key);
    if (!(await objects.get(key, path))) throw new NotHere(`${key} is not in the object store`);
    return path;
  }

  async function build(req: RemoteIndexBuild, prefix: string | undefined, objects: ObjectStore, signal: AbortSignal): Promise<RemoteIndexResult> {
    const { job, segmentFile } = req;
    checkFileKey(req.indexFile);
    if (!canBuildSegmentIndex(job)) throw new NotHere(`this node cannot build ${job.method} indexes for ${job.op}${job.sparse ? ' on sparse vectors' : ''}`);
    const t0 = performance.now();
    const work = join(opts.workDir, `build-${nextTemp++}`);
    mkdirSync(work, { recursive: true });
    opts.logger.info({ ...(prefix !== undefined ? { prefix } : {}), segment: segmentFile, index: req.indexFile, method: job.method, op: job.op }, 'building an index for a data node');
    try {
      const seg = decodeSegment(0, segmentFile, await readFile(await fetchObject(objects, segmentFile, work)), req.columns);
      if (seg.length !== req.rows) throw new NotHere(`${segmentFile} has ${seg.length} rows, the request says ${req.rows}`);
      const centers = job.centers ? await fetchObject(objects, job.centers, work) : undefined;
      const indexPath = join(work, req.indexFile);
      const index = await buildSegmentIndex(seg, job, storedColumn(job.column, job.dim), indexPath, centers, signal);
      const { path: _here, ...file } = index.fileRef!();
      const result: RemoteIndexResult = { file, ...(index.recallCurve ? { curve: index.recallCurve } : {}) };
      index.close();
      await objects.put(req.indexFile, indexPath);
      built++;
      opts.logger.info({ ...(prefix !== undefined ? { prefix } : {}), segment: segmentFile, index: req.indexFile, method: job.method, rows: file.size, ms: Math.round(performance.now() - t0) }, 'built an index for a data node');
      return result;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  async function train(req: RemoteCentersTraining, objects: ObjectStore, signal: AbortSignal): Promise<void> {
    checkFileKey(req.centersFile);
    const width = req.kind === 'bits' ? bytesPerRow(req.dim) : req.dim;
    if (req.samples.length !== req.count * width) throw new Error(`a sample of ${req.samples.length} values is not ${req.count} rows of ${width}`);
    const t0 = performance.now();
    const work = join(opts.workDir, `train-${nextTemp++}`);
    mkdirSync(work, { recursive: true });
    try {
      const path = join(work, req.centersFile);
      if (req.kind === 'bits') {
        if (!(req.samples instanceof Uint8Array)) throw new Error('bit samples must be bytes');
        await trainBitCentersFile(req.samples, req.count, req.dim, req.lists, path, signal);
      } else {
        if (!(req.samples instanceof Float32Array) || !ivfflatSupports(req.op)) throw new NotHere(`this node cannot train ${req.op} centers`);
        await trainCentersFile(req.samples, req.count, req.dim, req.op, req.lists, path, signal);
      }
      await objects.put(req.centersFile, path);
      trained++;
      opts.logger.info({ centers: req.centersFile, samples: req.count, lists: req.lists, ms: Math.round(performance.now() - t0) }, 'trained IVFFlat centers for a data node');
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
        const work: Promise<IndexNodeResponse> = Promise.resolve().then(() => storeOf(m.prefix)).then((objects) => (m.kind === 'train'
          ? train(m.train, objects, ac.signal).then(() => ({ id: m.id, ok: true, trained: true }))
          : build(m.build, m.prefix, objects, ac.signal).then((result) => ({ id: m.id, ok: true, result }))));
        work.then(send, (e: Error) => {
          if (!ac.signal.aborted) opts.logger.warn({ ...(m.kind === 'train' ? { centers: m.train.centersFile } : { segment: m.build.segmentFile }), err: e.message }, `${m.kind === 'train' ? 'training centers' : 'index build'} for a data node failed`);
          send({ id: m.id, ok: false, message: e.message, ...(e instanceof NotHere ? { elsewhere: true } : {}) });
        }).finally(() => running.delete(m.id));
      }
    });
    // the data node is gone: its builds are of no use
    socket.on('close', () => { for (const ac of running.values()) ac.abort(); });
    socket.on('error', () => {});
  }

  const sockets = new Set<Socket>();
  const refused = (socket: Socket, e: Error) => opts.logger.warn({ peer: socket.remoteAddress, err: e.message }, 'index node: refused a connection');
  const server = createPeerServer(opts.tls, behindHandshake(opts.secret, serve, refused), (e, socket) => refused(socket, e));
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    built: () => built,
    trained: () => trained,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
