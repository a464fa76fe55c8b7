/**
 * numeric: arbitrary precision decimals, carried as PostgreSQL's canonical text (the display
 * scale is part of the value: '1.50' stays '1.50'). Arithmetic goes through decimal.js and
 * reproduces PostgreSQL's result-scale rules (add: max scale, mul: sum of scales, div:
 * select_div_scale) and its rounding (half away from zero).
 */
import { Decimal as DecimalBase } from 'decimal.js';
import { SqlError, SqlState } from '../errors.js';

export const Decimal = DecimalBase.clone({ precision: 1100, rounding: DecimalBase.ROUND_HALF_UP, toExpPos: 9e15, toExpNeg: -9e15, maxE: 9e15, minE: -9e15 });
export type Decimal = InstanceType<typeof Decimal>;

const clones = new Map<number, typeof Decimal>();
/** a Decimal constructor computing with `p` significant digits (inexact ops: div, sqrt, ln …) */
export function decimalWithPrecision(p: number): typeof Decimal {
  const prec = Math.min(Math.max(Math.ceil(p), 20), 1100);
  let D = clones.get(prec);
  if (!D) {
    D = Decimal.clone({ precision: prec });
    clones.set(prec, D);
  }
  return D;
}

/** significant digits needed to get `scale` fraction digits of a result of magnitude 10^e */
function digitsFor(e: number, scale: number): number {
  return Math.max(e, 0) + scale + 10;
}

const NUMERIC_MIN_SIG_DIGITS = 16;
const NUMERIC_MAX_DISPLAY_SCALE = 1000;
const NUMERIC_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(?:e([+-]?\d+))?$/i;

export function invalidNumeric(text: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
}

/** numeric_in */
export function parseNumeric(text: string): string {
  const s = text.trim();
  const low = s.toLowerCase();
  if (low === 'nan') return 'NaN';
  if (low === 'infinity' || low === '+infinity' || low === 'inf' || low === '+inf') return 'Infinity';
  if (low === '-infinity' || low === '-inf') return '-Infinity';
  const m = NUMERIC_RE.exec(s.replace(/_/g, '') === s ? s : '\u0000');
  if (!m) throw invalidNumeric(text);
  const frac = m[2]!.includes('.') ? m[2]!.split('.')[1]!.length : 0;
  const exp = m[3] ? Number(m[3]) : 0;
  if (Math.abs(exp) > 1000) throw new SqlError(SqlState.numericValueOutOfRange, 'value overflows numeric format');
  const dscale = Math.max(0, frac - exp);
  return formatDecimal(new Decimal(m[1]! + m[2]! + (m[3] ? 'e' + m[3] : '')), dscale);
}

/** digits after the decimal point in canonical text */
export function scaleOf(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

export function isSpecial(s: string): boolean {
  return s === 'NaN' || s === 'Infinity' || s === '-Infinity';
}

export function toDecimal(s: string): Decimal {
  return new Decimal(s);
}

/** Decimal rounded to `scale` fraction digits (half away from zero), printed with exactly that many. */
export function formatDecimal(d: Decimal, scale: number): string {
  if (d.isNaN()) return 'NaN';
  if (!d.isFinite()) return d.isNeg() ? '-Infinity' : 'Infinity';
  const r = d.toFixed(scale, Decimal.ROUND_HALF_UP);
  return r.startsWith('-') && /^-0(\.0*)?$/.test(r) ? r.slice(1) : r;
}

/** base-10000 weight and first base-10000 digit, as in PostgreSQL's NumericVar */
function nbaseWeight(d: Decimal): { weight: number; first: number } {
  if (d.isZero()) return { weight: 0, first: 0 };
  const a = d.abs();
  const weight = Math.floor(a.e / 4);
  const first = a.div(new Decimal(10000).pow(weight)).floor().toNumber();
  return { weight, first };
}

export function selectDivScale(a: Decimal, aScale: number, b: Decimal, bScale: number): number {
  const w1 = nbaseWeight(a);
  const w2 = nbaseWeight(b);
  let qweight = w1.weight - w2.weight;
  if (w1.first <= w2.first) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, aScale, bScale, 0);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

function divByZero(): SqlError { return new SqlError(SqlState.divisionByZero, 'division by zero'); }

function specialArith(op: string, a: string, b: string): string | undefined {
  if (!isSpecial(a) && !isSpecial(b)) return undefined;
  if (a === 'NaN' || b === 'NaN') return 'NaN';
  const fa = Number(a), fb = Number(b);
  if ((op === '/' || op === '%') && fb === 0) throw divByZero();
  let r: number;
  switch (op) {
    case '+': r = fa + fb; break;
    case '-': r = fa - fb; break;
    case '*': r = fa * fb; break;
    case '/': r = Number.isFinite(fb) ? fa / fb : (Number.isFinite(fa) ? 0 : NaN); break;
    case '%': r = Number.isFinite(fa) ? (Number.isFinite(fb) ? fa % fb : fa) : NaN; break;
    default: r = NaN;
  }
  if (Number.isNaN(r)) return 'NaN';
  if (!Number.isFinite(r)) return r > 0 ? 'Infinity' : '-Infinity';
  return op === '%' ? a : '0';
}

export function numericAdd(a: string, b: string): string {
  return specialArith('+', a, b) ?? formatDecimal(toDecimal(a).plus(b), Math.max(scaleOf(a), scaleOf(b)));
}
export function numericSub(a: string, b: string): string {
  return specialArith('-', a, b) ?? formatDecimal(toDecimal(a).minus(b), Math.max(scaleOf(a), scaleOf(b)));
}
export function numericMul(a: string, b: string): string {
  return specialArith('*', a, b) ?? formatDecimal(toDecimal(a).times(b), scaleOf(a) + scaleOf(b));
}
export function numericDiv(a: string, b: string): string {
  const sp = specialArith('/', a, b);
  if (sp !== undefined) return sp;
  const da = toDecimal(a), db = toDecimal(b);
  if (db.isZero()) throw divByZero();
  const rscale = selectDivScale(da, scaleOf(a), db, scaleOf(b));
  const D = decimalWithPrecision(digitsFor(da.e - db.e + 1, rscale));
  return formatDecimal(new D(a).div(new D(b)) as unknown as Decimal, rscale);
}
export function numericMod(a: string, b: string): string {
  const sp = specialArith('%', a, b);
  if (sp !== undefined) return sp;
  const db = toDecimal(b);
  if (db.isZero()) throw divByZero();
  const da = toDecimal(a);
  const D = decimalWithPrecision(digitsFor(da.e - db.e + 1, 0));
  const q = new D(a).div(new D(b)).trunc() as unknown as Decimal;
  return formatDecimal(da.minus(q.times(db)), Math.max(scaleOf(a), scaleOf(b)));
}
export function numericNeg(a: string): string {
  if (a === 'NaN') return a;
  if (a === 'Infinity') return '-Infinity';
  if (a === '-Infinity') return 'Infinity';
  if (/^0(\.0*)?$/.test(a)) return a;
  return a.startsWith('-') ? a.slice(1) : '-' + a;
}
export function numericAbs(a: string): string {
  return a.startsWith('-') ? a.slice(1) : a;
}

/** Compare, with NaN above everything (also above Infinity) as in PostgreSQL. */
export function compareNumeric(a: string, b: string): number {
  if (a === b) return 0;
  if (a === 'NaN') return 1;
  if (b === 'NaN') return -1;
  const c = toDecimal(a).cmp(toDecimal(b));
  return c;
}

/** Canonical form without scale, for hashing: equal values ↔ equal keys ('1.0' = '1.00'). */
export function numericHashKey(a: string): string {
  if (isSpecial(a)) return a;
  const d = toDecimal(a);
  return d.isZero() ? '0' : d.toString();
}

export function numericSign(a: string): string {
  if (a === 'NaN') return 'NaN';
  const d = toDecimal(a);
  return d.isZero() ? '0' : d.isNeg() ? '-1' : '1';
}

/** round(numeric, s) — negative s rounds left of the point */
export function numericRound(a: string, s = 0): string {
  if (isSpecial(a)) return a;
  const d = toDecimal(a);
  if (s >= 0) return formatDecimal(d, s);
  const f = new Decimal(10).pow(-s);
  return formatDecimal(d.div(f).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).times(f), 0);
}
export function numericTrunc(a: string, s = 0): string {
  if (isSpecial(a)) return a;
  const d = toDecimal(a);
  if (s >= 0) return formatDecimal(d.toDecimalPlaces(s, Decimal.ROUND_DOWN), s);
  const f = new Decimal(10).pow(-s);
  return formatDecimal(d.div(f).trunc().times(f), 0);
}
export function numericCeil(a: string): string { return isSpecial(a) ? a : formatDecimal(toDecimal(a).ceil(), 0); }
export function numericFloor(a: string): string { return isSpecial(a) ? a : formatDecimal(toDecimal(a).floor(), 0); }

export function numericSqrt(a: string): string {
  if (isSpecial(a)) {
    if (a === '-Infinity') throw new SqlError('2201F', 'cannot take square root of a negative number');
    return a;
  }
  const d = toDecimal(a);
  if (d.isNeg() && !d.isZero()) throw new SqlError('2201F', 'cannot take square root of a negative number');
  const { weight } = nbaseWeight(d);
  const sweight = Math.trunc(((weight + 1) * 4) / 2) - 1;
  const rscale = Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS - sweight, scaleOf(a), 0), NUMERIC_MAX_DISPLAY_SCALE);
  const D = decimalWithPrecision(digitsFor(d.e / 2 + 1, rscale));
  return formatDecimal(new D(a).sqrt() as unknown as Decimal, rscale);
}

/** numeric ^ numeric; result scale like PostgreSQL's power_var for the common cases */
export function numericPower(a: string, b: string): string {
  if (a === 'NaN' || b === 'NaN') return (a === '1' || b === '0') ? '1' : 'NaN';
  const da = toDecimal(a), db = toDecimal(b);
  if (da.isZero() && db.isNeg()) throw new SqlError('2201F', 'zero raised to a negative power is undefined');
  if (da.isNeg() && !db.isInteger()) throw new SqlError('2201F', 'a negative number raised to a non-integer power yields a complex result');
  const r = (db.isInteger() ? da.pow(db) : new (decimalWithPrecision(60))(a).pow(b)) as Decimal;
  if (db.isInteger()) {
    // power_var_int: PostgreSQL 15 keeps at least NUMERIC_MIN_SIG_DIGITS fraction digits
    return formatDecimal(r, Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS, scaleOf(a), scaleOf(b)), NUMERIC_MAX_DISPLAY_SCALE));
  }
  const rscale = Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS - (r.isZero() ? 0 : r.abs().e), scaleOf(a), scaleOf(b), 0), NUMERIC_MAX_DISPLAY_SCALE);
  return formatDecimal(r, rscale);
}

/** estimate_ln_dweight: decimal weight of ln(var), from its first base-10000 digits */
function estimateLnDweight(d: Decimal): number {
  if (d.isNeg() || d.isZero()) return 0;
  if (d.gte('0.9') && d.lte('1.1')) {
    const x = d.minus(1);
    return x.isZero() ? 0 : x.e;
  }
  const { weight, first } = nbaseWeight(d);
  let digits = first;
  let dweight = weight * 4;
  const rest = d.minus(new Decimal(first).times(new Decimal(10000).pow(weight)));
  if (!rest.isZero()) {
    digits = first * 10000 + rest.div(new Decimal(10000).pow(weight - 1)).floor().toNumber();
    dweight -= 4;
  }
  const lnVar = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnVar)));
}

function checkLogArg(d: Decimal): void {
  if (d.isZero()) throw new SqlError('2201E', 'cannot take logarithm of zero');
  if (d.isNeg()) throw new SqlError('2201E', 'cannot take logarithm of a negative number');
}

const clampScale = (r: number): number => Math.min(Math.max(r, 0), NUMERIC_MAX_DISPLAY_SCALE);

export function numericLn(a: string): string {
  if (a === 'NaN' || a === 'Infinity') return a;
  if (a === '-Infinity') throw new SqlError('2201E', 'cannot take logarithm of a negative number');
  const d = toDecimal(a);
  checkLogArg(d);
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - estimateLnDweight(d), scaleOf(a)));
  const D = decimalWithPrecision(digitsFor(Math.abs(d.e) + 4, rscale));
  return formatDecimal(new D(a).ln() as unknown as Decimal, rscale);
}

/** log(base, num) (log_var): scale from the estimated weights of both logarithms */
export function numericLog(base: string, num: string): string {
  if (base === 'NaN' || num === 'NaN') return 'NaN';
  const db = toDecimal(base), dn = toDecimal(num);
  checkLogArg(db);
  checkLogArg(dn);
  const resultDweight = estimateLnDweight(dn) - estimateLnDweight(db);
  const rscale = clampScale(Math.max(NUMERIC_MIN_SIG_DIGITS - resultDweight, scaleOf(base), scaleOf(num)));
  const D = decimalWithPrecision(digitsFor(Math.abs(resultDweight) + Math.abs(dn.e) + Math.abs(db.e) + 4, rscale));
  const lb = new D(base).ln();
  if (lb.isZero()) throw new SqlError(SqlState.divisionByZero, 'division by zero');
  return formatDecimal(new D(num).ln().div(lb) as unknown as Decimal, rscale);
}

export function numericLog10(a: string): string {
  return numericLog('10', a);
}

/** gcd/lcm of numerics (integers or not: Euclid on the scaled values, like gcd_var) */
export function numericGcd(a: string, b: string): string {
  if (a === 'NaN' || b === 'NaN') return 'NaN';
  if (isSpecial(a) || isSpecial(b)) return 'NaN';
  const scale = Math.max(scaleOf(a), scaleOf(b));
  let x = toDecimal(a).abs().times(new Decimal(10).pow(scale)), y = toDecimal(b).abs().times(new Decimal(10).pow(scale));
  while (!y.isZero()) { const t = x.mod(y); x = y; y = t; }
  return formatDecimal(x.div(new Decimal(10).pow(scale)), scale);
}

export function numericLcm(a: string, b: string): string {
  if (a === 'NaN' || b === 'NaN') return 'NaN';
  if (isSpecial(a) || isSpecial(b)) return 'NaN';
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const da = toDecimal(a), db = toDecimal(b);
  if (da.isZero() || db.isZero()) return formatDecimal(new Decimal(0), scale);
  const g = toDecimal(numericGcd(a, b));
  return formatDecimal(da.times(db).abs().div(g), scale);
}

/** min_scale(): the smallest scale that represents the value exactly */
export function numericMinScale(a: string): number {
  const i = a.indexOf('.');
  if (i < 0) return 0;
  return a.slice(i + 1).replace(/0+$/, '').length;
}

export function numericExp(a: string): string {
  const r = new (decimalWithPrecision(60))(a).exp() as unknown as Decimal;
  const rscale = Math.min(Math.max(NUMERIC_MIN_SIG_DIGITS - Math.floor(r.isZero() ? 0 : r.abs().e), scaleOf(a), 0), NUMERIC_MAX_DISPLAY_SCALE);
  return formatDecimal(r, rscale);
}

/** numeric(p,s) typmod: round to s, then check the integer digits fit in p - s */
export function applyNumericTypmod(a: string, typmod: number): string {
  if (typmod < 4) return a;
  const precision = ((typmod - 4) >> 16) & 0xffff;
  let scale = (typmod - 4) & 0xffff;
  if (scale > 1000) scale -= 2048; // negative scales (PG 15) are stored as 11-bit two's complement
  if (a === 'NaN') return a;
  if (a === 'Infinity' || a === '-Infinity') {
    throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', { detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.` });
  }
  const r = numericRound(a, scale);
  const d = toDecimal(r);
  if (!d.isZero()) {
    const intDigits = d.abs().e + 1; // digits before the decimal point (≤ 0 for |d| < 1)
    if (intDigits > precision - scale) {
      throw new SqlError(SqlState.numericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${precision - scale !== 0 ? `10^${precision - scale}` : '1'}.`,
      });
    }
  }
  return scale >= 0 ? r : formatDecimal(d, 0);
}

/** numeric → int2/int4/int8 (round half away from zero, range-checked) */
export function numericToInt(a: string, bits: 16 | 32 | 64): number | bigint {
  const name = bits === 16 ? 'smallint' : bits === 32 ? 'integer' : 'bigint';
  if (a === 'NaN') throw new SqlError(SqlState.featureNotSupported, `cannot convert NaN to ${name}`);
  if (a === 'Infinity' || a === '-Infinity') throw new SqlError(SqlState.featureNotSupported, `cannot convert infinity to ${name}`);
  const r = BigInt(toDecimal(a).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
  return checkIntRange(r, bits);
}

const LIMITS = {
  16: [-32768n, 32767n, 'smallint out of range'],
  32: [-2147483648n, 2147483647n, 'integer out of range'],
  64: [-9223372036854775808n, 9223372036854775807n, 'bigint out of range'],
} as const;

export function checkIntRange(v: bigint, bits: 16 | 32 | 64): number | bigint {
  const [lo, hi, msg] = LIMITS[bits];
  if (v < lo || v > hi) throw new SqlError(SqlState.numericValueOutOfRange, msg);
  return bits === 64 ? v : Number(v);
}

/** float8 → numeric goes through "%.15g" (float4: "%.6g") like float8_numeric */
export function floatToNumeric(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  const digits = single ? 6 : 15;
  const s = x.toPrecision(digits);
  const d = new Decimal(s);
  // %g drops trailing zeros: the display scale is the number of significant fraction digits
  const plain = d.toFixed();
  const frac = plain.includes('.') ? plain.split('.')[1]!.replace(/0+$/, '').length : 0;
  return formatDecimal(d, frac);
}
