/**
 * The in-thread-vs-worker rule for a single HNSW search (parallel-vector-search.ts): a
 * session searching alone stays in-thread; as soon as another session has searched within
 * the window, both go through the query workers; a session gone quiet is forgotten.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aloneSearching } from '../src/executor/parallel-vector-search.js';

test('one session alone searches in-thread; two at once use workers; quiet sessions are forgotten', () => {
  const a = {};
  const b = {};
  const t = 1e9; // far from any earlier test's clock values
  assert.equal(aloneSearching(a, t), true);
  assert.equal(aloneSearching(a, t + 1), true, 'the same session again');
  assert.equal(aloneSearching(b, t + 2), false, 'a searched 1 ms ago');
  assert.equal(aloneSearching(a, t + 3), false, 'b searched 1 ms ago');
  assert.equal(aloneSearching(a, t + 200), true, 'b has been quiet for longer than the window');
  assert.equal(aloneSearching(undefined, t + 201), false, 'no session known: workers, as before');
});
