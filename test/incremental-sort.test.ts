/**
 * Incremental Sort: the executor (executor/incremental-sort.ts) hands on the same rows as a
 * full sort over random presorted input with groups of every size, stops reading where
 * PostgreSQL's node does, and counts full-sort and pre-sorted groups as PostgreSQL 15's
 * EXPLAIN ANALYZE shows them; the cost (planner/incremental-sort-cost.ts) is
 * cost_incremental_sort's, checked against PostgreSQL 15's numbers for the same input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incrementalSort } from '../src/executor/incremental-sort.js';
import { incrementalSortCost } from '../src/planner/incremental-sort-cost.js';
import { incrementalSortLines, newIncrementalSortStats } from '../src/planner/incremental-sort-stats.js';
import type { Row } from '../src/types/types.js';
import type { Step } from '../src/executor/suspend.js';

// rows [prefix, rest, seq]: sorted on prefix, then rest descending
const compareRest = (a: Row, b: Row) => (b[1] as number) - (a[1] as number);
const compare = (a: Row, b: Row) => (a[0] as number) - (b[0] as number) || compareRest(a, b);
const samePrefix = (a: Row, b: Row) => a[0] === b[0];

function run(rows: Row[], bound: number, batch = 7) {
  let read = 0;
  const input = function* (): Iterable<Step> {
    for (let i = 0; i < rows.length; i += batch) {
      const step = rows.slice(i, i + batch);
      read += step.length;
      yield step;
    }
  };
  const stats = newIncrementalSortStats();
  const out: Row[] = [];
  for (const step of incrementalSort(input(), { compare, compareRest, samePrefix, bound, checkCancel: () => {}, stats })) {
    if (Array.isArray(step)) out.push(...step);
  }
  return { out, read, stats };
}

/** groups of the given sizes, rest values random, in prefix order */
function presorted(sizes: number[], seed: number): Row[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows: Row[] = [];
  sizes.forEach((n, g) => { for (let i = 0; i < n; i++) rows.push([g, Math.floor(rnd() * 50), rows.length]); });
  return rows;
}

test('the rows of a full sort, for groups of every size and any LIMIT', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const sizes = Array.from({ length: 1 + (seed % 9) }, (_, i) => [1, 3, 31, 32, 33, 64, 65, 200][(seed * 7 + i * 3) % 8]);
    const rows = presorted(sizes, seed);
    // a stable full sort: ties keep input order, as the incremental sort's batches do
    const expected = [...rows].sort(compare);
    for (const bound of [1, 5, 31, 32, 64, 100, rows.length, Infinity]) {
      const { out } = run(rows, bound);
      assert.deepEqual(out, expected.slice(0, Math.min(bound, rows.length)), `seed ${seed} bound ${bound}`);
    }
  }
});

test('reads no further than the group that completes the LIMIT, counting groups as PostgreSQL', () => {
  // PostgreSQL 15, 50 groups of 400 rows: LIMIT 5 read 401 rows (Full-sort Groups: 1 top-N,
  // Pre-sorted Groups: 1 top-N); LIMIT 500 read 801 (2 quicksort; 2: top-N heapsort, quicksort)
  const rows = presorted(Array(50).fill(400), 3);
  const five = run(rows, 5, 1);
  assert.equal(five.read, 401);
  assert.deepEqual([five.stats.fullSort.groups, [...five.stats.fullSort.methods]], [1, ['top-N heapsort']]);
  assert.deepEqual([five.stats.preSorted.groups, [...five.stats.preSorted.methods]], [1, ['top-N heapsort']]);
  const many = run(rows, 500, 1);
  assert.equal(many.read, 801);
  assert.deepEqual([many.stats.fullSort.groups, [...many.stats.fullSort.methods]], [2, ['quicksort']]);
  const lines = incrementalSortLines(many.stats).map(([k, v]) => `${k}: ${v}`);
  assert.match(lines[0], /^Full-sort Groups: 2 {2}Sort Method: quicksort {2}Average Memory: \d+kB {2}Peak Memory: \d+kB$/);
  assert.match(lines[1], /^Pre-sorted Groups: 2 {2}Sort Methods: top-N heapsort, quicksort {2}Average Memory: \d+kB {2}Peak Memory: \d+kB$/);
  // small groups: only full-sort batches, no Pre-sorted line
  const small = run(presorted(Array(100).fill(3), 5), 40, 1);
  assert.equal(small.stats.preSorted.groups, 0);
  assert.equal(incrementalSortLines(small.stats).length, 1);
});

test('cost_incremental_sort: PostgreSQL 15 numbers over an Index Scan (0.29..1652.11, 20000 rows, 50 groups)', () => {
  // the input's costs are EXPLAIN's, rounded to 0.01: the results agree to about that
  const input = { startup: 0.29, total: 1652.11, rows: 20000, width: 48 };
  const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 0.015, `${actual} vs ${expected}`);
  const five = incrementalSortCost(input, 50, 5);
  near(five.startup, 43.29);
  near(five.total, 2426.39);
  const many = incrementalSortCost(input, 50, 500);
  near(many.startup, 61.01);
  near(many.total, 3312.43);
});
