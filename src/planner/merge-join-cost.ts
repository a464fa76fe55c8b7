/**
 * Merge Join costs, PostgreSQL's (costsize.c: initial_cost_mergejoin, final_cost_mergejoin,
 * and cost_index for the ordered Index Scan a merge join may read its input through).
 *
 * Early stop (mergejoinscansel on the first merge key): the walk ends when either input runs
 * out, so an input whose keys go past the other's largest is read only up to there, and the
 * rows below the other's smallest are skipped at startup. With the range [min, max] of each
 * key column (histogram ends and most common values; without statistics, and so for a key
 * expression, no early stop):
 *   outer end = sel(outer <= inner max), inner end = sel(inner <= outer max): the smaller is
 *               believed, the other is 1;
 *   outer start = sel(outer < inner min), inner start = sel(inner < outer min): the larger
 *               is believed, the other is 0.
 * A left or anti join reads all its outer rows, a right join all its inner ones; a full
 * join everything. With skip = rint(rows × start), read = clamp(rows × end), each input costs
 *   startup += input startup + input run × skip / rows
 *   run     += input run × (read - skip) / rows
 * (an input sorted below the join: its Sort's costs). Then, with tuples = outer rows × inner
 * rows × selectivity of the merge keys (approx_tuple_count), and the inner rows met again for
 * outer rows with equal keys, rescanned = max(0, tuples - inner rows) (none for a semi or anti
 * join, or a unique inner side, whose conditions are all merge keys: no mark / restore; none
 * over an outer input made unique),
 * ratio = 1 + rescanned / inner read:
 *   inner run as is       = inner run × ratio
 *   under a Materialize   = inner run + cpu_operator_cost × inner read × ratio
 * the Materialize taken when cheaper (enable_material), or when the inner input cannot
 * restore (neither a Sort nor an Index Scan), or a Sort that spills past work_mem;
 *   startup += merge qual × (outer skip + inner skip × ratio)
 *   run     += merge qual × ((outer read - outer skip) + (inner read - inner skip) × ratio)
 *            + (cpu_tuple_cost + other ON conditions) × tuples
 * where merge qual = the merge clauses' own cost (cpu_operator_cost a key, more for a key
 * expression: `a.id = b.id + 1` is two). enable_mergejoin = off adds disable_cost.
 */
import type { TableDef } from '../catalog/catalog.js';
import {
  CPU_OPERATOR_COST, CPU_TUPLE_COST, DISABLE_COST, clampRows, exprCost, keyLookupCost, typeWidth, type CostModel, type Estimate,
} from './cost.js';
import { btreeKeyOf, btreeQuals, costIndex } from './btree-cost.js';
import { mergeJoinKeys, type JoinHashKey } from './join-keys.js';
import type { Expr, Plan } from './plan.js';
import { clauseSelectivity, columnRange, DEFAULT_INEQ_SEL, inequalitySelectivity, type ColumnInfo } from './selectivity.js';

type JoinNode = Extract<Plan, { kind: 'join' }>;

/** The input read first (PostgreSQL's outer), and the other. */
export function mergeSides(plan: JoinNode): { outer: Plan; inner: Plan; swapped: boolean } {
  const swapped = plan.mergeOuter === 'right';
  return swapped ? { outer: plan.right, inner: plan.left, swapped } : { outer: plan.left, inner: plan.right, swapped };
}

/** The join type as seen from the outer input (a swapped left join is PostgreSQL's right join). */
export function mergeJoinType(plan: JoinNode): JoinNode['joinType'] {
  if (plan.mergeOuter !== 'right') return plan.joinType;
  return plan.joinType === 'left' ? 'right' : plan.joinType === 'right' ? 'left' : plan.joinType;
}

/** The merge clauses in merge order (plan.mergeKeys of the ON's equality keys, else all of them). */
export function mergeKeysOf(plan: JoinNode): JoinHashKey[] {
  const keys = mergeJoinKeys(plan.on, plan.left.schema.length) ?? [];
  return plan.mergeKeys ? plan.mergeKeys.map((i) => keys[i]) : keys;
}

/** Inputs that can mark and restore their position (ExecSupportsMarkRestore): a Sort, an Index Scan. */
function restores(p: Plan): boolean {
  return p.kind === 'sort' || (p.kind === 'scan' && p.indexRange !== undefined);
}

interface Fractions { outerStart: number; outerEnd: number; innerStart: number; innerEnd: number }

/** mergejoinscansel on the first merge key (see the top of this file). */
function scanFractions(model: CostModel, plan: JoinNode, key: JoinHashKey, swapped: boolean, desc: boolean): Fractions {
  const none: Fractions = { outerStart: 0, outerEnd: 1, innerStart: 0, innerEnd: 1 };
  // an expression key has no statistics, so no range: both inputs read whole
  const leftInfo = model.keyInfo(key.leftExpr, plan.left.schema);
  const rightInfo = model.keyInfo(key.rightExpr, plan.right.schema);
  const [outer, inner] = swapped ? [rightInfo, leftInfo] : [leftInfo, rightInfo];
  const outerRange = columnRange(outer);
  const innerRange = columnRange(inner);
  if (!outer || !inner || !outerRange || !innerRange) return none;
  // the same two columns' statistics give the same fractions (the join search asks often)
  const cache = desc ? descFractionsCache : fractionsCache;
  const cached = cache.get(outer.stats!)?.get(inner.stats!);
  if (cached) return cached;
  const f = fractions(outer, inner, outerRange, innerRange, desc);
  let byInner = cache.get(outer.stats!);
  if (!byInner) cache.set(outer.stats!, (byInner = new WeakMap()));
  byInner.set(inner.stats!, f);
  return f;
}

const fractionsCache = new WeakMap<object, WeakMap<object, Fractions>>();
const descFractionsCache = new WeakMap<object, WeakMap<object, Fractions>>();

type Range = NonNullable<ReturnType<typeof columnRange>>;

function fractions(outer: ColumnInfo, inner: ColumnInfo, outerRange: Range, innerRange: Range, desc: boolean): Fractions {
  // a descending walk comes from the top: its end is the other's minimum (mergejoinscansel's isgt)
  const sel = (info: ColumnInfo, value: unknown, orEqual: boolean, fallback: number) => {
    const s = inequalitySelectivity(info, { value: value as never }, desc, orEqual);
    return s === DEFAULT_INEQ_SEL ? fallback : s;
  };
  const [outerLast, outerFirst] = desc ? [outerRange.min, outerRange.max] : [outerRange.max, outerRange.min];
  const [innerLast, innerFirst] = desc ? [innerRange.min, innerRange.max] : [innerRange.max, innerRange.min];
  let outerEnd = sel(outer, innerLast, true, 1);
  let innerEnd = sel(inner, outerLast, true, 1);
  if (outerEnd > innerEnd) outerEnd = 1;
  else if (outerEnd < innerEnd) innerEnd = 1;
  else outerEnd = innerEnd = 1;
  let outerStart = sel(outer, innerFirst, false, 0);
  let innerStart = sel(inner, outerFirst, false, 0);
  if (outerStart < innerStart) outerStart = 0;
  else if (outerStart > innerStart) innerStart = 0;
  else outerStart = innerStart = 0;
  const clamp = (x: number) => Math.min(1, Math.max(0, x));
  return { outerStart: clamp(outerStart), outerEnd: clamp(outerEnd), innerStart: clamp(innerStart), innerEnd: clamp(innerEnd) };
}

/** A merge join's cost, and whether its inner input goes under a Materialize. */
export function mergeJoinCost(model: CostModel, plan: JoinNode, innerUnique: boolean): { startup: number; total: number; materializeInner: boolean } {
  const keys = mergeKeysOf(plan);
  const { outer: outerPlan, inner: innerPlan, swapped } = mergeSides(plan);
  const outer = model.estimate(outerPlan);
  const inner = model.estimate(innerPlan);
  const outerRows = Math.max(1, outer.rows);
  const innerRows = Math.max(1, inner.rows);
  const jt = mergeJoinType(plan);
  let f: Fractions = jt === 'full' ? { outerStart: 0, outerEnd: 1, innerStart: 0, innerEnd: 1 } : scanFractions(model, plan, keys[0], swapped, plan.mergeDesc === true);
  if (jt === 'left' || jt === 'anti') f = { ...f, outerStart: 0, outerEnd: 1 };
  else if (jt === 'right') f = { ...f, innerStart: 0, innerEnd: 1 };
  const outerSkip = Math.round(outerRows * f.outerStart);
  const innerSkip = Math.round(innerRows * f.innerStart);
  const outerRead = clampRows(outerRows * f.outerEnd);
  const innerRead = clampRows(innerRows * f.innerEnd);
  const os = outerSkip / outerRows, oe = outerRead / outerRows, is = innerSkip / innerRows, ie = innerRead / innerRows;
  let startup = outer.startup + (outer.total - outer.startup) * os + inner.startup + (inner.total - inner.startup) * is;
  let run = (outer.total - outer.startup) * (oe - os);
  const innerRun = (inner.total - inner.startup) * (ie - is);
  const settings = model.env.settings;
  if (!settings.mergejoin) startup += DISABLE_COST;

  // the merge clauses' whole cost, a key expression's (`b.id + 1`) included (final_cost_mergejoin's merge_qual_cost)
  const mergeQual = keys.reduce((s, k) => s + exprCost(k.cond), 0);
  const conjuncts = plan.on?.kind === 'and' ? plan.on.args : plan.on ? [plan.on] : [];
  const otherQual = Math.max(0, exprCost(plan.on) - mergeQual);
  const skipMarkRestore = (jt === 'semi' || jt === 'anti' || innerUnique) && conjuncts.length === keys.length;
  const lookup = model.joinColumnLookup(plan);
  const keySel = keys.reduce((s, k) => s * clauseSelectivity(k.cond, lookup), 1);
  const tuples = clampRows(outerRows * innerRows * keySel);
  // a semi join's right side made unique (unique-semi-join.ts) as the outer input: PostgreSQL's UniquePath outer
  const uniqueOuter = plan.semiUnique === true && swapped;
  const rescanned = skipMarkRestore || uniqueOuter ? 0 : Math.max(0, tuples - innerRows);
  const ratio = 1 + rescanned / innerRead;
  const bare = innerRun * ratio;
  const held = innerRun + CPU_OPERATOR_COST * innerRead * ratio;
  const spills = innerPlan.kind === 'sort' && innerRows * (Math.ceil(inner.width / 8) * 8 + 24) > settings.workMemKb * 1024;
  const materializeInner = skipMarkRestore ? false
    : settings.material && held < bare ? true
      : !restores(innerPlan) ? true
        : settings.material && spills;
  run += materializeInner ? held : bare;
  startup += mergeQual * (outerSkip + innerSkip * ratio);
  run += mergeQual * (outerRead - outerSkip + (innerRead - innerSkip) * ratio);
  run += (CPU_TUPLE_COST + otherQual) * tuples;
  return { startup, total: startup + run, materializeInner };
}

/**
 * An Index Scan reading the whole key range in key order (a merge join's input, or an
 * expression index read in its key's order): cost_index over btcostestimate (btree-cost.ts).
 * An expression index's key: no Index Cond, and the key computed per row in the scan's
 * target list (its calls' cpu_operator_cost, its type's width in the row), as PostgreSQL
 * orders by it there.
 */
export function orderedIndexScanCost(model: CostModel, table: TableDef, filter: Expr | null, keyName: string, columns: readonly number[], allVisible = 0): Estimate {
  const key = btreeKeyOf(table, keyName, columns);
  const expression = key.expression?.expression;
  const quals = expression ? [] : btreeQuals(filter, key.columns);
  const est = costIndex(model, table, { key, quals, filter, allVisible, targetCost: expression ? keyLookupCost(table, keyName) : 0 });
  return { startup: est.startup, total: est.total, rows: est.rows, width: est.width + (expression ? typeWidth(expression.type) : 0) };
}
