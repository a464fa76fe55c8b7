/**
 * The native chunk ranker (native/filtered-hnsw/exact_topk.cpp) picks the same best
 * positions as ranking row by row with the fast kernels does: every metric, a bitmap of
 * allowed positions, a sub-range, a position base, zero vectors (cosine NaN ranks last);
 * a sparse bitmap (the zero words and bytes it skips); the addon's exact kernel equals
 * pgvector's JavaScript kernel bit for bit; and the exact ranker (pgRankTopK) returns the
 * best positions by pgvector's distance with that distance, bit for bit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkRanker, exactChunkRanker } from '../src/query-worker/native-rank.js';
import { BestPositions, exactKernel, fastKernel, NATIVE_EXACT_MIN_DIMS } from '../src/query-worker/kernels.js';
import { exactTopkAddon } from '../src/query-worker/native-addon.js';
import { distanceFunction } from '../src/types/vector.js';
import { seededRandom } from '../bench/util.js';
import type { DistanceOp } from '../src/ann/api.js';

const DIM = 48;
const ROWS = 3000;

test('the native ranker keeps the same best positions as the row-by-row kernels', (t) => {
  if (!chunkRanker('<->', DIM)) {
    t.skip('native/filtered-hnsw/exact_topk.node is not built');
    return;
  }
  const rand = seededRandom(11);
  const data = new Float32Array(ROWS * DIM).map(() => rand() * 2 - 1);
  data.fill(0, 5 * DIM, 6 * DIM); // row 5 is a zero vector
  const query = new Float32Array(DIM).map(() => rand() * 2 - 1);
  const base = 1000;
  const allowed = new Uint8Array((base + ROWS + 7) >> 3);
  for (let pos = base; pos < base + ROWS; pos++) if (rand() < 0.3 || pos === base + 5) allowed[pos >> 3] |= 1 << (pos & 7);
  for (const op of ['<->', '<#>', '<=>'] as DistanceOp[]) {
    for (const [from, to, bits] of [[0, ROWS, undefined], [100, 2500, allowed]] as const) {
      const native = chunkRanker(op, DIM)!(data, query, 20, from, to, base, bits);
      const kernel = fastKernel(op)!;
      const best = new BestPositions(20);
      for (let r = from; r < to; r++) {
        const pos = base + r;
        if (bits && !((bits[pos >> 3] >> (pos & 7)) & 1)) continue;
        best.offer(kernel(data.subarray(r * DIM, (r + 1) * DIM), query), pos);
      }
      const expected = best.result();
      assert.deepEqual([...native.positions], [...expected.positions], `${op} ${bits ? 'with bitmap' : 'all rows'}`);
      for (let i = 0; i < native.distances.length; i++) {
        if (Number.isFinite(expected.distances[i])) assert.ok(Math.abs(native.distances[i] - expected.distances[i]) < 1e-4, `${op} distance ${i}`);
      }
    }
  }
});

test('a sparse bitmap: the ranker finds exactly the allowed positions, across word and byte boundaries', (t) => {
  if (!chunkRanker('<->', DIM)) {
    t.skip('native/filtered-hnsw/exact_topk.node is not built');
    return;
  }
  const rand = seededRandom(12);
  const data = new Float32Array(ROWS * DIM).map(() => rand() * 2 - 1);
  const query = new Float32Array(DIM).map(() => rand() * 2 - 1);
  const base = 37; // not a multiple of 8: rows and words do not line up
  const set = [base, base + 7, base + 63, base + 64, base + 127, base + 128, base + 1000, base + 1001, base + ROWS - 1];
  const allowed = new Uint8Array((base + ROWS + 7) >> 3);
  for (const pos of set) allowed[pos >> 3] |= 1 << (pos & 7);
  for (const [from, to] of [[0, ROWS], [7, ROWS - 1], [1, 2]] as const) {
    const got = chunkRanker('<->', DIM)!(data, query, set.length, from, to, base, allowed);
    const expected = set.filter((pos) => pos - base >= from && pos - base < to);
    assert.deepEqual([...got.positions].sort((a, b) => a - b), expected, `rows [${from}, ${to})`);
  }
});

test('the addon\'s exact kernel returns pgvector\'s JavaScript distance bit for bit', (t) => {
  if (!exactTopkAddon()) {
    t.skip('native/filtered-hnsw/exact_topk.node is not built');
    return;
  }
  const rand = seededRandom(13);
  const lengths = [NATIVE_EXACT_MIN_DIMS, 65, 67, 71, 100, 128, 300, 784, 1001, 1536];
  for (const op of ['<->', '<#>', '<=>'] as DistanceOp[]) {
    const native = exactKernel(op, false);
    const js = distanceFunction(op);
    for (const n of lengths) {
      for (let trial = 0; trial < 20; trial++) {
        const scale = trial % 3 === 0 ? 1e-3 : trial % 3 === 1 ? 1 : 255;
        const a = new Float32Array(n).map(() => (rand() * 2 - 1) * scale);
        const b = new Float32Array(n).map(() => (rand() * 2 - 1) * scale);
        assert.ok(Object.is(native(a, b), js(a, b)), `${op} n=${n} trial ${trial}: ${native(a, b)} vs ${js(a, b)}`);
      }
      const zero = new Float32Array(n);
      const one = new Float32Array(n).fill(1);
      assert.ok(Object.is(native(zero, one), js(zero, one)), `${op} n=${n} zero vector`);
    }
  }
  // a dimension mismatch is still pgvector's error
  assert.throws(() => exactKernel('<->', false)(new Float32Array(100), new Float32Array(99)), /different vector dimensions 100 and 99/);
});

test('the exact ranker orders by pgvector\'s distance and returns it bit for bit (ties by position, NaN last)', (t) => {
  if (!exactChunkRanker('<->', DIM)) {
    t.skip('native/filtered-hnsw/exact_topk.node is not built (or predates pgRankTopK)');
    return;
  }
  const rand = seededRandom(14);
  for (const dim of [32, 33, DIM, 784]) {
    const rows = dim > 100 ? 600 : ROWS;
    const data = new Float32Array(rows * dim).map(() => (rand() * 2 - 1) * (dim > 100 ? 255 : 1));
    data.fill(0, 5 * dim, 6 * dim); // row 5 is a zero vector (cosine: NaN)
    data.copyWithin(9 * dim, 7 * dim, 8 * dim); // rows 7 and 9 tie
    const query = data.slice(7 * dim, 8 * dim).map((x) => x + 0.25);
    const base = 1000;
    const allowed = new Uint8Array((base + rows + 7) >> 3);
    for (let pos = base; pos < base + rows; pos++) if (rand() < 0.3 || [5, 7, 9].includes(pos - base)) allowed[pos >> 3] |= 1 << (pos & 7);
    for (const op of ['<->', '<#>', '<=>'] as DistanceOp[]) {
      const js = distanceFunction(op);
      for (const [from, to, bits] of [[0, rows, undefined], [3, rows - 50, allowed]] as const) {
        const got = exactChunkRanker(op, dim)!(data, query, 25, from, to, base, bits);
        const all: { pos: number; d: number }[] = [];
        for (let r = from; r < to; r++) {
          const pos = base + r;
          if (bits && !((bits[pos >> 3] >> (pos & 7)) & 1)) continue;
          all.push({ pos, d: js(data.subarray(r * dim, (r + 1) * dim), query) });
        }
        all.sort((a, b) => (Number.isNaN(a.d) !== Number.isNaN(b.d) ? (Number.isNaN(a.d) ? 1 : -1) : a.d !== b.d && !Number.isNaN(a.d) ? a.d - b.d : a.pos - b.pos));
        const want = all.slice(0, 25);
        const what = `${op} dim ${dim} ${bits ? 'with bitmap' : 'all rows'}`;
        assert.deepEqual([...got.positions], want.map((w) => w.pos), what);
        want.forEach((w, i) => assert.ok(Object.is(got.distances[i], w.d), `${what}: distance ${i} ${got.distances[i]} vs ${w.d}`));
      }
    }
  }
});
