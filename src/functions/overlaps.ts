/**
 * (start1, end1) OVERLAPS (start2, end2) as PostgreSQL's overlaps_timestamp / overlaps_time:
 * the NULL rules are the SQL standard's (a NULL end can still give true), and the forms with an
 * interval for the end are its SQL functions `($1, $1 + $2) OVERLAPS ($3, $3 + $4)`.
 */
import type { Interval, Value } from '../types/types.js';
import { USECS_PER_DAY, timestampPlusInterval, timestamptzPlusInterval } from '../types/datetime.js';
import { sessionZone } from './casts.js';
import type { EvalContext } from './api.js';

type Ends = { start: number | null; end: number | null };

/** A period with its ends in order; a NULL start takes the end's place, leaving the end NULL. */
function period(start: Value, end: Value): Ends | null {
  if (start === null) return end === null ? null : { start: end as number, end: null };
  if (end === null) return { start: start as number, end: null };
  const s = start as number, e = end as number;
  return s > e ? { start: e, end: s } : { start: s, end: e };
}

function overlapsPeriods(a: Ends | null, b: Ends | null): Value {
  if (a === null || b === null) return null;
  const s1 = a.start!, s2 = b.start!;
  if (s1 > s2) {
    if (b.end === null) return null;
    if (s1 < b.end) return true;
    return a.end === null ? null : false;
  }
  if (s1 < s2) {
    if (a.end === null) return null;
    if (s2 < a.end) return true;
    return b.end === null ? null : false;
  }
  return a.end === null || b.end === null ? null : true;
}

type Plus = (v: Value, iv: Interval, ctx: EvalContext) => Value;
const PLUS: Record<string, Plus> = {
  timestamp: (v, iv) => timestampPlusInterval(v as number, iv),
  timestamptz: (v, iv, ctx) => timestamptzPlusInterval(v as number, iv, sessionZone(ctx)),
  time: (v, iv) => ((((v as number) + iv.micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY,
};
const plus = (t: string, v: Value, iv: Value, ctx: EvalContext): Value => (v === null || iv === null ? null : PLUS[t]!(v, iv as Interval, ctx));

/** name, argument types, result, implementation: registered as non-strict scalar functions */
export const OVERLAPS_FUNCTIONS: { name: string; args: string[]; ret: string; impl: (args: readonly Value[], ctx: EvalContext) => Value }[] = [];
for (const t of ['timestamp', 'timestamptz', 'time']) {
  const add = (name: string, args: string[], impl: (a: readonly Value[], ctx: EvalContext) => Value) => OVERLAPS_FUNCTIONS.push({ name, args, ret: 'bool', impl });
  add('overlaps', [t, t, t, t], ([s1, e1, s2, e2]) => overlapsPeriods(period(s1!, e1!), period(s2!, e2!)));
  add('overlaps', [t, 'interval', t, 'interval'], ([s1, d1, s2, d2], ctx) => overlapsPeriods(period(s1!, plus(t, s1!, d1!, ctx)), period(s2!, plus(t, s2!, d2!, ctx))));
  add('overlaps', [t, t, t, 'interval'], ([s1, e1, s2, d2], ctx) => overlapsPeriods(period(s1!, e1!), period(s2!, plus(t, s2!, d2!, ctx))));
  add('overlaps', [t, 'interval', t, t], ([s1, d1, s2, e2], ctx) => overlapsPeriods(period(s1!, plus(t, s1!, d1!, ctx)), period(s2!, e2!)));
}
