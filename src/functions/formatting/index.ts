/**
 * to_char / to_number / to_timestamp / to_date, registered like pg_proc rows: the port of
 * PostgreSQL 15's formatting.c lives in the modules beside this one.
 */
import type { Interval, Value } from '../../types/types.js';
import { USECS_PER_SEC, utcToLocal, zoneAbbrevAt } from '../../types/datetime.js';
import { sessionZone } from '../casts.js';
import type { EvalContext } from '../api.js';
import { datetimeToChar, intervalTm, timestampTm } from './dch.js';
import { floatToChar, integerToChar, numericToChar, toNumber } from './num.js';
import { toDate, toTimestamp } from './parse.js';

type Impl = (args: readonly Value[], ctx: EvalContext) => Value;
export const FORMATTING_FUNCTIONS: { name: string; args: string[]; ret: string; impl: Impl }[] = [];
const add = (name: string, args: string[], ret: string, impl: Impl): void => { FORMATTING_FUNCTIONS.push({ name, args, ret, impl }); };

const text = (v: Value | undefined): string => v as string;

// infinite timestamps give NULL
add('to_char', ['timestamp', 'text'], 'text', ([t, f]) => {
  const ts = t as number;
  return Number.isFinite(ts) ? datetimeToChar(timestampTm(ts, 0, null), text(f), false) : null;
});
add('to_char', ['timestamptz', 'text'], 'text', ([t, f], ctx) => {
  const ts = t as number;
  if (!Number.isFinite(ts)) return null;
  const zone = sessionZone(ctx);
  const local = utcToLocal(ts, zone);
  return datetimeToChar(timestampTm(local, (local - ts) / USECS_PER_SEC, zoneAbbrevAt(zone, ts)), text(f), false);
});
add('to_char', ['interval', 'text'], 'text', ([v, f]) => datetimeToChar(intervalTm(v as Interval), text(f), true));
add('to_char', ['numeric', 'text'], 'text', ([v, f]) => numericToChar(v as string, text(f)));
add('to_char', ['int4', 'text'], 'text', ([v, f]) => integerToChar(v as number, text(f), 32));
add('to_char', ['int8', 'text'], 'text', ([v, f]) => integerToChar(v as bigint, text(f), 64));
add('to_char', ['float4', 'text'], 'text', ([v, f]) => floatToChar(v as number, text(f), true));
add('to_char', ['float8', 'text'], 'text', ([v, f]) => floatToChar(v as number, text(f), false));
add('to_number', ['text', 'text'], 'numeric', ([t, f]) => toNumber(text(t), text(f)));
add('to_timestamp', ['text', 'text'], 'timestamptz', ([s, f], ctx) => toTimestamp(text(s), text(f), sessionZone(ctx)));
add('to_date', ['text', 'text'], 'date', ([s, f]) => toDate(text(s), text(f)));
