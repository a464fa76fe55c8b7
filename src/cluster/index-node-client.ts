/**
 * The data leader's side of the index nodes (index-node.ts): storage's RemoteIndexBuilder.
 * Builds go to the registered index nodes in turn (each build is one segment's index, or
 * an IVFFlat index's centers; the node with the fewest builds in flight takes the next).
 * Whatever an index node cannot do — none registered, a file it cannot fetch, a failed
 * build, a connection lost — resolves undefined (false) and the leader does it itself: no
 * CREATE INDEX fails because an index node did.
 */
import { IndexBuildAborted } from '../ann/build.js';
import type { RemoteCentersTraining, RemoteIndexBuild, RemoteIndexResult, RemoteIndexBuilder } from '../storage/shared-log.js';
import type { IndexNodeRequest, IndexNodeResponse } from './index-node.js';
import { FramedConnection, MAX_FRAME } from './query-node-protocol.js';
import type { PeerTls } from './peer-tls.js';

/** room in a frame for a training request's other fields */
const SAMPLE_FRAME_ROOM = 1 << 20;

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class IndexNodeConnection {
  private readonly conn: FramedConnection;
  readonly waiting = new Map<number, (r: IndexNodeResponse | undefined) => void>();

  constructor(readonly address: string, onLost: (c: IndexNodeConnection) => void, secret?: string, tls?: PeerTls) {
    this.conn = new FramedConnection(address, (m) => {
      const res = m as IndexNodeResponse;
      const w = this.waiting.get(res.id);
      this.waiting.delete(res.id);
      w?.(res);
    }, () => {
      // a lost connection answers its builds with "not built": the leader builds them itself
      for (const w of this.waiting.values()) w(undefined);
      this.waiting.clear();
      onLost(this);
    }, secret, tls);
  }

  get lost(): boolean {
    return this.conn.ended;
  }

  send(req: IndexNodeRequest): void {
    this.conn.send(req);
  }

  end(): void {
    this.conn.end();
  }
}

export class IndexNodeClient implements RemoteIndexBuilder {
  private addresses: string[] = [];
  private readonly connections = new Map<string, IndexNodeConnection>();
  private nextId = 1;
  /** builds an index node finished (tests, logs) */
  builtRemotely = 0;
  /** IVFFlat centers an index node trained (tests, logs) */
  trainedRemotely = 0;

  /** `prefix`: the object store prefix named in every request (a sharded cluster's: the leader's shard's stream) */
  /**
   * `secret`: --cluster-secret, proven to every index node before a request (peer-handshake.ts);
   * `tls`: --cluster-tls-ca, the index nodes reached over TLS (peer-tls.ts)
   */
  constructor(private readonly logger: Logger, private readonly prefix?: string, private readonly secret?: string, private readonly tls?: PeerTls) {}

  /** The registered index nodes' addresses. */
  setNodes(addresses: readonly string[]): void {
    const next = [...new Set(addresses)].sort();
    if (next.join(',') !== this.addresses.join(',')) this.logger.info({ nodes: next }, 'index nodes');
    this.addresses = next;
    for (const [a, c] of this.connections) if (!next.includes(a)) c.end();
  }

  private connection(address: string): IndexNodeConnection {
    let c = this.connections.get(address);
    if (!c || c.lost) {
      c = new IndexNodeConnection(address, (lost) => { if (this.connections.get(address) === lost) this.connections.delete(address); }, this.secret, this.tls);
      this.connections.set(address, c);
    }
    return c;
  }

  /** The node with the fewest builds in flight. */
  private pick(): string | undefined {
    let best: string | undefined;
    let load = Infinity;
    for (const a of this.addresses) {
      const n = this.connections.get(a)?.waiting.size ?? 0;
      if (n < load) {
        best = a;
        load = n;
      }
    }
    return best;
  }

  buildIndex(build: RemoteIndexBuild, signal?: AbortSignal): Promise<RemoteIndexResult | undefined> {
    return this.request({ kind: 'build', build }, { segment: build.segmentFile }, signal).then((res) => {
      if (!res || !('result' in res)) return undefined;
      this.builtRemotely++;
      return res.result;
    });
  }

  /** IVFFlat centers trained on an index node (false: none could; the leader trains them). */
  trainCenters(train: RemoteCentersTraining, signal?: AbortSignal): Promise<boolean> {
    // a sample too large for one frame (huge lists × dimensions): trained on the leader
    if (train.samples.byteLength > MAX_FRAME - SAMPLE_FRAME_ROOM) return Promise.resolve(false);
    return this.request({ kind: 'train', train }, { centers: train.centersFile }, signal).then((res) => {
      if (!res || !('trained' in res)) return false;
      this.trainedRemotely++;
      return true;
    });
  }

  /**
   * Send one request to the least loaded index node; its successful answer, or undefined
   * when none is registered, it failed or the connection was lost (the leader does it itself).
   */
  private request(req: DistributiveOmit<IndexNodeRequest & { kind: 'build' | 'train' }, 'id'>, what: object, signal?: AbortSignal): Promise<(IndexNodeResponse & { ok: true }) | undefined> {
    const address = this.pick();
    if (!address) return Promise.resolve(undefined);
    if (signal?.aborted) return Promise.reject(new IndexBuildAborted());
    const conn = this.connection(address);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        conn.waiting.delete(id);
        if (!conn.lost) conn.send({ kind: 'cancel', id });
        reject(new IndexBuildAborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      conn.waiting.set(id, (res) => {
        signal?.removeEventListener('abort', onAbort);
        if (res?.ok) {
          resolve(res);
          return;
        }
        this.logger.warn({ node: address, ...what, why: res ? res.message : 'connection lost' }, `index node did not ${req.kind === 'train' ? 'train the centers' : 'build'}; doing it here`);
        resolve(undefined);
      });
      conn.send({ ...req, id, ...(this.prefix !== undefined ? { prefix: this.prefix } : {}) } as IndexNodeRequest);
    });
  }

  close(): void {
    for (const c of this.connections.values()) c.end();
  }
}
