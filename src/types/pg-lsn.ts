/**
 * pg_lsn (OID 3220): a write-ahead log position, PostgreSQL 15's utils/adt/pg_lsn.c. At
 * runtime an unsigned 64-bit bigint (0 … 2^64 - 1); text `XXXXXXXX/XXXXXXXX` (upper-case hex,
 * the high and low 32 bits); arithmetic with numeric as PostgreSQL 14+ does it (through
 * numeric, range checked).
 */
import { SqlError, SqlState } from '../errors.js';

const MAX_LSN = (1n << 64n) - 1n;
const HEX = /^[0-9a-fA-F]{1,8}$/;

/** pg_lsn_in: `hi/lo`, each 1 to 8 hex digits, nothing around them (no blanks either) */
export function lsnIn(text: string): bigint {
  const slash = text.indexOf('/');
  const hi = slash < 0 ? '' : text.slice(0, slash);
  const lo = slash < 0 ? '' : text.slice(slash + 1);
  if (!HEX.test(hi) || !HEX.test(lo)) {
    throw new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type pg_lsn: "${text}"`);
  }
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/** pg_lsn_out: `%X/%X` */
export function lsnOut(v: bigint): string {
  return `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** pg_lsn_send / pg_lsn_recv: the unsigned 64 bits */
export function lsnFromSigned(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}
export function lsnToSigned(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** pg_lsn_mi: the difference in bytes, as numeric text (negative when `a` is before `b`) */
export function lsnMinus(a: bigint, b: bigint): string {
  return (a - b).toString();
}

/**
 * numeric_pg_lsn (the function pg_lsn(numeric)): rounded to an integer as numeric's
 * conversions round (half away from zero), 22003 outside 0 … 2^64 - 1, 0A000 for NaN and
 * infinity. `numeric` is Quiver's canonical numeric text.
 */
export function lsnFromNumeric(numeric: string, what = 'convert'): bigint {
  if (numeric === 'NaN') throw new SqlError(SqlState.featureNotSupported, what === 'convert' ? 'cannot convert NaN to pg_lsn' : what);
  if (/^[+-]?Infinity$/.test(numeric)) throw new SqlError(SqlState.featureNotSupported, 'cannot convert infinity to pg_lsn');
  const v = roundNumericText(numeric);
  if (v < 0n || v > MAX_LSN) throw new SqlError(SqlState.numericValueOutOfRange, 'pg_lsn out of range');
  return v;
}

/** pg_lsn_pli / pg_lsn_mii / numeric_pl_pg_lsn: `lsn ± bytes` through numeric */
export function lsnPlusNumeric(lsn: bigint, bytes: string, sign: 1 | -1): bigint {
  if (bytes === 'NaN') throw new SqlError(SqlState.featureNotSupported, sign > 0 ? 'cannot add NaN to pg_lsn' : 'cannot subtract NaN from pg_lsn');
  if (/^[+-]?Infinity$/.test(bytes)) throw new SqlError(SqlState.featureNotSupported, 'cannot convert infinity to pg_lsn');
  // exact: a fractional byte count rounds once, after the sum (numeric_add, then numeric_pg_lsn)
  const [int, frac = ''] = bytes.replace(/^[+-]/, '').split('.');
  const scale = 10n ** BigInt(frac.length);
  const magnitude = BigInt(int! + frac);
  const signed = bytes.startsWith('-') ? -magnitude : magnitude;
  const sum = lsn * scale + (sign > 0 ? signed : -signed);
  const v = roundScaled(sum, scale);
  if (v < 0n || v > MAX_LSN) throw new SqlError(SqlState.numericValueOutOfRange, 'pg_lsn out of range');
  return v;
}

function roundNumericText(numeric: string): bigint {
  const negative = numeric.startsWith('-');
  const [int, frac = ''] = numeric.replace(/^[+-]/, '').split('.');
  const scale = 10n ** BigInt(frac.length);
  const magnitude = BigInt(int! + frac);
  return roundScaled(negative ? -magnitude : magnitude, scale);
}

/** value / scale rounded half away from zero */
function roundScaled(value: bigint, scale: bigint): bigint {
  if (scale === 1n) return value;
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const q = (abs + scale / 2n) / scale;
  return negative ? -q : q;
}

/**
 * pg_walfile_name: the WAL segment file holding `lsn` on timeline 1 with PostgreSQL's default
 * 16 MB segments (XLByteToPrevSeg: a position at a segment boundary is in the segment before).
 */
export function walFileName(lsn: bigint): string {
  const SEG = 16n * 1024n * 1024n;
  const perId = 0x100000000n / SEG;
  const seg = lsn === 0n ? 0n : (lsn - 1n) / SEG;
  const hex = (n: bigint) => n.toString(16).toUpperCase().padStart(8, '0');
  return `${hex(1n)}${hex(seg / perId)}${hex(seg % perId)}`;
}
