/**
 * Durable, log-structured storage ("the log is the data", see shared/design/ARCHITECTURE.md).
 *
 *   commit ──▶ growing segment (memory) ──▶ WAL batch (LevelDB, fsync, group commit) ──▶ ack
 *                    │  seal threshold reached (background)
 *                    ▼
 *              frozen segment ──▶ Arrow IPC file + statistics ──▶ manifest (T/<table>) ──▶ trim log
 *                                                      compaction: merge small / delete-heavy files
 *
 * Visibility: a commit is applied to memory when it gets its timestamp (so unique keys and
 * write conflicts see it at once), but snapshot() only hands out timestamps whose log
 * records are on disk, so no reader ever sees a commit that a crash could still take back.
 *
 * Tombstones are per table (RowId → deleting timestamp) and apply to every segment, so
 * sealing and compaction never have to rewrite deletes; compaction drops rows whose
 * tombstone is older than every snapshot in use, and their tombstone records with them.
 */
import { ClassicLevel } from 'classic-level';
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { open as openFile, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import { hashKey } from '../types/compare.js';
import { SqlError } from '../errors.js';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';
import {
  RowConflict, UniqueViolation, WriteConflict, BITMAP_STEP_ROWS, PrepareRefused, type CommitGate,
  type PrepareOptions, type PreparedTransaction,
  type AnnSegment, type BitmapFilter, type BitmapMatch, type SearchSegment, type RowBatch, type ZoneCondition, type RowId, type ScanOptions, type SegmentInfo, type SequenceState, type Snapshot, type Storage, type TableLayout, type TextIndexSpec, type VectorIndexKey, type ToTsVector, type TextIndexAttachment, type BuildInvertedIndexFile, type Transaction, type UniqueKeySpec, type KeyFunction, type KeyPredicate, type ToIndexKey, type VectorIndexBuilt, type VectorIndexProgress, type VectorIndexSpec,
} from './api.js';
import {
  PID_FILE, SEGMENTS_DIR, StorageStartupError, WAL_DIR, checkFormatVersion, fsyncDir, readPidFile, writeFileDurable, writePidFile,
} from './data-dir.js';
import { decodeInvertedIndex, encodeInvertedIndex } from './inverted-index-file.js';
import { GrowingSegment, SealedSegment, arraySource, decodeSegment, encodeSegment, rowBytes, type ColumnStats, type Segment, type SegmentSource } from './segment.js';
import { allRows, pickedRows } from './seal-source.js';
import { warmSegmentWriter, writeSegmentFile } from './segment-file-write.js';
import { BULK_ROWS } from './column-blocks.js';
import { Turns } from './turns.js';
import { RowIdMap } from './row-id-map.js';
import { RowLocks } from './row-locks.js';
import { CommitQueue } from './commit-queue.js';
import type { AnnIndex } from '../ann/api.js';
import { IndexBuildTracker } from './index-build-tracker.js';
import { indexedColumn, type IndexedColumn } from './index-key-column.js';
import { buildSegmentIndex, openSegmentIndex, segmentIndexJob, type SegmentIndexJob } from './segment-index-build.js';
import { IndexBuildAborted } from '../ann/build.js';
import { ivfSampleSize, samplePositions, sampleVectors, trainBitCentersFile, trainCentersFile } from '../ann/ivf-build.js';
import { bytesPerRow } from '../ann/bit-ivf.js';
import { ivfflatSupports } from '../ann/ivfflat.js';
import { openAnnIndex } from '../ann/open.js';
import { parseRecallCurve, type RecallCurve } from '../ann/recall-curve.js';
import { checkLogDir } from './wal-check.js';
import { decodeDroppedTombstones, deleteDroppedTombstones, droppedTombstonesRecord } from './dropped-tombstones.js';
import { bitmapScan } from './bitmap-scan.js';
import { columnEnds, orderedValue, type ColumnEnds } from './column-ends.js';
import { indexScan } from './index-scan.js';
import { expressionKeyScan, type ExpressionKeyOrder } from './expression-key-scan.js';
import { CorruptRecord, Wal, frame, keys, parseKey, unframe, type WalOp } from './wal.js';
import { diskFullError, isDiskFull } from './disk-full.js';
import { RetrySchedule, type PostponedJob } from './retry-schedule.js';
import { applyBatch, applyOps, catchUp, decodeBatch, checkpointPolicyFromEnv, claimLog, fetchFiles, settlePosition, SharedLogMirror, type SharedSeams } from './log-replica.js';
import { AppliedPosition, coalesced, type StandbyReads } from './replica-position.js';
import type { LogBatch, RemoteCentersTraining } from './shared-log.js';
import {
  PreparedKeyClaims, decodePreparedHeader, preparedDeletions, preparedKeys, preparedRecords, readPreparedRecords,
  type PreparedInfo, type PreparedTablePart,
} from './prepared-transactions.js';

const BATCH_SIZE = 1024;
/** target size of one insert record in the log */
const LOG_CHUNK_BYTES = 4 * 1024 * 1024;
const MiB = 1024 * 1024;
/**
 * A commit looks at the clock every this many rows (a power of two) and takes a turn of the
 * event loop when it has run a few milliseconds (turns.ts): a commit of a few thousand rows
 * or less stays one piece.
 */
const SLICE_ROWS = 256;
/** TableState.recentTombstones' entries (two numbers each) below which it is not trimmed. */
const RECENT_TRIM_MIN = 16_384;
/** A transaction's row-lock entries deleted between two looks at the clock once it ends. */
const LOCK_SLICE = 4096;
/** Tombstones walked between two looks at the clock (allVisibleRows). */
const ALL_VISIBLE_STEP = 1024;
/** Dropped rows' tombstones deleted from memory between two looks at the clock (dropTombstones). */
const DROP_SLICE = 4096;

/** A bulk-ingested table's segment of a commit, written before the commit's turn. */
interface BulkPart { seg: SealedSegment; meta: SegmentMeta; rowIds: RowId[]; rows: Row[] }

/** A commit applied to memory and handed to the log. */
interface Applied {
  ts: number;
  /** resolves once the log has it on disk */
  durable: Promise<void>;
  catalogWrite?: { refused(): void };
  image?: string;
}

/** Minimal logger (pino-compatible). */
export interface StorageLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silentLogger: StorageLogger = { info() {}, warn() {}, error() {} };

/**
 * LevelDB reports records it dropped during its recovery only in its LOG file. Anything
 * dropped there that our own check did not classify as a torn tail is data loss.
 */
function checkLevelDbRecovery(walDir: string): void {
  let text: string;
  try {
    text = readFileSync(join(walDir, 'LOG'), 'utf8');
  } catch {
    return;
  }
  const line = text.split('\n').find((l) => /dropping \d+ bytes|Corruption/.test(l));
  if (line) throw new StorageStartupError(`write-ahead log in ${walDir} lost records during recovery (${line.replace(/^\S+ \S+ /, '').trim()}); refusing to start`);
}

export interface DurableStorageOptions {
  dataDir: string;
  /**
   * Seal a growing segment once its data reaches this many bytes. Milvus seals at
   * segment.maxSize × sealProportion (1024 MB × 0.12 ≈ 123 MB); default 128 MiB.
   */
  sealThresholdBytes?: number;
  /** Sealed segments smaller than this are merged by compaction (default: threshold / 2). */
  smallSegmentBytes?: number;
  /** A sealed segment with at least this fraction of deleted rows is rewritten (default 0.2). */
  deadRatio?: number;
  /** Run seal and compaction automatically in the background (default true). */
  background?: boolean;
  logger?: StorageLogger;
  /**
   * Cluster mode: the shared log and object store this node's storage replicates
   * (log-replica.ts). The local directory is then a copy: caught up from them at open,
   * and every batch is durable in the shared log before it is acknowledged.
   */
  shared?: SharedSeams;
  /**
   * Cluster mode's hot standby (with `shared`): the directory follows the shared log and
   * memory applies each batch as it lands (followSharedLog), for read-only sessions. No
   * write, seal, compaction or index build ever runs here: the leader's come in the log.
   */
  replica?: boolean;
}

/** What a hot standby's applied batch changed besides rows (DurableStorage.onReplicated). */
export interface ReplicatedChange {
  /** the new catalog image */
  readonly catalog?: string;
  /** sequence records changed (loadSequences has them) */
  readonly sequences: boolean;
}

/** A sealed segment's deleted positions as of `tombstones` tombstones in its table (deadPositions). */
interface DeadPositions {
  readonly bits: Uint8Array;
  maxTs: number;
  count: number;
  tombstones: number;
  /** the tombstone map they were made from (a hot standby's held table state has its own: holdForOlderSnapshots) */
  readonly of: RowIdMap<number>;
}

/** A hot standby's table state from before a compaction the leader logged, kept for older snapshots. */
interface HeldState {
  readonly state: TableState;
  /** the visible timestamp when the compaction was applied: snapshots older than it read this state */
  readonly replacedAt: number;
}

/** What the manifest (T/<table>) remembers about one sealed segment. */
interface SegmentMeta extends SegmentInfo {
  readonly file: string;
  readonly crc: number;
  /** ANN index files of this segment by index name (derived data: rebuilt if missing) */
  annFiles?: Record<string, string>;
  /** GIN indexes' inverted index files of this segment by key (TextIndexSpec.key; derived data: rebuilt if missing) */
  textFiles?: Record<string, string>;
  /** recall-vs-ef curves measured when the ANN indexes were built, by index name */
  annRecall?: Record<string, RecallCurve>;
  /** set for a bulk-ingested segment: the commit timestamp of all its rows */
  commitTs?: number;
}

interface TableManifest {
  layout: TableLayout;
  uniqueKeys: UniqueKeySpec[];
  vectorIndexes?: VectorIndexSpec[];
  textIndexes?: TextIndexSpec[];
  segments: SegmentMeta[];
  /** every insert record with ts <= sealedTs is in a sealed segment (the log may be trimmed) */
  sealedTs: number;
  nextRowId: number;
}

interface UniqueKey {
  readonly spec: UniqueKeySpec;
  readonly types: SqlType[];
  /** the columns a row's key is computed from: the key's, and a partial key's predicate's */
  readonly read: readonly number[];
  /** key → committed rows (live or not yet compacted away) that have it */
  readonly index: Map<string, KeyEntry>;
}

class TableState {
  readonly uniqueKeys = new Map<string, UniqueKey>();
  vectorIndexes: VectorIndexSpec[] = [];
  textIndexes: TextIndexSpec[] = [];
  /** GIN index key → its tokenizer (not persisted: the engine gives it, at CREATE INDEX and at start) */
  readonly tokenizers = new Map<string, Omit<TextIndexAttachment, 'spec'>>();
  /** expression vector index key → its function (not persisted either: attachVectorKeys) */
  readonly vectorKeys = new Map<string, VectorIndexKey>();
  /** a GIN index wants a small growing segment (keepGrowingSmall; not persisted: the engine sets it from the catalog) */
  smallGrowing = false;
  /** sealed segment id → index name → open ANN index */
  readonly ann = new Map<number, Map<string, AnnIndex>>();
  /** replaced, never mutated, so a running scan keeps the list it started with */
  sealed: SealedSegment[] = [];
  segMeta: SegmentMeta[] = [];
  frozen: GrowingSegment[] = [];
  growing = new GrowingSegment();
  readonly tombstones = new RowIdMap<number>();
  /**
   * The tombstones of commits the log may not have yet, as (RowId, timestamp) pairs in
   * commit order (timestamps never decrease): what rewindTo may have to take back, found
   * from the end instead of by a pass over every tombstone. Those the log has are trimmed
   * away now and then (trimRecentTombstones).
   */
  readonly recentTombstones: number[] = [];
  /** recentTombstones' length that makes the next commit trim it */
  recentTrimAt = RECENT_TRIM_MIN;
  nextRowId = 1;
  sealedTs = 0;
  dropped = false;
  sealScheduled = false;
  compactScheduled = false;
  deletesSinceCompaction = 0;
  /**
   * The manifest in memory is ahead of the one on disk: its write failed (disk full). The
   * retry writes it with `ops` (tombstones a compaction dropped), then deletes `files`
   * (what the new manifest no longer names).
   */
  unsaved: { ops: WalOp[]; files: string[] } | undefined;

  constructor(readonly layout: TableLayout) {}

  get id(): number { return this.layout.id; }

  /** expression key → its function (not persisted: attachKeyFunctions) */
  readonly keyFunctions = new Map<string, ToIndexKey>();
  /** partial key predicate → its function (not persisted: attachKeyPredicates) */
  readonly keyPredicates = new Map<string, (row: Row) => boolean>();

  /**
   * A row's key string (undefined: NULL, never conflicts, or a row a partial key leaves out);
   * an expression key is computed from the row.
   */
  keyOf(key: UniqueKey, row: Row): string | undefined {
    if (key.spec.partial) {
      // recovered before its predicate came (at open): attachKeyPredicates indexes the rows then
      const holds = this.keyPredicates.get(key.spec.partial.key);
      if (!holds || !holds(row)) return undefined;
    }
    if (!key.spec.expression) return this.keyValueOf(key, row);
    // recovered before its function came (at open): attachKeyFunctions indexes the rows then
    return this.keyFunctions.has(key.spec.expression.key) ? this.keyValueOf(key, this.expressionKey(key, row)) : undefined;
  }

  /**
   * The key string of `values` given per key column (row positions), or an expression key's
   * value at 0; undefined for a key with a NULL, which never conflicts — unless the key is
   * NULLS NOT DISTINCT and `nullsEqual` (uniqueness, ON CONFLICT; not an equality lookup).
   */
  keyValueOf(key: UniqueKey, row: Row, nullsEqual = key.spec.nullsNotDistinct === true): string | undefined {
    if (key.spec.expression || key.spec.columns.length === 1) {
      // the common single-column key: a tagged string, no JSON
      const v = key.spec.expression ? row[0] : row[key.spec.columns[0]];
      if (v === null || v === undefined) return nullsEqual ? 'z' : undefined;
      const h = hashKey(key.types[0], v);
      return (typeof h === 'string' ? 's' : typeof h === 'bigint' ? 'b' : typeof h === 'number' ? 'n' : 'o') + String(h);
    }
    const parts: unknown[] = [];
    for (let i = 0; i < key.spec.columns.length; i++) {
      const v = row[key.spec.columns[i]];
      if (v === null || v === undefined) {
        if (!nullsEqual) return undefined; // NULLs never conflict
        parts.push(null); // JSON null: no value's hash prints as it
        continue;
      }
      const h = hashKey(key.types[i], v);
      parts.push(typeof h === 'bigint' ? `${h}n` : h);
    }
    return JSON.stringify(parts);
  }

  /** An expression key's value for a row, as a one-value row. */
  expressionKey(key: UniqueKey, row: Row): Row {
    const fn = this.keyFunctions.get(key.spec.expression!.key);
    if (!fn) throw new Error(`bug: the function of index key ${key.spec.name} was not given (attachKeyFunctions)`);
    const v = row[key.spec.columns[0]];
    return [fn(v === undefined ? null : v)];
  }

  /** A UniqueViolation of `key` by `row`, with an expression key's value. */
  violation(key: UniqueKey, row: Row): UniqueViolation {
    return new UniqueViolation(key.spec.name, key.spec.columns, row, key.spec.expression ? this.expressionKey(key, row)[0] : undefined);
  }

  segments(): Segment[] {
    return [...this.sealed, ...this.frozen, this.growing];
  }

  /** the sealed segments' manifest entries by segment id (their statistics: zone maps, column ends) */
  metaById(): Map<number, SegmentMeta> {
    return new Map(this.segMeta.map((m) => [m.id, m]));
  }

  manifest(): TableManifest {
    return {
      layout: this.layout,
      uniqueKeys: [...this.uniqueKeys.values()].map((k) => k.spec),
      vectorIndexes: this.vectorIndexes,
      textIndexes: this.textIndexes,
      segments: this.segMeta,
      sealedTs: this.sealedTs,
      nextRowId: this.nextRowId,
    };
  }

  dataBytes(): number {
    let n = this.growing.bytes;
    for (const f of this.frozen) n += f.bytes;
    for (const m of this.segMeta) n += m.bytes;
    return n;
  }
}

/** key → one row id, a few (array), or many (a set: non-unique keys can be shared by lots of rows) */
type KeyEntry = RowId | RowId[] | Set<RowId>;

function indexAdd(index: Map<string, KeyEntry>, k: string, rowId: RowId): void {
  const cur = index.get(k);
  if (cur === undefined) index.set(k, rowId);
  else if (typeof cur === 'number') index.set(k, [cur, rowId]);
  else if (Array.isArray(cur)) {
    if (cur.length >= 32) index.set(k, new Set([...cur, rowId]));
    else cur.push(rowId);
  } else cur.add(rowId);
}

function indexRemove(index: Map<string, KeyEntry>, k: string, rowId: RowId): void {
  const cur = index.get(k);
  if (cur === undefined) return;
  if (typeof cur === 'number') {
    if (cur === rowId) index.delete(k);
    return;
  }
  if (!Array.isArray(cur)) {
    cur.delete(rowId);
    if (cur.size === 0) index.delete(k);
    return;
  }
  const i = cur.indexOf(rowId);
  if (i >= 0) cur.splice(i, 1);
  if (cur.length === 1) index.set(k, cur[0]);
  else if (cur.length === 0) index.delete(k);
}

function candidateCount(index: Map<string, KeyEntry>, k: string): number {
  const cur = index.get(k);
  return cur === undefined ? 0 : typeof cur === 'number' ? 1 : Array.isArray(cur) ? cur.length : cur.size;
}

function* candidates(index: Map<string, KeyEntry>, k: string): Iterable<RowId> {
  const cur = index.get(k);
  if (cur === undefined) return;
  if (typeof cur === 'number') yield cur;
  else yield* cur;
}

interface PendingTable {
  readonly inserted: Map<RowId, Row>;
  readonly deleted: Set<RowId>;
  /** this transaction's own inserts by unique key (checked against each other): one row id or several */
  readonly ownKeys: Map<string, Map<string, RowId | RowId[]>>;
  /**
   * The table's unique keys when the first row was inserted, and whether every insert saw
   * the same ones: then ownKeys holds every own row's key strings and the commit uses them
   * instead of computing each row's keys again.
   */
  ownKeysFor: readonly UniqueKey[] | undefined;
  ownKeysComplete: boolean;
  /** a ROLLBACK TO took inserts back out of `inserted` (ownKeys may name rows no longer there) */
  insertsUndone: boolean;
}

/** This transaction's live row with the unique-key string `k` (its own inserts). */
function ownRowWithKey(p: PendingTable, keyName: string, k: string): RowId | undefined {
  const entry = p.ownKeys.get(keyName)?.get(k);
  if (entry === undefined) return undefined;
  if (typeof entry === 'number') return (!p.insertsUndone && p.deleted.size === 0) || (p.inserted.has(entry) && !p.deleted.has(entry)) ? entry : undefined;
  for (const id of entry) if (p.inserted.has(id) && !p.deleted.has(id)) return id;
  return undefined;
}

/** What reads take from a transaction: its own writes per table. */
interface PendingHolder {
  readonly pending: ReadonlyMap<number, PendingTable>;
}

/** A copy of a table's pending writes (the copy does not change with later writes). */
function copyPending(p: PendingTable): PendingTable {
  const ownKeys = new Map([...p.ownKeys].map(([name, m]) => [name, new Map([...m].map(([k, v]) => [k, typeof v === 'number' ? v : [...v]]))]));
  return { ...p, inserted: new Map(p.inserted), deleted: new Set(p.deleted), ownKeys };
}

/**
 * A transaction's writes as they stood at frozen(): the reads of a statement whose
 * sub-statements write (data-modifying WITH) see the state before any of them wrote.
 */
class FrozenWrites implements Transaction, PendingHolder {
  readonly pending: ReadonlyMap<number, PendingTable>;
  constructor(readonly id: number, pending: ReadonlyMap<number, PendingTable>) {
    this.pending = new Map([...pending].map(([t, p]) => [t, copyPending(p)]));
  }
  get hasWrites(): boolean { return false; }
  private refuse(): never { throw new Error('bug: writing through a frozen view of a transaction'); }
  insert(): RowId[] { return this.refuse(); }
  delete(): void { this.refuse(); }
  commit(): Promise<number> { return this.refuse(); }
  rollback(): void { this.refuse(); }
  prepare(): Promise<void> { return this.refuse(); }
  writtenTables(): number[] { return []; }
  mark(): number { return this.refuse(); }
  rollbackTo(): void { this.refuse(); }
  frozen(): Transaction { return this; }
}

function sameKeys(a: readonly UniqueKey[], b: readonly UniqueKey[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The keys of `t` if p's ownKeys cover every live own row for each of them (see PendingTable). */
function ownKeysCover(t: TableState, p: PendingTable): readonly UniqueKey[] | undefined {
  if (!p.ownKeysComplete || p.ownKeysFor === undefined) return undefined;
  const keys = [...t.uniqueKeys.values()];
  return sameKeys(p.ownKeysFor, keys) ? keys : undefined;
}

/**
 * Calls f for each live own row of p with a (non-NULL) value of `key`, with its key string,
 * taking the turns `turn` asks for (a commit applies in pieces).
 */
async function eachOwnKey(p: PendingTable, key: UniqueKey, f: (k: string, rowId: RowId) => void, turn: () => Promise<void> | undefined): Promise<void> {
  const m = p.ownKeys.get(key.spec.name);
  if (!m) return;
  // nothing deleted or undone: every row ownKeys names is live (a COPY's 60,000 keys were
  // looked up in `inserted` and `deleted` twice each at its commit)
  const allLive = !p.insertsUndone && p.deleted.size === 0;
  for (const [k, entry] of m) {
    if (typeof entry === 'number') {
      if (allLive || (p.inserted.has(entry) && !p.deleted.has(entry))) f(k, entry);
    } else {
      for (const id of entry) if (p.inserted.has(id) && !p.deleted.has(id)) f(k, id);
    }
    const wait = turn();
    if (wait) await wait;
  }
}

/**
 * The transaction's writes in order, for ROLLBACK TO: three parallel arrays rather than an
 * object per row (a COPY of millions of rows kept that many objects alive until commit).
 */
class UndoLog {
  /** 0 = insert, 1 = delete */
  readonly kinds: number[] = [];
  readonly tables: number[] = [];
  readonly rowIds: RowId[] = [];
  get length(): number { return this.kinds.length; }
  push(kind: 0 | 1, table: number, rowId: RowId): void {
    this.kinds.push(kind);
    this.tables.push(table);
    this.rowIds.push(rowId);
  }
  truncate(length: number): void {
    this.kinds.length = length;
    this.tables.length = length;
    this.rowIds.length = length;
  }
}

const UNDO_INSERT = 0;
const UNDO_DELETE = 1;

/** A transaction's own row ids with one key (see PendingTable.ownKeys). */
function ownIds(entry: RowId | RowId[] | undefined): readonly RowId[] {
  return entry === undefined ? [] : typeof entry === 'number' ? [entry] : entry;
}

class DurableTransaction implements Transaction {
  readonly pending = new Map<number, PendingTable>();
  readonly undo = new UndoLog();
  private done = false;
  /** the transaction this one is waiting for (deadlock detection) */
  waitingFor: DurableTransaction | undefined;
  /** row locks held, released when the transaction ends */
  readonly locks = new RowLocks<true>();
  private release!: () => void;
  /** resolves when the transaction has committed or rolled back */
  readonly finished = new Promise<void>((resolve) => { this.release = resolve; });

  constructor(readonly id: number, private readonly store: DurableStorage) {}

  /** ended: its entries still in rowLocks hold nothing (they are deleted a slice at a time) */
  ended = false;

  private end(): void {
    // Waiters go on at once; the entries go a slice at a time between turns of the event loop
    // (250,000 of them, a 1M-row table's DELETE, held it 40–78 ms in one piece).
    this.ended = true;
    this.release();
    if (this.locks.size <= LOCK_SLICE) this.dropLockEntries();
    else void this.dropLockEntriesInSlices();
  }

  private dropLockEntries(): void {
    for (const [table, rowId] of this.locks.rows()) this.store.rowLocks.release(table, rowId, this);
    this.locks.clear();
  }

  private async dropLockEntriesInSlices(): Promise<void> {
    const turns = new Turns();
    let n = 0;
    for (const [table, rowId] of this.locks.rows()) {
      this.store.rowLocks.release(table, rowId, this);
      if (++n % LOCK_SLICE === 0) await turns.take();
    }
    this.locks.clear();
  }

  get hasWrites(): boolean { return this.undo.length > 0; }

  tablePending(tableId: number): PendingTable {
    let p = this.pending.get(tableId);
    if (!p) {
      p = { inserted: new Map(), deleted: new Set(), ownKeys: new Map(), ownKeysFor: undefined, ownKeysComplete: true, insertsUndone: false };
      this.pending.set(tableId, p);
    }
    return p;
  }

  insert(tableId: number, rows: readonly Row[]): RowId[] {
    const t = this.store.tableForWrite(tableId);
    const p = this.tablePending(tableId);
    const ids: RowId[] = new Array(rows.length);
    const keys = [...t.uniqueKeys.values()];
    if (p.ownKeysFor === undefined) p.ownKeysFor = keys;
    else if (!sameKeys(p.ownKeysFor, keys)) p.ownKeysComplete = false;
    // the row's key strings, all checked before any is recorded (reused from row to row)
    const rowKeys: (string | undefined)[] = new Array(keys.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const k = t.keyOf(key, row);
        rowKeys[i] = k;
        if (k === undefined) continue;
        if (key.spec.unique !== false && (this.store.liveCommittedWithKey(t, key, k, p) !== undefined || ownRowWithKey(p, key.spec.name, k) !== undefined)) {
          throw t.violation(key, row);
        }
        // a prepared transaction inserted it: wait for its end, as PostgreSQL's insert waits for its xid
        if (key.spec.unique !== false) this.store.checkPreparedKey(this, tableId, key.spec.name, k);
      }
      const rowId = t.nextRowId++;
      p.inserted.set(rowId, row);
      this.undo.push(UNDO_INSERT, tableId, rowId);
      for (let i = 0; i < keys.length; i++) {
        const k = rowKeys[i];
        if (k === undefined) continue;
        const name = keys[i].spec.name;
        let m = p.ownKeys.get(name);
        if (!m) p.ownKeys.set(name, (m = new Map()));
        const cur = m.get(k);
        if (cur === undefined) m.set(k, rowId);
        else if (typeof cur === 'number') m.set(k, [cur, rowId]);
        else cur.push(rowId);
      }
      ids[r] = rowId;
    }
    // the commit will write a segment file of its own (a bulk load): its writer thread starts
    // while the rest of the rows come, not when the file is asked for
    if (p.inserted.size >= BULK_ROWS && p.inserted.size - rows.length < BULK_ROWS) warmSegmentWriter();
    return ids;
  }

  delete(tableId: number, rowIds: readonly RowId[]): void {
    const p = this.tablePending(tableId);
    const t = this.store.tableIfExists(tableId);
    // Check every row first, so a conflict leaves nothing half-locked.
    for (const rowId of rowIds) {
      if (p.deleted.has(rowId) || p.inserted.has(rowId)) continue;
      const holder = this.store.rowLocks.holder(tableId, rowId);
      if (holder && holder !== this && !holder.ended) {
        // waiting for a transaction that (transitively) waits for us would never end
        for (let h: DurableTransaction | undefined = holder; h; h = h.waitingFor) {
          if (h === this) {
            throw new SqlError('40P01', 'deadlock detected', { detail: `Transaction ${this.id} waits for transaction ${holder.id}, which waits for transaction ${this.id}.`, hint: 'See server log for query details.' });
          }
        }
        this.waitingFor = holder;
        throw new RowConflict(holder.finished.then(() => { this.waitingFor = undefined; }));
      }
      if (t?.tombstones.has(rowId)) throw new RowConflict();
    }
    for (const rowId of rowIds) {
      if (p.deleted.has(rowId)) continue;
      p.deleted.add(rowId);
      this.undo.push(UNDO_DELETE, tableId, rowId);
      if (!p.inserted.has(rowId)) {
        this.store.rowLocks.set(tableId, rowId, this);
        this.locks.set(tableId, rowId, true);
      }
    }
  }

  mark(): number { return this.undo.length; }

  frozen(): Transaction { return new FrozenWrites(this.id, this.pending); }

  rollbackTo(mark: number): void {
    const { kinds, tables, rowIds } = this.undo;
    for (let i = this.undo.length - 1; i >= mark; i--) {
      const p = this.tablePending(tables[i]);
      if (kinds[i] === UNDO_INSERT) {
        p.inserted.delete(rowIds[i]);
        p.insertsUndone = true;
      }
      else {
        p.deleted.delete(rowIds[i]);
        if (this.locks.release(tables[i], rowIds[i], true)) this.store.rowLocks.release(tables[i], rowIds[i], this);
      }
    }
    if (this.undo.length > mark) this.undo.truncate(mark);
  }

  async commit(opts?: { catalog?: () => string }): Promise<number> {
    if (this.done) throw new Error('bug: transaction already finished');
    this.done = true;
    try {
      const gate = this.store.commitGate;
      // (a commit that writes nothing has nothing to order)
      if (gate && (this.hasWrites || opts?.catalog)) return await gate((stamped) => this.store.applyCommit(this, opts?.catalog, [], stamped));
      return await this.store.applyCommit(this, opts?.catalog);
    } finally {
      this.end();
    }
  }

  rollback(): void {
    this.done = true;
    this.pending.clear();
    this.undo.truncate(0);
    this.end();
  }

  async prepare(opts: PrepareOptions): Promise<void> {
    if (this.done) throw new Error('bug: transaction already finished');
    this.done = true;
    try {
      await this.store.prepareTransaction(this, opts);
    } catch (e) {
      this.end();
      throw e;
    }
  }

  writtenTables(): number[] {
    return [...this.pending.entries()].filter(([, p]) => p.inserted.size > 0 || p.deleted.size > 0).map(([table]) => table);
  }

  /** COMMIT / ROLLBACK PREPARED ended the prepared transaction: its locks go, waiters go on. */
  endPrepared(): void {
    this.end();
  }

  /** A prepared transaction read back from its records (recovery, a promoted standby): its writes and locks. */
  restorePrepared(part: PreparedTablePart): void {
    const p = this.tablePending(part.table);
    p.ownKeysComplete = false;
    for (let i = 0; i < part.rowIds.length; i++) {
      p.inserted.set(part.rowIds[i], part.rows[i]);
      this.undo.push(UNDO_INSERT, part.table, part.rowIds[i]);
    }
    for (const rowId of part.deleted) {
      p.deleted.add(rowId);
      this.undo.push(UNDO_DELETE, part.table, rowId);
      this.store.rowLocks.set(part.table, rowId, this);
      this.locks.set(part.table, rowId, true);
    }
    this.done = true;
  }
}

/** A prepared transaction: what it is, and (on a writer) the transaction holding its writes and locks. */
interface PreparedEntry {
  readonly info: PreparedInfo;
  readonly chunks: number;
  /** undefined on a hot standby, which only lists them (promote() reads them back whole) */
  readonly txn: DurableTransaction | undefined;
  /** COMMIT / ROLLBACK PREPARED is under way */
  busy: boolean;
}

export class DurableStorage implements Storage {
  commitGate: CommitGate | undefined;
  private readonly tables = new Map<number, TableState>();
  /** commits validate and apply one at a time; seals and compactions swap in the same queue */
  private readonly commits = new CommitQueue();
  /** how many times rewindTo took refused commits back (a sliced key build under way starts again) */
  private rewinds = 0;
  /** rows being deleted/updated by uncommitted transactions ((table, rowId) → holder) */
  readonly rowLocks = new RowLocks<DurableTransaction>();

  tableIfExists(tableId: number): TableState | undefined {
    return this.tables.get(tableId);
  }
  /** last timestamp handed to a commit (applied in memory, maybe not yet durable) */
  private clock = 0;
  /** newest timestamp whose commit and all earlier ones are on disk: what snapshots read */
  private visibleTs = 0;
  private nextTxnId = 1;
  private nextSegmentId = 1;
  private catalogImage: string | undefined;
  /** sequences with an S/ record in the log (all dropped with the next catalog image) */
  private readonly loggedSequences = new Set<number>();
  private readonly recoveredSequences = new Map<number, SequenceState>();
  private maintenance: Promise<void> = Promise.resolve();
  /** background work a full disk postponed, per table */
  private readonly retries = new RetrySchedule((table, jobs) => this.retryPostponed(table, jobs));
  private closed = false;
  private readonly segDir: string;
  private readonly sealThreshold: number;
  /** per sealed segment: its deleted positions (deadPositions) */
  private readonly dead = new WeakMap<SealedSegment, DeadPositions>();
  private readonly smallSegmentBytes: number;
  private readonly deadRatio: number;
  /** seals, compactions and index builds run by themselves (off on a hot standby until promoted) */
  private background: boolean;
  private readonly log: StorageLogger;
  private wal!: Wal;
  /** cluster mode: publishes each log batch to the shared log first */
  private mirror: SharedLogMirror | undefined;
  /** hot standby (opts.replica): the shared log's batch memory has applied */
  private replicaPosition: AppliedPosition | undefined;
  /** hot standby: told of each applied batch's catalog image and sequence records */
  private readonly replicatedListeners: ((change: ReplicatedChange) => void)[] = [];
  /** prepared transactions by gid (PREPARE TRANSACTION, prepared-transactions.ts) */
  private readonly prepared = new Map<string, PreparedEntry>();
  /** the unique-key values they insert */
  private readonly preparedClaims = new PreparedKeyClaims<DurableTransaction>();
  private nextPreparedId = 1;
  /** a hot standby: awaited before a batch that drops tables or changes the catalog is applied */
  private beforeReplicatedHook: ((dropped: ReadonlySet<number>, catalog: string | undefined) => Promise<unknown>) | undefined;

  private constructor(readonly opts: DurableStorageOptions, private readonly db: ClassicLevel<string, Uint8Array>) {
    this.segDir = join(opts.dataDir, SEGMENTS_DIR);
    this.sealThreshold = opts.sealThresholdBytes ?? 128 * MiB;
    this.smallSegmentBytes = opts.smallSegmentBytes ?? this.sealThreshold / 2;
    this.deadRatio = opts.deadRatio ?? 0.2;
    this.background = (opts.background ?? true) && !opts.replica;
    this.log = opts.logger ?? silentLogger;
  }

  // ------------------------------------------------------------------------------------
  // Opening and recovery

  /**
   * Open (or create) a data directory: check its format version, take its lock, load the
   * manifest and sealed segment files, replay the log after each table's seal point.
   * Throws StorageStartupError naming the file at fault for anything it cannot trust.
   */
  static async open(opts: DurableStorageOptions): Promise<DurableStorage> {
    const { dataDir } = opts;
    checkFormatVersion(dataDir);
    const walDir = join(dataDir, WAL_DIR);
    const log = opts.logger ?? silentLogger;
    let tornTail = false;
    for (const c of checkLogDir(walDir)) {
      if (c.corruptAt !== undefined) {
        throw new StorageStartupError(`write-ahead log file ${c.file} is damaged at byte ${c.corruptAt} and has intact records after it; refusing to start (they would be lost)`);
      }
      if (c.tornTailBytes > 0) tornTail = true;
      if (c.tornTailBytes > 0) log.warn({ file: c.file, bytes: c.tornTailBytes }, 'cutting off a torn final write-ahead log record (a crash mid-write; never acknowledged)');
    }
    const db = new ClassicLevel<string, Uint8Array>(walDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (e) {
      const err = e as Error & { code?: string; cause?: Error & { code?: string } };
      if (err.code === 'LEVEL_LOCKED' || err.cause?.code === 'LEVEL_LOCKED' || /lock/i.test(err.cause?.message ?? '')) {
        const pid = readPidFile(dataDir);
        throw new StorageStartupError(`data directory ${dataDir} is in use by another Quiver server${pid ? ` (pid ${pid})` : ''}`);
      }
      throw new StorageStartupError(`cannot open the write-ahead log in ${walDir}: ${err.cause?.message ?? err.message}`);
    }
    const storage = new DurableStorage(opts, db);
    try {
      if (!tornTail) checkLevelDbRecovery(walDir);
      writePidFile(dataDir);
      if (opts.shared && opts.replica) {
        const { position } = await catchUp(db, opts.shared, storage.segDir, log, { settle: false });
        storage.replicaPosition = new AppliedPosition(position);
      } else if (opts.shared) {
        const { position, files } = await catchUp(db, opts.shared, storage.segDir, log);
        const policy = checkpointPolicyFromEnv(join(dataDir, 'checkpoint-tmp'));
        storage.mirror = new SharedLogMirror(opts.shared, storage.segDir, position, files, policy ? { db, policy, log } : undefined);
      }
      await storage.recover(walDir);
    } catch (e) {
      await db.close().catch(() => {});
      if (e instanceof CorruptRecord) throw new StorageStartupError(`write-ahead log in ${walDir}: ${e.message}; refusing to start rather than lose data`);
      throw e;
    }
    return storage;
  }

  private async *entries(gte: string, lt: string): AsyncIterable<[string, Uint8Array]> {
    const it = this.db.iterator({ gte, lt, highWaterMarkBytes: 4 * MiB });
    try {
      for (;;) {
        const batch = await it.nextv(1000);
        if (batch.length === 0) break;
        for (const e of batch) yield e as [string, Uint8Array];
      }
    } finally {
      await it.close();
    }
  }

  private async recover(walDir: string): Promise<void> {
    const t0 = performance.now();
    let clock = 0;
    const clockValue = await this.db.get(keys.clock);
    if (clockValue !== undefined) clock = Number(Buffer.from(unframe(clockValue, `record ${keys.clock}`)).toString());
    const catalogValue = await this.db.get(keys.catalog);
    if (catalogValue !== undefined) this.catalogImage = Buffer.from(unframe(catalogValue, `record ${keys.catalog}`)).toString('utf8');
    for await (const [key, value] of this.entries('S/', 'S0')) {
      const state = JSON.parse(Buffer.from(unframe(value, `sequence record ${key}`)).toString('utf8')) as { last: string; isCalled: boolean };
      this.recoveredSequences.set(parseKey(key).table, { last: BigInt(state.last), isCalled: state.isCalled });
      this.loggedSequences.add(parseKey(key).table);
    }

    // Manifest and sealed segments.
    const referenced = new Set<string>();
    let sealedRows = 0;
    for await (const [key, value] of this.entries('T/', 'T0')) {
      const m = JSON.parse(Buffer.from(unframe(value, `manifest record ${key}`)).toString('utf8')) as TableManifest;
      const t = new TableState(m.layout);
      t.nextRowId = m.nextRowId;
      t.sealedTs = m.sealedTs;
      t.segMeta = m.segments;
      for (const spec of m.uniqueKeys) t.uniqueKeys.set(spec.name, this.newUniqueKey(t, spec));
      t.vectorIndexes = m.vectorIndexes ?? [];
      t.textIndexes = m.textIndexes ?? [];
      for (const spec of t.vectorIndexes) if (spec.centers) referenced.add(spec.centers);
      for (const meta of m.segments) {
        referenced.add(meta.file);
        for (const f of [...Object.values(meta.annFiles ?? {}), ...Object.values(meta.textFiles ?? {})]) referenced.add(f);
        const seg = await this.loadSegment(t, meta, key);
        this.loadTextFiles(t, seg, meta);
        t.sealed.push(seg);
        sealedRows += meta.rows;
        this.nextSegmentId = Math.max(this.nextSegmentId, meta.id + 1);
        clock = Math.max(clock, meta.maxTs);
      }
      clock = Math.max(clock, t.sealedTs);
      this.tables.set(t.id, t);
    }

    const tSegments = performance.now();
    // Tombstones.
    const stale = new Set<number>();
    let tombstones = 0;
    for await (const [key, value] of this.entries('D/', 'D0')) {
      const { table, n: rowId } = parseKey(key);
      const t = this.tables.get(table);
      if (!t) { stale.add(table); continue; }
      const ts = Number(Buffer.from(unframe(value, `tombstone record ${key}`)).toString());
      t.tombstones.set(rowId, ts);
      clock = Math.max(clock, ts);
      tombstones++;
    }

    // tombstones a compaction made redundant and whose deletion a stop cut short: ignored,
    // and deleted once the log is open
    const droppedLists: { table: number; key: string; rowIds: Float64Array }[] = [];
    for await (const [key, value] of this.entries('G/', 'G0')) {
      const { table } = parseKey(key);
      const t = this.tables.get(table);
      if (!t) { stale.add(table); continue; }
      const rowIds = decodeDroppedTombstones(key, value);
      for (const rowId of rowIds) if (t.tombstones.delete(rowId)) tombstones--;
      droppedLists.push({ table, key, rowIds });
    }

    const tTombstones = performance.now();
    // The log after each table's seal point becomes its growing segment again.
    let replayed = 0;
    const trimmed = new Set<number>();
    for await (const [key, value] of this.entries('L/', 'L0')) {
      const { table, n: ts } = parseKey(key);
      const t = this.tables.get(table);
      if (!t) { stale.add(table); continue; }
      if (ts <= t.sealedTs) { trimmed.add(table); continue; }
      const [rowIds, rows] = deserialize(unframe(value, `log record ${key}`)) as [RowId[], Row[]];
      for (let i = 0; i < rows.length; i++) {
        t.growing.append(rowIds[i], rows[i], ts);
        if (rowIds[i] >= t.nextRowId) t.nextRowId = rowIds[i] + 1;
      }
      clock = Math.max(clock, ts);
      replayed += rows.length;
    }

    // transactions prepared and not finished: prepared again, with their locks and keys
    for (const rec of await readPreparedRecords(this.entries(preparedKeys.all.gte, preparedKeys.all.lt))) this.restorePrepared(rec);
    const tLog = performance.now();
    for (const t of this.tables.values()) {
      for (const s of t.sealed) if (s.maxRowId >= t.nextRowId) t.nextRowId = s.maxRowId + 1;
      for (const key of t.uniqueKeys.values()) this.indexExistingRows(t, key, false);
    }
    const tIndex = performance.now();
    this.clock = clock;
    this.visibleTs = clock;
    this.wal = new Wal(this.db, clock, (ts) => { this.visibleTs = ts; }, this.mirror, {
      onLost: (durableTs) => this.rewindTo(durableTs),
      onWritable: () => this.retries.runAllNow(),
      log: this.log,
      dataDir: this.opts.dataDir,
    });

    // Leftovers of work a crash interrupted: segment files no manifest lists (a seal or a
    // compaction that did not reach its manifest write, or the inputs of one that did),
    // log records already sealed, records of dropped tables.
    for (const f of readdirSync(this.segDir)) {
      if (referenced.has(f)) continue;
      this.log.info({ file: join(this.segDir, f) }, 'removing unreferenced segment file');
      unlinkSync(join(this.segDir, f));
    }
    try {
      for (const d of droppedLists) await deleteDroppedTombstones((run) => this.wal.exclusive(run), d.table, d.key, d.rowIds);
      for (const table of stale) await this.clearTableRecords(table);
      for (const table of trimmed) await this.trimLog(table, this.tables.get(table)!.sealedTs);
    } catch (e) {
      // a full disk: those records are skipped as they are, and go at a later start or seal;
      // the server starts (reads go on, writes once space is freed)
      if (!isDiskFull(e)) throw e;
      this.log.warn({ err: (e as Error).message }, 'could not remove redundant log records: no space left on device');
    }

    this.log.info({
      tables: this.tables.size, sealedRows, replayedRows: replayed, tombstones, clock,
      ms: Math.round(performance.now() - t0), wal: walDir,
      phasesMs: { segments: Math.round(tSegments - t0), tombstones: Math.round(tTombstones - tSegments), log: Math.round(tLog - tTombstones), uniqueKeys: Math.round(tIndex - tLog) },
    }, 'storage recovered');
    for (const t of this.tables.values()) this.maybeScheduleSeal(t);
    // ANN indexes are memory-mapped views of their files; a missing or unreadable file is
    // rebuilt in the background (an index is derived data, never the only copy of anything)
    // (an expression index's files wait for its key function: attachVectorKeys)
    for (const t of this.tables.values()) if (!this.openIndexFiles(t)) this.inBackground('index build', t, () => this.buildMissingIndexes(t));
  }

  /**
   * Open the index files of the sealed segments' indexes not open yet (those whose column
   * can be read: see indexedColumn; with `keys`, only the expression indexes of those keys);
   * false when one is missing or unusable (to be rebuilt).
   */
  private openIndexFiles(t: TableState, keys?: ReadonlySet<string>): boolean {
    let usable = true;
    t.sealed.forEach((seg, i) => {
      const meta = t.segMeta[i];
      for (const spec of t.vectorIndexes) {
        if (keys && !(spec.expression && keys.has(spec.expression.key))) continue;
        const source = this.indexedColumnOf(t, spec);
        if (!source || this.annOf(t, seg.id).has(spec.name)) continue;
        const file = meta.annFiles?.[spec.name];
        const dim = source.dim;
        try {
          if (!file) throw new Error('no index file');
          const sparse = t.layout.columns[spec.column].type.oid === OID.sparsevec;
          // a partial index holds only its rows (the cost model compares the filter with them)
          const size = spec.rows ? seg.positionsWhere(spec.rows).length : seg.length;
          const ref = { kind: spec.method ?? 'hnsw', path: join(this.segDir, file), op: spec.op, dim, size, m: spec.m, efConstruction: spec.efConstruction, ...(spec.quantization ? { quantization: spec.quantization } : {}), ...(sparse ? { sparse } : {}) };
          const index = openAnnIndex(ref, () => source.vectors(seg), () => source.bits(seg));
          // manifests written before calibration existed have no curve: ef_search applies
          const curve = parseRecallCurve(meta.annRecall?.[spec.name]);
          if (curve) index.recallCurve = curve;
          this.annOf(t, seg.id).set(spec.name, index);
        } catch (e) {
          this.log.warn({ table: t.id, segment: seg.id, index: spec.name, err: (e as Error).message }, 'ANN index file unusable; rebuilding');
          usable = false;
        }
      }
    });
    return usable;
  }

  /** The column an index reads (an expression index's key), or undefined while its key function is not given. */
  private indexedColumnOf(t: TableState, spec: VectorIndexSpec): IndexedColumn | undefined {
    return indexedColumn(spec, t.layout.columns[spec.column].type.typmod, t.vectorKeys);
  }

  attachVectorKeys(tableId: number, keys: readonly VectorIndexKey[]): void {
    const t = this.tables.get(tableId);
    if (!t) return;
    const fresh = new Set(keys.filter((k) => !t.vectorKeys.has(k.key)).map((k) => k.key));
    for (const k of keys) t.vectorKeys.set(k.key, k);
    if (fresh.size === 0) return;
    if (!this.openIndexFiles(t, fresh)) this.inBackground('index build', t, () => this.buildMissingIndexes(t));
  }

  private annOf(t: TableState, segmentId: number): Map<string, AnnIndex> {
    let m = t.ann.get(segmentId);
    if (!m) t.ann.set(segmentId, (m = new Map()));
    return m;
  }

  /**
   * The file for a segment's index, named after the index; another index of the segment may
   * have that name's file already (renamed to its name: ALTER INDEX RENAME, REINDEX
   * CONCURRENTLY's swap), which must not be overwritten: then a numbered one.
   */
  private annFileName(t: TableState, seg: SealedSegment, meta: SegmentMeta, spec: VectorIndexSpec, ext: string): string {
    const base = `t${t.id}-s${seg.id}.${spec.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const taken = new Set(Object.values(meta.annFiles ?? {}));
    let file = `${base}.${ext}`;
    for (let n = 1; taken.has(file); n++) file = `${base}-${n}.${ext}`;
    return file;
  }

  /** Build the ANN indexes a sealed segment lacks (in a worker thread), then record their files. */
  private async buildSegmentIndexes(t: TableState, seg: SealedSegment, meta: SegmentMeta, signal?: AbortSignal, tracker?: IndexBuildTracker): Promise<void> {
    for (const spec of t.vectorIndexes) {
      if (this.annOf(t, seg.id).has(spec.name)) continue;
      const source = this.indexedColumnOf(t, spec);
      const job = source && segmentIndexJob(spec, t.layout.columns[spec.column].type, source.dim);
      if (!source || !job) continue;
      const t0 = performance.now();
      const file = this.annFileName(t, seg, meta, spec, job.method === 'ivfflat' ? 'ivf' : 'usearch');
      const onRows = tracker?.index === spec.name ? (rows: number) => tracker.rowsInSegment(rows) : undefined;
      let index: AnnIndex;
      try {
        // an index node builds it when there is one (cluster mode) and it can: it reads the
        // segment file's column, not an expression of it; else this node does
        index = (spec.expression ? undefined : await this.buildOnIndexNode(t, seg, job, source, file, signal))
          ?? await buildSegmentIndex(seg, job, source, join(this.segDir, file), job.centers ? join(this.segDir, job.centers) : undefined, signal, onRows);
      } catch (e) {
        // the worker's message names no file: this is the one it was writing
        throw isDiskFull(e) ? diskFullError(e, this.opts.dataDir, join(this.segDir, file)) : e;
      }
      fsyncDir(this.segDir);
      this.annOf(t, seg.id).set(spec.name, index);
      meta.annFiles = { ...(meta.annFiles ?? {}), [spec.name]: file };
      if (index.recallCurve) meta.annRecall = { ...(meta.annRecall ?? {}), [spec.name]: index.recallCurve };
      const recall = index.recallCurve?.points.map((p) => `${p.breadth}:${p.recall}`).join(' ') ?? null;
      this.log.info({ table: t.id, segment: seg.id, index: spec.name, rows: seg.length, ms: Math.round(performance.now() - t0), recall }, 'built ANN index');
    }
    await this.writeTextFiles(t, seg, meta, signal);
  }

  /**
   * Write the inverted index files a sealed segment lacks, for the GIN keys whose tokenizer
   * the engine gave (the others are written once it does: attachTextIndexes). Built in a
   * worker thread when the engine gave a file builder: tokenizing a segment of 60,000 man-page
   * paragraphs here stalled every session for 0.25 s (a tsvector column) to 1.4 s
   * (to_tsvector('english', body)); this thread then only packs the column's text (copies)
   * and opens the file's bytes.
   */
  private async writeTextFiles(t: TableState, seg: SealedSegment, meta: SegmentMeta, signal?: AbortSignal): Promise<void> {
    for (const key of new Set(t.textIndexes.map((x) => x.key))) {
      const tokenizer = t.tokenizers.get(key);
      if (!tokenizer || meta.textFiles?.[key]) continue;
      const column = t.textIndexes.find((x) => x.key === key)!.column;
      const file = `t${t.id}-s${seg.id}.${key.replace(/[^A-Za-z0-9_]/g, '_')}.gin`;
      const t0 = performance.now();
      // a query may have built the lists already: those are written as they are
      const texts = tokenizer.buildFile && !seg.hasInvertedIndex(key) ? seg.packedTexts(column) : undefined;
      if (texts) {
        let bytes: Uint8Array;
        try {
          bytes = await tokenizer.buildFile!(texts, join(this.segDir, file), signal);
        } catch (e) {
          if (signal?.aborted) throw e;
          if (isDiskFull(e)) throw diskFullError(e, this.opts.dataDir, join(this.segDir, file));
          // (a lexeme the file cannot hold): the segment answers from lists built when first used
          this.log.warn({ table: t.id, segment: seg.id, key, err: (e as Error).message }, 'inverted index not written to a file');
          continue;
        }
        fsyncDir(this.segDir);
        seg.adoptInvertedIndex(key, decodeInvertedIndex(bytes, seg.length));
        meta.textFiles = { ...(meta.textFiles ?? {}), [key]: file };
        this.log.info({ table: t.id, segment: seg.id, key, rows: seg.length, bytes: bytes.byteLength, ms: Math.round(performance.now() - t0), worker: true }, 'wrote inverted index file');
        continue;
      }
      // the segment keeps the index it builds
      const index = seg.invertedIndex(key, column, tokenizer.toVector);
      const t1 = performance.now();
      let bytes: Uint8Array;
      try {
        bytes = encodeInvertedIndex(index);
      } catch (e) {
        // a lexeme the file cannot hold: the segment answers from its in-memory lists
        this.log.warn({ table: t.id, segment: seg.id, key, err: (e as Error).message }, 'inverted index not written to a file');
        continue;
      }
      const t2 = performance.now();
      // written synchronously (a few MiB, one fsync): awaiting each step let other work on the
      // main thread (an ANALYZE after a bulk load) take turns in between, 0.9 s for a 2 MiB file
      writeFileDurable(this.segDir, file, bytes);
      meta.textFiles = { ...(meta.textFiles ?? {}), [key]: file };
      const ms = { build: Math.round(t1 - t0), encode: Math.round(t2 - t1), write: Math.round(performance.now() - t2) };
      this.log.info({ table: t.id, segment: seg.id, key, rows: seg.length, bytes: bytes.byteLength, ms }, 'wrote inverted index file');
    }
  }

  /**
   * Read a sealed segment's inverted index files at start (a read, a checksum and views:
   * lists are decoded when first used). A missing or damaged file is forgotten, so it is
   * written again once the engine gives its tokenizer; until then queries build the index
   * from the segment's rows (never from a file that could answer wrongly).
   */
  private loadTextFiles(t: TableState, seg: SealedSegment, meta: SegmentMeta): void {
    for (const [key, file] of Object.entries(meta.textFiles ?? {})) {
      try {
        seg.adoptInvertedIndex(key, decodeInvertedIndex(readFileSync(join(this.segDir, file)), seg.length));
      } catch (e) {
        this.log.warn({ table: t.id, segment: seg.id, file, err: (e as Error).message }, 'inverted index file unusable; rebuilding it from the segment');
        const { [key]: _gone, ...rest } = meta.textFiles!;
        meta.textFiles = rest;
      }
    }
  }

  /**
   * Cluster mode: have an index node build a segment's index and fetch its file from the
   * object store; undefined when none could (no index node, a file it cannot fetch, a node
   * lost mid-build): the caller builds it here.
   */
  private async buildOnIndexNode(t: TableState, seg: SealedSegment, job: SegmentIndexJob, source: IndexedColumn, file: string, signal?: AbortSignal): Promise<AnnIndex | undefined> {
    const shared = this.opts.shared;
    if (!shared?.indexBuilder) return undefined;
    try {
      const t0 = performance.now();
      // a segment sealed (or IVFFlat centers trained) a moment ago is not in the object
      // store until a manifest naming it is logged: put it there now
      for (const needed of job.centers ? [seg.file, job.centers] : [seg.file]) {
        if (this.mirror && !this.mirror.isStored(needed)) {
          await shared.objects.put(needed, join(this.segDir, needed));
          this.mirror.markStored(needed);
        }
      }
      const r = await shared.indexBuilder.buildIndex({ segmentFile: seg.file, columns: t.layout.columns, rows: seg.length, job, indexFile: file }, signal);
      if (!r) return undefined;
      const path = join(this.segDir, file);
      if (!(await shared.objects.get(file, path))) throw new Error(`the index node's ${file} is not in the object store`);
      this.mirror?.markStored(file);
      const index = openSegmentIndex(seg, source, path, r.file);
      if (r.curve) index.recallCurve = r.curve;
      this.log.info({ segment: seg.id, file, ms: Math.round(performance.now() - t0) }, 'ANN index built by an index node');
      return index;
    } catch (e) {
      if (signal?.aborted) throw e;
      this.log.warn({ segment: seg.id, file, err: (e as Error).message }, 'an index node could not build the index; building it here');
      return undefined;
    }
  }

  /**
   * Cluster mode: have an index node train IVFFlat centers on the sample drawn here (the
   * same k-means and seed: the same file) and fetch the file from the object store; false
   * when none could (no index node, a failure, a node lost mid-training): the caller
   * trains them here.
   */
  private async trainCentersOnIndexNode(req: RemoteCentersTraining, signal?: AbortSignal): Promise<boolean> {
    const shared = this.opts.shared;
    if (!shared?.indexBuilder?.trainCenters) return false;
    try {
      const t0 = performance.now();
      if (!(await shared.indexBuilder.trainCenters(req, signal))) return false;
      if (!(await shared.objects.get(req.centersFile, join(this.segDir, req.centersFile)))) throw new Error(`the index node's ${req.centersFile} is not in the object store`);
      this.mirror?.markStored(req.centersFile);
      this.log.info({ file: req.centersFile, samples: req.count, lists: req.lists, ms: Math.round(performance.now() - t0) }, 'IVFFlat centers trained by an index node');
      return true;
    } catch (e) {
      if (signal?.aborted) throw e;
      this.log.warn({ file: req.centersFile, err: (e as Error).message }, 'an index node could not train the IVFFlat centers; training them here');
      return false;
    }
  }

  /**
   * IVFFlat's centers: k-means on a sample of the sealed segments' vectors (pgvector's
   * sample size; NULL vectors, and zero vectors for <#> and <=>, are not sampled), trained
   * in a worker thread and written to a file that belongs to the index.
   */
  private async trainIvfCenters(t: TableState, spec: VectorIndexSpec, signal?: AbortSignal): Promise<{ file: string; samples: number }> {
    const source = this.indexedColumnOf(t, spec);
    if (!source) throw new Error(`bug: the key of expression index ${spec.name} was not given`);
    const dim = source.dim;
    const lists = spec.lists ?? 100;
    // an expression index's keys, computed between turns of the event loop (read at once below)
    for (const seg of [...t.sealed]) await source.prepare(seg, spec.op === '<~>' ? 'bits' : 'vectors', signal);
    if (spec.op === '<~>') return this.trainBitIvfCenters(t, spec, source, lists, signal);
    const segments = t.sealed.map((seg) => {
      const chunks = source.vectors(seg);
      const nulls = source.nulls(seg);
      const unit = spec.op !== '<->';
      return {
        chunks,
        ok: (pos: number) => {
          if (nulls?.[pos] === 1) return false;
          if (!unit) return true;
          const c = chunks.find((x) => pos >= x.start && pos < x.start + x.rows)!;
          const o = (pos - c.start) * dim;
          for (let d = 0; d < dim; d++) if (c.data[o + d] !== 0) return true;
          return false;
        },
      };
    });
    const rows = t.sealed.reduce((n, s) => n + s.length, 0);
    const { samples, count } = sampleVectors(segments, dim, ivfSampleSize(lists, rows));
    if (!ivfflatSupports(spec.op)) throw new Error(`bug: no IVFFlat for ${spec.op}`);
    const file = this.centersFileName(t, spec);
    const trainedRemotely = await this.trainCentersOnIndexNode({ kind: 'float', samples, count, dim, op: spec.op, lists, centersFile: file }, signal);
    if (!trainedRemotely) await trainCentersFile(samples, count, dim, spec.op, lists, join(this.segDir, file), signal);
    fsyncDir(this.segDir);
    return { file, samples: count };
  }

  /** A new file name for an IVFFlat index's trained centers (float or bit). */
  private centersFileName(t: TableState, spec: VectorIndexSpec): string {
    return `t${t.id}.${spec.name.replace(/[^A-Za-z0-9_]/g, '_')}.centers-${this.nextSegmentId++}`;
  }

  /** Bit strings' centers (bit-ivf.ts): k-means on a sample of the sealed rows' packed bits. */
  private async trainBitIvfCenters(t: TableState, spec: VectorIndexSpec, source: IndexedColumn, lists: number, signal?: AbortSignal): Promise<{ file: string; samples: number }> {
    const bits = source.dim;
    const per = bytesPerRow(bits);
    const rows = t.sealed.reduce((n, s) => n + s.length, 0);
    const want = ivfSampleSize(lists, rows);
    const columns = t.sealed.map((seg) => ({ packed: source.bits(seg), nulls: source.nulls(seg) }));
    const picked = samplePositions(t.sealed.map((seg, i) => ({ rows: seg.length, ok: (pos: number) => columns[i].nulls?.[pos] !== 1 })), want);
    const samples = new Uint8Array(picked.length * per);
    picked.forEach((p, i) => samples.set(columns[p.segment].packed.subarray(p.pos * per, (p.pos + 1) * per), i * per));
    const file = this.centersFileName(t, spec);
    const trainedRemotely = await this.trainCentersOnIndexNode({ kind: 'bits', samples, count: picked.length, dim: bits, op: spec.op, lists, centersFile: file }, signal);
    if (!trainedRemotely) await trainBitCentersFile(samples, picked.length, bits, lists, join(this.segDir, file), signal);
    fsyncDir(this.segDir);
    return { file, samples: picked.length };
  }

  /** `tracker`: a CREATE INDEX's progress (of its index; others missing are built too, unreported) */
  private async buildMissingIndexes(t: TableState, signal?: AbortSignal, tracker?: IndexBuildTracker): Promise<void> {
    if (t.dropped) return;
    const segs = [...t.sealed];
    const metas = [...t.segMeta];
    const built = (seg: SealedSegment) => tracker !== undefined && this.annOf(t, seg.id).has(tracker.index);
    tracker?.begin(segs.map((s) => s.length), segs.map(built));
    for (let i = 0; i < segs.length; i++) {
      if (!t.sealed.includes(segs[i])) continue;
      const had = built(segs[i]);
      await this.buildSegmentIndexes(t, segs[i], metas[i], signal, tracker);
      if (tracker && !had) tracker.segmentDone(segs[i].length);
      // a bulk-ingested segment whose commit the log refused meanwhile (rewindTo): no manifest names it
      if (!t.sealed.includes(segs[i])) await this.discardSegmentFiles(t, segs[i].id, metas[i]);
    }
    await this.saveManifest(t);
  }

  /**
   * A failed or aborted (CREATE INDEX cancelled: `signal`) build leaves nothing: the spec
   * and the files of the segments it had indexed go, as a DROP INDEX would remove them.
   */
  async createVectorIndex(tableId: number, spec: VectorIndexSpec, signal?: AbortSignal, progress?: (p: VectorIndexProgress) => void): Promise<VectorIndexBuilt> {
    const t = this.tables.get(tableId);
    if (!t) return {};
    const tracker = new IndexBuildTracker(progress, this.log, { table: tableId, index: spec.name });
    // an IVFFlat spec has no centers until they are trained: segments sealed meanwhile
    // are indexed by the build below
    t.vectorIndexes = [...t.vectorIndexes.filter((x) => x.name !== spec.name), spec];
    let current = spec;
    try {
      // existing rows: seal what is growing, then index every sealed segment
      await this.enqueueMaintenance('seal', t.id, () => this.sealTable(t));
      let samples: number | undefined;
      if (spec.method === 'ivfflat') {
        await this.enqueueMaintenance('index build', t.id, async () => {
          tracker.phase('clustering');
          const trained = await this.trainIvfCenters(t, spec, signal);
          samples = trained.samples;
          current = { ...spec, centers: trained.file };
          if (t.vectorIndexes.includes(spec)) t.vectorIndexes = t.vectorIndexes.map((x) => (x === spec ? current : x));
          else await unlink(join(this.segDir, trained.file)).catch(() => {});
        });
      }
      await this.enqueueMaintenance('index build', t.id, () => this.buildMissingIndexes(t, signal, tracker));
      return samples === undefined ? {} : { samples };
    } catch (e) {
      // the build's own error is the statement's (a manifest write the drop could not make
      // on a full disk is retried later: see saveManifest)
      if (t.vectorIndexes.includes(current)) await this.dropVectorIndex(tableId, spec.name).catch(() => {});
      throw e;
    }
  }

  async dropVectorIndex(tableId: number, name: string): Promise<void> {
    const t = this.tables.get(tableId);
    if (!t) return;
    const centers = t.vectorIndexes.find((x) => x.name === name)?.centers;
    t.vectorIndexes = t.vectorIndexes.filter((x) => x.name !== name);
    await this.enqueueMaintenance('index drop', t.id, async () => {
      const files: string[] = centers ? [centers] : [];
      for (const meta of t.segMeta) {
        const f = meta.annFiles?.[name];
        if (f) {
          files.push(f);
          const { [name]: _gone, ...rest } = meta.annFiles!;
          meta.annFiles = rest;
        }
        if (meta.annRecall?.[name]) {
          const { [name]: _gone, ...rest } = meta.annRecall;
          meta.annRecall = rest;
        }
      }
      for (const m of t.ann.values()) { m.get(name)?.close(); m.delete(name); }
      await this.saveManifest(t, [], files);
    });
  }

  async renameVectorIndex(tableId: number, from: string, to: string): Promise<void> {
    const t = this.tables.get(tableId);
    if (!t || !t.vectorIndexes.some((x) => x.name === from)) return;
    await this.enqueueMaintenance('index rename', t.id, async () => {
      // everything in memory changes before the first await: no search sees a half-renamed index
      const replaced = t.vectorIndexes.find((x) => x.name === to);
      const files: string[] = replaced?.centers ? [replaced.centers] : [];
      t.vectorIndexes = t.vectorIndexes.filter((x) => x !== replaced).map((x) => (x.name === from ? { ...x, name: to } : x));
      const rename = <V>(byName: Record<string, V> | undefined, gone?: (v: V) => void): Record<string, V> | undefined => {
        if (!byName) return byName;
        if (to in byName) gone?.(byName[to]);
        const { [from]: moved, [to]: _replaced, ...rest } = byName;
        return moved === undefined ? rest : { ...rest, [to]: moved };
      };
      for (const meta of t.segMeta) {
        meta.annFiles = rename(meta.annFiles, (f) => files.push(f));
        meta.annRecall = rename(meta.annRecall);
      }
      for (const m of t.ann.values()) {
        const index = m.get(from);
        m.get(to)?.close();
        m.delete(to);
        if (index) {
          m.delete(from);
          m.set(to, index);
        }
      }
      await this.saveManifest(t, [], files);
    });
  }

  async createTextIndex(tableId: number, spec: TextIndexSpec, toVector: ToTsVector, buildFile?: BuildInvertedIndexFile): Promise<void> {
    const t = this.tables.get(tableId);
    if (!t) return;
    t.textIndexes = [...t.textIndexes.filter((x) => x.name !== spec.name), spec];
    t.tokenizers.set(spec.key, { toVector, ...(buildFile ? { buildFile } : {}) });
    await this.enqueueMaintenance('seal', t.id, () => this.sealTable(t));
    // the files are derived data: if writing them fails, queries build the lists from the rows
    await this.enqueueMaintenance('index build', t.id, () => this.buildMissingIndexes(t)).catch(() => {});
  }

  async dropTextIndex(tableId: number, name: string): Promise<void> {
    const t = this.tables.get(tableId);
    if (!t || !t.textIndexes.some((x) => x.name === name)) return;
    t.textIndexes = t.textIndexes.filter((x) => x.name !== name);
    await this.enqueueMaintenance('index drop', t.id, () => this.dropUnusedTextFiles(t));
  }

  attachTextIndexes(tableId: number, indexes: readonly TextIndexAttachment[]): void {
    const t = this.tables.get(tableId);
    if (!t) return;
    const specs = indexes.map((x) => x.spec);
    const changed = JSON.stringify(specs) !== JSON.stringify(t.textIndexes);
    t.textIndexes = specs;
    for (const { spec, ...tokenizer } of indexes) t.tokenizers.set(spec.key, tokenizer);
    const missing = t.segMeta.some((m) => specs.some((x) => !m.textFiles?.[x.key]));
    const unused = t.segMeta.some((m) => Object.keys(m.textFiles ?? {}).some((k) => !specs.some((x) => x.key === k)));
    if (!changed && !missing && !unused) return;
    void this.enqueueMaintenance('index build', t.id, async () => {
      await this.dropUnusedTextFiles(t);
      await this.buildMissingIndexes(t);
    }).catch((e) => this.log.warn({ table: t.id, err: (e as Error).message }, 'writing inverted index files failed'));
  }

  /** Remove the inverted index files of keys no GIN index of the table has any more. */
  private async dropUnusedTextFiles(t: TableState): Promise<void> {
    if (t.dropped) return;
    const keys = new Set(t.textIndexes.map((x) => x.key));
    const files: string[] = [];
    for (const meta of t.segMeta) {
      const gone = Object.entries(meta.textFiles ?? {}).filter(([k]) => !keys.has(k));
      if (!gone.length) continue;
      files.push(...gone.map(([, f]) => f));
      meta.textFiles = Object.fromEntries(Object.entries(meta.textFiles!).filter(([k]) => keys.has(k)));
    }
    await this.wal.append([this.manifestOp(t)]);
    for (const f of files) await unlink(join(this.segDir, f)).catch(() => {});
  }

  annSegmentCount(tableId: number, indexName: string, snapshot: Snapshot): number {
    const t = this.tableAt(tableId, snapshot);
    if (!t) return 0;
    let n = 0;
    for (const seg of t.sealed) if (t.ann.get(seg.id)?.has(indexName)) n++;
    return n;
  }

  annSegments(tableId: number, indexName: string, snapshot: Snapshot, txn?: Transaction): AnnSegment[] {
    const t = this.tableAt(tableId, snapshot);
    if (!t) return [];
    const out: AnnSegment[] = [];
    for (const seg of t.sealed) {
      const index = t.ann.get(seg.id)?.get(indexName);
      if (index) out.push({ ...this.searchSegment(t, seg, snapshot, txn), index });
    }
    return out;
  }

  /**
   * A sealed segment's deleted positions (one bit each, LSB first), the newest tombstone's
   * timestamp among them and their count, kept per segment: visibility checks become a
   * bit test instead of a tombstone lookup per position (mixed-200 profile: 6.3 s of 35 s
   * in matchBitmap, most of it Map lookups). Valid while the table's tombstone count is
   * the one it was made or last updated with (noteTombstone keeps it current; any other
   * change makes it be made again).
   */
  private deadPositions(t: TableState, seg: SealedSegment): DeadPositions {
    const cached = this.dead.get(seg);
    if (cached && cached.tombstones === t.tombstones.size && cached.of === t.tombstones) return cached;
    const bits = new Uint8Array((seg.length + 7) >> 3);
    let maxTs = 0;
    let count = 0;
    if (t.tombstones.size > 0) {
      for (let pos = 0; pos < seg.length; pos++) {
        const d = t.tombstones.get(seg.rowIdAt(pos));
        if (d === undefined) continue;
        bits[pos >> 3] |= 1 << (pos & 7);
        count++;
        if (d > maxTs) maxTs = d;
      }
    }
    const made: DeadPositions = { bits, maxTs, count, tombstones: t.tombstones.size, of: t.tombstones };
    this.dead.set(seg, made);
    return made;
  }

  /**
   * Tombstones went (a refused commit's, or rows compaction dropped): the segments'
   * deleted positions are made again. (Their validity is the tombstone count: k removals
   * followed by k deletes would otherwise pass for current, without the new bits.)
   */
  private forgetDeadPositions(t: TableState): void {
    for (const seg of t.sealed) this.dead.delete(seg);
  }

  /** A committed delete: the tombstone, and its bit in the segment that holds the row. */
  private noteTombstone(t: TableState, rowId: RowId, ts: number): void {
    const before = t.tombstones.size;
    t.tombstones.set(rowId, ts);
    for (const seg of t.sealed) {
      const cached = this.dead.get(seg);
      if (!cached || cached.tombstones !== before || cached.of !== t.tombstones) continue;
      cached.tombstones = t.tombstones.size;
      const pos = seg.find(rowId);
      if (pos < 0 || (cached.bits[pos >> 3] >> (pos & 7)) & 1) continue;
      cached.bits[pos >> 3] |= 1 << (pos & 7);
      cached.count++;
      if (ts > cached.maxTs) cached.maxTs = ts;
    }
  }

  searchSegments(tableId: number, snapshot: Snapshot, txn?: Transaction): SearchSegment[] {
    const t = this.tableAt(tableId, snapshot);
    return t ? t.sealed.map((seg) => this.searchSegment(t, seg, snapshot, txn)) : [];
  }

  /** One sealed segment as the snapshot (and transaction) sees it. */
  private searchSegment(t: TableState, seg: SealedSegment, snapshot: Snapshot, txn?: Transaction): SearchSegment {
    const p = (txn as PendingHolder | undefined)?.pending.get(t.id);
    const S = snapshot.ts;
    const dead = this.deadPositions(t, seg);
    // every row of the segment is in the snapshot and the transaction deleted none: a live
    // bit says visible; only a deleted position asks whether its delete is in the snapshot
    const settled = seg.maxTs <= S && !(p && p.deleted.size > 0);
    const deletedBefore = (pos: number) => (t.tombstones.get(seg.rowIdAt(pos)) ?? Infinity) <= S;
    const visible = settled
      ? (pos: number): RowId | undefined => ((dead.bits[pos >> 3] >> (pos & 7)) & 1 && deletedBefore(pos) ? undefined : seg.rowIdAt(pos))
      : (pos: number): RowId | undefined => {
        const rowId = seg.rowIdAt(pos);
        if (seg.tsAt(pos) > S) return undefined;
        const d = t.tombstones.get(rowId);
        if (d !== undefined && d <= S) return undefined;
        if (p?.deleted.has(rowId)) return undefined;
        return rowId;
      };
    const allVisible = () => settled && dead.count === 0;
    // matchBitmap(Steps): a step (yield) after every BITMAP_STEP_ROWS positions tested
    function* bitmapSteps(vectorColumn: number, filter: BitmapFilter | null, nullLimit: number): Generator<void, BitmapMatch, void> {
      const all = allVisible();
      const noNulls = seg.nullCount(vectorColumn) === 0;
      const nullPositions: number[] = [];
      if (all && noNulls && !filter) return { bits: undefined, count: seg.length, nullPositions };
      const bits = new Uint8Array((seg.length + 7) >> 3);
      let count = 0;
      const take = (pos: number) => { bits[pos >> 3] |= 1 << (pos & 7); count++; };
      if (noNulls && !filter && settled) {
        // the live positions: the complement of the dead ones, a byte at a time
        for (let i = 0; i < bits.length; i++) bits[i] = ~dead.bits[i] & 0xff;
        const tail = seg.length & 7;
        if (tail) bits[bits.length - 1] &= (1 << tail) - 1;
        let live = seg.length - dead.count;
        // deletes the snapshot does not see yet leave their rows visible
        if (dead.maxTs > S) {
          for (let i = 0; i < dead.bits.length; i++) {
            if (dead.bits[i] === 0) continue;
            for (let b = 0; b < 8; b++) {
              const pos = i * 8 + b;
              if ((dead.bits[i] >> b) & 1 && !deletedBefore(pos)) { bits[i] |= 1 << b; live++; }
            }
          }
        }
        return { bits, count: live, nullPositions };
      }
      if (noNulls && !filter) {
        for (let pos = 0; pos < seg.length; pos++) {
          if (visible(pos) !== undefined) take(pos);
          if (pos % BITMAP_STEP_ROWS === BITMAP_STEP_ROWS - 1) yield;
        }
        return { bits, count, nullPositions };
      }
      // a visible position that passed the filter: allowed, or a NULL vector (sorts last)
      const accept = (pos: number, nullVector: boolean) => {
        if (!nullVector) take(pos);
        else if (nullPositions.length < nullLimit) nullPositions.push(pos);
      };
      // a sorted column gives positions in value order: its NULL vectors are all noted, and
      // the first ones by position kept, as a pass over every row keeps them
      const anyNulls: number[] = [];
      const acceptAny = (pos: number, nullVector: boolean) => {
        if (!nullVector) take(pos);
        else anyNulls.push(pos);
      };
      const firstNulls = () => anyNulls.sort((a, b) => a - b).slice(0, nullLimit);
      const exactRows = filter?.onlyIndexed ? onlyIndexedRows(seg, filter.indexed!) : undefined;
      if (exactRows) {
        // the filter is one column's range: its sorted positions are the answer
        const nulls = noNulls ? undefined : seg.nullMap(vectorColumn);
        for (let i = 0; i < exactRows.length; i++) {
          const pos = exactRows[i];
          if (all || visible(pos) !== undefined) acceptAny(pos, !!nulls?.[pos]);
          if (i % BITMAP_STEP_ROWS === BITMAP_STEP_ROWS - 1) yield;
        }
        return { bits, count, nullPositions: firstNulls(), narrowed: true };
      }
      // the vector column is read only to find NULLs: a view per row costs more than the filter
      const read = [...new Set([...(noNulls ? [] : [vectorColumn]), ...(filter?.columns ?? [])])];
      const consider = (pos: number, partial: Row, to = accept) => {
        if (filter && !filter.test(partial)) return;
        to(pos, !noNulls && partial[vectorColumn] === null);
      };
      const few = filter?.indexed?.length ? indexedCandidates(seg, filter.indexed) : undefined;
      if (few) {
        // a sorted column narrows the rows to test: only those are read
        for (let i = 0; i < few.length; i++) {
          const pos = few[i];
          if (all || visible(pos) !== undefined) consider(pos, seg.keyRow(pos, read), acceptAny);
          if (i % BITMAP_STEP_ROWS === BITMAP_STEP_ROWS - 1) yield;
        }
        return { bits, count, nullPositions: firstNulls(), narrowed: true };
      }
      for (let from = 0; from < seg.length; from += BITMAP_STEP_ROWS) {
        if (from > 0) yield;
        seg.forEachPartial(read, (pos, partial) => {
          if (all || visible(pos) !== undefined) consider(pos, partial);
        }, from, Math.min(seg.length, from + BITMAP_STEP_ROWS));
      }
      return { bits, count, nullPositions };
    }
    return {
      id: seg.id,
      length: seg.length,
      visibleRow: (pos, columns) => {
        if (pos < 0 || pos >= seg.length) return undefined;
        const rowId = visible(pos);
        return rowId === undefined ? undefined : { rowId, row: columns ? seg.partialRow(pos, columns, t.layout.columns.length) : seg.row(pos) };
      },
      isVisible: (pos) => pos >= 0 && pos < seg.length && visible(pos) !== undefined,
      invertedIndex: (key, column, toVector) => seg.invertedIndex(key, column, toVector),
      *visibleRowsWhere(columns, test) {
        const all = allVisible();
        const hits: number[] = [];
        seg.forEachPartial(columns, (pos, partial) => {
          if ((all || visible(pos) !== undefined) && test(partial)) hits.push(pos);
        });
        for (const pos of hits) yield { rowId: seg.rowIdAt(pos), row: seg.row(pos), pos };
      },
      *visibleRows() {
        for (let start = 0; start < seg.length; start += BATCH_SIZE) {
          const stop = Math.min(seg.length, start + BATCH_SIZE);
          const rows = seg.rows(start, stop);
          for (let pos = start; pos < stop; pos++) {
            const rowId = visible(pos);
            if (rowId !== undefined) yield { rowId, row: rows[pos - start], pos };
          }
        }
      },
      sharedVectors: (column) => seg.sharedVectors(column),
      everyRowSearchable: (vectorColumn) => allVisible() && seg.nullCount(vectorColumn) === 0,
      sortedColumnPending: (column) => seg.sortedColumnPending(column),
      // deleted rows are taken to fall among the filter's rows as anywhere in the segment
      filterCount: (filter) => {
        const n = filter.onlyIndexed && filter.indexed ? onlyIndexedRows(seg, filter.indexed)?.length : undefined;
        return n === undefined ? undefined : Math.round(n * (1 - dead.count / Math.max(seg.length, 1)));
      },
      matchBitmap: (vectorColumn, filter, nullLimit) => {
        const steps = bitmapSteps(vectorColumn, filter, nullLimit);
        for (;;) {
          const step = steps.next();
          if (step.done) return step.value;
        }
      },
      matchBitmapSteps: bitmapSteps,
    };
  }

  private async loadSegment(t: TableState, meta: SegmentMeta, manifestKey: string): Promise<SealedSegment> {
    const path = join(this.segDir, meta.file);
    if (!existsSync(path)) {
      throw new StorageStartupError(`segment file ${path} is missing (listed in manifest ${manifestKey}); refusing to start rather than lose its ${meta.rows} rows`);
    }
    const bytes = await readFile(path);
    if (bytes.byteLength !== meta.bytes || crc32(bytes) !== meta.crc) {
      throw new StorageStartupError(`segment file ${path} is damaged (${bytes.byteLength !== meta.bytes ? `size ${bytes.byteLength}, expected ${meta.bytes}` : 'checksum mismatch'}); refusing to start`);
    }
    try {
      const seg = decodeSegment(meta.id, meta.file, bytes, t.layout.columns);
      if (seg.length !== meta.rows) throw new Error(`has ${seg.length} rows, manifest says ${meta.rows}`);
      if (meta.commitTs !== undefined) seg.stampCommit(meta.commitTs);
      return seg;
    } catch (e) {
      if (e instanceof StorageStartupError) throw e;
      throw new StorageStartupError(`segment file ${path} is damaged: ${(e as Error).message}`);
    }
  }

  /**
   * Delete the insert records a seal made redundant, and have LevelDB compact that key
   * range right away: otherwise the deleted records stay in its table files (disk space,
   * and every later scan of the log range reads through them, e.g. at recovery).
   */
  private async trimLog(table: number, sealPoint: number): Promise<void> {
    const from = keys.insertPrefix(table);
    const to = keys.insertsAfter(table, sealPoint);
    await this.clearRange({ gt: from, lt: to });
    await this.wal.alongside((db) => db.compactRange(from, to));
  }

  private async clearTableRecords(table: number): Promise<void> {
    await this.clearRange({ gte: keys.insertPrefix(table), lt: keys.insertPrefix(table).slice(0, -1) + '0' });
    await this.clearRange({ gte: keys.tombstonePrefix(table), lt: keys.tombstonePrefix(table).slice(0, -1) + '0' });
    await this.clearRange({ gte: keys.droppedTombstonesPrefix(table), lt: keys.droppedTombstonesPrefix(table).slice(0, -1) + '0' });
  }

  /**
   * Delete a key range through the log's writer (LevelDB logs the deletes too), a bounded
   * number of keys at a time so that commit batches are not held up behind a long trim.
   */
  /** Deletions of dropped tombstone records under way (close waits for them). */
  private readonly tombstoneDeletions = new Set<Promise<void>>();

  /** In the background: a failure leaves the list, and the next start deletes them. */
  private deleteDroppedTombstones(table: number, key: string, rowIds: Float64Array): void {
    const done = deleteDroppedTombstones((run) => this.wal.exclusive(run), table, key, rowIds)
      .catch((e) => this.log.warn({ err: (e as Error).message, table }, 'could not delete the tombstone records a compaction dropped; the next start does'))
      .finally(() => this.tombstoneDeletions.delete(done));
    this.tombstoneDeletions.add(done);
  }

  private async clearRange(range: { gt?: string; gte?: string; lt: string }): Promise<void> {
    const CHUNK = 20_000;
    for (let more = true; more;) {
      more = await this.wal.exclusive(async (db) => {
        await db.clear({ ...range, limit: CHUNK });
        return (await db.keys({ ...range, limit: 1 }).all()).length > 0;
      });
    }
  }

  // ------------------------------------------------------------------------------------
  // Tables and unique keys

  private newUniqueKey(t: TableState, spec: UniqueKeySpec): UniqueKey {
    const read = spec.partial ? [...new Set([...spec.columns, ...spec.partial.columns])] : spec.columns;
    return { spec, types: spec.expression ? [spec.expression.type] : spec.columns.map((c) => t.layout.columns[c].type), read, index: new Map() };
  }

  /** A partial key's predicate: one recovered before the predicate came (at open) is indexed once it comes. */
  attachKeyPredicates(tableId: number, predicates: readonly KeyPredicate[]): void {
    const t = this.tables.get(tableId);
    if (!t) return;
    for (const p of predicates) {
      const had = t.keyPredicates.has(p.key);
      t.keyPredicates.set(p.key, p.holds);
      if (!had) this.indexKeysNowIndexable(t, (spec) => spec.partial?.key === p.key);
    }
  }

  /**
   * An expression key is computed by the engine's function: one recovered before the
   * function came (at open) is indexed once it comes.
   */
  attachKeyFunctions(tableId: number, keys: readonly KeyFunction[]): void {
    const t = this.tables.get(tableId);
    if (!t) return;
    for (const k of keys) {
      const had = t.keyFunctions.has(k.key);
      t.keyFunctions.set(k.key, k.toKey);
      if (!had) this.indexKeysNowIndexable(t, (spec) => spec.expression?.key === k.key);
    }
  }

  /** The keys `waited` says were waiting for what just came: indexed afresh over the committed rows. */
  private indexKeysNowIndexable(t: TableState, waited: (spec: UniqueKeySpec) => boolean): void {
    for (const [name, key] of t.uniqueKeys) {
      if (!waited(key.spec)) continue;
      const fresh = this.newUniqueKey(t, key.spec);
      this.indexExistingRows(t, fresh, false);
      t.uniqueKeys.set(name, fresh);
    }
  }

  /** a key whose rows can be indexed now (an expression key needs its function) */
  private indexable(t: TableState, key: UniqueKey): boolean {
    return (!key.spec.expression || t.keyFunctions.has(key.spec.expression.key)) && (!key.spec.partial || t.keyPredicates.has(key.spec.partial.key));
  }

  /** Index every committed row of the table; with `check`, a live duplicate throws. */
  private indexExistingRows(t: TableState, key: UniqueKey, check: boolean): void {
    if (!this.indexable(t, key)) return;
    const steps = this.indexRowsInSteps(t, key, check, t.tombstones);
    while (!steps.next().done);
  }

  /**
   * indexExistingRows a step every 4,096 rows, for a caller that takes turns of the event
   * loop in between (addUniqueKey, a hot standby applying a compaction); `tombstones`: the rows known dead.
   */
  private *indexRowsInSteps(t: TableState, key: UniqueKey, check: boolean, tombstones: RowIdMap<number>): Generator<void, void, void> {
    if (!this.indexable(t, key)) return;
    const liveSeen = check ? new Set<string>() : undefined;
    let n = 0;
    for (const seg of t.segments()) {
      for (let pos = 0; pos < seg.length; pos++) {
        if ((++n & 4095) === 0) yield;
        const rowId = seg.rowIdAt(pos);
        const dead = tombstones.has(rowId);
        // dead rows of a recovered table are never needed by a snapshot again
        if (dead && !check) continue;
        const k = t.keyOf(key, seg.keyRow(pos, key.read));
        if (k === undefined) continue;
        if (liveSeen && !dead) {
          if (liveSeen.has(k)) throw t.violation(key, seg.row(pos));
          liveSeen.add(k);
        }
        indexAdd(key.index, k, rowId);
      }
    }
  }

  tableForWrite(tableId: number): TableState {
    const t = this.tables.get(tableId);
    if (!t) throw new Error(`no storage for table ${tableId} (created but not recovered?)`);
    return t;
  }

  /** The manifest write for a table (queued in log order; built from the state now). */
  private manifestOp(t: TableState): WalOp {
    return { type: 'put', key: keys.table(t.id), value: frame(Buffer.from(JSON.stringify(t.manifest()))) };
  }

  async createTable(layout: TableLayout): Promise<void> {
    this.refuseOnStandby();
    if (this.tables.has(layout.id)) throw new Error(`bug: storage for table ${layout.id} exists`);
    const t = new TableState(layout);
    this.tables.set(layout.id, t);
    try {
      await this.wal.append([this.manifestOp(t)]);
    } catch (e) {
      // not on disk (the disk is full): the table does not exist
      if (this.tables.get(layout.id) === t) this.tables.delete(layout.id);
      throw e;
    }
  }

  async dropTable(tableId: number): Promise<void> {
    this.refuseOnStandby();
    const t = this.tables.get(tableId);
    if (!t) return;
    t.dropped = true;
    this.tables.delete(tableId);
    this.retries.forget(tableId);
    await this.wal.append([{ type: 'del', key: keys.table(tableId) }]);
    await this.clearTableRecords(tableId);
    for (const m of t.segMeta) {
      for (const f of [m.file, ...Object.values(m.annFiles ?? {}), ...Object.values(m.textFiles ?? {})]) await unlink(join(this.segDir, f)).catch(() => {});
    }
    for (const spec of t.vectorIndexes) if (spec.centers) await unlink(join(this.segDir, spec.centers)).catch(() => {});
  }

  /**
   * Index the table's committed rows a step at a time between turns of the event loop (a
   * million rows held it ~1 s in one piece), in the commit queue's turn: no commit, seal or
   * compaction lands between two steps, and the key is in place for the next commit. It is
   * put in place whole at the end, or not at all (a duplicate, a cancel). A log refusal
   * meanwhile (rewindTo) takes rows back out of memory: the rows are indexed again.
   */
  async addUniqueKey(tableId: number, spec: UniqueKeySpec, signal?: AbortSignal): Promise<void> {
    const t = this.tableForWrite(tableId);
    await this.commits.exclusive(async () => {
      const turns = new Turns();
      let key: UniqueKey;
      for (;;) {
        const rewinds = this.rewinds;
        key = this.newUniqueKey(t, spec);
        try {
          for (const _ of this.indexRowsInSteps(t, key, spec.unique !== false, t.tombstones)) {
            await turns.take();
            signal?.throwIfAborted();
            if (this.rewinds !== rewinds) break;
          }
        } catch (e) {
          if (!(e instanceof UniqueViolation) || this.rewinds === rewinds) throw e;
        }
        if (this.rewinds === rewinds) break;
      }
      // dropped (or rewritten) by another session meanwhile: nothing to keep
      if (t.dropped || this.tables.get(tableId) !== t) return;
      t.uniqueKeys.set(spec.name, key);
      this.persistManifest(t);
    });
  }

  dropUniqueKey(tableId: number, name: string): void {
    const t = this.tables.get(tableId);
    if (!t || !t.uniqueKeys.delete(name)) return;
    this.persistManifest(t);
  }

  renameUniqueKey(tableId: number, from: string, to: string): void {
    const t = this.tables.get(tableId);
    const key = t?.uniqueKeys.get(from);
    if (!t || !key) return;
    t.uniqueKeys.delete(from);
    t.uniqueKeys.set(to, { ...key, spec: { ...key.spec, name: to } });
    this.persistManifest(t);
  }

  /**
   * Unique-key DDL does not wait for its manifest write (dropping and renaming a key are
   * synchronous, adding one resolves once the key is in place); the write is queued in log
   * order, so the catalog image the engine saves right after it is durable only after it.
   */
  private persistManifest(t: TableState): void {
    // a full disk: the retry schedule writes it later
    this.saveManifest(t).catch((e) => { if (!isDiskFull(e)) this.log.error({ err: e, table: t.id }, 'manifest write failed'); });
  }

  /** Drop the storage of tables the recovered catalog does not know (a crash between
   *  createTable and the catalog write). */
  async pruneTables(liveTableIds: ReadonlySet<number>): Promise<void> {
    for (const id of [...this.tables.keys()]) {
      if (liveTableIds.has(id)) continue;
      this.log.info({ table: id }, 'dropping storage of a table the catalog does not have');
      await this.dropTable(id);
    }
  }

  /**
   * Drop the vector indexes the catalog does not name (`indexNames`: each live table's
   * index names): one built beside another by a REINDEX CONCURRENTLY that a crash stopped,
   * or one whose CREATE INDEX never had its catalog entry made durable. Left, it would be
   * built again for every segment sealed from then on.
   */
  async pruneVectorIndexes(indexNames: ReadonlyMap<number, ReadonlySet<string>>): Promise<void> {
    for (const [id, t] of [...this.tables]) {
      const names = indexNames.get(id);
      if (!names) continue;
      for (const spec of t.vectorIndexes.filter((x) => !names.has(x.name))) {
        this.log.info({ table: id, index: spec.name }, 'dropping a vector index the catalog does not have');
        await this.dropVectorIndex(id, spec.name);
      }
    }
  }

  // ------------------------------------------------------------------------------------
  // Hot standby (opts.replica): memory follows the shared log

  /** A write reached a hot standby's storage (the engine refuses them first: 25006). */
  private refuseOnStandby(): void {
    if (this.replicaPosition) throw new SqlError('25006', 'cannot execute a write during recovery');
  }

  /** The read position of a hot standby (undefined on a leader or a standalone server). */
  standbyReads(): StandbyReads | undefined {
    const r = this.replicaPosition;
    const log = this.opts.shared?.log;
    if (!r || !log) return undefined;
    const logEnd = coalesced(() => log.lastSeq());
    return {
      applied: () => r.applied,
      freshAt: () => r.freshAt,
      logEnd,
      waitApplied: (seq, signal) => r.wait(seq, signal),
      noteLogEnd: (seq, at) => r.noteLogEnd(seq, at),
    };
  }

  /** Tests and measurements: a stalled standby (batches wait before they are applied). */
  pauseApply(paused: boolean): void {
    if (paused) this.replicaPosition?.pause();
    else this.replicaPosition?.resume();
  }

  /**
   * Awaited before a batch that drops tables (their manifests deleted) or carries a catalog
   * image is applied, with those tables and the image: the engine resolves its sessions'
   * recovery conflicts there (recovery-conflicts.ts); nothing of the batch is applied meanwhile.
   */
  beforeReplicated(hook: (dropped: ReadonlySet<number>, catalog: string | undefined) => Promise<unknown>): void {
    this.beforeReplicatedHook = hook;
  }

  /** Called after each applied batch that carried a catalog image or sequence records. */
  onReplicated(listener: (change: ReplicatedChange) => void): void {
    this.replicatedListeners.push(listener);
  }

  /**
   * A hot standby's loop: apply each new batch of the shared log — to the local LevelDB
   * and to memory, where the next snapshot sees it — until `signal` aborts. Rejects when
   * the log cannot be followed (trimmed past this node: it must start again from a checkpoint).
   */
  async followSharedLog(signal: AbortSignal): Promise<void> {
    const r = this.replicaPosition;
    const seams = this.opts.shared;
    if (!r || !seams) throw new Error('bug: followSharedLog on a storage that is not a hot standby');
    // a paused standby that is to stop (elected, shut down) lets its batch through
    signal.addEventListener('abort', () => r.resume(), { once: true });
    await seams.log.read(r.applied, (batch) => this.applyReplicated(batch), { follow: true, signal });
  }

  /**
   * A hot standby elected leader (cluster mode), in place, as PostgreSQL's pg_promote():
   * apply the rest of the shared log — every acknowledged write — claim it (claimLog: a
   * previous writer still running is fenced), then write through it from there on. `seams` are the leader's (with its onAppendFailed). Sessions
   * read on meanwhile; until the switch at the end every write is still refused. The
   * follow loop must have ended first. On a rejection the storage is still a standby (the
   * caller closes it and opens the directory as a leader instead).
   */
  async promote(seams: SharedSeams): Promise<void> {
    const r = this.replicaPosition;
    if (!r) throw new Error('bug: promote on a storage that is not a hot standby');
    r.resume();
    const apply = (batch: LogBatch) => this.applyReplicated(batch);
    const reached = await seams.log.read(r.applied, apply);
    const record = (op: { key: string; value: Uint8Array }) => this.wal.exclusive((db) => db.put(op.key, op.value));
    const settled = await settlePosition(seams, reached, apply, record, this.log);
    // the old leader may still be running (pg_promote): fence it before writing anything
    const position = await claimLog(seams, settled, apply, record, this.log);
    const files = await fetchFiles(this.db, seams, this.segDir, this.log);
    const prepared = await readPreparedRecords(this.entries(preparedKeys.all.gte, preparedKeys.all.lt));
    if (this.closed) throw new Error('the storage was closed while being promoted');
    // From here on, in one turn: a leader, as DurableStorage.open would have made it.
    const policy = checkpointPolicyFromEnv(join(this.opts.dataDir, 'checkpoint-tmp'));
    this.mirror = new SharedLogMirror(seams, this.segDir, position, files, policy ? { db: this.db, policy, log: this.log } : undefined);
    this.wal.lead(this.mirror, this.clock);
    this.replicaPosition = undefined;
    // statements that took the standby's read position before the switch wait no more
    r.finish();
    // what recover() derives from the directory, and applyReplicated does not keep
    for (const id of this.recoveredSequences.keys()) this.loggedSequences.add(id);
    for (const t of this.tables.values()) for (const meta of t.segMeta) this.nextSegmentId = Math.max(this.nextSegmentId, meta.id + 1);
    // the prepared transactions the log holds, prepared here now with their locks and keys
    // (those recovery restored when the standby opened let go of theirs first)
    for (const e of this.prepared.values()) {
      if (!e.txn) continue;
      this.preparedClaims.release(e.txn);
      e.txn.endPrepared();
    }
    this.prepared.clear();
    for (const rec of prepared) this.restorePrepared(rec);
    this.background = this.opts.background ?? true;
    this.log.info({ position, tables: this.tables.size, clock: this.clock }, 'promoted: this node writes the shared log now');
    for (const t of this.tables.values()) {
      this.maybeScheduleSeal(t);
      // index files the old leader did not get to write (a standby builds none)
      const textMissing = t.segMeta.some((m) => t.textIndexes.some((x) => t.tokenizers.has(x.key) && !m.textFiles?.[x.key]));
      if (!this.openIndexFiles(t) || textMissing) this.inBackground('index build', t, () => this.buildMissingIndexes(t));
    }
    void this.enqueueMaintenance('tidy', 0, () => this.removeRedundantRecords())
      .catch((e: unknown) => this.log.warn({ err: (e as Error).message }, 'could not remove redundant log records after the promotion; the next start does'));
  }

  /**
   * What recover() removes at a leader's start, and a standby keeps (the leader's range
   * deletes are local, not logged): records of dropped tables, log records already sealed.
   */
  private async removeRedundantRecords(): Promise<void> {
    const stale = new Set<number>();
    const trimmed = new Set<number>();
    for (const prefix of ['L/', 'D/']) {
      for await (const key of this.db.keys({ gte: prefix, lt: `${prefix[0]}0` })) {
        const { table, n } = parseKey(key);
        const t = this.tables.get(table);
        if (!t) stale.add(table);
        else if (prefix === 'L/' && n <= t.sealedTs) trimmed.add(table);
      }
    }
    for (const table of stale) if (!this.tables.has(table)) await this.clearTableRecords(table);
    for (const table of trimmed) {
      const t = this.tables.get(table);
      if (t) await this.trimLog(table, t.sealedTs);
    }
    if (stale.size || trimmed.size) this.log.info({ droppedTables: stale.size, sealedTables: trimmed.size }, 'removed the log records a standby kept and a leader does not need');
  }

  /**
   * One batch: first what needs awaiting (the LevelDB write, the files its manifests name,
   * reading new sealed segments), then every record applied to memory in one turn of the
   * event loop, so a statement sees all of the batch or none of it.
   */
  private async applyReplicated(batch: LogBatch): Promise<void> {
    const r = this.replicaPosition!;
    await r.gate();
    if (this.closed) return;
    const ops = decodeBatch(batch.payload);
    if (this.beforeReplicatedHook) {
      const dropped = new Set<number>();
      let image: string | undefined;
      for (const op of ops) {
        if (op.key === keys.catalog && op.type === 'put') image = Buffer.from(unframe(op.value, `record ${op.key}`)).toString('utf8');
        else if (op.type === 'del' && op.key.startsWith('T/')) dropped.add(parseKey(op.key).table);
      }
      if (dropped.size || image !== undefined) await this.beforeReplicatedHook(dropped, image);
      if (this.closed) return;
    }
    await this.wal.exclusive((db) => applyOps(db, ops, batch.seq));
    const manifests = ops.filter((op) => op.type === 'put' && op.key.startsWith('T/'));
    const loaded = new Map<string, SealedSegment>();
    if (manifests.length) {
      await fetchFiles(this.db, this.opts.shared!, this.segDir, this.log);
      for (const op of manifests) {
        const m = JSON.parse(Buffer.from(unframe((op as { value: Uint8Array }).value, `manifest record ${op.key}`)).toString('utf8')) as TableManifest;
        const have = new Set(this.tables.get(m.layout.id)?.sealed.map((x) => x.file));
        for (const meta of m.segments) {
          if (have.has(meta.file) || loaded.has(meta.file)) continue;
          loaded.set(meta.file, await this.loadSegment(new TableState(m.layout), meta, op.key));
        }
      }
    }
    let clock = this.clock;
    let catalog: string | undefined;
    let sequences = false;
    const droppedRows = new Map<number, RowId[]>();
    const droppedLists: { table: number; key: string; rowIds: Float64Array }[] = [];
    for (const op of ops) {
      const { kind, table, n } = parseKey(op.key);
      if (op.key === keys.clock) {
        if (op.type === 'put') clock = Math.max(clock, Number(Buffer.from(unframe(op.value, `record ${op.key}`)).toString()));
      } else if (op.key === keys.catalog) {
        if (op.type === 'put') catalog = Buffer.from(unframe(op.value, `record ${op.key}`)).toString('utf8');
      } else if (kind === 'S') {
        sequences = true;
        if (op.type === 'del') this.recoveredSequences.delete(table);
        else {
          const state = JSON.parse(Buffer.from(unframe(op.value, `sequence record ${op.key}`)).toString('utf8')) as { last: string; isCalled: boolean };
          this.recoveredSequences.set(table, { last: BigInt(state.last), isCalled: state.isCalled });
        }
      } else if (kind === 'T') {
        if (op.type === 'del') {
          const t = this.tables.get(table);
          if (t) t.dropped = true;
          this.tables.delete(table);
        } else {
          const m = JSON.parse(Buffer.from(unframe(op.value, `manifest record ${op.key}`)).toString('utf8')) as TableManifest;
          await this.replaceTable(m, loaded);
        }
      } else if (kind === 'L' && op.type === 'put') {
        const t = this.tables.get(table);
        // a dropped table's, or rows a seal in this batch already holds
        if (!t || n <= t.sealedTs) continue;
        const [rowIds, rows] = deserialize(unframe(op.value, `log record ${op.key}`)) as [RowId[], Row[]];
        for (let i = 0; i < rows.length; i++) {
          t.growing.append(rowIds[i], rows[i], n);
          if (rowIds[i] >= t.nextRowId) t.nextRowId = rowIds[i] + 1;
          for (const key of t.uniqueKeys.values()) {
            const k = t.keyOf(key, rows[i]);
            if (k !== undefined) indexAdd(key.index, k, rowIds[i]);
          }
        }
        clock = Math.max(clock, n);
      } else if (kind === 'P') {
        if (n === 0) this.replicatedPrepared(op, table);
      } else if (kind === 'G') {
        // a compaction's dropped rows (its manifest is in this batch): as the 'del's below
        if (op.type !== 'put' || !this.tables.has(table)) continue;
        const rowIds = decodeDroppedTombstones(op.key, op.value);
        const list = droppedRows.get(table) ?? [];
        for (const rowId of rowIds) list.push(rowId);
        droppedRows.set(table, list);
        droppedLists.push({ table, key: op.key, rowIds });
      } else if (kind === 'D') {
        const t = this.tables.get(table);
        if (!t) continue;
        if (op.type === 'put') {
          const ts = Number(Buffer.from(unframe(op.value, `tombstone record ${op.key}`)).toString());
          this.noteTombstone(t, n, ts);
          clock = Math.max(clock, ts);
        } else {
          // a compaction dropped the row (its manifest in this batch no longer names it); a
          // statement still scanning the old segments needs the tombstone: it goes once
          // they are done, as on the leader (compactTable)
          const list = droppedRows.get(table);
          if (list) list.push(n);
          else droppedRows.set(table, [n]);
        }
      }
    }
    for (const d of droppedLists) this.deleteDroppedTombstones(d.table, d.key, d.rowIds);
    for (const [table, rowIds] of droppedRows) this.whenOlderReadersDone(() => this.dropTombstones(table, rowIds));
    this.clock = clock;
    this.visibleTs = clock;
    if (catalog !== undefined) this.catalogImage = catalog;
    r.advance(batch.seq);
    if (catalog === undefined && !sequences) return;
    for (const l of this.replicatedListeners) {
      try {
        l({ ...(catalog !== undefined ? { catalog } : {}), sequences });
      } catch (e) {
        this.log.error({ err: e }, 'applying a replicated catalog failed');
      }
    }
  }

  /**
   * A table's manifest as the leader logged it (created, sealed, compacted, bulk-loaded,
   * indexed): a new TableState, so a running scan keeps the one it began with. Segments
   * already here, their open indexes, the tombstones and the unsealed rows carry over.
   * After a compaction its unique keys are indexed again, a step at a time between turns of
   * the event loop (the rest of the batch waits; readers keep the old state until the new
   * one replaces it in one piece, with the tombstones as they are then).
   */
  private async replaceTable(m: TableManifest, loaded: ReadonlyMap<string, SealedSegment>): Promise<void> {
    const old = this.tables.get(m.layout.id);
    const t = new TableState(m.layout);
    t.nextRowId = m.nextRowId;
    t.sealedTs = m.sealedTs;
    t.segMeta = m.segments;
    t.vectorIndexes = m.vectorIndexes ?? [];
    t.textIndexes = m.textIndexes ?? [];
    const oldSegs = new Map(old?.sealed.map((x) => [x.file, x]));
    t.sealed = m.segments.map((meta) => oldSegs.get(meta.file) ?? loaded.get(meta.file)!);
    if (old) t.growing = old.growing.maxTs > m.sealedTs ? old.growing.copyAfter(m.sealedTs) : new GrowingSegment();
    for (const seg of t.sealed) if (seg.maxRowId >= t.nextRowId) t.nextRowId = seg.maxRowId + 1;
    // expression keys' functions first: the keys below are indexed with them
    for (const [k, v] of old?.keyFunctions ?? []) t.keyFunctions.set(k, v);
    // the key indexes follow the rows; kept as they are unless a segment left (compaction)
    const kept = old && old.sealed.every((x) => t.sealed.includes(x));
    const turns = new Turns();
    for (const spec of m.uniqueKeys) {
      const prev = old?.uniqueKeys.get(spec.name);
      if (kept && prev && JSON.stringify(prev.spec) === JSON.stringify(spec)) {
        t.uniqueKeys.set(spec.name, prev);
        continue;
      }
      const key = this.newUniqueKey(t, spec);
      // (the old state's tombstones: only this batch, applied in order, adds any meanwhile)
      for (const _ of this.indexRowsInSteps(t, key, false, old?.tombstones ?? t.tombstones)) await turns.take();
      t.uniqueKeys.set(spec.name, key);
    }
    // a compaction: the segments that left can hold rows an older snapshot still sees
    if (old && old.sealed.some((x) => !t.sealed.includes(x))) this.holdForOlderSnapshots(old);
    if (old) {
      for (const [rowId, ts] of old.tombstones) t.tombstones.set(rowId, ts);
      for (const [k, v] of old.tokenizers) t.tokenizers.set(k, v);
      for (const [k, v] of old.vectorKeys) t.vectorKeys.set(k, v);
      t.smallGrowing = old.smallGrowing;
      for (const seg of t.sealed) {
        const ann = old.ann.get(seg.id);
        if (ann && oldSegs.get(seg.file) === seg) t.ann.set(seg.id, new Map([...ann].filter(([name]) => t.vectorIndexes.some((v) => v.name === name))));
      }
      old.dropped = true;
    }
    t.sealed.forEach((seg, i) => { if (oldSegs.get(seg.file) !== seg) this.loadTextFiles(t, seg, t.segMeta[i]); });
    this.tables.set(t.id, t);
    if (!this.openIndexFiles(t)) this.log.warn({ table: t.id }, 'hot standby: an index file the leader named is missing here; its segments are searched exactly');
    for (const seg of t.sealed) if (oldSegs.get(seg.file) !== seg) this.segmentsChanged(t.id, m.segments.find((x) => x.file === seg.file)?.commitTs !== undefined ? 'bulk' : 'seal');
  }

  /**
   * A hot standby's compaction: the leader dropped the rows deleted before its own oldest
   * snapshot, but it does not know this node's snapshots (REPEATABLE READ transactions,
   * statements under way), which may still see some of them. The table's state from
   * before — its segments, tombstones, growing rows and key indexes, never changed after
   * it is replaced — stays readable for every snapshot older than now, until those are
   * released (PostgreSQL's hot standby cancels such a transaction instead: 40001).
   */
  private holdForOlderSnapshots(old: TableState): void {
    const replacedAt = this.visibleTs;
    let older = false;
    for (const ts of this.retained.keys()) if (ts < replacedAt) older = true;
    if (!older) return;
    const list = this.held.get(old.id) ?? [];
    list.push({ state: old, replacedAt });
    this.held.set(old.id, list);
  }

  /**
   * Let go of the held states no retained snapshot is older than (by timestamp, not by the
   * order of retains: an exported snapshot can be retained again by the session importing it).
   */
  private releaseHeld(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const ts of this.retained.keys()) if (ts < oldest) oldest = ts;
    for (const [table, list] of this.held) {
      const rest = list.filter((h) => oldest < h.replacedAt);
      if (rest.length === list.length) continue;
      if (rest.length) this.held.set(table, rest);
      else this.held.delete(table);
    }
  }

  /**
   * The table as a snapshot reads it: on a hot standby, the state held from before the
   * first compaction applied after the snapshot was taken, if one is; else the current one.
   */
  private tableAt(tableId: number, snapshot: Snapshot): TableState | undefined {
    const t = this.tables.get(tableId);
    if (!t || this.held.size === 0) return t;
    let pick: HeldState | undefined;
    for (const h of this.held.get(tableId) ?? []) {
      if (snapshot.ts < h.replacedAt && (!pick || h.replacedAt < pick.replacedAt)) pick = h;
    }
    // (the layout is the same: a change of columns rewrites a table under a new id)
    return pick?.state ?? t;
  }

  // ------------------------------------------------------------------------------------
  // Transactions

  snapshot(): Snapshot {
    return { ts: this.visibleTs };
  }

  private readonly segmentListeners: ((tableId: number, cause: 'seal' | 'bulk' | 'compaction') => void)[] = [];

  onSegmentsChanged(listener: (tableId: number, cause: 'seal' | 'bulk' | 'compaction') => void): void {
    this.segmentListeners.push(listener);
  }

  private segmentsChanged(tableId: number, cause: 'seal' | 'bulk' | 'compaction'): void {
    for (const l of this.segmentListeners) {
      try {
        l(tableId, cause);
      } catch (e) {
        this.log.warn({ err: e, table: tableId }, 'segment listener failed');
      }
    }
  }

  /** timestamps of snapshots held by transactions (REPEATABLE READ) and running statements, with counts */
  private readonly retained = new Map<number, number>();
  /** hot standby: per table, states from before compactions, for snapshots older than them (holdForOlderSnapshots) */
  private readonly held = new Map<number, HeldState[]>();
  /** ids of the retains not yet released (each retain takes the next id) */
  private readonly openRetains = new Set<number>();
  private nextRetainId = 1;
  /**
   * Work compaction left for later: tombstones of rows it dropped. A statement that began
   * before the compaction may still be scanning the old segments (statements yield between
   * batches), and without the tombstone it would see those rows as live again. `after`: runs
   * once no retain older than this id is open.
   */
  private deferred: { after: number; run: () => void }[] = [];

  retain(snapshot: Snapshot): () => void {
    this.retained.set(snapshot.ts, (this.retained.get(snapshot.ts) ?? 0) + 1);
    const id = this.nextRetainId++;
    this.openRetains.add(id);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.retained.get(snapshot.ts) ?? 1) - 1;
      if (n <= 0) this.retained.delete(snapshot.ts);
      else this.retained.set(snapshot.ts, n);
      this.openRetains.delete(id);
      this.runDeferred();
      if (this.held.size > 0) this.releaseHeld();
    };
  }

  /** In-memory deletions of dropped rows' tombstones under way (dropTombstones: compaction and close wait for them). */
  private readonly tombstoneDrops = new Set<Promise<void>>();

  /**
   * Delete the tombstones of rows a compaction dropped, a slice at a time between turns of
   * the event loop (50,000 held the loop ~16 ms in one piece). It runs once no reader of
   * the old segments is left, and no segment of the table holds these rows any more: no
   * reader sees a difference between two slices, and the segments' deleted positions stay
   * valid (only the tombstone count they are checked against moves), where they used to be
   * made again by the next search (a pass over every row of every segment).
   */
  private dropTombstones(table: number, rowIds: ArrayLike<number>): void {
    const done = (async () => {
      const turns = new Turns();
      for (let start = 0; start < rowIds.length;) {
        // (looked up again after each turn: a hot standby's state is replaced, a table dropped)
        const t = this.tables.get(table);
        if (!t) return;
        const before = t.tombstones.size;
        const end = Math.min(rowIds.length, start + DROP_SLICE);
        for (let i = start; i < end; i++) t.tombstones.delete(rowIds[i]);
        for (const seg of t.sealed) {
          const cached = this.dead.get(seg);
          if (cached && cached.of === t.tombstones && cached.tombstones === before) cached.tombstones = t.tombstones.size;
        }
        start = end;
        if (start < rowIds.length) await turns.take();
      }
    })().finally(() => this.tombstoneDrops.delete(done));
    this.tombstoneDrops.add(done);
  }

  /** Run `work` once every snapshot retained before now is released (at once if none is). */
  private whenOlderReadersDone(work: () => void): void {
    this.deferred.push({ after: this.nextRetainId, run: work });
    this.runDeferred();
  }

  private runDeferred(): void {
    if (this.deferred.length === 0) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const id of this.openRetains) if (id < oldest) oldest = id;
    const ready = this.deferred.filter((d) => d.after <= oldest);
    if (ready.length === 0) return;
    this.deferred = this.deferred.filter((d) => d.after > oldest);
    for (const d of ready) d.run();
  }

  begin(): Transaction {
    return new DurableTransaction(this.nextTxnId++, this);
  }

  // ------------------------------------------------------------------------------------
  // Two-phase commit (prepared-transactions.ts)

  /** An insert of a key a prepared transaction inserted waits for it (RowConflict). */
  checkPreparedKey(txn: DurableTransaction, tableId: number, keyName: string, k: string): void {
    const holder = this.preparedClaims.holder(tableId, keyName, k);
    if (holder && holder !== txn) throw new RowConflict(holder.finished);
  }

  /** Does a prepared transaction other than `txn` insert this key? (then a commit with it is refused) */
  private claimedByOther(txn: DurableTransaction, tableId: number, keyName: string, k: string): boolean {
    const holder = this.preparedClaims.holder(tableId, keyName, k);
    return holder !== undefined && holder !== txn;
  }

  preparedTransactions(): readonly PreparedTransaction[] {
    return [...this.prepared.values()].map((e) => e.info);
  }

  /**
   * PREPARE TRANSACTION: in the commit queue's turn (so that no commit validates between
   * this check and the claims), validate as a commit would, claim the inserted keys and
   * hand the records to the log; resolves once they are durable.
   */
  async prepareTransaction(txn: DurableTransaction, opts: PrepareOptions): Promise<void> {
    this.refuseOnStandby();
    if (this.prepared.has(opts.gid)) throw new PrepareRefused('gidInUse', opts.gid);
    await this.wal.ready();
    const wait = this.commits.enter();
    if (wait) await wait;
    let durable: Promise<void>;
    try {
      if (this.prepared.has(opts.gid)) throw new PrepareRefused('gidInUse', opts.gid);
      // (in the turn: two prepares at once cannot both take the last place)
      if (opts.limit !== undefined && this.prepared.size >= opts.limit) throw new PrepareRefused('limit', opts.gid);
      const refused = this.wal.refusal;
      if (refused) throw refused;
      const turns = new Turns();
      const { parts, claims } = await this.validatePrepared(txn, turns);
      const info: PreparedInfo = {
        id: this.nextPreparedId++, gid: opts.gid, preparedAt: Date.now() * 1000, owner: opts.owner, database: opts.database, ...(opts.catalog !== undefined ? { catalog: opts.catalog } : {}),
      };
      const ops = await preparedRecords(info, parts, rowBytes, () => turns.take());
      this.prepared.set(opts.gid, { info, chunks: ops.length, txn, busy: false });
      for (const c of claims) this.preparedClaims.claim(c.table, c.key, c.k, txn);
      durable = this.wal.append(ops);
    } finally {
      this.commits.leave();
    }
    try {
      await durable;
    } catch (e) {
      this.prepared.delete(opts.gid);
      this.preparedClaims.release(txn);
      throw e;
    }
  }

  /**
   * A prepare's checks (applyInTurn's) and what it logs and claims, between turns of the event
   * loop (a prepared COPY of 200,000 rows held the loop ~1.1 s in one piece; the commit
   * queue's turn keeps every commit out meanwhile).
   */
  private async validatePrepared(txn: DurableTransaction, turns: Turns): Promise<{ parts: PreparedTablePart[]; claims: { table: number; key: string; k: string }[] }> {
    let n = 0;
    const slice = (): Promise<void> | undefined => ((++n & (SLICE_ROWS - 1)) === 0 ? turns.take() : undefined);
    const parts: PreparedTablePart[] = [];
    const claims: { table: number; key: string; k: string }[] = [];
    for (const [tableId, p] of txn.pending) {
      const t = this.tables.get(tableId);
      if (!t) continue;
      const deleted: RowId[] = [];
      for (const rowId of p.deleted) {
        if (p.inserted.has(rowId)) continue;
        if (t.tombstones.has(rowId)) throw new WriteConflict('could not serialize access due to concurrent update');
        deleted.push(rowId);
        const turn = slice();
        if (turn) await turn;
      }
      const rowIds: RowId[] = [];
      const rows: Row[] = [];
      for (const [rowId, row] of p.inserted) {
        if (p.deleted.has(rowId)) continue;
        for (const key of t.uniqueKeys.values()) {
          if (key.spec.unique === false) continue;
          const k = t.keyOf(key, row);
          if (k === undefined) continue;
          if (this.liveCommittedWithKey(t, key, k, p) !== undefined || this.claimedByOther(txn, tableId, key.spec.name, k)) {
            throw t.violation(key, row);
          }
          claims.push({ table: tableId, key: key.spec.name, k });
        }
        rowIds.push(rowId);
        rows.push(row);
        const turn = slice();
        if (turn) await turn;
      }
      if (rowIds.length > 0 || deleted.length > 0) parts.push({ table: tableId, rowIds, rows, deleted });
    }
    return { parts, claims };
  }

  /**
   * COMMIT PREPARED: the transaction's writes commit as any commit does, with the deletion
   * of its prepared records in the same log write; ROLLBACK PREPARED: those deletions only.
   */
  async finishPrepared(gid: string, commit: boolean, opts?: { catalog?: () => string; stamped?: () => void }): Promise<number | undefined> {
    const entry = this.prepared.get(gid);
    if (!entry) throw new PrepareRefused('unknownGid', gid);
    if (entry.busy) throw new PrepareRefused('busy', gid);
    this.refuseOnStandby();
    const txn = entry.txn;
    if (!txn) throw new Error('bug: a prepared transaction without its writes on a writer');
    entry.busy = true;
    const ends = preparedDeletions(entry.info.id, entry.chunks);
    let ts: number | undefined;
    try {
      if (commit) ts = await this.applyCommit(txn, opts?.catalog, ends, opts?.stamped);
      else await this.wal.append(ends);
    } catch (e) {
      entry.busy = false;
      throw e;
    }
    this.prepared.delete(gid);
    this.preparedClaims.release(txn);
    txn.endPrepared();
    return ts;
  }

  /** A prepared transaction read back from the log (recovery, promotion): prepared still, its locks and keys claimed again. */
  private restorePrepared(rec: { info: PreparedInfo; chunks: number; parts: readonly PreparedTablePart[] }): void {
    const txn = new DurableTransaction(this.nextTxnId++, this);
    for (const part of rec.parts) {
      const t = this.tables.get(part.table);
      if (!t) continue; // dropped since
      txn.restorePrepared(part);
      for (let i = 0; i < part.rowIds.length; i++) {
        if (part.rowIds[i] >= t.nextRowId) t.nextRowId = part.rowIds[i] + 1;
        for (const key of t.uniqueKeys.values()) {
          if (key.spec.unique === false) continue;
          const k = t.keyOf(key, part.rows[i]);
          if (k !== undefined) this.preparedClaims.claim(part.table, key.spec.name, k, txn);
        }
      }
    }
    this.prepared.set(rec.info.gid, { info: rec.info, chunks: rec.chunks, txn, busy: false });
    this.nextPreparedId = Math.max(this.nextPreparedId, rec.info.id + 1);
  }

  /** A hot standby lists the prepared transactions the log brings (promote() reads them back whole). */
  private replicatedPrepared(op: WalOp, id: number): void {
    if (op.type === 'put') {
      const { info, chunks } = decodePreparedHeader(op.key, op.value);
      this.prepared.set(info.gid, { info, chunks, txn: undefined, busy: false });
      return;
    }
    for (const [gid, e] of this.prepared) if (e.info.id === id) this.prepared.delete(gid);
  }

  /** A committed row with this key that is live now (not tombstoned, not deleted by p). */
  liveCommittedWithKey(t: TableState, key: UniqueKey, k: string, p?: PendingTable): RowId | undefined {
    // read without the candidates generator: called for every row a COPY or INSERT writes
    const cur = key.index.get(k);
    if (cur === undefined) return undefined;
    if (typeof cur === 'number') return t.tombstones.has(cur) || p?.deleted.has(cur) ? undefined : cur;
    for (const rowId of cur) {
      if (t.tombstones.has(rowId) || p?.deleted.has(rowId)) continue;
      return rowId;
    }
    return undefined;
  }

  /** `extra`: ops written in the commit's batch (COMMIT PREPARED's deletion of the prepared records) */
  async applyCommit(txn: DurableTransaction, catalog?: () => string, extra: readonly WalOp[] = [], stamped?: () => void): Promise<number> {
    if (txn.hasWrites || catalog) this.refuseOnStandby();
    // after a full disk: only once the log is writable again (else 53100 right away)
    if (txn.hasWrites) await this.wal.ready();
    // Bulk inserts are written as segment files first (durable, not yet referenced); the
    // commit below then validates and applies everything in its turn of the commit queue.
    const bulk = new Map<number, BulkPart>();
    for (const [tableId, p] of txn.pending) {
      const t = this.tables.get(tableId);
      if (!t || p.inserted.size < BULK_ROWS) continue;
      const rowIds: RowId[] = [];
      const rows: Row[] = [];
      // (the transaction is done: its maps do not change while this takes turns)
      const turns = new Turns();
      for (const [rowId, row] of p.inserted) {
        if (p.deleted.has(rowId)) continue;
        rowIds.push(rowId);
        if ((rows.push(row) & 4095) === 0) await turns.take();
      }
      if (rows.length < BULK_ROWS) continue;
      // RowIds are handed out in insert order: sorted already, unless a row was inserted again
      let sorted = true;
      for (let i = 1; i < rowIds.length && sorted; i++) sorted = rowIds[i - 1] < rowIds[i];
      const order = sorted ? undefined : rowIds.map((_, i) => i).sort((a, b) => rowIds[a] - rowIds[b]);
      const sortedIds = order ? order.map((i) => rowIds[i]) : rowIds;
      const sortedRows = order ? order.map((i) => rows[i]) : rows;
      try {
        const built = await this.buildSegment(t, arraySource(sortedIds, new Array<number>(rows.length).fill(0), sortedRows));
        bulk.set(tableId, { ...built, rowIds: sortedIds, rows: sortedRows });
      } catch (e) {
        for (const b of bulk.values()) await unlink(join(this.segDir, b.meta.file)).catch(() => {});
        throw e;
      }
    }
    try {
      return await this.applyCommitTail(txn, bulk, catalog, extra, stamped);
    } catch (e) {
      // refused (a full disk: rewindTo took the commit back out of memory already)
      for (const b of bulk.values()) await unlink(join(this.segDir, b.meta.file)).catch(() => {});
      throw e;
    }
  }

  /**
   * The log refused every commit after `durableTs` (the disk is full): take them back out
   * of memory — their rows from the growing segments (a seal only ever takes durable rows,
   * see sealTable), the rows' unique-key entries, their tombstones, their bulk-ingested
   * segments — so that nothing of them is ever visible and their keys are free again.
   * Runs before any of their callers hears of the failure.
   */
  private rewindTo(durableTs: number): void {
    this.rewinds++;
    // Bounded by what was refused, not by the table (it copied every growing row, as
    // splitAfter does, and passed over every tombstone: 42.6 ms in one piece beside 150,000
    // growing rows and 50,000 tombstones, test/rewind-turns.test.ts): refused rows are the
    // growing segment's tail and refused tombstones recentTombstones' tail, in commit order.
    let rows = 0;
    let tombstones = 0;
    let segments = 0;
    const forgetKeys = (t: TableState, rowId: RowId, keyRow: (columns: readonly number[]) => Row) => {
      for (const key of t.uniqueKeys.values()) {
        const k = t.keyOf(key, keyRow(key.read));
        if (k !== undefined) indexRemove(key.index, k, rowId);
      }
    };
    for (const t of this.tables.values()) {
      if (t.growing.maxTs > durableTs) {
        // The rows kept stay where they are, frozen (the next seal takes them along, as it
        // does a failed seal's), and a new growing segment takes the next commits; a scan
        // under way keeps reading the old one by position (cutAfter leaves its arrays be).
        const old = t.growing;
        const refused = old.cutAfter(durableTs);
        for (let pos = 0; pos < refused.length; pos++) forgetKeys(t, refused.rowIds[pos], () => refused.data[pos]);
        rows += refused.length;
        if (old.length > 0) t.frozen = [...t.frozen, old];
        t.growing = new GrowingSegment();
      }
      const recent = t.recentTombstones;
      let end = recent.length;
      while (end > 0 && recent[end - 1] > durableTs) {
        end -= 2;
        t.tombstones.delete(recent[end]);
      }
      if (end < recent.length) {
        tombstones += (recent.length - end) / 2;
        recent.length = end;
        this.forgetDeadPositions(t);
      }
      const lost = new Set(t.segMeta.filter((m) => m.commitTs !== undefined && m.commitTs > durableTs).map((m) => m.id));
      if (lost.size === 0) continue;
      for (const seg of t.sealed) {
        if (!lost.has(seg.id)) continue;
        // (a unique key's entries: as many as the refused bulk commit wrote)
        if (t.uniqueKeys.size > 0) for (let pos = 0; pos < seg.length; pos++) forgetKeys(t, seg.rowIdAt(pos), (columns) => seg.keyRow(pos, columns));
        t.ann.delete(seg.id);
        segments++;
      }
      // its file (and index files) go with the commit's own error path (applyCommit)
      t.sealed = t.sealed.filter((seg) => !lost.has(seg.id));
      t.segMeta = t.segMeta.filter((m) => !lost.has(m.id));
      this.segmentsChanged(t.id, 'bulk');
    }
    this.log.warn({ durableTs, rows, tombstones, bulkSegments: segments }, 'took the commits the write-ahead log refused back out of memory');
  }

  /** Forget recentTombstones' entries the log has (at most every other time its length doubles). */
  private trimRecentTombstones(t: TableState): void {
    const recent = t.recentTombstones;
    if (recent.length < t.recentTrimAt) return;
    const durable = this.visibleTs;
    let w = 0;
    for (let r = 0; r < recent.length; r += 2) {
      if (recent[r + 1] <= durable) continue;
      recent[w++] = recent[r];
      recent[w++] = recent[r + 1];
    }
    recent.length = w;
    t.recentTrimAt = Math.max(RECENT_TRIM_MIN, 2 * w);
  }

  private async applyCommitTail(txn: DurableTransaction, bulk: Map<number, BulkPart>, catalog: (() => string) | undefined, extra: readonly WalOp[], stamped?: () => void): Promise<number> {
    const wait = this.commits.enter();
    if (wait) await wait;
    let applied: Applied | undefined;
    try {
      applied = await this.applyInTurn(txn, bulk, catalog, extra, stamped);
    } finally {
      this.commits.leave();
    }
    if (!applied) {
      // (COMMIT PREPARED of a transaction without rows: its records go with its catalog, in one write)
      if (extra.length > 0) {
        const image = catalog?.();
        const write = image === undefined ? undefined : this.catalogOps(image);
        try {
          await this.wal.append([...extra, ...(write?.ops ?? [])]);
        } catch (e) {
          write?.refused();
          throw e;
        }
        if (image !== undefined) this.catalogImage = image;
      } else if (catalog) await this.saveCatalog(catalog());
      return this.visibleTs;
    }
    try {
      await applied.durable;
    } catch (e) {
      applied.catalogWrite?.refused();
      throw e;
    }
    if (applied.image !== undefined) this.catalogImage = applied.image;
    // a seal takes only durable rows (sealTable): scheduled before the log has these, it
    // would leave them growing until some later commit
    for (const tableId of txn.pending.keys()) {
      const t = this.tables.get(tableId);
      if (t) this.maybeScheduleSeal(t);
    }
    return applied.ts;
  }

  /**
   * Validate the commit and apply it to memory, in the commit queue's turn (no other commit
   * validates or applies meanwhile), and hand its batch to the log. A big commit runs in
   * pieces between turns of the event loop (a DELETE of 50,000 rows held the loop ~100 ms in
   * one piece); readers do not see it partly applied, as its timestamp is above every
   * snapshot's until the log has it. Undefined: the commit writes nothing.
   */
  private async applyInTurn(txn: DurableTransaction, bulk: Map<number, BulkPart>, catalog: (() => string) | undefined, extra: readonly WalOp[], stamped?: () => void): Promise<Applied | undefined> {
    const turns = new Turns();
    let n = 0;
    // every SLICE_ROWS rows: a turn of the event loop if the piece has run long enough
    // (undefined otherwise, so that the row loops await nothing in between)
    const slice = (force = false): Promise<void> | undefined => (force || (++n & (SLICE_ROWS - 1)) === 0 ? turns.take() : undefined);
    // Validate everything first so that a commit is all-or-nothing.
    let writes = false;
    for (const [tableId, p] of txn.pending) {
      const t = this.tables.get(tableId);
      if (!t) continue; // dropped meanwhile
      for (const rowId of p.deleted) {
        if (p.inserted.has(rowId)) continue;
        writes = true;
        if (t.tombstones.has(rowId)) throw new WriteConflict('could not serialize access due to concurrent update');
        const turn = slice();
        if (turn) await turn;
      }
      const covered = ownKeysCover(t, p);
      if (covered) {
        // the key strings computed at insert (a COPY's rows are not keyed three times)
        for (const rowId of p.inserted.keys()) {
          if (!p.deleted.has(rowId)) { writes = true; break; }
        }
        for (const key of covered) {
          if (key.spec.unique === false) continue;
          await eachOwnKey(p, key, (k, rowId) => {
            if (this.liveCommittedWithKey(t, key, k, p) !== undefined || this.claimedByOther(txn, tableId, key.spec.name, k)) throw t.violation(key, p.inserted.get(rowId)!);
          }, slice);
        }
        continue;
      }
      for (const [rowId, row] of p.inserted) {
        if (p.deleted.has(rowId)) continue;
        writes = true;
        for (const key of t.uniqueKeys.values()) {
          if (key.spec.unique === false) continue;
          const k = t.keyOf(key, row);
          if (k !== undefined && (this.liveCommittedWithKey(t, key, k, p) !== undefined || this.claimedByOther(txn, tableId, key.spec.name, k))) {
            throw t.violation(key, row);
          }
        }
        const turn = slice();
        if (turn) await turn;
      }
    }
    if (!writes) return undefined;
    // the log became unwritable while this commit awaited: apply nothing
    const refused = this.wal.refusal;
    if (refused) throw refused;

    const ts = ++this.clock;
    // (a commit gate may let the next commit in now: its timestamp will be above this one's)
    stamped?.();
    // After a turn of the event loop: the log may have refused an earlier commit meanwhile
    // (rewindTo took this one's pieces so far back out with it), or failed; take the rest out.
    const turn = (force = false): Promise<void> | undefined => slice(force)?.then(() => {
      const refusal = this.wal.refusal;
      if (refusal) {
        this.rewindTo(ts - 1);
        throw refusal;
      }
    });
    const tableOps = new Map<number, { t: TableState; ops: WalOp[]; bulk: boolean }>();
    // every tombstone of the commit holds the same value (LevelDB copies it per record)
    const stamp = frame(Buffer.from(String(ts)));
    for (const [tableId, p] of txn.pending) {
      const t = this.tables.get(tableId);
      if (!t) continue;
      const ops: WalOp[] = [];
      const b = bulk.get(tableId);
      tableOps.set(tableId, { t, ops, bulk: b !== undefined });
      let sealedDeletes = 0;
      this.trimRecentTombstones(t);
      for (const rowId of p.deleted) {
        if (p.inserted.has(rowId)) continue;
        this.noteTombstone(t, rowId, ts);
        t.recentTombstones.push(rowId, ts);
        ops.push({ type: 'put', key: keys.tombstone(tableId, rowId), value: stamp });
        if (t.growing.find(rowId) < 0) sealedDeletes++;
        const wait = turn();
        if (wait) await wait;
      }
      const rowIds: RowId[] = [];
      const rows: Row[] = [];
      if (b && !t.dropped) {
        b.seg.stampCommit(ts);
        const meta: SegmentMeta = { ...b.meta, maxTs: ts, commitTs: ts };
        t.sealed = [...t.sealed, b.seg];
        t.segMeta = [...t.segMeta, meta];
        const covered = ownKeysCover(t, p);
        if (covered) {
          for (const key of covered) await eachOwnKey(p, key, (k, rowId) => indexAdd(key.index, k, rowId), turn);
        } else {
          for (let i = 0; i < b.rows.length; i++) {
            for (const key of t.uniqueKeys.values()) {
              const k = t.keyOf(key, b.rows[i]);
              if (k !== undefined) indexAdd(key.index, k, b.rowIds[i]);
            }
            const wait = turn();
            if (wait) await wait;
          }
        }
        if (t.vectorIndexes.length > 0 || t.textIndexes.length > 0) this.inBackground('index build', t, () => this.buildMissingIndexes(t));
        this.log.info({ table: t.id, segment: meta.id, rows: meta.rows, bytes: meta.bytes }, 'bulk-ingested a segment');
        this.segmentsChanged(t.id, 'bulk');
      }
      const covered = b ? undefined : ownKeysCover(t, p);
      for (const [rowId, row] of b ? [] : p.inserted) {
        if (p.deleted.has(rowId)) continue;
        t.growing.append(rowId, row, ts);
        if (!covered) {
          for (const key of t.uniqueKeys.values()) {
            const k = t.keyOf(key, row);
            if (k !== undefined) indexAdd(key.index, k, rowId);
          }
        }
        rowIds.push(rowId);
        rows.push(row);
        const wait = turn();
        if (wait) await wait;
      }
      if (covered) for (const key of covered) await eachOwnKey(p, key, (k, rowId) => indexAdd(key.index, k, rowId), turn);
      // Bounded records: a COPY of millions of rows must not become one giant value.
      for (let start = 0, chunk = 0; start < rows.length; chunk++) {
        let end = start;
        let bytes = 0;
        while (end < rows.length && (end === start || bytes < LOG_CHUNK_BYTES)) bytes += rowBytes(rows[end++]);
        ops.push({ type: 'put', key: keys.insert(tableId, ts, chunk), value: frame(serialize([rowIds.slice(start, end), rows.slice(start, end)])) });
        start = end;
        // (a chunk is thousands of rows)
        if (start < rows.length) await turn(true);
      }
      if (sealedDeletes > 0) {
        t.deletesSinceCompaction += sealedDeletes;
        this.maybeScheduleCompaction(t);
      }
    }
    // The last piece, without a turn up to the log's queue: the manifests as they are now
    // (an index build may have saved one meanwhile), nothing for a table dropped meanwhile
    // (its records would outlive it, its manifest bring it back).
    const ops: WalOp[] = [];
    for (const { t, ops: own, bulk: isBulk } of tableOps.values()) {
      if (t.dropped) continue;
      for (const op of own) ops.push(op);
      if (isBulk) ops.push(this.manifestOp(t));
    }
    // the catalog image goes in the same write: DDL and rows are durable together or not at all
    const image = catalog?.();
    const catalogWrite = image === undefined ? undefined : this.catalogOps(image);
    if (catalogWrite) ops.push(...catalogWrite.ops);
    for (const op of extra) ops.push(op);
    return { ts, durable: this.wal.append(ops, ts), catalogWrite, image };
  }

  // ------------------------------------------------------------------------------------
  // Reads

  /** Sealed segments whose statistics show that some row may meet every condition (and all others). */
  private zoneFilter(t: TableState, segs: Segment[], zone: readonly ZoneCondition[], skipped?: (skipped: number, sealed: number) => void): Segment[] {
    const metaById = t.metaById();
    let sealed = 0;
    const kept = segs.filter((seg) => {
      if (!(seg instanceof SealedSegment)) return true;
      sealed++;
      const stats = metaById.get(seg.id)?.stats;
      return !stats || zone.every((z) => mayMatch(stats[z.column], seg.length, z));
    });
    skipped?.(sealed - (kept.length - (segs.length - sealed)), sealed);
    return kept;
  }

  *scan(tableId: number, snapshot: Snapshot, txn?: Transaction, opts?: ScanOptions): Iterable<RowBatch> {
    const t = this.tableAt(tableId, snapshot);
    const p = (txn as PendingHolder | undefined)?.pending.get(tableId);
    if (t) {
      const S = snapshot.ts;
      const tomb = t.tombstones;
      const skip = opts?.skipSegments;
      let segs = skip && skip.size ? t.segments().filter((seg) => !(seg instanceof SealedSegment && skip.has(seg.id))) : t.segments();
      if (opts?.zone?.length) segs = this.zoneFilter(t, segs, opts.zone, opts.skipped);
      const growing = t.growing;
      // Rows appended later have later timestamps and are invisible to this snapshot.
      const growingEnd = growing.length;
      if (opts?.index || opts?.bitmap) {
        const index = opts.index;
        // no deletes to see and every row of the segment committed before the snapshot: all visible
        const noDeletes = tomb.size === 0 && !(p && p.deleted.size > 0);
        const visible = (seg: Segment, pos: number): boolean => {
          if (noDeletes && seg.maxTs <= S) return true;
          if (seg.tsAt(pos) > S) return false;
          const rowId = seg.rowIdAt(pos);
          const d = tomb.get(rowId);
          return !(d !== undefined && d <= S) && !p?.deleted.has(rowId);
        };
        const pending = p ? [...p.inserted].filter(([rowId]) => !p.deleted.has(rowId)) : [];
        // the key columns too: an ordered scan merges its segments' rows on them
        const columns = opts.columns && index ? [...new Set([...opts.columns, ...index.columns])] : opts.columns;
        const allVisible = (seg: Segment, pos: number): boolean => seg instanceof SealedSegment && !tomb.has(seg.rowIdAt(pos));
        const input = {
          segments: segs, end: (seg: Segment) => (seg === growing ? growingEnd : seg.length), visible, pending,
          ...(columns ? { columns } : {}), ...(opts.heapFetched ? { heapFetched: opts.heapFetched, allVisible } : {}),
        };
        if (opts.bitmap) yield* bitmapScan(input, opts.bitmap, { typeOf: (c) => t.layout.columns[c].type, expressionKey: (name) => this.expressionKeyOrder(t, name, false) }, opts.bitmapCounted);
        else if (index!.keyName !== undefined) yield* expressionKeyScan(input, this.expressionKeyOrder(t, index!.keyName, index!.order === 'desc'));
        else yield* indexScan(input, { ...index!, types: index!.columns.map((c) => t.layout.columns[c].type) });
        return;
      }
      for (const seg of segs) {
        const end = seg === growing ? growingEnd : seg.length;
        const allInserted = seg.maxTs <= S;
        for (let start = 0; start < end; start += BATCH_SIZE) {
          const stop = Math.min(end, start + BATCH_SIZE);
          const rows = seg.rows(start, stop, opts?.columns);
          const ids: RowId[] = new Array(stop - start);
          for (let i = start; i < stop; i++) ids[i - start] = seg.rowIdAt(i);
          if (allInserted && tomb.size === 0 && !(p && p.deleted.size > 0)) {
            yield { rowIds: ids, rows };
            continue;
          }
          const outIds: RowId[] = [];
          const outRows: Row[] = [];
          for (let i = 0; i < ids.length; i++) {
            const rowId = ids[i];
            if (!allInserted && seg.tsAt(start + i) > S) continue;
            const d = tomb.get(rowId);
            if (d !== undefined && d <= S) continue;
            if (p?.deleted.has(rowId)) continue;
            outIds.push(rowId);
            outRows.push(rows[i]);
          }
          if (outRows.length > 0) yield { rowIds: outIds, rows: outRows };
        }
      }
    }
    if (p && p.inserted.size > 0) {
      let ids: RowId[] = [];
      let rows: Row[] = [];
      for (const [rowId, row] of [...p.inserted]) {
        if (p.deleted.has(rowId)) continue;
        ids.push(rowId);
        rows.push(row);
        if (rows.length === BATCH_SIZE) {
          yield { rowIds: ids, rows };
          ids = [];
          rows = [];
        }
      }
      if (rows.length > 0) yield { rowIds: ids, rows };
    }
  }

  /** An expression key's order for an ordered scan through it (ScanOptions.index.keyName). */
  private expressionKeyOrder(t: TableState, keyName: string, desc: boolean): ExpressionKeyOrder {
    const expression = t.uniqueKeys.get(keyName)?.spec.expression;
    const toKey = expression && t.keyFunctions.get(expression.key);
    if (!expression || !toKey) throw new Error(`bug: no expression key ${keyName} to scan in order`);
    return { column: t.uniqueKeys.get(keyName)!.spec.columns[0]!, type: expression.type, key: expression.key, toKey, desc };
  }

  lookupUnique(tableId: number, keyName: string, values: Row, txn?: Transaction): RowId | undefined {
    const t = this.tables.get(tableId);
    const key = t?.uniqueKeys.get(keyName);
    if (!t || !key || key.spec.unique === false) return undefined;
    const row: Value[] = [];
    key.spec.columns.forEach((c, i) => (row[c] = values[i]));
    const k = t.keyValueOf(key, key.spec.expression ? values : row);
    if (k === undefined) return undefined;
    const dtxn = txn as PendingHolder | undefined;
    const p = dtxn?.pending.get(tableId);
    return this.liveCommittedWithKey(t, key, k, p) ?? (p ? ownRowWithKey(p, keyName, k) : undefined);
  }

  /** Rows with this unique-key value visible at the snapshot (plus the transaction's own). */
  lookupKey(tableId: number, keyName: string, values: Row, snapshot: Snapshot, txn?: Transaction, limit = Number.POSITIVE_INFINITY): RowBatch | undefined {
    const t = this.tableAt(tableId, snapshot);
    const key = t?.uniqueKeys.get(keyName);
    const out: RowBatch = { rowIds: [], rows: [] };
    if (!t || !key) return out;
    const probe: Value[] = [];
    key.spec.columns.forEach((c, i) => (probe[c] = values[i]));
    // an equality lookup: `a = NULL` finds no row, NULLS NOT DISTINCT or not
    const k = t.keyValueOf(key, key.spec.expression ? values : probe, false);
    if (k === undefined) return out;
    if (candidateCount(key.index, k) > limit) return undefined;
    const dtxn = txn as PendingHolder | undefined;
    const p = dtxn?.pending.get(tableId);
    const ids = out.rowIds as RowId[];
    const rows = out.rows as Row[];
    for (const rowId of candidates(key.index, k)) {
      const row = this.fetch(tableId, rowId, snapshot, txn);
      if (row) { ids.push(rowId); rows.push(row); }
    }
    // this transaction's own rows with the key
    for (const own of ownIds(p?.ownKeys.get(keyName)?.get(k))) {
      if (p!.inserted.has(own) && !p!.deleted.has(own) && !ids.includes(own)) { ids.push(own); rows.push(p!.inserted.get(own)!); }
    }
    return out;
  }

  fetch(tableId: number, rowId: RowId, snapshot: Snapshot, txn?: Transaction): Row | undefined {
    const t = this.tableAt(tableId, snapshot);
    const p = (txn as PendingHolder | undefined)?.pending.get(tableId);
    if (p?.deleted.has(rowId)) return undefined;
    const own = p?.inserted.get(rowId);
    if (own) return own;
    if (!t) return undefined;
    const d = t.tombstones.get(rowId);
    if (d !== undefined && d <= snapshot.ts) return undefined;
    for (const seg of t.segments()) {
      const pos = seg.find(rowId);
      if (pos < 0) continue;
      return seg.tsAt(pos) <= snapshot.ts ? seg.row(pos) : undefined;
    }
    return undefined;
  }

  rowCount(tableId: number): number {
    const t = this.tables.get(tableId);
    if (!t) return 0;
    let n = 0;
    for (const seg of t.segments()) n += seg.length;
    return Math.max(0, n - t.tombstones.size);
  }

  columnEnds(tableId: number, column: number): ColumnEnds | undefined {
    const t = this.tables.get(tableId);
    if (!t) return undefined;
    const metaById = t.metaById();
    return columnEnds(t.segments(), (seg) => metaById.get(seg.id)?.stats, column);
  }

  /**
   * Where every sealed segment's deleted positions are current (a search made them and
   * noteTombstone keeps them), their counts: nothing is walked. Otherwise the tombstones are
   * walked against the segments between turns of the event loop (600,000 tombstones over
   * 41 segments held it 29–45 ms in one piece); a commit or compaction landing meanwhile may
   * leave the count off by what it changed, an estimate as relallvisible is.
   */
  async allVisibleRows(tableId: number, between?: () => void): Promise<number> {
    const t = this.tables.get(tableId);
    if (!t) return 0;
    const sealed = t.sealed;
    let n = 0;
    for (const seg of sealed) n += seg.length;
    let dead = 0;
    for (const seg of sealed) {
      const cached = this.dead.get(seg);
      if (!cached || cached.tombstones !== t.tombstones.size || cached.of !== t.tombstones) { dead = -1; break; }
      dead += cached.count;
    }
    if (dead >= 0) return Math.max(0, n - dead);
    const turns = new Turns();
    let seen = 0;
    for (const rowId of t.tombstones.keys()) {
      for (const seg of sealed) if (seg.find(rowId) >= 0) { n--; break; }
      if (++seen % ALL_VISIBLE_STEP === 0) {
        await turns.take();
        between?.();
      }
    }
    return Math.max(0, n);
  }

  relationBytes(tableId: number): { table: number; indexes: ReadonlyMap<string, number> } {
    const t = this.tables.get(tableId);
    const indexes = new Map<string, number>();
    if (!t) return { table: 0, indexes };
    let table = t.growing.bytes;
    for (const f of t.frozen) table += f.bytes;
    const fileBytes = (file: string) => {
      try { return statSync(join(this.segDir, file)).size; } catch { return 0; } // being rebuilt or dropped
    };
    for (const m of t.segMeta) {
      table += m.bytes;
      for (const [name, file] of Object.entries(m.annFiles ?? {})) indexes.set(name, (indexes.get(name) ?? 0) + fileBytes(file));
    }
    for (const spec of t.vectorIndexes) {
      const centers = spec.centers ? fileBytes(spec.centers) : 0;
      indexes.set(spec.name, (indexes.get(spec.name) ?? 0) + centers);
    }
    for (const spec of t.textIndexes) {
      let bytes = 0;
      for (const m of t.segMeta) { const f = m.textFiles?.[spec.key]; if (f) bytes += fileBytes(f); }
      indexes.set(spec.name, bytes);
    }
    return { table, indexes };
  }

  /** Sealed segments of a table with their statistics (for the planner). */
  segments(tableId: number): readonly SegmentInfo[] {
    const t = this.tables.get(tableId);
    if (!t) return [];
    return t.segMeta.map((m) => ({ id: m.id, rows: m.rows, bytes: m.bytes, minRowId: m.minRowId, maxRowId: m.maxRowId, maxTs: m.maxTs, stats: m.stats }));
  }

  // ------------------------------------------------------------------------------------
  // Catalog

  async saveCatalog(image: string): Promise<void> {
    this.refuseOnStandby();
    const write = this.catalogOps(image);
    try {
      await this.wal.append(write.ops);
    } catch (e) {
      write.refused();
      throw e;
    }
    this.catalogImage = image;
  }

  /** The log operations that record a catalog image; refused(): the write did not happen. */
  private catalogOps(image: string): { ops: WalOp[]; refused(): void } {
    // the image holds every sequence's state: the sequence records before it are stale
    const ops: WalOp[] = [{ type: 'put', key: keys.catalog, value: frame(Buffer.from(image, 'utf8')) }];
    const stale = [...this.loggedSequences];
    for (const id of stale) ops.push({ type: 'del', key: keys.sequence(id) });
    this.loggedSequences.clear();
    // not written (disk full): those records are still there for the next image to drop
    return { ops, refused: () => { for (const id of stale) this.loggedSequences.add(id); } };
  }

  loadCatalog(): string | undefined {
    return this.catalogImage;
  }

  async logSequence(sequenceId: number, state: SequenceState): Promise<void> {
    this.refuseOnStandby();
    this.loggedSequences.add(sequenceId);
    const payload = Buffer.from(JSON.stringify({ last: state.last.toString(), isCalled: state.isCalled }), 'utf8');
    await this.wal.append([{ type: 'put', key: keys.sequence(sequenceId), value: frame(payload) }]);
  }

  loadSequences(): ReadonlyMap<number, SequenceState> {
    return this.recoveredSequences;
  }

  // ------------------------------------------------------------------------------------
  // Background work: seal and compaction, one job at a time

  /**
   * Run a job after the ones queued before it. A full disk fails it with 53100 (the
   * caller decides: a statement reports it, background work is postponed).
   */
  private enqueueMaintenance(what: string, table: number, job: () => Promise<void>): Promise<void> {
    // a hot standby's seals, compactions and index files come from the leader, in the log
    if (this.replicaPosition) return Promise.resolve();
    const run = this.maintenance.then(async () => {
      if (this.closed) return;
      try {
        await job();
      } catch (e) {
        if (e instanceof IndexBuildAborted) this.log.info({ table }, `${what} given up (statement cancelled)`);
        else if (isDiskFull(e)) throw diskFullError(e, this.opts.dataDir, this.segDir);
        else this.log.error({ err: e, table }, `${what} failed`);
        throw e;
      }
    });
    this.maintenance = run.catch(() => {});
    return run;
  }

  /**
   * Run background work of a table: a full disk postpones it to the retry schedule (with a
   * warning in the log), and it is done when it went through.
   */
  private inBackground(job: PostponedJob, t: TableState, run: () => Promise<void>): void {
    void this.enqueueMaintenance(job, t.id, async () => {
      await run();
      if (this.retries.isDue(t.id, job)) this.log.info({ table: t.id }, `${job} done after a full disk`);
      this.retries.done(t.id, job);
    }).catch((e) => { if (isDiskFull(e)) this.postpone(t, job, e); });
  }

  private postpone(t: TableState, job: PostponedJob, e: unknown): void {
    if (this.closed || t.dropped) return;
    const ms = this.retries.postpone(t.id, job);
    this.log.warn({ table: t.id, err: (e as Error).message, retryInMs: ms }, `${job} failed: no space left on device; will retry in ${ms / 1000} s`);
  }

  /** The retry schedule's turn: start a table's postponed jobs again. */
  private retryPostponed(tableId: number, jobs: readonly PostponedJob[]): void {
    const t = this.tables.get(tableId);
    if (!t || t.dropped || this.closed) {
      this.retries.forget(tableId);
      return;
    }
    for (const job of jobs) {
      switch (job) {
        case 'manifest':
          // then the log records the seal it records made redundant
          this.inBackground(job, t, async () => {
            await this.saveManifest(t);
            await this.trimLog(t.id, t.sealedTs);
          });
          break;
        case 'seal':
          this.inBackground(job, t, async () => {
            if (this.sealDue(t) || t.frozen.length > 0) await this.sealTable(t);
            await this.compactTable(t, false);
          });
          break;
        case 'compaction':
          this.inBackground(job, t, () => this.compactTable(t, false));
          break;
        case 'index build':
          this.inBackground(job, t, () => this.buildMissingIndexes(t));
          break;
      }
    }
  }

  /**
   * Write the table's manifest (after `ops`), then delete `files` (what it no longer
   * names). If the write fails (disk full) memory stays ahead of the disk, which is safe:
   * the files it names are durable, the log still holds every row. The retry schedule
   * writes it later, with what earlier failed writes left to do.
   */
  private async saveManifest(t: TableState, ops: WalOp[] = [], files: string[] = []): Promise<void> {
    const pending = t.unsaved;
    t.unsaved = undefined;
    const allOps = [...(pending?.ops ?? []), ...ops];
    const allFiles = [...(pending?.files ?? []), ...files];
    try {
      await this.wal.append([...allOps, this.manifestOp(t)]);
    } catch (e) {
      if (!t.dropped) {
        // another write of it may have failed meanwhile as well: keep both
        const meanwhile = t.unsaved as TableState['unsaved'];
        t.unsaved = { ops: [...allOps, ...(meanwhile?.ops ?? [])], files: [...allFiles, ...(meanwhile?.files ?? [])] };
        if (isDiskFull(e)) this.postpone(t, 'manifest', e);
      }
      throw e;
    }
    this.retries.done(t.id, 'manifest');
    for (const f of allFiles) await unlink(join(this.segDir, f)).catch(() => {});
  }

  /**
   * The growing segment is searched exactly; in a table with an ANN index it is sealed
   * (and indexed) after this many rows instead of at the byte threshold, so vector
   * queries never scan more than this many rows exactly (Milvus keeps growing segments
   * small for the same reason). Was 16,384: mixed-200 (60 s, 200 sessions, quiet machine)
   * ran 661 statements/s with it and 896 with 4,096 (PostgreSQL: 1,032); in a 25 s
   * profile the exact scan of unsealed rows went from 8.3 s to 5.2 s of the server's CPU,
   * for a few more seals (HNSW builds of 4k rows) and compactions.
   */
  private static readonly INDEXED_SEAL_ROWS = 4096;

  private sealDue(t: TableState): boolean {
    return t.growing.bytes >= this.sealThreshold || ((t.vectorIndexes.length > 0 || t.textIndexes.length > 0 || t.smallGrowing) && t.growing.length >= DurableStorage.INDEXED_SEAL_ROWS);
  }

  keepGrowingSmall(tableId: number, small: boolean): void {
    const t = this.tables.get(tableId);
    if (!t) return;
    t.smallGrowing = small;
    if (small) this.maybeScheduleSeal(t);
  }

  private maybeScheduleSeal(t: TableState): void {
    // while a full disk postpones the seal, its retry does it (not every commit)
    if (!this.background || t.sealScheduled || !this.sealDue(t) || this.retries.isDue(t.id, 'seal')) return;
    t.sealScheduled = true;
    this.inBackground('seal', t, async () => {
      t.sealScheduled = false;
      if (!t.dropped && this.sealDue(t)) {
        await this.sealTable(t);
        await this.compactTable(t, false);
      }
    });
  }

  private maybeScheduleCompaction(t: TableState): void {
    if (!this.background || t.compactScheduled || this.retries.isDue(t.id, 'compaction')) return;
    let sealedRows = 0;
    for (const m of t.segMeta) sealedRows += m.rows;
    if (t.deletesSinceCompaction < Math.max(1000, sealedRows * this.deadRatio * 0.5)) return;
    t.compactScheduled = true;
    this.inBackground('compaction', t, async () => {
      t.compactScheduled = false;
      t.deletesSinceCompaction = 0;
      if (!t.dropped) await this.compactTable(t, false);
    });
  }

  /** Seal the growing segment of a table now (tests, shutdown); resolves when durable. */
  async seal(tableId?: number): Promise<void> {
    for (const t of this.tablesFor(tableId)) await this.enqueueMaintenance('seal', t.id, () => this.sealTable(t));
  }

  async vacuum(tableId?: number): Promise<void> {
    for (const t of this.tablesFor(tableId)) await this.enqueueMaintenance('compaction', t.id, () => this.compactTable(t, true));
  }

  private tablesFor(tableId?: number): TableState[] {
    if (tableId === undefined) return [...this.tables.values()];
    const t = this.tables.get(tableId);
    return t ? [t] : [];
  }

  /**
   * Write rows (sorted by RowId) as a new sealed segment file and read it back: encoded a
   * slice at a time between turns of the event loop, written, fsynced and checksummed in a
   * worker thread (segment-file-write.ts). The file is durable but not yet referenced: the
   * caller's manifest write does that.
   */
  private async buildSegment(t: TableState, source: SegmentSource): Promise<{ seg: SealedSegment; meta: SegmentMeta }> {
    const id = this.nextSegmentId++;
    const file = `t${t.id}-s${id}.arrow`;
    const { chunks, byteLength, table, stats } = await encodeSegment(t.layout.columns, source, { 'quiver.table': String(t.id), 'quiver.segment': String(id) });
    const crc = await writeSegmentFile({ dir: this.segDir, name: file, dataDir: this.opts.dataDir, chunks });
    // The sealed segment reads the table that was just written and fsynced (recovery reads
    // the same contents back from the file and checks them against this crc).
    const seg = new SealedSegment(id, file, table, t.layout.columns);
    const meta: SegmentMeta = {
      id, file, rows: seg.length, bytes: byteLength, crc,
      minRowId: seg.minRowId, maxRowId: seg.maxRowId, maxTs: seg.maxTs, stats: stats as readonly ColumnStats[],
    };
    return { seg, meta };
  }

  /** Delete a segment file no manifest names, with the index files built for it so far. */
  private async discardSegmentFiles(t: TableState, segmentId: number, meta: SegmentMeta): Promise<void> {
    t.ann.delete(segmentId);
    for (const f of [meta.file, ...Object.values(meta.annFiles ?? {}), ...Object.values(meta.textFiles ?? {})]) await unlink(join(this.segDir, f)).catch(() => {});
  }

  private async sealTable(t: TableState): Promise<void> {
    // Frozen segments left by a seal that failed (disk full) are sealed now too: the log
    // trim below drops every record up to sealPoint, so no row may stay unsealed behind it.
    // The growing segment is swapped in the commit queue's turn: never between two pieces
    // of a commit (applyInTurn).
    const wait = this.commits.enter();
    if (wait) await wait;
    let leftovers: GrowingSegment[], sealPoint: number, frozen: GrowingSegment;
    try {
      leftovers = t.frozen;
      // Only rows whose commit is durable are sealed: the log may still refuse a commit in
      // flight (disk full), and rewindTo takes its rows back out of the growing segment.
      sealPoint = this.visibleTs;
      if (t.dropped) return;
      frozen = t.growing;
      const rest = frozen.maxTs <= sealPoint ? new GrowingSegment() : frozen.cutAfter(sealPoint);
      t.growing = rest;
      if (frozen.length === 0 && leftovers.length === 0) return;
      t.frozen = [...t.frozen, frozen];
    } finally {
      this.commits.leave();
    }
    const t0 = performance.now();
    const parts = [...leftovers, frozen];
    // (a frozen segment's arrays may hold rows cut off after its length: its length bounds them)
    const { which, pos } = await allRows(parts);
    const { seg, meta } = await this.buildSegment(t, await pickedRows(parts, which, pos));
    if (t.dropped) {
      await unlink(join(this.segDir, meta.file)).catch(() => {});
      return;
    }
    // the new segment's ANN indexes are built before it replaces the frozen rows, so a
    // query never finds it without its index
    try {
      await this.buildSegmentIndexes(t, seg, meta);
    } catch (e) {
      // not referenced by any manifest yet: give its space back (the retry writes it again)
      await this.discardSegmentFiles(t, seg.id, meta);
      throw e;
    }
    if (t.dropped) return;
    const turn = this.commits.enter();
    if (turn) await turn;
    let saved: Promise<void>;
    try {
      if (t.dropped) return;
      t.sealed = [...t.sealed, seg];
      t.segMeta = [...t.segMeta, meta];
      t.frozen = t.frozen.filter((f) => !parts.includes(f));
      t.sealedTs = sealPoint;
      // (its batch is queued before the turn ends: in the log's order of the swaps)
      saved = this.saveManifest(t);
    } finally {
      this.commits.leave();
    }
    // Every commit with ts <= sealPoint is on disk already, so the trim below never loses
    // an unsealed row.
    await saved;
    await this.trimLog(t.id, sealPoint);
    this.log.info({ table: t.id, segment: meta.id, rows: meta.rows, bytes: meta.bytes, ms: Math.round(performance.now() - t0) }, 'sealed growing segment');
    this.segmentsChanged(t.id, 'seal');
  }

  /**
   * Merge small sealed segments and rewrite delete-heavy ones, dropping rows whose
   * tombstone is at or before the visible timestamp. A scan that already started keeps
   * the segment list it began with, so it still sees the rows it should.
   */
  private async compactTable(t: TableState, force: boolean): Promise<void> {
    if (t.dropped || t.sealed.length === 0) return;
    // rows deleted after the oldest retained snapshot must stay for its transaction
    let horizon = this.visibleTs;
    for (const ts of this.retained.keys()) if (ts < horizon) horizon = ts;
    // (the lists as they are now: a bulk load may add a segment while this yields)
    const sealed = t.sealed;
    const segMeta = t.segMeta;
    // each segment's dead rows, counted once, a slice at a time between turns of the event loop
    const turns = new Turns();
    const deadCount = new Map<SealedSegment, number>();
    for (const seg of sealed) {
      let dead = 0;
      if (t.tombstones.size > 0) {
        for (let pos = 0; pos < seg.length; pos++) {
          const d = t.tombstones.get(seg.rowIdAt(pos));
          if (d !== undefined && d <= horizon) dead++;
          if ((pos & 4095) === 4095) await turns.take();
        }
      }
      deadCount.set(seg, dead);
    }
    if (t.dropped) return;
    const deadIn = (seg: SealedSegment): number => deadCount.get(seg)!;
    const chosen: number[] = [];
    let small = 0;
    sealed.forEach((seg, i) => {
      // a bulk-ingested segment whose commit the log may still refuse (rewindTo) waits
      if (seg.maxTs > this.visibleTs) return;
      const dead = deadIn(seg);
      const isSmall = segMeta[i].bytes < this.smallSegmentBytes;
      if (isSmall) small++;
      if (isSmall || (dead > 0 && (force || dead >= seg.length * this.deadRatio))) chosen.push(i);
    });
    // Merging a single small, clean segment into itself gains nothing.
    const anyDead = chosen.some((i) => deadIn(sealed[i]) > 0);
    if (chosen.length === 0 || (!anyDead && small < 2)) return;
    const group = chosen.map((i) => sealed[i]);
    const groupMeta = chosen.map((i) => segMeta[i]);
    // Keep merged output near the seal threshold: take segments until it is reached.
    let budget = 0;
    let take = 0;
    while (take < group.length && (take < 1 || budget + groupMeta[take].bytes <= this.sealThreshold * 1.5 || deadIn(group[take]) > 0)) {
      budget += groupMeta[take].bytes;
      take++;
    }
    const inputs = group.slice(0, take);
    const inputMeta = groupMeta.slice(0, take);
    if (inputs.length < 2 && inputs.every((s) => deadIn(s) === 0)) return;

    const t0 = performance.now();
    // the rows kept, as (input, position), read from the inputs as they are encoded
    const keepWhich: number[] = [];
    const keepPos: number[] = [];
    // the rows dropped, as (input, position) and RowId: numbers in arrays, no object per row
    const droppedWhich: number[] = [];
    const droppedPos: number[] = [];
    const droppedIds: number[] = [];
    for (let k = 0; k < inputs.length; k++) {
      const seg = inputs[k];
      for (let pos = 0; pos < seg.length; pos++) {
        const rowId = seg.rowIdAt(pos);
        const d = t.tombstones.get(rowId);
        if (d !== undefined && d <= horizon) {
          droppedWhich.push(k);
          droppedPos.push(pos);
          droppedIds.push(rowId);
        } else { keepWhich.push(k); keepPos.push(pos); }
        if ((pos & 4095) === 4095) await turns.take();
      }
    }
    const built = keepPos.length > 0
      ? await this.buildSegment(t, await pickedRows(inputs, Int32Array.from(keepWhich), Int32Array.from(keepPos)))
      : undefined;
    try {
      if (built) await this.buildSegmentIndexes(t, built.seg, built.meta);
    } catch (e) {
      // not referenced by any manifest: give its space back (the retry writes it again)
      if (built) await this.discardSegmentFiles(t, built.seg.id, built.meta);
      throw e;
    }
    if (t.dropped) {
      if (built) await this.discardSegmentFiles(t, built.seg.id, built.meta);
      return;
    }
    // The dropped rows' unique-key entries go before the swap, a slice at a time (inside the
    // swap, a primary key's 50,000 held the loop ~60 ms in one piece). Nothing reads
    // differently meanwhile: the rows are dead to every snapshot (tombstoned at or before
    // the horizon) and every key check skips tombstoned rows; a compaction that fails after
    // this leaves dead rows without entries, which is all the next one would remove.
    if (t.uniqueKeys.size > 0) {
      for (let i = 0; i < droppedIds.length; i++) {
        const seg = inputs[droppedWhich[i]];
        for (const key of t.uniqueKeys.values()) {
          const k = t.keyOf(key, seg.keyRow(droppedPos[i], key.read));
          if (k !== undefined) indexRemove(key.index, k, droppedIds[i]);
        }
        if ((i & 255) === 255) await turns.take();
      }
    }
    const droppedPacked = Float64Array.from(droppedIds);
    // Swap in memory in the commit queue's turn (so no commit interleaves), then make it durable.
    const turn = this.commits.enter();
    if (turn) await turn;
    let saved: Promise<void> | undefined;
    try {
      if (!t.dropped) saved = this.swapCompacted(t, inputs, inputMeta, built, droppedPacked);
    } finally {
      this.commits.leave();
    }
    if (!saved) {
      if (built) await this.discardSegmentFiles(t, built.seg.id, built.meta);
      return;
    }
    await saved;
    // with no older reader, the dropped rows' tombstones are being deleted now: done when VACUUM is
    await Promise.all(this.tombstoneDrops);
    this.log.info({
      table: t.id, inputs: inputMeta.map((m) => m.id), output: built?.meta.id, kept: keepPos.length, dropped: droppedIds.length,
      ms: Math.round(performance.now() - t0),
    }, 'compacted sealed segments');
    this.segmentsChanged(t.id, 'compaction');
  }

  /** A compaction's swap in memory (synchronous), and its manifest's write (queued before this returns). */
  private swapCompacted(t: TableState, inputs: SealedSegment[], inputMeta: SegmentMeta[], built: { seg: SealedSegment; meta: SegmentMeta } | undefined, droppedPacked: Float64Array): Promise<void> {
    const inputSet = new Set<SealedSegment>(inputs);
    const nextSealed: SealedSegment[] = [];
    const nextMeta: SegmentMeta[] = [];
    t.sealed.forEach((s, i) => { if (!inputSet.has(s)) { nextSealed.push(s); nextMeta.push(t.segMeta[i]); } });
    if (built) { nextSealed.push(built.seg); nextMeta.push(built.meta); }
    // keep the list in RowId order of first rows so scans stay roughly in insertion order
    const order = nextSealed.map((_, i) => i).sort((a, b) => nextSealed[a].minRowId - nextSealed[b].minRowId);
    t.sealed = order.map((i) => nextSealed[i]);
    t.segMeta = order.map((i) => nextMeta[i]);
    // (their unique-key entries went before the swap: compactTable)
    if (droppedPacked.length > 0) this.whenOlderReadersDone(() => this.dropTombstones(t.id, droppedPacked));
    for (const m of inputMeta) t.ann.delete(m.id);
    // the dropped rows' tombstone records go after the manifest (dropped-tombstones.ts), and
    // the inputs' files once the manifest no longer names them
    const droppedList = droppedPacked.length ? droppedTombstonesRecord(t.id, inputMeta[0].id, droppedPacked) : undefined;
    const saved = this.saveManifest(t, droppedList ? [droppedList] : [], inputMeta.flatMap((m) => [m.file, ...Object.values(m.annFiles ?? {}), ...Object.values(m.textFiles ?? {})]));
    return droppedList ? saved.then(() => this.deleteDroppedTombstones(t.id, droppedList.key, droppedPacked)) : saved;
  }

  // ------------------------------------------------------------------------------------

  /** Group-commit counters (benchmarks, tests). */
  walCounters(): { batches: number; commits: number } {
    return { ...this.wal.counters };
  }

  /**
   * Cluster mode: write a checkpoint of the local state now, trim the shared log to the
   * previous one and collect unnamed objects (log-replica.ts; done every
   * QUIVER_CHECKPOINT_BATCHES batches by itself). A standalone server has nothing to do.
   */
  checkpoint(): Promise<void> {
    return this.mirror?.checkpoint() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retries.stop();
    await this.maintenance;
    await Promise.all(this.tombstoneDeletions);
    await Promise.all(this.tombstoneDrops);
    // a commit being applied in pieces hands its batch to the log first
    await this.commits.exclusive(() => {});
    await this.wal.flush();
    // a checkpoint reads the LevelDB: let it finish first (it logs its own failure)
    await this.mirror?.pendingCheckpoint;
    await this.wal.close();
    try { unlinkSync(join(this.opts.dataDir, PID_FILE)); } catch { /* already gone */ }
  }
}

/** filehandle.writev until every byte of `chunks` is written (writev may write less). */
async function writeAllv(fh: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let rest = chunks.filter((c) => c.byteLength > 0);
  while (rest.length) {
    let { bytesWritten } = await fh.writev(rest);
    while (rest.length && bytesWritten >= rest[0].byteLength) {
      bytesWritten -= rest[0].byteLength;
      rest = rest.slice(1);
    }
    if (rest.length && bytesWritten > 0) rest = [rest[0].subarray(bytesWritten), ...rest.slice(1)];
  }
}

/** Can a segment with these column statistics hold a row with `column op value`? */
function mayMatch(stats: SegmentInfo['stats'][number] | undefined, rows: number, z: ZoneCondition): boolean {
  if (!stats) return true;
  if (stats.nullCount === rows) return false; // all NULL: no comparison is true
  if (stats.min === undefined || stats.max === undefined) return true;
  const min = orderedValue(stats.min);
  const max = orderedValue(stats.max);
  if (min === undefined || max === undefined) return true;
  switch (z.op) {
    case '=': return !(z.value < min || z.value > max);
    case '<': return min < z.value;
    case '<=': return min <= z.value;
    case '>': return max > z.value;
    case '>=': return max >= z.value;
  }
}


/**
 * The fewest candidate positions the segment's sorted column indexes give for the filter's
 * indexed conjuncts, or undefined when none narrows the rows enough to beat one pass over
 * them (random reads per candidate cost more than a sequential read).
 */
function indexedCandidates(seg: SealedSegment, conditions: readonly ZoneCondition[]): Int32Array | undefined {
  let best: Int32Array | undefined;
  for (const column of new Set(conditions.map((c) => c.column))) {
    const found = seg.sortedColumn(column)?.candidates(conditions.filter((c) => c.column === column));
    if (found && (!best || found.length < best.length)) best = found;
  }
  return best && best.length <= seg.length / 8 ? best : undefined;
}

/** The rows meeting conditions that all bound one precise sorted column, else undefined. */
function onlyIndexedRows(seg: SealedSegment, conditions: readonly ZoneCondition[]): Int32Array | undefined {
  const column = conditions[0]?.column;
  if (column === undefined || conditions.some((c) => c.column !== column)) return undefined;
  const sorted = seg.sortedColumn(column);
  return sorted?.exactFor(conditions) ? sorted.candidates(conditions, true) : undefined;
}
