/**
 * float4/float8 text I/O, byte-exact with PostgreSQL 12+.
 *
 * With extra_float_digits > 0 (the default is 1) PostgreSQL prints the shortest decimal
 * that round-trips (Ryu), in %e style when the decimal exponent is < -4 or >= DBL_DIG (15)
 * for float8 / FLT_DIG (6) for float4, e.g. `1e+20`, `1.5e-07`, `100000`, `1e+06`.
 * With extra_float_digits <= 0 it falls back to printf("%.*g", DIG + extra_float_digits).
 * float4's shortest form is float-shortest.ts (a port of PostgreSQL's f2s.c).
 */
import { SqlError, SqlState } from '../errors.js';
import { float32ShortestString } from './float-shortest.js';

/**
 * Shortest round-trip digits of a finite non-zero double, as PostgreSQL's d2s.c picks them.
 * Number#toExponential() is shortest round-trip too, but it may answer with the decimal
 * exactly halfway between two doubles (1e23 reads back as 99999999999999991611392 by the
 * round-half-even rule), which PostgreSQL never prints (STRICTLY_SHORTEST 0): it says
 * 9.999999999999999e+22. Such a midpoint is an integer (odd multiple of half an ulp with
 * at most 17 significant digits), which happens only from 2^54 up.
 */
function shortestDigits8(x: number): { digits: string; exp: number } {
  const a = Math.abs(x);
  const s = a.toExponential();
  const ePos = s.indexOf('e');
  const digits = ePos > 1 ? s[0]! + s.slice(2, ePos) : s[0]!;
  const exp = Number(s.slice(ePos + 1));
  if (a >= 2 ** 54) return avoidMidpoint(a, digits, exp) ?? { digits, exp };
  return { digits, exp };
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** the doubles next to positive finite a, 2^1024 standing in above the largest */
function neighbours(a: number): [bigint, bigint] {
  f64[0] = a;
  const bits = u64[0]!;
  u64[0] = bits - 1n;
  const down = BigInt(f64[0]);
  u64[0] = bits + 1n;
  const up = Number.isFinite(f64[0]) ? BigInt(f64[0]) : 2n ** 1024n;
  return [down, up];
}

/**
 * When digits·10^(exp+1-len) is exactly the midpoint between integer a and a neighbour,
 * the shortest decimal strictly inside a's rounding interval, nearest to a (d2s's answer);
 * otherwise undefined.
 */
function avoidMidpoint(a: number, digits: string, exp: number): { digits: string; exp: number } | undefined {
  const x = BigInt(a);
  const dec2 = 2n * BigInt(digits) * 10n ** BigInt(exp + 1 - digits.length);
  const [down, up] = neighbours(a);
  const lo2 = x + down; // twice the interval's bounds
  const hi2 = x + up;
  if (dec2 !== lo2 && dec2 !== hi2) return undefined;
  const n = x.toString().length;
  for (let p = 1; p <= n; p++) {
    const step = 10n ** BigInt(n - p);
    const floor = (x / step) * step;
    let best: bigint | undefined;
    for (const c of [floor, floor + step]) {
      if (lo2 < 2n * c && 2n * c < hi2 && (best === undefined || abs(c - x) < abs(best - x))) best = c;
    }
    if (best !== undefined) {
      const t = best.toString();
      return { digits: t.replace(/0+$/, ''), exp: t.length - 1 };
    }
  }
  return undefined;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

function expSuffix(exp: number): string {
  const a = Math.abs(exp);
  return 'e' + (exp < 0 ? '-' : '+') + (a < 10 ? '0' + a : String(a));
}

function layout(neg: boolean, digits: string, exp: number, sciFrom: number): string {
  let out: string;
  if (exp < -4 || exp >= sciFrom) {
    out = digits[0]! + (digits.length > 1 ? '.' + digits.slice(1) : '') + expSuffix(exp);
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return neg ? '-' + out : out;
}

/** printf("%.*g", precision, x) for finite x */
function printfG(x: number, precision: number): string {
  const p = precision <= 0 ? 1 : precision;
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const s = x.toExponential(p - 1);
  const ePos = s.indexOf('e');
  const exp = Number(s.slice(ePos + 1));
  const neg = s.startsWith('-');
  const digits = s.slice(0, ePos).replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
  return layout(neg, digits, exp, p);
}

function formatSpecial(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

export function formatFloat8(x: number, extraFloatDigits = 1): string {
  const sp = formatSpecial(x);
  if (sp !== undefined) return sp;
  if (extraFloatDigits > 0) {
    const { digits, exp } = shortestDigits8(x);
    return layout(x < 0, digits, exp, 15);
  }
  return printfG(x, 15 + extraFloatDigits);
}

export function formatFloat4(x: number, extraFloatDigits = 1): string {
  if (extraFloatDigits > 0) return float32ShortestString(x);
  const sp = formatSpecial(x);
  if (sp !== undefined) return sp;
  const f = Math.fround(x);
  return printfG(f, 6 + extraFloatDigits);
}

const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parses a float like strtod does for PostgreSQL's float8in (NaN, [+-]Infinity, [+-]inf). */
function parseFloatText(text: string, typeName: string): number {
  const s = text.trim();
  const lower = s.toLowerCase();
  switch (lower) {
    case 'nan': case '+nan': case '-nan': return NaN;
    case 'infinity': case '+infinity': case 'inf': case '+inf': return Infinity;
    case '-infinity': case '-inf': return -Infinity;
  }
  if (!FLOAT_RE.test(s)) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  }
  return Number(s);
}

export function parseFloat8(text: string): number {
  const v = parseFloatText(text, 'double precision');
  if (!Number.isFinite(v) && !Number.isNaN(v) && !/inf/i.test(text)) {
    throw new SqlError(SqlState.numericValueOutOfRange, `"${text.trim()}" is out of range for type double precision`);
  }
  if (v === 0 && /[1-9]/.test(text.split(/e/i)[0]!)) {
    throw new SqlError(SqlState.numericValueOutOfRange, `"${text.trim()}" is out of range for type double precision`);
  }
  return v;
}

export function parseFloat4(text: string): number {
  const d = parseFloatText(text, 'real');
  const v = Math.fround(d);
  if ((!Number.isFinite(v) && Number.isFinite(d)) || (v === 0 && d !== 0) ||
      (!Number.isFinite(d) && !Number.isNaN(d) && !/inf/i.test(text)) ||
      (d === 0 && /[1-9]/.test(text.split(/e/i)[0]!))) {
    throw new SqlError(SqlState.numericValueOutOfRange, `"${text.trim()}" is out of range for type real`);
  }
  return v;
}

/** float8 arithmetic result checks (float_overflow_error / float_underflow_error) */
export function checkFloat8(result: number, inf: boolean, zeroOk: boolean): number {
  if (!Number.isFinite(result) && !Number.isNaN(result) && !inf) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  if (result === 0 && !zeroOk) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return result;
}

export function checkFloat4(result: number, inf: boolean, zeroOk: boolean): number {
  const f = Math.fround(result);
  if (!Number.isFinite(f) && !Number.isNaN(f) && !inf) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: overflow');
  if (f === 0 && !zeroOk) throw new SqlError(SqlState.numericValueOutOfRange, 'value out of range: underflow');
  return f;
}
