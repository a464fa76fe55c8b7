/**
 * A client of the timestamp oracle (tso-server.ts): finds the leader through the `tso`
 * election and asks it over TCP. Concurrent requests are batched — one request for all the
 * waiters queued while the previous one was in flight — but a waiter is only ever answered
 * by a request sent AFTER it arrived: a timestamp must be above every one handed out before
 * the caller asked (a read's snapshot covers every commit acknowledged before it began).
 * A request lost with its connection (the leader died) is sent again to the new leader,
 * which starts above all the old one handed out.
 */
import type { Socket } from 'node:net';
import type { Coordinator } from '../coordinator.js';
import { TSO_ELECTION } from './tso-server.js';
import { greetPeer } from '../peer-handshake.js';
import { dialPeer, type PeerTls } from '../peer-tls.js';

/** Anything that hands out timestamps (the TSO client; a local counter in tests). */
export interface TimestampSource {
  /** A fresh timestamp, above every one handed out before this call. */
  timestamp(signal?: AbortSignal): Promise<bigint>;
  close(): Promise<void>;
}

interface Waiter {
  resolve(ts: bigint): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** How long a waiter may go unanswered (no leader, etcd unreachable) before it fails. */
const GIVE_UP_MS = 15_000;
const RETRY_MS = 100;

export class TsoClient implements TimestampSource {
  private queue: Waiter[] = [];
  private inFlight: Waiter[] | undefined;
  private socket: Socket | undefined;
  private leader: string | undefined;
  private received: Buffer = Buffer.alloc(0);
  private closed = false;
  private stopWatch: (() => Promise<void>) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** requests sent (tests: batching) */
  requests = 0;

  /** the connection is proving the cluster secret: requests wait */
  private greeting = false;

  private constructor(private readonly coordinator: Coordinator, private readonly secret: string | undefined, private readonly tls: PeerTls | undefined) {}

  /**
   * `secret`: --cluster-secret, proven to the oracle's server (peer-handshake.ts); `tls`:
   * --cluster-tls-ca, the oracle reached over TLS, its certificate checked (peer-tls.ts)
   */
  static async open(coordinator: Coordinator, secret?: string, tls?: PeerTls): Promise<TsoClient> {
    const c = new TsoClient(coordinator, secret, tls);
    c.stopWatch = await coordinator.watchLeader(TSO_ELECTION, (address) => {
      if (address === c.leader) return;
      c.leader = address;
      // a new leader: the old connection goes (its request, if any, is sent again)
      c.dropConnection();
      c.pump();
    });
    return c;
  }

  timestamp(signal?: AbortSignal): Promise<bigint> {
    if (this.closed) return Promise.reject(new Error('the timestamp oracle client is closed'));
    return new Promise<bigint>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
      };
      w.resolve = (ts) => { done(); resolve(ts); };
      w.reject = (e) => { done(); reject(e); };
      timer = setTimeout(() => this.fail(w, new Error(`the timestamp oracle did not answer within ${GIVE_UP_MS} ms (leader: ${this.leader ?? 'none'})`)), GIVE_UP_MS);
      timer.unref();
      if (signal) {
        if (signal.aborted) return this.fail(w, signal.reason);
        w.signal = signal;
        w.onAbort = () => this.fail(w, signal.reason);
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.pump();
    });
  }

  /** Fail one waiter (timed out, cancelled): out of the queue; a batch in flight answers the others. */
  private fail(w: Waiter, e: unknown): void {
    this.queue = this.queue.filter((q) => q !== w);
    if (this.inFlight) this.inFlight = this.inFlight.map((q) => (q === w ? undefinedWaiter : q));
    w.reject(e);
  }

  /** Send the queued waiters' request when none is in flight. */
  private pump(): void {
    if (this.closed || this.inFlight || this.queue.length === 0) return;
    const socket = this.connection();
    if (!socket) return;
    this.inFlight = this.queue;
    this.queue = [];
    const frame = Buffer.alloc(4);
    frame.writeUInt32BE(this.inFlight.length, 0);
    this.requests++;
    socket.write(frame);
  }

  private connection(): Socket | undefined {
    if (this.socket) return this.greeting ? undefined : this.socket;
    if (!this.leader) return undefined;
    const [host, port] = splitAddress(this.leader);
    const socket = dialPeer(host, port, this.tls);
    socket.setNoDelay(true);
    this.socket = socket;
    this.received = Buffer.alloc(0);
    const secret = this.secret;
    if (secret) {
      // the secret first; the answers' reader after it (the handshake reads its own bytes)
      this.greeting = true;
      greetPeer(socket, secret).then((rest) => {
        if (this.socket !== socket) return;
        this.greeting = false;
        socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
        if (rest.length > 0) this.onData(socket, rest);
        this.pump();
      }, () => socket.destroy());
    } else socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    const lost = () => {
      if (this.socket !== socket) return;
      this.dropConnection();
      // ask the election again (a dead leader's key stays until its lease expires)
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        void this.coordinator.leader(TSO_ELECTION).then((a) => { this.leader = a; }, () => {}).finally(() => this.pump());
      }, RETRY_MS);
    };
    socket.on('error', lost);
    socket.on('close', lost);
    // with a secret, the first request goes once the handshake is done (pump, above)
    return this.greeting ? undefined : socket;
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    while (this.received.length >= 1) {
      const status = this.received.readUInt8(0);
      if (status === 0) {
        if (this.received.length < 9) return;
        const first = this.received.readBigUInt64BE(1);
        this.received = this.received.subarray(9);
        const batch = this.inFlight ?? [];
        this.inFlight = undefined;
        batch.forEach((w, i) => w.resolve(first + BigInt(i)));
        this.pump();
        continue;
      }
      // refused (not the leader): the connection closes, the batch is sent again
      return;
    }
  }

  /** Forget the connection; the batch in flight goes back to the front of the queue (sent again, later than it arrived). */
  private dropConnection(): void {
    const s = this.socket;
    this.socket = undefined;
    this.greeting = false;
    s?.destroy();
    if (this.inFlight) {
      this.queue = [...this.inFlight.filter((w) => w !== undefinedWaiter), ...this.queue];
      this.inFlight = undefined;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.dropConnection();
    for (const w of this.queue) w.reject(new Error('the timestamp oracle client is closed'));
    this.queue = [];
    await this.stopWatch?.();
  }
}

/** Stands in for a cancelled waiter in a batch in flight (its slot's timestamp goes unused). */
const undefinedWaiter: Waiter = { resolve: () => {}, reject: () => {} };

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}
