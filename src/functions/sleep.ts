/**
 * pg_sleep(seconds), pg_sleep_for(interval), pg_sleep_until(timestamptz). Expressions are
 * evaluated synchronously, so the function only asks the statement to wait
 * (EvalContext.sleep): the driver running the plan then waits on a timer before it goes on,
 * while the event loop serves the other sessions, and a cancel or statement_timeout ends the
 * wait with 57014. The wait happens after the row that asked for it is computed (a
 * clock_timestamp() in the same row reads the time before the sleep).
 */
import type { Interval, Value } from '../types/types.js';
import type { EvalContext } from './api.js';

const SECONDS_PER_DAY = 86_400;
/** interval_part's epoch: a month counts 30 days */
const DAYS_PER_MONTH = 30;

function sleepMs(ms: number, ctx: EvalContext): Value {
  if (!(ms > 0)) return '';
  if (ctx.sleep) ctx.sleep(ms);
  // no driver to wait for (a query worker thread): block this thread only
  else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return '';
}

/** name, argument types, result, implementation: registered as volatile scalar functions */
export const SLEEP_FUNCTIONS: readonly { name: string; args: string[]; ret: string; impl: (args: readonly Value[], ctx: EvalContext) => Value }[] = [
  { name: 'pg_sleep', args: ['float8'], ret: 'void', impl: ([s], ctx) => sleepMs((s as number) * 1000, ctx) },
  {
    name: 'pg_sleep_for', args: ['interval'], ret: 'void',
    impl: ([v], ctx) => {
      const i = v as Interval;
      return sleepMs(((i.months * DAYS_PER_MONTH + i.days) * SECONDS_PER_DAY) * 1000 + i.micros / 1000, ctx);
    },
  },
  { name: 'pg_sleep_until', args: ['timestamptz'], ret: 'void', impl: ([t], ctx) => sleepMs((t as number) / 1000 - Date.now(), ctx) },
];
