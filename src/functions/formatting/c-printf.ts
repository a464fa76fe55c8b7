/**
 * PostgreSQL's snprintf ("%.*f", "%.*e") for doubles: digits as glibc prints them (exact binary
 * value, ties to even), but NaN and infinities spelled "NaN", "Infinity", "-Infinity" as
 * src/port/snprintf.c does. JavaScript's toFixed / toExponential round ties away from zero and
 * stop at 1e21.
 */

/** |x| as exact decimal digits and a count of fraction digits (|x| = digits / 10^scale) */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0), lo = buf.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else { mant |= 1n << 52n; exp = biased - 1075; }
  if (exp >= 0) return { digits: mant << BigInt(exp), scale: 0 };
  return { digits: mant * 5n ** BigInt(-exp), scale: -exp };
}

/** digits / 10^drop rounded half to even */
function roundDrop(digits: bigint, drop: number): bigint {
  if (drop <= 0) return digits * 10n ** BigInt(-drop);
  const p = 10n ** BigInt(drop);
  const q = digits / p, r = digits % p, twice = r * 2n;
  if (twice > p || (twice === p && q % 2n === 1n)) return q + 1n;
  return q;
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x < 0 ? '-Infinity' : 'Infinity';
  return undefined;
}

const negative = (x: number): boolean => x < 0 || Object.is(x, -0);

/** printf("%.*f", prec, x) */
export function printfFixed(x: number, prec: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  const { digits, scale } = exactDecimal(x);
  const text = roundDrop(digits, scale - prec).toString().padStart(prec + 1, '0');
  const body = prec > 0 ? `${text.slice(0, text.length - prec)}.${text.slice(text.length - prec)}` : text;
  return (negative(x) ? '-' : '') + body;
}

/** printf("%+.*e", prec, x) */
export function printfExp(x: number, prec: number): string {
  const s = special(x);
  if (s !== undefined) return s;
  const sign = negative(x) ? '-' : '+';
  const { digits, scale } = exactDecimal(x);
  let mantissa: string, exponent: number;
  if (digits === 0n) {
    mantissa = '0'.repeat(prec + 1);
    exponent = 0;
  } else {
    const len = digits.toString().length;
    let r = roundDrop(digits, len - (prec + 1));
    exponent = len - 1 - scale;
    if (r.toString().length > prec + 1) { r /= 10n; exponent++; }
    mantissa = r.toString();
  }
  const e = Math.abs(exponent);
  return `${sign}${mantissa[0]}${prec > 0 ? '.' + mantissa.slice(1) : ''}e${exponent < 0 ? '-' : '+'}${String(e).padStart(2, '0')}`;
}
