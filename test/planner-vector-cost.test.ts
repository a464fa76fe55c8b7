/** The per-segment vector strategy choice (planner/vector-cost.ts) at the corners of its formulas. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseVectorStrategy, RANDOM_ACCESS } from '../src/planner/vector-cost.js';

const base = { rows: 60_000, k: 10, ef: 40, m: 16, inGraph: true };

test('few matches are scanned exactly, many are searched in the graph', () => {
  assert.equal(chooseVectorStrategy({ ...base, matching: 60 }).strategy, 'exact'); // 0.1 %
  assert.equal(chooseVectorStrategy({ ...base, matching: 600 }).strategy, 'exact'); // 1 %
  assert.equal(chooseVectorStrategy({ ...base, matching: 30_000 }).strategy, 'in-graph'); // 50 %
  assert.equal(chooseVectorStrategy({ ...base, matching: 59_000 }).strategy, 'in-graph'); // deletes only
});

test('no more matches than k: exact whatever the costs say', () => {
  assert.equal(chooseVectorStrategy({ ...base, matching: 10 }).strategy, 'exact');
});

test('without the addon the choice is between exact and ANN then filter', () => {
  const wide = chooseVectorStrategy({ ...base, matching: 30_000, inGraph: false });
  assert.equal(wide.costs.inGraph, undefined);
  assert.equal(wide.strategy, 'ann-filter');
  // ef matching candidates at s = 0.5: breadth 80
  assert.equal(wide.want, 80);
});

test('the walk budget covers at least the exact scan, so a switch costs at most about twice', () => {
  const c = chooseVectorStrategy({ ...base, matching: 20_000 });
  assert.equal(c.strategy, 'in-graph');
  assert.ok(c.budget * RANDOM_ACCESS >= c.costs.exact);
  assert.ok(c.budget * RANDOM_ACCESS >= 2 * c.costs.inGraph!);
});

test('in-graph cost is capped by a walk over the whole graph', () => {
  const c = chooseVectorStrategy({ ...base, matching: 11 });
  assert.ok(c.costs.inGraph! <= RANDOM_ACCESS * base.rows);
});

test('counted without a bitmap (lazyFilter): post-filter at 10-50 %, exact when few match', () => {
  const lazy = { ...base, lazyFilter: true, dims: 784 };
  for (const matching of [6_000, 12_000, 30_000]) {
    const c = chooseVectorStrategy({ ...lazy, matching });
    assert.equal(c.strategy, 'post-filter', `${matching}: ${JSON.stringify(c.costs)}`);
    // 2 k of the candidates are expected to pass
    assert.equal(c.postWant, Math.ceil(20 / (matching / base.rows)));
  }
  assert.equal(chooseVectorStrategy({ ...lazy, matching: 600 }).strategy, 'exact');
  // with the bitmap made already, post-filter is not offered
  assert.equal(chooseVectorStrategy({ ...base, matching: 30_000 }).costs.postFilter, undefined);
});

test('a share of candidates seen passing before narrows the post-filter walk, floored at s / 10', () => {
  const c = chooseVectorStrategy({ ...base, lazyFilter: true, dims: 784, matching: 6_000, candidateShare: 0.8 });
  assert.equal(c.strategy, 'post-filter');
  assert.equal(c.postWant, 40); // max(2 k, ef · 0.8) / 0.8
  const none = chooseVectorStrategy({ ...base, lazyFilter: true, dims: 784, matching: 6_000, candidateShare: 0 });
  assert.equal(none.postSelectivity, 0.01);
  assert.notEqual(none.strategy, 'post-filter');
});
