/**
 * Shortest round-trip decimal output of float32 values, digit for digit what PostgreSQL's
 * `float_to_shortest_decimal_bufn` (src/common/f2s.c, Ryu by Ulf Adams) prints: float4out
 * with extra_float_digits > 0, and every element of pgvector's vector_out / halfvec_out.
 *
 * Ryu needs a 32 × 64-bit multiply; here the 61-bit factors are kept as three limbs so
 * every partial product stays below 2^53 and double arithmetic is exact (BigInt would be
 * far slower). Like PostgreSQL (STRICTLY_SHORTEST 0), the result never lies exactly on the
 * midpoint between two floats, so any strtof reads it back whatever its tie rule.
 *
 * Output goes as ASCII bytes into a caller's buffer, so a whole vector is written in one
 * pass and turned into one string at the end.
 */

const FLOAT_MANTISSA_BITS = 23;
const FLOAT_BIAS = 127;
const FLOAT_POW5_INV_BITCOUNT = 59;
const FLOAT_POW5_BITCOUNT = 61;

function bitLength(v: bigint): number {
  return v.toString(2).length;
}

/** The 61-bit table entries as three limbs (bits 42…60, 21…41, 0…20), three numbers per entry. */
function limbTable(entries: readonly bigint[]): Float64Array {
  const t = new Float64Array(3 * entries.length);
  entries.forEach((v, i) => {
    t[3 * i] = Number(v >> 42n);
    t[3 * i + 1] = Number((v >> 21n) & 0x1fffffn);
    t[3 * i + 2] = Number(v & 0x1fffffn);
  });
  return t;
}

/*
 * The tables f2s.c lists as constants, computed the way Ryu's generator does (the unit
 * test compares them with PostgreSQL's literal values): 2^(59 + ⌈log2 5^q⌉ - 1) / 5^q
 * rounded up, and 5^i scaled to exactly 61 bits.
 */
const POW5_INV_SPLIT_VALUES: bigint[] = [];
for (let q = 0; q < 31; q++) {
  const p5 = 5n ** BigInt(q);
  POW5_INV_SPLIT_VALUES.push((1n << BigInt(bitLength(p5) - 1 + FLOAT_POW5_INV_BITCOUNT)) / p5 + 1n);
}
const POW5_SPLIT_VALUES: bigint[] = [];
for (let i = 0; i < 47; i++) {
  const p5 = 5n ** BigInt(i);
  const shift = bitLength(p5) - FLOAT_POW5_BITCOUNT;
  POW5_SPLIT_VALUES.push(shift >= 0 ? p5 >> BigInt(shift) : p5 << BigInt(-shift));
}
const POW5_INV_SPLIT = limbTable(POW5_INV_SPLIT_VALUES);
const POW5_SPLIT = limbTable(POW5_SPLIT_VALUES);

/** Exposed for the unit test that checks them against f2s.c's literals. */
export const f2sTablesForTest = { POW5_INV_SPLIT: POW5_INV_SPLIT_VALUES, POW5_SPLIT: POW5_SPLIT_VALUES };

const TWO_M21 = 2 ** -21;
/** 2^-n, so mulShift's last shift is a multiplication */
const INV_POW2 = Array.from({ length: 64 }, (_, n) => 2 ** -n);

/**
 * (m × table[index]) >> shift for m < 2^27, a 61-bit entry, 42 < shift (f2d's shifts are
 * 52…60), as f2s.c's mulShift. With the entry a·2^42 + b·2^21 + c, every product and sum
 * below is an integer under 2^53, exact in a double, and
 * floor((a·2^k + r) / 2^n) = floor((a + floor(r / 2^k)) / 2^(n-k)).
 */
function mulShift(m: number, table: Float64Array, index: number, shift: number): number {
  const t = 3 * index;
  const mid = m * table[t + 1]! + Math.floor(m * table[t + 2]! * TWO_M21);
  return Math.floor((m * table[t]! + Math.floor(mid * TWO_M21)) * INV_POW2[shift - 42]!);
}

/** e == 0 ? 1 : ceil(log2(5^e)) */
const pow5bits = (e: number): number => ((e * 1217359) >>> 19) + 1;
/** floor(log10(2^e)) */
const log10Pow2 = (e: number): number => (e * 78913) >>> 18;
/** floor(log10(5^e)) */
const log10Pow5 = (e: number): number => (e * 732923) >>> 20;

/** floor(v / 10) of a uint32 (a double, exact: v / 10 is never within 2^-20 of the next integer) */
const div10 = (v: number): number => (v / 10) >>> 0;
const mod10 = (v: number): number => v - 10 * div10(v);
/**
 * floor(v / 10) of 0 <= v < 2^31 as int32 arithmetic, which V8 turns into a multiply.
 * vr, vp and vm stay below 6.7e8 for every float32 (checked over all exponents), so f2d
 * keeps them as int32.
 */
const idiv10 = (v: number): number => (v / 10) | 0;

function multipleOfPowerOf5(value: number, p: number): boolean {
  let count = 0;
  for (;;) {
    const q = (value / 5) >>> 0;
    if (value !== 5 * q) break;
    value = q;
    count++;
  }
  return count >= p;
}

/** f2d's result: mantissa × 10^exponent */
let decMantissa = 0;
let decExponent = 0;

/**
 * f2d: the shortest decimal in the open rounding interval of the float32 with these bits,
 * the nearest one to it when several have that length. Sets decMantissa / decExponent.
 * (Kept as one function like f2s.c so the two branches can be compared line by line.)
 */
function f2d(ieeeMantissa: number, ieeeExponent: number): void {
  let e2: number;
  let m2: number;
  if (ieeeExponent === 0) {
    e2 = 1 - FLOAT_BIAS - FLOAT_MANTISSA_BITS - 2;
    m2 = ieeeMantissa;
  } else {
    e2 = ieeeExponent - FLOAT_BIAS - FLOAT_MANTISSA_BITS - 2;
    m2 = 0x800000 + ieeeMantissa;
  }
  const mv = 4 * m2;
  const mp = 4 * m2 + 2;
  const mmShift = ieeeMantissa !== 0 || ieeeExponent <= 1 ? 1 : 0;
  const mm = 4 * m2 - 1 - mmShift;

  let vr: number, vp: number, vm: number, e10: number;
  let vrIsTrailingZeros = false;
  let lastRemovedDigit = 0;
  if (e2 >= 0) {
    const q = log10Pow2(e2);
    e10 = q;
    const k = FLOAT_POW5_INV_BITCOUNT + pow5bits(q) - 1;
    const i = -e2 + q + k;
    vr = mulShift(mv, POW5_INV_SPLIT, q, i) | 0;
    vp = mulShift(mp, POW5_INV_SPLIT, q, i) | 0;
    vm = mulShift(mm, POW5_INV_SPLIT, q, i) | 0;
    if (q !== 0 && idiv10(vp - 1) <= idiv10(vm)) {
      const l = FLOAT_POW5_INV_BITCOUNT + pow5bits(q - 1) - 1;
      lastRemovedDigit = mod10(mulShift(mv, POW5_INV_SPLIT, q - 1, -e2 + q - 1 + l));
    }
    if (q <= 9) {
      // only one of mp, mv and mm can be a multiple of 5, if any
      if (mv % 5 === 0) vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
      else if (multipleOfPowerOf5(mp, q)) vp--;
    }
  } else {
    const q = log10Pow5(-e2);
    e10 = q + e2;
    const i = -e2 - q;
    const k = pow5bits(i) - FLOAT_POW5_BITCOUNT;
    let j = q - k;
    vr = mulShift(mv, POW5_SPLIT, i, j) | 0;
    vp = mulShift(mp, POW5_SPLIT, i, j) | 0;
    vm = mulShift(mm, POW5_SPLIT, i, j) | 0;
    if (q !== 0 && idiv10(vp - 1) <= idiv10(vm)) {
      j = q - 1 - (pow5bits(i + 1) - FLOAT_POW5_BITCOUNT);
      lastRemovedDigit = mod10(mulShift(mv, POW5_SPLIT, i + 1, j));
    }
    if (q <= 1) {
      // mv = 4·m2 has at least two trailing 0 bits; mp = mv + 2 at least one
      vrIsTrailingZeros = true;
      vp--;
    } else if (q < 31) {
      vrIsTrailingZeros = (mv & ((1 << (q - 1)) - 1)) === 0;
    }
  }

  // Step 4: drop digits while the interval still holds a shorter decimal
  let removed = 0;
  if (vrIsTrailingZeros) {
    // the rare general case (~4%): track whether the exact value ends in ...50…0
    while (idiv10(vp) > idiv10(vm)) {
      vrIsTrailingZeros &&= lastRemovedDigit === 0;
      const vr10 = idiv10(vr);
      lastRemovedDigit = vr - 10 * vr10;
      vr = vr10;
      vp = idiv10(vp);
      vm = idiv10(vm);
      removed++;
    }
    if (vrIsTrailingZeros && lastRemovedDigit === 5 && (vr & 1) === 0) lastRemovedDigit = 4; // round half to even
  } else {
    while (idiv10(vp) > idiv10(vm)) {
      const vr10 = idiv10(vr);
      lastRemovedDigit = vr - 10 * vr10;
      vr = vr10;
      vp = idiv10(vp);
      vm = idiv10(vm);
      removed++;
    }
  }
  // take vr + 1 when vr is outside the (open) interval or the removed digits round up
  decMantissa = vr + (vr === vm || lastRemovedDigit >= 5 ? 1 : 0);
  decExponent = e10 + removed;
}

/*
 * A fast path in plain double arithmetic. Ryu's vr, vp and vm are floor(mv·C), floor(mp·C)
 * and floor(mm·C) for C = 2^e2 / 10^e10, one constant per binary exponent. With C rounded
 * to a double, a product below 2^34 is off by less than 2^-17, so its floor is right unless
 * the product lies within FAST_MARGIN of an integer. Those values, and every value for
 * which Ryu takes its trailing-zeros branch, go through the exact f2d instead (a few
 * percent of them), so the fast path gives f2d's answer or none.
 */
const FAST_MARGIN = 2 ** -12;
/** per IEEE exponent field: C, 10·C, e10, q, and Ryu's trailing-zero mask of mv (-1: none) */
const FAST_SCALE = new Float64Array(255);
const FAST_SCALE10 = new Float64Array(255);
const FAST_E10 = new Int32Array(255);
const FAST_Q = new Int32Array(255);
const FAST_TZ_MASK = new Int32Array(255);
for (let ieeeExponent = 0; ieeeExponent < 255; ieeeExponent++) {
  const e2 = (ieeeExponent === 0 ? 1 : ieeeExponent) - FLOAT_BIAS - FLOAT_MANTISSA_BITS - 2;
  const q = e2 >= 0 ? log10Pow2(e2) : log10Pow5(-e2);
  const e10 = e2 >= 0 ? q : q + e2;
  FAST_SCALE[ieeeExponent] = ratioToDouble(e2, e10);
  FAST_SCALE10[ieeeExponent] = ratioToDouble(e2, e10 - 1);
  FAST_E10[ieeeExponent] = e10;
  FAST_Q[ieeeExponent] = q;
  FAST_TZ_MASK[ieeeExponent] = e2 >= 0 ? -1 : q <= 1 ? 0 : q < 31 ? (1 << (q - 1)) - 1 : -1;
}

/** 2^e2 / 10^e10 rounded to a double (to within one ulp) */
function ratioToDouble(e2: number, e10: number): number {
  let num = 1n << 200n;
  let den = 1n;
  if (e2 >= 0) num <<= BigInt(e2); else den <<= BigInt(-e2);
  if (e10 >= 0) den *= 10n ** BigInt(e10); else num *= 10n ** BigInt(-e10);
  return Number(num / den) / 2 ** 200;
}

const nearInteger = (t: number, floor: number): boolean => t - floor < FAST_MARGIN || t - floor > 1 - FAST_MARGIN;

/** f2d's common case in doubles; false when the exact f2d must decide. */
function f2dFast(ieeeMantissa: number, ieeeExponent: number): boolean {
  const m2 = ieeeExponent === 0 ? ieeeMantissa : 0x800000 + ieeeMantissa;
  const mv = 4 * m2;
  const tzMask = FAST_TZ_MASK[ieeeExponent]!;
  if (tzMask >= 0 && (mv & tzMask) === 0) return false;
  const c = FAST_SCALE[ieeeExponent]!;
  const tr = mv * c;
  const tp = (mv + 2) * c;
  const tm = (mv - (ieeeMantissa !== 0 || ieeeExponent <= 1 ? 2 : 1)) * c;
  let vr = Math.floor(tr);
  let vp = Math.floor(tp);
  let vm = Math.floor(tm);
  if (nearInteger(tr, vr) || nearInteger(tp, vp) || nearInteger(tm, vm)) return false;
  vr |= 0; // all three stay below 6.7e8
  vp |= 0;
  vm |= 0;
  let lastRemovedDigit = 0;
  if (FAST_Q[ieeeExponent] !== 0 && idiv10(vp - 1) <= idiv10(vm)) {
    const t10 = mv * FAST_SCALE10[ieeeExponent]!;
    const f10 = Math.floor(t10);
    if (nearInteger(t10, f10)) return false;
    lastRemovedDigit = mod10(f10);
  }
  let removed = 0;
  while (idiv10(vp) > idiv10(vm)) {
    const vr10 = idiv10(vr);
    lastRemovedDigit = vr - 10 * vr10;
    vr = vr10;
    vp = idiv10(vp);
    vm = idiv10(vm);
    removed++;
  }
  decMantissa = vr + (vr === vm || lastRemovedDigit >= 5 ? 1 : 0);
  decExponent = FAST_E10[ieeeExponent]! + removed;
  return true;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

function decimalLength(v: number): number {
  if (v >= 100000000) return 9;
  if (v >= 10000000) return 8;
  if (v >= 1000000) return 7;
  if (v >= 100000) return 6;
  if (v >= 10000) return 5;
  if (v >= 1000) return 4;
  if (v >= 100) return 3;
  if (v >= 10) return 2;
  return 1;
}

/** "00" … "99" as ASCII, so digits are written two at a time (f2s.c's DIGIT_TABLE) */
const DIGIT_PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + ((i / 10) | 0);
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Writes the `olength` digits of `output` (< 2^31) ending just before `end`. */
function writeDigits(out: Uint8Array, end: number, output: number, olength: number): void {
  let p = end;
  for (; olength >= 2; olength -= 2) {
    const q = (output / 100) | 0;
    const r = 2 * (output - 100 * q);
    out[--p] = DIGIT_PAIRS[r + 1]!;
    out[--p] = DIGIT_PAIRS[r]!;
    output = q;
  }
  if (olength === 1) out[p - 1] = 48 + output;
}

/**
 * to_chars: fixed notation when the decimal exponent is in [-4, 6), else d.ddde±XX, as
 * printf's %g thresholds. Returns the position after the last byte written.
 */
function writeDecimal(out: Uint8Array, pos: number, sign: boolean, mantissa: number, exponent: number): number {
  if (sign) out[pos++] = 45; // -
  let olength = decimalLength(mantissa);
  const exp = exponent + olength - 1;
  if (exp >= -4 && exp < 6) {
    const nexp = exponent + olength; // digits before the point
    if (nexp <= 0) {
      out[pos++] = 48;
      out[pos++] = 46; // 0.
      for (let z = 0; z < -nexp; z++) out[pos++] = 48;
      writeDigits(out, pos + olength, mantissa, olength);
      return pos + olength;
    }
    if (exponent < 0) {
      // ddd.ddd: the digits after the point, then those before it
      const after = -exponent;
      const scale = POW10[after]!;
      const intPart = (mantissa / scale) >>> 0;
      writeDigits(out, pos + nexp, intPart, nexp);
      out[pos + nexp] = 46;
      writeDigits(out, pos + nexp + 1 + after, mantissa - intPart * scale, after);
      return pos + nexp + 1 + after;
    }
    writeDigits(out, pos + olength, mantissa, olength);
    pos += olength;
    for (let z = 0; z < exponent; z++) out[pos++] = 48;
    return pos;
  }
  // the small-integer path can leave trailing zeros in the mantissa: they go into the exponent
  if (exponent === 0) {
    while (mod10(mantissa) === 0) {
      mantissa = div10(mantissa);
      olength--;
    }
  }
  writeDigits(out, pos + olength + 1, mantissa, olength);
  out[pos] = out[pos + 1]!; // the first digit moves before the point
  if (olength > 1) {
    out[pos + 1] = 46;
    pos += olength + 1;
  } else {
    pos += 1;
  }
  out[pos++] = 101; // e
  let e = exp;
  if (e < 0) {
    out[pos++] = 45;
    e = -e;
  } else {
    out[pos++] = 43;
  }
  out[pos++] = 48 + div10(e);
  out[pos++] = 48 + mod10(e);
  return pos;
}

const NAN = [78, 97, 78];
const INFINITY = [73, 110, 102, 105, 110, 105, 116, 121];

/**
 * float_to_shortest_decimal_bufn for the float32 with IEEE bits `bits` (as a uint32):
 * writes at `pos` (needs 15 bytes of room) and returns the position after it.
 */
export function writeFloat32Shortest(bits: number, out: Uint8Array, pos: number): number {
  const sign = bits >>> 31 === 1;
  const ieeeMantissa = bits & 0x7fffff;
  const ieeeExponent = (bits >>> 23) & 0xff;
  if (ieeeExponent === 0xff || (ieeeExponent === 0 && ieeeMantissa === 0)) {
    if (ieeeExponent === 0xff && ieeeMantissa !== 0) {
      out.set(NAN, pos);
      return pos + 3;
    }
    if (sign) out[pos++] = 45;
    if (ieeeExponent === 0) {
      out[pos] = 48;
      return pos + 1;
    }
    out.set(INFINITY, pos);
    return pos + 8;
  }
  // f2d_small_int: an integer in [1, 2^24) prints exactly
  const e2 = ieeeExponent - FLOAT_BIAS - FLOAT_MANTISSA_BITS;
  if (e2 >= -FLOAT_MANTISSA_BITS && e2 <= 0 && (ieeeMantissa & ((1 << -e2) - 1)) === 0) {
    return writeDecimal(out, pos, sign, (0x800000 + ieeeMantissa) / 2 ** -e2, 0);
  }
  if (!f2dFast(ieeeMantissa, ieeeExponent)) f2d(ieeeMantissa, ieeeExponent);
  return writeDecimal(out, pos, sign, decMantissa, decExponent);
}

/** the most bytes writeFloat32Shortest writes: -1.2345678e-38 */
export const FLOAT32_SHORTEST_MAX_LEN = 15;

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);
const scratchOut = Buffer.allocUnsafe(FLOAT32_SHORTEST_MAX_LEN);

/** The IEEE bits of Math.fround(x). */
export function float32Bits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0]!;
}

/** float_to_shortest_decimal_buf as a string. */
export function float32ShortestString(x: number): string {
  const end = writeFloat32Shortest(float32Bits(x), scratchOut, 0);
  return scratchOut.toString('latin1', 0, end);
}
