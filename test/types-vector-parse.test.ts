/**
 * The fast path of vector text input must give exactly what the element-by-element
 * parser gives (Number() then float4 rounding), and leave every malformed input to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVector } from '../src/types/vector.js';

function reference(elements: string[]): number[] {
  return elements.map((e) => Math.fround(Number(e)));
}

function randomElement(rnd: () => number): string {
  const sign = rnd() < 0.3 ? '-' : rnd() < 0.1 ? '+' : '';
  const int = String(Math.floor(rnd() * 10 ** Math.floor(rnd() * 12)));
  const frac = rnd() < 0.6 ? '.' + String(Math.floor(rnd() * 10 ** Math.floor(1 + rnd() * 10))).padStart(3, '0') : '';
  const exp = rnd() < 0.2 ? `e${rnd() < 0.5 ? '-' : ''}${Math.floor(rnd() * 30)}` : '';
  return sign + int + frac + exp;
}

test('fast vector parsing equals Number() + float4 rounding on random decimals', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let t = 0; t < 2000; t++) {
    const els = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => randomElement(rnd));
    const text = `[${els.join(rnd() < 0.5 ? ',' : ' , ')}]`;
    const want = reference(els);
    if (want.some((x) => !Number.isFinite(x))) assert.throws(() => parseVector(text), /out of range for type vector/, text);
    else assert.deepEqual(Array.from(parseVector(text)), want, text);
  }
});

test('malformed or special inputs still get the exact parser and its errors', () => {
  assert.throws(() => parseVector('[1,,2]'), /invalid input syntax for type vector/);
  assert.throws(() => parseVector('[1, ,2]'), /invalid input syntax for type vector/);
  assert.throws(() => parseVector('[1 2]'), /invalid input syntax for type vector/);
  assert.throws(() => parseVector('[1e]'), /invalid input syntax for type vector/);
  assert.throws(() => parseVector('[-]'), /invalid input syntax for type vector/);
  assert.throws(() => parseVector('[1e39]'), /out of range for type vector/);
  assert.throws(() => parseVector('[1,2]', 3), /expected 3 dimensions, not 2/);
  assert.deepEqual(Array.from(parseVector('[-3e38, 3e38]')), [Math.fround(-3e38), Math.fround(3e38)]);
  assert.deepEqual(Array.from(parseVector(' [ .5 , 5. , -0 ] ')), [0.5, 5, -0]);
});

test('16 digits and more (float4 values printed as doubles, what JavaScript clients send) round like Number() + float4', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const gens: (() => string)[] = [
    () => String(Math.fround(rnd())),
    () => String(Math.fround((rnd() - 0.5) * 10 ** Math.floor(rnd() * 60 - 30))),
    () => (rnd() - 0.5).toPrecision(16 + Math.floor(rnd() * 6)),
    // halfway between two float4 values, give or take the 17th digit: the cut value is too
    // close to the rounding boundary and the text goes through Number()
    () => {
      const f = Math.fround(rnd());
      return (f + (Math.fround(f * (1 + 2 ** -23)) - f) / 2).toPrecision(17 + Math.floor(rnd() * 4));
    },
    () => `${Math.floor(rnd() * 1e18)}.${Math.floor(rnd() * 1e6)}`,
    () => `0.${'0'.repeat(Math.floor(rnd() * 30))}${Math.floor(rnd() * 1e17)}`,
    () => (1.17e-38 * rnd()).toPrecision(18),
  ];
  for (let t = 0; t < 20000; t++) {
    const els = [gens[t % gens.length](), gens[(t + 3) % gens.length]()];
    const text = `[${els.join(',')}]`;
    assert.deepEqual(Array.from(parseVector(text)), reference(els), text);
  }
});

test('only ASCII whitespace around elements, as pgvector (isspace on bytes)', () => {
  for (const space of ['\u2009', '\u200a', '\u00a0', '\u2028', '\u3000', '\ufeff']) {
    assert.throws(() => parseVector(`[1,${space}2]`), /invalid input syntax for type vector/, JSON.stringify(space));
    assert.throws(() => parseVector(`[1,2]${space}`), /invalid input syntax for type vector/, JSON.stringify(space));
  }
  assert.deepEqual(Array.from(parseVector('\t[1 ,\v2\f]\r\n')), [1, 2]);
});
