/**
 * PostgreSQL's Bitmap Heap Scan over B-tree indexes: per segment, each Bitmap Index Scan's
 * positions (the sorted index's range, as index-scan.ts reads it), united for a BitmapOr and
 * intersected for a BitmapAnd, then the rows at those positions in position order.
 *
 *   SELECT … FROM t WHERE a = 1 OR a = 5 OR b = 7           (indexes on a and b)
 *
 * A sealed segment whose sorted index is not built yet, or a leaf that cannot narrow it,
 * gives every position (PostgreSQL's lossy page: every row is rechecked anyway); so does
 * the growing segment for an OR arm it cannot bound. The transaction's own rows are all
 * handed on. The caller tests every row with the scan's whole filter (the Recheck Cond).
 */
import type { SqlType } from '../types/types.js';
import type { BitmapScanSpec, RowBatch } from './api.js';
import { columnPositions, nullPositions, rowsAtPositions, throughTuple, tuplePositions, type IndexScanInput, type IndexScanSpec } from './index-scan.js';
import { GrowingSegment, SealedSegment, type Segment } from './segment.js';
import { growingKeyOrder } from './growing-key-order.js';
import { tupleBounds } from './sorted-tuple.js';
import { expressionKeyPositions, sealedOrdersBuilding, type ExpressionKeyOrder } from './expression-key-scan.js';

/** Positions in ascending order, no repeats; undefined: every position of the segment. */
type Positions = Int32Array | undefined;

function leafPositions(seg: Segment, end: number, spec: IndexScanSpec): Positions {
  // contradictory conditions (a = 1 AND a = 2): none
  if (!tupleBounds(spec.types, spec.conditions)) return new Int32Array(0);
  // `col IS NULL`: the column's NULL rows, already in position order
  if (spec.leadingIsNull && seg instanceof SealedSegment) return nullPositions(seg, spec.columns[0]!);
  if (!spec.conditions.some((c) => c.length > 0)) return undefined;
  const inKeyOrder = seg instanceof GrowingSegment
    ? growingKeyOrder(seg, spec.columns, spec.types).candidates(spec.conditions, spec.rowBounds).filter((pos) => pos < end)
    : (throughTuple(spec) && tuplePositions(seg, spec)) || (spec.conditions[0]?.length ? columnPositions(seg, spec) : undefined);
  return inKeyOrder ? Int32Array.from(inKeyOrder).sort() : undefined;
}

function union(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i] : Infinity;
    const y = j < b.length ? b[j] : Infinity;
    const v = x <= y ? x : y;
    if (x === v) i++;
    if (y === v) j++;
    out[n++] = v;
  }
  return out.subarray(0, n);
}

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0, j = 0, n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else { out[n++] = a[i]; i++; j++; }
  }
  return out.subarray(0, n);
}

type Counted = ((leaf: BitmapScanSpec, positions: number) => void) | undefined;

/** How a bitmap's leaves read their keys: a column's type, an expression key's order (its function) */
export interface BitmapKeys {
  typeOf(column: number): SqlType;
  expressionKey(keyName: string): Omit<ExpressionKeyOrder, 'desc'>;
}

function treePositions(seg: Segment, end: number, tree: BitmapScanSpec, keys: BitmapKeys, counted: Counted): Positions {
  if (tree.kind === 'index' && tree.keyName !== undefined) {
    const p = expressionKeyPositions(seg, end, keys.expressionKey(tree.keyName), tree.conditions[0] ?? []);
    counted?.(tree, p.length);
    return p;
  }
  if (tree.kind === 'index') {
    const typeOf = (c: number) => keys.typeOf(c);
    const p = leafPositions(seg, end, { columns: tree.columns, conditions: tree.conditions, types: tree.columns.map(typeOf), ...(tree.leadingIsNull ? { leadingIsNull: true } : {}), ...(tree.rowBounds ? { rowBounds: tree.rowBounds } : {}) });
    counted?.(tree, p ? p.length : end);
    return p;
  }
  let acc: Positions;
  let first = true;
  for (const arg of tree.args) {
    const p = treePositions(seg, end, arg, keys, counted);
    if (tree.kind === 'or') {
      // any arm that cannot narrow the segment: all of it
      if (!p) return undefined;
      acc = first ? p : union(acc!, p);
    } else if (p) {
      acc = acc ? intersect(acc, p) : p;
    }
    first = false;
  }
  return acc;
}

/** the expression keys a bitmap tree reads */
function expressionKeyNames(tree: BitmapScanSpec): string[] {
  if (tree.kind === 'index') return tree.keyName !== undefined ? [tree.keyName] : [];
  return tree.args.flatMap(expressionKeyNames);
}

export function* bitmapScan(input: IndexScanInput, tree: BitmapScanSpec, keys: BitmapKeys, counted?: Counted): Iterable<RowBatch> {
  // sealed segments' expression key orders are made a slice at a time when the caller can wait
  const waits = expressionKeyNames(tree).map((name) => sealedOrdersBuilding(input.segments, keys.expressionKey(name))).filter((w) => w !== undefined);
  if (waits.length) yield { rowIds: [], rows: [], wait: Promise.all(waits) };
  for (const seg of input.segments) {
    const end = input.end(seg);
    yield* rowsAtPositions(input, seg, end, treePositions(seg, end, tree, keys, counted));
  }
  if (input.pending.length) yield { rowIds: input.pending.map((e) => e[0]), rows: input.pending.map((e) => e[1]) };
}
