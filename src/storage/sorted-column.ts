/**
 * A sealed segment's scalar index on one column (Milvus's "sort" index for numbers): the
 * positions of its non-NULL rows ordered by value. Built in memory when first asked for (a
 * sealed segment never changes; deleted rows are left to the caller's visibility check) for
 * integer and date/time columns a vector search filters on, with or without a B-tree index
 * (12 bytes a row), in a worker thread (sorted-column-build.ts): until it is there, the
 * search tests every row as it would without it. A range or equality condition then finds
 * its candidate positions by binary search instead of a pass over every row.
 *
 * Keys are the values as doubles (float NaN as Infinity, ordered after it). For int8 beyond 2^53 that rounds, but monotonically, so
 * inclusive bounds over the rounded keys still hold every row that meets the condition:
 * the candidates are a superset, and the caller tests its whole filter on each of them.
 */
import type { ZoneCondition } from './api.js';

/** A sorted column's parts, as plain buffers (what the build worker hands back). */
export interface SortedKeys {
  /** keys[i] is the value at positions[i]; ascending */
  readonly keys: Float64Array;
  readonly positions: Int32Array;
  /** every value is held exactly as a double */
  readonly precise: boolean;
}

/**
 * The column's sorted keys, `read` giving the value at each position; undefined when a value
 * is not a number or bigint (text, numeric, vectors …).
 */
export function sortKeys(length: number, read: (pos: number) => unknown): SortedKeys | undefined {
  const values = new Float64Array(length);
  const present = new Int32Array(length);
  let n = 0;
  let precise = true;
  let nan: Uint8Array | undefined;
  for (let pos = 0; pos < length; pos++) {
    const v = read(pos);
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') {
      if (Number.isNaN(v)) {
        precise = false;
        (nan ??= new Uint8Array(length))[pos] = 1;
      }
      values[pos] = Number.isNaN(v) ? Infinity : v;
    } else if (typeof v === 'bigint') {
      values[pos] = Number(v);
      if (BigInt(values[pos]) !== v) precise = false;
    } else return undefined;
    present[n++] = pos;
  }
  // NaN (keyed Infinity) after Infinity itself, as PostgreSQL orders floats
  const positions = present.slice(0, n).sort(nan ? (a, b) => values[a] - values[b] || nan[a] - nan[b] || a - b : (a, b) => values[a] - values[b] || a - b);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = values[positions[i]];
  return { keys, positions, precise };
}

export class SortedColumn {
  private constructor(
    /** keys[i] is the value at positions[i]; ascending */
    private readonly keys: Float64Array,
    private readonly positions: Int32Array,
    /** every value is held exactly as a double (no int8 past 2^53, no NaN): bounds are exact */
    readonly precise: boolean,
  ) {}

  /** undefined when a value is not a number or bigint (text, numeric, vectors …) */
  static build(length: number, read: (pos: number) => unknown): SortedColumn | undefined {
    const sorted = sortKeys(length, read);
    return sorted && SortedColumn.of(sorted);
  }

  static of(sorted: SortedKeys): SortedColumn {
    return new SortedColumn(sorted.keys, sorted.positions, sorted.precise);
  }

  /**
   * The positions whose value may meet every condition (all on this column), or undefined
   * when the conditions do not bound the column. With `exact` (only for a precise column
   * and conditions whose values are exact doubles) the bounds keep their strictness and the
   * result is exactly the rows that meet the conditions; otherwise bounds are inclusive and
   * the result is a superset.
   */
  candidates(conditions: readonly { readonly op: ZoneCondition['op']; readonly value: number | bigint }[], exact = false): Int32Array | undefined {
    let lo = -Infinity, loStrict = false;
    let hi = Infinity, hiStrict = false;
    let bounded = false;
    for (const c of conditions) {
      // a NaN bound is at the top, with the NaN keys (Infinity): inclusive, a superset
      const v = Number.isNaN(Number(c.value)) ? Infinity : Number(c.value);
      const strict = exact && (c.op === '<' || c.op === '>');
      if (c.op === '=' || c.op === '>' || c.op === '>=') {
        if (v > lo || (v === lo && strict)) { lo = v; loStrict = strict; }
        bounded = true;
      }
      if (c.op === '=' || c.op === '<' || c.op === '<=') {
        if (v < hi || (v === hi && strict)) { hi = v; hiStrict = strict; }
        bounded = true;
      }
    }
    if (!bounded) return undefined;
    if (lo > hi) return new Int32Array(0);
    const from = this.bound(lo, loStrict);
    const to = this.bound(hi, !hiStrict);
    return this.positions.subarray(from, Math.max(from, to));
  }

  /** whether `candidates(conditions, true)` is exact for these conditions */
  exactFor(conditions: readonly ZoneCondition[]): boolean {
    return this.precise && conditions.every((c) => typeof c.value === 'number' ? Number.isFinite(c.value) : BigInt(Number(c.value)) === c.value);
  }

  /** every non-NULL position, in key order */
  inKeyOrder(): Int32Array {
    return this.positions;
  }

  /** the first index whose key is ≥ v, or > v with `above` */
  private bound(v: number, above: boolean): number {
    let a = 0, b = this.keys.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (this.keys[m] < v || (above && this.keys[m] === v)) a = m + 1;
      else b = m;
    }
    return a;
  }
}
