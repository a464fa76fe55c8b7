/**
 * float4 / float8 / vector shortest round-trip output against PostgreSQL 15 + pgvector 0.8.6.
 *
 * The expected strings of FLOAT4, VECTORS and FLOAT8 were captured from the real server
 * (`select v::float4::text`, `'[…]'::vector::text`, …). The random sweep compares the Ryu
 * port with the trial formatting it replaced (`trialFormatFloat4`, kept here as the
 * oracle) and settles every disagreement with an exact BigInt search: the trial version
 * accepts a decimal lying exactly on the midpoint between two floats, which PostgreSQL
 * never prints (52000288 → 5.2000288e+07, not 5.200029e+07).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { f2sTablesForTest, float32ShortestString, writeFloat32Shortest } from '../src/types/float-shortest.js';
import { formatFloat4, formatFloat8 } from '../src/types/float.js';
import { formatVector, parseVector } from '../src/types/vector.js';
import { formatHalfvec, parseHalfvec } from '../src/types/halfvec.js';
import { formatText } from '../src/types/text-io.js';
import { OID } from '../src/types/types.js';

const FLOAT4: [string, string][] = [
  ['0', '0'], ['-0', '-0'], ['1', '1'], ['-1', '-1'], ['0.1', '0.1'], ['1e-45', '1e-45'], ['-1e-45', '-1e-45'],
  ['1.1754942e-38', '1.1754942e-38'], ['1.17549435e-38', '1.1754944e-38'], ['3.4028235e38', '3.4028235e+38'],
  ['-3.4028235e38', '-3.4028235e+38'], ['52000288', '5.2000288e+07'], ['848807170', '8.4880717e+08'],
  ['16777215', '1.6777215e+07'], ['16777216', '1.6777216e+07'], ['16777217', '1.6777216e+07'], ['1000000', '1e+06'],
  ['999999', '999999'], ['9999999', '9.999999e+06'], ['100000', '100000'], ['0.0001', '0.0001'], ['0.00001', '1e-05'],
  ['0.000123', '0.000123'], ['123456.7', '123456.7'], ['1234567', '1.234567e+06'], ['7.26953125', '7.2695312'],
  ['0.33333334', '0.33333334'], ['1e10', '1e+10'], ['1e20', '1e+20'], ['1e-10', '1e-10'], ['2.5', '2.5'],
  ['NaN', 'NaN'], ['Infinity', 'Infinity'], ['-Infinity', '-Infinity'], ['8388608.5', '8.388608e+06'],
  ['33554436', '3.3554436e+07'], ['1.5e-7', '1.5e-07'], ['1312746.75', '1.3127468e+06'],
];

const VECTORS: [string, string][] = [
  ['[1e-45,-0,3.4028235e38,52000288,0.0001,1e-5,123456.7,1234567,0.1,-1.5]', '[1e-45,-0,3.4028235e+38,5.2000288e+07,0.0001,1e-05,123456.7,1.234567e+06,0.1,-1.5]'],
];
const HALFVECS: [string, string][] = [['[1,0.1,65504,-2.5e-5,0.333]', '[1,0.099975586,65504,-2.4974346e-05,0.3330078]']];

const FLOAT8: [number, string][] = [
  [0.1, '0.1'], [1e23, '9.999999999999999e+22'], [1e15, '1e+15'], [1e16, '1e+16'], [1e-5, '1e-05'],
  [18014398509482008, '1.8014398509482008e+16'], [-0, '-0'], [123456789012345.6, '123456789012345.6'],
];

test('the power-of-five tables equal the literals in PostgreSQL f2s.c', () => {
  const inv = f2sTablesForTest.POW5_INV_SPLIT;
  const pow = f2sTablesForTest.POW5_SPLIT;
  assert.equal(inv.length, 31);
  assert.equal(pow.length, 47);
  assert.deepEqual([inv[0], inv[1], inv[2], inv[29], inv[30]],
    [576460752303423489n, 461168601842738791n, 368934881474191033n, 456719261665907162n, 365375409332725730n]);
  assert.deepEqual([pow[0], pow[1], pow[25], pow[45], pow[46]],
    [1152921504606846976n, 1441151880758558720n, 1192092895507812500n, 1615587133892632177n, 2019483917365790221n]);
});

test('float4 output matches PostgreSQL float4out', () => {
  for (const [input, expected] of FLOAT4) {
    assert.equal(formatFloat4(Math.fround(Number(input))), expected, input);
    assert.equal(formatText({ oid: OID.float4, typmod: -1 }, Math.fround(Number(input))), expected, input);
  }
  assert.equal(formatText({ oid: OID._float4, typmod: -1 }, [0.1, 1e20, 52000288, 0].map(Math.fround)), '{0.1,1e+20,5.2000288e+07,0}');
});

test('vector and halfvec output match pgvector vector_out / halfvec_out', () => {
  for (const [input, expected] of VECTORS) assert.equal(formatVector(parseVector(input)), expected);
  for (const [input, expected] of HALFVECS) assert.equal(formatHalfvec(parseHalfvec(input)), expected);
  // a subarray view (non-zero byteOffset) and a vector longer than the first output buffer
  const big = new Float32Array(2001).fill(Math.fround(-1.2345678e-38));
  assert.equal(formatVector(big.subarray(1)), '[' + Array(2000).fill('-1.2345678e-38').join(',') + ']');
});

test('float8 output matches PostgreSQL float8out, including decimals on a midpoint', () => {
  for (const [x, expected] of FLOAT8) assert.equal(formatFloat8(x), expected, String(x));
  assert.equal(formatText({ oid: OID._float8, typmod: -1 }, [0.1, 1e23, 1e15]), '{0.1,9.999999999999999e+22,1e+15}');
  // with extra_float_digits <= 0 both keep printf's %g behaviour
  assert.equal(formatFloat8(1e23, 0), '1e+23');
  assert.equal(formatFloat4(Math.fround(0.1), 0), '0.1');
});

test('writeFloat32Shortest writes at an offset and returns the end', () => {
  const out = new Uint8Array(40).fill(120);
  const end = writeFloat32Shortest(0xbf800000, out, 3); // -1
  assert.equal(end, 5);
  assert.equal(Buffer.from(out).toString('latin1', 0, 6), 'xxx-1x');
});

// ---------------------------------------------------------------- the oracles

/** The p-digit candidate of the replaced trial formatting (ties resolved to the even digit). */
function trialCandidate(x: number, p: number): string | undefined {
  const up = x.toExponential(p - 1);
  const upOk = Math.fround(Number(up)) === x;
  const exact = x.toExponential(p);
  const mant = exact.slice(0, exact.indexOf('e'));
  if (Number(exact) !== x || !mant.endsWith('5')) return upOk ? up : undefined;
  const down = mant.slice(0, -1).replace(/\.$/, '') + exact.slice(exact.indexOf('e'));
  const downOk = Math.fround(Number(down)) === x;
  if (upOk && downOk) return Number(down.slice(0, down.indexOf('e')).slice(-1)) % 2 === 0 ? down : up;
  return upOk ? up : downOk ? down : undefined;
}

/** digits (no trailing zeros) and decimal exponent laid out like float4out */
function layout(neg: boolean, digits: string, exp: number): string {
  let out: string;
  if (exp < -4 || exp >= 6) {
    const a = Math.abs(exp);
    out = digits[0]! + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + (exp < 0 ? '-' : '+') + (a < 10 ? '0' : '') + a;
  } else if (exp < 0) out = '0.' + '0'.repeat(-exp - 1) + digits;
  else if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  return neg ? '-' + out : out;
}

function trialFormatFloat4(x: number): string {
  let s: string | undefined;
  for (let p = 1; p <= 9 && s === undefined; p++) s = trialCandidate(x, p);
  s ??= x.toExponential(8);
  const ePos = s.indexOf('e');
  const digits = s.slice(0, ePos).replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  return layout(x < 0, digits, Number(s.slice(ePos + 1)));
}

/**
 * The shortest decimal strictly inside the rounding interval of float32 `bits` (finite,
 * non-zero), nearest to the value (ties to even): by exact rational arithmetic, values
 * scaled by 2^152.
 */
function exactShortest(bits: number): string {
  const expField = (bits >>> 23) & 0xff;
  const frac = bits & 0x7fffff;
  const m = BigInt(expField === 0 ? frac : frac + 0x800000);
  const e = (expField === 0 ? 1 : expField) - 150; // value = m · 2^e
  const S = 152n;
  const x = m << (BigInt(e) + S); // e + 152 >= 3
  const gapUp = 1n << (BigInt(e) + S);
  const gapDown = frac === 0 && expField > 1 ? gapUp / 2n : gapUp;
  const lo = 2n * x - gapDown; // twice the bounds
  const hi = 2n * x + gapUp;
  const scaled = (d: bigint, k: number): bigint => (k >= 0 ? (d * 10n ** BigInt(k)) << S : -1n);
  const inside = (d: bigint, k: number): boolean => {
    if (k >= 0) { const v = 2n * scaled(d, k); return lo < v && v < hi; }
    const v = 2n * (d << S); const p = 10n ** BigInt(-k); // compare d/10^-k with the bounds
    return lo * p < v && v < hi * p;
  };
  const atLeastPow10 = (k: number): boolean => (k >= 0 ? x >= 10n ** BigInt(k) << S : x * 10n ** BigInt(-k) >= 1n << S);
  let e10 = Math.floor(Math.log10(Number(m) * 2 ** e)); // then made exact
  while (!atLeastPow10(e10)) e10--;
  while (atLeastPow10(e10 + 1)) e10++;
  for (let p = 1; p <= 9; p++) {
    const k = e10 - p + 1;
    const dFloor = k >= 0 ? x / (10n ** BigInt(k) << S) : (x * 10n ** BigInt(-k)) >> S;
    let best: bigint | undefined;
    let bestDist = 0n;
    for (const d of [dFloor, dFloor + 1n]) {
      if (!inside(d, k)) continue;
      const dist = k >= 0 ? abs(scaled(d, k) - x) : abs((d << S) - x * 10n ** BigInt(-k));
      // an exact tie (…6.75 between …6.7 and …6.8) goes to the even digit, as in Ryu
      if (best === undefined || dist < bestDist || (dist === bestDist && d % 2n === 0n)) { best = d; bestDist = dist; }
    }
    if (best !== undefined) {
      const s = best.toString();
      return layout(bits >>> 31 === 1, s.replace(/0+$/, ''), k + s.length - 1);
    }
  }
  throw new Error('no 9-digit decimal inside the interval');
}
const abs = (v: bigint): bigint => (v < 0n ? -v : v);

test('the exact oracle agrees with PostgreSQL on the captured values', () => {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (const [input, expected] of FLOAT4) {
    f[0] = Number(input);
    if (!Number.isFinite(f[0]) || f[0] === 0) continue;
    assert.equal(exactShortest(u[0]!), expected, input);
  }
});

test('Ryu equals the trial formatting on random bit patterns, and the exact oracle where they differ', () => {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  let seed = 20240611;
  let midpoints = 0;
  let exactToo = false;
  const check = (bits: number): void => {
    u[0] = bits;
    const x = f[0]!;
    const ours = float32ShortestString(x);
    if (!Number.isFinite(x) || x === 0) {
      assert.equal(ours, Number.isNaN(x) ? 'NaN' : x === 0 ? (Object.is(x, -0) ? '-0' : '0') : x > 0 ? 'Infinity' : '-Infinity');
      return;
    }
    if (exactToo) assert.equal(ours, exactShortest(bits), `bits 0x${bits.toString(16)}`);
    if (ours === trialFormatFloat4(x)) return;
    midpoints++;
    assert.equal(ours, exactShortest(bits), `bits 0x${bits.toString(16)}`);
  };
  // QUIVER_FLOAT_SWEEP=5000000 for a longer run than the suite's default
  const sweep = Number(process.env.QUIVER_FLOAT_SWEEP ?? 150_000);
  for (let k = 0; k < sweep; k++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    exactToo = k % 16 === 0; // the slow exact oracle on a sample, not only on disagreements
    check(seed);
    // every eighth: a subnormal, the smallest normals, or an integer-valued float
    if (k % 8 === 0) check((seed & 0x807fffff) | ((k >> 3) % 3) << 23);
    if (k % 8 === 4) check((seed & 0x80ffffff) | (150 + (k % 30)) << 23);
  }
  // powers of two (asymmetric interval), the extremes and every special
  exactToo = true;
  for (let ex = 0; ex < 256; ex++) for (const frac of [0, 1, 0x7fffff]) { check(ex << 23 | frac); check((0x80000000 | ex << 23 | frac) >>> 0); }
  assert.ok(midpoints > 100, `the sweep should meet midpoint decimals the trial formatting accepted (${midpoints})`);
});
