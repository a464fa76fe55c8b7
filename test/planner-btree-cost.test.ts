/**
 * B-tree page counts and index_pages_fetched (planner/btree-cost.ts) against what
 * PostgreSQL 15 measured for the same keys (pg_class.relpages after CREATE INDEX / ANALYZE).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { btreeLayout, estimateArrayLength, indexPagesFetched } from '../src/planner/btree-cost.js';
import { T } from '../src/types/types.js';

test('unique 4-byte keys: 366 a leaf, a root above, the meta page', () => {
  // PostgreSQL: int4 primary keys of 1,000 / 3,000 / 5,000 / 10,000 / 100,000 rows
  assert.deepEqual(btreeLayout(1_000, 4), { pages: 5, height: 1 });
  assert.equal(btreeLayout(3_000, 4).pages, 11);
  assert.equal(btreeLayout(5_000, 4).pages, 16);
  assert.equal(btreeLayout(10_000, 4).pages, 30);
  assert.deepEqual(btreeLayout(100_000, 4), { pages: 276, height: 1 });
});

test('a key that fits one leaf: the meta page and a root leaf; none: the meta page', () => {
  assert.deepEqual(btreeLayout(300, 5), { pages: 2, height: 0 });
  assert.deepEqual(btreeLayout(0, 4), { pages: 1, height: 0 });
});

test('repeated keys share posting lists, whose leaves run fuller by their TIDs', () => {
  // PostgreSQL: int g = i % 50 over 1,000 and 10,000 rows; date over 10,000 rows with 3,000 values
  assert.equal(btreeLayout(1_000, 4, 50, true).pages, 2);
  assert.equal(btreeLayout(10_000, 4, 50, true).pages, 11);
  assert.equal(btreeLayout(10_000, 4, 3_000, true).pages, 20);
  // a unique index never deduplicates
  assert.equal(btreeLayout(10_000, 4, 50, false).pages, 30);
});

test('a million keys need a second inner level', () => {
  const layout = btreeLayout(1_000_000, 4);
  assert.equal(layout.height, 2);
  assert.ok(layout.pages > 2_732 && layout.pages < 2_760);
});

test('index_pages_fetched: Mackert-Lohman within the cache, linear beyond it', () => {
  // T ≤ b: min(T, 2TN / (2T + N)), whole
  assert.equal(indexPagesFetched(100, 1_000, 10), 96);
  assert.equal(indexPagesFetched(1e9, 1_000, 10), 1_000);
  // T > b (a relation larger than effective_cache_size's 524,288 pages): past the limit each fetch reads a fraction
  const t = 2_000_000;
  const b = Math.ceil((524_288 * t) / (t + 10));
  const lim = (2 * t * b) / (2 * t - b);
  assert.equal(indexPagesFetched(lim + 1_000_000, t, 10), Math.ceil(b + (1_000_000 * (t - b)) / t));
});

test('estimate_array_length: the constant array\'s elements, else 10', () => {
  assert.equal(estimateArrayLength({ kind: 'const', type: T._int4, value: [1, 2, 3] }), 3);
  assert.equal(estimateArrayLength({ kind: 'param', type: T._int4, index: 1 } as never), 10);
});
