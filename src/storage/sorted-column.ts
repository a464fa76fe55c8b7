/**
 * A sealed segment's scalar index on one column (Milvus's "sort" index for numbers): the
 * positions of its non-NULL rows ordered by value. Built in memory on first use (a sealed
 * segment never changes; deleted rows are left to the caller's visibility check) for
 * columns the user put a B-tree index on. A range or equality condition then finds its
 * candidate positions by binary search instead of a pass over every row.
 *
 * Keys are the values as doubles. For int8 beyond 2^53 that rounds, but monotonically, so
 * inclusive bounds over the rounded keys still hold every row that meets the condition:
 * the candidates are a superset, and the caller tests its whole filter on each of them.
 */
import type { ZoneCondition } from './api.js';

export class SortedColumn {
  private constructor(
    /** keys[i] is the value at positions[i]; ascending */
    private readonly keys: Float64Array,
    private readonly positions: Int32Array,
  ) {}

  /** undefined when a value is not a number or bigint (text, numeric, vectors …) */
  static build(length: number, read: (pos: number) => unknown): SortedColumn | undefined {
    const values = new Float64Array(length);
    const present = new Int32Array(length);
    let n = 0;
    for (let pos = 0; pos < length; pos++) {
      const v = read(pos);
      if (v === null || v === undefined) continue;
      if (typeof v === 'number') values[pos] = Number.isNaN(v) ? Infinity : v;
      else if (typeof v === 'bigint') values[pos] = Number(v);
      else return undefined;
      present[n++] = pos;
    }
    const positions = present.slice(0, n).sort((a, b) => values[a] - values[b] || a - b);
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = values[positions[i]];
    return new SortedColumn(keys, positions);
  }

  /**
   * The positions whose value may meet every condition (all on this column), or undefined
   * when the conditions do not bound the column. Inclusive bounds: a superset.
   */
  candidates(conditions: readonly ZoneCondition[]): Int32Array | undefined {
    let lo = -Infinity;
    let hi = Infinity;
    let bounded = false;
    for (const c of conditions) {
      const v = Number(c.value);
      if (c.op === '=' || c.op === '>' || c.op === '>=') { lo = Math.max(lo, v); bounded = true; }
      if (c.op === '=' || c.op === '<' || c.op === '<=') { hi = Math.min(hi, v); bounded = true; }
    }
    if (!bounded) return undefined;
    if (lo > hi) return new Int32Array(0);
    return this.positions.subarray(this.firstAtLeast(lo), this.firstAbove(hi));
  }

  private firstAtLeast(v: number): number {
    let a = 0, b = this.keys.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.keys[m] < v) a = m + 1;
      else b = m;
    }
    return a;
  }

  private firstAbove(v: number): number {
    let a = 0, b = this.keys.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.keys[m] <= v) a = m + 1;
      else b = m;
    }
    return a;
  }
}
