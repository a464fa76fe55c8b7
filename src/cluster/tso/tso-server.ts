/**
 * The timestamp oracle's service (README "Cluster mode", timestamp oracle): every router
 * process runs one. Each listens on a TCP port and campaigns in the metadata store's
 * election `tso` with its address as the value; the elected one starts a TimestampAllocator
 * (allocator.ts) and answers requests, the others answer "not the leader". A leader that
 * loses its lease stops answering at once, closes its clients' connections and campaigns
 * again. Transport: the proxies hold no NATS connection, so a small TCP protocol —
 * request: uint32 count; answer, in order: byte 0 + uint64 first timestamp, or byte 1 +
 * uint16 length + message (then the server closes the connection). With --cluster-secret
 * the caller proves it first (peer-handshake.ts).
 */
import type { Server, Socket } from 'node:net';
import { createPeerServer, type PeerTls } from '../peer-tls.js';
import type { Coordinator, Leadership } from '../coordinator.js';
import { TimestampAllocator, type AllocatorOptions, type BoundStore } from './allocator.js';
import { parseTimestamp } from './hybrid-timestamp.js';
import { behindHandshake } from '../peer-handshake.js';

/** The election the oracle's servers campaign in; its value is the leader's "host:port". */
export const TSO_ELECTION = 'tso';
/** The metadata store's key holding the persisted upper bound. */
export const TSO_BOUND_KEY = 'tso/bound';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TsoServerOptions extends AllocatorOptions {
  readonly coordinator: Coordinator;
  readonly host: string;
  /** default 0: any free port */
  readonly port?: number;
  readonly logger: Logger;
  /** --cluster-secret: callers prove it first (peer-handshake.ts) */
  readonly secret?: string;
  /** --cluster-tls-cert/--cluster-tls-key: the oracle serves TLS only (peer-tls.ts) */
  readonly tls?: PeerTls;
}

export interface TsoServer {
  readonly address: string;
  /** resolves when this server leads (tests) */
  isLeader(): boolean;
  close(): Promise<void>;
}

/**
 * The bound as the Coordinator's key, which only ever grows (compare and put): a deposed
 * leader's save still in flight when the next leader saved its own cannot lower it.
 */
export function coordinatorBoundStore(coordinator: Coordinator): BoundStore {
  return {
    load: async () => parseTimestamp(await coordinator.get(TSO_BOUND_KEY)),
    async save(bound) {
      for (;;) {
        const text = await coordinator.get(TSO_BOUND_KEY);
        const current = parseTimestamp(text);
        if (current !== undefined && current >= bound) return;
        if (await coordinator.compareAndPut(TSO_BOUND_KEY, text, bound.toString())) return;
      }
    },
  };
}

export async function startTsoServer(opts: TsoServerOptions): Promise<TsoServer> {
  let allocator: TimestampAllocator | undefined;
  let closed = false;
  const sockets = new Set<Socket>();
  const refused = (socket: Socket, e: Error) => opts.logger.warn({ peer: socket.remoteAddress, err: e }, 'timestamp oracle: refused a caller');
  const server: Server = createPeerServer(opts.tls, behindHandshake(opts.secret, (socket) => serve(socket), refused), (e, socket) => refused(socket, e));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const address = `${opts.host}:${port}`;
  const store = coordinatorBoundStore(opts.coordinator);
  const campaigns = new AbortController();

  function serve(socket: Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending: Buffer = Buffer.alloc(0);
    // answers go out in request order, whatever order the allocations settle in
    let answered: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const count = pending.readUInt32BE(0);
        pending = pending.subarray(4);
        const a = allocator;
        const reply = a && count > 0 ? a.allocate(count) : Promise.reject(new Error(a ? 'asked for no timestamps' : `${address} is not the timestamp oracle's leader`));
        reply.catch(() => {});
        answered = answered.then(async () => {
          try {
            const first = await reply;
            // the leadership may have ended while the bound was saved: answer nothing then
            if (allocator !== a) throw new Error(`${address} is no longer the timestamp oracle's leader`);
            const out = Buffer.alloc(9);
            out.writeUInt8(0, 0);
            out.writeBigUInt64BE(first, 1);
            socket.write(out);
          } catch (e) {
            const msg = Buffer.from((e as Error).message);
            const out = Buffer.alloc(3);
            out.writeUInt8(1, 0);
            out.writeUInt16BE(msg.length, 1);
            socket.end(Buffer.concat([out, msg]));
          }
        });
      }
    });
  }

  const lead = async () => {
    while (!closed) {
      let leadership: Leadership;
      try {
        leadership = await opts.coordinator.campaign(TSO_ELECTION, address, campaigns.signal);
      } catch (e) {
        if (closed) return;
        opts.logger.warn({ err: e }, 'timestamp oracle: campaign failed; trying again');
        await new Promise((r) => setTimeout(r, 1_000).unref());
        continue;
      }
      let lost = false;
      void leadership.lost.then(() => { lost = true; });
      try {
        const a = await TimestampAllocator.start(store, opts);
        if (!lost && !closed) {
          allocator = a;
          opts.logger.info({ address, bound: a.persistedBound.toString() }, 'timestamp oracle: elected, handing out timestamps');
        }
      } catch (e) {
        opts.logger.warn({ err: e }, 'timestamp oracle: could not persist the bound; resigning');
        await leadership.resign();
        continue;
      }
      await Promise.race([leadership.lost, new Promise<void>((r) => campaigns.signal.addEventListener('abort', () => r(), { once: true }))]);
      allocator = undefined;
      // its clients ask the new leader
      for (const s of sockets) s.destroy();
      if (!closed) opts.logger.warn({ address }, 'timestamp oracle: leadership lost');
      else await leadership.resign().catch(() => {});
    }
  };
  const leading = lead();

  return {
    address,
    isLeader: () => allocator !== undefined,
    async close() {
      closed = true;
      allocator = undefined;
      campaigns.abort();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await leading;
    },
  };
}
