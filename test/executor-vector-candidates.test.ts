/**
 * The two-step exact top-k (SIMD ranking of k + margin candidates, then pgvector's exact
 * distance) must return exactly what ranking every row by the exact distance returns,
 * also when some candidates come with their exact distance already known (offerMeasured:
 * an exact scan ranked by pgvector's kernel) and the others are measured by the heap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VectorCandidates, type DistanceOperator } from '../src/executor/vector-candidates.js';
import { distanceFunction } from '../src/types/vector.js';

function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function bruteForce(rows: Float32Array[], q: Float32Array, k: number, op: DistanceOperator): number[] {
  const exact = distanceFunction(op);
  return rows.map((v, i) => ({ i, d: exact(v, q) }))
    .sort((a, b) => (Number.isNaN(a.d) ? 1 : Number.isNaN(b.d) ? -1 : a.d - b.d) || a.i - b.i)
    .slice(0, k).map((x) => x.i);
}

for (const op of ['<->', '<#>', '<=>', '<+>'] as DistanceOperator[]) {
  test(`two-step top-k equals brute force for ${op}`, () => {
    const rnd = rng(7);
    for (const dim of [3, 64, 200]) {
      const rows = Array.from({ length: 2000 }, () => Float32Array.from({ length: dim }, () => Math.round(rnd() * 20) / 4));
      // exact duplicates make ties; a zero vector makes cosine NaN
      rows[10] = rows[20].slice();
      rows[30] = new Float32Array(dim);
      for (const k of [1, 10, 57]) {
        const q = Float32Array.from({ length: dim }, () => rnd() * 5);
        const c = new VectorCandidates(k, op, false, q);
        rows.forEach((v, i) => c.offer([i], v, i));
        assert.deepEqual(c.finish().map((r) => r[0]), bruteForce(rows, q, k, op), `${op} dim ${dim} k ${k}`);
      }
    }
  });
}

for (const op of ['<->', '<#>', '<=>', '<+>'] as DistanceOperator[]) {
  test(`measured and unmeasured candidates mixed equal brute force for ${op}`, () => {
    const rnd = rng(9);
    const exact = distanceFunction(op);
    for (const dim of [3, 64, 200]) {
      const rows = Array.from({ length: 1500 }, () => Float32Array.from({ length: dim }, () => Math.round(rnd() * 20) / 4));
      rows[10] = rows[20].slice();
      rows[11] = rows[20].slice(); // a tie between a measured (even) and an unmeasured (odd) row
      rows[30] = new Float32Array(dim);
      for (const k of [1, 10, 57]) {
        const q = Float32Array.from({ length: dim }, () => rnd() * 5);
        const c = new VectorCandidates(k, op, false, q);
        // every other row with its distance, as an exact scan of one segment offers them
        rows.forEach((v, i) => (i % 2 === 0 ? c.offerMeasured([i], v, i, exact(v, q)) : c.offer([i], v, i)));
        assert.deepEqual(c.finish().map((r) => r[0]), bruteForce(rows, q, k, op), `${op} dim ${dim} k ${k}`);
      }
    }
  });
}

test('a vector of other dimensions raises pgvector\'s error', () => {
  const c = new VectorCandidates(3, '<->', false, new Float32Array(64));
  assert.throws(() => c.offer([0], new Float32Array(63), 0), /different vector dimensions 63 and 64/);
});

// Only candidates within rounding of the k-th fast distance get an exact one (exactNeededBound):
// rows a few ulps apart around the k-th must still come out in pgvector's exact order.
for (const op of ['<->', '<=>'] as DistanceOperator[]) {
  test(`two-step top-k with near ties at the k-th candidate equals brute force for ${op}`, () => {
    const rnd = rng(11);
    const dim = 300;
    const q = Float32Array.from({ length: dim }, () => rnd() * 5);
    const center = Float32Array.from({ length: dim }, () => rnd() * 5);
    // 200 copies of one vector nudged by one float ulp in a random coordinate, among far rows
    const rows = Array.from({ length: 2000 }, (_, i) => {
      if (i % 10 !== 0) return Float32Array.from({ length: dim }, () => rnd() * 50);
      const v = center.slice();
      const j = Math.floor(rnd() * dim);
      v[j] = new Float32Array([v[j] * (1 + (rnd() - 0.5) * 2 ** -22)])[0];
      return v;
    });
    for (const k of [1, 10, 57, 150]) {
      const c = new VectorCandidates(k, op, false, q);
      rows.forEach((v, i) => c.offer([i], v, i));
      assert.deepEqual(c.finish().map((r) => r[0]), bruteForce(rows, q, k, op), `${op} k ${k}`);
    }
  });
}

/** squared L2 summed in float32, as an unquantized l2 HNSW index reports its hits' distances */
function float32L2sq(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.fround(a[i]! - b[i]!);
    s = Math.fround(s + Math.fround(d * d));
  }
  return s;
}

test('hits ranked by the index\'s own distance (offerRank), with near ties, equal brute force', () => {
  const rnd = rng(11);
  const exact = distanceFunction('<->');
  for (const dim of [64, 200, 784]) {
    const rows = Array.from({ length: 1200 }, () => Float32Array.from({ length: dim }, () => Math.round(rnd() * 20) / 4));
    // copies of one row: equal distances, ranked by offer order (seq)
    rows[40] = rows[7].slice();
    rows[41] = rows[7].slice();
    // a near tie: one element moved by a float32 ulp
    rows[42] = rows[7].slice();
    rows[42][0] = Math.fround(rows[42][0]! * (1 + 2 ** -22));
    for (const k of [1, 10, 57]) {
      // queries near row 7, so the ties are among the best
      const q = Float32Array.from(rows[7], (x) => x + (rnd() - 0.5) * 0.01);
      const c = new VectorCandidates(k, '<->', false, q);
      // a third by rank value, a third measured, a third plain (a segment's hits, an exact scan, the growing rows)
      rows.forEach((v, i) => (i % 3 === 0 ? c.offerRank([i], v, i, float32L2sq(v, q)) : i % 3 === 1 ? c.offerMeasured([i], v, i, exact(v, q)) : c.offer([i], v, i)));
      assert.deepEqual(c.finish().map((r) => r[0]), bruteForce(rows, q, k, '<->'), `dim ${dim} k ${k}`);
      // all of them by rank value: the exact distance only for near ties
      const r = new VectorCandidates(k, '<->', false, q);
      rows.forEach((v, i) => r.offerRank([i], v, i, float32L2sq(v, q)));
      assert.deepEqual(r.finish().map((x) => x[0]), bruteForce(rows, q, k, '<->'), `all ranked, dim ${dim} k ${k}`);
    }
  }
});

test('a wrong-dimension candidate offered by rank value raises pgvector\'s error', () => {
  const c = new VectorCandidates(3, '<->', false, new Float32Array(64).fill(1));
  assert.throws(() => c.offerRank([0], new Float32Array(32), 0, 1), /different vector dimensions 32 and 64/);
});
