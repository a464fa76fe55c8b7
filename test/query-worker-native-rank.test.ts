/**
 * The native chunk ranker (native/filtered-hnsw/exact_topk.cpp) picks the same best
 * positions as ranking row by row with the fast kernels does: every metric, a bitmap of
 * allowed positions, a sub-range, a position base, zero vectors (cosine NaN ranks last).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkRanker } from '../src/query-worker/native-rank.js';
import { BestPositions, fastKernel } from '../src/query-worker/kernels.js';
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
