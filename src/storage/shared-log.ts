/**
 * The seams between durable storage and shared infrastructure (cluster mode): a log that
 * several machines read, and an object store for segment and index files. Storage keeps
 * its local LevelDB and segment directory either way; with these, the log's batches are
 * first made durable in the shared log (the source of truth), and every file a manifest
 * refers to is in the object store before that manifest is logged. A fresh node rebuilds
 * its local copy from them (log-replica.ts). Implementations: src/cluster/ (NATS
 * JetStream, S3); storage never imports them.
 */

import type { AnnIndexFile, AnnOp } from '../ann/api.js';
import type { RecallCurve } from '../ann/recall-curve.js';
import type { StoredColumn } from './api.js';
import type { SegmentIndexJob } from './segment-index-build.js';

/** One batch of the shared log, as appended. */
export interface LogBatch {
  /** the batch's position: increasing, the `expectedLast` of the next append */
  readonly seq: number;
  readonly payload: Uint8Array;
}

/**
 * An append-only log with one writer at a time. `append` is acknowledged only when a
 * quorum of the log's replicas has the batch, and refuses (LogFenced) when the log's last
 * batch is not `expectedLast`: another writer appended since, so this one must stop.
 */
export interface SharedLog {
  /**
   * Append `payload` (any size: split and reassembled by the implementation, a batch is
   * read back whole or not at all). Resolves with the batch's seq once durable. Retries on
   * its own across a leader change, without ever appending the batch twice.
   */
  append(payload: Uint8Array, expectedLast: number): Promise<number>;
  /**
   * The log's last position: the `expectedLast` of the next append (0: empty). The seq of
   * the last complete batch, or past it when the log ends in parts of a batch whose writer
   * died mid-append (never acknowledged; `read` never visits them).
   */
  lastSeq(): Promise<number>;
  /**
   * Visit the batches after `afterSeq` in order, up to the last one at the time of the call
   * (`follow`: and then every new one until `signal` aborts). Resolves with the last seq
   * visited (`afterSeq` if none). Rejects with LogTrimmed when batches after `afterSeq`
   * were trimmed away (the reader must start from a checkpoint).
   */
  read(afterSeq: number, visit: (batch: LogBatch) => void | Promise<void>, options?: { follow?: boolean; signal?: AbortSignal }): Promise<number>;
  /** The position the log is trimmed to: batches up to it are gone (0: none ever were). */
  trimmedTo(): Promise<number>;
  /**
   * Drop the batches up to `seq` (a batch's seq: a checkpoint's position), which a
   * checkpoint in the object store holds; readers from before it start from that checkpoint.
   */
  trim(seq: number): Promise<void>;
  close(): Promise<void>;
}

/** The batches a reader needs were trimmed: it must restore a checkpoint first (checkpoint.ts). */
export class LogTrimmed extends Error {
  constructor(readonly afterSeq: number, readonly trimmedTo: number) {
    super(`the shared log is trimmed to ${trimmedTo}: batches after ${afterSeq} are gone; restore a checkpoint`);
  }
}

/** The log has batches after the one this writer expected: another writer took over. */
export class LogFenced extends Error {
  constructor(readonly expectedLast: number, readonly actualLast?: number) {
    super(`the shared log moved on (expected last batch ${expectedLast}${actualLast !== undefined ? `, found ${actualLast}` : ''}): another node writes it now`);
  }
}

/** Files by key (segment and index files, named as in the segment directory). */
export interface ObjectStore {
  /** Upload a local file (replacing any object of that key); resolves once stored. */
  put(key: string, file: string): Promise<void>;
  /** Download to a local file (written to a temporary name, then renamed); false if there is no such object. */
  get(key: string, file: string): Promise<boolean>;
  /** Whether the key exists. */
  has(key: string): Promise<boolean>;
  /** Delete (no error if absent). */
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`. */
  list(prefix: string): Promise<string[]>;
}

/**
 * One sealed segment's ANN index (any kind: segment-index-build.ts), to be built by an
 * index node (cluster mode's `index` role) from files in the object store.
 */
export interface RemoteIndexBuild {
  /** the segment's file: its key in the object store */
  readonly segmentFile: string;
  /** the table's stored columns, to read the segment file with */
  readonly columns: readonly StoredColumn[];
  /** the segment's rows (the node checks the file it fetched has as many) */
  readonly rows: number;
  /** what to build; an IVFFlat job's `centers` is a key in the object store too */
  readonly job: SegmentIndexJob;
  /** the key the index node puts the finished index file under */
  readonly indexFile: string;
}

/** What the build measured, for the index to be opened from its file here. */
export interface RemoteIndexResult {
  /** the built index's fileRef() but its path: what opening the file needs besides it */
  readonly file: Omit<AnnIndexFile, 'path'>;
  readonly curve?: RecallCurve;
}

/**
 * An IVFFlat index's centers, to be trained by an index node: k-means on the sample the
 * leader drew (the same code and seed as a local training, so the same centers).
 */
export interface RemoteCentersTraining {
  /** `float`: `samples` holds count × dim float32; `bits`: count packed bit strings of `dim` bits (bit-ivf.ts) */
  readonly kind: 'float' | 'bits';
  readonly samples: Float32Array | Uint8Array;
  readonly count: number;
  readonly dim: number;
  /** the index's operator (float centers: <->, <#>, <=> train differently; bits: <~>) */
  readonly op: AnnOp;
  readonly lists: number;
  /** the key the index node puts the centers file under (the name the leader gives it) */
  readonly centersFile: string;
}

/** Index nodes, as the storage sees them. */
export interface RemoteIndexBuilder {
  /**
   * Train IVFFlat centers on an index node; resolves true once the centers file is in the
   * object store, false when no index node can do it now (the storage trains them itself).
   */
  trainCenters?(req: RemoteCentersTraining, signal?: AbortSignal): Promise<boolean>;
  /**
   * Build on an index node; resolves once the index file is in the object store, or with
   * undefined when no index node can take it now (the storage builds it itself).
   */
  buildIndex(req: RemoteIndexBuild, signal?: AbortSignal): Promise<RemoteIndexResult | undefined>;
}
