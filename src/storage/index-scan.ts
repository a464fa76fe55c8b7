/**
 * A scan through a B-tree'd column (integer, date/time, float, numeric, text): PostgreSQL's
 * Index Scan on a btree, made of each sealed segment's sorted index (sorted-column.ts for
 * numbers, 12 bytes a row; sorted-values.ts for text and numeric, 4 bytes a row).
 *
 *   SELECT … FROM t WHERE id BETWEEN 1000 AND 2000
 *   SELECT … FROM t WHERE id > $1 ORDER BY id LIMIT 100        (keyset pagination)
 *
 * Without an order, a sealed segment whose sorted column is built reads only the positions
 * its conditions on the column allow (in position order, as a full scan would meet them);
 * the others are read whole. With an order, the rows come in the column's order: each
 * sealed segment's positions in key order, the rest (growing segment, a segment whose
 * sorted column is still being built, the transaction's own rows) sorted here, all merged,
 * in small batches first, so a LIMIT above stops after a few rows. NULLs are never returned
 * in order mode (the planner asks for it only when the column is NOT NULL or a condition on
 * it excludes them). Every row is still tested by the caller's whole filter.
 */
import { compareValues } from '../types/compare.js';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';
import type { IndexCondition, RowBatch, RowId } from './api.js';
import { SealedSegment, type Segment } from './segment.js';

export interface IndexScanInput {
  /** the segments to read (zone maps already applied), in scan order */
  readonly segments: readonly Segment[];
  /** how far to read a segment (the growing one: the rows appended before the scan began) */
  end(seg: Segment): number;
  /** visibility to the scan's snapshot and transaction */
  visible(seg: Segment, pos: number): boolean;
  /** the transaction's own inserted rows, not deleted again */
  readonly pending: readonly (readonly [RowId, Row])[];
}

export interface IndexScanSpec {
  readonly column: number;
  readonly type: SqlType;
  /** the Index Cond: the scan's conditions on the column */
  readonly conditions: readonly IndexCondition[];
  readonly order?: 'asc' | 'desc';
}

const MAX_BATCH = 1024;
/** types whose sealed index is sorted-values.ts's (over UTF-8 values); the others' is sorted-column.ts's (over numbers) */
const PACKED = new Set<number>([OID.text, OID.varchar, OID.numeric]);

function meets(v: Value, spec: IndexScanSpec): boolean {
  if (v === null || v === undefined) return false;
  for (const c of spec.conditions) {
    const cmp = compareValues(spec.type, v, c.value);
    if (c.op === '=' ? cmp !== 0 : c.op === '<' ? cmp >= 0 : c.op === '<=' ? cmp > 0 : c.op === '>' ? cmp <= 0 : cmp < 0) return false;
  }
  return true;
}

/** A sealed segment's positions that may meet the conditions, in key order; undefined while its index is not built. */
function sortedPositions(seg: Segment, spec: IndexScanSpec): Int32Array | undefined {
  if (!(seg instanceof SealedSegment)) return undefined;
  if (PACKED.has(spec.type.oid)) {
    const sorted = seg.sortedValues(spec.column, spec.type);
    return sorted && (sorted.candidates(spec.conditions) ?? sorted.inKeyOrder());
  }
  const sorted = seg.sortedColumn(spec.column);
  if (!sorted) return undefined;
  // number, bigint (and date/time as numbers): what a sorted column's keys are made of
  const bounds = spec.conditions as readonly { readonly op: IndexCondition['op']; readonly value: number | bigint }[];
  return sorted.candidates(bounds) ?? sorted.inKeyOrder();
}

export function* indexScan(input: IndexScanInput, spec: IndexScanSpec): Iterable<RowBatch> {
  if (spec.order) yield* orderedScan(input, spec, spec.order);
  else yield* rangeScan(input, spec);
}

function* rangeScan(input: IndexScanInput, spec: IndexScanSpec): Iterable<RowBatch> {
  for (const seg of input.segments) {
    const inOrder = spec.conditions.length ? sortedPositions(seg, spec) : undefined;
    const positions = inOrder ? Int32Array.from(inOrder).sort() : undefined;
    const n = positions ? positions.length : input.end(seg);
    for (let start = 0; start < n; start += MAX_BATCH) {
      const rowIds: RowId[] = [];
      const rows: Row[] = [];
      for (let i = start; i < Math.min(n, start + MAX_BATCH); i++) {
        const pos = positions ? positions[i] : i;
        if (!input.visible(seg, pos)) continue;
        rowIds.push(seg.rowIdAt(pos));
        rows.push(seg.row(pos));
      }
      if (rows.length) yield { rowIds, rows };
    }
  }
  if (input.pending.length) yield { rowIds: input.pending.map((e) => e[0]), rows: input.pending.map((e) => e[1]) };
}

/** One ordered input of the merge: its next row, or undefined when done. */
interface Cursor {
  head: { rowId: RowId; row: Row } | undefined;
  advance(): void;
}

function positionsCursor(seg: Segment, positions: Int32Array, desc: boolean, input: IndexScanInput): Cursor {
  let i = desc ? positions.length - 1 : 0;
  const c: Cursor = {
    head: undefined,
    advance() {
      c.head = undefined;
      while (desc ? i >= 0 : i < positions.length) {
        const pos = positions[i];
        i += desc ? -1 : 1;
        if (!input.visible(seg, pos)) continue;
        c.head = { rowId: seg.rowIdAt(pos), row: seg.row(pos) };
        return;
      }
    },
  };
  c.advance();
  return c;
}

function rowsCursor(entries: { rowId: RowId; row: Row }[]): Cursor {
  let i = 0;
  const c: Cursor = {
    head: undefined,
    advance() { c.head = entries[i++]; },
  };
  c.advance();
  return c;
}

/**
 * Settles when the sorted indexes being built for these sealed segments are (never rejects);
 * undefined when none is: their rows would otherwise be read and sorted on this thread (200k
 * rows held the event loop 210-330 ms).
 */
function sortsUnderWay(segments: readonly Segment[], spec: IndexScanSpec): Promise<unknown> | undefined {
  const builds: Promise<unknown>[] = [];
  for (const seg of segments) {
    if (!(seg instanceof SealedSegment) || sortedPositions(seg, spec)) continue;
    builds.push(PACKED.has(spec.type.oid) ? seg.sortedValuesBuilt(spec.column, spec.type) : seg.sortedColumnBuilt(spec.column));
  }
  return builds.length ? Promise.all(builds).catch(() => undefined) : undefined;
}

function* orderedScan(input: IndexScanInput, spec: IndexScanSpec, order: 'asc' | 'desc'): Iterable<RowBatch> {
  const desc = order === 'desc';
  const col = spec.column;
  const cmp = (a: Row, b: Row) => compareValues(spec.type, a[col], b[col]) * (desc ? -1 : 1);
  // a caller that can wait for the worker's sort does (RowBatch.wait); else the rows of a
  // segment whose index is still being built are sorted below, as before
  const wait = sortsUnderWay(input.segments, spec);
  if (wait) yield { rowIds: [], rows: [], wait };
  const cursors: Cursor[] = [];
  const loose: { rowId: RowId; row: Row }[] = [];
  for (const seg of input.segments) {
    const positions = sortedPositions(seg, spec);
    if (positions) {
      cursors.push(positionsCursor(seg, positions, desc, input));
      continue;
    }
    // the growing segment, or a sealed one whose sorted column is not built yet: sorted here
    const end = input.end(seg);
    for (let pos = 0; pos < end; pos++) {
      if (!input.visible(seg, pos)) continue;
      const row = seg.row(pos);
      if (meets(row[col], spec)) loose.push({ rowId: seg.rowIdAt(pos), row });
    }
  }
  for (const [rowId, row] of input.pending) if (meets(row[col], spec)) loose.push({ rowId, row });
  if (loose.length) cursors.push(rowsCursor(loose.sort((a, b) => cmp(a.row, b.row))));
  let size = 16;
  for (;;) {
    const rowIds: RowId[] = [];
    const rows: Row[] = [];
    while (rows.length < size) {
      let best: Cursor | undefined;
      for (const c of cursors) if (c.head && (!best || cmp(c.head.row, best.head!.row) < 0)) best = c;
      if (!best) break;
      rowIds.push(best.head!.rowId);
      rows.push(best.head!.row);
      best.advance();
    }
    if (rows.length) yield { rowIds, rows };
    if (rows.length < size) return;
    size = Math.min(MAX_BATCH, size * 2);
  }
}
