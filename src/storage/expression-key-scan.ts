/**
 * An ordered scan through an expression index's key (`ORDER BY lower(email) LIMIT 10` over
 * `CREATE INDEX ON users (lower(email))`): the rows in the order of the key the engine's
 * function computes from the indexed column (UniqueKeySpec.expression), NULL keys last
 * (first backward), as a btree has them.
 *
 * A sealed segment's positions in key order are made once, when a scan first asks (the
 * function applied to each row's column on this thread: a segment never changes, deleted
 * rows are left to the visibility test); the growing segment's rows and the transaction's
 * own are sorted per scan. The segments are merged a few rows at a time, in batches that
 * grow, so a LIMIT above stops after a few rows. Every row is still tested by the caller's
 * whole filter.
 */
import { compareValues } from '../types/compare.js';
import type { Row, SqlType, Value } from '../types/types.js';
import type { IndexCondition, RowBatch, RowId, ToIndexKey } from './api.js';
import { mergeCursors, rowAt, type IndexScanInput } from './index-scan.js';
import { SealedSegment, type Segment } from './segment.js';

export interface ExpressionKeyOrder {
  /** the indexed column */
  readonly column: number;
  /** the key's type (its order) */
  readonly type: SqlType;
  /** names the key (UniqueKeySpec.expression.key): a segment's order is kept per key */
  readonly key: string;
  readonly toKey: ToIndexKey;
  readonly desc: boolean;
}

/** sealed segment → expression key → its positions in ascending key order, NULL keys last, with their keys */
const sealedOrders = new WeakMap<SealedSegment, Map<string, { readonly positions: Int32Array; readonly keys: Value[] }>>();

/** positions [0, end) of a segment in ascending key order (NULLs last, ties by position), with each position's key */
function keyOrder(seg: Segment, end: number, o: Omit<ExpressionKeyOrder, 'desc'>): { positions: Int32Array; keys: Value[] } {
  const keys: Value[] = new Array(end);
  for (let pos = 0; pos < end; pos++) keys[pos] = o.toKey(seg.keyRow(pos, [o.column])[o.column] ?? null);
  const positions = Int32Array.from({ length: end }, (_, i) => i).sort((a, b) => compareKeys(o.type, keys[a]!, keys[b]!) || a - b);
  return { positions, keys };
}

function compareKeys(type: SqlType, x: Value, y: Value): number {
  const xNull = x === null || x === undefined, yNull = y === null || y === undefined;
  return xNull || yNull ? Number(xNull) - Number(yNull) : compareValues(type, x, y);
}

function sealedOrder(seg: SealedSegment, o: Omit<ExpressionKeyOrder, 'desc'>): { positions: Int32Array; keys: Value[] } {
  let byKey = sealedOrders.get(seg);
  if (!byKey) sealedOrders.set(seg, (byKey = new Map()));
  let order = byKey.get(o.key);
  if (!order) byKey.set(o.key, (order = keyOrder(seg, seg.length, o)));
  return order;
}

/** One ordered input of the merge: its next row with its key, or undefined when done. */
interface Cursor {
  head: { rowId: RowId; row: Row; key: Value } | undefined;
  advance(): void;
}

function segmentCursor(input: IndexScanInput, seg: Segment, end: number, o: ExpressionKeyOrder): Cursor {
  const { positions, keys } = seg instanceof SealedSegment ? sealedOrder(seg, o) : keyOrder(seg, end, o);
  let i = o.desc ? positions.length - 1 : 0;
  const c: Cursor = {
    head: undefined,
    advance() {
      c.head = undefined;
      while (o.desc ? i >= 0 : i < positions.length) {
        const pos = positions[i]!;
        i += o.desc ? -1 : 1;
        if (pos >= end || !input.visible(seg, pos)) continue;
        c.head = { rowId: seg.rowIdAt(pos), row: rowAt(input, seg, pos), key: keys[pos]! };
        return;
      }
    },
  };
  c.advance();
  return c;
}

function pendingCursor(input: IndexScanInput, o: ExpressionKeyOrder): Cursor {
  const sign = o.desc ? -1 : 1;
  const entries = input.pending.map(([rowId, row]) => ({ rowId, row, key: o.toKey(row[o.column] ?? null) }))
    .sort((a, b) => sign * compareKeys(o.type, a.key, b.key));
  if (entries.length) input.heapFetched?.(entries.length);
  let i = 0;
  const c: Cursor = { head: undefined, advance() { c.head = entries[i++]; } };
  c.advance();
  return c;
}

/**
 * A segment's positions whose key meets every condition, in position order (a Bitmap Index
 * Scan on the expression index): found in the segment's key order by binary search.
 */
export function expressionKeyPositions(seg: Segment, end: number, o: Omit<ExpressionKeyOrder, 'desc'>, conditions: readonly IndexCondition[]): Int32Array {
  const { positions, keys } = seg instanceof SealedSegment ? sealedOrder(seg, o) : keyOrder(seg, end, o);
  // NULL keys (last) meet no condition: the non-NULL prefix is searched
  let n = positions.length;
  while (n > 0 && (keys[positions[n - 1]!] === null || keys[positions[n - 1]!] === undefined)) n--;
  const first = (meets: (key: Value) => boolean): number => {
    let lo = 0, hi = n;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (meets(keys[positions[m]!]!)) hi = m;
      else lo = m + 1;
    }
    return lo;
  };
  let lo = 0, hi = n;
  for (const c of conditions) {
    const cmp = (key: Value) => compareValues(o.type, key, c.value);
    if (c.op === '>' || c.op === '>=' || c.op === '=') lo = Math.max(lo, first((k) => (c.op === '>' ? cmp(k) > 0 : cmp(k) >= 0)));
    if (c.op === '<' || c.op === '<=' || c.op === '=') hi = Math.min(hi, first((k) => (c.op === '<' ? cmp(k) >= 0 : cmp(k) > 0)));
  }
  const out = lo < hi ? positions.slice(lo, hi).filter((pos) => pos < end) : new Int32Array(0);
  return out.sort();
}

export function* expressionKeyScan(input: IndexScanInput, o: ExpressionKeyOrder): Iterable<RowBatch> {
  const cursors = [...input.segments.map((seg) => segmentCursor(input, seg, input.end(seg), o)), pendingCursor(input, o)];
  const sign = o.desc ? -1 : 1;
  yield* mergeCursors(cursors, (a, b) => sign * compareKeys(o.type, a.key, b.key));
}
