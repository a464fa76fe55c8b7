/**
 * A scan's B-tree bitmap (planner: rules/use-bitmap-scan.ts) as the storage reads it: each
 * Bitmap Index Scan's Index Cond evaluated to per-column conditions (constants and
 * parameters known now), BitmapOr / BitmapAnd kept.
 */
import type { BitmapPath } from '../planner/plan.js';
import type { BitmapScanSpec, IndexCondition } from '../storage/api.js';
import type { Expr } from '../planner/plan.js';
import { mapExpr } from '../planner/expr-walk.js';
import { compileExpr } from './expr.js';
import type { ExecEnv } from './expr.js';
import { indexConditions, leadsWithIsNull, rowBoundsOf } from './zone-conditions.js';

/** `paths`, when given, learns which Bitmap Index Scan each leaf of the spec stands for (EXPLAIN ANALYZE's counts). */
export function bitmapScanSpec(path: BitmapPath, env: ExecEnv, paths?: Map<BitmapScanSpec, BitmapPath>): BitmapScanSpec {
  if (path.kind !== 'index') return { kind: path.kind, args: path.args.map((a) => bitmapScanSpec(a, env, paths)) };
  if (path.expression) {
    // an expression index's Bitmap Index Scan: each condition compares its key with a value known now
    const spec: BitmapScanSpec = { kind: 'index', columns: path.columns, conditions: [path.cond.flatMap((c) => keyCondition(c, env))], keyName: path.keyName };
    paths?.set(spec, path);
    return spec;
  }
  const cond = path.cond.length === 1 ? path.cond[0] : { kind: 'and' as const, type: path.cond[0].type, args: path.cond };
  const spec: BitmapScanSpec = {
    kind: 'index', columns: path.columns, conditions: path.columns.map((c) => indexConditions(cond, c, env)),
    ...(leadsWithIsNull(cond, path.columns[0]) ? { leadingIsNull: true } : {}),
    ...rowBoundsOf(cond, path.columns, env),
  };
  paths?.set(spec, path);
  return spec;
}

const FLIPPED: Record<string, IndexCondition['op']> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * `key op value` (or `value op key`) as a condition on the key: the side that reads the
 * scanned row is the key (use-bitmap-scan.ts matched it to the index), the other's value is
 * computed now; a NULL value leaves the condition to the recheck.
 */
function keyCondition(c: Expr, env: ExecEnv): IndexCondition[] {
  if (c.kind !== 'call' || c.args.length !== 2 || !(c.name in FLIPPED)) return [];
  const keyLeft = readsRow(c.args[0]!);
  const value = compileExpr(keyLeft ? c.args[1]! : c.args[0]!)([], env);
  if (value === null || value === undefined) return [];
  return [{ op: keyLeft ? (c.name as IndexCondition['op']) : FLIPPED[c.name]!, value }];
}

function readsRow(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0) found = true;
    return undefined;
  });
  return found;
}
