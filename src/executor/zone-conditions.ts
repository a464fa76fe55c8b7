/**
 * Zone maps: the comparisons in a scan's filter that sealed segments' min/max statistics
 * can decide (planner/range-comparison.ts), the value evaluated when the scan starts. The
 * storage skips segments no row of which can meet them; the filter still runs on every
 * row read. Also a B-tree range scan's conditions on its column (indexConditions).
 */
import type { Expr } from '../planner/plan.js';
import { indexComparisons, indexQuals, rangeComparisons } from '../planner/range-comparison.js';
import type { IndexCondition, IndexRowBound, ZoneCondition } from '../storage/api.js';
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

/**
 * The Index Cond's row comparisons over the key's first columns (`(a, b) > (5, 16)` on a key
 * (a, b, …)), values evaluated: where in the first column's range the scan starts or ends.
 * A NULL value cuts the row before it (`(a, b) > (5, NULL)` bounds as `a >= 5`, the filter decides).
 */
export function indexRowBounds(filter: Expr | null | undefined, columns: readonly number[], env: ExecEnv): IndexRowBound[] {
  const out: IndexRowBound[] = [];
  for (const q of indexQuals(filter, columns)) {
    if (!q.row || q.column !== columns[0]) continue;
    const key: NonNullable<IndexRowBound['key'][number]>[] = [];
    for (let i = 0; i < q.row.columns.length && q.row.columns[i] === columns[i]; i++) {
      const v = compileExpr(q.row.values[i]!)([], env);
      if (v === null || v === undefined) break;
      key.push(v);
    }
    if (key.length < 2) continue;
    // a cut row includes the tuples equal to its key's prefix: `>` as `>=`
    const op = key.length < q.row.whole.ops.length && q.row.op.length === 1 ? (`${q.row.op}=` as IndexRowBound['op']) : q.row.op;
    out.push({ op, key });
  }
  return out;
}

/** `{ rowBounds }` for an index scan's spec when there are any */
export function rowBoundsOf(filter: Expr | null | undefined, columns: readonly number[], env: ExecEnv): { rowBounds?: IndexRowBound[] } {
  const rowBounds = indexRowBounds(filter, columns, env);
  return rowBounds.length ? { rowBounds } : {};
}
