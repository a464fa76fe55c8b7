/**
 * The `proxy` role's connection router: a stateless PostgreSQL entry point. Each client
 * connection is piped byte for byte to the data node leading at connect time, so TLS,
 * SCRAM, COPY and cancel requests work end to end (the data node speaks the protocol).
 * When the leader changes, connections to the old one are closed: their clients
 * reconnect and land on the new leader. With no leader for `waitMs`, the client gets
 * PostgreSQL's "not accepting connections" (57P03) as a FATAL ErrorResponse.
 *
 * The read port (`readPort`) spreads connections over the hot standbys instead, round
 * robin over the current ones — those at most `readMaxLagMs` behind the log, as each
 * reports — else to the least behind (the leader when none is registered or none
 * answers): read-only clients use more machines, and a stalled standby gets no new
 * sessions while another is current. A cancel request on it goes to every data node
 * (only the one with that process id and secret key acts on it).
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
  /** the read port (undefined: none; 0: a free one): connections go to the standbys */
  readonly readPort?: number;
  /** subscribe to the data nodes, leader included (for the read port); returns the unsubscriber */
  readonly dataNodes?: (onChange: (nodes: DataNodeState[]) => void) => Promise<() => Promise<void>>;
  /** the read port: a standby further behind the log than this (ms) gets no session while another is current (default 2000) */
  readonly readMaxLagMs?: number;
  /** how long a client waits for a leader, or for the leader to accept connections (default 15 s) */
  readonly waitMs?: number;
  readonly logger?: Logger;
}

/** A data node as the read port sees it. */
export interface DataNodeState {
  readonly address: string;
  /** how far behind the log it reported itself (ms since it last had all the log held); undefined: not reported */
  readonly lagMs?: number;
  /** its open sessions as of its last report (undefined: not reported) */
  readonly sessions?: number;
  /** the share of its last report interval its event loop was busy, 0–1 in steps of 0.1 (undefined: not reported) */
  readonly busy?: number;
}

/** The default bound of readMaxLagMs: a current standby reports up to about one report interval (1 s). */
export const READ_MAX_LAG_MS = 2_000;

/**
 * The standbys to try for a read session, in order: the current ones (lag within
 * `maxLagMs`, or not reported) least loaded first — the least busy (reported busy share),
 * then the fewest sessions (reported, or the sessions this proxy holds open there now
 * when more: reports are a second old, and a burst of connections must not all land on
 * the node that was idle then) — the equally loaded ones from the round-robin position
 * `turn`; then the lagging ones, least behind first. Addresses in `standbys` are in a
 * stable order. Unreported load counts as none.
 */
export function readTargets(standbys: readonly DataNodeState[], maxLagMs: number, turn: number, opened: ReadonlyMap<string, number> = new Map()): string[] {
  const current = standbys.filter((n) => (n.lagMs ?? 0) <= maxLagMs);
  const lagging = standbys.filter((n) => (n.lagMs ?? 0) > maxLagMs).sort((a, b) => a.lagMs! - b.lagMs!);
  const load = (n: DataNodeState): [number, number] => [n.busy ?? 0, Math.max(n.sessions ?? 0, opened.get(n.address) ?? 0)];
  const loads = new Map(current.map((n) => [n.address, load(n)]));
  const compare = (a: DataNodeState, b: DataNodeState) => {
    const [x, y] = [loads.get(a.address)!, loads.get(b.address)!];
    return x[0] - y[0] || x[1] - y[1];
  };
  // each tier of equal load in turn (a stable sort keeps the address order within a tier)
  const sorted = [...current].sort(compare);
  const ordered: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && compare(sorted[i], sorted[j]) === 0) j++;
    const tier = sorted.slice(i, j);
    for (let k = 0; k < tier.length; k++) ordered.push(tier[(turn + k) % tier.length].address);
    i = j;
  }
  return [...ordered, ...lagging.map((n) => n.address)];
}

/** A listening proxy; close() ends its client connections and stops following the leader. */
export interface RunningProxy {
  readonly port: number;
  /** the read port, when one was asked for */
  readonly readPort?: number;
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
  let reads: { port: number; close(): Promise<void> } | undefined;
  try {
    if (opts.readPort !== undefined) reads = await startReadPort(opts, opts.readPort, () => leaderWithin(Date.now() + waitMs), refuse);
  } catch (e) {
    await unsubscribe();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw e;
  }
  return {
    port,
    ...(reads ? { readPort: reads.port } : {}),
    async close() {
      await unsubscribe();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of pairs.keys()) client.destroy();
      for (const w of leaderWaiters.splice(0)) w();
      await reads?.close();
      await closed;
    },
  };
}

const connectTo = (address: string): Promise<Socket | undefined> => new Promise((resolve) => {
  const { host, port } = parseAddress(address);
  const s = connect({ host, port });
  s.once('connect', () => resolve(s));
  s.once('error', () => { s.destroy(); resolve(undefined); });
});

/**
 * The read port: each connection to the least loaded current standby, equally loaded ones in
 * turn (readTargets), else
 * to the least lagging one, else to the leader. A standby that does not answer is skipped
 * for this connection.
 */
async function startReadPort(
  opts: ProxyOptions, readPort: number, leaderNow: () => Promise<string | undefined>,
  refuse: (client: Socket, first: Buffer[]) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  let dataNodes: DataNodeState[] = [];
  let next = 0;
  const maxLagMs = opts.readMaxLagMs ?? READ_MAX_LAG_MS;
  const unsubscribe = opts.dataNodes ? await opts.dataNodes((a) => { dataNodes = [...a].sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0)); }) : async () => {};
  const clients = new Set<Socket>();
  /** the sessions this read port holds open on each data node (readTargets' load, between reports) */
  const opened = new Map<string, number>();

  const pick = async (): Promise<Socket | undefined> => {
    const leader = await leaderNow();
    const targets = readTargets(dataNodes.filter((n) => n.address !== leader), maxLagMs, next++, opened);
    for (const target of [...targets, ...(leader === undefined ? [] : [leader])]) {
      const s = await connectTo(target);
      if (!s) continue;
      opened.set(target, (opened.get(target) ?? 0) + 1);
      s.once('close', () => {
        const n = (opened.get(target) ?? 1) - 1;
        if (n > 0) opened.set(target, n);
        else opened.delete(target);
      });
      return s;
    }
    return undefined;
  };

  /** CancelRequest: to every data node (a session's node is not known here); only its own acts on it */
  const cancelEverywhere = async (packet: Buffer) => {
    const leader = await leaderNow();
    const targets = new Set([...dataNodes.map((n) => n.address), ...(leader ? [leader] : [])]);
    await Promise.all([...targets].map(async (t) => {
      const s = await connectTo(t);
      s?.end(packet);
    }));
  };

  const server = createServer((client) => {
    client.setNoDelay(true);
    clients.add(client);
    const early: Buffer[] = [];
    let decided = false;
    let backend: Socket | undefined;
    client.on('error', () => {});
    client.on('close', () => {
      clients.delete(client);
      backend?.destroy();
    });
    const decide = () => {
      const head = Buffer.concat(early);
      if (decided || head.length < 8) return;
      decided = true;
      client.off('data', onData);
      if (head.readInt32BE(0) === 16 && head.readInt32BE(4) === StartupCode.CancelRequest) {
        if (head.length < 16) {
          // the rest of the packet: wait for it
          decided = false;
          client.on('data', onData);
          return;
        }
        void cancelEverywhere(head.subarray(0, 16)).finally(() => client.end());
        return;
      }
      const held: Buffer[] = [head];
      const hold = (d: Buffer) => held.push(d);
      client.on('data', hold);
      void pick().then((b) => {
        client.off('data', hold);
        if (client.destroyed) {
          b?.destroy();
          return;
        }
        if (!b) {
          opts.logger?.warn({ client: client.remoteAddress }, 'no data node for the read port: refusing the connection');
          refuse(client, held);
          return;
        }
        backend = b;
        b.setNoDelay(true);
        b.on('error', () => client.destroy());
        b.on('close', (hadError) => { if (hadError) client.destroy(); });
        for (const d of held) b.write(d);
        client.pipe(b);
        b.pipe(client);
      });
    };
    const onData = (d: Buffer) => {
      early.push(d);
      decide();
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(readPort, opts.host, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      await unsubscribe();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of clients) c.destroy();
      await closed;
    },
  };
}
