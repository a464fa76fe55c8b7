/**
 * The judgement of an in-graph filtered walk (ann/trapped-walk.ts): a walk whose best hit is
 * farther than an unfiltered walk's k-th hit was trapped when the filter allows ≥ 30 % of
 * the rows; a walk that gave up or came back short is answered exactly too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeFilteredWalk } from '../src/ann/trapped-walk.js';
import type { AnnHit, AnnIndex } from '../src/ann/api.js';

/** an index whose unfiltered walk finds positions 0..k-1 at distances 1..k */
const index = {
  kind: 'hnsw', op: '<->', dimensions: 2, size: 100,
  search: (_q: Float32Array, k: number): AnnHit[] => Array.from({ length: k }, (_, i) => ({ position: i, distance: i + 1 })),
} as unknown as AnnIndex;
const q = new Float32Array(2);
const hits = (distances: number[]): AnnHit[] => distances.map((distance, i) => ({ position: 50 + i, distance }));

test('a walk that ends farther than the unfiltered k-th hit was trapped (selectivity ≥ 0.3)', () => {
  assert.equal(judgeFilteredWalk(index, q, { hits: hits([2.5, 4, 6]), exhausted: false, computed: 10 }, 3, 0.5), 'ok');
  assert.equal(judgeFilteredWalk(index, q, { hits: hits([3.5, 4, 6]), exhausted: false, computed: 10 }, 3, 0.5), 'switch');
  // a selective filter is expected to find its rows farther away: not judged
  assert.equal(judgeFilteredWalk(index, q, { hits: hits([30, 40, 60]), exhausted: false, computed: 10 }, 3, 0.05), 'ok');
});

test('a walk that gave up switches; no answer or a short one falls back', () => {
  assert.equal(judgeFilteredWalk(index, q, { hits: hits([1, 2, 3]), exhausted: true, computed: 10 }, 3, 0.5), 'switch');
  assert.equal(judgeFilteredWalk(index, q, { hits: hits([1, 2]), exhausted: false, computed: 10 }, 3, 0.5), 'fallback');
  assert.equal(judgeFilteredWalk(index, q, undefined, 3, 0.5), 'fallback');
});
