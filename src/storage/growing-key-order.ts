/**
 * A growing segment's rows in the order of a B-tree key, kept per segment and key and
 * brought up to date when a scan asks for it: the rows appended since are sorted and
 * merged in (new × log all comparisons, instead of reading and sorting every row per query). A
 * range or ordered index scan then reads the growing segment the way it reads a sealed
 * segment's sorted index (sorted-tuple.ts: NULLs last per column, ties by position).
 *
 * The growing segment only appends (deletes are tombstones, tested by the scan), so
 * positions keep their rows; when it is cut (cutAfter, before a seal), positions past its
 * new length are dropped. A sealed segment replaces it: the order goes with it.
 */
import { compareValues } from '../types/compare.js';
import type { SqlType } from '../types/types.js';
import type { GrowingSegment } from './segment.js';
import { SortedTuple } from './sorted-tuple.js';

interface KeyOrder {
  /** the positions below `upTo`, in key order */
  readonly positions: Int32Array;
  readonly upTo: number;
}

const orders = new WeakMap<GrowingSegment, Map<string, KeyOrder>>();

/** The segment's rows, up to its present length, in the order of the key `columns` of `types`. */
export function growingKeyOrder(seg: GrowingSegment, columns: readonly number[], types: readonly SqlType[]): SortedTuple {
  let byKey = orders.get(seg);
  if (!byKey) orders.set(seg, (byKey = new Map()));
  const key = columns.join(',');
  const compare = (a: number, b: number): number => {
    const x = seg.data[a]!, y = seg.data[b]!;
    for (let k = 0; k < columns.length; k++) {
      const u = x[columns[k]!], v = y[columns[k]!];
      const uNull = u === null || u === undefined, vNull = v === null || v === undefined;
      const d = uNull || vNull ? Number(uNull) - Number(vNull) : compareValues(types[k]!, u, v);
      if (d !== 0) return d;
    }
    return a - b;
  };
  const n = seg.length;
  let order = byKey.get(key) ?? { positions: new Int32Array(0), upTo: 0 };
  if (n < order.upTo) order = { positions: order.positions.filter((p) => p < n), upTo: n };
  else if (n > order.upTo) {
    const added = new Int32Array(n - order.upTo);
    for (let i = 0; i < added.length; i++) added[i] = order.upTo + i;
    order = { positions: merge(order.positions, added.sort(compare), compare), upTo: n };
  }
  byKey.set(key, order);
  return new SortedTuple(order.positions, types, (pos, k) => seg.data[pos]![columns[k]!] ?? null);
}

/**
 * The ascending `a` with the (few, ascending) `b` merged in: each of b's rows is placed by a
 * binary search and a's runs between them copied whole, so merging m new rows into n costs
 * m × log n comparisons and a copy of n positions.
 */
function merge(a: Int32Array, b: Int32Array, compare: (x: number, y: number) => number): Int32Array {
  if (!a.length) return b;
  const out = new Int32Array(a.length + b.length);
  let from = 0, o = 0;
  for (const x of b) {
    let lo = from, hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (compare(a[m]!, x) < 0) lo = m + 1;
      else hi = m;
    }
    out.set(a.subarray(from, lo), o);
    o += lo - from;
    from = lo;
    out[o++] = x;
  }
  out.set(a.subarray(from), o);
  return out;
}
