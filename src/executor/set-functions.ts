/** Set-returning functions in FROM: generate_series, unnest, generate_subscripts. */
import { SqlError, SqlState } from '../errors.js';
import { OID, type Row, type SqlType, type Value } from '../types/types.js';

const MAX_ROWS = 50_000_000;

export function functionScanRows(name: string, args: readonly Value[], type: SqlType): Row[] {
  if (args.some((a) => a === null) && name !== 'unnest') return [];
  switch (name) {
    case 'generate_series':
      return generateSeries(args, type);
    case 'unnest': {
      const a = args[0];
      if (a === null) return [];
      const flat = (v: Value): Value[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
      if (a instanceof Float32Array) return Array.from(a, (x) => [x]);
      return flat(a).map((v) => [v]);
    }
    case 'generate_subscripts': {
      const a = args[0];
      if (!Array.isArray(a)) return [];
      return a.map((_, i) => [i + 1]);
    }
  }
  throw new SqlError(SqlState.featureNotSupported, `set-returning function ${name} is not supported`);
}

function generateSeries(args: readonly Value[], type: SqlType): Row[] {
  const out: Row[] = [];
  if (type.oid === OID.int8) {
    const [start, stop, step = 1n] = args as bigint[];
    if (step === 0n) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
    for (let v = start; step > 0n ? v <= stop : v >= stop; v += step) {
      out.push([v]);
      if (out.length > MAX_ROWS) break;
    }
    return out;
  }
  if (type.oid === OID.timestamp || type.oid === OID.timestamptz) {
    const [start, stop, step] = args as [number, number, { months: number; days: number; micros: number }];
    const stepMicros = step.micros + step.days * 86_400_000_000;
    if (step.months !== 0) throw new SqlError(SqlState.featureNotSupported, 'generate_series with month steps is not supported');
    if (stepMicros === 0) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
    for (let v = start; stepMicros > 0 ? v <= stop : v >= stop; v += stepMicros) {
      out.push([v]);
      if (out.length > MAX_ROWS) break;
    }
    return out;
  }
  const [start, stop, step = 1] = args.map(Number);
  if (step === 0) throw new SqlError(SqlState.invalidParameterValue, 'step size cannot equal zero');
  for (let v = start; step > 0 ? v <= stop : v >= stop; v += step) {
    out.push([type.oid === OID.numeric ? String(v) : v]);
    if (out.length > MAX_ROWS) break;
  }
  return out;
}
