/**
 * to_char(float) gets its digits from printf("%.*f") / ("%+.*e"): the exact binary value rounded
 * half to even, with no 1e21 cut-over. The expected strings are glibc's (and Python's, which
 * rounds the same way); JavaScript's toFixed differs on several of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printfExp, printfFixed } from '../src/functions/formatting/c-printf.js';

test('printfFixed rounds the exact binary value, ties to even', () => {
  const cases: [number, number, string][] = [
    [2.5, 0, '2'], [3.5, 0, '4'], [0.125, 2, '0.12'], [0.375, 2, '0.38'], [1.005, 2, '1.00'],
    [1e21, 2, '1000000000000000000000.00'], [1.2345678901234568e20, 0, '123456789012345683968'],
    [5e-324, 3, '0.000'], [-0, 1, '-0.0'], [0.1, 20, '0.10000000000000000555'],
    [NaN, 2, 'NaN'], [Infinity, 0, 'Infinity'], [-Infinity, 3, '-Infinity'],
  ];
  for (const [x, p, want] of cases) assert.equal(printfFixed(x, p), want, `printf("%.${p}f", ${x})`);
  assert.notEqual((2.5).toFixed(0), printfFixed(2.5, 0), 'toFixed rounds ties away from zero');
});

test('printfExp keeps a two-digit exponent and carries into it', () => {
  const cases: [number, number, string][] = [
    [9.99, 1, '+1.0e+01'], [1234567.891, 2, '+1.23e+06'], [0, 3, '+0.000e+00'], [-1e-300, 3, '-1.000e-300'],
    [2.5, 0, '+2e+00'], [1.5e300, 4, '+1.5000e+300'], [5e-324, 2, '+4.94e-324'],
  ];
  for (const [x, p, want] of cases) assert.equal(printfExp(x, p), want, `printf("%+.${p}e", ${x})`);
});
