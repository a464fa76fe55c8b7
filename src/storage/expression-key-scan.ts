/**
 * An ordered scan through an expression index's key (`ORDER BY lower(email) LIMIT 10` over
 * `CREATE INDEX ON users (lower(email))`): the rows in the order of the key the engine's
 * function computes from the indexed column (UniqueKeySpec.expression), NULL keys last
 * (first backward), as a btree has them.
 *
 * A sealed segment's positions in key order are made once, when a scan first asks (the
 * function applied to each row's column on this thread, a slice at a time between turns of
 * the event loop when the caller can wait: a segment never changes, deleted rows are left to
 * the visibility test); the growing segment's rows and the transaction's own are sorted per
 * scan. The segments are merged a few rows at a time, in batches that
 * grow, so a LIMIT above stops after a few rows. Every row is still tested by the caller's
 * whole filter.
 */
import { compareValues } from '../types/compare.js';
import { sortInSteps } from '../types/stepwise-sort.js';
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
const sealedOrders = new WeakMap<SealedSegment, Map<string, KeyOrder>>();

type KeyOrder = { positions: Int32Array; keys: Value[] };

/**
 * The work of ordering positions [0, end) of a segment by key (NULLs last, ties by position),
 * each position's key kept: `step(deadline)` does it until the deadline (performance.now()),
 * true once `result` is there — the keys computed, then the positions sorted, a step at a
 * time when there is a deadline, in one go when there is none.
 */
function keyOrderWork(seg: Segment, end: number, o: Omit<ExpressionKeyOrder, 'desc'>): { step(deadline: number): boolean; result?: KeyOrder } {
  const keys: Value[] = new Array(end);
  const byKeyThenPosition = (a: number, b: number) => compareKeys(o.type, keys[a]!, keys[b]!) || a - b;
  let next = 0;
  let sorting: Generator<void, number[], void> | undefined;
  const work: { step(deadline: number): boolean; result?: KeyOrder } = {
    step(deadline) {
      if (work.result) return true;
      while (next < end) {
        keys[next] = o.toKey(seg.keyRow(next, [o.column])[o.column] ?? null);
        next++;
        if ((next & 255) === 0 && performance.now() > deadline) return false;
      }
      if (!sorting && deadline === Infinity) {
        work.result = { positions: Int32Array.from({ length: end }, (_, i) => i).sort(byKeyThenPosition), keys };
        return true;
      }
      sorting ??= sortInSteps(Array.from({ length: end }, (_, i) => i), byKeyThenPosition);
      for (let step = sorting.next(); ; step = sorting.next()) {
        if (step.done) { work.result = { positions: Int32Array.from(step.value), keys }; return true; }
        if (performance.now() > deadline) return false;
      }
    },
  };
  return work;
}

/** positions [0, end) of a segment in ascending key order, with each position's key */
function keyOrder(seg: Segment, end: number, o: Omit<ExpressionKeyOrder, 'desc'>): KeyOrder {
  const work = keyOrderWork(seg, end, o);
  work.step(Infinity);
  return work.result!;
}

function compareKeys(type: SqlType, x: Value, y: Value): number {
  const xNull = x === null || x === undefined, yNull = y === null || y === undefined;
  return xNull || yNull ? Number(xNull) - Number(yNull) : compareValues(type, x, y);
}

function sealedOrder(seg: SealedSegment, o: Omit<ExpressionKeyOrder, 'desc'>): KeyOrder {
  let byKey = sealedOrders.get(seg);
  if (!byKey) sealedOrders.set(seg, (byKey = new Map()));
  let order = byKey.get(o.key);
  if (!order) {
    // a time-sliced build under way (sealedOrderBuild) is finished here at once
    const build = builds.get(seg)?.get(o.key);
    order = build ? build.finish() : keyOrder(seg, seg.length, o);
    byKey.set(o.key, order);
  }
  return order;
}

/** the event loop's turn between slices of a key-order build */
const SLICE_MS = 4;

interface OrderBuild {
  readonly done: Promise<void>;
  /** the rest of the work done now (a caller that cannot wait) */
  finish(): KeyOrder;
}
const builds = new WeakMap<SealedSegment, Map<string, OrderBuild>>();

/**
 * A sealed segment's key order made a slice at a time, the event loop turning between
 * slices (the keys computed, then the positions sorted), so the first ordered or range read
 * of a big segment does not hold every other session (200k rows took ~0.5 s in one go).
 * undefined when the order is there already.
 */
function sealedOrderBuild(seg: SealedSegment, o: Omit<ExpressionKeyOrder, 'desc'>): Promise<void> | undefined {
  if (sealedOrders.get(seg)?.has(o.key)) return undefined;
  let byKey = builds.get(seg);
  if (!byKey) builds.set(seg, (byKey = new Map()));
  const running = byKey.get(o.key);
  if (running) return running.done;
  const work = keyOrderWork(seg, seg.length, o);
  const turn = () => new Promise<void>((r) => setImmediate(r));
  const build: OrderBuild = {
    done: (async () => {
      while (!work.step(performance.now() + SLICE_MS)) await turn();
      byKey!.delete(o.key);
      let orders = sealedOrders.get(seg);
      if (!orders) sealedOrders.set(seg, (orders = new Map()));
      if (!orders.has(o.key)) orders.set(o.key, work.result!);
    })(),
    finish: () => { work.step(Infinity); return work.result!; },
  };
  byKey.set(o.key, build);
  return build.done;
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

/**
 * Starts making the sealed segments' key orders a slice at a time: settles when they are made,
 * undefined when they are there already (a scan that can wait yields RowBatch.wait with it).
 */
export function sealedOrdersBuilding(segments: readonly Segment[], o: Omit<ExpressionKeyOrder, 'desc'>): Promise<unknown> | undefined {
  const waits = segments.flatMap((seg) => (seg instanceof SealedSegment ? [sealedOrderBuild(seg, o)] : [])).filter((w) => w !== undefined);
  return waits.length ? Promise.all(waits) : undefined;
}

export function* expressionKeyScan(input: IndexScanInput, o: ExpressionKeyOrder): Iterable<RowBatch> {
  const wait = sealedOrdersBuilding(input.segments, o);
  if (wait) yield { rowIds: [], rows: [], wait };
  const cursors = [...input.segments.map((seg) => segmentCursor(input, seg, input.end(seg), o)), pendingCursor(input, o)];
  const sign = o.desc ? -1 : 1;
  yield* mergeCursors(cursors, (a, b) => sign * compareKeys(o.type, a.key, b.key));
}
