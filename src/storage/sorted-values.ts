/**
 * A sealed segment's sorted index on a text, varchar or numeric column (sorted-column.ts
 * does numbers): the positions of its non-NULL rows in the type's order (types/compare.ts:
 * text by code point, the "C" collation; numeric by value, NaN last). The sort runs in the
 * sorted column worker (sorted-column-build.ts) over the column's UTF-8 bytes; the index
 * keeps only the positions (4 bytes a row) and reads a key from the segment when a binary
 * search probes it.
 */
import { compareValues } from '../types/compare.js';
import { compareNumeric } from '../types/numeric.js';
import type { SqlType, Value } from '../types/types.js';
import type { IndexCondition, PackedTexts } from './api.js';

/** how a packed column's values order */
export type TextOrder = 'text' | 'numeric';

/**
 * The non-NULL positions of a packed column in `order`, ties by position. Text: UTF-8 byte
 * order, which is code point order; numeric: by value, keyed by the nearest double (a
 * monotonic map) and ties between equal doubles decided exactly.
 */
export function sortPackedPositions(packed: PackedTexts, order: TextOrder): Int32Array {
  const { rows, offsets, bytes, nulls } = packed;
  const present: number[] = [];
  for (let pos = 0; pos < rows; pos++) if (!nulls || nulls[pos] === 0) present.push(pos);
  const positions = Int32Array.from(present);
  const key = new Float64Array(rows);
  if (order === 'numeric') {
    const decoder = new TextDecoder();
    const text: string[] = new Array(rows);
    for (const pos of positions) {
      const s = (text[pos] = decoder.decode(bytes.subarray(offsets[pos], offsets[pos + 1])));
      // NaN above everything, Infinity included (compareNumeric breaks the tie)
      key[pos] = s === 'NaN' ? Infinity : Number(s);
    }
    // equal keys (Infinity - Infinity is NaN, falsy too): compareNumeric decides
    return positions.sort((a, b) => key[a] - key[b] || compareNumeric(text[a], text[b]) || a - b);
  }
  // the first 6 bytes as a number decide most comparisons; the rest, byte by byte
  for (const pos of positions) key[pos] = prefixKey(bytes, offsets[pos], offsets[pos + 1]);
  return positions.sort((a, b) => key[a] - key[b] || compareBytes(bytes, offsets[a], offsets[a + 1], offsets[b], offsets[b + 1]) || a - b);
}

/** the first six bytes, base 257 with 0 for "ended": orders like the bytes themselves */
function prefixKey(bytes: Uint8Array, from: number, to: number): number {
  let k = 0;
  for (let i = 0; i < 6; i++) k = k * 257 + (from + i < to ? bytes[from + i] + 1 : 0);
  return k;
}

export function compareBytes(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = bytes[a + i] - bytes[b + i];
    if (d !== 0) return d;
  }
  return (aEnd - a) - (bEnd - b);
}

export class SortedValues {
  constructor(
    /** non-NULL positions in key order */
    private readonly positions: Int32Array,
    private readonly type: SqlType,
    /** the column's value at a position */
    private readonly read: (pos: number) => Value,
  ) {}

  /** the positions whose value meets every condition (exactly), or undefined when they bound nothing */
  candidates(conditions: readonly IndexCondition[]): Int32Array | undefined {
    if (!conditions.length) return undefined;
    let from = 0, to = this.positions.length;
    for (const c of conditions) {
      if (c.op === '=' || c.op === '>' || c.op === '>=') from = Math.max(from, this.bound(c.value, c.op === '>'));
      // `=` and `<=` end after the last key equal to the value
      if (c.op === '=' || c.op === '<' || c.op === '<=') to = Math.min(to, this.bound(c.value, c.op !== '<'));
    }
    return this.positions.subarray(from, Math.max(from, to));
  }

  /** every non-NULL position, in key order */
  inKeyOrder(): Int32Array {
    return this.positions;
  }

  /** the first index whose key is ≥ v, or > v with `above` */
  private bound(v: Value, above: boolean): number {
    let a = 0, b = this.positions.length;
    while (a < b) {
      const m = (a + b) >> 1;
      const c = compareValues(this.type, this.read(this.positions[m]), v);
      if (c < 0 || (above && c === 0)) a = m + 1;
      else b = m;
    }
    return a;
  }
}
