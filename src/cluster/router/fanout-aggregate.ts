/**
 * Partial aggregation across shards: each shard aggregates its own rows, and the router
 * combines the shards' partial values per group into what one server would return (same
 * types: count bigint, sum(int) bigint, sum(bigint) numeric, avg numeric or float8 …).
 */
import { SqlError, SqlState } from '../../errors.js';
import { compareValues } from '../../types/compare.js';
import { addIntervals, divideInterval } from '../../types/datetime.js';
import { numericAdd, numericDiv } from '../../types/numeric.js';
import { OID, type Interval, type SqlType, type Value } from '../../types/types.js';

export type AggKind = 'count' | 'sum' | 'min' | 'max' | 'bool_and' | 'bool_or';

const INT8_MIN = -(2n ** 63n), INT8_MAX = 2n ** 63n - 1n;

function addSums(type: SqlType, a: Value, b: Value): Value {
  switch (type.oid) {
    case OID.int8: {
      const s = (a as bigint) + (b as bigint);
      if (s < INT8_MIN || s > INT8_MAX) throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
      return s;
    }
    case OID.numeric: return numericAdd(a as string, b as string);
    case OID.float4: return Math.fround((a as number) + (b as number));
    case OID.float8: return (a as number) + (b as number);
    case OID.interval: return addIntervals(a as Interval, b as Interval);
    case OID.vector: {
      const x = a as Float32Array, y = b as Float32Array;
      return x.map((v, i) => v + y[i]);
    }
  }
  throw new SqlError(SqlState.featureNotSupported, `sum of type ${type.oid} over sharded tables is not supported yet`);
}

/** two shards' partial values of one aggregate of one group → the combined partial */
export function combinePartials(kind: AggKind, type: SqlType, a: Value, b: Value): Value {
  if (kind === 'count') return (a as bigint) + (b as bigint);
  if (a === null) return b;
  if (b === null) return a;
  switch (kind) {
    case 'sum': return addSums(type, a, b);
    case 'min': return compareValues(type, a, b) <= 0 ? a : b;
    case 'max': return compareValues(type, a, b) >= 0 ? a : b;
    case 'bool_and': return (a as boolean) && (b as boolean);
    case 'bool_or': return (a as boolean) || (b as boolean);
  }
}

/** an integer or numeric sum as numeric text */
function asNumericText(v: Value): string {
  return typeof v === 'bigint' || typeof v === 'number' ? String(v) : (v as string);
}

/**
 * avg from the combined sum and count: numeric avg is numeric_div(sum, count) exactly as
 * PostgreSQL's int*_avg / numeric_avg end; float8 avg divides a float8 sum, or (float4
 * input, whose float4 sum would lose precision) the count-weighted shard averages; interval
 * avg is interval_div(sum, count). (vector avg sums in float8 on one server: the shards'
 * float4 averages cannot give its exact digits, so it stays 0A000.)
 */
export function finishAvg(avgType: SqlType, sumType: SqlType, sum: Value, count: bigint, weighted: number): Value {
  if (count === 0n) return null;
  switch (avgType.oid) {
    case OID.numeric: return numericDiv(asNumericText(sum), count.toString());
    case OID.float8: return (sumType.oid === OID.float8 ? (sum as number) : weighted) / Number(count);
    case OID.interval: return divideInterval(sum as Interval, Number(count));
  }
  throw new SqlError(SqlState.featureNotSupported, 'avg of this type over sharded tables is not supported yet');
}
