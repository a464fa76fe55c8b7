/**
 * The `query` role's server: serves sealed-segment vector search for data nodes over TCP
 * (query-node-protocol.ts). A request names a segment by its file in the object store;
 * the node fetches the file (and the index file) into its cache directory on first use,
 * keeps the vectors in shared memory and runs the request on its own worker threads —
 * the same QueryWorkerPool and worker code a standalone server uses, so answers are
 * identical. It knows nothing of tables, rows, snapshots or SQL: filters arrive as
 * position bitmaps, made by the data node from its snapshot.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import type { AnnIndexFile } from '../ann/api.js';
import { SqlError } from '../errors.js';
import type { PendingRequest, SegmentRef, SegmentSearchPool } from '../query-worker/pool.js';
import type { ObjectStore } from '../storage/shared-log.js';
import { sharedVectorsOfFile, type SharedVectors } from '../storage/segment.js';
import { checkFileKey, checkPrefix, encodeFrame, FrameReader, NotHere, type NodeRequest, type NodeResponse, type NodeSearchRequest, type NodeStats, type SegmentLocator } from './query-node-protocol.js';
import { behindHandshake } from './peer-handshake.js';
import { createPeerServer, type PeerTls } from './peer-tls.js';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface QueryNodeOptions {
  readonly host: string;
  /** 0: a free port */
  readonly port: number;
  /** where fetched segment and index files are kept */
  readonly cacheDir: string;
  /** where requests that name no prefix (an unsharded cluster's) find their files */
  readonly objects: ObjectStore;
  /** where requests naming `prefix` (a shard's stream) find theirs (absent: such requests are served elsewhere) */
  readonly objectsAt?: (prefix: string) => ObjectStore;
  /** the node's worker threads */
  readonly pool: SegmentSearchPool;
  readonly logger: Logger;
  /** a loaded segment unused this long is let go (default 10 minutes) */
  readonly idleMs?: number;
  /** --cluster-secret: a caller must prove it before its first request (peer-handshake.ts) */
  readonly secret?: string;
  /** --cluster-tls-cert/--cluster-tls-key: the node serves TLS only (peer-tls.ts) */
  readonly tls?: PeerTls;
}

export interface RunningQueryNode {
  readonly port: number;
  stats(): NodeStats;
  close(): Promise<void>;
}


interface Loaded {
  readonly vectors: SharedVectors;
  lastUsed: number;
}

/** An object's name among all the node holds: its prefix and key ("/" is in neither). */
const cacheKey = (prefix: string | undefined, key: string) => (prefix === undefined ? key : `${prefix}/${key}`);

export async function startQueryNode(opts: QueryNodeOptions): Promise<RunningQueryNode> {
  mkdirSync(opts.cacheDir, { recursive: true });
  const segments = new Map<string, Promise<Loaded>>();
  const files = new Map<string, Promise<string>>();
  let served = 0;

  /**
   * The local path of an object, fetched once (concurrent askers share the download).
   * A prefixed object is cached in a directory of that name: two shards' files may share a name.
   */
  const fetchFile = (prefix: string | undefined, key: string): Promise<string> => {
    let store: ObjectStore;
    try {
      checkFileKey(key);
      if (prefix !== undefined) checkPrefix(prefix);
      if (prefix !== undefined && !opts.objectsAt) throw new NotHere(`this node serves no object store prefix ${prefix}`);
      store = prefix === undefined ? opts.objects : opts.objectsAt!(prefix);
    } catch (e) {
      return Promise.reject(e);
    }
    const id = cacheKey(prefix, key);
    let p = files.get(id);
    if (!p) {
      p = (async () => {
        const dir = prefix === undefined ? opts.cacheDir : join(opts.cacheDir, prefix);
        const path = join(dir, key);
        if (existsSync(path)) return path;
        mkdirSync(dir, { recursive: true });
        const t0 = performance.now();
        if (!(await store.get(key, path))) throw new NotHere(`${id} is not in the object store`);
        opts.logger.info({ file: id, ms: Math.round(performance.now() - t0) }, 'fetched from the object store');
        return path;
      })();
      files.set(id, p);
      p.catch(() => files.delete(id));
    }
    return p;
  };

  const load = (prefix: string | undefined, loc: SegmentLocator): Promise<Loaded> => {
    const key = `${cacheKey(prefix, loc.file)}#${loc.column}`;
    let p = segments.get(key);
    if (!p) {
      p = (async () => {
        const bytes = await readFile(await fetchFile(prefix, loc.file));
        const vectors = sharedVectorsOfFile(loc.file, bytes, loc.column);
        if (!vectors) throw new NotHere(`${loc.file} has no vector column ${loc.column}`);
        return { vectors, lastUsed: Date.now() };
      })();
      segments.set(key, p);
      p.catch(() => segments.delete(key));
    }
    return p;
  };

  // let go of segments no query asked for in a while (compacted away, or reassigned)
  const idleMs = opts.idleMs ?? 10 * 60_000;
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const [key, p] of segments) void p.then((s) => { if (now - s.lastUsed > idleMs && segments.get(key) === p) segments.delete(key); }, () => {});
  }, Math.min(idleMs, 60_000));
  sweeper.unref();

  async function search(req: NodeSearchRequest): Promise<PendingRequest> {
    const seg = await load(req.prefix, req.segment);
    seg.lastUsed = Date.now();
    let ref: SegmentRef = { vectors: seg.vectors };
    if (req.body.kind === 'annSearch') {
      if (!req.index) throw new NotHere('an index search without its index file');
      const file: AnnIndexFile = { ...req.index, path: await fetchFile(req.prefix, req.index.path) };
      ref = { vectors: seg.vectors, indexes: new Map([[req.body.index, file]]) };
      return opts.pool.annSearch(ref, req.body);
    }
    return opts.pool.exactTopK(ref, req.body);
  }

  function serveConnection(socket: Socket): void {
    socket.setNoDelay(true);
    const reader = new FrameReader();
    /** remote id → the local request, while it runs */
    const running = new Map<number, PendingRequest>();
    const cancelledEarly = new Set<number>();
    const send = (res: NodeResponse) => { if (!socket.destroyed) socket.write(encodeFrame(res)); };
    const fail = (id: number, e: unknown) => {
      if (e instanceof NotHere) send({ id, ok: false, elsewhere: true, error: { code: 'XX000', message: e.message } });
      else if (e instanceof SqlError) send({ id, ok: false, error: { code: e.code, message: e.message, ...(e.fields.detail ? { detail: e.fields.detail } : {}) } });
      else send({ id, ok: false, elsewhere: true, error: { code: 'XX000', message: `query node: ${e instanceof Error ? e.message : String(e)}` } });
    };
    const handle = (req: NodeRequest) => {
      switch (req.kind) {
        case 'stats':
          send({ id: req.id, ok: true, stats: stats() });
          return;
        case 'cancel': {
          const r = running.get(req.id);
          if (r) opts.pool.cancel(r.id);
          else cancelledEarly.add(req.id); // still loading its segment
          return;
        }
        case 'search':
          search(req).then((pending) => {
            if (cancelledEarly.delete(req.id)) opts.pool.cancel(pending.id);
            running.set(req.id, pending);
            return pending.done;
          }).then((r) => {
            served++;
            send({ id: req.id, ok: true, ...(r.hits ? { hits: r.hits } : {}), ...(r.exhausted ? { exhausted: true } : {}), ...(r.widenings !== undefined ? { widenings: r.widenings } : {}), ...(r.switched ? { switched: true } : {}) });
          }, (e) => fail(req.id, e)).finally(() => running.delete(req.id));
      }
    };
    socket.on('data', (chunk: Buffer) => {
      let messages: unknown[];
      try {
        messages = reader.push(chunk);
      } catch (e) {
        opts.logger.warn({ err: e, peer: socket.remoteAddress }, 'query node: broken frame; closing the connection');
        socket.destroy();
        return;
      }
      for (const m of messages) handle(m as NodeRequest);
    });
    // a data node gone: stop what it asked for
    socket.on('close', () => { for (const r of running.values()) opts.pool.cancel(r.id); });
    socket.on('error', () => {});
  }

  const stats = (): NodeStats => ({ served, segments: segments.size, workers: opts.pool.size });
  const refused = (socket: Socket, e: Error) => opts.logger.warn({ peer: socket.remoteAddress, err: e.message }, 'query node: refused a connection');
  const server: Server = createPeerServer(opts.tls, behindHandshake(opts.secret, serveConnection, refused), (e, socket) => refused(socket, e));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    stats,
    async close() {
      clearInterval(sweeper);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
