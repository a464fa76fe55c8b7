/**
 * Zone maps: the comparisons in a scan's filter that sealed segments' min/max statistics
 * can decide (planner/range-comparison.ts), the value evaluated when the scan starts. The
 * storage skips segments no row of which can meet them; the filter still runs on every
 * row read.
 */
import type { Expr } from '../planner/plan.js';
import { rangeComparisons } from '../planner/range-comparison.js';
import type { ZoneCondition } from '../storage/api.js';
import { compileExpr, type ExecEnv } from './expr.js';

export function zoneConditions(filter: Expr | null | undefined, env: ExecEnv): ZoneCondition[] {
  const out: ZoneCondition[] = [];
  for (const c of rangeComparisons(filter)) {
    const v = compileExpr(c.value)([], env);
    if (typeof v !== 'number' && typeof v !== 'bigint') continue;
    out.push({ column: c.column, op: c.op, value: v });
  }
  return out;
}
