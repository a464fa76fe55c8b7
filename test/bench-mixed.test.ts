/** The pure helpers of bench/mixed-200.ts: kind picking by weight and the acknowledged-write ledger. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckLedger, KINDS, pickKind } from '../bench/mixed-200.js';

test('pickKind follows the weights of KINDS', () => {
  const counts = new Map<string, number>();
  const n = 10_000;
  for (let i = 0; i < n; i++) {
    const k = pickKind(i / n);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const total = KINDS.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of KINDS) assert.equal(counts.get(k), (n * w) / total, k);
  assert.equal(pickKind(0), KINDS[0][0]);
  assert.equal(pickKind(0.999999), KINDS[KINDS.length - 1][0]);
});

test('AckLedger reports missing, stale and undeleted rows', () => {
  const l = new AckLedger();
  l.put(1, 10);
  l.put(2, 20);
  l.put(2, 21);
  l.put(3, 30);
  l.del(3);
  l.del(4);
  assert.deepEqual(l.verify(new Map([[1, 10], [2, 21]])), []);
  assert.deepEqual(l.verify(new Map([[2, 20], [4, 0]])), [
    'acknowledged row 1 missing',
    'row 2 has val 20, acknowledged 21',
    'acknowledged delete of 4 not applied',
  ]);
  l.put(4, 40); // re-inserted after its delete: live again
  assert.deepEqual(l.verify(new Map([[1, 10], [2, 21], [4, 40]])), []);
});
