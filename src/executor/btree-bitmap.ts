/**
 * A scan's B-tree bitmap (planner: rules/use-bitmap-scan.ts) as the storage reads it: each
 * Bitmap Index Scan's Index Cond evaluated to per-column conditions (constants and
 * parameters known now), BitmapOr / BitmapAnd kept.
 */
import type { BitmapPath } from '../planner/plan.js';
import type { BitmapScanSpec } from '../storage/api.js';
import type { ExecEnv } from './expr.js';
import { indexConditions } from './zone-conditions.js';

export function bitmapScanSpec(path: BitmapPath, env: ExecEnv): BitmapScanSpec {
  if (path.kind !== 'index') return { kind: path.kind, args: path.args.map((a) => bitmapScanSpec(a, env)) };
  const cond = path.cond.length === 1 ? path.cond[0] : { kind: 'and' as const, type: path.cond[0].type, args: path.cond };
  return { kind: 'index', columns: path.columns, conditions: path.columns.map((c) => indexConditions(cond, c, env)) };
}
