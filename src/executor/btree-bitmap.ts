/**
 * A scan's B-tree bitmap (planner: rules/use-bitmap-scan.ts) as the storage reads it: each
 * Bitmap Index Scan's Index Cond evaluated to per-column conditions (constants and
 * parameters known now), BitmapOr / BitmapAnd kept.
 */
import type { BitmapPath } from '../planner/plan.js';
import type { BitmapScanSpec } from '../storage/api.js';
import type { ExecEnv } from './expr.js';
import { indexConditions, leadsWithIsNull } from './zone-conditions.js';

/** `paths`, when given, learns which Bitmap Index Scan each leaf of the spec stands for (EXPLAIN ANALYZE's counts). */
export function bitmapScanSpec(path: BitmapPath, env: ExecEnv, paths?: Map<BitmapScanSpec, BitmapPath>): BitmapScanSpec {
  if (path.kind !== 'index') return { kind: path.kind, args: path.args.map((a) => bitmapScanSpec(a, env, paths)) };
  const cond = path.cond.length === 1 ? path.cond[0] : { kind: 'and' as const, type: path.cond[0].type, args: path.cond };
  const spec: BitmapScanSpec = {
    kind: 'index', columns: path.columns, conditions: path.columns.map((c) => indexConditions(cond, c, env)),
    ...(leadsWithIsNull(cond, path.columns[0]) ? { leadingIsNull: true } : {}),
  };
  paths?.set(spec, path);
  return spec;
}
