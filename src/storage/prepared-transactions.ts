/**
 * Two-phase commit's storage side (PostgreSQL's twophase.c): a transaction PREPAREd is in
 * the log but not visible — its rows and deletes are written as `P/<id:8>/<chunk:6>`
 * records (chunk 0 describes it, the others hold its rows), its row locks and the unique
 * keys it inserts stay claimed — until COMMIT PREPARED turns those records into an ordinary
 * commit (its log records and the deletion of the `P/` records in one batch) or ROLLBACK
 * PREPARED deletes them. Recovery reads them back, so a prepared transaction survives a
 * crash still prepared; in cluster mode they travel in the shared log like any batch.
 *
 * This module owns the record format and the claims on unique keys; DurableStorage
 * applies them.
 */
import { deserialize, serialize } from 'node:v8';
import type { Row } from '../types/types.js';
import type { RowId } from './api.js';
import { frame, unframe, type WalOp } from './wal.js';

/** What pg_prepared_xacts shows of a prepared transaction (and what finishing it checks). */
export interface PreparedInfo {
  /** its number in the log (P/<id>): pg_prepared_xacts.transaction */
  readonly id: number;
  readonly gid: string;
  /** µs since 1970 */
  readonly preparedAt: number;
  /** the role OID that prepared it */
  readonly owner: number;
  readonly database: string;
  /** the catalog image with its DDL (absent: it has none) */
  readonly catalog?: string;
}

/** One table's part of a prepared transaction: rows it inserts (live ones) and rows it deletes. */
export interface PreparedTablePart {
  readonly table: number;
  readonly rowIds: readonly RowId[];
  readonly rows: readonly Row[];
  readonly deleted: readonly RowId[];
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export const preparedKeys = {
  record: (id: number, chunk: number) => `P/${hex(id, 8)}/${hex(chunk, 6)}`,
  prefix: (id: number) => `P/${hex(id, 8)}/`,
  all: { gte: 'P/', lt: 'P0' },
};

/** target size of one record (as the log's insert records) */
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The records of a prepared transaction: the description first, then each table's rows in
 * records of bounded size (a prepared COPY must not become one giant value), then its deletes.
 * `between` is awaited after each record (a turn of the event loop when one is due).
 */
export async function preparedRecords(info: PreparedInfo, parts: readonly PreparedTablePart[], rowBytes: (row: Row) => number, between: () => Promise<void>): Promise<WalOp[]> {
  const ops: WalOp[] = [];
  let chunk = 1;
  const put = (value: unknown) => ops.push({ type: 'put', key: preparedKeys.record(info.id, chunk++), value: frame(serialize(value)) });
  for (const p of parts) {
    for (let start = 0; start < p.rows.length;) {
      let end = start;
      let bytes = 0;
      while (end < p.rows.length && (end === start || bytes < CHUNK_BYTES)) bytes += rowBytes(p.rows[end++]);
      put({ table: p.table, rowIds: p.rowIds.slice(start, end), rows: p.rows.slice(start, end), deleted: [] });
      start = end;
      await between();
    }
    if (p.deleted.length > 0) put({ table: p.table, rowIds: [], rows: [], deleted: p.deleted });
  }
  ops.unshift({ type: 'put', key: preparedKeys.record(info.id, 0), value: frame(serialize({ ...info, chunks: chunk })) });
  return ops;
}

/** The deletions that end a prepared transaction (in COMMIT PREPARED's batch, or alone for ROLLBACK PREPARED). */
export function preparedDeletions(id: number, chunks: number): WalOp[] {
  const ops: WalOp[] = [];
  for (let c = 0; c < chunks; c++) ops.push({ type: 'del', key: preparedKeys.record(id, c) });
  return ops;
}

/** A prepared transaction as its records describe it. */
export interface PreparedRecord {
  readonly info: PreparedInfo;
  /** records it has (chunk 0 included) */
  readonly chunks: number;
  readonly parts: PreparedTablePart[];
}

/** Chunk 0 of a prepared transaction: its description and how many records it has. */
export function decodePreparedHeader(key: string, value: Uint8Array): { info: PreparedInfo; chunks: number } {
  const h = deserialize(unframe(value, `prepared transaction record ${key}`)) as PreparedInfo & { chunks: number };
  const info: PreparedInfo = { id: h.id, gid: h.gid, preparedAt: h.preparedAt, owner: h.owner, database: h.database, ...(h.catalog !== undefined ? { catalog: h.catalog } : {}) };
  return { info, chunks: h.chunks };
}

/**
 * Every prepared transaction in `entries` (P/ records in key order). A transaction whose
 * records are incomplete cannot happen (they are written in one batch): that is damage.
 */
export async function readPreparedRecords(entries: AsyncIterable<[string, Uint8Array]>): Promise<PreparedRecord[]> {
  const out: PreparedRecord[] = [];
  let cur: { info: PreparedInfo; chunks: number; parts: PreparedTablePart[]; seen: number } | undefined;
  const close = () => {
    if (cur && cur.seen !== cur.chunks) throw new Error(`prepared transaction ${cur.info.id} ("${cur.info.gid}") has ${cur.seen} of its ${cur.chunks} log records`);
    if (cur) out.push({ info: cur.info, chunks: cur.chunks, parts: cur.parts });
    cur = undefined;
  };
  for await (const [key, value] of entries) {
    const [, id, chunk] = key.split('/');
    if (parseInt(chunk, 16) === 0) {
      close();
      const h = decodePreparedHeader(key, value);
      cur = { ...h, parts: [], seen: 1 };
      continue;
    }
    if (!cur || cur.info.id !== parseInt(id, 16)) throw new Error(`prepared transaction record ${key} without its first record`);
    cur.parts.push(deserialize(unframe(value, `prepared transaction record ${key}`)) as PreparedTablePart);
    cur.seen++;
  }
  close();
  return out;
}

/**
 * The unique-key values prepared transactions insert (table → key name → key string →
 * holder): another transaction inserting one waits for the holder to finish, and a commit
 * or prepare with one is refused, as if the holder had committed.
 */
export class PreparedKeyClaims<H> {
  private readonly claims = new Map<number, Map<string, Map<string, H>>>();

  holder(table: number, keyName: string, k: string): H | undefined {
    return this.claims.get(table)?.get(keyName)?.get(k);
  }

  claim(table: number, keyName: string, k: string, holder: H): void {
    let byKey = this.claims.get(table);
    if (!byKey) this.claims.set(table, (byKey = new Map()));
    let values = byKey.get(keyName);
    if (!values) byKey.set(keyName, (values = new Map()));
    values.set(k, holder);
  }

  /** Give up every claim of `holder`. */
  release(holder: H): void {
    for (const [table, byKey] of this.claims) {
      for (const [name, values] of byKey) {
        for (const [k, h] of values) if (h === holder) values.delete(k);
        if (values.size === 0) byKey.delete(name);
      }
      if (byKey.size === 0) this.claims.delete(table);
    }
  }
}
