/**
 * A data node's search pool in cluster mode: sealed-segment searches go to the query
 * nodes (query-node.ts), each segment to one node chosen by rendezvous hashing of its file
 * name over the live nodes — so a node keeps the segments it was given, and when a node
 * comes or goes only its share moves. What a query node cannot serve (no node alive, a
 * segment or index file not yet in the object store, a node that died mid-request) runs
 * on this node's own workers, which hold every sealed segment too: a query never fails or
 * waits because a query node went away.
 */
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { AnnIndexFile } from '../ann/api.js';
import { SqlError } from '../errors.js';
import type { Body, PendingRequest, SegmentRef, SegmentSearchPool } from '../query-worker/pool.js';
import type { AnnSearchRequest, ExactTopKRequest, OkResponse } from '../query-worker/protocol.js';
import { FramedConnection, type NodeRequest, type NodeResponse, type NodeStats, type SegmentLocator } from './query-node-protocol.js';
import type { PeerTls } from './peer-tls.js';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

type SearchBody = Body<AnnSearchRequest> | Body<ExactTopKRequest>;

/** A node that failed is not asked again for this long (its registration expires meanwhile). */
const DOWN_MS = 5_000;

interface InFlight {
  readonly ref: SegmentRef;
  readonly body: SearchBody;
  readonly resolve: (r: OkResponse) => void;
  readonly reject: (e: Error) => void;
  /** where it runs now: a node connection, or the local pool's request id */
  node?: NodeConnection;
  localId?: number;
}

/** One TCP connection to a query node; `onLost` hears of its end once. */
class NodeConnection {
  private readonly conn: FramedConnection;
  private readonly waiting = new Map<number, (r: NodeResponse) => void>();

  constructor(readonly address: string, onLost: (conn: NodeConnection, why: string) => void, secret?: string, tls?: PeerTls) {
    this.conn = new FramedConnection(address, (m) => {
      const res = m as NodeResponse;
      const w = this.waiting.get(res.id);
      if (!w) return;
      this.waiting.delete(res.id);
      w(res);
    }, (why) => {
      this.waiting.clear();
      onLost(this, why);
    }, secret, tls);
  }

  get lost(): boolean {
    return this.conn.ended;
  }

  /** Send; `answer` is called with the node's response (never, if the connection is lost). */
  send(req: NodeRequest, answer?: (r: NodeResponse) => void): void {
    if (answer) this.waiting.set(req.id, answer);
    this.conn.send(req);
  }

  forget(id: number): void {
    this.waiting.delete(id);
  }

  close(): void {
    this.conn.end();
  }
}

export interface QueryNodePoolOptions {
  /** this node's own workers: they serve what the query nodes cannot */
  readonly local: SegmentSearchPool | undefined;
  /** the data node's segment directory: only index files there are in the object store */
  readonly segmentDir: string;
  /** the object store prefix this data node's files are under, named in every request (a sharded cluster's: its shard's stream) */
  readonly prefix?: string;
  readonly logger: Logger;
  /** --cluster-secret: proven to every query node before a request (peer-handshake.ts) */
  readonly secret?: string;
  /** --cluster-tls-ca: the query nodes are reached over TLS, their certificates checked (peer-tls.ts) */
  readonly tls?: PeerTls;
  /** called once by close() (stop following the registrations) */
  readonly onClose?: () => void;
}

export class QueryNodePool implements SegmentSearchPool {
  private readonly connections = new Map<string, NodeConnection>();
  private readonly downUntil = new Map<string, number>();
  private readonly inFlight = new Map<number, InFlight>();
  private addresses: string[] = [];
  private nextId = 1;
  private closing = false;
  /** requests answered by query nodes, and served here instead (tests, logs) */
  remoteServed = 0;
  localServed = 0;

  constructor(private readonly opts: QueryNodePoolOptions) {}

  /** The live query nodes' addresses (from the metadata store's registrations). */
  setNodes(addresses: readonly string[]): void {
    const next = [...new Set(addresses)].sort();
    if (next.join(',') !== this.addresses.join(',')) this.opts.logger.info({ nodes: next }, 'query nodes');
    this.addresses = next;
    for (const [address, conn] of this.connections) if (!next.includes(address)) conn.close();
  }

  get nodes(): readonly string[] {
    return this.addresses;
  }

  get size(): number {
    const local = this.opts.local?.size ?? 1;
    return local * Math.max(1, this.liveNodes().length);
  }

  private liveNodes(): string[] {
    const now = Date.now();
    return this.addresses.filter((a) => (this.downUntil.get(a) ?? 0) <= now);
  }

  /** The node that owns a segment among the live nodes. */
  private owner(file: string): string | undefined {
    return rendezvousOwner(this.liveNodes(), file);
  }

  private connection(address: string): NodeConnection {
    let conn = this.connections.get(address);
    if (!conn || conn.lost) {
      conn = new NodeConnection(address, (c, why) => this.lost(c, why), this.opts.secret, this.opts.tls);
      this.connections.set(address, conn);
    }
    return conn;
  }

  /** A connection ended: its requests run here instead, and the node rests a while. */
  private lost(conn: NodeConnection, why: string): void {
    if (this.connections.get(conn.address) === conn) this.connections.delete(conn.address);
    if (this.closing) return;
    this.downUntil.set(conn.address, Date.now() + DOWN_MS);
    let moved = 0;
    for (const f of this.inFlight.values()) {
      if (f.node !== conn) continue;
      moved++;
      this.runLocally(f);
    }
    this.opts.logger.warn({ node: conn.address, why, moved }, 'query node lost; its requests run on this node');
  }

  /** Where a request can run remotely: its segment's file and, for an index search, the index's. */
  private locate(ref: SegmentRef, body: SearchBody): { segment: SegmentLocator; index?: AnnIndexFile } | undefined {
    const segment = ref.vectors.source;
    if (!segment) return undefined;
    if (body.kind !== 'annSearch') return { segment };
    const file = ref.indexes?.get(body.index);
    // an index saved elsewhere (a private temporary file) is in no object store
    if (!file || dirname(file.path) !== this.opts.segmentDir) return undefined;
    return { segment, index: { ...file, path: basename(file.path) } };
  }

  annSearch(ref: SegmentRef, body: Body<AnnSearchRequest>): PendingRequest {
    return this.start(ref, body);
  }

  exactTopK(ref: SegmentRef, body: Body<ExactTopKRequest>): PendingRequest {
    return this.start(ref, body);
  }

  private start(ref: SegmentRef, body: SearchBody): PendingRequest {
    if (this.closing) throw new SqlError('57P01', 'terminating connection due to administrator command');
    const id = this.nextId++;
    let f!: InFlight;
    const done = new Promise<OkResponse>((resolve, reject) => { f = { ref, body, resolve, reject }; });
    this.inFlight.set(id, f);
    void done.then(() => this.inFlight.delete(id), () => this.inFlight.delete(id));
    const where = this.locate(ref, body);
    // (by prefix and file: two shards' segments of one name are spread as any two)
    const owner = where && this.owner(this.opts.prefix === undefined ? where.segment.file : `${this.opts.prefix}/${where.segment.file}`);
    if (!where || !owner) this.runLocally(f);
    else this.runOn(id, f, owner, where);
    return { id, done };
  }

  private runOn(id: number, f: InFlight, address: string, where: { segment: SegmentLocator; index?: AnnIndexFile }): void {
    const conn = this.connection(address);
    f.node = conn;
    conn.send({ kind: 'search', id, ...(this.opts.prefix !== undefined ? { prefix: this.opts.prefix } : {}), segment: where.segment, ...(where.index ? { index: where.index } : {}), body: f.body }, (res) => {
      if (res.ok) {
        this.remoteServed++;
        f.resolve({ id, ok: true, ...(res.hits ? { hits: res.hits } : {}), ...(res.exhausted ? { exhausted: true } : {}), ...(res.widenings !== undefined ? { widenings: res.widenings } : {}), ...(res.switched ? { switched: true } : {}) });
      } else if (res.elsewhere) {
        this.opts.logger.warn({ node: address, error: res.error.message }, 'query node could not serve a segment; serving it here');
        this.runLocally(f);
      } else {
        f.reject(new SqlError(res.error.code, res.error.message, res.error.detail ? { detail: res.error.detail } : {}));
      }
    });
  }

  private runLocally(f: InFlight): void {
    f.node = undefined;
    const local = this.opts.local;
    if (!local) {
      f.reject(new SqlError('XX000', 'no query node could serve a sealed segment, and this node runs no query workers (--query-workers 0)'));
      return;
    }
    try {
      const p = f.body.kind === 'annSearch' ? local.annSearch(f.ref, f.body) : local.exactTopK(f.ref, f.body);
      f.localId = p.id;
      p.done.then((r) => {
        this.localServed++;
        f.resolve(r);
      }, f.reject);
    } catch (e) {
      f.reject(e as Error);
    }
  }

  cancel(id: number): void {
    const f = this.inFlight.get(id);
    if (!f) return;
    this.inFlight.delete(id);
    if (f.node) {
      f.node.forget(id);
      f.node.send({ kind: 'cancel', id });
    } else if (f.localId !== undefined) {
      this.opts.local?.cancel(f.localId);
    }
    f.reject(new SqlError('57014', 'canceling statement due to user request'));
  }

  /** Ask a node what it holds and has served. */
  stats(address: string): Promise<NodeStats> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const conn = this.connection(address);
      const timer = setTimeout(() => { conn.forget(id); reject(new Error(`query node ${address} did not answer`)); }, 5_000);
      conn.send({ kind: 'stats', id }, (res) => {
        clearTimeout(timer);
        if (res.ok && res.stats) resolve(res.stats);
        else reject(new Error(`query node ${address}: ${res.ok ? 'no stats' : res.error.message}`));
      });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.opts.onClose?.();
    for (const conn of this.connections.values()) conn.close();
    for (const [id, f] of this.inFlight) {
      this.inFlight.delete(id);
      f.reject(new SqlError('57P01', 'terminating connection due to administrator command'));
    }
  }
}

/** Rendezvous hashing: the node that owns a segment file is the highest hash of (node, file). */
export function rendezvousOwner(nodes: readonly string[], file: string): string | undefined {
  let best: string | undefined;
  let bestScore = '';
  for (const a of nodes) {
    const score = createHash('sha1').update(a).update('\0').update(file).digest('hex');
    if (best === undefined || score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return best;
}
