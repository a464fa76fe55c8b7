/**
 * The fast path of vector text input must give exactly what the element-by-element
 * parser gives (Number() then float4 rounding), and leave every malformed input to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVector, parseVectorBytes, VECTOR_MAX_DIM } from '../src/types/vector.js';

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

test('a Bind parameter\'s bytes parse to what its text does, and anything else is left to the text parser', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let t = 0; t < 3000; t++) {
    const els = Array.from({ length: 1 + Math.floor(rnd() * 900) }, () => (rnd() < 0.5 ? randomElement(rnd) : String(Math.fround(rnd() - 0.5))));
    const text = `${rnd() < 0.1 ? ' ' : ''}[${els.join(rnd() < 0.5 ? ',' : ' , ')}]`;
    const fromBytes = parseVectorBytes(Buffer.from(text));
    let fromText: Float32Array | undefined;
    try { fromText = parseVector(text); } catch { fromText = undefined; }
    if (fromBytes) assert.deepEqual(Array.from(fromBytes), Array.from(fromText!), text.slice(0, 80));
    // the fast path only declines where the text parser decides (out of range: its error)
    else assert.ok(reference(els).some((x) => !Number.isFinite(x)), text.slice(0, 80));
  }
  // a byte after the parameter is not read: the frame's next bytes follow it in the same buffer
  const frame = Buffer.from('[1,2]3,4]');
  assert.deepEqual(Array.from(parseVectorBytes(frame.subarray(0, 5))!), [1, 2]);
  assert.deepEqual(Array.from(parseVectorBytes(Buffer.from('[1,2]'), 2)!), [1, 2]);
  for (const [text, typmod] of [['[1,2]', 3], ['[1,,2]', -1], ['[]', -1], ['[1e]', -1], ['[1e39]', -1], ['[1,\u00a02]', -1], ['[1,2] x', -1], ['', -1]] as const) {
    assert.equal(parseVectorBytes(Buffer.from(text, 'utf8'), typmod), undefined, text);
  }
  assert.equal(parseVectorBytes(Buffer.from([0x5b, 0x31, 0xc3, 0x28, 0x5d])), undefined, 'invalid UTF-8: the text path reports it');
  const most = `[${Array.from({ length: VECTOR_MAX_DIM }, (_, i) => i % 10).join(',')}]`;
  assert.equal(parseVectorBytes(Buffer.from(most))!.length, VECTOR_MAX_DIM);
  assert.equal(parseVectorBytes(Buffer.from(most.replace(']', ',1]'))), undefined, 'one too many: vector_in\'s error');
});
