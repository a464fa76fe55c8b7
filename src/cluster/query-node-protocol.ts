/**
 * The query-node protocol: the query-worker protocol (query-worker/protocol.ts) carried
 * over TCP to a query node on another machine. Each frame is a 4-byte big-endian length
 * and a v8-serialized message (typed arrays travel as themselves).
 *
 * A request names its segment by where the bytes live — the sealed segment's file (its
 * key in the object store) and stored column, and for an ANN search the index file's key —
 * not by shared memory: the node loads them from the object store on first use and keeps
 * them. Sealed segments are immutable, so a node's copy is never stale, and the data node
 * that coordinates a query sends exactly the segments of its snapshot: every answer is as
 * consistent as a local worker's. In a sharded cluster a request also names the object
 * store prefix its files are under (the shard's stream, `<stream>-s<K>`): one query node
 * serves every shard's leader, and equal file names of two shards are two files. An
 * unsharded cluster's requests name none (the node's own `--stream`), as before shards.
 */
import type { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import type { AnnIndexFile } from '../ann/api.js';
import { greetPeer } from './peer-handshake.js';
import { dialPeer, type PeerTls } from './peer-tls.js';
import type { Body } from '../query-worker/pool.js';
import type { AnnSearchRequest, ExactTopKRequest, Hits } from '../query-worker/protocol.js';

/** A sealed segment's vector column, by its file's object key and stored column. */
export interface SegmentLocator {
  readonly file: string;
  readonly column: number;
}

/** Run one worker request (annSearch / exactTopK) on the node's workers. */
export interface NodeSearchRequest {
  readonly kind: 'search';
  readonly id: number;
  /** the object store prefix of the segment and index files (a shard's stream); absent: the node's own */
  readonly prefix?: string;
  readonly segment: SegmentLocator;
  /** for annSearch: the index file, `path` being its object key */
  readonly index?: AnnIndexFile;
  readonly body: Body<AnnSearchRequest> | Body<ExactTopKRequest>;
}

/** Stop request `id` (it still answers: with 57014). */
export interface NodeCancelRequest {
  readonly kind: 'cancel';
  readonly id: number;
}

/** What the node has loaded and served (tests, operators). */
export interface NodeStatsRequest {
  readonly kind: 'stats';
  readonly id: number;
}

export type NodeRequest = NodeSearchRequest | NodeCancelRequest | NodeStatsRequest;

export interface NodeStats {
  readonly served: number;
  readonly segments: number;
  readonly workers: number;
}

export type NodeResponse =
  | { readonly id: number; readonly ok: true; readonly hits?: Hits; readonly exhausted?: boolean; readonly widenings?: number; readonly switched?: boolean; readonly stats?: NodeStats }
  | {
    readonly id: number;
    readonly ok: false;
    readonly error: { readonly code: string; readonly message: string; readonly detail?: string };
    /** the node could not serve it (a file it cannot load yet): ask someone else, it is no query error */
    readonly elsewhere?: boolean;
  };

/** A request a node cannot serve now (a file it cannot fetch): the data node does it itself; no query error. */
export class NotHere extends Error {}

/** A request's object key must be a plain file name of the segment directory (nothing to walk out of the node's directory with). */
export function checkFileKey(key: string): void {
  if (key.includes('/') || key.includes('\\') || key.startsWith('.')) throw new NotHere(`not a segment directory file name: ${key}`);
}

/** A request's object store prefix must be a stream name (letters, digits, - and _): it is a directory of the node's cache too. */
export function checkPrefix(prefix: string): void {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(prefix)) throw new NotHere(`not a stream name: ${prefix}`);
}

/** Frames above this are a broken peer, not a message (a search request is a few KB; an IVFFlat training sample up to tens of MB). */
export const MAX_FRAME = 256 << 20;

/** One message as a frame (this protocol's, or the index nodes': index-node.ts). */
export function encodeFrame(message: unknown): Buffer {
  const body = serialize(message);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/**
 * Splits a byte stream into messages. The chunks of a frame are joined once it is
 * complete: joining at every chunk copied a large frame (an IVFFlat training sample, tens
 * of MB) over and over.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  /** The whole messages `chunk` completes (throws on a frame no peer of ours sends). */
  push(chunk: Buffer): unknown[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: unknown[] = [];
    while (this.size >= 4) {
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : this.joined();
      const length = head.readUInt32BE(0);
      if (length > MAX_FRAME) throw new Error(`query-node frame of ${length} bytes (at most ${MAX_FRAME})`);
      if (this.size < 4 + length) break;
      const all = this.joined();
      out.push(deserialize(all.subarray(4, 4 + length)));
      const rest = all.subarray(4 + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
    }
    return out;
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return this.chunks[0];
  }
}

/**
 * A client's TCP connection that speaks frames: connects to "host:port", hands each whole
 * message to `onMessage`, and calls `onEnd` once when the connection ends for any reason
 * (closed, refused, a broken frame, a failed cluster handshake, end()). With a `secret`
 * (--cluster-secret) both sides prove it first (peer-handshake.ts); messages sent
 * meanwhile wait. With `tls` holding a CA (--cluster-tls-ca) the connection is TLS,
 * the node's certificate checked (peer-tls.ts), and the handshake runs inside it.
 */
export class FramedConnection {
  private readonly socket: Socket;
  private readonly reader = new FrameReader();
  /** frames sent before the handshake finished */
  private queued: Buffer[] | null = null;
  ended = false;

  constructor(readonly address: string, private readonly onMessage: (m: unknown) => void, private readonly onEnd: (why: string) => void, secret?: string, tls?: PeerTls) {
    const at = address.lastIndexOf(':');
    this.socket = dialPeer(address.slice(0, at), Number(address.slice(at + 1)), tls);
    this.socket.setNoDelay(true);
    this.socket.on('error', (e) => this.end(e.message));
    this.socket.on('close', () => this.end('connection closed'));
    if (!secret) {
      this.socket.on('data', (chunk: Buffer) => this.received(chunk));
      return;
    }
    this.queued = [];
    greetPeer(this.socket, secret).then((rest) => {
      if (this.ended) return;
      this.socket.on('data', (chunk: Buffer) => this.received(chunk));
      for (const frame of this.queued ?? []) this.socket.write(frame);
      this.queued = null;
      if (rest.length > 0) this.received(rest);
    }, (e: Error) => this.end(e.message));
  }

  private received(chunk: Buffer): void {
    let messages: unknown[];
    try {
      messages = this.reader.push(chunk);
    } catch (e) {
      this.end(`broken frame: ${(e as Error).message}`);
      return;
    }
    for (const m of messages) this.onMessage(m);
  }

  send(message: unknown): void {
    const frame = encodeFrame(message);
    if (this.queued) this.queued.push(frame);
    else this.socket.write(frame);
  }

  end(why = 'closed'): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    this.onEnd(why);
  }
}
