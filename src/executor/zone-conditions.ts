/**
 * Zone maps: the comparisons in a scan's filter that sealed segments' min/max statistics
 * can decide (planner/range-comparison.ts), the value evaluated when the scan starts. The
 * storage skips segments no row of which can meet them; the filter still runs on every
 * row read. Also a B-tree range scan's conditions on its column (indexConditions).
 */
import type { Expr } from '../planner/plan.js';
import { indexComparisons, rangeComparisons } from '../planner/range-comparison.js';
import type { IndexCondition, ZoneCondition } from '../storage/api.js';
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

/** Whether the Index Cond has `column IS NULL` (the scan then reads that column's NULL rows; IS NOT NULL only skips them, through the filter). */
export function leadsWithIsNull(filter: Expr | null | undefined, column: number | undefined): boolean {
  return indexComparisons(filter).some((c) => c.column === column && c.op === 'isnull');
}

/**
 * The Index Cond of a B-tree range scan on `column`, values evaluated (a NULL value bounds
 * nothing here: the filter, which still runs on every row, rejects them all).
 */
export function indexConditions(filter: Expr | null | undefined, column: number, env: ExecEnv): IndexCondition[] {
  const out: IndexCondition[] = [];
  for (const c of indexComparisons(filter)) {
    if (c.column !== column || c.op === 'isnull' || c.op === 'notnull') continue;
    const v = compileExpr(c.value)([], env);
    if (v === null || v === undefined) continue;
    out.push({ op: c.op, value: v });
  }
  return out;
}
