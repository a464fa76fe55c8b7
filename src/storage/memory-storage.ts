/**
 * In-memory storage: one growing segment per table, MVCC by commit timestamps.
 * This is the walking-skeleton implementation of the Storage contract; the durable,
 * log-structured one (WAL in classic-level, sealed Arrow segments) replaces it behind
 * the same interface.
 */
import type { Row, SqlType, Value } from '../types/types.js';
import { hashKey } from '../types/compare.js';
import {
  UniqueViolation, WriteConflict,
  type RowBatch, type RowId, type Snapshot, type Storage, type TableLayout, type Transaction, type UniqueKeySpec,
} from './api.js';

const BATCH_SIZE = 1024;
const NOT_DELETED = Number.POSITIVE_INFINITY;

interface UniqueKey {
  spec: UniqueKeySpec;
  types: SqlType[];
  /** key → every row id (live or dead) that ever had it; liveness is checked on lookup */
  rows: Map<string, Set<RowId>>;
}

/** The growing segment: rows appended in commit order, with insert/delete timestamps. */
class GrowingSegment {
  readonly rowIds: RowId[] = [];
  readonly rows: Row[] = [];
  readonly insertTs: number[] = [];
  readonly deleteTs: number[] = [];
  readonly position = new Map<RowId, number>();

  append(rowId: RowId, row: Row, ts: number): void {
    this.position.set(rowId, this.rows.length);
    this.rowIds.push(rowId);
    this.rows.push(row);
    this.insertTs.push(ts);
    this.deleteTs.push(NOT_DELETED);
  }

  visibleAt(pos: number, ts: number): boolean {
    return this.insertTs[pos] <= ts && this.deleteTs[pos] > ts;
  }

  liveNow(pos: number): boolean {
    return this.deleteTs[pos] === NOT_DELETED;
  }
}

class TableData {
  readonly growing = new GrowingSegment();
  readonly uniqueKeys = new Map<string, UniqueKey>();
  nextRowId = 1;
  constructor(readonly layout: TableLayout) {}

  keyOf(key: UniqueKey, row: Row): string | undefined {
    const parts: unknown[] = [];
    for (let i = 0; i < key.spec.columns.length; i++) {
      const v = row[key.spec.columns[i]];
      if (v === null) return undefined; // NULLs never conflict
      const h = hashKey(key.types[i], v);
      parts.push(typeof h === 'bigint' ? `${h}n` : h);
    }
    return JSON.stringify(parts);
  }
}

interface PendingTable {
  inserted: Map<RowId, Row>;
  deleted: Set<RowId>;
}

type UndoOp = { kind: 'insert'; table: number; rowId: RowId } | { kind: 'delete'; table: number; rowId: RowId };

class MemoryTransaction implements Transaction {
  readonly pending = new Map<number, PendingTable>();
  readonly undo: UndoOp[] = [];
  private done = false;
  constructor(readonly id: number, private readonly store: MemoryStorage) {}

  get hasWrites(): boolean {
    return this.undo.length > 0;
  }

  tablePending(tableId: number): PendingTable {
    let p = this.pending.get(tableId);
    if (!p) {
      p = { inserted: new Map(), deleted: new Set() };
      this.pending.set(tableId, p);
    }
    return p;
  }

  insert(tableId: number, rows: readonly Row[]): RowId[] {
    const table = this.store.table(tableId);
    const p = this.tablePending(tableId);
    const ids: RowId[] = [];
    for (const row of rows) {
      for (const key of table.uniqueKeys.values()) {
        const k = table.keyOf(key, row);
        if (k !== undefined && this.store.liveRowWithKey(table, key, k, this) !== undefined) {
          throw new UniqueViolation(key.spec.name, key.spec.columns, row);
        }
      }
      const rowId = table.nextRowId++;
      p.inserted.set(rowId, row);
      this.undo.push({ kind: 'insert', table: tableId, rowId });
      for (const key of table.uniqueKeys.values()) this.store.indexKey(table, key, row, rowId);
      ids.push(rowId);
    }
    return ids;
  }

  delete(tableId: number, rowIds: readonly RowId[]): void {
    const p = this.tablePending(tableId);
    for (const rowId of rowIds) {
      if (p.deleted.has(rowId)) continue;
      p.deleted.add(rowId);
      this.undo.push({ kind: 'delete', table: tableId, rowId });
    }
  }

  mark(): number {
    return this.undo.length;
  }

  rollbackTo(mark: number): void {
    while (this.undo.length > mark) {
      const op = this.undo.pop()!;
      const p = this.tablePending(op.table);
      if (op.kind === 'insert') p.inserted.delete(op.rowId);
      else p.deleted.delete(op.rowId);
    }
  }

  async commit(): Promise<number> {
    if (this.done) throw new Error('bug: transaction already finished');
    this.done = true;
    return this.store.applyCommit(this);
  }

  rollback(): void {
    this.done = true;
    this.pending.clear();
    this.undo.length = 0;
  }
}

export class MemoryStorage implements Storage {
  private readonly tables = new Map<number, TableData>();
  private clock = 0;
  private nextTxnId = 1;

  table(tableId: number): TableData {
    const t = this.tables.get(tableId);
    if (!t) throw new Error(`bug: no storage for table ${tableId}`);
    return t;
  }

  async createTable(layout: TableLayout): Promise<void> {
    this.tables.set(layout.id, new TableData(layout));
  }

  async dropTable(tableId: number): Promise<void> {
    this.tables.delete(tableId);
  }

  addUniqueKey(tableId: number, spec: UniqueKeySpec): void {
    // the reference implementation has no plain (non-unique) indexes: queries scan
    if (spec.unique === false) return;
    const table = this.table(tableId);
    const key: UniqueKey = { spec, types: spec.columns.map((c) => table.layout.columns[c].type), rows: new Map() };
    const g = table.growing;
    for (let pos = 0; pos < g.rows.length; pos++) {
      if (!g.liveNow(pos)) continue;
      const k = table.keyOf(key, g.rows[pos]);
      if (k === undefined) continue;
      if (key.rows.has(k)) throw new UniqueViolation(spec.name, spec.columns, g.rows[pos]);
      key.rows.set(k, new Set([g.rowIds[pos]]));
    }
    table.uniqueKeys.set(spec.name, key);
  }

  dropUniqueKey(tableId: number, name: string): void {
    this.tables.get(tableId)?.uniqueKeys.delete(name);
  }

  indexKey(table: TableData, key: UniqueKey, row: Row, rowId: RowId): void {
    const k = table.keyOf(key, row);
    if (k === undefined) return;
    let set = key.rows.get(k);
    if (!set) key.rows.set(k, (set = new Set()));
    set.add(rowId);
  }

  /** A row with this key that is live in the newest committed state as seen by txn. */
  liveRowWithKey(table: TableData, key: UniqueKey, k: string, txn?: MemoryTransaction, ignoreOwnInserts = false): RowId | undefined {
    const candidates = key.rows.get(k);
    if (!candidates) return undefined;
    const p = txn?.pending.get(table.layout.id);
    for (const rowId of candidates) {
      if (p?.deleted.has(rowId)) continue;
      if (p?.inserted.has(rowId)) {
        if (!ignoreOwnInserts) return rowId;
        continue;
      }
      const pos = table.growing.position.get(rowId);
      if (pos !== undefined && table.growing.liveNow(pos)) return rowId;
    }
    return undefined;
  }

  snapshot(): Snapshot {
    return { ts: this.clock };
  }

  begin(): Transaction {
    return new MemoryTransaction(this.nextTxnId++, this);
  }

  applyCommit(txn: MemoryTransaction): number {
    // Validate everything first so that a commit is all-or-nothing.
    for (const [tableId, p] of txn.pending) {
      const table = this.tables.get(tableId);
      if (!table) continue; // dropped meanwhile
      for (const rowId of p.deleted) {
        const pos = table.growing.position.get(rowId);
        if (pos !== undefined && !table.growing.liveNow(pos)) {
          throw new WriteConflict('could not serialize access due to concurrent update');
        }
      }
      for (const [, row] of p.inserted) {
        for (const key of table.uniqueKeys.values()) {
          const k = table.keyOf(key, row);
          if (k !== undefined && this.liveRowWithKey(table, key, k, txn, true) !== undefined) {
            throw new UniqueViolation(key.spec.name, key.spec.columns, row);
          }
        }
      }
    }
    const ts = ++this.clock;
    for (const [tableId, p] of txn.pending) {
      const table = this.tables.get(tableId);
      if (!table) continue;
      for (const rowId of p.deleted) {
        const pos = table.growing.position.get(rowId);
        if (pos !== undefined) table.growing.deleteTs[pos] = ts;
      }
      for (const [rowId, row] of p.inserted) {
        if (p.deleted.has(rowId)) continue;
        table.growing.append(rowId, row, ts);
      }
    }
    return ts;
  }

  *scan(tableId: number, snapshot: Snapshot, txn?: Transaction): Iterable<RowBatch> {
    const table = this.table(tableId);
    const p = (txn as MemoryTransaction | undefined)?.pending.get(tableId);
    const g = table.growing;
    // Only rows committed at or before the snapshot exist for this reader, so the
    // segment length is fixed now: later appends are invisible anyway.
    const end = g.rows.length;
    let ids: RowId[] = [];
    let rows: Row[] = [];
    for (let pos = 0; pos < end; pos++) {
      if (!g.visibleAt(pos, snapshot.ts)) continue;
      const rowId = g.rowIds[pos];
      if (p?.deleted.has(rowId)) continue;
      ids.push(rowId);
      rows.push(g.rows[pos]);
      if (rows.length === BATCH_SIZE) {
        yield { rowIds: ids, rows };
        ids = [];
        rows = [];
      }
    }
    if (p) {
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
    }
    if (rows.length > 0) yield { rowIds: ids, rows };
  }

  lookupUnique(tableId: number, keyName: string, values: Row, txn?: Transaction): RowId | undefined {
    const table = this.table(tableId);
    const key = table.uniqueKeys.get(keyName);
    if (!key) return undefined;
    const row: Value[] = [];
    key.spec.columns.forEach((c, i) => (row[c] = values[i]));
    const k = table.keyOf(key, row);
    if (k === undefined) return undefined;
    return this.liveRowWithKey(table, key, k, txn as MemoryTransaction | undefined);
  }

  fetch(tableId: number, rowId: RowId, snapshot: Snapshot, txn?: Transaction): Row | undefined {
    const table = this.table(tableId);
    const p = (txn as MemoryTransaction | undefined)?.pending.get(tableId);
    if (p?.deleted.has(rowId)) return undefined;
    const own = p?.inserted.get(rowId);
    if (own) return own;
    const pos = table.growing.position.get(rowId);
    if (pos === undefined || !table.growing.visibleAt(pos, snapshot.ts)) return undefined;
    return table.growing.rows[pos];
  }

  rowCount(tableId: number): number {
    return this.tables.get(tableId)?.growing.rows.length ?? 0;
  }

  private catalogImage: string | undefined;

  async saveCatalog(image: string): Promise<void> {
    this.catalogImage = image;
  }

  loadCatalog(): string | undefined {
    return this.catalogImage;
  }

  async vacuum(): Promise<void> {}

  async close(): Promise<void> {}
}
