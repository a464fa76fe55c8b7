/**
 * A multi-column B-tree key's sorted index (storage/sorted-tuple.ts): the positions come in
 * the key tuple's order (per column the type's order, NULLs last, ties by position), and a
 * range holds exactly the rows its boundary conditions allow (the columns fixed by `=`,
 * then a range on the next one), over random int, text, float, numeric and boolean columns with
 * NULLs, repeats, NaN and -0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedTuple, sortTuplePositions, tupleBounds, type TupleColumnData } from '../src/storage/sorted-tuple.js';
import type { IndexCondition } from '../src/storage/api.js';
import { compareValues } from '../src/types/compare.js';
import { T, type SqlType, type Value } from '../src/types/types.js';

/** a deterministic pseudo-random sequence (xorshift) */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return ((x >>> 0) % 1_000_000) / 1_000_000;
  };
}

function numberColumn(values: (number | null)[], array: Int32Array | Float64Array): TupleColumnData {
  const validity = new Uint8Array(Math.ceil(values.length / 8) + 1);
  values.forEach((v, i) => {
    array[i] = v ?? 0;
    if (v !== null) validity[(i + 3) >> 3] |= 1 << ((i + 3) & 7);
  });
  // two chunks, the second starting mid-way, its validity from bit 3
  const half = values.length >> 1;
  const v2 = new Uint8Array(Math.ceil(values.length / 8) + 1);
  values.forEach((v, i) => { if (i >= half && v !== null) v2[(i - half) >> 3] |= 1 << ((i - half) & 7); });
  return {
    chunks: [
      { start: 0, length: half, values: array.subarray(0, half), validity, bitOffset: 3 },
      { start: half, length: values.length - half, values: array.subarray(half), validity: v2, bitOffset: 0 },
    ],
  };
}

function textColumn(values: (string | null)[], order: 'text' | 'numeric'): TupleColumnData {
  const enc = new TextEncoder();
  const parts = values.map((v) => enc.encode(v ?? ''));
  const offsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => { offsets[i + 1] = offsets[i] + p.length; });
  const bytes = new Uint8Array(offsets[values.length]);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  const nulls = Uint8Array.from(values, (v) => (v === null ? 1 : 0));
  return { texts: { rows: values.length, offsets, bytes, nulls }, order };
}

const N = 3000;
const r = random(12345);
const ints = Array.from({ length: N }, () => (r() < 0.05 ? null : Math.floor(r() * 20)));
const texts = Array.from({ length: N }, () => (r() < 0.05 ? null : r() < 0.1 ? 'é' + Math.floor(r() * 9) : 'k' + Math.floor(r() * 60)));
const floats = Array.from({ length: N }, () => { const x = r(); return x < 0.05 ? null : x < 0.08 ? NaN : x < 0.1 ? -0 : Math.floor(r() * 40) / 4; });
const numerics = Array.from({ length: N }, () => (r() < 0.05 ? null : r() < 0.07 ? 'NaN' : (Math.floor(r() * 300) / 10).toFixed(Math.floor(r() * 3))));

const bools = Array.from({ length: N }, () => (r() < 0.05 ? null : r() < 0.3));
const flags = () => ({ flags: Uint8Array.from(bools, (b) => (b === null ? 2 : b ? 1 : 0)) });

const KEYS: { name: string; types: SqlType[]; columns: Value[][]; data: () => TupleColumnData[] }[] = [
  { name: '(bool, int)', types: [T.bool, T.int4], columns: [bools, ints], data: () => [flags(), numberColumn(ints, new Int32Array(N))] },
  { name: '(int, bool)', types: [T.int4, T.bool], columns: [ints, bools], data: () => [numberColumn(ints, new Int32Array(N)), flags()] },
  { name: '(int, text)', types: [T.int4, T.text], columns: [ints, texts], data: () => [numberColumn(ints, new Int32Array(N)), textColumn(texts, 'text')] },
  { name: '(text, float8)', types: [T.text, T.float8], columns: [texts, floats], data: () => [textColumn(texts, 'text'), numberColumn(floats, new Float64Array(N))] },
  { name: '(int, numeric, float8)', types: [T.int4, T.numeric, T.float8], columns: [ints, numerics, floats], data: () => [numberColumn(ints, new Int32Array(N)), textColumn(numerics, 'numeric'), numberColumn(floats, new Float64Array(N))] },
];

function tupleCompare(types: SqlType[], columns: Value[][]): (a: number, b: number) => number {
  return (a, b) => {
    for (let k = 0; k < types.length; k++) {
      const x = columns[k][a], y = columns[k][b];
      const d = x === null || y === null ? Number(x === null) - Number(y === null) : compareValues(types[k], x, y);
      if (d !== 0) return d;
    }
    return a - b;
  };
}

function meets(type: SqlType, v: Value, conds: readonly IndexCondition[]): boolean {
  if (v === null) return conds.length === 0;
  return conds.every((c) => {
    const d = compareValues(type, v, c.value);
    return c.op === '=' ? d === 0 : c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
  });
}

test('positions come in the key tuple\'s order, NULLs last per column', () => {
  for (const key of KEYS) {
    const positions = sortTuplePositions(N, key.data());
    const expected = Array.from({ length: N }, (_, i) => i).sort(tupleCompare(key.types, key.columns));
    assert.deepEqual([...positions], expected, key.name);
  }
});

test('a range holds exactly the rows its boundary conditions allow, in key order', () => {
  const OPS: IndexCondition['op'][] = ['=', '<', '<=', '>', '>='];
  for (const key of KEYS) {
    const sorted = new SortedTuple(sortTuplePositions(N, key.data()), key.types, (pos, k) => key.columns[k][pos]);
    const pick = (k: number) => { let v: Value = null; while (v === null) v = key.columns[k][Math.floor(r() * N)]; return v; };
    let nonEmpty = 0;
    for (let trial = 0; trial < 400; trial++) {
      // per column: nothing, an equality, or one or two range ends
      const conditions = key.types.map((_, k) => {
        const x = r();
        if (x < 0.25) return [];
        if (x < 0.6) return [{ op: '=' as const, value: pick(k) }];
        const n = x < 0.8 ? 1 : 2;
        return Array.from({ length: n }, () => ({ op: OPS[1 + Math.floor(r() * 4)], value: pick(k) }));
      });
      const got = [...sorted.candidates(conditions)];
      // the boundary columns: those fixed to one value from the first on (by `=`, or by
      // `>= x AND <= x`), and the next one
      const fixed = (k: number) => {
        const t = key.types[k];
        const lows = conditions[k].filter((c) => c.op === '=' || c.op === '>=');
        const highs = conditions[k].filter((c) => c.op === '=' || c.op === '<=');
        return lows.some((l) => highs.some((h) => compareValues(t, l.value, h.value) === 0)
          && conditions[k].every((c) => meets(t, l.value, [c])));
      };
      let depth = 0;
      while (depth < key.types.length && fixed(depth)) depth++;
      depth = Math.min(depth + 1, key.types.length);
      const bounds = tupleBounds(key.types, conditions);
      const expected = Array.from({ length: N }, (_, i) => i)
        .filter((pos) => bounds !== undefined && key.types.slice(0, depth).every((t, k) => meets(t, key.columns[k][pos], conditions[k])))
        .sort(tupleCompare(key.types, key.columns));
      assert.deepEqual(got, expected, `${key.name} ${JSON.stringify(conditions)}`);
      if (got.length) nonEmpty++;
    }
    assert.ok(nonEmpty > 50, `${key.name}: ${nonEmpty} of the ranges hold rows`);
  }
});

test('a row comparison on the leading columns starts (or ends) the range at its key', () => {
  const ROW_OPS = ['<', '<=', '>', '>='] as const;
  for (const key of KEYS) {
    const sorted = new SortedTuple(sortTuplePositions(N, key.data()), key.types, (pos, k) => key.columns[k][pos]);
    const pick = (k: number) => { let v: Value = null; while (v === null) v = key.columns[k][Math.floor(r() * N)]; return v; };
    // the key tuple against the row's values, NULL above every value (the index's order)
    const tupleCmp = (pos: number, values: Value[]) => {
      for (let k = 0; k < values.length; k++) {
        const v = key.columns[k][pos];
        if (v === null) return 1;
        const d = compareValues(key.types[k], v, values[k]);
        if (d !== 0) return d;
      }
      return 0;
    };
    // PostgreSQL's row comparison: the first pair not equal decides, a NULL before it is NULL (not true)
    const rowTrue = (pos: number, op: typeof ROW_OPS[number], values: Value[]) => {
      for (let k = 0; k < values.length; k++) {
        const v = key.columns[k][pos];
        if (v === null) return false;
        const d = compareValues(key.types[k], v, values[k]);
        if (d !== 0 || k === values.length - 1) return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
      }
      return false;
    };
    let nonEmpty = 0;
    for (let trial = 0; trial < 200; trial++) {
      const op = ROW_OPS[Math.floor(r() * 4)];
      const values = [pick(0), pick(1)];
      // the first column's bound the executor passes with it: `>=` for > and >=, `<=` for < and <=
      const conditions: IndexCondition[][] = key.types.map((_, k) => (k === 0 ? [{ op: op[0] === '>' ? '>=' as const : '<=' as const, value: values[0] }] : []));
      const got = [...sorted.candidates(conditions, [{ op, key: values }])];
      const inOrder = Array.from({ length: N }, (_, i) => i).sort(tupleCompare(key.types, key.columns));
      const expected = inOrder.filter((pos) => {
        const d = tupleCmp(pos, values);
        return key.columns[0][pos] !== null && (op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0);
      });
      assert.deepEqual(got, expected, `${key.name} ${op} ${JSON.stringify(values)}`);
      const held = new Set(got);
      assert.ok(inOrder.every((pos) => !rowTrue(pos, op, values) || held.has(pos)), `${key.name}: every row the comparison holds for is in the range`);
      if (got.length) nonEmpty++;
    }
    assert.ok(nonEmpty > 50, `${key.name}: ${nonEmpty} of the ranges hold rows`);
  }
});
