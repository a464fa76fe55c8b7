/**
 * Built-in aggregates with PostgreSQL's result types: count → bigint, sum(int2/int4) → bigint,
 * sum(int8) → numeric, avg(integers or numeric) → numeric (scale by select_div_scale),
 * avg/variance of floats → double precision (Youngs-Cramer like float8_accum),
 * avg(vector)/sum(vector) like pgvector. DISTINCT and ORDER BY inside aggregates, FILTER and
 * grouping are the executor's.
 */
import { RANGE_INTERSECT_AGG } from './range-functions.js';
import { MULTIRANGE_AGG, MULTIRANGE_INTERSECT_AGG, RANGE_AGG } from './multirange-functions.js';
import { SqlError, SqlState } from '../errors.js';
import { OID, TYPES, type Interval, type SqlType, type Value } from '../types/types.js';
import { isRowType } from '../types/records.js';
import { compareValues } from '../types/compare.js';
import { numericAdd, numericDiv, numericMul, numericSub, numericSqrt, selectDivScale, toDecimal, formatDecimal, scaleOf, compareNumeric, isSpecial } from '../types/numeric.js';
import { vectorAccum, vectorAdd, vectorAvgFinal, type VectorAvgState } from '../types/vector.js';
import { halfvecAccum, halfvecAdd, halfvecAvgFinal, type HalfvecAvgState } from '../types/halfvec.js';
import { addIntervals, divideInterval } from '../types/datetime.js';
import { escapeJsonString, formatJsonb, type JsonValue } from '../types/json.js';
import { checkFloat8 } from '../types/float.js';
import { formatSettingsOf } from './casts.js';
import { datumToJson, jsonContainer, toJsonValue } from './json-build.js';
import { oidOf, type AggDef } from './registry.js';
import type { EvalContext } from './api.js';

const AGGS = new Map<string, AggDef<any>[]>(); // eslint-disable-line @typescript-eslint/no-explicit-any

function agg<S>(name: string, args: readonly string[], ret: string | ((a: readonly SqlType[]) => SqlType), def: Omit<AggDef<S>, 'name' | 'args' | 'ret' | 'strict'> & { strict?: boolean }): void {
  const d: AggDef<S> = { name, args: args.map(oidOf), ret: typeof ret === 'string' ? oidOf(ret) : ret, strict: def.strict ?? true, init: def.init, step: def.step, final: def.final, inverse: def.inverse };
  const list = AGGS.get(name);
  if (list) list.push(d); else AGGS.set(name, [d]);
}

export function aggregateCandidates(name: string): readonly AggDef<unknown>[] {
  return AGGS.get(name) ?? [];
}

export function isAggregateName(name: string): boolean {
  return AGGS.has(name.toLowerCase());
}

// ---------------------------------------------------------------- count

export const COUNT_STAR: AggDef<{ n: bigint }> = {
  name: 'count', args: [], ret: OID.int8, strict: false,
  init: () => ({ n: 0n }), step: (s) => { s.n++; return s; }, final: (s) => s.n, inverse: (s) => { s.n--; return s; },
};
agg<{ n: bigint }>('count', ['any'], 'int8', { init: () => ({ n: 0n }), step: (s) => { s.n++; return s; }, final: (s) => s.n, inverse: (s) => { s.n--; return s; } });

// ---------------------------------------------------------------- sum / avg

interface BigSum { n: bigint; sum: bigint }
for (const t of ['int2', 'int4']) {
  agg<BigSum>('sum', [t], 'int8', {
    init: () => ({ n: 0n, sum: 0n }),
    step: (s, [v]) => { s.n++; s.sum += BigInt(v as number); return s; },
    inverse: (s, [v]) => { s.n--; s.sum -= BigInt(v as number); return s; },
    final: (s) => {
      if (s.n === 0n) return null;
      if (s.sum > 9223372036854775807n || s.sum < -9223372036854775808n) throw new SqlError(SqlState.numericValueOutOfRange, 'bigint out of range');
      return s.sum;
    },
  });
}
for (const t of ['int2', 'int4', 'int8']) {
  agg<BigSum>('avg', [t], 'numeric', {
    init: () => ({ n: 0n, sum: 0n }),
    step: (s, [v]) => { s.n++; s.sum += typeof v === 'bigint' ? v : BigInt(v as number); return s; },
    inverse: (s, [v]) => { s.n--; s.sum -= typeof v === 'bigint' ? v : BigInt(v as number); return s; },
    final: (s) => (s.n === 0n ? null : numericDiv(s.sum.toString(), s.n.toString())),
  });
}
agg<BigSum>('sum', ['int8'], 'numeric', {
  init: () => ({ n: 0n, sum: 0n }),
  step: (s, [v]) => { s.n++; s.sum += v as bigint; return s; },
  inverse: (s, [v]) => { s.n--; s.sum -= v as bigint; return s; },
  final: (s) => (s.n === 0n ? null : s.sum.toString()),
});

interface NumSum { n: number; sum: string }
/** a special value (NaN, ±Infinity) cannot be subtracted back out: restart */
const numericInverse = (s: NumSum, [v]: readonly Value[]): NumSum | undefined => {
  if (isSpecial(v as string) || isSpecial(s.sum)) return undefined;
  s.n--; s.sum = numericSub(s.sum, v as string);
  return s;
};
agg<NumSum>('sum', ['numeric'], 'numeric', {
  init: () => ({ n: 0, sum: '0' }),
  step: (s, [v]) => { s.sum = s.n === 0 ? (v as string) : numericAdd(s.sum, v as string); s.n++; return s; },
  inverse: numericInverse,
  final: (s) => (s.n === 0 ? null : s.sum),
});
agg<NumSum>('avg', ['numeric'], 'numeric', {
  init: () => ({ n: 0, sum: '0' }),
  step: (s, [v]) => { s.sum = s.n === 0 ? (v as string) : numericAdd(s.sum, v as string); s.n++; return s; },
  inverse: numericInverse,
  final: (s) => (s.n === 0 ? null : numericDiv(s.sum, String(s.n))),
});

interface FloatAcc { n: number; sx: number; sxx: number }
const floatInit = (): FloatAcc => ({ n: 0, sx: 0, sxx: 0 });
/** float8_accum: Youngs-Cramer */
const floatStep = (s: FloatAcc, [v]: readonly Value[]): FloatAcc => {
  const x = v as number;
  s.n++;
  const sx = s.sx + x;
  if (s.n > 1) {
    const tmp = x * s.n - sx;
    s.sxx += (tmp * tmp) / (s.n * (s.n - 1));
    if (!Number.isFinite(s.sxx) && Number.isFinite(x) && Number.isFinite(s.sx)) checkFloat8(s.sxx, false, true);
  } else if (!Number.isFinite(x)) {
    s.sxx = NaN;
  }
  s.sx = sx;
  return s;
};
agg<FloatAcc>('sum', ['float4'], 'float4', { init: floatInit, step: (s, [v]) => { s.n++; s.sx = Math.fround(s.sx + (v as number)); return s; }, final: (s) => (s.n === 0 ? null : s.sx) });
agg<FloatAcc>('sum', ['float8'], 'float8', { init: floatInit, step: (s, [v]) => { s.n++; s.sx += v as number; return s; }, final: (s) => (s.n === 0 ? null : s.sx) });
for (const t of ['float4', 'float8']) {
  agg<FloatAcc>('avg', [t], 'float8', { init: floatInit, step: floatStep, final: (s) => (s.n === 0 ? null : s.sx / s.n) });
  const variance = (sample: boolean, sqrt: boolean) => (s: FloatAcc): Value => {
    if (s.n === 0 || (sample && s.n === 1)) return null;
    const v = s.sxx / (sample ? s.n - 1 : s.n);
    return sqrt ? Math.sqrt(v) : v;
  };
  agg<FloatAcc>('var_samp', [t], 'float8', { init: floatInit, step: floatStep, final: variance(true, false) });
  agg<FloatAcc>('variance', [t], 'float8', { init: floatInit, step: floatStep, final: variance(true, false) });
  agg<FloatAcc>('var_pop', [t], 'float8', { init: floatInit, step: floatStep, final: variance(false, false) });
  agg<FloatAcc>('stddev_samp', [t], 'float8', { init: floatInit, step: floatStep, final: variance(true, true) });
  agg<FloatAcc>('stddev', [t], 'float8', { init: floatInit, step: floatStep, final: variance(true, true) });
  agg<FloatAcc>('stddev_pop', [t], 'float8', { init: floatInit, step: floatStep, final: variance(false, true) });
}

/** float8_regr_accum's state: N, Sx, Sxx, Sy, Syy, Sxy (Youngs-Cramer, so the results are PostgreSQL's bits) */
interface RegrAcc { n: number; sx: number; sxx: number; sy: number; syy: number; sxy: number }
const regrInit = (): RegrAcc => ({ n: 0, sx: 0, sxx: 0, sy: 0, syy: 0, sxy: 0 });
const regrStep = (s: RegrAcc, [yv, xv]: readonly Value[]): RegrAcc => {
  const y = yv as number, x = xv as number;
  const n0 = s.n;
  s.n++;
  s.sx += x;
  s.sy += y;
  if (n0 > 0) {
    const tx = x * s.n - s.sx, ty = y * s.n - s.sy, scale = 1 / (s.n * n0);
    s.sxx += tx * tx * scale;
    s.syy += ty * ty * scale;
    s.sxy += tx * ty * scale;
  } else {
    // an infinite or NaN first input makes the dependent sums NaN
    if (!Number.isFinite(x)) { s.sxx = NaN; s.sxy = NaN; }
    if (!Number.isFinite(y)) { s.syy = NaN; s.sxy = NaN; }
  }
  return s;
};
const REGRESSION: readonly [string, string, (s: RegrAcc) => Value][] = [
  ['regr_count', 'int8', (s) => BigInt(s.n)],
  ['regr_sxx', 'float8', (s) => (s.n < 1 ? null : s.sxx)],
  ['regr_syy', 'float8', (s) => (s.n < 1 ? null : s.syy)],
  ['regr_sxy', 'float8', (s) => (s.n < 1 ? null : s.sxy)],
  ['regr_avgx', 'float8', (s) => (s.n < 1 ? null : s.sx / s.n)],
  ['regr_avgy', 'float8', (s) => (s.n < 1 ? null : s.sy / s.n)],
  ['covar_pop', 'float8', (s) => (s.n < 1 ? null : s.sxy / s.n)],
  ['covar_samp', 'float8', (s) => (s.n < 2 ? null : s.sxy / (s.n - 1))],
  ['corr', 'float8', (s) => (s.n < 1 || s.sxx === 0 || s.syy === 0 ? null : s.sxy / Math.sqrt(s.sxx * s.syy))],
  ['regr_r2', 'float8', (s) => (s.n < 1 || s.sxx === 0 ? null : s.syy === 0 ? 1 : (s.sxy * s.sxy) / (s.sxx * s.syy))],
  ['regr_slope', 'float8', (s) => (s.n < 1 || s.sxx === 0 ? null : s.sxy / s.sxx)],
  ['regr_intercept', 'float8', (s) => (s.n < 1 || s.sxx === 0 ? null : (s.sy - (s.sx * s.sxy) / s.sxx) / s.n)],
];
for (const [name, ret, final] of REGRESSION) agg<RegrAcc>(name, ['float8', 'float8'], ret, { init: regrInit, step: regrStep, final });

interface NumVar { n: number; sx: string; sxx: string }
/** numeric_stddev_internal */
const numVariance = (sample: boolean, sqrt: boolean) => (s: NumVar): Value => {
  if (s.n === 0 || (sample && s.n === 1)) return null;
  const N = String(s.n);
  const rscale = scaleOf(s.sx) * 2;
  const sumX2 = formatDecimal(toDecimal(s.sx).times(s.sx), rscale);
  const nSumXX = formatDecimal(toDecimal(N).times(s.sxx), rscale);
  const num = numericSub(nSumXX, sumX2);
  if (compareNumeric(num, '0') <= 0) return formatDecimal(toDecimal('0'), rscale);
  const den = sample ? String(s.n * (s.n - 1)) : String(s.n * s.n);
  const scale = selectDivScale(toDecimal(num), scaleOf(num), toDecimal(den), 0);
  const v = toDecimal(num).div(den);
  return sqrt ? formatDecimal(v.sqrt(), scale) : formatDecimal(v, scale);
};
for (const t of ['int2', 'int4', 'int8', 'numeric']) {
  const init = (): NumVar => ({ n: 0, sx: '0', sxx: '0' });
  const step = (s: NumVar, [v]: readonly Value[]): NumVar => {
    const x = String(v);
    s.n++; s.sx = numericAdd(s.sx, x); s.sxx = numericAdd(s.sxx, numericMul(x, x));
    return s;
  };
  for (const [name, sample, sq] of [['var_samp', true, false], ['variance', true, false], ['var_pop', false, false], ['stddev_samp', true, true], ['stddev', true, true], ['stddev_pop', false, true]] as const) {
    agg<NumVar>(name, [t], 'numeric', { init, step, final: numVariance(sample, sq) });
  }
}
void numericSqrt;

interface IvAcc { n: number; sum: Interval }
agg<IvAcc>('sum', ['interval'], 'interval', {
  init: () => ({ n: 0, sum: { months: 0, days: 0, micros: 0 } }),
  step: (s, [v]) => { s.n++; s.sum = addIntervals(s.sum, v as Interval); return s; },
  final: (s) => (s.n === 0 ? null : s.sum),
});
agg<IvAcc>('avg', ['interval'], 'interval', {
  init: () => ({ n: 0, sum: { months: 0, days: 0, micros: 0 } }),
  step: (s, [v]) => { s.n++; s.sum = addIntervals(s.sum, v as Interval); return s; },
  final: (s) => (s.n === 0 ? null : divideInterval(s.sum, s.n)),
});

agg<VectorAvgState>('avg', ['vector'], 'vector', {
  init: () => ({ n: 0, sums: null }),
  step: (s, [v]) => vectorAccum(s, v as Float32Array),
  final: (s) => vectorAvgFinal(s),
});
agg<{ sum: Float32Array | null }>('sum', ['vector'], 'vector', {
  init: () => ({ sum: null }),
  step: (s, [v]) => { s.sum = s.sum === null ? Float32Array.from(v as Float32Array) : vectorAdd(s.sum, v as Float32Array); return s; },
  final: (s) => s.sum,
});

agg<HalfvecAvgState>('avg', ['halfvec'], 'halfvec', {
  init: () => ({ n: 0, sums: null }),
  step: (s, [v]) => halfvecAccum(s, v as Float32Array),
  final: (s) => halfvecAvgFinal(s),
});
agg<{ sum: Float32Array | null }>('sum', ['halfvec'], 'halfvec', {
  init: () => ({ sum: null }),
  step: (s, [v]) => { s.sum = s.sum === null ? Float32Array.from(v as Float32Array) : halfvecAdd(s.sum, v as Float32Array); return s; },
  final: (s) => s.sum,
});

// ---------------------------------------------------------------- min / max

const ORDERED = ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'text', 'bpchar', 'date', 'time', 'timestamp', 'timestamptz', 'interval', 'oid', 'inet', 'pg_lsn', 'anyarray', 'anyenum'];
for (const t of ORDERED) {
  for (const [name, want] of [['min', -1], ['max', 1]] as const) {
    agg<{ v: Value }>(name, [t], t, {
      init: () => ({ v: null }),
      step: (s, [v], _ctx, types) => { if (s.v === null || Math.sign(compareValues(types[0]!, v!, s.v)) === want) s.v = v!; return s; },
      final: (s) => s.v,
    });
  }
}

// range_intersect_agg(anyrange) (src/functions/range-functions.ts)
agg('range_intersect_agg', ['anyrange'], 'anyrange', RANGE_INTERSECT_AGG);
// range_agg(anyrange | anymultirange), range_intersect_agg(anymultirange) (src/functions/multirange-functions.ts)
agg('range_agg', ['anyrange'], 'anymultirange', { ...RANGE_AGG, strict: false });
agg('range_agg', ['anymultirange'], 'anymultirange', { ...MULTIRANGE_AGG, strict: false });
agg('range_intersect_agg', ['anymultirange'], 'anymultirange', MULTIRANGE_INTERSECT_AGG);

// ---------------------------------------------------------------- bool

agg<{ v: boolean | null }>('bool_and', ['bool'], 'bool', { init: () => ({ v: null }), step: (s, [v]) => { s.v = (s.v ?? true) && (v as boolean); return s; }, final: (s) => s.v });
agg<{ v: boolean | null }>('every', ['bool'], 'bool', { init: () => ({ v: null }), step: (s, [v]) => { s.v = (s.v ?? true) && (v as boolean); return s; }, final: (s) => s.v });
agg<{ v: boolean | null }>('bool_or', ['bool'], 'bool', { init: () => ({ v: null }), step: (s, [v]) => { s.v = (s.v ?? false) || (v as boolean); return s; }, final: (s) => s.v });

// ---------------------------------------------------------------- collecting

agg<{ parts: string[] | null; first: boolean }>('string_agg', ['text', 'text'], 'text', {
  strict: false,
  init: () => ({ parts: null, first: true }),
  step: (s, [v, d]) => {
    if (v === null) return s;
    if (s.parts === null) s.parts = [v as string];
    else s.parts.push((d as string | null) ?? '', v as string);
    return s;
  },
  final: (s) => (s.parts === null ? null : s.parts.join('')),
});
agg<{ parts: Uint8Array[] | null }>('string_agg', ['bytea', 'bytea'], 'bytea', {
  strict: false,
  init: () => ({ parts: null }),
  step: (s, [v, d]) => {
    if (v === null) return s;
    if (s.parts === null) s.parts = [v as Uint8Array];
    else s.parts.push((d as Uint8Array | null) ?? new Uint8Array(), v as Uint8Array);
    return s;
  },
  final: (s) => (s.parts === null ? null : Buffer.concat(s.parts)),
});
agg<{ items: Value[] | null }>('array_agg', ['anynonarray'], 'anyarray', {
  strict: false,
  init: () => ({ items: null }),
  step: (s, [v]) => { (s.items ??= []).push(v!); return s; },
  // a copy: a window frame keeps adding to the state after this row's result is taken
  final: (s) => s.items && s.items.slice(),
});
agg<{ items: Value[] | null }>('array_agg', ['anyarray'], 'anyarray', {
  strict: false,
  init: () => ({ items: null }),
  step: (s, [v], _ctx, types) => {
    // an array of rows is held one-dimensional (types/records.ts): a 2-D one is refused rather than flattened
    if (isRowType(TYPES.get(types[0]?.oid ?? 0)?.elem ?? 0)) throw new SqlError(SqlState.featureNotSupported, 'multidimensional arrays of records are not supported');
    if (v === null) throw new SqlError(SqlState.invalidParameterValue === '22023' ? '22004' : '22004', 'cannot accumulate null arrays');
    (s.items ??= []).push(v);
    return s;
  },
  final: (s) => s.items && s.items.slice(),
});
interface JsonAcc { items: JsonValue[] | null }
const jsonStep = (s: JsonAcc, [v]: readonly Value[], ctx: EvalContext, types: readonly SqlType[]): JsonAcc => {
  (s.items ??= []).push(v === null ? null : toJsonValue(types[0]!, v, formatSettingsOf(ctx)));
  return s;
};
// json_agg_transfn: ", " between the elements, and a line feed before a record or array after the first
agg<{ text: string | null }>('json_agg', ['anyelement'], 'json', {
  strict: false,
  init: () => ({ text: null }),
  step: (s, [v], ctx, types) => {
    const json = datumToJson(types[0]!, v, formatSettingsOf(ctx));
    s.text = s.text === null ? '[' + json : s.text + (jsonContainer(v) ? ', \n ' : ', ') + json;
    return s;
  },
  final: (s) => (s.text === null ? null : s.text + ']'),
});
agg<JsonAcc>('jsonb_agg', ['anyelement'], 'jsonb', { strict: false, init: () => ({ items: null }), step: jsonStep, final: (s) => (s.items === null ? null : formatJsonb(s.items)) });
// json_object_agg keeps every pair in input order, duplicates too, as json_object_agg_transfn writes them
agg<{ pairs: string[] | null }>('json_object_agg', ['text', 'anyelement'], 'json', {
  strict: false,
  init: () => ({ pairs: null }),
  step: (s, [k, v], ctx, types) => {
    if (k === null) throw new SqlError(SqlState.invalidParameterValue, 'field name must not be null');
    (s.pairs ??= []).push(`${escapeJsonString(k as string)} : ${datumToJson(types[1]!, v, formatSettingsOf(ctx))}`);
    return s;
  },
  final: (s) => (s.pairs === null ? null : '{ ' + s.pairs.join(', ') + ' }'),
});
agg<{ obj: [string, JsonValue][] | null }>('jsonb_object_agg', ['text', 'anyelement'], 'jsonb', {
  strict: false,
  init: () => ({ obj: null }),
  step: (s, [k, v], ctx, types) => {
    if (k === null) throw new SqlError(SqlState.invalidParameterValue, 'field name must not be null');
    (s.obj ??= []).push([k as string, v === null ? null : toJsonValue(types[1]!, v, formatSettingsOf(ctx))]);
    return s;
  },
  final: (s) => {
    if (s.obj === null) return null;
    const m = new Map<string, JsonValue>();
    for (const [k, v] of s.obj) { m.delete(k); m.set(k, v); }
    return formatJsonb({ obj: [...m.entries()].sort((a, b) => (Buffer.byteLength(a[0]) - Buffer.byteLength(b[0])) || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))) });
  },
});
void TYPES;
