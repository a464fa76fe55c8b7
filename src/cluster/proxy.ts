/**
 * The `proxy` role's connection router: a stateless PostgreSQL entry point. Each client
 * connection is piped byte for byte to the data node leading at connect time, so TLS,
 * SCRAM, COPY and cancel requests work end to end (the data node speaks the protocol).
 * When the leader changes, connections to the old one are closed: their clients
 * reconnect and land on the new leader. With no leader for `waitMs`, the client gets
 * PostgreSQL's "not accepting connections" (57P03) as a FATAL ErrorResponse.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { SqlError } from '../errors.js';
import { StartupCode } from '../wire/message-codes.js';
import { errorResponse } from '../wire/writer.js';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What startProxy needs: where to listen, and where the data leader is. */
export interface ProxyOptions {
  readonly host: string;
  readonly port: number;
  /** subscribe to the leader's address ("host:port"; undefined: none); returns the unsubscriber */
  readonly leader: (onChange: (address: string | undefined) => void) => Promise<() => Promise<void>>;
  /** how long a client waits for a leader, or for the leader to accept connections (default 15 s) */
  readonly waitMs?: number;
  readonly logger?: Logger;
}

/** A listening proxy; close() ends its client connections and stops following the leader. */
export interface RunningProxy {
  readonly port: number;
  close(): Promise<void>;
}

function parseAddress(a: string): { host: string; port: number } {
  const i = a.lastIndexOf(':');
  return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
}

/**
 * Listen on host:port and route every client connection to the data leader of its
 * connect time (the leader's address comes from `opts.leader`, e.g. the Coordinator's
 * watchLeader on election `data`).
 */
export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const waitMs = opts.waitMs ?? 15_000;
  let leader: string | undefined;
  const leaderWaiters: (() => void)[] = [];
  /** open client ↔ backend pairs, by the leader they reach */
  const pairs = new Map<Socket, { backend?: Socket; leader?: string }>();

  const unsubscribe = await opts.leader((address) => {
    if (address === leader) return;
    opts.logger?.info({ from: leader ?? null, to: address ?? null }, 'data leader changed');
    leader = address;
    // clients of the old leader reconnect (their sessions ended with it)
    for (const [client, p] of pairs) if (p.leader !== undefined && p.leader !== address) client.destroy();
    for (const w of leaderWaiters.splice(0)) w();
  });

  const leaderWithin = async (deadline: number): Promise<string | undefined> => {
    while (leader === undefined && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        leaderWaiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return leader;
  };

  /** Connect to the leader; a leader just elected may not listen yet: retry until the deadline. */
  const backendWithin = async (deadline: number): Promise<{ socket: Socket; leader: string } | undefined> => {
    for (;;) {
      const target = await leaderWithin(deadline);
      if (target === undefined) return undefined;
      const { host, port } = parseAddress(target);
      const socket = await new Promise<Socket | undefined>((resolve) => {
        const s = connect({ host, port });
        s.once('connect', () => resolve(s));
        s.once('error', () => { s.destroy(); resolve(undefined); });
      });
      if (socket) return { socket, leader: target };
      if (Date.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** No leader: answer the startup like PostgreSQL does while it cannot accept connections. */
  const refuse = (client: Socket, first: Buffer[]) => {
    const fatal = errorResponse(new SqlError('57P03', 'the database system is not accepting connections', { detail: 'No data node leads the cluster now.', hint: 'Try again once a data node is elected.' }), 'FATAL');
    let buf = Buffer.concat(first);
    const answer = () => {
      if (buf.length < 8) return false;
      const len = buf.readInt32BE(0);
      const code = buf.readInt32BE(4);
      if (len === 8 && (code === StartupCode.SSLRequest || code === StartupCode.GSSENCRequest)) {
        client.write('N');
        buf = buf.subarray(8);
        return answer();
      }
      if (buf.length < len) return false;
      client.end(fatal);
      return true;
    };
    if (!answer()) {
      client.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        answer();
      });
    }
  };

  const server: Server = createServer((client) => {
    client.setNoDelay(true);
    const pair: { backend?: Socket; leader?: string } = {};
    pairs.set(client, pair);
    const early: Buffer[] = [];
    const hold = (d: Buffer) => early.push(d);
    client.on('data', hold);
    client.on('error', () => {});
    client.on('close', () => {
      pairs.delete(client);
      pair.backend?.destroy();
    });
    void backendWithin(Date.now() + waitMs).then((b) => {
      if (client.destroyed) {
        b?.socket.destroy();
        return;
      }
      client.off('data', hold);
      if (!b) {
        opts.logger?.warn({ client: client.remoteAddress }, 'no data leader: refusing the connection');
        refuse(client, early);
        return;
      }
      pair.backend = b.socket;
      pair.leader = b.leader;
      if (leader !== b.leader) {
        // the leader changed while connecting
        client.destroy();
        return;
      }
      const backend = b.socket;
      backend.setNoDelay(true);
      backend.on('error', () => client.destroy());
      // a backend that ended cleanly (a FATAL error, Terminate) may have left its last
      // bytes in the client's write buffer: the pipe ends the client after them
      backend.on('close', (hadError) => { if (hadError) client.destroy(); });
      for (const d of early) backend.write(d);
      client.pipe(backend);
      backend.pipe(client);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    async close() {
      await unsubscribe();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of pairs.keys()) client.destroy();
      for (const w of leaderWaiters.splice(0)) w();
      await closed;
    },
  };
}
