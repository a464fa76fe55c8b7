/**
 * acosRounded: the C library's acos to the last bit, where Math.acos is one unit off.
 * The expected values are PostgreSQL 15's `acos(x)` (glibc) for these arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acosRounded } from '../src/types/acos.js';

/** [x, PostgreSQL's acos(x)], each an argument where Math.acos returns the neighbouring double */
const FROM_POSTGRES: [number, number][] = [
  [-0.31072235107421875, 1.8867492339214358], [0.38366174697875977, 1.1770380924576187], [0.2524738311767578, 1.3155602637202668],
  [-0.6929636001586914, 2.336387861616586], [0.22125816345214844, 1.3476919055001224], [0.5417995452880859, 0.9982196694800277],
];

test('acosRounded gives the C library result where Math.acos is one ulp off', () => {
  for (const [x, expected] of FROM_POSTGRES) {
    assert.notEqual(Math.acos(x), expected, `Math.acos(${x}) is not one of the differing cases any more`);
    assert.equal(acosRounded(x), expected, `acos(${x})`);
  }
});

test('acosRounded keeps the exact ends, 0 and the NaNs of Math.acos', () => {
  assert.equal(acosRounded(1), 0);
  assert.equal(acosRounded(-1), Math.PI);
  assert.equal(acosRounded(0), Math.PI / 2);
  assert.ok(Number.isNaN(acosRounded(1.0000001)));
  assert.ok(Number.isNaN(acosRounded(NaN)));
});

test('acosRounded differs from Math.acos by at most an ulp over [-1, 1]', () => {
  for (let i = 0; i <= 2000; i++) {
    const x = -1 + i / 1000;
    const a = acosRounded(x), b = Math.acos(x);
    assert.ok(Math.abs(a - b) <= 2 * Number.EPSILON * Math.max(1, Math.abs(b)), `acos(${x}): ${a} vs ${b}`);
  }
});
