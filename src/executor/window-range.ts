/**
 * in_range for RANGE frames with an offset: is `val` within `base ± offset`? PostgreSQL's
 * in_range support functions (in_range_int4_int4, in_range_float8_float8,
 * in_range_numeric_numeric, in_range_timestamp_interval, …): `sub` subtracts the offset,
 * `less` asks val <= bound (else val >= bound). Overflow never errors: the bound is simply
 * beyond every value, which exact bigint / decimal arithmetic gives for free.
 */
import { SqlError } from '../errors.js';
import type { EvalContext } from '../functions/api.js';
import { compareNumeric, isSpecial, numericAdd, numericSub } from '../types/numeric.js';
import { compareIntervals, addIntervals, intervalSpan, negateInterval, timestampPlusInterval, timestamptzPlusInterval, USECS_PER_DAY } from '../types/datetime.js';
import { OID, type Interval, type SqlType, type Value } from '../types/types.js';

export type InRange = (val: Value, base: Value, offset: Value, sub: boolean, less: boolean) => boolean;

const invalidSize = (): SqlError => new SqlError('22013', 'invalid preceding or following size in window function');

const decide = (cmp: number, less: boolean): boolean => (less ? cmp <= 0 : cmp >= 0);

/** Checks the offset once (negative → 22013) and returns the comparison for the key type. */
export function inRangeFor(key: SqlType, offset: Value, ctx: EvalContext): InRange {
  switch (key.oid) {
    case OID.int2: case OID.int4: case OID.int8: {
      const off = BigInt(offset as number | bigint);
      if (off < 0n) throw invalidSize();
      return (val, base, _o, sub, less) => {
        const v = BigInt(val as number | bigint), b = BigInt(base as number | bigint);
        const bound = sub ? b - off : b + off;
        return decide(v < bound ? -1 : v > bound ? 1 : 0, less);
      };
    }
    case OID.float4: case OID.float8: {
      const off = offset as number;
      if (Number.isNaN(off) || off < 0) throw invalidSize();
      return (val, base, _o, sub, less) => floatInRange(val as number, base as number, off, sub, less);
    }
    case OID.numeric: {
      const off = offset as string;
      if (off === 'NaN' || off.startsWith('-')) throw invalidSize();
      return (val, base, _o, sub, less) => numericInRange(val as string, base as string, off, sub, less);
    }
    case OID.interval: {
      const off = checkedInterval(offset);
      return (val, base, _o, sub, less) => {
        const bound = addIntervals(base as Interval, sub ? negateInterval(off) : off);
        return decide(compareIntervals(val as Interval, bound), less);
      };
    }
    case OID.time: {
      // time ± interval without wrap-around: only the offset's time part counts
      const off = checkedInterval(offset).micros;
      return (val, base, _o, sub, less) => decide((val as number) - ((base as number) + (sub ? -off : off)), less);
    }
    case OID.date: case OID.timestamp: case OID.timestamptz: {
      const off = checkedInterval(offset);
      const zone = ctx.setting('timezone') ?? 'UTC';
      const micros = key.oid === OID.date ? (d: Value) => (d as number) * USECS_PER_DAY : (t: Value) => t as number;
      const plus = key.oid === OID.timestamptz ? (t: number, iv: Interval) => timestamptzPlusInterval(t, iv, zone) : timestampPlusInterval;
      return (val, base, _o, sub, less) => {
        const bound = plus(micros(base), sub ? negateInterval(off) : off);
        const v = micros(val);
        return decide(v < bound ? -1 : v > bound ? 1 : 0, less);
      };
    }
    default:
      throw new SqlError('XX000', `bug: no in_range support for type OID ${key.oid}`);
  }
}

function checkedInterval(v: Value): Interval {
  const iv = v as Interval;
  if (intervalSpan(iv) < 0n) throw invalidSize();
  return iv;
}

/** NaN sorts after every number; inf - inf (or -inf + inf) counts as in range, not NaN */
function floatInRange(val: number, base: number, off: number, sub: boolean, less: boolean): boolean {
  if (Number.isNaN(val)) return Number.isNaN(base) ? true : !less;
  if (Number.isNaN(base)) return less;
  if (off === Infinity && (sub ? base === Infinity : base === -Infinity)) return true;
  const bound = sub ? base - off : base + off;
  return less ? val <= bound : val >= bound;
}

function numericInRange(val: string, base: string, off: string, sub: boolean, less: boolean): boolean {
  if (val === 'NaN') return base === 'NaN' ? true : !less;
  if (base === 'NaN') return less;
  if (isSpecial(off) && isSpecial(base) && (sub ? !base.startsWith('-') : base.startsWith('-'))) return true;
  const bound = sub ? numericSub(base, off) : numericAdd(base, off);
  return decide(compareNumeric(val, bound), less);
}
