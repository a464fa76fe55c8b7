/**
 * Index pages that PostgreSQL 15's INSERTs grow (planner/hash-index-size.ts, btree-cost.ts
 * btreeLayout's `inserted`), against pg_class.relpages measured on PostgreSQL 15 for the same rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashIndexPages, hashInitialBuckets } from '../src/planner/hash-index-size.js';
import { btreeLayout } from '../src/planner/btree-cost.js';

test('hash: _hash_init sizes the buckets for the rows estimated at CREATE INDEX', () => {
  assert.equal(hashInitialBuckets(0), 2);
  assert.equal(hashInitialBuckets(600), 2);
  // 1,990 rows (a truncated table's 10 pages): 6.5 → 8 buckets; 5,000: 16.3 → 16; 12,960: 42 → 64
  assert.equal(hashInitialBuckets(1_990), 8);
  assert.equal(hashInitialBuckets(5_000), 16);
  assert.equal(hashInitialBuckets(12_960), 64);
  assert.equal(hashInitialBuckets(20_000), 128);
  // past 1,024 buckets a split point is allocated a quarter at a time: 1,302 → 1,536
  assert.equal(hashInitialBuckets(400_000), 1_536);
  assert.equal(hashInitialBuckets(350_000), 1_280);
});

test('hash: meta page, every bucket of the split point reached, bitmap page, overflow pages', () => {
  // PostgreSQL: 20,000 distinct ints, built over 20,000 rows estimated 12,960: 130 pages
  // (64 buckets, split to 66 as the rows came, 128 allocated)
  assert.equal(hashIndexPages(20_000, 20_000, hashInitialBuckets(12_960)), 130);
  // an empty index rebuilt by TRUNCATE over its 1,990-row estimate: 10 pages
  assert.equal(hashIndexPages(0, 0, hashInitialBuckets(1_990)), 10);
  // then 60,000 rows inserted: 196 buckets of 256, the 60 unsplit ones overflowing (PostgreSQL 316-326)
  assert.equal(hashIndexPages(60_000, 60_000, hashInitialBuckets(12_960)), 318);
  // 10 distinct keys over 5,000 rows: each key's 500 rows chain one overflow page (PostgreSQL 45)
  assert.equal(hashIndexPages(5_000, 10, hashInitialBuckets(5_000)), 44);
});

test('B-tree: rows inserted after the build out of key order fill leaves to ln 2, not 90 %', () => {
  const bulk = btreeLayout(30_000, 8);
  assert.equal(bulk.pages, 84); // PostgreSQL's bulk build of 30,000 float8 keys
  const grown = btreeLayout(30_000, 8, 30_000, false, 30_000);
  // PostgreSQL: 119 pages after 30,000 random float8 INSERTs into an empty index (164 after 50,000)
  assert.ok(grown.pages > 100 && grown.pages < 125, `${grown.pages}`);
  // a few rows inserted after a bulk build of many fit its leaves' free tenth
  assert.equal(btreeLayout(30_000, 8, 30_000, false, 500).pages, bulk.pages);
  assert.equal(btreeLayout(30_000, 8, 30_000, false, 0).pages, bulk.pages);
});
