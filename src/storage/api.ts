/**
 * The storage contract (Milvus vocabulary: growing / sealed segments, tombstones,
 * timestamps, snapshots). Storage knows rows of typed values, never SQL.
 *
 * - Every committed change gets a commit timestamp from one monotonically increasing
 *   clock. A Snapshot reads exactly the commits at or before its timestamp.
 * - A row is identified by a RowId that is unique within its table and never reused.
 *   Updates are delete + insert. Deletes are tombstones (rowId, timestamp).
 * - A Transaction buffers its writes; they are visible only to that transaction (pass it
 *   to scan()) until commit() makes them durable and stamps them.
 */
import type { Row, SqlType, Value } from '../types/types.js';
import type { AnnIndex, AnnOp } from '../ann/api.js';
import type { Quantization } from '../ann/quantize.js';
import type { SharedVectors } from './segment.js';
import type { InvertedIndex } from './inverted-index.js';
import type { TsVector } from '../types/tsvector.js';

export type RowId = number;

export interface StoredColumn {
  readonly name: string;
  readonly type: SqlType;
}

export interface TableLayout {
  /** stable table id (the catalog uses the relation OID) */
  readonly id: number;
  readonly columns: readonly StoredColumn[];
}

export interface UniqueKeySpec {
  readonly name: string;
  readonly columns: readonly number[];
  /**
   * false: a plain (non-unique) equality index — rows are found by key, duplicates are
   * fine. Default true: duplicates are refused. NULLs never conflict (NULLS DISTINCT)
   * unless `nullsNotDistinct`.
   */
  readonly unique?: boolean;
  /**
   * UNIQUE NULLS NOT DISTINCT: a NULL is a value like any other in the key (two rows whose
   * keys are NULL, or equal with NULLs in the same columns, conflict). An equality lookup
   * (lookupKey) still finds no row for a NULL: `a = NULL` is never true.
   */
  readonly nullsNotDistinct?: true;
  /**
   * An expression index (`lower(email)`): the key is one value the engine computes from
   * `columns[0]` (attachKeyFunctions gives the function for `key`), of type `type`.
   */
  readonly expression?: { readonly key: string; readonly type: SqlType };
  /**
   * A partial key (a partial UNIQUE index): only the rows the engine's predicate `key` holds
   * for (attachKeyPredicates gives it; it reads `columns`) have a key; the others are not
   * in it, as NULL keys are not.
   */
  readonly partial?: { readonly key: string; readonly columns: readonly number[] };
}

/** An expression key's function as attachKeyFunctions gives it (UniqueKeySpec.expression.key). */
export interface KeyFunction {
  readonly key: string;
  readonly toKey: ToIndexKey;
}

/** A partial key's predicate as attachKeyPredicates gives it (UniqueKeySpec.partial.key). */
export interface KeyPredicate {
  readonly key: string;
  readonly holds: (row: Row) => boolean;
}

/**
 * Storage.commitGate: runs `apply` (a storage commit, resolving with its timestamp) when it
 * may; apply calls `stamped` once the commit has its timestamp (every later commit gets a
 * greater one).
 */
export type CommitGate = (apply: (stamped: () => void) => Promise<number>) => Promise<number>;

export interface Snapshot {
  /** commits with timestamp <= ts are visible */
  readonly ts: number;
}

/** A batch of rows from one segment, in row-major form. */
export interface RowBatch {
  readonly rowIds: readonly RowId[];
  readonly rows: readonly Row[];
  /**
   * Set on an empty batch when the scan would otherwise do long work on this thread that a
   * worker is doing already (an ordered index scan's sealed segment whose sorted index is
   * being built): a caller that can wait resumes the scan once it settles (it never
   * rejects); one that reads on at once gets the same rows, that work done here.
   */
  readonly wait?: Promise<unknown>;
}

export interface Transaction {
  readonly id: number;
  /** true once any write was buffered */
  readonly hasWrites: boolean;
  insert(tableId: number, rows: readonly Row[]): RowId[];
  /** Tombstone the given rows (they must be visible to this transaction). */
  delete(tableId: number, rowIds: readonly RowId[]): void;
  /**
   * Make the writes durable and visible; resolves with the commit timestamp. `catalog` gives
   * the catalog image to write in the same log write (a transaction block's DDL commits with
   * its rows or not at all); it is called once, right before that write.
   */
  commit(opts?: { catalog?: () => string }): Promise<number>;
  rollback(): void;
  /**
   * PREPARE TRANSACTION: validate as a commit would, then write the writes to the log
   * without making them visible; the transaction keeps its row locks and the unique keys
   * it inserts until Storage.finishPrepared. Rejects with PrepareRefused when `gid` is
   * taken (nothing logged; the transaction is over either way).
   */
  prepare(opts: PrepareOptions): Promise<void>;
  /** the tables this transaction wrote rows of */
  writtenTables(): number[];
  /** Savepoint support: a mark to roll back to (used for statement-level atomicity). */
  mark(): number;
  rollbackTo(mark: number): void;
  /**
   * The writes so far, read-only and unchanged by later writes: a statement with
   * data-modifying WITH queries reads through it, so no part sees another part's changes.
   */
  frozen(): Transaction;
}

/** PREPARE TRANSACTION's identity for the transaction (pg_prepared_xacts' columns). */
export interface PrepareOptions {
  readonly gid: string;
  /** the role OID preparing it */
  readonly owner: number;
  readonly database: string;
  /**
   * the catalog image with the transaction's DDL (the engine's), kept with its records and
   * written as the catalog by COMMIT PREPARED's log write; a restart gets it back here
   */
  readonly catalog?: string;
  /** at most this many may be prepared at once (max_prepared_transactions): one more is refused ('limit') */
  readonly limit?: number;
}

/** A transaction prepared and not yet finished (pg_prepared_xacts). */
export interface PreparedTransaction extends Omit<PrepareOptions, 'limit'> {
  /** its number (pg_prepared_xacts.transaction): stable across restarts */
  readonly id: number;
  /** µs since 1970 */
  readonly preparedAt: number;
}

/** Why a prepare or a finish of a prepared transaction was refused. */
export class PrepareRefused extends Error {
  constructor(readonly reason: 'gidInUse' | 'unknownGid' | 'busy' | 'limit', readonly gid: string) {
    super(`prepared transaction "${gid}": ${reason}`);
  }
}

/** A sealed segment as the manifest describes it (for the planner: sizes and statistics). */
export interface SegmentInfo {
  readonly id: number;
  readonly rows: number;
  /** file size in bytes */
  readonly bytes: number;
  readonly minRowId: RowId;
  readonly maxRowId: RowId;
  /** newest insert timestamp in the segment */
  readonly maxTs: number;
  /** per user column: null count, min/max (bigints as {$bigint}), distinct estimate */
  readonly stats: readonly {
    readonly name: string;
    readonly nullCount: number;
    readonly min?: unknown;
    readonly max?: unknown;
    readonly distinct?: number;
  }[];
}

export class UniqueViolation extends Error {
  /** `key`: an expression key's value (UniqueKeySpec.expression) */
  constructor(readonly keyName: string, readonly columns: readonly number[], readonly values: Row, readonly key?: Value) {
    super(`duplicate key value violates unique constraint "${keyName}"`);
  }
}

export class WriteConflict extends Error {}

/**
 * A row this transaction wants to delete or update is being changed by another
 * transaction (waitFor resolves when that one ends), or was changed by one that already
 * committed after this statement's snapshot. Like PostgreSQL's READ COMMITTED, the
 * statement should then be run again on a fresh snapshot (after waiting).
 */
export class RowConflict extends Error {
  constructor(readonly waitFor?: Promise<void>) {
    super('row changed by a concurrent transaction');
  }
}

/** An ANN index definition kept by the storage: every sealed segment gets one. */
export interface VectorIndexSpec {
  readonly name: string;
  /** absent: hnsw */
  readonly method?: 'hnsw' | 'ivfflat';
  /** 0-based column position */
  readonly column: number;
  readonly op: AnnOp;
  /** hnsw */
  readonly m: number;
  readonly efConstruction: number;
  /** hnsw: how the index stores vectors (absent: f32) */
  readonly quantization?: Quantization;
  /** ivfflat: the number of lists (k-means centers) */
  readonly lists?: number;
  /** ivfflat: the file (in the segment directory) of the centers trained at CREATE INDEX */
  readonly centers?: string;
  /** hnsw, a partial index: it holds only the rows meeting all of these (number values) */
  readonly rows?: readonly ZoneCondition[];
  /**
   * An expression index: it holds the key the engine computes from each row's `column`
   * value (attachVectorKeys gives the function for `key`), of `dim` dimensions
   */
  readonly expression?: { readonly key: string; readonly dim: number };
}

/**
 * An expression index's key for a row's column value: a Float32Array (vector and halfvec
 * keys) or a bit string, null for none. The engine's (storage knows no SQL functions).
 */
export type ToIndexKey = (value: Value) => Value;

/** What ComputeIndexKeys is asked for: every row's key of one segment's vector column. */
export interface IndexKeysRequest {
  /** the indexed column, a fixed-size vector column in shared memory */
  readonly column: SharedVectors;
  /** 1 where the column is NULL (its key is NULL); undefined when none is */
  readonly nulls: Uint8Array | undefined;
  /** vector and halfvec keys packed as floats, or bit-string keys packed as bits */
  readonly form: 'vectors' | 'bits';
  /** the keys' dimensions (bits) */
  readonly dim: number;
  /** packed floats in shared memory (kept for the segment's life) rather than in a buffer a build may take over */
  readonly shared: boolean;
}

/** Keys packed as SealedSegment.bitColumn / vectorColumn pack a column, with where they are NULL. */
export interface IndexKeys {
  readonly packed: Float32Array | Uint8Array;
  readonly nulls: Uint8Array | undefined;
}

/** Every row's key at once, off the session thread (the engine's function in a worker thread). */
export type ComputeIndexKeys = (request: IndexKeysRequest, signal?: AbortSignal) => Promise<IndexKeys>;

/** An expression vector index's key as attachVectorKeys gives it. */
export interface VectorIndexKey {
  /** VectorIndexSpec.expression.key */
  readonly key: string;
  /** one row's key */
  readonly toKey: ToIndexKey;
  /** all of a segment's keys in a worker thread; without it they are computed a slice at a time */
  readonly computeKeys?: ComputeIndexKeys;
}

/**
 * A GIN index as the storage keeps it: every sealed segment gets a file with its inverted
 * index over `column` (inverted-index-file.ts), written when the segment is sealed.
 */
export interface TextIndexSpec {
  readonly name: string;
  /** names the inverted index (SearchSegment.invertedIndex's key): indexes with the same key share its files */
  readonly key: string;
  /** 0-based column position of the indexed values */
  readonly column: number;
}

/** An indexed column's value as a tsvector: the engine's (storage knows no text search configurations) */
export type ToTsVector = (value: unknown) => TsVector | null;

/**
 * A text column's values packed for another thread (SealedSegment.packedTexts): row `i` is
 * the UTF-8 bytes `bytes[offsets[i] .. offsets[i + 1])`, unless `nulls[i]` is 1 (NULL).
 */
export interface PackedTexts {
  readonly rows: number;
  /** rows + 1 ascending byte offsets, the first 0 */
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  /** one byte per row, 1 = NULL; absent when no row is NULL */
  readonly nulls?: Uint8Array;
}

/**
 * The engine's build of a sealed segment's inverted index file (inverted-index-file.ts) off
 * the session thread: tokenize `texts` as the index's ToTsVector does, build the posting
 * lists and write the file at `path` (durably); resolves with the file's bytes. Its buffers
 * may be handed to another thread: the caller does not use `texts` after the call.
 */
export type BuildInvertedIndexFile = (texts: PackedTexts, path: string, signal?: AbortSignal) => Promise<Uint8Array>;

/** What building a new vector index found (CREATE INDEX's NOTICEs come from it). */
export interface VectorIndexBuilt {
  /** ivfflat: how many vectors the centers were trained on */
  readonly samples?: number;
}

/**
 * How far a createVectorIndex is, reported as it goes (pg_stat_progress_create_index).
 * `sealing`: the growing segment is written out so that every row is in a sealed segment;
 * `clustering`: IVFFlat's k-means over a sample; `loading`: the sealed segments' rows go
 * into their indexes, one segment after another (an HNSW build also within a segment).
 */
export interface VectorIndexProgress {
  readonly phase: 'sealing' | 'clustering' | 'loading';
  /** rows of the sealed segments the index covers (0 while sealing) */
  readonly rowsTotal: number;
  /** of those, rows already in the index: never more than rowsTotal, never decreasing */
  readonly rowsDone: number;
  readonly segmentsTotal: number;
  readonly segmentsDone: number;
}

/** A GIN index with its tokenizer, as the engine gives it to the storage (createTextIndex's arguments). */
export interface TextIndexAttachment {
  readonly spec: TextIndexSpec;
  readonly toVector: ToTsVector;
  readonly buildFile?: BuildInvertedIndexFile;
}

/** A sealed segment read with snapshot visibility (positions are segment positions). */
export interface SearchSegment {
  readonly id: number;
  readonly length: number;
  /**
   * the row at a position if it is visible to the snapshot (and transaction), else
   * undefined; with `columns`, only those are read (the others are NULL)
   */
  visibleRow(pos: number, columns?: readonly number[]): { rowId: RowId; row: Row } | undefined;
  /** whether the row at a position is visible to the snapshot (and transaction) */
  isVisible?(pos: number): boolean;
  /**
   * The segment's inverted index for a GIN text index (`key` names it with its expression):
   * the column's values as tsvectors, read from the GIN index's file or built on first use,
   * and kept for the segment's life
   */
  invertedIndex?(key: string, column: number, toVector: ToTsVector): InvertedIndex;
  /** every visible row (the exact fallback when the index cannot deliver k matches) */
  visibleRows(): Iterable<{ rowId: RowId; row: Row; pos: number }>;
  /**
   * Visible rows passing `test`, which sees only `columns` (others unset): a selective
   * filter then reads just the columns it needs, and whole rows only for its matches.
   */
  visibleRowsWhere(columns: readonly number[], test: (partial: Row) => boolean): Iterable<{ rowId: RowId; row: Row; pos: number }>;
  /** a fixed-size vector column in shared memory (for query workers), or undefined */
  sharedVectors?(column: number): SharedVectors | undefined;
  /**
   * The positions a vector search may return: visible, `vectorColumn` not NULL, passing
   * `filter.test` (which sees only `filter.columns`). `bits` is one bit per position (LSB
   * first), undefined when every position qualifies; `nullPositions` are the first
   * `nullLimit` visible, passing positions whose vector is NULL (they sort last).
   */
  matchBitmap?(vectorColumn: number, filter: BitmapFilter | null, nullLimit: number): BitmapMatch;
  /**
   * matchBitmap a slice at a time: the generator yields after every BITMAP_STEP_ROWS
   * positions it tested, so that its caller can give the event loop a turn (a first
   * filtered search over 200k rows tests them all: ~30-75 ms in one piece), and returns
   * what matchBitmap returns. The snapshot's visibility holds across the turns: rows a
   * compaction drops meanwhile keep their tombstones until older readers are done.
   */
  matchBitmapSteps?(vectorColumn: number, filter: BitmapFilter | null, nullLimit: number): Generator<void, BitmapMatch, void>;
  /** every position visible and its vector not NULL: an unfiltered search needs no bitmap (matchBitmap's answer without its generator) */
  everyRowSearchable?(vectorColumn: number): boolean;
  /**
   * Rows a filter that is exactly its sorted-column conjuncts (`onlyIndexed`) admits, found
   * by binary search without visiting them (NULL vectors included; deleted rows taken out
   * in proportion: they are in the index, so a walk's candidates hold them), or undefined
   * when the sorted column cannot tell. Lets a vector search price strategies
   * that test the filter on their candidates only, before it pays for a bitmap.
   */
  filterCount?(filter: BitmapFilter): number | undefined;
  /**
   * While the segment's sorted column index of `column` is being built (started by this
   * call if it was not), the build; undefined once it is settled. Until then a filter on
   * the column tests every row.
   */
  sortedColumnPending?(column: number): Promise<unknown> | undefined;
}

/** Positions matchBitmapSteps tests between two of its steps (a few ms of filter tests). */
export const BITMAP_STEP_ROWS = 1024;

/** The positions a vector search may return (matchBitmap). */
export interface BitmapMatch {
  /** one bit per position (LSB first), undefined when every position qualifies */
  bits: Uint8Array | undefined;
  count: number;
  nullPositions: number[];
  /** a sorted column index chose the rows tested */
  narrowed?: boolean;
}

/** A vector search's scalar filter as matchBitmap applies it. */
export interface BitmapFilter {
  readonly columns: readonly number[];
  readonly test: (partial: Row) => boolean;
  /**
   * Conjuncts of the filter on integer and date/time columns: the segment may find their
   * candidate positions in its sorted column index instead of testing every row
   */
  readonly indexed?: readonly ZoneCondition[];
  /** the filter is exactly the `indexed` conjuncts (nothing else to test) */
  readonly onlyIndexed?: boolean;
}

/** A sealed segment searchable through its ANN index. */
export interface AnnSegment extends SearchSegment {
  readonly index: AnnIndex;
}

export interface ScanOptions {
  /** sealed segments to leave out (searched through their ANN index instead) */
  readonly skipSegments?: ReadonlySet<number>;
  /** the only columns the caller reads: sealed segments decode just these, the others come out NULL */
  readonly columns?: readonly number[];
  /**
   * Zone maps: conditions every returned row must meet (the caller still filters). A sealed
   * segment whose column min/max show that no row can meet one is not read; `skipped` is
   * told how many were left out, of how many sealed segments.
   */
  readonly zone?: readonly ZoneCondition[];
  readonly skipped?: (skipped: number, sealed: number) => void;
  /**
   * Through a B-tree index (index-scan.ts) on `columns` (its key, in order): segments read
   * only the positions `conditions` (per key column) allow; with `order`, rows come in the
   * order of the first `orderColumns` (1 when absent) key columns, so a LIMIT above stops
   * early.
   */
  /**
   * Through B-tree indexes as a bitmap (bitmap-scan.ts): each leaf's positions as `index`'s
   * range gives them, united (or) or intersected (and), read in position order; a segment
   * whose sorted index is not built gives all its positions. The caller filters every row.
   */
  readonly bitmap?: BitmapScanSpec;
  /** told, per segment, how many positions each of the bitmap's Bitmap Index Scans gave (EXPLAIN ANALYZE) */
  readonly bitmapCounted?: (leaf: BitmapScanSpec, positions: number) => void;
  /**
   * An Index Only Scan (through `index`): told how many of the rows handed on needed the row
   * store to settle their visibility — not in a sealed segment, or with a tombstone, or the
   * transaction's own (EXPLAIN ANALYZE's Heap Fetches)
   */
  readonly heapFetched?: (rows: number) => void;
  readonly index?: {
    readonly columns: readonly number[];
    readonly conditions: readonly (readonly IndexCondition[])[];
    readonly order?: 'asc' | 'desc';
    readonly orderColumns?: number;
    /** the Index Cond has `first key column IS NULL`: a range reads only those rows (a btree's NULL key) */
    readonly leadingIsNull?: boolean;
    /** row comparisons on the key's leading columns: where the range starts (or ends) within the first column's */
    readonly rowBounds?: readonly IndexRowBound[];
    /**
     * An expression index's key (UniqueKeySpec name) with `order`: the rows in the order of the
     * key computed from `columns[0]` (storage/expression-key-scan.ts); no conditions
     */
    readonly keyName?: string;
  };
}

/** PostgreSQL's BitmapOr / BitmapAnd over Bitmap Index Scans on B-tree keys. */
export type BitmapScanSpec =
  | {
    readonly kind: 'index'; readonly columns: readonly number[]; readonly conditions: readonly (readonly IndexCondition[])[];
    /** the Index Cond has `first key column IS NULL`: a sealed segment's NULL rows of that column */
    readonly leadingIsNull?: boolean;
    /** row comparisons on the key's leading columns (IndexRowBound) */
    readonly rowBounds?: readonly IndexRowBound[];
    /** an expression index's key (UniqueKeySpec name): `conditions[0]` bound the key computed from `columns[0]` */
    readonly keyName?: string;
  }
  | { readonly kind: 'or' | 'and'; readonly args: readonly BitmapScanSpec[] };

/**
 * `(key1, …, keym) op (v1, …, vm)` of a B-tree range scan (m ≥ 2, no value NULL): the key
 * tuples after (or before) `key` in the key's order — PostgreSQL's row comparison as an
 * index qual, which starts a btree scan at (v1, v2) and not at the first v1.
 */
export interface IndexRowBound {
  readonly op: '<' | '<=' | '>' | '>=';
  readonly key: readonly Value[];
}

/** `column op value` of a B-tree range scan: a value of the column's type, ordered as types/compare.ts orders it. */
export interface IndexCondition {
  readonly op: '=' | '<' | '<=' | '>' | '>=';
  readonly value: Value;
}

/** `column op value` on an integer or date/time column (whose statistics order like JS numbers). */
export interface ZoneCondition {
  readonly column: number;
  readonly op: '=' | '<' | '<=' | '>' | '>=';
  readonly value: number | bigint;
}

/** A sequence as recovery should resume it: nextval hands out the value after `last`
 *  (or `last` itself while `isCalled` is false). */
export interface SequenceState {
  readonly last: bigint;
  readonly isCalled: boolean;
}

export interface Storage {
  createTable(layout: TableLayout): Promise<void>;
  dropTable(tableId: number): Promise<void>;
  /** indexes the committed rows between turns of the event loop; a duplicate (UniqueViolation) or an aborted `signal` leaves no key */
  addUniqueKey(tableId: number, key: UniqueKeySpec, signal?: AbortSignal): Promise<void>;
  dropUniqueKey(tableId: number, name: string): void;
  /** The key `from` is named `to` from now on (its index or constraint renamed): lookups, errors and DROP use the new name. */
  renameUniqueKey(tableId: number, from: string, to: string): void;
  /** the newest snapshot (for a statement or REPEATABLE READ transaction) */
  snapshot(): Snapshot;
  /**
   * When set, every Transaction.commit() that writes (rows or a catalog image) runs its
   * storage commit through it: the gate decides when `apply` may start (a sharded cluster
   * orders commits by their cluster timestamp: engine/commit-clock.ts) and resolves with
   * apply's result.
   */
  commitGate: CommitGate | undefined;
  /**
   * Keep a snapshot readable beyond one statement (a REPEATABLE READ transaction):
   * compaction keeps the rows it can see until the returned release function is called.
   */
  retain(snapshot: Snapshot): () => void;
  begin(): Transaction;
  /** the transactions prepared (PREPARE TRANSACTION) and not yet committed or rolled back */
  preparedTransactions(): readonly PreparedTransaction[];
  /**
   * COMMIT PREPARED (`commit`) or ROLLBACK PREPARED: make a prepared transaction's writes
   * visible and durable in one log write, or discard them; its locks go either way.
   * PrepareRefused 'unknownGid' / 'busy' (another session is finishing it). Resolves with
   * the commit's timestamp (as commit() does), undefined for a rollback; `stamped` as a
   * CommitGate's.
   */
  finishPrepared(gid: string, commit: boolean, opts?: { catalog?: () => string; stamped?: () => void }): Promise<number | undefined>;
  /** Rows visible at the snapshot, plus the transaction's own writes. */
  scan(tableId: number, snapshot: Snapshot, txn?: Transaction, opts?: ScanOptions): Iterable<RowBatch>;
  /**
   * Keep an ANN index on a vector column: built now for all existing rows (the growing
   * segment is sealed first) and for every segment sealed or compacted later.
   */
  /** builds the index for the existing rows; an aborted `signal` gives it up, leaving nothing; `progress` hears how far it is */
  createVectorIndex(tableId: number, spec: VectorIndexSpec, signal?: AbortSignal, progress?: (p: VectorIndexProgress) => void): Promise<VectorIndexBuilt>;
  dropVectorIndex(tableId: number, name: string): Promise<void>;
  /**
   * The index `from` is named `to` from now on (ALTER INDEX … RENAME), replacing an index
   * already named `to` (REINDEX CONCURRENTLY's swap), whose files go. Searches see the old
   * index or the new one, never neither.
   */
  renameVectorIndex(tableId: number, from: string, to: string): Promise<void>;
  /** sealed segments that have the named index, with snapshot visibility */
  annSegments(tableId: number, indexName: string, snapshot: Snapshot, txn?: Transaction): AnnSegment[];
  /** how many segments annSegments would give, without making their search views (a plan's choice of thread reads it per query) */
  annSegmentCount?(tableId: number, indexName: string, snapshot: Snapshot): number;
  /** every sealed segment, in scan order (what scan() reads first), with snapshot visibility */
  searchSegments(tableId: number, snapshot: Snapshot, txn?: Transaction): SearchSegment[];
  /** rowIds whose unique key equals the given values and that are visible to the latest state (+txn) */
  lookupUnique(tableId: number, keyName: string, values: Row, txn?: Transaction): RowId | undefined;
  /**
   * Rows whose key equals `values` (one per key column; an expression key's one value) visible at the snapshot (+txn);
   * undefined when more than `limit` rows carry the key (a scan is then cheaper).
   */
  lookupKey(tableId: number, keyName: string, values: Row, snapshot: Snapshot, txn?: Transaction, limit?: number): RowBatch | undefined;
  /** a visible row by id, or undefined */
  fetch(tableId: number, rowId: RowId, snapshot: Snapshot, txn?: Transaction): Row | undefined;
  /** approximate live row count (for planning) */
  rowCount(tableId: number): number;
  /**
   * The smallest and largest non-NULL values of a column over the table's rows, for the
   * planner's histogram ends (PostgreSQL's get_actual_variable_range); undefined when the
   * column's type keeps no order in the segment statistics (only numbers do) or it has no
   * values. Deleted rows may count, as PostgreSQL's non-vacuumable snapshot counts them.
   */
  columnEnds?(tableId: number, column: number): { readonly min: number | bigint; readonly max: number | bigint } | undefined;
  /**
   * Rows of sealed segments without a tombstone: those whose visibility needs no row store
   * (VACUUM records them as the table's all-visible rows, PostgreSQL's relallvisible).
   * It may take turns of the event loop; `between` runs at each (a cancel check: what it
   * throws ends the count).
   */
  allVisibleRows(tableId: number, between?: () => void): Promise<number>;
  /**
   * Durably record the catalog image (JSON text written by the engine after every DDL).
   * Same guarantee as commit(): resolved ⇒ on disk.
   */
  saveCatalog(image: string): Promise<void>;
  /** The last catalog image saved, as recovered at open; undefined for a new data directory. */
  loadCatalog(): string | undefined;
  /**
   * Log a sequence's state without rewriting the catalog image (PostgreSQL's XLOG_SEQ_LOG).
   * Queued in log order: a commit appended after it is durable only after it, so a commit
   * that used a value the record covers can never outlive the record. Resolves once durable.
   * saveCatalog drops every such record (the image then holds each sequence's state).
   */
  logSequence(sequenceId: number, state: SequenceState): Promise<void>;
  /** Sequence states logged after the last catalog image, as recovered at open. */
  loadSequences(): ReadonlyMap<number, SequenceState>;
  /** Sealed segments of a table with their statistics. */
  segments(tableId: number): readonly SegmentInfo[];
  /**
   * Bytes a table takes: its sealed segment files plus the rows not sealed yet (as held in
   * the log), and each vector index's files (per segment, plus IVFFlat's centers).
   */
  relationBytes(tableId: number): { table: number; indexes: ReadonlyMap<string, number> };
  /**
   * Tell `listener` when a table's sealed segments changed a lot at once: a growing
   * segment was sealed, a large commit was ingested as a segment, or compaction ran (the
   * engine analyzes the table then, as PostgreSQL's autovacuum does after many changes).
   */
  onSegmentsChanged(listener: (tableId: number, cause: 'seal' | 'bulk' | 'compaction') => void): void;
  /**
   * The table has an index only sealed segments serve (GIN): seal its growing segment at a
   * few thousand rows, as for a table with a vector index, so few rows are read one by one.
   */
  keepGrowingSmall?(tableId: number, small: boolean): void;
  /**
   * CREATE INDEX … USING gin: seal the growing segment, write every sealed segment's
   * inverted index file, and write one for each segment sealed or compacted later. With
   * `buildFile` the files are built in a worker thread (else on the calling thread).
   */
  createTextIndex?(tableId: number, spec: TextIndexSpec, toVector: ToTsVector, buildFile?: BuildInvertedIndexFile): Promise<void>;
  /** DROP INDEX of a GIN index: its files go (unless another index has the same key) */
  dropTextIndex?(tableId: number, name: string): Promise<void>;
  /**
   * At start, the GIN indexes the catalog has on a table, with their tokenizers: segments
   * without a usable file get one in the background; files of indexes not named are removed.
   */
  attachTextIndexes?(tableId: number, indexes: readonly TextIndexAttachment[]): void;
  /**
   * The key functions of a table's expression vector indexes (VectorIndexSpec.expression),
   * given before such an index is created and at start: segments whose index is missing
   * are indexed then (a segment is not indexed by an expression the engine has not given).
   */
  attachVectorKeys?(tableId: number, keys: readonly VectorIndexKey[]): void;
  /**
   * The functions of a table's expression keys (UniqueKeySpec.expression), given before such
   * a key is added and at start: a key recovered before its function came is indexed then.
   */
  attachKeyFunctions?(tableId: number, keys: readonly KeyFunction[]): void;
  /**
   * The predicates of a table's partial keys (UniqueKeySpec.partial), given before such a
   * key is added and at start: a key recovered before its predicate came is indexed then.
   */
  attachKeyPredicates?(tableId: number, predicates: readonly KeyPredicate[]): void;
  /** Seal the growing segment now (so an index just created covers the existing rows). */
  seal?(tableId?: number): Promise<void>;
  /** Reclaim space: compact sealed segments, drop dead rows (VACUUM). */
  vacuum(tableId?: number): Promise<void>;
  close(): Promise<void>;
}
