/**
 * A scan through a B-tree'd column (integer, date/time, float, numeric, text): PostgreSQL's
 * Index Scan on a btree, made of each sealed segment's sorted index (sorted-column.ts for
 * numbers, 12 bytes a row; sorted-values.ts for text and numeric, 4 bytes a row). Through a
 * multi-column key, when its conditions bound more than the first column (`a = 1 AND
 * b > 5`) or the rows are ordered on more than it (`ORDER BY a, b`), the segment's sorted
 * key tuple (sorted-tuple.ts, NULLs last per column) is read instead; until it is built, a
 * range reads the first column's index and an ordered scan sorts the segment's rows here.
 * The growing segment is read through its rows' key order, kept up to date as rows are
 * appended (growing-key-order.ts).
 *
 *   SELECT … FROM t WHERE id BETWEEN 1000 AND 2000
 *   SELECT … FROM t WHERE id > $1 ORDER BY id LIMIT 100        (keyset pagination)
 *
 * Without an order, a segment whose sorted index is there reads only the positions its
 * conditions allow (in position order, as a full scan would meet them); the others are read
 * whole. With an order, the rows come in the key's order: each segment's positions in key
 * order, the rest (a sealed segment whose sorted index is still being built, the
 * transaction's own rows) sorted here, all merged, in small batches first, so a LIMIT above
 * stops after a few rows. NULLs of a column without conditions come last (first backward),
 * where a btree has them. Every row is still tested by the caller's whole filter.
 */
import { compareValues } from '../types/compare.js';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';
import type { IndexCondition, IndexRowBound, RowBatch, RowId } from './api.js';
import { GrowingSegment, SealedSegment, type Segment } from './segment.js';
import { growingKeyOrder } from './growing-key-order.js';
import { tupleBounds } from './sorted-tuple.js';

export interface IndexScanInput {
  /** the segments to read (zone maps already applied), in scan order */
  readonly segments: readonly Segment[];
  /** how far to read a segment (the growing one: the rows appended before the scan began) */
  end(seg: Segment): number;
  /** visibility to the scan's snapshot and transaction */
  visible(seg: Segment, pos: number): boolean;
  /** the transaction's own inserted rows, not deleted again */
  readonly pending: readonly (readonly [RowId, Row])[];
  /** the only columns the caller reads (the others come out NULL): an Index Only Scan's key columns */
  readonly columns?: readonly number[];
  /**
   * An Index Only Scan's Heap Fetches (EXPLAIN ANALYZE): told of each row handed on whose
   * visibility needed the row store — one of the growing segment, one with a tombstone, the
   * transaction's own (see `allVisible`)
   */
  readonly heapFetched?: (rows: number) => void;
  /** whether a row's visibility is settled without the row store (sealed, no tombstone) */
  allVisible?(seg: Segment, pos: number): boolean;
}

/** A segment's row at `pos`, only the caller's columns decoded; counted when its visibility needed the row store. */
export function rowAt(input: IndexScanInput, seg: Segment, pos: number): Row {
  if (input.heapFetched && !input.allVisible?.(seg, pos)) input.heapFetched(1);
  return input.columns ? seg.rows(pos, pos + 1, input.columns)[0]! : seg.row(pos);
}

export interface IndexScanSpec {
  /** the index's key columns, in key order (a single-column index: one) */
  readonly columns: readonly number[];
  readonly types: readonly SqlType[];
  /** the Index Cond: per key column, the scan's conditions on it */
  readonly conditions: readonly (readonly IndexCondition[])[];
  readonly order?: 'asc' | 'desc';
  /** with `order`: on how many leading key columns the rows are ordered (1 when absent) */
  readonly orderColumns?: number;
  /** `first key column IS NULL` is in the Index Cond: a range reads only its NULL rows */
  readonly leadingIsNull?: boolean;
  /** row comparisons on the leading key columns (keyset pagination's `(a, b) > (5, 16)`): read through the key tuple */
  readonly rowBounds?: readonly IndexRowBound[];
}

export const MAX_BATCH = 1024;
/** types whose sealed index is sorted-values.ts's (over UTF-8 values); the others' is sorted-column.ts's (over numbers) */
const PACKED = new Set<number>([OID.text, OID.varchar, OID.numeric]);

function meetsAll(v: Value, type: SqlType, conditions: readonly IndexCondition[]): boolean {
  for (const c of conditions) {
    const cmp = compareValues(type, v, c.value);
    if (c.op === '=' ? cmp !== 0 : c.op === '<' ? cmp >= 0 : c.op === '<=' ? cmp > 0 : c.op === '>' ? cmp <= 0 : cmp < 0) return false;
  }
  return true;
}

/**
 * Whether a row read outside the sorted indexes belongs to the scan: every condition met
 * (a conditioned column is not NULL). NULLs of an unconditioned column come in their place
 * in the key's order (last), as a btree has them.
 */
function meets(row: Row, spec: IndexScanSpec): boolean {
  for (let k = 0; k < spec.columns.length; k++) {
    const v = row[spec.columns[k]!];
    const conds = spec.conditions[k] ?? [];
    if (v === null || v === undefined) {
      if (conds.length) return false;
      continue;
    }
    if (!meetsAll(v, spec.types[k]!, conds)) return false;
  }
  return true;
}

/**
 * A sealed segment's positions that may meet the conditions on the leading column, in its
 * order; without conditions on it, every position, its NULLs last (as a btree has them).
 * Undefined while its index is not built.
 */
export function columnPositions(seg: Segment, spec: IndexScanSpec): Int32Array | undefined {
  if (!(seg instanceof SealedSegment)) return undefined;
  const column = spec.columns[0]!, type = spec.types[0]!, conditions = spec.conditions[0] ?? [];
  if (type.oid === OID.bool) {
    const sorted = seg.sortedBools(column);
    return sorted.candidates(conditions.map((c) => ({ op: c.op, value: c.value ? 1 : 0 }))) ?? withNulls(seg, column, sorted.inKeyOrder());
  }
  if (PACKED.has(type.oid)) {
    const sorted = seg.sortedValues(column, type);
    return sorted && (sorted.candidates(conditions) ?? withNulls(seg, column, sorted.inKeyOrder()));
  }
  const sorted = seg.sortedColumn(column);
  if (!sorted) return undefined;
  // number, bigint (and date/time as numbers): what a sorted column's keys are made of
  const bounds = conditions as readonly { readonly op: IndexCondition['op']; readonly value: number | bigint }[];
  return sorted.candidates(bounds) ?? withNulls(seg, column, sorted.inKeyOrder());
}

/** segment → column → its non-NULL positions in key order (a sorted index's) and those followed by the NULL positions */
const nullsLast = new WeakMap<SealedSegment, Map<number, { readonly sorted: Int32Array; readonly all: Int32Array }>>();

/** A single-column sorted index's positions (no NULLs) with the column's NULL positions after them, made once per segment. */
function withNulls(seg: SealedSegment, column: number, sorted: Int32Array): Int32Array {
  if (sorted.length === seg.length) return sorted;
  let byColumn = nullsLast.get(seg);
  if (!byColumn) nullsLast.set(seg, (byColumn = new Map()));
  const known = byColumn.get(column);
  if (known && known.sorted === sorted) return known.all;
  const nulls = seg.nullMap(column);
  const all = new Int32Array(seg.length);
  all.set(sorted);
  let at = sorted.length;
  if (nulls) for (let pos = 0; pos < nulls.length; pos++) if (nulls[pos]) all[at++] = pos;
  const out = all.subarray(0, at);
  byColumn.set(column, { sorted, all: out });
  return out;
}

/** A sealed segment's positions in the key tuple's range (sorted-tuple.ts), in key order; undefined while its index is not built. */
export function tuplePositions(seg: Segment, spec: IndexScanSpec): Int32Array | undefined {
  if (!(seg instanceof SealedSegment)) return undefined;
  return seg.sortedTuple(spec.columns, spec.types)?.candidates(spec.conditions, spec.rowBounds);
}

/**
 * Whether the scan goes through the key tuple's index: the conditions bound more than the
 * first column (a = 1 AND b > 5), or the rows are ordered on more than it (ORDER BY a, b).
 */
export function throughTuple(spec: IndexScanSpec): boolean {
  if (spec.columns.length < 2) return false;
  if (spec.rowBounds?.length) return true;
  if (spec.order && (spec.orderColumns ?? 1) > 1) return true;
  const bounds = tupleBounds(spec.types, spec.conditions);
  return bounds !== undefined && Math.max(bounds.low.key.length, bounds.high.key.length) > 1;
}

export function* indexScan(input: IndexScanInput, spec: IndexScanSpec): Iterable<RowBatch> {
  // contradictory conditions (a = 1 AND a = 2): no row
  if (!tupleBounds(spec.types, spec.conditions)) return;
  if (spec.order) yield* orderedScan(input, spec, spec.order);
  else yield* rangeScan(input, spec);
}

/** A sealed segment's positions where the column is NULL (`col IS NULL` through a btree), in position order. */
export function nullPositions(seg: SealedSegment, column: number): Int32Array {
  const nulls = seg.nullMap(column);
  if (!nulls) return new Int32Array(0);
  const out = new Int32Array(seg.nullCount(column));
  let at = 0;
  for (let pos = 0; pos < nulls.length; pos++) if (nulls[pos]) out[at++] = pos;
  return out.subarray(0, at);
}

function* rangeScan(input: IndexScanInput, spec: IndexScanSpec): Iterable<RowBatch> {
  const tuple = throughTuple(spec);
  const bounded = spec.conditions.some((c) => c.length > 0);
  for (const seg of input.segments) {
    const end = input.end(seg);
    // a key tuple's index not built yet: the first column's, else the whole segment
    const inOrder = spec.leadingIsNull && seg instanceof SealedSegment ? nullPositions(seg, spec.columns[0]!)
      : !bounded ? undefined
      : seg instanceof GrowingSegment ? growingKeyOrder(seg, spec.columns, spec.types).candidates(spec.conditions, spec.rowBounds).filter((pos) => pos < end)
      : (tuple && tuplePositions(seg, spec)) || (spec.conditions[0]?.length ? columnPositions(seg, spec) : undefined);
    yield* rowsAtPositions(input, seg, end, inOrder ? Int32Array.from(inOrder).sort() : undefined);
  }
  if (input.pending.length) {
    input.heapFetched?.(input.pending.length);
    yield { rowIds: input.pending.map((e) => e[0]), rows: input.pending.map((e) => e[1]) };
  }
}

/** A segment's visible rows at `positions` (ascending; undefined: every position below `end`), MAX_BATCH at a time. */
export function* rowsAtPositions(input: IndexScanInput, seg: Segment, end: number, positions: ArrayLike<number> | undefined): Iterable<RowBatch> {
  if (positions && input.columns && seg instanceof SealedSegment) {
    yield* sealedRowsAt(input, seg, end, positions, input.columns);
    return;
  }
  const n = positions ? positions.length : end;
  for (let start = 0; start < n; start += MAX_BATCH) {
    const rowIds: RowId[] = [];
    const rows: Row[] = [];
    for (let i = start; i < Math.min(n, start + MAX_BATCH); i++) {
      const pos = positions ? positions[i] : i;
      if (pos >= end || !input.visible(seg, pos)) continue;
      rowIds.push(seg.rowIdAt(pos));
      rows.push(rowAt(input, seg, pos));
    }
    if (rows.length) yield { rowIds, rows };
  }
}

/**
 * A sealed segment's visible rows at `positions` (ascending), only `columns` decoded, a
 * chunk at a time (SealedSegment.rowsAt): what an Index Only Scan reads of a segment —
 * its key columns, not the rows.
 */
function* sealedRowsAt(input: IndexScanInput, seg: SealedSegment, end: number, positions: ArrayLike<number>, columns: readonly number[]): Iterable<RowBatch> {
  const n = positions.length;
  const kept = new Int32Array(Math.min(n, MAX_BATCH));
  for (let start = 0; start < n; start += MAX_BATCH) {
    let m = 0;
    let fetched = 0;
    for (let i = start; i < Math.min(n, start + MAX_BATCH); i++) {
      const pos = positions[i]!;
      if (pos >= end || !input.visible(seg, pos)) continue;
      kept[m++] = pos;
      if (input.heapFetched && !input.allVisible?.(seg, pos)) fetched++;
    }
    if (!m) continue;
    if (fetched) input.heapFetched!(fetched);
    const rowIds: RowId[] = new Array(m);
    const rows = seg.rowsAt(kept.subarray(0, m), columns, rowIds);
    yield { rowIds, rows };
  }
}

/** One ordered input of the merge: its next row, or undefined when done. */
interface Cursor {
  head: { rowId: RowId; row: Row } | undefined;
  advance(): void;
}

/** `accept`: whether a visible row belongs to the scan (all do when absent) */
function positionsCursor(seg: Segment, positions: Int32Array, desc: boolean, input: IndexScanInput, accept?: (pos: number, row: Row) => boolean): Cursor {
  let i = desc ? positions.length - 1 : 0;
  const c: Cursor = {
    head: undefined,
    advance() {
      c.head = undefined;
      while (desc ? i >= 0 : i < positions.length) {
        const pos = positions[i];
        i += desc ? -1 : 1;
        if (!input.visible(seg, pos)) continue;
        if (accept && !accept(pos, seg.row(pos))) continue;
        const row = rowAt(input, seg, pos);
        c.head = { rowId: seg.rowIdAt(pos), row };
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
function sortsUnderWay(segments: readonly Segment[], spec: IndexScanSpec, tuple: boolean): Promise<unknown> | undefined {
  const builds: Promise<unknown>[] = [];
  for (const seg of segments) {
    if (!(seg instanceof SealedSegment)) continue;
    if (tuple) {
      if (!tuplePositions(seg, spec)) builds.push(seg.sortedTupleBuilt(spec.columns, spec.types));
      continue;
    }
    // a boolean column's order is made at once (sortedBools)
    if (spec.types[0]!.oid === OID.bool || columnPositions(seg, spec)) continue;
    builds.push(PACKED.has(spec.types[0]!.oid) ? seg.sortedValuesBuilt(spec.columns[0]!, spec.types[0]!) : seg.sortedColumnBuilt(spec.columns[0]!));
  }
  return builds.length ? Promise.all(builds).catch(() => undefined) : undefined;
}

/** Rows in the order of their first `n` key columns (NULLs last), reversed for `desc`: the index's order, forward or backward. */
function rowOrder(spec: IndexScanSpec, n: number, desc: boolean): (a: Row, b: Row) => number {
  const sign = desc ? -1 : 1;
  return (a, b) => {
    for (let k = 0; k < n; k++) {
      const col = spec.columns[k]!;
      const x = a[col], y = b[col];
      const xNull = x === null || x === undefined, yNull = y === null || y === undefined;
      const d = xNull || yNull ? Number(xNull) - Number(yNull) : compareValues(spec.types[k]!, x, y);
      if (d !== 0) return d * sign;
    }
    return 0;
  };
}

function* orderedScan(input: IndexScanInput, spec: IndexScanSpec, order: 'asc' | 'desc'): Iterable<RowBatch> {
  const desc = order === 'desc';
  const tuple = throughTuple(spec);
  const cmp = rowOrder(spec, tuple ? Math.max(1, spec.orderColumns ?? 1) : 1, desc);
  // a caller that can wait for the worker's sort does (RowBatch.wait); else the rows of a
  // segment whose index is still being built are sorted below, as before
  const wait = sortsUnderWay(input.segments, spec, tuple);
  if (wait) yield { rowIds: [], rows: [], wait };
  const cursors: Cursor[] = [];
  const loose: { rowId: RowId; row: Row }[] = [];
  for (const seg of input.segments) {
    const end = input.end(seg);
    if (seg instanceof GrowingSegment) {
      // its rows in the whole key's order (a refinement of the first column's), brought up to date
      const positions = growingKeyOrder(seg, spec.columns, spec.types).candidates(spec.conditions, spec.rowBounds);
      cursors.push(positionsCursor(seg, positions, desc, input, (pos, row) => pos < end && meets(row, spec)));
      continue;
    }
    const positions = tuple ? tuplePositions(seg, spec) : columnPositions(seg, spec);
    if (positions) {
      cursors.push(positionsCursor(seg, positions, desc, input));
      continue;
    }
    // a sealed segment whose sorted index is not built yet: sorted here
    for (let pos = 0; pos < end; pos++) {
      if (!input.visible(seg, pos)) continue;
      const row = seg.row(pos);
      if (meets(row, spec)) loose.push({ rowId: seg.rowIdAt(pos), row: rowAt(input, seg, pos) });
    }
  }
  for (const [rowId, row] of input.pending) if (meets(row, spec)) { input.heapFetched?.(1); loose.push({ rowId, row }); }
  if (loose.length) cursors.push(rowsCursor(loose.sort((a, b) => cmp(a.row, b.row))));
  yield* mergeCursors(cursors, (a, b) => cmp(a.row, b.row));
}

/**
 * The ordered inputs merged (`cmp` orders their heads), in batches that start small and
 * grow, so a LIMIT above stops after a few rows.
 */
export function* mergeCursors<H extends { readonly rowId: RowId; readonly row: Row }>(cursors: readonly { head: H | undefined; advance(): void }[], cmp: (a: H, b: H) => number): Iterable<RowBatch> {
  let size = 16;
  for (;;) {
    const rowIds: RowId[] = [];
    const rows: Row[] = [];
    while (rows.length < size) {
      let best: { head: H | undefined; advance(): void } | undefined;
      for (const c of cursors) if (c.head && (!best || cmp(c.head, best.head!) < 0)) best = c;
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
