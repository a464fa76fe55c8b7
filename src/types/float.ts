/**
 * float4/float8 text I/O, byte-exact with PostgreSQL 12+.
 *
 * With extra_float_digits > 0 (the default is 1) PostgreSQL prints the shortest decimal
 * that round-trips (Ryu), in %e style when the decimal exponent is < -4 or >= DBL_DIG (15)
 * for float8 / FLT_DIG (6) for float4, e.g. `1e+20`, `1.5e-07`, `100000`, `1e+06`.
 * With extra_float_digits <= 0 it falls back to printf("%.*g", DIG + extra_float_digits).
 */
import { SqlError, SqlState } from '../errors.js';

/** Shortest round-trip digits of a finite non-zero double (or float32 when `single`). */
function shortestDigits(x: number, single: boolean): { digits: string; exp: number } {
  let s: string | undefined;
  if (single) {
    for (let p = 1; p <= 9 && s === undefined; p++) s = shortestFloat4Candidate(x, p);
    s ??= x.toExponential(8);
  } else {
    s = x.toExponential();
  }
  const ePos = s.indexOf('e');
  const mant = s.slice(0, ePos).replace('-', '').replace('.', '');
  return { digits: mant.replace(/0+$/, '') || '0', exp: Number(s.slice(ePos + 1)) };
}

/**
 * The p-digit decimal (toExponential form) that reads back as float32 `x`, or undefined.
 * Like Ryu, an exact tie between two p-digit candidates goes to the even last digit
 * (toExponential would round the tie away from zero): 7.26953125 → 7.2695312.
 */
function shortestFloat4Candidate(x: number, p: number): string | undefined {
  const up = x.toExponential(p - 1);
  const upOk = Math.fround(Number(up)) === x;
  const exact = x.toExponential(p);
  const mant = exact.slice(0, exact.indexOf('e'));
  if (Number(exact) !== x || !mant.endsWith('5')) return upOk ? up : undefined;
  // x lies exactly halfway between two p-digit decimals: `down` (drop the 5) and `up`
  const down = mant.slice(0, -1).replace(/\.$/, '') + exact.slice(exact.indexOf('e'));
  const downOk = Math.fround(Number(down)) === x;
  if (upOk && downOk) {
    const lastDigit = (t: string): number => Number(t.slice(0, t.indexOf('e')).slice(-1));
    return lastDigit(down) % 2 === 0 ? down : up;
  }
  return upOk ? up : downOk ? down : undefined;
}

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
    const { digits, exp } = shortestDigits(x, false);
    return layout(x < 0, digits, exp, 15);
  }
  return printfG(x, 15 + extraFloatDigits);
}

export function formatFloat4(x: number, extraFloatDigits = 1): string {
  const sp = formatSpecial(x);
  if (sp !== undefined) return sp;
  const f = Math.fround(x);
  if (extraFloatDigits > 0) {
    const { digits, exp } = shortestDigits(f, true);
    return layout(f < 0, digits, exp, 6);
  }
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
