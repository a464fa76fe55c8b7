/**
 * A sealed segment's sorted index on the key of a multi-column B-tree index `(a, b, …)`:
 * every position (NULLs included) in the order of the key tuple — column by column in the
 * type's order (types/compare.ts), NULLs last as in a PostgreSQL btree, ties by position.
 * It lets a range scan read only `a = 1 AND b > 5` (an equality prefix and a range on the
 * next column) and an ordered scan return `ORDER BY a, b` or `WHERE a = 1 ORDER BY b`
 * without a sort. The index keeps only the positions (4 bytes a row); a binary search reads
 * the keys it probes from the segment.
 *
 * The sort runs in the sorted column worker (sorted-column-build.ts): each column is ranked
 * there (its values sorted as sorted-column.ts / sorted-values.ts sort them, equal values
 * given one rank; a boolean's rank is its value), then the positions are ordered by their
 * ranks.
 */
import { compareValues } from '../types/compare.js';
import { compareNumeric } from '../types/numeric.js';
import type { SqlType, Value } from '../types/types.js';
import type { IndexCondition, IndexRowBound, PackedTexts } from './api.js';
import type { NumberChunk } from './sorted-column-build.js';
import { sortKeys } from './sorted-column.js';
import { compareBytes, sortPackedPositions, type TextOrder } from './sorted-values.js';

/** One key column as the worker receives it: a numeric column's record batches, or packed UTF-8 values. */
export type TupleColumnData =
  | { readonly chunks: readonly NumberChunk[] }
  | { readonly texts: PackedTexts; readonly order: TextOrder }
  /** a boolean column, a byte a row: 0 false, 1 true, 2 NULL */
  | { readonly flags: Uint8Array };

/** The value of each position of `length` rows given as number chunks (null where NULL). */
function chunkValues(length: number, chunks: readonly NumberChunk[]): (number | bigint | null)[] {
  const out: (number | bigint | null)[] = new Array(length).fill(null);
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) {
      if (c.validity) {
        const b = i + c.bitOffset;
        if (((c.validity[b >> 3]! >> (b & 7)) & 1) === 0) continue;
      }
      out[c.start + i] = c.values[i]!;
    }
  }
  return out;
}

/** rank[pos]: 0 for the least value, equal values one rank; NULL ranks above all (`length`) */
function ranksOf(length: number, sorted: Int32Array, same: (a: number, b: number) => boolean): Int32Array {
  const rank = new Int32Array(length).fill(length);
  let r = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && !same(sorted[i - 1]!, sorted[i]!)) r++;
    rank[sorted[i]!] = r;
  }
  return rank;
}

function columnRanks(length: number, col: TupleColumnData): Int32Array {
  if ('flags' in col) return Int32Array.from(col.flags, (f) => (f === 2 ? length : f));
  if ('chunks' in col) {
    const values = chunkValues(length, col.chunks);
    const keys = sortKeys(length, (pos) => values[pos]);
    if (!keys) throw new Error('a key column does not hold numbers');
    // NaN equals NaN in a btree; -0 equals 0
    return ranksOf(length, keys.positions, (a, b) => values[a] === values[b] || (Number.isNaN(values[a]) && Number.isNaN(values[b])));
  }
  const { texts, order } = col;
  const sorted = sortPackedPositions(texts, order);
  const { bytes, offsets } = texts;
  if (order === 'text') return ranksOf(length, sorted, (a, b) => compareBytes(bytes, offsets[a]!, offsets[a + 1]!, offsets[b]!, offsets[b + 1]!) === 0);
  const decoder = new TextDecoder();
  const text = (pos: number) => decoder.decode(bytes.subarray(offsets[pos], offsets[pos + 1]));
  return ranksOf(length, sorted, (a, b) => compareNumeric(text(a), text(b)) === 0);
}

/** Every position of `length` rows in the order of the key tuple made of `columns` (worker side). */
export function sortTuplePositions(length: number, columns: readonly TupleColumnData[]): Int32Array {
  const ranks = columns.map((c) => columnRanks(length, c));
  const positions = new Int32Array(length);
  for (let i = 0; i < length; i++) positions[i] = i;
  if (ranks.length === 2) {
    // one number a position: ranks are below 2^31, so r0 × (length + 1) + r1 stays exact
    const [r0, r1] = ranks as [Int32Array, Int32Array];
    const key = new Float64Array(length);
    for (let i = 0; i < length; i++) key[i] = r0[i]! * (length + 1) + r1[i]!;
    return positions.sort((a, b) => key[a]! - key[b]! || a - b);
  }
  return positions.sort((a, b) => {
    for (const r of ranks) {
      const d = r[a]! - r[b]!;
      if (d !== 0) return d;
    }
    return a - b;
  });
}

/** above every non-NULL value of a column and below NULL: the end of a range with no upper bound */
const TOP = Symbol('top');
type KeyPart = Value | typeof TOP;

/** The bound of a range over key tuples: rows whose leading key.length columns compare with `key`. */
interface TupleBound {
  readonly key: readonly KeyPart[];
  readonly strict: boolean;
}

/**
 * The key range that the conditions bound (per key column, its conditions): the columns
 * fixed by `=` from the first on, then the next column's range (PostgreSQL's btree
 * boundary keys). The conditions on later columns do not narrow it; the caller tests them.
 * Undefined: no row can meet the conditions (a = 1 AND a = 2, a > 5 AND a < 3).
 */
export function tupleBounds(types: readonly SqlType[], conditions: readonly (readonly IndexCondition[])[]): { low: TupleBound; high: TupleBound } | undefined {
  const low: KeyPart[] = [], high: KeyPart[] = [];
  for (let k = 0; k < types.length; k++) {
    const type = types[k]!;
    let lo: { v: Value; strict: boolean } | undefined, hi: { v: Value; strict: boolean } | undefined;
    for (const c of conditions[k] ?? []) {
      if (c.op === '=' || c.op === '>' || c.op === '>=') {
        const strict = c.op === '>';
        const d = lo ? compareValues(type, c.value, lo.v) : 1;
        if (d > 0 || (d === 0 && strict)) lo = { v: c.value, strict };
      }
      if (c.op === '=' || c.op === '<' || c.op === '<=') {
        const strict = c.op === '<';
        const d = hi ? compareValues(type, c.value, hi.v) : -1;
        if (d < 0 || (d === 0 && strict)) hi = { v: c.value, strict };
      }
    }
    if (lo && hi) {
      const d = compareValues(type, lo.v, hi.v);
      if (d > 0 || (d === 0 && (lo.strict || hi.strict))) return undefined;
      if (d === 0) {
        // fixed: the next column may bound the range further
        low.push(lo.v);
        high.push(hi.v);
        continue;
      }
    }
    if (!lo && !hi) return { low: { key: low, strict: false }, high: { key: high, strict: false } };
    if (lo) low.push(lo.v);
    // no upper bound: up to the column's NULLs, which no condition lets through
    high.push(hi ? hi.v : TOP);
    return { low: { key: low, strict: lo?.strict ?? false }, high: { key: high, strict: hi ? hi.strict : true } };
  }
  return { low: { key: low, strict: false }, high: { key: high, strict: false } };
}

export class SortedTuple {
  constructor(
    /** every position, in key order */
    private readonly positions: Int32Array,
    private readonly types: readonly SqlType[],
    /** the value of key column k at a position */
    private readonly read: (pos: number, k: number) => Value,
  ) {}

  /** every position in key order */
  inKeyOrder(): Int32Array {
    return this.positions;
  }

  /**
   * The positions, in key order, inside the range the conditions bound (tupleBounds): a
   * superset of the rows that meet every condition, exactly those meeting the bounding ones.
   */
  candidates(conditions: readonly (readonly IndexCondition[])[], rowBounds: readonly IndexRowBound[] = []): Int32Array {
    const bounds = tupleBounds(this.types, conditions);
    if (!bounds) return new Int32Array(0);
    // low: the first row ≥ key (> key when strict); high: the first row > key (≥ key when strict)
    const low = (key: readonly KeyPart[], strict: boolean) => this.first((pos) => (strict ? this.compare(pos, key) > 0 : this.compare(pos, key) >= 0));
    const high = (key: readonly KeyPart[], strict: boolean) => this.first((pos) => (strict ? this.compare(pos, key) >= 0 : this.compare(pos, key) > 0));
    let from = low(bounds.low.key, bounds.low.strict);
    let to = high(bounds.high.key, bounds.high.strict);
    // a row comparison narrows the range to the tuples past its key (intersected with the above)
    for (const r of rowBounds) {
      if (r.op === '>' || r.op === '>=') from = Math.max(from, low(r.key, r.op === '>'));
      else to = Math.min(to, high(r.key, r.op === '<'));
    }
    return this.positions.subarray(from, Math.max(from, to));
  }

  /** the row's leading key.length columns against `key`: NULL above every value and TOP */
  private compare(pos: number, key: readonly KeyPart[]): number {
    for (let k = 0; k < key.length; k++) {
      const v = this.read(pos, k);
      const part = key[k];
      if (v === null || v === undefined) return 1;
      if (part === TOP) return -1;
      const d = compareValues(this.types[k]!, v, part as Value);
      if (d !== 0) return d;
    }
    return 0;
  }

  /** the first index whose position satisfies `past` (which holds from some index on) */
  private first(past: (pos: number) => boolean): number {
    let a = 0, b = this.positions.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (past(this.positions[m]!)) b = m;
      else a = m + 1;
    }
    return a;
  }
}
