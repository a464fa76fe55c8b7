/** The memory estimate behind work_mem (src/executor/work-mem.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkMem, formatBytes, valueBytes } from '../src/executor/work-mem.js';

test('a vector that views segment memory costs its header; an owned one its bytes too', () => {
  const segment = new Float32Array(768 * 1000);
  const view = segment.subarray(768, 768 * 2);
  const owned = new Float32Array(768);
  assert.equal(valueBytes(view, 2), 64);
  assert.equal(valueBytes(owned, 2), 64 + 768 * 4);
  assert.equal(valueBytes('abcd', 2), 20);
  assert.equal(valueBytes(null, 2), 0);
  assert.equal(valueBytes(7, 2), 0);
});

test('past its limit a budget throws 53200 naming work_mem and the operator', () => {
  const budget = new WorkMem(64 * 1024, 'sort');
  const row = ['x'.repeat(1000)];
  assert.throws(() => { for (let i = 0; i < 1000; i++) budget.add(row); }, (e: Error & { code?: string; fields?: { detail?: string } }) => {
    assert.equal(e.code, '53200');
    assert.equal(e.message, 'out of memory');
    assert.match(e.fields?.detail ?? '', /^The sort needs more than work_mem \(64kB\)/);
    return true;
  });
  // views of one big buffer never add up to its size
  const views = new WorkMem(64 * 1024, 'sort');
  const seg = new Float32Array(768 * 2000);
  for (let i = 0; i < 500; i++) views.add([i, seg.subarray(i * 768, (i + 1) * 768)]);
  assert.ok(views.estimate() < 64 * 1024);
  assert.equal(formatBytes(64 * 1024 * 1024), '64MB');
  assert.equal(formatBytes(4096 * 1024), '4MB');
});
